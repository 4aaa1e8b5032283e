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
        let long = path.len() > 100 || link.is_some_and(|l| l.len() > 100);
        if long {
            let mut records = pax_record("path", path);
            if let Some(l) = link {
                records.push_str(&pax_record("linkpath", l));
            }
            self.raw(&header("././@PaxHeader", b'x', records.len() as u64, 0o644, None), records.as_bytes());
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
        let short = |s: &str| if s.len() > 100 { s[..100].to_owned() } else { s.to_owned() };
        let block = header(&short(path), flag, data.len() as u64, mode, link.map(short).as_deref());
        self.raw(&block, data);
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
    let mut h = [0u8; 512];
    let put = |h: &mut [u8; 512], at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut h, 0, &name.as_bytes()[..name.len().min(100)]);
    put(&mut h, 100, format!("{mode:07o}\0").as_bytes());
    put(&mut h, 108, b"0000000\0");
    put(&mut h, 116, b"0000000\0");
    put(&mut h, 124, format!("{size:011o}\0").as_bytes());
    put(&mut h, 136, b"00000000000\0");
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
