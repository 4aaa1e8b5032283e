//! The Engine API's image routes: removing and tagging through the core's plans, and the
//! routes that read one image.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use layerwise_core::spec::ImageConfig;
use layerwise_core::store::{self, ImageRecord};

use super::{message, json, State};

/// `DELETE /images/{name}`: the core's plan of `docker rmi`, applied.
pub(super) fn remove(state: &State, name: &str, force: bool, prune: bool) -> Response {
    let Ok(mut images) = state.images.lock() else { return message(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned") };
    match store::plan_removal(&images, &[], name, force, prune) {
        Ok(removal) => {
            images.retain(|i| !removal.deleted.contains(&i.id));
            for u in &removal.updated {
                if let Some(i) = images.iter_mut().find(|i| i.id == u.id) {
                    *i = u.clone();
                }
            }
            let items: Vec<serde_json::Value> = removal
                .lines
                .iter()
                .map(|l| match l {
                    store::Removed::Untagged(r) => serde_json::json!({ "Untagged": r }),
                    store::Removed::Deleted(d) => serde_json::json!({ "Deleted": d }),
                })
                .collect();
            json(StatusCode::OK, &items)
        }
        Err(e @ store::RemoveError::NotFound(_)) => message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e @ store::RemoveError::Conflict { .. }) => message(StatusCode::CONFLICT, &e.to_string()),
        Err(e) => message(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// `POST /images/{name}/tag?repo=…&tag=…`.
pub(super) fn tag(state: &State, name: &str, target: &str) -> Response {
    let Ok(mut images) = state.images.lock() else { return message(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned") };
    let now = layerwise_core::import::rfc3339_nanos(time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6);
    match store::plan_tag(&images, name, target, &now) {
        Ok(changed) => {
            for c in changed {
                if let Some(i) = images.iter_mut().find(|i| i.id == c.id) {
                    *i = c;
                }
            }
            (StatusCode::CREATED, "").into_response()
        }
        Err(e @ store::RemoveError::NotFound(_)) => message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e) => message(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

pub(super) fn with_image(state: &State, name: &str, f: impl FnOnce(&ImageRecord, &ImageConfig) -> Response) -> Response {
    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    let images = state.images();
    match store::resolve(&images, &name).and_then(|i| Some((i, state.config(&i.id)?))) {
        Some((image, config)) => f(image, &config),
        None => message(StatusCode::NOT_FOUND, &store::no_such_image(&name)),
    }
}
