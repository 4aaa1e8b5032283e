//! Importing an archive into a store: plan, stream and verify every layer, store the blobs,
//! then write the image records: the last step, so no half image is ever visible.

use std::collections::HashMap;

use crate::archive::{self, compressed, ArchiveError, ArchiveIndex, ArchiveSource, Plan, PlannedLayer, PlatformChoice};
use crate::digest::Digest;
use crate::layer::{KeptBlob, LayerPass, LayerPipeline, LayerSummary};
use crate::media_type::Compression;
use crate::store::{self, BlobBuilder, ImageRecord, ImportRecord, ImportState, Store, StoreError};

mod record;

pub use record::ImagePreview;

/// How many bytes of a layer are read and hashed at a time. Memory use of an import is a small
/// multiple of this, whatever the layer's size.
pub const CHUNK: usize = 4 * 1024 * 1024;

/// Why an import failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The archive is broken or hostile.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the importer reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The metadata is read: the images as it describes them, and how many layer bytes will be
    /// streamed to verify them.
    Planned {
        /// The archive's images (the platform's, if one was picked), not yet verified.
        images: Vec<ImagePreview>,
        /// Layer bytes to read.
        total: u64,
    },
    /// Layer bytes read so far.
    Bytes {
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// The import committed; where its time went.
    Finished(ImportStats),
}

/// Where an import's time went, in milliseconds of the import's clock, for the benchmarks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportStats {
    /// Walking the archive's headers and reading its metadata.
    pub plan_ms: f64,
    /// Waiting for layer bytes (file slices) to arrive.
    pub read_ms: f64,
    /// Decompressing, hashing (blob and diff_id) and indexing layers; with the tar side in
    /// another worker, decompressing and hashing the blob, and handing the tar over.
    pub digest_ms: f64,
    /// Waiting for the tar side in another worker to catch up (0 when it runs in this one).
    pub tar_wait_ms: f64,
    /// The tar side's own work in another worker: hashing and indexing the tar, on the other
    /// core (0 when it runs in this one; the caller that runs it elsewhere fills it in, and the
    /// four parts below, which the benchmarks' stage tables show).
    pub tar_side_ms: f64,
    /// Of `digest_ms`: hashing the blobs.
    pub blob_hash_ms: f64,
    /// Of `digest_ms`: handing the uncompressed tars to the other worker.
    pub handover_ms: f64,
    /// Of `tar_side_ms`: hashing the tars.
    pub tar_hash_ms: f64,
    /// Of `tar_side_ms`: walking the tars and checking their entries.
    pub tar_index_ms: f64,
    /// Writing blobs, layers and images to the store.
    pub store_ms: f64,
    /// The whole import.
    pub total_ms: f64,
    /// Bytes of layer blobs read.
    pub blob_bytes: u64,
    /// Bytes of uncompressed layer tars.
    pub tar_bytes: u64,
}

/// An image the import committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Its ID.
    pub id: Digest,
    /// The tags the archive gives it, familiar form, in the archive's order.
    pub tags: Vec<String>,
    /// Those of its tags another image held until now, with that image's ID.
    pub moved: Vec<(String, Digest)>,
}

impl Imported {
    /// The lines `docker load` prints for this image: per tag, in the archive's order, the
    /// renaming of the image that held it (moby's `setLoadedTag`, wording and all), then
    /// `Loaded image:`.
    pub fn load_lines(&self) -> Vec<String> {
        if self.tags.is_empty() {
            return vec![format!("Loaded image ID: {}", self.id)];
        }
        let mut lines = Vec::new();
        for tag in &self.tags {
            if let Some((_, previous)) = self.moved.iter().find(|(t, _)| t == tag) {
                lines.push(format!("The image {tag} already exists, renaming the old one with ID {previous} to empty string"));
            }
            lines.push(format!("Loaded image: {tag}"));
        }
        lines
    }
}

/// The clock an import reads: milliseconds since the epoch.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// What to import, as the user asked.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// A unique ID for the import (its record's key).
    pub id: String,
    /// The archive's name, for messages.
    pub name: String,
    /// Which platform of a multi-platform index.
    pub platform: PlatformChoice,
}

/// How often a long import re-writes its record, so other tabs see it is alive.
const HEARTBEAT_MS: f64 = 5_000.0;

