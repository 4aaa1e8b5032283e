//! A native transport (reqwest), the local registry, and a front that injects faults.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body as AxumBody;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use layerwise_core::archive::{MemorySource, PlatformChoice};
use layerwise_core::import::{import_archive, ImportRequest, Imported};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::MemoryStore;
use layerwise_registry::transport::{Body, HttpRequest, HttpResponse, Method, Transport, TransportError};
use layerwise_testkit::{generated_fixtures, LocalRegistry};

pub(crate) fn now() -> f64 {
    1.8e12
}

/// Runs a future on a current-thread runtime (the client's futures are not `Send`, as in the
/// browser).
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

/// The registry client's network, natively. Waits are shortened 100× and recorded.
#[derive(Default)]
pub(crate) struct Native {
    client: reqwest::Client,
    pub(crate) slept_ms: Mutex<Vec<u64>>,
}

pub(crate) struct NativeBody(reqwest::Response);

impl Body for NativeBody {
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        self.0.chunk().await.map(|c| c.map(|b| b.to_vec())).map_err(|e| TransportError(format!("{e:?}")))
    }
}

impl Transport for Native {
    type Body = NativeBody;

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<NativeBody>, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Head => reqwest::Method::HEAD,
        };
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(|e| TransportError(e.to_string()))?;
        let headers = response.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
        Ok(HttpResponse { status: response.status().as_u16(), headers, body: NativeBody(response) })
    }

    async fn sleep(&self, ms: u64) {
        self.slept_ms.lock().expect("lock").push(ms);
        tokio::time::sleep(std::time::Duration::from_millis(ms / 100)).await;
    }
}

/// A local registry seeded with the generated fixtures: `test/app:1` (docker-archive),
/// `test/oci:1` (oci-archive, gzip layers), `test/multi:1` (linux/amd64 + linux/arm64/v8),
/// `test/base:1`.
pub(crate) fn seeded() -> LocalRegistry {
    let registry = LocalRegistry::start().expect("start docker-registry");
    let dir = generated_fixtures();
    for (file, name) in [("app.docker.tar", "test/app:1"), ("app.oci.tar", "test/oci:1"), ("platforms.oci.tar", "test/multi:1"), ("base.docker.tar", "test/base:1")] {
        registry.seed(&dir.join(file), name).expect("seed");
    }
    registry
}

/// Imports an archive into a fresh store (what `docker load` of the pushed archive gives).
pub(crate) fn imported(path: &Path, platform: PlatformChoice) -> (MemoryStore, Vec<Imported>) {
    let store = MemoryStore::new();
    let source = MemorySource(std::fs::read(path).expect("read fixture"));
    let request = ImportRequest { id: "import".into(), name: path.display().to_string(), platform };
    let imported = futures::executor::block_on(import_archive(&source, &store, &LocalPipeline, &request, &now, &mut |_| {})).expect("import");
    (store, imported)
}

/// A request the front saw: method, path and query, its `Range` and `Authorization` headers.
pub(crate) type Seen = (String, String, Option<String>, Option<String>);

/// What the fault-injecting front does to the requests it forwards.
#[derive(Default)]
pub(crate) struct Faults {
    /// Answer this many manifest GETs with 429 and `Retry-After: 2`.
    pub(crate) rate_limited: AtomicU32,
    /// Answer this many requests with 500.
    pub(crate) server_errors: AtomicU32,
    /// Cut the first whole-blob GET of a large blob halfway.
    pub(crate) cut_blob: AtomicBool,
    /// Flip a byte of every blob body.
    pub(crate) corrupt_blobs: AtomicBool,
    /// Ignore `Range` (answer 200 with the whole blob).
    pub(crate) ignore_range: AtomicBool,
    /// Require `Authorization: Bearer <this>`; the token comes from `/token` for scope
    /// `repository:<name>:pull` and, when `basic` is set, those Basic credentials.
    pub(crate) token: Mutex<Option<String>>,
    /// The Basic credentials the token endpoint wants (`user:password` base64).
    pub(crate) basic: Mutex<Option<String>>,
    /// Every request seen.
    pub(crate) seen: Mutex<Vec<Seen>>,
}

struct Front {
    upstream: String,
    faults: Arc<Faults>,
    http: reqwest::Client,
}

