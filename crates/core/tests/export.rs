//! `docker save`: an exported archive loads in every tool nobody here wrote (skopeo's
//! docker-archive and oci-archive transports, podman load, oci-image-tool validate), and
//! re-importing it gives the same images.

use std::path::{Path, PathBuf};
use std::process::Command;

use layerwise_core::export::{gather, save, Part};
use layerwise_core::store::{MemoryStore, Store};

use crate::common::{generated, import_file};

/// Writes the archive of every image in `store` (or of the one named) to `out`.
fn export(store: &MemoryStore, only: Option<&str>, out: &Path) {
    let images = futures::executor::block_on(store.images()).unwrap();
    let chosen: Vec<_> = images.into_iter().filter(|i| only.is_none_or(|n| i.repo_tags.iter().any(|t| t == n))).collect();
    let items = futures::executor::block_on(gather(store, &chosen)).unwrap();
    let mut bytes = Vec::new();
    for part in save(&items) {
        match part {
            Part::Bytes(b) => bytes.extend(b),
            Part::Blob { digest, .. } => bytes.extend(futures::executor::block_on(store.read_blob(&digest, u64::MAX)).unwrap()),
        }
    }
    std::fs::write(out, bytes).unwrap();
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerwise-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn store_with(archives: &[&str]) -> MemoryStore {
    let store = MemoryStore::new();
    for a in archives {
        import_file(&store, &generated().join(a)).unwrap();
    }
    store
}

#[test]
fn an_exported_image_loads_in_skopeo_podman_and_oci_image_tool() {
    // One image read from a docker-archive (plain layers), one from an oci-archive (gzip).
    for (source, tag) in [("app.docker.tar", "test/app:1"), ("app.oci.tar", "test/app:1"), ("app.zstd.tar", "test/app:zstd")] {
        let dir = scratch(source);
        let store = store_with(&[source]);
        let out = dir.join("saved.tar");
        export(&store, Some(tag), &out);
        let o = out.display();
        run("skopeo", &["inspect", &format!("docker-archive:{o}")]);
        run("skopeo", &["inspect", &format!("oci-archive:{o}")]);
        let layout = dir.join("layout");
        std::fs::create_dir_all(&layout).unwrap();
        run("tar", &["-xf", &o.to_string(), "-C", &layout.display().to_string()]);
        if source != "app.zstd.tar" {
            // oci-image-tool predates zstd layers and refuses them.
            let report = run("oci-image-tool", &["validate", "--type", "image", &layout.display().to_string()]);
            assert!(report.contains("Validation succeeded"), "{report}");
        }
        let podman = [format!("--root={}", dir.join("root").display()), format!("--runroot=/tmp/lw-ex-{}", std::process::id()), "--storage-driver=vfs".to_owned()];
        let p: Vec<&str> = podman.iter().map(String::as_str).collect();
        let loaded = run("podman", &[&p[..], &["load", "-i", &o.to_string()]].concat());
        assert!(loaded.contains(&format!("docker.io/{tag}")), "podman load: {loaded}");
        let _ = Command::new("podman").args(&p).args(["system", "reset", "-f"]).output();
        // Re-importing the archive gives the same image.
        let again = MemoryStore::new();
        let imported = import_file(&again, &out).unwrap();
        let original = futures::executor::block_on(store.images()).unwrap();
        assert_eq!(imported[0].id, original[0].id);
        assert_eq!(imported[0].tags, vec![tag]);
        let layers = |s: &MemoryStore| futures::executor::block_on(s.images()).unwrap()[0].layers.iter().map(|l| (l.diff_id.clone(), l.blob.clone())).collect::<Vec<_>>();
        assert_eq!(layers(&again), layers(&store), "the same layers, the same blobs");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn several_images_and_tags_in_one_archive() {
    let dir = scratch("multi");
    let store = store_with(&["base.docker.tar", "app.docker.tar"]);
    let out = dir.join("saved.tar");
    export(&store, None, &out);
    let o = out.display().to_string();
    for tag in ["test/base:1", "test/app:1"] {
        run("skopeo", &["inspect", &format!("docker-archive:{o}:{tag}")]);
    }
    let again = MemoryStore::new();
    let mut tags: Vec<String> = import_file(&again, &out).unwrap().into_iter().flat_map(|i| i.tags).collect();
    tags.sort();
    assert_eq!(tags, ["test/app:1", "test/base:1"]);
    let listing = run("tar", &["-tf", &o]);
    let blobs = listing.lines().filter(|l| l.starts_with("blobs/sha256/") && l.len() > "blobs/sha256/".len()).count();
    assert_eq!(blobs, 6, "two layers (the shared base once), two configs, two manifests:\n{listing}");
    let _ = std::fs::remove_dir_all(&dir);
}
