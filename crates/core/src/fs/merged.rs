//! The merged filesystem of an image: layers applied in order, whiteouts and opaque
//! directories honoured as the image spec says (`layer.md`, "Whiteouts"), and what each layer
//! changed.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::path::check_entry;
use super::whiteout::{classify, Whiteout};
use crate::tar::{Entry, EntryKind};

/// A file, directory or link of the merged filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The entry as the layer wrote it.
    pub entry: Entry,
    /// Which layer (0 = base) this version comes from.
    pub layer: usize,
}

/// What a layer did to the filesystem below it (dive's "added / modified / removed").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// Paths that did not exist below.
    pub added: Vec<String>,
    /// Paths that existed below and were written again.
    pub modified: Vec<String>,
    /// Paths removed by a whiteout or an opaque directory (each removed path, children too).
    pub deleted: Vec<String>,
}

/// A version of a path that the final image does not show: overwritten or deleted by a later
/// layer, yet shipped (and downloaded) all the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waste {
    /// The path.
    pub path: String,
    /// The layer that shipped this version.
    pub layer: usize,
    /// Its size.
    pub size: u64,
    /// The layer that overwrote or deleted it.
    pub by: usize,
    /// True when the later layer deleted it (rather than overwrote it).
    pub deleted: bool,
}

/// The filesystem as it stands after some layers.
///
/// Invariant: keys are root-relative paths checked by [`check_entry`] (no `..`, no leading `/`);
/// the root itself is not a key.
#[derive(Debug, Clone, Default)]
pub struct MergedFs {
    nodes: BTreeMap<String, Node>,
    waste: Vec<Waste>,
}

impl MergedFs {
    /// An empty filesystem.
    pub fn new() -> Self {
        Self::default()
    }

