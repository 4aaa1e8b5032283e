//! The image store over IndexedDB: the core's [`Store`] trait, record by record.
//!
//! Records are objects `{<key>: "...", json: "..."}` holding the core's serde records as JSON;
//! blob records add `data`, the bytes as a browser `Blob` (layers: a slice of the dropped file,
//! which the browser copies into its own blob storage, never into WASM memory) or a
//! `Uint8Array` (configs and manifests, kept as raw bytes).

use js_sys::{Array, Object, Reflect, Uint8Array};
use layerwise_core::container::ContainerRecord;
use layerwise_core::digest::Digest;
use layerwise_core::store::{BlobBuilder, BlobRecord, ImageRecord, ImportRecord, LayerRecord, Store, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbTransactionMode};

use super::idb::{request_done, transaction, transaction_done};
use super::js_error;

/// Blob bytes as the browser holds them.
#[derive(Clone)]
pub enum BlobData {
    /// Small blobs, copied out of WASM memory.
    Bytes(Vec<u8>),
    /// Large blobs, never copied into WASM memory.
    Blob(web_sys::Blob),
}

/// Builds a browser `Blob` from bytes pushed in order: bytes are copied out of WASM memory at
/// once, and every [`BlobParts::FLUSH`] bytes the parts are folded into one `Blob`, which the
/// browser keeps in its own storage.
pub struct BlobParts {
    blob: Option<web_sys::Blob>,
    parts: Array,
    pending: usize,
    /// Set when the browser refused to build a `Blob`: the data is incomplete.
    failed: Option<String>,
}

impl BlobParts {
    const FLUSH: usize = 8 << 20;

    fn fold(&mut self) {
        let all = Array::new();
        if let Some(b) = self.blob.take() {
            all.push(&b);
        }
        for p in self.parts.iter() {
            all.push(&p);
        }
        self.parts = Array::new();
        self.pending = 0;
        match web_sys::Blob::new_with_blob_sequence(&all) {
            Ok(b) => self.blob = Some(b),
            Err(e) => self.failed = Some(js_error(&e)),
        }
    }
}

impl BlobBuilder for BlobParts {
    type Data = BlobData;

    fn append(&mut self, bytes: &[u8]) {
        self.parts.push(&Uint8Array::from(bytes));
        self.pending += bytes.len();
        if self.pending >= Self::FLUSH {
            self.fold();
        }
    }

    fn finish(mut self) -> Result<BlobData, StoreError> {
        self.fold();
        match (self.failed, self.blob) {
            (Some(e), _) => Err(backend(format!("the browser could not build a blob: {e}"))),
            (None, Some(b)) => Ok(BlobData::Blob(b)),
            (None, None) => Ok(BlobData::Bytes(Vec::new())),
        }
    }
}

/// The store in the `layerwise` IndexedDB database.
#[derive(Clone)]
pub struct IdbStore {
    db: IdbDatabase,
}

impl IdbStore {
    /// Opens the database.
    ///
    /// # Errors
    /// When IndexedDB cannot be opened.
    pub async fn open() -> Result<Self, StoreError> {
        Self::open_named(super::idb::DB_NAME).await
    }

    /// Opens the store in another database (tests use one each).
    ///
    /// # Errors
    /// When IndexedDB cannot be opened.
    pub async fn open_named(name: &str) -> Result<Self, StoreError> {
        super::idb::open(name).await.map(|db| Self { db }).map_err(StoreError::Backend)
    }

    /// How many records a store holds.
    ///
    /// # Errors
    /// When IndexedDB fails.
    pub async fn count(&self, store: &str) -> Result<u32, StoreError> {
        let tx = transaction(&self.db, store, IdbTransactionMode::Readonly).map_err(backend)?;
        let req = tx.object_store(store).and_then(|s| s.count()).map_err(|e| backend(js_error(&e)))?;
        let n = request_done(&req).await.map_err(backend)?;
        Ok(n.as_f64().unwrap_or(0.0) as u32)
    }

