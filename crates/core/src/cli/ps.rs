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

/// The CLI's check of `--format` before it lists (docker/cli `buildContainerListOptions`): the
/// template as written, run over the context of no container; its error, if it fails.
fn check_format(format: &str, now: i64) -> Option<String> {
    let template = match template::Format::parse_as_written(format) {
        Ok(t) => t,
        Err(e) => return Some(format!("failed to parse template: {e}")),
    };
    let empty = serde_json::to_value(PsRow::empty(now)).ok()?;
    template.render_row(&empty, CONTEXT).err().map(|e| format!("failed to execute template: {e}"))
}

/// The Go type of the CLI's row (docker/cli `formatter.ContainerContext`).
const CONTEXT: &str = "*formatter.ContainerContext";

/// `docker ps` over the snapshot's edit sessions.
pub fn ps(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let g = &inv.given;
    let format = g.value("format").unwrap_or("");
    // The CLI warns before it checks the format and lists.
    let warning = if g.bool("quiet") && !format.is_empty() { "WARNING: Ignoring custom format, because both --format and --quiet are set.\n" } else { "" };
    if let Some(e) = Some(format).filter(|f| !f.is_empty()).and_then(|f| check_format(f, s.now)) {
        return Output::err(format!("{warning}{e}\n"), 1);
    }
    let query = query(inv);
    let summaries = match view::list_containers(s.containers, s.images, &query) {
        Ok(list) => list,
        Err(e) => return Output::err(format!("{warning}Error response from daemon: {e}\n"), 1),
    };
    let trunc = !g.bool("no-trunc");
    if g.bool("quiet") {
        let ids: String = summaries.iter().map(|c| format!("{}\n", if trunc { c.id.get(..12).unwrap_or(&c.id) } else { &c.id })).collect();
        return Output { stdout: ids, stderr: warning.to_owned(), status: 0 };
    }
    let shape = template::shape(g.value("format"));
    if matches!(shape, Shape::Default) {
        return Output::out(view::ps_table(&summaries, s.now, trunc, query.size));
    }
    let rows: Vec<serde_json::Value> = summaries.iter().filter_map(|c| serde_json::to_value(PsRow::of(c, s.now, trunc)).ok()).collect();
    templated_output(template::print_rows(&shape, &rows, &PS_HEADERS, CONTEXT))
}
