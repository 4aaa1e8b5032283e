//! Compression (reliability.md 1C): gzip, zstd, xz and bzip2 layers made by the real tools,
//! broken ones, archives compressed as a whole, and one zstd bomb.

use std::io::Write;
use std::process::{Command, Stdio};

use layerwise_core::archive::ArchiveError;
use layerwise_core::import::ImportError;
use layerwise_core::layer::LayerError;
use layerwise_core::media_type;
use layerwise_core::tar::{header, TarError, TarWriter};
use serde_json::json;

use super::build::{gzip, layer, tool, zstd, Blob, Image, E};
use super::{accepted, archive_error, has_path, image, layer_error, layer_tar, one_image, outer_tar, refused, Case, Category, Expect};

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(format!("compression/{name}"), Category::Compression, source, archive, expect)
}

/// A layer with enough content for the compressors to make several blocks.
fn sample() -> Vec<u8> {
    let text: Vec<u8> = (0..40_000u32).flat_map(|i| format!("line {i} of the corpus sample\n").into_bytes()).collect();
    layer(&[E::Dir("etc"), E::File("etc/hosts", b"127.0.0.1 localhost\n"), E::File("data/text.txt", &text)])
}

/// A docker archive of one layer stored as `blob`, whose tar is `tar`.
fn docker_blob(blob: Vec<u8>, tar: &[u8]) -> Vec<u8> {
    Image::new(vec![Blob { bytes: blob, diff_id: layerwise_core::digest::Digest::of(tar) }]).docker().tar()
}

fn imports() -> Expect {
    accepted(|s, i| one_image(s, i, 1) && has_path(s, i, "data/text.txt"), "the layer's entries are listed")
}

/// Refused for a decompression error of the layer (`format` is `gzip` or `zstd`).
fn bad(format: &'static str, says: &'static str) -> Expect {
    refused(move |e| matches!(layer_error(e), Some((_, LayerError::Decompress { format: f, .. })) if *f == format), says)
}

fn whole(e: &ImportError, format: &str) -> bool {
    matches!(archive_error(e), Some(ArchiveError::Decompress { format: f, .. }) if *f == format)
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    layers(&mut out);
    whole_archives(&mut out);
    out
}

