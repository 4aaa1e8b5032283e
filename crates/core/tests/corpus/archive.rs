//! The outer archive (reliability.md 1A): `manifest.json` and the other control files, links
//! between top-level entries, layer counts, tags.

use layerwise_core::archive::{ArchiveError, MAX_LAYERS};
use layerwise_core::digest::Digest;
use layerwise_core::spec::MAX_JSON_BYTES;
use layerwise_core::tar::{EntryKind, TarError, TarWriter};
use serde_json::{json, Value};

use super::build::{layer, Archive, Blob, Image, Outer, E};
use super::{accepted, archive_error, has_path, image, one_image, outer_tar, refused, Case, Category, Expect};

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(format!("archive/{name}"), Category::Archive, source, archive, expect)
}

/// An image of one small layer.
fn simple() -> Image {
    Image::of(layer(&[E::Dir("etc"), E::File("etc/corpus", b"hello\n")]))
}

fn is(e: &layerwise_core::import::ImportError, pred: impl Fn(&ArchiveError) -> bool) -> bool {
    archive_error(e).is_some_and(pred)
}

fn imports_simple() -> Expect {
    accepted(|s, i| one_image(s, i, 1) && has_path(s, i, "etc/corpus"), "the image imports with its one layer")
}

/// `manifest.json` padded with spaces to `len` bytes (still valid JSON).
fn padded_manifest(a: &mut Archive, len: usize) {
    let mut m = a.data("manifest.json").to_vec();
    m.resize(len, b' ');
    a.set("manifest.json", m);
}

/// Refused naming `oci-layout`.
pub(super) fn layout_refusal() -> Expect {
    refused(|e| archive_error(e).is_some(), "oci-layout")
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let img = simple();
    control_files(&mut out, &img);
    links(&mut out, &img);
    counts_and_digests(&mut out, &img);
    several_images_and_layouts(&mut out, &img);
    legacy(&mut out);
    out
}

