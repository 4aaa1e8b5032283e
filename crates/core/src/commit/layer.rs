//! The layer a commit writes: the change set as tar entries in path order (parent directories
//! included, deletions as whiteouts), hashed (diff_id) and gzip-compressed (blob digest) in one
//! pass into the store's blob builder.

use std::collections::BTreeMap;
use std::io::{self, Write};

use flate2::write::GzEncoder;

use crate::change::{ChangeSet, NewEntry};
use crate::digest::{Digest, Hasher};
use crate::fs::{MergedFs, WHITEOUT_PREFIX};
use crate::store::BlobBuilder;
use crate::tar::{headers, padding, Entry, EntryKind, Meta};

/// One entry of the new layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A directory (one the change set writes, re-modes, or a parent of a changed path).
    Dir {
        /// Its path.
        path: String,
        /// Mode and owner.
        meta: Meta,
    },
    /// A file whose bytes the session holds under `content`.
    File {
        /// Its path.
        path: String,
        /// Its mode.
        mode: u32,
        /// The session's key for its bytes.
        content: String,
        /// Its size.
        size: u64,
    },
    /// A symbolic link.
    Symlink {
        /// Its path.
        path: String,
        /// Its target.
        target: String,
        /// Owner (mode is always 0777).
        meta: Meta,
    },
    /// A lower layer's file (or device, fifo, hard link) written again with a new mode:
    /// copy-up, as overlayfs does on chmod.
    Lower {
        /// The entry as the lower layer has it.
        entry: Entry,
        /// Which of the base image's layers holds it (0 = base).
        layer: usize,
        /// Its new mode.
        mode: u32,
    },
    /// A whiteout (`dir/.wh.name`) deleting a lower path.
    Whiteout {
        /// The whiteout's own path.
        path: String,
    },
}

/// Mode and owner of a lower entry (the commit's mtime is set when written).
fn meta_of(entry: &Entry, mode: u32) -> Meta {
    Meta { mode, uid: entry.uid, gid: entry.gid, mtime: 0 }
}

/// The new layer's entries, in path order: what `changes` writes, whiteouts for what it
/// deletes, copies of what it re-modes, and every parent directory (with the base's mode and
/// owner when it exists there), so the layer reads as docker's own diffs do.
pub fn items(base: &MergedFs, changes: &ChangeSet) -> Vec<Item> {
    let mut out: BTreeMap<String, Item> = BTreeMap::new();
    for (path, w) in &changes.writes {
        let item = match &w.entry {
            NewEntry::File { content, size } => Item::File { path: path.clone(), mode: w.mode, content: content.clone(), size: *size },
            NewEntry::Directory => Item::Dir { path: path.clone(), meta: Meta { mode: w.mode, ..Meta::default() } },
            NewEntry::Symlink(target) => Item::Symlink { path: path.clone(), target: target.clone(), meta: Meta { mode: 0o777, ..Meta::default() } },
        };
        out.insert(path.clone(), item);
    }
    for (path, mode) in &changes.modes {
        let Some(node) = base.get(path) else { continue };
        let item = match node.entry.kind {
            EntryKind::Directory => Item::Dir { path: path.clone(), meta: meta_of(&node.entry, *mode) },
            EntryKind::Symlink => Item::Symlink { path: path.clone(), target: node.entry.link.clone().unwrap_or_default(), meta: meta_of(&node.entry, 0o777) },
            _ => Item::Lower { entry: node.entry.clone(), layer: node.layer, mode: *mode },
        };
        out.insert(path.clone(), item);
    }
    for path in &changes.deletes {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wh = if dir.is_empty() { format!("{WHITEOUT_PREFIX}{name}") } else { format!("{dir}/{WHITEOUT_PREFIX}{name}") };
        out.insert(wh.clone(), Item::Whiteout { path: wh });
    }
    let paths: Vec<String> = out.keys().cloned().collect();
    for path in paths {
        let mut parent = path.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            parent = p;
            let meta = base.get(parent).filter(|n| n.entry.kind == EntryKind::Directory).map_or(Meta { mode: 0o755, ..Meta::default() }, |n| meta_of(&n.entry, n.entry.mode & 0o7777));
            out.entry(parent.to_owned()).or_insert(Item::Dir { path: parent.to_owned(), meta });
        }
    }
    out.into_values().collect()
}

