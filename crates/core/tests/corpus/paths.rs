//! Paths and links in layers (reliability.md 1E): containerd's `TestBreakouts`, go-archive's
//! invalid names and links, tar-rs's malicious tarball, same-name entries.
//!
//! Layerwise follows the daemon (dockerd 20.10, which applies a layer chrooted in its folder, and
//! which `corpus::daemon` runs every case through): `..` stops at the root in names and hard link
//! targets, symlinks are kept as written, and what they point at is resolved inside the root.
//! Entries are only recorded (there is no extraction), so writes through symlinks are data.

use layerwise_core::fs::{in_root, UnsafeEntry};
use layerwise_core::tar::{header, EntryKind, TarWriter};

use super::build::{layer, pax, pax_header, raw_tar, Image, E};
use super::{accepted, entries, has_path, merged_has, one_image, paths, refused, unsafe_entry, Case, Category, Expect};

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(name.to_owned(), Category::Paths, source, archive, expect)
}

fn docker1(tar: Vec<u8>) -> Vec<u8> {
    Image::of(tar).docker().tar()
}

/// A lower layer (what containerd's test applies first) and the layer under test.
fn docker2(lower: Vec<u8>, upper: Vec<u8>) -> Vec<u8> {
    Image::layers(vec![lower, upper]).docker().tar()
}

const CONTAINERD: &str = "containerd pkg/archive TestBreakouts";

fn kept(n: usize, path: &'static str) -> Expect {
    accepted(move |s, i| one_image(s, i, n) && has_path(s, i, path), "accepted as data: every entry stays under the root")
}

/// A name that climbs above the root: kept at the path it stands for inside the root.
fn breakout(name: &'static str) -> Expect {
    accepted(move |s, i| merged_has(s, i, &in_root(name)), "kept inside the root: dockerd applies layers chrooted, `..` stops at the root")
}

/// A symlink whose target climbs above the root: kept as written, as dockerd writes it.
fn symlink_breakout(name: &'static str) -> Expect {
    accepted(move |s, i| merged_has(s, i, &in_root(name)), "the symlink is kept as written; it resolves inside the root")
}

/// A hard link whose target climbs above the root: its target is taken inside the root.
fn hardlink_breakout(name: &'static str) -> Expect {
    accepted(move |s, i| merged_has(s, i, &in_root(name)), "the link's target is taken inside the root, as dockerd takes it")
}

fn replaces_root() -> Expect {
    refused(|e| matches!(unsafe_entry(e), Some(UnsafeEntry::ReplacesRoot(_))), "would replace the image root")
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    breakouts(&mut out);
    go_archive(&mut out);
    malicious_tarball(&mut out);
    same_names(&mut out);
    out
}

