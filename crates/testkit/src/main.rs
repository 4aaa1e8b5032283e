//! `local-registry [--no-cors] [NAME=ARCHIVE ...]`: starts a seeded local registry for the
//! end-to-end suite (with CORS headers unless `--no-cors`), prints `registry at 127.0.0.1:PORT`,
//! and runs until stdin closes or it is killed.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use layerwise_testkit::LocalRegistry;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cors = !args.iter().any(|a| a == "--no-cors");
    let registry = match LocalRegistry::start_with_cors(cors) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("local-registry: {e}");
            return ExitCode::FAILURE;
        }
    };
    for arg in args.into_iter().filter(|a| a != "--no-cors") {
        let Some((name, archive)) = arg.split_once('=') else {
            eprintln!("local-registry: expected NAME=ARCHIVE, got {arg}");
            return ExitCode::FAILURE;
        };
        if let Err(e) = registry.seed(Path::new(archive), name) {
            eprintln!("local-registry: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("registry at {}", registry.host());
    // Until the parent closes stdin (or kills us: Drop does not run then, the storage is in /tmp).
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}
