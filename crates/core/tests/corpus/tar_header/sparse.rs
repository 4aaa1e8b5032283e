//! GNU tar's PAX sparse files, which Go's `archive/tar` expands and dockerd loads (formats 0.0,
//! 0.1 and 1.0, made as `tar --sparse --format=posix --sparse-version=…` writes them), the maps
//! Go refuses, and the old GNU type `S`, which docker's extraction refuses.

use layerwise_core::tar::{header, TarError};

use super::super::build::{pax, pax_header, raw_tar};
use super::super::{accepted, content, entries, merged_has, Case, Expect};
use super::{case, docker1, layer_refusal};

/// The file every valid case stores: holes around two fragments, `ab` at 4 and `cde` at 10.
const STORED: &[u8] = b"abcde";
const REAL: &[u8] = b"\0\0\0\0ab\0\0\0\0cde\0\0\0";

/// A layer holding one PAX sparse file: `records`, then a header named `name` storing `data`.
fn sparse_layer(records: &[(&str, &str)], name: &str, flag: u8, data: &[u8]) -> Vec<u8> {
    let records = pax(records);
    let h = header(name, flag, data.len() as u64, 0o644, None);
    raw_tar(&[(pax_header(b'x', &records), &records), (h, data)])
}

/// A 1.0 map (`count`, then offset and length lines) in whole blocks, then `data`.
fn data_map(lines: &str, data: &[u8]) -> Vec<u8> {
    let mut out = lines.as_bytes().to_vec();
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(data);
    out
}

/// Accepted, with the file at `path` reading as `want` (holes as zeros) and sized as it.
fn reads_as(path: &'static str, want: &'static [u8]) -> Expect {
    accepted(
        move |s, i| entries(s, i).iter().any(|e| e.path == path && e.size == want.len() as u64) && content(s, i, path).as_deref() == Some(want),
        "the file reads with its holes as zeros, at its real size",
    )
}

