//! The sans-IO tar state machine.

use super::header::{self, RawHeader};
use super::sparse::{self, DataMap, MapAt, SparseRecords};
use super::{padded, Entry, EntryKind, TarError, MAX_EXTENSION_BYTES, MAX_PATH_BYTES};

/// What the walker needs next. Offsets are absolute positions in the tar stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The 512-byte header block at `at`: call [`TarWalker::on_header`].
    Header {
        /// Block offset.
        at: u64,
    },
    /// `len` bytes of extension data at `at`: call [`TarWalker::on_extension`].
    Extension {
        /// Data offset.
        at: u64,
        /// Data length (at most [`MAX_EXTENSION_BYTES`]).
        len: usize,
    },
    /// The bytes `from..to` (an entry's data and padding) are not needed: skip or consume them,
    /// then call [`TarWalker::on_skipped`].
    Skip {
        /// First byte.
        from: u64,
        /// One past the last byte.
        to: u64,
    },
    /// The end-of-archive marker was read.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExtKind {
    Pax,
    PaxGlobal,
    GnuLongName,
    GnuLongLink,
    /// A block of a 1.0 sparse file's map, at the start of its data.
    SparseMap,
}

/// A 1.0 sparse file whose map is being read: the entry waits for it. Until the map is read,
/// the entry's `data_offset` and `data_len` are those of its whole data, map included.
struct MapRead {
    entry: Entry,
    map: DataMap,
}

/// Extension values waiting for the next real entry.
///
/// As in Go's `archive/tar`: a GNU long name or link wins over a PAX one whatever their order,
/// a second PAX header replaces the first, and an empty PAX value keeps the ustar field.
#[derive(Default)]
struct Pending {
    gnu_path: Option<Vec<u8>>,
    gnu_link: Option<Vec<u8>>,
    pax: Pax,
}

/// The fields a PAX header sets.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    mtime: Option<i64>,
    /// `GNU.sparse.*` records: a sparse file.
    sparse: SparseRecords,
}

/// Walks the headers of a tar stream; see the module docs of [`crate::tar`].
///
/// Invariant: `need` is always the next thing the caller must supply, and `pos` is the offset
/// where it starts.
pub struct TarWalker {
    need: Need,
    ext: Option<(ExtKind, u64)>,
    pending: Pending,
    /// Set after one zero block: the next block must be zero too.
    after_zero: bool,
    /// Where the last entry's data ends (`u64::MAX` while an extension's padding is skipped).
    data_end: u64,
    /// Set while a 1.0 sparse map is read.
    map_read: Option<MapRead>,
}

impl Default for TarWalker {
    fn default() -> Self {
        Self::new()
    }
}

impl TarWalker {
    /// A walker at the start of a stream.
    pub fn new() -> Self {
        Self { need: Need::Header { at: 0 }, ext: None, pending: Pending::default(), after_zero: false, data_end: 0, map_read: None }
    }

    /// What to supply next.
    pub fn need(&self) -> Need {
        self.need
    }

    /// Takes the header block the walker asked for. Returns the entry it describes, or `None`
    /// for extension headers, the end marker, and a sparse file whose map is in its data (the
    /// entry comes from [`TarWalker::on_extension`] once the map is read).
    ///
    /// # Errors
    /// [`TarError`] for a bad checksum, a bad number, an oversized extension or path.
    pub fn on_header(&mut self, block: &[u8]) -> Result<Option<Entry>, TarError> {
        let Need::Header { at } = self.need else { return Ok(None) };
        if block.len() != 512 {
            return Err(TarError::Truncated { at, needed: 512 });
        }
        if header::is_zero_block(block) {
            self.need = if self.after_zero { Need::Done } else { Need::Header { at: at + 512 } };
            self.after_zero = true;
            return Ok(None);
        }
        if self.after_zero {
            return Err(TarError::StrayZeroBlock(at - 512));
        }
        let raw = header::decode(block, at)?;
        let data_at = at + 512;
        let ext = match raw.typeflag {
            b'x' => Some(ExtKind::Pax),
            b'g' => Some(ExtKind::PaxGlobal),
            b'L' => Some(ExtKind::GnuLongName),
            b'K' => Some(ExtKind::GnuLongLink),
            _ => None,
        };
        if let Some(kind) = ext {
            if raw.size > MAX_EXTENSION_BYTES {
                return Err(TarError::ExtensionTooLarge { offset: at, size: raw.size });
            }
            self.ext = Some((kind, at));
            // ok: raw.size <= 1 MiB, so it fits in usize
            self.need = Need::Extension { at: data_at, len: usize::try_from(raw.size).unwrap_or(0) };
            return Ok(None);
        }
        self.entry(raw, at)
    }

