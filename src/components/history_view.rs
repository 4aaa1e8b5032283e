//! `docker history` of an image: a table with size bars, and docker's own text.

use layerwise_core::view::{self, history_created_since, human_size, HistoryItem};
use yew::prelude::*;

/// How many characters of CREATED BY docker shows unless `--no-trunc`.
const CREATED_BY_WIDTH: usize = 45;

/// Props of [`HistoryView`].
#[derive(Properties, PartialEq)]
pub struct HistoryViewProps {
    /// The rows, newest first.
    pub items: Vec<HistoryItem>,
    /// Unix seconds, for "3 months ago".
    pub now: i64,
}

/// The history table; CREATED BY is cut to 45 characters until expanded.
#[function_component]
pub fn HistoryView(props: &HistoryViewProps) -> Html {
    let no_trunc = use_state(|| false);
    let toggle = {
        let no_trunc = no_trunc.clone();
        Callback::from(move |_: Event| no_trunc.set(!*no_trunc))
    };
    let largest = props.items.iter().map(|h| h.size).max().unwrap_or(0).max(1);
    let rows = props.items.iter().map(|h| {
        let id = if h.id.starts_with("sha256:") && !*no_trunc { h.id["sha256:".len()..].chars().take(12).collect() } else { h.id.clone() };
        let created_by = h.created_by.replace('\t', " ");
        let shown = if *no_trunc { created_by.clone() } else { view::ellipsis(&created_by, CREATED_BY_WIDTH) };
        let width = format!("width: {:.1}%", h.size as f64 * 100.0 / largest as f64);
        html! {
            <tr>
                <td class="mono">{ id }</td>
                <td>{ history_created_since(h.created, props.now) }</td>
                <td class="mono created-by" title={created_by}>{ shown }</td>
                <td class="num">{ human_size(h.size) }<div class="bar"><div style={width}></div></div></td>
                <td>{ h.comment.clone() }</td>
            </tr>
        }
    });
    let command = if *no_trunc { "docker history --no-trunc" } else { "docker history" };
    html! {
        <section class="history">
            <div class="toolbar">
                <h3>{ "History" }</h3>
                <label><input type="checkbox" checked={*no_trunc} onchange={toggle} />{ " full commands (--no-trunc)" }</label>
            </div>
            <table class="history-table">
                <thead><tr><th>{ "IMAGE" }</th><th>{ "CREATED" }</th><th>{ "CREATED BY" }</th><th class="num">{ "SIZE" }</th><th>{ "COMMENT" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <details class="docker-text" open=true>
                <summary><code>{ format!("$ {command}") }</code></summary>
                <pre id="docker-history">{ view::history_table(&props.items, props.now, !*no_trunc) }</pre>
            </details>
        </section>
    }
}
