//! Running the cargo-fuzz targets of `fuzz/`.

use crate::run::{cmd, stage};

/// The targets, as named in `fuzz/Cargo.toml`.
const TARGETS: [&str; 6] = ["decompress", "tar_entries", "archive_import", "json_models", "digest_parse", "layer_apply"];
/// cargo-fuzz at the version checked on these machines.
const CARGO_FUZZ: &str = "0.13.2";

/// True when `cargo +nightly` works here.
pub(crate) fn nightly_present() -> bool {
    cmd("cargo", &["+nightly", "--version"]).output().is_some()
}

/// Runs each target for `seconds` (all targets when `targets` is empty). New inputs go to a
/// scratch corpus under `fuzz/target`, so the committed seeds stay as they are; a crash fails
/// the run and leaves its input in `fuzz/artifacts/<target>/`.
pub(crate) fn run(seconds: u32, targets: &[String]) -> Result<(), String> {
    if !nightly_present() {
        return Err("fuzzing needs the nightly toolchain (`rustup toolchain install nightly`)".to_owned());
    }
    if cmd("cargo", &["+nightly", "fuzz", "--version"]).output().as_deref() != Some(&format!("cargo-fuzz {CARGO_FUZZ}")) {
        cmd("cargo", &["install", "--locked", "cargo-fuzz", "--version", CARGO_FUZZ]).status()?;
    }
    stage("fuzz targets build (cargo +nightly fuzz build -O)", || cmd("cargo", &["+nightly", "fuzz", "build", "-O"]).dir("fuzz").status())?;
    let chosen: Vec<&str> = if targets.is_empty() { TARGETS.to_vec() } else { targets.iter().map(String::as_str).collect() };
    for target in chosen {
        let scratch = format!("target/corpus/{target}");
        let _ = std::fs::create_dir_all(crate::run::root().join("fuzz").join(&scratch));
        let seeds = format!("corpus/{target}");
        let time = format!("-max_total_time={seconds}");
        stage(&format!("fuzz {target} for {seconds}s"), || {
            cmd("cargo", &["+nightly", "fuzz", "run", "-O", target, &scratch, &seeds, "--", &time, "-rss_limit_mb=2048", "-timeout=10"])
                .dir("fuzz")
                .status()
        })?;
    }
    Ok(())
}
