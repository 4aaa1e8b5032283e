//! Edit sessions, which docker calls containers: an image and the changes made over it, kept
//! (across reloads) until committed as a new image or removed.

use serde::{Deserialize, Serialize};

use crate::change::{ChangeSet, NewEntry};
use crate::commit::{items, Item};
use crate::digest::Digest;
use crate::fs::{LayerChanges, MergedFs};
use crate::tar::{Entry, EntryKind};

/// A stored edit session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRecord {
    /// 64 hex digits, as docker's container IDs: the key.
    pub id: String,
    /// A name to tell sessions apart.
    pub name: String,
    /// The image edited.
    pub image: Digest,
    /// The name the image was opened by (`test/app:1`), as `docker ps` shows it.
    pub image_ref: String,
    /// When the session started (ms since the epoch).
    pub created_ms: f64,
    /// The image's command when the session started (entrypoint and cmd, joined by spaces), as
    /// `docker ps` shows it.
    #[serde(default)]
    pub command: String,
    /// The changes so far.
    pub changes: ChangeSet,
}

impl ContainerRecord {
    /// The first 12 digits of the ID, as docker prints it.
    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }

    /// The bytes of the files the session wrote: its writable layer's size, as the page counts
    /// it (a daemon measures the layer's directory on disk).
    pub fn written_bytes(&self) -> u64 {
        self.changes
            .writes
            .values()
            .map(|w| match &w.entry {
                NewEntry::File { size, .. } => *size,
                NewEntry::Directory | NewEntry::Symlink(_) => 0,
            })
            .sum()
    }
}

/// Why a name finds no one edit session, in the daemon's words (moby `container/view.go`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No session has that ID, name or ID prefix.
    #[error("No such container: {0}")]
    NotFound(String),
    /// Several sessions' IDs start with it (the daemon answers 400, not 404).
    #[error("multiple IDs found with provided prefix: {0}")]
    Ambiguous(String),
}

/// Finds a session as the daemon's `GetContainer` does: the full ID, else the exact name (with
/// or without its leading `/`), else a prefix of one session's ID.
///
/// # Errors
/// [`LookupError`] for no session, or a prefix several IDs share.
pub fn resolve<'a>(containers: &'a [ContainerRecord], name: &str) -> Result<&'a ContainerRecord, LookupError> {
    if let Some(c) = containers.iter().find(|c| c.id == name) {
        return Ok(c);
    }
    if let Some(c) = containers.iter().find(|c| c.name == name.strip_prefix('/').unwrap_or(name)) {
        return Ok(c);
    }
    let mut found = containers.iter().filter(|c| !name.is_empty() && c.id.starts_with(name));
    match (found.next(), found.next()) {
        (Some(c), None) => Ok(c),
        (Some(_), Some(_)) => Err(LookupError::Ambiguous(name.to_owned())),
        (None, _) => Err(LookupError::NotFound(name.to_owned())),
    }
}

/// Adjectives and names for [`docker_name`], in the spirit of docker's generator.
const LEFT: [&str; 24] = [
    "admiring", "brave", "busy", "clever", "dazzling", "eager", "elegant", "focused", "friendly", "gifted", "happy", "hopeful", "jolly", "keen", "kind",
    "loving", "nifty", "peaceful", "quirky", "relaxed", "serene", "stoic", "vibrant", "zealous",
];
const RIGHT: [&str; 24] = [
    "babbage", "bohr", "curie", "darwin", "einstein", "euler", "faraday", "feynman", "franklin", "galileo", "gauss", "hopper", "hypatia", "kepler", "lamport",
    "lovelace", "meitner", "newton", "noether", "pascal", "ritchie", "shannon", "thompson", "turing",
];

/// A docker-style container name (`focused_turing`) from a random number.
pub fn docker_name(random: u64) -> String {
    // ok: both indexes are remainders of divisions by the lists' lengths
    let (l, r) = ((random % LEFT.len() as u64) as usize, ((random / LEFT.len() as u64) % RIGHT.len() as u64) as usize);
    format!("{}_{}", LEFT[l], RIGHT[r])
}

/// The layer a commit of `changes` would write, as index entries (no data offsets).
fn session_entries(base: &MergedFs, changes: &ChangeSet) -> Vec<Entry> {
    let entry = |path: &str, kind, size, mode, link: Option<&str>| Entry {
        path: path.to_owned(),
        kind,
        size,
        mode,
        uid: 0,
        gid: 0,
        mtime: 0,
        link: link.map(str::to_owned),
        data_offset: 0,
        data_len: 0,
        sparse: None,
    };
    items(base, changes)
        .into_iter()
        .map(|item| match item {
            Item::Dir { path, meta } => Entry { uid: meta.uid, gid: meta.gid, ..entry(&path, EntryKind::Directory, 0, meta.mode, None) },
            Item::File { path, mode, size, .. } => entry(&path, EntryKind::File, size, mode, None),
            Item::Symlink { path, target, meta } => Entry { uid: meta.uid, gid: meta.gid, ..entry(&path, EntryKind::Symlink, 0, 0o777, Some(&target)) },
            Item::Lower { entry, mode, .. } => Entry { mode, ..entry },
            Item::Whiteout { path } => entry(&path, EntryKind::File, 0, 0, None),
        })
        .collect()
}

/// The filesystem as the session sees it (`base`, of `layers` layers, with `changes` applied as
/// one more layer), and what that layer changes.
pub fn session_fs(base: &MergedFs, layers: usize, changes: &ChangeSet) -> (MergedFs, LayerChanges) {
    let entries = session_entries(base, changes);
    let mut fs = base.clone();
    let changed = fs.apply(layers, &entries);
    (fs, changed)
}

