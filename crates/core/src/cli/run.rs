//! Running the console's read-only commands over a snapshot of the store: `docker images`,
//! `history`, `inspect`, `image inspect` and `ps`, printing what the docker CLI prints (the
//! tables and JSON come from [`crate::view`], shared with the GUI).

use crate::container::ContainerRecord;
use crate::digest::Digest;
use crate::spec::ImageConfig;
use crate::store::{self, ImageRecord};
use crate::view;

use super::commands::{Action, Invocation};
use super::template::{self, Shape};

/// A templated listing's output, or its template error.
pub(super) fn templated_output(result: Result<String, String>) -> Output {
    match result {
        Ok(text) => Output::out(text),
        Err(e) => Output::err(format!("{e}\n"), 1),
    }
}

/// What a command printed, and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status.
    pub status: i32,
}

impl Output {
    pub(super) fn out(stdout: String) -> Self {
        Self { stdout, ..Self::default() }
    }

    pub(super) fn err(stderr: String, status: i32) -> Self {
        Self { stderr, status, ..Self::default() }
    }
}

/// The store as the console sees it when a line runs.
pub struct Snapshot<'a> {
    /// The images.
    pub images: &'a [ImageRecord],
    /// An image's parsed config.
    pub config: &'a dyn Fn(&Digest) -> Option<ImageConfig>,
    /// The edit sessions.
    pub containers: &'a [ContainerRecord],
    /// Now, in seconds since the epoch.
    pub now: i64,
}

/// Runs a read-only command; `None` for one that changes the store or needs the network (the
/// console runs those itself).
pub fn run_read_only(inv: &Invocation, s: &Snapshot<'_>) -> Option<Output> {
    let g = &inv.given;
    let filters = matches!(inv.spec.action, Action::Images | Action::Ps) && g.has("filter");
    let templated = matches!(inv.spec.action, Action::Images | Action::History | Action::Inspect | Action::ImageInspect | Action::Ps);
    let unsupported = ["format", "filter", "tree", "platform"].into_iter().find(|f| g.has(f) && !(*f == "filter" && filters) && !(*f == "format" && templated));
    if let (Some(flag), Action::Images | Action::History | Action::Inspect | Action::ImageInspect | Action::Ps) = (unsupported, inv.spec.action) {
        return Some(Output::err(format!("--{flag} is not supported by this console yet\n"), 1));
    }
    Some(match inv.spec.action {
        Action::Images => images(inv, s),
        Action::History => history(inv, s),
        Action::Inspect | Action::ImageInspect => super::inspect::inspect(inv, s),
        Action::Ps => super::ps::ps(inv, s),
        _ => return None,
    })
}

