//! `GET /containers/json` with its options, as the daemon answers it (moby `daemon/list.go`):
//! `all`, `limit`, `size` and the filters, over edit sessions.
//!
//! An edit session is a container created and never started: its state is `created`, it has no
//! exit code, health check, labels, ports, mounts or networks, so the filters on those keep none
//! of them (`health=none` keeps them all).

use std::collections::{BTreeSet, HashSet};

use super::containers::{container_summaries, ContainerSummary};
use crate::container::ContainerRecord;
use crate::digest::Digest;
use crate::store::{self, ImageRecord};

/// What `GET /containers/json` is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerQuery {
    /// `all`: stopped containers too (edit sessions are never running, so without it, and
    /// without a limit or a `status` filter, none are listed).
    pub all: bool,
    /// `limit`: at most this many, of every state.
    pub limit: Option<usize>,
    /// `size`: fill in `SizeRw` and `SizeRootFs`.
    pub size: bool,
    /// `filters`, as `(key, value)` in the order given.
    pub filters: Vec<(String, String)>,
}

/// The filter keys the daemon accepts (moby `acceptedPsFilterTags`).
const ACCEPTED: [&str; 15] =
    ["ancestor", "before", "exited", "id", "isolation", "label", "name", "status", "health", "since", "volume", "network", "is-task", "publish", "expose"];

/// A container's states (moby `container.IsValidStateString`).
const STATES: [&str; 7] = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];

/// A health status a filter may ask for (moby `container.IsValidHealthString`).
const HEALTH: [&str; 4] = ["starting", "healthy", "unhealthy", "none"];

/// The containers `query` asks for, newest first.
///
/// # Errors
/// The daemon's message for a filter it refuses (`invalid filter 'status=up'`) or a `before` or
/// `since` container it does not have.
pub fn list_containers(containers: &[ContainerRecord], images: &[ImageRecord], query: &ContainerQuery) -> Result<Vec<ContainerSummary>, String> {
    let filters = Filters(&query.filters);
    if let Some((key, _)) = query.filters.iter().find(|(k, _)| !ACCEPTED.contains(&k.as_str())) {
        return Err(format!("invalid filter '{key}'"));
    }
    for code in filters.values("exited") {
        code.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing \"{code}\": invalid syntax"))?;
    }
    if let Some(state) = filters.values("status").into_iter().find(|s| !STATES.contains(s)) {
        return Err(format!("invalid filter 'status={state}'"));
    }
    let task = filters.values("is-task");
    if !task.is_empty() && !task.contains(&"true") && !task.contains(&"false") {
        return Err(format!("invalid filter 'is-task=[{}]'", task.join(" ")));
    }
    if let Some(health) = filters.values("health").into_iter().find(|h| !HEALTH.contains(h)) {
        return Err(format!("Unrecognised filter value for health: {health}"));
    }
    // Each value is looked up; the last one counts.
    let before = filters.values("before").into_iter().map(|v| id_or_name(containers, v)).collect::<Result<Vec<_>, _>>()?.pop();
    let since = filters.values("since").into_iter().map(|v| id_or_name(containers, v)).collect::<Result<Vec<_>, _>>()?.pop();
    let ancestors = ancestor_images(images, &filters.values("ancestor"));
    if let Some((key, value)) = query.filters.iter().find(|(k, v)| (k == "publish" || k == "expose") && v.contains(':')) {
        return Err(format!("filter for '{key}' should not contain ':': {value}"));
    }
    let all = query.all || !filters.values("status").is_empty();

    let mut listed = Vec::new();
    let mut before = before;
    for summary in candidates(container_summaries(containers, images, true), &filters) {
        // Newest first: `before` skips up to its container, `since` stops at its own.
        if let Some(b) = &before {
            if summary.id == *b {
                before = None;
            }
            continue;
        }
        if since.as_ref() == Some(&summary.id) {
            break;
        }
        if !all && query.limit.is_none() {
            continue;
        }
        if query.limit.is_some_and(|l| listed.len() == l) {
            break;
        }
        if kept(&summary, &filters, ancestors.as_ref()) {
            listed.push(summary);
        }
    }
    if query.size {
        for summary in &mut listed {
            let record = containers.iter().find(|c| c.id == summary.id);
            let image_size = images.iter().find(|i| i.id.to_string() == summary.image_id).map_or(0, ImageRecord::size);
            let rw = record.map_or(0, ContainerRecord::written_bytes);
            summary.size_rw = Some(rw);
            summary.size_root_fs = Some(image_size + rw);
        }
    }
    Ok(listed)
}

