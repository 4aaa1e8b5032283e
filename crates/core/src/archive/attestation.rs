//! Attestations: the provenance and SBOM manifests BuildKit stores in an image index beside the
//! images they describe (`vnd.docker.reference.type: attestation-manifest`, platform
//! `unknown/unknown`). They are not images; they are kept with the image they name and shown
//! as such.

use super::plan::{read_blob, Located};
use super::platform::is_attestation;
use super::{ArchiveError, ArchiveIndex, ArchiveSource};
use crate::digest::Digest;
use crate::spec::{self, Descriptor, Index, Manifest, MAX_JSON_BYTES};

/// The annotation naming the image manifest an attestation is about.
const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The annotation of an in-toto layer naming its predicate (SLSA provenance, SPDX, …).
const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";

/// An attestation to keep with an image: its manifest and every blob it names, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAttestation {
    /// The attestation manifest's digest.
    pub manifest: Digest,
    /// The blobs to store: the manifest itself, its config and its layers, with media types.
    pub blobs: Vec<(Digest, String, Vec<u8>)>,
    /// The predicate types of its in-toto statements.
    pub predicate_types: Vec<String>,
}

/// The attestations `index` holds for the image manifest `image`. Attestations whose blobs are
/// not all in the archive (exports are often sparse) or are over [`MAX_JSON_BYTES`] are left out.
///
/// # Errors
/// When a blob that is present does not match its descriptor.
pub(super) async fn attestations_for<S: ArchiveSource>(
    source: &S,
    archive: &ArchiveIndex,
    index: &Index,
    image: &Digest,
) -> Result<Vec<PlannedAttestation>, ArchiveError> {
    let mut out = Vec::new();
    for d in index.manifests.iter().filter(|d| is_attestation(d) && d.annotation(REFERENCE_DIGEST) == Some(&image.to_string())) {
        if let Some(a) = read_attestation(source, archive, d).await? {
            out.push(a);
        }
    }
    Ok(out)
}

async fn read_attestation<S: ArchiveSource>(source: &S, archive: &ArchiveIndex, d: &Descriptor) -> Result<Option<PlannedAttestation>, ArchiveError> {
    let keepable = |d: &Descriptor| d.size <= MAX_JSON_BYTES && archive.locate(&super::plan::blob_path(&d.digest), "").is_ok_and(|l: Located| l.len == d.size);
    if !keepable(d) {
        return Ok(None);
    }
    let what = format!("attestation {}", d.digest);
    let raw = read_blob(source, archive, d, &what).await?;
    let manifest: Manifest = spec::parse(&format!("attestation manifest {}", d.digest), &raw)?;
    let parts: Vec<&Descriptor> = std::iter::once(&manifest.config).chain(&manifest.layers).collect();
    if !parts.iter().all(|p| keepable(p)) {
        return Ok(None);
    }
    let mut blobs = vec![(d.digest.clone(), d.media_type.clone(), raw.clone())];
    for p in &parts {
        blobs.push((p.digest.clone(), p.media_type.clone(), read_blob(source, archive, p, &what).await?));
    }
    let predicate_types = manifest.layers.iter().filter_map(|l| l.annotation(PREDICATE_TYPE).map(str::to_owned)).collect();
    Ok(Some(PlannedAttestation { manifest: d.digest.clone(), blobs, predicate_types }))
}
