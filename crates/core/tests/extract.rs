//! Reading files back out of stored layers: a file's bytes and a folder as a tar, against what
//! umoci unpacks from the same image (and GNU tar extracts from our tar).

use std::path::Path;
use std::process::Command;

use layerwise_core::archive::{MemorySource, SourceError};
use layerwise_core::extract::{file_head, folder_tar, LayerBlobs};
use layerwise_core::fs::MergedFs;
use layerwise_core::store::{ImageRecord, MemoryStore, Store};
use layerwise_core::tar::Entry;

use crate::common::{generated, import_file, shared};

pub(crate) struct Blobs<'a> {
    pub(crate) store: &'a MemoryStore,
    pub(crate) image: ImageRecord,
}

impl LayerBlobs for Blobs<'_> {
    type Source = MemorySource;

    async fn layer(&self, index: usize) -> Result<MemorySource, SourceError> {
        let layer = self.image.layers.get(index).ok_or_else(|| SourceError(format!("no layer {index}")))?;
        self.store.read_blob(&layer.blob, u64::MAX).await.map(MemorySource).map_err(|e| SourceError(e.to_string()))
    }
}

pub(crate) fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn loaded(archive: &Path) -> (MemoryStore, ImageRecord, MergedFs) {
    let store = MemoryStore::new();
    import_file(&store, archive).unwrap();
    let (image, fs) = loaded_from(&store);
    (store, image, fs)
}

/// The first image of `store` and its merged filesystem.
pub(crate) fn loaded_from(store: &MemoryStore) -> (ImageRecord, MergedFs) {
    let image = block(store.images()).unwrap().remove(0);
    let layers: Vec<Vec<Entry>> = image.layers.iter().map(|l| block(store.layer(&l.diff_id)).unwrap().unwrap().entries).collect();
    let fs = MergedFs::of_layers(layers.iter().map(Vec::as_slice)).0;
    (image, fs)
}

fn umoci_rootfs(archive: &Path, transport: &str, dir: &Path) -> std::path::PathBuf {
    let layout = dir.join("oci");
    run("skopeo", &["copy", "-q", &format!("{transport}:{}", archive.display()), &format!("oci:{}:img", layout.display())]);
    run("umoci", &["unpack", "--rootless", "--image", &format!("{}:img", layout.display()), &dir.join("bundle").display().to_string()]);
    dir.join("bundle/rootfs")
}

/// Every regular file under `root/rel`, with its bytes.
fn files(root: &Path, rel: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(rel)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.push((p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn files_and_folders_read_back_as_umoci_unpacks_them() {
    // (ours, what umoci unpacks — umoci cannot read zstd layers, so the same image in gzip —, its transport, a folder)
    let (oci, zstd) = (generated().join("app.oci.tar"), generated().join("app.zstd.tar"));
    let mut cases = vec![(oci.clone(), oci.clone(), "oci-archive", "data"), (zstd, oci, "oci-archive", "")];
    if let Some(dir) = shared() {
        let dive = dir.join("wagoodman_dive_test-docker-image.tar");
        cases.push((dive.clone(), dive, "docker-archive", "root"));
    }
    for (archive, reference, transport, folder) in cases {
        let dir = std::env::temp_dir().join(format!("layerwise-extract-{}-{}", std::process::id(), archive.file_name().unwrap().to_string_lossy()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (store, image, fs) = loaded(&archive);
        let rootfs = umoci_rootfs(&reference, transport, &dir);
        let blobs = Blobs { store: &store, image: image.clone() };

        // Every file of the folder, one by one, and the first bytes of each.
        let theirs = files(&rootfs, folder);
        assert!(!theirs.is_empty(), "{folder} in {}", archive.display());
        for (path, bytes) in &theirs {
            let node = fs.get(path).unwrap_or_else(|| panic!("{path}"));
            let source = block(blobs.layer(node.layer)).unwrap();
            let (all, whole) = block(file_head(&source, &node.entry, u64::MAX)).unwrap();
            assert!(whole);
            assert_eq!(&all, bytes, "{path}");
            let (head, whole) = block(file_head(&source, &node.entry, 10)).unwrap();
            assert_eq!(whole, bytes.len() <= 10);
            assert_eq!(head, bytes[..bytes.len().min(10)], "{path}");
        }

        // The folder as a tar, extracted by GNU tar.
        let mut tar = Vec::new();
        let written = block(folder_tar(&fs, folder, &blobs, &mut tar)).unwrap();
        assert_eq!(written, tar.len() as u64);
        let out = dir.join("ours");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(dir.join("folder.tar"), &tar).unwrap();
        run("tar", &["-xf", &dir.join("folder.tar").display().to_string(), "-C", &out.display().to_string()]);
        assert_eq!(files(&out, folder), theirs, "{folder} of {}", archive.display());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_hex_view_is_what_hexdump_c_prints() {
    // Random bytes (hexdump folds repeated lines into `*`), not a multiple of 16 long.
    let mut x: u32 = 7;
    let bytes: Vec<u8> = (0..1000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    let path = std::env::temp_dir().join(format!("layerwise-hex-{}", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("hexdump").arg("-C").arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    let theirs = String::from_utf8(out.stdout).unwrap();
    let theirs: Vec<&str> = theirs.lines().collect();
    // hexdump ends with the total length on a line of its own.
    assert_eq!(layerwise_core::view::hexdump(&bytes, usize::MAX), theirs[..theirs.len() - 1]);
}
