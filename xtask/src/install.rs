//! Installing what the app and the tests need, each step skipped when the pinned version is
//! already there.

use crate::run::cmd;

/// trunk 0.22 needs a newer rustc than 1.95; without `--locked` 0.21.14 fails to compile.
const TRUNK: &str = "0.21.14";
/// Must equal the `wasm-bindgen` version pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";
/// What the tests and benchmarks use: the browsers and Chromium's driver, the tools that make
/// and judge fixtures (debootstrap makes the benchmark's Debian image).
const DEBIAN_PACKAGES: &[&str] = &[
    "chromium", "chromium-driver", "firefox-esr", "skopeo", "podman", "umoci", "buildah", "oci-image-tool", "docker-registry", "docker.io", "busybox-static", "python3", "zstd",
    "bsdextrautils", "debootstrap",
];

/// The wasm32 target, trunk and wasm-bindgen-cli at the pinned versions.
pub(crate) fn rust_tools() -> Result<(), String> {
    let targets = cmd("rustup", &["target", "list", "--installed"]).output().unwrap_or_default();
    if !targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]).status()?;
    }
    if cmd("trunk", &["--version"]).output().as_deref() != Some(&format!("trunk {TRUNK}")) {
        cmd("cargo", &["install", "--locked", "trunk", "--version", TRUNK]).status()?;
    }
    if cmd("wasm-bindgen", &["--version"]).output().as_deref() != Some(&format!("wasm-bindgen {WASM_BINDGEN}")) {
        // Not `--locked`: the locked set names a crate version the registry does not serve.
        cmd("cargo", &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]).status()?;
    }
    Ok(())
}

/// The Debian packages the tests use, with apt-get when running as root; otherwise the missing
/// ones are named.
pub(crate) fn debian_packages() -> Result<(), String> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| cmd("dpkg-query", &["-W", "-f=${Status}", p]).output().as_deref() != Some("install ok installed"))
        .collect();
    if !missing.is_empty() {
        install(&missing)?;
    }
    if cmd("docker", &["--version"]).output().is_none() {
        return Err("the docker CLI (28.2) is not installed: the tests use it as the judge of docker's output".to_owned());
    }
    Ok(())
}

fn install(missing: &[&str]) -> Result<(), String> {
    let is_root = cmd("id", &["-u"]).output().as_deref() == Some("0");
    if !is_root {
        return Err(format!("missing Debian packages: {}; install them with `sudo apt-get install {}`", missing.join(", "), missing.join(" ")));
    }
    cmd("apt-get", &["update", "-qq"]).status()?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing);
    cmd("apt-get", &args).env("DEBIAN_FRONTEND", "noninteractive").status()
}
