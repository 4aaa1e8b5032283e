//! Builders for the corpus: layer tars down to raw header blocks, and `docker save` (legacy
//! layout) and OCI layout archives whose digests, diff_ids, sizes and names are all right, so a
//! case breaks exactly the one thing it is about.

use std::io::Write;
use std::ops::Range;
use std::process::{Command, Stdio};

use layerwise_core::digest::Digest;
use layerwise_core::media_type::{self, Compression};
use layerwise_core::tar::{header, EntryKind, TarWriter};
use serde_json::{json, Value};

/// The tag every built image carries.
pub(crate) const TAG: &str = "corpus/test:1";

/// One entry of a layer, for [`layer`].
pub(crate) enum E<'a> {
    /// A regular file and its contents.
    File(&'a str, &'a [u8]),
    /// A directory.
    Dir(&'a str),
    /// A symlink: name, target.
    Sym(&'a str, &'a str),
    /// A hard link: name, target.
    Link(&'a str, &'a str),
}

/// A layer tar of ordinary entries (names over 100 bytes get a PAX header, as `TarWriter` does).
pub(crate) fn layer(entries: &[E<'_>]) -> Vec<u8> {
    let mut w = TarWriter::new();
    for e in entries {
        match *e {
            E::File(name, data) => w.file(name, data, 0o644),
            E::Dir(name) => w.dir(name),
            E::Sym(name, target) => w.symlink(name, target),
            E::Link(name, target) => w.entry(name, EntryKind::Hardlink, &[], 0o644, Some(target)),
        };
    }
    w.finish()
}

/// A tar of raw blocks: each header (already built, maybe broken on purpose) and its data, padded
/// to 512 bytes, then the two zero blocks.
pub(crate) fn raw_tar(blocks: &[([u8; 512], &[u8])]) -> Vec<u8> {
    let mut w = TarWriter::new();
    for (h, data) in blocks {
        w.raw(h, data);
    }
    w.finish()
}

/// A valid ustar header for a regular file of `size` bytes.
pub(crate) fn file_header(name: &str, size: u64) -> [u8; 512] {
    header(name, b'0', size, 0o644, None)
}

/// Recomputes a header's checksum after a case edited its fields.
pub(crate) fn fix_checksum(h: &mut [u8; 512]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// Writes `bytes` into the field at `range` (NUL padded), then fixes the checksum.
pub(crate) fn set_field(h: &mut [u8; 512], range: Range<usize>, bytes: &[u8]) {
    let field = &mut h[range];
    field.fill(0);
    field[..bytes.len()].copy_from_slice(bytes);
    fix_checksum(h);
}

/// Writes `value` into a numeric field in GNU base-256, then fixes the checksum.
pub(crate) fn set_base256(h: &mut [u8; 512], range: Range<usize>, value: u64) {
    let field = &mut h[range];
    field.fill(0);
    let n = field.len();
    for (i, b) in value.to_be_bytes().iter().enumerate() {
        field[n - 8 + i] = *b;
    }
    field[0] |= 0x80;
    fix_checksum(h);
}

/// PAX records `"%d key=value\n"`, each with its right length.
pub(crate) fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let body = format!(" {key}={value}\n");
        let mut len = body.len() + 1;
        while format!("{len}").len() + body.len() != len {
            len = format!("{len}").len() + body.len();
        }
        out.extend_from_slice(format!("{len}{body}").as_bytes());
    }
    out
}

/// A PAX extended header (`x`, or `g` for a global one) for `data`.
pub(crate) fn pax_header(flag: u8, data: &[u8]) -> [u8; 512] {
    header("././@PaxHeader", flag, data.len() as u64, 0o644, None)
}

/// A GNU long name (`L`) or long link (`K`) header for `data`.
pub(crate) fn gnu_header(flag: u8, data: &[u8]) -> [u8; 512] {
    header("././@LongLink", flag, data.len() as u64, 0o644, None)
}