/// A query's filters, with moby's `filters.Args` matching.
struct Filters<'a>(&'a [(String, String)]);

impl Filters<'_> {
    fn values(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// `Args.Match`: true without values for `key`, or when a value equals `source` or, as a Go
    /// regular expression, matches somewhere in it (a value that does not compile matches
    /// nothing).
    fn matches(&self, key: &str, source: &str) -> bool {
        let values = self.values(key);
        values.is_empty() || values.iter().any(|v| *v == source || regex_lite::Regex::new(v).is_ok_and(|r| r.is_match(source)))
    }

    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

/// The container a `before` or `since` filter names: its full ID, else its name (moby
/// `idOrNameFilter`).
fn id_or_name(containers: &[ContainerRecord], value: &str) -> Result<String, String> {
    let name = value.trim_start_matches('/');
    containers.iter().find(|c| c.id == value).or_else(|| containers.iter().find(|c| c.name == name)).map(|c| c.id.clone()).ok_or_else(|| format!("No such container: {value}"))
}

/// The images an `ancestor` filter keeps containers of: each image named (an unknown name is
/// skipped) and every image built on it. `None` without the filter.
fn ancestor_images(images: &[ImageRecord], names: &[&str]) -> Option<HashSet<Digest>> {
    if names.is_empty() {
        return None;
    }
    let mut kept: HashSet<Digest> = names.iter().filter_map(|n| store::resolve(images, n)).map(|i| i.id.clone()).collect();
    loop {
        let children: Vec<Digest> = images.iter().filter(|i| !kept.contains(&i.id) && i.parent.as_ref().is_some_and(|p| kept.contains(p))).map(|i| i.id.clone()).collect();
        if children.is_empty() {
            return Some(kept);
        }
        kept.extend(children);
    }
}

/// The containers a `name` or `id` filter can keep (moby `filterByNameIDMatches`): those an `id`
/// value is a unique prefix of, and those whose name matches a `name` value (among the first
/// only, when there are `id` values); all of them without either filter. Newest first.
fn candidates(summaries: Vec<ContainerSummary>, filters: &Filters<'_>) -> Vec<ContainerSummary> {
    let (names, ids) = (filters.values("name"), filters.values("id"));
    if names.is_empty() && ids.is_empty() {
        return summaries;
    }
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    for id in &ids {
        let mut found = summaries.iter().filter(|s| s.id.starts_with(id));
        if let (Some(one), None) = (found.next(), found.next()) {
            chosen.insert(one.id.clone());
        }
    }
    if !names.is_empty() {
        let by_name: Vec<String> = summaries.iter().filter(|s| (ids.is_empty() || chosen.contains(&s.id)) && name_matches(s, filters)).map(|s| s.id.clone()).collect();
        chosen.extend(by_name);
    }
    summaries.into_iter().filter(|s| chosen.contains(&s.id)).collect()
}

fn name_matches(s: &ContainerSummary, filters: &Filters<'_>) -> bool {
    s.names.iter().any(|n| filters.matches("name", n) || filters.matches("name", n.trim_start_matches('/')))
}

/// moby `includeContainerInList`'s checks of one container's own fields.
fn kept(s: &ContainerSummary, filters: &Filters<'_>, ancestors: Option<&HashSet<Digest>>) -> bool {
    let never = ["exited", "label", "volume", "network", "publish", "expose"].iter().any(|k| filters.has(k));
    let task = filters.values("is-task");
    name_matches(s, filters)
        && filters.matches("id", &s.id)
        && !never
        // `is-task=true` wins over `false`: no edit session is a swarm task.
        && (task.is_empty() || !task.contains(&"true"))
        && filters.matches("status", &s.state)
        && (filters.values("health").is_empty() || filters.values("health").contains(&"none"))
        && ancestors.is_none_or(|a| a.iter().any(|id| id.to_string() == s.image_id))
}
