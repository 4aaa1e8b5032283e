//! `cargo xtask`: the project's own tooling.
//!
//! - `cargo xtask serve [--port 8080] [-- SERVER FLAGS]`: installs what is missing, builds the app
//!   and the server in release mode, and serves the app and the registry proxy on 127.0.0.1.
//! - `cargo xtask test [native|browser|e2e]...`: installs what the tests need, then runs every
//!   tier (or the ones named), printing each stage's time.
//! - `cargo xtask fixtures DIR`: makes the test fixtures with umoci, skopeo and podman.
//! - `cargo xtask fuzz [--seconds N] [TARGET]...`: runs the cargo-fuzz targets (nightly).
//! - `cargo xtask bench [import|export|pull] [--smoke]`: benchmarks against native peers; write BENCHMARKS.md.

mod bench;
mod compress;
mod fuzz;
mod install;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the app and the server, then serve the app (and the registry proxy).
    Serve {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// More `layerwise-server serve` flags, after `--` (`--insecure-registry HOST:PORT`,
        /// `--allow-host HOST`, `--allow-private`; see `layerwise-server serve --help`).
        #[arg(last = true)]
        server_args: Vec<String>,
    },
    /// Run the tests: every tier unless some are named.
    Test {
        /// Tiers to run.
        #[arg(value_enum)]
        tiers: Vec<Tier>,
        /// Do not install missing tools or packages.
        #[arg(long)]
        no_install: bool,
    },
    /// Make the test fixtures with real tools into DIR.
    Fixtures {
        /// Where to write them.
        dir: PathBuf,
    },
    /// Benchmark against native peers and write the figures to BENCHMARKS.md.
    Bench {
        /// What to measure: imports (the default), export and the explorer, or pulls.
        #[arg(value_enum, default_value = "import")]
        what: bench::What,
        /// One run on the small test fixtures; writes nothing (CI runs this).
        #[arg(long)]
        smoke: bool,
    },
    /// Run the cargo-fuzz targets (needs the nightly toolchain; installs cargo-fuzz).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// Targets to run (all by default).
        targets: Vec<String>,
    },
}

/// A test tier.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Tier {
    /// `cargo test --workspace`: core, server, the docker CLI and podman as judges.
    Native,
    /// wasm-bindgen-test in headless Chromium: the IndexedDB store and a browser import.
    Browser,
    /// The built app in headless Chromium, driven by Playwright.
    E2e,
    /// Each cargo-fuzz target for 30 seconds, where the nightly toolchain is installed.
    Fuzz,
    /// The benchmark, once, on the small fixtures (`cargo xtask bench --smoke`).
    Bench,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { port, server_args } => serve(port, &server_args),
        Command::Test { tiers, no_install } => test(&tiers, no_install),
        Command::Fixtures { dir } => run::cmd("tests/fixtures/make.sh", &[dir.to_string_lossy().as_ref()]).status(),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, &targets),
        Command::Bench { what, smoke } => bench::run(what, smoke),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(port: u16, server_args: &[String]) -> Result<(), String> {
    install::rust_tools()?;
    build_release()?;
    let server = run::target_dir().join("release/layerwise-server");
    let port = port.to_string();
    let mut args = vec!["serve", "--port", &port, "--dist", "dist"];
    args.extend(server_args.iter().map(String::as_str));
    run::cmd(&server.to_string_lossy(), &args).status()
}

/// Installs the end-to-end suite's Node packages (playwright-core; never a browser).
fn npm_ci() -> Result<(), String> {
    run::stage("end-to-end dependencies (npm ci)", || {
        run::cmd("npm", &["ci", "--no-audit", "--no-fund"]).dir("tests/e2e").env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1").status()
    })
}

fn build_release() -> Result<(), String> {
    run::stage("build the app (trunk build --release)", || run::cmd("trunk", &["build", "--release"]).status())?;
    run::stage("precompress it (brotli, gzip)", || compress::dist(&run::root().join("dist")))?;
    run::stage("build the server and the test registry", || run::cmd("cargo", &["build", "--release", "-p", "layerwise-server", "-p", "layerwise-testkit"]).status())
}

fn test(tiers: &[Tier], no_install: bool) -> Result<(), String> {
    let all = tiers.is_empty();
    let wants = |t: Tier| all || tiers.contains(&t);
    let started = std::time::Instant::now();
    if !no_install {
        run::stage("install tools and packages", || {
            install::debian_packages()?;
            install::rust_tools()
        })?;
    }
    if wants(Tier::Native) {
        run::stage("native tests (cargo test --workspace)", || run::cmd("cargo", &["test", "--workspace"]).status())?;
    }
    if wants(Tier::Browser) {
        run::stage("browser unit tests (wasm-bindgen-test, headless Chromium)", || {
            run::cmd("cargo", &["test", "--target", "wasm32-unknown-unknown", "-p", "layerwise", "--lib"])
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
                .status()
        })?;
    }
    if wants(Tier::E2e) {
        build_release()?;
        npm_ci()?;
        let server = run::target_dir().join("release/layerwise-server");
        let server = server.to_string_lossy();
        // The same journeys in each browser: Playwright drives Chromium, puppeteer-core drives
        // firefox-esr over WebDriver BiDi (tests/e2e/firefox_page.js).
        for (browser, how) in [("chromium", "Playwright, headless Chromium"), ("firefox", "puppeteer-core, headless Firefox ESR")] {
            run::stage(&format!("end-to-end tests ({how})"), || {
                run::cmd("npm", &["test"]).dir("tests/e2e").env("LAYERWISE_SERVER_BIN", &server).env("LAYERWISE_BROWSER", browser).status()
            })?;
        }
    }
    if wants(Tier::Bench) {
        bench::run(bench::What::Import, true)?;
        bench::run(bench::What::Export, true)?;
        bench::run(bench::What::Pull, true)?;
    }
    if wants(Tier::Fuzz) {
        if fuzz::nightly_present() {
            fuzz::run(30, &[])?;
        } else {
            println!("== fuzzing skipped: no nightly toolchain (the corpora were replayed by the native tests)");
        }
    }
    println!("== all requested tiers passed in {:.0?}", started.elapsed());
    Ok(())
}