fn layers(out: &mut Vec<Case>) {
    let tar = sample();
    let gz = gzip(&tar);
    let zst = zstd(&tar);
    out.push(case("gzip_layer_oci", "skopeo oci-archive (gzip layers); containerd TestDecompressStream", Image::new(vec![Blob::gzip(&tar)]).oci().tar(), imports()));
    out.push(case("gzip_layer_legacy", "moby DecompressStream detects gzip in `<id>/layer.tar`", docker_blob(gz.clone(), &tar), imports()));
    let (a, b) = tar.split_at(20_000);
    let mut members = gzip(a);
    members.extend(tool("gzip", &["-c", "-n", "-9"], b));
    out.push(case("gzip_multi_member", "flate2 PR #324 / Go gzip.Reader multistream (docker reads every member)", docker_blob(members, &tar), imports()));
    let mut garbage = gz.clone();
    garbage.extend(b"this is not a gzip member");
    out.push(case("gzip_trailing_garbage", "Go compress/gzip multistream: a non-gzip tail is ErrHeader", docker_blob(garbage, &tar), bad("gzip", "layer is not valid gzip")));
    let mut nul = gz.clone();
    nul.push(0);
    out.push(case("gzip_trailing_single_nul", "Go compress/gzip multistream: a partial member header is io.ErrUnexpectedEOF", docker_blob(nul, &tar), bad("gzip", "layer is not valid gzip")));
    let mut zeros = gz.clone();
    zeros.extend([0u8; 512]);
    out.push(case("gzip_trailing_zeros", "Go compress/gzip: zeros after a member are ErrHeader", docker_blob(zeros, &tar), bad("gzip", "layer is not valid gzip")));
    out.push(case("gzip_truncated_trailer", "Go compress/gzip io.ErrUnexpectedEOF (no CRC/ISIZE)", docker_blob(gz[..gz.len() - 4].to_vec(), &tar), bad("gzip", "layer is not valid gzip")));
    out.push(case("gzip_truncated_half", "Go compress/gzip io.ErrUnexpectedEOF", docker_blob(gz[..gz.len() / 2].to_vec(), &tar), refused(|e| layer_error(e).is_some(), "layer `")));
    let mut crc = gz.clone();
    let at = crc.len() - 8;
    crc[at] ^= 0xff;
    out.push(case("gzip_bad_crc", "Go compress/gzip ErrChecksum", docker_blob(crc, &tar), bad("gzip", "layer is not valid gzip")));
    let text = b"plain text, not a tar archive\n".repeat(100);
    out.push(case("gzip_layer_not_a_tar", "moby ApplyLayer of a gzipped text file", docker_blob(gzip(&text), &text), refused(|e| matches!(layer_tar(e), Some(TarError::Checksum(0))), "bad checksum")));
    out.push(case("gzip_of_gzip", "moby TestSaveXzGzAndLoadRepoStdout; containerd decompresses one level only", docker_blob(gzip(&gz), &tar), refused(|e| matches!(layer_tar(e), Some(TarError::Checksum(0))), "bad checksum")));
    let mut random = vec![0x1f, 0x8b, 0x08, 0x00];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    random.extend((0..4096).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x.to_le_bytes()[0]
    }));
    out.push(case("gzip_magic_then_random", "containerd FuzzDecompressStream", docker_blob(random, &tar), bad("gzip", "layer is not valid gzip")));
    out.push(case("zstd_layer_oci", "containerd zstd layers (application/vnd.oci.image.layer.v1.tar+zstd)", Image::new(vec![Blob::zstd(&tar)]).oci().tar(), imports()));
    let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    skippable.extend(&zst);
    out.push(case("zstd_skippable_frame_first", "containerd TestDetectCompressionZstd (magic 0x184D2A5?)", docker_blob(skippable, &tar), imports()));
    let mut frames = zstd(a);
    frames.extend(tool("zstd", &["-q", "-c", "-19", "--no-check"], b));
    out.push(case("zstd_two_frames", "RFC 8878 (concatenated frames)", docker_blob(frames, &tar), imports()));
    out.push(case(
        "zstd_skippable_only",
        "RFC 8878: a stream with no data frame",
        docker_blob(vec![0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9], &tar),
        bad("zstd", "no zstd frame"),
    ));
    out.push(case("zstd_window_too_large", "libzstd ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27 (reliability C7)", docker_blob(tool("zstd", &["-q", "-c", "--long=30", "--zstd=wlog=30"], &tar), &tar), bad("zstd", "window")));
    let mut check = zst.clone();
    let last = check.len() - 1;
    check[last] ^= 0xff;
    out.push(case("zstd_bad_checksum", "RFC 8878 content checksum", docker_blob(check, &tar), bad("zstd", "checksum")));
    out.push(case("zstd_truncated", "zstd \"truncated input\"", docker_blob(zst[..zst.len() - 10].to_vec(), &tar), bad("zstd", "truncated")));
    let mut tail = zst.clone();
    tail.extend(b"garbage after the last frame");
    out.push(case("zstd_trailing_garbage", "zstd \"unknown frame descriptor\"", docker_blob(tail, &tar), refused(|e| matches!(layer_error(e), Some((_, LayerError::Decompress { format: "zstd", .. }))), "layer is not valid zstd")));
    // C8: the bytes decide, as containerd and docker do; the declared type is kept.
    let plain = Image::of(tar.clone()).oci_with(|m| m["layers"][0]["mediaType"] = json!(media_type::OCI_LAYER_GZIP), |_| {});
    out.push(case("media_type_gzip_but_plain", "containerd detects compression by magic (ggcr validate flags the mismatch)", plain.tar(), imports()));
    let zoci = Image::new(vec![Blob::zstd(&tar)]).oci_with(|m| m["layers"][0]["mediaType"] = json!(media_type::OCI_LAYER_TAR), |_| {});
    out.push(case("media_type_plain_but_zstd", "containerd detects compression by magic", zoci.tar(), imports()));
    out.push(zstd_bomb());
    beyond_the_spec(out, &tar);
}