    /// The filesystem after all of `layers` (base first), and what each changed.
    pub fn of_layers<'a>(layers: impl IntoIterator<Item = &'a [Entry]>) -> (Self, Vec<LayerChanges>) {
        let mut fs = Self::new();
        let changes = layers.into_iter().enumerate().map(|(i, entries)| fs.apply(i, entries)).collect();
        (fs, changes)
    }

    /// Applies one layer. An opaque directory hides its lower contents before the layer's own
    /// entries are written, whatever their order; a whiteout removes a path (and its children)
    /// from lower layers only; the last of two same-named entries of a layer wins. Entries that
    /// fail [`check_entry`] are skipped (the importer has refused their layer already).
    pub fn apply(&mut self, layer: usize, entries: &[Entry]) -> LayerChanges {
        let mut changes = LayerChanges::default();
        let checked: Vec<(String, &Entry)> = entries.iter().filter_map(|e| check_entry(e).ok().map(|p| (p, e))).collect();
        for (path, _) in &checked {
            if let Whiteout::Opaque(dir) = classify(path) {
                let lower = self.children(dir).filter(|(_, n)| n.layer < layer).map(|(p, _)| p.clone()).collect::<Vec<_>>();
                self.remove_all(&lower, layer, &mut changes);
            }
        }
        for (path, entry) in checked {
            match classify(&path) {
                Whiteout::Delete(target) => {
                    let mut doomed: Vec<String> = self.children(&target).filter(|(_, n)| n.layer < layer).map(|(p, _)| p.clone()).collect();
                    if self.nodes.get(&target).is_some_and(|n| n.layer < layer) {
                        doomed.push(target);
                    }
                    self.remove_all(&doomed, layer, &mut changes);
                }
                Whiteout::Opaque(_) | Whiteout::Meta | Whiteout::Invalid => {}
                Whiteout::None if path.is_empty() => {}
                Whiteout::None => self.write(path, entry, layer, &mut changes),
            }
        }
        changes
    }

    fn write(&mut self, path: String, entry: &Entry, layer: usize, changes: &mut LayerChanges) {
        // A directory replaced by anything else takes its children with it.
        if entry.kind != EntryKind::Directory && self.nodes.get(&path).is_some_and(|n| n.entry.kind == EntryKind::Directory) {
            let children: Vec<String> = self.children(&path).map(|(p, _)| p.clone()).collect();
            self.remove_all(&children, layer, changes);
        }
        let node = Node { entry: entry.clone(), layer };
        match self.nodes.insert(path.clone(), node) {
            Some(old) if old.layer < layer => {
                if old.entry.kind == EntryKind::File {
                    self.waste.push(Waste { path: path.clone(), layer: old.layer, size: old.entry.size, by: layer, deleted: false });
                }
                changes.modified.push(path);
            }
            Some(_) => {}
            None => changes.added.push(path),
        }
    }

    fn remove_all(&mut self, paths: &[String], layer: usize, changes: &mut LayerChanges) {
        for p in paths {
            if let Some(old) = self.nodes.remove(p) {
                if old.entry.kind == EntryKind::File {
                    self.waste.push(Waste { path: p.clone(), layer: old.layer, size: old.entry.size, by: layer, deleted: true });
                }
                changes.deleted.push(p.clone());
            }
        }
    }

    /// Every descendant of `dir` (`""` is the root), in path order.
    pub fn children<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a String, &'a Node)> {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let start = Bound::Excluded(prefix.clone());
        self.nodes.range::<String, _>((start, Bound::Unbounded)).take_while(move |(p, _)| p.starts_with(&prefix))
    }

    /// The node at a root-relative path.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Every node, in path order.
    pub fn nodes(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter()
    }

    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there is nothing.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The bytes of the files under `dir` (the whole filesystem for `""`).
    pub fn size_under(&self, dir: &str) -> u64 {
        self.children(dir).filter(|(_, n)| n.entry.kind == EntryKind::File).map(|(_, n)| n.entry.size).sum()
    }

    /// Versions shipped but hidden in the final image, largest first.
    pub fn waste(&self) -> Vec<Waste> {
        let mut w = self.waste.clone();
        w.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, kind: EntryKind, size: u64) -> Entry {
        Entry { path: path.into(), kind, size, mode: 0o644, uid: 0, gid: 0, mtime: 0, link: None, data_offset: 0, data_len: size, sparse: None }
    }
    fn file(path: &str, size: u64) -> Entry {
        e(path, EntryKind::File, size)
    }
    fn dir(path: &str) -> Entry {
        e(path, EntryKind::Directory, 0)
    }
    fn paths(fs: &MergedFs) -> Vec<&str> {
        fs.nodes().map(|(p, _)| p.as_str()).collect()
    }

    #[test]
    fn a_whiteout_deletes_a_lower_path_and_its_children_only() {
        let base = [dir("a"), file("a/x", 5), file("a/y", 7), file("b", 1)];
        let top = [file("a/.wh.x", 0), file(".wh.b", 0), file("b", 3)];
        let (fs, changes) = MergedFs::of_layers([&base[..], &top[..]]);
        assert_eq!(paths(&fs), ["a", "a/y", "b"]);
        assert_eq!(fs.get("b").map(|n| n.layer), Some(1), "the same layer's `b` survives its whiteout");
        assert_eq!(changes[1].deleted, ["a/x", "b"]);
        assert_eq!(changes[1].added, ["b"]);
        let waste = fs.waste();
        assert_eq!(waste.iter().map(|w| (w.path.as_str(), w.size)).collect::<Vec<_>>(), [("a/x", 5), ("b", 1)]);
    }

    #[test]
    fn an_opaque_directory_hides_lower_contents_whatever_the_entry_order() {
        let base = [dir("d"), file("d/old", 4), dir("d/sub"), file("d/sub/deep", 2)];
        let top = [file("d/new", 1), file("d/.wh..wh..opq", 0)];
        let (fs, changes) = MergedFs::of_layers([&base[..], &top[..]]);
        assert_eq!(paths(&fs), ["d", "d/new"]);
        assert_eq!(changes[1].deleted.len(), 3);
        assert_eq!(fs.size_under("d"), 1);
    }

    #[test]
    fn a_file_over_a_directory_replaces_the_whole_directory() {
        let base = [dir("x"), file("x/a", 1)];
        let top = [file("x", 9)];
        let (fs, changes) = MergedFs::of_layers([&base[..], &top[..]]);
        assert_eq!(paths(&fs), ["x"]);
        assert_eq!(changes[1].modified, ["x"]);
        assert_eq!(changes[1].deleted, ["x/a"]);
    }
}
