//! Archives compressed as a whole (`docker save | gzip`, `.tar.zst`).
//!
//! A compressed stream has no random access, so it is read twice. Pass one ([`scan`]) walks the
//! tar and keeps its JSON files (the metadata, which `docker save` writes after the blobs);
//! planning reads those. Pass two ([`stream_layers`]) decompresses again and hands each planned
//! layer's bytes, in order, to a [`LayerReader`] and to the store's blob builder. Reading twice
//! costs a second decompression but no temporary storage. A pre-1.10 archive's plan needs its
//! layers' diff_ids, so there pass two reads every `<id>/layer.tar` before planning.

use std::collections::HashMap;
use std::io::{self, Write};

use super::{ArchiveError, ArchiveIndex, ArchiveSource, Located, SourceError};
use crate::decompress::{sink_error, PushDecoder};
use crate::layer::{LayerError, LayerReader, LayerSummary};
use crate::media_type::Compression;
use crate::spec::MAX_JSON_BYTES;
use crate::store::BlobBuilder;
use crate::tar::{Entry, EntryKind, TarError, TarEvent, TarStream};

/// Bytes of the compressed file read at a time.
const READ_CHUNK: usize = 4 * 1024 * 1024;
/// The most JSON kept from pass one.
pub const MAX_METADATA_BYTES: u64 = 64 * 1024 * 1024;

/// The JSON files of a compressed archive, kept in memory, readable as an [`ArchiveSource`]
/// (by the offsets the index gives) so planning works as for a plain archive.
pub struct Metadata {
    files: HashMap<u64, Vec<u8>>,
    len: u64,
}

impl ArchiveSource for Metadata {
    type Slice = ();

    fn len(&self) -> u64 {
        self.len
    }

    async fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        match self.files.get(&offset) {
            Some(bytes) => Ok(bytes[..len.min(bytes.len())].to_vec()),
            None => Err(SourceError(format!("the file at offset {offset} of the decompressed archive is not JSON metadata"))),
        }
    }

    fn slice(&self, _offset: u64, _len: u64) -> Result<(), SourceError> {
        Err(SourceError("a compressed archive cannot be sliced".to_owned()))
    }
}

/// Pass one's sink: entries, and the files planning may read: control files and `*.json` by
/// name, other small files when they turn out to be JSON (configs and manifests under `blobs/`).
struct Scanner {
    entries: Vec<Entry>,
    files: HashMap<u64, Vec<u8>>,
    /// The file being kept, while it may still be needed.
    keeping: Option<Keeping>,
    /// Bytes kept so far, counted as they arrive.
    kept: u64,
    error: Option<ArchiveError>,
}

/// A file being kept in pass one.
struct Keeping {
    offset: u64,
    bytes: Vec<u8>,
    /// `None` while only whitespace has been seen; then whether it looks like JSON. Control
    /// files are kept whatever they hold (`Some(true)` from the start).
    json: Option<bool>,
}

/// Names planning reads whatever their content: the control files and `docker save` configs.
fn always_kept(path: &str) -> bool {
    let path = super::clean_path(path);
    matches!(path.as_str(), "manifest.json" | "index.json" | "oci-layout" | "repositories") || path.ends_with(".json")
}

impl Scanner {
    fn on_event(&mut self, event: TarEvent<'_>) {
        match event {
            TarEvent::Entry(e) => {
                self.close();
                if e.kind == EntryKind::File && e.data_len > 0 && e.data_len <= MAX_JSON_BYTES {
                    let json = always_kept(&e.path).then_some(true);
                    self.keeping = Some(Keeping { offset: e.data_offset, bytes: Vec::new(), json });
                }
                self.entries.push(e);
            }
            TarEvent::Data(bytes) => {
                let Some(k) = &mut self.keeping else { return };
                if k.json.is_none() {
                    // Only the new bytes are looked at: a long run of whitespace costs one pass.
                    k.json = bytes.iter().find(|b| !b.is_ascii_whitespace()).map(|b| *b == b'{' || *b == b'[');
                }
                if k.json == Some(false) {
                    self.kept -= k.bytes.len() as u64;
                    self.keeping = None;
                    return;
                }
                k.bytes.extend_from_slice(bytes);
                self.kept += bytes.len() as u64;
                if self.kept > MAX_METADATA_BYTES {
                    self.error.get_or_insert(ArchiveError::TooMuchMetadata(MAX_METADATA_BYTES));
                }
            }
        }
    }