/// Imports every image of an archive.
///
/// The import record is written first and lists every blob before that blob is stored
/// (write-ahead), so [`store::collect_garbage`] never takes a blob an import still needs. On
/// failure the import is marked failed and the blobs it stored that no image needs are removed:
/// the store is left as it was.
///
/// # Errors
/// [`ImportError`] naming the file or digest at fault.
pub async fn import_archive<S, T, P>(
    source: &S,
    store: &T,
    pipeline: &P,
    request: &ImportRequest,
    now: Clock<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Imported>, ImportError>
where
    S: ArchiveSource,
    T: Store<Data = S::Slice>,
    P: LayerPipeline,
{
    let record = ImportRecord::started(&request.id, request.name.clone(), now());
    store.put_import(&record).await?;
    let started = now();
    let mut importer = Importer { source, store, pipeline, record, now, platform: &request.platform, stats: ImportStats::default() };
    let result = importer.run(progress).await;
    if result.is_ok() {
        importer.stats.total_ms = now() - started;
        progress(Progress::Finished(importer.stats.clone()));
    }
    if let Err(e) = &result {
        store::abandon(store, &mut importer.record, e.to_string(), now()).await;
    }
    result
}

/// One import in progress.
struct Importer<'a, S, T, P> {
    platform: &'a PlatformChoice,
    stats: ImportStats,
    source: &'a S,
    store: &'a T,
    pipeline: &'a P,
    record: ImportRecord,
    now: Clock<'a>,
}

