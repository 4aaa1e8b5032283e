//! An image's layers as dive shows them: the step that made each, its sizes, and what it
//! changed.

use super::unix_seconds;
use crate::fs::LayerChanges;
use crate::spec::ImageConfig;
use crate::store::ImageRecord;

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    /// 0 = base.
    pub index: usize,
    /// The history entry's command, when the history names one for this layer.
    pub created_by: String,
    /// Unix seconds of that step (0 when unknown).
    pub created: i64,
    /// The blob's size as stored (compressed or not).
    pub blob_size: u64,
    /// The layer's size as docker counts it (its entries' sizes).
    pub size: u64,
    /// Paths added, modified and deleted.
    pub added: usize,
    /// See `added`.
    pub modified: usize,
    /// See `added`.
    pub deleted: usize,
    /// The layer's diff_id.
    pub diff_id: String,
}

/// The layers of an image, base first. Non-empty history entries map onto layers in order; a
/// history too short (some builders write none) leaves the step unknown.
pub fn layers(image: &ImageRecord, config: &ImageConfig, changes: &[LayerChanges]) -> Vec<LayerRow> {
    let mut steps = config.history.iter().filter(|h| !h.empty_layer);
    image
        .layers
        .iter()
        .enumerate()
        .map(|(index, l)| {
            let step = steps.next();
            let c = changes.get(index).cloned().unwrap_or_default();
            LayerRow {
                index,
                created_by: step.and_then(|h| h.created_by.clone()).unwrap_or_default(),
                created: unix_seconds(step.and_then(|h| h.created.as_deref())),
                blob_size: l.blob_size,
                size: l.size,
                added: c.added.len(),
                modified: c.modified.len(),
                deleted: c.deleted.len(),
                diff_id: l.diff_id.to_string(),
            }
        })
        .collect()
}
