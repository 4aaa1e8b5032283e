//! zstd decompression pushed chunk by chunk, over ruzstd's `FrameDecoder`.
//!
//! ruzstd's streaming decoder pulls from `io::Read`, but layers arrive pushed (slices of a file,
//! network chunks), so this buffers input until it holds one whole block (at most 128 KiB plus
//! a header), then has ruzstd decode exactly that block and drains the output beyond the window
//! into the sink. Memory stays at one window plus one block, whatever the stream expands to (a
//! tiny RLE block may expand to 128 KiB, so decoding "all the blocks in this chunk" would not be
//! bounded). Several frames back to back and skippable frames are accepted (RFC 8878; both seen
//! in layers), each frame's checksum is verified, and a window over [`MAX_WINDOW`] is refused
//! before anything is allocated for it.

use std::io::{self, Write};

use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// The largest window accepted: libzstd's default limit (`ZSTD_WINDOWLOG_LIMIT_DEFAULT` = 27).
pub(crate) const MAX_WINDOW: u64 = 1 << 27;
/// The largest frame header: magic, descriptor, window, dictionary ID, content size.
const MAX_FRAME_HEADER: usize = 18;
const BLOCK_HEADER: usize = 3;
const CHECKSUM: usize = 4;

/// A decoding error, as `io::Error`.
fn invalid(e: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Where the stream stands between pushes.
#[derive(Clone, Copy)]
enum Position {
    /// Expecting a frame or a skippable frame.
    FrameStart,
    /// Inside a frame; `checksum` says whether it ends with a 4-byte checksum.
    InFrame { checksum: bool },
    /// Inside a skippable frame, with this many bytes to skip.
    Skipping(u64),
}

/// Decompresses zstd pushed in chunks into `W`.
pub(crate) struct ZstdDecoder<W: Write> {
    decoder: FrameDecoder,
    input: Vec<u8>,
    position: Position,
    frames: usize,
    sink: W,
}

impl<W: Write> ZstdDecoder<W> {
    pub(crate) fn new(sink: W) -> Self {
        let mut decoder = FrameDecoder::new();
        decoder.set_max_window_size(MAX_WINDOW);
        Self { decoder, input: Vec::new(), position: Position::FrameStart, frames: 0, sink }
    }

    /// The sink.
    pub(crate) fn sink(&self) -> &W {
        &self.sink
    }

    /// Pushes compressed bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.input.extend_from_slice(chunk);
        self.drain(false)
    }

    /// Ends the stream and returns the sink.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.drain(true)?;
        match self.position {
            Position::FrameStart if self.input.is_empty() && self.frames > 0 => Ok(self.sink),
            Position::FrameStart if self.frames == 0 && self.input.is_empty() => Err(invalid("no zstd frame")),
            _ => Err(invalid("the zstd stream is truncated")),
        }
    }

    fn drain(&mut self, at_end: bool) -> io::Result<()> {
        // Taken out so `step` can borrow `self` mutably while reading it.
        let mut input = std::mem::take(&mut self.input);
        let mut pos = 0;
        let result = loop {
            match self.step(&input[pos..], at_end) {
                Ok(Some(used)) => pos += used,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        input.drain(..pos);
        self.input = input;
        result
    }

    /// Consumes one unit (a frame header, a block, part of a skippable frame) from `available`;
    /// `None` when more input is needed.
    fn step(&mut self, available: &[u8], at_end: bool) -> io::Result<Option<usize>> {
        match self.position {
            Position::Skipping(left) => {
                if available.is_empty() {
                    return Ok(None);
                }
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(available.len());
                let left = left - n as u64;
                self.position = if left == 0 { Position::FrameStart } else { Position::Skipping(left) };
                Ok(Some(n))
            }
            Position::FrameStart => {
                if available.is_empty() || (available.len() < MAX_FRAME_HEADER && !at_end) {
                    return Ok(None);
                }
                if available.len() >= 8 && available[0] & 0xf0 == 0x50 && available[1..4] == [0x2a, 0x4d, 0x18] {
                    let len = u32::from_le_bytes([available[4], available[5], available[6], available[7]]);
                    self.position = Position::Skipping(u64::from(len));
                    return Ok(Some(8));
                }
                let mut header = available;
                self.decoder.reset(&mut header).map_err(invalid)?;
                // Frame header descriptor, bit 2: the frame ends with a content checksum.
                let checksum = available.get(4).is_some_and(|d| d & 0b100 != 0);
                self.position = Position::InFrame { checksum };
                Ok(Some(available.len() - header.len()))
            }
            Position::InFrame { checksum } => {
                if available.len() < BLOCK_HEADER {
                    return Ok(None);
                }
                let header = u32::from(available[0]) | u32::from(available[1]) << 8 | u32::from(available[2]) << 16;
                let last = header & 1 == 1;
                let kind = (header >> 1) & 3;
                // ok: a 21-bit size always fits a usize
                let size = (header >> 3) as usize;
                let body = if kind == 1 { 1 } else { size };
                let need = BLOCK_HEADER + body + if last && checksum { CHECKSUM } else { 0 };
                if available.len() < need {
                    return Ok(None);
                }
                let mut block = &available[..need];
                self.decoder.decode_blocks(&mut block, BlockDecodingStrategy::UptoBlocks(1)).map_err(invalid)?;
                // The sink's own errors pass through as they are, for the caller to read.
                self.decoder.collect_to_writer(&mut self.sink)?;
                if last {
                    self.end_frame()?;
                }
                Ok(Some(need))
            }
        }
    }

    fn end_frame(&mut self) -> io::Result<()> {
        if let (Some(stored), Some(computed)) = (self.decoder.get_checksum_from_data(), self.decoder.get_calculated_checksum()) {
            if stored != computed {
                return Err(invalid(format!("zstd frame {} has a bad checksum", self.frames)));
            }
        }
        self.frames += 1;
        self.position = Position::FrameStart;
        Ok(())
    }
}
