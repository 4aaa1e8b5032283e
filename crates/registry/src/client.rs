//! The Distribution API client: requests with token auth and retries, manifests verified by
//! digest, blobs as streams (resumable with `Range`), tag and catalog pages.

use std::cell::RefCell;
use std::collections::HashMap;

use layerwise_core::digest::Digest;
use layerwise_core::media_type;
use layerwise_core::spec::MAX_JSON_BYTES;

use crate::auth::{Challenge, Credentials, TokenResponse};
use crate::endpoint::{resolve, Mode};
use crate::error::{error_text, RegistryError};
use crate::link::next_link;
use crate::transport::{read_all, HttpRequest, HttpResponse, Method, Transport};

/// The manifest types a pull accepts, indexes first (what docker sends as `Accept`).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// How many times a request is tried when the registry answers 429 or 5xx, or no answer comes.
pub const MAX_ATTEMPTS: u32 = 4;
/// The longest wait between attempts, whatever `Retry-After` says.
pub const MAX_BACKOFF_MS: u64 = 30_000;
/// The largest token answer read.
const MAX_TOKEN_BYTES: u64 = 1 << 20;

/// A manifest or index as fetched: its raw bytes (digests are taken over these), its media type
/// and its verified digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The bytes.
    pub raw: Vec<u8>,
    /// The media type (from `Content-Type`, else the body's `mediaType`, else its shape).
    pub media_type: String,
    /// sha256 of `raw`.
    pub digest: Digest,
}

/// One page of a listing, and the URL of the next (from the `Link` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The names on this page.
    pub items: Vec<String>,
    /// Where the next page is, if there is one.
    pub next: Option<String>,
}

/// A registry client. Tokens and credentials live in memory only, per registry host.
pub struct Client<T> {
    transport: T,
    mode: Mode,
    /// Bearer tokens by `host scope`.
    tokens: RefCell<HashMap<String, String>>,
    /// Credentials by registry host.
    credentials: RefCell<HashMap<String, Credentials>>,
}

impl<T: Transport> Client<T> {
    /// A client reaching registries as `mode` says.
    pub fn new(transport: T, mode: Mode) -> Self {
        Self { transport, mode, tokens: RefCell::default(), credentials: RefCell::default() }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// How registries are reached.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Uses `credentials` for `host` (and for the token server it names) from now on.
    pub fn login(&self, host: &str, credentials: Credentials) {
        self.credentials.borrow_mut().insert(host.to_owned(), credentials);
        self.tokens.borrow_mut().retain(|k, _| !k.starts_with(&format!("{host} ")));
    }

    /// Sends a request to `host`, getting a token for `scope` when the registry asks for one and
    /// retrying 429, 5xx and lost connections up to [`MAX_ATTEMPTS`] times (waiting as
    /// `Retry-After` says, else backing off). Returns the final answer, whatever its status.
    ///
    /// # Errors
    /// [`RegistryError::Transport`] when no answer came after the last attempt;
    /// [`RegistryError::Denied`] when auth failed.
    pub async fn send(&self, host: &str, method: Method, path: &str, scope: &str, headers: &[(&str, &str)]) -> Result<HttpResponse<T::Body>, RegistryError> {
        let url = self.mode.url(host, path);
        let key = format!("{host} {scope}");
        let mut authed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = HttpRequest { method, url: url.clone(), headers: Vec::new() };
            for (name, value) in headers {
                request = request.header(name, *value);
            }
            if let Some(token) = self.tokens.borrow().get(&key) {
                request = request.header("authorization", format!("Bearer {token}"));
            } else if let Some(c) = self.credentials.borrow().get(host).filter(|_| authed) {
                request = request.header("authorization", c.basic());
            }
            let response = match self.transport.send(request).await {
                Ok(r) => r,
                Err(_) if attempt < MAX_ATTEMPTS => {
                    self.transport.sleep(backoff(attempt, None)).await;
                    continue;
                }
                Err(e) => return Err(RegistryError::Transport { url, reason: e.0 }),
            };
            match response.status {
                401 if !authed => {
                    authed = true;
                    let challenge = response.header("www-authenticate").and_then(Challenge::parse);
                    let Some(challenge) = challenge else {
                        return Err(RegistryError::Denied { repository: scope.to_owned(), detail: "401 without a WWW-Authenticate challenge".to_owned() });
                    };
                    if let Some(token_url) = challenge.token_url(scope) {
                        let token = self.token(host, &resolve(&url, &token_url), scope).await?;
                        self.tokens.borrow_mut().insert(key.clone(), token);
                    } else if !self.credentials.borrow().contains_key(host) {
                        return Err(RegistryError::Denied { repository: scope.to_owned(), detail: format!("{host} asks for credentials (HTTP Basic)") });
                    }
                    attempt -= 1;
                }
                401 | 403 => {
                    let mut body = response.body;
                    let text = read_all(&mut body, 64 * 1024).await.map(|b| error_text(&b)).unwrap_or_default();
                    self.tokens.borrow_mut().remove(&key);
                    return Err(RegistryError::Denied { repository: scope.to_owned(), detail: text });
                }
                429 | 500 | 502 | 503 | 504 if attempt < MAX_ATTEMPTS => {
                    let after = response.header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
                    self.transport.sleep(backoff(attempt, after)).await;
                }
                _ => return Ok(response),
            }
        }
    }

