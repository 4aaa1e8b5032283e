//! The Engine API's container routes, over the edit sessions a test adds: the list with its
//! filters.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
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
