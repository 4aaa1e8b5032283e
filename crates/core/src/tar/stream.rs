//! Feeding a [`TarWalker`] from a stream of chunks.

use super::{Entry, Need, TarError, TarWalker};

/// What a [`TarStream`] reports, in stream order.
#[derive(Debug)]
pub enum TarEvent<'a> {
    /// An entry's header (extensions applied).
    Entry(Entry),
    /// The next bytes of the last entry's data (its padding excluded).
    Data(&'a [u8]),
}

/// Parses a tar stream pushed in chunks of any size; entries and their data come out through a
/// callback.
///
/// Memory stays bounded: only a header block or an extension (≤ 1 MiB) is ever buffered; file
/// contents are passed through, not kept.
#[derive(Default)]
pub struct TarStream {
    walker: TarWalker,
    buf: Vec<u8>,
    pos: u64,
    /// Where the last entry's data ends (its padding follows).
    data_end: u64,
}

impl TarStream {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pushes the next chunk; reports each entry whose header it completes, and its data.
    ///
    /// # Errors
    /// The first [`TarError`] met; the parser must not be fed after an error.
    pub fn feed(&mut self, mut data: &[u8], on_event: &mut dyn FnMut(TarEvent<'_>)) -> Result<(), TarError> {
        while !data.is_empty() {
            match self.walker.need() {
                Need::Done => {
                    // Bytes after the end marker (padding to a record size) are hashed by the
                    // caller but not parsed, as Go's reader stops at the marker.
                    self.pos += data.len() as u64;
                    return Ok(());
                }
                Need::Skip { to, .. } => {
                    let n = usize::try_from(to - self.pos).unwrap_or(usize::MAX).min(data.len());
                    let in_data = usize::try_from(self.data_end.saturating_sub(self.pos)).unwrap_or(usize::MAX).min(n);
                    if in_data > 0 {
                        on_event(TarEvent::Data(&data[..in_data]));
                    }
                    data = &data[n..];
                    self.pos += n as u64;
                    if self.pos == to {
                        self.walker.on_skipped();
                    }
                }
                Need::Header { .. } => {
                    if let Some(block) = self.fill(&mut data, 512) {
                        if let Some(entry) = self.walker.on_header(&block)? {
                            self.data_end = entry.data_offset + entry.data_len;
                            on_event(TarEvent::Entry(entry));
                        }
                    }
                }
                Need::Extension { len, .. } => {
                    if let Some(ext) = self.fill(&mut data, len) {
                        if let Some(entry) = self.walker.on_extension(&ext)? {
                            self.data_end = entry.data_offset + entry.data_len;
                            on_event(TarEvent::Entry(entry));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Moves bytes into `buf` until it holds `want`; then returns them.
    fn fill(&mut self, data: &mut &[u8], want: usize) -> Option<Vec<u8>> {
        let n = (want - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        *data = &data[n..];
        self.pos += n as u64;
        (self.buf.len() == want).then(|| std::mem::take(&mut self.buf))
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`TarError::Truncated`] when it ends inside an entry.
    pub fn finish(mut self) -> Result<(), TarError> {
        self.walker.on_eof(self.pos)
    }
}
