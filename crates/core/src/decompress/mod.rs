//! Decompressors that bytes are pushed into (slices of a file, network chunks), writing to a
//! sink: gzip (every member, as Go's reader does) with flate2's zlib-rs backend, zstd with ruzstd.

use std::io::Write;

use flate2::write::MultiGzDecoder;

use crate::media_type::Compression;

mod zstd;

use zstd::ZstdDecoder;

/// A decompressor (or a pass-through) in front of `W`.
pub(crate) enum PushDecoder<W: Write> {
    /// No compression: bytes go straight to the sink.
    Plain(W),
    /// gzip, every member.
    Gzip(Box<MultiGzDecoder<W>>),
    /// zstd, every frame.
    Zstd(Box<ZstdDecoder<W>>),
}

impl<W: Write> PushDecoder<W> {
    /// A decoder for `compression` writing into `sink`.
    pub(crate) fn new(compression: Compression, sink: W) -> Self {
        match compression {
            Compression::None => Self::Plain(sink),
            Compression::Gzip => Self::Gzip(Box::new(MultiGzDecoder::new(sink))),
            Compression::Zstd => Self::Zstd(Box::new(ZstdDecoder::new(sink))),
        }
    }

    /// The format's name, for messages.
    pub(crate) fn format(&self) -> &'static str {
        match self {
            Self::Plain(_) => "tar",
            Self::Gzip(_) => "gzip",
            Self::Zstd(_) => "zstd",
        }
    }

    /// The sink, to read what it recorded.
    pub(crate) fn sink(&self) -> &W {
        match self {
            Self::Plain(w) => w,
            Self::Gzip(g) => g.get_ref(),
            Self::Zstd(z) => z.get_ref(),
        }
    }

    /// Pushes compressed bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        match self {
            Self::Plain(w) => w.write_all(chunk).map_err(|e| e.to_string()),
            Self::Gzip(g) => g.write_all(chunk).map_err(|e| e.to_string()),
            Self::Zstd(z) => z.push(chunk),
        }
    }

    /// Ends the stream (checking it is complete) and returns the sink.
    pub(crate) fn finish(self) -> Result<W, String> {
        match self {
            Self::Plain(w) => Ok(w),
            Self::Gzip(g) => g.finish().map_err(|e| e.to_string()),
            Self::Zstd(z) => z.finish(),
        }
    }
}
