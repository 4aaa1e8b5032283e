//! `cargo xtask bench [import|export|pull]`: imports (in headless Chromium and Firefox; or saves
//! and the explorer, or pulls from a local registry, in Chromium) on the release build, against
//! native peers timed in the same run on the same files; each writes its section of BENCHMARKS.md. `--smoke` runs once on
//! the small test fixtures and writes nothing, so CI keeps the benchmarks from rotting.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::{cmd, root, stage, target_dir};

mod export;
mod pull;

/// What `cargo xtask bench` measures.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum What {
    /// Importing archives.
    Import,
    /// Saving an image, and opening a directory of 100,000 files in the explorer.
    Export,
    /// Pulling an image from a local registry.
    Pull,
}

/// A browser the end-to-end harness drives (`LAYERWISE_BROWSER`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    fn env(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Chromium => "headless Chromium",
            Self::Firefox => "headless Firefox ESR",
        }
    }
}

/// Runs per figure.
const RUNS: usize = 5;
const MB: f64 = 1e6;

/// Median, min and max of some measurements.
#[derive(Clone, Copy, Default)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(mut xs: Vec<f64>) -> Self {
        xs.sort_by(f64::total_cmp);
        let median = xs.get(xs.len() / 2).copied().unwrap_or(0.0);
        Self { median, min: xs.first().copied().unwrap_or(0.0), max: xs.last().copied().unwrap_or(0.0) }
    }

    fn show(self, unit: &str, decimals: usize) -> String {
        format!("{:.d$} {unit} ({:.d$}–{:.d$})", self.median, self.min, self.max, d = decimals)
    }

    /// `bytes` per this many seconds, in MB/s (min and max swap).
    fn rate(self, bytes: f64) -> Self {
        Self { median: bytes / MB / self.median, min: bytes / MB / self.max, max: bytes / MB / self.min }
    }
}

/// Times a shell command, `RUNS` times (after `prepare` each time), in seconds.
fn time_shell(script: &str, runs: usize, prepare: &dyn Fn()) -> Result<Spread, String> {
    let mut xs = Vec::new();
    for _ in 0..runs {
        prepare();
        let started = Instant::now();
        let ok = Command::new("sh").arg("-c").arg(script).current_dir(root()).status().is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("`{script}` failed"));
        }
        xs.push(started.elapsed().as_secs_f64());
    }
    Ok(Spread::of(xs))
}

/// One browser import, as `tests/e2e/bench.js` reports it.
#[derive(serde::Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct BrowserRun {
    wall_ms: f64,
    /// From picking the file to the inspect JSON of the archive's metadata on screen (`None` if
    /// the import was done before it was seen).
    preview_ms: Option<f64>,
    stats: Stats,
    worker_memory: f64,
    peak_rss: f64,
}

/// An import's (or a pull's) own stage timings (core `ImportStats`).
#[derive(serde::Deserialize, Clone, Copy)]
struct Stats {
    plan_ms: f64,
    read_ms: f64,
    digest_ms: f64,
    tar_wait_ms: f64,
    tar_side_ms: f64,
    #[serde(default)]
    blob_hash_ms: f64,
    #[serde(default)]
    handover_ms: f64,
    #[serde(default)]
    tar_hash_ms: f64,
    #[serde(default)]
    tar_index_ms: f64,
    store_ms: f64,
    total_ms: f64,
    blob_bytes: f64,
    tar_bytes: f64,
}

