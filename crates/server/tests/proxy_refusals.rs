//! The registry proxy's refusals: hosts off the allowlist, private addresses (also behind a
//! redirect), methods other than GET and HEAD, token realms off the allowlist, and paths outside
//! the registry API; none of them reaches an upstream.

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;

use layerwise_server::proxy::ProxyFlags;

use crate::proxy::{client, error_of, flags, raw_status, start_proxy, Fake};

#[tokio::test(flavor = "multi_thread")]
async fn a_host_off_the_allowlist_is_refused_without_a_request() {
    let upstream = Fake::start(|_| "hello".into_response()).await;
    let proxy = start_proxy(flags(|f| f.allow_private = true)).await;
    for host in [upstream.host(), "evil.example.com".to_owned()] {
        let got = client().get(format!("{proxy}/registry/{host}/v2/")).send().await.unwrap();
        assert_eq!(got.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_of(got).await, format!("registry host {host} is not on this proxy's allowlist"));
    }
    assert!(upstream.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn private_addresses_are_refused_unless_allowed() {
    let upstream = Fake::start(|_| "hello".into_response()).await;
    let port = upstream.addr.port();
    let proxy = start_proxy(flags(|f| f.allow_host = vec![upstream.host(), format!("localhost:{port}")])).await;
    let literal = client().get(format!("{proxy}/registry/{}/v2/", upstream.host())).send().await.unwrap();
    assert_eq!(literal.status(), StatusCode::FORBIDDEN);
    assert!(error_of(literal).await.starts_with("host 127.0.0.1 is a private"));
    let named = client().get(format!("{proxy}/registry/localhost:{port}/v2/")).send().await.unwrap();
    assert_eq!(named.status(), StatusCode::FORBIDDEN);
    assert!(error_of(named).await.starts_with("host localhost resolves to"));
    assert!(upstream.seen().is_empty());

    let allowed = start_proxy(flags(|f| {
        f.insecure_registry = vec![upstream.host()];
        f.allow_private = true;
    }))
    .await;
    assert_eq!(client().get(format!("{allowed}/registry/{}/v2/", upstream.host())).send().await.unwrap().text().await.unwrap(), "hello");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_a_private_address_is_refused() {
    let inside = Fake::start(|_| "internal".into_response()).await;
    let port = inside.addr.port();
    let registry = Fake::start(move |seen| {
        let target = match seen.uri.path() {
            "/v2/a" => format!("http://127.0.0.1:{port}/"),
            "/v2/b" => "http://10.0.0.1/".to_owned(),
            "/v2/c" => format!("http://[::ffff:127.0.0.1]:{port}/"),
            _ => format!("http://localhost:{port}/"),
        };
        (StatusCode::TEMPORARY_REDIRECT, [("location", target)]).into_response()
    })
    .await;
    let proxy = start_proxy(flags(|f| f.host_override = vec![format!("registry-1.docker.io={}", registry.addr)])).await;
    for path in ["a", "b", "c", "d"] {
        let got = client().get(format!("{proxy}/registry/docker.io/v2/{path}")).send().await.unwrap();
        assert_eq!(got.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(error_of(got).await.contains("private, loopback or link-local"), "{path}");
    }
    assert!(inside.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn only_get_and_head_are_forwarded_and_options_is_answered_here() {
    let upstream = Fake::start(|_| "hello".into_response()).await;
    let proxy = start_proxy(flags(|f| {
        f.insecure_registry = vec![upstream.host()];
        f.allow_private = true;
    }))
    .await;
    let token = format!("{proxy}/registry-token?realm=http%3A%2F%2F{}%2Ftoken", upstream.host());
    for url in [format!("{proxy}/registry/{}/v2/x/blobs/uploads/", upstream.host()), token] {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let got = client().request(method.clone(), &url).body("x").send().await.unwrap();
            assert_eq!(got.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
            assert_eq!(got.headers()["allow"], "GET, HEAD, OPTIONS");
        }
        let options = client().request(Method::OPTIONS, &url).send().await.unwrap();
        assert_eq!(options.status(), StatusCode::NO_CONTENT);
        assert_eq!(options.headers()["allow"], "GET, HEAD, OPTIONS");
    }
    assert!(upstream.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn token_realms_are_checked() {
    let proxy = start_proxy(ProxyFlags::default()).await;
    let cases = [
        ("realm=https%3A%2F%2Fevil.example.com%2Ftoken&scope=x", StatusCode::FORBIDDEN, "token realm host evil.example.com is not on this proxy's allowlist"),
        ("realm=http%3A%2F%2Fghcr.io%2Ftoken", StatusCode::FORBIDDEN, "token realm host ghcr.io over plain http"),
        ("realm=file%3A%2F%2F%2Fetc%2Fpasswd", StatusCode::BAD_REQUEST, "must be an http(s) URL"),
        ("realm=https%3A%2F%2Fu%3Ap%40ghcr.io%2Ftoken", StatusCode::BAD_REQUEST, "without credentials"),
        ("service=x", StatusCode::BAD_REQUEST, "needs realm="),
    ];
    for (query, status, message) in cases {
        let got = client().get(format!("{proxy}/registry-token?{query}")).send().await.unwrap();
        assert_eq!(got.status(), status, "{query}");
        let error = error_of(got).await;
        assert!(error.contains(message), "{query}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn paths_other_than_v2_and_search_are_not_found() {
    let proxy = start_proxy(ProxyFlags::default()).await;
    for path in ["/registry/ghcr.io/v1/other", "/registry/ghcr.io/admin", "/registry/ghcr.io", "/registry/", "/registry/ghcr.io:443/v2/", "/registry/user@ghcr.io/v2/"] {
        assert_eq!(client().get(format!("{proxy}{path}")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in ["/registry/ghcr.io/v2/../admin", "/registry/ghcr.io/v2/%2e%2e/%2E%2E/admin", "/registry/ghcr.io/v2/./x/../../v1/search"] {
        let status = raw_status(&proxy, &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).await;
        assert_eq!(status, "HTTP/1.1 404 Not Found", "{path}");
    }
}