/// Imported, with the layer stored as its plain tar (media type tar, digest the diff_id), as
/// docker keeps an xz or bzip2 layer.
fn imports_as_tar() -> Expect {
    accepted(
        |s, i| {
            one_image(s, i, 1)
                && has_path(s, i, "data/text.txt")
                && image(s, i).is_some_and(|img| img.layers.iter().all(|l| l.blob == l.diff_id && l.media_type.ends_with(".tar")))
        },
        "the layer is stored as its plain tar",
    )
}

/// xz and bzip2 layers: no image-spec media type, but moby's `DecompressStream` reads them (xz
/// with `xz -d`, bzip2 with Go's reader), and the daemon judges these cases too.
fn beyond_the_spec(out: &mut Vec<Case>, tar: &[u8]) {
    let xz = tool("xz", &["-c", "-q"], tar);
    out.push(case("xz_layer", "moby DecompressStream runs `xz -d -c -q` on xz layers", docker_blob(xz.clone(), tar), imports_as_tar()));
    let sha = tool("xz", &["-c", "-q", "--check=sha256", "-9"], tar);
    out.push(case("xz_layer_sha256_check", "xz --check=sha256 -9 (a 64 MiB dictionary)", docker_blob(sha, tar), imports_as_tar()));
    let (a, b) = tar.split_at(30_000);
    let mut streams = tool("xz", &["-c", "-q"], a);
    streams.extend([0; 8]);
    streams.extend(tool("xz", &["-c", "-q", "--check=crc32"], b));
    out.push(case("xz_layer_two_streams_padded", "xz-file-format 2.2: concatenated streams with stream padding (xz -d reads them)", docker_blob(streams.clone(), tar), imports_as_tar()));
    let mut odd = tool("xz", &["-c", "-q"], a);
    odd.extend([0; 3]);
    odd.extend(tool("xz", &["-c", "-q"], b));
    out.push(case("xz_layer_padding_not_four", "xz-file-format 2.2: stream padding is a multiple of four bytes", docker_blob(odd, tar), bad("xz", "multiple of four")));
    out.push(case("xz_layer_truncated", "xz -d: unexpected end of input", docker_blob(xz[..xz.len() - 20].to_vec(), tar), bad("xz", "truncated")));
    let mut corrupt = xz.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x55;
    out.push(case("xz_layer_corrupt", "xz -d: compressed data is corrupt", docker_blob(corrupt, tar), refused(|e| layer_error(e).is_some(), "")));
    let xz_oci = Image::new(vec![Blob { bytes: xz, diff_id: layerwise_core::digest::Digest::of(tar) }]).oci_with(|m| m["layers"][0]["mediaType"] = json!(media_type::OCI_LAYER_TAR), |_| {});
    out.push(case("xz_layer_oci", "an OCI layout naming an xz blob (containerd detects compression by magic)", xz_oci.tar(), imports_as_tar()));

    let bz = tool("bzip2", &["-c", "-q"], tar);
    out.push(case("bzip2_layer", "moby DecompressStream reads bzip2 layers (Go compress/bzip2)", docker_blob(bz.clone(), tar), imports_as_tar()));
    let mut two = tool("bzip2", &["-c", "-q"], a);
    two.extend(tool("bzip2", &["-c", "-q", "-1"], b));
    out.push(case("bzip2_layer_two_streams", "Go compress/bzip2 reads concatenated streams", docker_blob(two, tar), imports_as_tar()));
    let mut tail = bz.clone();
    tail.extend(b"garbage");
    out.push(case("bzip2_layer_trailing_garbage", "Go compress/bzip2: bad magic value in continuation file", docker_blob(tail, tar), bad("bzip2", "continuation")));
    out.push(case("bzip2_layer_truncated", "Go compress/bzip2: unexpected EOF", docker_blob(bz[..bz.len() - 10].to_vec(), tar), bad("bzip2", "truncated")));
}