/// A pre-1.10 `docker save`: a folder per v1 image, `repositories` naming `v1_tag`'s tag.
fn legacy_archive(images: &[(&str, Option<&str>, bool)], tags: &str) -> Vec<u8> {
    let mut a = Archive { entries: Vec::new() };
    for (id, parent, with_layer) in images {
        let parent = parent.map(|p| format!(r#","parent":"{p}""#)).unwrap_or_default();
        let json = format!(r#"{{"id":"{id}"{parent},"created":"2015-11-05T19:14:31Z","docker_version":"1.9.1","container_config":{{"Cmd":["/bin/sh","-c","step {id}"]}},"architecture":"amd64","os":"linux"}}"#);
        a.entries.push(Outer::dir(id));
        a.entries.push(Outer::file(&format!("{id}/json"), json.into_bytes()));
        if *with_layer {
            a.entries.push(Outer::file(&format!("{id}/layer.tar"), layer(&[E::File(&format!("from-{}", &id[..4]), b"x")])));
        }
    }
    a.entries.push(Outer::file("repositories", tags.as_bytes().to_vec()));
    a.tar()
}

/// A pre-1.10 archive, as moby's `legacyLoad` reads it (every case here goes through dockerd too).
fn legacy(out: &mut Vec<Case>) {
    let (base, child) = ("a1".repeat(32), "b2".repeat(32));
    let tags = format!(r#"{{"{}":{{"1":"{child}"}}}}"#, super::build::TAG.trim_end_matches(":1"));
    out.push(case(
        "legacy_chain",
        "moby legacyLoad: an image per folder, parents first, tags from `repositories`",
        legacy_archive(&[(&base, None, true), (&child, Some(&base), true)], &tags),
        accepted(|s, i| i.len() == 2 && i.iter().any(|i| i.tags == [super::build::TAG]) && image(s, i).is_some(), "two images, the child tagged"),
    ));
    let stray = "c3".repeat(32);
    out.push(case(
        "legacy_invalid_target",
        "moby legacyLoad \"invalid target ID\"",
        legacy_archive(&[(&base, None, true)], &format!(r#"{{"corpus/test":{{"1":"{stray}"}}}}"#)),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Legacy(m) if m.contains("invalid target ID"))), "invalid target ID"),
    ));
    out.push(case(
        "legacy_missing_parent",
        "moby legacyLoad: the parent's `json` must be there",
        legacy_archive(&[(&child, Some(&base), true)], &tags),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if path.ends_with("/json"))), "is not in the archive"),
    ));
    out.push(case(
        "legacy_parent_loop",
        "moby legacyLoadImage recurses into the parent without a bound (not sent to dockerd)",
        legacy_archive(&[(&base, Some(&child), true), (&child, Some(&base), true)], &tags),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Legacy(m) if m.contains("loops"))), "loops"),
    ));
    out.push(case(
        "legacy_missing_layer",
        "moby legacyLoad: each folder's `layer.tar` must be there",
        legacy_archive(&[(&base, None, false)], &format!(r#"{{"corpus/test":{{"1":"{base}"}}}}"#)),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if path.ends_with("layer.tar"))), "is not in the archive"),
    ));
}

/// A1–A5: `manifest.json` and the other control files: absent, null, empty, too big, twice.
fn control_files(out: &mut Vec<Case>, img: &Image) {

    // A1: no manifest.json, no index.json.
    out.push(case(
        "no_manifest",
        "ggcr TestNoManifest (tarball/testdata/no_manifest.tar); moby load \"does not contain a manifest.json\"",
        Archive::default().with_file("foo.txt", b"not an image\n").tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NotAnImage(s) if s.contains("foo.txt"))), "not an image archive"),
    ));
    out.push(case(
        "empty_tar",
        "containerd importer \"unrecognized image format\"",
        TarWriter::new().finish(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NotAnImage(s) if s == "no files")), "it holds no files"),
    ));
    out.push(case(
        "zero_bytes",
        "moby load of an empty stream",
        Vec::new(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NotAnImage(_))), "not an image archive"),
    ));
    // A2: null manifest, and the empty list.
    let mut a = img.docker();
    a.set("manifest.json", b"null".to_vec());
    out.push(case(
        "null_manifest",
        "ggcr TestNullManifest (null_manifest.tar); dockerd 20.10 reads null as no items, loads nothing and prints nothing (Layerwise says so as an error)",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    let mut a = img.docker();
    a.set("manifest.json", b" null\n".to_vec());
    out.push(case(
        "null_manifest_with_whitespace",
        "ggcr TestNullManifest, with the whitespace encoders add",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    let mut a = img.docker();
    a.set("manifest.json", b"[]".to_vec());
    out.push(case(
        "empty_manifest_list",
        "moby load: `[]` is valid and loads nothing (Layerwise says so as an error)",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    // A5: a `./` prefix on every name.
    let mut a = img.docker_with(|m| {
        let config = m[0]["Config"].as_str().unwrap_or_default().to_owned();
        m[0]["Config"] = json!(format!("./{config}"));
    });
    for e in &mut a.entries {
        e.name = format!("./{}", e.name);
    }
    out.push(case("manifest_prefix_path", "ggcr TestLoadManifestPrefixPath", a.tar(), imports_simple()));
    // A3: the size cap, and exactly at it.
    let mut a = img.docker();
    padded_manifest(&mut a, usize::try_from(MAX_JSON_BYTES).unwrap_or(0) + 1);
    out.push(case(
        "manifest_too_big",
        "containerd importer jsonLimit (CVE-2023-25153); containers/image MaxTarFileManifestSize",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::TooBig { path, size, .. } if path == "manifest.json" && *size == MAX_JSON_BYTES + 1)), "over the limit of 4194304 bytes"),
    ));
    let mut a = img.docker();
    padded_manifest(&mut a, usize::try_from(MAX_JSON_BYTES).unwrap_or(0));
    out.push(case("manifest_at_size_cap", "containerd importer jsonLimit: the limit itself is allowed", a.tar(), imports_simple()));
    // A4: duplicate control files.
    let mut a = img.docker();
    let manifest = a.data("manifest.json").to_vec();
    a.entries.push(Outer::file("manifest.json", manifest));
    out.push(case(
        "duplicate_manifest_json",
        "reliability A4: containerd and moby take the last (dockerd 20.10 loads it), ggcr and containers/image the first",
        a.tar(),
        imports_simple(),
    ));
    let mut a = img.docker();
    a.entries.push(Outer::file("./manifest.json", b"[]".to_vec()));
    out.push(case(
        "duplicate_manifest_json_dot_slash",
        "reliability A4, the second spelled `./manifest.json` and saying `[]`: the last wins, as dockerd 20.10 loads nothing",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    let a = img.docker().with_file("repositories", b"{}").with_file("repositories", b"{\"x\":{}}");
    out.push(case(
        "duplicate_repositories",
        "reliability A4 (moby legacy load reads `repositories`; with `manifest.json` it is not read, and dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    let mut a = img.oci();
    let index = a.data("index.json").to_vec();
    a.entries.push(Outer::file("index.json", index));
    out.push(case(
        "duplicate_index_json",
        "reliability A4 for OCI layouts (containerd importer takes the last, as we do)",
        a.tar(),
        accepted(|s, i| one_image(s, i, 1), "the last copy is read"),
    ));
    let a = img.oci().with_file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    out.push(case(
        "duplicate_oci_layout",
        "reliability A4 for OCI layouts (the last copy is read)",
        a.tar(),
        accepted(|s, i| one_image(s, i, 1), "the last copy is read"),
    ));
    // Duplicate blobs: the last wins, as when docker untars the archive.
    let mut a = img.docker();
    let path = a.layer_paths()[0].clone();
    let decoy = layer(&[E::File("decoy", b"first copy")]);
    a.entries.insert(0, Outer::file(&path, decoy.clone()));
    out.push(case("duplicate_layer_last_wins", "reliability A4: moby untars to a directory (last wins)", a.tar(), imports_simple()));
    let mut a = img.docker();
    a.entries.push(Outer::file(&path, decoy));
    out.push(case(
        "duplicate_layer_last_is_wrong",
        "reliability A4: the copy docker would use is the last",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index: 0, .. })), "uncompresses to"),
    ));
}

/// Missing files, and A6–A7: names and links between top-level entries.
fn links(out: &mut Vec<Case>, img: &Image) {
    let path = img.docker().layer_paths()[0].clone();
    // Missing files.
    let mut a = img.docker();
    let config = a.config_path();
    a.remove(&config);
    out.push(case(
        "config_missing",
        "moby load \"open <config>: no such file\"; ggcr TestBundleMissingConfig",
        a.tar(),
        refused(move |e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if *path == config)), "is not in the archive"),
    ));
    let mut a = img.docker();
    a.remove(&path);
    let missing = path.clone();
    out.push(case(
        "layer_missing",
        "moby load (layer file absent); containerd importer",
        a.tar(),
        refused(move |e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if *path == missing)), "is not in the archive"),
    ));
    // A6: manifest paths with `..` or a leading `/` are lookup keys in the archive, nothing else.
    let a = img.docker_with(|m| m[0]["Layers"][0] = json!(format!("../../{}", m[0]["Layers"][0].as_str().unwrap_or_default())));
    out.push(case("layer_path_dotdot", "moby safePath (FollowSymlinkInScope); ggcr/containerd look names up among the entries", a.tar(), imports_simple()));
    let a = img.docker_with(|m| m[0]["Layers"][0] = json!(format!("/{}", m[0]["Layers"][0].as_str().unwrap_or_default())));
    out.push(case("layer_path_absolute", "moby safePath; reliability A6", a.tar(), imports_simple()));
    let a = img.docker_with(|m| m[0]["Config"] = json!("../../../../etc/passwd"));
    out.push(case(
        "config_path_traversal",
        "reliability A6: never resolved against anything but the archive",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if path == "../../../../etc/passwd")), "is not in the archive"),
    ));
    // A7: links between top-level entries.
    let blob = img.layers[0].bytes.clone();
    let hex = img.layers[0].diff_id.hex().to_owned();
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::file(&format!("{hex}.tar"), blob.clone());
    a.entries.push(Outer::link("aaaa/layer.tar", EntryKind::Symlink, &format!("../{hex}.tar")));
    out.push(case("layer_symlink_one_hop", "old docker save writes `../<id>/layer.tar` symlinks for shared layers; containers/image follows one", a.tar(), imports_simple()));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::file(&format!("{hex}.tar"), blob.clone());
    a.entries.push(Outer::link("bbbb/layer.tar", EntryKind::Symlink, &format!("../{hex}.tar")));
    a.entries.push(Outer::link("aaaa/layer.tar", EntryKind::Symlink, "../bbbb/layer.tar"));
    out.push(case("layer_symlink_two_hops", "reliability 4.7: at most 2 top-level hops", a.tar(), imports_simple()));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::file(&format!("{hex}.tar"), blob.clone());
    a.entries.push(Outer::link("cccc/layer.tar", EntryKind::Symlink, &format!("../{hex}.tar")));
    a.entries.push(Outer::link("bbbb/layer.tar", EntryKind::Symlink, "../cccc/layer.tar"));
    a.entries.push(Outer::link("aaaa/layer.tar", EntryKind::Symlink, "../bbbb/layer.tar"));
    out.push(case(
        "layer_symlink_three_hops",
        "reliability 4.7 (containers/image follows exactly one; dockerd opens the extracted file, and the kernel follows up to 40)",
        a.tar(),
        imports_simple(),
    ));
    let mut a = img.docker_with(|m| m[0]["Config"] = json!("cfg.json"));
    let config = a.entries.iter().position(|e| e.name.ends_with(".json") && e.name != "manifest.json").unwrap_or(0);
    a.entries.remove(config);
    a.entries.push(Outer::link("cfg.json", EntryKind::Symlink, "loop.json"));
    a.entries.push(Outer::link("loop.json", EntryKind::Symlink, "cfg.json"));
    out.push(case(
        "symlink_cycle",
        "ggcr TestSymlinkCycle (\"link cycle detected\")",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::BadLink(p) if p == "cfg.json")), "a loop"),
    ));
    let mut a = img.docker();
    a.get_mut("manifest.json").name = "real.json".to_owned();
    let a = a.with_link("manifest.json", EntryKind::Symlink, "m2.json").with_link("m2.json", EntryKind::Symlink, "manifest.json");
    out.push(case(
        "manifest_symlink_cycle",
        "ggcr TestSymlinkCycle, on manifest.json itself",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::BadLink(p) if p == "manifest.json")), "a loop"),
    ));
    let mut a = img.docker();
    a.get_mut("manifest.json").name = "real.json".to_owned();
    let a = a.with_link("manifest.json", EntryKind::Symlink, "./real.json");
    out.push(case("manifest_is_symlink", "ggcr extractFileFromTar follows symlinks", a.tar(), imports_simple()));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::link("aaaa/layer.tar", EntryKind::Symlink, "../../../../etc/passwd");
    out.push(case(
        "layer_symlink_outside_archive",
        "moby safePath (FollowSymlinkInScope); reliability A6",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::Missing { path, .. } if path == "aaaa/layer.tar")), "is not in the archive"),
    ));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::file(&format!("{hex}.tar"), blob.clone());
    a.entries.push(Outer::link("aaaa/layer.tar", EntryKind::Symlink, &format!("/{hex}.tar")));
    out.push(case("layer_symlink_absolute", "moby safePath (FollowSymlinkInScope resolves `/x` in the archive root; containerd and containers/image join it to the link's directory)", a.tar(), imports_simple()));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("aaaa/layer.tar"));
    a.entries[0] = Outer::file(&format!("{hex}.tar"), blob);
    a.entries.push(Outer::link("aaaa/layer.tar", EntryKind::Hardlink, &format!("{hex}.tar")));
    out.push(case("layer_hardlink", "a hard link in the outer archive (GNU tar writes them for duplicate files)", a.tar(), imports_simple()));
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!("somedir"));
    a.entries.push(Outer::dir("somedir"));
    out.push(case(
        "layer_is_directory",
        "moby load \"is a directory\"",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::BadLink(p) if p == "somedir")), "does not resolve to a file"),
    ));
}

