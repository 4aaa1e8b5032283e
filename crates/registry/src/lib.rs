//! Registries for Layerwise: the Distribution API (manifests, blobs, tags, catalog) with token
//! auth and retries, Docker Hub search, and `docker pull` into the core's store, all over a
//! [`transport::Transport`] the browser implements with `fetch` and tests implement natively.

pub mod auth;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod link;
pub mod progress;
pub mod pull;
pub mod search;
pub mod transport;

pub use client::Client;
pub use endpoint::Mode;
pub use error::RegistryError;
