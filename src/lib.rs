//! The Layerwise web app: a Yew page and its workers over the core's image store.
//!
//! The page (`app`, `components`, `state`) only renders; archives are parsed and verified in a
//! web worker (`worker`), and the console's commands are evaluated in another (`console_eval`,
//! run by `worker::console`); `browser` holds every call into web-sys. `protocol`, `state` and
//! `console_eval` are plain Rust and are tested natively.

pub mod console_eval;
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
