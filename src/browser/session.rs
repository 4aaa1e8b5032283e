//! Edit sessions in IndexedDB: starting one, recording changes (an added file's bytes are kept
//! as a `Blob` beside the session), removing one.

use layerwise_core::archive::ArchiveSource;
use layerwise_core::change::{ChangeSet, NewEntry};
use layerwise_core::container::{docker_name, ContainerRecord};
use layerwise_core::digest::Digest;
use layerwise_core::store::ImageRecord;

use super::store::IdbStore;

/// 64 hex digits, as docker's container IDs: a hash of the time and random numbers.
fn random_id() -> String {
    let seed = format!("{}-{}-{}", super::now_ms(), js_sys::Math::random(), js_sys::Math::random());
    Digest::of(seed.as_bytes()).hex().to_owned()
}

/// Every edit session.
///
/// # Errors
/// When IndexedDB fails.
pub async fn all() -> Result<Vec<ContainerRecord>, String> {
    IdbStore::open().await.map_err(|e| e.to_string())?.containers().await.map_err(|e| e.to_string())
}

/// The edit session on `image`, if there is one (the newest).
///
/// # Errors
/// When IndexedDB fails.
pub async fn find(image: &Digest) -> Result<Option<ContainerRecord>, String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let mut all: Vec<ContainerRecord> = store.containers().await.map_err(|e| e.to_string())?.into_iter().filter(|c| c.image == *image).collect();
    all.sort_by(|a, b| a.created_ms.total_cmp(&b.created_ms));
    Ok(all.pop())
}

/// Starts an edit session on `image`, opened as `image_ref`, whose command is `command`.
///
/// # Errors
/// When IndexedDB fails.
pub async fn start(image: &ImageRecord, image_ref: &str, command: &str) -> Result<ContainerRecord, String> {
    let id = random_id();
    // ok: a random number in [0, 1) times 2^32 fits a u64
    let record = ContainerRecord {
        name: docker_name((js_sys::Math::random() * 4_294_967_296.0) as u64),
        command: command.to_owned(),
        id,
        image: image.id.clone(),
        image_ref: image_ref.to_owned(),
        created_ms: super::now_ms(),
        changes: ChangeSet::default(),
    };
    IdbStore::open().await.map_err(|e| e.to_string())?.put_container(&record).await.map_err(|e| e.to_string())?;
    Ok(record)
}

/// Stores `next` as the session's changes; added files no longer written are dropped.
///
/// # Errors
/// When IndexedDB fails.
pub async fn save(before: &ContainerRecord, next: ChangeSet) -> Result<ContainerRecord, String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let record = ContainerRecord { changes: next, ..before.clone() };
    store.put_container(&record).await.map_err(|e| e.to_string())?;
    let kept: Vec<&str> = file_keys(&record.changes).collect();
    for key in file_keys(&before.changes).filter(|k| !kept.contains(k)) {
        // Best effort: an orphaned file costs space, not correctness.
        let _ = store.delete_session_file(key).await;
    }
    Ok(record)
}

/// Keeps the bytes of a file to add; returns its key.
///
/// # Errors
/// When IndexedDB fails (a full quota included).
pub async fn keep_file(session: &ContainerRecord, data: &web_sys::Blob) -> Result<String, String> {
    let key = format!("{}/{}", session.id, random_id());
    IdbStore::open().await.map_err(|e| e.to_string())?.put_session_file(&key, data).await.map_err(|e| e.to_string())?;
    Ok(key)
}

/// Up to `max` bytes of a file kept for a session.
///
/// # Errors
/// When it is not stored or cannot be read.
pub async fn file_bytes(key: &str, max: u64) -> Result<Vec<u8>, String> {
    let blob = IdbStore::open().await.map_err(|e| e.to_string())?.session_file(key).await.map_err(|e| e.to_string())?;
    let source = super::file_source::FileSource::new(blob);
    let len = usize::try_from(source.len().min(max)).unwrap_or(usize::MAX);
    source.read_at(0, len).await.map_err(|e| e.0)
}

/// Removes the session and the files it added (`docker rm`).
///
/// # Errors
/// When IndexedDB fails.
pub async fn remove(session: &ContainerRecord) -> Result<(), String> {
    IdbStore::open().await.map_err(|e| e.to_string())?.delete_container(session).await.map_err(|e| e.to_string())
}

fn file_keys(changes: &ChangeSet) -> impl Iterator<Item = &str> {
    changes.writes.values().filter_map(|w| match &w.entry {
        NewEntry::File { content, .. } => Some(content.as_str()),
        _ => None,
    })
}
