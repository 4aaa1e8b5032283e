//! Mutations of real images (umoci `test/hardening.bats` style): in `app.docker.tar` (skopeo's
//! docker-archive) and `app.oci.tar` (skopeo's oci-archive), every file of the outer archive gets
//! a flipped first byte, one byte appended, its last byte cut (the tar headers rewritten for the
//! new sizes); then layers are swapped, dropped, recompressed, and the control file duplicated.
//! Each must give the one error that names the file at fault; files docker's load does not read
//! (`VERSION`, the v1 `json`, `repositories` beside a `manifest.json`) change nothing.

use layerwise_core::archive::ArchiveError;
use layerwise_core::digest::Digest;
use layerwise_core::import::ImportError;
use layerwise_core::layer::LayerError;
use layerwise_core::tar::{EntryKind, TarError};
use serde_json::Value;

use super::build::{blob_path, gzip, read_tar, tool, Archive, Outer};
use super::{accepted, archive_error, layer_error, refused, Case, Category, Expect};
use crate::common::generated;

/// What a mutation does to one file's bytes.
#[derive(Clone, Copy)]
enum Edit {
    Flip,
    Append,
    Truncate,
}

impl Edit {
    const ALL: [Self; 3] = [Self::Flip, Self::Append, Self::Truncate];

    fn name(self) -> &'static str {
        match self {
            Self::Flip => "flip",
            Self::Append => "append",
            Self::Truncate => "truncate",
        }
    }

    fn apply(self, data: &mut Vec<u8>) {
        match self {
            Self::Flip => data[0] ^= 0x01,
            Self::Append => data.push(0),
            Self::Truncate => {
                data.pop();
            }
        }
    }
}

/// What a file is to the importer.
enum Role {
    /// A layer blob of a docker archive, at this position.
    DockerLayer(usize),
    /// A gzip layer blob of an OCI archive.
    OciLayer,
    /// A config or manifest read by descriptor (size, then digest).
    Descriptor,
    /// A config named by its digest (`<hex>.json`).
    NamedConfig,
    /// `index.json`.
    Control,
    /// `manifest.json`.
    DockerManifest,
    /// `oci-layout`, which must say version 1.0.0.
    Layout,
    /// Not read.
    Ignored,
}

fn case(name: String, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(name, Category::Mutations, source, archive, expect)
}

fn is(e: &ImportError, pred: impl Fn(&ArchiveError) -> bool) -> bool {
    archive_error(e).is_some_and(pred)
}

/// Refused for a layer error at `path` that `pred` accepts.
fn layer_at(path: &str, pred: fn(&LayerError) -> bool, says: &'static str) -> Expect {
    let p = path.to_owned();
    refused(move |e| layer_error(e).is_some_and(|(at, l)| at == p && pred(l)), says)
}

/// The error a mutation of a file of `len` bytes with this role must give.
fn expect(role: &Role, edit: Edit, path: &str, len: usize) -> Expect {
    let p = path.to_owned();
    match (role, edit) {
        // A gzip blob whose magic is broken is read as a tar: shorter than a header block, it is
        // truncated; longer, its first block has a bad checksum.
        (Role::OciLayer, Edit::Flip) if len < 512 => layer_at(path, |l| matches!(l, LayerError::Tar(TarError::Truncated { .. })), "truncated"),
        (Role::DockerLayer(_) | Role::OciLayer, Edit::Flip) => layer_at(path, |l| matches!(l, LayerError::Tar(TarError::Checksum(0))), "bad checksum"),
        (Role::DockerLayer(n), Edit::Append) => {
            let n = *n;
            refused(move |e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index, path, .. } if *index == n && *path == p)), "uncompresses to")
        }
        (Role::DockerLayer(_), Edit::Truncate) => layer_at(path, |l| matches!(l, LayerError::Tar(TarError::Truncated { .. })), "truncated"),
        // A layer grown or cut no longer has the size its descriptor says: refused before it is read.
        (Role::OciLayer, _) => refused(move |e| is(e, |a| matches!(a, ArchiveError::SizeMismatch { what, .. } if what.contains(&p))), "but its descriptor says"),
        (Role::Descriptor, Edit::Flip) => refused(move |e| is(e, |a| matches!(a, ArchiveError::DigestMismatch { what, .. } if what.contains(&p))), "was expected"),
        // moby finds the config by name and takes its sha256 as the ID: one cut short of its
        // final newline is another image; one that is no longer JSON is refused.
        (Role::NamedConfig, Edit::Truncate) => accepted(|_, i| i.len() == 1 && i[0].tags == ["test/app:1"], "test/app:1 imports, with the ID of the bytes as they are"),
        (Role::NamedConfig, _) => refused(move |e| is(e, |a| matches!(a, ArchiveError::Json(j) if j.what.contains(&p))), "is not valid"),
        // moby's json.Decoder reads the first value of manifest.json and ignores what follows.
        (Role::DockerManifest, Edit::Append) => untouched(),
        (Role::DockerManifest, _) => refused(move |e| is(e, |a| matches!(a, ArchiveError::Json(j) if j.what.contains(&p))), "is not valid"),
        (Role::Descriptor, _) => refused(move |e| is(e, |a| matches!(a, ArchiveError::SizeMismatch { what, .. } if what.contains(&p))), "but its descriptor says"),
        (Role::Control, _) => refused(move |e| is(e, |a| matches!(a, ArchiveError::Json(j) if j.what.contains(&p))), "is not valid"),
        (Role::Layout, _) => super::archive::layout_refusal(),
        (Role::Ignored, _) => untouched(),
    }
}