/// C2: a tar entry of 1 GiB + 1 MiB of zeros, a few hundred KiB of zstd: refused at the 1 GiB floor.
fn zstd_bomb() -> Case {
    let size: u64 = (1 << 30) + (1 << 20);
    let h = header("zeros", b'0', size, 0o644, None);
    let mut child = Command::new("zstd").args(["-q", "-c", "-1"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("zstd installed");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        stdin.write_all(&h)?;
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(size >> 20) {
            stdin.write_all(&zeros)?;
        }
        stdin.write_all(&[0u8; 1024])
    });
    let bomb = child.wait_with_output().expect("zstd output").stdout;
    writer.join().expect("writer").expect("write");
    let diff_id = layerwise_core::digest::Digest::of(b"never reached");
    let archive = Image::new(vec![Blob { bytes: bomb, diff_id }]).docker().tar();
    case(
        "zstd_bomb",
        "CVE-2017-14992 (gzip bombing); reliability C2 (budget: 1000x, at least 1 GiB)",
        archive,
        refused(|e| matches!(layer_error(e), Some((_, LayerError::TooLarge { limit: 1_073_741_824 }))), "decompression bomb"),
    )
}

fn whole_archives(out: &mut Vec<Case>) {
    let tar = sample();
    let img = Image::of(tar.clone());
    let docker = img.docker().tar();
    let gz = gzip(&docker);
    out.push(case("whole_gzip", "docker save | gzip (moby load decompresses the stream)", gz.clone(), imports()));
    out.push(case("whole_zstd", "docker save | zstd", zstd(&docker), imports()));
    out.push(case("whole_gzip_oci", "skopeo oci-archive, gzipped", gzip(&img.oci().tar()), imports()));
    out.push(case("whole_zstd_gzip_layers", "a zstd archive of gzip layers (two levels, each decoded once)", zstd(&Image::new(vec![Blob::gzip(&tar)]).oci().tar()), imports()));
    out.push(case("whole_gzip_truncated", "moby TestSaveXzGzAndLoadRepoStdout (no partial image)", gz[..gz.len() / 2].to_vec(), refused(|e| whole(e, "gzip") || matches!(outer_tar(e), Some(TarError::Truncated { .. })), "")));
    let mut crc = gz.clone();
    let at = crc.len() - 8;
    crc[at] ^= 0xff;
    out.push(case("whole_gzip_bad_crc", "Go compress/gzip ErrChecksum", crc, refused(|e| whole(e, "gzip"), "gzip-compressed as a whole and does not decompress")));
    let mut tail = gz.clone();
    tail.extend(b"trailing garbage");
    out.push(case("whole_gzip_trailing_garbage", "Go compress/gzip multistream (ErrHeader)", tail, refused(|e| whole(e, "gzip"), "does not decompress")));
    out.push(case(
        "whole_xz_in_gzip",
        "moby TestSaveXzGzAndLoadRepoStdout (docker load exits 1, the repo must not exist)",
        gzip(&tool("xz", &["-c", "-q"], &docker)),
        refused(|e| matches!(outer_tar(e), Some(TarError::Checksum(0))), "bad checksum"),
    ));
    let text = b"plain text, not a tar archive\n".repeat(100);
    out.push(case("whole_gzip_not_a_tar", "moby load of a gzipped text file (\"archive/tar: invalid tar header\")", gzip(&text), refused(|e| matches!(outer_tar(e), Some(TarError::Checksum(0))), "bad checksum")));
    out.push(case("whole_zstd_not_a_tar", "moby load of a zstd text file", zstd(&text), refused(|e| matches!(outer_tar(e), Some(TarError::Checksum(0))), "bad checksum")));
    out.push(case("whole_bzip2", "docker save | bzip2 (moby load reads bzip2 archives)", tool("bzip2", &["-c", "-q"], &docker), imports()));
    out.push(case("whole_xz", "docker save | xz (moby load reads xz archives)", tool("xz", &["-c", "-q"], &docker), imports()));
    out.push(case("whole_xz_of_xz_layers", "docker save | xz of an archive of xz layers (two levels, each decoded once)", tool("xz", &["-c", "-q"], &docker_blob(tool("xz", &["-c", "-q"], &tar), &tar)), imports_as_tar()));
    let mut wrong = img.clone();
    wrong.config["rootfs"]["diff_ids"] = json!([layerwise_core::digest::Digest::of(b"other").to_string()]);
    out.push(case("whole_gzip_diff_id_mismatch", "moby load \"invalid diffID\" (pass two verifies)", gzip(&wrong.docker().tar()), refused(|e| matches!(archive_error(e), Some(ArchiveError::DiffIdMismatch { index: 0, .. })), "uncompresses to")));
    let mut a = img.docker();
    a.set("manifest.json", b"null".to_vec());
    out.push(
        case("whole_gzip_null_manifest", "ggcr TestNullManifest, compressed as a whole", gzip(&a.tar()), refused(|e| matches!(archive_error(e), Some(ArchiveError::NoImages)), "holds no images")),
    );
    let mut a = img.docker();
    let config = a.config_path();
    let raw = b"not json".to_vec();
    let name = format!("{}.json", layerwise_core::digest::Digest::of(&raw).hex());
    let entry = a.get_mut(&config);
    entry.name = name.clone();
    entry.data = raw;
    a.edit_json("manifest.json", |m| m[0]["Config"] = json!(name));
    out.push(
        case("whole_gzip_config_not_json", "moby load json error on the config, compressed as a whole", gzip(&a.tar()), refused(|e| matches!(archive_error(e), Some(ArchiveError::Json(_))), "is not valid")),
    );
    let mut a = img.docker();
    a.set("manifest.json", b"[] ".repeat(10));
    out.push(case("whole_gzip_manifest_then_more", "moby's json.Decoder reads the first value, `[]`: nothing loads (compressed as a whole)", gzip(&a.tar()), refused(|e| matches!(archive_error(e), Some(ArchiveError::NoImages)), "holds no images")));
    let mut pad = docker.clone();
    pad.extend(vec![0u8; 4 << 20]);
    out.push(case("whole_gzip_zero_padding", "moby TestImportExtremelyLargeImageWorks (padding after the end marker)", gzip(&pad), imports()));
    // Pass one keeps JSON files in memory: at most 64 MiB of them.
    let mut a = img.docker();
    let big = format!("{{\"pad\":\"{}\"}}", "a".repeat((4 << 20) - 16));
    for n in 0..17 {
        a.entries.insert(0, super::build::Outer::file(&format!("extra/{n}.json"), big.clone().into_bytes()));
    }
    out.push(case(
        "whole_gzip_too_much_metadata",
        "reliability 4.7 (JSON kept in memory is bounded; never truncate-and-parse)",
        gzip(&a.tar()),
        refused(|e| matches!(archive_error(e), Some(ArchiveError::TooMuchMetadata(_))), "add up to more than"),
    ));
    let mut a = img.docker();
    let mut manifest = vec![b' '; 2 << 20];
    manifest.extend(a.data("manifest.json"));
    a.set("manifest.json", manifest);
    out.push(case("whole_gzip_json_after_whitespace", "JSON may start with whitespace (Go and serde accept it)", gzip(&a.tar()), imports()));
    let mut a = img.docker();
    let mut spaces = vec![b' '; (4 << 20) - 1];
    spaces.push(b'x');
    for n in 0..3 {
        a.entries.insert(0, super::build::Outer::file(&format!("pad/{n}"), spaces.clone()));
    }
    out.push(
        case("whole_gzip_whitespace_files", "reliability F6 (bounded time): 12 MiB of spaces in files that turn out not to be JSON, 12 KiB of gzip", gzip(&a.tar()), imports())
            .within_ms(2000),
    );
    let empty = TarWriter::new().finish();
    out.push(case("whole_gzip_empty_tar", "containerd importer \"unrecognized image format\"", gzip(&empty), refused(|e| matches!(archive_error(e), Some(ArchiveError::NotAnImage(_))), "not an image archive")));
}
