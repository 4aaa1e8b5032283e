//! An image's files read back out of the stored layers: a preview of a file, a file to disk, a
//! folder to disk as a tar. The bytes pass through WASM memory a chunk at a time; downloads are
//! assembled by the browser as a `Blob`.

use layerwise_core::archive::SourceError;
use layerwise_core::digest::Digest;
use layerwise_core::extract::{entries_data, file_head, folder_tar, LayerBlobs};
use layerwise_core::fs::MergedFs;
use layerwise_core::store::{BlobBuilder, Store};
use layerwise_core::tar::Entry;

use super::download::write_out;
use super::file_source::FileSource;
use super::store::{BlobData, IdbStore};

/// The stored blobs of an image's layers, by index.
struct StoreBlobs<'a> {
    store: &'a IdbStore,
    blobs: &'a [Digest],
}

impl LayerBlobs for StoreBlobs<'_> {
    type Source = FileSource;

    async fn layer(&self, index: usize) -> Result<FileSource, SourceError> {
        let digest = self.blobs.get(index).ok_or_else(|| SourceError(format!("the image has no layer {index}")))?;
        self.store.blob_data(digest).await.map(FileSource::new).map_err(|e| SourceError(e.to_string()))
    }
}

/// Up to `max` bytes of `entry` (a file of layer `layer`); true when that is all of it.
///
/// # Errors
/// A message naming what could not be read.
pub async fn preview(blobs: &[Digest], layer: usize, entry: &Entry, max: u64) -> Result<(Vec<u8>, bool), String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let source = StoreBlobs { store: &store, blobs }.layer(layer).await.map_err(|e| e.0)?;
    file_head(&source, entry, max).await.map_err(|e| e.to_string())
}

/// Saves the file `entry` of layer `layer` as `name`.
///
/// # Errors
/// A message naming what could not be read or written.
pub async fn save_file(blobs: &[Digest], layer: usize, entry: &Entry, name: &str) -> Result<(), String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let source = StoreBlobs { store: &store, blobs }.layer(layer).await.map_err(|e| e.0)?;
    let mut out = store.blob_builder();
    entries_data(&source, &[entry], &mut |_, bytes| {
        out.append(bytes);
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())?;
    write_out(&as_blob(out.finish().map_err(|e| e.to_string())?)?, name).await
}

/// Saves the folder `dir` of `fs` as the tar `name`.
///
/// # Errors
/// A message naming what could not be read or written.
pub async fn save_folder(fs: &MergedFs, dir: &str, blobs: &[Digest], name: &str) -> Result<(), String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let mut out = store.blob_builder();
    folder_tar(fs, dir, &StoreBlobs { store: &store, blobs }, &mut out).await.map_err(|e| e.to_string())?;
    write_out(&as_blob(out.finish().map_err(|e| e.to_string())?)?, name).await
}

fn as_blob(data: BlobData) -> Result<web_sys::Blob, String> {
    match data {
        BlobData::Blob(b) => Ok(b),
        BlobData::Bytes(bytes) => {
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
            web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| super::js_error(&e))
        }
    }
}
