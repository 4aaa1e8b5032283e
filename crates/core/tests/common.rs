use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use layerwise_core::archive::MemorySource;
use layerwise_core::archive::PlatformChoice;
use layerwise_core::import::{import_archive, ImportError, ImportRequest, Imported};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::MemoryStore;

/// The fixtures of `tests/fixtures/make.sh`, made once per test run.
pub(crate) fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = std::env::temp_dir().join(format!("layerwise-core-fixtures-{}", std::process::id()));
        let status = Command::new(root.join("tests/fixtures/make.sh")).arg(&dir).status().expect("run tests/fixtures/make.sh");
        assert!(status.success(), "tests/fixtures/make.sh failed: umoci, skopeo and podman must be installed (cargo xtask test installs them)");
        dir
    })
}

/// `../shared/fixtures`, when this checkout has it.
pub(crate) fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("notice: {} is absent; tests of the shared real archives are skipped", dir.display());
        None
    }
}

pub(crate) fn now() -> f64 {
    1.8e12
}

/// Imports bytes into `store`, synchronously.
pub(crate) fn import_bytes(store: &MemoryStore, bytes: Vec<u8>, name: &str) -> Result<Vec<Imported>, ImportError> {
    import_platform(store, bytes, name, PlatformChoice::Default)
}

/// Imports bytes with a platform choice.
pub(crate) fn import_platform(store: &MemoryStore, bytes: Vec<u8>, name: &str, platform: PlatformChoice) -> Result<Vec<Imported>, ImportError> {
    let source = MemorySource(bytes);
    let request = ImportRequest { id: name.to_owned(), name: name.to_owned(), platform };
    futures::executor::block_on(import_archive(&source, store, &LocalPipeline, &request, &now, &mut |_| {}))
}

pub(crate) fn import_file(store: &MemoryStore, path: &Path) -> Result<Vec<Imported>, ImportError> {
    import_bytes(store, std::fs::read(path).expect("read fixture"), &path.display().to_string())
}
