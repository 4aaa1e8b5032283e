//! The image store model: what is kept, under which keys, and the rules that keep it whole.
//!
//! Like containerd's content store: blobs are keyed by their verified digest; a layer (keyed by
//! diff_id) lists the blobs stored for it (the same layer may arrive gzip-compressed or plain);
//! an image is keyed by its ID (the config digest) and is written only after every blob it needs
//! is stored and verified. An import records its progress first, so anything an interrupted
//! import left behind can be found and removed ([`collect_garbage`]).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::media_type::Compression;
use crate::tar::Entry;

/// A stored blob. Its bytes are kept beside the record by the store implementation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRecord {
    /// The verified digest: the key.
    pub digest: Digest,
    /// Size in bytes.
    pub size: u64,
    /// What the blob is (a manifest, config or layer media type).
    pub media_type: String,
    /// For a layer blob: the diff_id its uncompressed tar hashes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
}

/// A layer, by diff_id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    /// sha256 of the uncompressed tar: the key.
    pub diff_id: Digest,
    /// The sum of the entries' sizes (docker's layer size).
    pub size: u64,
    /// Bytes of the uncompressed tar.
    pub tar_size: u64,
    /// The stored blobs that hold this layer, each with its compression.
    pub blobs: BTreeMap<Digest, Compression>,
    /// The file index, in archive order.
    pub entries: Vec<Entry>,
}

/// One layer of an image, as the image record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageLayer {
    /// The blob the image's manifest names.
    pub blob: Digest,
    /// Its size.
    pub blob_size: u64,
    /// Its media type.
    pub media_type: String,
    /// The layer's diff_id.
    pub diff_id: Digest,
    /// The layer's size as docker counts it.
    pub size: u64,
}

/// A stored image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The image ID: the config digest. The key.
    pub id: Digest,
    /// The manifest blob (the archive's, or one written at import for `docker save` archives).
    pub manifest: Digest,
    /// Tags in docker's familiar form (`nginx:latest`).
    pub repo_tags: Vec<String>,
    /// `name@digest` references from pulls.
    pub repo_digests: Vec<String>,
    /// The local parent (from `manifest.json` `Parent`, or a commit's base).
    pub parent: Option<Digest>,
    /// The config's `created`, kept here so listing needs no config read.
    pub created: Option<String>,
    /// When the image was last tagged, RFC 3339 with nanoseconds; `None` if never.
    pub last_tag_time: Option<String>,
    /// Layers, base first.
    pub layers: Vec<ImageLayer>,
    /// The config's labels (for `docker images --filter label=`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Attestations (provenance, SBOM) kept with the image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationRecord>,
}

/// An attestation kept with an image: not an image itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRecord {
    /// The attestation manifest.
    pub manifest: Digest,
    /// Every blob it needs (manifest, config, in-toto statements).
    pub blobs: Vec<Digest>,
    /// What its statements attest (`https://slsa.dev/provenance/v0.2`, `https://spdx.dev/Document`, …).
    pub predicate_types: Vec<String>,
}

impl ImageRecord {
    /// docker's image size: the sum of the layers' sizes.
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }

    /// Every blob the image needs: config, manifest, layers, attestations.
    pub fn blobs(&self) -> impl Iterator<Item = &Digest> {
        [&self.id, &self.manifest]
            .into_iter()
            .chain(self.layers.iter().map(|l| &l.blob))
            .chain(self.attestations.iter().flat_map(|a| &a.blobs))
    }
}

/// Where an import stands. Written before anything else, updated as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Blobs are being read and stored.
    Started,
    /// Every blob is stored and verified; image records come next.
    Verified,
    /// The image records are written.
    Committed,
    /// The import stopped with an error.
    Failed,
}

