//! `docker inspect` of a container: the Engine API's `GET /containers/{name}/json` (API 1.50)
//! for an edit session, printed by the CLI as a JSON array indented with four spaces.

use serde::Serialize;
use serde_json::{Map, Value};

use super::format_rfc3339_nano;
use crate::container::ContainerRecord;
use crate::spec::ImageConfig;
use crate::store::ImageRecord;

/// The fields docker returns for a container that was created and never started, in docker's
/// order. What only a daemon has is left out: host paths (`ResolvConfPath`, `LogPath`…), the
/// storage driver, `HostConfig` and `NetworkSettings`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    /// 64 hex digits.
    #[serde(rename = "Id")]
    pub id: String,
    /// When the session started, RFC3339Nano.
    pub created: String,
    /// The first word of the image's entrypoint and command.
    pub path: String,
    /// The rest of them.
    pub args: Vec<String>,
    /// Created, never started.
    pub state: ContainerState,
    /// `sha256:` + the image ID.
    pub image: String,
    /// `/name`.
    pub name: String,
    /// Never restarted.
    pub restart_count: u32,
    /// The image's operating system.
    pub platform: String,
    /// With `size`: the bytes the session wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_rw: Option<u64>,
    /// With `size`: the image's size plus `SizeRw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_root_fs: Option<u64>,
    /// No mounts.
    pub mounts: Vec<Value>,
    /// The container's config: the image's, with the container's hostname and image name.
    pub config: ContainerConfig,
}

/// `State` of a container created and never started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerState {
    /// `created`.
    pub status: String,
    /// False.
    pub running: bool,
    /// False.
    pub paused: bool,
    /// False.
    pub restarting: bool,
    /// False.
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    /// False.
    pub dead: bool,
    /// 0: no process.
    pub pid: u32,
    /// 0: it never exited.
    pub exit_code: i32,
    /// "".
    pub error: String,
    /// Go's zero time: never started.
    pub started_at: String,
    /// Go's zero time: never finished.
    pub finished_at: String,
}

/// `Config` of a container, as docker returns it (null for what is not set).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// The short ID, docker's default hostname.
    pub hostname: String,
    /// "".
    pub domainname: String,
    /// The image's user.
    pub user: String,
    /// False.
    pub attach_stdin: bool,
    /// False.
    pub attach_stdout: bool,
    /// False.
    pub attach_stderr: bool,
    /// The image's exposed ports, when it has some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<Map<String, Value>>,
    /// False.
    pub tty: bool,
    /// False.
    pub open_stdin: bool,
    /// False.
    pub stdin_once: bool,
    /// The image's environment.
    pub env: Option<Vec<String>>,
    /// The image's command.
    pub cmd: Option<Vec<String>>,
    /// The name the session was opened by.
    pub image: String,
    /// The image's volumes.
    pub volumes: Option<Map<String, Value>>,
    /// The image's working directory.
    pub working_dir: String,
    /// The image's entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// No build triggers.
    pub on_build: Option<Vec<String>>,
    /// The image's labels.
    pub labels: Map<String, Value>,
}

/// Go's zero `time.Time`.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The inspect view of an edit session over `image` (with its `config`); with `size`, the
/// session's `SizeRw` and `SizeRootFs` (as `GET /containers/json?size=1` counts them).
pub fn container_inspect(c: &ContainerRecord, image: Option<&ImageRecord>, config: Option<&ImageConfig>, size: bool) -> ContainerInspect {
    let run = config.and_then(|c| c.config.clone()).unwrap_or_default();
    let mut words = run.entrypoint.iter().chain(&run.cmd).cloned();
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    // ok: milliseconds since 1970, times a million, fit an i128 many times over
    let created = time::OffsetDateTime::from_unix_timestamp_nanos((c.created_ms * 1e6) as i128).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let rw = c.written_bytes();
    ContainerInspect {
        id: c.id.clone(),
        created: format_rfc3339_nano(created),
        path: words.next().unwrap_or_default(),
        args: words.collect(),
        state: ContainerState {
            status: "created".to_owned(),
            running: false,
            paused: false,
            restarting: false,
            oom_killed: false,
            dead: false,
            pid: 0,
            exit_code: 0,
            error: String::new(),
            started_at: GO_ZERO_TIME.to_owned(),
            finished_at: GO_ZERO_TIME.to_owned(),
        },
        image: c.image.to_string(),
        name: format!("/{}", c.name),
        restart_count: 0,
        platform: config.map_or("linux", |c| c.os.as_str()).to_owned(),
        size_rw: size.then_some(rw),
        size_root_fs: size.then(|| image.map_or(0, ImageRecord::size) + rw),
        mounts: Vec::new(),
        config: ContainerConfig {
            hostname: c.short_id().to_owned(),
            domainname: String::new(),
            user: run.user.clone(),
            attach_stdin: false,
            attach_stdout: false,
            attach_stderr: false,
            exposed_ports: (!run.exposed_ports.is_empty()).then(|| run.exposed_ports.clone()),
            tty: false,
            open_stdin: false,
            stdin_once: false,
            env: some(&run.env),
            cmd: some(&run.cmd),
            image: c.image_ref.clone(),
            volumes: (!run.volumes.is_empty()).then(|| run.volumes.clone()),
            working_dir: run.working_dir.clone(),
            entrypoint: some(&run.entrypoint),
            on_build: None,
            labels: run.labels.clone(),
        },
    }
}
