//! Deciding what an archive holds: its format, its images, where each image's blobs are.
//!
//! Planning reads only metadata (JSON files of at most [`MAX_JSON_BYTES`]); it verifies the
//! digest of every manifest and config it reads. Layers are verified later, when streamed.

use super::platform::{is_attestation, is_default, show, PlatformChoice};
pub(super) use super::Located;
use super::attestation::{attestations_for, PlannedAttestation};
use super::{ArchiveError, ArchiveIndex, ArchiveSource};
use crate::digest::Digest;
use crate::media_type;
use crate::reference::Reference;
use crate::spec::{self, Descriptor, ImageConfig, Index, Manifest, ManifestItem, MAX_JSON_BYTES};

/// The most layers an image may have (runtimes stop at 128; containerd's comment on manifests
/// counts 128 as typical).
pub const MAX_LAYERS: usize = 1000;

/// The layout of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `manifest.json` (legacy `docker save`, skopeo/podman `docker-archive`, and the Docker 25+
    /// layout, which also carries an OCI layout; docker's classic store reads `manifest.json`).
    DockerSave,
    /// An OCI image layout with no `manifest.json` (`oci-archive`, buildx `type=oci`).
    OciLayout,
    /// A `docker save` from before docker 1.10: `repositories` and a folder per v1 image.
    Legacy,
}

/// What an archive holds.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Its layout.
    pub format: ArchiveFormat,
    /// Its images, in the order the metadata lists them.
    pub images: Vec<PlannedImage>,
}

/// One image to import.
#[derive(Debug, Clone)]
pub struct PlannedImage {
    /// Tags, normalised.
    pub tags: Vec<Reference>,
    /// The config's digest: the image ID.
    pub config_digest: Digest,
    /// The config's raw bytes (verified against `config_digest`).
    pub config_raw: Vec<u8>,
    /// The parsed config.
    pub config: ImageConfig,
    /// The archive's own manifest (verified), when it has one; `docker save` archives have none.
    pub manifest: Option<(Digest, Vec<u8>)>,
    /// The layers, base first.
    pub layers: Vec<PlannedLayer>,
    /// The parent image ID `manifest.json` gives.
    pub parent: Option<Digest>,
    /// Attestations (provenance, SBOM) the archive's index holds for this image.
    pub attestations: Vec<PlannedAttestation>,
}

/// Where one layer is and what it must hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLayer {
    /// The blob in the archive.
    pub at: Located,
    /// The config's diff_id for this layer.
    pub diff_id: Digest,
    /// The blob digest the metadata names (a manifest descriptor, or a `blobs/sha256/<hex>`
    /// file name), which the bytes must match.
    pub digest: Option<Digest>,
    /// The media type a manifest descriptor gives.
    pub media_type: Option<String>,
}

impl PlannedImage {
    /// How messages name this image: its first tag, or its short ID.
    pub fn display_name(&self) -> String {
        self.tags.first().map_or_else(|| self.config_digest.short().to_owned(), Reference::familiar)
    }
}

/// Reads the archive's metadata and plans the import.
///
/// # Errors
/// [`ArchiveError`] naming the file or digest at fault.
pub async fn plan<S: ArchiveSource>(source: &S, index: &ArchiveIndex, platform: &PlatformChoice) -> Result<Plan, ArchiveError> {
    // docker's classic store reads `manifest.json` (one platform); a platform chosen by the user
    // is looked for in the OCI index, when the archive has one.
    let wants_index = *platform != PlatformChoice::Default && index.contains("index.json");
    if index.contains("manifest.json") && !wants_index {
        let images = plan_docker_save(source, index).await?;
        Ok(Plan { format: ArchiveFormat::DockerSave, images })
    } else if index.contains("index.json") {
        let images = plan_oci(source, index, platform).await?;
        Ok(Plan { format: ArchiveFormat::OciLayout, images })
    } else if index.contains("repositories") {
        let images = super::legacy::plan_legacy(source, index, None).await?;
        Ok(Plan { format: ArchiveFormat::Legacy, images })
    } else {
        Err(ArchiveError::NotAnImage(index.summary()))
    }
}

/// Plans a pre-1.10 archive whose layers were read already: `diff_ids` by data offset (an
/// archive compressed as a whole, see [`super::compressed`]).
///
/// # Errors
/// [`ArchiveError`] naming the file at fault.
pub async fn plan_legacy_read<S: ArchiveSource>(source: &S, index: &ArchiveIndex, diff_ids: &std::collections::HashMap<u64, Digest>) -> Result<Plan, ArchiveError> {
    let images = super::legacy::plan_legacy(source, index, Some(diff_ids)).await?;
    Ok(Plan { format: ArchiveFormat::Legacy, images })
}

