//! `docker search`: Docker Hub's v1 search (moby `daemon/pkg/registry/search.go`), and for a
//! registry without a search API, its `_catalog` filtered by the term.

use serde::Deserialize;

pub use layerwise_core::view::SearchResult;

use crate::client::Client;
use crate::endpoint::{DOCKER_HUB_INDEX, DOCKER_HUB_REGISTRY};
use crate::error::{error_text, RegistryError};
use crate::transport::{read_all, Method, Transport};

/// docker's default `--limit`.
pub const DEFAULT_LIMIT: u32 = 25;
/// The largest answer of a search read.
const MAX_SEARCH_BYTES: u64 = 4 << 20;
/// Catalog pages read at most for one search (each of [`CATALOG_PAGE`] names).
const MAX_CATALOG_PAGES: usize = 50;
/// Names per catalog page (distribution's default maximum is 1000).
const CATALOG_PAGE: u32 = 100;

/// What to search for, and how many results to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The term; `host/term` searches that registry's catalog.
    pub term: String,
    /// `--limit`: 1 to 100.
    pub limit: u32,
    /// `--filter stars=N`: at least N stars.
    pub stars: Option<u64>,
    /// `--filter is-official=true|false`.
    pub is_official: Option<bool>,
}

impl SearchQuery {
    /// A query for `term` with docker's defaults.
    pub fn new(term: &str) -> Self {
        Self { term: term.trim().to_owned(), limit: DEFAULT_LIMIT, stars: None, is_official: None }
    }

    /// Applies a `--filter` as docker takes it (`stars=3`, `is-official=true`).
    ///
    /// # Errors
    /// docker's messages for an unknown filter or a bad value.
    pub fn filter(&mut self, filter: &str) -> Result<(), String> {
        let (key, value) = filter.split_once('=').ok_or_else(|| "bad format of filter (expected name=value)".to_owned())?;
        match key {
            "stars" => {
                let n = value.parse::<u64>().map_err(|_| format!("invalid filter 'stars={value}'"))?;
                self.stars = Some(self.stars.map_or(n, |s| s.max(n)));
            }
            "is-official" => self.is_official = Some(value.parse::<bool>().map_err(|_| format!("invalid filter 'is-official={value}'"))?),
            "is-automated" => {}
            _ => return Err(format!("invalid filter '{key}'")),
        }
        Ok(())
    }

    /// Checks the limit as the daemon does.
    ///
    /// # Errors
    /// `limit N is outside the range of [1, 100]`.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=100).contains(&self.limit) {
            return Err(format!("limit {} is outside the range of [1, 100]", self.limit));
        }
        if self.term.is_empty() {
            return Err("a search term is needed".to_owned());
        }
        Ok(())
    }

    /// Which registry to ask and for what: `(Some(host), rest)` for `host/rest`, else Docker
    /// Hub with the `library/` prefix stripped, as the daemon does.
    fn target(&self) -> (Option<&str>, &str) {
        match self.term.split_once('/') {
            Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                if first == "docker.io" || first == DOCKER_HUB_INDEX || first == DOCKER_HUB_REGISTRY {
                    (None, rest.strip_prefix("library/").unwrap_or(rest))
                } else {
                    (Some(first), rest)
                }
            }
            _ => (None, self.term.strip_prefix("library/").unwrap_or(&self.term)),
        }
    }

    /// What the daemon returns for `results` fetched for this query: at most `limit` of them,
    /// then those passing the filters.
    pub fn apply(&self, mut results: Vec<SearchResult>) -> Vec<SearchResult> {
        results.truncate(self.limit as usize);
        results.retain(|r| self.keeps(r));
        results
    }

    /// Whether a result passes the filters (applied after fetching, as the daemon does, so a
    /// filtered search may return fewer than `limit` results).
    fn keeps(&self, r: &SearchResult) -> bool {
        self.stars.is_none_or(|s| r.star_count >= s) && self.is_official.is_none_or(|o| r.is_official == o)
    }
}

/// Docker Hub's v1 search answer.
#[derive(Deserialize)]
struct HubAnswer {
    #[serde(default)]
    results: Vec<SearchResult>,
}

/// Runs a search.
///
/// # Errors
/// [`RegistryError`] from the registry; [`RegistryError::Invalid`] for a bad query.
pub async fn search<T: Transport>(client: &Client<T>, query: &SearchQuery) -> Result<Vec<SearchResult>, RegistryError> {
    query.check().map_err(|reason| RegistryError::Invalid { what: "search".to_owned(), reason })?;
    let results = match query.target() {
        (None, term) => hub_search(client, term, query.limit).await?,
        (Some(host), term) => catalog_search(client, host, term, query.limit).await?,
    };
    Ok(query.apply(results))
}

async fn hub_search<T: Transport>(client: &Client<T>, term: &str, limit: u32) -> Result<Vec<SearchResult>, RegistryError> {
    let q: String = percent_encoding::utf8_percent_encode(term, percent_encoding::NON_ALPHANUMERIC).to_string();
    let path = format!("/v1/search?q={q}&n={limit}");
    let url = client.mode().url(DOCKER_HUB_INDEX, &path);
    let mut response = client.send(DOCKER_HUB_INDEX, Method::Get, &path, "", &[]).await?;
    let raw = read_all(&mut response.body, MAX_SEARCH_BYTES).await.map_err(|e| RegistryError::Transport { url: url.clone(), reason: e.0 })?;
    if response.status != 200 {
        return Err(RegistryError::Status { url, status: response.status, message: error_text(&raw) });
    }
    let answer: HubAnswer = serde_json::from_slice(&raw).map_err(|e| RegistryError::Invalid { what: url, reason: e.to_string() })?;
    let mut results = answer.results;
    results.truncate(limit as usize);
    Ok(results)
}

/// Searches a registry's catalog: repositories whose name contains the term, in catalog order.
async fn catalog_search<T: Transport>(client: &Client<T>, host: &str, term: &str, limit: u32) -> Result<Vec<SearchResult>, RegistryError> {
    let mut found = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..MAX_CATALOG_PAGES {
        let page = client.catalog(host, CATALOG_PAGE, next.as_deref()).await?;
        found.extend(page.items.into_iter().filter(|name| name.contains(term)).map(|name| SearchResult {
            name: format!("{host}/{name}"),
            description: String::new(),
            star_count: 0,
            is_official: false,
            is_automated: false,
        }));
        if found.len() >= limit as usize || page.next.is_none() {
            break;
        }
        next = page.next;
    }
    found.truncate(limit as usize);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terms_and_filters_as_docker_does() -> Result<(), String> {
        let mut q = SearchQuery::new("library/nginx");
        assert_eq!(q.target(), (None, "nginx"));
        assert_eq!(SearchQuery::new("127.0.0.1:5000/app").target(), (Some("127.0.0.1:5000"), "app"));
        assert_eq!(SearchQuery::new("user/app").target(), (None, "user/app"));
        q.filter("stars=3")?;
        q.filter("stars=10")?;
        q.filter("is-official=true")?;
        assert_eq!((q.stars, q.is_official), (Some(10), Some(true)));
        assert_eq!(q.filter("colour=red"), Err("invalid filter 'colour'".to_owned()));
        q.limit = 101;
        assert_eq!(q.check(), Err("limit 101 is outside the range of [1, 100]".to_owned()));
        let r = SearchResult { name: "x".into(), description: String::new(), star_count: 9, is_official: true, is_automated: false };
        assert!(!q.keeps(&r));
        Ok(())
    }
}
