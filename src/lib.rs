//! The Layerwise web app: a Yew page and an import worker over the core's image store.
//!
//! The page (`app`, `components`, `state`) only renders; archives are parsed and verified in a
//! web worker (`worker`); `browser` holds every call into web-sys. `protocol` and `state` are
//! plain Rust and are tested natively.

pub mod protocol;
pub mod route;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod worker;