    async fn put(&self, store: &str, key_path: &str, key: &str, json: &str, data: Option<JsValue>) -> Result<(), StoreError> {
        let obj = Object::new();
        set(&obj, key_path, &JsValue::from_str(key))?;
        set(&obj, "json", &JsValue::from_str(json))?;
        if let Some(d) = data {
            set(&obj, "data", &d)?;
        }
        let tx = transaction(&self.db, store, IdbTransactionMode::Readwrite).map_err(backend)?;
        tx.object_store(store).and_then(|s| s.put(&obj)).map_err(|e| write_error(&js_error(&e)))?;
        transaction_done(&tx).await.map_err(|e| write_error(&e))
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<Object>, StoreError> {
        let tx = transaction(&self.db, store, IdbTransactionMode::Readonly).map_err(backend)?;
        let req = tx.object_store(store).and_then(|s| s.get(&JsValue::from_str(key))).map_err(|e| backend(js_error(&e)))?;
        let value = request_done(&req).await.map_err(backend)?;
        Ok(value.dyn_into::<Object>().ok())
    }

    async fn get_all(&self, store: &str) -> Result<Vec<Object>, StoreError> {
        let tx = transaction(&self.db, store, IdbTransactionMode::Readonly).map_err(backend)?;
        let req = tx.object_store(store).and_then(|s| s.get_all()).map_err(|e| backend(js_error(&e)))?;
        let value = request_done(&req).await.map_err(backend)?;
        Ok(Array::from(&value).iter().filter_map(|v| v.dyn_into::<Object>().ok()).collect())
    }

    async fn delete(&self, store: &str, key: &str) -> Result<(), StoreError> {
        let tx = transaction(&self.db, store, IdbTransactionMode::Readwrite).map_err(backend)?;
        tx.object_store(store).and_then(|s| s.delete(&JsValue::from_str(key))).map_err(|e| backend(js_error(&e)))?;
        transaction_done(&tx).await.map_err(backend)
    }

    /// A blob's bytes as the browser holds them (a `Blob` or a `Uint8Array`), never copied into
    /// WASM memory: for assembling downloads.
    ///
    /// # Errors
    /// When the blob is not stored.
    pub async fn data(&self, digest: &Digest) -> Result<JsValue, StoreError> {
        let obj = self.get("blobs", &digest.to_string()).await?.ok_or_else(|| StoreError::NotFound(format!("blob {digest}")))?;
        Reflect::get(&obj, &"data".into()).map_err(|e| backend(js_error(&e)))
    }

    /// The edit sessions.
    ///
    /// # Errors
    /// When IndexedDB fails or a record is unreadable.
    pub async fn containers(&self) -> Result<Vec<ContainerRecord>, StoreError> {
        self.records("containers").await
    }

    /// Stores an edit session.
    ///
    /// # Errors
    /// When IndexedDB fails (a full quota is [`StoreError::Full`]).
    pub async fn put_container(&self, record: &ContainerRecord) -> Result<(), StoreError> {
        self.put("containers", "id", &record.id, &to_json(record)?, None).await
    }

    /// Removes an edit session and the files it added.
    ///
    /// # Errors
    /// When IndexedDB fails.
    pub async fn delete_container(&self, record: &ContainerRecord) -> Result<(), StoreError> {
        self.delete("containers", &record.id).await?;
        for key in session_keys(record) {
            self.delete_session_file(&key).await?;
        }
        Ok(())
    }

    /// Keeps the bytes of a file added in an edit session under `key`.
    ///
    /// # Errors
    /// When IndexedDB fails (a full quota is [`StoreError::Full`]).
    pub async fn put_session_file(&self, key: &str, data: &web_sys::Blob) -> Result<(), StoreError> {
        self.put("session_files", "key", key, "{}", Some(data.into())).await
    }

    /// Drops a file kept for an edit session.
    ///
    /// # Errors
    /// When IndexedDB fails.
    pub async fn delete_session_file(&self, key: &str) -> Result<(), StoreError> {
        self.delete("session_files", key).await
    }

    /// The bytes of an edit session's file.
    ///
    /// # Errors
    /// When it is not stored.
    pub async fn session_file(&self, key: &str) -> Result<web_sys::Blob, StoreError> {
        let obj = self.get("session_files", key).await?.ok_or_else(|| StoreError::NotFound(format!("the added file {key}")))?;
        let data = Reflect::get(&obj, &"data".into()).map_err(|e| backend(js_error(&e)))?;
        data.dyn_into::<web_sys::Blob>().map_err(|_| backend(format!("the added file {key} is not a Blob")))
    }

    /// A stored blob as a browser `Blob` (small ones are kept as bytes: wrapped).
    ///
    /// # Errors
    /// When it is not stored.
    pub async fn blob_data(&self, digest: &Digest) -> Result<web_sys::Blob, StoreError> {
        let data = self.data(digest).await?;
        if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
            return Ok(blob.clone());
        }
        let parts = Array::of1(&data);
        web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| backend(js_error(&e)))
    }

    async fn record<T: DeserializeOwned>(&self, store: &str, key: &str) -> Result<Option<T>, StoreError> {
        match self.get(store, key).await? {
            Some(obj) => parse(&obj).map(Some),
            None => Ok(None),
        }
    }

    async fn records<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, StoreError> {
        self.get_all(store).await?.iter().map(parse).collect()
    }
}