/// A8–A11, A16: names that claim digests, layer counts, diff_ids, the layer limit, tags.
fn counts_and_digests(out: &mut Vec<Case>, img: &Image) {
    // A11: names that claim a digest.
    let mut a = img.docker();
    let config = a.config_path();
    let wrong = format!("{}.json", Digest::of(b"something else").hex());
    a.get_mut(&config).name = wrong.clone();
    let a = {
        let mut a = a;
        a.edit_json("manifest.json", |m| m[0]["Config"] = json!(wrong));
        a
    };
    out.push(case(
        "config_name_not_its_digest",
        "moby's loader finds the config by name; the image ID is the sha256 of its bytes (dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    let other = Digest::of(b"another blob");
    let mut a = img.docker_with(|m| m[0]["Layers"][0] = json!(format!("blobs/sha256/{}", other.hex())));
    a.entries[0].name = format!("blobs/sha256/{}", other.hex());
    out.push(case(
        "blob_name_not_its_digest",
        "Docker 25+ layout (`blobs/sha256/<hex>` in manifest.json): moby's loader reads it by name and verifies the diff_id (dockerd 20.10 loads it)",
        a.tar(),
        imports_simple(),
    ));
    // A8, A9: layer count against diff_ids.
    let mut two = simple();
    two.config["rootfs"]["diff_ids"] = json!([two.layers[0].diff_id.to_string(), Digest::of(b"x").to_string()]);
    out.push(case(
        "more_diff_ids_than_layers",
        "ggcr TestLayerByDiffIDMoreDiffIDsThanLayers (#2304, was a panic); moby \"layers length mismatch\"",
        two.docker().tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { layers: 1, diff_ids: 2, .. })), "diff_ids"),
    ));
    let mut none = simple();
    none.config["rootfs"]["diff_ids"] = json!([]);
    out.push(case(
        "empty_diff_ids",
        "ggcr TestManifestEmptyDiffIDs (#2192, was a panic)",
        none.docker().tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { layers: 1, diff_ids: 0, .. })), "diff_ids"),
    ));
    let mut fewer = Image::layers(vec![layer(&[E::File("a", b"a")]), layer(&[E::File("b", b"b")])]);
    fewer.config["rootfs"]["diff_ids"] = json!([fewer.layers[0].diff_id.to_string()]);
    out.push(case(
        "fewer_diff_ids_than_layers",
        "moby load \"invalid manifest, layers length mismatch\"",
        fewer.docker().tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { layers: 2, diff_ids: 1, .. })), "diff_ids"),
    ));
    // A10: content against diff_id.
    let mut wrong = simple();
    wrong.config["rootfs"]["diff_ids"] = json!([Digest::of(b"not this layer").to_string()]);
    out.push(case(
        "diff_id_mismatch",
        "moby load \"invalid diffID for layer 0\"",
        wrong.docker().tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index: 0, .. })), "but the config says diff_id"),
    ));
    let mut wrong = Image::layers(vec![layer(&[E::File("a", b"a")]), layer(&[E::File("b", b"b")])]);
    wrong.config["rootfs"]["diff_ids"][1] = json!(Digest::of(b"not this layer").to_string());
    out.push(case(
        "diff_id_mismatch_second_layer",
        "moby load \"invalid diffID for layer 1\"",
        wrong.docker().tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index: 1, .. })), "layer 1"),
    ));
    // The layer limit: over it, and at it (the same empty layer 1000 times).
    let mut many = simple();
    let diff_id = many.layers[0].diff_id.to_string();
    many.config["rootfs"]["diff_ids"] = Value::Array(vec![json!(diff_id); MAX_LAYERS + 1]);
    let a = many.docker_with(|m| {
        let first = m[0]["Layers"][0].clone();
        m[0]["Layers"] = Value::Array(vec![first; MAX_LAYERS + 1]);
    });
    out.push(case(
        "too_many_layers",
        "reliability 4.7 (hard cap 1000; containerd's 128-layer comment)",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::TooManyLayers { count: 1001, limit: 1000, .. })), "over the limit of 1000"),
    ));
    let empty = Image::of(TarWriter::new().finish());
    let mut at_limit = empty.clone();
    at_limit.config["rootfs"]["diff_ids"] = Value::Array(vec![json!(empty.layers[0].diff_id.to_string()); MAX_LAYERS]);
    let a = at_limit.docker_with(|m| {
        let first = m[0]["Layers"][0].clone();
        m[0]["Layers"] = Value::Array(vec![first; MAX_LAYERS]);
    });
    out.push(case(
        "max_layers",
        "reliability 4.7: exactly at the cap",
        a.tar(),
        accepted(|s, i| one_image(s, i, MAX_LAYERS), "one image of 1000 (identical, empty) layers"),
    ));
    // A16: tags.
    for (name, tag, says) in [
        ("tag_invalid", "Not A Tag!", "tag `Not A Tag!`"),
        ("tag_is_digest", "busybox@sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", "invalid tag \"busybox@sha256:"),
        ("tag_uppercase", "Corpus/Test:1", "repository name (`Corpus/Test`) must be lowercase"),
        ("tag_empty", "", "tag ``"),
        // dockerd 20.10: `invalid tag "notag"`.
        ("tag_without_tag", "notag", "invalid tag \"notag\""),
    ] {
        let mut bad = simple();
        bad.tags = vec![tag.to_owned()];
        out.push(case(
            name,
            "moby load \"invalid tag\"; containers/image \"Invalid tag … in manifest.json item\"",
            bad.docker().tar(),
            refused(|e| is(e, |a| matches!(a, ArchiveError::BadTag { .. })), says),
        ));
    }
    let mut tagged = simple();
    tagged.tags = vec![format!("{}@sha256:{}", super::build::TAG, "a".repeat(64))];
    out.push(case(
        "tag_with_digest",
        "dockerd 20.10 loads `name:tag@digest` and tags it `name:tag`",
        tagged.docker().tar(),
        accepted(|s, i| one_image(s, i, 1), "tagged with the tag, the digest dropped"),
    ));
    let a = img.docker_with(|m| m[0]["Parent"] = json!("sha256:../../x"));
    out.push(case(
        "parent_not_a_digest",
        "moby validatedParentLinks: a Parent that is not an image of the archive is dropped (dockerd 20.10 loads it)",
        a.tar(),
        accepted(|s, i| image(s, i).is_some_and(|r| r.parent.is_none()), "imported without a parent"),
    ));
}

