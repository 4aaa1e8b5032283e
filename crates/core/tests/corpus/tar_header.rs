//! Tar headers (reliability.md 1D), in a layer and in the outer archive: checksums, numbers,
//! PAX and GNU extensions, end markers, truncation, typeflags, path length.

use layerwise_core::import::ImportError;
use layerwise_core::tar::{header, EntryKind, TarError, TarWriter, MAX_EXTENSION_BYTES, MAX_PATH_BYTES};

use super::build::{file_header, fix_checksum, gnu_header, layer, pax, pax_header, raw_tar, set_base256, set_field, Archive, Image, E};
use super::{accepted, entries, has_path, layer_tar, one_image, outer_tar, paths, refused, Case, Category, Expect};

mod sparse;

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(format!("tar/{name}"), Category::TarHeader, source, archive, expect)
}

/// A docker archive whose only layer is `tar`.
fn docker1(tar: Vec<u8>) -> Vec<u8> {
    Image::of(tar).docker().tar()
}

/// Refused for a tar error inside the layer.
fn layer_refusal(pred: impl Fn(&TarError) -> bool + 'static, says: &'static str) -> Expect {
    refused(move |e: &ImportError| layer_tar(e).is_some_and(&pred), says)
}

/// Refused for a tar error of the outer archive.
fn outer_refusal(pred: impl Fn(&TarError) -> bool + 'static, says: &'static str) -> Expect {
    refused(move |e: &ImportError| outer_tar(e).is_some_and(&pred), says)
}

/// Accepted, with an entry at exactly `path`.
fn with_path(path: impl Into<String>) -> Expect {
    let path = path.into();
    accepted(move |s, i| one_image(s, i, 1) && has_path(s, i, &path), "the layer lists the entry by its decoded name")
}

/// A path of `len` bytes made of 200-byte components (Linux NAME_MAX is 255).
fn long_path(len: usize) -> String {
    let mut p = String::new();
    while p.len() + 201 < len {
        p.push_str(&"d".repeat(200));
        p.push('/');
    }
    p.push_str(&"f".repeat(len - p.len()));
    p
}

/// Accepted, with exactly these entry paths.
fn exactly(want: &'static [&'static str]) -> Expect {
    accepted(move |s, i| one_image(s, i, 1) && paths(s, i) == want, "the layer lists exactly the entries Go's archive/tar returns")
}

/// A header for `name` with one field replaced by `bytes` (checksum fixed).
fn with_field(name: &str, range: std::ops::Range<usize>, bytes: &[u8]) -> [u8; 512] {
    let mut h = file_header(name, 1);
    set_field(&mut h, range, bytes);
    h
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    checksums_and_numbers(&mut out);
    ends_and_truncation(&mut out);
    extensions(&mut out);
    typeflags_and_lengths(&mut out);
    outer_archive(&mut out);
    sparse::cases(&mut out);
    out
}

