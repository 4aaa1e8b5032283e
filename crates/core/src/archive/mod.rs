//! Reading image archives: `docker save` (legacy and Docker 25+) and OCI layout tarballs.
//!
//! An archive is read through an [`ArchiveSource`], which gives random access: the metadata of a
//! `docker save` archive comes after its blobs, and a browser `File` can be sliced, so the reader
//! walks the tar headers ([`ArchiveIndex`]), reads the small JSON files it needs, and leaves the
//! layers where they are until the importer streams them.

mod attestation;
pub mod compressed;
mod error;
mod index;
mod legacy;
mod plan;
mod platform;

pub use error::ArchiveError;
pub use index::{clean_path, ArchiveIndex, Located};
pub use attestation::PlannedAttestation;
pub use legacy::{is_legacy, legacy_layers};
pub use plan::{plan, plan_legacy_read, ArchiveFormat, Plan, PlannedImage, PlannedLayer, MAX_LAYERS};
pub use platform::{is_attestation, is_default, show as show_platform, PlatformChoice};

/// Random access to an archive's bytes.
///
/// Futures need not be `Send`: the browser's are not.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait ArchiveSource {
    /// A handle on a byte range that a store can keep without reading it (a browser `Blob`).
    type Slice;

    /// The archive's length in bytes.
    fn len(&self) -> u64;

    /// True for an empty archive.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads `len` bytes at `offset` (fewer only at the end of the archive).
    ///
    /// # Errors
    /// A [`SourceError`] when the bytes cannot be read (the file was removed, say).
    async fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError>;

    /// A handle on `len` bytes at `offset`, for storing without copying.
    ///
    /// # Errors
    /// A [`SourceError`] when the range cannot be sliced.
    fn slice(&self, offset: u64, len: u64) -> Result<Self::Slice, SourceError>;
}

/// The source could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reading the archive failed: {0}")]
pub struct SourceError(pub String);

/// An archive held in memory (tests, small fixtures, the native Engine API harness).
pub struct MemorySource(pub Vec<u8>);

impl ArchiveSource for MemorySource {
    type Slice = Vec<u8>;

    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    async fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        self.slice(offset, len as u64)
    }

    fn slice(&self, offset: u64, len: u64) -> Result<Vec<u8>, SourceError> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.0.len());
        let end = usize::try_from(offset.saturating_add(len)).unwrap_or(usize::MAX).min(self.0.len());
        Ok(self.0[start..end].to_vec())
    }
}