/// Imported as if nothing had changed.
fn untouched() -> Expect {
    accepted(|_, i| i.len() == 1 && i[0].tags == ["test/app:1"], "test/app:1 imports as before (the file is not read)")
}

fn fixture(name: &str) -> Archive {
    let bytes = std::fs::read(generated().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Archive { entries: read_tar(&bytes) }
}

/// Every file of `archive` mutated by every edit.
fn per_file(out: &mut Vec<Case>, label: &str, archive: &Archive, role: &dyn Fn(&str) -> Role) {
    for (i, e) in archive.entries.iter().enumerate() {
        if e.kind != EntryKind::File || e.data.is_empty() {
            continue;
        }
        let r = role(&e.name);
        for edit in Edit::ALL {
            let mut a = archive.clone();
            edit.apply(&mut a.entries[i].data);
            let name = format!("mutation/{label}/{}/{}", edit.name(), e.name);
            let c = case(name, "umoci test/hardening.bats (blob hash and descriptor size hardening)", a.tar(), expect(&r, edit, &e.name, e.data.len()));
            out.push(c);
        }
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    docker(&mut out);
    oci(&mut out);
    out
}

fn docker(out: &mut Vec<Case>) {
    let archive = fixture("app.docker.tar");
    let manifest = archive.json("manifest.json");
    let layers = archive.layer_paths();
    let config = archive.config_path();
    let role = |name: &str| {
        if let Some(n) = layers.iter().position(|l| l == name) {
            Role::DockerLayer(n)
        } else if name == config {
            Role::NamedConfig
        } else if name == "manifest.json" {
            Role::DockerManifest
        } else {
            Role::Ignored
        }
    };
    per_file(out, "app.docker", &archive, &role);

    let with_manifest = |edit: &dyn Fn(&mut Value)| {
        let mut a = archive.clone();
        let mut m = manifest.clone();
        edit(&mut m);
        a.set("manifest.json", serde_json::to_vec(&m).unwrap_or_default());
        a.tar()
    };
    let first = layers[0].clone();
    out.push(case(
        "mutation/app.docker/swap/manifest.json".to_owned(),
        "umoci hardening (layers reordered): moby \"invalid diffID for layer 0\"",
        with_manifest(&|m| m[0]["Layers"].as_array_mut().into_iter().for_each(|l| l.reverse())),
        refused(move |e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index: 0, path, .. } if *path != first)), "layer 0"),
    ));
    out.push(case(
        "mutation/app.docker/drop/manifest.json".to_owned(),
        "moby \"invalid manifest, layers length mismatch\"",
        with_manifest(&|m| {
            m[0]["Layers"].as_array_mut().into_iter().for_each(|l| {
                l.pop();
            });
        }),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { layers: 1, diff_ids: 2, .. })), "diff_ids"),
    ));
    let mut a = archive.clone();
    a.entries.push(Outer::file("manifest.json", b"[]".to_vec()));
    out.push(case(
        "mutation/app.docker/duplicate/manifest.json".to_owned(),
        "reliability A4: the last copy (`[]`) is read, as dockerd 20.10 reads it: nothing loads",
        a.tar(),
        refused(|e| is(e, |a| matches!(a, ArchiveError::NoImages)), "holds no images"),
    ));
    for layer in &layers {
        let mut a = archive.clone();
        let data = gzip(a.data(layer));
        a.set(layer, data);
        out.push(case(
            format!("mutation/app.docker/recompress/{layer}"),
            "umoci hardening (recompress: the digest changes, the diff_id does not); moby DecompressStream",
            a.tar(),
            untouched(),
        ));
    }
}

