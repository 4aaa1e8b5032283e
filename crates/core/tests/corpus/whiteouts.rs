//! Whiteouts (reliability.md 1F): whiteouts that name nothing are refused, as containerd and the
//! image spec say; the others are recorded, in any order.

use layerwise_core::fs::UnsafeEntry;
use layerwise_core::tar::header;

use super::build::{layer, pax, pax_header, raw_tar, Image, E};
use super::{accepted, has_path, merged_has, one_image, refused, unsafe_entry, Case, Category, Expect};

fn case(name: &str, source: &'static str, archive: Vec<u8>, expect: Expect) -> Case {
    Case::new(format!("whiteout/{name}"), Category::Whiteouts, source, archive, expect)
}

const CONTAINERD: &str = "containerd pkg/archive TestBreakouts";

/// A base layer with `/etc/passwd` and a `localetc` symlink, then the layer under test.
fn over_base(upper: &[E<'_>]) -> Vec<u8> {
    let lower = layer(&[E::Dir("etc"), E::File("etc/passwd", b"all users"), E::File("etc/whitedout", b"ahhhh whiteout"), E::Sym("localetc", "/etc")]);
    Image::layers(vec![lower, layer(upper)]).docker().tar()
}

fn invalid(name: &'static str) -> Expect {
    refused(move |e| matches!(unsafe_entry(e), Some(UnsafeEntry::InvalidWhiteout(n)) if n == name), "would remove the image root")
}

/// A whiteout that names a folder by `.`, `..` or nothing: dockerd removes what
/// `filepath.Join(dir, name)` names, here `etc`.
fn removes_etc() -> Expect {
    accepted(|s, i| one_image(s, i, 2) && !merged_has(s, i, "etc"), "etc is removed, as dockerd 20.10 removes it")
}

fn kept(path: &'static str) -> Expect {
    accepted(move |s, i| one_image(s, i, 2) && has_path(s, i, path), "recorded as a whiteout of the lower layer")
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (name, path) in [("WhiteoutRootParent", ".wh..."), ("WhiteoutParent", "etc/.wh..."), ("WhiteoutRoot", ".wh..")] {
        out.push(case(name, CONTAINERD, over_base(&[E::File(path, b"")]), invalid(path)));
    }
    out.push(case("WhiteoutCurrentDirectory", CONTAINERD, over_base(&[E::File("etc/.wh..", b"")]), removes_etc()));
    out.push(case("bare_prefix", "image-spec layer.md (\"A `.wh.` file, without a basename to delete, is invalid\")", over_base(&[E::File(".wh.", b"")]), invalid(".wh.")));
    out.push(case("bare_prefix_in_dir", "image-spec layer.md; go-archive TestOverlayUntarInvalidWhiteoutNames", over_base(&[E::File("etc/.wh.", b"")]), removes_etc()));
    out.push(case("trailing_slash", "CPython gh-149486 class (the cleaned name is the one checked)", over_base(&[E::File("etc/.wh../", b"")]), removes_etc()));
    out.push(case("as_directory", "containerd errInvalidArchive whatever the entry's type", over_base(&[E::Dir(".wh..")]), invalid(".wh..")));
    let records = pax(&[("path", "etc/.wh..")]);
    let tar = raw_tar(&[(pax_header(b'x', &records), &records), (header("harmless", b'0', 0, 0o644, None), b"")]);
    out.push(case(
        "via_pax_path",
        "reliability D9 (checks on the final name)",
        Image::layers(vec![layer(&[E::Dir("etc")]), tar]).docker().tar(),
        removes_etc(),
    ));
    out.push(case(
        "escaping_whiteout",
        "dockerd 20.10 applies layers chrooted: `../.wh.etc` is `.wh.etc`",
        over_base(&[E::File("../.wh.etc", b"")]),
        removes_etc(),
    ));
    out.push(case("WhiteoutSymlink", CONTAINERD, over_base(&[E::File(".wh.localetc", b"")]), kept(".wh.localetc")));
    out.push(case("WhiteoutSymlinkPath", CONTAINERD, over_base(&[E::File("localetc/.wh.whitedout", b"")]), kept("localetc/.wh.whitedout")));
    out.push(case("WhiteoutDirectoryName", CONTAINERD, over_base(&[E::File(".wh.etc/somefile", b"non-empty")]), kept(".wh.etc/somefile")));
    out.push(case("WhiteoutDeadSymlinkParent", CONTAINERD, over_base(&[E::File("localetc/.wh.etc", b"")]), kept("localetc/.wh.etc")));
    out.push(case("WhiteoutRelativePath", CONTAINERD, over_base(&[E::File("dne/../.wh.etc", b"")]), kept("dne/../.wh.etc")));
    out.push(case("opaque_before_siblings", "containerd applyNaive (unpackedPaths); image-spec (whiteouts apply to lower layers only)", over_base(&[E::Dir("etc"), E::File("etc/.wh..wh..opq", b""), E::File("etc/new", b"n")]), kept("etc/new")));
    out.push(case("opaque_after_siblings", "containerd applyNaive: an opaque marker after its siblings keeps them", over_base(&[E::Dir("etc"), E::File("etc/new", b"n"), E::File("etc/.wh..wh..opq", b"")]), kept("etc/.wh..wh..opq")));
    out.push(case("opaque_root", "image-spec layer.md (opaque whiteout of the root)", over_base(&[E::File(".wh..wh..opq", b"")]), kept(".wh..wh..opq")));
    out.push(case("aufs_hardlink_dir", "go-archive UnpackLayer skips `.wh..wh.plnk` (AUFS metadata)", over_base(&[E::Dir(".wh..wh.plnk"), E::File(".wh..wh.plnk/1234.5678", b"linked")]), kept(".wh..wh.plnk/1234.5678")));
    out.push(case("whiteout_with_data", "go-archive ignores a whiteout's contents", over_base(&[E::File("etc/.wh.passwd", b"contents are ignored")]), kept("etc/.wh.passwd")));
    out.push(case("whiteout_of_nothing", "containerd: removing what does not exist is not an error", over_base(&[E::File(".wh.never-existed", b"")]), kept(".wh.never-existed")));
    out.push(case("whiteout_named_dots", "`.wh....` names a file called `...`", over_base(&[E::File(".wh....", b"")]), kept(".wh....")));
    out.push(case("whiteout_in_base_layer", "moby: whiteouts in the first layer delete nothing", Image::of(layer(&[E::File(".wh.etc", b"")])).docker().tar(), accepted(|s, i| one_image(s, i, 1) && has_path(s, i, ".wh.etc"), "recorded")));
    out.push(case("whiteout_symlink_entry", "a whiteout written as a symlink (its type does not matter)", over_base(&[E::Sym(".wh.localetc", "/anything")]), kept(".wh.localetc")));
    out
}
