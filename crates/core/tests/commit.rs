//! `docker commit`: an edited image, saved, loads in podman with the config asked for, and
//! umoci (an unpacker nobody here wrote) extracts the files as edited.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use layerwise_core::archive::{MemorySource, SourceError};
use layerwise_core::change::{ChangeSet, NewEntry};
use layerwise_core::commit::{commit, CommitError, CommitRequest, Committed, Content};
use layerwise_core::digest::Digest;
use layerwise_core::export::{gather, save, Part};
use layerwise_core::fs::MergedFs;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::tar::Entry;

use crate::common::{generated, import_file, now};

/// The session's files, and the store's blobs.
struct Session<'a> {
    files: HashMap<String, Vec<u8>>,
    store: &'a MemoryStore,
}

impl Content for Session<'_> {
    type Source = MemorySource;

    async fn session_file(&self, key: &str) -> Result<MemorySource, SourceError> {
        self.files.get(key).cloned().map(MemorySource).ok_or_else(|| SourceError(format!("no file {key}")))
    }

    async fn blob(&self, digest: &Digest) -> Result<MemorySource, SourceError> {
        self.store.read_blob(digest, u64::MAX).await.map(MemorySource).map_err(|e| SourceError(e.to_string()))
    }
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerwise-commit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn base_fs(store: &MemoryStore, id: &Digest) -> MergedFs {
    let image = block(store.images()).unwrap().into_iter().find(|i| &i.id == id).unwrap();
    let layers: Vec<Vec<Entry>> = image.layers.iter().map(|l| block(store.layer(&l.diff_id)).unwrap().unwrap().entries).collect();
    MergedFs::of_layers(layers.iter().map(Vec::as_slice)).0
}

/// Saves the image tagged `tag` to `out`.
fn export(store: &MemoryStore, tag: &str, out: &Path) {
    let images: Vec<_> = block(store.images()).unwrap().into_iter().filter(|i| i.repo_tags.iter().any(|t| t == tag)).collect();
    let mut bytes = Vec::new();
    for part in save(&block(gather(store, &images)).unwrap()) {
        match part {
            Part::Bytes(b) => bytes.extend(b),
            Part::Blob { digest, .. } => bytes.extend(block(store.read_blob(&digest, u64::MAX)).unwrap()),
        }
    }
    std::fs::write(out, bytes).unwrap();
}

/// umoci's unpack of a docker-archive: the rootfs directory.
fn unpack(archive: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let layout = dir.join("oci");
    run("skopeo", &["copy", "-q", &format!("docker-archive:{}", archive.display()), &format!("oci:{}:img", layout.display())]);
    let bundle = dir.join("bundle");
    run("umoci", &["unpack", "--rootless", "--image", &format!("{}:img", layout.display()), &bundle.display().to_string()]);
    bundle.join("rootfs")
}

fn request(store: &MemoryStore, base: &str, changes: ChangeSet, tag: &str) -> CommitRequest {
    let base = block(store.images()).unwrap().into_iter().find(|i| i.repo_tags.iter().any(|t| t == base)).unwrap().id;
    CommitRequest { id: format!("commit-{tag}"), base, changes, tag: Some(tag.to_owned()), author: "Tester <t@layerwise.invalid>".into(), message: "edited in the browser".into() }
}

fn edits(store: &MemoryStore, base: &Digest) -> ChangeSet {
    let fs = base_fs(store, base);
    let mut c = ChangeSet::default();
    c.write(&fs, "/etc/motd", NewEntry::File { content: "motd".into(), size: 8 }, 0o644).unwrap();
    c.write(&fs, "/opt/tool/run", NewEntry::File { content: "run".into(), size: 10 }, 0o755).unwrap();
    c.write(&fs, "/srv", NewEntry::Directory, 0o750).unwrap();
    c.write(&fs, "/bin/motd-link", NewEntry::Symlink("../etc/motd".into()), 0o777).unwrap();
    c.chmod(&fs, "/data/blob.bin", 0o600).unwrap();
    c.delete(&fs, "/etc/os-release").unwrap();
    c.config = vec!["ENV EDITED=1".into(), r#"CMD ["/bin/sh", "-c", "cat /etc/motd"]"#.into()];
    c
}

fn session(store: &MemoryStore) -> Session<'_> {
    let files = HashMap::from([("motd".to_owned(), b"welcome\n".to_vec()), ("run".to_owned(), b"#!/bin/sh\n".to_vec())]);
    Session { files, store }
}

