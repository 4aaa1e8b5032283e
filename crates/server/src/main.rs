//! `layerwise-server`: serves the built Layerwise app on 127.0.0.1 with its registry proxy, and
//! (for tests and for looking at an archive with the real docker CLI) answers as a Docker Engine
//! API over archives.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use layerwise_server::proxy::{self, ProxyConfig, ProxyFlags};
use layerwise_server::{engine_api, static_files};

#[derive(Parser)]
#[command(name = "layerwise-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the built app (trunk's `dist/`) and the registry proxy the app pulls and searches
    /// through: GET|HEAD /registry/<host>/v2/…, /registry/<host>/v1/search, /registry-token.
    /// It forwards only to allowed registry hosts (and the hosts they redirect to), never to
    /// private addresses unless --allow-private, and logs one line per request to stderr.
    Serve {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The built app.
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        #[command(flatten)]
        proxy: ProxyFlags,
    },
    /// Load archives with the core's importer and answer as a Docker Engine API (1.50), so the
    /// real docker CLI can list, inspect and show the history of what the page would show.
    EngineApi {
        /// Port on 127.0.0.1 (0: any free port; the chosen one is printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Archives to load, in order.
        archives: Vec<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse().command {
        Command::Serve { port, bind, dist, proxy: flags } => {
            if !dist.join("index.html").is_file() {
                return Err(format!("{} has no index.html: build the app first (`cargo xtask serve` does)", dist.display()).into());
            }
            let app = proxy::router(ProxyConfig::from_flags(&flags)?)?.merge(static_files::router(&dist));
            let listener = tokio::net::TcpListener::bind(SocketAddr::new(bind, port)).await?;
            println!("Layerwise is at http://{}/", listener.local_addr()?);
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
        }
        Command::EngineApi { port, archives } => {
            let state = engine_api::State::load(&archives)?;
            let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
            println!("DOCKER_HOST=tcp://{}", listener.local_addr()?);
            axum::serve(listener, engine_api::router(state)).with_graceful_shutdown(shutdown()).await?;
        }
    }
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
