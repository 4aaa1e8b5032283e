//! Where a registry is reached: through the same-origin proxy (`/registry/<host>/...`), or
//! directly (for registries that send CORS headers, and natively).

use layerwise_core::reference::DOCKER_HUB;

/// The host docker talks to for `docker.io` names (moby `DefaultRegistryHost`).
pub const DOCKER_HUB_REGISTRY: &str = "registry-1.docker.io";
/// The host of Docker Hub's search (moby `IndexHostname`).
pub const DOCKER_HUB_INDEX: &str = "index.docker.io";

/// How requests reach registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Through `layerwise-server`'s proxy at `base` (`""` for the page's own origin, or
    /// `http://127.0.0.1:8080`).
    Proxy {
        /// Where the proxy is; no trailing `/`.
        base: String,
    },
    /// Straight to the registry: https, except plain http for loopback hosts (as docker treats
    /// 127.0.0.0/8 as insecure) and for the hosts listed.
    Direct {
        /// Hosts spoken to over plain http.
        insecure: Vec<String>,
    },
}

impl Mode {
    /// How the page reaches registries: directly (`direct`, the registry sends CORS headers) or
    /// through the proxy on its own origin.
    pub fn page(direct: bool) -> Self {
        if direct {
            Self::Direct { insecure: Vec::new() }
        } else {
            Self::Proxy { base: String::new() }
        }
    }

    /// The URL of `path_and_query` (starting with `/`) on registry `host`.
    pub fn url(&self, host: &str, path_and_query: &str) -> String {
        match self {
            Self::Proxy { base } => format!("{base}/registry/{host}{path_and_query}"),
            Self::Direct { insecure } => {
                let scheme = if is_loopback(host) || insecure.iter().any(|h| h == host) { "http" } else { "https" };
                format!("{scheme}://{host}{path_and_query}")
            }
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host });
    name == "localhost" || name.starts_with("127.") || name == "[::1]"
}

/// The host serving a reference's domain: `docker.io` is served by `registry-1.docker.io`.
pub fn registry_host(domain: &str) -> &str {
    if domain == DOCKER_HUB || domain == DOCKER_HUB_INDEX {
        DOCKER_HUB_REGISTRY
    } else {
        domain
    }
}

/// Resolves `target` (an absolute URL, an absolute path, or a query) against `base` (the URL
/// of the request whose answer named it), as a browser resolves links. `base` may itself be a
/// path (proxy mode in the page).
pub fn resolve(base: &str, target: &str) -> String {
    if target.contains("://") {
        return target.to_owned();
    }
    let (origin, path) = match base.find("://") {
        Some(i) => {
            let rest = &base[i + 3..];
            let cut = rest.find('/').map_or(base.len(), |j| i + 3 + j);
            (&base[..cut], &base[cut..])
        }
        None => ("", base),
    };
    if target.starts_with('/') {
        format!("{origin}{target}")
    } else if let Some(query) = target.strip_prefix('?') {
        let path = path.split('?').next().unwrap_or(path);
        format!("{origin}{path}?{query}")
    } else {
        let dir = path.split('?').next().unwrap_or(path).rsplit_once('/').map_or("", |(d, _)| d);
        format!("{origin}{dir}/{target}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_and_direct_urls() {
        let proxy = Mode::Proxy { base: String::new() };
        assert_eq!(proxy.url("ghcr.io", "/v2/"), "/registry/ghcr.io/v2/");
        let direct = Mode::Direct { insecure: vec!["reg.lan:5000".into()] };
        assert_eq!(direct.url("ghcr.io", "/v2/"), "https://ghcr.io/v2/");
        assert_eq!(direct.url("127.0.0.1:5000", "/v2/"), "http://127.0.0.1:5000/v2/");
        assert_eq!(direct.url("localhost", "/v2/"), "http://localhost/v2/");
        assert_eq!(direct.url("reg.lan:5000", "/v2/"), "http://reg.lan:5000/v2/");
        assert_eq!(registry_host("docker.io"), "registry-1.docker.io");
    }

    #[test]
    fn resolves_like_a_browser() {
        assert_eq!(resolve("http://h:1/v2/x/tags/list?n=1", "/v2/x/tags/list?last=a&n=1"), "http://h:1/v2/x/tags/list?last=a&n=1");
        assert_eq!(resolve("/registry/h/v2/_catalog?n=1", "/registry/h/v2/_catalog?last=b"), "/registry/h/v2/_catalog?last=b");
        assert_eq!(resolve("http://h/v2/x", "https://auth.example/token"), "https://auth.example/token");
        assert_eq!(resolve("http://h/a/b?q", "c"), "http://h/a/c");
        assert_eq!(resolve("/registry/h/v2/", "?n=2"), "/registry/h/v2/?n=2");
    }
}