async fn plan_docker_save<S: ArchiveSource>(source: &S, index: &ArchiveIndex) -> Result<Vec<PlannedImage>, ArchiveError> {
    let raw = read_file(source, index, "manifest.json", "the archive").await?;
    // Read as moby reads it: the first JSON value, whatever follows; `null` is no items (dockerd
    // 20.10 loads such an archive and prints nothing).
    let items: Vec<ManifestItem> = spec::parse_first("`manifest.json`", &raw)?;
    if items.is_empty() {
        return Err(ArchiveError::NoImages);
    }
    let mut images = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let wanted_by = format!("`manifest.json` item {n}");
        // As moby's loader: the files are found by name, and a name is only a name (the image ID
        // is the config's sha256, each layer is verified by its diff_id).
        let config_raw = read_file(source, index, &item.config, &wanted_by).await?;
        let config_digest = Digest::of(&config_raw);
        let config: ImageConfig = spec::parse(&format!("config `{}`", item.config), &config_raw)?;
        check_layer_count(&wanted_by, item.layers.len())?;
        if config.rootfs.diff_ids.len() != item.layers.len() {
            return Err(ArchiveError::LayerCount {
                image: format!("`{}` ({wanted_by})", item.config),
                layers: item.layers.len(),
                diff_ids: config.rootfs.diff_ids.len(),
            });
        }
        let layers = item
            .layers
            .iter()
            .zip(&config.rootfs.diff_ids)
            .map(|(path, diff_id)| {
                let source = item.layer_sources.get(&diff_id.to_string());
                let at = index.locate(path, &wanted_by).map_err(|e| foreign_or(e, diff_id, source.map_or(&[][..], |s| &s.urls)))?;
                let media_type = source.map(|s| s.media_type.clone()).filter(|m| !m.is_empty());
                Ok(PlannedLayer { at, diff_id: diff_id.clone(), digest: None, media_type })
            })
            .collect::<Result<Vec<_>, ArchiveError>>()?;
        let tags = item
            .repo_tags
            .iter()
            .map(|t| parse_repo_tag(t, &wanted_by))
            .collect::<Result<Vec<_>, _>>()?;
        let parent = item.parent.as_deref().and_then(|p| Digest::parse(p).ok());
        images.push(PlannedImage { tags, config_digest, config_raw, config, manifest: None, layers, parent, attestations: Vec::new() });
    }
    // moby's `validatedParentLinks`: a parent is kept only when it is another image of the same
    // archive (anything else in `Parent`, a digest or not, is dropped).
    let ids: Vec<Digest> = images.iter().map(|i| i.config_digest.clone()).collect();
    for image in &mut images {
        image.parent = image.parent.take().filter(|p| *p != image.config_digest && ids.contains(p));
    }
    Ok(images)
}

/// The only image layout version the image spec defines.
const LAYOUT_VERSION: &str = "1.0.0";

/// `oci-layout` must be there and say version 1.0.0 (image-spec `image-layout.md`; containerd's
/// importer refuses the rest).
async fn check_layout<S: ArchiveSource>(source: &S, index: &ArchiveIndex) -> Result<(), ArchiveError> {
    if !index.contains("oci-layout") {
        return Err(ArchiveError::Layout("`oci-layout` is missing, and an OCI image layout must have one".to_owned()));
    }
    let raw = read_file(source, index, "oci-layout", "the archive").await?;
    let layout: serde_json::Value = spec::parse("`oci-layout`", &raw)?;
    match layout.get("imageLayoutVersion").and_then(|v| v.as_str()) {
        Some(LAYOUT_VERSION) => Ok(()),
        Some(v) => Err(ArchiveError::Layout(format!("`oci-layout` says imageLayoutVersion `{}`; only `{LAYOUT_VERSION}` is defined", crate::text::clip(v, 40)))),
        None => Err(ArchiveError::Layout("`oci-layout` has no imageLayoutVersion".to_owned())),
    }
}

