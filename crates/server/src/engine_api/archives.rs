//! `docker save` and `docker load` through the Engine API: `GET /images/get` writes the core's
//! archive of the images the names select, `POST /images/load` imports the request's archive
//! with the core's importer and streams `docker load`'s lines.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use layerwise_core::archive::{MemorySource, PlatformChoice};
use layerwise_core::export::{self, Part, SelectError};
use layerwise_core::import::{import_archive, ImportRequest};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::Store;

use super::{message, State, API_VERSION};

/// `GET /images/get?names=…`: the archive, or the daemon's error for the first name it refuses
/// (404 for one not found, 500 for an ambiguous prefix, as moby's errors map).
pub(super) fn save(state: &State, names: &[String]) -> Response {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let chosen = match export::select(&state.images(), &names) {
        Ok(c) => c,
        Err(e @ (SelectError::NotFound(_) | SelectError::NoReference)) => return message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e) => return message(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let Ok(store) = state.store.lock() else { return message(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned") };
    let archive = futures::executor::block_on(async {
        let mut bytes = Vec::new();
        for part in export::save(&export::gather(&*store, &chosen).await?) {
            match part {
                Part::Bytes(b) => bytes.extend(b),
                Part::Blob { digest, size } => bytes.extend(store.read_blob(&digest, size).await?),
            }
        }
        Ok::<_, layerwise_core::store::StoreError>(bytes)
    });
    match archive {
        Ok(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/x-tar")], bytes).into_response(),
        Err(e) => message(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `POST /images/load`: imports the body, then streams each `docker load` line as
/// `{"stream": …}`, or the import's error as the stream's error (the answer has begun: 200).
pub(super) fn load(state: &State, archive: Vec<u8>) -> Response {
    let now = || time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6;
    let request = ImportRequest { id: format!("load-{}", now()), name: "load".to_owned(), platform: PlatformChoice::Default };
    let result = match state.store.lock() {
        Ok(store) => futures::executor::block_on(async {
            let imported = import_archive(&MemorySource(archive), &*store, &LocalPipeline, &request, &now, &mut |_| {}).await.map_err(|e| e.to_string())?;
            let records = store.images().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((records.into_iter().filter(|r| imported.iter().any(|i| i.id == r.id)).collect::<Vec<_>>(), imported))
        }),
        Err(_) => Err("state poisoned".to_owned()),
    };
    let messages: Vec<serde_json::Value> = match result.and_then(|(records, imported)| state.absorb(records).map(|()| imported)) {
        Ok(imported) => imported.iter().flat_map(|i| i.load_lines()).map(|l| serde_json::json!({ "stream": format!("{l}\n") })).collect(),
        Err(e) => vec![serde_json::json!({ "errorDetail": { "message": e }, "error": e })],
    };
    let body: String = messages.iter().map(|m| format!("{m}\r\n")).collect();
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json"), (header::HeaderName::from_static("api-version"), API_VERSION)], body).into_response()
}
