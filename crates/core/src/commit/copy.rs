//! Copying file bytes into the layer a commit writes: a session's new files, and lower files
//! copied up for a mode change, read out of their stored (compressed) layer blob.

use super::layer::LayerWriter;
use super::CommitError;
use crate::archive::{ArchiveSource, SourceError};
use crate::digest::Digest;
use crate::extract::{self, ExtractError};
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

/// Copies the data of the lower file `entry` out of its layer blob `source` into the layer.
///
/// # Errors
/// [`CommitError::Read`] when the blob cannot be read, [`CommitError::Lower`] when it does not
/// hold the file where the layer's index says.
pub(super) async fn lower_file<S: ArchiveSource, B: BlobBuilder>(source: &S, entry: &Entry, out: &mut LayerWriter<B>) -> Result<(), CommitError> {
    extract::entries_data(source, &[entry], &mut |_, bytes| out.data(bytes)).await.map_err(|e| match e {
        ExtractError::Read(reason) => CommitError::Read { path: entry.path.clone(), reason },
        e => CommitError::Lower { path: entry.path.clone(), reason: e.to_string() },
    })?;
    out.end_file(entry.content_len()).map_err(CommitError::write)
}