async fn plan_oci<S: ArchiveSource>(source: &S, index: &ArchiveIndex, platform: &PlatformChoice) -> Result<Vec<PlannedImage>, ArchiveError> {
    check_layout(source, index).await?;
    let raw = read_file(source, index, "index.json", "the archive").await?;
    let top: Index = spec::parse("`index.json`", &raw)?;
    let mut images = Vec::new();
    let mut skipped = None;
    for (n, desc) in top.manifests.iter().enumerate() {
        let what = format!("`index.json` manifest {n}");
        let resolved = resolve_manifests(source, index, desc, &what, platform, 0).await?;
        if resolved.is_empty() && !media_type::is_index(&desc.media_type) {
            skipped.get_or_insert_with(|| (what.clone(), desc.media_type.clone()));
        }
        let tags = tags_from_annotations(desc, &what)?;
        for (i, r) in resolved.into_iter().enumerate() {
            // Several platforms share one name: the first (the default one) takes the tags.
            let tags = if i == 0 { tags.clone() } else { Vec::new() };
            let mut image = planned_from_manifest(source, index, &what, tags, r.digest, r.raw, &r.manifest).await?;
            image.attestations = r.attestations;
            images.push(image);
        }
    }
    if images.is_empty() {
        return Err(match skipped {
            Some((what, media_type)) => ArchiveError::UnsupportedMediaType { what, media_type },
            None => ArchiveError::NoImages,
        });
    }
    Ok(images)
}

async fn planned_from_manifest<S: ArchiveSource>(
    source: &S,
    index: &ArchiveIndex,
    what: &str,
    tags: Vec<Reference>,
    manifest_digest: Digest,
    manifest_raw: Vec<u8>,
    manifest: &Manifest,
) -> Result<PlannedImage, ArchiveError> {
    let config_raw = read_blob(source, index, &manifest.config, &format!("config of {what}")).await?;
    let config: ImageConfig = spec::parse(&format!("config {}", manifest.config.digest), &config_raw)?;
    check_layer_count(what, manifest.layers.len())?;
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        return Err(ArchiveError::LayerCount {
            image: format!("{manifest_digest} ({what})"),
            layers: manifest.layers.len(),
            diff_ids: config.rootfs.diff_ids.len(),
        });
    }
    let layers = manifest
        .layers
        .iter()
        .zip(&config.rootfs.diff_ids)
        .map(|(l, diff_id)| {
            let at = index.locate(&blob_path(&l.digest), &format!("manifest {manifest_digest}")).map_err(|e| foreign_or(e, diff_id, &l.urls))?;
            check_size(&at, l.size)?;
            Ok(PlannedLayer {
                at,
                diff_id: diff_id.clone(),
                digest: Some(l.digest.clone()),
                media_type: Some(l.media_type.clone()),
            })
        })
        .collect::<Result<Vec<_>, ArchiveError>>()?;
    Ok(PlannedImage {
        tags,
        config_digest: manifest.config.digest.clone(),
        config_raw,
        config,
        manifest: Some((manifest_digest, manifest_raw)),
        layers,
        parent: None,
        attestations: Vec::new(),
    })
}

/// `LayerSources` of a `manifest.json` item: descriptors by diff_id, written for foreign layers
/// (and, by Docker 25+, for every layer).
/// A missing layer that the metadata says lives at URLs (a foreign, non-distributable layer) is
/// named as such: Layerwise records such layers but never fetches them.
fn foreign_or(error: ArchiveError, diff_id: &Digest, urls: &[String]) -> ArchiveError {
    match error {
        ArchiveError::Missing { .. } if !urls.is_empty() => {
            ArchiveError::ForeignLayerMissing { diff_id: diff_id.clone(), urls: urls.join(", ") }
        }
        error => error,
    }
}

/// How deep indexes may nest.
const MAX_INDEX_DEPTH: usize = 4;

/// A resolved image manifest, with the attestations its index holds for it.
struct Resolved {
    digest: Digest,
    raw: Vec<u8>,
    manifest: Manifest,
    attestations: Vec<PlannedAttestation>,
}

