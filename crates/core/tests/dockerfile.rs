//! The Dockerfile an edit session shows makes the same change: buildah builds it over the same
//! base (busybox, which has the shell `RUN` needs) and umoci unpacks both results alike.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use layerwise_core::archive::{MemorySource, SourceError};
use layerwise_core::change::{ChangeSet, NewEntry};
use layerwise_core::commit::{commit, CommitRequest, Content};
use layerwise_core::container::dockerfile;
use layerwise_core::digest::Digest;
use layerwise_core::export::{gather, save, Part};
use layerwise_core::fs::MergedFs;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::tar::Entry;

use crate::common::{import_file, now, shared};

struct Session<'a> {
    files: HashMap<String, Vec<u8>>,
    store: &'a MemoryStore,
}

impl Content for Session<'_> {
    type Source = MemorySource;

    async fn session_file(&self, key: &str) -> Result<MemorySource, SourceError> {
        self.files.get(key).cloned().map(MemorySource).ok_or_else(|| SourceError(key.to_owned()))
    }

    async fn blob(&self, digest: &Digest) -> Result<MemorySource, SourceError> {
        self.store.read_blob(digest, u64::MAX).await.map(MemorySource).map_err(|e| SourceError(e.to_string()))
    }
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn unpack(layout: &Path, bundle: &Path) -> PathBuf {
    run("umoci", &["unpack", "--rootless", "--image", &format!("{}:img", layout.display()), &bundle.display().to_string()]);
    bundle.join("rootfs")
}

/// (kind, mode, content or link target) of every path under the given roots.
fn seen(root: &Path, paths: &[&str]) -> BTreeMap<String, (char, u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let mode = meta.permissions().mode() & 0o7777;
        let entry = if meta.file_type().is_symlink() {
            ('l', 0, std::fs::read_link(&p).unwrap().display().to_string().into_bytes())
        } else if meta.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            ('d', mode, Vec::new())
        } else {
            ('-', mode, std::fs::read(&p).unwrap())
        };
        out.insert(rel, entry);
    }
    out
}

#[test]
fn the_dockerfile_builds_what_the_commit_made() {
    let Some(fixtures) = shared() else { return };
    let base = fixtures.join("snyk_snyk-docker-plugin_busybox-1.31.1.tar");
    let dir = std::env::temp_dir().join(format!("layerwise-dockerfile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Ours: the edit, committed and saved.
    let store = MemoryStore::new();
    import_file(&store, &base).unwrap();
    let image = block(store.images()).unwrap().remove(0);
    let layers: Vec<Vec<Entry>> = image.layers.iter().map(|l| block(store.layer(&l.diff_id)).unwrap().unwrap().entries).collect();
    let fs = MergedFs::of_layers(layers.iter().map(Vec::as_slice)).0;
    let mut changes = ChangeSet::default();
    changes.write(&fs, "etc/motd", NewEntry::File { content: "motd".into(), size: 8 }, 0o644).unwrap();
    changes.write(&fs, "opt/tool/run me", NewEntry::File { content: "run".into(), size: 10 }, 0o755).unwrap();
    changes.write(&fs, "srv", NewEntry::Directory, 0o750).unwrap();
    changes.write(&fs, "usr/motd", NewEntry::Symlink("../etc/motd".into()), 0o777).unwrap();
    changes.chmod(&fs, "etc/passwd", 0o600).unwrap();
    changes.delete(&fs, "etc/group").unwrap();
    changes.config = vec!["ENV EDITED=1".into()];
    let files = HashMap::from([("motd".to_owned(), b"welcome\n".to_vec()), ("run".to_owned(), b"#!/bin/sh\n".to_vec())]);
    let request = CommitRequest { id: "c".into(), base: image.id.clone(), changes: changes.clone(), tag: Some("edited:1".into()), author: String::new(), message: String::new() };
    let committed = block(commit(&store, &Session { files: files.clone(), store: &store }, &request, &now)).unwrap();
    let edited = block(store.images()).unwrap().into_iter().find(|i| i.id == committed.id).unwrap();
    let mut bytes = Vec::new();
    for part in save(&block(gather(&store, &[edited])).unwrap()) {
        match part {
            Part::Bytes(b) => bytes.extend(b),
            Part::Blob { digest, .. } => bytes.extend(block(store.read_blob(&digest, u64::MAX)).unwrap()),
        }
    }
    std::fs::write(dir.join("ours.tar"), bytes).unwrap();
    run("skopeo", &["copy", "-q", &format!("oci-archive:{}", dir.join("ours.tar").display()), &format!("oci:{}:img", dir.join("ours").display())]);
    let ours = unpack(&dir.join("ours"), &dir.join("ours-bundle"));

    // Theirs: buildah builds the Dockerfile over the same base, the files in the context.
    let buildah = |args: &[&str]| {
        let mut all = vec!["--root".to_owned(), dir.join("root").display().to_string(), "--runroot".into(), format!("/tmp/lw-df-{}", std::process::id()), "--storage-driver".into(), "vfs".into()];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        run("buildah", &all.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let base_id = buildah(&["pull", "-q", &format!("oci-archive:{}", base.display())]).trim().to_owned();
    let context = dir.join("context");
    for (path, w) in &changes.writes {
        if let NewEntry::File { content, .. } = &w.entry {
            std::fs::create_dir_all(context.join(path).parent().unwrap()).unwrap();
            std::fs::write(context.join(path), &files[content]).unwrap();
        }
    }
    std::fs::write(context.join("Dockerfile"), dockerfile(&base_id, &changes)).unwrap();
    buildah(&["build", "--isolation", "chroot", "-q", "-t", "theirs:1", &context.display().to_string()]);
    buildah(&["push", "-q", "theirs:1", &format!("oci:{}:img", dir.join("theirs").display())]);
    let theirs = unpack(&dir.join("theirs"), &dir.join("theirs-bundle"));

    let roots = ["etc", "opt", "srv", "usr/motd"];
    let mut theirs_seen = seen(&theirs, &roots);
    // buildah's `RUN` leaves the empty files it mounts the container's network config on.
    for mount in ["etc/hostname", "etc/hosts", "etc/resolv.conf"] {
        if theirs_seen.get(mount).is_some_and(|(_, _, bytes)| bytes.is_empty()) && !ours.join(mount).exists() {
            theirs_seen.remove(mount);
        }
    }
    assert_eq!(seen(&ours, &roots), theirs_seen);
    assert!(!ours.join("etc/group").exists());
    let config = run("skopeo", &["inspect", "--config", &format!("oci:{}:img", dir.join("theirs").display())]);
    assert!(config.contains("EDITED=1"), "{config}");
    let _ = Command::new("buildah").args(["--root", &dir.join("root").display().to_string(), "--storage-driver", "vfs", "rmi", "-a", "-f"]).output();
    let _ = std::fs::remove_dir_all(&dir);
}
