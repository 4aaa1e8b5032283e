//! What the page does to the store itself (small records only): `docker rmi` and `docker tag`.

use std::collections::HashSet;

use layerwise_core::import::rfc3339_nanos;
use layerwise_core::store::{apply_removal, collect_garbage, heartbeat, plan_removal, plan_tag, ContainerUse, ImportRecord, RemoveError, Removed, Store};

use super::store::IdbStore;
use super::{locks, now_ms};

/// Removes an image (or a reference) as `docker rmi [-f]` does and frees the blobs no image
/// needs any more; returns docker's output lines.
///
/// # Errors
/// The daemon's [`RemoveError`] (a store failure as [`RemoveError::Store`]).
pub async fn remove(name: &str, force: bool) -> Result<Vec<Removed>, RemoveError> {
    let failed = |e: layerwise_core::store::StoreError| RemoveError::Store(e.to_string());
    let store = IdbStore::open().await.map_err(failed)?;
    let images = store.images().await.map_err(failed)?;
    let sessions = store.containers().await.map_err(failed)?;
    let containers: Vec<ContainerUse> = sessions.into_iter().map(|c| ContainerUse { container: c.id, image: c.image }).collect();
    let removal = plan_removal(&images, &containers, name, force, true)?;
    apply_removal(&store, &removal).await.map_err(failed)?;
    collect(&store).await;
    Ok(removal.lines)
}

/// Tags an image as `docker tag SOURCE TARGET` does.
///
/// # Errors
/// docker's `Error response from daemon: …` text.
pub async fn tag(source: &str, target: &str) -> Result<(), String> {
    let daemon = |e: String| format!("Error response from daemon: {e}");
    let store = IdbStore::open().await.map_err(|e| daemon(e.to_string()))?;
    let images = store.images().await.map_err(|e| daemon(e.to_string()))?;
    for image in plan_tag(&images, source, target, &rfc3339_nanos(now_ms())).map_err(|e| daemon(e.to_string()))? {
        store.put_image(&image).await.map_err(|e| daemon(e.to_string()))?;
    }
    Ok(())
}

/// Frees what no image and no running import needs (see the worker's start-up cleanup).
pub async fn collect(store: &IdbStore) -> usize {
    let held: Option<HashSet<String>> = locks::held().await;
    let beat = heartbeat(now_ms());
    let alive = |i: &ImportRecord| match &held {
        Some(names) => names.contains(&locks::name_of(&i.id)),
        None => beat(i),
    };
    collect_garbage(store, &alive).await.unwrap_or(0)
}