/// Imports each archive `runs` times in fresh profiles of `which`.
fn browser(which: Browser, runs: usize, archives: &[PathBuf]) -> Result<Vec<Vec<BrowserRun>>, String> {
    let mut args = vec!["bench.js".to_owned(), runs.to_string()];
    args.extend(archives.iter().map(|a| a.to_string_lossy().into_owned()));
    let out = Command::new("node")
        .args(&args)
        .current_dir(root().join("tests/e2e"))
        .env("LAYERWISE_SERVER_BIN", target_dir().join("release/layerwise-server"))
        .env("LAYERWISE_BROWSER", which.env())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(format!("bench.js failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let results: HashMap<String, Vec<BrowserRun>> = serde_json::from_slice(&out.stdout).map_err(|e| format!("bench.js printed no results: {e}"))?;
    archives.iter().map(|a| results.get(&*a.to_string_lossy()).cloned().ok_or_else(|| format!("no results for {}", a.display()))).collect()
}

fn spread(runs: &[BrowserRun], f: impl Fn(&BrowserRun) -> f64) -> Spread {
    Spread::of(runs.iter().map(f).collect())
}

fn file_size(p: &Path) -> f64 {
    std::fs::metadata(p).map_or(0.0, |m| m.len() as f64)
}

/// Runs a benchmark.
pub(crate) fn run(what: What, smoke: bool) -> Result<(), String> {
    crate::install::debian_packages()?;
    crate::install::rust_tools()?;
    crate::build_release()?;
    crate::npm_ci()?;
    match (what, smoke) {
        (What::Import, true) => run_smoke(),
        (What::Import, false) => run_import(),
        (What::Export, smoke) => export::run(smoke),
        (What::Pull, smoke) => pull::run(smoke),
    }
}

/// The benchmark fixture: Debian minbase in an oci-archive and a docker-archive.
fn bench_fixture() -> Result<PathBuf, String> {
    let dir = target_dir().join("bench");
    stage("benchmark fixture (debootstrap, umoci, skopeo)", || cmd("tests/fixtures/make_bench.sh", &[&dir.to_string_lossy()]).status())?;
    Ok(dir)
}

/// Replaces the section `name` of BENCHMARKS.md (between `<!-- name -->` and `<!-- /name -->`)
/// with `text`, or appends it; the other sections stay.
fn write_section(name: &str, text: &str) -> Result<(), String> {
    let path = root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let (open, close) = (format!("<!-- {name} -->\n"), format!("<!-- /{name} -->\n"));
    let section = format!("{open}{text}{close}");
    let new = match (old.find(&open), old.find(&close)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &old[..a], &old[b + close.len()..]),
        _ if old.is_empty() => section,
        _ => format!("{old}\n{section}"),
    };
    std::fs::write(&path, new).map_err(|e| e.to_string())
}

fn run_import() -> Result<(), String> {
    let dir = bench_fixture()?;
    let (oci, docker) = (dir.join("bench.oci.tar"), dir.join("bench.docker.tar"));
    let layers = dir.join("layers");
    let tar_bytes: f64 = std::fs::read_dir(&layers).map_err(|e| e.to_string())?.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "tar")).map(|e| file_size(&e.path())).sum();
    let l = layers.to_string_lossy();

    let mut peers = Vec::new();
    stage("native peers", || {
        let scratch = dir.join("scratch");
        let fresh = || {
            let _ = std::fs::remove_dir_all(&scratch);
            let _ = std::fs::create_dir_all(&scratch);
        };
        let s = scratch.to_string_lossy();
        let podman = format!("podman --root {s}/root --runroot /tmp/lw-bench-run --storage-driver vfs");
        peers.push(("`gzip -dc LAYER | sha256sum` (every gzip layer)", time_shell(&format!("for f in {l}/*.tar.gz; do gzip -dc \"$f\" | sha256sum >/dev/null; done"), RUNS, &|| {})?));
        peers.push(("`sha256sum LAYER` (every uncompressed layer)", time_shell(&format!("sha256sum {l}/*.tar >/dev/null"), RUNS, &|| {})?));
        peers.push(("`skopeo copy oci-archive:X oci:DIR`", time_shell(&format!("skopeo copy -q oci-archive:{} oci:{s}/oci", oci.display()), RUNS, &fresh)?));
        peers.push(("`podman load -i X` (the oci-archive)", time_shell(&format!("{podman} load -q -i {} >/dev/null", oci.display()), RUNS, &fresh)?));
        fresh();
        Ok(())
    })?;

    let mut imports = Vec::new();
    stage("imports in headless Chromium", || {
        imports = browser(Browser::Chromium, RUNS, &[oci.clone(), docker.clone()])?;
        Ok(())
    })?;
    let mut firefox = Vec::new();
    stage("imports in headless Firefox ESR", || {
        firefox = browser(Browser::Firefox, RUNS, &[oci.clone(), docker.clone()])?;
        Ok(())
    })?;

    let mut memory = Vec::new();
    stage("memory: generated archives of 512 MiB, 1 GiB, 2 GiB", || {
        let mut archives = Vec::new();
        for mib in [512, 1024, 2048] {
            let path = dir.join(format!("big-{mib}.tar"));
            if !path.exists() {
                cmd("python3", &["tests/fixtures/make_big.py", &path.to_string_lossy(), &mib.to_string()]).output().ok_or("make_big.py failed")?;
            }
            archives.push(path);
        }
        for which in [Browser::Chromium, Browser::Firefox] {
            let runs = browser(which, 1, &archives)?;
            memory.extend(archives.iter().zip(runs).map(|(a, r)| (which, file_size(a), r[0])));
        }
        Ok(())
    })?;

    let report = report(tar_bytes, &peers, &imports, &firefox, &memory, &bundle()?);
    write_section("import", &report)?;
    println!("{report}");
    Ok(())
}

