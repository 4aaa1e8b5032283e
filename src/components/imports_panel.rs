//! This session's imports: progress while they run (bytes verified and the rate), docker's
//! `Loaded image:` lines or the error when they end, each finished one dismissable. The list
//! scrolls within a bounded height, so finished jobs do not push every page down.

use yew::prelude::*;

use layerwise_core::import::ImagePreview;

use crate::state::{ImportRow, ImportStatus};

/// Props of [`ImportsPanel`].
#[derive(Properties, PartialEq)]
pub struct ImportsPanelProps {
    /// The imports, oldest first.
    pub imports: Vec<ImportRow>,
    /// Clears the finished ones.
    pub on_clear: Callback<()>,
    /// Dismisses one finished import (by its ID).
    pub on_dismiss: Callback<String>,
    /// Cancels a running pull (by its ID).
    pub on_cancel: Callback<String>,
}

/// One line per import.
#[function_component]
pub fn ImportsPanel(props: &ImportsPanelProps) -> Html {
    if props.imports.is_empty() {
        return html! {};
    }
    let clear = props.on_clear.reform(|_: MouseEvent| ());
    html! {
        <section class="imports">
            { for props.imports.iter().map(|i| row(i, &props.on_cancel, &props.on_dismiss)) }
            <button class="link" onclick={clear}>{ "clear finished" }</button>
        </section>
    }
}

/// `done` bytes since `started_ms`, in MB/s, once there is enough to tell.
fn rate(done: u64, started_ms: f64) -> Option<String> {
    let seconds = (js_sys::Date::now() - started_ms) / 1000.0;
    (seconds > 0.5 && done > 0).then(|| format!(" · {:.0} MB/s", done as f64 / 1e6 / seconds))
}

fn row(import: &ImportRow, on_cancel: &Callback<String>, on_dismiss: &Callback<String>) -> Html {
    let (class, body) = match &import.status {
        ImportStatus::Queued => ("queued", html! { <span>{ "reading metadata…" }</span> }),
        ImportStatus::Running { done, total } => {
            let pct = if *total == 0 { 100.0 } else { *done as f64 * 100.0 / *total as f64 };
            let label = format!("{:.0}% · {} of {} MB verified{}", pct, done / 1_000_000, total / 1_000_000, rate(*done, import.started_ms).unwrap_or_default());
            ("running", html! { <><progress max="100" value={format!("{pct:.1}")}></progress><span>{ label }</span></> })
        }
        ImportStatus::Pulling(lines) => {
            let cancel = on_cancel.reform({
                let id = import.id.clone();
                move |_: MouseEvent| id.clone()
            });
            ("running", html! { <>
                <span class="lines mono">{ for lines.iter().map(|l| html! { <div>{ l.clone() }</div> }) }</span>
                <button class="link cancel" onclick={cancel}>{ "cancel" }</button>
            </> })
        }
        ImportStatus::Done(lines) => ("done", html! { <span class="lines">{ for lines.iter().map(|l| html! { <div>{ l.clone() }</div> }) }</span> }),
        // The worker's message names the file for the console; the row shows the name already.
        ImportStatus::Failed(e) => ("failed", html! { <span class="error">{ e.strip_prefix(&format!("{}: ", import.name)).unwrap_or(e).to_owned() }</span> }),
    };
    let dismiss = (!import.is_active()).then(|| {
        let id = import.id.clone();
        let onclick = on_dismiss.reform(move |_: MouseEvent| id.clone());
        html! { <button class="link dismiss" title="dismiss" aria-label={format!("dismiss {}", import.name)} {onclick}>{ "×" }</button> }
    });
    html! {
        <div class={classes!("import", class)} data-import-id={import.id.clone()} data-status={class}>
            <strong>{ import.name.clone() }</strong>
            { body }
            { for dismiss }
            // One image's JSON is open at once; an archive of many lists them folded.
            { for import.previews.iter().map(|p| preview(p, import.previews.len() == 1)) }
        </div>
    }
}

/// An image the archive describes, shown while its layers are verified: not yet in the store.
fn preview(image: &ImagePreview, open: bool) -> Html {
    let name = image.tags.first().cloned().unwrap_or_else(|| "<none>".to_owned());
    html! {
        <details class="preview" data-image-id={image.id.to_string()} {open}>
            <summary>
                { format!("{name} ({}) ", image.id.short()) }
                <span class="verifying">{ "being verified, not stored yet: Size and Metadata come when every layer is read" }</span>
            </summary>
            <pre class="preview-inspect mono">{ image.inspect.clone() }</pre>
        </details>
    }
}