/// The compressed side: hashes the gzip bytes and hands them to the store's builder.
struct BlobSink<B> {
    hasher: Hasher,
    builder: B,
}

impl<B: BlobBuilder> Write for BlobSink<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        self.builder.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What writing a layer produced.
pub struct Written<D> {
    /// sha256 of the gzip blob.
    pub digest: Digest,
    /// Its size.
    pub blob_size: u64,
    /// sha256 of the tar.
    pub diff_id: Digest,
    /// Bytes of the tar.
    pub tar_size: u64,
    /// The sum of the entries' sizes.
    pub size: u64,
    /// The entries, as the file index keeps them.
    pub entries: Vec<Entry>,
    /// The blob, built by the store.
    pub data: D,
}

/// Writes a tar, entry by entry, through sha256 and gzip into a blob builder.
pub struct LayerWriter<B: BlobBuilder> {
    diff: Hasher,
    gz: GzEncoder<BlobSink<B>>,
    entries: Vec<Entry>,
    size: u64,
    /// The mtime of every entry: the commit's time, so a commit is a function of its inputs.
    mtime: u64,
}

impl<B: BlobBuilder> LayerWriter<B> {
    /// A writer whose blob goes to `builder`; every entry gets `mtime`.
    pub fn new(builder: B, mtime: u64) -> Self {
        let sink = BlobSink { hasher: Hasher::new(), builder };
        Self { diff: Hasher::new(), gz: GzEncoder::new(sink, flate2::Compression::default()), entries: Vec::new(), size: 0, mtime }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.diff.update(bytes);
        self.gz.write_all(bytes)
    }

    /// Starts an entry (its mtime is the writer's); a file's `size` bytes must follow through
    /// [`LayerWriter::data`] and [`LayerWriter::end_file`].
    ///
    /// # Errors
    /// When compression fails (it does not, writing to memory).
    pub fn entry(&mut self, path: &str, kind: EntryKind, size: u64, link: Option<&str>, meta: Meta) -> io::Result<()> {
        let meta = Meta { mtime: self.mtime, ..meta };
        let block = headers(path, kind, size, link, meta);
        let data_offset = self.diff.len() + block.len() as u64;
        self.put(&block)?;
        self.size += size;
        self.entries.push(Entry {
            path: path.to_owned(),
            kind,
            size,
            mode: meta.mode,
            uid: meta.uid,
            gid: meta.gid,
            mtime: i64::try_from(self.mtime).unwrap_or(0),
            link: link.map(str::to_owned),
            data_offset,
            data_len: if kind == EntryKind::File { size } else { 0 },
            sparse: None,
        });
        Ok(())
    }

    /// The next bytes of the current file.
    ///
    /// # Errors
    /// When compression fails.
    pub fn data(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.put(chunk)
    }

    /// Ends a file of `size` bytes (pads it to a block).
    ///
    /// # Errors
    /// When compression fails.
    pub fn end_file(&mut self, size: u64) -> io::Result<()> {
        self.put(&vec![0; padding(size)])
    }

    /// Ends the tar and the gzip stream.
    ///
    /// # Errors
    /// When compression or the builder fails.
    pub fn finish(mut self) -> io::Result<Written<B::Data>> {
        self.put(&[0; 1024])?;
        let tar_size = self.diff.len();
        let sink = self.gz.finish()?;
        let blob_size = sink.hasher.len();
        let data = sink.builder.finish().map_err(io::Error::other)?;
        Ok(Written { digest: sink.hasher.finish(), blob_size, diff_id: self.diff.finish(), tar_size, size: self.size, entries: self.entries, data })
    }
}
