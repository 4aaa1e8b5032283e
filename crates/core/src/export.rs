//! `docker save`: images from the store as one tar in the Docker 25+ dual layout, which docker
//! (classic and containerd stores), podman and both skopeo transports load (reference
//! `formats.md` §4.1–4.2): `blobs/sha256/<hex>`, an OCI `index.json` with both name annotations,
//! `oci-layout`, a docker `manifest.json` whose paths point into `blobs/`, and `repositories`.
//!
//! The archive is described as parts (bytes, or a stored blob by digest) so the browser can
//! assemble it from its own Blobs without copying layers into WASM memory.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::digest::Digest;
use crate::media_type::{self, Compression};
use crate::reference::Reference;
use crate::spec::{Descriptor, Manifest};
use crate::store::{ImageLayer, ImageRecord};
use crate::tar::header;

/// One image to save, with the small blobs it needs from the store.
#[derive(Debug, Clone)]
pub struct SaveImage {
    /// The image's record.
    pub record: ImageRecord,
    /// The config's raw bytes.
    pub config: Vec<u8>,
    /// The stored manifest's raw bytes and media type.
    pub manifest: (Vec<u8>, String),
}

/// A piece of the archive, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Bytes made here: headers, padding, JSON files.
    Bytes(Vec<u8>),
    /// A stored blob, whole.
    Blob {
        /// Its digest.
        digest: Digest,
        /// Its size.
        size: u64,
    },
}

/// A blob of the archive: made here, or taken from the store.
enum Content {
    Bytes(Vec<u8>),
    Stored(u64),
}

/// The layer media type an OCI manifest gives a stored layer blob.
fn oci_layer_type(layer: &ImageLayer) -> String {
    let t = layer.media_type.as_str();
    if t.starts_with("application/vnd.oci.") {
        return t.to_owned();
    }
    let compression = if t.ends_with("gzip") {
        Compression::Gzip
    } else if t.ends_with("zstd") {
        Compression::Zstd
    } else {
        Compression::None
    };
    compression.oci_layer_type().to_owned()
}

/// The image's OCI manifest: the stored one when it is OCI (its digest is kept), else one
/// written from the record (for images read from `docker save` archives).
fn oci_manifest(image: &SaveImage) -> Vec<u8> {
    if image.manifest.1 == media_type::OCI_MANIFEST {
        return image.manifest.0.clone();
    }
    let descriptor = |media_type: String, digest: &Digest, size: u64| Descriptor {
        media_type,
        digest: digest.clone(),
        size,
        urls: Vec::new(),
        annotations: Map::new(),
        platform: None,
    };
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(media_type::OCI_MANIFEST.to_owned()),
        config: descriptor(media_type::OCI_CONFIG.to_owned(), &image.record.id, image.config.len() as u64),
        layers: image.record.layers.iter().map(|l| descriptor(oci_layer_type(l), &l.blob, l.blob_size)).collect(),
        annotations: Map::new(),
    };
    serde_json::to_vec(&manifest).unwrap_or_default()
}

