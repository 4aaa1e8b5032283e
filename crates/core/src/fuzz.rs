//! The bodies of the cargo-fuzz targets in `fuzz/` (one function each), compiled for fuzzing
//! (feature `fuzzing`) and for tests, which replay the committed corpora on stable.
//!
//! Each body feeds untrusted bytes to one parser and asserts the invariants that must hold for
//! any input: no panic (the fuzzer's crash), nothing outside the image root, no image committed
//! unless verified, and a store left as it was after a refusal.

use crate::archive::{MemorySource, PlatformChoice};
use crate::import::{import_archive, ImportRequest};
use crate::layer::{LayerReader, LocalPipeline};
use crate::store::{MemoryStore, Store};
use crate::tar::{TarEvent, TarStream};

/// Chunk sizes derived from the input, so chunk boundaries are fuzzed too.
fn chunk_size(data: &[u8]) -> usize {
    data.first().map_or(512, |b| usize::from(*b) * 37 + 1)
}

/// A layer blob (gzip, zstd or plain) through the one-pass layer reader.
pub fn decompress(data: &[u8]) {
    let mut reader = LayerReader::new(data.len() as u64);
    for chunk in data.chunks(chunk_size(data)) {
        if reader.update(chunk).is_err() {
            return;
        }
    }
    if let Ok(summary) = reader.finish() {
        for e in &summary.entries {
            assert!(crate::fs::check_entry(e).is_ok(), "an unsafe entry was accepted: {:?}", e.path);
        }
    }
}

/// A tar stream, pushed in chunks: entries and data come out in order, data lengths add up.
pub fn tar_entries(data: &[u8]) {
    let mut tar = TarStream::new();
    let mut expected: u64 = 0;
    let mut seen: u64 = 0;
    for chunk in data.chunks(chunk_size(data)) {
        let result = tar.feed(chunk, &mut |e| match e {
            TarEvent::Entry(entry) => {
                assert_eq!(seen, expected, "an entry's data was cut short before the next header");
                expected = entry.data_len;
                seen = 0;
            }
            TarEvent::Data(bytes) => seen += bytes.len() as u64,
        });
        if result.is_err() {
            return;
        }
    }
    let _ = tar.finish();
}

/// A whole archive into a store holding nothing: either images whose every blob is stored, or
/// an error and an empty store.
pub fn archive_import(data: &[u8]) {
    let store = MemoryStore::new();
    let source = MemorySource(data.to_vec());
    let request = ImportRequest { id: "fuzz".into(), name: "fuzz.tar".into(), platform: PlatformChoice::All };
    let result = futures::executor::block_on(import_archive(&source, &store, &LocalPipeline, &request, &|| 0.0, &mut |_| {}));
    let images = futures::executor::block_on(store.images()).unwrap_or_default();
    let blobs: Vec<_> = futures::executor::block_on(store.blobs()).unwrap_or_default().into_iter().map(|b| b.digest).collect();
    match result {
        Ok(imported) => {
            assert_eq!(imported.len(), images.len(), "imported images and stored records differ");
            for image in &images {
                assert!(image.blobs().all(|d| blobs.contains(d)), "image {} lacks a blob", image.id);
            }
        }
        Err(_) => {
            assert!(images.is_empty(), "a failed import left an image");
            assert!(blobs.is_empty(), "a failed import left blobs");
        }
    }
}

/// The JSON documents of images.
pub fn json_models(data: &[u8]) {
    let _ = crate::spec::parse::<crate::spec::ImageConfig>("config", data);
    let _ = crate::spec::parse::<crate::spec::Manifest>("manifest", data);
    let _ = crate::spec::parse::<crate::spec::Index>("index", data);
    let _ = crate::spec::parse::<Vec<crate::spec::ManifestItem>>("manifest.json", data);
}

/// Digests, references, platforms and paths parsed from text.
pub fn digest_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = crate::digest::Digest::parse(&text) {
        assert_eq!(d.to_string(), text, "a digest does not print back as parsed");
    }
    if let Ok(r) = crate::reference::Reference::parse(&text) {
        let again = crate::reference::Reference::parse(&r.to_string());
        assert!(again.is_ok(), "a normalised reference does not parse again: {r}");
    }
    let _ = PlatformChoice::parse(&text);
    let cleaned = crate::fs::clean(&text);
    assert_eq!(crate::fs::clean(&cleaned), cleaned, "clean is not idempotent");
}

/// A layer's entries checked as the unpacker would: what passes stays under the root.
pub fn layer_apply(data: &[u8]) {
    let mut tar = TarStream::new();
    let _ = tar.feed(data, &mut |e| {
        if let TarEvent::Entry(entry) = e {
            if let Ok(path) = crate::fs::check_entry(&entry) {
                assert!(!path.starts_with('/') && !path.split('/').any(|c| c == ".."), "{path} leaves the root");
                let _ = crate::fs::classify_whiteout(&path);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    //! Replays `fuzz/corpus/<target>/*` (seeds and every crash found since) on stable.

    use std::path::Path;

    fn replay(target: &str, body: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
        let Ok(files) = std::fs::read_dir(&dir) else {
            eprintln!("notice: {} is absent", dir.display());
            return;
        };
        let mut n = 0;
        for file in files.flatten() {
            if let Ok(data) = std::fs::read(file.path()) {
                body(&data);
                n += 1;
            }
        }
        assert!(n > 0, "the {target} corpus is empty");
    }

    #[test]
    fn corpora_replay_without_a_failure() {
        replay("decompress", super::decompress);
        replay("tar_entries", super::tar_entries);
        replay("archive_import", super::archive_import);
        replay("json_models", super::json_models);
        replay("digest_parse", super::digest_parse);
        replay("layer_apply", super::layer_apply);
    }
}
