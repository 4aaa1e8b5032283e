//! The registry hosts the proxy may be asked for, and how it speaks to each: the built-in public
//! registries, `--allow-host`, `--insecure-registry` (plain http) and `--host-override` (plain
//! http to a configured address). Hosts are authorities as in a URL: a lowercase host name or IP
//! (IPv6 in brackets) with `:PORT` when the port is not the scheme's default.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use reqwest::Url;

/// The public registries allowed out of the box; `*.` entries match any subdomain (any depth, no
/// port).
const BUILT_IN: [&str; 10] =
    ["registry-1.docker.io", "index.docker.io", "auth.docker.io", "docker.io", "ghcr.io", "quay.io", "public.ecr.aws", "gcr.io", "*.gcr.io", "*.pkg.dev"];

/// Docker's name for Docker Hub, and the hosts that actually serve it (moby `registry/config.go`:
/// `DefaultRegistryHost`, `IndexHostname`).
const DOCKER_IO: &str = "docker.io";
const DOCKER_HUB_REGISTRY: &str = "registry-1.docker.io";
const DOCKER_HUB_INDEX: &str = "index.docker.io";

/// The hosts the proxy serves. Invariant: every insecure and every overridden host is also
/// allowed; overridden hosts are names (never IP literals, never with a port).
pub(super) struct Hosts {
    allowed: Vec<String>,
    insecure: HashSet<String>,
    overrides: HashMap<String, SocketAddr>,
}

impl Hosts {
    /// The built-in allowlist only.
    pub(super) fn built_in() -> Self {
        Self { allowed: BUILT_IN.iter().map(|h| (*h).to_owned()).collect(), insecure: HashSet::new(), overrides: HashMap::new() }
    }

    /// `--allow-host HOST[:PORT]`.
    pub(super) fn allow(&mut self, host: &str) -> Result<(), String> {
        let host = authority(host).ok_or_else(|| format!("--allow-host {host}: not a HOST or HOST:PORT"))?;
        self.allowed.push(host);
        Ok(())
    }

    /// `--insecure-registry HOST[:PORT]`: allowed, and spoken to over plain http.
    pub(super) fn insecure(&mut self, host: &str) -> Result<(), String> {
        let host = authority(host).ok_or_else(|| format!("--insecure-registry {host}: not a HOST or HOST:PORT"))?;
        self.allowed.push(host.clone());
        self.insecure.insert(host);
        Ok(())
    }

    /// `--host-override HOST=IP:PORT`: connections for HOST go to IP:PORT over plain http.
    pub(super) fn override_host(&mut self, spec: &str) -> Result<(), String> {
        let bad = || format!("--host-override {spec}: expected HOST=IP:PORT, HOST a host name without a port");
        let (host, addr) = spec.split_once('=').ok_or_else(bad)?;
        let host = authority(host).filter(|h| !h.contains([':', '[']) && h.parse::<std::net::Ipv4Addr>().is_err()).ok_or_else(bad)?;
        let addr: SocketAddr = addr.parse().map_err(|_| bad())?;
        self.overrides.insert(host, addr);
        Ok(())
    }

    /// The overrides, for the resolver.
    pub(super) fn overrides(&self) -> &HashMap<String, SocketAddr> {
        &self.overrides
    }

    /// Whether the proxy serves `host` (an authority, see [`authority`]).
    pub(super) fn is_allowed(&self, host: &str) -> bool {
        self.overrides.contains_key(host)
            || self.allowed.iter().any(|a| match a.strip_prefix('*') {
                Some(suffix) => host.ends_with(suffix) && !host.contains(':'),
                None => a == host,
            })
    }

    /// Whether `host` is spoken to over plain http (insecure or overridden); every other host over
    /// https.
    pub(super) fn plain_http(&self, host: &str) -> bool {
        self.insecure.contains(host) || self.overrides.contains_key(host)
    }

    /// The URL a request to `url` is sent as: an overridden host is spoken to over plain http
    /// whatever scheme the URL names (its override stands in for the real host, TLS aside: a fake
    /// Docker Hub's realm and CDN redirects say https, as Hub's do).
    pub(super) fn on_the_wire(&self, url: &Url) -> Url {
        let mut wire = url.clone();
        if url.scheme() == "https" && url.port().is_none() && url.host_str().is_some_and(|h| self.overrides.contains_key(h)) {
            // https to http is always a permitted scheme change for `Url`.
            let _ = wire.set_scheme("http");
        }
        wire
    }

