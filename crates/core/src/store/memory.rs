//! An in-memory [`Store`] for tests and the native Engine API harness.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{BlobRecord, ImageRecord, ImportRecord, LayerRecord, Store, StoreError};
use crate::digest::Digest;

/// A [`Store`] in memory. Not shared between threads (like the browser's).
#[derive(Default)]
pub struct MemoryStore {
    blobs: RefCell<BTreeMap<Digest, (BlobRecord, Vec<u8>)>>,
    layers: RefCell<BTreeMap<Digest, LayerRecord>>,
    images: RefCell<BTreeMap<Digest, ImageRecord>>,
    imports: RefCell<BTreeMap<String, ImportRecord>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many blobs are stored.
    pub fn blob_count(&self) -> usize {
        self.blobs.borrow().len()
    }
}

impl Store for MemoryStore {
    type Data = Vec<u8>;
    type Builder = Vec<u8>;

    fn data_from_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        bytes
    }

    fn blob_builder(&self) -> Vec<u8> {
        Vec::new()
    }

    async fn blob(&self, digest: &Digest) -> Result<Option<BlobRecord>, StoreError> {
        Ok(self.blobs.borrow().get(digest).map(|(r, _)| r.clone()))
    }

    async fn put_blob(&self, record: &BlobRecord, data: Vec<u8>) -> Result<(), StoreError> {
        self.blobs.borrow_mut().insert(record.digest.clone(), (record.clone(), data));
        Ok(())
    }

    async fn read_blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, StoreError> {
        let blobs = self.blobs.borrow();
        let (_, bytes) = blobs.get(digest).ok_or_else(|| StoreError::NotFound(format!("blob {digest}")))?;
        if bytes.len() as u64 > max {
            return Err(StoreError::Backend(format!("blob {digest} is over {max} bytes")));
        }
        Ok(bytes.clone())
    }

    async fn delete_blob(&self, digest: &Digest) -> Result<(), StoreError> {
        self.blobs.borrow_mut().remove(digest);
        Ok(())
    }

    async fn blobs(&self) -> Result<Vec<BlobRecord>, StoreError> {
        Ok(self.blobs.borrow().values().map(|(r, _)| r.clone()).collect())
    }

    async fn layer(&self, diff_id: &Digest) -> Result<Option<LayerRecord>, StoreError> {
        Ok(self.layers.borrow().get(diff_id).cloned())
    }

    async fn put_layer(&self, record: &LayerRecord) -> Result<(), StoreError> {
        self.layers.borrow_mut().insert(record.diff_id.clone(), record.clone());
        Ok(())
    }

    async fn delete_layer(&self, diff_id: &Digest) -> Result<(), StoreError> {
        self.layers.borrow_mut().remove(diff_id);
        Ok(())
    }

    async fn layer_ids(&self) -> Result<Vec<Digest>, StoreError> {
        Ok(self.layers.borrow().keys().cloned().collect())
    }

    async fn images(&self) -> Result<Vec<ImageRecord>, StoreError> {
        Ok(self.images.borrow().values().cloned().collect())
    }

    async fn put_image(&self, record: &ImageRecord) -> Result<(), StoreError> {
        self.images.borrow_mut().insert(record.id.clone(), record.clone());
        Ok(())
    }

    async fn delete_image(&self, id: &Digest) -> Result<(), StoreError> {
        self.images.borrow_mut().remove(id);
        Ok(())
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        Ok(self.imports.borrow().values().cloned().collect())
    }

    async fn put_import(&self, record: &ImportRecord) -> Result<(), StoreError> {
        self.imports.borrow_mut().insert(record.id.clone(), record.clone());
        Ok(())
    }

    async fn delete_import(&self, id: &str) -> Result<(), StoreError> {
        self.imports.borrow_mut().remove(id);
        Ok(())
    }
}