/// An import's progress record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// A unique ID: the key.
    pub id: String,
    /// The name of the archive file.
    pub source: String,
    /// Where it stands.
    pub state: ImportState,
    /// Blobs this import has stored so far.
    pub blobs: Vec<Digest>,
    /// Images it committed.
    pub images: Vec<Digest>,
    /// The error, when it failed.
    pub error: Option<String>,
    /// When it started (ms since the epoch).
    pub started_ms: f64,
    /// Last sign of life (ms since the epoch); an unfinished import silent for long is dead.
    pub heartbeat_ms: f64,
}

impl ImportRecord {
    /// The record an import, commit or pull writes first: started at `now_ms`, nothing stored.
    pub fn started(id: &str, source: String, now_ms: f64) -> Self {
        Self { id: id.to_owned(), source, state: ImportState::Started, blobs: Vec::new(), images: Vec::new(), error: None, started_ms: now_ms, heartbeat_ms: now_ms }
    }
}

/// Re-writes `record` with a fresh heartbeat, so other tabs see its job is alive.
///
/// # Errors
/// When the store refuses the write.
pub async fn beat<S: Store>(store: &S, record: &mut ImportRecord, now_ms: f64) -> Result<(), StoreError> {
    record.heartbeat_ms = now_ms;
    store.put_import(record).await
}

/// Lists `digest` in `record` before the blob is stored (write-ahead), so garbage collection
/// never takes a blob the job still needs.
///
/// # Errors
/// When the store refuses the write.
pub async fn reserve<S: Store>(store: &S, record: &mut ImportRecord, digest: &Digest, now_ms: f64) -> Result<(), StoreError> {
    if !record.blobs.contains(digest) {
        record.blobs.push(digest.clone());
        beat(store, record, now_ms).await?;
    }
    Ok(())
}

/// Marks `record` failed with `error` and frees what it stored that no image needs, so the store
/// is left as it was. Best effort: the failure is what the user must see, not a second one.
pub async fn abandon<S: Store>(store: &S, record: &mut ImportRecord, error: String, now_ms: f64) {
    record.state = ImportState::Failed;
    record.error = Some(error);
    record.heartbeat_ms = now_ms;
    let _ = store.put_import(record).await;
    let _ = collect_garbage(store, &heartbeat(now_ms)).await;
}

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage quota is exhausted.
    #[error("storage full: {0}")]
    Full(String),
    /// Anything else the backend reports.
    #[error("the image store failed: {0}")]
    Backend(String),
    /// A record is not there.
    #[error("{0} is not in the store")]
    NotFound(String),
}

/// Persistence for the image store. The browser implements it over IndexedDB; [`MemoryStore`]
/// implements it for tests.
///
/// Contract (umoci `cas.Engine` style): every write is idempotent: a successful `put_*` means the
/// record is stored, not that this call stored it; repeating a step after a crash is harmless.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait Store {
    /// How blob bytes are handed over: a browser `Blob`, or bytes.
    type Data;
    /// Builds blob data from bytes pushed in order.
    type Builder: BlobBuilder<Data = Self::Data>;

    /// Wraps bytes (a config, a manifest) as blob data.
    fn data_from_bytes(&self, bytes: Vec<u8>) -> Self::Data;
    /// A builder for a blob that arrives as a stream (from a compressed archive, the network).
    fn blob_builder(&self) -> Self::Builder;
    /// The blob's record, if stored.
    async fn blob(&self, digest: &Digest) -> Result<Option<BlobRecord>, StoreError>;
    /// Stores a blob whose digest the caller has verified.
    async fn put_blob(&self, record: &BlobRecord, data: Self::Data) -> Result<(), StoreError>;
    /// The bytes of a small blob (config, manifest), at most `max` bytes.
    async fn read_blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, StoreError>;
    /// Removes a blob.
    async fn delete_blob(&self, digest: &Digest) -> Result<(), StoreError>;
    /// Every blob record.
    async fn blobs(&self) -> Result<Vec<BlobRecord>, StoreError>;
    /// The layer's record, if stored.
    async fn layer(&self, diff_id: &Digest) -> Result<Option<LayerRecord>, StoreError>;
    /// Stores a layer record.
    async fn put_layer(&self, record: &LayerRecord) -> Result<(), StoreError>;
    /// Removes a layer record.
    async fn delete_layer(&self, diff_id: &Digest) -> Result<(), StoreError>;
    /// Every layer's diff_id.
    async fn layer_ids(&self) -> Result<Vec<Digest>, StoreError>;
    /// Every image record.
    async fn images(&self) -> Result<Vec<ImageRecord>, StoreError>;
    /// Stores an image record.
    async fn put_image(&self, record: &ImageRecord) -> Result<(), StoreError>;
    /// Removes an image record.
    async fn delete_image(&self, id: &Digest) -> Result<(), StoreError>;
    /// Every import record.
    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;
    /// Stores an import record.
    async fn put_import(&self, record: &ImportRecord) -> Result<(), StoreError>;
    /// Removes an import record.
    async fn delete_import(&self, id: &str) -> Result<(), StoreError>;
}

