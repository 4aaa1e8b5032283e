//! `docker rmi` and `docker tag` against the harness: the real docker CLI prints the core's
//! removal lines and conflict messages as the page's console must print them, and the rules are
//! docker's (moby `image_delete.go`).

use std::process::Command;

use layerwise_core::store::{self, Removed};

use crate::common::{generated, Harness};

impl Harness {
    /// Runs the docker CLI; returns (success, stdout, stderr).
    fn docker_status(&self, args: &[&str]) -> (bool, String, String) {
        let out = Command::new("docker")
            .args(args)
            .env("DOCKER_HOST", format!("tcp://{}", self.addr))
            .env("DOCKER_CONFIG", std::env::temp_dir().join("layerwise-docker-config"))
            .output()
            .expect("docker CLI");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn lines(removed: &[Removed]) -> String {
    removed.iter().map(|r| format!("{r}\n")).collect()
}

fn harness() -> Harness {
    Harness::start(&[generated().join("base.docker.tar"), generated().join("app.docker.tar")])
}

#[test]
fn removing_one_of_two_tags_only_untags() {
    let h = harness();
    h.docker(&["tag", "test/app:1", "test/app:2"]);
    let planned = store::plan_removal(&h.state.images(), &[], "test/app:2", false, true).unwrap();
    assert_eq!(planned.lines, [Removed::Untagged("test/app:2".into())]);
    assert_eq!(h.docker(&["rmi", "test/app:2"]), lines(&planned.lines));
    assert!(h.docker(&["images", "--format", "{{.Repository}}:{{.Tag}}"]).contains("test/app:1"));
}

#[test]
fn an_id_tagged_in_two_repositories_needs_force_then_goes_with_its_own_layers() {
    let h = harness();
    h.docker(&["tag", "test/app:1", "other/app:1"]);
    let id = h.docker(&["image", "inspect", "-f", "{{.Id}}", "test/app:1"]).trim().to_owned();
    let (ok, _, err) = h.docker_status(&["rmi", &id[7..19]]);
    assert!(!ok);
    assert_eq!(err, format!("Error response from daemon: conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories\n", &id[7..19]));
    let planned = store::plan_removal(&h.state.images(), &[], &id, true, true).unwrap();
    let printed = h.docker(&["rmi", "-f", &id]);
    assert_eq!(printed, lines(&planned.lines));
    // Both tags go, the image goes, and of its two layers only the top one is released: the base
    // layer is test/base:1's too.
    let untagged: Vec<&str> = printed.lines().filter(|l| l.starts_with("Untagged: ")).collect();
    assert_eq!(untagged, ["Untagged: other/app:1", "Untagged: test/app:1"]);
    let deleted: Vec<&str> = printed.lines().filter(|l| l.starts_with("Deleted: ")).collect();
    assert_eq!(deleted.len(), 2, "{printed}");
    assert_eq!(deleted[0], format!("Deleted: {id}"));
}

#[test]
fn removing_the_last_tag_deletes_the_image_but_keeps_layers_another_image_holds() {
    let h = harness();
    let id = h.docker(&["image", "inspect", "-f", "{{.Id}}", "test/base:1"]).trim().to_owned();
    assert_eq!(h.docker(&["rmi", "test/base:1"]), format!("Untagged: test/base:1\nDeleted: {id}\n"));
    let (ok, _, err) = h.docker_status(&["rmi", "test/base:1"]);
    assert!(!ok);
    assert_eq!(err, "Error response from daemon: No such image: test/base:1\n");
}

#[test]
fn an_image_another_was_built_on_cannot_be_removed_even_by_force() {
    let Some(path) = crate::common::shared("google_go-containerregistry_test_link.tar") else { return };
    let h = Harness::start(&[path]);
    let images = h.state.images();
    let Some(parent) = images.iter().find_map(|i| i.parent.clone()) else { return };
    let (ok, _, err) = h.docker_status(&["rmi", "-f", parent.short()]);
    assert!(!ok);
    assert_eq!(err, format!("Error response from daemon: conflict: unable to delete {} (cannot be forced) - image has dependent child images\n", parent.short()));
}
