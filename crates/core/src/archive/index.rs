//! The table of contents of an archive, built by walking its tar headers.

use std::collections::HashMap;

use super::{ArchiveError, ArchiveSource};
use crate::tar::{Entry, EntryKind, Need, TarWalker};

/// How many bytes are read at once while walking headers: small entries (configs, `json`,
/// `VERSION`) are then walked without a read per header.
const READ_AHEAD: usize = 64 * 1024;
/// Links followed when resolving a path: dockerd extracts the archive and opens its files, so the
/// kernel follows links, up to its limit (`MAXSYMLINKS`, 40). Old `docker save` writes one hop
/// for shared layers.
const MAX_LINK_HOPS: usize = 40;

/// Every entry of an archive by cleaned path; the last of two same-named entries wins, as when
/// dockerd extracts the archive (control files too: dockerd 20.10 loads the last
/// `manifest.json`).
pub struct ArchiveIndex {
    entries: HashMap<String, Entry>,
    /// Paths in archive order, for messages.
    order: Vec<String>,
}

/// A regular file found by [`ArchiveIndex::locate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The cleaned path of the file (after links).
    pub path: String,
    /// Where its data starts.
    pub offset: u64,
    /// Its length.
    pub len: u64,
}

impl ArchiveIndex {
    /// Walks every header of a plain tar archive, reading only headers and extensions.
    ///
    /// # Errors
    /// [`ArchiveError`] when the tar is broken.
    pub async fn build<S: ArchiveSource>(source: &S) -> Result<Self, ArchiveError> {
        let len = source.len();
        let mut walker = TarWalker::new();
        let mut window = Window::default();
        let mut index = Self { entries: HashMap::new(), order: Vec::new() };
        loop {
            match walker.need() {
                Need::Done => break,
                Need::Header { at } if at >= len => walker.on_eof(len)?,
                Need::Header { at } => {
                    let block = window.read(source, at, 512).await?;
                    if block.len() < 512 {
                        walker.on_eof(len)?;
                    } else if let Some(entry) = walker.on_header(&block)? {
                        index.insert(entry);
                    }
                }
                Need::Extension { at, len: n } => {
                    let data = window.read(source, at, n).await?;
                    if data.len() < n {
                        walker.on_eof(len)?;
                    }
                    if let Some(entry) = walker.on_extension(&data)? {
                        index.insert(entry);
                    }
                }
                Need::Skip { to, .. } if to > len => walker.on_eof(len)?,
                Need::Skip { .. } => walker.on_skipped(),
            }
        }
        Ok(index)
    }

    /// An index of entries read some other way (a compressed archive, streamed).
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Self {
        let mut index = Self { entries: HashMap::new(), order: Vec::new() };
        for e in entries {
            index.insert(e);
        }
        index
    }

    fn insert(&mut self, entry: Entry) {
        let path = clean_path(&entry.path);
        if path.is_empty() {
            return;
        }
        if self.entries.insert(path.clone(), entry).is_none() {
            self.order.push(path);
        }
    }

    /// True when the archive has an entry at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(&clean_path(path))
    }

    /// The regular file at `path`, following at most [`MAX_LINK_HOPS`] symlinks or hard links.
    /// Link targets are looked up among the archive's own entries and nowhere else.
    ///
    /// # Errors
    /// [`ArchiveError::Missing`] when there is no such entry, [`ArchiveError::BadLink`] for a
    /// loop or too many hops.
    pub fn locate(&self, path: &str, wanted_by: &str) -> Result<Located, ArchiveError> {
        let mut current = clean_path(path);
        for _ in 0..=MAX_LINK_HOPS {
            let Some(entry) = self.entries.get(&current) else {
                return Err(ArchiveError::Missing { path: crate::text::clip(path, 200), wanted_by: wanted_by.to_owned() });
            };
            match (entry.kind, &entry.link) {
                (EntryKind::File, _) if entry.sparse.is_some() => return Err(ArchiveError::SparseMember(crate::text::clip(&current, 200))),
                (EntryKind::File, _) => {
                    return Ok(Located { path: current, offset: entry.data_offset, len: entry.data_len });
                }
                // An absolute target is taken from the archive root, as docker's classic load
                // resolves it (`FollowSymlinkInScope`); a relative one from the link's folder.
                (EntryKind::Symlink, Some(target)) if target.starts_with('/') => current = clean_path(target),
                (EntryKind::Symlink, Some(target)) => {
                    let dir = current.rsplit_once('/').map_or("", |(d, _)| d);
                    current = clean_path(&format!("{dir}/{target}"));
                }
                (EntryKind::Hardlink, Some(target)) => current = clean_path(target),
                _ => break,
            }
        }
        Err(ArchiveError::BadLink(crate::text::clip(path, 200)))
    }

    /// The top-level folders, sorted (a pre-1.10 `docker save` has one per v1 image; dockerd
    /// reads them in this order).
    pub fn top_level_dirs(&self) -> Vec<String> {
        let mut dirs: Vec<String> = self
            .order
            .iter()
            .filter_map(|p| match p.split_once('/') {
                Some((top, _)) => Some(top.to_owned()),
                None => (self.entries.get(p).map(|e| e.kind) == Some(EntryKind::Directory)).then(|| p.clone()),
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    /// A short list of the archive's top-level names, for "this is not an image" messages.
    pub fn summary(&self) -> String {
        let mut tops: Vec<&str> = Vec::new();
        for p in &self.order {
            let top = p.split('/').next().unwrap_or(p);
            if !tops.contains(&top) {
                tops.push(top);
            }
        }
        let shown: Vec<String> = tops.iter().take(5).map(|t| format!("`{}`", crate::text::clip(t, 60))).collect();
        match tops.len() {
            0 => "no files".to_owned(),
            n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
            _ => shown.join(", "),
        }
    }
}

/// A path as a lookup key: `.` and empty components dropped, `..` applied without ever leaving
/// the root (so `../x` and `/x` are both `x`). Never resolved against anything but the index.
pub fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// A read-ahead buffer over the source.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    async fn read<S: ArchiveSource>(&mut self, source: &S, at: u64, len: usize) -> Result<Vec<u8>, ArchiveError> {
        let end = at + len as u64;
        let covered = at >= self.start && end <= self.start + self.bytes.len() as u64;
        if !covered {
            self.start = at;
            self.bytes = source.read_at(at, len.max(READ_AHEAD)).await?;
        }
        let from = usize::try_from(at - self.start).unwrap_or(usize::MAX).min(self.bytes.len());
        let to = from.saturating_add(len).min(self.bytes.len());
        Ok(self.bytes[from..to].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_never_climbs_out_of_the_root() {
        assert_eq!(clean_path("./manifest.json"), "manifest.json");
        assert_eq!(clean_path("../../etc/passwd"), "etc/passwd");
        assert_eq!(clean_path("/a//b/./c/"), "a/b/c");
        assert_eq!(clean_path("abc/../def.tar"), "def.tar");
    }
}
