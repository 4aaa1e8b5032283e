//! A Docker Engine API (1.50, classic image store) over archives loaded with the core's
//! importer. The real docker CLI pointed at it (`DOCKER_HOST=tcp://…`) prints what the page
//! should print for the same store: the tests use it as the judge of docker's output formats.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use layerwise_core::archive::MemorySource;
use layerwise_core::container::ContainerRecord;
use layerwise_core::digest::Digest;
use layerwise_core::archive::PlatformChoice;
use layerwise_core::import::{import_archive, ImportRequest};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::spec::{self, ImageConfig};
use layerwise_core::store::{ImageRecord, MemoryStore, Store};
use layerwise_core::view;
use layerwise_registry::search::SearchQuery;

mod archives;
mod containers;
mod images;

/// The API version the docker CLI 28.2 speaks.
const API_VERSION: &str = "1.50";

/// The loaded images and their configs, over the store they were imported into. Images change
/// with `DELETE /images/…` and `POST /images/…/tag` (in `images` only), with `POST /commit` and
/// `POST /images/load` (in the store, then in `images`); a test may add its own
/// ([`State::add_image`], without blobs). Every image has its config in `configs`.
pub struct State {
    pub(crate) store: Mutex<MemoryStore>,
    pub(crate) images: Mutex<Vec<ImageRecord>>,
    configs: Mutex<HashMap<Digest, ImageConfig>>,
    containers: Mutex<Vec<ContainerRecord>>,
    /// The bytes of the files sessions wrote, by the key their `NewEntry::File` names.
    session_files: Mutex<HashMap<String, Vec<u8>>>,
    search: Mutex<Vec<view::SearchResult>>,
    pull: Mutex<Vec<serde_json::Value>>,
}