    /// Keeps the file just read.
    fn close(&mut self) {
        if let Some(k) = self.keeping.take() {
            self.files.insert(k.offset, k.bytes);
        }
    }
}

impl Pass for Scanner {
    fn on_event(&mut self, event: TarEvent<'_>) {
        Scanner::on_event(self, event);
    }

    fn error(&mut self) -> &mut Option<ArchiveError> {
        &mut self.error
    }
}

/// What a pass over the decompressed archive does with its entries and their bytes.
trait Pass {
    /// Takes the next entry or the next bytes of the current entry's data.
    fn on_event(&mut self, event: TarEvent<'_>);
    /// The first problem the pass met; nothing is taken after it.
    fn error(&mut self) -> &mut Option<ArchiveError>;
}

/// The decompressor's sink: parses the stream as tar and hands the events to a pass. The parser
/// and the pass are separate fields so events go straight through, without copies.
struct TarSink<P> {
    tar: TarStream,
    pass: P,
}

impl<P: Pass> Write for TarSink<P> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = self.pass.error() {
            return Err(io::Error::other(e.clone()));
        }
        let pass = &mut self.pass;
        if let Err(e) = self.tar.feed(buf, &mut |event| pass.on_event(event)) {
            self.pass.error().get_or_insert(ArchiveError::Tar(e));
        }
        match self.pass.error() {
            Some(e) => Err(io::Error::other(e.clone())),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The sink's own error when it refused bytes (a bad tar, a broken layer), else the
/// decompressor's.
fn archive_error(format: &'static str, e: &io::Error) -> ArchiveError {
    sink_error::<ArchiveError>(e).unwrap_or_else(|| ArchiveError::Decompress { format, reason: e.to_string() })
}

/// Reads the whole compressed file through `decoder`, reporting compressed bytes read.
async fn pump<S: ArchiveSource, W: Write>(source: &S, decoder: &mut PushDecoder<W>, on_bytes: &mut dyn FnMut(u64)) -> Result<(), ArchiveError> {
    let mut offset = 0;
    while offset < source.len() {
        let chunk = source.read_at(offset, READ_CHUNK).await?;
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len() as u64;
        if let Err(e) = decoder.push(&chunk) {
            return Err(archive_error(decoder.format(), &e));
        }
        on_bytes(offset);
    }
    Ok(())
}

/// Pass one: the archive's entries (offsets in the decompressed stream) and its JSON files.
///
/// # Errors
/// [`ArchiveError`] when it does not decompress, is not a tar, or holds too much JSON.
pub async fn scan<S: ArchiveSource>(
    source: &S,
    compression: Compression,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(ArchiveIndex, Metadata), ArchiveError> {
    let scanner = Scanner { entries: Vec::new(), files: HashMap::new(), keeping: None, kept: 0, error: None };
    let mut decoder = PushDecoder::new(compression, TarSink { tar: TarStream::new(), pass: scanner });
    pump(source, &mut decoder, on_bytes).await?;
    let format = decoder.format();
    let TarSink { tar, pass: mut scanner } = decoder.finish().map_err(|e| archive_error(format, &e))?;
    scanner.close();
    if let Some(e) = scanner.error {
        return Err(e);
    }
    let len = scanner.tar_len();
    tar.finish()?;
    let index = ArchiveIndex::from_entries(scanner.entries);
    Ok((index, Metadata { files: scanner.files, len }))
}

impl Scanner {
    fn tar_len(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.data_offset + e.data_len)
    }
}

/// One layer read in pass two.
pub struct StreamedLayer<D> {
    /// What the reader found.
    pub summary: LayerSummary,
    /// The blob's data, built by the store.
    pub data: D,
}

/// Pass two's sink: routes each planned layer's bytes to its reader and blob builder.
struct Tap<'a, B: BlobBuilder> {
    new_builder: &'a dyn Fn() -> B,
    /// Planned layers by data offset, each with its path (for messages).
    wanted: HashMap<u64, String>,
    current: Option<(u64, LayerReader, B)>,
    done: HashMap<u64, StreamedLayer<B::Data>>,
    error: Option<ArchiveError>,
}

impl<B: BlobBuilder> Tap<'_, B> {
    fn finish_current(&mut self) {
        let Some((offset, reader, builder)) = self.current.take() else { return };
        match (reader.finish(), builder.finish()) {
            (Ok(summary), Ok(data)) => {
                self.done.insert(offset, StreamedLayer { summary, data });
            }
            (Err(source), _) => self.fail(offset, source),
            (_, Err(e)) => {
                self.error.get_or_insert(ArchiveError::Source(SourceError(e.to_string())));
            }
        }
    }

