//! `docker image rm` and `docker tag` on the store's records, with the classic daemon's rules
//! (moby `daemon/images/image_delete.go`): removing a reference untags; the image goes when
//! its last reference goes; an ID with references in several repositories needs `-f`; an image
//! another image was built on cannot be removed; an image a (stopped) container uses needs `-f`;
//! untagged parents are pruned unless told not to.

use super::ImageRecord;
use crate::digest::Digest;
use crate::reference::Reference;

/// One line of `docker rmi`'s output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Removed {
    /// `Untagged: nginx:latest`.
    Untagged(String),
    /// `Deleted: sha256:…` (an image, or one of its layers' chain IDs).
    Deleted(String),
}

impl std::fmt::Display for Removed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Untagged(r) => write!(f, "Untagged: {r}"),
            Self::Deleted(d) => write!(f, "Deleted: {d}"),
        }
    }
}

/// Why an image cannot be removed or tagged, in the daemon's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveError {
    /// No image by that name (or an ID prefix two images share), as typed; shown in the
    /// daemon's words ([`super::no_such_image`]).
    #[error("{}", super::no_such_image(.0))]
    NotFound(String),
    /// A conflict: `-f` may help (`must be forced`) or not (`cannot be forced`).
    #[error("conflict: unable to delete {id} ({}) - {reason}", if *.hard { "cannot be forced" } else { "must be forced" })]
    Conflict {
        /// The short image ID.
        id: String,
        /// True when `-f` does not help.
        hard: bool,
        /// What is in the way.
        reason: String,
    },
    /// A reference that is not valid.
    #[error("{0}")]
    Reference(String),
    /// The store failed while the removal was written.
    #[error("{0}")]
    Store(String),
    /// Removing the last reference would leave a container's image dangling.
    #[error("conflict: unable to remove repository reference \"{reference}\" (must force) - container {container} is using its referenced image {id}")]
    ReferenceInUse {
        /// The reference as given.
        reference: String,
        /// The container's short ID.
        container: String,
        /// The short image ID.
        id: String,
    },
}

/// A container (an edit session) and the image it uses: such an image is only removed with `-f`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUse {
    /// The container's ID.
    pub container: String,
    /// The image it uses.
    pub image: Digest,
}

/// The records after a removal, and what to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removal {
    /// docker's output lines, in order.
    pub lines: Vec<Removed>,
    /// Images whose records change (references removed).
    pub updated: Vec<ImageRecord>,
    /// Images removed from the store.
    pub deleted: Vec<Digest>,
}

/// Plans `docker rmi [-f] [--no-prune] NAME` on `images` (which it does not change), with the
/// (stopped) `containers` that use images.
///
/// # Errors
/// [`RemoveError`] with the daemon's message.
pub fn plan_removal(images: &[ImageRecord], containers: &[ContainerUse], name: &str, force: bool, prune: bool) -> Result<Removal, RemoveError> {
    let image = super::resolve(images, name).ok_or_else(|| RemoveError::NotFound(name.to_owned()))?;
    let mut state = State { images: images.to_vec(), containers: containers.to_vec(), out: Removal::default() };
    let id = image.id.clone();
    let by_id = is_id_prefix(&id, name);
    let mut removed_reference = false;
    if !by_id {
        if !force && is_single_reference(image) {
            if let Some(c) = state.container_using(&image.id) {
                let container = c.container.get(..12).unwrap_or(&c.container).to_owned();
                return Err(RemoveError::ReferenceInUse { reference: name.to_owned(), container, id: image.id.short().to_owned() });
            }
        }
        let reference = Reference::parse(name).map_err(|e| RemoveError::Reference(e.to_string()))?.with_default_tag();
        let familiar = reference.familiar();
        state.untag(&id, &familiar);
        // The last tag of a repository takes that repository's digest references with it.
        let repo = reference.familiar_name();
        let (tags, digests) = state.image(&id).map(|i| (i.repo_tags.clone(), i.repo_digests.clone())).unwrap_or_default();
        if reference.digest().is_none() && !tags.iter().any(|t| repo_of(t) == repo) {
            for d in digests.iter().filter(|d| repo_of(d) == repo) {
                state.untag(&id, d);
            }
        }
        if state.has_references(&id) {
            return Ok(state.out);
        }
        removed_reference = true;
    } else if is_single_reference(image) {
        // Only hard conflicts stop this step; the references are about to go.
        state.check_conflicts(&id, false)?;
        for r in state.references(&id) {
            state.untag(&id, &r);
        }
    }
    state.delete(&id, force, prune, removed_reference)?;
    Ok(state.out)
}