fn checksums_and_numbers(out: &mut Vec<Case>) {
    let mut h = file_header("a", 1);
    h[0] = b'b';
    out.push(case("bad_checksum", "Go archive/tar ErrHeader; tar-rs checksum test", docker1(raw_tar(&[(h, b"x")])), layer_refusal(|t| matches!(t, TarError::Checksum(0)), "bad checksum")));
    let mut h = file_header("a", 1);
    h[148..156].copy_from_slice(b"zzzzzz\0 ");
    out.push(case("checksum_not_octal", "Go archive/tar (checksum parsed as octal)", docker1(raw_tar(&[(h, b"x")])), layer_refusal(|t| matches!(t, TarError::Checksum(0)), "bad checksum")));
    // Go accepts the signed sum too (old Sun tar), for names with bytes over 0x7f.
    let mut h = file_header("caf", 1);
    h[3] = 0xe9;
    h[4] = 0xff;
    h[148..156].copy_from_slice(b"        ");
    let signed: i64 = h.iter().map(|&b| i64::from(b as i8)).sum();
    h[148..156].copy_from_slice(format!("{signed:06o}\0 ").as_bytes());
    out.push(case("checksum_signed", "Go archive/tar verifyChecksum (signed or unsigned sum)", docker1(raw_tar(&[(h, b"x")])), accepted(|s, i| one_image(s, i, 1) && paths(s, i).len() == 1, "one entry, its name decoded lossily")));
    for (name, range, field) in [("size_not_octal", 124..136, "size"), ("mode_not_octal", 100..108, "mode"), ("uid_not_octal", 108..116, "uid"), ("mtime_not_octal", 136..148, "mtime")] {
        let h = with_field("a", range, b"12x4");
        out.push(case(
            name,
            "Go archive/tar parseOctal (\"invalid octal\"); tar-rs numeric fields",
            docker1(raw_tar(&[(h, b"x")])),
            layer_refusal(move |t| matches!(t, TarError::Number { offset: 0, field: f } if *f == field), "is not a number"),
        ));
    }
    let mut h = file_header("spaced", 0);
    set_field(&mut h, 100..108, b"  644 ");
    set_field(&mut h, 124..136, b"        1 ");
    set_field(&mut h, 136..148, b" 0");
    out.push(case("octal_spaces", "tar-rs octal_spaces; go-archive broken.tar", docker1(raw_tar(&[(h, b"x")])), accepted(|s, i| entries(s, i).iter().any(|e| e.path == "spaced" && e.size == 1 && e.mode == 0o644), "size 1, mode 644")));
    let mut h = file_header("big256", 0);
    set_base256(&mut h, 124..136, 3);
    out.push(case("base256_size", "GNU base-256 numbers (Go parseNumeric)", docker1(raw_tar(&[(h, b"abc")])), accepted(|s, i| entries(s, i).iter().any(|e| e.path == "big256" && e.size == 3), "size 3 read from base-256")));
    let mut h = file_header("neg", 0);
    h[124..136].fill(0xff);
    fix_checksum(&mut h);
    out.push(case("base256_negative", "Go archive/tar: negative sizes are ErrHeader", docker1(raw_tar(&[(h, b"")])), layer_refusal(|t| matches!(t, TarError::Number { field: "size", .. }), "is not a number")));
    let mut h = file_header("biguid", 0);
    set_base256(&mut h, 108..116, 1 << 32);
    out.push(case("biguid_gnu", "tar-rs biguid_gnu.tar", docker1(raw_tar(&[(h, b"")])), accepted(|s, i| entries(s, i).iter().any(|e| e.uid == 1 << 32), "uid 2^32")));
    let records = pax(&[("uid", "4294967296"), ("gid", "4294967297")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("biguid", 0), b"")]);
    out.push(case("biguid_pax", "tar-rs biguid_pax.tar", docker1(tar), accepted(|s, i| entries(s, i).iter().any(|e| e.uid == 1 << 32 && e.gid == (1 << 32) + 1), "uid and gid from PAX")));
    let mut h = file_header("huge", 0);
    set_base256(&mut h, 124..136, u64::MAX - 100);
    out.push(case("header_size_overflow", "tar-rs header_size_overflow (\"size overflow\", no panic)", docker1(raw_tar(&[(h, b"")])), layer_refusal(|t| matches!(t, TarError::Overflow(0)), "overflows")));
}

