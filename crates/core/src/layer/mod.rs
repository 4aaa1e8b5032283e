//! Reading one layer blob in a single pass: the blob's sha256, its decompression, the sha256 of
//! the uncompressed tar (the diff_id), and the tar's file index.

use std::io::{self, Write};

use crate::decompress::{sink_error, PushDecoder};
use crate::fs::{check_entry, UnsafeEntry};
use crate::digest::{Digest, Hasher};
use crate::media_type::Compression;
use crate::tar::{Entry, TarError, TarEvent, TarStream};

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
    /// The tar's entries, in archive order.
    pub entries: Vec<Entry>,
}

/// Why a layer blob was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    /// The decompressor refused the bytes.
    #[error("layer is not valid {format}: {reason}")]
    Decompress {
        /// `gzip` or `zstd`.
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

/// The uncompressed side: hashes the tar and indexes its entries.
struct TarSink {
    /// Uncompressed bytes allowed.
    budget: u64,
    hasher: Hasher,
    tar: TarStream,
    entries: Vec<Entry>,
    size: u64,
    /// The first problem met; nothing is parsed after it.
    error: Option<LayerError>,
}

impl Write for TarSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.hasher.len() + buf.len() as u64 > self.budget {
            self.error.get_or_insert(LayerError::TooLarge { limit: self.budget });
        }
        if let Some(e) = &self.error {
            return Err(io::Error::other(e.clone()));
        }
        self.hasher.update(buf);
        let (entries, size, error) = (&mut self.entries, &mut self.size, &mut self.error);
        let result = self.tar.feed(buf, &mut |event| {
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
        });
        if let Err(e) = result {
            self.error.get_or_insert(LayerError::Tar(e));
        }
        match &self.error {
            Some(e) => Err(io::Error::other(e.clone())),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How many leading bytes decide the compression.
const SNIFF_LEN: usize = 4;

/// Takes a layer blob in chunks of any size; [`LayerReader::finish`] gives the summary.
///
/// For an uncompressed blob the blob digest is the diff_id, so the bytes are hashed once.
pub struct LayerReader {
    /// The blob's size as the metadata states it, for the uncompressed budget.
    blob_size: u64,
    blob: Hasher,
    /// The first bytes, kept until there are enough to sniff the compression.
    head: Vec<u8>,
    /// `None` until the compression is known.
    decoder: Option<PushDecoder<TarSink>>,
}

impl LayerReader {
    /// A reader for a blob of `blob_size` bytes (what its descriptor or archive entry says),
    /// which may expand to [`uncompressed_budget`] bytes.
    pub fn new(blob_size: u64) -> Self {
        Self { blob_size, blob: Hasher::new(), head: Vec::new(), decoder: None }
    }

    /// Feeds the next chunk of the blob.
    ///
    /// # Errors
    /// [`LayerError`] as soon as the bytes are known to be bad.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        if let Some(decoder) = &mut self.decoder {
            return push(decoder, &mut self.blob, chunk);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= SNIFF_LEN {
            self.start()?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), LayerError> {
        let head = std::mem::take(&mut self.head);
        let sink = TarSink { budget: uncompressed_budget(self.blob_size), hasher: Hasher::new(), tar: TarStream::new(), entries: Vec::new(), size: 0, error: None };
        let decoder = self.decoder.insert(PushDecoder::new(Compression::sniff(&head), sink));
        push(decoder, &mut self.blob, &head)
    }

    /// Ends the blob and returns what was found.
    ///
    /// # Errors
    /// [`LayerError`] when the blob ends early or is not a tar.
    pub fn finish(mut self) -> Result<LayerSummary, LayerError> {
        if self.decoder.is_none() {
            self.start()?;
        }
        let Some(decoder) = self.decoder else {
            return Err(LayerError::Tar(TarError::Truncated { at: 0, needed: 512 }));
        };
        let (compression, format) = (compression_of(&decoder), decoder.format());
        let sink = decoder.finish().map_err(|e| layer_error(format, &e))?;
        if let Some(e) = sink.error {
            return Err(e);
        }
        // A plain tar's blob digest is its diff_id: it was hashed once, by the sink.
        let blob = if compression == Compression::None { sink.hasher.clone() } else { self.blob };
        let tar_size = sink.hasher.len();
        sink.tar.finish()?;
        Ok(LayerSummary {
            blob_size: blob.len(),
            digest: blob.finish(),
            diff_id: sink.hasher.finish(),
            tar_size,
            size: sink.size,
            compression,
            entries: sink.entries,
        })
    }
}

/// The sink's own error when it refused bytes (a bad tar, an unsafe entry, the budget), else
/// the decompressor's.
fn layer_error(format: &'static str, e: &io::Error) -> LayerError {
    sink_error::<LayerError>(e).unwrap_or_else(|| LayerError::Decompress { format, reason: e.to_string() })
}

/// Pushes blob bytes: hashed here unless the blob is a plain tar (then the sink's hash is the
/// blob's), then decompressed into the sink.
fn push(decoder: &mut PushDecoder<TarSink>, blob: &mut Hasher, chunk: &[u8]) -> Result<(), LayerError> {
    if !matches!(decoder, PushDecoder::Plain(_)) {
        blob.update(chunk);
    }
    let format = decoder.format();
    decoder.push(chunk).map_err(|e| layer_error(format, &e))
}

fn compression_of<W: Write>(decoder: &PushDecoder<W>) -> Compression {
    match decoder {
        PushDecoder::Plain(_) => Compression::None,
        PushDecoder::Gzip(_) => Compression::Gzip,
        PushDecoder::Zstd(_) => Compression::Zstd,
    }
}
