//! The same-origin registry proxy of `layerwise-server serve` (`../shared/DESIGN.md`,
//! "Registries"). Browsers cannot read Docker Hub, GHCR, Quay or ECR (no CORS headers), so the
//! page asks this server instead:
//!
//! - `GET|HEAD /registry/<host>/v2/<rest>[?query]` goes to `https://<host>/v2/<rest>[?query]`
//!   (`docker.io` meaning registry-1.docker.io), the answer streamed back, the Bearer realm and
//!   pagination links rewritten to point here;
//! - `GET /registry/<host>/v1/search?…` is Docker Hub's search (`index.docker.io`);
//! - `GET /registry-token?realm=<R>&…` fetches a token from the realm `R` a challenge named.
//!
//! Only GET and HEAD are forwarded, only to an allowlist of registry hosts (redirects from them
//! may go anywhere, the way registries send blobs to CDNs), never to private addresses unless
//! allowed, and only the headers a registry needs cross it. One line per request goes to stderr:
//! `proxy GET <host> <path> -> <status>`, never a query of the token endpoint, never credentials.

mod address;
mod allowlist;
mod forward;
mod refusal;
mod rewrite;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::any;
use axum::Router;

use address::GuardedResolver;
use allowlist::Hosts;

/// How long connecting to an upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an upstream may stay silent mid-answer. There is no total timeout: blobs can be large.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The proxy's command-line flags (part of `layerwise-server serve`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ProxyFlags {
    /// Also proxy this registry (HOST or HOST:PORT, over https), besides the built-in ones:
    /// registry-1.docker.io, index.docker.io, auth.docker.io, docker.io, ghcr.io, quay.io,
    /// public.ecr.aws, gcr.io, *.gcr.io, *.pkg.dev. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    pub allow_host: Vec<String>,
    /// Proxy this registry and speak plain http to it (a local registry). Repeatable.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,
    /// Send connections for the host name HOST to IP:PORT over plain http, the Host header still
    /// HOST (a fake Docker Hub for tests: registry-1.docker.io, index.docker.io, auth.docker.io).
    /// The host counts as allowed. Repeatable.
    #[arg(long = "host-override", value_name = "HOST=IP:PORT")]
    pub host_override: Vec<String>,
    /// Let the proxy connect to loopback, private, link-local and other non-public addresses
    /// (refused by default, so the proxy cannot be used to reach the server's own network).
    #[arg(long = "allow-private")]
    pub allow_private: bool,
}

/// The proxy's configuration, checked: which hosts it serves and how it reaches them.
pub struct ProxyConfig {
    hosts: Hosts,
    allow_private: bool,
}

impl ProxyConfig {
    /// The built-in allowlist plus what the flags add.
    ///
    /// # Errors
    /// A flag value that is not a host (`--allow-host`, `--insecure-registry`) or not
    /// `HOST=IP:PORT` (`--host-override`), named in the message.
    pub fn from_flags(flags: &ProxyFlags) -> Result<Self, String> {
        let mut hosts = Hosts::built_in();
        for host in &flags.allow_host {
            hosts.allow(host)?;
        }
        for host in &flags.insecure_registry {
            hosts.insecure(host)?;
        }
        for spec in &flags.host_override {
            hosts.override_host(spec)?;
        }
        Ok(Self { hosts, allow_private: flags.allow_private })
    }
}

/// What the handlers share: the configuration and the one HTTP client (its connection pool).
struct Proxy {
    config: ProxyConfig,
    client: reqwest::Client,
}

/// The proxy's routes, to merge with the app's static files.
///
/// # Errors
/// When the HTTP client cannot be built (its TLS setup).
pub fn router(config: ProxyConfig) -> Result<Router, reqwest::Error> {
    let resolver = GuardedResolver { overrides: config.hosts.overrides().clone(), allow_private: config.allow_private };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .dns_resolver(Arc::new(resolver))
        .user_agent(concat!("layerwise-server/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let proxy = Arc::new(Proxy { config, client });
    Ok(Router::new()
        .route("/registry/", any(routes::registry))
        .route("/registry/{*rest}", any(routes::registry))
        .route(rewrite::TOKEN_PATH, any(routes::token))
        .with_state(proxy))
}
