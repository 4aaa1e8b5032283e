//! `cargo xtask bench pull`: `docker pull` of the benchmark image from a local registry (Debian's
//! docker-registry on 127.0.0.1, seeded with skopeo) on the Registry page, through the server's
//! proxy and directly, against `skopeo copy docker:// oci:` (which does not decompress) and
//! `podman pull` (which decompresses and stores) from the same registry in the same run, and
//! `gzip -dc | sha256sum` of the layers on disk: the floor of a pull that checks diff_ids.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::{bench_fixture, file_size, time_shell, write_section, Spread, Stats, MB, RUNS};
use crate::run::{cmd, root, stage, target_dir};

/// The benchmark image's name in the registry.
const IMAGE: &str = "bench/debian:minbase";
/// The smoke run's image (`tests/fixtures/make.sh`'s `app.oci.tar`).
const SMOKE_IMAGE: &str = "bench/app:1";

/// A `local-registry` seeded with one image; it stops (and removes its storage) when dropped.
struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`.
    host: String,
}

impl Registry {
    fn start(image: &str, archive: &Path) -> Result<Self, String> {
        let bin = target_dir().join("release/local-registry");
        let mut child = Command::new(&bin)
            .arg(format!("{image}={}", archive.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let ready = child.stdout.take().and_then(|out| BufReader::new(out).lines().map_while(Result::ok).find_map(|l| l.strip_prefix("registry at ").map(str::to_owned)));
        match ready {
            Some(host) => Ok(Self { child, host }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err("local-registry did not start (its errors are above)".to_owned())
            }
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        // It stops when its stdin closes.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// One browser pull, as `tests/e2e/bench_pull.js` reports it.
#[derive(serde::Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct Run {
    wall_ms: f64,
    stats: Stats,
    worker_memory: f64,
}

/// The runs of one mode, or why its first pull failed (direct mode only: the proxy must work).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Mode {
    Runs(Vec<Run>),
    Refused { error: String },
}

/// What `tests/e2e/bench_pull.js` prints.
#[derive(serde::Deserialize)]
struct BrowserRuns {
    proxy: Vec<Run>,
    direct: Mode,
}

fn browser(runs: usize, host: &str, image: &str) -> Result<BrowserRuns, String> {
    let out = Command::new("node")
        .args(["bench_pull.js", &runs.to_string(), host, image, "proxy,direct"])
        .current_dir(root().join("tests/e2e"))
        .env("LAYERWISE_SERVER_BIN", target_dir().join("release/layerwise-server"))
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(format!("bench_pull.js failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("bench_pull.js printed no results: {e}"))
}

fn spread(runs: &[Run], f: impl Fn(&Run) -> f64) -> Spread {
    Spread::of(runs.iter().map(f).collect())
}

pub(super) fn run(smoke: bool) -> Result<(), String> {
    if smoke {
        return run_smoke();
    }
    let dir = bench_fixture()?;
    let layers = dir.join("layers");
    let sizes = |ext: &str| -> Result<(usize, f64), String> {
        let files: Vec<_> = std::fs::read_dir(&layers).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(ext)).collect();
        Ok((files.len(), files.iter().map(|p| file_size(p)).sum()))
    };
    let ((count, blob_bytes), (_, tar_bytes)) = (sizes(".tar.gz")?, sizes(".tar")?);
    let mut registry = None;
    stage("local registry seeded with bench.oci.tar (skopeo)", || {
        registry = Some(Registry::start(IMAGE, &dir.join("bench.oci.tar"))?);
        Ok(())
    })?;
    let registry = registry.ok_or("no registry")?;
    let host = &registry.host;

    let mut peers = Vec::new();
    stage("native peers", || {
        let scratch = dir.join("pull-scratch");
        let runroot = Path::new("/tmp/lw-bench-pull-run");
        let fresh = || {
            let _ = std::fs::remove_dir_all(&scratch);
            let _ = std::fs::remove_dir_all(runroot);
            let _ = std::fs::create_dir_all(&scratch);
        };
        let s = scratch.to_string_lossy();
        let skopeo = format!("skopeo copy -q --src-tls-verify=false docker://{host}/{IMAGE} oci:{s}/oci:bench");
        let podman = format!("podman --root {s}/root --runroot {} --storage-driver vfs pull -q --tls-verify=false {host}/{IMAGE} >/dev/null", runroot.display());
        peers.push(("`skopeo copy --src-tls-verify=false docker://HOST/bench/debian:minbase oci:DIR`", time_shell(&skopeo, RUNS, &fresh)?));
        peers.push(("`podman --storage-driver vfs pull --tls-verify=false HOST/bench/debian:minbase` (empty store)", time_shell(&podman, RUNS, &fresh)?));
        let gunzip = format!("for f in {}/*.tar.gz; do gzip -dc \"$f\" | sha256sum >/dev/null; done", layers.display());
        peers.push(("`gzip -dc LAYER \\| sha256sum` (every layer, from disk: no network, no store)", time_shell(&gunzip, RUNS, &|| {})?));
        fresh();
        let _ = std::fs::remove_dir_all(&scratch);
        Ok(())
    })?;

    let mut runs = None;
    stage("pulls in headless Chromium (proxy, then direct)", || {
        runs = Some(browser(RUNS, host, IMAGE)?);
        Ok(())
    })?;
    let runs = runs.ok_or("no browser runs")?;
    let r = report(count, blob_bytes, tar_bytes, &peers, &runs);
    write_section("pull", &r)?;
    println!("{r}");
    Ok(())
}

