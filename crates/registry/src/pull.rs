//! `docker pull`: resolve a reference to one platform's manifest, stream each missing layer
//! through decompression and both hashes into the store, then write the image record: the last
//! step, so a failed or cancelled pull leaves no image, and what it stored is collected.
//!
//! The import record is written first and lists every blob before any is stored (write-ahead),
//! as an archive import does, so garbage collection never takes a blob a pull still needs.

use std::cell::{Cell, RefCell};

use futures::stream::{self, StreamExt};
use layerwise_core::archive::{is_attestation, is_default, show_platform, PlatformChoice};
use layerwise_core::digest::Digest;
use layerwise_core::import::{commit_image, Clock, ImportStats};
use layerwise_core::layer::{LayerError, LayerPass, LayerPipeline, LayerSummary};
use layerwise_core::media_type;
use layerwise_core::reference::Reference;
use layerwise_core::spec::{self, Descriptor, ImageConfig, Index, Manifest};
use layerwise_core::store::{self, BlobBuilder, BlobRecord, ImageLayer, ImageRecord, ImportRecord, ImportState, Store, StoreError};

use crate::client::{Client, Fetched};
use crate::endpoint::registry_host;
use crate::error::RegistryError;
use crate::transport::{Body, Transport};

/// Layers downloaded at once (docker's `max-concurrent-downloads` default is 3).
pub const PARALLEL_DOWNLOADS: usize = 3;
/// How many times a cut layer download is resumed with a `Range` request.
pub const MAX_RESUMES: u32 = 5;
/// Index levels followed at most (an index naming an index…).
const MAX_INDEX_DEPTH: usize = 4;
/// How often a long pull re-writes its record, so other tabs see it is alive.
const HEARTBEAT_MS: f64 = 5_000.0;

/// What to pull.
#[derive(Debug, Clone)]
pub struct PullRequest {
    /// A unique ID (its import record's key).
    pub id: String,
    /// The reference, normalised (`busybox` is `docker.io/library/busybox:latest`).
    pub reference: Reference,
    /// Which platform of a multi-platform image (`Default` is linux/amd64).
    pub platform: PlatformChoice,
}

/// A layer's state, as `docker pull` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerStatus {
    /// Queued.
    Waiting,
    /// The store has the blob.
    AlreadyExists,
    /// Bytes received so far.
    Downloading {
        /// Received.
        done: u64,
        /// The blob's size.
        total: u64,
    },
    /// The connection broke; resuming from the bytes received.
    Resuming {
        /// Which resume this is.
        attempt: u32,
    },
    /// Downloaded, verified (blob digest and diff_id) and stored.
    PullComplete,
}

impl LayerStatus {
    /// docker's words for the state (the progress bar aside).
    pub fn text(&self) -> String {
        match self {
            Self::Waiting => "Pulling fs layer".to_owned(),
            Self::AlreadyExists => "Already exists".to_owned(),
            Self::Downloading { done, total } => format!("Downloading {}/{}", layerwise_core::view::human_size(*done), layerwise_core::view::human_size(*total)),
            Self::Resuming { attempt } => format!("Retrying (resume {attempt} of {MAX_RESUMES})"),
            Self::PullComplete => "Pull complete".to_owned(),
        }
    }
}

/// What a pull reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullEvent {
    /// `latest: Pulling from library/busybox`.
    Resolved {
        /// The line docker prints.
        line: String,
        /// The layers, base first, by short ID (12 hex digits of the blob digest).
        layers: Vec<String>,
    },
    /// A layer's state changed.
    Layer {
        /// The short ID.
        id: String,
        /// Its state.
        status: LayerStatus,
    },
}