/// A front on 127.0.0.1 that forwards to `upstream` (a registry's `host:port`), injecting
/// `faults`; its thread runs until the process ends. Returns its `host:port`.
pub(crate) fn front(upstream: &str, faults: Arc<Faults>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let state = Arc::new(Front { upstream: upstream.to_owned(), faults, http: reqwest::Client::new() });
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let _ = tx.send(listener.local_addr().expect("addr").to_string());
            let app = axum::Router::new().fallback(forward).with_state(state);
            let _ = axum::serve(listener, app).await;
        });
    });
    rx.recv().expect("front address")
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn forward(State(front): State<Arc<Front>>, request: Request) -> Response {
    let faults = &front.faults;
    let path = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let headers = request.headers().clone();
    let auth = header(&headers, "authorization");
    faults.seen.lock().expect("lock").push((request.method().to_string(), path.clone(), header(&headers, "range"), auth.clone()));
    let host = header(&headers, "host").unwrap_or_default();
    if path.starts_with("/token") {
        let token = faults.token.lock().expect("lock").clone().unwrap_or_default();
        let basic = faults.basic.lock().expect("lock").clone();
        let creds_ok = basic.is_none_or(|b| auth.as_deref() == Some(&format!("Basic {b}")));
        if !path.contains("scope=repository:test/") || !creds_ok {
            return (StatusCode::UNAUTHORIZED, r#"{"details":"bad credentials or scope"}"#).into_response();
        }
        return (StatusCode::OK, format!(r#"{{"access_token":"{token}","expires_in":300}}"#)).into_response();
    }
    if let Some(token) = faults.token.lock().expect("lock").clone() {
        if auth.as_deref() != Some(&format!("Bearer {token}")) {
            let challenge = format!(r#"Bearer realm="http://{host}/token",service="front",scope="repository:test/app:pull""#);
            return (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)], r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#).into_response();
        }
    }
    if faults.server_errors.load(Ordering::SeqCst) > 0 {
        faults.server_errors.fetch_sub(1, Ordering::SeqCst);
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    let is_manifest = path.contains("/manifests/");
    if is_manifest && faults.rate_limited.load(Ordering::SeqCst) > 0 {
        faults.rate_limited.fetch_sub(1, Ordering::SeqCst);
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "2")], "You have reached your pull rate limit.").into_response();
    }
    let mut upstream = front.http.get(format!("http://{}{path}", front.upstream));
    for name in ["accept", "range"] {
        if let Some(v) = header(&headers, name) {
            if !(name == "range" && faults.ignore_range.load(Ordering::SeqCst)) {
                upstream = upstream.header(name, v);
            }
        }
    }
    let Ok(answer) = upstream.send().await else { return StatusCode::BAD_GATEWAY.into_response() };
    let status = answer.status();
    let mut out_headers = HeaderMap::new();
    for name in ["content-type", "docker-content-digest", "content-range", "link", "www-authenticate"] {
        if let Some(v) = answer.headers().get(name) {
            out_headers.insert(name, v.clone());
        }
    }
    let Ok(mut bytes) = answer.bytes().await.map(|b| b.to_vec()) else { return StatusCode::BAD_GATEWAY.into_response() };
    let is_blob = path.contains("/blobs/");
    if is_blob && faults.corrupt_blobs.load(Ordering::SeqCst) && bytes.len() > 100 {
        bytes[100] ^= 0xff;
    }
    if is_blob && bytes.len() > 1024 && header(&headers, "range").is_none() && faults.cut_blob.swap(false, Ordering::SeqCst) {
        let full = bytes.len();
        let half = bytes[..full / 2].to_vec();
        out_headers.insert("content-length", HeaderValue::from(full));
        // The half goes out first; the connection breaks a moment later, mid-body.
        let chunks = futures::stream::unfold(Some(half), |half| async move {
            match half {
                Some(bytes) => Some((Ok(bytes), None)),
                None => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    Some((Err(std::io::Error::other("cut")), None))
                }
            }
        });
        let mut response = Response::new(AxumBody::from_stream(chunks));
        *response.status_mut() = status;
        *response.headers_mut() = out_headers;
        return response;
    }
    (status, out_headers, bytes).into_response()
}
