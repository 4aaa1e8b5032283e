//! Every real archive of `../shared/fixtures` (see its MANIFEST.md): imports, or is refused with
//! the reason given there.

use crate::common::{import_file, shared};
use layerwise_core::store::MemoryStore;

/// Archives that must import, with the tags they must carry.
const POSITIVE: &[(&str, &[&str])] = &[
    ("wagoodman_dive_test-docker-image.tar", &["dive-test:latest"]),
    ("GoogleContainerTools_jib_docker-save.tar", &["extraction.test:latest"]),
    ("google_go-containerregistry_test_link.tar", &[]),
    ("google_go-containerregistry_hello-world-v25.tar", &[]),
    ("snyk_snyk-docker-plugin_docker-oci-busybox.armv7.tar", &[]),
    ("snyk_snyk-docker-plugin_nodes-fake-multi.tar", &[]),
    ("wagoodman_dive_test-kaniko-image.tar", &[]),
    ("google_go-containerregistry_whiteout_image.tar", &[]),
    ("wagoodman_dive_test-oci-uncompressed-image.tar", &[]),
    ("wagoodman_dive_test-oci-gzip-image.tar", &[]),
    ("snyk_snyk-docker-plugin_busybox-1.31.1.tar", &[]),
    ("anchore_stereoscope_valid-oci.tar", &[]),
    ("oras-project_oras-go_hello-world.tar", &[]),
    ("snyk_snyk-docker-plugin_containerd-busybox.amd64.tar", &[]),
    ("wagoodman_dive_test-oci-zstd-image.tar", &[]),
    ("google_go-containerregistry_foreign.tar", &["gcr.io/foo/bar:latest"]),
    ("aquasecurity_trivy_alpine-310.tar.gz", &["alpine:3.10"]),
    // MALICIOUS: dockerd 20.10 loads it (it applies layers chrooted, so the symlink cannot lead
    // out), and so do we: the link is kept as written and resolves inside the root.
    ("google_osv-scalibr_symlink-attack.tar", &["symlink-attack:latest"]),
];

/// Archives that must be refused, with a fragment of the message that says why.
const REFUSED: &[(&str, &str)] = &[
    ("google_go-containerregistry_null_manifest.tar", "the archive holds no images"),
    ("snyk_snyk-docker-plugin_unsupported-image.tar", "not an image archive"),
    ("wagoodman_dive_test-gzip-image.tar", "not an image archive"),
    ("google_osv-scalibr_escape.tar", "not an image archive"),
    ("google_go-containerregistry_sparse_foreign.tar", "foreign layer sha256:7f7a4a3ef87ee4ad745aa3a1da078bc7a75362a9518596753636d1f03ecb69b8 is not in the archive: it is meant to be fetched from example.com"),
    ("snyk_snyk-docker-plugin_nginx-os-release-link.tar", "diff_id"),
    // BROKEN-BY-HAND, compressed as a whole: decompressed, then refused for the mismatch.
    ("snyk_snyk-docker-plugin_java.tar", "layer 0 (`d446fd2d006bff0982827588b2b613f91a4e2a59d619da68fa7ce1c880b8d907/layer.tar`) uncompresses to"),
    ("snyk_snyk-docker-plugin_nginx-with-buildinfo.tar", "lists 1 layers but its config has 3 diff_ids"),
    ("snyk_snyk-docker-plugin_centos-6.tar", "but the config says diff_id sha256:af6bf1987c2eb07d73f33836b0d8fd825d7c785273526b077e46780e8b4b2ae9"),
    ("snyk_snyk-docker-plugin_alpine-3.12.0.tar", "layer `blobs/sha256/df20fa9351a15782c64e6dddb2d4a6f50bf6d3688060a34c4014b0d9a752eb4c` is 6165 bytes, but its descriptor says 2797541"),
    ("snyk_snyk-docker-plugin_oci-with-manifest.tar", "lists 1 layers but its config has 4 diff_ids"),
];

#[test]
fn positive_archives_import_with_their_tags() {
    let Some(dir) = shared() else { return };
    for (name, tags) in POSITIVE {
        let store = MemoryStore::new();
        let imported = import_file(&store, &dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!imported.is_empty(), "{name}: no image");
        if !tags.is_empty() {
            let got: Vec<&str> = imported.iter().flat_map(|i| i.tags.iter().map(String::as_str)).collect();
            assert_eq!(&got, tags, "{name}");
        }
    }
}

#[test]
fn refused_archives_say_why() {
    let Some(dir) = shared() else { return };
    for (name, why) in REFUSED {
        let store = MemoryStore::new();
        let err = import_file(&store, &dir.join(name)).expect_err(name).to_string();
        assert!(err.contains(why), "{name}: {err:?} does not say {why:?}");
        assert_eq!(store.blob_count(), 0, "{name}: a failed import left blobs");
    }
}