/// The keys of the files an edit session added.
fn session_keys(record: &ContainerRecord) -> impl Iterator<Item = String> + '_ {
    record.changes.writes.values().filter_map(|w| match &w.entry {
        layerwise_core::change::NewEntry::File { content, .. } => Some(content.clone()),
        _ => None,
    })
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), StoreError> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(|_| ()).map_err(|e| backend(js_error(&e)))
}

fn parse<T: DeserializeOwned>(obj: &Object) -> Result<T, StoreError> {
    let json = Reflect::get(obj, &"json".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    serde_json::from_str(&json).map_err(|e| backend(format!("a stored record is unreadable: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| backend(e.to_string()))
}

fn backend(message: String) -> StoreError {
    StoreError::Backend(message)
}

/// A full quota shows as `QuotaExceededError` (sometimes inside an `AbortError`).
fn write_error(message: &str) -> StoreError {
    if message.contains("QuotaExceeded") || message.contains("quota") {
        StoreError::Full(message.to_owned())
    } else {
        StoreError::Backend(message.to_owned())
    }
}

impl Store for IdbStore {
    type Data = BlobData;
    type Builder = BlobParts;

    fn data_from_bytes(&self, bytes: Vec<u8>) -> BlobData {
        BlobData::Bytes(bytes)
    }

    fn blob_builder(&self) -> BlobParts {
        BlobParts { blob: None, parts: Array::new(), pending: 0, failed: None }
    }

    async fn blob(&self, digest: &Digest) -> Result<Option<BlobRecord>, StoreError> {
        self.record("blobs", &digest.to_string()).await
    }

    async fn put_blob(&self, record: &BlobRecord, data: BlobData) -> Result<(), StoreError> {
        let data: JsValue = match data {
            BlobData::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
            BlobData::Blob(b) => b.into(),
        };
        self.put("blobs", "digest", &record.digest.to_string(), &to_json(record)?, Some(data)).await
    }

    async fn read_blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, StoreError> {
        let obj = self.get("blobs", &digest.to_string()).await?.ok_or_else(|| StoreError::NotFound(format!("blob {digest}")))?;
        let record: BlobRecord = parse(&obj)?;
        if record.size > max {
            return Err(backend(format!("blob {digest} is {} bytes, over {max}", record.size)));
        }
        let data = Reflect::get(&obj, &"data".into()).map_err(|e| backend(js_error(&e)))?;
        if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
            let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| backend(js_error(&e)))?;
            return Ok(Uint8Array::new(&buffer).to_vec());
        }
        Ok(Uint8Array::new(&data).to_vec())
    }

    async fn delete_blob(&self, digest: &Digest) -> Result<(), StoreError> {
        self.delete("blobs", &digest.to_string()).await
    }

    async fn blobs(&self) -> Result<Vec<BlobRecord>, StoreError> {
        self.records("blobs").await
    }

    async fn layer(&self, diff_id: &Digest) -> Result<Option<LayerRecord>, StoreError> {
        self.record("layers", &diff_id.to_string()).await
    }

    async fn put_layer(&self, record: &LayerRecord) -> Result<(), StoreError> {
        self.put("layers", "diff_id", &record.diff_id.to_string(), &to_json(record)?, None).await
    }

    async fn delete_layer(&self, diff_id: &Digest) -> Result<(), StoreError> {
        self.delete("layers", &diff_id.to_string()).await
    }

    async fn layer_ids(&self) -> Result<Vec<Digest>, StoreError> {
        let tx = transaction(&self.db, "layers", IdbTransactionMode::Readonly).map_err(backend)?;
        let req = tx.object_store("layers").and_then(|s| s.get_all_keys()).map_err(|e| backend(js_error(&e)))?;
        let keys = request_done(&req).await.map_err(backend)?;
        Ok(Array::from(&keys).iter().filter_map(|k| k.as_string()).filter_map(|k| Digest::parse(&k).ok()).collect())
    }

    async fn images(&self) -> Result<Vec<ImageRecord>, StoreError> {
        self.records("images").await
    }

    async fn put_image(&self, record: &ImageRecord) -> Result<(), StoreError> {
        self.put("images", "id", &record.id.to_string(), &to_json(record)?, None).await
    }

    async fn delete_image(&self, id: &Digest) -> Result<(), StoreError> {
        self.delete("images", &id.to_string()).await
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.records("imports").await
    }

    async fn put_import(&self, record: &ImportRecord) -> Result<(), StoreError> {
        self.put("imports", "id", &record.id, &to_json(record)?, None).await
    }

    async fn delete_import(&self, id: &str) -> Result<(), StoreError> {
        self.delete("imports", id).await
    }
}
