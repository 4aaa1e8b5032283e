//! The `manifest.json` of a `docker save` archive (moby `image/tarexport`, `manifestItem`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::null_default;

/// One image of a `docker save` archive. Paths are relative to the archive root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManifestItem {
    /// Path of the config file.
    pub config: String,
    /// Tags in the familiar form (`busybox:latest`); skopeo writes full names.
    #[serde(default, deserialize_with = "null_default")]
    pub repo_tags: Vec<String>,
    /// Paths of the layer tars, base first; each may be compressed.
    #[serde(default, deserialize_with = "null_default")]
    pub layers: Vec<String>,
    /// The parent image ID, when it is in the same archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Descriptors of foreign layers, by diff_id.
    #[serde(default, skip_serializing_if = "Map::is_empty", deserialize_with = "null_default")]
    pub layer_sources: Map<String, Value>,
}
