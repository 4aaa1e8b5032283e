//! Layerwise's core: everything that can be said about images without doing I/O.
//!
//! # Brief overview
//!
//! Bytes come in from the outside (a dropped `File`, IndexedDB, the network); the core tells the
//! caller which bytes it needs and takes them in chunks. The roles:
//!
//! - [`digest::Digest`] is a validated `sha256:` digest; nothing else is used as a key.
//! - [`spec`] holds the JSON documents (manifests, indexes, configs, `manifest.json`).
//! - [`tar::TarWalker`] walks tar headers and says which byte ranges it needs next;
//!   [`tar::TarStream`] feeds it from a stream.
//! - [`layer::LayerReader`] takes a layer blob in chunks and yields its digest, its diff_id
//!   (the sha256 of the uncompressed tar) and its file index, in one pass.
//! - [`archive`] reads `docker save` and OCI archives from a random-access
//!   [`archive::ArchiveSource`] and plans what to import.
//! - [`store`] is the image store model: records for blobs, layers, images and imports, the
//!   async [`store::Store`] trait, and an in-memory store for tests.
//! - [`import::import_archive`] drives an archive into a store: every blob verified before any
//!   image record is written.
//! - [`export`] writes images back out as one archive every tool loads.
//! - [`view`] renders what docker prints: `docker images`, `docker inspect`, `docker history`,
//!   and the Engine API responses behind them.

pub mod archive;
pub mod change;
pub mod cli;
pub mod commit;
pub mod container;
mod decompress;
pub mod digest;
pub mod export;
pub mod extract;
pub mod fs;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
pub mod import;
pub mod layer;
pub mod media_type;
pub mod reference;
pub mod spec;
pub mod store;
pub mod tar;
pub mod text;
pub mod view;