/// Builds a blob's data from bytes pushed in order. The browser's keeps them in its own blob
/// storage, out of WASM memory.
pub trait BlobBuilder {
    /// The finished data.
    type Data;
    /// Appends bytes.
    fn append(&mut self, bytes: &[u8]);
    /// The data of everything appended.
    ///
    /// # Errors
    /// When the backend could not keep some of it.
    fn finish(self) -> Result<Self::Data, StoreError>;
}

impl BlobBuilder for Vec<u8> {
    type Data = Vec<u8>;

    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn finish(self) -> Result<Vec<u8>, StoreError> {
        Ok(self)
    }
}

/// Stores a verified layer blob (unless stored) and adds it to its layer record (made when the
/// layer is new). Idempotent.
///
/// # Errors
/// When the store refuses a write.
pub async fn keep_layer<S: Store>(store: &S, summary: &crate::layer::LayerSummary, media_type: String, data: S::Data) -> Result<(), StoreError> {
    if store.blob(&summary.digest).await?.is_none() {
        let blob = BlobRecord { digest: summary.digest.clone(), size: summary.blob_size, media_type, diff_id: Some(summary.diff_id.clone()) };
        store.put_blob(&blob, data).await?;
    }
    let mut layer = store.layer(&summary.diff_id).await?.unwrap_or_else(|| LayerRecord {
        diff_id: summary.diff_id.clone(),
        size: summary.size,
        tar_size: summary.tar_size,
        blobs: Default::default(),
        entries: summary.entries.clone(),
    });
    if layer.blobs.insert(summary.digest.clone(), summary.compression).is_none() {
        store.put_layer(&layer).await?;
    }
    Ok(())
}

/// How long an unfinished import may be silent before it is taken as dead (a closed tab).
pub const IMPORT_TIMEOUT_MS: f64 = 60_000.0;

/// Tells whether an unfinished import is still running: the browser asks the Web Locks API
/// (each import holds a lock its tab releases when it dies); elsewhere [`heartbeat`] decides.
pub type Liveness<'a> = &'a dyn Fn(&ImportRecord) -> bool;

/// An import is alive when it wrote its record less than [`IMPORT_TIMEOUT_MS`] ago.
pub fn heartbeat(now_ms: f64) -> impl Fn(&ImportRecord) -> bool {
    move |i: &ImportRecord| now_ms - i.heartbeat_ms < IMPORT_TIMEOUT_MS
}

