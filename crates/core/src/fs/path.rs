//! Cleaning entry names as docker's unpacker does.
//!
//! dockerd applies a layer chrooted in the layer's folder (`chrootarchive.ApplyLayer`), so no
//! name or link can leave it: `..` stops at the root (`../x` and `a/../../x` are `x`), a hard
//! link's target is taken the same way, and a symlink is written as it is, pointing wherever it
//! says; what it points at is resolved inside the root when read. dockerd 20.10 loads every such
//! layer (the corpus checks it against the daemon), and so do we: nothing is ever extracted, and
//! every path stored is root-relative.

use super::whiteout::{self, Whiteout};
use crate::tar::{Entry, EntryKind};

/// Why a layer entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeEntry {
    /// Something other than a directory named as the root itself.
    #[error("entry `{0}` would replace the image root")]
    ReplacesRoot(String),
    /// A whiteout that names the root (`.wh..` at the top, `a/.wh...`): dockerd fails removing
    /// it ("unlinkat .//: device or resource busy").
    #[error("whiteout entry `{0}` would remove the image root")]
    InvalidWhiteout(String),
    /// A name or link target with a NUL byte.
    #[error("entry `{0}` has a NUL byte in its name or link target")]
    Nul(String),
}

/// Go's `filepath.Clean` on `/`-separated names: `.` elements dropped, `x/..` pairs removed,
/// `..` kept at the start of a relative path and dropped at the start of a rooted one; `""`
/// becomes `.`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match out.last() {
                Some(&last) if last != ".." => {
                    out.pop();
                }
                _ if rooted => {}
                _ => out.push(".."),
            },
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// The root-relative path a name (or a hard link's target) stands for in a chrooted unpacker:
/// `filepath.Join("/", name)` without the leading `/` (`""` is the root). Never starts with `/`
/// or `..`.
pub fn in_root(name: &str) -> String {
    clean(&format!("/{name}"))[1..].to_owned()
}

/// Checks a layer entry as docker's unpacker would, and returns its root-relative path.
///
/// # Errors
/// [`UnsafeEntry`] for NUL bytes, whiteouts of the root, and non-directories named as the root.
pub fn check_entry(entry: &Entry) -> Result<String, UnsafeEntry> {
    let shown = || crate::text::clip(&entry.path, 200);
    if entry.path.contains('\0') || entry.link.as_deref().is_some_and(|l| l.contains('\0')) {
        return Err(UnsafeEntry::Nul(shown()));
    }
    let path = in_root(&entry.path);
    if path.is_empty() && entry.kind != EntryKind::Directory {
        return Err(UnsafeEntry::ReplacesRoot(shown()));
    }
    if let Whiteout::Invalid = whiteout::classify(&path) {
        return Err(UnsafeEntry::InvalidWhiteout(shown()));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_as_go_does() {
        for (raw, want) in [
            ("", "."),
            ("./etc//hosts", "etc/hosts"),
            ("a/../../x", "../x"),
            ("/../x", "/x"),
            ("/////////..", "/"),
            ("././//./..", ".."),
            ("some/../../x", "../x"),
            ("a/./b/../c/", "a/c"),
            ("..", ".."),
        ] {
            assert_eq!(clean(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn names_stay_in_the_root_as_in_a_chroot() {
        for (raw, want) in [("../x", "x"), ("a/../../x", "x"), ("/etc/x", "etc/x"), ("./../..", ""), ("", ""), ("a/b/..", "a")] {
            assert_eq!(in_root(raw), want, "{raw:?}");
        }
    }
}
