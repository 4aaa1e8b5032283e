//! The JSON documents of images: OCI and Docker manifests, indexes and configs, and the
//! `manifest.json` of `docker save`.
//!
//! Parsed forms only: whoever parses keeps the raw bytes too, since digests are taken over raw
//! bytes and never over re-serialised JSON. Every document is size-capped before it is parsed
//! ([`MAX_JSON_BYTES`]).

mod config;
mod docker_save;
mod go_json;
mod manifest;

pub use config::{History, ImageConfig, RootFs, RunConfig};
pub use docker_save::{LayerSource, ManifestItem};
pub use manifest::{Descriptor, Index, Manifest, Platform};

use serde::{Deserialize, Deserializer};

/// The largest manifest, index, config or `manifest.json` accepted (containerd and
/// containers/image use 4 MiB for manifests and configs).
pub const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;

/// Parses a JSON document of at most [`MAX_JSON_BYTES`] as Go's `encoding/json` reads it (the
/// rules of [`go_json`]: keys match fields case-insensitively, a repeated key takes its last
/// value, `null` is an empty value), naming `what` in the error.
///
/// # Errors
/// [`JsonError`] when the bytes are too big or not the expected document.
pub fn parse<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, JsonError> {
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(JsonError { what: what.to_owned(), reason: format!("{} bytes is over the limit of {MAX_JSON_BYTES} bytes", bytes.len()) });
    }
    go_json::from_slice(bytes).map_err(|e| JsonError { what: what.to_owned(), reason: e.to_string() })
}

/// Parses the first JSON value of a document of at most [`MAX_JSON_BYTES`] as [`parse`] does,
/// ignoring what follows it, as Go's `json.Decoder` does: moby's loader reads `manifest.json`
/// that way, so `[…]` followed by anything loads.
///
/// # Errors
/// [`JsonError`] when the bytes are too big or the first value is not the expected document.
pub fn parse_first<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, JsonError> {
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(JsonError { what: what.to_owned(), reason: format!("{} bytes is over the limit of {MAX_JSON_BYTES} bytes", bytes.len()) });
    }
    go_json::first_from_slice(bytes).map_err(|e| JsonError { what: what.to_owned(), reason: e.to_string() })
}

/// A JSON document that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is not valid: {reason}")]
pub struct JsonError {
    /// Which document, e.g. "`manifest.json`" or "config sha256:…".
    pub what: String,
    /// What serde or the size check said.
    pub reason: String,
}

/// Deserialises `null` as the type's default, as Go's `encoding/json` leaves a field at its zero
/// value when it reads `null`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