fn ends_and_truncation(out: &mut Vec<Case>) {
    let full = layer(&[E::File("a", b"aaaa"), E::File("b", b"bbbb")]);
    let body = full[..full.len() - 1024].to_vec();
    out.push(case("missing_end_of_archive", "tar-rs simple_missing_last_header.tar; Go reader (EOF at a header boundary)", docker1(body.clone()), exactly(&["a", "b"])));
    let mut one = body.clone();
    one.extend([0u8; 512]);
    out.push(case("single_zero_block", "Go archive/tar (\"EOF is okay here; exactly 1 block of zeros read\")", docker1(one), exactly(&["a", "b"])));
    let mut cut = body.clone();
    cut.extend([0u8; 700]);
    out.push(case("partial_end_marker", "Go archive/tar (ReadFull of the second zero block: unexpected EOF)", docker1(cut), layer_refusal(|t| matches!(t, TarError::Truncated { .. }), "truncated")));
    let mut stray = layer(&[E::File("a", b"aaaa")]);
    stray.truncate(stray.len() - 512);
    stray.extend(layer(&[E::File("b", b"bbbb")]));
    out.push(case("zero_block_then_entry", "Go archive/tar ErrHeader (\"Zero block and then non-zero block\"); tar-rs extracting_malformed_tar_null_blocks", docker1(stray), layer_refusal(|t| matches!(t, TarError::StrayZeroBlock(_)), "zero block is followed by data")));
    let mut hidden = layer(&[E::File("a", b"aaaa")]);
    hidden.extend(layer(&[E::File("hidden", b"after the end")]));
    out.push(case("entry_after_end_marker", "Go archive/tar stops at the end marker (GNU tar without -i too)", docker1(hidden), exactly(&["a"])));
    let h = file_header("short", 1 << 20);
    out.push(case("size_past_end", "tar-rs handling_incorrect_file_size", docker1(raw_tar(&[(h, b"only a little")])), layer_refusal(|t| matches!(t, TarError::Truncated { .. }), "truncated")));
    out.push(case("truncated_in_header", "tar-rs truncated archives (iteration yields Err)", docker1(full[..512 + 512 + 300].to_vec()), layer_refusal(|t| matches!(t, TarError::Truncated { .. }), "truncated")));
    let big = layer(&[E::File("big", &[7u8; 5000])]);
    out.push(case("truncated_in_data", "Go archive/tar io.ErrUnexpectedEOF", docker1(big[..3000].to_vec()), layer_refusal(|t| matches!(t, TarError::Truncated { .. }), "truncated")));
    out.push(case("empty_layer_blob", "a zero-byte layer.tar (Go: EOF, an empty layer)", docker1(Vec::new()), accepted(|s, i| one_image(s, i, 1) && paths(s, i).is_empty(), "an empty layer")));
}