fn images(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let g = &inv.given;
    // The flag parser has checked each filter reads `name=value`.
    let mut filters: Vec<(String, String)> = g.values("filter").iter().filter_map(|f| f.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    if let Some(reference) = g.args.first() {
        filters.push(("reference".to_owned(), reference.clone()));
    }
    let images = match view::filter_images(s.images, &filters) {
        Ok(i) => i,
        Err(e) => return Output::err(format!("Error response from daemon: {e}\n"), 1),
    };
    // An untagged image with a child is shown only with -a, unless dangling is asked for.
    let summaries = view::image_summaries(&images, g.bool("all") || filters.iter().any(|(k, _)| k == "dangling"));
    let options = view::ImagesOptions { quiet: g.bool("quiet"), no_trunc: g.bool("no-trunc"), digests: g.bool("digests") };
    let shape = template::shape(g.value("format"));
    if g.bool("quiet") || matches!(shape, Shape::Default) {
        return Output::out(view::images_text(&summaries, s.now, &options));
    }
    let rows: Vec<serde_json::Value> = summaries
        .iter()
        .flat_map(|summary| view::ImageRow::for_image(summary, s.now).into_iter().map(move |r| (summary, r)))
        .map(|(summary, r)| {
            // Keys in Go's order for a marshalled map: sorted.
            serde_json::json!({
                "Containers": "N/A",
                "CreatedAt": view::go_time(summary.created),
                "CreatedSince": r.created_since,
                "Digest": r.digest,
                "ID": if g.bool("no-trunc") { r.id.clone() } else { r.short_id.clone() },
                "Repository": r.repository,
                "SharedSize": "N/A",
                "Size": r.size,
                "Tag": r.tag,
                "UniqueSize": "N/A",
                // docker prints this one with `units.HumanSize` (precision 4).
                "VirtualSize": view::human_size_with_precision(summary.size, 4),
            })
        })
        .collect();
    let headers = [
        ("Containers", "CONTAINERS"),
        ("CreatedAt", "CREATED AT"),
        ("CreatedSince", "CREATED"),
        ("Digest", "DIGEST"),
        ("ID", "IMAGE ID"),
        ("Repository", "REPOSITORY"),
        ("SharedSize", "SHARED SIZE"),
        ("Size", "SIZE"),
        ("Tag", "TAG"),
        ("UniqueSize", "UNIQUE SIZE"),
        ("VirtualSize", "SIZE"),
    ];
    templated_output(template::print_rows(&shape, &rows, &headers, "*formatter.imageContext"))
}

fn history(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let g = &inv.given;
    let name = g.args.first().map_or("", String::as_str);
    let Some(image) = store::resolve(s.images, name) else {
        return Output::err(format!("Error response from daemon: {}\n", store::no_such_image(name)), 1);
    };
    let Some(config) = (s.config)(&image.id) else {
        return Output::err(format!("Error response from daemon: the config of {} is not readable\n", image.id), 1);
    };
    let find = |id: &Digest| s.images.iter().find(|i| i.id == *id).cloned();
    match view::history(image, &config, &find) {
        Ok(items) => {
            let human = !g.has("human") || g.bool("human");
            let shape = template::shape(g.value("format"));
            if g.bool("quiet") || matches!(shape, Shape::Default) {
                return Output::out(view::history_text(&items, s.now, &view::HistoryOptions { human, no_trunc: g.bool("no-trunc"), quiet: g.bool("quiet") }));
            }
            let trunc = !g.bool("no-trunc");
            let rows: Vec<serde_json::Value> = items
                .iter()
                .map(|h| {
                    let created_at = time::OffsetDateTime::from_unix_timestamp(h.created).ok().and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default();
                    let created_by = h.created_by.replace('\t', " ");
                    serde_json::json!({
                        "Comment": h.comment,
                        "CreatedAt": created_at,
                        "CreatedBy": if trunc { view::ellipsis(&created_by, 45) } else { created_by },
                        "CreatedSince": if human { view::history_created_since(h.created, s.now) } else { created_at.clone() },
                        "ID": if trunc && h.id.starts_with("sha256:") { h.id["sha256:".len()..].chars().take(12).collect() } else { h.id.clone() },
                        "Size": if human { view::human_size(h.size) } else { h.size.to_string() },
                    })
                })
                .collect();
            let headers = [("Comment", "COMMENT"), ("CreatedAt", "CREATED AT"), ("CreatedBy", "CREATED BY"), ("CreatedSince", "CREATED"), ("ID", "IMAGE"), ("Size", "SIZE")];
            templated_output(template::print_rows(&shape, &rows, &headers, "*image.historyContext"))
        }
        Err(e) => Output::err(format!("Error response from daemon: {e}\n"), 1),
    }
}

/// What `docker search` prints for `results` (already limited and filtered) with these flags.
pub fn search_output(results: &[view::SearchResult], given: &super::flags::Given) -> Output {
    let no_trunc = given.bool("no-trunc");
    let shape = template::shape(given.value("format"));
    if matches!(shape, Shape::Default) {
        return Output::out(view::search_table(results, no_trunc));
    }
    let json = matches!(shape, Shape::Json);
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let description = r.description.replace(['\n', '\r'], " ");
            let description = if no_trunc { description } else { view::ellipsis(&description, 45) };
            let flag = |b: bool| if b { "[OK]" } else { "" };
            // docker's JSON form has IsOfficial as "true"/"false" and no IsAutomated.
            if json {
                serde_json::json!({ "Description": description, "IsOfficial": r.is_official.to_string(), "Name": r.name, "StarCount": r.star_count.to_string() })
            } else {
                serde_json::json!({ "Description": description, "IsAutomated": flag(r.is_automated), "IsOfficial": flag(r.is_official), "Name": r.name, "StarCount": r.star_count.to_string() })
            }
        })
        .collect();
    let headers = [("Name", "NAME"), ("Description", "DESCRIPTION"), ("StarCount", "STARS"), ("IsOfficial", "OFFICIAL"), ("IsAutomated", "AUTOMATED")];
    templated_output(template::print_rows(&shape, &rows, &headers, "*registry.searchContext"))
}
