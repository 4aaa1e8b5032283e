//! `cargo xtask bench export`: `docker save` from the page (click to the archive on disk)
//! against `skopeo copy oci:DIR oci-archive:X`, and opening a directory of 100,000 files in the
//! explorer against `ls -l` of the same directory on disk.

use std::fmt::Write as _;
use std::process::Command;

use super::{bench_fixture, file_size, time_shell, write_section, Spread, MB, RUNS};
use crate::run::{cmd, root, stage, target_dir};

/// What `tests/e2e/bench_export.js` prints.
#[derive(serde::Deserialize)]
struct BrowserRuns {
    save: Vec<Run>,
    open: Vec<Run>,
}

#[derive(serde::Deserialize)]
struct Run {
    ms: f64,
    #[serde(default)]
    bytes: f64,
}

fn browser(runs: usize, archive: &str, tag: &str, many: &str, many_tag: &str) -> Result<BrowserRuns, String> {
    let out = Command::new("node")
        .args(["bench_export.js", &runs.to_string(), archive, tag, many, many_tag])
        .current_dir(root().join("tests/e2e"))
        .env("LAYERWISE_SERVER_BIN", target_dir().join("release/layerwise-server"))
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(format!("bench_export.js failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("bench_export.js printed no results: {e}"))
}

/// A directory-of-files archive (`make_many.py`) and that directory unpacked beside it.
fn many(dir: &std::path::Path, count: usize) -> Result<(String, String), String> {
    let archive = dir.join(format!("many-{count}.tar"));
    let unpacked = dir.join(format!("many-{count}"));
    if !archive.exists() {
        cmd("python3", &["tests/fixtures/make_many.py", &archive.to_string_lossy(), &count.to_string()]).output().ok_or("make_many.py failed")?;
    }
    let _ = std::fs::remove_dir_all(&unpacked);
    std::fs::create_dir_all(&unpacked).map_err(|e| e.to_string())?;
    let script = format!("tar -xOf {} layer/layer.tar | tar -x -C {}", archive.display(), unpacked.display());
    time_shell(&script, 1, &|| {})?;
    Ok((archive.to_string_lossy().into_owned(), unpacked.to_string_lossy().into_owned()))
}

pub(super) fn run(smoke: bool) -> Result<(), String> {
    if smoke {
        let dir = target_dir().join("bench-smoke");
        stage("smoke fixtures", || cmd("tests/fixtures/make.sh", &[&dir.to_string_lossy()]).status())?;
        let (archive, _) = many(&dir, 1000)?;
        return stage("smoke benchmark: a save and a directory opened in headless Chromium", || {
            let r = browser(1, &dir.join("app.oci.tar").to_string_lossy(), "test/app:1", &archive, "many/files:1000")?;
            println!("save: {:.0} ms for {} bytes; opening 1,000 files: {:.0} ms", r.save[0].ms, r.save[0].bytes, r.open[0].ms);
            Ok(())
        });
    }
    let dir = bench_fixture()?;
    let oci = dir.join("bench.oci.tar");
    let layout = dir.join("export-layout");
    let (archive, unpacked) = many(&dir, 100_000)?;
    let mut peers = Vec::new();
    stage("native peers", || {
        let _ = std::fs::remove_dir_all(&layout);
        time_shell(&format!("skopeo copy -q oci-archive:{} oci:{}:bench", oci.display(), layout.display()), 1, &|| {})?;
        let out = dir.join("export-peer.tar");
        let clear = || {
            let _ = std::fs::remove_file(&out);
        };
        peers.push(("`skopeo copy oci:DIR oci-archive:X`", time_shell(&format!("skopeo copy -q oci:{}:bench oci-archive:{}:bench/debian:minbase", layout.display(), out.display()), RUNS, &clear)?));
        peers.push(("`skopeo copy oci:DIR docker-archive:X`", time_shell(&format!("skopeo copy -q oci:{}:bench docker-archive:{}:bench/debian:minbase", layout.display(), out.display()), RUNS, &clear)?));
        peers.push(("`ls -l` of the directory of 100,000 files", time_shell(&format!("ls -l {unpacked}/many >/dev/null"), RUNS, &|| {})?));
        clear();
        Ok(())
    })?;
    let mut runs = None;
    stage("save and explorer in headless Chromium", || {
        runs = Some(browser(RUNS, &oci.to_string_lossy(), "bench/debian:minbase", &archive, "many/files:100000")?);
        Ok(())
    })?;
    let runs = runs.ok_or("no browser runs")?;
    let save = Spread::of(runs.save.iter().map(|r| r.ms / 1e3).collect());
    let open = Spread::of(runs.open.iter().map(|r| r.ms / 1e3).collect());
    let bytes = runs.save.first().map_or(0.0, |r| r.bytes);
    let peer = |name: &str| peers.iter().find(|(n, _)| n.contains(name)).map(|p| p.1).unwrap_or_default();
    let mut r = String::new();
    let _ = writeln!(r, "## Export and the explorer\n");
    let _ = writeln!(r, "Produced by `cargo xtask bench export` (it rewrites this section); medians of {RUNS} runs with min–max, peers in the same run. The image is the import benchmark's `bench/debian:minbase` ({:.0} MB as saved); the directory is `tests/fixtures/make_many.py`'s 100,000 files in one folder ({:.0} MB archive).\n", bytes / MB, file_size(std::path::Path::new(&archive)) / MB);
    let _ = writeln!(r, "| what | time |\n|---|---|");
    let _ = writeln!(r, "| Layerwise: Save .tar on the image page, click to the archive on disk (Blob download) | {} |", save.show("s", 2));
    let _ = writeln!(r, "| Layerwise: open the folder of 100,000 files in the explorer, click to its first rows shown | {} |", open.show("s", 2));
    for (name, s) in &peers {
        let _ = writeln!(r, "| {name} | {} |", s.show("s", 2));
    }
    let _ = writeln!(r, "\n| ratio | measured |\n|---|---|");
    let _ = writeln!(r, "| save ÷ `skopeo copy oci:DIR oci-archive:X` | {:.2}× |", save.median / peer("oci-archive").median);
    let _ = writeln!(r, "| opening 100,000 files ÷ `ls -l` of them | {:.2}× |", open.median / peer("ls -l").median);
    write_section("export", &r)?;
    println!("{r}");
    Ok(())
}
