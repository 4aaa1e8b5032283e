//! Values docker computes, checked against podman (`podman load`, `image inspect`,
//! `history --format json`) on the fields where the two agree: ID, Created, Author, Config,
//! Architecture, Os, RootFS, and each history row's created_by, comment and time. (podman's
//! Size counts tar-stream bytes, and its Comment does not fall back to the history's.)

use std::path::Path;
use std::process::Command;

use layerwise_core::digest::Digest;
use layerwise_core::view;
use serde_json::Value;

use crate::common::{generated, shared, Harness};

struct Podman {
    dir: std::path::PathBuf,
}

impl Podman {
    fn new() -> Self {
        // podman refuses a runroot path over 50 characters.
        let dir = std::path::PathBuf::from(format!("/tmp/lw-pm-{}-{}", std::process::id(), rand_suffix() % 1_000_000));
        Self { dir }
    }

    fn run(&self, args: &[&str]) -> String {
        let root = self.dir.join("root");
        let run = self.dir.join("run");
        let out = Command::new("podman")
            .args(["--root", root.to_str().unwrap(), "--runroot", run.to_str().unwrap(), "--storage-driver", "vfs"])
            .args(args)
            .output()
            .expect("podman must be installed");
        assert!(out.status.success(), "podman {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = Command::new("podman")
            .args(["--root", self.dir.join("root").to_str().unwrap(), "--runroot", self.dir.join("run").to_str().unwrap(), "--storage-driver", "vfs", "system", "reset", "-f"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn check_against_podman(archive: &Path) {
    let h = Harness::start(&[archive.to_path_buf()]);
    let podman = Podman::new();
    podman.run(&["load", "-q", "-i", archive.to_str().unwrap()]);
    for image in &h.state.images() {
        let config = &h.state.config(&image.id).unwrap();
        let ours = serde_json::to_value(view::inspect(image, config)).unwrap();
        let theirs: Value = serde_json::from_str(&podman.run(&["image", "inspect", image.id.hex()])).unwrap();
        let theirs = &theirs[0];
        let what = format!("{} in {}", image.id, archive.display());
        assert_eq!(format!("sha256:{}", theirs["Id"].as_str().unwrap()), ours["Id"], "Id of {what}");
        for field in ["Created", "Author", "Architecture", "Os"] {
            assert_eq!(ours[field], theirs[field], "{field} of {what}");
        }
        assert_eq!(ours["RootFS"]["Layers"], theirs["RootFS"]["Layers"], "RootFS of {what}");
        let their_config = theirs["Config"].as_object().cloned().unwrap_or_default();
        let their_config: serde_json::Map<String, Value> = their_config.into_iter().filter(|(_, v)| !is_empty(v)).collect();
        assert_eq!(ours["Config"], Value::Object(their_config), "Config of {what}");

        let images = h.state.images();
        let find = |id: &Digest| images.iter().find(|i| i.id == *id).cloned();
        let our_history = view::history(image, config, &find).unwrap();
        let their_history: Vec<Value> = serde_json::from_str(&podman.run(&["history", "--format", "json", image.id.hex()])).unwrap();
        assert_eq!(our_history.len(), their_history.len(), "history length of {what}");
        for (ours, theirs) in our_history.iter().zip(&their_history) {
            assert_eq!(ours.created_by, theirs["CreatedBy"].as_str().unwrap_or(""), "history of {what}");
            assert_eq!(ours.comment, theirs["comment"].as_str().unwrap_or(""), "history comment of {what}");
            let their_created = theirs["Created"].as_str().and_then(view::parse_time).map_or(0, |t| t.unix_timestamp());
            assert_eq!(ours.created, their_created, "history time of {what}");
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(_) => false,
    }
}

#[test]
fn generated_archives_agree_with_podman() {
    for name in ["base.docker.tar", "app.docker.tar", "app.oci.tar"] {
        check_against_podman(&generated().join(name));
    }
}

#[test]
fn real_archives_agree_with_podman() {
    for name in ["wagoodman_dive_test-docker-image.tar", "GoogleContainerTools_jib_docker-save.tar", "google_go-containerregistry_hello-world-v25.tar"] {
        if let Some(path) = shared(name) {
            check_against_podman(&path);
        }
    }
}
