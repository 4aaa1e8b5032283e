use std::process::Command;

use layerwise_core::store::{MemoryStore, Store};

use crate::common::{generated, import_file};

fn images(store: &MemoryStore) -> Vec<layerwise_core::store::ImageRecord> {
    futures::executor::block_on(store.images()).unwrap()
}

#[test]
fn two_images_sharing_a_layer_store_it_once() {
    let store = MemoryStore::new();
    import_file(&store, &generated().join("base.docker.tar")).unwrap();
    let after_base = store.blob_count();
    let imported = import_file(&store, &generated().join("app.docker.tar")).unwrap();
    assert_eq!(imported[0].tags, vec!["test/app:1"]);
    // app adds one layer blob, one config and one manifest; the base layer is not stored again.
    assert_eq!(store.blob_count(), after_base + 3);
    let all = images(&store);
    assert_eq!(all.len(), 2);
    let app = all.iter().find(|i| i.repo_tags == ["test/app:1"]).unwrap();
    let base = all.iter().find(|i| i.repo_tags == ["test/base:1"]).unwrap();
    assert_eq!(app.layers[0].blob, base.layers[0].blob);
    // docker load leaves LastTagTime unset (dockerd 20.10 prints 0001-01-01T00:00:00Z).
    assert!(app.last_tag_time.is_none());
}