fn run_smoke() -> Result<(), String> {
    let dir = target_dir().join("bench-smoke");
    stage("smoke fixtures", || cmd("tests/fixtures/make.sh", &[&dir.to_string_lossy()]).status())?;
    let registry = Registry::start(SMOKE_IMAGE, &dir.join("app.oci.tar"))?;
    stage("smoke benchmark: a pull through the proxy and a direct one in headless Chromium", || {
        let runs = browser(1, &registry.host, SMOKE_IMAGE)?;
        let direct = match runs.direct {
            Mode::Runs(r) => r,
            Mode::Refused { error } => return Err(format!("the direct pull failed: {error}")),
        };
        for (mode, r) in [("proxy", &runs.proxy[..]), ("direct", &direct[..])] {
            let r = r.first().ok_or("no run")?;
            let s = r.stats;
            println!("{mode}: {:.0} ms click to done, {} blob bytes, {} tar bytes; worker: plan {:.0} ms, network {:.0} ms, digest {:.0} ms, store {:.0} ms, total {:.0} ms; worker memory {:.1} MiB", r.wall_ms, s.blob_bytes, s.tar_bytes, s.plan_ms, s.read_ms, s.digest_ms, s.store_ms, s.total_ms, r.worker_memory / 1048576.0);
            if s.tar_bytes <= 0.0 || s.blob_bytes <= 0.0 || s.total_ms <= 0.0 {
                return Err(format!("{mode}: the pull reported no stage times or bytes"));
            }
        }
        Ok(())
    })
}

fn report(count: usize, blob_bytes: f64, tar_bytes: f64, peers: &[(&str, Spread)], runs: &BrowserRuns) -> String {
    let peer = |name: &str| peers.iter().find(|(n, _)| n.contains(name)).map(|p| p.1).unwrap_or_default();
    let (skopeo, podman, gunzip) = (peer("skopeo"), peer("podman"), peer("gzip -dc"));
    let wall = |r: &[Run]| spread(r, |x| x.wall_ms / 1e3);
    let mut modes = vec![("through `layerwise-server serve`'s proxy", "proxy", &runs.proxy[..])];
    if let Mode::Runs(direct) = &runs.direct {
        modes.push(("direct (the registry's CORS headers)", "direct", &direct[..]));
    }
    let mut r = String::new();
    let _ = writeln!(r, "## Pull\n");
    let _ = writeln!(r, "Produced by `cargo xtask bench pull` (it rewrites this section); medians of {RUNS} runs with min–max, peers in the same run against the same registry. The image is the import benchmark's `{IMAGE}` pushed by skopeo from `bench.oci.tar` to Debian's docker-registry on 127.0.0.1 (`local-registry`): {count} gzip layers, {:.0} MB compressed, {:.0} MB uncompressed. Each Layerwise pull runs in a fresh browser profile (no layer \"Already exists\") and is timed from the click on Pull to the row done; skopeo starts from an empty directory and podman from an empty store each run.\n", blob_bytes / MB, tar_bytes / MB);
    let _ = writeln!(r, "| what | time | MB/s compressed | MB/s uncompressed |\n|---|---|---|---|");
    let row = |r: &mut String, name: &str, s: Spread| {
        let _ = writeln!(r, "| {name} | {} | {} | {} |", s.show("s", 2), s.rate(blob_bytes).show("MB/s", 0), s.rate(tar_bytes).show("MB/s", 0));
    };
    for (name, _, m) in &modes {
        row(&mut r, &format!("Layerwise: pull {name}, headless Chromium"), wall(m));
    }
    for (name, s) in peers {
        row(&mut r, name, *s);
    }
    if let Mode::Refused { error } = &runs.direct {
        let _ = writeln!(r, "\nThe direct pull failed, so it is not measured: {}", error.lines().next().unwrap_or_default());
    }
    let _ = writeln!(r, "\n| ratio | measured | target |\n|---|---|---|");
    for (_, short, m) in &modes {
        let _ = writeln!(r, "| pull ({short}) ÷ `skopeo copy` | {:.2}× | ≤ 1× (parity) |", wall(m).median / skopeo.median);
        let _ = writeln!(r, "| pull ({short}) ÷ `podman pull` | {:.2}× | — |", wall(m).median / podman.median);
    }
    let _ = writeln!(r, "\nWhere the time of a pull goes (the import worker's own clock, medians, seconds). The wait for the registry is summed over the layers downloaded at once (up to 3) and counts the time another download's work held the worker's thread; the other stages do not overlap. As in the import, the uncompressed tar is hashed and indexed by a second worker:\n");
    let _ = writeln!(r, "| mode | manifest + config | waiting for the registry | sha256 of the blob + gunzip + handing over | waiting for the tar side | blob building + IndexedDB | whole pull (worker) | the tar side's work: sha256 + index (second worker, same time) |\n|---|---|---|---|---|---|---|---|");
    for (_, short, m) in &modes {
        let s = |f: fn(&Stats) -> f64| spread(m, |x| f(&x.stats) / 1e3).median;
        let _ = writeln!(
            r,
            "| {short} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            s(|x| x.plan_ms),
            s(|x| x.read_ms),
            s(|x| x.digest_ms),
            s(|x| x.tar_wait_ms),
            s(|x| x.store_ms),
            s(|x| x.total_ms),
            s(|x| x.tar_side_ms)
        );
    }
    let _ = writeln!(r, "\n{}", verdict(&modes, skopeo, podman, gunzip));
    r
}

