//! Reading one layer blob in a single pass: the blob's sha256, its decompression, the sha256 of
//! the uncompressed tar (the diff_id), and the tar's file index.

use std::io::{self, Write};

use crate::decompress::{sink_error, PushDecoder};
use crate::digest::{Digest, Hasher};
use crate::fs::UnsafeEntry;
use crate::media_type::Compression;
use crate::tar::{Entry, TarError};

mod kept;
mod pipeline;
mod stopwatch;
mod tar_side;
mod warm_up;

pub use kept::KeptBlob;
pub use pipeline::{LayerPass, LayerPipeline, LocalPipeline};
pub use stopwatch::Stopwatch;
pub use tar_side::{TarReader, TarSummary};
pub use warm_up::warm_up;

/// What one pass over a layer blob found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// sha256 of the blob as stored (compressed or not).
    pub digest: Digest,
    /// Size of the blob as stored.
    pub blob_size: u64,
    /// sha256 of the uncompressed tar.
    pub diff_id: Digest,
    /// Bytes of the uncompressed tar.
    pub tar_size: u64,
    /// The sum of the entries' sizes: what docker counts as the layer's size.
    pub size: u64,
    /// How the blob is compressed.
    pub compression: Compression,
    /// For a blob stored decompressed ([`LayerSummary::kept`]), the compression it came in.
    pub came_as: Option<Compression>,
    /// The tar's entries, in archive order.
    pub entries: Vec<Entry>,
}

