//! `docker ps -a` for edit sessions (containers that are created, never run): the Engine API's
//! `GET /containers/json` and the CLI's table.

use serde::{Deserialize, Serialize};

use super::{created_since, ellipsis, tabwrite};
use crate::container::ContainerRecord;
use crate::store::ImageRecord;

/// One container as `GET /containers/json` (API 1.50) returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSummary {
    /// 64 hex digits.
    pub id: String,
    /// `/name`.
    pub names: Vec<String>,
    /// The image as it was named when the container was made.
    pub image: String,
    /// `sha256:` + the image ID.
    #[serde(rename = "ImageID")]
    pub image_id: String,
    /// The command (entrypoint and cmd joined by spaces).
    pub command: String,
    /// Unix seconds.
    pub created: i64,
    /// Published ports: none.
    pub ports: Vec<serde_json::Value>,
    /// Labels: none.
    pub labels: std::collections::BTreeMap<String, String>,
    /// `created`: an edit session never runs.
    pub state: String,
    /// `Created`.
    pub status: String,
    /// With `size`: the bytes the container wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_rw: Option<u64>,
    /// With `size`: the image's size plus `size_rw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_root_fs: Option<u64>,
}

/// The containers, newest first, as the daemon lists them with `all` (without it, only running
/// ones: none).
pub fn container_summaries(containers: &[ContainerRecord], images: &[ImageRecord], all: bool) -> Vec<ContainerSummary> {
    if !all {
        return Vec::new();
    }
    let mut out: Vec<ContainerSummary> = containers
        .iter()
        .map(|c| {
            let image_id = c.image.to_string();
            let image = if images.iter().any(|i| i.id == c.image) && !c.image_ref.is_empty() && !c.image.hex().starts_with(&c.image_ref) {
                c.image_ref.clone()
            } else {
                image_id.clone()
            };
            ContainerSummary {
                id: c.id.clone(),
                names: vec![format!("/{}", c.name)],
                image,
                image_id,
                command: c.command.clone(),
                // ok: milliseconds since 1970 fit an i64 many times over
                created: (c.created_ms / 1000.0).floor() as i64,
                ports: Vec::new(),
                labels: Default::default(),
                state: "created".to_owned(),
                status: "Created".to_owned(),
                size_rw: None,
                size_root_fs: None,
            }
        })
        .collect();
    out.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Go's `strconv.Quote`, which the CLI wraps the command in.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One row of `docker ps` as its `--format` templates see it (docker/cli `ContainerContext`),
/// fields in the order Go's `json` prints them (sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PsRow {
    /// COMMAND, quoted (and cut to 20 characters unless `--no-trunc`).
    pub command: String,
    /// CREATED AT: Go's `time.Time.String()` in UTC.
    pub created_at: String,
    /// CONTAINER ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// IMAGE: the name it was made from, or the short image ID.
    pub image: String,
    /// LABELS, `k=v` joined by commas (none).
    pub labels: String,
    /// LOCAL VOLUMES: how many (none).
    pub local_volumes: String,
    /// MOUNTS (none).
    pub mounts: String,
    /// NAMES.
    pub names: String,
    /// NETWORKS (none).
    pub networks: String,
    /// PLATFORM: unknown to the list, `null`.
    pub platform: Option<String>,
    /// PORTS (none).
    pub ports: String,
    /// CREATED.
    pub running_for: String,
    /// SIZE: the bytes written, and `(virtual …)` with the image's size when the list has sizes.
    pub size: String,
    /// `created`, `exited`….
    pub state: String,
    /// STATUS.
    pub status: String,
}

/// The column titles of [`PsRow`]'s fields, for `table` templates.
pub const PS_HEADERS: [(&str, &str); 15] = [
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Labels", "LABELS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Mounts", "MOUNTS"),
    ("Names", "NAMES"),
    ("Networks", "NETWORKS"),
    ("Platform", "PLATFORM"),
    ("Ports", "PORTS"),
    ("RunningFor", "CREATED"),
    ("Size", "SIZE"),
    ("State", "STATE"),
    ("Status", "STATUS"),
];

impl PsRow {
    /// The row of a container at `now`.
    pub fn of(c: &ContainerSummary, now: i64, trunc: bool) -> Self {
        let rw = super::human_size_with_precision(c.size_rw.unwrap_or(0), 3);
        Self {
            command: go_quote(&if trunc { ellipsis(&c.command, 20) } else { c.command.clone() }),
            created_at: super::go_time(c.created),
            id: if trunc { c.id.get(..12).unwrap_or(&c.id).to_owned() } else { c.id.clone() },
            image: if trunc && c.image == c.image_id { c.image_id.trim_start_matches("sha256:").get(..12).unwrap_or_default().to_owned() } else { c.image.clone() },
            labels: String::new(),
            local_volumes: "0".to_owned(),
            mounts: String::new(),
            names: c.names.iter().map(|n| n.trim_start_matches('/')).collect::<Vec<_>>().join(","),
            networks: String::new(),
            platform: None,
            ports: String::new(),
            running_for: created_since(c.created, now),
            size: match c.size_root_fs.filter(|v| *v > 0) {
                Some(virt) => format!("{rw} (virtual {})", super::human_size_with_precision(virt, 3)),
                None => rw,
            },
            state: c.state.clone(),
            status: c.status.clone(),
        }
    }

    /// The row `docker ps` runs its `--format` template over before it lists, to check it:
    /// docker/cli's `NewContainerContext()`, of no container (created at the epoch).
    pub fn empty(now: i64) -> Self {
        Self {
            command: go_quote(""),
            created_at: super::go_time(0),
            id: String::new(),
            image: "<no image>".to_owned(),
            labels: String::new(),
            local_volumes: "0".to_owned(),
            mounts: String::new(),
            names: String::new(),
            networks: String::new(),
            platform: None,
            ports: String::new(),
            running_for: created_since(0, now),
            size: super::human_size_with_precision(0, 3),
            state: String::new(),
            status: String::new(),
        }
    }
}

/// The `docker ps -a` table (`--no-trunc` when `trunc` is false, a SIZE column with `-s`), `now`
/// in Unix seconds.
pub fn ps_table(summaries: &[ContainerSummary], now: i64, trunc: bool, size: bool) -> String {
    let mut header = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"].map(String::from).to_vec();
    if size {
        header.push("SIZE".to_owned());
    }
    let mut rows = vec![header];
    for c in summaries {
        let r = PsRow::of(c, now, trunc);
        let mut row = vec![r.id, r.image, r.command, r.running_for, r.status, r.ports, r.names];
        if size {
            row.push(r.size);
        }
        rows.push(row);
    }
    tabwrite(&rows)
}
