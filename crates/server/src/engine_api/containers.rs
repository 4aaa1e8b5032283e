//! The Engine API's container routes, over the edit sessions a test adds: the list with its
//! filters, and one session's inspect view.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use layerwise_core::container::{self, LookupError};
use layerwise_core::view::{self, ContainerQuery};

use super::{json, message, search_filters, State};

/// `GET /containers/json?all=…&limit=…&size=…&filters=…`.
pub(super) fn list(state: &State, query: &HashMap<String, String>) -> Response {
    let flag = |k: &str| query.get(k).is_some_and(|v| v == "1" || v == "true");
    let filters = search_filters(query.get("filters")).into_iter().filter_map(|f| f.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))).collect();
    let limit = query.get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let q = ContainerQuery { all: flag("all"), limit, size: flag("size"), filters };
    match view::list_containers(&state.containers(), &state.images(), &q) {
        Ok(list) => json(StatusCode::OK, &list),
        Err(e) => message(StatusCode::BAD_REQUEST, &e),
    }
}

/// `GET /containers/{name}/json[?size=1]`: 404 for no such container, 400 for a prefix several
/// IDs share.
pub(super) fn inspect(state: &State, name: &str, size: bool) -> Response {
    let containers = state.containers();
    match container::resolve(&containers, name) {
        Ok(c) => {
            let images = state.images();
            let image = images.iter().find(|i| i.id == c.image);
            json(StatusCode::OK, &view::container_inspect(c, image, state.config(&c.image).as_ref(), size))
        }
        Err(e @ LookupError::NotFound(_)) => message(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e @ LookupError::Ambiguous(_)) => message(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}
