//! The Engine API's container routes, over the edit sessions a test adds: the list with its
//! filters, one session's inspect view, and `POST /commit` through the core's commit.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use layerwise_core::archive::{MemorySource, SourceError};
use layerwise_core::commit::{commit as commit_session, CommitError, CommitRequest, Content};
use layerwise_core::container::{self, LookupError};
use layerwise_core::digest::Digest;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::view::{self, ContainerQuery};

use super::{json, message, search_filters, State};

/// `GET /containers/json?all=…&limit=…&size=…&filters=…`.
pub(super) fn list(state: &State, query: &HashMap<String, String>) -> Response {
    let flag = |k: &str| query.get(k).is_some_and(|v| v == "1" || v == "true");
    let filters = search_filters(query.get("filters")).into_iter().filter_map(|f| f.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))).collect();
    let limit = query.get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let q = ContainerQuery { all: flag("all"), limit, size: flag("size"), filters };
    match view::list_containers(&state.containers(), &state.images(), &q) {
        Ok(list) => json(StatusCode::OK, &list),
        Err(e) => message(StatusCode::BAD_REQUEST, &e),
    }
}

/// `GET /containers/{name}/json[?size=1]`: 404 for no such container, 400 for a prefix several
/// IDs share.
pub(super) fn inspect(state: &State, name: &str, size: bool) -> Response {
    let containers = state.containers();
    match container::resolve(&containers, name) {
        Ok(c) => {
            let images = state.images();
            let image = images.iter().find(|i| i.id == c.image);
            json(StatusCode::OK, &view::container_inspect(c, image, state.config(&c.image).as_ref(), size))
        }
        Err(e @ LookupError::NotFound(_)) => message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e @ LookupError::Ambiguous(_)) => message(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// A commit's bytes: the files a test gave its sessions ([`State::add_session_file`]) and the
/// store's blobs.
struct StoreContent<'a> {
    state: &'a State,
    store: &'a MemoryStore,
}

impl Content for StoreContent<'_> {
    type Source = MemorySource;

    async fn session_file(&self, key: &str) -> Result<MemorySource, SourceError> {
        self.state.session_file(key).map(MemorySource).ok_or_else(|| SourceError(format!("no session file {key}")))
    }

    async fn blob(&self, digest: &Digest) -> Result<MemorySource, SourceError> {
        self.store.read_blob(digest, u64::MAX).await.map(MemorySource).map_err(|e| SourceError(e.to_string()))
    }
}

/// `POST /commit?container=…&repo=…&tag=…&author=…&comment=…&changes=…`: the session's changes
/// and the `changes` instructions committed by the core; 201 with `{"Id": "sha256:…"}`.
pub(super) fn commit(state: &State, query: &HashMap<String, String>, changes: &[String]) -> Response {
    let value = |k: &str| query.get(k).cloned().unwrap_or_default();
    let containers = state.containers();
    let session = match container::resolve(&containers, &value("container")) {
        Ok(c) => c,
        Err(e @ LookupError::NotFound(_)) => return message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e @ LookupError::Ambiguous(_)) => return message(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let mut session_changes = session.changes.clone();
    session_changes.config.extend(changes.iter().cloned());
    let (repo, tag) = (value("repo"), value("tag"));
    let request = CommitRequest {
        id: format!("commit-{}", session.id),
        base: session.image.clone(),
        changes: session_changes,
        tag: (!repo.is_empty()).then(|| if tag.is_empty() { repo } else { format!("{repo}:{tag}") }),
        author: value("author"),
        message: value("comment"),
    };
    let now = || time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6;
    let committed = match state.store.lock() {
        Ok(store) => futures::executor::block_on(async {
            let committed = commit_session(&*store, &StoreContent { state, store: &store }, &request, &now).await?;
            let record = store.images().await?.into_iter().filter(|r| r.id == committed.id).collect::<Vec<_>>();
            Ok::<_, CommitError>((committed, record))
        }),
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned"),
    };
    match committed.map_err(|e| (matches!(e, CommitError::Instruction(_) | CommitError::Tag(_)), e.to_string())) {
        Ok((committed, record)) => match state.absorb(record) {
            Ok(()) => json(StatusCode::CREATED, &serde_json::json!({ "Id": committed.id.to_string() })),
            Err(e) => message(StatusCode::INTERNAL_SERVER_ERROR, &e),
        },
        Err((true, e)) => message(StatusCode::BAD_REQUEST, &e),
        Err((false, e)) => message(StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}