fn blob_path(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

/// The archive for `images`, as parts. Every tag of every image is named in `index.json` and
/// `manifest.json`; an untagged image is saved without a name, as `docker save ID` does.
pub fn save(images: &[SaveImage]) -> Vec<Part> {
    let mut blobs: BTreeMap<Digest, Content> = BTreeMap::new();
    let mut index = Vec::new();
    let mut items = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for image in images {
        let record = &image.record;
        let manifest = oci_manifest(image);
        let manifest_digest = Digest::of(&manifest);
        let descriptor = json!({"mediaType": media_type::OCI_MANIFEST, "digest": manifest_digest.to_string(), "size": manifest.len()});
        blobs.insert(manifest_digest, Content::Bytes(manifest));
        blobs.insert(record.id.clone(), Content::Bytes(image.config.clone()));
        for l in &record.layers {
            blobs.insert(l.blob.clone(), Content::Stored(l.blob_size));
        }
        let tags: Vec<Reference> = record.repo_tags.iter().filter_map(|t| Reference::parse(t).ok()).collect();
        if tags.is_empty() {
            index.push(descriptor.clone());
        }
        for t in &tags {
            let mut d = descriptor.clone();
            d["annotations"] = json!({"io.containerd.image.name": t.to_string(), "org.opencontainers.image.ref.name": t.tag().unwrap_or("latest")});
            index.push(d);
            if let (Some(tag), Some(top)) = (t.tag(), record.layers.last()) {
                repositories.entry(t.familiar_name()).or_default().insert(tag.to_owned(), top.diff_id.hex().to_owned());
            }
        }
        let sources: Map<String, Value> = record
            .layers
            .iter()
            .map(|l| (l.diff_id.to_string(), json!({"mediaType": oci_layer_type(l), "size": l.blob_size, "digest": l.blob.to_string()})))
            .collect();
        items.push(json!({
            "Config": blob_path(&record.id),
            "RepoTags": tags.iter().map(Reference::familiar).collect::<Vec<_>>(),
            "Layers": record.layers.iter().map(|l| blob_path(&l.blob)).collect::<Vec<_>>(),
            "LayerSources": sources,
        }));
    }
    let json_file = |v: Value| serde_json::to_vec(&v).unwrap_or_default();
    let mut parts = Vec::new();
    dir(&mut parts, "blobs/");
    dir(&mut parts, "blobs/sha256/");
    for (digest, content) in blobs {
        match content {
            Content::Bytes(bytes) => file(&mut parts, &blob_path(&digest), bytes),
            Content::Stored(size) => {
                parts.push(Part::Bytes(header(&blob_path(&digest), b'0', size, 0o644, None).to_vec()));
                parts.push(Part::Blob { digest, size });
                pad(&mut parts, size);
            }
        }
    }
    file(&mut parts, "index.json", json_file(json!({"schemaVersion": 2, "mediaType": media_type::OCI_INDEX, "manifests": index})));
    file(&mut parts, "manifest.json", json_file(Value::Array(items)));
    file(&mut parts, "oci-layout", json_file(json!({"imageLayoutVersion": "1.0.0"})));
    if !repositories.is_empty() {
        file(&mut parts, "repositories", json_file(json!(repositories)));
    }
    parts.push(Part::Bytes(vec![0; 1024]));
    parts
}

fn dir(parts: &mut Vec<Part>, name: &str) {
    parts.push(Part::Bytes(header(name, b'5', 0, 0o755, None).to_vec()));
}

fn file(parts: &mut Vec<Part>, name: &str, bytes: Vec<u8>) {
    let size = bytes.len() as u64;
    parts.push(Part::Bytes(header(name, b'0', size, 0o644, None).to_vec()));
    parts.push(Part::Bytes(bytes));
    pad(parts, size);
}

fn pad(parts: &mut Vec<Part>, size: u64) {
    // ok: the remainder of a division by 512 fits any integer type
    let rest = (512 - size % 512) % 512;
    if rest > 0 {
        parts.push(Part::Bytes(vec![0; rest as usize]));
    }
}

/// The archive's size, from its parts.
pub fn size(parts: &[Part]) -> u64 {
    parts.iter().map(|p| match p {
        Part::Bytes(b) => b.len() as u64,
        Part::Blob { size, .. } => *size,
    }).sum()
}

/// Reads what [`save`] needs of each image from the store.
///
/// # Errors
/// When a config or manifest blob cannot be read.
pub async fn gather<S: crate::store::Store>(store: &S, images: &[ImageRecord]) -> Result<Vec<SaveImage>, crate::store::StoreError> {
    let mut out = Vec::with_capacity(images.len());
    for record in images {
        let config = store.read_blob(&record.id, crate::spec::MAX_JSON_BYTES).await?;
        let manifest = store.read_blob(&record.manifest, crate::spec::MAX_JSON_BYTES).await?;
        let media_type = store.blob(&record.manifest).await?.map(|b| b.media_type).unwrap_or_default();
        out.push(SaveImage { record: record.clone(), config, manifest: (manifest, media_type) });
    }
    Ok(out)
}
