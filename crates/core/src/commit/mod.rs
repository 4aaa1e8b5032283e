//! `docker commit`: an edit session's changes become a new layer, config, manifest and image.
//!
//! As docker does: the new config is the base's with `created`, `author`, the `-c` instructions
//! applied, the layer's diff_id appended and a history entry (`empty_layer` when nothing on the
//! filesystem changed, in which case no layer is added). The manifest keeps the base's family
//! (OCI or Docker schema 2) and its layers, then the new gzip layer. Like an import, a commit is
//! recorded first (write-ahead) and the image record is written last: a commit that fails leaves
//! the store as it was.

mod copy;
mod instruction;
mod layer;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

pub use copy::Content;
pub use instruction::{apply as apply_instruction, InstructionError};
pub use layer::{items, Item, LayerWriter, Written};

use crate::change::ChangeSet;
use crate::digest::Digest;
use crate::fs::MergedFs;
use crate::import::{commit_image, rfc3339_nanos, Clock};
use crate::media_type::{self, Compression};
use crate::reference::{Reference, ReferenceError};
use crate::spec::{Descriptor, Manifest, MAX_JSON_BYTES};
use crate::store::{self, BlobRecord, ImageLayer, ImageRecord, ImportRecord, ImportState, LayerRecord, Store, StoreError};
use crate::tar::{EntryKind, Meta};