/// Removes what no image needs: blobs no image references, layers left with no blob, and the
/// records of finished or dead imports. Blobs of imports still alive are kept.
///
/// The order of the reads is what makes this safe beside a running import, which lists a blob
/// in its record before storing it and writes its image before marking itself committed: blobs
/// are listed first, then imports, then images. A blob listed was already in its import's record;
/// if that import was still running when imports were read, the blob is kept as the import's; if
/// it had committed, its image was written before, so the images read after see it.
///
/// Returns how many blobs were removed.
///
/// # Errors
/// The first [`StoreError`].
pub async fn collect_garbage<S: Store>(store: &S, alive: Liveness<'_>) -> Result<usize, StoreError> {
    let blobs = store.blobs().await?;
    let mut keep: HashSet<Digest> = HashSet::new();
    for import in store.imports().await? {
        let running = matches!(import.state, ImportState::Started | ImportState::Verified);
        let live = alive(&import);
        if running && live {
            keep.extend(import.blobs.iter().cloned());
        } else if import.state == ImportState::Committed || !live {
            // A failed import's record stays while it is alive, so its tab can still show why.
            store.delete_import(&import.id).await?;
        }
    }
    keep.extend(store.images().await?.iter().flat_map(|i| i.blobs().cloned()));
    let mut removed = 0;
    for blob in blobs {
        if !keep.contains(&blob.digest) {
            store.delete_blob(&blob.digest).await?;
            removed += 1;
        }
    }
    for diff_id in store.layer_ids().await? {
        if let Some(mut layer) = store.layer(&diff_id).await? {
            let before = layer.blobs.len();
            layer.blobs.retain(|d, _| keep.contains(d));
            if layer.blobs.is_empty() {
                store.delete_layer(&diff_id).await?;
            } else if layer.blobs.len() != before {
                store.put_layer(&layer).await?;
            }
        }
    }
    Ok(removed)
}

mod memory;
mod remove;
pub use memory::MemoryStore;
pub use remove::{apply_removal, chains, plan_removal, plan_tag, ContainerUse, Removal, RemoveError, Removed};

/// The daemon's words for a name it did not find (moby `ErrImageDoesNotExist` over
/// `reference.ParseAnyReference`): 64 hex digits or a full `sha256:` digest is a digest
/// reference, shown as `sha256:…`; anything else that parses is a name, shown familiar with its
/// default tag (`busybox` → `busybox:latest`, and so a short ID `4f2a` → `4f2a:latest`); a name
/// that does not parse is shown as given.
///
/// The classic image store answers this for an ID prefix two images share too: its lookup by
/// prefix fails quietly and the name is reported as not found.
pub fn no_such_image(name: &str) -> String {
    let full_hex = name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if full_hex {
        return format!("No such image: sha256:{name}");
    }
    if let Ok(digest) = Digest::parse(name) {
        return format!("No such image: {digest}");
    }
    match crate::reference::Reference::parse(name) {
        Ok(r) => format!("No such image: {}", r.with_default_tag().familiar()),
        Err(_) => format!("No such image: {name}"),
    }
}

/// Finds an image the way docker resolves a name: a reference (`nginx`, `test/app:1`), the full
/// ID, or a unique prefix of the ID's hex (with or without `sha256:`). A prefix two IDs share
/// finds nothing, as in the classic image store (see [`no_such_image`]).
pub fn resolve<'a>(images: &'a [ImageRecord], name: &str) -> Option<&'a ImageRecord> {
    if let Ok(r) = crate::reference::Reference::parse(name) {
        let familiar = r.with_default_tag().familiar();
        if let Some(found) = images.iter().find(|i| i.repo_tags.contains(&familiar) || i.repo_digests.contains(&familiar)) {
            return Some(found);
        }
    }
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut matches = images.iter().filter(|i| i.id.hex().starts_with(hex));
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_not_found_is_shown_as_the_daemon_shows_it() {
        let hex = "a".repeat(64);
        assert_eq!(no_such_image("busybox"), "No such image: busybox:latest");
        assert_eq!(no_such_image("4f"), "No such image: 4f:latest");
        assert_eq!(no_such_image("sha256:4f"), "No such image: sha256:4f");
        assert_eq!(no_such_image(&hex), format!("No such image: sha256:{hex}"));
        assert_eq!(no_such_image(&format!("sha256:{hex}")), format!("No such image: sha256:{hex}"));
        assert_eq!(no_such_image(&format!("docker.io/test/app@sha256:{hex}")), format!("No such image: test/app@sha256:{hex}"));
        assert_eq!(no_such_image("Busybox"), "No such image: Busybox");
    }
}