    fn fail(&mut self, offset: u64, source: LayerError) {
        let path = self.wanted.get(&offset).cloned().unwrap_or_default();
        self.error.get_or_insert(ArchiveError::Layer { path, source });
    }
}

impl<B: BlobBuilder> Pass for Tap<'_, B> {
    fn on_event(&mut self, event: TarEvent<'_>) {
        match event {
            TarEvent::Entry(entry) => {
                self.finish_current();
                if self.wanted.contains_key(&entry.data_offset) && !self.done.contains_key(&entry.data_offset) {
                    self.current = Some((entry.data_offset, LayerReader::new(entry.data_len), (self.new_builder)()));
                }
            }
            TarEvent::Data(bytes) => {
                if let Some((offset, reader, builder)) = &mut self.current {
                    builder.append(bytes);
                    if let Err(source) = reader.update(bytes) {
                        let offset = *offset;
                        self.current = None;
                        self.fail(offset, source);
                    }
                }
            }
        }
    }

    fn error(&mut self) -> &mut Option<ArchiveError> {
        &mut self.error
    }
}

/// Pass two: decompresses again and reads every layer asked for (the planned ones; a pre-1.10
/// archive's, which its plan needs the diff_ids of), building its blob data as it
/// goes. Returns the layers by their data offset.
///
/// # Errors
/// [`ArchiveError`] when the archive changed between passes, a layer is broken, or a planned
/// layer is not found.
pub async fn stream_layers<S: ArchiveSource, B: BlobBuilder>(
    source: &S,
    compression: Compression,
    layers: &[&Located],
    new_builder: &dyn Fn() -> B,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<HashMap<u64, StreamedLayer<B::Data>>, ArchiveError> {
    let wanted = layers.iter().map(|at| (at.offset, at.path.clone())).collect();
    let tap = Tap { wanted, current: None, new_builder, done: HashMap::new(), error: None };
    let mut decoder = PushDecoder::new(compression, TarSink { tar: TarStream::new(), pass: tap });
    pump(source, &mut decoder, on_bytes).await?;
    let format = decoder.format();
    let TarSink { pass: mut tap, .. } = decoder.finish().map_err(|e| archive_error(format, &e))?;
    tap.finish_current();
    if let Some(e) = tap.error {
        return Err(e);
    }
    for at in layers {
        if !tap.done.contains_key(&at.offset) {
            return Err(ArchiveError::Tar(TarError::Truncated { at: at.offset, needed: at.len }));
        }
    }
    Ok(tap.done)
}