/// Why a commit failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// The base image is gone.
    #[error("the base image {0} is not in the store any more")]
    NoBase(String),
    /// The base's config is not a JSON object.
    #[error("the base image's config is not a JSON object: {0}")]
    BaseConfig(String),
    /// A `-c` instruction was refused.
    #[error(transparent)]
    Instruction(#[from] InstructionError),
    /// The tag is not a reference.
    #[error(transparent)]
    Tag(#[from] ReferenceError),
    /// A file could not be read.
    #[error("reading `{path}` failed: {reason}")]
    Read {
        /// The path in the image.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A session file is not the size it had when it was added.
    #[error("`{path}` changed since it was added: {expected} bytes then, {found} now")]
    Changed {
        /// The path in the image.
        path: String,
        /// The size recorded.
        expected: u64,
        /// The size found.
        found: u64,
    },
    /// A lower layer does not hold a file its index lists.
    #[error("copying `{path}` from its layer failed: {reason}")]
    Lower {
        /// The path in the image.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Writing the layer failed.
    #[error("writing the layer failed: {0}")]
    Write(String),
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommitError {
    fn write(e: std::io::Error) -> Self {
        crate::decompress::sink_error::<Self>(&e).unwrap_or_else(|| Self::Write(e.to_string()))
    }
}

/// What to commit, as `docker commit -a AUTHOR -m MESSAGE -c … BASE REPO:TAG` says it.
#[derive(Debug, Clone)]
pub struct CommitRequest {
    /// A unique ID (the commit's progress record key).
    pub id: String,
    /// The image the session edits.
    pub base: Digest,
    /// The session's changes (files, and `-c` instructions in `config`).
    pub changes: ChangeSet,
    /// `REPO[:TAG]`, or none for an untagged image.
    pub tag: Option<String>,
    /// `--author`.
    pub author: String,
    /// `--message`.
    pub message: String,
}

/// The committed image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// Its ID, which `docker commit` prints.
    pub id: Digest,
    /// Its tags.
    pub tags: Vec<String>,
    /// The new layer, or none when only the config changed.
    pub layer: Option<Digest>,
}

/// Commits `request.changes` over `request.base` as a new image.
///
/// # Errors
/// [`CommitError`] naming the instruction, file or store step at fault; the store is left as
/// it was.
pub async fn commit<T: Store, C: Content>(store: &T, content: &C, request: &CommitRequest, now: Clock<'_>) -> Result<Committed, CommitError> {
    let tag = request.tag.as_deref().map(|t| Reference::parse(t).map(Reference::with_default_tag)).transpose()?;
    let record = ImportRecord::started(&request.id, format!("commit of {}", request.base.short()), now());
    store.put_import(&record).await?;
    let mut committer = Committer { store, record, now };
    let result = committer.run(content, request, tag).await;
    if let Err(e) = &result {
        store::abandon(store, &mut committer.record, e.to_string(), now()).await;
    }
    result
}

/// One commit in progress.
struct Committer<'a, T> {
    store: &'a T,
    record: ImportRecord,
    now: Clock<'a>,
}

impl<T: Store> Committer<'_, T> {
    async fn run<C: Content>(&mut self, content: &C, request: &CommitRequest, tag: Option<Reference>) -> Result<Committed, CommitError> {
        let images = self.store.images().await?;
        let Some(base) = images.into_iter().find(|i| i.id == request.base) else {
            return Err(CommitError::NoBase(request.base.to_string()));
        };
        let config_raw = self.store.read_blob(&base.id, MAX_JSON_BYTES).await?;
        let mut config: Map<String, Value> = serde_json::from_slice(&config_raw).map_err(|e| CommitError::BaseConfig(e.to_string()))?;
        let manifest_type = self.store.blob(&base.manifest).await?.map_or_else(|| media_type::DOCKER_MANIFEST.to_owned(), |b| b.media_type);
        let oci = manifest_type == media_type::OCI_MANIFEST;

        let now_ms = (self.now)();
        let created = rfc3339_nanos(now_ms);
        let has_files = !(request.changes.writes.is_empty() && request.changes.deletes.is_empty() && request.changes.modes.is_empty());
        let mut layers = base.layers.clone();
        let mut new_layer = None;
        if has_files {
            // ok: milliseconds since 1970 are positive and far below 2^63
            let mtime = (now_ms / 1000.0).max(0.0) as u64;
            let media_type = if oci { Compression::Gzip.oci_layer_type() } else { Compression::Gzip.docker_layer_type() };
            let written = self.write_layer(content, &base, &request.changes, mtime, media_type).await?;
            new_layer = Some(written.diff_id.clone());
            layers.push(written);
        }

        new_config(&mut config, request, &created, new_layer.as_ref())?;
        let config_raw = serde_json::to_vec(&config).map_err(|e| CommitError::BaseConfig(e.to_string()))?;
        let config_type = if oci { media_type::OCI_CONFIG } else { media_type::DOCKER_CONFIG };
        let config_blob = BlobRecord { digest: Digest::of(&config_raw), size: config_raw.len() as u64, media_type: config_type.to_owned(), diff_id: None };
        let manifest_raw = manifest(&manifest_type, &config_blob, &layers);
        let manifest_blob = BlobRecord { digest: Digest::of(&manifest_raw), size: manifest_raw.len() as u64, media_type: manifest_type, diff_id: None };
        let id = config_blob.digest.clone();
        let manifest_digest = manifest_blob.digest.clone();
        for (blob, bytes) in [(config_blob, config_raw), (manifest_blob, manifest_raw)] {
            self.reserve(&blob.digest).await?;
            self.store.put_blob(&blob, self.store.data_from_bytes(bytes)).await?;
        }
        self.record.state = ImportState::Verified;
        self.beat().await?;

        let labels = config.get("config").and_then(|c| c.get("Labels")).and_then(Value::as_object);
        let labels: BTreeMap<String, String> = labels.into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect();
        let image = ImageRecord {
            id: id.clone(),
            manifest: manifest_digest,
            repo_tags: tag.iter().map(Reference::familiar).collect(),
            repo_digests: Vec::new(),
            parent: Some(base.id.clone()),
            created: Some(created.clone()),
            last_tag_time: None,
            layers,
            labels,
            attestations: Vec::new(),
        };
        let tags = commit_image(self.store, image, Some(&created)).await?;
        self.record.images.push(id.clone());
        self.record.state = ImportState::Committed;
        self.beat().await?;
        Ok(Committed { id, tags, layer: new_layer })
    }

    /// Writes the new layer and stores it, as the manifest will list it (`media_type`).
    async fn write_layer<C: Content>(&mut self, content: &C, base: &ImageRecord, changes: &ChangeSet, mtime: u64, media_type: &str) -> Result<ImageLayer, CommitError> {
        let mut index = Vec::with_capacity(base.layers.len());
        for l in &base.layers {
            let Some(rec) = self.store.layer(&l.diff_id).await? else {
                return Err(StoreError::NotFound(format!("layer {}", l.diff_id)).into());
            };
            index.push(rec.entries);
        }
        let (fs, _) = MergedFs::of_layers(index.iter().map(Vec::as_slice));
        let mut out = LayerWriter::new(self.store.blob_builder(), mtime);
        for item in items(&fs, changes) {
            write_item(content, base, &item, &mut out).await?;
        }
        let written = out.finish().map_err(CommitError::write)?;
        self.reserve(&written.digest).await?;
        let blob = BlobRecord { digest: written.digest.clone(), size: written.blob_size, media_type: Compression::Gzip.oci_layer_type().to_owned(), diff_id: Some(written.diff_id.clone()) };
        self.store.put_blob(&blob, written.data).await?;
        let mut layer = self.store.layer(&written.diff_id).await?.unwrap_or(LayerRecord {
            diff_id: written.diff_id.clone(),
            size: written.size,
            tar_size: written.tar_size,
            blobs: BTreeMap::new(),
            entries: written.entries,
        });
        layer.blobs.insert(written.digest.clone(), Compression::Gzip);
        self.store.put_layer(&layer).await?;
        Ok(ImageLayer { blob: written.digest, blob_size: written.blob_size, media_type: media_type.to_owned(), diff_id: written.diff_id, size: written.size })
    }

    /// See [`store::beat`].
    async fn beat(&mut self) -> Result<(), StoreError> {
        store::beat(self.store, &mut self.record, (self.now)()).await
    }

    /// See [`store::reserve`].
    async fn reserve(&mut self, digest: &Digest) -> Result<(), StoreError> {
        store::reserve(self.store, &mut self.record, digest, (self.now)()).await
    }
}

/// Writes one item of the new layer, copying its bytes from the session or a lower layer.
async fn write_item<C: Content, B: store::BlobBuilder>(content: &C, base: &ImageRecord, item: &Item, out: &mut LayerWriter<B>) -> Result<(), CommitError> {
    fn read(path: &str) -> impl FnOnce(crate::archive::SourceError) -> CommitError + '_ {
        move |e| CommitError::Read { path: path.to_owned(), reason: e.0 }
    }
    match item {
        Item::Dir { path, meta } => out.entry(path, EntryKind::Directory, 0, None, *meta).map_err(CommitError::write),
        Item::Symlink { path, target, meta } => out.entry(path, EntryKind::Symlink, 0, Some(target), *meta).map_err(CommitError::write),
        Item::Whiteout { path } => out.entry(path, EntryKind::File, 0, None, Meta::default()).map_err(CommitError::write),
        Item::File { path, mode, content: key, size } => {
            out.entry(path, EntryKind::File, *size, None, Meta { mode: *mode, ..Meta::default() }).map_err(CommitError::write)?;
            let source = content.session_file(key).await.map_err(read(path))?;
            copy::session_file(&source, path, *size, out).await
        }
        Item::Lower { entry, layer, mode } => {
            let meta = Meta { mode: *mode, uid: entry.uid, gid: entry.gid, mtime: 0 };
            let size = if entry.kind == EntryKind::File { entry.content_len() } else { 0 };
            out.entry(&entry.path, entry.kind, size, entry.link.as_deref(), meta).map_err(CommitError::write)?;
            if size == 0 {
                return Ok(());
            }
            let Some(blob) = base.layers.get(*layer) else {
                return Err(CommitError::Lower { path: entry.path.clone(), reason: format!("the image has no layer {layer}") });
            };
            let source = content.blob(&blob.blob).await.map_err(read(&entry.path))?;
            copy::lower_file(&source, entry, out).await
        }
    }
}

