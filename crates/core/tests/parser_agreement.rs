//! Parser agreement: for every layer of every archive we accept, our entry list (path, type,
//! link target, size, mode) equals what GNU tar and Python's tarfile read from the same bytes.
//! A disagreement is how smuggling bugs (CVE-2025-62518 class) show.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use layerwise_core::media_type::Compression;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_core::tar::EntryKind;

use crate::common::{generated, import_file, shared};

/// (path without a trailing `/`, type letter, link target, size, permission bits)
type Row = (String, char, String, u64, u32);

fn run(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect(program);
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn letter(kind: EntryKind) -> char {
    match kind {
        EntryKind::File => '-',
        EntryKind::Hardlink => 'h',
        EntryKind::Symlink => 'l',
        EntryKind::CharDevice => 'c',
        EntryKind::BlockDevice => 'b',
        EntryKind::Directory => 'd',
        EntryKind::Fifo => 'p',
    }
}

fn python_rows(tar: &[u8]) -> Vec<Row> {
    let script = r#"
import io, json, sys, tarfile
kinds = {tarfile.REGTYPE: "-", tarfile.AREGTYPE: "-", tarfile.CONTTYPE: "-", tarfile.LNKTYPE: "h", tarfile.SYMTYPE: "l",
         tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.DIRTYPE: "d", tarfile.FIFOTYPE: "p"}
t = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:")
print(json.dumps([[m.name.rstrip("/"), kinds.get(m.type, "?"), m.linkname, m.size, m.mode & 0o7777] for m in t.getmembers()]))
"#;
    let out = run("python3", &["-c", script], tar);
    let rows: Vec<(String, String, String, u64, u32)> = serde_json::from_slice(&out).unwrap();
    rows.into_iter().map(|(p, k, l, s, m)| (p, k.chars().next().unwrap_or('?'), l, s, m)).collect()
}

/// GNU tar's verbose listing: `MODE OWNER SIZE DATE TIME NAME[ -> TARGET| link to TARGET]`.
fn gnu_rows(tar: &[u8]) -> Vec<(String, char, String, u64, String)> {
    let out = run("tar", &["--numeric-owner", "--full-time", "-tvf", "-"], tar);
    String::from_utf8_lossy(&out)
        .lines()
        .map(|line| {
            // The first five fields are padded with spaces; the name is everything after the time.
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (mode, size) = (parts[0], parts[2].parse::<u64>().unwrap_or(0));
            let rest = line.split_once(&format!("{} {}", parts[3], parts[4])).map_or("", |x| x.1).trim_start().to_owned();
            let (name, link) = if let Some((n, l)) = rest.split_once(" -> ") {
                (n.to_owned(), l.to_owned())
            } else if let Some((n, l)) = rest.split_once(" link to ") {
                (n.to_owned(), l.to_owned())
            } else {
                (rest, String::new())
            };
            (name.trim_end_matches('/').to_owned(), mode.chars().next().unwrap_or('?'), link, size, mode[1..10].to_owned())
        })
        .collect()
}

fn permission_string(mode: u32) -> String {
    let mut s = String::new();
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        s.push(if mode & (1 << (8 - i)) != 0 { c } else { '-' });
    }
    let special = [(0o4000, 2, 's', 'S'), (0o2000, 5, 's', 'S'), (0o1000, 8, 't', 'T')];
    let mut chars: Vec<char> = s.chars().collect();
    for (bit, at, set, unset) in special {
        if mode & bit != 0 {
            chars[at] = if chars[at] == 'x' { set } else { unset };
        }
    }
    chars.into_iter().collect()
}

fn uncompressed(blob: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::None => blob.to_vec(),
        Compression::Gzip => run("gzip", &["-dc"], blob),
        Compression::Zstd => run("zstd", &["-dcq"], blob),
        Compression::Xz => run("xz", &["-dcq"], blob),
        Compression::Bzip2 => run("bzip2", &["-dcq"], blob),
    }
}

fn archives() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = ["base.docker.tar", "app.docker.tar", "app.oci.tar", "multi.podman.tar", "platforms.oci.tar"].iter().map(|n| generated().join(n)).collect();
    if let Some(dir) = shared() {
        for name in [
            "wagoodman_dive_test-docker-image.tar",
            "GoogleContainerTools_jib_docker-save.tar",
            "google_go-containerregistry_test_link.tar",
            "google_go-containerregistry_hello-world-v25.tar",
            "snyk_snyk-docker-plugin_docker-oci-busybox.armv7.tar",
            "snyk_snyk-docker-plugin_nodes-fake-multi.tar",
            "wagoodman_dive_test-kaniko-image.tar",
            "google_go-containerregistry_whiteout_image.tar",
            "wagoodman_dive_test-oci-uncompressed-image.tar",
            "wagoodman_dive_test-oci-gzip-image.tar",
            "wagoodman_dive_test-oci-zstd-image.tar",
            "snyk_snyk-docker-plugin_busybox-1.31.1.tar",
            "anchore_stereoscope_valid-oci.tar",
            "oras-project_oras-go_hello-world.tar",
            "snyk_snyk-docker-plugin_containerd-busybox.amd64.tar",
            "google_go-containerregistry_foreign.tar",
            "aquasecurity_trivy_alpine-310.tar.gz",
        ] {
            all.push(dir.join(name));
        }
    }
    all
}

#[test]
fn every_accepted_layer_lists_as_gnu_tar_and_python_list_it() {
    let mut layers = 0;
    for archive in archives() {
        let store = MemoryStore::new();
        import_file(&store, &archive).unwrap_or_else(|e| panic!("{}: {e}", archive.display()));
        for diff_id in futures::executor::block_on(store.layer_ids()).unwrap() {
            let layer = futures::executor::block_on(store.layer(&diff_id)).unwrap().unwrap();
            let (blob, compression) = layer.blobs.iter().next().unwrap();
            let bytes = futures::executor::block_on(store.read_blob(blob, u64::MAX)).unwrap();
            let tar = uncompressed(&bytes, *compression);
            let ours: Vec<Row> = layer
                .entries
                .iter()
                .map(|e| (e.path.trim_end_matches('/').to_owned(), letter(e.kind), e.link.clone().unwrap_or_default(), e.size, e.mode & 0o7777))
                .collect();
            let what = format!("{} layer {diff_id}", archive.display());
            assert_eq!(ours, python_rows(&tar), "Python tarfile disagrees on {what}");
            let gnu: Vec<_> = ours.iter().map(|(p, k, l, s, m)| (p.clone(), *k, l.clone(), if *k == 'h' { 0 } else { *s }, permission_string(*m))).collect();
            assert_eq!(gnu, gnu_rows(&tar), "GNU tar disagrees on {what}");
            layers += 1;
        }
    }
    eprintln!("parser agreement: {layers} layers, 0 disagreements with GNU tar and Python tarfile");
}
