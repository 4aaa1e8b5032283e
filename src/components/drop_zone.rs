//! Where archives come in: drag them onto the zone, or pick them with the file button.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, FileList, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Receives the chosen files and the platform to import from multi-platform archives.
    pub on_files: Callback<(Vec<web_sys::File>, String)>,
}

/// The platforms offered for multi-platform archives (`""` is linux/amd64, docker's default).
const PLATFORMS: [(&str, &str); 7] = [
    ("", "linux/amd64 (default)"),
    ("all", "all platforms"),
    ("linux/arm64", "linux/arm64"),
    ("linux/arm/v7", "linux/arm/v7"),
    ("linux/386", "linux/386"),
    ("linux/ppc64le", "linux/ppc64le"),
    ("linux/s390x", "linux/s390x"),
];

fn files(list: Option<FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A drop target and a file button for `docker save` and OCI archives.
#[function_component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let hover = use_state(|| false);
    let platform = use_state(String::new);
    let on_platform = {
        let platform = platform.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                platform.set(select.value());
            }
        })
    };
    let on_drag_over = {
        let hover = hover.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            hover.set(true);
        })
    };
    let on_drag_leave = {
        let hover = hover.clone();
        Callback::from(move |_: DragEvent| hover.set(false))
    };
    let on_drop = {
        let hover = hover.clone();
        let on_files = props.on_files.clone();
        let platform = platform.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            hover.set(false);
            let dropped = files(e.data_transfer().and_then(|d| d.files()));
            if !dropped.is_empty() {
                on_files.emit((dropped, (*platform).clone()));
            }
        })
    };
    let on_change = {
        let on_files = props.on_files.clone();
        let platform = platform.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let chosen = files(input.files());
            input.set_value("");
            if !chosen.is_empty() {
                on_files.emit((chosen, (*platform).clone()));
            }
        })
    };
    html! {
        <div class={classes!("drop-zone", (*hover).then_some("hover"))}
             ondragover={on_drag_over} ondragenter={Callback::from(|e: DragEvent| e.prevent_default())}
             ondragleave={on_drag_leave} ondrop={on_drop}>
            <p>{ "Drop a " }<code>{ "docker save" }</code>{ " or OCI archive here (.tar, .tar.gz, .tar.zst), or " }
                <label class="file-button">{ "choose files…" }
                    <input id="archive-input" type="file" multiple=true accept=".tar,.tar.gz,.tgz,.tar.zst,.gz,.zst,application/x-tar,application/gzip,application/zstd" onchange={on_change} />
                </label>
            </p>
            <p class="hint">
                <label>{ "Platform of multi-platform archives: " }
                    <select id="platform" onchange={on_platform}>
                        { for PLATFORMS.iter().map(|(value, label)| html! { <option value={*value} selected={*platform == *value}>{ *label }</option> }) }
                    </select>
                </label>
            </p>
            <p class="hint">{ "Nothing leaves your browser: archives are read, verified and stored locally (IndexedDB)." }</p>
        </div>
    }
}