/// containerd `TestBreakouts`, in its order (whiteouts are in `whiteouts.rs`).
fn breakouts(out: &mut Vec<Case>) {
    let etc = E::Dir("etc");
    let passwd = E::File("/etc/passwd", b"inside");
    let unbroken = |path: &'static str| E::File(path, b"unbroken");
    for (name, entries, expect) in [
        ("SymlinkAbsolute", vec![E::Dir("etc"), E::Sym("localetc", "/etc"), unbroken("/localetc/unbroken")], kept(1, "/localetc/unbroken")),
        ("SymlinkUpAndOut", vec![E::Dir("etc"), E::Dir("dummy"), E::Sym("localetc", "/dummy/../etc"), unbroken("/localetc/unbroken")], kept(1, "localetc")),
        ("SymlinkMultipleAbsolute", vec![E::Dir("etc"), E::Dir("dummy"), E::Sym("/dummy/etc", "/etc"), E::Sym("localetc", "/dummy/etc"), unbroken("/dummy/etc/unbroken")], kept(1, "/dummy/etc/unbroken")),
        ("SymlinkMultipleRelative", vec![E::Dir("etc"), E::Dir("dummy"), E::Sym("/dummy/etc", "/etc"), E::Sym("localetc", "./dummy/etc"), unbroken("/dummy/etc/unbroken")], kept(1, "localetc")),
        ("SymlinkEmptyFile", vec![E::Dir("etc"), E::File("etc/emptied", b"notempty"), E::Sym("localetc", "/etc"), E::File("/localetc/emptied", b"")], kept(1, "/localetc/emptied")),
        ("HardlinkRelative", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Dir("breakouts"), E::Sym("breakouts/d1", "../../etc"), E::Link("breakouts/mypasswd", "/breakouts/d1/passwd")], symlink_breakout("breakouts/d1")),
        ("HardlinkDownAndOut", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Dir("breakouts"), E::Dir("downandout"), E::Sym("breakouts/d1", "../downandout/../../etc"), E::Link("breakouts/mypasswd", "/breakouts/d1/passwd")], symlink_breakout("breakouts/d1")),
        ("HardlinkAbsolute", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc", "/etc"), E::Link("localpasswd", "/localetc/passwd")], kept(1, "localpasswd")),
        ("HardlinkRelativeLong", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc", "../../../../../../../etc"), E::Link("localpasswd", "/localetc/passwd")], symlink_breakout("localetc")),
        ("HardlinkRelativeUpAndOut", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc", "upandout/../../../etc"), E::Link("localpasswd", "/localetc/passwd")], symlink_breakout("localetc")),
        ("HardlinkDirectRelative", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Link("localpasswd", "../../../../../etc/passwd")], hardlink_breakout("localpasswd")),
        ("HardlinkDirectAbsolute", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Link("localpasswd", "/etc/passwd")], kept(1, "localpasswd")),
        ("SymlinkParentDirectory", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("..", "/etc/"), E::Link("localpasswd", "/etc/passwd")], replaces_root()),
        ("SymlinkEmptyFilename", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("", "/etc/"), E::Link("localpasswd", "/etc/passwd")], replaces_root()),
        ("SymlinkParentRelative", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc/sub/..", "/etc/"), E::Link("/localetc/localpasswd", "/etc/passwd")], kept(1, "/localetc/localpasswd")),
        ("SymlinkSlashEnded", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Dir("localetc/"), E::Link("/localetc/localpasswd", "/etc/passwd")], kept(1, "localetc/")),
        ("HardlinkSymlinkBeforeCreateTarget", vec![E::Dir("etc"), E::Sym("localpasswd", "/etc/passwd"), E::Link("localpasswd-dup", "localpasswd"), E::File("/etc/passwd", b"after")], kept(1, "localpasswd-dup")),
        ("HardlinkSymlinkRelative", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("passwdlink", "../../../../../etc/passwd"), E::Link("localpasswd", "/passwdlink")], symlink_breakout("passwdlink")),
        ("HardlinkSymlinkAbsolute", vec![E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("passwdlink", "/etc/passwd"), E::Link("localpasswd", "/passwdlink")], kept(1, "localpasswd")),
        ("HardlinkSymlinkChmod", vec![E::Sym("/tmp/TestBreakouts/also-exists-outside-root", "/tmp/TestBreakouts/perm400"), E::Link("sketchylink", "/tmp/TestBreakouts/also-exists-outside-root")], kept(1, "sketchylink")),
    ] {
        out.push(case(&format!("breakout/{name}"), CONTAINERD, docker1(layer(&entries)), expect));
    }
    // The tests that apply a lower filesystem first: two layers.
    let lower = layer(&[etc, passwd, E::Dir("/localetc/")]);
    out.push(case("breakout/SymlinkOverrideDirectory", CONTAINERD, docker2(lower.clone(), layer(&[E::Sym("localetc", "/etc"), E::Link("/localetc/localpasswd", "/etc/passwd")])), kept(2, "/localetc/localpasswd")));
    out.push(case("breakout/SymlinkOverrideDirectoryRelative", CONTAINERD, docker2(lower, layer(&[E::Sym("localetc", "../../etc"), E::Link("/localetc/localpasswd", "/etc/passwd")])), symlink_breakout("localetc")));
    let lower = layer(&[E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc", "/etc")]);
    out.push(case("breakout/DirectoryOverrideSymlink", CONTAINERD, docker2(lower, layer(&[E::Dir("/localetc/"), E::Link("/localetc/localpasswd", "/etc/passwd")])), kept(2, "/localetc/localpasswd")));
    let lower = layer(&[E::Dir("etc"), E::File("/etc/passwd", b"inside"), E::Sym("localetc", "etc"), E::Link("/localetc/localpasswd", "/etc/passwd")]);
    out.push(case("breakout/DirectoryOverrideSymlinkAndHardlink", CONTAINERD, docker2(lower, layer(&[E::Dir("/localetc/"), E::File("/localetc/localpasswd", b"different")])), kept(2, "/localetc/localpasswd")));
    out.push(case(
        "breakout/SymlinkOverridePath",
        "containerd TestBreakouts SymlinkOverridePath (\"file written outside of root\" never happens)",
        docker1(layer(&[E::File("foo/tmp/one", b"1"), E::Sym("foo", "/"), E::File("foo/tmp/two", b"2")])),
        kept(1, "foo/tmp/two"),
    ));
    out.push(case(
        "breakout/RelativeSymlinks",
        "containerd TestRelativeSymlinks (links inside the root that go up and down)",
        docker1(layer(&[E::Dir("home/derek"), E::Sym("/home/derek/other", "../other"), E::Sym("/home/derek/etc", "../../etc"), E::Sym("/home/derek/updown", "up/../../other")])),
        kept(1, "/home/derek/updown"),
    ));
    out.push(case(
        "breakout/RelativeSymlinksBreakout",
        "containerd TestRelativeSymlinks (`../../../breakout`); go-archive createTarFile \"invalid symlink\"",
        docker1(layer(&[E::Dir("home/derek"), E::Sym("/home/derek/breakout", "../../../breakout")])),
        symlink_breakout("/home/derek/breakout"),
    ));
}

/// go-archive's `TestUntarInvalidFilenames`, `TestUntarInvalidHardlink`, `TestUntarInvalidSymlink`.
fn go_archive(out: &mut Vec<Case>) {
    out.push(case("untar/InvalidFilenames/dotdot", "go-archive TestUntarInvalidFilenames", docker1(layer(&[E::File("../victim/dotdot", b"x")])), breakout("../victim/dotdot")));
    out.push(case(
        "untar/InvalidFilenames/slash-dotdot",
        "go-archive TestUntarInvalidFilenames (path.Clean makes it `/victim/slash-dotdot`, inside)",
        docker1(layer(&[E::File("/../victim/slash-dotdot", b"x")])),
        kept(1, "/../victim/slash-dotdot"),
    ));
    out.push(case("untar/InvalidHardlink/dotdot", "go-archive TestUntarInvalidHardlink", docker1(layer(&[E::Link("dotdot", "../victim/hello")])), hardlink_breakout("dotdot")));
    out.push(
        case(
            "untar/InvalidHardlink/slash-dotdot",
            "go-archive TestUntarInvalidHardlink (filepath.Join(dest, \"/../victim/hello\") leaves dest: breakoutError)",
            docker1(layer(&[E::Link("slash-dotdot", "/../victim/hello")])),
            hardlink_breakout("slash-dotdot"),
        ),
    );
    out.push(case("untar/InvalidHardlink/loophole-victim", "go-archive TestUntarInvalidHardlink (write through a hard link to a directory)", docker1(layer(&[E::Link("loophole-victim", "../victim"), E::File("loophole-victim/file", b"x")])), hardlink_breakout("loophole-victim")));
    out.push(case("untar/InvalidHardlink/loophole-then-symlink", "go-archive TestUntarInvalidHardlink (hardlink, symlink)", docker1(layer(&[E::Link("loophole-victim", "../victim"), E::Sym("symlink", "loophole-victim/hello")])), hardlink_breakout("loophole-victim")));
    out.push(case("untar/InvalidSymlink/dotdot", "go-archive TestUntarInvalidSymlink", docker1(layer(&[E::Sym("dotdot", "../victim/hello")])), symlink_breakout("dotdot")));
    out.push(
        case(
            "untar/InvalidSymlink/slash-dotdot",
            "go-archive TestUntarInvalidSymlink (filepath.Join(dir, \"/../victim/hello\") leaves dest: breakoutError)",
            docker1(layer(&[E::Sym("slash-dotdot", "/../victim/hello")])),
            symlink_breakout("slash-dotdot"),
        ),
    );
    out.push(case("untar/InvalidSymlink/loophole-victim", "go-archive TestUntarInvalidSymlink (write through the link)", docker1(layer(&[E::Sym("loophole-victim", "../victim"), E::File("loophole-victim/file", b"x")])), symlink_breakout("loophole-victim")));
    out.push(case("untar/InvalidSymlink/symlink-symlink", "go-archive TestUntarInvalidSymlink (symlink, symlink)", docker1(layer(&[E::Sym("loophole-victim", "../victim"), E::Sym("symlink", "loophole-victim/hello")])), symlink_breakout("loophole-victim")));
    out.push(case(
        "untar/AbsoluteHardlink",
        "go-archive TestUntarAbsoluteHardlink (kaniko writes `usr/bin/perlthanks -> /usr/bin/perlbug`)",
        docker1(layer(&[E::File("usr/bin/perlbug", b"#!perl"), E::Link("usr/bin/perlthanks", "/usr/bin/perlbug")])),
        kept(1, "usr/bin/perlthanks"),
    ));
    out.push(case(
        "untar/SiblingPrefixContained",
        "go-archive TestUntarSiblingPrefixContained (a `dest-evil` sibling is not inside `dest`)",
        docker1(layer(&[E::Link("evil", "../dest-evil/hello")])),
        hardlink_breakout("evil"),
    ));
    out.push(case(
        "untar/ThroughAbsoluteSymlink",
        "go-archive TestUntarThroughAbsoluteSymlink (var/run -> /run, common in real images)",
        docker2(layer(&[E::Dir("run"), E::Dir("var"), E::Sym("var/run", "/run")]), layer(&[E::File("var/run/existing/pid", b"1")])),
        kept(2, "var/run/existing/pid"),
    ));
    out.push(case(
        "untar/RelativeEscapeBeforeAbsoluteSymlink",
        "go-archive TestUnpackRejectsRelativeEscapeBeforeAbsoluteSymlink",
        docker1(layer(&[E::Sym("escape", ".."), E::Sym("escape/absolute", "/target"), E::File("escape/absolute/file", b"x")])),
        symlink_breakout("escape"),
    ));
    out.push(case(
        "untar/SymlinkBreakoutTwoHops",
        "go-archive TestUntarSymlinkBreakout (each link passes the string check; docker applies layers in a chroot, so resolution stays inside)",
        docker1(layer(&[E::Dir("inner"), E::Sym("inner/go_up", ".."), E::Sym("inner/go_up/escape", "../victim"), E::File("inner/go_up/escape/newfile", b"x")])),
        kept(1, "inner/go_up/escape/newfile"),
    ));
    out.push(case(
        "untar/HardlinkToSymlink",
        "go-archive TestUntarHardlinkToSymlink",
        docker1(layer(&[E::File("target", b"t"), E::Sym("symlink1", "target"), E::Link("symlink2", "symlink1")])),
        kept(1, "symlink2"),
    ));
    out.push(case(
        "untar/DotDotTargetAtRootViaNormalisedName",
        "CPython gh-149486 (containment checked on the normalised name: `a/b/..` is `a`)",
        docker1(layer(&[E::Sym("a/b/..", "../x")])),
        symlink_breakout("a/b/.."),
    ));
    out.push(case(
        "untar/HardlinkTrailingSlash",
        "CPython gh-149486 (trailing `/` on names and targets)",
        docker1(layer(&[E::Link("link/", "../outside/")])),
        hardlink_breakout("link/"),
    ));
}

/// tar-rs `extracting_malicious_tarball`: each of its names in a layer of its own.
fn malicious_tarball(out: &mut Vec<Case>) {
    for (name, path) in [
        ("abs_evil", "/tmp/abs_evil.txt"),
        ("abs_evil2", "//tmp/abs_evil2.txt"),
        ("abs_evil3", "///tmp/abs_evil3.txt"),
        ("abs_evil4", "/./tmp/abs_evil4.txt"),
        ("abs_evil5", "//./tmp/abs_evil5.txt"),
        ("abs_evil6", "///./tmp/abs_evil6.txt"),
        ("rel_evil", "/../tmp/rel_evil.txt"),
        ("win_drive", "C:\\evil.txt"),
        ("backslashes", "..\\..\\evil.txt"),
    ] {
        out.push(case(&format!("tarrs/malicious_tarball/{name}"), "tar-rs extracting_malicious_tarball; backslash_treated_well (names stay under the root)", docker1(layer(&[E::File(path, b"evil")])), kept(1, path)));
    }
    for (name, path) in [("rel_evil2", "../rel_evil2.txt"), ("rel_evil3", "./../rel_evil3.txt"), ("rel_evil4", "some/../../rel_evil4.txt")] {
        out.push(case(&format!("tarrs/malicious_tarball/{name}"), "tar-rs extracting_malicious_tarball; dockerd 20.10 keeps it inside the root", docker1(layer(&[E::File(path, b"evil")])), breakout(path)));
    }
    for (name, path) in [("empty_name", ""), ("slashes_dotdot", "/////////.."), ("slashes", "/////////"), ("dot", "."), ("dotdot_dir", "././//./.."), ("dotdot", "..")] {
        out.push(case(&format!("tarrs/malicious_tarball/{name}"), "tar-rs extracting_malicious_tarball (a file cannot be the root)", docker1(layer(&[E::File(path, b"evil")])), replaces_root()));
    }
    out.push(case("tarrs/root_directory_entry", "GNU tar -C dir . writes `./` (the root's own metadata)", docker1(layer(&[E::Dir("./"), E::File("./f", b"f")])), kept(1, "./f")));
    out.push(case("umoci/RootIsSymlink", "CVE-2021-29136 (umoci applied later layers through a `/.` symlink)", docker1(layer(&[E::Sym(".", "/tmp")])), replaces_root()));
    out.push(case("umoci/UnpackEntryNonDirParent", "umoci TestUnpackEntryNonDirParent (#546)", docker1(layer(&[E::File("nondir", b"x"), E::File("nondir/foo/bar/baz", b"y")])), kept(1, "nondir/foo/bar/baz")));
    let records = pax(&[("path", "a\0b")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("ab", b'0', 1, 0o644, None), b"x")]);
    out.push(case("tarrs/nul_bytes_in_path", "tar-rs nul_bytes_in_path; Go validPAXRecord (NUL in path is ErrHeader)", docker1(tar), refused(|e| matches!(unsafe_entry(e), Some(UnsafeEntry::Nul(_))), "NUL byte")));
    let records = pax(&[("linkpath", "/etc\0/passwd")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("l", b'2', 0, 0o777, Some("x")), b"")]);
    out.push(case("tarrs/nul_bytes_in_linkpath", "Go validPAXRecord (NUL in linkpath is ErrHeader)", docker1(tar), refused(|e| matches!(unsafe_entry(e), Some(UnsafeEntry::Nul(_))), "NUL byte")));
    let records = pax(&[("linkpath", "../../../../etc/shadow")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("innocent", b'2', 0, 0o777, Some("harmless")), b"")]);
    out.push(case("pax/linkpath_escape", "reliability D9: checks run on the final (PAX) link target", docker1(tar), symlink_breakout("innocent")));
    let records = pax(&[("path", "../../escape")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("innocent", b'0', 1, 0o644, None), b"x")]);
    out.push(case("pax/path_escape", "reliability D9: checks run on the final (PAX) name", docker1(tar), breakout("../../escape")));
}

