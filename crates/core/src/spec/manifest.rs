//! Manifests, indexes and descriptors (image-spec `manifest.md`, `image-index.md`,
//! `descriptor.md`; Docker `manifest-v2-2.md`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::null_default;
use crate::digest::Digest;

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the referenced content.
    #[serde(default, deserialize_with = "null_default")]
    pub media_type: String,
    /// The digest of the content; validated when parsed.
    pub digest: Digest,
    /// The size of the content in bytes. "The size MUST NOT be negative": the type says so.
    pub size: u64,
    /// Where a non-distributable layer may be fetched from.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub urls: Vec<String>,
    /// Annotations (`org.opencontainers.image.ref.name`, `io.containerd.image.name`, …).
    #[serde(default, skip_serializing_if = "Map::is_empty", deserialize_with = "null_default")]
    pub annotations: Map<String, Value>,
    /// The platform of a manifest in an index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

impl Descriptor {
    /// The value of a string annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).and_then(Value::as_str)
    }
}

/// The platform of a manifest in an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// CPU architecture.
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    /// Operating system.
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    /// Architecture variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// An image manifest (OCI, or Docker schema 2, which has the same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// The manifest's own media type, when it states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The layer blobs, base first.
    #[serde(default, deserialize_with = "null_default")]
    pub layers: Vec<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Map::is_empty", deserialize_with = "null_default")]
    pub annotations: Map<String, Value>,
}

/// An image index or Docker manifest list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// Always 2.
    pub schema_version: u32,
    /// The index's own media type, when it states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The manifests (or nested indexes) it lists. Docker has written `null` here.
    #[serde(default, deserialize_with = "null_default")]
    pub manifests: Vec<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Map::is_empty", deserialize_with = "null_default")]
    pub annotations: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_negative_sizes() {
        let raw = br#"{"mediaType":"x","digest":"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef","size":-1}"#;
        assert!(crate::spec::parse::<Descriptor>("descriptor", raw).is_err());
    }

    #[test]
    fn reads_an_index_with_null_manifests() -> Result<(), crate::spec::JsonError> {
        let idx: Index = crate::spec::parse("index.json", br#"{"schemaVersion":2,"manifests":null}"#)?;
        assert!(idx.manifests.is_empty());
        Ok(())
    }
}
