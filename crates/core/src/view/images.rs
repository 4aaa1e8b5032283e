//! `docker images`: the Engine API's `GET /images/json` and the CLI's table.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{created_since, human_size, tabwrite, unix_seconds};
use crate::digest::Digest;
use crate::reference::Reference;
use crate::store::ImageRecord;

/// One image as `GET /images/json` (API 1.50, classic store) returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageSummary {
    /// -1: not computed, as the daemon reports it unless asked.
    pub containers: i64,
    /// Unix seconds of the config's `created`.
    pub created: i64,
    /// `sha256:` + config digest.
    pub id: String,
    /// The config's labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The local parent's ID, or "".
    pub parent_id: String,
    /// `name@digest` references.
    pub repo_digests: Vec<String>,
    /// Tags.
    pub repo_tags: Vec<String>,
    /// -1: not computed.
    pub shared_size: i64,
    /// Sum of the layers' sizes.
    pub size: u64,
}

/// The images the daemon lists, newest first: all of them with `all`, else without the
/// intermediate ones (untagged images that another image names as its parent).
pub fn image_summaries(records: &[ImageRecord], all: bool) -> Vec<ImageSummary> {
    let parents: HashSet<&Digest> = records.iter().filter_map(|r| r.parent.as_ref()).collect();
    let mut out: Vec<ImageSummary> = records
        .iter()
        .filter(|r| all || !(r.repo_tags.is_empty() && r.repo_digests.is_empty() && parents.contains(&r.id)))
        .map(|r| ImageSummary {
            containers: -1,
            created: unix_seconds(r.created.as_deref()),
            id: r.id.to_string(),
            labels: r.labels.clone(),
            parent_id: r.parent.as_ref().map(ToString::to_string).unwrap_or_default(),
            repo_digests: r.repo_digests.clone(),
            repo_tags: r.repo_tags.clone(),
            shared_size: -1,
            size: r.size(),
        })
        .collect();
    out.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    out
}

/// One row of the `docker images` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    /// REPOSITORY, or `<none>`.
    pub repository: String,
    /// TAG, or `<none>`.
    pub tag: String,
    /// The full image ID (`sha256:…`).
    pub id: String,
    /// IMAGE ID: 12 hex characters.
    pub short_id: String,
    /// CREATED: "3 months ago".
    pub created_since: String,
    /// SIZE: "7.8MB".
    pub size: String,
}

impl ImageRow {
    /// The rows docker prints for one image: one per tag, grouped by repository in the order
    /// repositories first appear; `<none>` for an untagged image.
    pub fn for_image(s: &ImageSummary, now: i64) -> Vec<Self> {
        let row = |repository: String, tag: String| Self {
            repository,
            tag,
            id: s.id.clone(),
            short_id: s.id.strip_prefix("sha256:").unwrap_or(&s.id).chars().take(12).collect(),
            created_since: created_since(s.created, now),
            size: human_size(s.size),
        };
        let mut repos: Vec<(String, Vec<String>)> = Vec::new();
        for t in &s.repo_tags {
            let Ok(r) = Reference::parse(t) else { continue };
            let Some(tag) = r.tag() else { continue };
            let name = r.familiar_name();
            match repos.iter_mut().find(|(n, _)| *n == name) {
                Some((_, tags)) => tags.push(tag.to_owned()),
                None => repos.push((name, vec![tag.to_owned()])),
            }
        }
        let mut digest_repos: Vec<String> = Vec::new();
        for d in &s.repo_digests {
            if let Ok(r) = Reference::parse(d) {
                let name = r.familiar_name();
                if !repos.iter().any(|(n, _)| *n == name) && !digest_repos.contains(&name) {
                    digest_repos.push(name);
                }
            }
        }
        if repos.is_empty() && digest_repos.is_empty() {
            return vec![row("<none>".into(), "<none>".into())];
        }
        let mut rows: Vec<Self> = repos.into_iter().flat_map(|(n, tags)| tags.into_iter().map(move |t| (n.clone(), t))).map(|(n, t)| row(n, t)).collect();
        rows.extend(digest_repos.into_iter().map(|n| row(n, "<none>".into())));
        rows
    }
}

/// The `docker images` table, exactly as the CLI prints it for these summaries at `now`.
pub fn images_table(summaries: &[ImageSummary], now: i64) -> String {
    let mut rows = vec![["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"].map(String::from).to_vec()];
    for s in summaries {
        for r in ImageRow::for_image(s, now) {
            rows.push(vec![r.repository, r.tag, r.short_id, r.created_since, r.size]);
        }
    }
    tabwrite(&rows)
}

/// How much of an image's size it shares with other stored images, and how much is its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SharedSizes {
    /// Bytes of layers that another image also uses.
    pub shared: u64,
    /// Bytes of layers only this image uses.
    pub unique: u64,
}

impl SharedSizes {
    /// Shared and unique size of every image, by image ID (as `docker system df -v` counts).
    pub fn of_all(records: &[ImageRecord]) -> HashMap<Digest, SharedSizes> {
        let mut users: HashMap<&Digest, usize> = HashMap::new();
        for r in records {
            let distinct: HashSet<&Digest> = r.layers.iter().map(|l| &l.diff_id).collect();
            for d in distinct {
                *users.entry(d).or_default() += 1;
            }
        }
        records
            .iter()
            .map(|r| {
                let mut sizes = SharedSizes::default();
                let mut seen = HashSet::new();
                for l in r.layers.iter().filter(|l| seen.insert(&l.diff_id)) {
                    if users.get(&l.diff_id).copied().unwrap_or(0) > 1 {
                        sizes.shared += l.size;
                    } else {
                        sizes.unique += l.size;
                    }
                }
                (r.id.clone(), sizes)
            })
            .collect()
    }
}