/// E12, E15: the same name twice; the last entry wins and replaces the entry itself.
fn same_names(out: &mut Vec<Case>) {
    for (name, entries, source) in [
        ("symlink_then_file", vec![E::Sym("x", "/etc/passwd"), E::File("x", b"overwrite")], "RUSTSEC-2018-0002 (tar <= 0.4.15 wrote through the link)"),
        ("symlink_then_dir", vec![E::Sym("x", "/tmp/outside"), E::Dir("x")], "tar-rs symlink_dir_collision_does_not_modify_external_dir_permissions (RUSTSEC-2026-0067)"),
        ("dir_then_symlink", vec![E::Dir("x"), E::File("x/inner", b"i"), E::Sym("x", "/etc")], "containerd DirectoryOverrideSymlink"),
        ("file_twice", vec![E::File("x", b"first"), E::File("x", b"second")], "image-spec layer.md (duplicates); tar-rs extracting_duplicate_file_succeed"),
        ("dir_twice", vec![E::Dir("x"), E::Dir("x")], "tar-rs extracting_duplicate_dirs"),
        ("hardlink_then_file", vec![E::File("t", b"t"), E::Link("x", "t"), E::File("x", b"replaces the link")], "CVE-2021-32760 class (metadata ops never follow links)"),
    ] {
        let want = entries.len();
        out.push(case(&format!("same_name/{name}"), source, docker1(layer(&entries)), accepted(move |s, i| one_image(s, i, 1) && entries_len(s, i) == want, "every entry is recorded, in archive order")));
    }
    let mut w = TarWriter::new();
    w.entry("deep/a/b/c/d/e/f/g/h/i/j", EntryKind::Directory, &[], 0o755, None).symlink("deep/a/b/c/d/e/f/g/h/i/j/up", &"../".repeat(11));
    out.push(case("symlink/deep_but_inside", "containerd TestRelativeSymlinks (up exactly to the root)", docker1(w.finish()), kept(1, "deep/a/b/c/d/e/f/g/h/i/j/up")));
    let mut w = TarWriter::new();
    w.entry("deep/a/b/c/d/e/f/g/h/i/j", EntryKind::Directory, &[], 0o755, None).symlink("deep/a/b/c/d/e/f/g/h/i/j/up", &"../".repeat(12));
    out.push(case("symlink/deep_one_too_many", "containerd TestRelativeSymlinks (one level above the root)", docker1(w.finish()), symlink_breakout("deep/a/b/c/d/e/f/g/h/i/j/up")));
    out.push(case("symlink/loop", "a symlink loop is data, never followed", docker1(layer(&[E::Sym("a", "b"), E::Sym("b", "a")])), accepted(|s, i| paths(s, i) == ["a", "b"], "both links recorded")));
}

fn entries_len(s: &layerwise_core::store::MemoryStore, i: &[layerwise_core::import::Imported]) -> usize {
    entries(s, i).len()
}
