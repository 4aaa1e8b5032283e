//! A change set over an image, as an edit session records it: files written, paths deleted,
//! modes changed, and config changes in `docker commit -c` syntax.
//!
//! Every path is checked before it is accepted: root-relative, no `..`, no NUL, not under a
//! symlink (the write would go wherever the link points), not inside a directory this change
//! deletes.

use std::collections::{BTreeMap, BTreeSet};

use crate::fs::{clean, MergedFs};
use crate::tar::EntryKind;

/// What is written at a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NewEntry {
    /// A regular file; its bytes are fetched by key when the layer is built.
    File {
        /// Where the session keeps the bytes (a key of the caller's).
        content: String,
        /// Size in bytes.
        size: u64,
    },
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink(String),
}

/// A write, with its mode.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Write {
    /// What is written.
    pub entry: NewEntry,
    /// Permission bits.
    pub mode: u32,
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// `..`, an absolute escape, NUL, an empty name.
    #[error("`{0}` is not a valid path in the image (no `..`, no NUL, not the root)")]
    BadPath(String),
    /// A name (the last component) with `/` or NUL, or `.`/`..`.
    #[error("`{0}` is not a valid file name")]
    BadName(String),
    /// A parent is a symlink.
    #[error("`{path}` is under the symlink `{link}` (→ `{target}`): change the link's target instead")]
    UnderSymlink {
        /// The path asked for.
        path: String,
        /// The link on the way.
        link: String,
        /// Where it points.
        target: String,
    },
    /// A parent is a file.
    #[error("`{path}` is under `{parent}`, which is a file")]
    UnderFile {
        /// The path asked for.
        path: String,
        /// The file on the way.
        parent: String,
    },
    /// A parent is deleted by this change set.
    #[error("`{path}` is inside `{deleted}`, which this change deletes")]
    UnderDeleted {
        /// The path asked for.
        path: String,
        /// The deleted directory.
        deleted: String,
    },
    /// There is nothing at the path.
    #[error("`{0}` does not exist")]
    Missing(String),
    /// Over the size limit of an added file.
    #[error("`{path}` is {size} bytes, over the limit of {limit} bytes for a file added in the browser")]
    TooBig {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// [`MAX_FILE_BYTES`].
        limit: u64,
    },
}

/// The largest file an edit may add.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// An edit session's changes, kept sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeSet {
    /// Paths written (added or replaced).
    pub writes: BTreeMap<String, Write>,
    /// Lower paths deleted (whole subtrees).
    pub deletes: BTreeSet<String>,
    /// New permission bits of existing paths.
    pub modes: BTreeMap<String, u32>,
    /// Config changes, each a `docker commit -c` instruction (`ENV A=b`, `CMD ["sh"]`).
    pub config: Vec<String>,
}

/// A path as the image's root-relative key, or an error for anything that could escape.
pub fn image_path(path: &str) -> Result<String, ChangeError> {
    if path.contains('\0') {
        return Err(ChangeError::BadPath(crate::text::clip(path, 200)));
    }
    let cleaned = clean(&format!("/{path}"));
    let rel = cleaned.trim_start_matches('/');
    if rel.is_empty() || path.split('/').any(|c| c == "..") {
        return Err(ChangeError::BadPath(crate::text::clip(path, 200)));
    }
    Ok(rel.to_owned())
}

/// A single file name: no `/`, no NUL, not `.` or `..`, not empty.
pub fn file_name(name: &str) -> Result<&str, ChangeError> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(ChangeError::BadName(crate::text::clip(name, 200)));
    }
    Ok(name)
}

impl ChangeSet {
    /// The entry at `path` after this change set, over `base`: `None` when absent.
    fn kind_at(&self, base: &MergedFs, path: &str) -> Option<EntryKind> {
        if let Some(w) = self.writes.get(path) {
            return Some(match w.entry {
                NewEntry::File { .. } => EntryKind::File,
                NewEntry::Directory => EntryKind::Directory,
                NewEntry::Symlink(_) => EntryKind::Symlink,
            });
        }
        if self.deletes.iter().any(|d| path == d || path.starts_with(&format!("{d}/"))) {
            return None;
        }
        base.get(path).map(|n| n.entry.kind)
    }

    /// Checks every parent of `path`: each must be a directory (or absent, to be created), and
    /// none a symlink or deleted.
    fn check_parents(&self, base: &MergedFs, path: &str) -> Result<(), ChangeError> {
        let mut parent = String::new();
        for component in path.split('/').take(path.split('/').count() - 1) {
            parent = if parent.is_empty() { component.to_owned() } else { format!("{parent}/{component}") };
            if let Some(d) = self.deletes.iter().find(|d| parent == **d || parent.starts_with(&format!("{d}/"))) {
                if !self.writes.contains_key(&parent) {
                    return Err(ChangeError::UnderDeleted { path: path.to_owned(), deleted: d.clone() });
                }
            }
            match self.kind_at(base, &parent) {
                Some(EntryKind::Symlink) => {
                    let target = base.get(&parent).and_then(|n| n.entry.link.clone()).unwrap_or_default();
                    return Err(ChangeError::UnderSymlink { path: path.to_owned(), link: parent, target });
                }
                Some(EntryKind::Directory) | None => {}
                Some(_) => return Err(ChangeError::UnderFile { path: path.to_owned(), parent }),
            }
        }
        Ok(())
    }