    /// The URL scheme for `host`.
    pub(super) fn scheme(&self, host: &str) -> &'static str {
        if self.plain_http(host) {
            "http"
        } else {
            "https"
        }
    }
}

/// The host that serves the Distribution API for `host`: `docker.io` is Docker Hub's
/// registry-1.docker.io, as docker maps it.
pub(super) fn registry_host(host: &str) -> &str {
    if host == DOCKER_IO {
        DOCKER_HUB_REGISTRY
    } else {
        host
    }
}

/// The host that serves `/v1/search` for `host`: `docker.io` searches index.docker.io.
pub(super) fn search_host(host: &str) -> &str {
    if host == DOCKER_IO {
        DOCKER_HUB_INDEX
    } else {
        host
    }
}

/// `s` as an authority (`host[:port]`, lowercase) when it is exactly one: no user, no path, no
/// port 443 written out.
pub(super) fn authority(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let url = Url::parse(&format!("https://{lower}/")).ok()?;
    Some(url_authority(&url)).filter(|a| *a == lower && url.username().is_empty() && url.password().is_none())
}

/// The authority of `url` (`host[:port]`, port only when not the scheme's default).
pub(super) fn url_authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_hosts_and_wildcards() {
        let hosts = Hosts::built_in();
        for host in ["registry-1.docker.io", "docker.io", "ghcr.io", "quay.io", "public.ecr.aws", "gcr.io", "eu.gcr.io", "europe-west1-docker.pkg.dev", "a.b.pkg.dev"] {
            assert!(hosts.is_allowed(host), "{host}");
        }
        for host in ["pkg.dev", "evilgcr.io", "gcr.io.evil.com", "eu.gcr.io:8443", "ghcr.io:22", "example.com", "127.0.0.1:5000"] {
            assert!(!hosts.is_allowed(host), "{host}");
        }
        assert_eq!(hosts.scheme("ghcr.io"), "https");
    }

    #[test]
    fn flags_add_hosts() -> Result<(), String> {
        let mut hosts = Hosts::built_in();
        hosts.allow("Registry.Example.com:8443")?;
        hosts.insecure("127.0.0.1:5000")?;
        hosts.override_host("registry-1.docker.io=127.0.0.1:6000")?;
        hosts.override_host("fake.test=[::1]:6001")?;
        assert!(hosts.is_allowed("registry.example.com:8443") && !hosts.is_allowed("registry.example.com"));
        assert!(hosts.is_allowed("127.0.0.1:5000") && hosts.plain_http("127.0.0.1:5000"));
        assert!(hosts.is_allowed("fake.test") && hosts.scheme("fake.test") == "http" && hosts.scheme("registry-1.docker.io") == "http");
        let realm = Url::parse("https://registry-1.docker.io/token?x=1").map_err(|e| e.to_string())?;
        assert_eq!(hosts.on_the_wire(&realm).as_str(), "http://registry-1.docker.io/token?x=1");
        let other = Url::parse("https://ghcr.io/token").map_err(|e| e.to_string())?;
        assert_eq!(hosts.on_the_wire(&other), other);
        assert_eq!(hosts.overrides().get("fake.test"), Some(&SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], 6001))));
        for bad in ["a/b", "user@host", "host:port", "", "a b"] {
            assert!(hosts.allow(bad).is_err(), "{bad}");
        }
        for bad in ["host", "host=127.0.0.1", "host:5000=127.0.0.1:1", "10.0.0.1=127.0.0.1:1", "=127.0.0.1:1"] {
            assert!(hosts.override_host(bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn authorities() {
        assert_eq!(authority("127.0.0.1:5000").as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(authority("[::1]:5000").as_deref(), Some("[::1]:5000"));
        assert_eq!(authority("GHCR.io").as_deref(), Some("ghcr.io"));
        assert_eq!(authority("ghcr.io:443"), None);
        assert_eq!(authority("ghcr.io/x"), None);
        assert_eq!(registry_host("docker.io"), "registry-1.docker.io");
        assert_eq!(search_host("docker.io"), "index.docker.io");
        assert_eq!(registry_host("ghcr.io"), "ghcr.io");
    }
}
