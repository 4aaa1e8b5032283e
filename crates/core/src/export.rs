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

/// Why `docker save` cannot take a name, in the classic daemon's words (moby
/// `image/tarexport/save.go` `parseNames`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Not a reference.
    #[error("{0}")]
    Reference(String),
    /// A tag or digest reference no image has (the reference store's error).
    #[error("reference does not exist")]
    NoReference,
    /// A repository or ID prefix no image has (the image store's search). A full ID no image
    /// has is reported the same way (the daemon's error names its own files there).
    #[error("No such image: {0}")]
    NotFound(String),
    /// An ID prefix several images share (the image store's digest set).
    #[error("ambiguous digest string")]
    Ambiguous,
}

/// The images `docker save NAME…` writes, in the order first named, each with the tags its
/// names give it (moby `parseNames`): a repository alone (`test/app`) takes every tag of that
/// repository, else searches the IDs by prefix; `REPO:TAG` and `REPO@DIGEST` take that image
/// (a digest adds no tag); an ID, full or a prefix (`sha256:` or not), takes the image without
/// a tag.
///
/// # Errors
/// The first name the daemon refuses, as [`SelectError`].
pub fn select(images: &[ImageRecord], names: &[&str]) -> Result<Vec<ImageRecord>, SelectError> {
    let mut chosen: Vec<ImageRecord> = Vec::new();
    let mut add = |image: &ImageRecord, tag: Option<String>| {
        let at = match chosen.iter().position(|c| c.id == image.id) {
            Some(i) => i,
            None => {
                chosen.push(ImageRecord { repo_tags: Vec::new(), ..image.clone() });
                chosen.len() - 1
            }
        };
        if let Some(t) = tag.filter(|t| !chosen[at].repo_tags.contains(t)) {
            chosen[at].repo_tags.push(t);
        }
    };
    for name in names {
        let full_hex = name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let id = if full_hex { Digest::parse(&format!("sha256:{name}")).ok() } else { Digest::parse(name).ok() };
        if let Some(id) = id {
            add(images.iter().find(|i| i.id == id).ok_or_else(|| SelectError::NotFound((*name).to_owned()))?, None);
            continue;
        }
        let reference = Reference::parse(name).map_err(|e| SelectError::Reference(e.to_string()))?;
        let repo = reference.familiar_name();
        if repo == "sha256" {
            add(search(images, name)?, None);
        } else if reference.tag().is_none() && reference.digest().is_none() {
            let of_repo = |r: &String| Reference::parse(r).is_ok_and(|p| p.familiar_name() == repo);
            let named: Vec<&ImageRecord> = images.iter().filter(|i| i.repo_tags.iter().chain(&i.repo_digests).any(of_repo)).collect();
            if named.is_empty() {
                add(search(images, name)?, None);
            }
            for image in named {
                for tag in image.repo_tags.iter().filter(|t| of_repo(t)) {
                    add(image, Some(tag.clone()));
                }
                // A digest reference names the image without a tag.
                add(image, None);
            }
        } else {
            let familiar = reference.familiar();
            let image = images.iter().find(|i| i.repo_tags.contains(&familiar) || i.repo_digests.contains(&familiar)).ok_or(SelectError::NoReference)?;
            add(image, reference.digest().is_none().then_some(familiar));
        }
    }
    Ok(chosen)
}

/// The image store's search by ID prefix (`4f`, `sha256:4f`).
fn search<'a>(images: &'a [ImageRecord], term: &str) -> Result<&'a ImageRecord, SelectError> {
    let hex = term.strip_prefix("sha256:").unwrap_or(term);
    let mut found = images.iter().filter(|i| !hex.is_empty() && i.id.hex().starts_with(hex));
    match (found.next(), found.next()) {
        (Some(image), None) => Ok(image),
        (Some(_), Some(_)) => Err(SelectError::Ambiguous),
        (None, _) => Err(SelectError::NotFound(term.to_owned())),
    }
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
