//! A real docker daemon for tests: Debian's `docker.io` (dockerd 20.10, the classic image store,
//! `vfs`, no networking) on a private socket under a temporary folder, never the default one
//! (`../shared/DESIGN.md`, "The real daemon"). The docker CLI on the PATH (28.2) talks to it and
//! negotiates the API down to 1.41.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// A running dockerd, stopped (and its folder removed) on drop or, should the test process die
/// first, by the watchdog shell it runs under.
pub struct Daemon {
    dir: PathBuf,
    watchdog: Child,
}

impl Daemon {
    /// Starts a daemon in a new temporary folder and waits until `docker info` answers.
    ///
    /// # Errors
    /// When dockerd is missing (Debian package `docker.io`) or does not answer within 60 s.
    pub fn start() -> io::Result<Self> {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("layerwise-dockerd-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let d = dir.display();
        // The watchdog stops dockerd with SIGTERM (so it stops its containerd too) when the test
        // process is gone, whichever way it ended.
        let script = format!(
            "dockerd --data-root {d}/root --exec-root {d}/exec -H unix://{d}/docker.sock --pidfile {d}/pid \
             --storage-driver vfs --iptables=false --ip6tables=false --bridge=none --ip-masq=false \
             >{d}/dockerd.log 2>&1 & daemon=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $daemon 2>/dev/null && [ ! -e {d}/stop ]; do sleep 0.2; done; \
             kill -TERM $daemon 2>/dev/null; wait $daemon; rm -rf {d}",
            parent = std::process::id()
        );
        if Command::new("dockerd").arg("--version").output().is_err() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "dockerd is not installed (Debian package docker.io)"));
        }
        let watchdog = Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).spawn()?;
        let daemon = Self { dir, watchdog };
        let deadline = Instant::now() + Duration::from_secs(60);
        while daemon.docker_output(&["info", "--format", "{{.ServerVersion}}"], None)?.status.code() != Some(0) {
            if Instant::now() > deadline {
                return Err(io::Error::new(io::ErrorKind::TimedOut, format!("dockerd did not answer within 60 s: {}", daemon.log())));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(daemon)
    }

    /// One daemon for the whole test process, started on first use; tests take turns with it
    /// (each starts from [`Daemon::reset`] when it needs an empty daemon).
    ///
    /// # Panics
    /// When the daemon cannot be started: a test that needs it cannot go on.
    pub fn shared() -> MutexGuard<'static, Daemon> {
        static DAEMON: OnceLock<Mutex<Daemon>> = OnceLock::new();
        let daemon = DAEMON.get_or_init(|| Mutex::new(Self::start().expect("start dockerd (Debian package docker.io)")));
        daemon.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `unix://…/docker.sock`, for `DOCKER_HOST`.
    pub fn host(&self) -> String {
        format!("unix://{}/docker.sock", self.dir.display())
    }

    /// What dockerd logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default()
    }

    /// The docker CLI on the PATH run against this daemon, `stdin` fed when given.
    ///
    /// # Errors
    /// When the CLI cannot be started.
    pub fn docker_output(&self, args: &[&str], stdin: Option<&[u8]>) -> io::Result<Output> {
        let mut command = Command::new("docker");
        command
            .args(args)
            .env("DOCKER_HOST", self.host())
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_CONFIG", self.dir.join("cli-config"))
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn()?;
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let bytes = bytes.to_vec();
            std::thread::spawn(move || pipe.write_all(&bytes));
        }
        child.wait_with_output()
    }

    /// Runs the docker CLI against this daemon; its stdout.
    ///
    /// # Errors
    /// When it exits non-zero; its stderr is in the error.
    pub fn docker(&self, args: &[&str]) -> io::Result<String> {
        let out = self.docker_output(args, None)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(io::Error::other(format!("docker {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr))))
        }
    }

    /// Removes every container and image, so the daemon lists only what a test loads next.
    ///
    /// # Errors
    /// When docker refuses.
    pub fn reset(&self) -> io::Result<()> {
        let containers = self.docker(&["ps", "-aq"])?;
        let containers: Vec<&str> = containers.split_whitespace().collect();
        if !containers.is_empty() {
            self.docker(&[&["rm", "-f"][..], &containers].concat())?;
        }
        // A parent cannot go before its children (dockerd: "image has dependent child
        // images"), so each round removes what it can until nothing is left.
        for _ in 0..64 {
            let images = self.docker(&["images", "-aq", "--no-trunc"])?;
            let mut images: Vec<&str> = images.split_whitespace().collect();
            images.sort_unstable();
            images.dedup();
            if images.is_empty() {
                return Ok(());
            }
            for image in images {
                self.docker_output(&["rmi", "-f", image], None)?;
            }
        }
        Err(io::Error::other("images are left after 64 rounds of docker rmi -f"))
    }

    /// Imports a busybox root filesystem as `tag` (`docker import`): `/bin/busybox` of Debian's
    /// `busybox-static` with a link per applet, `/etc/passwd` with `root` and `app` (1000), and
    /// `/tmp`. The base image tests build on, with no network.
    ///
    /// # Errors
    /// When busybox is missing or docker refuses the import.
    pub fn import_busybox(&self, tag: &str) -> io::Result<()> {
        let root = self.dir.join(format!("rootfs-{}", tag.replace([':', '/'], "_")));
        busybox_rootfs(&root)?;
        let tar = Command::new("tar").args(["--numeric-owner", "--owner=0", "--group=0", "-C"]).arg(&root).args(["-cf", "-", "."]).output()?;
        if !tar.status.success() {
            return Err(io::Error::other(format!("tar of the busybox rootfs: {}", String::from_utf8_lossy(&tar.stderr))));
        }
        let out = self.docker_output(&["import", "-", tag], Some(&tar.stdout))?;
        if !out.status.success() {
            return Err(io::Error::other(format!("docker import: {}", String::from_utf8_lossy(&out.stderr))));
        }
        Ok(())
    }
}

/// Writes a busybox root filesystem into `root`.
fn busybox_rootfs(root: &Path) -> io::Result<()> {
    let busybox = Path::new("/bin/busybox");
    let list = Command::new(busybox).arg("--list").output().map_err(|e| io::Error::new(e.kind(), format!("/bin/busybox (Debian package busybox-static): {e}")))?;
    for dir in ["bin", "etc", "tmp", "root", "home/app"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    std::fs::copy(busybox, root.join("bin/busybox"))?;
    for applet in String::from_utf8_lossy(&list.stdout).split_whitespace().filter(|a| *a != "busybox") {
        let link = root.join("bin").join(applet);
        if !link.exists() {
            std::os::unix::fs::symlink("busybox", link)?;
        }
    }
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")?;
    std::fs::write(root.join("etc/group"), "root:x:0:\napp:x:1000:\n")?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777))
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = std::fs::write(self.dir.join("stop"), b"");
        let _ = self.watchdog.wait();
    }
}