/// Follows a descriptor to the image manifests the user wants: directly, or through (nested)
/// indexes, choosing by `platform` among the manifests whose blobs are in the archive. Content
/// that is not an image (attestations, artifacts) gives nothing.
///
/// # Errors
/// [`ArchiveError::NoSuchPlatform`] when the user's platform is not in an index.
async fn resolve_manifests<S: ArchiveSource>(
    source: &S,
    index: &ArchiveIndex,
    desc: &Descriptor,
    what: &str,
    platform: &PlatformChoice,
    depth: usize,
) -> Result<Vec<Resolved>, ArchiveError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ArchiveError::TooDeep { what: what.to_owned(), limit: MAX_INDEX_DEPTH });
    }
    if depth > 0 && !index.contains(&blob_path(&desc.digest)) {
        return Ok(Vec::new());
    }
    let raw = read_blob(source, index, desc, what).await?;
    let kind = if desc.media_type.is_empty() { sniff_kind(&raw) } else { desc.media_type.clone() };
    if media_type::is_manifest(&kind) {
        check_unambiguous(&raw, &format!("manifest {}", desc.digest), true)?;
        let manifest: Manifest = spec::parse(&format!("manifest {}", desc.digest), &raw)?;
        return Ok(vec![Resolved { digest: desc.digest.clone(), raw, manifest, attestations: Vec::new() }]);
    }
    if !media_type::is_index(&kind) {
        return Ok(Vec::new());
    }
    check_unambiguous(&raw, &format!("index {}", desc.digest), false)?;
    let nested: Index = spec::parse(&format!("index {}", desc.digest), &raw)?;
    let present: Vec<&Descriptor> =
        nested.manifests.iter().filter(|d| !is_attestation(d) && index.contains(&blob_path(&d.digest))).collect();
    let chosen: Vec<&Descriptor> = match platform {
        PlatformChoice::All => {
            let mut all = present.clone();
            all.sort_by_key(|d| !is_default(d));
            all
        }
        _ if present.is_empty() && nested.manifests.iter().any(|d| !is_attestation(d)) => {
            return Err(no_such_platform(platform, &nested, &present));
        }
        PlatformChoice::Default => present.iter().copied().find(|d| is_default(d)).or(present.first().copied()).into_iter().collect(),
        PlatformChoice::Only(_) => {
            let found: Vec<&Descriptor> = present.iter().copied().filter(|d| d.platform.as_ref().is_some_and(|p| platform.accepts(p))).take(1).collect();
            if found.is_empty() {
                return Err(no_such_platform(platform, &nested, &present));
            }
            found
        }
    };
    let mut out = Vec::new();
    for d in chosen {
        let what = format!("manifest {} of index {}", d.digest, desc.digest);
        for mut r in Box::pin(resolve_manifests(source, index, d, &what, platform, depth + 1)).await? {
            if r.digest == d.digest {
                r.attestations = attestations_for(source, index, &nested, &r.digest).await?;
            }
            out.push(r);
        }
        if *platform != PlatformChoice::All && !out.is_empty() {
            break;
        }
    }
    Ok(out)
}

fn no_such_platform(platform: &PlatformChoice, nested: &Index, present: &[&Descriptor]) -> ArchiveError {
    let names = |ds: &mut dyn Iterator<Item = &Descriptor>| ds.filter_map(|d| d.platform.as_ref().map(show)).collect::<Vec<_>>().join(", ");
    let available = names(&mut present.iter().copied());
    let absent = nested.manifests.iter().filter(|d| !is_attestation(d) && !present.iter().any(|p| p.digest == d.digest)).count();
    ArchiveError::NoSuchPlatform {
        wanted: platform.to_string(),
        available: if available.is_empty() { "none".to_owned() } else { available },
        absent,
    }
}

/// Refuses a document that is both a manifest and an index, or whose own `mediaType` says the
/// other kind: tools would disagree on what it is (CVE-2021-41190; containerd `validateMediaType`).
fn check_unambiguous(raw: &[u8], what: &str, as_manifest: bool) -> Result<(), ArchiveError> {
    let value: serde_json::Value = spec::parse(what, raw)?;
    let own = value.get("mediaType").and_then(|m| m.as_str()).unwrap_or("");
    let reason = if as_manifest && value.get("manifests").is_some() {
        Some("it has `manifests` as an index does".to_owned())
    } else if !as_manifest && (value.get("config").is_some() || value.get("layers").is_some()) {
        Some("it has `config` or `layers` as a manifest does".to_owned())
    } else if !own.is_empty() && (if as_manifest { media_type::is_index(own) } else { media_type::is_manifest(own) }) {
        Some(format!("its own mediaType is `{}`", crate::text::clip(own, 100)))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(crate::spec::JsonError { what: what.to_owned(), reason: format!("ambiguous: read as a {} but {reason}", if as_manifest { "manifest" } else { "index" }) }.into()),
        None => Ok(()),
    }
}

/// Tells a manifest from an index when the descriptor has no media type.
fn sniff_kind(raw: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(raw).unwrap_or_default();
    if let Some(mt) = value.get("mediaType").and_then(|m| m.as_str()) {
        return mt.to_owned();
    }
    if value.get("manifests").is_some() { media_type::OCI_INDEX } else { media_type::OCI_MANIFEST }.to_owned()
}

