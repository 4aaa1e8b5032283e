//! The bad-input corpus: hand-made hostile archives and mutations of real ones, each named after
//! the upstream test it mirrors (see `../shared/reference/reliability.md` §1), each with the
//! error it must give or what must be true of the store when it is accepted.
//!
//! Every case runs against a store that already holds one good image (`base.docker.tar`), under
//! `catch_unwind`, and then the oracle of reliability.md §4.4 is checked: no panic; after a
//! refusal the store is exactly as it was (blobs, images, layers) and no import is left running;
//! after an acceptance every stored layer entry stays inside the root and every image's blobs
//! and layers exist. One test per category runs its cases and lists those that broke their
//! expectation; `corpus_totals` prints the figures RELIABILITY.md quotes.
//!

use std::time::Duration;

use layerwise_core::archive::{ArchiveError, PlatformChoice};
use layerwise_core::fs::UnsafeEntry;
use layerwise_core::import::{ImportError, Imported};
use layerwise_core::layer::LayerError;
use layerwise_core::store::{ImageRecord, MemoryStore, Store};
use layerwise_core::tar::{Entry, TarError};

mod archive;
pub(crate) mod build;
mod compression;
mod daemon;
mod export;
mod json;
mod mutations;
mod oracle;
mod paths;
mod tar_header;
mod whiteouts;

use oracle::check_category;

/// What a case is about (reliability.md §1A–1F, and mutations of real images).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Archive,
    Json,
    Compression,
    TarHeader,
    Paths,
    Whiteouts,
    Mutations,
}

impl Category {
    const ALL: [Self; 7] = [Self::Archive, Self::Json, Self::Compression, Self::TarHeader, Self::Paths, Self::Whiteouts, Self::Mutations];

    fn label(self) -> &'static str {
        match self {
            Self::Archive => "archive",
            Self::Json => "json/descriptor",
            Self::Compression => "compression",
            Self::TarHeader => "tar-header",
            Self::Paths => "paths/links",
            Self::Whiteouts => "whiteouts",
            Self::Mutations => "mutations",
        }
    }

    /// The fewest hand-made cases the category must have.
    fn minimum(self) -> usize {
        match self {
            Self::Archive | Self::Json => 20,
            Self::Compression => 15,
            Self::TarHeader => 25,
            Self::Paths => 30,
            Self::Whiteouts => 10,
            Self::Mutations => 1,
        }
    }

    fn cases(self) -> Vec<Case> {
        match self {
            Self::Archive => archive::cases(),
            Self::Json => json::cases(),
            Self::Compression => compression::cases(),
            Self::TarHeader => tar_header::cases(),
            Self::Paths => paths::cases(),
            Self::Whiteouts => whiteouts::cases(),
            Self::Mutations => mutations::cases(),
        }
    }
}

/// Tells whether an error is the one a case must give.
pub(crate) type Refusal = Box<dyn Fn(&ImportError) -> bool>;
/// Tells whether what an accepted case stored is right.
pub(crate) type Acceptance = Box<dyn Fn(&MemoryStore, &[Imported]) -> bool>;

