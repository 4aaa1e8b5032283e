//! `docker commit` in the worker: an edit session's changes, read from IndexedDB, written as a
//! new image by the core.

use layerwise_core::archive::SourceError;
use layerwise_core::commit::{commit, CommitRequest, Content};
use layerwise_core::digest::Digest;

use crate::browser::file_source::FileSource;
use crate::browser::store::IdbStore;
use crate::browser::{actions, locks, now_ms};

/// The session's added files and the store's blobs, as Blobs read by slices.
struct IdbContent<'a> {
    store: &'a IdbStore,
}

impl Content for IdbContent<'_> {
    type Source = FileSource;

    async fn session_file(&self, key: &str) -> Result<FileSource, SourceError> {
        self.store.session_file(key).await.map(FileSource::new).map_err(|e| SourceError(e.to_string()))
    }

    async fn blob(&self, digest: &Digest) -> Result<FileSource, SourceError> {
        self.store.blob_data(digest).await.map(FileSource::new).map_err(|e| SourceError(e.to_string()))
    }
}

/// Commits the edit session `container`; returns what `docker commit` prints (the new ID).
pub(super) async fn run(id: &str, container: &str, tag: &str, author: String, message: String) -> Result<Vec<String>, String> {
    let lock = locks::hold(&locks::name_of(id)).await?;
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let session = store.containers().await.map_err(|e| e.to_string())?.into_iter().find(|c| c.id == container);
    let Some(session) = session else {
        return Err(format!("Error response from daemon: No such container: {container}"));
    };
    let request = CommitRequest {
        id: id.to_owned(),
        base: session.image.clone(),
        changes: session.changes,
        tag: (!tag.is_empty()).then(|| tag.to_owned()),
        author,
        message,
    };
    let result = commit(&store, &IdbContent { store: &store }, &request, &now_ms).await;
    drop(lock);
    actions::collect(&store).await;
    match result {
        Ok(committed) => Ok(vec![committed.id.to_string()]),
        Err(e) => Err(format!("Error response from daemon: {e}")),
    }
}
