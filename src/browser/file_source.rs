//! A dropped `File` as the core's [`ArchiveSource`]: read by slices, never whole.

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::Uint8Array;
use layerwise_core::archive::{ArchiveSource, SourceError};
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use super::store::BlobData;

/// Reads of at least this many bytes are taken as a sequential pass (a layer being streamed),
/// and the next ones are started before they are asked for.
const SEQUENTIAL_READ: usize = 1 << 20;
/// How many reads run ahead of a sequential pass.
const READ_AHEAD: usize = 2;

/// A `File` (or any `Blob`) read by slices.
///
/// A sequential pass keeps [`READ_AHEAD`] slices in flight, so the browser reads the disk while
/// the worker decompresses and hashes. Invariant: `ahead` holds reads of consecutive ranges, the
/// first starting where the last answered read ended.
pub struct FileSource {
    file: web_sys::Blob,
    len: u64,
    ahead: RefCell<VecDeque<(u64, usize, JsFuture)>>,
}

impl FileSource {
    /// Wraps a file.
    pub fn new(file: web_sys::Blob) -> Self {
        // ok: Blob sizes are whole numbers below 2^53
        let len = file.size() as u64;
        Self { file, len, ahead: RefCell::new(VecDeque::new()) }
    }

    /// Starts reading `len` bytes at `offset` (clipped to the file).
    fn start(&self, offset: u64, len: usize) -> Result<JsFuture, SourceError> {
        let end = offset.saturating_add(len as u64).min(self.len);
        let slice = self.file.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| SourceError(js_error(&e)))?;
        Ok(JsFuture::from(slice.array_buffer()))
    }
}

impl ArchiveSource for FileSource {
    type Slice = BlobData;

    fn len(&self) -> u64 {
        self.len
    }

    async fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        if offset >= self.len {
            return Ok(Vec::new());
        }
        let read = {
            let mut ahead = self.ahead.borrow_mut();
            match ahead.front() {
                Some((at, n, _)) if (*at, *n) == (offset, len) => ahead.pop_front().map(|(_, _, read)| read),
                _ => {
                    ahead.clear();
                    None
                }
            }
        };
        let read = match read {
            Some(read) => read,
            None => self.start(offset, len)?,
        };
        if len >= SEQUENTIAL_READ {
            let mut ahead = self.ahead.borrow_mut();
            let mut next = ahead.back().map_or(offset, |(at, _, _)| *at).saturating_add(len as u64);
            while ahead.len() < READ_AHEAD && next < self.len {
                ahead.push_back((next, len, self.start(next, len)?));
                next = next.saturating_add(len as u64);
            }
        }
        let buffer = read.await.map_err(|e| SourceError(js_error(&e)))?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }

    fn slice(&self, offset: u64, len: u64) -> Result<BlobData, SourceError> {
        let end = offset.saturating_add(len).min(self.len);
        let blob = self.file.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| SourceError(js_error(&e)))?;
        Ok(BlobData::Blob(blob))
    }
}
