//! xz decompression pushed chunk by chunk, over xz4rust (a pure-Rust port of xz-embedded, whose
//! decoder already takes input and output buffers: no thread, no `io::Read` to block on).
//!
//! moby reads xz layers by running `xz -d -c -q`, which takes several streams back to back with
//! stream padding between them (null bytes, a multiple of four: xz-file-format 2.2), and checks
//! each block's check (CRC32, CRC64 or SHA-256). The same is done here. The dictionary grows as
//! the stream asks, up to [`MAX_DICT`].

use std::io::{self, Write};

use xz4rust::{XzDecoder as Xz, XzError, XzNextBlockResult};

/// The largest dictionary accepted: that of `xz -9` (64 MiB). xz-utils allows up to 1.5 GiB, which
/// a page's worker cannot spare; a layer made that way is refused with the dictionary's size.
pub(crate) const MAX_DICT: usize = 64 << 20;
/// The dictionary allocated up front; it grows to what the stream's header asks.
const FIRST_DICT: usize = 1 << 20;
/// Output produced per call into the decoder.
const OUT_CHUNK: usize = 64 * 1024;

/// A decoding error, as `io::Error`.
fn invalid(e: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// What the decoder said, in words.
fn explain(e: &XzError) -> String {
    match e {
        XzError::DictionaryTooLarge(size) => format!("the xz dictionary of {size} bytes is over the limit of {MAX_DICT} bytes"),
        other => format!("xz stream is corrupt ({other})"),
    }
}

/// Where the input stands between streams.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Inside a stream (the first starts at once).
    InStream,
    /// After a stream: stream padding, or the next stream, or the end; `padding` null bytes so far.
    Between { padding: u64 },
}

/// Decompresses xz pushed in chunks into `W`.
pub(crate) struct XzDecoder<W: Write> {
    decoder: Box<Xz<'static>>,
    /// Input the decoder has not taken yet (it may ask for more before it can go on).
    input: Vec<u8>,
    output: Vec<u8>,
    position: Position,
    sink: W,
}

impl<W: Write> XzDecoder<W> {
    pub(crate) fn new(sink: W) -> Self {
        Self { decoder: Xz::in_heap_with_alloc_dict_size(FIRST_DICT, MAX_DICT), input: Vec::new(), output: vec![0; OUT_CHUNK], position: Position::InStream, sink }
    }

    /// The sink.
    pub(crate) fn sink(&self) -> &W {
        &self.sink
    }

    /// Pushes compressed bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.input.extend_from_slice(chunk);
        let mut input = std::mem::take(&mut self.input);
        let result = self.drain(&input);
        let used = result.as_ref().map_or(0, |used| *used);
        input.drain(..used);
        self.input = input;
        result.map(|_| ())
    }

    /// Ends the input and returns the sink.
    pub(crate) fn finish(self) -> io::Result<W> {
        match self.position {
            Position::Between { padding } if padding.is_multiple_of(4) && self.input.is_empty() => Ok(self.sink),
            Position::Between { .. } => Err(invalid("xz stream padding is not a multiple of four bytes")),
            Position::InStream => Err(invalid("the xz stream is truncated")),
        }
    }

    /// Decodes what it can of `input`; returns how many bytes were taken.
    fn drain(&mut self, input: &[u8]) -> io::Result<usize> {
        let mut pos = 0;
        loop {
            if let Position::Between { padding } = self.position {
                let zeros = input[pos..].iter().take_while(|b| **b == 0).count();
                pos += zeros;
                let padding = padding + zeros as u64;
                if pos == input.len() {
                    self.position = Position::Between { padding };
                    return Ok(pos);
                }
                if !padding.is_multiple_of(4) {
                    return Err(invalid("xz stream padding is not a multiple of four bytes"));
                }
                self.decoder.reset();
                self.position = Position::InStream;
            }
            let result = match self.decoder.decode(&input[pos..], &mut self.output) {
                Ok(result) => result,
                // Not an error: the decoder needs more than is here to take the next step.
                Err(XzError::NeedsLargerInputBuffer) => return Ok(pos),
                Err(e) => return Err(invalid(explain(&e))),
            };
            pos += result.input_consumed();
            // The sink's own errors pass through as they are, for the caller to read.
            self.sink.write_all(&self.output[..result.output_produced()])?;
            match result {
                XzNextBlockResult::EndOfStream(..) => self.position = Position::Between { padding: 0 },
                XzNextBlockResult::NeedMoreData(..) if !result.made_progress() => return Ok(pos),
                XzNextBlockResult::NeedMoreData(..) => {}
            }
        }
    }
}
