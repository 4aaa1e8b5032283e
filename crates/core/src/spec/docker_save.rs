//! The `manifest.json` of a `docker save` archive (moby `image/tarexport`, `manifestItem`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Where a registry keeps each layer (foreign layers: their URLs), by diff_id. moby's loader
    /// registers it with the layer and never compares it with the file in the archive; a key
    /// that is no diff_id of the image is never looked up.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "null_default")]
    pub layer_sources: BTreeMap<String, LayerSource>,
}

/// What Layerwise keeps of a `LayerSources` descriptor: it describes the registry's blob, not
/// the archive's file (the digest and size are not read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerSource {
    /// The registry blob's media type (`…foreign.diff.tar.gzip` for a foreign layer).
    #[serde(default, deserialize_with = "null_default")]
    pub media_type: String,
    /// Where a foreign layer can be fetched.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub urls: Vec<String>,
}
