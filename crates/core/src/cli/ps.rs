//! `docker ps` (`docker container ls`): the flags read into the daemon's list query, and the
//! list printed as the CLI prints it (docker/cli `container/list.go`, `formatter/container.go`).

use super::commands::Invocation;
use super::run::{templated_output, Output, Snapshot};
use super::template::{self, Shape};
use crate::view::{self, ContainerQuery, PsRow, PS_HEADERS};

/// The query the CLI sends for these flags: `-l` is `-n 1` unless `-n` is given; a limit below
/// 1 is none; `--format` that renders `.Size` asks for sizes unless `--size` is given.
fn query(inv: &Invocation) -> ContainerQuery {
    let g = &inv.given;
    // The flag parser has kept `-n` in decimal, and each filter as `name=value`.
    let last = g.value("last").and_then(|n| n.parse::<i64>().ok()).unwrap_or(-1);
    let last = if g.bool("latest") && !g.has("last") { 1 } else { last };
    let format = g.value("format").filter(|_| !g.bool("quiet")).unwrap_or("");
    // The CLI runs the template once to see whether it calls `.Size`; `{{json .}}` does.
    let template_size = format != "json" && (format.contains(".Size") || format.replace(' ', "").contains("json.}}"));
    ContainerQuery {
        all: g.bool("all"),
        limit: usize::try_from(last).ok().filter(|l| *l > 0),
        size: g.bool("size") || (!g.has("size") && template_size),
        filters: g.values("filter").iter().filter_map(|f| f.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
    }
}

/// `docker ps` over the snapshot's edit sessions.
pub fn ps(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let g = &inv.given;
    let query = query(inv);
    let summaries = match view::list_containers(s.containers, s.images, &query) {
        Ok(list) => list,
        Err(e) => return Output::err(format!("Error response from daemon: {e}\n"), 1),
    };
    let trunc = !g.bool("no-trunc");
    if g.bool("quiet") {
        let ids: String = summaries.iter().map(|c| format!("{}\n", if trunc { c.id.get(..12).unwrap_or(&c.id) } else { &c.id })).collect();
        let warning = if g.value("format").is_some_and(|f| !f.is_empty()) { "WARNING: Ignoring custom format, because both --format and --quiet are set.\n" } else { "" };
        return Output { stdout: ids, stderr: warning.to_owned(), status: 0 };
    }
    let shape = template::shape(g.value("format"));
    if matches!(shape, Shape::Default) {
        return Output::out(view::ps_table(&summaries, s.now, trunc, query.size));
    }
    let rows: Vec<serde_json::Value> = summaries.iter().filter_map(|c| serde_json::to_value(PsRow::of(c, s.now, trunc)).ok()).collect();
    templated_output(template::print_rows(&shape, &rows, &PS_HEADERS))
}