fn run_smoke() -> Result<(), String> {
    let dir = target_dir().join("bench-smoke");
    stage("smoke fixtures", || cmd("tests/fixtures/make.sh", &[&dir.to_string_lossy()]).status())?;
    stage("smoke benchmark: one import of each archive in headless Chromium and Firefox", || {
        let archives = [dir.join("app.oci.tar"), dir.join("app.docker.tar")];
        for which in [Browser::Chromium, Browser::Firefox] {
            for (a, runs) in archives.iter().zip(browser(which, 1, &archives)?) {
                let r = runs[0];
                println!("{}, {}: {:.0} ms, {} uncompressed bytes, worker memory {:.1} MiB", which.label(), a.display(), r.wall_ms, r.stats.tar_bytes, r.worker_memory / 1048576.0);
            }
        }
        Ok(())
    })?;
    bundle().map(|b| println!("{b}"))
}

/// The release bundle's files, raw, gzip and brotli (what `layerwise-server` sends a browser
/// that accepts it: see `compress.rs`), and the page's first load as sent.
fn bundle() -> Result<String, String> {
    let mut table = String::from("| file | raw | gzip -9 | brotli -q 11 (as served) |\n|---|---|---|---|\n");
    let (mut first_gzip, mut first_brotli) = (0.0, 0.0);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("dist")).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files.iter().filter(|f| f.extension().is_some_and(|x| ["wasm", "js", "css", "html"].iter().any(|t| x == *t))) {
        let bytes = std::fs::read(f).map_err(|e| e.to_string())?;
        let (gzip, brotli) = (crate::compress::gzip(&bytes)?.len() as f64, crate::compress::brotli(&bytes)?.len() as f64);
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !name.starts_with("worker") {
            first_gzip += gzip;
            first_brotli += brotli;
        }
        let _ = writeln!(table, "| `{name}` | {:.0} KB | {:.0} KB | {:.0} KB |", bytes.len() as f64 / 1e3, gzip / 1e3, brotli / 1e3);
    }
    let _ = writeln!(
        table,
        "\nFirst load (the page's HTML, CSS, JS and wasm): {:.0} KB as served (brotli), {:.0} KB gzip; target under 500 KB. The worker's files load when the page starts it.",
        first_brotli / 1e3,
        first_gzip / 1e3
    );
    Ok(table)
}

/// Whether the import targets are met, and what bounds the import if not, from the same run.
fn verdict(tar_bytes: f64, oci: &[BrowserRun], docker: &[BrowserRun], gunzip: Spread, sha: Spread, skopeo: Spread) -> String {
    let wall = |runs: &[BrowserRun]| spread(runs, |x| x.wall_ms / 1e3).median;
    let stat = |runs: &[BrowserRun], f: fn(&Stats) -> f64| spread(runs, |x| f(&x.stats) / 1e3).median;
    let (w, wp) = (wall(oci), wall(docker));
    let (gzip_ratio, skopeo_ratio, plain_ratio) = (gunzip.median / w, w / skopeo.median, sha.median / wp);
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let (blob_side, tar_side, read, wait, store, total) =
        (stat(oci, |x| x.digest_ms), stat(oci, |x| x.tar_side_ms), stat(oci, |x| x.read_ms), stat(oci, |x| x.tar_wait_ms), stat(oci, |x| x.store_ms), stat(oci, |x| x.total_ms));
    let (plain_tar_side, plain_wait) = (stat(docker, |x| x.tar_side_ms), stat(docker, |x| x.tar_wait_ms));
    let rate = |runs: &[BrowserRun], bytes: fn(&Stats) -> f64, ms: fn(&Stats) -> f64| spread(runs, |x| bytes(&x.stats) / 1e3 / ms(&x.stats).max(1e-3)).median;
    let blob_sha = rate(oci, |x| x.blob_bytes, |x| x.blob_hash_ms);
    let tar_sha = rate(oci, |x| x.tar_bytes, |x| x.tar_hash_ms);
    let inflate = rate(oci, |x| x.tar_bytes, |x| x.digest_ms - x.blob_hash_ms - x.handover_ms);
    let native_sha = tar_bytes / 1e6 / sha.median;
    format!(
        "Targets: gzip import ≥ 1.5× native `gzip -dc | sha256sum` ({gzip_ratio:.2}×): {}; ≤ 1.5× skopeo's time ({skopeo_ratio:.2}×): {}; plain import ≥ 0.5× native `sha256sum` ({plain_ratio:.2}×): {}. \
         What bounds the gzip import is checking every byte in WASM on these two cores: the import worker spent {blob_side:.2} s hashing the blob and decompressing it (and handing the tar over) while the second worker spent {tar_side:.2} s hashing the tar and indexing it; \
         the import worker also waited {read:.2} s for file slices and {wait:.2} s for the second worker, IndexedDB took {store:.2} s, and {:.2} s went outside the worker's import (the page handing the file over, the worker's answer, listing the image). \
         Together the two workers did {:.2} s of hashing and decompressing, where native `gzip -dc | sha256sum` takes {:.2} s: sha256 in WASM ran at {blob_sha:.0} MB/s over the blob and {tar_sha:.0} MB/s over the tar, against {native_sha:.0} MB/s for native `sha256sum` (the CPU's SHA instructions, which WASM cannot reach), gunzip at {inflate:.0} MB/s of output, and the import hashes the blob as well as the tar. \
         1.5× native would mean the whole import in {:.2} s, less than either worker's share alone. The plain import is bound by one sha256 over the tar (blob digest and diff_id are the same hash): the second worker took {plain_tar_side:.2} s for it, and the import worker waited {plain_wait:.2} s for it.",
        met(gzip_ratio >= 1.5),
        met(skopeo_ratio <= 1.5),
        met(plain_ratio >= 0.5),
        (w - total).max(0.0),
        blob_side + tar_side,
        gunzip.median,
        gunzip.median / 1.5,
    )
}