fn bad_map(says: &'static str) -> Expect {
    layer_refusal(move |t| matches!(t, TarError::SparseMap { reason, .. } if reason.contains(says)), says)
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let v00 = [("GNU.sparse.size", "16"), ("GNU.sparse.numblocks", "2"), ("GNU.sparse.offset", "4"), ("GNU.sparse.numbytes", "2"), ("GNU.sparse.offset", "10"), ("GNU.sparse.numbytes", "3")];
    out.push(case("pax_gnu_sparse_0_0", "Go parsePAX (repeated GNU.sparse.offset/numbytes) and readGNUSparseMap0x1", docker1(sparse_layer(&v00, "sparse00", b'0', STORED)), reads_as("sparse00", REAL)));
    let v01 = |map: &'static str, blocks: &'static str| [("GNU.sparse.major", "0"), ("GNU.sparse.minor", "1"), ("GNU.sparse.name", "real01"), ("GNU.sparse.size", "16"), ("GNU.sparse.numblocks", blocks), ("GNU.sparse.map", map)];
    out.push(case("pax_gnu_sparse_0_1", "Go readGNUSparsePAXHeaders (GNU.sparse.name wins) and readGNUSparseMap0x1", docker1(sparse_layer(&v01("4,2,10,3", "2"), "GNUSparseFile.0/real01", b'0', STORED)), reads_as("real01", REAL)));
    let v10 = |name: &'static str, size: &'static str| [("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", name), ("GNU.sparse.realsize", size)];
    let data = data_map("2\n4\n2\n10\n3\n", STORED);
    out.push(case("pax_gnu_sparse_1_0", "Go readGNUSparseMap1x0 (GNU tar --sparse --format=posix); tar-rs reading_sparse", docker1(sparse_layer(&v10("real-name", "16"), "GNUSparseFile.0/real-name", b'0', &data)), reads_as("real-name", REAL)));
    out.push(case(
        "pax_gnu_sparse_name_escapes",
        "Go readGNUSparsePAXHeaders: GNU.sparse.name is checked like any name; reliability D10",
        docker1(sparse_layer(&v10("../../escape", "16"), "GNUSparseFile.0/x", b'0', &data)),
        accepted(|s, i| merged_has(s, i, "escape"), "kept as `escape`: `..` stops at the root as in dockerd"),
    ));
    out.push(case("pax_gnu_sparse_all_hole", "GNU tar 1.34 `truncate -s 1M` then --sparse-version=1.0: a map of no fragments", docker1(sparse_layer(&v10("hole", "4096"), "GNUSparseFile.0/hole", b'0', &data_map("0\n", b""))), reads_as("hole", &[0; 4096])));
    out.push(case("pax_gnu_sparse_unknown_version", "Go readGNUSparsePAXHeaders: an unknown version is a plain file", docker1(sparse_layer(&[("GNU.sparse.major", "2"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "renamed")], "plain", b'0', b"x")), reads_as("plain", b"x")));
    for (name, map, blocks, stored, says) in [
        ("pax_gnu_sparse_overlap", "0,4,2,2", "2", &b"abcdef"[..], "overlaps"),
        ("pax_gnu_sparse_past_size", "14,4", "1", &b"abcd"[..], "past the file's size"),
        ("pax_gnu_sparse_missing_data", "4,2,10,3", "2", &b"abcd"[..], "hold 5 bytes and the entry stores 4"),
        ("pax_gnu_sparse_unreferenced_data", "4,2", "1", &b"abcde"[..], "hold 2 bytes and the entry stores 5"),
        ("pax_gnu_sparse_numblocks_mismatch", "4,2,10,3", "3", STORED, "says 3 fragments and the map holds 4"),
        ("pax_gnu_sparse_map_not_numbers", "4,x", "1", STORED, "not two numbers"),
    ] {
        out.push(case(name, "Go validateSparseEntries and sparseFileReader (errMissData, errUnrefData): dockerd cannot extract it", docker1(sparse_layer(&v01(map, blocks), "GNUSparseFile.0/real01", b'0', stored)), bad_map(says)));
    }
    out.push(case("pax_gnu_sparse_1_0_bad_count", "Go readGNUSparseMap1x0 (ParseInt of the count)", docker1(sparse_layer(&v10("f", "16"), "f", b'0', &data_map("x\n", STORED))), bad_map("count `x`")));
    out.push(case("pax_gnu_sparse_1_0_map_past_data", "Go readGNUSparseMap1x0 (mustReadFull past the entry's data)", docker1(sparse_layer(&v10("f", "16"), "f", b'0', b"2\n4\n")), bad_map("runs past the entry's data")));
    out.push(case("pax_gnu_sparse_directory", "Go handleSparseFile: a header-only type cannot be sparse", docker1(sparse_layer(&v01("4,2", "1"), "dir/", b'5', b"")), bad_map("cannot be a sparse file")));
    let order = [("GNU.sparse.numbytes", "2"), ("GNU.sparse.offset", "4")];
    out.push(case("pax_gnu_sparse_0_0_order", "Go parsePAX: GNU.sparse.numbytes before its offset", docker1(sparse_layer(&order, "f", b'0', b"ab")), layer_refusal(|t| matches!(t, TarError::Pax(_)), "invalid PAX record")));
    // The old GNU format, as `tar --sparse --format=gnu` writes it.
    let mut h = header("holey", b'S', 2, 0o644, None);
    h[257..265].copy_from_slice(b"ustar  \0");
    h[386..398].copy_from_slice(b"00000000004\0");
    h[398..410].copy_from_slice(b"00000000002\0");
    h[483..495].copy_from_slice(b"00000000020\0");
    super::super::build::fix_checksum(&mut h);
    out.push(case(
        "gnu_old_sparse",
        "dockerd 20.10 load of `tar --sparse --format=gnu`: \"unhandled tar header type 83\"",
        docker1(raw_tar(&[(h, b"ab")])),
        layer_refusal(|t| matches!(t, TarError::OldGnuSparse { .. }), "old GNU sparse file"),
    ));
}
