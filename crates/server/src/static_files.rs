//! Serving the built app.

use std::path::Path;

use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// The app's files; unknown paths get `index.html` (routes live in the URL fragment, so this is
/// only for a mistyped path). A browser that accepts brotli or gzip gets `X.br` or `X.gz` in place
/// of `X` when the build wrote one (`cargo xtask` precompresses every build), with its
/// `Content-Encoding`; otherwise `X` as it is.
pub fn router(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    Router::new().fallback_service(ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index))
}