fn report(tar_bytes: f64, peers: &[(&str, Spread)], imports: &[Vec<BrowserRun>], firefox: &[Vec<BrowserRun>], memory: &[(Browser, f64, BrowserRun)], bundle: &str) -> String {
    let mut r = String::new();
    let peer = |name: &str| peers.iter().find(|(n, _)| n.contains(name)).map(|p| p.1).unwrap_or_default();
    let (gunzip, sha, skopeo, podman) = (peer("gzip -dc"), peer("sha256sum LAYER"), peer("skopeo"), peer("podman"));
    let wall = |runs: &[BrowserRun]| spread(runs, |x| x.wall_ms / 1e3);
    let (oci, docker) = (&imports[0], &imports[1]);
    let (ff_oci, ff_docker) = (&firefox[0], &firefox[1]);
    let _ = writeln!(r, "# Benchmarks\n");
    let _ = writeln!(r, "Produced by `cargo xtask bench` (it rewrites this section; `cargo xtask bench export` writes the one below). Machine: {} cores; every figure is the median of {RUNS} runs, with min–max, and the native peers ran in the same run on the same files. These machines are shared and noisy: read the ratios, not the absolute times.\n", std::thread::available_parallelism().map_or(0, |n| n.get()));
    let _ = writeln!(r, "Fixture: `tests/fixtures/make_bench.sh` — Debian bookworm minbase by debootstrap, two umoci layers (the second deletes `/usr/share/doc` and `/usr/share/man`: whiteouts) and a config-only step; {:.0} MB uncompressed. `bench.oci.tar` keeps umoci's gzip layers; `bench.docker.tar` (skopeo) has plain layers.\n", tar_bytes / MB);
    let _ = writeln!(r, "## Import\n");
    let _ = writeln!(r, "| what | time | MB/s of uncompressed layer bytes |\n|---|---|---|");
    let _ = writeln!(r, "| Layerwise: import `bench.oci.tar` (gzip) in headless Chromium | {} | {} |", wall(oci).show("s", 2), wall(oci).rate(tar_bytes).show("MB/s", 0));
    let _ = writeln!(r, "| Layerwise: import `bench.docker.tar` (plain) | {} | {} |", wall(docker).show("s", 2), wall(docker).rate(tar_bytes).show("MB/s", 0));
    let _ = writeln!(r, "| Layerwise: import `bench.oci.tar` (gzip) in headless Firefox ESR | {} | {} |", wall(ff_oci).show("s", 2), wall(ff_oci).rate(tar_bytes).show("MB/s", 0));
    let _ = writeln!(r, "| Layerwise: import `bench.docker.tar` (plain) in headless Firefox ESR | {} | {} |", wall(ff_docker).show("s", 2), wall(ff_docker).rate(tar_bytes).show("MB/s", 0));
    for (name, s) in peers {
        let _ = writeln!(r, "| {name} | {} | {} |", s.show("s", 2), s.rate(tar_bytes).show("MB/s", 0));
    }
    let _ = writeln!(r, "\n| ratio | measured | target |\n|---|---|---|");
    let _ = writeln!(r, "| gzip import throughput ÷ native `gzip -dc \\| sha256sum` | {:.2}× | ≥ 1.5× |", gunzip.median / wall(oci).median);
    let _ = writeln!(r, "| gzip import wall time ÷ `skopeo copy oci-archive: oci:` | {:.2}× | ≤ 1.5× |", wall(oci).median / skopeo.median);
    let _ = writeln!(r, "| gzip import wall time ÷ `podman load` | {:.2}× | — |", wall(oci).median / podman.median);
    let _ = writeln!(r, "| plain import throughput ÷ native `sha256sum` | {:.2}× | ≥ 0.5× |", sha.median / wall(docker).median);
    let _ = writeln!(r, "| Firefox: gzip import throughput ÷ native `gzip -dc \\| sha256sum` | {:.2}× | — |", gunzip.median / wall(ff_oci).median);
    let _ = writeln!(r, "| Firefox: gzip import wall time ÷ `skopeo copy oci-archive: oci:` | {:.2}× | — |", wall(ff_oci).median / skopeo.median);
    let _ = writeln!(r, "| Firefox: plain import throughput ÷ native `sha256sum` | {:.2}× | — |", sha.median / wall(ff_docker).median);
    let _ = writeln!(r, "| Firefox ÷ Chromium, gzip import wall time | {:.2}× | — |", wall(ff_oci).median / wall(oci).median);
    let _ = writeln!(r, "\nWhere the time of an import goes (the import worker's own clock, medians, seconds). The import worker reads the file (two slices read ahead), hashes the blob and decompresses it; a second worker, on the other core, hashes the uncompressed tar and indexes its entries, taking it in 1 MiB buffers handed over (at most 8 unanswered):\n");
    let _ = writeln!(r, "| archive | metadata | waiting for file slices | sha256 of the blob | gunzip (plain: passing the bytes on) | handing over | waiting for the tar side | IndexedDB writes | whole import (worker) | tar side: sha256 of the tar | tar side: tar index |\n|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, runs) in [("gzip", oci), ("plain", docker), ("gzip, Firefox", ff_oci), ("plain, Firefox", ff_docker)] {
        let s = |f: fn(&Stats) -> f64| spread(runs, |x| f(&x.stats) / 1e3).median;
        let _ = writeln!(
            r,
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            s(|x| x.plan_ms),
            s(|x| x.read_ms),
            s(|x| x.blob_hash_ms),
            s(|x| x.digest_ms - x.blob_hash_ms - x.handover_ms),
            s(|x| x.handover_ms),
            s(|x| x.tar_wait_ms),
            s(|x| x.store_ms),
            s(|x| x.total_ms),
            s(|x| x.tar_hash_ms),
            s(|x| x.tar_index_ms)
        );
    }
    let _ = writeln!(r, "\n{}", verdict(tar_bytes, oci, docker, gunzip, sha, skopeo));
    let _ = writeln!(r, "\n## Memory\n");
    let _ = writeln!(r, "Generated archives (`tests/fixtures/make_big.py`: one layer of random file contents), one import each in a fresh profile.\n");
    let _ = writeln!(r, "| browser | archive | inspect JSON on screen | import time | WASM memory, both workers (peak) | all the browser's processes, resident (peak) |\n|---|---|---|---|---|---|");
    for (which, size, run) in memory {
        let preview = run.preview_ms.map_or_else(|| "—".to_owned(), |ms| format!("{:.2} s", ms / 1e3));
        let _ = writeln!(r, "| {} | {:.0} MiB | {preview} | {:.1} s | {:.1} MiB | {:.0} MiB |", which.label(), size / 1048576.0, run.wall_ms / 1e3, run.worker_memory / 1048576.0, run.peak_rss / 1048576.0);
    }
    for which in [Browser::Chromium, Browser::Firefox] {
        let runs: Vec<_> = memory.iter().filter(|m| m.0 == which).collect();
        let (Some(first), Some(last)) = (runs.first(), runs.last()) else { continue };
        let slope = |f: fn(&BrowserRun) -> f64| (f(&last.2) - f(&first.2)) / ((last.1 - first.1) / 1048576.0);
        let _ = writeln!(r, "\n{}: slope from the smallest to the largest: WASM memory of both workers {:.4} MiB per MiB of archive; resident memory {:.3} MiB per MiB.", which.label(), slope(|x| x.worker_memory / 1048576.0), slope(|x| x.peak_rss / 1048576.0));
    }
    let _ = writeln!(r, "\n\"Inspect JSON on screen\" is the time from picking the archive to the inspect JSON its metadata gives shown in the import's row, marked as being verified (target: within 1 s for 2 GiB); the image is listed, and stored, only once every blob is verified (the import time).");
    let _ = writeln!(r, "\n## Bundle\n\n{bundle}");
    r
}
