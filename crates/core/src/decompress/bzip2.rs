//! bzip2 decompression pushed chunk by chunk, over the bzip2 crate's `Decompress` (its pure-Rust
//! libbzip2 port). The crate's own `write::BzDecoder` stops at the end of the first stream;
//! Go's `compress/bzip2`, which moby reads bzip2 with, goes on into streams written back to back
//! (`bzip2 a; bzip2 b; cat`), and anything after a stream that is not another is an error
//! ("bad magic value in continuation file").

use std::io::{self, Write};

use bzip2::{Decompress, Status};

/// Output produced per call into the decoder.
const OUT_CHUNK: usize = 64 * 1024;
/// A stream starts `BZh` and a block size digit.
const MAGIC_LEN: usize = 4;

/// A decoding error, as `io::Error`.
fn invalid(e: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Decompresses bzip2 pushed in chunks into `W`.
pub(crate) struct Bzip2Decoder<W: Write> {
    /// The stream being decoded; `None` between streams.
    stream: Option<Decompress>,
    /// Input not taken yet: the start of a next stream, until its magic can be checked.
    input: Vec<u8>,
    output: Vec<u8>,
    streams: usize,
    sink: W,
}

impl<W: Write> Bzip2Decoder<W> {
    pub(crate) fn new(sink: W) -> Self {
        Self { stream: None, input: Vec::new(), output: vec![0; OUT_CHUNK], streams: 0, sink }
    }

    /// The sink.
    pub(crate) fn sink(&self) -> &W {
        &self.sink
    }

    /// Pushes compressed bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        if self.input.is_empty() {
            let used = self.drain(chunk)?;
            self.input.extend_from_slice(&chunk[used..]);
        } else {
            self.input.extend_from_slice(chunk);
            let input = std::mem::take(&mut self.input);
            let used = self.drain(&input)?;
            self.input = input[used..].to_vec();
        }
        Ok(())
    }

    /// Ends the input and returns the sink.
    pub(crate) fn finish(self) -> io::Result<W> {
        if self.stream.is_some() || self.streams == 0 {
            return Err(invalid("the bzip2 stream is truncated"));
        }
        if !self.input.is_empty() {
            return Err(invalid("bad magic value in continuation file"));
        }
        Ok(self.sink)
    }

    /// Decodes what it can of `input`; returns how many bytes were taken (only a stream's start,
    /// too short to check, is left).
    fn drain(&mut self, input: &[u8]) -> io::Result<usize> {
        let mut pos = 0;
        while pos < input.len() {
            let Some(stream) = &mut self.stream else {
                let rest = &input[pos..];
                if rest.len() < MAGIC_LEN {
                    return Ok(pos);
                }
                if !(rest.starts_with(b"BZh") && (b'1'..=b'9').contains(&rest[3])) {
                    return Err(invalid("bad magic value in continuation file"));
                }
                self.stream = Some(Decompress::new(false));
                continue;
            };
            let before = (stream.total_in(), stream.total_out());
            let status = stream.decompress(&input[pos..], &mut self.output).map_err(invalid)?;
            let used = usize::try_from(stream.total_in() - before.0).unwrap_or(usize::MAX);
            let produced = usize::try_from(stream.total_out() - before.1).unwrap_or(usize::MAX);
            pos += used;
            // The sink's own errors pass through as they are, for the caller to read.
            self.sink.write_all(&self.output[..produced])?;
            match status {
                Status::StreamEnd => {
                    self.stream = None;
                    self.streams += 1;
                }
                Status::MemNeeded => return Err(invalid("bzip2: out of memory")),
                _ if used == 0 && produced == 0 => return Ok(pos),
                _ => {}
            }
        }
        Ok(pos)
    }
}
