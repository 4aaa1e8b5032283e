//! JSON documents and descriptors (reliability.md 1B): parse errors, digest grammar, sizes,
//! digests, media types, indexes and platforms, foreign layers.

use layerwise_core::archive::{ArchiveError, PlatformChoice};
use layerwise_core::digest::Digest;
use layerwise_core::import::ImportError;
use layerwise_core::media_type;
use layerwise_core::spec::{Platform, MAX_JSON_BYTES};
use serde_json::{json, Value};

use super::build::{blob_path, layer, oci_archive, Blob, Image, Outer, E};
use super::{accepted, archive_error, has_path, image, one_image, refused, Case, Category, Expect};

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(format!("json/{name}"), Category::Json, source, archive, expect)
}

fn simple() -> Image {
    Image::of(layer(&[E::Dir("etc"), E::File("etc/corpus", b"hello\n")]))
}

fn is(e: &ImportError, pred: impl Fn(&ArchiveError) -> bool) -> bool {
    archive_error(e).is_some_and(pred)
}

/// A JSON error about a document whose name contains `what`.
fn json_error(e: &ImportError, what: &str) -> bool {
    is(e, |a| matches!(a, ArchiveError::Json(j) if j.what.contains(what)))
}

fn imports_simple() -> Expect {
    accepted(|s, i| one_image(s, i, 1) && has_path(s, i, "etc/corpus"), "the image imports with its one layer")
}

/// A docker archive whose config is exactly `raw` (named by its digest).
fn with_raw_config(raw: &[u8]) -> Vec<u8> {
    let img = simple();
    let mut a = img.docker();
    let old = a.config_path();
    let name = format!("{}.json", Digest::of(raw).hex());
    let entry = a.get_mut(&old);
    entry.name = name.clone();
    entry.data = raw.to_vec();
    a.edit_json("manifest.json", |m| m[0]["Config"] = json!(name));
    a.tar()
}

/// The simple image's config with `rootfs` as written here.
fn config_text(rootfs: &str) -> String {
    format!(r#"{{"architecture":"amd64","os":"linux","rootfs":{rootfs}}}"#)
}

fn diff_ids(d: &str) -> String {
    format!(r#"{{"type":"layers","diff_ids":["{d}"]}}"#)
}

/// An OCI image-index blob listing these descriptors.
fn index_of(manifests: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": media_type::OCI_INDEX, "manifests": manifests})).unwrap_or_default()
}

fn descriptor(media_type: &str, bytes: &[u8], platform: Option<(&str, &str)>) -> Value {
    let mut d = json!({"mediaType": media_type, "digest": Digest::of(bytes).to_string(), "size": bytes.len()});
    if let Some((os, arch)) = platform {
        d["platform"] = json!({"os": os, "architecture": arch});
    }
    d
}

/// An OCI archive whose `index.json` points at `top` (an index), with the given blobs present.
fn nested(top: &[u8], blobs: Vec<Vec<u8>>) -> Vec<u8> {
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": media_type::OCI_INDEX,
        "digest": Digest::of(top).to_string(),
        "size": top.len(),
        "annotations": {"org.opencontainers.image.ref.name": super::build::TAG},
    }]});
    let mut all = blobs;
    all.push(top.to_vec());
    oci_archive(&serde_json::to_vec(&index).unwrap_or_default(), all).tar()
}

/// An image for `arch`: its blobs (layer, config, manifest) and its manifest.
fn platform_image(arch: &str) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut img = Image::of(layer(&[E::File("arch", arch.as_bytes())]));
    img.config["architecture"] = json!(arch);
    let manifest = serde_json::to_vec(&img.oci_manifest()).unwrap_or_default();
    (vec![img.layers[0].bytes.clone(), img.config_bytes(), manifest.clone()], manifest)
}

fn arch_of(s: &layerwise_core::store::MemoryStore, i: &[layerwise_core::import::Imported]) -> Option<String> {
    use layerwise_core::store::Store;
    let id = &i.first()?.id;
    let raw = futures::executor::block_on(s.read_blob(id, MAX_JSON_BYTES)).ok()?;
    serde_json::from_slice::<Value>(&raw).ok()?["architecture"].as_str().map(str::to_owned)
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let img = simple();
    docker_documents(&mut out, &img);
    go_json(&mut out, &img);
    configs(&mut out);
    layer_sources(&mut out, &img);
    oci_descriptors(&mut out, &img);
    indexes(&mut out);
    out
}

