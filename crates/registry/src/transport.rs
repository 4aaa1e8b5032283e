//! What the registry client needs from the network: one HTTP exchange at a time, bodies read in
//! chunks. The browser implements it with `fetch` (through the same-origin proxy or directly);
//! tests implement it natively.

use std::fmt;

/// The methods a registry client sends (the proxy forwards no others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
        })
    }
}

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or HEAD.
    pub method: Method,
    /// An absolute URL, or one relative to the page (proxy mode in the browser).
    pub url: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl HttpRequest {
    /// A GET of `url` with no headers.
    pub fn get(url: impl Into<String>) -> Self {
        Self { method: Method::Get, url: url.into(), headers: Vec::new() }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }
}

/// A response whose body has not been read yet.
pub struct HttpResponse<B> {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: B,
}

impl<B> HttpResponse<B> {
    /// The first value of a header (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why an exchange failed below HTTP: no connection, a cut body, a browser refusal (CORS).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// A response body, read in chunks.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait Body {
    /// The next chunk; `None` at the end.
    ///
    /// # Errors
    /// When the connection breaks.
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError>;
}

/// The network.
#[allow(async_fn_in_trait, reason = "single-threaded callers (the browser worker, tests)")]
pub trait Transport {
    /// Its bodies.
    type Body: Body;
    /// Sends a request; redirects are followed by the transport (the browser's fetch, the proxy).
    ///
    /// # Errors
    /// When no HTTP response came.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<Self::Body>, TransportError>;
    /// Waits, for backoff.
    async fn sleep(&self, ms: u64);
}

/// Reads a whole body of at most `max` bytes.
///
/// # Errors
/// A [`TransportError`] when the body breaks or passes `max` bytes.
pub async fn read_all<B: Body>(body: &mut B, max: u64) -> Result<Vec<u8>, TransportError> {
    let mut out = Vec::new();
    while let Some(chunk) = body.chunk().await? {
        out.extend_from_slice(&chunk);
        if out.len() as u64 > max {
            return Err(TransportError(format!("the answer is over {max} bytes")));
        }
    }
    Ok(out)
}
