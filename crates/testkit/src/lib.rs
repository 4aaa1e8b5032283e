//! A real registry for tests: Debian's `docker-registry` (the CNCF distribution registry 2.8) on
//! 127.0.0.1, with the CORS headers a browser needs (`../shared/DESIGN.md`, "Registries"), seeded
//! with `skopeo copy` from archives made by real tools.

pub mod daemon;
pub use daemon::Daemon;

use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The archives of `tests/fixtures/make.sh` (made by umoci, skopeo, podman and buildah), made
/// once per test process in a temporary folder.
///
/// # Panics
/// When the script fails (the tools it needs are missing): a test cannot go on without them.
pub fn generated_fixtures() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("layerwise-fixtures-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/make.sh");
        let ok = Command::new(script).arg(&dir).status().is_ok_and(|s| s.success());
        assert!(ok, "tests/fixtures/make.sh failed: umoci, skopeo, podman and buildah must be installed");
        dir
    })
}

/// A running `docker-registry`, stopped (and its storage removed) on drop.
pub struct LocalRegistry {
    child: Child,
    dir: PathBuf,
    port: u16,
}

/// The registry's configuration: filesystem storage in `dir`, no auth, CORS for any origin
/// (unless `cors` is false).
fn config(dir: &Path, port: u16, cors: bool) -> String {
    let headers = if cors {
        "  headers:
    Access-Control-Allow-Origin: ['*']
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS']
    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Range']
    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate', 'Link', 'Content-Range']
"
    } else {
        ""
    };
    format!(
        r#"version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
{headers}"#,
        root = dir.join("storage").display()
    )
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl LocalRegistry {
    /// Starts a registry on a free port and waits until `/v2/` answers.
    ///
    /// # Errors
    /// When `docker-registry` is missing or does not come up within 20 s.
    pub fn start() -> io::Result<Self> {
        Self::start_with_cors(true)
    }

    /// Starts a registry that sends CORS headers, or (`cors` false) one that sends none, as
    /// Docker Hub, GHCR and Quay do.
    ///
    /// # Errors
    /// As [`LocalRegistry::start`].
    pub fn start_with_cors(cors: bool) -> io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("layerwise-registry-{}-{}", std::process::id(), free_port()?));
        std::fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config(&dir, port, cors))?;
        let log = std::fs::File::create(dir.join("registry.log"))?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("docker-registry (Debian package docker-registry): {e}")))?;
        let registry = Self { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !registry.answers() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(registry.dir.join("registry.log")).unwrap_or_default();
                return Err(io::Error::new(io::ErrorKind::TimedOut, format!("docker-registry did not answer within 20 s: {log}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(registry)
    }

    fn answers(&self) -> bool {
        use std::io::Write;
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        if stream.write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
            return false;
        }
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && head.ends_with(b"200")
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// What the registry logged (its 404s for blobs a push probes are normal).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default()
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Pushes an archive (`docker-archive:` or `oci-archive:` by its name) as `name` (with its tag).
    ///
    /// # Errors
    /// When skopeo fails; its message is in the error.
    pub fn seed(&self, archive: &Path, name: &str) -> io::Result<()> {
        let transport = if archive.to_string_lossy().contains(".oci.") { "oci-archive" } else { "docker-archive" };
        let out = Command::new("skopeo")
            .args(["copy", "-q", "--all", "--dest-tls-verify=false"])
            .arg(format!("{transport}:{}", archive.display()))
            .arg(format!("docker://{}/{name}", self.host()))
            .output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!("skopeo copy {} to {name}: {}", archive.display(), String::from_utf8_lossy(&out.stderr))))
        }
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
