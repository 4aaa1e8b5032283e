//! `docker search`'s results and its table (docker/cli `formatter_search.go`).

use serde::{Deserialize, Serialize};

use super::table::{ellipsis, tabwrite};

/// One result, with the fields of moby's `registry.SearchResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    /// `nginx`, `user/app`, or `host/repo` for a catalog search.
    pub name: String,
    /// The repository's short description.
    #[serde(default)]
    pub description: String,
    /// Stars.
    #[serde(default)]
    pub star_count: u64,
    /// An official image.
    #[serde(default)]
    pub is_official: bool,
    /// Always false since Docker Hub dropped automated builds; kept because the API has it.
    #[serde(default)]
    pub is_automated: bool,
}

/// The table `docker search` prints: descriptions on one line, cut to 45 characters unless
/// `no_trunc`; `[OK]` for official images.
pub fn search_table(results: &[SearchResult], no_trunc: bool) -> String {
    let mut rows = vec![["NAME", "DESCRIPTION", "STARS", "OFFICIAL"].map(String::from).to_vec()];
    for r in results {
        let description = r.description.replace(['\n', '\r'], " ");
        let description = if no_trunc { description } else { ellipsis(&description, 45) };
        rows.push(vec![r.name.clone(), description, r.star_count.to_string(), if r.is_official { "[OK]".to_owned() } else { String::new() }]);
    }
    tabwrite(&rows)
}
