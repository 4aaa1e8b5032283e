//! Running the console's read-only commands over a snapshot of the store: `docker images`,
//! `history`, `inspect`, `image inspect` and `ps`, printing what the docker CLI prints (the
//! tables and JSON come from [`crate::view`], shared with the GUI).

use crate::container::ContainerRecord;
use crate::digest::Digest;
use crate::spec::ImageConfig;
use crate::store::{self, ImageRecord};
use crate::view;

use super::commands::{Action, Invocation};

/// What a command printed, and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status.
    pub status: i32,
}

impl Output {
    fn out(stdout: String) -> Self {
        Self { stdout, ..Self::default() }
    }

    fn err(stderr: String, status: i32) -> Self {
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
    let filters_images = inv.spec.action == Action::Images && g.has("filter");
    let unsupported = ["format", "filter", "tree", "platform", "type"].into_iter().find(|f| g.has(f) && !(*f == "filter" && filters_images));
    if let (Some(flag), Action::Images | Action::History | Action::Inspect | Action::ImageInspect | Action::Ps) = (unsupported, inv.spec.action) {
        return Some(Output::err(format!("--{flag} is not supported by this console yet\n"), 1));
    }
    Some(match inv.spec.action {
        Action::Images => images(inv, s),
        Action::History => history(inv, s),
        Action::Inspect | Action::ImageInspect => inspect(inv, s),
        Action::Ps => {
            let all = g.bool("all");
            let summaries = view::container_summaries(s.containers, s.images, all);
            if g.bool("quiet") {
                Output::out(summaries.iter().map(|c| format!("{}\n", if g.bool("no-trunc") { c.id.clone() } else { c.id.chars().take(12).collect() })).collect())
            } else {
                Output::out(view::ps_table(&summaries, s.now, !g.bool("no-trunc")))
            }
        }
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
    Output::out(view::images_text(&summaries, s.now, &options))
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
            Output::out(view::history_text(&items, s.now, &view::HistoryOptions { human, no_trunc: g.bool("no-trunc"), quiet: g.bool("quiet") }))
        }
        Err(e) => Output::err(format!("Error response from daemon: {e}\n"), 1),
    }
}

fn inspect(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let mut found = Vec::new();
    let mut stderr = String::new();
    for name in &inv.given.args {
        match store::resolve(s.images, name).and_then(|i| (s.config)(&i.id).map(|c| view::inspect(i, &c))) {
            Some(r) => found.push(r),
            None if inv.spec.action == Action::Inspect => stderr.push_str(&format!("Error: No such object: {name}\n")),
            None => stderr.push_str(&format!("Error response from daemon: {}\n", store::no_such_image(name))),
        }
    }
    let status = i32::from(!stderr.is_empty());
    Output { stdout: view::inspect_json(&found), stderr, status }
}
