use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use layerwise_core::cli::commands::{read, Read};
use layerwise_core::cli::run::{run_read_only, Output, Snapshot};
use layerwise_core::cli::shell;
use layerwise_core::digest::Digest;
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

/// The words of a console line, split and expanded by the console's own shell (so quoting is
/// the same on both sides).
pub(crate) fn words(line: &str) -> Vec<String> {
    shell::expand(&shell::parse(line).expect("parse")[0], &mut |_| String::new())
}

/// Runs each read-only `line` through the real docker CLI against the harness and through the
/// console over the harness's store as it is now; returns a report of each line whose stdout,
/// stderr or exit status differ (the console's clock may be any second the CLI ran in).
pub(crate) fn judge_read_only<S: AsRef<str>>(h: &Harness, lines: &[S]) -> Vec<String> {
    let images = h.state.images();
    let config = |id: &Digest| h.state.config(id);
    let containers = h.state.containers();
    let mut differ = Vec::new();
    for line in lines {
        let line = line.as_ref();
        let words = words(line);
        let before = now();
        let theirs = h.docker_output(&words[1..]);
        let after = now();
        let Read::Run(inv) = read(&words) else { panic!("{line}: not a command") };
        let ours_at = |t: i64| {
            let snapshot = Snapshot { images: &images, config: &config, containers: &containers, now: t };
            let Output { stdout, stderr, status } = run_read_only(&inv, &snapshot).expect("read-only");
            (stdout, stderr, status)
        };
        if !(before..=after).any(|t| ours_at(t) == theirs) {
            differ.push(format!("{line}\n  docker: {theirs:?}\n  ours:   {:?}", ours_at(after)));
        }
    }
    differ
}

/// Adds sessions on `test/base:1` numbered from `next` until two session IDs share a first
/// hex digit (at most 17 are needed); returns that digit.
pub(crate) fn sessions_sharing_a_digit(h: &Harness, next: u64) -> String {
    (next..=next + 16)
        .find_map(|n| {
            let ids: Vec<String> = h.state.containers().iter().map(|c| c.id.clone()).collect();
            let shared = (0..16).map(|d| format!("{d:x}")).find(|p| ids.iter().filter(|i| i.starts_with(p.as_str())).count() >= 2);
            if shared.is_none() {
                add_session(h, n, "test/base:1", "", 0);
            }
            shared
        })
        .expect("two session IDs with one first digit")
}

/// Adds edit session `n` (ID and name made from `n`, started `n` hours ago) on the image
/// `image_ref` names, with `command` and a written file of `written` bytes (none for 0); returns
/// its ID.
pub(crate) fn add_session(h: &Harness, n: u64, image_ref: &str, command: &str, written: u64) -> String {
    use layerwise_core::change::{ChangeSet, NewEntry, Write};
    let image = layerwise_core::store::resolve(&h.state.images(), image_ref).expect("the session's image").id.clone();
    let mut changes = ChangeSet::default();
    if written > 0 {
        changes.writes.insert(format!("data/{n}.bin"), Write { entry: NewEntry::File { content: format!("file-{n}"), size: written }, mode: 0o644 });
    }
    let id = layerwise_core::digest::Digest::of(format!("session {n}").as_bytes()).hex().to_owned();
    h.state.add_container(layerwise_core::container::ContainerRecord {
        id: id.clone(),
        name: layerwise_core::container::docker_name(n * 7919),
        image,
        image_ref: image_ref.into(),
        created_ms: (now() - 3600 * n as i64) as f64 * 1000.0,
        command: command.into(),
        changes,
    });
    id
}

/// The first hex digit two image IDs start with. When the fixtures' random IDs share none,
/// copies of `test/base:1` are added under made-up IDs until two do (at most 16 are needed).
pub(crate) fn shared_image_prefix(h: &Harness) -> String {
    let base = layerwise_core::store::resolve(&h.state.images(), "test/base:1").cloned().expect("test/base:1");
    let config = h.state.config(&base.id).expect("its config");
    for n in 0u8..=16 {
        let images = h.state.images();
        let shared = (0..16).map(|d| format!("{d:x}")).find(|p| images.iter().filter(|i| i.id.hex().starts_with(p.as_str())).count() >= 2);
        if let Some(p) = shared {
            return p;
        }
        let copy = layerwise_core::store::ImageRecord { id: Digest::of(&[n]), repo_tags: vec![format!("test/copy:{n}")], repo_digests: Vec::new(), ..base.clone() };
        h.state.add_image(copy, config.clone());
    }
    panic!("17 image IDs and no first digit shared")
}
