//! A Docker Engine API (1.50, classic image store) over archives loaded with the core's
//! importer. The real docker CLI pointed at it (`DOCKER_HOST=tcp://…`) prints what the page
//! should print for the same store: the tests use it as the judge of docker's output formats.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Query, State as AxumState};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use layerwise_core::archive::MemorySource;
use layerwise_core::digest::Digest;
use layerwise_core::archive::PlatformChoice;
use layerwise_core::import::{import_archive, ImportRequest};
use layerwise_core::spec::{self, ImageConfig};
use layerwise_core::store::{self, ImageRecord, MemoryStore, Store};
use layerwise_core::view;

/// The API version the docker CLI 28.2 speaks.
const API_VERSION: &str = "1.50";

/// The loaded images and their configs.
pub struct State {
    images: Vec<ImageRecord>,
    configs: HashMap<Digest, ImageConfig>,
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
            futures::executor::block_on(import_archive(&source, &store, &request, &now, &mut |_| {}))
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let images = futures::executor::block_on(store.images())?;
        let mut configs = HashMap::new();
        for image in &images {
            let raw = futures::executor::block_on(store.read_blob(&image.id, spec::MAX_JSON_BYTES))?;
            configs.insert(image.id.clone(), spec::parse(&format!("config {}", image.id), &raw)?);
        }
        Ok(Arc::new(Self { images, configs }))
    }

    /// The loaded images.
    pub fn images(&self) -> &[ImageRecord] {
        &self.images
    }

    /// The parsed config of an image.
    pub fn config(&self, id: &Digest) -> Option<&ImageConfig> {
        self.configs.get(id)
    }
}

/// The API's routes. Paths may carry a version prefix (`/v1.50/images/json`).
pub fn router(state: Arc<State>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(AxumState(state): AxumState<Arc<State>>, method: Method, uri: Uri, Query(query): Query<HashMap<String, String>>) -> Response {
    let path = strip_version(uri.path());
    match (&method, path) {
        (&Method::GET | &Method::HEAD, "/_ping") => ping(),
        (&Method::GET, "/images/json") => {
            let all = query.get("all").is_some_and(|v| v == "1" || v == "true");
            json(StatusCode::OK, &view::image_summaries(&state.images, all))
        }
        (&Method::GET, p) if p.starts_with("/images/") && p.ends_with("/json") => {
            with_image(&state, &p["/images/".len()..p.len() - "/json".len()], |image, config| {
                json(StatusCode::OK, &view::inspect(image, config))
            })
        }
        (&Method::GET, p) if p.starts_with("/images/") && p.ends_with("/history") => {
            with_image(&state, &p["/images/".len()..p.len() - "/history".len()], |image, config| {
                let find = |id: &Digest| state.images.iter().find(|i| i.id == *id).cloned();
                match view::history(image, config, &find) {
                    Ok(items) => json(StatusCode::OK, &items),
                    Err(e) => message(StatusCode::INTERNAL_SERVER_ERROR, &e),
                }
            })
        }
        (_, p) if p.starts_with("/containers/") => message(StatusCode::NOT_FOUND, &format!("No such container: {}", container_name(p))),
        _ => message(StatusCode::NOT_FOUND, &format!("page not found: {method} {path}")),
    }
}

fn with_image(state: &State, name: &str, f: impl FnOnce(&ImageRecord, &ImageConfig) -> Response) -> Response {
    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    match store::resolve(&state.images, &name).and_then(|i| Some((i, state.configs.get(&i.id)?))) {
        Some((image, config)) => f(image, config),
        None => message(StatusCode::NOT_FOUND, &format!("No such image: {name}")),
    }
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

fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    let mut bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes.push(b'\n');
    (status, [(header::CONTENT_TYPE, "application/json"), (header::HeaderName::from_static("api-version"), API_VERSION)], bytes).into_response()
}

fn message(status: StatusCode, msg: &str) -> Response {
    json(status, &serde_json::json!({ "message": msg }))
}
