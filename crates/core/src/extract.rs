//! Reading files back out of stored layer blobs: one file's bytes (to show or download it), or a
//! folder of the merged filesystem as a tar.
//!
//! A gzip or zstd stream cannot be entered midway, so a layer is decompressed from its start;
//! the entries wanted from one layer are taken in a single pass, in the order of their data in
//! the tar, and reading stops after the last of them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::archive::{ArchiveSource, SourceError};
use crate::decompress::{sink_error, PushDecoder};
use crate::fs::MergedFs;
use crate::media_type::Compression;
use crate::store::BlobBuilder;
use crate::tar::{headers, padding, Entry, EntryKind, Meta, Piece};

/// How many bytes are read from a source at a time.
const CHUNK: usize = 1024 * 1024;

/// Why bytes could not be read out of a layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The blob could not be read.
    #[error("reading the layer blob failed: {0}")]
    Read(String),
    /// The blob does not hold the entry where the layer's index says.
    #[error("the layer blob does not hold `{path}` where its index says: {reason}")]
    Broken {
        /// The entry's path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The sink refused the bytes (a size cap, a failed write).
    #[error("{0}")]
    Sink(String),
    /// A folder holds a file from a layer the image does not list.
    #[error("`{0}` comes from a layer that is not stored")]
    NoLayer(String),
}

/// Zeros handed to a sink for a sparse file's holes, this many at a time.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// The uncompressed tar stream, handing each wanted entry's content to `sink` by index: its
/// stored bytes as they pass, and a sparse file's holes as zeros between them.
struct Windows<'a> {
    /// Uncompressed bytes seen so far.
    at: u64,
    /// (index, piece) of every entry's content, in stream order.
    pieces: Vec<(usize, Piece)>,
    /// The first piece not yet handed over.
    next: usize,
    sink: &'a mut dyn FnMut(usize, &[u8]) -> io::Result<()>,
}

impl Windows<'_> {
    fn done(&self) -> bool {
        self.next >= self.pieces.len()
    }
}