fn extensions(out: &mut Vec<Case>) {
    // PAX size always wins, but header-only types carry no data: what Go (docker) does.
    let records = pax(&[("size", "1024")]);
    let tar = raw_tar(&[
        (pax_header(b'x', &records), &records),
        (header("link", b'2', 0, 0o777, Some("target")), b""),
        (file_header("hidden", 4), b"seen"),
    ]);
    out.push(case("pax_size_smuggled_symlink", "tar-rs pax_size_smuggled_symlink (RUSTSEC-2026-0068)", docker1(tar), exactly(&["link", "hidden"])));
    let mut inner = file_header("smuggled", 0).to_vec();
    inner.extend([0u8; 512]);
    let records = pax(&[("size", "1024")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("carrier", 0), &inner), (file_header("after", 1), b"z")]);
    out.push(case("pax_size_overrides_larger", "CVE-2025-62518 TARmageddon (tokio-tar); tar-rs pax_size_smuggle_matches_astral_tokio_tar", docker1(tar), exactly(&["carrier", "after"])));
    let records = pax(&[("size", "0")]);
    let smuggled = file_header("smuggled", 0);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("carrier", 512), &smuggled)]);
    out.push(case("pax_size_overrides_smaller", "Go archive/tar mergePAX (PAX size wins even when smaller)", docker1(tar), exactly(&["carrier", "smuggled"])));
    for (name, records, source) in [
        ("pax_bad_record_length", b"99 path=x\n".to_vec(), "Go parsePAXRecord (length past the data)"),
        ("pax_record_without_equals", b"9 pathx\n\n".to_vec(), "Go parsePAXRecord (\"invalid PAX record\")"),
        ("pax_size_not_a_number", pax(&[("size", "12z")]), "Go mergePAX (ParseInt of size)"),
        ("pax_negative_size", pax(&[("size", "-5")]), "Go mergePAX (negative size is ErrHeader)"),
        ("pax_length_not_a_number", b"x9 path=a\n".to_vec(), "Go parsePAXRecord"),
    ] {
        let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("a", 1), b"a")]);
        out.push(case(name, source, docker1(tar), layer_refusal(|t| matches!(t, TarError::Pax(0)), "invalid PAX record")));
    }
    let over = usize::try_from(MAX_EXTENSION_BYTES).unwrap_or(0) + 1;
    let h = pax_header(b'x', &vec![b'a'; over]);
    out.push(case("pax_too_large", "CVE-2022-2879 (Go caps header blocks at 1 MiB)", docker1(raw_tar(&[(h, &[])])), layer_refusal(|t| matches!(t, TarError::ExtensionTooLarge { offset: 0, .. }), "over the limit of 1048576 bytes")));
    let h = gnu_header(b'L', &vec![b'a'; over]);
    out.push(case("gnu_longname_too_large", "CVE-2022-2879 (GNU long names share the cap)", docker1(raw_tar(&[(h, &[])])), layer_refusal(|t| matches!(t, TarError::ExtensionTooLarge { .. }), "over the limit")));
    let max = usize::try_from(MAX_EXTENSION_BYTES).unwrap_or(0);
    let comment = "c".repeat(max - 20);
    let mut records = pax(&[("comment", &comment)]);
    records.resize(max, 0);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("commented", 1), b"c")]);
    out.push(case("pax_at_size_cap", "CVE-2022-2879: exactly 1 MiB is allowed", docker1(tar), with_path("commented")));
    let long = format!("{}/long-file", "d".repeat(150));
    let data = format!("{long}\0");
    let tar = raw_tar(&[(gnu_header(b'L', data.as_bytes()), data.as_bytes()), (file_header("short", 1), b"x")]);
    out.push(case("gnu_longname", "tar-rs long names; GNU tar --format=gnu", docker1(tar), with_path(long)));
    let target = format!("{}/target", "t".repeat(150));
    let tar = raw_tar(&[(gnu_header(b'K', target.as_bytes()), target.as_bytes()), (header("longlink", b'2', 0, 0o777, Some("short")), b"")]);
    out.push(case("gnu_longlink", "tar-rs long link names", docker1(tar), accepted(move |s, i| entries(s, i).iter().any(|e| e.link.as_deref() == Some(target.as_str())), "the symlink's target is the long link")));
    let data = b"trailing-nul\0\0\0\0";
    let tar = raw_tar(&[(gnu_header(b'L', data), data), (file_header("x", 1), b"x")]);
    out.push(case("gnu_longname_trailing_nul", "tar-rs long_name_trailing_nul", docker1(tar), exactly(&["trailing-nul"])));
    let records = pax(&[("path", "from/pax/path")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("ustar-name", 1), b"x")]);
    out.push(case("pax_path", "tar-rs pax_path", docker1(tar), exactly(&["from/pax/path"])));
    let records = pax(&[("linkpath", "pax/target")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("l", b'2', 0, 0o777, Some("ustar-target")), b"")]);
    out.push(case("pax_linkpath", "tar-rs pax_linkpath", docker1(tar), accepted(|s, i| entries(s, i).iter().any(|e| e.link.as_deref() == Some("pax/target")), "the PAX linkpath")));
    // D2: a PAX header applies to the next file, past GNU headers; Go lets a GNU long name win.
    let records = pax(&[("path", "pax-name")]);
    let gnu = b"gnu-name\0";
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (gnu_header(b'L', gnu), gnu), (file_header("ustar", 1), b"x")]);
    out.push(case("pax_then_gnu_longname", "GHSA-3cv2-h65g-fgmm (astral-tokio-tar); Go Reader.Next applies gnuLongName after mergePAX", docker1(tar), exactly(&["gnu-name"])));
    let tar = raw_tar(&[(gnu_header(b'L', gnu), gnu), (pax_header(b'x', &records), &records), (file_header("ustar", 1), b"x")]);
    out.push(case("gnu_longname_then_pax", "Go Reader.Next: `if gnuLongName != \"\" { hdr.Name = gnuLongName }` after mergePAX, whatever the order", docker1(tar), exactly(&["gnu-name"])));
    let records = pax(&[("path", "global/should-not-exist"), ("comment", "g")]);
    let tar = raw_tar(&[(pax_header(b'g', &records), &records), (file_header("after-global", 1), b"x")]);
    out.push(case("pax_global_header_ignored", "go-archive TestXGlobalNoParent; containerd ignores TypeXGlobalHeader", docker1(tar), exactly(&["after-global"])));
    let records = pax(&[("mtime", "1700000000.123456789"), ("SCHILY.xattr.security.capability", "\u{1}\u{2}"), ("comment", "anything")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("xattrs", 1), b"x")]);
    out.push(case("pax_unknown_keys_and_fractional_mtime", "go-archive TestTarUntarWithXattr; Go parsePAXTime", docker1(tar), accepted(|s, i| entries(s, i).iter().any(|e| e.path == "xattrs" && e.mtime == 1_700_000_000), "mtime from PAX, other keys ignored")));
    // Go keeps the ustar value when a PAX value is empty; the second of two PAX headers
    // replaces the first.
    let records = pax(&[("path", "")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("ustar-kept", 1), b"x")]);
    out.push(case("pax_empty_path", "Go mergePAX (\"Keep the original USTAR value\" for empty values)", docker1(tar), exactly(&["ustar-kept"])));
    let records = pax(&[("size", "")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("sized", 1), b"x")]);
    out.push(case("pax_empty_size", "Go mergePAX (empty values keep the ustar size)", docker1(tar), exactly(&["sized"])));
    let first = pax(&[("path", "from-first-pax")]);
    let second = pax(&[("comment", "second")]);
    let tar = raw_tar(&[(pax_header(b'x', &first), &first), (pax_header(b'x', &second), &second), (file_header("ustar-name", 1), b"x")]);
    out.push(case("two_pax_headers", "Go Reader.Next (`paxHdrs, err = parsePAX(tr)`: a second x header replaces the first)", docker1(tar), exactly(&["ustar-name"])));
    // D9: names split over prefix and name, and path checks on the final name.
    let mut h = file_header("name.txt", 1);
    set_field(&mut h, 345..500, b"some/prefix/dir");
    out.push(case("ustar_prefix", "containerd/go-archive TestPrefixHeaderReadable", docker1(raw_tar(&[(h, b"x")])), exactly(&["some/prefix/dir/name.txt"])));
    let mut h = file_header("gnu-name", 1);
    h[257..265].copy_from_slice(b"ustar  \0");
    set_field(&mut h, 345..360, b"not-a-prefix");
    out.push(case("gnu_magic_ignores_prefix", "go-archive TestUntarUstarGnuConflict (testdata/broken.tar)", docker1(raw_tar(&[(h, b"x")])), exactly(&["gnu-name"])));
    let mut h = file_header("v7-name", 1);
    h[257..265].fill(0);
    fix_checksum(&mut h);
    out.push(case("v7_header", "Go archive/tar FormatV7 (no magic)", docker1(raw_tar(&[(h, b"x")])), exactly(&["v7-name"])));
    let escaping = format!("{}/../../escape", "a".repeat(97));
    let records = pax(&[("path", &escaping)]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header(&escaping[..100], 1), b"x")]);
    out.push(case(
        "dotdot_at_100_byte_mark",
        "tar-rs large_filename_with_dot_dot_at_100_byte_mark (checks run on the final name)",
        docker1(tar),
        accepted(|s, i| super::merged_has(s, i, "escape"), "kept as `escape`: the checks run on the final name, and `..` stops at the root as in dockerd"),
    ));
}

