//! Content digests (`sha256:<64 lowercase hex>`), validated once at the boundary.
//!
//! Every digest that comes from an archive or a registry is parsed into a [`Digest`] before it is
//! used as a key, a path or a URL: the grammar check is what stops `sha256:../../x` from becoming
//! a store key (CVE-2024-3727 class). Only sha256 is accepted, since nothing else can be verified.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// A validated sha256 digest.
///
/// Invariant: `hex` is exactly 64 lowercase hexadecimal characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    hex: String,
}

/// Why a string is not a usable digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The string has no `algorithm:` prefix.
    #[error("digest `{0}` has no algorithm prefix")]
    NoAlgorithm(String),
    /// The algorithm is grammatical but not sha256.
    #[error("digest `{0}` uses an unsupported algorithm (only sha256 is supported)")]
    UnsupportedAlgorithm(String),
    /// The encoded part is not 64 lowercase hex characters.
    #[error("digest `{0}` is not `sha256:` followed by 64 lowercase hex characters")]
    BadEncoding(String),
}

impl Digest {
    /// Parses `sha256:<64 lowercase hex>`.
    ///
    /// # Errors
    /// A [`DigestError`] naming the offending string (shortened if huge).
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let shown = || crate::text::clip(s, 100);
        let Some((alg, hex)) = s.split_once(':') else {
            return Err(DigestError::NoAlgorithm(shown()));
        };
        if alg != "sha256" {
            let grammatical = !alg.is_empty()
                && alg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b));
            return Err(if grammatical {
                DigestError::UnsupportedAlgorithm(shown())
            } else {
                DigestError::BadEncoding(shown())
            });
        }
        Self::from_hex(hex).ok_or_else(|| DigestError::BadEncoding(shown()))
    }

    /// Builds a digest from its 64-character lowercase hex part; `None` if it is not that.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| Self { hex: hex.to_owned() })
    }

    /// The sha256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut h = Hasher::new();
        h.update(bytes);
        h.finish()
    }

    /// The 64 hex characters, without the `sha256:` prefix.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The first 12 hex characters, as docker shows a short image ID.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl std::str::FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A streaming sha256 that also counts the bytes it has seen.
#[derive(Clone, Default)]
pub struct Hasher {
    inner: Sha256,
    len: u64,
}

impl Hasher {
    /// A hasher that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// How many bytes have been fed.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing has been fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Digest {
        let out = self.inner.finalize();
        let mut hex = String::with_capacity(64);
        for b in out {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        Digest { hex }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_valid_digest_and_prints_it_back() -> Result<(), DigestError> {
        let s = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
        let d = Digest::parse(s)?;
        assert_eq!(d.to_string(), s);
        assert_eq!(d.short(), "5f70bf18a086");
        Ok(())
    }

    #[test]
    fn rejects_path_traversal_uppercase_wrong_length_and_other_algorithms() {
        for bad in [
            "sha256:../../x",
            "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
            "sha256:5F70BF18A086007016E948B04AED3B82103A36BEA41755B6CDDFAF10ACE3C6EF",
            "sha256:5f70bf18",
            "sha256:",
            "",
            "sha512:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
            "SHA256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn hashes_the_empty_tar_to_dockers_constant() {
        let d = Digest::of(&[0u8; 1024]);
        assert_eq!(d.hex(), "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
    }
}
