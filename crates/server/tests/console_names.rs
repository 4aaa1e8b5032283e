//! Names the daemon cannot resolve to one image: an ID prefix two images share, a short ID or a
//! full ID no image has. The classic image store reports each as not found (moby
//! `daemon/images/image.go` `GetImage`: its lookup by ID prefix fails quietly on a prefix two IDs
//! share, and the error names the reference with its default tag, `No such image: 0:latest`);
//! the console prints what the docker CLI prints for the daemon's answer.

use layerwise_core::cli::changing::removal_output;
use layerwise_core::cli::commands::{read, Read};
use layerwise_core::store::{self, plan_removal, plan_tag, ImageRecord};

use crate::common::{archives, judge_read_only, shared_image_prefix, words, Harness};

/// `len` hex digits that start no image ID.
fn missing_prefix(images: &[ImageRecord], len: usize) -> String {
    (0u64..).map(|n| format!("{n:0len$x}")).find(|p| !images.iter().any(|i| i.id.hex().starts_with(p.as_str()))).unwrap_or_default()
}

#[test]
fn a_prefix_two_ids_share_is_not_found_as_the_daemon_says() {
    let h = Harness::start(&archives());
    let p = shared_image_prefix(&h);
    let images = h.state.images();
    let (short, full) = (missing_prefix(&images, 12), missing_prefix(&images, 64));
    let app = store::resolve(&images, "test/app:1").expect("test/app:1").id.hex().to_owned();
    // The shortest prefix of test/app:1's ID no other image shares.
    let unique = (1..=64).map(|n| &app[..n]).find(|q| images.iter().filter(|i| i.id.hex().starts_with(q)).count() == 1).unwrap_or(&app).to_owned();
    let lines = [
        format!("docker history {p}"),
        format!("docker image history sha256:{p}"),
        format!("docker image inspect {p}"),
        format!("docker inspect {p}"),
        format!("docker inspect -f '{{{{.Id}}}}' sha256:{p} test/app:1"),
        format!("docker image inspect {short} test/base:1"),
        format!("docker history {full}"),
        format!("docker image inspect sha256:{full}"),
        format!("docker images -f before={p}"),
        format!("docker images -f since=sha256:{p}"),
        format!("docker image inspect -f '{{{{.Id}}}}' {unique}"),
        format!("docker history -q sha256:{unique}"),
    ];
    let differ = judge_read_only(&h, &lines);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));

    // rmi and tag change nothing here: each name fails, as the console's actions plan it.
    for line in [format!("docker rmi {p}"), format!("docker rmi -f {p}"), format!("docker image rm -f {short} sha256:{p}"), format!("docker rmi {full}")] {
        let words = words(&line);
        let Read::Run(inv) = read(&words) else { panic!("{line}") };
        let force = inv.given.bool("force");
        let outcomes: Vec<_> = inv.given.args.iter().map(|n| plan_removal(&images, &[], n, force, true).map(|r| r.lines)).collect();
        let ours = removal_output(&outcomes, force);
        assert_eq!((ours.stdout, ours.stderr, ours.status), h.docker_output(&words[1..]), "{line}");
    }
    for source in [p.clone(), format!("sha256:{p}"), short] {
        let err = plan_tag(&images, &source, "test/other:1", "now").expect_err("not found");
        assert_eq!((String::new(), format!("Error response from daemon: {err}\n"), 1), h.docker_output(&words(&format!("docker tag {source} test/other:1"))[1..]), "tag {source}");
    }
}
