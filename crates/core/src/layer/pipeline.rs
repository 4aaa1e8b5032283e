//! Where a layer's two sides run. [`LocalPipeline`] runs both in the caller's thread; the
//! browser's import worker hands the tar side to a second worker, so decompressing (and hashing
//! the blob) overlaps with hashing and indexing the tar on another core.

use super::{LayerError, LayerReader, LayerSummary};

/// One layer being read: blob bytes go in, in order; the summary comes out.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait LayerPass {
    /// Feeds the next chunk of the blob.
    ///
    /// # Errors
    /// [`LayerError`] as soon as the bytes are known to be bad.
    fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError>;

    /// Waits until the pass may take more bytes: a tar side elsewhere has caught up enough that
    /// what is in flight stays bounded. Returns at once when both sides run here.
    ///
    /// # Errors
    /// [`LayerError`] the other side reported meanwhile.
    async fn settle(&mut self) -> Result<(), LayerError>;

    /// Ends the blob and returns what both sides found.
    ///
    /// # Errors
    /// [`LayerError`] when the blob ends early, is not a tar, or either side refused it.
    async fn finish(self) -> Result<LayerSummary, LayerError>;
}

/// Starts a [`LayerPass`] per layer.
pub trait LayerPipeline {
    /// The pass this pipeline runs.
    type Pass: LayerPass;

    /// A pass for a blob of `blob_size` bytes (what its descriptor or archive entry says).
    fn begin(&self, blob_size: u64) -> Self::Pass;
}

/// Both sides in the caller's thread.
pub struct LocalPipeline;

impl LayerPipeline for LocalPipeline {
    type Pass = LayerReader;

    fn begin(&self, blob_size: u64) -> LayerReader {
        LayerReader::new(blob_size)
    }
}

impl LayerPass for LayerReader {
    fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        LayerReader::update(self, chunk)
    }

    async fn settle(&mut self) -> Result<(), LayerError> {
        Ok(())
    }

    async fn finish(self) -> Result<LayerSummary, LayerError> {
        LayerReader::finish(self)
    }
}