/// A12, A14, A15: not a tar, padding, several images, OCI and Docker 25+ layouts.
fn several_images_and_layouts(out: &mut Vec<Case>, img: &Image) {
    // Not a tar at all.
    out.push(case(
        "not_a_tar",
        "moby load of a text file (\"archive/tar: invalid tar header\")",
        b"this is not a tar archive, just text. ".repeat(40),
        refused(|e| matches!(outer_tar(e), Some(TarError::Checksum(0))), "bad checksum"),
    ));
    // A14: a long tail of zeros after the end of the archive.
    let mut tail = img.docker().tar();
    tail.extend(std::iter::repeat_n(0u8, 8 << 20));
    out.push(case(
        "zero_padding_after_end",
        "moby TestImportExtremelyLargeImageWorks (CVE-2017-14992), 8 MiB rather than 8 GiB",
        tail,
        imports_simple(),
    ));
    // Several images: one broken, none imported.
    let second = Image::of(layer(&[E::File("second", b"2")]));
    let mut a = img.docker();
    let b = second.docker();
    let second_config = b.config_path();
    a.entries.extend(b.entries.iter().filter(|e| e.name != "manifest.json" && e.name != second_config).cloned());
    let items = {
        let mut first = a.json("manifest.json");
        let mut other = b.json("manifest.json");
        other[0]["RepoTags"] = json!(["corpus/second:1"]);
        if let Some(v) = first.as_array_mut() {
            v.push(other[0].clone());
        }
        first
    };
    a.set("manifest.json", serde_json::to_vec(&items).unwrap_or_default());
    out.push(case(
        "second_image_broken",
        "moby TestSaveXzGzAndLoadRepoStdout: no partial image after a failed load",
        a.tar(),
        refused(move |e| is(e, |a| matches!(a, ArchiveError::Missing { path, wanted_by } if *path == second_config && wanted_by.contains("item 1"))), "item 1"),
    ));
    let mut a = img.docker();
    a.entries.extend(b.entries.iter().filter(|e| e.name != "manifest.json").cloned());
    let mut items = a.json("manifest.json");
    let mut other = b.json("manifest.json");
    other[0]["RepoTags"] = json!(["corpus/second:1"]);
    if let Some(v) = items.as_array_mut() {
        v.push(other[0].clone());
    }
    a.set("manifest.json", serde_json::to_vec(&items).unwrap_or_default());
    out.push(case(
        "two_images",
        "podman save --multi-image-archive",
        a.tar(),
        accepted(|_, i| i.len() == 2 && i[1].tags == ["corpus/second:1"], "both images, each with its tag"),
    ));
    // A12: OCI layouts without an index.
    let mut a = img.oci();
    a.remove("index.json");
    out.push(case(
        "oci_layout_without_index",
        "containerd importer \"missing index.json\"",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NotAnImage(_))), "no `index.json`"),
    ));
    let mut a = img.oci();
    a.set("oci-layout", br#"{"imageLayoutVersion":"2.0.0"}"#.to_vec());
    out.push(case("oci_layout_unsupported_version", "containerd importer \"unsupported OCI version\"; image-spec image-layout.md", a.tar(), layout_refusal()));
    let mut a = img.oci();
    a.remove("oci-layout");
    out.push(case("oci_layout_missing", "image-spec image-layout.md (oci-layout MUST be present); containerd \"unrecognized image format\"", a.tar(), layout_refusal()));
    // Docker 25+: manifest.json and an OCI layout; docker's classic store reads manifest.json.
    let oci = img.oci();
    let mut a = Archive { entries: oci.entries.iter().filter(|e| e.name != "index.json").cloned().collect() };
    let layer_blob = format!("blobs/sha256/{}", img.layers[0].digest().hex());
    let config_blob = format!("blobs/sha256/{}", Digest::of(&img.config_bytes()).hex());
    let items = json!([{"Config": config_blob, "RepoTags": [super::build::TAG], "Layers": [layer_blob]}]);
    a.entries.push(Outer::file("manifest.json", serde_json::to_vec(&items).unwrap_or_default()));
    let docker25 = a.clone();
    a.entries.push(Outer::file("index.json", b"{ this index is broken".to_vec()));
    out.push(case(
        "docker25_manifest_json_wins",
        "moby tarexport load reads manifest.json (the index is for containerd)",
        a.tar(),
        imports_simple(),
    ));
    let mut a = docker25;
    a.entries.push(Outer::file("index.json", oci.data("index.json").to_vec()));
    out.push(case("docker25_layout", "docker save (25+): OCI layout plus manifest.json", a.tar(), imports_simple()));
    // Entries the index skips: `.` and `./`.
    let mut a = img.docker();
    a.entries.insert(0, Outer::dir("./"));
    a.entries.insert(0, Outer::dir("."));
    out.push(case("dot_entries", "GNU tar -C dir . writes `./` first", a.tar(), imports_simple()));
    // Two images sharing one layer blob: stored once.
    let shared = Image::new(vec![Blob::plain(layer(&[E::File("shared", b"s")]))]);
    let mut a = shared.docker();
    let mut items = a.json("manifest.json");
    let mut copy = items[0].clone();
    copy["RepoTags"] = json!(["corpus/copy:1"]);
    if let Some(v) = items.as_array_mut() {
        v.push(copy);
    }
    a.set("manifest.json", serde_json::to_vec(&items).unwrap_or_default());
    out.push(case(
        "same_image_twice",
        "moby load of an archive listing one image under two tags",
        a.tar(),
        accepted(|s, i| i.len() == 2 && i[0].id == i[1].id && image(s, i).is_some_and(|r| r.repo_tags.len() == 2), "one image with both tags"),
    ));
}