/// Whether the best mode reaches parity with skopeo, and what bounds it if not.
fn verdict(modes: &[(&str, &str, &[Run])], skopeo: Spread, podman: Spread, gunzip: Spread) -> String {
    let best = modes.iter().map(|(_, short, m)| (*short, *m, spread(m, |x| x.wall_ms / 1e3).median)).min_by(|a, b| a.2.total_cmp(&b.2));
    let Some((short, m, wall)) = best else { return String::new() };
    let s = |f: fn(&Stats) -> f64| spread(m, |x| f(&x.stats) / 1e3).median;
    let (plan, digest, store, read, total) = (s(|x| x.plan_ms), s(|x| x.digest_ms + x.tar_wait_ms), s(|x| x.store_ms), s(|x| x.read_ms), s(|x| x.total_ms));
    let idle = (total - plan - digest - store).max(0.0);
    let ratio = wall / skopeo.median;
    if ratio <= 1.0 {
        return format!("Parity with skopeo: **met** — the {short} pull takes {ratio:.2}× skopeo's time, and it also decompresses, checks every diff_id and indexes every file, which skopeo does not.");
    }
    let work = digest + store;
    let floor = if gunzip.median > skopeo.median {
        format!("Even native `gzip -dc | sha256sum` of the layers takes {:.2} s ({:.1}× skopeo): a pull that decompresses to check every diff_id cannot reach skopeo's time without more cores than these two. ", gunzip.median, gunzip.median / skopeo.median)
    } else {
        String::new()
    };
    let bound = if work >= skopeo.median {
        format!("the work of checking every byte: hashing the blob and decompressing it in the import worker, with hashing the tar and indexing the files in the second, took {digest:.2} s of the worker's clock (its own work and its waits for the second), and building the blob and writing IndexedDB {store:.2} s, of the pull's {total:.2} s — that work alone is longer than skopeo's whole copy, which only hashes the compressed stream as it writes it to disk. {floor}The registry is on loopback: the worker waited for it {read:.2} s summed over parallel downloads, at most {idle:.2} s of it with nothing else to do")
    } else {
        format!("waiting: the worker's own work (decompress, hash ×2, index: {digest:.2} s; blob building and IndexedDB: {store:.2} s) is shorter than skopeo's copy, and the rest of the pull's {total:.2} s went waiting for the registry ({read:.2} s, summed over parallel downloads) and between the page and the worker ({:.2} s from the click to the worker's start and after its end)", wall - total)
    };
    format!("Parity with skopeo: **not met** — the fastest mode ({short}) takes {ratio:.2}× skopeo's time ({wall:.2} s against {:.2} s). What bounds it is {bound}. podman, which decompresses and stores as the pull does, takes {:.2} s.", skopeo.median, podman.median)
}
