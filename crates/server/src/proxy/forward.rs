//! Sending a request upstream and handing the answer back: the redirect loop (followed here, not
//! by the browser, which cannot read a cross-origin 307), the request and response headers that
//! cross the proxy, and the body, streamed as it arrives or, for small JSON answers, read up to a
//! cap.

use std::error::Error as _;

use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use reqwest::Url;

use super::address::{self, PrivateAddress};
use super::allowlist::url_authority;
use super::refusal::Refusal;
use super::{rewrite, Proxy};

/// Redirects followed for one request; one more is a 502.
pub(super) const MAX_REDIRECTS: usize = 5;

/// The only request headers that go upstream (never cookies or anything else the browser adds).
const REQUEST_HEADERS: [HeaderName; 4] = [header::ACCEPT, header::AUTHORIZATION, header::RANGE, header::IF_NONE_MATCH];

/// The only response headers that come back.
const RESPONSE_HEADERS: [HeaderName; 12] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
    header::ACCEPT_RANGES,
    HeaderName::from_static("docker-content-digest"),
    HeaderName::from_static("docker-distribution-api-version"),
    header::ETAG,
    header::RETRY_AFTER,
    header::LINK,
    header::WWW_AUTHENTICATE,
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("ratelimit-remaining"),
];

/// The client's headers that may go upstream, every value of each.
pub(super) fn request_headers(from: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in REQUEST_HEADERS {
        for value in from.get_all(&name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// Sends `method url` with `headers`, following up to [`MAX_REDIRECTS`] redirects (relative
/// `Location`s resolved against the current URL). Invariants, on every hop: an IP-literal host is
/// checked here and a name by the resolver (private addresses refused with 403 unless allowed);
/// `Authorization` goes only to the origin (scheme, host, port) of the first URL; a redirect from
/// https to http is refused. A hop may leave the allowlist: it is a redirect from an allowed host.
pub(super) async fn send(proxy: &Proxy, method: &Method, mut url: Url, headers: &HeaderMap) -> Result<reqwest::Response, Refusal> {
    let origin = url.origin();
    let mut redirects = 0;
    loop {
        let host = url_authority(&url);
        address::check_literal(url.host_str().unwrap_or_default(), proxy.config.allow_private).map_err(|e| Refusal::new(StatusCode::FORBIDDEN, e.to_string()))?;
        let mut hop_headers = headers.clone();
        if url.origin() != origin {
            hop_headers.remove(header::AUTHORIZATION);
        }
        let wire = proxy.config.hosts.on_the_wire(&url);
        let response = proxy.client.request(method.clone(), wire).headers(hop_headers).send().await.map_err(|e| upstream_error(&host, &e))?;
        let location = match response.status().as_u16() {
            301 | 302 | 303 | 307 | 308 => response.headers().get(header::LOCATION),
            _ => None,
        };
        let Some(location) = location else { return Ok(response) };
        if redirects == MAX_REDIRECTS {
            return Err(Refusal::new(StatusCode::BAD_GATEWAY, format!("{host} redirected more than {MAX_REDIRECTS} times; gave up")));
        }
        url = next_hop(&url, location)?;
        redirects += 1;
    }
}

/// Where a redirect from `current` to `location` leads: relative locations resolved against
/// `current`; only http(s), and never from https down to http.
fn next_hop(current: &Url, location: &HeaderValue) -> Result<Url, Refusal> {
    let host = url_authority(current);
    let next = location
        .to_str()
        .ok()
        .and_then(|l| current.join(l).ok())
        .filter(|n| matches!(n.scheme(), "http" | "https"))
        .ok_or_else(|| Refusal::new(StatusCode::BAD_GATEWAY, format!("{host} redirected to a location that is not an http(s) URL")))?;
    if current.scheme() == "https" && next.scheme() == "http" {
        return Err(Refusal::new(StatusCode::BAD_GATEWAY, format!("{host} redirected from https to plain http ({}); refused", url_authority(&next))));
    }
    Ok(next)
}

/// A failed upstream request as the proxy's answer: 403 when the resolver refused a private
/// address, otherwise 502 naming the host and the cause (the URL, and so any query, left out).
fn upstream_error(host: &str, err: &reqwest::Error) -> Refusal {
    let mut causes = Vec::new();
    let mut cause = err.source();
    while let Some(e) = cause {
        if let Some(private) = e.downcast_ref::<PrivateAddress>() {
            return Refusal::new(StatusCode::FORBIDDEN, private.to_string());
        }
        causes.push(e.to_string());
        cause = e.source();
    }
    let what = if err.is_timeout() { "timed out" } else { "failed" };
    Refusal::new(StatusCode::BAD_GATEWAY, format!("the request to {host} {what}: {}", causes.join(": ")))
}

/// Where a registry request was addressed: `segment` is the host in the proxy's path
/// (`/registry/<segment>/…`), `upstream` the authority it was sent to (differs for `docker.io`).
pub(super) struct Route<'a> {
    pub(super) segment: &'a str,
    pub(super) upstream: &'a str,
}

/// The upstream answer as the proxy's response: its status, the copied headers (realm and links
/// rewritten), and its body streamed chunk by chunk as it arrives, never buffered whole.
pub(super) fn stream(upstream: reqwest::Response, route: &Route<'_>) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = upstream.status();
    *response.headers_mut() = response_headers(&upstream, Some(route), true);
    *response.body_mut() = Body::from_stream(upstream.bytes_stream());
    response
}

/// The upstream answer read whole, refused with 502 when it is over `limit` bytes (`what` names
/// it in the message): for JSON answers (search, tokens) that nothing needs to stream.
pub(super) async fn buffered(mut upstream: reqwest::Response, limit: usize, what: &str) -> Result<Response, Refusal> {
    let host = url_authority(upstream.url());
    let too_big = || Refusal::new(StatusCode::BAD_GATEWAY, format!("the {what} answer from {host} is larger than {} MiB; refused", limit >> 20));
    if upstream.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_big());
    }
    let status = upstream.status();
    let headers = response_headers(&upstream, None, false);
    let mut body = Vec::new();
    while let Some(chunk) = upstream.chunk().await.map_err(|e| upstream_error(&host, &e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The headers of [`RESPONSE_HEADERS`] the upstream sent (Content-Length only when the body is
/// passed on as it is), with `WWW-Authenticate` and, for a registry route, `Link` rewritten.
fn response_headers(upstream: &reqwest::Response, route: Option<&Route<'_>>, with_length: bool) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in RESPONSE_HEADERS {
        if name == header::CONTENT_LENGTH && !with_length {
            continue;
        }
        for value in upstream.headers().get_all(&name) {
            let rewritten = match (value.to_str(), route) {
                (Ok(v), _) if name == header::WWW_AUTHENTICATE => Some(rewrite::www_authenticate(v, upstream.url())),
                (Ok(v), Some(route)) if name == header::LINK => Some(rewrite::link(v, upstream.url(), route.upstream, route.segment)),
                _ => None,
            };
            let value = rewritten.and_then(|v| HeaderValue::from_str(&v).ok()).unwrap_or_else(|| value.clone());
            out.append(name.clone(), value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a redirect from `from` to `location` leads (`None` for a refused one or a bad `from`).
    fn hop(from: &str, location: &'static str) -> Option<String> {
        next_hop(&Url::parse(from).ok()?, &HeaderValue::from_static(location)).ok().map(String::from)
    }

    #[test]
    fn redirects_resolve_relative_locations_and_never_downgrade() {
        let blob = "https://registry-1.docker.io/v2/library/busybox/blobs/sha256:abc";
        assert_eq!(hop(blob, "/storage/x?sig=1").as_deref(), Some("https://registry-1.docker.io/storage/x?sig=1"));
        assert_eq!(hop(blob, "https://production.cloudflare.docker.com/x").as_deref(), Some("https://production.cloudflare.docker.com/x"));
        assert_eq!(hop("http://127.0.0.1:5000/v2/a", "http://127.0.0.1:6000/b").as_deref(), Some("http://127.0.0.1:6000/b"));
        assert_eq!(hop("http://127.0.0.1:5000/v2/a", "https://cdn.example/b").as_deref(), Some("https://cdn.example/b"));
        assert_eq!(hop(blob, "http://production.cloudflare.docker.com/x"), None, "https to http");
        assert_eq!(hop(blob, "file:///etc/passwd"), None);
        assert_eq!(hop(blob, "ftp://x/"), None);
    }
}