#[test]
fn an_edited_image_unpacks_as_edited_and_loads_in_podman() {
    for source in ["app.docker.tar", "app.oci.tar", "app.zstd.tar"] {
        let dir = scratch(source);
        let store = MemoryStore::new();
        import_file(&store, &generated().join(source)).unwrap();
        let tag = "test/edited:1";
        let base_tag = if source == "app.zstd.tar" { "test/app:zstd" } else { "test/app:1" };
        let mut req = request(&store, base_tag, ChangeSet::default(), tag);
        req.changes = edits(&store, &req.base);
        let committed = block(commit(&store, &session(&store), &req, &now)).unwrap();
        assert_eq!(committed.tags, vec![tag]);
        assert!(committed.layer.is_some());

        export(&store, base_tag, &dir.join("base.tar"));
        export(&store, tag, &dir.join("edited.tar"));
        if source != "app.zstd.tar" {
            // oci-image-tool predates zstd layers and refuses them.
            let layout = dir.join("layout");
            std::fs::create_dir_all(&layout).unwrap();
            run("tar", &["-xf", &dir.join("edited.tar").display().to_string(), "-C", &layout.display().to_string()]);
            let report = run("oci-image-tool", &["validate", "--type", "image", &layout.display().to_string()]);
            assert!(report.contains("Validation succeeded"), "{report}");
        }
        let before = unpack(&dir.join("base.tar"), &dir.join("b"));
        let after = unpack(&dir.join("edited.tar"), &dir.join("a"));
        assert_eq!(std::fs::read(after.join("etc/motd")).unwrap(), b"welcome\n");
        assert_eq!(std::fs::read(after.join("opt/tool/run")).unwrap(), b"#!/bin/sh\n");
        let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&after.join("opt/tool/run")), 0o755);
        assert_eq!(mode(&after.join("srv")), 0o750);
        assert_eq!(std::fs::read_link(after.join("bin/motd-link")).unwrap(), Path::new("../etc/motd"));
        assert!(!after.join("etc/os-release").exists(), "deleted");
        assert!(before.join("etc/os-release").exists());
        // A mode change copies the lower file up, bytes and all.
        assert_eq!(mode(&after.join("data/blob.bin")), 0o600);
        assert_eq!(std::fs::read(after.join("data/blob.bin")).unwrap(), std::fs::read(before.join("data/blob.bin")).unwrap());
        assert_eq!(std::fs::read(after.join("etc/greeting")).unwrap(), std::fs::read(before.join("etc/greeting")).unwrap(), "untouched");

        let podman = [format!("--root={}", dir.join("root").display()), format!("--runroot=/tmp/lw-cm-{}", std::process::id()), "--storage-driver=vfs".to_owned()];
        let p: Vec<&str> = podman.iter().map(String::as_str).collect();
        run("podman", &[&p[..], &["load", "-q", "-i", &dir.join("edited.tar").display().to_string()]].concat());
        let inspect = run("podman", &[&p[..], &["image", "inspect", &format!("docker.io/{tag}")]].concat());
        let inspect: serde_json::Value = serde_json::from_str(&inspect).unwrap();
        let config = &inspect[0]["Config"];
        assert!(config["Env"].as_array().unwrap().iter().any(|e| e == "EDITED=1"), "{config}");
        assert!(config["Env"].as_array().unwrap().iter().any(|e| e == "APP_MODE=test"), "the base's env stays: {config}");
        assert_eq!(config["Cmd"], serde_json::json!(["/bin/sh", "-c", "cat /etc/motd"]));
        assert_eq!(inspect[0]["Author"], "Tester <t@layerwise.invalid>");
        assert_eq!(inspect[0]["Id"].as_str().unwrap(), committed.id.hex());
        let history = run("podman", &[&p[..], &["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", &format!("docker.io/{tag}")]].concat());
        assert_eq!(history.lines().next(), Some("/app/run.sh|edited in the browser"), "docker records the container's command: {history}");
        let _ = Command::new("podman").args(&p).args(["system", "reset", "-f"]).output();

        // Re-importing the saved archive gives the same image.
        let again = MemoryStore::new();
        let imported = import_file(&again, &dir.join("edited.tar")).unwrap();
        assert_eq!(imported[0].id, committed.id);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_config_only_commit_adds_an_empty_layer_history_entry_and_no_layer() {
    let store = MemoryStore::new();
    import_file(&store, &generated().join("app.docker.tar")).unwrap();
    let changes = ChangeSet { config: vec!["LABEL stage=edited".into(), "USER nobody".into()], ..ChangeSet::default() };
    let req = request(&store, "test/app:1", changes, "test/app:2");
    let committed = block(commit(&store, &session(&store), &req, &now)).unwrap();
    assert_eq!(committed.layer, None);
    let images = block(store.images()).unwrap();
    let (base, new) = (images.iter().find(|i| i.id == req.base).unwrap(), images.iter().find(|i| i.id == committed.id).unwrap());
    assert_eq!(new.layers, base.layers, "the same layers");
    assert_eq!(new.parent.as_ref(), Some(&base.id));
    assert_eq!(new.labels.get("stage").map(String::as_str), Some("edited"));
    let config: serde_json::Value = serde_json::from_slice(&block(store.read_blob(&new.id, u64::MAX)).unwrap()).unwrap();
    let last = config["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["empty_layer"], true);
    assert_eq!(config["config"]["User"], "nobody");

    let dir = scratch("config-only");
    export(&store, "test/app:2", &dir.join("out.tar"));
    let inspect = run("skopeo", &["inspect", "--config", &format!("docker-archive:{}", dir.join("out.tar").display())]);
    assert!(inspect.contains("\"User\": \"nobody\""), "{inspect}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_commit_at_the_same_time_is_the_same_image() {
    let one = |store: &MemoryStore| -> Committed {
        import_file(store, &generated().join("app.oci.tar")).unwrap();
        let mut req = request(store, "test/app:1", ChangeSet::default(), "test/edited:1");
        req.changes = edits(store, &req.base);
        block(commit(store, &session(store), &req, &now)).unwrap()
    };
    let (a, b) = (MemoryStore::new(), MemoryStore::new());
    assert_eq!(one(&a), one(&b));
}

#[test]
fn a_failed_commit_leaves_the_store_as_it_was() {
    let store = MemoryStore::new();
    import_file(&store, &generated().join("app.docker.tar")).unwrap();
    let blobs = || block(store.blobs()).unwrap().into_iter().map(|b| b.digest).collect::<Vec<_>>();
    let (images, before) = (block(store.images()).unwrap(), blobs());

    // A session file that is gone by commit time.
    let mut req = request(&store, "test/app:1", ChangeSet::default(), "test/edited:1");
    req.changes = edits(&store, &req.base);
    let mut missing = session(&store);
    missing.files.remove("run");
    let err = block(commit(&store, &missing, &req, &now)).unwrap_err();
    assert!(matches!(&err, CommitError::Read { path, .. } if path == "opt/tool/run"), "{err}");

    // A file whose size changed since it was added.
    let mut changed = session(&store);
    changed.files.insert("motd".into(), b"longer than before\n".to_vec());
    let err = block(commit(&store, &changed, &req, &now)).unwrap_err();
    assert!(matches!(&err, CommitError::Changed { path, expected: 8, .. } if path == "etc/motd"), "{err}");

    // An instruction `docker commit -c` refuses.
    req.changes.config.push("RUN rm -rf /".into());
    let err = block(commit(&store, &session(&store), &req, &now)).unwrap_err();
    assert_eq!(err.to_string(), "RUN is not a valid change command");

    // A tag that is not a reference.
    let mut bad = request(&store, "test/app:1", ChangeSet::default(), "Test/App");
    bad.changes.config.push("ENV A=1".into());
    assert!(matches!(block(commit(&store, &session(&store), &bad, &now)), Err(CommitError::Tag(_))));

    assert_eq!(block(store.images()).unwrap(), images, "no image added or changed");
    assert_eq!(blobs(), before, "no blob left behind");
}

#[test]
fn a_lower_layer_that_does_not_hold_the_file_is_reported() {
    let store = MemoryStore::new();
    import_file(&store, &generated().join("app.oci.tar")).unwrap();
    let mut req = request(&store, "test/app:1", ChangeSet::default(), "test/edited:1");
    let fs = base_fs(&store, &req.base);
    req.changes.chmod(&fs, "data/blob.bin", 0o600).unwrap();
    // The session's view of the blob is cut short.
    struct Short<'a>(Session<'a>);
    impl Content for Short<'_> {
        type Source = MemorySource;
        async fn session_file(&self, key: &str) -> Result<MemorySource, SourceError> {
            self.0.session_file(key).await
        }
        async fn blob(&self, digest: &Digest) -> Result<MemorySource, SourceError> {
            let mut b = self.0.blob(digest).await?;
            b.0.truncate(b.0.len() / 3);
            Ok(b)
        }
    }
    let err = block(commit(&store, &Short(session(&store)), &req, &now)).unwrap_err();
    assert!(matches!(&err, CommitError::Lower { path, .. } if path == "data/blob.bin"), "{err}");
}