/// The plan's working copy of the records.
struct State {
    images: Vec<ImageRecord>,
    containers: Vec<ContainerUse>,
    out: Removal,
}

impl State {
    fn image(&self, id: &Digest) -> Option<&ImageRecord> {
        self.images.iter().find(|i| i.id == *id)
    }

    fn container_using(&self, id: &Digest) -> Option<&ContainerUse> {
        self.containers.iter().find(|c| c.image == *id)
    }

    fn references(&self, id: &Digest) -> Vec<String> {
        self.image(id).map(|i| i.repo_tags.iter().chain(&i.repo_digests).cloned().collect()).unwrap_or_default()
    }

    fn has_references(&self, id: &Digest) -> bool {
        !self.references(id).is_empty()
    }

    fn untag(&mut self, id: &Digest, reference: &str) {
        let Some(image) = self.images.iter_mut().find(|i| i.id == *id) else { return };
        let before = image.repo_tags.len() + image.repo_digests.len();
        image.repo_tags.retain(|t| t != reference);
        image.repo_digests.retain(|d| d != reference);
        if image.repo_tags.len() + image.repo_digests.len() < before {
            self.out.lines.push(Removed::Untagged(reference.to_owned()));
            let updated = image.clone();
            self.out.updated.retain(|u| u.id != *id);
            self.out.updated.push(updated);
        }
    }

    /// moby `checkImageDeleteConflict`: a child image is a hard conflict; remaining references
    /// and stopped containers, when `soft` ones count, soft ones. (Edit sessions never run, so
    /// there is no running-container conflict.)
    fn check_conflicts(&self, id: &Digest, soft: bool) -> Result<(), RemoveError> {
        let short = id.short().to_owned();
        if self.images.iter().any(|i| i.parent.as_ref() == Some(id)) {
            return Err(RemoveError::Conflict { id: short, hard: true, reason: "image has dependent child images".to_owned() });
        }
        if soft && self.has_references(id) {
            return Err(RemoveError::Conflict { id: short, hard: false, reason: "image is referenced in multiple repositories".to_owned() });
        }
        if let Some(c) = self.container_using(id).filter(|_| soft) {
            let reason = format!("image is being used by stopped container {}", c.container.get(..12).unwrap_or(&c.container));
            return Err(RemoveError::Conflict { id: short, hard: false, reason });
        }
        Ok(())
    }

    /// moby `imageDeleteHelper`.
    fn delete(&mut self, id: &Digest, force: bool, prune: bool, quiet: bool) -> Result<(), RemoveError> {
        if let Err(conflict) = self.check_conflicts(id, !force) {
            // Pruning stops quietly at a conflict, unless the image is dangling.
            let dangling = !self.has_references(id) && !self.images.iter().any(|i| i.parent.as_ref() == Some(id));
            return if quiet && !dangling { Ok(()) } else { Err(conflict) };
        }
        for r in self.references(id) {
            self.untag(id, &r);
        }
        let Some(image) = self.image(id).cloned() else { return Ok(()) };
        self.images.retain(|i| i.id != *id);
        self.out.updated.retain(|u| u.id != *id);
        self.out.deleted.push(id.clone());
        self.out.lines.push(Removed::Deleted(id.to_string()));
        for chain in released_chains(&image, &self.images) {
            self.out.lines.push(Removed::Deleted(chain.to_string()));
        }
        match image.parent {
            Some(parent) if prune && self.images.iter().any(|i| i.id == parent) => self.delete(&parent, false, true, true),
            _ => Ok(()),
        }
    }
}

/// The layer chain IDs (image-spec `config.md`) an image holds that no remaining image holds,
/// top first: the `Deleted:` lines docker prints for released layers.
fn released_chains(image: &ImageRecord, remaining: &[ImageRecord]) -> Vec<Digest> {
    let kept: std::collections::HashSet<Digest> = remaining.iter().flat_map(chains).collect();
    let mut released: Vec<Digest> = chains(image).into_iter().filter(|c| !kept.contains(c)).collect();
    released.reverse();
    released
}

/// `ChainID(L0) = DiffID(L0)`, `ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))`.
pub fn chains(image: &ImageRecord) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(image.layers.len());
    for l in &image.layers {
        let next = match out.last() {
            None => l.diff_id.clone(),
            Some(prev) => Digest::of(format!("{prev} {}", l.diff_id).as_bytes()),
        };
        out.push(next);
    }
    out
}