fn typeflags_and_lengths(out: &mut Vec<Case>) {
    let sparse = header("odd", b'S', 0, 0o644, None);
    out.push(case(
        "sparse_file",
        "Go readOldGNUSparseMap (type `S` without the GNU magic is ErrHeader); tar-rs reading_sparse; reliability D10",
        docker1(raw_tar(&[(sparse, b"")])),
        layer_refusal(|t| matches!(t, TarError::OldGnuSparse { .. }), "old GNU sparse file"),
    ));
    for (name, flag, source) in [
        ("gnu_volume_header", b'V', "go-archive createTarFile \"unhandled tar header type\""),
        ("gnu_dumpdir", b'D', "go-archive createTarFile \"unhandled tar header type\""),
        ("gnu_multivolume", b'M', "go-archive createTarFile \"unhandled tar header type\""),
        ("unknown_typeflag", b'Z', "containerd createTarFile \"unhandled tar header type\""),
    ] {
        let h = header("odd", flag, 0, 0o644, None);
        out.push(case(name, source, docker1(raw_tar(&[(h, b"")])), layer_refusal(move |t| matches!(t, TarError::UnsupportedType { flag: f, .. } if *f == char::from(flag)), "unsupported type")));
    }
    let tar = raw_tar(&[(header("./", 0, 0, 0o755, None), b""), (header("olddir/", 0, 0, 0o755, None), b""), (header("olddir/f", 0, 1, 0o644, None), b"f")]);
    out.push(
        case("nul_typeflag_trailing_slash", "Go Reader.Next: TypeRegA with a name ending in `/` is a directory (legacy archives)", docker1(tar), accepted(|s, i| entries(s, i).iter().any(|e| e.path == "olddir/" && e.kind == EntryKind::Directory), "`olddir/` is a directory")),
    );
    let tar = raw_tar(&[(header("contiguous", b'7', 1, 0o644, None), b"x"), (header("v7-file", 0, 1, 0o644, None), b"y")]);
    out.push(case("contiguous_and_nul_typeflags", "Go archive/tar TypeCont and TypeRegA read as regular files", docker1(tar), accepted(|s, i| entries(s, i).iter().filter(|e| e.kind == EntryKind::File).count() == 2, "two regular files")));
    let tar = raw_tar(&[(header("dir-with-size", b'5', 4096, 0o755, None), b""), (header("link-with-size", b'2', 600, 0o777, Some("x")), b""), (file_header("next", 1), b"n")]);
    out.push(case("header_only_types_with_size", "Go archive/tar isHeaderOnlyType (no data whatever the size field says)", docker1(tar), exactly(&["dir-with-size", "link-with-size", "next"])));
    let tar = raw_tar(&[(header("dev/null", b'3', 0, 0o666, None), b""), (header("dev/sda", b'4', 0, 0o660, None), b""), (header("run/fifo", b'6', 0, 0o600, None), b"")]);
    out.push(case("devices_and_fifo", "containerd TestDiffTar; reliability D12 (metadata only in a browser)", docker1(tar), exactly(&["dev/null", "dev/sda", "run/fifo"])));
    let long = long_path(MAX_PATH_BYTES + 1);
    let records = pax(&[("path", &long)]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("short", 1), b"x")]);
    out.push(case("path_too_long", "Linux PATH_MAX (docker cannot extract longer); reliability 4.7", docker1(tar), layer_refusal(|t| matches!(t, TarError::PathTooLong { len: 4097, .. }), "over the limit of 4096 bytes")));
    let at_limit = long_path(MAX_PATH_BYTES);
    let records = pax(&[("path", &at_limit)]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (file_header("short", 1), b"x")]);
    out.push(case("path_at_limit", "Linux PATH_MAX: 4096 bytes is allowed", docker1(tar), accepted(|s, i| paths(s, i).iter().any(|p| p.len() == MAX_PATH_BYTES), "a 4096-byte path")));
    let mut h = file_header("name-", 1);
    h[5] = 0xff;
    h[6] = 0xfe;
    fix_checksum(&mut h);
    out.push(case("non_utf8_name", "tar-rs path bytes; reliability D11 (docker stores raw bytes)", docker1(raw_tar(&[(h, b"x")])), accepted(|s, i| paths(s, i).iter().any(|p| p.starts_with("name-") && p.contains('\u{fffd}')), "the name, shown with replacement characters")));
}