/// Why a layer blob was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    /// The decompressor refused the bytes.
    #[error("layer is not valid {format}: {reason}")]
    Decompress {
        /// `gzip`, `zstd`, `xz` or `bzip2`.
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// The layer expands past its budget: a decompression bomb, or an absurd layer.
    #[error("layer expands past its limit of {limit} bytes uncompressed ({MAX_EXPANSION}× its compressed size, at least {EXPANSION_FLOOR} and at most {MAX_UNCOMPRESSED} bytes): a decompression bomb?")]
    TooLarge {
        /// The budget that was exceeded.
        limit: u64,
    },
    /// The uncompressed bytes are not a valid tar.
    #[error("layer is not a valid tar: {0}")]
    Tar(#[from] TarError),
    /// An entry docker's unpacker would refuse.
    #[error("layer has an unsafe entry: {0}")]
    Unsafe(#[from] UnsafeEntry),
    /// What the tar side reported from another worker, in its own words (one of the above).
    #[error("{0}")]
    Reported(String),
}

/// How many times its compressed size a layer may expand to (gzip bombs expand 1000× and more).
pub const MAX_EXPANSION: u64 = 1000;
/// Every layer may expand to this much, whatever its compressed size.
pub const EXPANSION_FLOOR: u64 = 1 << 30;
/// No layer may expand past this.
pub const MAX_UNCOMPRESSED: u64 = 64 << 30;

/// The uncompressed budget of a blob of `blob_size` bytes.
pub fn uncompressed_budget(blob_size: u64) -> u64 {
    blob_size.saturating_mul(MAX_EXPANSION).clamp(EXPANSION_FLOOR, MAX_UNCOMPRESSED)
}

/// How many leading bytes decide the compression.
const SNIFF_LEN: usize = 4;

/// What the blob side of a layer found: the part of a [`LayerSummary`] that needs the blob as
/// stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BlobSummary {
    /// sha256 of the blob; `None` for a plain tar, whose digest is its diff_id (hashed once, by
    /// the tar side).
    pub digest: Option<Digest>,
    /// Size of the blob as stored.
    pub blob_size: u64,
    /// How the blob is compressed.
    pub compression: Compression,
    /// Milliseconds spent hashing the blob, when timed.
    pub hash_ms: f64,
}

impl BlobSummary {
    /// The layer's summary, from its two sides.
    pub fn join(self, tar: TarSummary) -> LayerSummary {
        LayerSummary {
            digest: self.digest.unwrap_or_else(|| tar.diff_id.clone()),
            blob_size: self.blob_size,
            diff_id: tar.diff_id,
            tar_size: tar.tar_size,
            size: tar.size,
            compression: self.compression,
            came_as: None,
            entries: tar.entries,
        }
    }
}

/// The blob side of a layer: takes the blob in chunks of any size, hashes it (unless it is a
/// plain tar), sniffs its compression and writes the uncompressed tar into `W`, the tar side
/// ([`TarReader`] here, or a feed to another worker).
pub struct BlobReader<W: Write> {
    /// sha256 of the blob; fed only once the blob is known to be compressed.
    blob: Hasher,
    /// Bytes of the blob taken so far.
    blob_size: u64,
    /// The first bytes, kept until there are enough to sniff the compression.
    head: Vec<u8>,
    /// The tar side, until the compression is known.
    sink: Option<W>,
    /// `None` until the compression is known.
    decoder: Option<PushDecoder<W>>,
    stopwatch: Stopwatch,
    hash_ms: f64,
}

impl<W: Write> BlobReader<W> {
    /// A reader writing the uncompressed tar into `sink`.
    pub fn new(sink: W) -> Self {
        Self { blob: Hasher::new(), blob_size: 0, head: Vec::new(), sink: Some(sink), decoder: None, stopwatch: Stopwatch::default(), hash_ms: 0.0 }
    }

    /// Times the blob's hashing with `stopwatch` (see [`BlobSummary::hash_ms`]).
    pub fn timed(mut self, stopwatch: Stopwatch) -> Self {
        self.stopwatch = stopwatch;
        self
    }

    /// The tar side, as it stands.
    pub fn sink(&self) -> Option<&W> {
        self.decoder.as_ref().map(PushDecoder::sink).or(self.sink.as_ref())
    }

    /// Feeds the next chunk of the blob.
    ///
    /// # Errors
    /// [`LayerError`] as soon as the bytes are known to be bad (the tar side's errors included).
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        self.blob_size += chunk.len() as u64;
        if let Some(decoder) = &mut self.decoder {
            return push(decoder, &mut self.blob, chunk, self.stopwatch, &mut self.hash_ms);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= SNIFF_LEN {
            self.start()?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), LayerError> {
        let head = std::mem::take(&mut self.head);
        let Some(sink) = self.sink.take() else { return Ok(()) };
        let decoder = self.decoder.insert(PushDecoder::new(Compression::sniff(&head), sink));
        push(decoder, &mut self.blob, &head, self.stopwatch, &mut self.hash_ms)
    }

    /// Ends the blob (decoding its last bytes) and returns what was found and the tar side.
    ///
    /// # Errors
    /// [`LayerError`] when the blob ends early or the tar side refused its last bytes.
    pub fn finish(mut self) -> Result<(BlobSummary, W), LayerError> {
        if self.decoder.is_none() {
            self.start()?;
        }
        let Some(decoder) = self.decoder else {
            return Err(LayerError::Tar(TarError::Truncated { at: 0, needed: 512 }));
        };
        let (compression, format) = (decoder.compression(), decoder.format());
        let sink = decoder.finish().map_err(|e| layer_error(format, &e))?;
        let digest = (compression != Compression::None).then(|| self.blob.clone().finish());
        Ok((BlobSummary { digest, blob_size: self.blob_size, compression, hash_ms: self.hash_ms }, sink))
    }
}

/// Both sides of a layer in one thread: takes a layer blob in chunks of any size;
/// [`LayerReader::finish`] gives the summary.
pub struct LayerReader {
    blob: BlobReader<TarReader>,
}

impl LayerReader {
    /// A reader for a blob of `blob_size` bytes (what its descriptor or archive entry says),
    /// which may expand to [`uncompressed_budget`] bytes.
    pub fn new(blob_size: u64) -> Self {
        Self { blob: BlobReader::new(TarReader::new(uncompressed_budget(blob_size))) }
    }

    /// Feeds the next chunk of the blob.
    ///
    /// # Errors
    /// [`LayerError`] as soon as the bytes are known to be bad.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        self.blob.update(chunk)
    }

    /// Ends the blob and returns what was found.
    ///
    /// # Errors
    /// [`LayerError`] when the blob ends early or is not a tar.
    pub fn finish(self) -> Result<LayerSummary, LayerError> {
        let (blob, tar) = self.blob.finish()?;
        Ok(blob.join(tar.finish()?))
    }
}

/// The tar side's own error when it refused bytes (a bad tar, an unsafe entry, the budget), else
/// the decompressor's.
fn layer_error(format: &'static str, e: &io::Error) -> LayerError {
    sink_error::<LayerError>(e).unwrap_or_else(|| LayerError::Decompress { format, reason: e.to_string() })
}

/// Pushes blob bytes: hashed here unless the blob is a plain tar (then the tar side's hash is
/// the blob's), then decompressed into the tar side.
fn push<W: Write>(decoder: &mut PushDecoder<W>, blob: &mut Hasher, chunk: &[u8], stopwatch: Stopwatch, hash_ms: &mut f64) -> Result<(), LayerError> {
    if !matches!(decoder, PushDecoder::Plain(_)) {
        stopwatch.time(hash_ms, || blob.update(chunk));
    }
    let format = decoder.format();
    decoder.push(chunk).map_err(|e| layer_error(format, &e))
}
