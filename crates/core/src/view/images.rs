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
    /// DIGEST (`--digests`): the digest of a repo digest of this row's repository, or `<none>`.
    pub digest: String,
}

impl ImageRow {
    /// The rows docker prints for one image: one per tag, grouped by repository in the order
    /// repositories first appear; `<none>` for an untagged image.
    pub fn for_image(s: &ImageSummary, now: i64) -> Vec<Self> {
        let row = |repository: String, tag: String| Self {
            digest: s
                .repo_digests
                .iter()
                .filter_map(|d| Reference::parse(d).ok())
                .find(|d| d.familiar_name() == repository)
                .and_then(|d| d.digest().map(ToString::to_string))
                .unwrap_or_else(|| "<none>".to_owned()),
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

/// The flags of `docker images` that change what it prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagesOptions {
    /// `-q`: only IDs.
    pub quiet: bool,
    /// `--no-trunc`: full IDs.
    pub no_trunc: bool,
    /// `--digests`: a DIGEST column.
    pub digests: bool,
}

/// What `docker images` prints with these flags.
pub fn images_text(summaries: &[ImageSummary], now: i64, options: &ImagesOptions) -> String {
    let rows: Vec<ImageRow> = summaries.iter().flat_map(|s| ImageRow::for_image(s, now)).collect();
    let id = |r: &ImageRow| if options.no_trunc { r.id.clone() } else { r.short_id.clone() };
    if options.quiet {
        return rows.iter().map(|r| format!("{}\n", id(r))).collect();
    }
    let mut header = vec!["REPOSITORY", "TAG"];
    if options.digests {
        header.push("DIGEST");
    }
    header.extend(["IMAGE ID", "CREATED", "SIZE"]);
    let mut table = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    for r in &rows {
        let mut line = vec![r.repository.clone(), r.tag.clone()];
        if options.digests {
            line.push(r.digest.clone());
        }
        line.extend([id(r), r.created_since.clone(), r.size.clone()]);
        table.push(line);
    }
    tabwrite(&table)
}

/// The images `--filter reference=PATTERN` (and `docker images REPOSITORY[:TAG]`) keeps, as the
/// daemon filters them: a reference matches when its familiar form, or (for a pattern without a
/// tag) its familiar name, matches the pattern as Go's `path.Match`; only matching references
/// stay on an image, and an image left with none is dropped.
pub fn filter_reference(records: &[ImageRecord], patterns: &[&str]) -> Vec<ImageRecord> {
    let matches = |r: &str| {
        let Ok(parsed) = Reference::parse(r) else { return false };
        patterns.iter().any(|p| path_match(p, &parsed.familiar()) || (!p.contains(':') && path_match(p, &parsed.familiar_name())))
    };
    records
        .iter()
        .filter_map(|i| {
            let mut kept = i.clone();
            kept.repo_tags.retain(|t| matches(t));
            kept.repo_digests.retain(|d| matches(d));
            (!kept.repo_tags.is_empty() || !kept.repo_digests.is_empty()).then_some(kept)
        })
        .collect()
}

/// The images `docker images --filter` keeps (moby `daemon/images/images.go`): `dangling=true`
/// (untagged) or `false`, `reference=PATTERN`, `before=IMAGE` and `since=IMAGE` (created
/// strictly before or after it), `label=KEY` or `label=KEY=VALUE`; several filters all apply,
/// several values of one key any.
///
/// # Errors
/// The daemon's message for an unknown filter or image.
pub fn filter_images(records: &[ImageRecord], filters: &[(String, String)]) -> Result<Vec<ImageRecord>, String> {
    let values = |key: &str| filters.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    if let Some((k, _)) = filters.iter().find(|(k, _)| !["dangling", "reference", "before", "since", "label"].contains(&k.as_str())) {
        return Err(format!("invalid filter '{k}'"));
    }
    let created = |name: &str| -> Result<i64, String> {
        crate::store::resolve(records, name).map(|i| super::unix_seconds(i.created.as_deref())).ok_or_else(|| crate::store::no_such_image(name))
    };
    let mut kept: Vec<ImageRecord> = records.to_vec();
    let references = values("reference");
    if !references.is_empty() {
        kept = filter_reference(&kept, &references);
    }
    for d in values("dangling") {
        let want = match d {
            "true" | "1" => true,
            "false" | "0" => false,
            other => return Err(format!("invalid filter 'dangling={other}'")),
        };
        kept.retain(|i| i.repo_tags.is_empty() == want);
    }
    for b in values("before") {
        let t = created(b)?;
        kept.retain(|i| super::unix_seconds(i.created.as_deref()) < t);
    }
    for s in values("since") {
        let t = created(s)?;
        kept.retain(|i| super::unix_seconds(i.created.as_deref()) > t);
    }
    let labels = values("label");
    if !labels.is_empty() {
        kept.retain(|i| {
            labels.iter().all(|l| match l.split_once('=') {
                Some((k, v)) => i.labels.get(k).is_some_and(|x| x == v),
                None => i.labels.contains_key(*l),
            })
        });
    }
    Ok(kept)
}

/// Go's `path.Match` for `*` (any run without `/`), `?` (one character but `/`) and literal
/// characters; a `[` class is taken literally.
fn path_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic wildcard matching with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == n[j] || (p[i] == '?' && n[j] != '/')) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star.filter(|_| n[mark] != '/') {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod filter_tests {
    use super::path_match;

    #[test]
    fn matches_as_go_path_match() {
        assert!(path_match("test/*", "test/app"));
        assert!(!path_match("test*", "test/app"));
        assert!(path_match("test/app:?", "test/app:1"));
        assert!(path_match("busybox", "busybox"));
        assert!(!path_match("busy", "busybox"));
        assert!(path_match("*", "busybox"));
    }
}
