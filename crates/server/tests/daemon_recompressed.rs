//! xz and bzip2 layers judged by the real daemon: docker reads them (moby `DecompressStream`)
//! and keeps them as plain tars, and so do we.

use std::path::{Path, PathBuf};

use layerwise_core::media_type::Compression;
use layerwise_core::tar::EntryKind;
use layerwise_testkit::Daemon;

use crate::common::Harness;
use crate::daemon::{assert_daemon_loads, judge, made, save_from, tar_rows};

/// `archive` with every `layer.tar` compressed by `compressors` in turn (`xz`, `bzip2`).
fn recompressed(archive: &Path, compressors: &[&str], out: &Path) -> PathBuf {
    let mut rewritten = layerwise_core::tar::TarWriter::new();
    let mut n = 0;
    for (path, row) in tar_rows(&std::fs::read(archive).unwrap()) {
        let content = if path.ends_with("layer.tar") && row.kind == EntryKind::File {
            n += 1;
            compressed(compressors[(n - 1) % compressors.len()], &row.content)
        } else {
            row.content
        };
        rewritten.entry(&path, row.kind, &content, row.mode, row.link.as_deref());
    }
    assert!(n > 1, "the archive has layers");
    std::fs::write(out, rewritten.finish()).unwrap();
    out.to_path_buf()
}

/// `bytes` compressed by the real `program`.
fn compressed(program: &str, bytes: &[u8]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("layerwise-recompress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("layer");
    std::fs::write(&plain, bytes).unwrap();
    let out = std::process::Command::new(program).args(["-c", "-q"]).arg(&plain).output().unwrap();
    assert!(out.status.success(), "{program}");
    out.stdout
}

/// docker reads xz and bzip2 layers (moby `DecompressStream`) and keeps them as plain tars: a
/// daemon save with its layers recompressed so prints alike in both, and what the harness saves
/// of it (the plain tars) the daemon loads as we predict and runs.
#[test]
fn xz_and_bzip2_layers_import_as_the_daemon_loads_them_and_save_as_plain_tars() {
    let d = Daemon::shared();
    let m = made(&d);
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-xz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = recompressed(&m.build, &["xz", "bzip2"], &dir.join("build-xz-bzip2.tar"));
    judge(&d, &archive);
    let h = Harness::start(&[archive]);
    let saved = save_from(&h, &["test/built:1"], &dir.join("saved.tar"));
    for (path, row) in tar_rows(&std::fs::read(&saved).unwrap()) {
        if path.starts_with("blobs/sha256/") && row.content.len() > 4 {
            assert!(!matches!(Compression::sniff(&row.content), Compression::Xz | Compression::Bzip2), "{path} is saved as it came");
        }
    }
    assert_daemon_loads(&d, &saved, "the recompressed build, saved");
    assert_eq!(d.docker(&["run", "--rm", "--network", "none", "test/built:1"]).unwrap(), "hi\n");
}
