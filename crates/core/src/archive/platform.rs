//! Which platform of a multi-platform index to import.

use std::fmt;

use crate::spec::{Descriptor, Platform};

/// The user's choice of platform, as `docker load --platform` / `docker pull --platform` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PlatformChoice {
    /// linux/amd64 when the index has it, else its first platform whose blobs are present.
    #[default]
    Default,
    /// Exactly this platform (a variant, when given, must match too).
    Only(Platform),
    /// Every platform whose blobs are present; the tags go to the default one.
    All,
}

impl PlatformChoice {
    /// Parses `""` (default), `all`, or `os/arch[/variant]`.
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s == "default" {
            return Ok(Self::Default);
        }
        if s == "all" {
            return Ok(Self::All);
        }
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &str| !p.is_empty() && !p.bytes().all(|b| b == b'.') && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => Ok(Self::Only(Platform { os: os.to_string(), architecture: arch.to_string(), variant: None })),
            [os, arch, variant] if ok(os) && ok(arch) && ok(variant) => {
                Ok(Self::Only(Platform { os: os.to_string(), architecture: arch.to_string(), variant: Some(variant.to_string()) }))
            }
            _ => Err(format!("invalid platform `{}`: expected `os/arch[/variant]` (such as `linux/arm64`) or `all`", crate::text::clip(s, 100))),
        }
    }

    /// True when a manifest for `p` is wanted.
    pub fn accepts(&self, p: &Platform) -> bool {
        match self {
            Self::Default | Self::All => true,
            Self::Only(want) => want.os == p.os && want.architecture == p.architecture && (want.variant.is_none() || want.variant == p.variant),
        }
    }
}

impl fmt::Display for PlatformChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("the default platform (linux/amd64)"),
            Self::All => f.write_str("all platforms"),
            Self::Only(p) => f.write_str(&show(p)),
        }
    }
}

/// `os/arch[/variant]`.
pub fn show(p: &Platform) -> String {
    match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    }
}

/// True for the manifests BuildKit adds beside images (provenance, SBOM): platform
/// `unknown/unknown`, or annotated `vnd.docker.reference.type: attestation-manifest`.
pub fn is_attestation(d: &Descriptor) -> bool {
    d.annotation("vnd.docker.reference.type") == Some("attestation-manifest")
        || d.platform.as_ref().is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

/// True for linux/amd64, the platform picked by default.
pub fn is_default(d: &Descriptor) -> bool {
    d.platform.as_ref().is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_docker_takes() {
        assert_eq!(PlatformChoice::parse(""), Ok(PlatformChoice::Default));
        assert_eq!(PlatformChoice::parse("all"), Ok(PlatformChoice::All));
        let arm = PlatformChoice::parse("linux/arm/v7");
        assert_eq!(arm.map(|c| c.to_string()), Ok("linux/arm/v7".to_owned()));
        assert!(PlatformChoice::parse("linux").is_err());
        assert!(PlatformChoice::parse("linux/../x").is_err());
    }
}
