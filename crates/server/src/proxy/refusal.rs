//! The proxy's own error answers: a status and `{"error": "…"}` saying what was refused and why
//! (naming the host), never echoing credentials.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A request the proxy answers itself instead of forwarding, or an upstream failure it reports.
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = serde_json::to_vec(&serde_json::json!({ "error": self.message })).unwrap_or_default();
        body.push(b'\n');
        (self.status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}