/// `docker diff`: `A`, `C` or `D` and the absolute path, in path order; a deleted directory is
/// listed once, not with each of its children.
pub fn diff(changed: &LayerChanges) -> Vec<String> {
    let mut lines: Vec<(String, char)> = Vec::new();
    lines.extend(changed.added.iter().map(|p| (p.clone(), 'A')));
    lines.extend(changed.modified.iter().map(|p| (p.clone(), 'C')));
    let deleted = &changed.deleted;
    let inside_deleted = |p: &str| deleted.iter().any(|d| p.len() > d.len() && p.starts_with(d.as_str()) && p.as_bytes()[d.len()] == b'/');
    lines.extend(deleted.iter().filter(|p| !inside_deleted(p)).map(|p| (p.clone(), 'D')));
    lines.sort();
    lines.into_iter().map(|(p, mark)| format!("{mark} /{p}")).collect()
}

/// A word for a Dockerfile's shell form: quoted when it holds anything but safe characters.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:@%,".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A Dockerfile that makes the same change over `image_ref` (files are `COPY`ed from a build
/// context holding them at their image paths), since a Dockerfile is the reproducible way to
/// say what a commit did: deletions first (`RUN rm -rf`), then folders, files, links and mode
/// changes, then the config instructions as given.
pub fn dockerfile(image_ref: &str, changes: &ChangeSet) -> String {
    let mut out = format!("FROM {image_ref}\n");
    let abs = |p: &str| shell_word(&format!("/{p}"));
    if !changes.deletes.is_empty() {
        let paths: Vec<String> = changes.deletes.iter().map(|p| abs(p)).collect();
        out.push_str(&format!("RUN rm -rf {}\n", paths.join(" ")));
    }
    let mut links = Vec::new();
    for (path, w) in &changes.writes {
        match &w.entry {
            NewEntry::Directory => out.push_str(&format!("RUN mkdir -p {0} && chmod {1:o} {0}\n", abs(path), w.mode)),
            NewEntry::File { .. } => {
                let chmod = if w.mode == 0o644 { String::new() } else { format!("--chmod={:o} ", w.mode) };
                // COPY's arguments are not shell words: a path that needs quoting takes the JSON form.
                let dest = format!("/{path}");
                if shell_word(path) == *path {
                    out.push_str(&format!("COPY {chmod}{path} {dest}\n"));
                } else {
                    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
                    out.push_str(&format!("COPY {chmod}[{}, {}]\n", json(path), json(&dest)));
                }
            }
            NewEntry::Symlink(target) => links.push(format!("ln -sfn {} {}", shell_word(target), abs(path))),
        }
    }
    if !links.is_empty() {
        out.push_str(&format!("RUN {}\n", links.join(" && ")));
    }
    for (path, mode) in &changes.modes {
        out.push_str(&format!("RUN chmod {mode:o} {}\n", abs(path)));
    }
    for line in &changes.config {
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> MergedFs {
        let e = |path: &str, kind| Entry { path: path.into(), kind, size: 3, mode: 0o755, uid: 0, gid: 0, mtime: 0, link: None, data_offset: 0, data_len: 3, sparse: None };
        let layer = [e("etc", EntryKind::Directory), e("etc/hosts", EntryKind::File), e("var", EntryKind::Directory), e("var/log", EntryKind::Directory), e("var/log/a", EntryKind::File)];
        MergedFs::of_layers([&layer[..]]).0
    }

    #[test]
    fn diff_lists_what_docker_diff_lists() -> Result<(), crate::change::ChangeError> {
        let fs = base();
        let mut c = ChangeSet::default();
        c.write(&fs, "etc/motd", NewEntry::File { content: "k".into(), size: 2 }, 0o644)?;
        c.chmod(&fs, "etc/hosts", 0o600)?;
        c.delete(&fs, "var")?;
        c.write(&fs, "opt/x", NewEntry::Directory, 0o755)?;
        let (after, changed) = session_fs(&fs, 1, &c);
        assert_eq!(diff(&changed), ["C /etc", "C /etc/hosts", "A /etc/motd", "A /opt", "A /opt/x", "D /var"]);
        assert!(after.get("etc/motd").is_some() && after.get("var/log/a").is_none());
        assert_eq!(after.get("etc/hosts").map(|n| n.entry.mode), Some(0o600));
        Ok(())
    }

    #[test]
    fn the_dockerfile_says_what_the_commit_does() -> Result<(), crate::change::ChangeError> {
        let fs = base();
        let mut c = ChangeSet::default();
        c.write(&fs, "etc/motd", NewEntry::File { content: "k".into(), size: 2 }, 0o644)?;
        c.write(&fs, "opt/run me.sh", NewEntry::File { content: "k".into(), size: 2 }, 0o755)?;
        c.write(&fs, "srv", NewEntry::Directory, 0o750)?;
        c.write(&fs, "bin/motd", NewEntry::Symlink("../etc/motd".into()), 0o777)?;
        c.chmod(&fs, "etc/hosts", 0o600)?;
        c.delete(&fs, "var")?;
        c.config = vec!["ENV A=b".into(), r#"CMD ["cat", "/etc/motd"]"#.into()];
        let expected = "FROM test/app:1\nRUN rm -rf /var\nCOPY etc/motd /etc/motd\nCOPY --chmod=755 [\"opt/run me.sh\", \"/opt/run me.sh\"]\nRUN mkdir -p /srv && chmod 750 /srv\nRUN ln -sfn ../etc/motd /bin/motd\nRUN chmod 600 /etc/hosts\nENV A=b\nCMD [\"cat\", \"/etc/motd\"]\n";
        assert_eq!(dockerfile("test/app:1", &c), expected);
        Ok(())
    }
}
