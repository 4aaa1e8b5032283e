//! Browser unit tests (wasm-bindgen-test in headless Chromium): the IndexedDB store, and an
//! import from a browser `Blob` read by slices. Each test uses a database of its own.

use js_sys::{Array, Uint8Array};
use layerwise_core::digest::Digest;
use layerwise_core::import::{import_archive, ImportRequest};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::{BlobRecord, Store};
use layerwise_core::tar::TarWriter;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use super::file_source::FileSource;
use super::store::{BlobData, IdbStore};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh database: earlier runs' records (if the profile survived) would skew the counts.
async fn fresh_store(name: &str) -> IdbStore {
    let factory: web_sys::IdbFactory = wasm_bindgen::JsCast::unchecked_into(js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap());
    let request = factory.delete_database(name).unwrap();
    super::idb::request_done(&request).await.unwrap();
    IdbStore::open_named(name).await.unwrap()
}

fn browser_blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("a Blob")
}

/// A `docker save` archive (legacy layout) of one image with the given layers.
fn docker_save(tag: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| Digest::of(l).to_string()).collect();
    let history: Vec<String> = layers.iter().map(|_| r#"{"created":"2024-01-01T00:00:00Z","created_by":"test"}"#.to_owned()).collect();
    let config = format!(
        r#"{{"created":"2024-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{{"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":{diff_ids:?}}},"history":[{}]}}"#,
        history.join(",")
    );
    let config_name = format!("{}.json", Digest::of(config.as_bytes()).hex());
    let layer_names: Vec<String> = (0..layers.len()).map(|i| format!("layer{i}/layer.tar")).collect();
    let manifest = format!(r#"[{{"Config":"{config_name}","RepoTags":["{tag}"],"Layers":{layer_names:?}}}]"#);
    let mut tar = TarWriter::new();
    for (name, layer) in layer_names.iter().zip(layers) {
        tar.file(name, layer, 0o644);
    }
    tar.file(&config_name, config.as_bytes(), 0o644).file("manifest.json", manifest.as_bytes(), 0o644).finish()
}

fn request(id: &str) -> ImportRequest {
    ImportRequest { id: id.to_owned(), name: format!("{id}.tar"), ..Default::default() }
}

fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = TarWriter::new();
    for (path, data) in files {
        tar.file(path, data, 0o644);
    }
    tar.finish()
}

#[wasm_bindgen_test]
async fn blobs_round_trip_as_bytes_and_as_browser_blobs() {
    let store = fresh_store("test-round-trip").await;
    let small = b"{\"config\":true}".to_vec();
    let big = vec![7u8; 3 * 1024 * 1024 + 5];
    for (data, wrapped) in [(small.clone(), BlobData::Bytes(small.clone())), (big.clone(), BlobData::Blob(browser_blob(&big)))] {
        let record = BlobRecord { digest: Digest::of(&data), size: data.len() as u64, media_type: "x".into(), diff_id: None };
        store.put_blob(&record, wrapped).await.unwrap();
        assert_eq!(store.blob(&record.digest).await.unwrap(), Some(record.clone()));
        assert_eq!(store.read_blob(&record.digest, u64::MAX).await.unwrap(), data);
    }
    assert_eq!(store.count("blobs").await.unwrap(), 2);
    let too_small = store.read_blob(&Digest::of(&big), 1024).await;
    assert!(too_small.is_err(), "read_blob must refuse a blob over its limit");
}

#[wasm_bindgen_test]
async fn an_archive_imports_from_a_blob_and_shared_layers_are_stored_once() {
    let store = fresh_store("test-import").await;
    let base = layer(&[("etc/os-release", b"ID=test\n")]);
    let top = layer(&[("app/run", b"#!/bin/sh\n")]);
    for (n, archive) in [docker_save("test/one:1", std::slice::from_ref(&base)), docker_save("test/two:1", &[base.clone(), top])].into_iter().enumerate() {
        let source = FileSource::new(browser_blob(&archive));
        let imported = import_archive(&source, &store, &LocalPipeline, &request(&format!("import-{n}")), &js_sys::Date::now, &mut |_| {}).await.unwrap();
        assert_eq!(imported.len(), 1);
    }
    let images = store.images().await.unwrap();
    assert_eq!(images.len(), 2);
    // Layers: base once, top once; plus a config and a manifest per image.
    assert_eq!(store.count("blobs").await.unwrap(), 6);
    assert_eq!(store.count("layers").await.unwrap(), 2);
    let stored_base = store.read_blob(&Digest::of(&base), u64::MAX).await.unwrap();
    assert_eq!(stored_base, base, "the layer blob is the archive's slice, byte for byte");
}

#[wasm_bindgen_test]
async fn a_broken_archive_leaves_the_store_as_it_was() {
    let store = fresh_store("test-broken").await;
    let good = docker_save("test/good:1", &[layer(&[("a", b"aaaa")])]);
    let source = FileSource::new(browser_blob(&good));
    import_archive(&source, &store, &LocalPipeline, &request("good"), &js_sys::Date::now, &mut |_| {}).await.unwrap();
    let before = (store.count("blobs").await.unwrap(), store.count("images").await.unwrap());
    let mut bad = docker_save("test/bad:1", &[layer(&[("b", b"bbbbbbbb")])]);
    // The first layer's file data starts after two headers (the outer entry's and the inner one's).
    bad[1024] ^= 0xff;
    let source = FileSource::new(browser_blob(&bad));
    let err = import_archive(&source, &store, &LocalPipeline, &request("bad"), &js_sys::Date::now, &mut |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("diff_id"), "{err}");
    assert_eq!((store.count("blobs").await.unwrap(), store.count("images").await.unwrap()), before);
}