fn oci(out: &mut Vec<Case>) {
    let archive = fixture("app.oci.tar");
    let index = archive.json("index.json");
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap_or_default().to_owned();
    let manifest_path = blob_path(&Digest::parse(&manifest_digest).expect("manifest digest"));
    let manifest = archive.json(&manifest_path);
    let config_path = blob_path(&Digest::parse(manifest["config"]["digest"].as_str().unwrap_or_default()).expect("config digest"));
    let layer_paths: Vec<String> = manifest["layers"]
        .as_array()
        .map(|ls| ls.iter().map(|l| blob_path(&Digest::parse(l["digest"].as_str().unwrap_or_default()).expect("layer digest"))).collect())
        .unwrap_or_default();
    let role = |name: &str| {
        if layer_paths.iter().any(|l| l == name) {
            Role::OciLayer
        } else if name == config_path || name == manifest_path {
            Role::Descriptor
        } else if name == "index.json" {
            Role::Control
        } else if name == "oci-layout" {
            Role::Layout
        } else {
            Role::Ignored
        }
    };
    per_file(out, "app.oci", &archive, &role);

    // Layers swapped or dropped in the manifest: a new manifest, its digest in index.json.
    let with_manifest = |edit: &dyn Fn(&mut Value)| {
        let mut a = archive.clone();
        let mut m = manifest.clone();
        edit(&mut m);
        let bytes = serde_json::to_vec(&m).unwrap_or_default();
        let digest = Digest::of(&bytes);
        a.entries.push(Outer::file(&blob_path(&digest), bytes.clone()));
        let mut i = index.clone();
        i["manifests"][0]["digest"] = Value::String(digest.to_string());
        i["manifests"][0]["size"] = Value::from(bytes.len());
        a.set("index.json", serde_json::to_vec(&i).unwrap_or_default());
        a.tar()
    };
    out.push(case(
        "mutation/app.oci/swap/manifest".to_owned(),
        "umoci hardening (layers reordered): the diff_ids no longer match",
        with_manifest(&|m| m["layers"].as_array_mut().into_iter().for_each(|l| l.reverse())),
        refused(|e| is(e, |a| matches!(a, ArchiveError::DiffIdMismatch { index: 0, .. })), "layer 0"),
    ));
    out.push(case(
        "mutation/app.oci/drop/manifest".to_owned(),
        "ggcr validate (layer count against diff_ids)",
        with_manifest(&|m| {
            m["layers"].as_array_mut().into_iter().for_each(|l| {
                l.pop();
            });
        }),
        refused(|e| is(e, |a| matches!(a, ArchiveError::LayerCount { layers: 1, diff_ids: 2, .. })), "diff_ids"),
    ));
    let mut a = archive.clone();
    a.entries.push(Outer::file("index.json", serde_json::to_vec(&index).unwrap_or_default()));
    out.push(case(
        "mutation/app.oci/duplicate/index.json".to_owned(),
        "reliability A4 (containerd importer takes the last, as we do)",
        a.tar(),
        accepted(|_, i| i.len() == 1, "the last copy is read"),
    ));
    for layer in &layer_paths {
        let mut a = archive.clone();
        let plain = tool("gzip", &["-d", "-c"], a.data(layer));
        a.set(layer, tool("gzip", &["-c", "-n", "-9"], &plain));
        let expected = Digest::parse(&format!("sha256:{}", layer.trim_start_matches("blobs/sha256/"))).expect("digest");
        out.push(case(
            format!("mutation/app.oci/recompress/{layer}"),
            "umoci hardening (recompress: the digest and size change, the diff_id does not)",
            a.tar(),
            refused(
                move |e| is(e, |a| matches!(a, ArchiveError::DigestMismatch { expected: d, .. } if *d == expected) || matches!(a, ArchiveError::SizeMismatch { what, .. } if what.contains(expected.hex()))),
                "",
            ),
        ));
    }
}
