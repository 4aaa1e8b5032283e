//! Cleaning entry names and refusing the ones that leave the image root.

use super::whiteout::{self, Whiteout};
use crate::tar::{Entry, EntryKind};

/// Why a layer entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeEntry {
    /// The name climbs above the root (`../x`, `a/../../x`).
    #[error("entry `{0}` points outside the image root")]
    Breakout(String),
    /// A hard link's target climbs above the root.
    #[error("hard link `{name}` points outside the image root (to `{target}`)")]
    HardlinkBreakout {
        /// The link.
        name: String,
        /// Its target.
        target: String,
    },
    /// A symlink's target, taken from the link's directory, climbs above the root.
    #[error("symlink `{name}` points outside the image root (to `{target}`)")]
    SymlinkBreakout {
        /// The link.
        name: String,
        /// Its target.
        target: String,
    },
    /// Something other than a directory named as the root itself.
    #[error("entry `{0}` would replace the image root")]
    ReplacesRoot(String),
    /// A whiteout that names nothing (`.wh.`, `.wh..`, `.wh...`).
    #[error("invalid whiteout entry `{0}`")]
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

/// True when a cleaned name leaves the root: `..` or `../…` (a rooted name never does).
fn escapes(cleaned: &str) -> bool {
    cleaned == ".." || cleaned.starts_with("../")
}

/// The root-relative path of a cleaned name (`/etc/x` and `etc/x` are both `etc/x`; the root is `""`).
fn root_relative(cleaned: &str) -> &str {
    let p = cleaned.trim_start_matches('/');
    if p == "." {
        ""
    } else {
        p
    }
}

/// Checks a layer entry as docker's unpacker would, and returns its root-relative path.
///
/// # Errors
/// [`UnsafeEntry`] for names or link targets that leave the root, invalid whiteouts, and
/// non-directories named as the root.
pub fn check_entry(entry: &Entry) -> Result<String, UnsafeEntry> {
    let shown = || crate::text::clip(&entry.path, 200);
    if entry.path.contains('\0') || entry.link.as_deref().is_some_and(|l| l.contains('\0')) {
        return Err(UnsafeEntry::Nul(shown()));
    }
    let cleaned = clean(&entry.path);
    if escapes(&cleaned) {
        return Err(UnsafeEntry::Breakout(shown()));
    }
    let path = root_relative(&cleaned).to_owned();
    if path.is_empty() && entry.kind != EntryKind::Directory {
        return Err(UnsafeEntry::ReplacesRoot(shown()));
    }
    if let Whiteout::Invalid = whiteout::classify(&path) {
        return Err(UnsafeEntry::InvalidWhiteout(shown()));
    }
    // go-archive joins a link's target under the root (hard links) or under the link's folder
    // (symlinks), a leading `/` being only a separator there, and refuses what climbs out.
    let joined = |base: &str, target: &str| clean(format!("{base}/{}", target.trim_start_matches('/')).trim_start_matches('/'));
    match (entry.kind, entry.link.as_deref()) {
        (EntryKind::Hardlink, Some(target)) if escapes(&joined("", target)) => {
            Err(UnsafeEntry::HardlinkBreakout { name: shown(), target: crate::text::clip(target, 200) })
        }
        (EntryKind::Symlink, Some(target)) if escapes(&joined(path.rsplit_once('/').map_or("", |(d, _)| d), target)) => {
            Err(UnsafeEntry::SymlinkBreakout { name: shown(), target: crate::text::clip(target, 200) })
        }
        _ => Ok(path),
    }
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
}