impl State {
    /// Imports each archive, in order, into one store.
    pub fn load(archives: &[PathBuf]) -> Result<Arc<Self>, Box<dyn std::error::Error>> {
        let store = MemoryStore::new();
        let now = || time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6;
        for path in archives {
            let source = MemorySource(std::fs::read(path)?);
            let name = path.display().to_string();
            let request = ImportRequest { id: name.clone(), name: name.clone(), platform: PlatformChoice::Default };
            futures::executor::block_on(import_archive(&source, &store, &LocalPipeline, &request, &now, &mut |_| {}))
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let images = futures::executor::block_on(store.images())?;
        let mut configs = HashMap::new();
        for image in &images {
            let raw = futures::executor::block_on(store.read_blob(&image.id, spec::MAX_JSON_BYTES))?;
            configs.insert(image.id.clone(), spec::parse(&format!("config {}", image.id), &raw)?);
        }
        Ok(Arc::new(Self {
            store: Mutex::new(store),
            images: Mutex::new(images),
            configs: Mutex::new(configs),
            containers: Mutex::new(Vec::new()),
            session_files: Mutex::new(HashMap::new()),
            search: Mutex::new(Vec::new()),
            pull: Mutex::new(Vec::new()),
        }))
    }

    /// The images now.
    pub fn images(&self) -> Vec<ImageRecord> {
        self.images.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// Adds an image with its config, as an import or a commit would (a test's own image:
    /// its ID need not be its config's digest).
    pub fn add_image(&self, image: ImageRecord, config: ImageConfig) {
        if let (Ok(mut images), Ok(mut configs)) = (self.images.lock(), self.configs.lock()) {
            configs.insert(image.id.clone(), config);
            images.push(image);
        }
    }

    /// Takes images the store now has (a commit's, a load's) into `images`, with their configs;
    /// their tags leave the images that had them.
    pub(crate) fn absorb(&self, records: Vec<ImageRecord>) -> Result<(), String> {
        let Ok(store) = self.store.lock() else { return Err("state poisoned".to_owned()) };
        let (Ok(mut images), Ok(mut configs)) = (self.images.lock(), self.configs.lock()) else { return Err("state poisoned".to_owned()) };
        for record in records {
            let raw = futures::executor::block_on(store.read_blob(&record.id, spec::MAX_JSON_BYTES)).map_err(|e| e.to_string())?;
            configs.insert(record.id.clone(), spec::parse(&format!("config {}", record.id), &raw).map_err(|e| e.to_string())?);
            for other in images.iter_mut() {
                other.repo_tags.retain(|t| !record.repo_tags.contains(t));
            }
            images.retain(|i| i.id != record.id);
            images.push(record);
        }
        Ok(())
    }

    /// Adds a container (an edit session, as the page stores it).
    pub fn add_container(&self, container: ContainerRecord) {
        if let Ok(mut c) = self.containers.lock() {
            c.push(container);
        }
    }

    /// Keeps the bytes of a file a session wrote, under the key its `NewEntry::File` names.
    pub fn add_session_file(&self, key: &str, bytes: Vec<u8>) {
        if let Ok(mut files) = self.session_files.lock() {
            files.insert(key.to_owned(), bytes);
        }
    }

    /// The bytes of a file a session wrote.
    pub(crate) fn session_file(&self, key: &str) -> Option<Vec<u8>> {
        self.session_files.lock().ok()?.get(key).cloned()
    }

    /// What `GET /images/search` finds (for any term), before the limit and filters.
    pub fn set_search_results(&self, results: Vec<view::SearchResult>) {
        if let Ok(mut s) = self.search.lock() {
            *s = results;
        }
    }

    /// What `POST /images/create` (a pull) streams, whatever is asked for.
    pub fn set_pull_messages(&self, messages: Vec<serde_json::Value>) {
        if let Ok(mut p) = self.pull.lock() {
            *p = messages;
        }
    }

    /// The containers now.
    pub fn containers(&self) -> Vec<ContainerRecord> {
        self.containers.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The parsed config of an image.
    pub fn config(&self, id: &Digest) -> Option<ImageConfig> {
        self.configs.lock().ok()?.get(id).cloned()
    }
}

/// The API's routes. Paths may carry a version prefix (`/v1.50/images/json`). Request bodies
/// (`POST /images/load`'s archive) have no size limit.
pub fn router(state: Arc<State>) -> Router {
    Router::new().fallback(handle).layer(axum::extract::DefaultBodyLimit::disable()).with_state(state)
}

async fn handle(AxumState(state): AxumState<Arc<State>>, method: Method, uri: Uri, Query(query): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let path = strip_version(uri.path());
    match (&method, path) {
        (&Method::GET | &Method::HEAD, "/_ping") => ping(),
        (&Method::GET, "/images/get") => archives::save(&state, &query_values(&uri, "names")),
        (&Method::POST, "/images/load") => archives::load(&state, body.to_vec()),
        (&Method::POST, "/commit") => containers::commit(&state, &query, &query_values(&uri, "changes")),
        (&Method::GET, "/images/json") => {
            let all = query.get("all").is_some_and(|v| v == "1" || v == "true");
            let filters: Vec<(String, String)> = search_filters(query.get("filters")).into_iter().filter_map(|f| f.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))).collect();
            match view::filter_images(&state.images(), &filters) {
                Ok(images) => json(StatusCode::OK, &view::image_summaries(&images, all || filters.iter().any(|(k, _)| k == "dangling"))),
                Err(e) => message(StatusCode::BAD_REQUEST, &e),
            }
        }
        (&Method::GET, "/images/search") => {
            let mut q = SearchQuery::new(query.get("term").map_or("", String::as_str));
            q.limit = query.get("limit").and_then(|l| l.parse().ok()).filter(|l| *l > 0).unwrap_or(layerwise_registry::search::DEFAULT_LIMIT);
            for f in search_filters(query.get("filters")) {
                if let Err(e) = q.filter(&f) {
                    return message(StatusCode::BAD_REQUEST, &e);
                }
            }
            if let Err(e) = q.check() {
                return message(StatusCode::BAD_REQUEST, &e);
            }
            json(StatusCode::OK, &q.apply(state.search.lock().map(|s| s.clone()).unwrap_or_default()))
        }
        (&Method::POST, "/images/create") => {
            let messages = state.pull.lock().map(|p| p.clone()).unwrap_or_default();
            let body: String = messages.iter().map(|m| format!("{m}\r\n")).collect();
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json"), (header::HeaderName::from_static("api-version"), API_VERSION)], body).into_response()
        }
        (&Method::GET, "/info") => json(StatusCode::OK, &serde_json::json!({ "ID": "layerwise", "Swarm": { "LocalNodeState": "inactive", "ControlAvailable": false } })),
        (&Method::GET, "/containers/json") => containers::list(&state, &query),
        (&Method::DELETE, p) if p.starts_with("/images/") => {
            let name = percent_encoding::percent_decode_str(&p["/images/".len()..]).decode_utf8_lossy().into_owned();
            let flag = |k: &str| query.get(k).is_some_and(|v| v == "1" || v == "true");
            images::remove(&state, &name, flag("force"), !flag("noprune"))
        }
        (&Method::POST, p) if p.starts_with("/images/") && p.ends_with("/tag") => {
            let name = percent_encoding::percent_decode_str(&p["/images/".len()..p.len() - "/tag".len()]).decode_utf8_lossy().into_owned();
            let target = match (query.get("repo"), query.get("tag")) {
                (Some(r), Some(t)) if !t.is_empty() => format!("{r}:{t}"),
                (Some(r), _) => r.clone(),
                _ => return message(StatusCode::BAD_REQUEST, "repository name must have at least one component"),
            };
            images::tag(&state, &name, &target)
        }
        (&Method::GET, p) if p.starts_with("/images/") && p.ends_with("/json") => {
            images::with_image(&state, &p["/images/".len()..p.len() - "/json".len()], |image, config| {
                json(StatusCode::OK, &view::inspect(image, config))
            })
        }
        (&Method::GET, p) if p.starts_with("/images/") && p.ends_with("/history") => {
            images::with_image(&state, &p["/images/".len()..p.len() - "/history".len()], |image, config| {
                let images = state.images();
                let find = |id: &Digest| images.iter().find(|i| i.id == *id).cloned();
                match view::history(image, config, &find) {
                    Ok(items) => json(StatusCode::OK, &items),
                    Err(e) => message(StatusCode::INTERNAL_SERVER_ERROR, &e),
                }
            })
        }
        (&Method::GET, p) if p.starts_with("/containers/") && p.ends_with("/json") => {
            let name = percent_encoding::percent_decode_str(&p["/containers/".len()..p.len() - "/json".len()]).decode_utf8_lossy().into_owned();
            containers::inspect(&state, &name, query.get("size").is_some_and(|v| v == "1" || v == "true"))
        }
        (_, p) if p.starts_with("/containers/") => message(StatusCode::NOT_FOUND, &format!("No such container: {}", container_name(p))),
        _ => message(StatusCode::NOT_FOUND, &format!("page not found: {method} {path}")),
    }
}

/// Every value of `key` in the URI's query (`names=a&names=b`), decoded.
fn query_values(uri: &Uri, key: &str) -> Vec<String> {
    let decode = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    uri.query().unwrap_or("").split('&').filter_map(|pair| pair.split_once('=')).filter(|(k, _)| decode(k) == key).map(|(_, v)| decode(v)).collect()
}

/// The filters of a `filters` query as `key=value` (`{"stars":{"3":true}}`).
pub(crate) fn search_filters(filters: Option<&String>) -> Vec<String> {
    let parsed: Option<serde_json::Value> = filters.and_then(|f| serde_json::from_str(f).ok());
    let Some(map) = parsed.as_ref().and_then(|v| v.as_object()) else { return Vec::new() };
    map.iter().flat_map(|(k, v)| v.as_object().into_iter().flat_map(move |o| o.keys().map(move |val| format!("{k}={val}")))).collect()
}

fn strip_version(path: &str) -> &str {
    match path.strip_prefix("/v") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest.find('/').map_or(path, |i| &rest[i..]),
        _ => path,
    }
}

fn container_name(path: &str) -> String {
    path.trim_start_matches("/containers/").split('/').next().unwrap_or("").to_owned()
}


fn ping() -> Response {
    (
        StatusCode::OK,
        [
            ("Api-Version", API_VERSION),
            ("Ostype", "linux"),
            ("Docker-Experimental", "false"),
            ("Builder-Version", "1"),
            (header::CONTENT_TYPE.as_str(), "text/plain; charset=utf-8"),
        ],
        "OK",
    )
        .into_response()
}

pub(crate) fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    let mut bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes.push(b'\n');
    (status, [(header::CONTENT_TYPE, "application/json"), (header::HeaderName::from_static("api-version"), API_VERSION)], bytes).into_response()
}

pub(crate) fn message(status: StatusCode, msg: &str) -> Response {
    json(status, &serde_json::json!({ "message": msg }))
}
