//! Writing tar archives: deterministic ustar headers (long names as PAX records), for layers the
//! app builds and for tests that need archives of a precise shape.

use super::EntryKind;

/// Builds a tar archive in memory.
#[derive(Default)]
pub struct TarWriter {
    out: Vec<u8>,
}

impl TarWriter {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a regular file.
    pub fn file(&mut self, path: &str, data: &[u8], mode: u32) -> &mut Self {
        self.entry(path, EntryKind::File, data, mode, None)
    }

    /// Appends a directory.
    pub fn dir(&mut self, path: &str) -> &mut Self {
        self.entry(path, EntryKind::Directory, &[], 0o755, None)
    }

    /// Appends a symbolic link.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.entry(path, EntryKind::Symlink, &[], 0o777, Some(target))
    }

    /// Appends an entry; a path or link over 100 bytes gets a PAX header first.
    pub fn entry(&mut self, path: &str, kind: EntryKind, data: &[u8], mode: u32, link: Option<&str>) -> &mut Self {
        self.out.extend(headers(path, kind, data.len() as u64, link, Meta { mode, ..Meta::default() }));
        self.out.extend_from_slice(data);
        self.out.extend(std::iter::repeat_n(0, padding(data.len() as u64)));
        self
    }

    /// Appends a header block and its data, padded to 512 bytes.
    pub fn raw(&mut self, block: &[u8; 512], data: &[u8]) -> &mut Self {
        self.out.extend_from_slice(block);
        self.out.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.out.extend(std::iter::repeat_n(0, pad));
        self
    }

    /// The archive with its two end-of-archive blocks.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        out.extend_from_slice(&[0; 1024]);
        out
    }
}

/// The largest size a ustar header's 11 octal digits hold; larger sizes go in a PAX record.
const MAX_USTAR_SIZE: u64 = 0o777_7777_7777;

/// What a header says of an entry besides its name, type, size and link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Meta {
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
}

/// The header blocks of an entry: a PAX header first when the path or link is over 100 bytes
/// (or not ASCII), then the ustar header.
pub fn headers(path: &str, kind: EntryKind, size: u64, link: Option<&str>, meta: Meta) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    let long = |s: &str| s.len() > 100 || !s.is_ascii();
    let big = size > MAX_USTAR_SIZE;
    if long(path) || link.is_some_and(long) || big {
        let mut records = pax_record("path", path);
        if let Some(l) = link {
            records.push_str(&pax_record("linkpath", l));
        }
        if big {
            records.push_str(&pax_record("size", &size.to_string()));
        }
        let pax = Meta { mode: 0o644, ..meta };
        out.extend_from_slice(&header_at("././@PaxHeader", b'x', records.len() as u64, None, pax));
        out.extend_from_slice(records.as_bytes());
        out.extend(std::iter::repeat_n(0, padding(records.len() as u64)));
    }
    let flag = match kind {
        EntryKind::File => b'0',
        EntryKind::Hardlink => b'1',
        EntryKind::Symlink => b'2',
        EntryKind::CharDevice => b'3',
        EntryKind::BlockDevice => b'4',
        EntryKind::Directory => b'5',
        EntryKind::Fifo => b'6',
    };
    let short = |s: &str| s.char_indices().take_while(|(i, c)| i + c.len_utf8() <= 100).map(|(_, c)| c).collect::<String>();
    out.extend_from_slice(&header_at(&short(path), flag, if big { 0 } else { size }, link.map(short).as_deref(), meta));
    out
}

/// The zero bytes that pad `size` bytes of data to a 512-byte block.
pub fn padding(size: u64) -> usize {
    // ok: the remainder of a division by 512 fits any integer type
    ((512 - size % 512) % 512) as usize
}

fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len = format!("{len}").len() + body.len();
    }
    format!("{len}{body}")
}

/// A ustar header block with a valid checksum; mtime 0, owner 0:0.
pub fn header(name: &str, typeflag: u8, size: u64, mode: u32, link: Option<&str>) -> [u8; 512] {
    header_at(name, typeflag, size, link, Meta { mode, ..Meta::default() })
}

/// A ustar header block with a valid checksum; owner, mode and mtime from `meta` (each clipped
/// to what its octal field holds).
pub fn header_at(name: &str, typeflag: u8, size: u64, link: Option<&str>, meta: Meta) -> [u8; 512] {
    let Meta { mode, uid, gid, mtime } = meta;
    let mut h = [0u8; 512];
    let put = |h: &mut [u8; 512], at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut h, 0, &name.as_bytes()[..name.len().min(100)]);
    put(&mut h, 100, format!("{:07o}\0", mode & 0o7777777).as_bytes());
    put(&mut h, 108, format!("{:07o}\0", uid.min(0o7777777)).as_bytes());
    put(&mut h, 116, format!("{:07o}\0", gid.min(0o7777777)).as_bytes());
    put(&mut h, 124, format!("{:011o}\0", size.min(MAX_USTAR_SIZE)).as_bytes());
    put(&mut h, 136, format!("{:011o}\0", mtime.min(0o77777777777)).as_bytes());
    h[156] = typeflag;
    if let Some(l) = link {
        put(&mut h, 157, &l.as_bytes()[..l.len().min(100)]);
    }
    put(&mut h, 257, b"ustar\0");
    put(&mut h, 263, b"00");
    put(&mut h, 148, b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put(&mut h, 148, format!("{sum:06o}\0 ").as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tar::{TarEvent, TarStream};

    #[test]
    fn what_it_writes_reads_back_with_long_names() -> Result<(), crate::tar::TarError> {
        let long = format!("{}/file.txt", "d".repeat(120));
        let tar = TarWriter::new().dir("etc").file("etc/a", b"hello", 0o644).file(&long, b"x", 0o600).symlink("l", "etc/a").finish();
        let mut entries = Vec::new();
        let mut s = TarStream::new();
        for chunk in tar.chunks(7) {
            s.feed(chunk, &mut |e| {
                if let TarEvent::Entry(e) = e {
                    entries.push(e);
                }
            })?;
        }
        s.finish()?;
        let names: Vec<_> = entries.iter().map(|e| (e.path.as_str(), e.kind, e.size)).collect();
        assert_eq!(names, vec![("etc", EntryKind::Directory, 0), ("etc/a", EntryKind::File, 5), (long.as_str(), EntryKind::File, 1), ("l", EntryKind::Symlink, 0)]);
        assert_eq!(entries[3].link.as_deref(), Some("etc/a"));
        Ok(())
    }
}
