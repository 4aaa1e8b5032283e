//! Decompressors that bytes are pushed into (slices of a file, network chunks), writing to a
//! sink: gzip (every member, as Go's reader does) with flate2's zlib-rs backend, zstd with ruzstd,
//! and the two docker reads beyond the image-spec, xz and bzip2 (each stream back to back).

use std::io::{self, Write};

use flate2::write::MultiGzDecoder;

use crate::media_type::Compression;

mod bzip2;
mod xz;
mod zstd;

use bzip2::Bzip2Decoder;
use xz::XzDecoder;
use zstd::ZstdDecoder;

/// A decompressor (or a pass-through) in front of `W`.
pub(crate) enum PushDecoder<W: Write> {
    /// No compression: bytes go straight to the sink.
    Plain(W),
    /// gzip, every member.
    Gzip(Box<MultiGzDecoder<W>>),
    /// zstd, every frame.
    Zstd(Box<ZstdDecoder<W>>),
    /// xz, every stream.
    Xz(Box<XzDecoder<W>>),
    /// bzip2, every stream.
    Bzip2(Box<Bzip2Decoder<W>>),
}

impl<W: Write> PushDecoder<W> {
    /// A decoder for `compression` writing into `sink`.
    pub(crate) fn new(compression: Compression, sink: W) -> Self {
        match compression {
            Compression::None => Self::Plain(sink),
            Compression::Gzip => Self::Gzip(Box::new(MultiGzDecoder::new(sink))),
            Compression::Zstd => Self::Zstd(Box::new(ZstdDecoder::new(sink))),
            Compression::Xz => Self::Xz(Box::new(XzDecoder::new(sink))),
            Compression::Bzip2 => Self::Bzip2(Box::new(Bzip2Decoder::new(sink))),
        }
    }

    /// The format's name, for messages.
    pub(crate) fn format(&self) -> &'static str {
        match self {
            Self::Plain(_) => "tar",
            Self::Gzip(_) => "gzip",
            Self::Zstd(_) => "zstd",
            Self::Xz(_) => "xz",
            Self::Bzip2(_) => "bzip2",
        }
    }

    /// The sink, as it stands.
    pub(crate) fn sink(&self) -> &W {
        match self {
            Self::Plain(w) => w,
            Self::Gzip(g) => g.get_ref(),
            Self::Zstd(z) => z.sink(),
            Self::Xz(x) => x.sink(),
            Self::Bzip2(b) => b.sink(),
        }
    }

    /// Pushes compressed bytes. An error the sink returned comes back as it was (see
    /// [`sink_error`]); anything else is the decoder's.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        match self {
            Self::Plain(w) => w.write_all(chunk),
            Self::Gzip(g) => g.write_all(chunk),
            Self::Zstd(z) => z.push(chunk),
            Self::Xz(x) => x.push(chunk),
            Self::Bzip2(b) => b.push(chunk),
        }
    }

    /// Ends the stream (checking it is complete) and returns the sink. The last bytes are
    /// decoded here, so a sink error may come back from this too.
    pub(crate) fn finish(self) -> io::Result<W> {
        match self {
            Self::Plain(w) => Ok(w),
            Self::Gzip(g) => g.finish(),
            Self::Zstd(z) => z.finish(),
            Self::Xz(x) => x.finish(),
            Self::Bzip2(b) => b.finish(),
        }
    }

    /// The compression this decodes.
    pub(crate) fn compression(&self) -> Compression {
        match self {
            Self::Plain(_) => Compression::None,
            Self::Gzip(_) => Compression::Gzip,
            Self::Zstd(_) => Compression::Zstd,
            Self::Xz(_) => Compression::Xz,
            Self::Bzip2(_) => Compression::Bzip2,
        }
    }
}

/// The typed error a sink returned inside an `io::Error` (sinks wrap theirs with
/// `io::Error::other`), if that is what `e` is.
pub(crate) fn sink_error<E: std::error::Error + Clone + 'static>(e: &io::Error) -> Option<E> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<E>()).cloned()
}