    fn entry(&mut self, raw: RawHeader, at: u64) -> Result<Option<Entry>, TarError> {
        let Pending { gnu_path, gnu_link, pax } = std::mem::take(&mut self.pending);
        let size = pax.size.unwrap_or(raw.size);
        let named = gnu_path.as_deref().or(pax.path.as_deref()).unwrap_or(&raw.name);
        let bad_map = |reason: String| TarError::SparseMap { offset: at, path: crate::text::clip(&String::from_utf8_lossy(named), 200), reason };
        let sparse = pax.sparse.file(size).map_err(bad_map)?;
        // Go lets a sparse file's `GNU.sparse.name` win over every other name.
        let path = match (&sparse, &pax.sparse.name) {
            (Some(_), Some(name)) => name.clone(),
            _ => named.to_vec(),
        };
        let path_str = String::from_utf8_lossy(&path).into_owned();
        if path.len() > MAX_PATH_BYTES {
            return Err(TarError::PathTooLong { offset: at, len: path.len() });
        }
        if raw.typeflag == b'S' {
            return Err(TarError::OldGnuSparse { offset: at, path: crate::text::clip(&path_str, 200) });
        }
        // Go reads the old NUL typeflag with a name ending in `/` as a directory.
        let kind = if raw.typeflag == 0 && path.ends_with(b"/") { Some(EntryKind::Directory) } else { EntryKind::from_typeflag(raw.typeflag) };
        let Some(kind) = kind else {
            return Err(TarError::UnsupportedType {
                offset: at,
                path: crate::text::clip(&path_str, 200),
                flag: char::from(raw.typeflag),
            });
        };
        let link = gnu_link.or(pax.link).or_else(|| (!raw.linkname.is_empty()).then_some(raw.linkname));
        let data_len = if kind.is_header_only() { 0 } else { size };
        let data_at = at + 512;
        let end = padded(data_len).and_then(|p| data_at.checked_add(p)).ok_or(TarError::Overflow(at))?;
        let mut entry = Entry {
            path: path_str,
            kind,
            size,
            mode: raw.mode,
            uid: pax.uid.unwrap_or(raw.uid),
            gid: pax.gid.unwrap_or(raw.gid),
            mtime: pax.mtime.unwrap_or(raw.mtime),
            link: link.map(|l| String::from_utf8_lossy(&l).into_owned()),
            data_offset: data_at,
            data_len,
            sparse: None,
        };
        let Some(file) = sparse else {
            self.data_stored(data_at, data_len, end);
            return Ok(Some(entry));
        };
        let bad = |reason: String| TarError::SparseMap { offset: at, path: crate::text::clip(&entry.path, 200), reason };
        if kind.is_header_only() {
            return Err(bad(format!("a {kind:?} cannot be a sparse file")));
        }
        entry.size = file.realsize;
        match file.map {
            MapAt::Records(fragments) => {
                entry.sparse = Some(sparse::checked(fragments, file.realsize, data_len, at, &entry.path)?);
                self.data_stored(data_at, data_len, end);
                Ok(Some(entry))
            }
            MapAt::Data => {
                self.map_read = Some(MapRead { entry, map: DataMap::default() });
                self.next_map_block(at)?;
                Ok(None)
            }
        }
    }

    /// The entry's stored bytes are `from..from + len`, and its padding ends at `end`.
    fn data_stored(&mut self, from: u64, len: u64, end: u64) {
        self.data_end = from + len;
        self.need = if end > from { Need::Skip { from, to: end } } else { Need::Header { at: end } };
    }

    /// Asks for the next block of a 1.0 map.
    fn next_map_block(&mut self, header_at: u64) -> Result<(), TarError> {
        let Some(read) = &self.map_read else { return Ok(()) };
        if read.map.len() + 512 > read.entry.data_len {
            return Err(TarError::SparseMap { offset: header_at, path: crate::text::clip(&read.entry.path, 200), reason: "its map runs past the entry's data".into() });
        }
        self.ext = Some((ExtKind::SparseMap, header_at));
        self.need = Need::Extension { at: read.entry.data_offset + read.map.len(), len: 512 };
        Ok(())
    }

    /// Takes a block of a 1.0 map; the entry once the map is complete.
    fn on_map_block(&mut self, block: &[u8], header_at: u64) -> Result<Option<Entry>, TarError> {
        let Some(read) = &mut self.map_read else { return Ok(None) };
        let bad = |path: &str, reason: String| TarError::SparseMap { offset: header_at, path: crate::text::clip(path, 200), reason };
        let Some(fragments) = read.map.push(block).map_err(|reason| bad(&read.entry.path, reason))? else {
            return self.next_map_block(header_at).map(|()| None);
        };
        let Some(MapRead { mut entry, map }) = self.map_read.take() else { return Ok(None) };
        let end = padded(entry.data_len).map(|p| entry.data_offset + p).ok_or(TarError::Overflow(header_at))?;
        entry.data_offset += map.len();
        entry.data_len -= map.len();
        entry.sparse = Some(sparse::checked(fragments, entry.size, entry.data_len, header_at, &entry.path)?);
        self.data_stored(entry.data_offset, entry.data_len, end);
        Ok(Some(entry))
    }

