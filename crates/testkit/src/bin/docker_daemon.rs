//! `docker-daemon`: starts a private dockerd for the end-to-end suite (see [`Daemon`]), prints
//! `daemon at unix://…/docker.sock`, and runs until stdin closes; dockerd stops with it (its
//! watchdog stops it too if this process is killed).

use std::io::Read;
use std::process::ExitCode;

use layerwise_testkit::Daemon;

fn main() -> ExitCode {
    let daemon = match Daemon::start() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("docker-daemon: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("daemon at {}", daemon.host());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(daemon);
    ExitCode::SUCCESS
}