    /// Gets a token from `url` (the realm with service and scope), with the host's credentials
    /// as HTTP Basic when the user gave some.
    async fn token(&self, host: &str, url: &str, scope: &str) -> Result<String, RegistryError> {
        let mut request = HttpRequest::get(url);
        if let Some(c) = self.credentials.borrow().get(host) {
            request = request.header("authorization", c.basic());
        }
        let transport_error = |e: crate::transport::TransportError| RegistryError::Transport { url: url.to_owned(), reason: e.0 };
        let mut response = self.transport.send(request).await.map_err(transport_error)?;
        let body = read_all(&mut response.body, MAX_TOKEN_BYTES).await.map_err(transport_error)?;
        if response.status != 200 {
            return Err(RegistryError::Denied { repository: scope.to_owned(), detail: format!("token server answered {}: {}", response.status, error_text(&body)) });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| RegistryError::Invalid { what: "token answer".to_owned(), reason: e.to_string() })?;
        parsed.bearer().map(str::to_owned).ok_or_else(|| RegistryError::Denied { repository: scope.to_owned(), detail: "the token server gave no token".to_owned() })
    }

    /// Fetches a manifest or index by tag or digest and verifies it: against the digest asked
    /// for, and against the `Docker-Content-Digest` the registry announces.
    ///
    /// # Errors
    /// [`RegistryError`]: not found (`manifest unknown`), denied, a digest mismatch, too big.
    pub async fn manifest(&self, host: &str, repository: &str, reference: &str) -> Result<Fetched, RegistryError> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let scope = pull_scope(repository);
        let mut response = self.send(host, Method::Get, &path, &scope, &[("accept", MANIFEST_ACCEPT)]).await?;
        let url = self.mode.url(host, &path);
        let raw = read_all(&mut response.body, MAX_JSON_BYTES).await.map_err(|e| RegistryError::Transport { url: url.clone(), reason: e.0 })?;
        if response.status != 200 {
            return Err(RegistryError::Status { url, status: response.status, message: error_text(&raw) });
        }
        let digest = Digest::of(&raw);
        let what = format!("manifest {repository}:{reference}");
        if let Ok(asked) = Digest::parse(reference) {
            if asked != digest {
                return Err(RegistryError::DigestMismatch { what, expected: asked, actual: digest });
            }
        }
        if let Some(announced) = response.header("docker-content-digest").and_then(|d| Digest::parse(d.trim()).ok()) {
            if announced != digest {
                return Err(RegistryError::DigestMismatch { what, expected: announced, actual: digest });
            }
        }
        let media_type = manifest_type(response.header("content-type"), &raw).ok_or_else(|| RegistryError::Invalid { what, reason: "neither a manifest nor an index".to_owned() })?;
        Ok(Fetched { raw, media_type, digest })
    }

    /// Starts reading a blob from byte `from` (a `Range` request when `from > 0`). Returns the
    /// body and the offset it starts at: 0 when the registry ignored the range.
    ///
    /// # Errors
    /// [`RegistryError`] for an error status or no answer.
    pub async fn blob(&self, host: &str, repository: &str, digest: &Digest, from: u64) -> Result<(T::Body, u64), RegistryError> {
        let path = format!("/v2/{repository}/blobs/{digest}");
        let range = format!("bytes={from}-");
        let headers: &[(&str, &str)] = if from > 0 { &[("range", &range)] } else { &[] };
        let mut response = self.send(host, Method::Get, &path, &pull_scope(repository), headers).await?;
        match response.status {
            200 => Ok((response.body, 0)),
            206 if from > 0 => Ok((response.body, from)),
            status => {
                let body = read_all(&mut response.body, 64 * 1024).await.unwrap_or_default();
                Err(RegistryError::Status { url: self.mode.url(host, &path), status, message: error_text(&body) })
            }
        }
    }

    /// Reads a small blob whole (a config), verified against its digest.
    ///
    /// # Errors
    /// [`RegistryError`], including a digest mismatch.
    pub async fn small_blob(&self, host: &str, repository: &str, digest: &Digest) -> Result<Vec<u8>, RegistryError> {
        let (mut body, _) = self.blob(host, repository, digest, 0).await?;
        let url = self.mode.url(host, &format!("/v2/{repository}/blobs/{digest}"));
        let raw = read_all(&mut body, MAX_JSON_BYTES).await.map_err(|e| RegistryError::Transport { url, reason: e.0 })?;
        let actual = Digest::of(&raw);
        if actual != *digest {
            return Err(RegistryError::DigestMismatch { what: format!("blob {digest}"), expected: digest.clone(), actual });
        }
        Ok(raw)
    }

    /// One page of a repository's tags: the first (`next = None`), or the one a previous page's
    /// `next` names.
    ///
    /// # Errors
    /// [`RegistryError`] for an error status or a malformed answer.
    pub async fn tags(&self, host: &str, repository: &str, page_size: u32, next: Option<&str>) -> Result<Page, RegistryError> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let first = format!("/v2/{repository}/tags/list?n={page_size}");
        let (page, items) = self.list(host, &first, next, &pull_scope(repository), |raw| serde_json::from_slice::<Tags>(raw).map(|t| t.tags.unwrap_or_default())).await?;
        Ok(Page { items, next: page })
    }

    /// One page of the registry's catalog (`/v2/_catalog`, not part of the OCI spec; many
    /// registries refuse it).
    ///
    /// # Errors
    /// [`RegistryError`] for an error status or a malformed answer.
    pub async fn catalog(&self, host: &str, page_size: u32, next: Option<&str>) -> Result<Page, RegistryError> {
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Vec<String>,
        }
        let first = format!("/v2/_catalog?n={page_size}");
        let (page, items) = self.list(host, &first, next, "registry:catalog:*", |raw| serde_json::from_slice::<Catalog>(raw).map(|c| c.repositories)).await?;
        Ok(Page { items, next: page })
    }

    /// Reads one page of a listing at `first` or at the `next` URL (which must lead to the same
    /// registry: a `Link` naming another host is not followed).
    async fn list(
        &self,
        host: &str,
        first: &str,
        next: Option<&str>,
        scope: &str,
        parse: impl Fn(&[u8]) -> Result<Vec<String>, serde_json::Error>,
    ) -> Result<(Option<String>, Vec<String>), RegistryError> {
        let path = match next {
            None => first.to_owned(),
            Some(url) => self.path_on(host, url).ok_or_else(|| RegistryError::Invalid { what: "Link header".to_owned(), reason: format!("{url} leads off {host}") })?,
        };
        let url = self.mode.url(host, &path);
        let mut response = self.send(host, Method::Get, &path, scope, &[]).await?;
        let raw = read_all(&mut response.body, MAX_JSON_BYTES).await.map_err(|e| RegistryError::Transport { url: url.clone(), reason: e.0 })?;
        if response.status != 200 {
            return Err(RegistryError::Status { url, status: response.status, message: error_text(&raw) });
        }
        let items = parse(&raw).map_err(|e| RegistryError::Invalid { what: url.clone(), reason: e.to_string() })?;
        let next = response.header("link").and_then(next_link).map(|l| resolve(&url, &l));
        Ok((next, items))
    }

    /// The `/v2/...` path of a URL on `host` (as [`Mode::url`] makes them), if it is one.
    fn path_on(&self, host: &str, url: &str) -> Option<String> {
        let prefix = self.mode.url(host, "");
        let path = url.strip_prefix(&prefix)?;
        path.starts_with("/v2/").then(|| path.to_owned())
    }
}