/// moby `isSingleReference`: one tag, plus digests of that same repository only.
fn is_single_reference(image: &ImageRecord) -> bool {
    let refs = image.repo_tags.len() + image.repo_digests.len();
    if refs <= 1 {
        return refs == 1;
    }
    if image.repo_tags.len() > 1 {
        return false;
    }
    let digest_repos: std::collections::HashSet<String> = image.repo_digests.iter().map(|d| repo_of(d)).collect();
    let single = image.repo_tags.first().or(image.repo_digests.first()).map(|r| repo_of(r)).unwrap_or_default();
    digest_repos.len() == 1 && digest_repos.contains(&single)
}

/// moby `isImageIDPrefix`: `name` is the image's ID or a prefix of its hex.
fn is_id_prefix(id: &Digest, name: &str) -> bool {
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    name == id.to_string() || (!hex.is_empty() && id.hex().starts_with(hex) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The repository of a familiar reference (`nginx:1` → `nginx`).
fn repo_of(reference: &str) -> String {
    Reference::parse(reference).map_or_else(|_| reference.to_owned(), |r| r.familiar_name())
}

/// Plans `docker tag SOURCE TARGET`: the target reference moves to the source image.
///
/// # Errors
/// [`RemoveError::NotFound`] for an unknown source, [`RemoveError::Reference`] for a target
/// that is not a valid reference.
pub fn plan_tag(images: &[ImageRecord], source: &str, target: &str, tag_time: &str) -> Result<Vec<ImageRecord>, RemoveError> {
    let image = super::resolve(images, source).ok_or_else(|| RemoveError::NotFound(source.to_owned()))?;
    let reference = Reference::parse(target).map_err(|e| RemoveError::Reference(e.to_string()))?.with_default_tag();
    if reference.digest().is_some() {
        return Err(RemoveError::Reference("refusing to create a tag with a digest reference".to_owned()));
    }
    let familiar = reference.familiar();
    let mut changed = Vec::new();
    for other in images.iter().filter(|i| i.id != image.id && i.repo_tags.contains(&familiar)) {
        let mut other = other.clone();
        other.repo_tags.retain(|t| *t != familiar);
        changed.push(other);
    }
    let mut image = image.clone();
    if !image.repo_tags.contains(&familiar) {
        image.repo_tags.push(familiar);
        image.repo_tags.sort_by_cached_key(|t| Reference::parse(t).map_or_else(|_| t.clone(), |r| r.to_string()));
    }
    image.last_tag_time = Some(tag_time.to_owned());
    changed.push(image);
    Ok(changed)
}

/// Writes a planned removal to the store: changed records first, then the removed images.
/// Blobs the removed images leave unreferenced are freed by the next garbage collection.
///
/// # Errors
/// The first [`super::StoreError`].
pub async fn apply_removal<S: super::Store>(store: &S, removal: &Removal) -> Result<(), super::StoreError> {
    for image in &removal.updated {
        store.put_image(image).await?;
    }
    for id in &removal.deleted {
        store.delete_image(id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(n: u8, tags: &[&str]) -> ImageRecord {
        ImageRecord {
            id: Digest::of(&[n]),
            manifest: Digest::of(&[n, n]),
            repo_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            repo_digests: Vec::new(),
            parent: None,
            created: None,
            last_tag_time: None,
            layers: Vec::new(),
            labels: Default::default(),
            attestations: Vec::new(),
        }
    }

    #[test]
    fn an_image_an_edit_session_uses_needs_force() -> Result<(), RemoveError> {
        let images = [image(1, &["test/app:1"])];
        let id = images[0].id.clone();
        let session = "25c6d941ad3e0000000000000000000000000000000000000000000000000000";
        let containers = [ContainerUse { container: session.to_owned(), image: id.clone() }];
        let by_tag = plan_removal(&images, &containers, "test/app:1", false, true).err().map(|e| e.to_string());
        let expected = format!("conflict: unable to remove repository reference \"test/app:1\" (must force) - container 25c6d941ad3e is using its referenced image {}", id.short());
        assert_eq!(by_tag, Some(expected));
        let by_id = plan_removal(&images, &containers, id.short(), false, true).err().map(|e| e.to_string());
        assert_eq!(by_id, Some(format!("conflict: unable to delete {} (must be forced) - image is being used by stopped container 25c6d941ad3e", id.short())));
        let forced = plan_removal(&images, &containers, "test/app:1", true, true)?;
        assert_eq!(forced.deleted, [id]);
        // A second tag is only untagged: the image stays for the session.
        let two = [image(1, &["test/app:1", "test/app:2"])];
        assert_eq!(plan_removal(&two, &containers, "test/app:2", false, true)?.lines, [Removed::Untagged("test/app:2".into())]);
        Ok(())
    }
}