/// Runs a real compressor over `input`.
pub(crate) fn tool(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("compressor output");
    writer.join().expect("writer thread").expect("write to compressor");
    assert!(out.status.success(), "{program} {args:?} failed");
    out.stdout
}

/// gzip, without a name or timestamp (so the bytes are the same every run).
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    tool("gzip", &["-c", "-n"], data)
}

/// zstd with its default settings (content checksum on).
pub(crate) fn zstd(data: &[u8]) -> Vec<u8> {
    tool("zstd", &["-q", "-c"], data)
}

/// A layer blob as stored, and the diff_id of the tar inside it.
#[derive(Clone)]
pub(crate) struct Blob {
    pub(crate) bytes: Vec<u8>,
    pub(crate) diff_id: Digest,
}

impl Blob {
    /// An uncompressed layer.
    pub(crate) fn plain(tar: Vec<u8>) -> Self {
        Self { diff_id: Digest::of(&tar), bytes: tar }
    }

    /// A layer compressed by the real `gzip`.
    pub(crate) fn gzip(tar: &[u8]) -> Self {
        Self { bytes: gzip(tar), diff_id: Digest::of(tar) }
    }

    /// A layer compressed by the real `zstd`.
    pub(crate) fn zstd(tar: &[u8]) -> Self {
        Self { bytes: zstd(tar), diff_id: Digest::of(tar) }
    }

    /// The blob's digest.
    pub(crate) fn digest(&self) -> Digest {
        Digest::of(&self.bytes)
    }

    /// The OCI media type its bytes call for.
    pub(crate) fn media_type(&self) -> &'static str {
        Compression::sniff(&self.bytes).oci_layer_type()
    }
}

/// One entry of an outer archive.
#[derive(Clone, Debug)]
pub(crate) struct Outer {
    pub(crate) name: String,
    pub(crate) kind: EntryKind,
    pub(crate) data: Vec<u8>,
    pub(crate) link: Option<String>,
    pub(crate) mode: u32,
}

impl Outer {
    pub(crate) fn file(name: &str, data: Vec<u8>) -> Self {
        Self { name: name.to_owned(), kind: EntryKind::File, data, link: None, mode: 0o444 }
    }

    pub(crate) fn link(name: &str, kind: EntryKind, target: &str) -> Self {
        Self { name: name.to_owned(), kind, data: Vec::new(), link: Some(target.to_owned()), mode: 0o777 }
    }

    pub(crate) fn dir(name: &str) -> Self {
        Self { name: name.to_owned(), kind: EntryKind::Directory, data: Vec::new(), link: None, mode: 0o755 }
    }
}

/// An outer archive, as a list of entries that cases edit before writing it.
#[derive(Clone, Default)]
pub(crate) struct Archive {
    pub(crate) entries: Vec<Outer>,
}

impl Archive {
    /// The archive as a tar, with the two zero blocks.
    pub(crate) fn tar(&self) -> Vec<u8> {
        let mut w = TarWriter::new();
        for e in &self.entries {
            w.entry(&e.name, e.kind, &e.data, e.mode, e.link.as_deref());
        }
        w.finish()
    }

    /// Appends a file.
    pub(crate) fn with_file(mut self, name: &str, data: &[u8]) -> Self {
        self.entries.push(Outer::file(name, data.to_vec()));
        self
    }

    /// Appends a symlink or hard link.
    pub(crate) fn with_link(mut self, name: &str, kind: EntryKind, target: &str) -> Self {
        self.entries.push(Outer::link(name, kind, target));
        self
    }

    /// The first entry named `name`.
    pub(crate) fn get_mut(&mut self, name: &str) -> &mut Outer {
        self.entries.iter_mut().find(|e| e.name == name).unwrap_or_else(|| panic!("no entry `{name}`"))
    }

    /// The data of the first entry named `name`.
    pub(crate) fn data(&self, name: &str) -> &[u8] {
        &self.entries.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no entry `{name}`")).data
    }