    /// Takes the extension data the walker asked for. Returns the entry of a sparse file once
    /// the map at the start of its data is read.
    ///
    /// # Errors
    /// [`TarError::Pax`] for a malformed PAX record, [`TarError::SparseMap`] for a bad map.
    pub fn on_extension(&mut self, data: &[u8]) -> Result<Option<Entry>, TarError> {
        let (Need::Extension { at, len }, Some((kind, header_at))) = (self.need, self.ext.take()) else {
            return Ok(None);
        };
        if data.len() != len {
            return Err(TarError::Truncated { at, needed: len as u64 });
        }
        match kind {
            ExtKind::SparseMap => return self.on_map_block(data, header_at),
            ExtKind::GnuLongName => self.pending.gnu_path = Some(header::cstr(data).to_vec()),
            ExtKind::GnuLongLink => self.pending.gnu_link = Some(header::cstr(data).to_vec()),
            ExtKind::Pax => self.apply_pax(data, header_at)?,
            // Global headers are ignored, as containerd does: they never create entries.
            ExtKind::PaxGlobal => {}
        }
        let end = padded(len as u64).map(|p| at + p).ok_or(TarError::Overflow(header_at))?;
        let data_end = at + len as u64;
        self.data_end = u64::MAX;
        self.need = if end > data_end { Need::Skip { from: data_end, to: end } } else { Need::Header { at: end } };
        Ok(None)
    }

    /// Records of the form `"%d %s=%s\n"`, where the length counts the whole record.
    fn apply_pax(&mut self, mut data: &[u8], at: u64) -> Result<(), TarError> {
        let bad = || TarError::Pax(at);
        let mut pax = Pax::default();
        while !data.is_empty() {
            if data.iter().all(|&b| b == 0) {
                break;
            }
            let sp = data.iter().position(|&b| b == b' ').ok_or_else(bad)?;
            let len: usize = std::str::from_utf8(&data[..sp]).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            if len <= sp + 1 || len > data.len() || data[len - 1] != b'\n' {
                return Err(bad());
            }
            let record = &data[sp + 1..len - 1];
            let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
            let (key, value) = (&record[..eq], &record[eq + 1..]);
            data = &data[len..];
            if pax.sparse.take(key, value).map_err(|()| bad())? {
                continue;
            }
            if value.is_empty() {
                continue;
            }
            let number = || std::str::from_utf8(value).ok().and_then(|s| s.parse::<u64>().ok()).ok_or_else(bad);
            match key {
                b"path" => pax.path = Some(value.to_vec()),
                b"linkpath" => pax.link = Some(value.to_vec()),
                b"size" => pax.size = Some(number()?),
                b"uid" => pax.uid = Some(number()?),
                b"gid" => pax.gid = Some(number()?),
                b"mtime" => {
                    let secs = std::str::from_utf8(value).ok().and_then(|s| s.split('.').next()?.parse::<i64>().ok());
                    pax.mtime = Some(secs.ok_or_else(bad)?);
                }
                _ => {}
            }
        }
        self.pending.pax = pax;
        Ok(())
    }

    /// Confirms that the bytes of a [`Need::Skip`] were skipped or consumed.
    pub fn on_skipped(&mut self) {
        if let Need::Skip { to, .. } = self.need {
            self.need = Need::Header { at: to };
        }
    }

    /// Tells the walker the stream ended at `len`.
    ///
    /// Like Go's reader, an archive that ends where a header would start is complete even
    /// without the two zero blocks, and so is one that ends in the padding after an entry's
    /// complete data (Go's reader returns `io.EOF` there; dockerd 20.10 loads such an archive).
    ///
    /// # Errors
    /// [`TarError::Truncated`] when the stream ends inside an entry or an extension.
    pub fn on_eof(&mut self, len: u64) -> Result<(), TarError> {
        match self.need {
            Need::Header { at } if at >= len => {
                self.need = Need::Done;
                Ok(())
            }
            Need::Done => Ok(()),
            Need::Header { at } => Err(TarError::Truncated { at: len, needed: at + 512 - len }),
            Need::Extension { at, len: n } => Err(TarError::Truncated { at: len, needed: (at + n as u64).saturating_sub(len) }),
            Need::Skip { .. } if len >= self.data_end => {
                self.need = Need::Done;
                Ok(())
            }
            Need::Skip { to, .. } => Err(TarError::Truncated { at: len, needed: to.saturating_sub(len) }),
        }
    }
}
