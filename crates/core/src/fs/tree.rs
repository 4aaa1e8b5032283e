//! A file tree for browsing: each directory's children and sizes, flattened into the rows a
//! list shows (only the expanded directories' contents), sorted by name or size, or filtered by
//! a search.

use std::collections::{HashMap, HashSet};

use super::merged::MergedFs;
use crate::tar::EntryKind;

/// How rows are ordered among siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Directories first, then by name.
    #[default]
    Name,
    /// Largest first (a directory counts its contents).
    Size,
}

/// One visible row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The root-relative path.
    pub path: String,
    /// The last path component.
    pub name: String,
    /// How deep it is (0 = a child of the root).
    pub depth: usize,
    /// True for a directory.
    pub is_dir: bool,
    /// A file's size, or the total size of a directory's files.
    pub size: u64,
}

/// The tree of a [`MergedFs`], indexed for browsing.
#[derive(Debug, Default)]
pub struct Tree {
    /// Children of each directory (`""` is the root), in name order.
    children: HashMap<String, Vec<String>>,
    /// File sizes, and for directories the total of their files.
    sizes: HashMap<String, u64>,
    dirs: HashSet<String>,
}

impl Tree {
    /// Indexes a filesystem: one pass over its nodes (already in path order).
    pub fn new(fs: &MergedFs) -> Self {
        let mut tree = Self::default();
        for (path, node) in fs.nodes() {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            tree.children.entry(parent.to_owned()).or_default().push(path.clone());
            let size = if node.entry.kind == EntryKind::File { node.entry.size } else { 0 };
            if node.entry.kind == EntryKind::Directory {
                tree.dirs.insert(path.clone());
            }
            tree.sizes.insert(path.clone(), size);
            // Add the file's size to every ancestor.
            let mut dir = parent;
            while !dir.is_empty() && size > 0 {
                *tree.sizes.entry(dir.to_owned()).or_default() += size;
                dir = dir.rsplit_once('/').map_or("", |(p, _)| p);
            }
        }
        tree
    }

    fn row(&self, path: &str, depth: usize) -> Row {
        Row {
            path: path.to_owned(),
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
            depth,
            is_dir: self.dirs.contains(path),
            size: self.sizes.get(path).copied().unwrap_or(0),
        }
    }

    fn sorted(&self, dir: &str, sort: SortBy) -> Vec<&String> {
        let mut kids: Vec<&String> = self.children.get(dir).map(|k| k.iter().collect()).unwrap_or_default();
        match sort {
            SortBy::Name => kids.sort_by_key(|p| (!self.dirs.contains(*p), p.rsplit('/').next().unwrap_or(p).to_owned())),
            SortBy::Size => kids.sort_by(|a, b| self.sizes.get(*b).cmp(&self.sizes.get(*a)).then_with(|| a.cmp(b))),
        }
        kids
    }

    /// The rows of the root and of every expanded directory beneath, depth first.
    pub fn visible(&self, expanded: &HashSet<String>, sort: SortBy) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut stack: Vec<(&String, usize)> = self.sorted("", sort).into_iter().rev().map(|p| (p, 0)).collect();
        while let Some((path, depth)) = stack.pop() {
            rows.push(self.row(path, depth));
            if expanded.contains(path) {
                stack.extend(self.sorted(path, sort).into_iter().rev().map(|p| (p, depth + 1)));
            }
        }
        rows
    }

    /// Every path containing `needle` (case-insensitive), as a flat list in path order.
    pub fn search(&self, needle: &str) -> Vec<Row> {
        let needle = needle.to_lowercase();
        let mut hits: Vec<&String> = self.sizes.keys().filter(|p| p.to_lowercase().contains(&needle)).collect();
        hits.sort();
        hits.into_iter().map(|p| self.row(p, 0)).collect()
    }

    /// The total size of the files under `dir` (`""` for all).
    pub fn size(&self, path: &str) -> u64 {
        if path.is_empty() {
            self.children.get("").map_or(0, |k| k.iter().map(|c| self.sizes.get(c).copied().unwrap_or(0)).sum())
        } else {
            self.sizes.get(path).copied().unwrap_or(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tar::Entry;

    fn e(path: &str, kind: EntryKind, size: u64) -> Entry {
        Entry { path: path.into(), kind, size, mode: 0o644, uid: 0, gid: 0, mtime: 0, link: None, data_offset: 0, data_len: size, sparse: None }
    }

    #[test]
    fn flattens_expanded_directories_and_sizes_them() {
        let layer = [e("b", EntryKind::Directory, 0), e("b/big", EntryKind::File, 90), e("a", EntryKind::File, 5), e("b/c", EntryKind::Directory, 0), e("b/c/x", EntryKind::File, 10)];
        let (fs, _) = MergedFs::of_layers([&layer[..]]);
        let tree = Tree::new(&fs);
        let names = |rows: Vec<Row>| rows.into_iter().map(|r| (r.path, r.depth, r.size)).collect::<Vec<_>>();
        assert_eq!(names(tree.visible(&HashSet::new(), SortBy::Name)), [("b".into(), 0, 100), ("a".into(), 0, 5)]);
        let open: HashSet<String> = ["b".to_owned()].into();
        assert_eq!(
            names(tree.visible(&open, SortBy::Size)),
            [("b".into(), 0, 100), ("b/big".into(), 1, 90), ("b/c".into(), 1, 10), ("a".into(), 0, 5)]
        );
        assert_eq!(names(tree.search("X")), [("b/c/x".into(), 0, 10)]);
        assert_eq!(tree.size(""), 105);
    }
}
