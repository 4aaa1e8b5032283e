//! Reading one layer blob in a single pass: the blob's sha256, its decompression, the sha256 of
//! the uncompressed tar (the diff_id), and the tar's file index.

use std::io::{self, Write};

use flate2::write::MultiGzDecoder;

mod zstd;

pub use zstd::MAX_WINDOW as MAX_ZSTD_WINDOW;
use zstd::ZstdDecoder;

use crate::digest::{Digest, Hasher};
use crate::media_type::Compression;
use crate::tar::{Entry, TarError, TarStream};

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
}

/// How many times its compressed size a layer may expand to (gzip bombs expand 1000× and more).
pub const MAX_EXPANSION: u64 = 1000;
/// Every layer may expand to this much, whatever its compressed size.
pub const EXPANSION_FLOOR: u64 = 1 << 30;
/// No layer may expand past this.
pub const MAX_UNCOMPRESSED: u64 = 64 << 30;

/// The uncompressed budget of a blob of `blob_size` bytes.
pub fn uncompressed_budget(blob_size: u64) -> u64 {
    blob_size.saturating_mul(MAX_EXPANSION).max(EXPANSION_FLOOR).min(MAX_UNCOMPRESSED)
}

/// The uncompressed side: hashes the tar and indexes its entries.
struct TarSink {
    /// Uncompressed bytes allowed.
    budget: u64,
    hasher: Hasher,
    tar: TarStream,
    entries: Vec<Entry>,
    size: u64,
    error: Option<TarError>,
}

impl Write for TarSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.hasher.len() + buf.len() as u64 > self.budget {
            return Err(io::Error::other(OVER_BUDGET));
        }
        self.hasher.update(buf);
        if self.error.is_none() {
            let (entries, size) = (&mut self.entries, &mut self.size);
            let result = self.tar.feed(buf, &mut |e: Entry| {
                *size = size.saturating_add(e.size);
                entries.push(e);
            });
            if let Err(e) = result {
                self.error = Some(e.clone());
                return Err(io::Error::other(e));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    Plain(TarSink),
    Gzip(Box<MultiGzDecoder<TarSink>>),
    Zstd(Box<ZstdDecoder<TarSink>>),
}

/// What a sink says when its budget is exhausted.
const OVER_BUDGET: &str = "over budget";

impl Decoder {
    /// Chooses the decoder by the blob's first bytes.
    fn for_head(head: &[u8], budget: u64) -> Result<Self, LayerError> {
        let sink = TarSink { budget, hasher: Hasher::new(), tar: TarStream::new(), entries: Vec::new(), size: 0, error: None };
        match Compression::sniff(head) {
            Compression::None => Ok(Self::Plain(sink)),
            Compression::Gzip => Ok(Self::Gzip(Box::new(MultiGzDecoder::new(sink)))),
            Compression::Zstd => Ok(Self::Zstd(Box::new(ZstdDecoder::new(sink)))),
        }
    }

    /// Pushes compressed bytes; `blob` hashes them unless the blob is a plain tar.
    fn push(&mut self, blob: &mut Hasher, chunk: &[u8]) -> Result<(), LayerError> {
        match self {
            Self::Plain(sink) => sink.write_all(chunk).map_err(|e| sink_error(sink, e.to_string())),
            Self::Gzip(gz) => {
                blob.update(chunk);
                gz.write_all(chunk).map_err(|e| decode_error("gzip", gz.get_ref(), e.to_string()))
            }
            Self::Zstd(z) => {
                blob.update(chunk);
                z.push(chunk).map_err(|e| decode_error("zstd", z.get_ref(), e))
            }
        }
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
    decoder: Option<Decoder>,
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
            return decoder.push(&mut self.blob, chunk);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= SNIFF_LEN {
            self.start()?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<&mut Decoder, LayerError> {
        let head = std::mem::take(&mut self.head);
        let mut decoder = Decoder::for_head(&head, uncompressed_budget(self.blob_size))?;
        decoder.push(&mut self.blob, &head)?;
        Ok(self.decoder.insert(decoder))
    }

    /// Ends the blob and returns what was found.
    ///
    /// # Errors
    /// [`LayerError`] when the blob ends early or is not a tar.
    pub fn finish(mut self) -> Result<LayerSummary, LayerError> {
        if self.decoder.is_none() {
            self.start()?;
        }
        let (sink, compression, blob) = match self.decoder {
            None => return Err(LayerError::Tar(TarError::Truncated { at: 0, needed: 512 })),
            Some(Decoder::Plain(sink)) => {
                let blob = sink.hasher.clone();
                (sink, Compression::None, blob)
            }
            Some(Decoder::Gzip(gz)) => {
                let sink = gz.finish().map_err(|e| LayerError::Decompress { format: "gzip", reason: e.to_string() })?;
                (sink, Compression::Gzip, self.blob)
            }
            Some(Decoder::Zstd(z)) => {
                let sink = z.finish().map_err(|reason| LayerError::Decompress { format: "zstd", reason })?;
                (sink, Compression::Zstd, self.blob)
            }
        };
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

/// Why the sink refused bytes: its tar parser failed, or its budget ran out.
fn sink_error(sink: &TarSink, reason: String) -> LayerError {
    match &sink.error {
        Some(t) => LayerError::Tar(t.clone()),
        None if reason.contains(OVER_BUDGET) => LayerError::TooLarge { limit: sink.budget },
        None => LayerError::Tar(TarError::Truncated { at: sink.hasher.len(), needed: 0 }),
    }
}

/// A decoder's error, unless the sink behind it failed first (then that is the real cause).
fn decode_error(format: &'static str, sink: &TarSink, reason: String) -> LayerError {
    if sink.error.is_some() || reason.contains(OVER_BUDGET) {
        return sink_error(sink, reason);
    }
    LayerError::Decompress { format, reason }
}
