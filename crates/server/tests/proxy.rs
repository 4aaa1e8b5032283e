//! The registry proxy of `layerwise-server serve`, judged against a real registry (Debian's
//! docker-registry, seeded with skopeo) and against small fake upstreams that answer as Docker
//! Hub does (token realm, v1 search, blob redirects to a CDN, rate limits).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use layerwise_server::proxy::{self, ProxyConfig, ProxyFlags};
use layerwise_testkit::LocalRegistry;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::generated;

/// The Accept list a pull sends for a manifest.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Serves `router` on 127.0.0.1, any port, on the test's runtime.
pub(crate) async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// The proxy with these flags, served; its base URL.
pub(crate) async fn start_proxy(flags: ProxyFlags) -> String {
    let router = proxy::router(ProxyConfig::from_flags(&flags).unwrap()).unwrap();
    format!("http://{}", serve(router).await)
}

/// A client that does not follow redirects (the proxy must answer with the final response).
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A request an upstream saw.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A fake upstream on 127.0.0.1 that records every request and answers with `answer`.
pub(crate) struct Fake {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub(crate) async fn start(answer: impl Fn(&Seen) -> Response + Send + Sync + 'static) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, answer) = (seen.clone(), Arc::new(answer));
        let router = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
            let seen = Seen { method, uri, headers };
            log.lock().unwrap().push(seen.clone());
            let response = answer(&seen);
            async move { response }
        });
        Self { addr: serve(router).await, seen }
    }

    pub(crate) fn host(&self) -> String {
        self.addr.to_string()
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

pub(crate) fn flags(f: impl FnOnce(&mut ProxyFlags)) -> ProxyFlags {
    let mut flags = ProxyFlags::default();
    f(&mut flags);
    flags
}

/// The `error` of the proxy's JSON answer.
pub(crate) async fn error_of(response: reqwest::Response) -> String {
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    body["error"].as_str().unwrap().to_owned()
}

/// Sends raw request bytes to `addr`; returns the status line (for paths a client would normalise).
pub(crate) async fn raw_status(addr: &str, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr.trim_start_matches("http://")).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_registry_answers_the_same_through_the_proxy() {
    let registry = LocalRegistry::start().unwrap();
    registry.seed(&generated().join("app.docker.tar"), "test/app:1").unwrap();
    let proxy = start_proxy(flags(|f| {
        f.insecure_registry = vec![registry.host()];
        f.allow_private = true;
    }))
    .await;
    let client = client();
    let via = |path: &str| format!("{proxy}/registry/{}{path}", registry.host());
    let direct = |path: &str| format!("http://{}{path}", registry.host());

    let ping = client.get(via("/v2/")).send().await.unwrap();
    assert_eq!(ping.status(), 200);
    assert_eq!(ping.headers()["docker-distribution-api-version"], "registry/2.0");

    let manifest_path = "/v2/test/app/manifests/1";
    let theirs = client.get(direct(manifest_path)).header("accept", MANIFEST_ACCEPT).send().await.unwrap();
    let ours = client.get(via(manifest_path)).header("accept", MANIFEST_ACCEPT).send().await.unwrap();
    assert_eq!(ours.status(), 200);
    for name in ["docker-content-digest", "content-type", "content-length", "etag"] {
        assert_eq!(ours.headers().get(name), theirs.headers().get(name), "{name}");
    }
    let digest = ours.headers()["docker-content-digest"].to_str().unwrap().to_owned();
    let etag = ours.headers()["etag"].clone();
    let (manifest, direct_manifest) = (ours.bytes().await.unwrap(), theirs.bytes().await.unwrap());
    assert_eq!(manifest, direct_manifest);
    assert_eq!(sha256(&manifest), digest);

    let head = client.head(via(manifest_path)).header("accept", MANIFEST_ACCEPT).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"].to_str().unwrap(), manifest.len().to_string());
    assert_eq!(head.headers()["docker-content-digest"].to_str().unwrap(), digest);
    assert!(head.bytes().await.unwrap().is_empty());

    let unchanged = client.get(via(manifest_path)).header("accept", MANIFEST_ACCEPT).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(unchanged.status(), 304);

    let parsed: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let layer = &parsed["layers"][0];
    let (layer_digest, size) = (layer["digest"].as_str().unwrap(), layer["size"].as_u64().unwrap());
    let blob_path = format!("/v2/test/app/blobs/{layer_digest}");
    let mut blob = client.get(via(&blob_path)).send().await.unwrap();
    assert_eq!(blob.status(), 200);
    assert_eq!(blob.content_length(), Some(size));
    let (mut hasher, mut received, mut chunks) = (Sha256::new(), 0u64, 0);
    while let Some(chunk) = blob.chunk().await.unwrap() {
        hasher.update(&chunk);
        received += chunk.len() as u64;
        chunks += 1;
    }
    assert_eq!((format!("sha256:{:x}", hasher.finalize()), received), (layer_digest.to_owned(), size));
    assert!(chunks >= 1);

    let ranged = client.get(via(&blob_path)).header("range", "bytes=0-99").send().await.unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.headers()["content-range"].to_str().unwrap(), format!("bytes 0-99/{size}"));
    let first = ranged.bytes().await.unwrap();
    let whole = client.get(direct(&blob_path)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(first, whole.slice(0..100));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blob_is_streamed_as_it_arrives() {
    let (more, rest) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let rest = Mutex::new(Some(rest));
    let registry = Fake::start(move |_| {
        let rest = rest.lock().unwrap().take().unwrap();
        let first = futures::stream::iter([Ok::<_, std::io::Error>(b"first chunk ".to_vec())]);
        let then = futures::stream::unfold(rest, |mut rest| async move { rest.recv().await.map(|bytes| (Ok(bytes), rest)) });
        ([("content-length", "22")], Body::from_stream(futures::StreamExt::chain(first, then))).into_response()
    })
    .await;
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("registry-1.docker.io={}", registry.addr)])).await;
    let url = format!("{proxy}/registry/docker.io/v2/a/blobs/sha256:abc");
    let (got, first) = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut got = client().get(url).send().await.unwrap();
        let first = got.chunk().await.unwrap().unwrap();
        (got, first)
    })
    .await
    .expect("the first chunk arrives before the upstream has finished");
    assert_eq!(first, b"first chunk ".as_slice());
    more.send(b"last chunk".to_vec()).await.unwrap();
    drop(more);
    assert_eq!(got.bytes().await.unwrap(), b"last chunk".as_slice());
}