/// A finished pull.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    /// The image ID.
    pub id: Digest,
    /// The digest of the manifest (or index) the reference resolved to.
    pub digest: Digest,
    /// The image was stored and tagged so already.
    pub up_to_date: bool,
    /// The lines docker prints at the end: `Digest: …`, `Status: …`, the full reference.
    pub lines: Vec<String>,
    /// Where the pull's time went, by the pull's clock, in the import's terms:
    /// - `plan_ms`: resolving the manifest (and index) and fetching the config;
    /// - `read_ms`: waiting for the registry (each layer's request, then each of its chunks),
    ///   summed over the layers downloaded at once (up to [`PARALLEL_DOWNLOADS`]), so it can
    ///   exceed `total_ms`; on one thread it also counts the time another download's work held it;
    /// - `digest_ms`: decompressing, hashing and indexing (a [`LayerPass`]; with the tar side in
    ///   another worker, the blob side and the handing over);
    /// - `tar_wait_ms`: waiting for a tar side in another worker to catch up;
    /// - `store_ms`: the store's reads and writes (the import record, the checks for layers
    ///   already stored, building the blobs, the layers, config, manifest and image), a wait
    ///   counted only from the worker's last timed step, so never another download's work;
    /// - `blob_bytes` and `tar_bytes`: of the layers downloaded (none for those already stored).
    pub stats: ImportStats,
}

/// Why a pull failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    /// The registry failed or refused.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A layer's bytes are not a valid layer.
    #[error("layer {digest}: {source}")]
    Layer {
        /// The blob.
        digest: Digest,
        /// What is wrong.
        source: LayerError,
    },
    /// No manifest for the platform asked for (docker's words).
    #[error("no matching manifest for {0} in the manifest list entries")]
    NoPlatform(String),
    /// The user cancelled.
    #[error("pull cancelled")]
    Cancelled,
}

fn invalid(what: &str, reason: impl Into<String>) -> PullError {
    RegistryError::Invalid { what: what.to_owned(), reason: reason.into() }.into()
}

/// The first 12 hex digits of a digest: the ID `docker pull` shows for a layer.
pub fn short_id(d: &Digest) -> String {
    d.hex().get(..12).unwrap_or(d.hex()).to_owned()
}

/// Pulls `request.reference` into `store`.
///
/// # Errors
/// [`PullError`]; the store is left as it was (what the pull stored is collected).
pub async fn pull<T, S, P>(
    client: &Client<T>,
    store: &S,
    pipeline: &P,
    request: &PullRequest,
    now: Clock<'_>,
    cancelled: &dyn Fn() -> bool,
    events: &mut dyn FnMut(PullEvent),
) -> Result<Pulled, PullError>
where
    T: Transport,
    S: Store,
    P: LayerPipeline,
{
    let started = now();
    let record = ImportRecord::started(&request.id, format!("pull {}", request.reference), now());
    store.put_import(&record).await?;
    let stats = ImportStats { store_ms: now() - started, ..ImportStats::default() };
    let (stats, mark) = (RefCell::new(stats), Cell::new(now()));
    let puller = Puller { client, store, pipeline, request, now, cancelled, record: RefCell::new(record), events: RefCell::new(events), stats, mark };
    let result = puller.run().await.map(|mut pulled| {
        pulled.stats = puller.stats.borrow().clone();
        pulled.stats.total_ms = now() - started;
        pulled
    });
    let mut record = puller.record.into_inner();
    if let Err(e) = &result {
        store::abandon(store, &mut record, e.to_string(), now()).await;
    }
    result
}

/// One pull in progress.
struct Puller<'a, T, S, P> {
    client: &'a Client<T>,
    store: &'a S,
    pipeline: &'a P,
    request: &'a PullRequest,
    now: Clock<'a>,
    cancelled: &'a dyn Fn() -> bool,
    /// Never borrowed across an await.
    record: RefCell<ImportRecord>,
    /// Never borrowed across an await.
    events: RefCell<&'a mut dyn FnMut(PullEvent)>,
    /// The stage times so far (see [`Pulled::stats`]); never borrowed across an await.
    stats: RefCell<ImportStats>,
    /// When the last timed step (of any download) ended: with downloads interleaved on one
    /// thread, a step that awaited is timed from here at most (see [`Self::lap`]).
    mark: Cell<f64>,
}

