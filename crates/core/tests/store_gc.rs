//! Garbage collection: what no image and no live import needs goes; nothing else.

use futures::executor::block_on;
use layerwise_core::digest::Digest;
use layerwise_core::store::{collect_garbage, heartbeat, BlobRecord, ImageRecord, ImportRecord, ImportState, MemoryStore, Store, IMPORT_TIMEOUT_MS};

const NOW: f64 = 1.8e12;

fn put_blob(store: &MemoryStore, name: &str) -> Digest {
    let digest = Digest::of(name.as_bytes());
    let record = BlobRecord { digest: digest.clone(), size: name.len() as u64, media_type: "x".into(), diff_id: None };
    block_on(store.put_blob(&record, name.as_bytes().to_vec())).unwrap();
    digest
}

fn import(id: &str, state: ImportState, heartbeat_ms: f64, blobs: Vec<Digest>) -> ImportRecord {
    ImportRecord { id: id.into(), source: "x.tar".into(), state, blobs, images: vec![], error: None, started_ms: heartbeat_ms, heartbeat_ms }
}

#[test]
fn keeps_what_images_and_live_imports_need_and_removes_the_rest() {
    let store = MemoryStore::new();
    let (config, manifest) = (put_blob(&store, "config"), put_blob(&store, "manifest"));
    let live = put_blob(&store, "live import's layer");
    let dead = put_blob(&store, "dead import's layer");
    let orphan = put_blob(&store, "orphan");
    let image = ImageRecord {
        id: config.clone(),
        manifest: manifest.clone(),
        repo_tags: vec!["a:1".into()],
        repo_digests: vec![],
        parent: None,
        created: None,
        last_tag_time: None,
        layers: vec![],
        labels: Default::default(),
        attestations: vec![],
    };
    block_on(store.put_image(&image)).unwrap();
    block_on(store.put_import(&import("live", ImportState::Started, NOW - 1000.0, vec![live.clone()]))).unwrap();
    block_on(store.put_import(&import("dead", ImportState::Started, NOW - IMPORT_TIMEOUT_MS - 1.0, vec![dead.clone()]))).unwrap();
    block_on(store.put_import(&import("done", ImportState::Committed, NOW, vec![config.clone()]))).unwrap();

    let removed = block_on(collect_garbage(&store, &heartbeat(NOW))).unwrap();

    assert_eq!(removed, 2);
    let left: Vec<Digest> = block_on(store.blobs()).unwrap().into_iter().map(|b| b.digest).collect();
    for d in [&config, &manifest, &live] {
        assert!(left.contains(d), "{d} was removed");
    }
    assert!(!left.contains(&dead) && !left.contains(&orphan));
    let imports: Vec<String> = block_on(store.imports()).unwrap().into_iter().map(|i| i.id).collect();
    assert_eq!(imports, vec!["live"]);
}