/// Tags from `io.containerd.image.name` (a full name), else from
/// `org.opencontainers.image.ref.name` when that is a name with a tag; a bare tag such as
/// `latest` names no repository, so the image stays untagged.
fn tags_from_annotations(desc: &Descriptor, what: &str) -> Result<Vec<Reference>, ArchiveError> {
    if let Some(name) = desc.annotation("io.containerd.image.name") {
        return Ok(vec![parse_tag(name, what)?]);
    }
    match desc.annotation("org.opencontainers.image.ref.name") {
        Some(name) if name.contains([':', '/']) => Ok(vec![parse_tag(name, what)?]),
        _ => Ok(Vec::new()),
    }
}

fn bad_tag(tag: &str, wanted_by: &str, source: crate::reference::ReferenceError) -> ArchiveError {
    ArchiveError::BadTag { tag: crate::text::clip(tag, 200), wanted_by: wanted_by.to_owned(), source }
}

/// A `RepoTags` entry read as moby's loader reads it: a reference docker parses, with a tag
/// (`name@digest` and `name` alone are refused, "invalid tag"; `name:tag@digest` is tagged
/// `name:tag`, as dockerd 20.10 tags it).
fn parse_repo_tag(tag: &str, wanted_by: &str) -> Result<Reference, ArchiveError> {
    let reference = Reference::parse(tag).map_err(|e| bad_tag(tag, wanted_by, e))?;
    if reference.tag().is_none() {
        return Err(bad_tag(tag, wanted_by, crate::reference::ReferenceError::NotTagged(crate::text::clip(tag, 200))));
    }
    Ok(reference.without_digest())
}

/// An image name from an annotation, `latest` when it has no tag; a digest is no tag.
fn parse_tag(tag: &str, wanted_by: &str) -> Result<Reference, ArchiveError> {
    let reference = Reference::parse(tag).map_err(|e| bad_tag(tag, wanted_by, e))?.with_default_tag();
    if reference.digest().is_some() {
        return Err(bad_tag(tag, wanted_by, crate::reference::ReferenceError::Invalid(format!("{tag} is a digest, not a tag"))));
    }
    Ok(reference)
}

/// `blobs/sha256/<hex>`.
pub(super) fn blob_path(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

/// A layer blob must be the size its descriptor says.
fn check_size(at: &Located, expected: u64) -> Result<(), ArchiveError> {
    if at.len == expected {
        Ok(())
    } else {
        Err(ArchiveError::SizeMismatch { what: format!("layer `{}`", at.path), expected, actual: at.len })
    }
}

fn check_layer_count(image: &str, count: usize) -> Result<(), ArchiveError> {
    if count > MAX_LAYERS {
        return Err(ArchiveError::TooManyLayers { image: image.to_owned(), count, limit: MAX_LAYERS });
    }
    Ok(())
}

fn check_digest(what: &str, expected: &Digest, actual: &Digest) -> Result<(), ArchiveError> {
    if expected == actual {
        Ok(())
    } else {
        Err(ArchiveError::DigestMismatch { what: what.to_owned(), expected: expected.clone(), actual: actual.clone() })
    }
}

/// Reads a metadata file of at most [`MAX_JSON_BYTES`].
pub(super) async fn read_file<S: ArchiveSource>(source: &S, index: &ArchiveIndex, path: &str, wanted_by: &str) -> Result<Vec<u8>, ArchiveError> {
    let at = index.locate(path, wanted_by)?;
    if at.len > MAX_JSON_BYTES {
        return Err(ArchiveError::TooBig { path: at.path, size: at.len, limit: MAX_JSON_BYTES });
    }
    // ok: at.len <= 4 MiB
    let bytes = source.read_at(at.offset, usize::try_from(at.len).unwrap_or(0)).await?;
    if bytes.len() as u64 != at.len {
        return Err(ArchiveError::Tar(crate::tar::TarError::Truncated { at: source.len(), needed: at.len - bytes.len() as u64 }));
    }
    Ok(bytes)
}

/// Reads a metadata blob by descriptor: size checked first, then sha256.
pub(super) async fn read_blob<S: ArchiveSource>(source: &S, index: &ArchiveIndex, desc: &Descriptor, what: &str) -> Result<Vec<u8>, ArchiveError> {
    let path = blob_path(&desc.digest);
    let at = index.locate(&path, what)?;
    if at.len != desc.size {
        return Err(ArchiveError::SizeMismatch { what: format!("`{path}` ({what})"), expected: desc.size, actual: at.len });
    }
    let bytes = read_file(source, index, &path, what).await?;
    check_digest(&format!("`{path}` ({what})"), &desc.digest, &Digest::of(&bytes))?;
    Ok(bytes)
}
