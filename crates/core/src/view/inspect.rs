//! `docker inspect` of an image: the Engine API's `GET /images/{name}/json` (API 1.50, classic
//! store), printed by the CLI as a JSON array indented with four spaces.

use serde::Serialize;

use super::{format_rfc3339_nano, parse_time};
use crate::spec::{ImageConfig, RunConfig};
use crate::store::ImageRecord;

/// The fields docker returns for an image, in docker's order. `GraphDriver` is left out: it
/// names directories of a daemon's disk, which a browser store does not have.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InspectResponse {
    /// `sha256:` + config digest.
    #[serde(rename = "Id")]
    pub id: String,
    /// Tags.
    pub repo_tags: Vec<String>,
    /// `name@digest` references.
    pub repo_digests: Vec<String>,
    /// The local parent's ID, or "".
    pub parent: String,
    /// The config's comment, else the last history entry's.
    pub comment: String,
    /// The config's `created`, re-formatted as Go's RFC3339Nano; absent when the config has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The config's `docker_version`, or "".
    pub docker_version: String,
    /// The config's `author`, or "".
    pub author: String,
    /// The config's `config`.
    pub config: RunConfig,
    /// CPU architecture.
    pub architecture: String,
    /// Architecture variant, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Operating system.
    pub os: String,
    /// OS version, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// Sum of the layers' sizes.
    pub size: u64,
    /// The layers' diff_ids.
    #[serde(rename = "RootFS")]
    pub root_fs: RootFsView,
    /// When the image was last tagged.
    pub metadata: Metadata,
}

/// `RootFS` as docker prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootFsView {
    /// `layers`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The diff_ids, base first.
    pub layers: Vec<String>,
}

/// `Metadata` as docker prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metadata {
    /// RFC3339Nano, or Go's zero time when never tagged.
    pub last_tag_time: String,
}

/// Go's zero `time.Time`, which docker prints for an image never tagged.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The inspect view of an image.
pub fn inspect(image: &ImageRecord, config: &ImageConfig) -> InspectResponse {
    InspectResponse {
        id: image.id.to_string(),
        repo_tags: image.repo_tags.clone(),
        repo_digests: image.repo_digests.clone(),
        parent: image.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
        comment: config.effective_comment().to_owned(),
        created: config.created.as_deref().and_then(parse_time).map(format_rfc3339_nano),
        docker_version: config.docker_version.clone().unwrap_or_default(),
        author: config.author.clone().unwrap_or_default(),
        config: config.config.clone().unwrap_or_default(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone().filter(|v| !v.is_empty()),
        // moby's `Image.OperatingSystem`: a config without `os` is the daemon's own (linux);
        // dockerd 20.10 prints `"Os": "linux"` for one.
        os: if config.os.is_empty() { "linux".to_owned() } else { config.os.clone() },
        os_version: config.os_version.clone().filter(|v| !v.is_empty()),
        size: image.size(),
        root_fs: RootFsView {
            kind: if config.rootfs.kind.is_empty() { "layers".into() } else { config.rootfs.kind.clone() },
            layers: config.rootfs.diff_ids.iter().map(ToString::to_string).collect(),
        },
        metadata: Metadata { last_tag_time: image.last_tag_time.clone().unwrap_or_else(|| GO_ZERO_TIME.to_owned()) },
    }
}

/// What `docker image inspect` prints for these images: a JSON array indented with four
/// spaces, as the CLI indents the daemon's responses, with a final newline.
pub fn inspect_json<T: Serialize>(items: &[T]) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if items.serialize(&mut ser).is_err() {
        return "[]\n".to_owned();
    }
    let mut s = String::from_utf8(out).unwrap_or_default();
    s.push('\n');
    s
}