/// docker's `--format` templates render in wasm: the template crate's lexer once started a
/// thread, which wasm cannot, and the page trapped on `docker images --format '{{.ID}}'`.
#[wasm_bindgen_test]
fn format_templates_render_in_wasm() {
    use layerwise_core::cli::template::Format;
    let data = serde_json::json!({"ID": "sha256:abc", "Config": {"Env": ["A=1", "B=2"]}, "Author": "me"});
    for (source, want) in [("{{.ID}}", "sha256:abc"), ("{{.Author}}", "me"), ("{{range .Config.Env}}{{.}};{{end}}", "A=1;B=2;")] {
        let format = Format::parse(source).expect(source);
        assert_eq!(format.render(&data).expect(source), want, "{source}");
    }
    assert!(Format::parse("{{.ID").is_err(), "an unclosed action is an error, not a trap");
}

/// A template that fails while it executes says what the docker CLI 28.2 says (these are its
/// lines for `test/app:1`, judged natively by `console_template_errors`): a list's row as
/// docker's Go struct, an inspected object as its `map[string]interface {}`.
#[wasm_bindgen_test]
fn failing_templates_print_dockers_errors_in_wasm() {
    use layerwise_core::cli::template::{self, Format, Shape};
    let row = serde_json::json!({"ID": "ca71e65392eb", "Repository": "test/app"});
    for (source, want) in [
        ("{{.Nope}}", r#"template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.imageContext"#),
        ("{{.ID.X}}", r#"template: :1:5: executing "" at <.ID.X>: can't evaluate field X in type string"#),
    ] {
        let got = template::print_rows(&Shape::Rows(source.to_owned()), std::slice::from_ref(&row), &[], "*formatter.imageContext");
        assert_eq!(got, Err(format!("template parsing error: {want}")), "{source}");
    }
    let object = serde_json::json!({"Os": "linux", "Config": {"Env": ["PATH=/usr/bin"]}});
    for (source, want) in [
        ("{{.Nope}}", r#"template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#),
        ("{{.Config.Nope.X}}", r#"template: :1:9: executing "" at <.Config.Nope.X>: map has no entry for key "Nope""#),
        ("{{.Config.Env.X}}", r#"template: :1:9: executing "" at <.Config.Env.X>: can't evaluate field X in type interface {}"#),
        ("{{index .Config.Env 5}}", r#"template: :1:2: executing "" at <index .Config.Env 5>: error calling index: index out of range: 5"#),
        ("{{join .Config.Env}}", r#"template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1"#),
    ] {
        let format = Format::parse(source).expect(source);
        assert_eq!(format.render_inspect(template::value(&object), &object), Err(format!("template parsing error: {want}")), "{source}");
    }
}

/// A layer holding one PAX sparse file of 16 bytes, `ab` at 4 and `cde` at 10, as GNU tar writes
/// map version `version` ("0.1": the map in the PAX records; "1.0": in the data's first block).
fn sparse_layer(version: &str) -> Vec<u8> {
    let (records, data): (Vec<(&str, &str)>, Vec<u8>) = if version == "0.1" {
        (vec![("GNU.sparse.major", "0"), ("GNU.sparse.minor", "1"), ("GNU.sparse.name", "holey"), ("GNU.sparse.size", "16"), ("GNU.sparse.numblocks", "2"), ("GNU.sparse.map", "4,2,10,3")], b"abcde".to_vec())
    } else {
        let mut data = b"2\n4\n2\n10\n3\n".to_vec();
        data.resize(512, 0);
        data.extend_from_slice(b"abcde");
        (vec![("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "holey"), ("GNU.sparse.realsize", "16")], data)
    };
    let pax: String = records
        .iter()
        .map(|(k, v)| {
            let body = format!(" {k}={v}\n");
            let len = (1..).find(|n: &usize| n.to_string().len() + body.len() == *n).unwrap_or(0);
            format!("{len}{body}")
        })
        .collect();
    let mut tar = TarWriter::new();
    tar.raw(&layerwise_core::tar::header("././@PaxHeader", b'x', pax.len() as u64, 0o644, None), pax.as_bytes());
    tar.raw(&layerwise_core::tar::header("GNUSparseFile.0/holey", b'0', data.len() as u64, 0o644, None), &data);
    tar.finish()
}

/// Sparse files import from a Blob into IndexedDB and read back with their holes as zeros, as
/// natively (`crates/core/tests/extract_sparse.rs`, judged by dockerd).
#[wasm_bindgen_test]
async fn sparse_files_read_back_with_their_holes() {
    let store = fresh_store("test-sparse").await;
    for version in ["0.1", "1.0"] {
        let archive = docker_save(&format!("test/sparse:{version}"), &[sparse_layer(version)]);
        let source = FileSource::new(browser_blob(&archive));
        let imported = import_archive(&source, &store, &LocalPipeline, &request(&format!("sparse-{version}")), &js_sys::Date::now, &mut |_| {}).await.unwrap();
        let image = store.images().await.unwrap().into_iter().find(|i| i.id == imported[0].id).unwrap();
        let layer = store.layer(&image.layers[0].diff_id).await.unwrap().unwrap();
        let entry = layer.entries.iter().find(|e| e.path == "holey").expect("the sparse file, by its GNU.sparse.name");
        assert_eq!(entry.size, 16, "{version}: its real size");
        let blob = FileSource::new(store.blob_data(&image.layers[0].blob).await.unwrap());
        let (bytes, whole) = layerwise_core::extract::file_head(&blob, entry, u64::MAX).await.unwrap();
        assert!(whole);
        assert_eq!(bytes, b"\0\0\0\0ab\0\0\0\0cde\0\0\0", "{version}: holes read as zeros");
    }
}