/// Faults in the outer archive's own headers.
fn outer_archive(out: &mut Vec<Case>) {
    let img = Image::of(layer(&[E::File("etc/corpus", b"hello\n")]));
    let good = img.docker();
    let blocks = |a: &Archive| -> Vec<([u8; 512], Vec<u8>)> { a.entries.iter().map(|e| (header(&e.name, b'0', e.data.len() as u64, 0o444, None), e.data.clone())).collect() };
    let write = |b: &[([u8; 512], Vec<u8>)]| -> Vec<u8> { raw_tar(&b.iter().map(|(h, d)| (*h, d.as_slice())).collect::<Vec<_>>()) };
    let imports = || accepted(|s, i| one_image(s, i, 1) && has_path(s, i, "etc/corpus"), "the image imports");

    let mut b = blocks(&good);
    b[0].0[10] ^= 0x20;
    out.push(case("outer_bad_checksum", "moby load \"archive/tar: invalid tar header\"", write(&b), outer_refusal(|t| matches!(t, TarError::Checksum(0)), "bad checksum")));
    let tar = good.tar();
    let cut = tar[..tar.len() - 1024 - 300].to_vec();
    out.push(case("outer_truncated_in_padding", "Go's tar reader returns io.EOF in the padding after complete data: dockerd 20.10 loads it", cut, imports()));
    let cut = tar[..1024 + 100].to_vec();
    out.push(case("outer_truncated_in_layer", "moby load of a cut archive", cut, outer_refusal(|t| matches!(t, TarError::Truncated { .. }), "truncated")));
    let b = blocks(&good);
    let mut stray = write(&b[..1]);
    stray.truncate(stray.len() - 512);
    stray.extend(write(&b[1..]));
    out.push(case("outer_stray_zero_block", "Go archive/tar ErrHeader (zero block then data)", stray, outer_refusal(|t| matches!(t, TarError::StrayZeroBlock(_)), "zero block is followed by data")));
    let mut b = blocks(&good);
    b.insert(0, (header("sparse", b'S', 0, 0o644, None), Vec::new()));
    out.push(case("outer_sparse_entry", "reliability D10 in the outer archive", write(&b), outer_refusal(|t| matches!(t, TarError::OldGnuSparse { .. }), "old GNU sparse file")));
    let mut b = blocks(&good);
    b.insert(0, (pax_header(b'x', &[0u8; 8]), Vec::new()));
    let mut h = b[0].0;
    set_base256(&mut h, 124..136, MAX_EXTENSION_BYTES + 1);
    b[0].0 = h;
    out.push(case("outer_pax_too_large", "CVE-2022-2879 in the outer archive", write(&b), outer_refusal(|t| matches!(t, TarError::ExtensionTooLarge { .. }), "over the limit")));
    let mut b = blocks(&good);
    let mut h = file_header("overflow", 0);
    set_base256(&mut h, 124..136, u64::MAX - 10);
    b.insert(0, (h, Vec::new()));
    out.push(case("outer_size_overflow", "tar-rs header_size_overflow in the outer archive", write(&b), outer_refusal(|t| matches!(t, TarError::Overflow(0)), "overflows")));
    let mut b = blocks(&good);
    let long = format!("{}/x", "q".repeat(MAX_PATH_BYTES));
    let records = pax(&[("path", &long)]);
    b.insert(0, (pax_header(b'x', &records), records.clone()));
    b.insert(1, (file_header("x", 0), Vec::new()));
    out.push(case("outer_path_too_long", "PATH_MAX in the outer archive", write(&b), outer_refusal(|t| matches!(t, TarError::PathTooLong { .. }), "over the limit of 4096 bytes")));
    let tar = good.tar();
    out.push(case("outer_missing_end_of_archive", "tar-rs simple_missing_last_header (outer)", tar[..tar.len() - 1024].to_vec(), imports()));
    let mut b = blocks(&good);
    let manifest = b.len() - 1;
    let records = pax(&[("path", "manifest.json")]);
    b[manifest].0 = header("PaxHeaders/renamed", b'0', b[manifest].1.len() as u64, 0o444, None);
    b.insert(manifest, (pax_header(b'x', &records), records));
    out.push(case("outer_pax_path_manifest", "Go archive/tar PAX path (docker save writes PAX headers)", write(&b), imports()));
    let mut a = good.clone();
    let long_layer = format!("{}/layer.tar", "l".repeat(120));
    let old = a.layer_paths()[0].clone();
    a.get_mut(&old).name = long_layer.clone();
    a.edit_json("manifest.json", |m| m[0]["Layers"][0] = serde_json::json!(long_layer));
    let mut w = TarWriter::new();
    for e in &a.entries {
        if e.name.len() > 100 {
            let name = format!("{}\0", e.name);
            w.raw(&gnu_header(b'L', name.as_bytes()), name.as_bytes());
        }
        w.raw(&header(&e.name, b'0', e.data.len() as u64, 0o444, None), &e.data);
    }
    out.push(case("outer_gnu_longname_layer", "GNU tar --format=gnu long names in the outer archive", w.finish(), imports()));
}