impl<T: Transport, S: Store, P: LayerPipeline> Puller<'_, T, S, P> {
    fn host(&self) -> &str {
        registry_host(self.request.reference.domain())
    }

    fn repository(&self) -> &str {
        self.request.reference.path()
    }

    fn emit(&self, event: PullEvent) {
        (self.events.borrow_mut())(event);
    }

    /// Adds to one stage the time since `since` or since the last timed step, whichever is
    /// later (what another download did meanwhile is its own); returns the time now.
    fn lap(&self, since: f64, stage: fn(&mut ImportStats) -> &mut f64) -> f64 {
        self.add(since.max(self.mark.get()), stage)
    }

    /// Adds the whole time since `since` to `read_ms`, what other downloads did meanwhile
    /// included (see [`Pulled::stats`]); returns the time now.
    fn waited(&self, since: f64) -> f64 {
        self.add(since, |s| &mut s.read_ms)
    }

    fn add(&self, from: f64, stage: fn(&mut ImportStats) -> &mut f64) -> f64 {
        let now = (self.now)();
        *stage(&mut self.stats.borrow_mut()) += now - from;
        self.mark.set(now);
        now
    }

    /// Re-writes the import record with a fresh heartbeat.
    async fn beat(&self) -> Result<(), StoreError> {
        let record = {
            let mut r = self.record.borrow_mut();
            r.heartbeat_ms = (self.now)();
            r.clone()
        };
        self.store.put_import(&record).await
    }

    async fn run(&self) -> Result<Pulled, PullError> {
        let t = (self.now)();
        let reference = &self.request.reference;
        let asked = reference.digest().map_or_else(|| reference.tag().unwrap_or("latest").to_owned(), ToString::to_string);
        let top = self.client.manifest(self.host(), self.repository(), &asked).await?;
        let (manifest_fetched, manifest) = self.platform_manifest(&top).await?;
        let layers: Vec<String> = manifest.layers.iter().map(|l| short_id(&l.digest)).collect();
        self.emit(PullEvent::Resolved { line: format!("{asked}: Pulling from {}", self.repository()), layers });

        let config_raw = self.client.small_blob(self.host(), self.repository(), &manifest.config.digest).await?;
        let config: ImageConfig = spec::parse("image config", &config_raw).map_err(|e| invalid("image config", e.to_string()))?;
        let diff_ids = &config.rootfs.diff_ids;
        if diff_ids.len() != manifest.layers.len() {
            return Err(invalid("image config", format!("{} diff_ids for {} layers", diff_ids.len(), manifest.layers.len())));
        }
        for layer in &manifest.layers {
            if !layer.urls.is_empty() || layer.media_type.contains("foreign") || layer.media_type.contains("nondistributable") {
                return Err(invalid("manifest", format!("layer {} is a foreign layer: it is not pulled from the registry", layer.digest)));
            }
            if !is_layer_type(&layer.media_type) {
                return Err(invalid("manifest", format!("layer {} has media type {}, not a layer", layer.digest, layerwise_core::text::clip(&layer.media_type, 100))));
            }
        }
        let t = self.lap(t, |s| &mut s.plan_ms);

        // Write-ahead: every blob this pull may store is listed before any is.
        {
            let mut r = self.record.borrow_mut();
            r.blobs.extend(manifest.layers.iter().map(|l| l.digest.clone()));
            r.blobs.extend([manifest.config.digest.clone(), manifest_fetched.digest.clone()]);
        }
        self.beat().await?;

        let mut image_layers = Vec::with_capacity(manifest.layers.len());
        let mut missing = Vec::new();
        for (layer, diff_id) in manifest.layers.iter().zip(diff_ids) {
            let stored = self.store.blob(&layer.digest).await?.is_some() && self.store.layer(diff_id).await?.is_some();
            let id = short_id(&layer.digest);
            if stored {
                self.emit(PullEvent::Layer { id, status: LayerStatus::AlreadyExists });
            } else {
                self.emit(PullEvent::Layer { id, status: LayerStatus::Waiting });
                missing.push((layer, diff_id));
            }
        }
        self.lap(t, |s| &mut s.store_ms);
        let mut downloads = stream::iter(missing.iter().map(|(layer, diff_id)| self.download(layer, diff_id))).buffer_unordered(PARALLEL_DOWNLOADS);
        while let Some(done) = downloads.next().await {
            done?;
        }
        drop(downloads);
        let t = (self.now)();
        for (layer, diff_id) in manifest.layers.iter().zip(diff_ids) {
            let size = self.store.layer(diff_id).await?.map(|l| l.size).ok_or_else(|| StoreError::NotFound(format!("layer {diff_id}")))?;
            image_layers.push(ImageLayer { blob: layer.digest.clone(), blob_size: layer.size, media_type: layer.media_type.clone(), diff_id: diff_id.clone(), size });
        }

        let config_type = if manifest.config.media_type.is_empty() { media_type::OCI_CONFIG.to_owned() } else { manifest.config.media_type.clone() };
        let config_record = BlobRecord { digest: manifest.config.digest.clone(), size: config_raw.len() as u64, media_type: config_type, diff_id: None };
        self.store.put_blob(&config_record, self.store.data_from_bytes(config_raw)).await?;
        let manifest_record = BlobRecord { digest: manifest_fetched.digest.clone(), size: manifest_fetched.raw.len() as u64, media_type: manifest_fetched.media_type.clone(), diff_id: None };
        self.store.put_blob(&manifest_record, self.store.data_from_bytes(manifest_fetched.raw.clone())).await?;
        self.record.borrow_mut().state = ImportState::Verified;
        self.beat().await?;

        let tag = reference.tag().filter(|_| reference.digest().is_none()).map(|_| reference.familiar());
        let repo_digest = format!("{}@{}", reference.familiar_name(), top.digest);
        let id = manifest.config.digest.clone();
        let before = self.store.images().await?.into_iter().find(|i| i.id == id);
        let up_to_date = before.as_ref().is_some_and(|b| tag.as_ref().is_none_or(|t| b.repo_tags.contains(t)) && b.repo_digests.contains(&repo_digest));
        let labels = config.config.as_ref().map(|c| c.string_labels().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()).unwrap_or_default();
        let image = ImageRecord {
            id: id.clone(),
            manifest: manifest_fetched.digest.clone(),
            repo_tags: tag.into_iter().collect(),
            repo_digests: vec![repo_digest],
            parent: None,
            created: config.created.clone(),
            last_tag_time: None,
            layers: image_layers,
            labels,
            attestations: Vec::new(),
        };
        commit_image(self.store, image, None).await?;
        {
            let mut r = self.record.borrow_mut();
            r.images.push(id.clone());
            r.state = ImportState::Committed;
        }
        self.beat().await?;
        self.lap(t, |s| &mut s.store_ms);

        let shown = match reference.digest() {
            Some(d) => format!("{}@{d}", reference.familiar_name()),
            None => reference.familiar(),
        };
        let status = if up_to_date { format!("Status: Image is up to date for {shown}") } else { format!("Status: Downloaded newer image for {shown}") };
        let lines = vec![format!("Digest: {}", top.digest), status, reference.to_string()];
        // `pull` fills in the stats once the whole pull is timed.
        Ok(Pulled { id, digest: top.digest, up_to_date, lines, stats: ImportStats::default() })
    }

    /// The manifest for the platform asked for: `top` itself, or the one its index (or nested
    /// index) names.
    async fn platform_manifest(&self, top: &Fetched) -> Result<(Fetched, Manifest), PullError> {
        let mut current = top.clone();
        for _ in 0..MAX_INDEX_DEPTH {
            if media_type::is_manifest(&current.media_type) {
                let manifest: Manifest = spec::parse("manifest", &current.raw).map_err(|e| invalid("manifest", e.to_string()))?;
                return Ok((current, manifest));
            }
            let index: Index = spec::parse("index", &current.raw).map_err(|e| invalid("index", e.to_string()))?;
            let chosen = choose(&index.manifests, &self.request.platform)?;
            current = self.client.manifest(self.host(), self.repository(), &chosen.digest.to_string()).await?;
        }
        Err(invalid("index", format!("indexes nested more than {MAX_INDEX_DEPTH} deep")))
    }

    /// Downloads one layer, verifies it (size, blob digest, diff_id, a safe tar) and stores it.
    async fn download(&self, layer: &Descriptor, diff_id: &Digest) -> Result<(), PullError> {
        let id = short_id(&layer.digest);
        let layer_error = |source| PullError::Layer { digest: layer.digest.clone(), source };
        let mut reader = self.pipeline.begin(layer.size);
        let mut builder = self.store.blob_builder();
        let mut received = 0u64;
        let mut resumes = 0;
        let mut last_beat = (self.now)();
        'fetch: loop {
            let asked = (self.now)();
            let (mut body, start) = self.client.blob(self.host(), self.repository(), &layer.digest, received).await?;
            self.waited(asked);
            if start != received {
                // The registry ignored the range: start again from the first byte.
                (reader, builder, received) = (self.pipeline.begin(layer.size), self.store.blob_builder(), 0);
            }
            loop {
                if (self.cancelled)() {
                    return Err(PullError::Cancelled);
                }
                let waiting = (self.now)();
                let next = body.chunk().await;
                let arrived = self.waited(waiting);
                match next {
                    Ok(Some(chunk)) => {
                        received += chunk.len() as u64;
                        if received > layer.size {
                            return Err(invalid(&format!("layer {}", layer.digest), format!("the registry sent more than the {} bytes its descriptor says", layer.size)));
                        }
                        reader.update(&chunk).map_err(layer_error)?;
                        let hashed = self.lap(arrived, |s| &mut s.digest_ms);
                        builder.append(&chunk);
                        let stored = self.lap(hashed, |s| &mut s.store_ms);
                        reader.settle().await.map_err(layer_error)?;
                        self.lap(stored, |s| &mut s.tar_wait_ms);
                        self.emit(PullEvent::Layer { id: id.clone(), status: LayerStatus::Downloading { done: received, total: layer.size } });
                        if (self.now)() - last_beat > HEARTBEAT_MS {
                            last_beat = (self.now)();
                            self.beat().await?;
                            self.lap(last_beat, |s| &mut s.store_ms);
                        }
                    }
                    Ok(None) if received < layer.size && resumes < MAX_RESUMES => break,
                    Ok(None) => break 'fetch,
                    Err(_) if resumes < MAX_RESUMES => break,
                    Err(e) => return Err(RegistryError::Transport { url: format!("blob {}", layer.digest), reason: e.0 }.into()),
                }
            }
            resumes += 1;
            self.emit(PullEvent::Layer { id: id.clone(), status: LayerStatus::Resuming { attempt: resumes } });
            self.client.transport().sleep(500 * u64::from(resumes)).await;
        }
        if received != layer.size {
            return Err(invalid(&format!("layer {}", layer.digest), format!("{received} bytes received of the {} its descriptor says", layer.size)));
        }
        let t = (self.now)();
        let summary: LayerSummary = reader.finish().await.map_err(layer_error)?;
        let t = self.lap(t, |s| &mut s.digest_ms);
        if summary.digest != layer.digest {
            return Err(RegistryError::DigestMismatch { what: format!("layer {id}"), expected: layer.digest.clone(), actual: summary.digest }.into());
        }
        if summary.diff_id != *diff_id {
            return Err(RegistryError::DigestMismatch { what: format!("layer {id} (uncompressed, the config's diff_id)"), expected: diff_id.clone(), actual: summary.diff_id }.into());
        }
        let data = builder.finish()?;
        store::keep_layer(self.store, &summary, layer.media_type.clone(), data).await?;
        self.lap(t, |s| &mut s.store_ms);
        {
            let mut stats = self.stats.borrow_mut();
            stats.blob_bytes += summary.blob_size;
            stats.tar_bytes += summary.tar_size;
        }
        self.emit(PullEvent::Layer { id, status: LayerStatus::PullComplete });
        Ok(())
    }
}

fn is_layer_type(t: &str) -> bool {
    [media_type::OCI_LAYER_TAR, media_type::OCI_LAYER_GZIP, media_type::OCI_LAYER_ZSTD, media_type::DOCKER_LAYER_TAR, media_type::DOCKER_LAYER_GZIP].contains(&t)
}

/// The manifest of an index for `platform`: docker's default is linux/amd64, with no fallback.
fn choose<'a>(manifests: &'a [Descriptor], platform: &PlatformChoice) -> Result<&'a Descriptor, PullError> {
    let images = || manifests.iter().filter(|d| !is_attestation(d));
    let found = match platform {
        PlatformChoice::Default | PlatformChoice::All => images().find(|d| is_default(d)),
        PlatformChoice::Only(_) => images().find(|d| d.platform.as_ref().is_some_and(|p| platform.accepts(p))),
    };
    found.ok_or_else(|| {
        PullError::NoPlatform(match platform {
            PlatformChoice::Only(p) => show_platform(p),
            _ => "linux/amd64".to_owned(),
        })
    })
}