/// Follows `Link: <…>; rel="next"` through the proxy from `first`, collecting `key` of each page
/// and counting the links.
async fn all_pages(proxy: &str, first: String, key: &str, links: &mut usize) -> Vec<String> {
    let (client, mut next, mut items) = (client(), Some(first), Vec::new());
    while let Some(url) = next.take() {
        let page = client.get(&url).send().await.unwrap();
        assert_eq!(page.status(), 200, "{url}");
        if let Some(link) = page.headers().get("link") {
            let link = link.to_str().unwrap();
            let target = link.strip_prefix('<').and_then(|l| l.split_once('>')).map(|(t, _)| t).unwrap();
            assert!(target.starts_with("/registry/127.0.0.1:") && link.ends_with(r#"; rel="next""#), "{link}");
            next = Some(format!("{proxy}{target}"));
            *links += 1;
        }
        let body: serde_json::Value = serde_json::from_slice(&page.bytes().await.unwrap()).unwrap();
        items.extend(body[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()));
    }
    items
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_links_are_rewritten_and_work_through_the_proxy() {
    let registry = LocalRegistry::start().unwrap();
    for (archive, name) in [("app.docker.tar", "test/app:1"), ("app.docker.tar", "test/app:2"), ("base.docker.tar", "test/base:1")] {
        registry.seed(&generated().join(archive), name).unwrap();
    }
    let proxy = start_proxy(flags(|f| {
        f.insecure_registry = vec![registry.host()];
        f.allow_private = true;
    }))
    .await;
    let base = format!("{proxy}/registry/{}", registry.host());
    let mut links = 0;
    assert_eq!(all_pages(&proxy, format!("{base}/v2/_catalog?n=1"), "repositories", &mut links).await, ["test/app", "test/base"]);
    assert!(links >= 1, "the first page links to the next");
    // distribution 2.8 lists all tags whatever `n` says (tag pagination came in 3.0); the proxy
    // passes the list on, and would rewrite a Link the same way.
    let mut tags = all_pages(&proxy, format!("{base}/v2/test/app/tags/list?n=1"), "tags", &mut links).await;
    tags.sort();
    assert_eq!(tags, ["1", "2"]);
}

/// A fake Docker Hub registry that wants `Bearer good`, and its token server.
async fn fake_hub_with_tokens() -> (Fake, Fake) {
    let registry = Fake::start(|seen| {
        if seen.header("authorization") == Some("Bearer good") {
            ([("content-type", "application/vnd.docker.distribution.manifest.v2+json"), ("docker-content-digest", "sha256:abc")], "{}").into_response()
        } else {
            let challenge = r#"Bearer realm="http://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#;
            (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)], r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#).into_response()
        }
    })
    .await;
    let auth = Fake::start(|seen| {
        let query = seen.uri.query().unwrap_or_default();
        let right_scope = query.split('&').any(|p| p == "scope=repository%3Alibrary%2Fbusybox%3Apull");
        let creds_ok = seen.header("authorization").is_none_or(|a| a == "Basic dXNlcjpwYXNz");
        match (seen.uri.path(), right_scope, creds_ok) {
            ("/token", true, true) => ([("content-type", "application/json")], r#"{"token":"good"}"#).into_response(),
            ("/token", _, false) => (StatusCode::UNAUTHORIZED, r#"{"details":"incorrect username or password"}"#).into_response(),
            _ => (StatusCode::UNAUTHORIZED, r#"{"details":"wrong scope"}"#).into_response(),
        }
    })
    .await;
    (registry, auth)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bearer_token_flow_goes_through_the_proxy() {
    let (registry, auth) = fake_hub_with_tokens().await;
    let proxy = start_proxy(flags(|f| {
        f.host_override = vec![format!("registry-1.docker.io={}", registry.addr), format!("auth.docker.io={}", auth.addr)];
    }))
    .await;
    let client = client();
    let manifest = format!("{proxy}/registry/docker.io/v2/library/busybox/manifests/latest");

    let challenged = client.get(&manifest).send().await.unwrap();
    assert_eq!(challenged.status(), 401);
    let challenge = challenged.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert_eq!(
        challenge,
        r#"Bearer realm="/registry-token?realm=http%3A%2F%2Fauth.docker.io%2Ftoken",service="registry.docker.io",scope="repository:library/busybox:pull""#
    );
    assert_eq!(challenged.text().await.unwrap(), r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#);
    assert_eq!(registry.seen()[0].header("host"), Some("registry-1.docker.io"), "the Host header names the overridden host");

    // What the page does: resolve the realm against the URL it asked, add service and scopes.
    let realm = challenge.split('"').nth(1).unwrap();
    let params = "service=registry.docker.io&scope=repository%3Alibrary%2Fbusybox%3Apull&scope=repository%3Alibrary%2Falpine%3Apull";
    let token_url = reqwest::Url::parse(&manifest).unwrap().join(&format!("{realm}&{params}")).unwrap();
    let anonymous = client.get(token_url.clone()).send().await.unwrap();
    assert_eq!(anonymous.status(), 200);
    assert_eq!(anonymous.text().await.unwrap(), r#"{"token":"good"}"#);
    let with_creds = client.get(token_url.clone()).header("authorization", "Basic dXNlcjpwYXNz").send().await.unwrap();
    assert_eq!(with_creds.text().await.unwrap(), r#"{"token":"good"}"#);
    let wrong_creds = client.get(token_url.clone()).header("authorization", "Basic d3Jvbmc6d3Jvbmc=").send().await.unwrap();
    assert_eq!(wrong_creds.status(), 401, "the token server's refusal is passed through");
    let seen = auth.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.uri.query() == Some(params)), "scopes kept, in order: {seen:?}");
    assert_eq!(seen[1].header("authorization"), Some("Basic dXNlcjpwYXNz"));

    let pulled = client.get(&manifest).header("authorization", "Bearer good").send().await.unwrap();
    assert_eq!(pulled.status(), 200);
    assert_eq!(pulled.headers()["docker-content-digest"], "sha256:abc");
    assert!(registry.seen().iter().all(|s| !s.header("authorization").unwrap_or_default().starts_with("Basic")), "the registry never sees the password");
}

/// A Docker Hub v1 search answer.
const HUB_SEARCH: &str = r#"{"num_pages":1,"num_results":2,"page_size":25,"query":"busybox","page":1,"results":[{"name":"busybox","description":"Busybox base image.","star_count":3000,"is_official":true,"is_automated":false},{"name":"radial/busyboxplus","description":"Full-chain, Internet enabled, busybox made from scratch.","star_count":50,"is_official":false,"is_automated":false}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn docker_hub_search_passes_through_and_a_huge_answer_is_refused() {
    let index = Fake::start(|seen| {
        assert_eq!(seen.header("x-docker-token"), Some("true"));
        let big = || format!(r#"{{"results":[],"pad":"{}"}}"#, "x".repeat(5 << 20));
        match seen.uri.query().unwrap_or_default() {
            q if q.starts_with("q=busybox") => ([("content-type", "application/json")], HUB_SEARCH).into_response(),
            "q=big" => big().into_response(),
            "q=big-chunked" => Body::from_stream(futures::stream::iter((0..6).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1 << 20])))).into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    })
    .await;
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("index.docker.io={}", index.addr)])).await;
    let client = client();
    for host in ["index.docker.io", "docker.io"] {
        let found = client.get(format!("{proxy}/registry/{host}/v1/search?q=busybox&n=25")).send().await.unwrap();
        assert_eq!(found.status(), 200);
        assert_eq!(found.headers()["content-type"], "application/json");
        assert_eq!(found.text().await.unwrap(), HUB_SEARCH);
    }
    assert_eq!(index.seen()[0].uri.to_string(), "/v1/search?q=busybox&n=25");
    for q in ["big", "big-chunked"] {
        let refused = client.get(format!("{proxy}/registry/index.docker.io/v1/search?q={q}")).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_GATEWAY);
        let message = error_of(refused).await;
        assert!(message.contains("search answer from index.docker.io is larger than 4 MiB"), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blob_redirect_to_a_cdn_is_followed_and_authorization_stays_behind() {
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let digest = sha256(&bytes);
    let cdn_bytes = bytes.clone();
    let cdn = Fake::start(move |seen| {
        assert_eq!(seen.uri.query(), Some("sig=abc&expires=1"));
        cdn_bytes.clone().into_response()
    })
    .await;
    let (cdn_addr, blob) = (cdn.addr, format!("/v2/library/busybox/blobs/{digest}"));
    let blob_path = blob.clone();
    let registry = Fake::start(move |seen| {
        let location = if seen.uri.path() == blob_path { "/storage/blob".to_owned() } else { format!("http://{cdn_addr}/cdn/blob?sig=abc&expires=1") };
        (StatusCode::TEMPORARY_REDIRECT, [("location", location)]).into_response()
    })
    .await;
    let proxy = start_proxy(flags(|f| {
        f.host_override = vec![format!("registry-1.docker.io={}", registry.addr)];
        f.allow_private = true;
    }))
    .await;
    let got = client().get(format!("{proxy}/registry/docker.io{blob}")).header("authorization", "Bearer good").send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(sha256(&got.bytes().await.unwrap()), digest);
    let hops: Vec<_> = registry.seen().iter().map(|s| (s.uri.path().to_owned(), s.header("authorization").map(str::to_owned))).collect();
    assert_eq!(hops, [(blob.clone(), Some("Bearer good".to_owned())), ("/storage/blob".to_owned(), Some("Bearer good".to_owned()))], "a relative redirect stays on the host, with the token");
    let at_cdn = cdn.seen();
    assert_eq!(at_cdn.len(), 1);
    assert_eq!(at_cdn[0].header("authorization"), None, "the CDN must not see the registry token");
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_errors_pass_through_with_their_headers_and_bodies() {
    let registry = Fake::start(|seen| match seen.uri.path() {
        "/v2/library/busybox/manifests/latest" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "3600"), ("ratelimit-limit", "100;w=21600"), ("ratelimit-remaining", "0;w=21600"), ("content-type", "application/json")],
            r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, [("content-type", "application/json")], r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#).into_response(),
    })
    .await;
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("registry-1.docker.io={}", registry.addr)])).await;
    let limited = client().get(format!("{proxy}/registry/docker.io/v2/library/busybox/manifests/latest")).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "3600");
    assert_eq!(limited.headers()["ratelimit-limit"], "100;w=21600");
    assert_eq!(limited.headers()["ratelimit-remaining"], "0;w=21600");
    assert!(limited.text().await.unwrap().contains("You have reached your pull rate limit."));
    let missing = client().get(format!("{proxy}/registry/docker.io/v2/library/nothing/manifests/latest")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.text().await.unwrap(), r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_loop_stops_after_five_hops() {
    let registry = Fake::start(|_| (StatusCode::FOUND, [("location", "/v2/loop")]).into_response()).await;
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("registry-1.docker.io={}", registry.addr)])).await;
    let got = client().get(format!("{proxy}/registry/registry-1.docker.io/v2/loop")).send().await.unwrap();
    assert_eq!(got.status(), StatusCode::BAD_GATEWAY);
    assert!(error_of(got).await.contains("redirected more than 5 times"));
    assert_eq!(registry.seen().len(), 6, "the request and five redirects");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_upstream_is_a_502_naming_the_host() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("registry-1.docker.io={closed}")])).await;
    let got = client().get(format!("{proxy}/registry/docker.io/v2/")).send().await.unwrap();
    assert_eq!(got.status(), StatusCode::BAD_GATEWAY);
    let message = error_of(got).await;
    assert!(message.starts_with("the request to registry-1.docker.io failed"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_registry_headers_cross_the_proxy() {
    let registry = Fake::start(|_| {
        let headers = [("docker-content-digest", "sha256:abc"), ("set-cookie", "session=1"), ("x-internal", "secret"), ("etag", "\"sha256:abc\""), ("accept-ranges", "bytes")];
        (headers, "body").into_response()
    })
    .await;
    let proxy = start_proxy(flags(|f| {
        f.insecure_registry = vec![registry.host()];
        f.allow_private = true;
    }))
    .await;
    let got = client()
        .get(format!("{proxy}/registry/{}/v2/x/blobs/sha256:abc", registry.host()))
        .header("accept", "a/b")
        .header("range", "bytes=1-2")
        .header("if-none-match", "\"x\"")
        .header("cookie", "session=1")
        .header("x-forwarded-for", "10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["docker-content-digest"], "sha256:abc");
    assert_eq!(got.headers()["etag"], "\"sha256:abc\"");
    assert_eq!(got.headers()["accept-ranges"], "bytes");
    assert!(got.headers().get("set-cookie").is_none() && got.headers().get("x-internal").is_none());
    let seen = &registry.seen()[0];
    assert_eq!((seen.header("accept"), seen.header("range"), seen.header("if-none-match")), (Some("a/b"), Some("bytes=1-2"), Some("\"x\"")));
    assert!(seen.header("cookie").is_none() && seen.header("x-forwarded-for").is_none());

    let head = client().head(format!("{proxy}/registry/{}/v2/x/blobs/sha256:abc", registry.host())).send().await.unwrap();
    assert_eq!(registry.seen()[1].method, Method::HEAD);
    assert_eq!(head.headers()["content-length"], "4");
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_logs_one_line_per_request_without_queries_or_credentials() {
    let upstream = Fake::start(|seen| match seen.uri.path() {
        "/token" => r#"{"token":"t0ken-value"}"#.into_response(),
        _ => "{}".into_response(),
    })
    .await;
    let dist = std::env::temp_dir().join(format!("layerwise-proxy-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<title>Layerwise</title>").unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_layerwise-server"))
        .args(["serve", "--port", "0", "--dist"])
        .arg(&dist)
        .args(["--insecure-registry", &upstream.host(), "--allow-private"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut line).unwrap();
    let base = line.trim().strip_prefix("Layerwise is at ").unwrap().trim_end_matches('/').to_owned();

    let client = client();
    assert!(client.get(format!("{base}/")).send().await.unwrap().text().await.unwrap().contains("Layerwise"), "the app is still served");
    let ping = client.get(format!("{base}/registry/{}/v2/?secret-query=1", upstream.host())).header("authorization", "Bearer s3cret-bearer").send().await.unwrap();
    assert_eq!(ping.status(), 200);
    let realm = format!("http%3A%2F%2F{}%2Ftoken", upstream.host());
    let token = client.get(format!("{base}/registry-token?realm={realm}&scope=s3cret-scope")).header("authorization", "Basic czNjcmV0OnBhc3M=").send().await.unwrap();
    assert_eq!(token.text().await.unwrap(), r#"{"token":"t0ken-value"}"#);
    assert_eq!(client.delete(format!("{base}/registry/{}/v2/x", upstream.host())).send().await.unwrap().status(), 405);
    server.kill().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut log).unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dist);

    let host = upstream.host();
    let want = [format!("proxy GET {host} /v2/ -> 200"), format!("proxy GET {host} /token -> 200"), format!("proxy DELETE {host} /v2/x -> 405")];
    assert_eq!(log.lines().collect::<Vec<_>>(), want, "{log}");
    for secret in ["s3cret", "czNjcmV0", "t0ken", "secret-query", "scope"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}