/// The fields of the base's config a commit keeps: moby's `NewChildImage` builds a new image of
/// these, so the base's `comment`, `container`, `docker_version` and anything else are dropped
/// (the comment docker shows is then the new history entry's).
const KEPT_FIELDS: [&str; 8] = ["architecture", "variant", "os", "os.version", "os.features", "config", "rootfs", "history"];

/// Turns the base's config into the commit's: `created`, `author`, the instructions, the new
/// layer and a history entry, as docker's `NewChildImage` does.
fn new_config(config: &mut Map<String, Value>, request: &CommitRequest, created: &str, layer: Option<&Digest>) -> Result<(), CommitError> {
    config.retain(|key, _| KEPT_FIELDS.contains(&key.as_str()));
    let slot = config.entry("config").or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    let Some(container) = slot.as_object_mut() else {
        return Err(CommitError::BaseConfig("no `config` object".to_owned()));
    };
    // docker records the container's command as what created the layer.
    let created_by = container.get("Cmd").and_then(Value::as_array).map(|cmd| cmd.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ")).unwrap_or_default();
    for line in &request.changes.config {
        apply_instruction(container, line)?;
    }
    config.insert("created".to_owned(), json!(created));
    if request.author.is_empty() {
        config.remove("author");
    } else {
        config.insert("author".to_owned(), json!(request.author));
    }
    if let Some(diff_id) = layer {
        let rootfs = config.entry("rootfs").or_insert_with(|| json!({"type": "layers", "diff_ids": []}));
        match rootfs.get_mut("diff_ids") {
            Some(Value::Array(ids)) => ids.push(json!(diff_id.to_string())),
            _ => return Err(CommitError::BaseConfig("`rootfs.diff_ids` is not a list".to_owned())),
        }
    }
    let mut entry = Map::new();
    entry.insert("created".to_owned(), json!(created));
    if !request.author.is_empty() {
        entry.insert("author".to_owned(), json!(request.author));
    }
    entry.insert("created_by".to_owned(), json!(created_by));
    if !request.message.is_empty() {
        entry.insert("comment".to_owned(), json!(request.message));
    }
    if layer.is_none() {
        entry.insert("empty_layer".to_owned(), json!(true));
    }
    match config.entry("history").or_insert_with(|| json!([])) {
        Value::Array(history) => history.push(Value::Object(entry)),
        _ => return Err(CommitError::BaseConfig("`history` is not a list".to_owned())),
    }
    Ok(())
}

/// A manifest of `media_type` (OCI or Docker schema 2) for a config and layers.
pub(crate) fn manifest(media_type: &str, config: &BlobRecord, layers: &[ImageLayer]) -> Vec<u8> {
    let descriptor =
        |media_type: &str, digest: &Digest, size| Descriptor { media_type: media_type.to_owned(), digest: digest.clone(), size, urls: Vec::new(), annotations: Default::default(), platform: None };
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(media_type.to_owned()),
        config: descriptor(&config.media_type, &config.digest, config.size),
        layers: layers.iter().map(|l| descriptor(&l.media_type, &l.blob, l.blob_size)).collect(),
        annotations: Default::default(),
    };
    serde_json::to_vec(&manifest).unwrap_or_default()
}
