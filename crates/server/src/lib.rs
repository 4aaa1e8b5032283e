//! `layerwise-server`: serves the built app and its same-origin registry proxy; and a Docker
//! Engine API over archives loaded with the core's importer, which the tests point the real
//! docker CLI at.

pub mod engine_api;
pub mod proxy;
pub mod static_files;
