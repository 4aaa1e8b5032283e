//! `docker history`: the Engine API's `GET /images/{name}/history` and the CLI's table.

use serde::{Deserialize, Serialize};

use super::{created_since, ellipsis, human_size, tabwrite, unix_seconds};
use crate::digest::Digest;
use crate::spec::ImageConfig;
use crate::store::ImageRecord;

/// One row as `GET /images/{name}/history` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryItem {
    /// The image ID this step produced, or `<missing>` when no local image is known for it.
    pub id: String,
    /// Unix seconds of the step (0 when the entry has none).
    pub created: i64,
    /// The step's command.
    pub created_by: String,
    /// Tags of that image (top row only, in practice).
    pub tags: Option<Vec<String>>,
    /// Size of the step's layer (0 for empty layers).
    pub size: u64,
    /// The step's comment.
    pub comment: String,
}

/// The history rows of an image, newest first, as the classic daemon computes them: one row per
/// config history entry, sized from the layers in order; row IDs follow the image's local parent
/// chain (`find_parent` looks up a stored image by ID), `<missing>` beyond it.
///
/// # Errors
/// When the history claims more layers than the config has, as the daemon does.
pub fn history(
    image: &ImageRecord,
    config: &ImageConfig,
    find_parent: &dyn Fn(&Digest) -> Option<ImageRecord>,
) -> Result<Vec<HistoryItem>, String> {
    let mut items = Vec::with_capacity(config.history.len());
    let mut layer = 0;
    for h in &config.history {
        let mut size = 0;
        if !h.empty_layer {
            let Some(l) = image.layers.get(layer) else {
                return Err("too many non-empty layers in History section".to_owned());
            };
            size = l.size;
            layer += 1;
        }
        items.push(HistoryItem {
            id: "<missing>".to_owned(),
            created: unix_seconds(h.created.as_deref()),
            created_by: h.created_by.clone().unwrap_or_default(),
            tags: None,
            size,
            comment: h.comment.clone().unwrap_or_default(),
        });
    }
    items.reverse();
    let mut current = Some(image.clone());
    for item in &mut items {
        let Some(img) = current.take() else { break };
        item.id = img.id.to_string();
        let tags: Vec<String> = img.repo_tags.clone();
        item.tags = (!tags.is_empty()).then_some(tags);
        current = img.parent.as_ref().and_then(find_parent);
    }
    Ok(items)
}

/// Times up to this one (2000-01-01T00:00:00Z) show as `N/A` in `docker history`: reproducible
/// builds set `created` to the epoch, and "56 years ago" would say nothing.
const HISTORY_EPOCH: i64 = 946_684_800;

/// The CREATED column of `docker history`.
pub fn history_created_since(created: i64, now: i64) -> String {
    if created <= HISTORY_EPOCH {
        "N/A".to_owned()
    } else {
        created_since(created, now)
    }
}

/// The `docker history` table at `now`; `truncate` is the CLI's default (`--no-trunc` unset).
pub fn history_table(items: &[HistoryItem], now: i64, truncate: bool) -> String {
    let mut rows = vec![["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"].map(String::from).to_vec()];
    for h in items {
        let id = if truncate && h.id.starts_with("sha256:") { h.id["sha256:".len()..].chars().take(12).collect() } else { h.id.clone() };
        let created_by = h.created_by.replace('\t', " ");
        let created_by = if truncate { ellipsis(&created_by, 45) } else { created_by };
        rows.push(vec![id, history_created_since(h.created, now), created_by, human_size(h.size), h.comment.clone()]);
    }
    tabwrite(&rows)
}

/// The flags of `docker history` that change what it prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// `-H` (the default): "3 months ago" and "7.8MB"; else RFC 3339 times and byte counts.
    pub human: bool,
    /// `--no-trunc`.
    pub no_trunc: bool,
    /// `-q`: only the IDs.
    pub quiet: bool,
}

/// What `docker history` prints with these flags.
pub fn history_text(items: &[HistoryItem], now: i64, options: &HistoryOptions) -> String {
    let id = |h: &HistoryItem| if !options.no_trunc && h.id.starts_with("sha256:") { h.id["sha256:".len()..].chars().take(12).collect() } else { h.id.clone() };
    if options.quiet {
        return items.iter().map(|h| format!("{}\n", id(h))).collect();
    }
    if options.human {
        return history_table(items, now, !options.no_trunc);
    }
    let mut rows = vec![["IMAGE", "CREATED AT", "CREATED BY", "SIZE", "COMMENT"].map(String::from).to_vec()];
    for h in items {
        let created_by = h.created_by.replace('\t', " ");
        let created_by = if options.no_trunc { created_by } else { ellipsis(&created_by, 45) };
        let created = time::OffsetDateTime::from_unix_timestamp(h.created).ok().and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default();
        rows.push(vec![id(h), created, created_by, h.size.to_string(), h.comment.clone()]);
    }
    tabwrite(&rows)
}
