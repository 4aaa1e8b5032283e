//! Pulls from the real registry equal what importing the pushed archive gives, with the
//! manifest digest skopeo reports.

use std::process::Command;

use layerwise_core::archive::PlatformChoice;
use layerwise_core::layer::LocalPipeline;
use layerwise_core::reference::Reference;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_registry::pull::{pull, LayerStatus, PullError, PullEvent, PullRequest, Pulled};
use layerwise_registry::{Client, Mode};
use layerwise_testkit::generated_fixtures;

use crate::common::{block_on, imported, now, seeded, Native};

pub(crate) fn direct() -> Client<Native> {
    Client::new(Native::default(), Mode::Direct { insecure: Vec::new() })
}

pub(crate) fn pull_into(client: &Client<Native>, store: &MemoryStore, reference: &str, platform: PlatformChoice) -> (Result<Pulled, PullError>, Vec<PullEvent>) {
    let mut events = Vec::new();
    let request = PullRequest { id: format!("pull-{reference}"), reference: Reference::parse(reference).expect("reference").with_default_tag(), platform };
    let result = block_on(pull(client, store, &LocalPipeline, &request, &now, &|| false, &mut |e| events.push(e)));
    (result, events)
}

fn skopeo_digest(reference: &str) -> String {
    let out = Command::new("skopeo").args(["inspect", "--tls-verify=false", &format!("docker://{reference}")]).output().expect("skopeo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["Digest"].as_str().expect("Digest").to_owned()
}

#[test]
fn a_pull_stores_the_image_the_pushed_archive_holds() {
    let registry = seeded();
    let client = direct();
    for (archive, name) in [("app.docker.tar", "test/app:1"), ("app.oci.tar", "test/oci:1")] {
        let store = MemoryStore::new();
        let reference = format!("{}/{name}", registry.host());
        let (result, events) = pull_into(&client, &store, &reference, PlatformChoice::Default);
        let pulled = result.expect("pull");
        let (loaded, imported) = imported(&generated_fixtures().join(archive), PlatformChoice::Default);
        assert_eq!(pulled.id, imported[0].id, "{name}: the image ID is the config digest either way");
        let image = block_on(store.images()).expect("images").remove(0);
        let from_archive = block_on(loaded.images()).expect("images").remove(0);
        let diff_ids = |i: &layerwise_core::store::ImageRecord| i.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>();
        assert_eq!(diff_ids(&image), diff_ids(&from_archive));
        assert_eq!(image.size(), from_archive.size());
        let digest = skopeo_digest(&reference);
        assert_eq!(pulled.digest.to_string(), digest);
        assert_eq!(image.repo_tags, vec![reference.clone()]);
        assert_eq!(image.repo_digests, vec![format!("{}/{}@{digest}", registry.host(), name.split(':').next().unwrap_or(name))]);
        assert_eq!(pulled.lines, vec![format!("Digest: {digest}"), format!("Status: Downloaded newer image for {reference}"), reference.clone()]);
        assert!(matches!(&events[0], PullEvent::Resolved { line, .. } if line == &format!("1: Pulling from {}", name.split(':').next().unwrap_or(name))));
        assert!(events.iter().any(|e| matches!(e, PullEvent::Layer { status: LayerStatus::PullComplete, .. })));

        // Again: every layer is already there, and docker's "up to date".
        let (again, events) = pull_into(&client, &store, &reference, PlatformChoice::Default);
        let again = again.expect("second pull");
        assert!(again.up_to_date);
        assert_eq!(again.lines[1], format!("Status: Image is up to date for {reference}"));
        let statuses: Vec<&LayerStatus> = events.iter().filter_map(|e| if let PullEvent::Layer { status, .. } = e { Some(status) } else { None }).collect();
        assert!(statuses.iter().all(|s| **s == LayerStatus::AlreadyExists), "{statuses:?}");
        assert_eq!(block_on(store.images()).expect("images").len(), 1);
    }
}

#[test]
fn a_multi_platform_image_pulls_the_platform_asked_for() {
    let registry = seeded();
    let client = direct();
    let reference = format!("{}/test/multi:1", registry.host());
    let archive = generated_fixtures().join("platforms.oci.tar");
    for platform in ["", "linux/arm64"] {
        let choice = PlatformChoice::parse(platform).expect("platform");
        let store = MemoryStore::new();
        let pulled = pull_into(&client, &store, &reference, choice.clone()).0.expect("pull");
        let (_, imported) = imported(&archive, choice);
        assert_eq!(pulled.id, imported[0].id, "platform {platform:?}");
        // The repo digest is the index's, as docker records it.
        assert_eq!(pulled.digest.to_string(), skopeo_digest(&reference));
    }
    let store = MemoryStore::new();
    let err = pull_into(&client, &store, &reference, PlatformChoice::parse("linux/s390x").expect("platform")).0.expect_err("no s390x");
    assert_eq!(err.to_string(), "no matching manifest for linux/s390x in the manifest list entries");
    assert!(block_on(store.images()).expect("images").is_empty());
    assert!(block_on(store.blobs()).expect("blobs").is_empty(), "a failed pull leaves nothing");
}

#[test]
fn pulling_by_digest_checks_the_digest_and_a_missing_tag_says_so() {
    let registry = seeded();
    let client = direct();
    let reference = format!("{}/test/base:1", registry.host());
    let digest = skopeo_digest(&reference);
    let store = MemoryStore::new();
    let by_digest = format!("{}/test/base@{digest}", registry.host());
    let pulled = pull_into(&client, &store, &by_digest, PlatformChoice::Default).0.expect("pull by digest");
    assert_eq!(pulled.lines[2], by_digest);
    let image = block_on(store.images()).expect("images").remove(0);
    assert!(image.repo_tags.is_empty(), "a pull by digest tags nothing: {:?}", image.repo_tags);

    let missing = pull_into(&client, &store, &format!("{}/test/base:nope", registry.host()), PlatformChoice::Default).0.expect_err("missing tag");
    assert!(missing.to_string().contains("404 manifest unknown"), "{missing}");
    let denied = pull_into(&client, &store, &format!("{}/test/nothing:1", registry.host()), PlatformChoice::Default).0.expect_err("missing repository");
    assert!(denied.to_string().contains("404"), "{denied}");
}

#[test]
fn a_cancelled_pull_keeps_nothing() {
    use std::cell::Cell;
    let registry = seeded();
    let client = direct();
    let store = MemoryStore::new();
    let reference = format!("{}/test/oci:1", registry.host());
    let request = PullRequest { id: "cancelled".into(), reference: Reference::parse(&reference).expect("reference"), platform: PlatformChoice::Default };
    let chunks = Cell::new(0);
    let mut on_event = |e: PullEvent| {
        if matches!(e, PullEvent::Layer { status: LayerStatus::Downloading { .. }, .. }) {
            chunks.set(chunks.get() + 1);
        }
    };
    let err = block_on(pull(&client, &store, &LocalPipeline, &request, &now, &|| chunks.get() > 0, &mut on_event)).expect_err("cancelled");
    assert_eq!(err, PullError::Cancelled);
    assert!(block_on(store.images()).expect("images").is_empty());
    assert!(block_on(store.blobs()).expect("blobs").is_empty(), "no blob is left behind");
    let imports = block_on(store.imports()).expect("imports");
    assert!(imports.iter().all(|i| i.state == layerwise_core::store::ImportState::Failed), "{imports:?}");
}