#[test]
fn docker_and_oci_archives_of_one_image_give_the_same_id_and_layers() {
    let (a, b) = (MemoryStore::new(), MemoryStore::new());
    let docker = import_file(&a, &generated().join("app.docker.tar")).unwrap();
    let oci = import_file(&b, &generated().join("app.oci.tar")).unwrap();
    assert_eq!(docker[0].id, oci[0].id);
    assert_eq!(oci[0].tags, vec!["test/app:1"]);
    let (ia, ib) = (&images(&a)[0], &images(&b)[0]);
    let diff_ids = |i: &layerwise_core::store::ImageRecord| i.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>();
    assert_eq!(diff_ids(ia), diff_ids(ib));
    assert_eq!(ia.size(), ib.size());
    // The OCI archive keeps gzip blobs; the docker archive plain ones.
    assert_ne!(ia.layers[1].blob, ib.layers[1].blob);
    assert_eq!(ib.layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
}

#[test]
fn zstd_layers_made_by_skopeo_give_the_same_image() {
    let (a, b) = (MemoryStore::new(), MemoryStore::new());
    let gzip = import_file(&a, &generated().join("app.oci.tar")).unwrap();
    let zstd = import_file(&b, &generated().join("app.zstd.tar")).unwrap();
    assert_eq!(gzip[0].id, zstd[0].id, "the config, and so the image ID, does not change with the compression");
    assert_eq!(zstd[0].tags, vec!["test/app:zstd"]);
    let layer = &images(&b)[0].layers[1];
    assert_eq!(layer.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
    assert_eq!(layer.diff_id, images(&a)[0].layers[1].diff_id);
}

#[test]
fn a_multi_image_archive_imports_every_image() {
    let store = MemoryStore::new();
    let imported = import_file(&store, &generated().join("multi.podman.tar")).unwrap();
    let mut tags: Vec<_> = imported.iter().flat_map(|i| i.tags.clone()).collect();
    tags.sort();
    assert_eq!(tags, ["test/app:1", "test/base:1"]);
}

#[test]
fn size_is_the_sum_of_tar_entry_sizes_as_python_tarfile_counts_them() {
    let store = MemoryStore::new();
    let archive = generated().join("app.docker.tar");
    import_file(&store, &archive).unwrap();
    let script = r#"
import json, sys, tarfile
outer = tarfile.open(sys.argv[1])
items = json.load(outer.extractfile("manifest.json"))
total = 0
for layer in items[0]["Layers"]:
    inner = tarfile.open(fileobj=outer.extractfile(layer))
    total += sum(m.size for m in inner.getmembers())
print(total)
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(&archive).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected: u64 = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
    assert_eq!(images(&store)[0].size(), expected);
}

#[test]
fn loading_a_tag_again_moves_it_to_the_new_image() {
    let store = MemoryStore::new();
    let base = import_file(&store, &generated().join("base.docker.tar")).unwrap();
    let retagged = std::env::temp_dir().join(format!("layerwise-retag-{}.tar", std::process::id()));
    let _ = std::fs::remove_file(&retagged);
    let src = format!("docker-archive:{}", generated().join("app.docker.tar").display());
    let dst = format!("docker-archive:{}:test/base:1", retagged.display());
    let status = Command::new("skopeo").args(["copy", "-q", &src, &dst]).status().unwrap();
    assert!(status.success());
    let app = import_file(&store, &retagged).unwrap();
    let all = images(&store);
    let old = all.iter().find(|i| i.id == base[0].id).unwrap();
    let new = all.iter().find(|i| i.id == app[0].id).unwrap();
    assert!(old.repo_tags.is_empty(), "the tag should have moved: {:?}", old.repo_tags);
    assert_eq!(new.repo_tags, ["test/base:1"]);
    // moby's tarexporter.setLoadedTag says so, with the full ID of the image that held the tag.
    let renamed = format!("The image test/base:1 already exists, renaming the old one with ID {} to empty string", base[0].id);
    assert_eq!(app[0].load_lines(), [renamed.as_str(), "Loaded image: test/base:1"]);
    // Loading it again moves nothing.
    assert_eq!(import_file(&store, &retagged).unwrap()[0].load_lines(), ["Loaded image: test/base:1"]);
    let _ = std::fs::remove_file(&retagged);
}

/// `file` compressed as a whole by a real tool.
fn compressed(file: &str, tool: &str) -> Vec<u8> {
    let out = Command::new(tool).args(["-c", "-q"]).arg(generated().join(file)).output().unwrap();
    assert!(out.status.success(), "{tool} failed");
    out.stdout
}

#[test]
fn archives_compressed_as_a_whole_import_like_the_plain_ones() {
    for file in ["app.docker.tar", "app.oci.tar", "multi.podman.tar"] {
        let plain = MemoryStore::new();
        let expected = import_file(&plain, &generated().join(file)).unwrap();
        for tool in ["gzip", "zstd"] {
            let store = MemoryStore::new();
            let got = crate::common::import_bytes(&store, compressed(file, tool), file).unwrap_or_else(|e| panic!("{file} | {tool}: {e}"));
            assert_eq!(got, expected, "{file} | {tool}");
            assert_eq!(store.blob_count(), plain.blob_count(), "{file} | {tool}");
            let same = |s: &MemoryStore| images(s).into_iter().map(|i| (i.id, i.repo_tags, i.layers, i.manifest)).collect::<Vec<_>>();
            assert_eq!(same(&store), same(&plain), "{file} | {tool}");
        }
    }
}

#[test]
fn a_truncated_compressed_archive_is_refused_and_stores_nothing() {
    let bytes = compressed("app.docker.tar", "gzip");
    for cut in [10, bytes.len() / 3, bytes.len() - 5] {
        let store = MemoryStore::new();
        let err = crate::common::import_bytes(&store, bytes[..cut].to_vec(), "cut.tar.gz").unwrap_err().to_string();
        assert!(!err.is_empty());
        assert_eq!(store.blob_count(), 0, "cut at {cut}: {err}");
    }
}

#[test]
fn the_preview_before_verification_is_what_inspect_prints_after_but_size_and_metadata() {
    use layerwise_core::archive::{MemorySource, PlatformChoice};
    use layerwise_core::import::{import_archive, ImportRequest, Progress};
    use layerwise_core::layer::LocalPipeline;
    use layerwise_core::view::{inspect, inspect_json};
    for (file, compress) in [("app.docker.tar", None), ("app.oci.tar", None), ("app.docker.tar", Some("gzip"))] {
        let mut bytes = std::fs::read(generated().join(file)).unwrap();
        if let Some(tool) = compress {
            bytes = compressed(file, tool);
        }
        let store = MemoryStore::new();
        let request = ImportRequest { id: file.to_owned(), name: file.to_owned(), platform: PlatformChoice::Default };
        let mut previews = Vec::new();
        // Layer blobs, config and manifest: none of the config or manifest is stored yet.
        let mut blobs_when_planned = None;
        let imported = futures::executor::block_on(import_archive(&MemorySource(bytes), &store, &LocalPipeline, &request, &crate::common::now, &mut |p| {
            if let Progress::Planned { images, .. } = p {
                previews = images;
                blobs_when_planned = Some(store.blob_count());
            }
        }))
        .unwrap();
        assert_eq!(blobs_when_planned, Some(0), "{file}: the preview comes before anything is stored");
        let [preview] = &previews[..] else { panic!("{file}: {previews:?}") };
        assert_eq!((&preview.id, &preview.tags), (&imported[0].id, &imported[0].tags), "{file}");
        let record = images(&store).remove(0);
        let raw = futures::executor::block_on(store.read_blob(&record.id, u64::MAX)).unwrap();
        let config: layerwise_core::spec::ImageConfig = serde_json::from_slice(&raw).unwrap();
        let mut after: serde_json::Value = serde_json::from_str(&inspect_json(&[inspect(&record, &config)])).unwrap();
        after[0].as_object_mut().unwrap().retain(|k, _| k != "Size" && k != "Metadata");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&preview.inspect).unwrap(), after, "{file}");
    }
}