impl<S, T, P> Importer<'_, S, T, P>
where
    S: ArchiveSource,
    T: Store<Data = S::Slice>,
    P: LayerPipeline,
{
    async fn run(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<Vec<Imported>, ImportError> {
        let head = self.source.read_at(0, 4).await.map_err(ArchiveError::from)?;
        let (plan, layers) = match Compression::sniff(&head) {
            Compression::None => self.read_plain(progress).await?,
            compression => self.read_compressed(compression, progress).await?,
        };
        self.commit(&plan, &layers).await
    }

    /// A plain tar: the metadata is read by slices, each layer is streamed from its slice and
    /// stored as that slice.
    async fn read_plain(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<(Plan, HashMap<u64, LayerSummary>), ImportError> {
        let t = (self.now)();
        let index = ArchiveIndex::build(self.source).await?;
        let plan = archive::plan(self.source, &index, self.platform).await?;
        self.stats.plan_ms += (self.now)() - t;
        let unique = unique_layers(&plan);
        let total: u64 = unique.iter().map(|l| l.at.len).sum();
        progress(Progress::Planned { images: plan.images.iter().map(record::preview).collect(), total });
        let mut done = 0;
        let mut layers = HashMap::new();
        for (n, planned) in unique.iter().enumerate() {
            let summary = self.read_layer(planned, &mut |d| progress(Progress::Bytes { done: done + d, total })).await?;
            done += planned.at.len;
            check_layer(planned, n, &summary)?;
            let t = (self.now)();
            let (summary, data) = if summary.compression.is_kept() {
                (summary, self.source.slice(planned.at.offset, planned.at.len).map_err(ArchiveError::from)?)
            } else {
                (summary.kept(), self.decompressed(planned).await?)
            };
            self.store_layer(planned, &summary, data).await?;
            self.stats.store_ms += (self.now)() - t;
            layers.insert(planned.at.offset, summary);
        }
        Ok((plan, layers))
    }

    /// An archive compressed as a whole: decompressed twice (see [`archive::compressed`]).
    async fn read_compressed(&mut self, compression: Compression, progress: &mut dyn FnMut(Progress)) -> Result<(Plan, HashMap<u64, LayerSummary>), ImportError> {
        let len = self.source.len();
        let total = 2 * len;
        let t = (self.now)();
        let (index, metadata) = compressed::scan(self.source, compression, &mut |d| progress(Progress::Bytes { done: d, total })).await?;
        let store = self.store;
        let new_builder = || KeptBlob::new(store.blob_builder());
        // A pre-1.10 archive's plan needs its layers' diff_ids: pass two comes first.
        let (plan, mut streamed) = if archive::is_legacy(&index) {
            self.stats.plan_ms += (self.now)() - t;
            let ats = archive::legacy_layers(&index)?;
            let streamed = compressed::stream_layers(self.source, compression, &ats.iter().collect::<Vec<_>>(), &new_builder, &mut |d| progress(Progress::Bytes { done: len + d, total })).await?;
            let diff_ids = streamed.iter().map(|(offset, l)| (*offset, l.summary.diff_id.clone())).collect();
            let plan = archive::plan_legacy_read(&metadata, &index, &diff_ids).await?;
            progress(Progress::Planned { images: plan.images.iter().map(record::preview).collect(), total });
            (plan, streamed)
        } else {
            let plan = archive::plan(&metadata, &index, self.platform).await?;
            self.stats.plan_ms += (self.now)() - t;
            progress(Progress::Planned { images: plan.images.iter().map(record::preview).collect(), total });
            let ats: Vec<&archive::Located> = unique_layers(&plan).into_iter().map(|l| &l.at).collect();
            let streamed = compressed::stream_layers(self.source, compression, &ats, &new_builder, &mut |d| progress(Progress::Bytes { done: len + d, total })).await?;
            (plan, streamed)
        };
        let unique = unique_layers(&plan);
        // The second pass reads, decompresses and hashes at once: its time counts as digest.
        self.stats.digest_ms += (self.now)() - t - self.stats.plan_ms;
        let mut layers = HashMap::new();
        for (n, planned) in unique.iter().enumerate() {
            let Some(layer) = streamed.remove(&planned.at.offset) else { continue };
            check_layer(planned, n, &layer.summary)?;
            self.stats.blob_bytes += layer.summary.blob_size;
            self.stats.tar_bytes += layer.summary.tar_size;
            let summary = layer.summary.kept();
            let t = (self.now)();
            self.store_layer(planned, &summary, layer.data).await?;
            self.stats.store_ms += (self.now)() - t;
            layers.insert(planned.at.offset, summary);
        }
        Ok((plan, layers))
    }

    /// Stores each image's config and manifest, then writes the image records: the commit.
    async fn commit(&mut self, plan: &Plan, layers: &HashMap<u64, LayerSummary>) -> Result<Vec<Imported>, ImportError> {
        let t = (self.now)();
        let committed = self.write_images(plan, layers).await;
        self.stats.store_ms += (self.now)() - t;
        committed
    }

    async fn write_images(&mut self, plan: &Plan, layers: &HashMap<u64, LayerSummary>) -> Result<Vec<Imported>, ImportError> {
        let mut records = Vec::new();
        for image in &plan.images {
            let (record, blobs) = record::verified(image, layers)?;
            for (blob, bytes) in blobs {
                self.reserve(&blob.digest).await?;
                self.store.put_blob(&blob, self.store.data_from_bytes(bytes)).await?;
            }
            records.push(record);
        }
        self.record.state = ImportState::Verified;
        self.beat().await?;

        let mut committed = Vec::new();
        for rec in records {
            let holders = self.store.images().await?;
            let moved = rec
                .repo_tags
                .iter()
                .filter_map(|t| holders.iter().find(|h| h.id != rec.id && h.repo_tags.contains(t)).map(|h| (t.clone(), h.id.clone())))
                .collect();
            commit_image(self.store, rec.clone(), None).await?;
            self.record.images.push(rec.id.clone());
            committed.push(Imported { id: rec.id, tags: rec.repo_tags, moved });
        }
        self.record.state = ImportState::Committed;
        self.beat().await?;
        Ok(committed)
    }

    /// See [`store::beat`].
    async fn beat(&mut self) -> Result<(), StoreError> {
        store::beat(self.store, &mut self.record, (self.now)()).await
    }

    /// See [`store::reserve`].
    async fn reserve(&mut self, digest: &Digest) -> Result<(), StoreError> {
        store::reserve(self.store, &mut self.record, digest, (self.now)()).await
    }

    /// Streams one layer of a plain archive through a pass of the pipeline.
    async fn read_layer(&mut self, planned: &PlannedLayer, on_bytes: &mut dyn FnMut(u64)) -> Result<LayerSummary, ImportError> {
        let path = planned.at.path.clone();
        let layer_error = |source| ArchiveError::Layer { path: path.clone(), source };
        let mut reader = self.pipeline.begin(planned.at.len);
        let mut offset = 0;
        while offset < planned.at.len {
            let n = usize::try_from(planned.at.len - offset).unwrap_or(CHUNK).min(CHUNK);
            let t = (self.now)();
            let chunk = self.source.read_at(planned.at.offset + offset, n).await.map_err(ArchiveError::from)?;
            let read = (self.now)();
            self.stats.read_ms += read - t;
            if chunk.len() != n {
                let needed = (n - chunk.len()) as u64;
                return Err(ArchiveError::Tar(crate::tar::TarError::Truncated { at: self.source.len(), needed }).into());
            }
            reader.update(&chunk).map_err(layer_error)?;
            let digested = (self.now)();
            self.stats.digest_ms += digested - read;
            reader.settle().await.map_err(layer_error)?;
            self.stats.tar_wait_ms += (self.now)() - digested;
            offset += n as u64;
            on_bytes(offset);
            if (self.now)() - self.record.heartbeat_ms > HEARTBEAT_MS {
                self.beat().await?;
            }
        }
        let t = (self.now)();
        let summary = reader.finish().await.map_err(layer_error)?;
        self.stats.digest_ms += (self.now)() - t;
        self.stats.blob_bytes += summary.blob_size;
        self.stats.tar_bytes += summary.tar_size;
        Ok(summary)
    }

    /// Reads a verified layer of a plain archive again, into the blob it is stored as: its plain
    /// tar (see [`Compression::is_kept`]).
    async fn decompressed(&mut self, planned: &PlannedLayer) -> Result<T::Data, ImportError> {
        let mut blob = KeptBlob::new(self.store.blob_builder());
        let mut offset = 0;
        while offset < planned.at.len {
            let n = usize::try_from(planned.at.len - offset).unwrap_or(CHUNK).min(CHUNK);
            blob.append(&self.source.read_at(planned.at.offset + offset, n).await.map_err(ArchiveError::from)?);
            offset += n as u64;
            if (self.now)() - self.record.heartbeat_ms > HEARTBEAT_MS {
                self.beat().await?;
            }
        }
        Ok(blob.finish()?)
    }

    /// Stores a verified layer blob (for a plain archive, a slice of it: no copy) and its layer
    /// record.
    async fn store_layer(&mut self, planned: &PlannedLayer, summary: &LayerSummary, data: T::Data) -> Result<(), ImportError> {
        self.reserve(&summary.digest).await?;
        store::keep_layer(self.store, summary, record::layer_media_type(planned, summary), data).await?;
        Ok(())
    }
}

/// Each layer the plan names, once (images of one archive share layers).
fn unique_layers(plan: &Plan) -> Vec<&PlannedLayer> {
    let mut unique: Vec<&PlannedLayer> = Vec::new();
    for layer in plan.images.iter().flat_map(|i| &i.layers) {
        if !unique.iter().any(|l| l.at.offset == layer.at.offset) {
            unique.push(layer);
        }
    }
    unique
}

/// Checks a layer against what the metadata says: its blob digest (when named) and its diff_id.
fn check_layer(planned: &PlannedLayer, position: usize, summary: &LayerSummary) -> Result<(), ArchiveError> {
    if let Some(expected) = &planned.digest {
        if *expected != summary.digest {
            let what = format!("layer `{}`", planned.at.path);
            return Err(ArchiveError::DigestMismatch { what, expected: expected.clone(), actual: summary.digest.clone() });
        }
    }
    if summary.diff_id != planned.diff_id {
        return Err(ArchiveError::DiffIdMismatch {
            index: position,
            path: planned.at.path.clone(),
            expected: planned.diff_id.clone(),
            actual: summary.diff_id.clone(),
        });
    }
    Ok(())
}

/// Writes an image record the way `docker load` (and `docker pull`) tags: a tag another image holds moves to this
/// one (that image keeps its other tags, or becomes `<none>`); loading an image that is already
/// stored adds the new tags (and repo digests) to it. Returns the image's tags.
///
/// `tag_time` is the `LastTagTime` to set, as `docker commit` and `docker tag` set it; `docker
/// load` and `docker pull` add their tags to the reference store directly and leave it as it
/// was (zero for a new image: dockerd 20.10 prints `0001-01-01T00:00:00Z`), so they pass `None`.
///
/// # Errors
/// When the store refuses a write.
pub async fn commit_image<T: Store>(store: &T, mut rec: ImageRecord, tag_time: Option<&str>) -> Result<Vec<String>, StoreError> {
    for mut other in store.images().await? {
        if other.id == rec.id {
            for t in other.repo_tags.drain(..).rev() {
                if !rec.repo_tags.contains(&t) {
                    rec.repo_tags.insert(0, t);
                }
            }
            for d in other.repo_digests.into_iter().rev() {
                if !rec.repo_digests.contains(&d) {
                    rec.repo_digests.insert(0, d);
                }
            }
            rec.parent = rec.parent.or(other.parent);
            rec.last_tag_time = other.last_tag_time;
            continue;
        }
        let before = other.repo_tags.len();
        other.repo_tags.retain(|t| !rec.repo_tags.contains(t));
        if other.repo_tags.len() != before {
            store.put_image(&other).await?;
        }
    }
    if let Some(time) = tag_time.filter(|_| !rec.repo_tags.is_empty()) {
        rec.last_tag_time = Some(time.to_owned());
    }
    // docker's reference store lists an image's references in lexical order of their full names.
    rec.repo_tags.sort_by_cached_key(|t| crate::reference::Reference::parse(t).map_or_else(|_| t.clone(), |r| r.to_string()));
    store.put_image(&rec).await?;
    Ok(rec.repo_tags)
}

/// Formats milliseconds since the epoch as Go's `time.RFC3339Nano` in UTC.
pub fn rfc3339_nanos(ms: f64) -> String {
    // Whole milliseconds: the clocks we read have no finer resolution, and f64 nanoseconds
    // would print rounding noise such as `.145999872`.
    let nanos = i128::from(ms.round() as i64) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map(crate::view::format_rfc3339_nano)
        .unwrap_or_else(|_| "0001-01-01T00:00:00Z".to_owned())
}
