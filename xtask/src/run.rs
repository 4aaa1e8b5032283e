//! Running commands from the repository root, and timing stages.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// The repository root (xtask's parent).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/`).
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// A command to run from the repository root.
pub(crate) struct Cmd(Command);

pub(crate) fn cmd(program: &str, args: &[&str]) -> Cmd {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    Cmd(c)
}

impl Cmd {
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.0.env(key, value);
        self
    }

    pub(crate) fn dir(mut self, dir: &str) -> Self {
        self.0.current_dir(root().join(dir));
        self
    }

    /// Runs it; an error names the command when it fails or cannot start.
    pub(crate) fn status(mut self) -> Result<(), String> {
        let shown = format!("{:?}", self.0);
        match self.0.status() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!("{shown} failed ({s})")),
            Err(e) => Err(format!("{shown} could not start: {e}")),
        }
    }

    /// Runs it and returns its trimmed stdout, or `None` if it fails or cannot start.
    pub(crate) fn output(mut self) -> Option<String> {
        let out = self.0.output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

/// Runs a stage, printing its name and how long it took.
pub(crate) fn stage(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    println!("== {name}");
    let started = Instant::now();
    let result = f();
    println!("== {name}: {} in {:.1}s", if result.is_ok() { "ok" } else { "FAILED" }, started.elapsed().as_secs_f64());
    result
}
