//! Serving the built app.

use std::path::Path;

use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// The app's files; unknown paths get `index.html` (routes live in the URL fragment, so this is
/// only for a mistyped path).
pub fn router(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"));
    Router::new().fallback_service(ServeDir::new(dist).fallback(index))
}
