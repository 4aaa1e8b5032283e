use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use layerwise_server::engine_api::{self, State};

/// The archives of `tests/fixtures/make.sh`, made once per test run.
pub(crate) fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("layerwise-server-fixtures-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/make.sh");
        let ok = Command::new(script).arg(&dir).status().is_ok_and(|s| s.success());
        assert!(ok, "tests/fixtures/make.sh failed: umoci, skopeo and podman must be installed");
        dir
    })
}

/// `../shared/fixtures/NAME`, when this checkout has the shared fixtures.
pub(crate) fn shared(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures").join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("notice: {} is absent; skipped", path.display());
        None
    }
}

/// The archives the tests load: the generated ones, plus real ones when present.
pub(crate) fn archives() -> Vec<PathBuf> {
    let mut all = vec![generated().join("base.docker.tar"), generated().join("app.docker.tar")];
    for name in ["wagoodman_dive_test-docker-image.tar", "google_go-containerregistry_test_link.tar", "GoogleContainerTools_jib_docker-save.tar"] {
        all.extend(shared(name));
    }
    all
}

/// A running harness.
pub(crate) struct Harness {
    pub(crate) state: Arc<State>,
    pub(crate) addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Harness {
    pub(crate) fn start(archives: &[PathBuf]) -> Self {
        let state = State::load(archives).expect("load archives");
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let router = engine_api::router(state.clone());
        runtime.spawn(async move { axum::serve(listener, router).await });
        Self { state, addr, _runtime: runtime }
    }

    /// Runs the real docker CLI against the harness; returns stdout, or panics with stderr.
    pub(crate) fn docker(&self, args: &[&str]) -> String {
        let (stdout, stderr, status) = self.docker_output(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>());
        assert_eq!(status, 0, "docker {args:?}: {stderr}");
        stdout
    }

    /// Runs the real docker CLI against the harness: stdout, stderr and the exit status,
    /// whatever they are.
    pub(crate) fn docker_output(&self, args: &[String]) -> (String, String, i32) {
        let out = Command::new("docker")
            .args(args)
            .env("DOCKER_HOST", format!("tcp://{}", self.addr))
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_CONFIG", std::env::temp_dir().join("layerwise-docker-config"))
            .output()
            .expect("the docker CLI must be installed");
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code().unwrap_or(-1))
    }
}

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Asserts `got` equals what `render` gives at some second between `before` and `after`
/// (the CLI reads its own clock: "N seconds ago" may tick between the two).
pub(crate) fn assert_rendered(got: &str, before: i64, after: i64, render: impl Fn(i64) -> String) {
    if (before..=after).any(|t| render(t) == got) {
        return;
    }
    panic!("docker printed:\n{got}\nthe core renders:\n{}", render(after));
}