    /// Replaces the data of the entry named `name`.
    pub(crate) fn set(&mut self, name: &str, data: Vec<u8>) {
        self.get_mut(name).data = data;
    }

    /// Removes every entry named `name`.
    pub(crate) fn remove(&mut self, name: &str) {
        self.entries.retain(|e| e.name != name);
    }

    /// The JSON document at `name`.
    pub(crate) fn json(&self, name: &str) -> Value {
        serde_json::from_slice(self.data(name)).expect("a JSON entry")
    }

    /// Rewrites the JSON document at `name` (compact, as the tools write it).
    pub(crate) fn edit_json(&mut self, name: &str, edit: impl FnOnce(&mut Value)) {
        let mut value = self.json(name);
        edit(&mut value);
        self.set(name, serde_json::to_vec(&value).expect("JSON"));
    }

    /// The paths `manifest.json` gives for the first image's layers.
    pub(crate) fn layer_paths(&self) -> Vec<String> {
        self.json("manifest.json")[0]["Layers"].as_array().expect("Layers").iter().map(|l| l.as_str().expect("path").to_owned()).collect()
    }

    /// The path `manifest.json` gives for the first image's config.
    pub(crate) fn config_path(&self) -> String {
        self.json("manifest.json")[0]["Config"].as_str().expect("Config").to_owned()
    }
}

/// An image to write as an archive: layer blobs and a config whose diff_ids match them.
#[derive(Clone)]
pub(crate) struct Image {
    pub(crate) layers: Vec<Blob>,
    pub(crate) config: Value,
    pub(crate) tags: Vec<String>,
}

impl Image {
    /// An image of these layers, with a config listing their diff_ids.
    pub(crate) fn new(layers: Vec<Blob>) -> Self {
        let diff_ids: Vec<String> = layers.iter().map(|l| l.diff_id.to_string()).collect();
        let history: Vec<Value> = layers.iter().map(|_| json!({"created": "2025-01-01T00:00:00Z", "created_by": "corpus"})).collect();
        let config = json!({
            "architecture": "amd64",
            "os": "linux",
            "created": "2025-01-01T00:00:00Z",
            "config": {"Env": ["PATH=/bin"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        Self { layers, config, tags: vec![TAG.to_owned()] }
    }

    /// An image of one plain layer.
    pub(crate) fn of(tar: Vec<u8>) -> Self {
        Self::new(vec![Blob::plain(tar)])
    }

    /// An image of plain layers.
    pub(crate) fn layers(tars: Vec<Vec<u8>>) -> Self {
        Self::new(tars.into_iter().map(Blob::plain).collect())
    }

    /// The config as written.
    pub(crate) fn config_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.config).expect("config JSON")
    }

    /// The legacy `docker save` layout: `<id>/layer.tar` per layer, `<config digest>.json`,
    /// `manifest.json`.
    pub(crate) fn docker(&self) -> Archive {
        self.docker_with(|_| {})
    }

    /// [`Image::docker`] with `manifest.json` edited before it is written.
    pub(crate) fn docker_with(&self, edit: impl FnOnce(&mut Value)) -> Archive {
        let mut archive = Archive::default();
        let mut paths = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            let path = format!("{}/layer.tar", Digest::of(format!("{i} {}", l.diff_id).as_bytes()).hex());
            archive.entries.push(Outer::file(&path, l.bytes.clone()));
            paths.push(path);
        }
        let config = self.config_bytes();
        let config_path = format!("{}.json", Digest::of(&config).hex());
        archive.entries.push(Outer::file(&config_path, config));
        let mut items = json!([{"Config": config_path, "RepoTags": self.tags, "Layers": paths}]);
        edit(&mut items);
        archive.entries.push(Outer::file("manifest.json", serde_json::to_vec(&items).expect("JSON")));
        archive
    }

    /// The image's OCI manifest.
    pub(crate) fn oci_manifest(&self) -> Value {
        let config = self.config_bytes();
        let layers: Vec<Value> = self
            .layers
            .iter()
            .map(|l| json!({"mediaType": l.media_type(), "digest": l.digest().to_string(), "size": l.bytes.len()}))
            .collect();
        json!({
            "schemaVersion": 2,
            "mediaType": media_type::OCI_MANIFEST,
            "config": {"mediaType": media_type::OCI_CONFIG, "digest": Digest::of(&config).to_string(), "size": config.len()},
            "layers": layers,
        })
    }

    /// An OCI image layout: `oci-layout`, `index.json`, `blobs/sha256/…`.
    pub(crate) fn oci(&self) -> Archive {
        self.oci_with(|_| {}, |_| {})
    }

    /// [`Image::oci`] with the manifest edited before it is hashed, and `index.json` after.
    pub(crate) fn oci_with(&self, edit_manifest: impl FnOnce(&mut Value), edit_index: impl FnOnce(&mut Value)) -> Archive {
        let mut manifest = self.oci_manifest();
        edit_manifest(&mut manifest);
        let manifest = serde_json::to_vec(&manifest).expect("JSON");
        let mut index = json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": media_type::OCI_MANIFEST,
                "digest": Digest::of(&manifest).to_string(),
                "size": manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": self.tags.first().map_or("", String::as_str)},
            }],
        });
        edit_index(&mut index);
        let mut blobs: Vec<Vec<u8>> = self.layers.iter().map(|l| l.bytes.clone()).collect();
        blobs.push(self.config_bytes());
        blobs.push(manifest);
        oci_archive(&serde_json::to_vec(&index).expect("JSON"), blobs)
    }
}

