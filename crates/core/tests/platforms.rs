//! Multi-platform archives: the default platform, a chosen one, all of them, and a platform the
//! archive does not have.

use layerwise_core::archive::PlatformChoice;
use layerwise_core::spec::{self, ImageConfig};
use layerwise_core::store::{MemoryStore, Store};

use crate::common::{generated, import_platform, shared};

fn architectures(store: &MemoryStore) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = futures::executor::block_on(store.images())
        .unwrap()
        .into_iter()
        .map(|i| {
            let raw = futures::executor::block_on(store.read_blob(&i.id, spec::MAX_JSON_BYTES)).unwrap();
            let config: ImageConfig = spec::parse("config", &raw).unwrap();
            (config.architecture, i.repo_tags)
        })
        .collect();
    out.sort();
    out
}

fn import(choice: &str) -> Result<MemoryStore, String> {
    let store = MemoryStore::new();
    let bytes = std::fs::read(generated().join("platforms.oci.tar")).unwrap();
    import_platform(&store, bytes, "platforms.oci.tar", PlatformChoice::parse(choice)?).map_err(|e| e.to_string())?;
    Ok(store)
}

#[test]
fn the_default_is_linux_amd64_and_it_takes_the_tag() {
    let store = import("").unwrap();
    assert_eq!(architectures(&store), vec![("amd64".to_owned(), vec!["test/multi:1".to_owned()])]);
}

#[test]
fn a_chosen_platform_is_imported_with_the_tag() {
    let store = import("linux/arm64").unwrap();
    assert_eq!(architectures(&store), vec![("arm64".to_owned(), vec!["test/multi:1".to_owned()])]);
    assert!(import("linux/arm64/v8").is_ok());
}

#[test]
fn all_platforms_import_and_the_default_one_takes_the_tag() {
    let store = import("all").unwrap();
    assert_eq!(architectures(&store), vec![("amd64".to_owned(), vec!["test/multi:1".to_owned()]), ("arm64".to_owned(), vec![])]);
}

#[test]
fn a_platform_the_archive_lacks_is_refused_naming_what_it_has() {
    let err = import("linux/s390x").err().unwrap();
    assert_eq!(err, "the archive has no image for linux/s390x: it has linux/amd64, linux/arm64/v8 (and 0 more platforms whose blobs are not in the archive)");
}

#[test]
fn a_sparse_index_says_how_many_platforms_are_absent() {
    let Some(dir) = shared() else { return };
    let store = MemoryStore::new();
    let bytes = std::fs::read(dir.join("oras-project_oras-go_hello-world.tar")).unwrap();
    let err = import_platform(&store, bytes, "hello", PlatformChoice::parse("linux/arm64").unwrap()).unwrap_err().to_string();
    assert!(err.starts_with("the archive has no image for linux/arm64: it has linux/amd64 (and "), "{err}");
}

#[test]
fn attestations_are_kept_with_their_image_not_imported_as_images() {
    let store = MemoryStore::new();
    let bytes = std::fs::read(generated().join("attested.oci.tar")).unwrap();
    let imported = import_platform(&store, bytes, "attested.oci.tar", PlatformChoice::All).unwrap();
    assert_eq!(imported.len(), 2, "two platforms, no attestation taken for an image");
    let images = futures::executor::block_on(store.images()).unwrap();
    let blobs: Vec<_> = futures::executor::block_on(store.blobs()).unwrap().into_iter().map(|b| b.digest).collect();
    for image in &images {
        assert_eq!(image.attestations.len(), 1, "{}", image.id);
        let a = &image.attestations[0];
        assert_eq!(a.predicate_types, vec!["https://slsa.dev/provenance/v0.2"]);
        assert_eq!(a.blobs.len(), 3, "manifest, config and statement");
        assert!(a.blobs.iter().all(|d| blobs.contains(d)), "an attestation blob was not stored");
    }
}
