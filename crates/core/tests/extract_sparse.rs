//! Sparse files as GNU tar writes them (`tar --sparse --format=posix`, map versions 0.0, 0.1 and
//! 1.0), judged by dockerd 20.10: it loads each such layer and its container reads the files as
//! they were on disk; we read the same bytes out of the stored layer, one file at a time and as a
//! folder's tar, and count the same sizes.

use std::path::Path;
use std::process::Command;

use layerwise_core::archive::MemorySource;
use layerwise_core::digest::Digest;
use layerwise_core::extract::{file_head, folder_tar};
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::tar::{EntryKind, TarEvent, TarStream};
use layerwise_testkit::Daemon;

use crate::common::import_bytes;
use crate::corpus::build::{Image, TAG};
use crate::extract::{block, loaded_from, Blobs};

/// Runs of data, each at its offset in a file: holes between them.
type Runs = &'static [(u64, &'static [u8])];

/// The files, as (name, size, runs).
const FILES: [(&str, u64, Runs); 4] = [
    ("holey", 3 << 20, &[(1 << 20, b"hello"), (2 << 20, b"end")]),
    ("allhole", 1 << 20, &[]),
    ("tail", 64 << 10, &[(65_530, b"tail!!")]),
    ("dense", 5, &[(0, b"dense")]),
];

fn tar(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("tar").args(args).arg("-C").arg(dir).args(["-cf", "-", "."]).output().expect("GNU tar");
    assert!(out.status.success(), "tar {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A root filesystem with busybox, to run `sha256sum` in the daemon's container.
fn busybox_layer(dir: &Path) -> Vec<u8> {
    let root = dir.join("busybox");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).expect("busybox-static");
    for applet in ["sh", "sha256sum", "stat"] {
        let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
    }
    tar(&[], &root)
}

/// The files written with holes (`truncate`, then the runs): the bytes each holds.
fn sparse_files(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    std::fs::create_dir_all(dir).unwrap();
    FILES
        .iter()
        .map(|(name, size, runs)| {
            let mut bytes = vec![0u8; usize::try_from(*size).unwrap()];
            let file = std::fs::File::create(dir.join(name)).unwrap();
            file.set_len(*size).unwrap();
            for (at, run) in *runs {
                std::os::unix::fs::FileExt::write_at(&file, run, *at).unwrap();
                bytes[usize::try_from(*at).unwrap()..][..run.len()].copy_from_slice(run);
            }
            (*name, bytes)
        })
        .collect()
}

/// The regular files of a tar stream our folder download wrote, with their bytes.
fn files_of(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    TarStream::new()
        .feed(tar, &mut |event| match event {
            TarEvent::Entry(e) if e.kind == EntryKind::File => out.push((e.path, Vec::new())),
            TarEvent::Entry(_) => out.push((String::new(), Vec::new())),
            TarEvent::Data(d) => out.last_mut().unwrap().1.extend_from_slice(d),
        })
        .unwrap();
    out.retain(|(p, _)| !p.is_empty());
    out
}

#[test]
fn sparse_files_gnu_tar_wrote_read_back_as_dockerd_extracts_them() {
    let dir = std::env::temp_dir().join(format!("layerwise-sparse-{}", std::process::id()));
    let files = sparse_files(&dir.join("files"));
    let base = busybox_layer(&dir);
    let d = Daemon::shared();
    for version in ["0.0", "0.1", "1.0"] {
        let layer = tar(&["--sparse", "--format=posix", &format!("--sparse-version={version}"), "--owner=0", "--group=0"], &dir.join("files"));
        let archive = Image::layers(vec![base.clone(), layer.clone()]).docker().tar();
        // The daemon loads it, and its container reads every file as it was written.
        let path = dir.join(format!("sparse-{version}.tar"));
        std::fs::write(&path, &archive).unwrap();
        d.reset().unwrap();
        d.docker(&["load", "-i", &path.display().to_string()]).unwrap_or_else(|e| panic!("{version}: {e}"));
        let names: Vec<String> = files.iter().map(|(n, _)| format!("/{n}")).collect();
        let sums = d.docker(&[&["run", "--rm", "--network", "none", TAG, "sha256sum"][..], &names.iter().map(String::as_str).collect::<Vec<_>>()].concat()).unwrap();
        let daemon_size = d.docker(&["image", "inspect", "-f", "{{.Size}}", TAG]).unwrap();
        for (name, bytes) in &files {
            assert!(sums.contains(&format!("{}  /{name}", Digest::of(bytes).hex())), "{version}: the daemon's {name}: {sums}");
        }
        // We store it as it came and read each file, and the root as a tar, with the same bytes.
        let store = MemoryStore::new();
        import_bytes(&store, archive, version).unwrap_or_else(|e| panic!("{version}: {e}"));
        let (image, fs) = loaded_from(&store);
        let size: u64 = image.layers.iter().map(|l| l.size).sum();
        assert_eq!(size.to_string(), daemon_size.trim(), "{version}: the image's size, as docker counts it");
        let blob = block(store.read_blob(&image.layers[1].blob, u64::MAX)).unwrap();
        assert_eq!(blob, layer, "{version}: the layer is kept as GNU tar wrote it");
        for (name, bytes) in &files {
            let node = fs.get(name).unwrap_or_else(|| panic!("{version}: {name} is listed"));
            assert_eq!(node.entry.size, bytes.len() as u64, "{version}: {name}'s size");
            let (read, whole) = block(file_head(&MemorySource(blob.clone()), &node.entry, u64::MAX)).unwrap();
            assert!(whole && read == *bytes, "{version}: {name} reads as written");
            let (head, whole) = block(file_head(&MemorySource(blob.clone()), &node.entry, 1 << 20)).unwrap();
            assert_eq!((head.as_slice(), whole), (&bytes[..bytes.len().min(1 << 20)], bytes.len() <= 1 << 20), "{version}: the first MiB of {name}");
        }
        let mut folder = Vec::new();
        block(folder_tar(&fs, "", &Blobs { store: &store, image: image.clone() }, &mut folder)).unwrap();
        let mut got: Vec<(String, Vec<u8>)> = files_of(&folder).into_iter().filter(|(p, _)| files.iter().any(|(n, _)| p.trim_start_matches("./") == *n)).collect();
        got.sort();
        let mut want: Vec<(String, Vec<u8>)> = files.iter().map(|(n, b)| ((*n).to_owned(), b.clone())).collect();
        want.sort();
        assert_eq!(got.iter().map(|(p, b)| (p.trim_start_matches("./").to_owned(), Digest::of(b))).collect::<Vec<_>>(), want.iter().map(|(p, b)| (p.clone(), Digest::of(b))).collect::<Vec<_>>(), "{version}: the root's tar");
    }
}