    /// Writes a file, directory or link at `path`.
    ///
    /// # Errors
    /// [`ChangeError`] for a path that is invalid, under a symlink, a file or a deleted directory.
    pub fn write(&mut self, base: &MergedFs, path: &str, entry: NewEntry, mode: u32) -> Result<(), ChangeError> {
        let path = image_path(path)?;
        if let NewEntry::File { size, .. } = &entry {
            if *size > MAX_FILE_BYTES {
                return Err(ChangeError::TooBig { path, size: *size, limit: MAX_FILE_BYTES });
            }
        }
        self.check_parents(base, &path)?;
        self.writes.insert(path, Write { entry, mode: mode & 0o7777 });
        Ok(())
    }

    /// Deletes `path` and everything under it.
    ///
    /// # Errors
    /// [`ChangeError`] for an invalid path or one that does not exist.
    pub fn delete(&mut self, base: &MergedFs, path: &str) -> Result<(), ChangeError> {
        let path = image_path(path)?;
        if self.kind_at(base, &path).is_none() {
            return Err(ChangeError::Missing(path));
        }
        self.check_parents(base, &path)?;
        let prefix = format!("{path}/");
        self.writes.retain(|p, _| *p != path && !p.starts_with(&prefix));
        self.modes.retain(|p, _| *p != path && !p.starts_with(&prefix));
        if base.get(&path).is_some() {
            self.deletes.insert(path);
        }
        Ok(())
    }

    /// Changes the permission bits of an existing path.
    ///
    /// # Errors
    /// [`ChangeError`] for an invalid or missing path.
    pub fn chmod(&mut self, base: &MergedFs, path: &str, mode: u32) -> Result<(), ChangeError> {
        let path = image_path(path)?;
        if self.kind_at(base, &path).is_none() {
            return Err(ChangeError::Missing(path));
        }
        match self.writes.get_mut(&path) {
            Some(w) => w.mode = mode & 0o7777,
            None => {
                self.modes.insert(path, mode & 0o7777);
            }
        }
        Ok(())
    }

    /// True when nothing changes in the filesystem or the config.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.deletes.is_empty() && self.modes.is_empty() && self.config.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tar::Entry;

    fn base() -> MergedFs {
        let e = |path: &str, kind, link: Option<&str>| Entry { path: path.into(), kind, size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, link: link.map(Into::into), data_offset: 0, data_len: 0, sparse: None };
        let layer = [e("etc", EntryKind::Directory, None), e("etc/hosts", EntryKind::File, None), e("link", EntryKind::Symlink, Some("/etc")), e("rel", EntryKind::Symlink, Some("etc"))];
        MergedFs::of_layers([&layer[..]]).0
    }

    fn file() -> NewEntry {
        NewEntry::File { content: "k".into(), size: 1 }
    }

    #[test]
    fn refuses_paths_that_could_escape_or_make_no_sense() -> Result<(), ChangeError> {
        let (fs, mut c) = (base(), ChangeSet::default());
        for bad in ["../x", "a/../../x", "", "/", "a\0b"] {
            assert!(matches!(c.write(&fs, bad, file(), 0o644), Err(ChangeError::BadPath(_))), "{bad:?}");
        }
        assert!(matches!(c.write(&fs, "link/x", file(), 0o644), Err(ChangeError::UnderSymlink { .. })));
        assert!(matches!(c.write(&fs, "rel/x", file(), 0o644), Err(ChangeError::UnderSymlink { .. })));
        assert!(matches!(c.write(&fs, "etc/hosts/x", file(), 0o644), Err(ChangeError::UnderFile { .. })));
        c.delete(&fs, "etc")?;
        assert!(matches!(c.write(&fs, "etc/new", file(), 0o644), Err(ChangeError::UnderDeleted { .. })));
        assert!(matches!(c.delete(&fs, "nope"), Err(ChangeError::Missing(_))));
        assert!(file_name("a/b").is_err() && file_name("..").is_err() && file_name("ok.txt").is_ok());
        let huge = NewEntry::File { content: "k".into(), size: MAX_FILE_BYTES + 1 };
        assert!(matches!(c.write(&fs, "big", huge, 0o644), Err(ChangeError::TooBig { .. })));
        Ok(())
    }

    #[test]
    fn absolute_paths_are_taken_from_the_root() -> Result<(), ChangeError> {
        let (fs, mut c) = (base(), ChangeSet::default());
        c.write(&fs, "/opt/app/run.sh", file(), 0o755)?;
        assert!(c.writes.contains_key("opt/app/run.sh"));
        Ok(())
    }
}
