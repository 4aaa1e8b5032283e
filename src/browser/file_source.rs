//! A dropped `File` as the core's [`ArchiveSource`]: read by slices, never whole.

use js_sys::Uint8Array;
use layerwise_core::archive::{ArchiveSource, SourceError};
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use super::store::BlobData;

/// A `File` (or any `Blob`) read by slices.
pub struct FileSource {
    file: web_sys::Blob,
    len: u64,
}

impl FileSource {
    /// Wraps a file.
    pub fn new(file: web_sys::Blob) -> Self {
        // ok: Blob sizes are whole numbers below 2^53
        let len = file.size() as u64;
        Self { file, len }
    }
}

impl ArchiveSource for FileSource {
    type Slice = BlobData;

    fn len(&self) -> u64 {
        self.len
    }

    async fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let end = offset.saturating_add(len as u64).min(self.len);
        if offset >= end {
            return Ok(Vec::new());
        }
        let slice = self.file.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| SourceError(js_error(&e)))?;
        let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|e| SourceError(js_error(&e)))?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }

    fn slice(&self, offset: u64, len: u64) -> Result<BlobData, SourceError> {
        let end = offset.saturating_add(len).min(self.len);
        let blob = self.file.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| SourceError(js_error(&e)))?;
        Ok(BlobData::Blob(blob))
    }
}
