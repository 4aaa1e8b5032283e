//! The uncompressed side of a layer: the diff_id, the file index and the checks on each entry.
//! It may run in another worker than the blob side (see [`super::pipeline`]), so what it finds
//! ([`TarSummary`]) is serializable.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::{LayerError, Stopwatch};
use crate::digest::{Digest, Hasher};
use crate::fs::check_entry;
use crate::tar::{Entry, TarEvent, TarStream};

/// What the tar side of a layer found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TarSummary {
    /// sha256 of the uncompressed tar.
    pub diff_id: Digest,
    /// Bytes of the uncompressed tar.
    pub tar_size: u64,
    /// The sum of the entries' sizes: what docker counts as the layer's size.
    pub size: u64,
    /// The tar's entries, in archive order.
    pub entries: Vec<Entry>,
    /// Milliseconds spent hashing the tar, when timed.
    #[serde(default)]
    pub hash_ms: f64,
    /// Milliseconds spent walking the tar and checking its entries, when timed.
    #[serde(default)]
    pub index_ms: f64,
}

/// Hashes an uncompressed layer tar, indexes its entries and refuses unsafe ones, within an
/// uncompressed budget.
///
/// Invariant: once `error` is set nothing more is parsed, and every later call returns it.
pub struct TarReader {
    /// Uncompressed bytes allowed.
    budget: u64,
    hasher: Hasher,
    tar: TarStream,
    entries: Vec<Entry>,
    size: u64,
    error: Option<LayerError>,
    stopwatch: Stopwatch,
    hash_ms: f64,
    index_ms: f64,
}

impl TarReader {
    /// A reader that refuses the tar once it passes `budget` bytes.
    pub fn new(budget: u64) -> Self {
        Self { budget, hasher: Hasher::new(), tar: TarStream::new(), entries: Vec::new(), size: 0, error: None, stopwatch: Stopwatch::default(), hash_ms: 0.0, index_ms: 0.0 }
    }

    /// Times hashing and indexing with `stopwatch` (see [`TarSummary::hash_ms`]).
    pub fn timed(mut self, stopwatch: Stopwatch) -> Self {
        self.stopwatch = stopwatch;
        self
    }

    /// Feeds the next bytes of the tar.
    ///
    /// # Errors
    /// The first problem met: the budget passed, a bad tar, an unsafe entry.
    pub fn update(&mut self, buf: &[u8]) -> Result<(), LayerError> {
        if self.hasher.len() + buf.len() as u64 > self.budget {
            self.error.get_or_insert(LayerError::TooLarge { limit: self.budget });
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let (hasher, stopwatch) = (&mut self.hasher, self.stopwatch);
        stopwatch.time(&mut self.hash_ms, || hasher.update(buf));
        let (entries, size, error, tar) = (&mut self.entries, &mut self.size, &mut self.error, &mut self.tar);
        let result = stopwatch.time(&mut self.index_ms, || tar.feed(buf, &mut |event| {
            if let TarEvent::Entry(e) = event {
                if error.is_some() {
                    return;
                }
                match check_entry(&e) {
                    Ok(_) => {
                        *size = size.saturating_add(e.size);
                        entries.push(e);
                    }
                    Err(unsafe_entry) => *error = Some(LayerError::Unsafe(unsafe_entry)),
                }
            }
        }));
        if let Err(e) = result {
            self.error.get_or_insert(LayerError::Tar(e));
        }
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Ends the tar.
    ///
    /// # Errors
    /// The error met earlier, or the tar ending early.
    pub fn finish(self) -> Result<TarSummary, LayerError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.tar.finish()?;
        Ok(TarSummary {
            tar_size: self.hasher.len(),
            diff_id: self.hasher.finish(),
            size: self.size,
            entries: self.entries,
            hash_ms: self.hash_ms,
            index_ms: self.index_ms,
        })
    }
}

/// The decompressor writes into the tar side; its errors travel inside the `io::Error` (see
/// [`crate::decompress::sink_error`]).
impl Write for TarReader {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf).map_err(io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