/// What a case must do.
pub(crate) enum Expect {
    /// Refused with an error the predicate accepts and whose message contains the fragment.
    Refused(Refusal, &'static str),
    /// Accepted (trusted tools accept it too), with the store as the predicate wants it; the
    /// text says what is checked.
    Accepted(Acceptance, &'static str),
}

/// Refused with an error matching `pred`, whose message contains `says`.
pub(crate) fn refused(pred: impl Fn(&ImportError) -> bool + 'static, says: &'static str) -> Expect {
    Expect::Refused(Box::new(pred), says)
}

/// Accepted, with `pred` true of the store and the imported images.
pub(crate) fn accepted(pred: impl Fn(&MemoryStore, &[Imported]) -> bool + 'static, what: &'static str) -> Expect {
    Expect::Accepted(Box::new(pred), what)
}

/// One bad input.
pub(crate) struct Case {
    /// `category/UpstreamName`.
    pub(crate) name: String,
    pub(crate) category: Category,
    /// The upstream test or advisory it mirrors.
    pub(crate) source: &'static str,
    pub(crate) archive: Vec<u8>,
    pub(crate) expect: Expect,
    pub(crate) platform: PlatformChoice,
    /// The longest the import may take, for cases about time.
    pub(crate) budget: Option<Duration>,
}

impl Case {
    pub(crate) fn new(name: impl Into<String>, category: Category, source: &'static str, archive: Vec<u8>, expect: Expect) -> Self {
        Self { name: name.into(), category, source, archive, expect, platform: PlatformChoice::Default, budget: None }
    }

    /// Fails the case when the import takes longer than `ms` milliseconds.
    pub(crate) fn within_ms(mut self, ms: u64) -> Self {
        self.budget = Some(Duration::from_millis(ms));
        self
    }

    /// Imports with this platform choice.
    pub(crate) fn platform(mut self, platform: PlatformChoice) -> Self {
        self.platform = platform;
        self
    }

}


// ---- matching errors ----

/// The archive error inside an import error.
pub(crate) fn archive_error(e: &ImportError) -> Option<&ArchiveError> {
    match e {
        ImportError::Archive(a) => Some(a),
        ImportError::Store(_) => None,
    }
}

/// The error of a layer blob, and the path it names.
pub(crate) fn layer_error(e: &ImportError) -> Option<(&str, &LayerError)> {
    match archive_error(e)? {
        ArchiveError::Layer { path, source } => Some((path.as_str(), source)),
        _ => None,
    }
}

/// A tar error of the outer archive.
pub(crate) fn outer_tar(e: &ImportError) -> Option<&TarError> {
    match archive_error(e)? {
        ArchiveError::Tar(t) => Some(t),
        _ => None,
    }
}

/// A tar error inside a layer.
pub(crate) fn layer_tar(e: &ImportError) -> Option<&TarError> {
    match layer_error(e)? {
        (_, LayerError::Tar(t)) => Some(t),
        _ => None,
    }
}

/// An unsafe layer entry.
pub(crate) fn unsafe_entry(e: &ImportError) -> Option<&UnsafeEntry> {
    match layer_error(e)? {
        (_, LayerError::Unsafe(u)) => Some(u),
        _ => None,
    }
}

// ---- checking what was accepted ----

/// The first imported image's record.
pub(crate) fn image(store: &MemoryStore, imported: &[Imported]) -> Option<ImageRecord> {
    let id = &imported.first()?.id;
    futures::executor::block_on(store.images()).ok()?.into_iter().find(|i| i.id == *id)
}

/// The entries of the first imported image's layers, base first.
pub(crate) fn entries(store: &MemoryStore, imported: &[Imported]) -> Vec<Entry> {
    let Some(image) = image(store, imported) else { return Vec::new() };
    let mut out = Vec::new();
    for l in &image.layers {
        if let Ok(Some(record)) = futures::executor::block_on(store.layer(&l.diff_id)) {
            out.extend(record.entries);
        }
    }
    out
}

/// The entry paths of the first imported image, as written in the layers.
pub(crate) fn paths(store: &MemoryStore, imported: &[Imported]) -> Vec<String> {
    entries(store, imported).into_iter().map(|e| e.path).collect()
}

/// True when the first imported image has an entry at exactly `path`.
pub(crate) fn has_path(store: &MemoryStore, imported: &[Imported], path: &str) -> bool {
    paths(store, imported).iter().any(|p| p == path)
}

/// True when the first imported image's merged filesystem has `path` (root-relative).
pub(crate) fn merged_has(store: &MemoryStore, imported: &[Imported], path: &str) -> bool {
    let Some(image) = image(store, imported) else { return false };
    let layers: Vec<Vec<Entry>> = image.layers.iter().filter_map(|l| futures::executor::block_on(store.layer(&l.diff_id)).ok().flatten()).map(|r| r.entries).collect();
    layerwise_core::fs::MergedFs::of_layers(layers.iter().map(Vec::as_slice)).0.get(path).is_some()
}

/// The content of the file at `path` (as written in the layers; the last layer that has it),
/// read out of its stored blob as the page reads it.
pub(crate) fn content(store: &MemoryStore, imported: &[Imported], path: &str) -> Option<Vec<u8>> {
    let image = image(store, imported)?;
    image.layers.iter().rev().find_map(|l| {
        let record = futures::executor::block_on(store.layer(&l.diff_id)).ok().flatten()?;
        let entry = record.entries.into_iter().find(|e| e.path == path)?;
        let blob = futures::executor::block_on(store.read_blob(&l.blob, u64::MAX)).ok()?;
        let source = layerwise_core::archive::MemorySource(blob);
        futures::executor::block_on(layerwise_core::extract::file_head(&source, &entry, u64::MAX)).ok().map(|(bytes, _)| bytes)
    })
}

/// True when exactly one image was imported, with `n` layers and the corpus tag.
pub(crate) fn one_image(store: &MemoryStore, imported: &[Imported], n: usize) -> bool {
    imported.len() == 1 && imported[0].tags == [build::TAG] && image(store, imported).is_some_and(|i| i.layers.len() == n)
}

// ---- the tests ----

// Archive level (reliability.md 1A): manifest.json, control files, links, layer counts, tags.
#[test]
fn corpus_archive() {
    check_category(Category::Archive);
}

// JSON documents and descriptors (1B): parse errors, digests, sizes, indexes, platforms.
#[test]
fn corpus_json() {
    check_category(Category::Json);
}

// Compression (1C): gzip and zstd layers, archives compressed as a whole, bombs.
#[test]
fn corpus_compression() {
    check_category(Category::Compression);
}

// Tar headers (1D), in layers and in the outer archive.
#[test]
fn corpus_tar_header() {
    check_category(Category::TarHeader);
}

// Paths and links (1E): containerd's TestBreakouts, go-archive's invalid names and links.
#[test]
fn corpus_paths() {
    check_category(Category::Paths);
}

// Whiteouts (1F).
#[test]
fn corpus_whiteouts() {
    check_category(Category::Whiteouts);
}

// Mutations of real images (umoci's hardening tests): every blob flipped, grown, cut.
#[test]
fn corpus_mutations() {
    check_category(Category::Mutations);
}

/// Counts per category and the figures of reliability.md §4.5.
#[test]
fn corpus_totals() {
    oracle::print_totals();
}
