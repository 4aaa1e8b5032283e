//! The proxy's two endpoints: `/registry/<host>/…` (the Distribution API and Docker Hub search)
//! and `/registry-token` (a Bearer token from the realm a challenge named).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use reqwest::Url;

use super::allowlist::{authority, registry_host, search_host, url_authority};
use super::forward::{self, Route};
use super::refusal::Refusal;
use super::rewrite::TOKEN_PATH;
use super::Proxy;

/// The largest Docker Hub search answer read.
const SEARCH_LIMIT: usize = 4 << 20;
/// The largest token answer read.
const TOKEN_LIMIT: usize = 1 << 20;
/// The methods the proxy accepts.
const ALLOW: &str = "GET, HEAD, OPTIONS";

/// `/registry/<host>/v2/…` and `/registry/<host>/v1/search`.
pub(super) async fn registry(State(proxy): State<Arc<Proxy>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let rest = uri.path().strip_prefix("/registry/").unwrap_or_default();
    let (segment, path) = rest.split_once('/').map_or((rest, String::from("/")), |(host, path)| (host, format!("/{path}")));
    let response = match answer_here(&method) {
        Some(response) => response,
        None => forward_registry(&proxy, &method, segment, &path, uri.query(), &headers).await.unwrap_or_else(IntoResponse::into_response),
    };
    log(&method, segment, &path, response.status());
    response
}

/// Invariants: the host is on the allowlist; the upstream path is `/v2/…` or `/v1/search`
/// exactly as the client sent it (a path the URL parser would change, `..` for one, is a 404);
/// the query goes byte for byte.
async fn forward_registry(proxy: &Proxy, method: &Method, segment: &str, path: &str, query: Option<&str>, headers: &HeaderMap) -> Result<Response, Refusal> {
    let not_found = || Refusal::new(StatusCode::NOT_FOUND, format!("the registry proxy serves /registry/<host>/v2/… and /registry/<host>/v1/search, not {path}"));
    let host = authority(segment).ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, format!("{segment:?} is not a registry host (HOST or HOST:PORT)")))?;
    if !proxy.config.hosts.is_allowed(&host) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, format!("registry host {host} is not on this proxy's allowlist")));
    }
    let search = path == "/v1/search";
    if !search && !path.starts_with("/v2/") {
        return Err(not_found());
    }
    let upstream = if search { search_host(&host) } else { registry_host(&host) };
    let mut url = Url::parse(&format!("{}://{upstream}{path}", proxy.config.hosts.scheme(upstream))).map_err(|_| not_found())?;
    if url.path() != path {
        return Err(not_found());
    }
    url.set_query(query);
    let mut forwarded = forward::request_headers(headers);
    if search {
        forwarded.insert("x-docker-token", HeaderValue::from_static("true"));
        let response = forward::send(proxy, method, url, &forwarded).await?;
        forward::buffered(response, SEARCH_LIMIT, "search").await
    } else {
        let response = forward::send(proxy, method, url, &forwarded).await?;
        Ok(forward::stream(response, &Route { segment: &host, upstream }))
    }
}

/// `/registry-token?realm=<R>&<params>`.
pub(super) async fn token(State(proxy): State<Arc<Proxy>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let (realm, params) = split_realm(uri.query().unwrap_or_default());
    let realm = realm.and_then(|r| Url::parse(&r).ok());
    let response = match answer_here(&method) {
        Some(response) => response,
        None => fetch_token(&proxy, &method, realm.clone(), &params, &headers).await.unwrap_or_else(IntoResponse::into_response),
    };
    match &realm {
        Some(r) => log(&method, &url_authority(r), r.path(), response.status()),
        None => log(&method, "-", TOKEN_PATH, response.status()),
    }
    response
}

/// Invariants: the realm is an http(s) URL without credentials whose host is on the allowlist,
/// over http only when that host is insecure or overridden; the client's `Authorization` (Basic
/// credentials the user typed) goes to that host only; the other parameters are appended to the
/// realm's own query, all of them (several `scope`s), in order, as sent.
async fn fetch_token(proxy: &Proxy, method: &Method, realm: Option<Url>, params: &[&str], headers: &HeaderMap) -> Result<Response, Refusal> {
    let mut url = realm.ok_or_else(|| Refusal::new(StatusCode::BAD_REQUEST, "the token endpoint needs realm=<the challenge's realm URL, percent-encoded>"))?;
    let host = url_authority(&url);
    if !matches!(url.scheme(), "http" | "https") || host.is_empty() || !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "the token realm must be an http(s) URL without credentials"));
    }
    if !proxy.config.hosts.is_allowed(&host) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, format!("token realm host {host} is not on this proxy's allowlist")));
    }
    if url.scheme() == "http" && !proxy.config.hosts.plain_http(&host) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, format!("token realm host {host} over plain http: only --insecure-registry and --host-override hosts are")));
    }
    url.set_fragment(None);
    if !params.is_empty() {
        let query = match url.query() {
            Some(own) if !own.is_empty() => format!("{own}&{}", params.join("&")),
            _ => params.join("&"),
        };
        url.set_query(Some(&query));
    }
    let response = forward::send(proxy, method, url, &forward::request_headers(headers)).await?;
    forward::buffered(response, TOKEN_LIMIT, "token").await
}

/// The first `realm` parameter of `query`, percent-decoded, and the other parameters as sent.
fn split_realm(query: &str) -> (Option<String>, Vec<&str>) {
    let mut realm = None;
    let mut params = Vec::new();
    for param in query.split('&').filter(|p| !p.is_empty()) {
        match param.strip_prefix("realm=") {
            Some(value) if realm.is_none() => realm = Some(percent_decode_str(value).decode_utf8_lossy().into_owned()),
            _ => params.push(param),
        }
    }
    (realm, params)
}

/// The answer to a method the proxy does not forward: OPTIONS is answered here (204, same origin:
/// no CORS needed), anything but GET and HEAD is a 405.
fn answer_here(method: &Method) -> Option<Response> {
    let allow = [(header::ALLOW, ALLOW)];
    match *method {
        Method::GET | Method::HEAD => None,
        Method::OPTIONS => Some((StatusCode::NO_CONTENT, allow).into_response()),
        _ => Some((allow, Refusal::new(StatusCode::METHOD_NOT_ALLOWED, format!("the registry proxy is read-only: {method} is not allowed ({ALLOW})"))).into_response()),
    }
}

/// The request's log line: method, host, path (no query), status.
fn log(method: &Method, host: &str, path: &str, status: StatusCode) {
    eprintln!("proxy {method} {host} {path} -> {}", status.as_u16());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_is_split_from_the_other_parameters_which_keep_their_order() {
        let (realm, params) = split_realm("service=registry.docker.io&realm=https%3A%2F%2Fauth.docker.io%2Ftoken&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull&realm=x");
        assert_eq!(realm.as_deref(), Some("https://auth.docker.io/token"));
        assert_eq!(params, ["service=registry.docker.io", "scope=repository%3Aa%3Apull", "scope=repository%3Ab%3Apull", "realm=x"]);
        assert_eq!(split_realm(""), (None, vec![]));
    }
}
