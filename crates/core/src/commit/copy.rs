//! Copying file bytes into the layer a commit writes: a session's new files, and lower files
//! copied up for a mode change, read out of their stored (compressed) layer blob.

use std::io::{self, Write};

use super::layer::LayerWriter;
use super::CommitError;
use crate::archive::{ArchiveSource, SourceError};
use crate::decompress::{sink_error, PushDecoder};
use crate::digest::Digest;
use crate::media_type::Compression;
use crate::store::BlobBuilder;
use crate::tar::Entry;

/// How many bytes are read from a source at a time.
const CHUNK: usize = 1024 * 1024;

/// Where a commit reads bytes: the edit session's files, and the store's layer blobs.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait Content {
    /// A file or blob, read by slices.
    type Source: ArchiveSource;

    /// The session's file stored under `key`.
    ///
    /// # Errors
    /// When the session no longer has it.
    async fn session_file(&self, key: &str) -> Result<Self::Source, SourceError>;

    /// The stored blob `digest`.
    ///
    /// # Errors
    /// When the store no longer has it.
    async fn blob(&self, digest: &Digest) -> Result<Self::Source, SourceError>;
}

/// Copies all `size` bytes of `source` (a session file written at `path`) into the layer.
///
/// # Errors
/// [`CommitError::Read`] when it cannot be read, [`CommitError::Changed`] when its size is not
/// `size` any more.
pub(super) async fn session_file<S: ArchiveSource, B: BlobBuilder>(source: &S, path: &str, size: u64, out: &mut LayerWriter<B>) -> Result<(), CommitError> {
    if source.len() != size {
        return Err(CommitError::Changed { path: path.to_owned(), expected: size, found: source.len() });
    }
    let mut at = 0;
    while at < size {
        let n = usize::try_from(size - at).unwrap_or(CHUNK).min(CHUNK);
        let chunk = source.read_at(at, n).await.map_err(|e| CommitError::Read { path: path.to_owned(), reason: e.0 })?;
        if chunk.is_empty() {
            return Err(CommitError::Changed { path: path.to_owned(), expected: size, found: at });
        }
        out.data(&chunk).map_err(CommitError::write)?;
        at += chunk.len() as u64;
    }
    out.end_file(size).map_err(CommitError::write)
}

/// The bytes of one entry of a tar stream: everything before `start` is dropped, the `len`
/// bytes from there go to the layer, and the rest is not wanted.
struct Window<'a, B: BlobBuilder> {
    /// Uncompressed bytes seen so far.
    at: u64,
    start: u64,
    len: u64,
    out: &'a mut LayerWriter<B>,
}

impl<B: BlobBuilder> Window<'_, B> {
    fn done(&self) -> bool {
        self.at >= self.start + self.len
    }
}

impl<B: BlobBuilder> Write for Window<'_, B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let end = self.at + buf.len() as u64;
        let from = self.start.max(self.at);
        let to = (self.start + self.len).min(end);
        if from < to {
            // ok: both offsets lie within `buf`, whose length is a usize
            let slice = &buf[(from - self.at) as usize..(to - self.at) as usize];
            self.out.data(slice)?;
        }
        self.at = end;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Copies the data of the lower file `entry` out of its layer blob `source` into the layer:
/// the blob is decompressed from its start (gzip and zstd streams cannot be entered midway)
/// and reading stops once the file's bytes are through.
///
/// # Errors
/// [`CommitError::Read`] when the blob cannot be read, [`CommitError::Lower`] when it does not
/// hold the file where the layer's index says.
pub(super) async fn lower_file<S: ArchiveSource, B: BlobBuilder>(source: &S, entry: &Entry, out: &mut LayerWriter<B>) -> Result<(), CommitError> {
    let lower = |reason: String| CommitError::Lower { path: entry.path.clone(), reason };
    let read = |e: SourceError| CommitError::Read { path: entry.path.clone(), reason: e.0 };
    let head = source.read_at(0, 4).await.map_err(read)?;
    let window = Window { at: 0, start: entry.data_offset, len: entry.data_len, out: &mut *out };
    let decode_error = |e: io::Error| sink_error::<CommitError>(&e).unwrap_or_else(|| lower(e.to_string()));
    let mut decoder = PushDecoder::new(Compression::sniff(&head), window);
    let mut offset = 0;
    while !decoder.sink().done() {
        if offset >= source.len() {
            // The decoder may hold the last bytes back until the stream is finished.
            let complete = decoder.finish().map_err(decode_error)?.done();
            if !complete {
                return Err(lower(format!("the layer blob ends before the file's {} bytes at offset {}", entry.data_len, entry.data_offset)));
            }
            return out.end_file(entry.data_len).map_err(CommitError::write);
        }
        let chunk = source.read_at(offset, CHUNK).await.map_err(read)?;
        if chunk.is_empty() {
            return Err(read(SourceError(format!("the blob is shorter than its {} bytes", source.len()))));
        }
        offset += chunk.len() as u64;
        decoder.push(&chunk).map_err(decode_error)?;
    }
    drop(decoder);
    out.end_file(entry.data_len).map_err(CommitError::write)
}
