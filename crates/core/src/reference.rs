//! Image references as docker parses and prints them: `nginx` is `docker.io/library/nginx:latest`
//! in full and `nginx:latest` in the familiar form docker shows in `RepoTags`.
//!
//! Grammar (distribution `reference/regexp.go`): a name is `/`-separated components of
//! `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`, optionally led by a domain (a first component with a
//! `.` or `:`, or `localhost`); a tag is `[\w][\w.-]{0,127}`; a digest follows `@`.

use std::fmt;

use crate::digest::Digest;

/// The registry docker means when a name has no domain.
pub const DOCKER_HUB: &str = "docker.io";

/// A parsed, normalised reference.
///
/// Invariants: `domain` is never empty (Docker Hub is `docker.io`); Docker Hub names with one
/// path component carry the `library/` prefix; `path` follows the name grammar.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

/// Why a string is not a reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// docker's own wording.
    #[error("invalid reference format: repository name (`{0}`) must be lowercase")]
    Uppercase(String),
    /// A name without a tag where `docker load` wants one (moby: not a `NamedTagged`).
    #[error("invalid tag \"{0}\"")]
    NotTagged(String),
    /// Anything else that breaks the grammar.
    #[error("invalid reference format: `{0}`")]
    Invalid(String),
}

impl Reference {
    /// Parses and normalises a reference the way `reference.ParseNormalizedNamed` does.
    ///
    /// # Errors
    /// [`ReferenceError`] when the string breaks the grammar.
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        let invalid = || ReferenceError::Invalid(crate::text::clip(s, 200));
        if s.is_empty() || s.len() > 4096 {
            return Err(invalid());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => (rest, Some(Digest::parse(d).map_err(|_| invalid())?)),
            None => (s, None),
        };
        // A tag is after the last ':' that follows the last '/', so `host:5000/x` is not tagged.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            if !is_tag(t) {
                return Err(invalid());
            }
        }
        let (domain, path) = split_domain(name);
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase(crate::text::clip(name, 200)));
        }
        // The limit applies to the normalised name (`docker.io/library/…`), as distribution's
        // `ParseNormalizedNamed` checks it after adding the domain.
        if !is_valid_domain(&domain) || !path.split('/').all(is_component) || domain.len() + 1 + path.len() > 255 {
            return Err(invalid());
        }
        Ok(Self { domain, path, tag: tag.map(str::to_owned), digest })
    }

    /// The same reference with `:latest` added when it has neither tag nor digest.
    pub fn with_default_tag(mut self) -> Self {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some("latest".to_owned());
        }
        self
    }

    /// The registry host (`docker.io` for Docker Hub).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path inside the registry (`library/nginx`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The same reference without its digest.
    pub fn without_digest(mut self) -> Self {
        self.digest = None;
        self
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The repository name as docker shows it (`nginx`, `user/app`, `ghcr.io/o/app`).
    pub fn familiar_name(&self) -> String {
        if self.domain == DOCKER_HUB {
            self.path.strip_prefix("library/").filter(|p| !p.contains('/')).unwrap_or(&self.path).to_owned()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The full repository name (`docker.io/library/nginx`).
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `familiar_name[:tag][@digest]`, the form of `RepoTags` and `RepoDigests`.
    pub fn familiar(&self) -> String {
        self.suffixed(self.familiar_name())
    }

    fn suffixed(&self, mut name: String) -> String {
        if let Some(t) = &self.tag {
            name.push(':');
            name.push_str(t);
        }
        if let Some(d) = &self.digest {
            name.push('@');
            name.push_str(&d.to_string());
        }
        name
    }
}

impl fmt::Display for Reference {
    /// The fully qualified form (`docker.io/library/nginx:latest`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.suffixed(self.full_name()))
    }
}

fn split_domain(name: &str) -> (String, String) {
    let (domain, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first.to_owned(), rest.to_owned()),
        _ => (DOCKER_HUB.to_owned(), name.to_owned()),
    };
    let domain = if domain == "index.docker.io" { DOCKER_HUB.to_owned() } else { domain };
    let path = if domain == DOCKER_HUB && !path.contains('/') { format!("library/{path}") } else { path };
    (domain, path)
}

fn is_valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    port_ok && host_ok
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn is_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty() && b.len() <= 128 && word(b[0]) && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn familiar(s: &str) -> String {
        Reference::parse(s).map_or_else(|e| e.to_string(), |r| r.with_default_tag().familiar())
    }

    #[test]
    fn normalises_as_docker_does() {
        assert_eq!(Reference::parse("nginx").map(|r| r.with_default_tag().to_string()), Ok("docker.io/library/nginx:latest".to_owned()));
        assert_eq!(familiar("docker.io/library/nginx:1.25"), "nginx:1.25");
        assert_eq!(familiar("docker.io/test/img:v1"), "test/img:v1");
        assert_eq!(familiar("index.docker.io/library/busybox"), "busybox:latest");
        assert_eq!(familiar("localhost/foo:latest"), "localhost/foo:latest");
        assert_eq!(familiar("myreg:5000/x/y:z"), "myreg:5000/x/y:z");
        assert_eq!(familiar("docker.io/library/a/b:c"), "library/a/b:c");
    }

    #[test]
    fn rejects_what_docker_rejects() {
        assert!(matches!(Reference::parse("Nginx"), Err(ReferenceError::Uppercase(_))));
        for bad in ["", "a:b:c", "a//b", "-a", "a:", ":x", "a@sha256:zz", "../x", "a b"] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