/// The config stored for the one image imported.
fn stored_config(s: &layerwise_core::store::MemoryStore, i: &[layerwise_core::import::Imported]) -> Option<layerwise_core::spec::ImageConfig> {
    use layerwise_core::store::Store;
    let raw = futures::executor::block_on(s.read_blob(&i.first()?.id, MAX_JSON_BYTES)).ok()?;
    layerwise_core::spec::parse("config", &raw).ok()
}

/// Documents as Go's `encoding/json` reads them, and so as `docker load` does: keys match fields
/// case-insensitively (an exact match wins), a repeated key takes its last value, `null` is an
/// empty list or map, unknown keys are ignored; map keys (labels) keep their case.
fn go_json(out: &mut Vec<Case>, img: &Image) {
    let text = String::from_utf8(img.docker().data("manifest.json").to_vec()).unwrap_or_default();
    let mut a = img.docker();
    a.set("manifest.json", text.replacen(r#""Config":"#, r#""Config":"absent.json","Config":"#, 1).into_bytes());
    out.push(case("manifest_duplicate_key", "reliability B10: two `Config` keys; Go keeps the last, as moby's loader reads it", a.tar(), imports_simple()));
    let mut a = img.docker();
    a.set("manifest.json", text.replace(r#""Config":"#, r#""config":"#).replace(r#""RepoTags":"#, r#""REPOTAGS":"#).replace(r#""Layers":"#, r#""layers":"#).into_bytes());
    out.push(case(
        "manifest_keys_in_any_case",
        "Go encoding/json: keys match struct fields case-insensitively (moby's manifestItem)",
        a.tar(),
        accepted(|s, i| one_image(s, i, 1) && i[0].tags == [super::build::TAG], "the image imports with its tag"),
    ));
    let mut a = img.docker();
    a.set("manifest.json", format!("{text} [] garbage").into_bytes());
    out.push(case("manifest_trailing_garbage", "moby reads manifest.json with json.Decoder: the first value, whatever follows", a.tar(), imports_simple()));
    let mut a = img.docker();
    a.set("manifest.json", b"[] []".to_vec());
    out.push(case("manifest_empty_then_more", "moby json.Decoder: the first value is `[]`, so nothing loads", a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images")));
    let mut a = img.docker();
    a.set("manifest.json", text.replacen(r#""Layers":"#, r#""Unknown":{"x":[null,1]},"Layers":"#, 1).into_bytes());
    out.push(case("manifest_unknown_key", "Go encoding/json ignores unknown keys", a.tar(), imports_simple()));
    let d = img.layers[0].diff_id.to_string();
    let raw = format!(
        r#"{{"ARCHITECTURE":"amd64","Os":"linux","CONFIG":{{"env":["A=1"],"LABELS":{{"Maintainer":"x","maintainer":"y"}},"cmd":null,"Entrypoint":null,"Volumes":null}},"History":null,"RootFS":{{"TYPE":"layers","Diff_IDs":["{d}"]}}}}"#
    );
    out.push(case(
        "config_keys_in_any_case",
        "Go encoding/json into moby's image.Image: any-case keys, null lists and maps; label names keep their case",
        with_raw_config(raw.as_bytes()),
        accepted(
            |s, i| {
                stored_config(s, i).and_then(|c| c.config).is_some_and(|r| {
                    r.env == ["A=1"] && r.cmd.is_empty() && r.labels.keys().map(String::as_str).collect::<Vec<_>>() == ["Maintainer", "maintainer"]
                })
            },
            "Env and both labels read, Cmd empty",
        ),
    ));
    let raw = format!(r#"{{"architecture":"amd64","os":"linux","config":{{"Env":["A=1"]}},"config":{{"User":"app"}},"rootfs":{}}}"#, diff_ids(&d));
    out.push(case(
        "config_repeated_object",
        "Go encoding/json decodes a repeated object into the same struct: its fields add up",
        with_raw_config(raw.as_bytes()),
        accepted(|s, i| stored_config(s, i).and_then(|c| c.config).is_some_and(|r| r.env == ["A=1"] && r.user == "app"), "Env from the first, User from the second"),
    ));
    let manifest = serde_json::to_string(&img.oci_manifest()).unwrap_or_default();
    let manifest = manifest.replace(r#""mediaType":"#, r#""MediaType":"#).replace(r#""digest":"#, r#""Digest":"#).replace(r#""layers":"#, r#""LAYERS":"#).into_bytes();
    let index = json!({"SchemaVersion": 2, "Manifests": [{
        "MEDIATYPE": media_type::OCI_MANIFEST,
        "digest": Digest::of(&manifest).to_string(),
        "Size": manifest.len(),
        "Annotations": {"org.opencontainers.image.ref.name": super::build::TAG},
    }]});
    let blobs = vec![img.layers[0].bytes.clone(), img.config_bytes(), manifest];
    out.push(case(
        "oci_keys_in_any_case",
        "Go encoding/json into the image-spec structs (containerd's and moby 25+'s OCI import)",
        oci_archive(&serde_json::to_vec(&index).unwrap_or_default(), blobs).tar(),
        accepted(|s, i| one_image(s, i, 1) && has_path(s, i, "etc/corpus") && i[0].tags == [super::build::TAG], "the image imports with its tag"),
    ));
}

/// `manifest.json` that is not the document it should be.
fn docker_documents(out: &mut Vec<Case>, img: &Image) {
    for (name, text, says, source) in [
        ("manifest_not_json", "{not json", "`manifest.json` is not valid", "moby load json.Decode error"),
        ("manifest_object_not_list", r#"{"Config":"x.json","Layers":[]}"#, "invalid type: map", "moby load: manifest.json is a list"),
        ("manifest_item_without_config", r#"[{"RepoTags":[],"Layers":[]}]"#, "missing field `Config`", "containers/image tarfile reader"),
        ("manifest_config_not_string", r#"[{"Config":1,"Layers":[]}]"#, "invalid type: integer", "Go json: cannot unmarshal number into string"),
        ("manifest_utf8_bom", "\u{feff}[]", "`manifest.json` is not valid", "Go encoding/json refuses a BOM (\"invalid character 'ï'\")"),
    ] {
        let mut a = img.docker();
        a.set("manifest.json", text.as_bytes().to_vec());
        out.push(case(name, source, a.tar(), refused(|e| json_error(e, "manifest.json"), says)));
    }
    let a = img.docker_with(|m| m[0]["RepoTags"] = Value::Null);
    out.push(case("repo_tags_null", "moby load of an untagged image (RepoTags null)", a.tar(), accepted(|s, i| i.len() == 1 && i[0].tags.is_empty() && image(s, i).is_some(), "one untagged image")));
    let mut empty = simple();
    empty.layers.clear();
    empty.config["rootfs"]["diff_ids"] = json!([]);
    let a = empty.docker_with(|m| m[0]["Layers"] = Value::Null);
    out.push(case("layers_null_no_layers", "Go json: null leaves the zero value (an image of no layers, FROM scratch + ENV)", a.tar(), accepted(|s, i| one_image(s, i, 0), "one image of no layers")));
}

/// Image configs: grammar of diff_ids, size, nesting, duplicate keys, hashing of raw bytes.
fn configs(out: &mut Vec<Case>) {
    out.push(case("config_not_json", "moby load json error on the config", with_raw_config(b"not json at all"), refused(|e| json_error(e, "config"), "is not valid")));
    out.push(case(
        "config_without_rootfs",
        "ggcr validate (rootfs required)",
        with_raw_config(br#"{"architecture":"amd64","os":"linux"}"#),
        refused(|e| json_error(e, "config"), "missing field `rootfs`"),
    ));
    out.push(case(
        "config_rootfs_null",
        "Go json leaves rootfs empty, then the layer count differs",
        with_raw_config(config_text("null").as_bytes()),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { .. })), "0 diff_ids"),
    ));
    for (name, d, says, source) in [
        ("config_diff_id_traversal", "sha256:../../../x", "sha256:../../../x", "CVE-2024-3727 / GHSA-6wvf-f2vw-3425; containers/image TestReferenceBlobPathInvalid"),
        ("config_diff_id_uppercase", "sha256:5F70BF18A086007016E948B04AED3B82103A36BEA41755B6CDDFAF10ACE3C6EF", "64 lowercase hex", "image-spec descriptor.md: [A-F] MUST NOT be used"),
        ("config_diff_id_short", "sha256:5f70bf18", "64 lowercase hex", "image-spec descriptor.md: sha256 is 64 hex"),
        ("config_diff_id_no_algorithm", "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", "no algorithm prefix", "containers/image 3a5e52e2 (no `:` panicked)"),
        ("config_diff_id_sha512", "sha512:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", "unsupported algorithm", "reliability B2: cannot be verified"),
        ("config_diff_id_multihash", "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "unsupported algorithm", "image-spec descriptor.md (unrecognised algorithm); reliability B2"),
        ("config_diff_id_empty", "", "no algorithm prefix", "reliability B1 (empty digest)"),
    ] {
        out.push(case(name, source, with_raw_config(config_text(&diff_ids(d)).as_bytes()), refused(|e| json_error(e, "config"), says)));
    }
    let mut big = config_text(&diff_ids(&simple().layers[0].diff_id.to_string())).into_bytes();
    big.resize(usize::try_from(MAX_JSON_BYTES).unwrap_or(0) + 10, b' ');
    out.push(case(
        "config_too_big",
        "containers/image MaxConfigBodySize (4 MiB); reliability B6",
        with_raw_config(&big),
        refused(|e| is(e, |a| matches!(a, ArchiveError::TooBig { .. })), "for a metadata file"),
    ));
    let d = simple().layers[0].diff_id.to_string();
    let deep = format!(r#"{{"x":{}{},"rootfs":{}}}"#, "[".repeat(100_000), "]".repeat(100_000), diff_ids(&d));
    out.push(case(
        "config_deeply_nested",
        "reliability B15 (serde_json's recursion limit, 128)",
        with_raw_config(deep.as_bytes()),
        refused(|e| json_error(e, "config"), "recursion limit exceeded"),
    ));
    let dup = format!(r#"{{"rootfs":{{"type":"layers","diff_ids":[]}},"architecture":"amd64","rootfs":{}}}"#, diff_ids(&d));
    out.push(case("config_duplicate_rootfs", "reliability B10: two `rootfs` keys; Go's encoding/json keeps the last, as moby's loader reads it", with_raw_config(dup.as_bytes()), imports_simple()));
    // B9: the ID is the hash of the bytes as written, extra attributes and all.
    let raw = format!(r#"{{ "rootfs" : {}, "os":"linux", "architecture":"amd64", "unverified":{{"x":[1,2,3]}} , "config":null }}"#, diff_ids(&d));
    let id = Digest::of(raw.as_bytes());
    out.push(case(
        "config_hashed_as_written",
        "CVE-2014-8179 (moby 1.8.3: hash the bytes you parse)",
        with_raw_config(raw.as_bytes()),
        accepted(move |_, i| i.len() == 1 && i[0].id == id, "the image ID is the sha256 of the config bytes as written"),
    ));
    // B13, B14: configs tools wrote, with nulls and missing fields.
    let legacy = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":"/bin/sh","Entrypoint":null,"Labels":null,"Env":null}},"rootfs":{},"history":[{{"created_by":"no date","empty_layer":true}},{{"created":"2020-01-01T00:00:00Z"}}],"container_config":null}}"#,
        diff_ids(&d)
    );
    out.push(case(
        "config_legacy_nulls",
        "moby #47729 (history entry without `created` crashed dockerd); Go json nulls",
        with_raw_config(legacy.as_bytes()),
        imports_simple(),
    ));
    let history = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{},"history":[{{"created_by":"a"}},{{"created_by":"b"}},{{"created_by":"c"}}]}}"#,
        diff_ids(&d)
    );
    out.push(case("history_count_mismatch", "DataDog agent PR #35543 (panic matching history to layers); reliability B14", with_raw_config(history.as_bytes()), imports_simple()));
}

/// `LayerSources` of `manifest.json` and foreign layers.
fn layer_sources(out: &mut Vec<Case>, img: &Image) {
    let l = &img.layers[0];
    let source = json!({"mediaType": media_type::DOCKER_LAYER_TAR, "digest": l.digest().to_string(), "size": l.bytes.len()});
    let good = img.docker_with(|m| m[0]["LayerSources"] = json!({ l.diff_id.to_string(): source.clone() }));
    out.push(case("layer_sources", "moby tarexport LayerSources (Docker 25+ writes them for every layer)", good.tar(), imports_simple()));
    let a = img.docker_with(|m| m[0]["LayerSources"] = json!({ "sha256:../x": source.clone() }));
    out.push(case(
        "layer_sources_bad_key",
        "CVE-2024-3727 class: a key that is no diff_id is never looked up (moby; dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    let a = img.docker_with(|m| m[0]["LayerSources"] = json!({ l.diff_id.to_string(): {"mediaType": "x", "size": 1} }));
    out.push(case("layer_sources_no_digest", "moby registers the descriptor as given and never reads it back (dockerd 20.10 loads it)", a.tar(), imports_simple()));
    let wrong = Digest::of(b"some other blob");
    let a = img.docker_with(|m| {
        m[0]["LayerSources"] = json!({ l.diff_id.to_string(): {"mediaType": media_type::DOCKER_LAYER_TAR, "digest": wrong.to_string(), "size": l.bytes.len()} });
    });
    out.push(case(
        "layer_sources_digest_mismatch",
        "LayerSources describes the registry's blob, never the archive's file (moby; dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    let a = img.docker_with(|m| {
        m[0]["LayerSources"] = json!({ l.diff_id.to_string(): {"mediaType": media_type::DOCKER_LAYER_TAR, "digest": l.digest().to_string(), "size": 5} });
    });
    out.push(case(
        "layer_sources_size_mismatch",
        "LayerSources describes the registry's blob, never the archive's file (moby; dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    let foreign = json!({"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "digest": l.digest().to_string(), "size": l.bytes.len(), "urls": ["https://example.invalid/layer"]});
    let mut a = img.docker_with(|m| m[0]["LayerSources"] = json!({ l.diff_id.to_string(): foreign.clone() }));
    let path = a.layer_paths()[0].clone();
    a.remove(&path);
    out.push(case(
        "foreign_layer_missing",
        "CVE-2020-15157 (credentials sent to a foreign URL); reliability B12: never fetched",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::ForeignLayerMissing { urls, .. } if urls == "https://example.invalid/layer")), "which Layerwise does not do"),
    ));
    let a = img.docker_with(|m| m[0]["LayerSources"] = json!({ l.diff_id.to_string(): foreign.clone() }));
    out.push(case("foreign_layer_present", "Windows base images: a foreign layer saved with --include-foreign", a.tar(), imports_simple()));
}

/// OCI descriptors: sizes, digests, missing blobs, media types.
fn oci_descriptors(out: &mut Vec<Case>, img: &Image) {
    let manifest = serde_json::to_vec(&img.oci_manifest()).unwrap_or_default();
    let manifest_path = blob_path(&Digest::of(&manifest));
    let config_path = blob_path(&Digest::of(&img.config_bytes()));
    out.push(case("oci_layout", "skopeo copy oci-archive: (the unbroken layout)", img.oci().tar(), imports_simple()));
    for (name, text, says, source) in [
        ("oci_index_not_json", "{\"schemaVersion\":2,", "`index.json` is not valid", "containerd importer (decode index.json)"),
        ("oci_index_bad_digest", r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../etc/passwd","size":1}]}"#, "sha256:../../../etc/passwd", "CVE-2024-3727 (digest used as a path)"),
        ("oci_manifest_negative_size", r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef","size":-1}]}"#, "invalid value: integer `-1`", "image-spec descriptor.md: size MUST NOT be negative; umoci ErrInvalidExpectedSize"),
    ] {
        let mut a = img.oci();
        a.set("index.json", text.as_bytes().to_vec());
        out.push(case(name, source, a.tar(), refused(|e| json_error(e, "index.json"), says)));
    }
    for (name, text, source) in [
        ("oci_index_null_manifests", r#"{"schemaVersion":2,"manifests":null}"#, "moby specialimage emptyindex (docker wrote `null`)"),
        ("oci_index_empty", r#"{"schemaVersion":2,"manifests":[]}"#, "moby specialimage emptyindex"),
    ] {
        let mut a = img.oci();
        a.set("index.json", text.as_bytes().to_vec());
        out.push(case(name, source, a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images")));
    }
    for (name, delta, source) in [("oci_manifest_size_larger", 100_i64, "image-spec: size verified before the digest; umoci descriptor size hardening"), ("oci_manifest_size_smaller", -1, "umoci VerifiedReadCloser (extra data detected)")] {
        let a = img.oci_with(|_| {}, |i| i["manifests"][0]["size"] = json!(i64::try_from(manifest.len()).unwrap_or(0) + delta));
        out.push(case(name, source, a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::SizeMismatch { .. })), "but its descriptor says")));
    }
    let mut a = img.oci();
    let mut changed = manifest.clone();
    changed[0] = b' ';
    a.set(&manifest_path, changed);
    out.push(case(
        "oci_manifest_digest_mismatch",
        "distribution-spec bad-digest-image; umoci blob hash hardening",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DigestMismatch { what, .. } if what.contains("index.json"))), "was expected"),
    ));
    let mut a = img.oci();
    a.remove(&manifest_path);
    out.push(case("oci_manifest_missing", "moby specialimage partial; containerd \"content not found\"", a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { .. })), "is not in the archive")));
    let mut a = img.oci();
    let mut config = a.data(&config_path).to_vec();
    config[0] = b' ';
    a.set(&config_path, config);
    out.push(case(
        "oci_config_digest_mismatch",
        "ggcr validate (config digest); umoci blob hash hardening",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DigestMismatch { what, .. } if what.contains("config"))), "was expected"),
    ));
    let a = img.oci_with(|m| m["config"]["size"] = json!(3), |_| {});
    out.push(case("oci_config_size_mismatch", "umoci descriptor size hardening", a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::SizeMismatch { what, .. } if what.contains("config"))), "but its descriptor says")));
    let mut a = img.oci();
    a.remove(&config_path);
    out.push(case("oci_config_missing", "moby specialimage partial", a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { wanted_by, .. } if wanted_by.contains("config"))), "is not in the archive")));
    // Layers: digest, size, absence, foreign.
    let other = Blob::plain(layer(&[E::File("other", b"other")]));
    let other_digest = other.digest();
    let mut a = img.oci_with(|m| m["layers"][0]["digest"] = json!(other_digest.to_string()), |_| {});
    let layer_path = blob_path(&img.layers[0].digest());
    a.get_mut(&layer_path).name = blob_path(&other_digest);
    out.push(case(
        "oci_layer_digest_mismatch",
        "umoci blob hash hardening (`verified reader digest mismatch`)",
        a.tar(),
        refused(move |e| is(e, |a| matches!(a, ArchiveError::DigestMismatch { expected, .. } if *expected == other_digest)), "was expected"),
    ));
    let size = img.layers[0].bytes.len();
    let a = img.oci_with(|m| m["layers"][0]["size"] = json!(size + 1), |_| {});
    out.push(
        case(
            "oci_layer_size_mismatch",
            "umoci descriptor size hardening (`verified reader size mismatch`); ggcr verify.ReadCloser",
            a.tar(),
            refused(|e| is(e, |a| matches!(a, ArchiveError::SizeMismatch { what, .. } if what.contains("layer"))), "but its descriptor says"),
        ),
    );
    let mut a = img.oci();
    a.remove(&layer_path);
    out.push(case("oci_layer_missing", "moby specialimage partial", a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { .. })), "is not in the archive")));
    let mut a = img.oci_with(|m| m["layers"][0]["urls"] = json!(["https://example.invalid/foreign"]), |_| {});
    a.remove(&layer_path);
    out.push(case(
        "oci_foreign_layer_missing",
        "CVE-2020-15157; image-spec non-distributable layers",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::ForeignLayerMissing { .. })), "non-distributable layers are not fetched"),
    ));
    // A13, B7, B8: what the index points at.
    for (name, mt, source) in [
        ("oci_index_points_at_config", media_type::OCI_CONFIG, "moby specialimage configtarget"),
        ("oci_text_plain_artifact", "text/plain", "moby specialimage textplain"),
        ("oci_schema1_manifest", "application/vnd.docker.distribution.manifest.v1+prettyjws", "containerd validateMediaType \"schema 1 not supported\""),
    ] {
        let blob = if mt == media_type::OCI_CONFIG { img.config_bytes() } else { b"hello".to_vec() };
        let index = json!({"schemaVersion": 2, "manifests": [descriptor(mt, &blob, None)]});
        let mut blobs: Vec<Vec<u8>> = img.layers.iter().map(|l| l.bytes.clone()).collect();
        blobs.push(blob);
        let a = oci_archive(&serde_json::to_vec(&index).unwrap_or_default(), blobs);
        out.push(case(name, source, a.tar(), refused(move |e| is(e, |a| matches!(a, ArchiveError::UnsupportedMediaType { media_type, .. } if media_type == mt)), "which is not an image manifest or index")));
    }
    let a = img.oci_with(|_| {}, |i| i["manifests"][0]["mediaType"] = json!(""));
    out.push(case("oci_descriptor_without_media_type", "image-spec: mediaType sniffed from the content when absent", a.tar(), imports_simple()));
    let index_bytes = index_of(vec![descriptor(media_type::OCI_MANIFEST, &manifest, Some(("linux", "amd64")))]);
    let a = img.oci_with(|_| {}, |i| {
        i["manifests"][0] = json!({"mediaType": media_type::OCI_MANIFEST, "digest": Digest::of(&index_bytes).to_string(), "size": index_bytes.len()});
    });
    let mut a = a;
    a.entries.push(Outer::file(&blob_path(&Digest::of(&index_bytes)), index_bytes));
    out.push(case(
        "oci_manifest_is_an_index",
        "CVE-2021-41190 / GHSA-77vh-xpmg-72qh (type confusion): bytes of an index served as a manifest",
        a.tar(),
        refused(|e| json_error(e, "manifest"), "ambiguous"),
    ));
    let a = img.oci_with(|m| m["manifests"] = json!([descriptor(media_type::OCI_MANIFEST, b"x", None)]), |_| {});
    out.push(
        case(
            "oci_ambiguous_manifest",
            "CVE-2021-41190; containers/image PR #1409 \"Reject ambiguous manifest formats\"; containerd validateMediaType",
            a.tar(),
            refused(|e| is(e, |a| matches!(a, ArchiveError::Json(_) | ArchiveError::UnsupportedMediaType { .. })), "manifest"),
        ),
    );
    let a = img.oci_with(|m| m["mediaType"] = json!(media_type::OCI_INDEX), |_| {});
    out.push(
        case(
            "oci_manifest_media_type_mismatch",
            "umoci embedded media type verification; containerd validateMediaType",
            a.tar(),
            refused(|e| is(e, |a| matches!(a, ArchiveError::Json(_) | ArchiveError::UnsupportedMediaType { .. })), "manifest"),
        ),
    );
    for (name, annotations, source) in [
        ("oci_tag_annotation_invalid", json!({"io.containerd.image.name": "UPPER/case:1"}), "containers/image 4096eaf5 (tags validated)"),
        ("oci_ref_name_digest", json!({"org.opencontainers.image.ref.name": "x/y@sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}), "moby load \"invalid tag\" (a digest is not a tag)"),
    ] {
        let a = img.oci_with(|_| {}, |i| i["manifests"][0]["annotations"] = annotations.clone());
        out.push(case(name, source, a.tar(), refused(|e| is(e, |a| matches!(a, ArchiveError::BadTag { .. })), "tag `")));
    }
    let a = img.oci_with(|_| {}, |i| i["manifests"][0]["annotations"] = json!({"org.opencontainers.image.ref.name": "latest"}));
    out.push(case("oci_ref_name_bare_tag", "image-spec annotations.md (a bare tag names no repository)", a.tar(), accepted(|_, i| i.len() == 1 && i[0].tags.is_empty(), "one untagged image")));
}

/// Nested indexes and platform choice.
fn indexes(out: &mut Vec<Case>) {
    let (amd_blobs, amd) = platform_image("amd64");
    let (arm_blobs, arm) = platform_image("arm64");
    let both = index_of(vec![descriptor(media_type::OCI_MANIFEST, &arm, Some(("linux", "arm64"))), descriptor(media_type::OCI_MANIFEST, &amd, Some(("linux", "amd64")))]);
    let all_blobs: Vec<Vec<u8>> = amd_blobs.iter().chain(&arm_blobs).cloned().collect();
    out.push(case(
        "oci_nested_index_default_platform",
        "moby image_load_test (linux/amd64 by default)",
        nested(&both, all_blobs.clone()),
        accepted(|s, i| i.len() == 1 && arch_of(s, i).as_deref() == Some("amd64"), "the amd64 image"),
    ));
    let arm64 = Platform { os: "linux".to_owned(), architecture: "arm64".to_owned(), variant: None };
    out.push(
        case("oci_nested_index_chosen_platform", "docker load --platform linux/arm64", nested(&both, all_blobs.clone()), accepted(|s, i| i.len() == 1 && arch_of(s, i).as_deref() == Some("arm64"), "the arm64 image"))
            .platform(PlatformChoice::Only(arm64)),
    );
    let s390x = Platform { os: "linux".to_owned(), architecture: "s390x".to_owned(), variant: None };
    out.push(
        case(
            "oci_platform_not_in_index",
            "moby image_load_test \"no suitable export target found for platform\"",
            nested(&both, all_blobs.clone()),
            refused(|e| is(e, |a| matches!(a, ArchiveError::NoSuchPlatform { absent: 0, .. })), "the archive has no image for linux/s390x"),
        )
        .platform(PlatformChoice::Only(s390x)),
    );
    out.push(case(
        "oci_partial_index",
        "moby specialimage partial / image_load_test \"requested platform(s) found, but some content is missing\"",
        nested(&both, Vec::new()),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoSuchPlatform { absent: 2, .. } | ArchiveError::Missing { .. })), "not in the archive"),
    ));
    let attestation = json!({"mediaType": media_type::OCI_MANIFEST, "digest": Digest::of(&arm).to_string(), "size": arm.len(), "platform": {"os": "unknown", "architecture": "unknown"}, "annotations": {"vnd.docker.reference.type": "attestation-manifest"}});
    let only_attestation = index_of(vec![attestation]);
    out.push(case(
        "oci_index_of_attestations_only",
        "buildx provenance manifests (platform unknown/unknown) are not images",
        nested(&only_attestation, arm_blobs.clone()),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    // Nested five deep: the importer follows four levels.
    let mut inner = amd.clone();
    let mut kind = media_type::OCI_MANIFEST;
    let mut blobs = amd_blobs.clone();
    for _ in 0..5 {
        let next = index_of(vec![descriptor(kind, &inner, Some(("linux", "amd64")))]);
        blobs.push(next.clone());
        inner = next;
        kind = media_type::OCI_INDEX;
    }
    out.push(case(
        "oci_index_too_deep",
        "reliability B15 (bounded nesting): an error that says the index nests too deep",
        nested(&inner, blobs),
        refused(|e| is(e, |a| !matches!(a, ArchiveError::UnsupportedMediaType { .. })), "nested"),
    ));
    // A Docker manifest list of a Docker schema 2 manifest (media types consistent throughout).
    let mut docker_manifest: Value = serde_json::from_slice(&amd).unwrap_or_default();
    docker_manifest["mediaType"] = json!(media_type::DOCKER_MANIFEST);
    docker_manifest["config"]["mediaType"] = json!(media_type::DOCKER_CONFIG);
    docker_manifest["layers"][0]["mediaType"] = json!(media_type::DOCKER_LAYER_TAR);
    let docker_manifest = serde_json::to_vec(&docker_manifest).unwrap_or_default();
    let list = index_of(vec![descriptor(media_type::DOCKER_MANIFEST, &docker_manifest, Some(("linux", "amd64")))]);
    let mut docker_list: Value = serde_json::from_slice(&list).unwrap_or_default();
    docker_list["mediaType"] = json!(media_type::DOCKER_MANIFEST_LIST);
    let docker_list = serde_json::to_vec(&docker_list).unwrap_or_default();
    let index = json!({"schemaVersion": 2, "manifests": [descriptor(media_type::DOCKER_MANIFEST_LIST, &docker_list, None)]});
    let mut blobs = amd_blobs;
    blobs.push(docker_manifest);
    blobs.push(docker_list);
    out.push(case(
        "docker_manifest_list",
        "Docker manifest list (schema 2) in an OCI layout",
        oci_archive(&serde_json::to_vec(&index).unwrap_or_default(), blobs).tar(),
        accepted(|s, i| i.len() == 1 && arch_of(s, i).as_deref() == Some("amd64"), "the amd64 image"),
    ));
}
