//! The merged filesystem equals what umoci (an unpacker nobody here wrote) extracts from the
//! same image: paths, types, file sizes and link targets, whiteouts and opaque directories
//! applied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use layerwise_core::fs::MergedFs;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::tar::{Entry, EntryKind};

use crate::common::{generated, import_file, shared};

/// (kind letter, size of a regular file, link target)
type Seen = (char, u64, String);

fn ours(archive: &Path) -> BTreeMap<String, Seen> {
    let store = MemoryStore::new();
    import_file(&store, archive).unwrap();
    let image = futures::executor::block_on(store.images()).unwrap().remove(0);
    let layers: Vec<Vec<Entry>> =
        image.layers.iter().map(|l| futures::executor::block_on(store.layer(&l.diff_id)).unwrap().unwrap().entries).collect();
    let (fs, _) = MergedFs::of_layers(layers.iter().map(Vec::as_slice));
    fs.nodes()
        .filter(|(_, n)| !matches!(n.entry.kind, EntryKind::CharDevice | EntryKind::BlockDevice | EntryKind::Fifo))
        .map(|(p, n)| {
            let seen = match n.entry.kind {
                EntryKind::Directory => ('d', 0, String::new()),
                EntryKind::Symlink => ('l', 0, n.entry.link.clone().unwrap_or_default()),
                // A hard link is a second name of a file: on disk, a file of the target's size.
                EntryKind::Hardlink => {
                    let target = n.entry.link.as_deref().map(|t| t.trim_start_matches('/').trim_start_matches("./")).unwrap_or("");
                    ('-', fs.get(target).map_or(0, |t| t.entry.size), String::new())
                }
                _ => ('-', n.entry.size, String::new()),
            };
            (p.clone(), seen)
        })
        .collect()
}

fn umoci(archive: &Path, transport: &str) -> BTreeMap<String, Seen> {
    let dir = std::env::temp_dir().join(format!("layerwise-umoci-{}-{}", std::process::id(), archive.file_name().unwrap().to_string_lossy()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let layout = format!("oci:{}:img", dir.join("oci").display());
    let ok = Command::new("skopeo").args(["copy", "-q", &format!("{transport}:{}", archive.display()), &layout]).status().unwrap().success();
    assert!(ok, "skopeo copy of {}", archive.display());
    let bundle = dir.join("bundle");
    let out = Command::new("umoci").args(["unpack", "--rootless", "--image", &format!("{}:img", dir.join("oci").display())]).arg(&bundle).output().unwrap();
    assert!(out.status.success(), "umoci unpack: {}", String::from_utf8_lossy(&out.stderr));
    let root = bundle.join("rootfs");
    let mut seen = BTreeMap::new();
    walk(&root, &root, &mut seen);
    let _ = std::fs::remove_dir_all(&dir);
    seen
}

fn walk(root: &Path, dir: &Path, seen: &mut BTreeMap<String, Seen>) {
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    children.sort();
    for path in children {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let ft = meta.file_type();
        let entry = if ft.is_symlink() {
            ('l', 0, std::fs::read_link(&path).unwrap().to_string_lossy().into_owned())
        } else if ft.is_dir() {
            ('d', 0, String::new())
        } else if ft.is_file() {
            ('-', meta.len(), String::new())
        } else {
            continue;
        };
        seen.insert(rel, entry);
        if ft.is_dir() {
            walk(root, &path, seen);
        }
    }
}

fn compare(archive: &Path, transport: &str) {
    let (ours, theirs) = (ours(archive), umoci(archive, transport));
    let only_ours: Vec<_> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
    let only_theirs: Vec<_> = theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
    assert!(only_ours.is_empty() && only_theirs.is_empty(), "{}: only ours {only_ours:?}, only umoci's {only_theirs:?}", archive.display());
    for (path, seen) in &ours {
        assert_eq!(seen, &theirs[path], "{}: {path}", archive.display());
    }
}

#[test]
fn the_merged_filesystem_is_what_umoci_unpacks() {
    compare(&generated().join("app.oci.tar"), "oci-archive");
    compare(&generated().join("app.docker.tar"), "docker-archive");
    for name in ["wagoodman_dive_test-docker-image.tar", "google_go-containerregistry_whiteout_image.tar", "GoogleContainerTools_jib_docker-save.tar"] {
        if let Some(path) = shared().map(|d| d.join(name)) {
            compare(&path, "docker-archive");
        }
    }
}