/// An OCI layout archive of an `index.json` and blobs (each stored under its own digest).
pub(crate) fn oci_archive(index: &[u8], blobs: Vec<Vec<u8>>) -> Archive {
    let mut archive = Archive::default();
    archive.entries.push(Outer::dir("blobs/"));
    archive.entries.push(Outer::dir("blobs/sha256/"));
    for blob in blobs {
        let path = blob_path(&Digest::of(&blob));
        if !archive.entries.iter().any(|e| e.name == path) {
            archive.entries.push(Outer::file(&path, blob));
        }
    }
    archive.entries.push(Outer::file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()));
    archive.entries.push(Outer::file("index.json", index.to_vec()));
    archive
}

/// `blobs/sha256/<hex>`.
pub(crate) fn blob_path(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

/// The entries of a plain ustar archive as real tools write it (no PAX or GNU extensions), read
/// by this small parser rather than the one under test, so mutations are made independently.
pub(crate) fn read_tar(tar: &[u8]) -> Vec<Outer> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 512 <= tar.len() && tar[at..at + 512].iter().any(|&b| b != 0) {
        let h = &tar[at..at + 512];
        let text = |r: Range<usize>| {
            let f = &h[r];
            let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
            String::from_utf8(f[..end].to_vec()).expect("UTF-8 header field")
        };
        let octal = |r: Range<usize>| u64::from_str_radix(text(r).trim(), 8).expect("octal field");
        let mut name = text(0..100);
        let prefix = text(345..500);
        if &h[257..263] == b"ustar\0" && !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
        let size = usize::try_from(octal(124..136)).expect("size");
        let kind = match h[156] {
            b'0' | 0 => EntryKind::File,
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'5' => EntryKind::Directory,
            t => panic!("unexpected typeflag {t} in a fixture"),
        };
        let mode = u32::try_from(octal(100..108)).expect("mode");
        let data = if kind == EntryKind::File { tar[at + 512..at + 512 + size].to_vec() } else { Vec::new() };
        let link = Some(text(157..257)).filter(|l| !l.is_empty());
        out.push(Outer { name, kind, data, link, mode });
        at += 512 + size.div_ceil(512) * 512;
    }
    out
}