impl Write for Windows<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let end = self.at + buf.len() as u64;
        while let Some(&(i, piece)) = self.pieces.get(self.next) {
            match piece {
                // Every piece before it is handed over, so its zeros come next.
                Piece::Zeros(mut n) => {
                    while n > 0 {
                        let take = usize::try_from(n).unwrap_or(ZEROS.len()).min(ZEROS.len());
                        (self.sink)(i, &ZEROS[..take])?;
                        n -= take as u64;
                    }
                }
                Piece::Stored { from, to } => {
                    if from >= end {
                        break;
                    }
                    let (a, b) = (from.max(self.at), to.min(end));
                    if a < b {
                        // ok: both offsets lie within `buf`, whose length is a usize
                        (self.sink)(i, &buf[(a - self.at) as usize..(b - self.at) as usize])?;
                    }
                    if to > end {
                        break;
                    }
                }
            }
            self.next += 1;
        }
        self.at = end;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Streams the content of `entries` (files of the one layer `source` holds, in `data_offset`
/// order) to `sink` as (index in `entries`, bytes), in one pass over the blob. A sparse file's
/// holes come as zeros.
///
/// # Errors
/// [`ExtractError`]; a sink error comes back as [`ExtractError::Sink`].
pub async fn entries_data<S: ArchiveSource>(source: &S, entries: &[&Entry], sink: &mut dyn FnMut(usize, &[u8]) -> io::Result<()>) -> Result<(), ExtractError> {
    let pieces = entries.iter().enumerate().flat_map(|(i, e)| e.pieces(u64::MAX).into_iter().map(move |p| (i, p))).collect();
    let Some(last) = entries.last() else { return Ok(()) };
    stream(source, pieces, last, sink).await
}

/// Hands `pieces` to `sink` in one pass over the blob; `last` names the entry in errors.
async fn stream<S: ArchiveSource>(source: &S, pieces: Vec<(usize, Piece)>, last: &Entry, sink: &mut dyn FnMut(usize, &[u8]) -> io::Result<()>) -> Result<(), ExtractError> {
    if pieces.is_empty() {
        return Ok(());
    }
    let broken = |reason: String| ExtractError::Broken { path: last.path.clone(), reason };
    let head = source.read_at(0, 4).await.map_err(|e: SourceError| ExtractError::Read(e.0))?;
    let windows = Windows { at: 0, pieces, next: 0, sink };
    let decode_error = |e: io::Error| sink_error::<ExtractError>(&e).unwrap_or_else(|| broken(e.to_string()));
    let mut decoder = PushDecoder::new(Compression::sniff(&head), windows);
    let mut offset = 0;
    while !decoder.sink().done() {
        if offset >= source.len() {
            // The decoder may hold the last bytes back until the stream is finished.
            if !decoder.finish().map_err(decode_error)?.done() {
                return Err(broken(format!("the blob ends before the data at offset {}", last.data_offset)));
            }
            return Ok(());
        }
        let chunk = source.read_at(offset, CHUNK).await.map_err(|e| ExtractError::Read(e.0))?;
        if chunk.is_empty() {
            return Err(ExtractError::Read(format!("the blob is shorter than its {} bytes", source.len())));
        }
        offset += chunk.len() as u64;
        decoder.push(&chunk).map_err(decode_error)?;
    }
    Ok(())
}

/// Up to `max` bytes of the file `entry` of the layer `source` holds; the bool says whether
/// that is all of it.
///
/// # Errors
/// [`ExtractError`].
pub async fn file_head<S: ArchiveSource>(source: &S, entry: &Entry, max: u64) -> Result<(Vec<u8>, bool), ExtractError> {
    let mut out = Vec::new();
    let pieces = entry.pieces(max).into_iter().map(|p| (0, p)).collect();
    stream(source, pieces, entry, &mut |_, bytes| {
        out.extend_from_slice(bytes);
        Ok(())
    })
    .await?;
    Ok((out, entry.content_len() <= max))
}

/// The layer blobs of an image, by layer index.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser, tests)")]
pub trait LayerBlobs {
    /// A blob, read by slices.
    type Source: ArchiveSource;

    /// The blob of layer `index` (0 = base).
    ///
    /// # Errors
    /// When it cannot be opened.
    async fn layer(&self, index: usize) -> Result<Self::Source, SourceError>;
}

/// The folder `dir` (`""` for the root) of `fs` as a tar, written to `out`: directories and
/// links first, in path order, then the files layer by layer in the order of their data (one
/// pass per layer). Paths are relative to the folder's parent, as `tar -C parent -c name`
/// writes them. Hard links are written as the files they name.
///
/// # Errors
/// [`ExtractError`].
pub async fn folder_tar<L: LayerBlobs, B: BlobBuilder>(fs: &MergedFs, dir: &str, blobs: &L, out: &mut B) -> Result<u64, ExtractError> {
    let base = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    let name = |path: &str| if base.is_empty() { path.to_owned() } else { path[base.len() + 1..].to_owned() };
    let top = fs.get(dir).filter(|_| !dir.is_empty()).map(|n| (dir, n));
    let nodes: Vec<(&str, &crate::fs::Node)> = top.into_iter().chain(fs.children(dir).map(|(p, n)| (p.as_str(), n))).collect();
    let mut written = 0u64;
    let mut put = |bytes: &[u8], out: &mut B| {
        written += bytes.len() as u64;
        out.append(bytes);
    };
    // Files by layer, with the entry whose data they hold (a hard link's target).
    let mut files: BTreeMap<usize, Vec<(String, Entry)>> = BTreeMap::new();
    for (path, node) in &nodes {
        let e = &node.entry;
        let meta = Meta { mode: e.mode, uid: e.uid, gid: e.gid, mtime: u64::try_from(e.mtime).unwrap_or(0) };
        match e.kind {
            EntryKind::File if e.content_len() == 0 => put(&headers(&name(path), e.kind, 0, None, meta), out),
            EntryKind::File => files.entry(node.layer).or_default().push((name(path), e.clone())),
            EntryKind::Hardlink => {
                let target = e.link.as_deref().map(crate::fs::in_root).and_then(|t| fs.get(&t));
                match target.filter(|t| t.entry.kind == EntryKind::File) {
                    Some(t) if t.entry.content_len() > 0 => files.entry(t.layer).or_default().push((name(path), Entry { mode: e.mode, ..t.entry.clone() })),
                    _ => put(&headers(&name(path), EntryKind::File, 0, None, meta), out),
                }
            }
            EntryKind::Directory | EntryKind::Symlink => put(&headers(&name(path), e.kind, 0, e.link.as_deref(), meta), out),
            // Devices and fifos carry no data; their numbers are not kept in the index.
            EntryKind::CharDevice | EntryKind::BlockDevice | EntryKind::Fifo => {}
        }
    }
    for (layer, mut list) in files {
        list.sort_by_key(|(_, e)| e.data_offset);
        let source = blobs.layer(layer).await.map_err(|e| ExtractError::NoLayer(format!("{} ({})", list.first().map_or("", |f| f.0.as_str()), e.0)))?;
        let entries: Vec<&Entry> = list.iter().map(|(_, e)| e).collect();
        let mut current: Option<usize> = None;
        let mut tail: Option<u64> = None;
        entries_data(&source, &entries, &mut |i, bytes| {
            if current != Some(i) {
                if let (Some(size), Some(_)) = (tail, current) {
                    put(&vec![0; padding(size)], out);
                }
                let (path, e) = &list[i];
                let meta = Meta { mode: e.mode, uid: e.uid, gid: e.gid, mtime: u64::try_from(e.mtime).unwrap_or(0) };
                put(&headers(path, EntryKind::File, e.content_len(), None, meta), out);
                current = Some(i);
                tail = Some(e.content_len());
            }
            put(bytes, out);
            Ok(())
        })
        .await?;
        if let Some(size) = tail {
            put(&vec![0; padding(size)], out);
        }
    }
    put(&[0; 1024], out);
    Ok(written)
}
