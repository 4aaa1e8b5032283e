//! The image record an import writes, and the preview of it shown before the layers are
//! verified.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ImportError;
use crate::archive::{PlannedImage, PlannedLayer};
use crate::digest::Digest;
use crate::layer::LayerSummary;
use crate::media_type;
use crate::store::{AttestationRecord, BlobRecord, ImageLayer, ImageRecord, StoreError};
use crate::view;

/// A blob to store, with its bytes.
type NewBlob = (BlobRecord, Vec<u8>);

/// An image as the archive's metadata describes it, before its layers are read: what `docker
/// inspect` will print of it. Not an image in the store; nothing of it is verified but the
/// config against its digest (the image ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePreview {
    /// The image ID.
    pub id: Digest,
    /// Its tags, familiar form.
    pub tags: Vec<String>,
    /// `docker image inspect`'s JSON for it, without `Size` (the sum of the layers' file sizes,
    /// known once they are read) and `Metadata` (the time it is tagged in the store).
    pub inspect: String,
}

/// The preview of a planned image. A layer's blob digest is the one its metadata names (or, for
/// a `docker save` layer, which is a plain tar, its diff_id).
pub(super) fn preview(image: &PlannedImage) -> ImagePreview {
    let (record, _) = record(image, |planned| {
        let media_type = planned.media_type.clone().unwrap_or_else(|| media_type::DOCKER_LAYER_TAR.to_owned());
        let blob = planned.digest.clone().unwrap_or_else(|| planned.diff_id.clone());
        Some(ImageLayer { blob, blob_size: planned.at.len, media_type, diff_id: planned.diff_id.clone(), size: 0 })
    });
    let mut inspect = serde_json::to_value(view::inspect(&record, &image.config)).unwrap_or_default();
    if let Some(fields) = inspect.as_object_mut() {
        fields.remove("Size");
        fields.remove("Metadata");
    }
    ImagePreview { id: record.id, tags: record.repo_tags, inspect: view::inspect_json(&[inspect]) }
}

/// An image's record (not yet written) from its verified layers, and the config and manifest
/// blobs to store for it.
///
/// # Errors
/// When a layer of the image was not read.
pub(super) fn verified(image: &PlannedImage, layers: &HashMap<u64, LayerSummary>) -> Result<(ImageRecord, Vec<NewBlob>), ImportError> {
    let missing = image.layers.iter().find(|l| !layers.contains_key(&l.at.offset));
    if let Some(planned) = missing {
        return Err(StoreError::NotFound(format!("layer `{}`", planned.at.path)).into());
    }
    Ok(record(image, |planned| {
        let s = layers.get(&planned.at.offset)?;
        Some(ImageLayer { blob: s.digest.clone(), blob_size: s.blob_size, media_type: layer_media_type(planned, s), diff_id: s.diff_id.clone(), size: s.size })
    }))
}

/// The media type a stored layer blob gets: the one its metadata gave when the blob is stored
/// as it came, else that of a plain tar (OCI when the metadata's was an OCI type).
pub(super) fn layer_media_type(planned: &PlannedLayer, stored: &LayerSummary) -> String {
    match (&planned.media_type, stored.came_as) {
        (Some(given), None) => given.clone(),
        (Some(given), Some(_)) if given.starts_with("application/vnd.oci.") => media_type::OCI_LAYER_TAR.to_owned(),
        _ => stored.compression.docker_layer_type().to_owned(),
    }
}

/// The record, with each layer as `layer_of` gives it (a layer it gives none for is left out);
/// a `docker save` archive has no manifest, so a Docker schema 2 one is written, as skopeo does.
fn record(image: &PlannedImage, layer_of: impl Fn(&PlannedLayer) -> Option<ImageLayer>) -> (ImageRecord, Vec<NewBlob>) {
    let image_layers: Vec<ImageLayer> = image.layers.iter().filter_map(layer_of).collect();
    let config_type = if image.manifest.is_some() { media_type::OCI_CONFIG } else { media_type::DOCKER_CONFIG };
    let config = BlobRecord { digest: image.config_digest.clone(), size: image.config_raw.len() as u64, media_type: config_type.to_owned(), diff_id: None };
    // A layer stored decompressed is not the blob the archive's manifest names: write another.
    let as_named = image.layers.iter().zip(&image_layers).all(|(planned, layer)| planned.digest.as_ref().is_none_or(|d| *d == layer.blob));
    let (manifest_digest, manifest_raw, manifest_type) = match &image.manifest {
        Some((d, raw)) if as_named => (d.clone(), raw.clone(), media_type::OCI_MANIFEST),
        Some(_) => {
            let raw = crate::commit::manifest(media_type::OCI_MANIFEST, &config, &image_layers);
            (Digest::of(&raw), raw, media_type::OCI_MANIFEST)
        }
        None => {
            let raw = crate::commit::manifest(media_type::DOCKER_MANIFEST, &config, &image_layers);
            (Digest::of(&raw), raw, media_type::DOCKER_MANIFEST)
        }
    };
    let manifest = BlobRecord { digest: manifest_digest.clone(), size: manifest_raw.len() as u64, media_type: manifest_type.to_owned(), diff_id: None };
    let labels = image
        .config
        .config
        .as_ref()
        .map(|c| c.string_labels().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        .unwrap_or_default();
    let record = ImageRecord {
        id: image.config_digest.clone(),
        manifest: manifest_digest,
        repo_tags: image.tags.iter().map(|t| t.familiar()).collect(),
        repo_digests: Vec::new(),
        parent: image.parent.clone(),
        created: image.config.created.clone(),
        last_tag_time: None,
        layers: image_layers,
        labels,
        attestations: image
            .attestations
            .iter()
            .map(|a| AttestationRecord {
                manifest: a.manifest.clone(),
                blobs: a.blobs.iter().map(|(d, _, _)| d.clone()).collect(),
                predicate_types: a.predicate_types.clone(),
            })
            .collect(),
    };
    let mut blobs = vec![(config, image.config_raw.clone()), (manifest, manifest_raw)];
    for (digest, media_type, bytes) in image.attestations.iter().flat_map(|a| &a.blobs) {
        blobs.push((BlobRecord { digest: digest.clone(), size: bytes.len() as u64, media_type: media_type.clone(), diff_id: None }, bytes.clone()));
    }
    (record, blobs)
}