/// The token scope for pulling `repository`.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// How long to wait before attempt `attempt + 1`: `Retry-After` seconds when given (capped),
/// else 0.5 s doubling.
fn backoff(attempt: u32, retry_after_s: Option<u64>) -> u64 {
    retry_after_s.map_or(500 << attempt.saturating_sub(1).min(6), |s| s.saturating_mul(1000)).min(MAX_BACKOFF_MS)
}

/// A fetched manifest's media type: the `Content-Type` when it names a manifest or index,
/// else the body's `mediaType`, else its shape (`manifests` makes an index).
fn manifest_type(content_type: Option<&str>, raw: &[u8]) -> Option<String> {
    let known = |t: &str| media_type::is_manifest(t) || media_type::is_index(t);
    if let Some(t) = content_type.map(|t| t.split(';').next().unwrap_or(t).trim()).filter(|t| known(t)) {
        return Some(t.to_owned());
    }
    let value: serde_json::Value = serde_json::from_slice(raw).ok()?;
    if let Some(t) = value.get("mediaType").and_then(|t| t.as_str()).filter(|t| known(t)) {
        return Some(t.to_owned());
    }
    if value.get("manifests").is_some() {
        Some(media_type::OCI_INDEX.to_owned())
    } else if value.get("config").is_some() {
        Some(media_type::OCI_MANIFEST.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_as_told_within_bounds() {
        assert_eq!(backoff(1, None), 500);
        assert_eq!(backoff(3, None), 2000);
        assert_eq!(backoff(2, Some(3)), 3000);
        assert_eq!(backoff(2, Some(86_400)), MAX_BACKOFF_MS);
    }

    #[test]
    fn finds_the_media_type() {
        assert_eq!(manifest_type(Some("application/vnd.oci.image.index.v1+json"), b"{}").as_deref(), Some(media_type::OCI_INDEX));
        assert_eq!(manifest_type(Some("application/json"), br#"{"manifests":[]}"#).as_deref(), Some(media_type::OCI_INDEX));
        assert_eq!(manifest_type(None, br#"{"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#).as_deref(), Some(media_type::DOCKER_MANIFEST));
        assert_eq!(manifest_type(None, b"[]"), None);
    }
}
