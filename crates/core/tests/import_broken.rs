//! Broken archives made from good ones: a clear error naming the fault, and a store left as it
//! was before the import.

use layerwise_core::store::{MemoryStore, Store};

use crate::common::{generated, import_bytes, import_file};

/// Offset of the data of the first tar entry whose name ends with `suffix` (ustar name field only).
fn data_offset(tar: &[u8], suffix: &str) -> usize {
    let mut at = 0;
    while at + 512 <= tar.len() {
        let name_end = tar[at..at + 100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = std::str::from_utf8(&tar[at..at + name_end]).unwrap_or("");
        let size = usize::from_str_radix(std::str::from_utf8(&tar[at + 124..at + 135]).unwrap().trim_matches(char::from(0)).trim(), 8).unwrap_or(0);
        if name.ends_with(suffix) && tar[at + 156] == b'0' {
            return at + 512;
        }
        at += 512 + size.div_ceil(512) * 512;
    }
    panic!("no entry ending with {suffix}");
}

fn assert_store_unchanged(store: &MemoryStore, blobs: usize, images: usize) {
    assert_eq!(store.blob_count(), blobs, "blobs changed");
    assert_eq!(futures::executor::block_on(store.images()).unwrap().len(), images, "images changed");
}

#[test]
fn a_flipped_byte_in_a_layer_is_a_diff_id_mismatch_and_stores_nothing() {
    let store = MemoryStore::new();
    import_file(&store, &generated().join("base.docker.tar")).unwrap();
    let blobs = store.blob_count();
    let mut bytes = std::fs::read(generated().join("app.docker.tar")).unwrap();
    let items: serde_json::Value = serde_json::from_slice(&extract(&bytes, "manifest.json")).unwrap();
    let base = items[0]["Layers"][0].as_str().unwrap().to_owned();
    let at = data_offset(&bytes, &base);
    // Deep inside the random contents of data/blob.bin: the tar stays valid.
    bytes[at + 50_000] ^= 0x01;
    let err = import_bytes(&store, bytes, "flipped").unwrap_err().to_string();
    assert!(err.contains("layer 0") && err.contains(&base) && err.contains("diff_id"), "{err}");
    assert_store_unchanged(&store, blobs, 1);
}

#[test]
fn a_truncated_archive_is_refused() {
    let store = MemoryStore::new();
    let bytes = std::fs::read(generated().join("app.docker.tar")).unwrap();
    for cut in [100, 5000, bytes.len() / 2, bytes.len() - 3000] {
        let err = import_bytes(&store, bytes[..cut].to_vec(), "cut");
        assert!(err.is_err(), "cut at {cut} was accepted");
        assert_store_unchanged(&store, 0, 0);
    }
}

/// moby's loader finds a `docker save` config by its name and takes the sha256 of its bytes as
/// the image ID, whatever the name says (dockerd 20.10 loads such an archive).
#[test]
fn a_config_whose_name_is_not_its_digest_imports_under_the_digest_of_its_bytes() {
    let store = MemoryStore::new();
    let mut bytes = std::fs::read(generated().join("base.docker.tar")).unwrap();
    let at = data_offset(&bytes, ".json");
    // Change one character of the config's JSON without breaking it: a digit of a timestamp.
    let pos = (at..at + 200).find(|&i| bytes[i].is_ascii_digit()).unwrap();
    bytes[pos] = if bytes[pos] == b'1' { b'2' } else { b'1' };
    let config = extract(&bytes, std::str::from_utf8(&bytes[at - 512..at - 512 + 100]).unwrap().trim_end_matches('\0'));
    let imported = import_bytes(&store, bytes, "renamed").unwrap();
    assert_eq!(imported[0].id, layerwise_core::digest::Digest::of(&config));
}

/// The data of the entry named exactly `name`.
fn extract(tar: &[u8], name: &str) -> Vec<u8> {
    let at = data_offset(tar, name);
    let size = usize::from_str_radix(std::str::from_utf8(&tar[at - 512 + 124..at - 512 + 135]).unwrap().trim(), 8).unwrap();
    tar[at..at + size].to_vec()
}
