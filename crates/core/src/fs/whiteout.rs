//! Whiteouts (image-spec `layer.md`): `.wh.<name>` deletes `<name>` from lower layers;
//! `<dir>/.wh..wh..opq` hides all of `<dir>`'s lower contents.

/// The prefix of a whiteout file.
pub const WHITEOUT_PREFIX: &str = ".wh.";
/// The opaque whiteout, which hides every lower entry of its directory.
pub const OPAQUE: &str = ".wh..wh..opq";
/// AUFS metadata (`.wh..wh.plnk` and the like), which docker skips.
const META_PREFIX: &str = ".wh..wh.";

/// What a root-relative path means as a whiteout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whiteout<'a> {
    /// An ordinary entry.
    None,
    /// Deletes this path (file or directory) from lower layers.
    Delete(String),
    /// Hides every lower entry of this directory (`""` is the root).
    Opaque(&'a str),
    /// AUFS metadata, skipped.
    Meta,
    /// A whiteout that names the root: `.wh.`, `.wh..` or `.wh...` at the top, `a/.wh...`.
    Invalid,
}

/// Classifies a root-relative path.
pub fn classify(path: &str) -> Whiteout<'_> {
    let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
    let Some(name) = base.strip_prefix(WHITEOUT_PREFIX) else { return Whiteout::None };
    if base == OPAQUE {
        return Whiteout::Opaque(dir);
    }
    if base.starts_with(META_PREFIX) {
        return Whiteout::Meta;
    }
    // moby removes `filepath.Join(dir, name)`: `a/.wh.` and `a/.wh..` remove `a`, `a/b/.wh...`
    // removes `a`; what names the root cannot be removed.
    match super::path::in_root(&format!("{dir}/{name}")) {
        target if target.is_empty() => Whiteout::Invalid,
        target => Whiteout::Delete(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_whiteouts_as_the_spec_says() {
        assert_eq!(classify("etc/.wh.hosts"), Whiteout::Delete("etc/hosts".into()));
        assert_eq!(classify(".wh.etc"), Whiteout::Delete("etc".into()));
        assert_eq!(classify("var/.wh..wh..opq"), Whiteout::Opaque("var"));
        assert_eq!(classify(".wh..wh.plnk/12"), Whiteout::None);
        assert_eq!(classify(".wh..wh.plnk"), Whiteout::Meta);
        for root in [".wh.", ".wh..", ".wh...", "etc/.wh..."] {
            assert_eq!(classify(root), Whiteout::Invalid, "{root}");
        }
        // As dockerd 20.10 applies them: the folder itself, or its parent.
        assert_eq!(classify("etc/.wh.."), Whiteout::Delete("etc".into()));
        assert_eq!(classify("etc/.wh."), Whiteout::Delete("etc".into()));
        assert_eq!(classify("etc/sub/.wh..."), Whiteout::Delete("etc".into()));
        assert_eq!(classify(".wh.etc/somefile"), Whiteout::None);
    }
}
