//! The Images view: what `docker images` lists, with each image's shared and unique size, and
//! docker's own text beside it.

use std::rc::Rc;

use std::collections::HashSet;

use layerwise_core::digest::Digest;
use layerwise_core::store::ImageRecord;
use layerwise_core::view::{self, human_size, ImageRow, SharedSizes};
use yew::prelude::*;

use super::DropZone;
use crate::browser::download;

/// Props of [`ImagesView`].
#[derive(Properties, PartialEq)]
pub struct ImagesViewProps {
    /// The stored images.
    pub images: Rc<Vec<ImageRecord>>,
    /// Unix seconds, for "3 months ago".
    pub now: i64,
    /// Receives dropped or chosen archives, with the platform to import.
    pub on_files: Callback<(Vec<web_sys::File>, String)>,
}

/// The table of images, the drop zone, and `docker images` as docker prints it.
#[function_component]
pub fn ImagesView(props: &ImagesViewProps) -> Html {
    let all = use_state(|| false);
    let selected = use_state(HashSet::<String>::new);
    let saved = use_state(|| None::<String>);
    let summaries = view::image_summaries(&props.images, *all);
    let on_save = {
        let (selected, saved, images) = (selected.clone(), saved.clone(), props.images.clone());
        Callback::from(move |_: MouseEvent| {
            let chosen: Vec<ImageRecord> = images.iter().filter(|i| selected.contains(&i.id.to_string())).cloned().collect();
            let saved = saved.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = download::file_name(&chosen);
                saved.set(Some(match download::save(&chosen, &name).await {
                    Ok(()) => format!("Saved {name}"),
                    Err(e) => e,
                }));
            });
        })
    };
    let sizes = SharedSizes::of_all(&props.images);
    let toggle_all = {
        let all = all.clone();
        Callback::from(move |_: Event| all.set(!*all))
    };
    let command = if *all { "docker images -a" } else { "docker images" };
    let rows: Vec<Html> = summaries
        .iter()
        .flat_map(|s| ImageRow::for_image(s, props.now))
        .map(|r| {
            let id = Digest::parse(&r.id).ok();
            let shared = id.as_ref().and_then(|d| sizes.get(d)).copied().unwrap_or_default();
            let href = format!("#/images/{}", r.id.trim_start_matches("sha256:"));
            let toggle = {
                let (selected, id) = (selected.clone(), r.id.clone());
                Callback::from(move |_: Event| {
                    let mut next = (*selected).clone();
                    if !next.remove(&id) {
                        next.insert(id.clone());
                    }
                    selected.set(next);
                })
            };
            html! {
                <tr class="image-row" data-id={r.id.clone()}>
                    <td class="pick"><input type="checkbox" checked={selected.contains(&r.id)} onchange={toggle} /></td>
                    <td><a href={href.clone()}>{ r.repository.clone() }</a></td>
                    <td>{ r.tag.clone() }</td>
                    <td class="mono"><a href={href}>{ r.short_id.clone() }</a></td>
                    <td>{ r.created_since.clone() }</td>
                    <td class="num">{ r.size.clone() }</td>
                    <td class="num">{ human_size(shared.shared) }</td>
                    <td class="num">{ human_size(shared.unique) }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="images-view">
            <DropZone on_files={props.on_files.clone()} />
            <div class="toolbar">
                <h2>{ format!("Images ({})", props.images.len()) }</h2>
                <label><input type="checkbox" checked={*all} onchange={toggle_all} />{ " show intermediate images (-a)" }</label>
                <button id="save-selected" disabled={selected.is_empty()} onclick={on_save} title="docker save: one archive docker, podman and skopeo load">
                    { format!("Save {} selected as .tar", selected.len()) }
                </button>
                if let Some(s) = &*saved {
                    <span class="hint">{ s.clone() }</span>
                }
            </div>
            if rows.is_empty() {
                <p class="empty">
                    { "No images yet. Drop an archive made by " }<code>{ "docker save" }</code>{ ", " }<code>{ "podman save" }</code>{ " or " }<code>{ "skopeo copy" }</code>
                    { " above, pull one on the " }<a href="#/registry">{ "Registry" }</a>{ " page, or type " }<code>{ "docker pull busybox" }</code>{ " in the " }<a href="#/console">{ "Console" }</a>{ "." }
                </p>
            } else {
                <table class="images">
                    <thead><tr>
                        <th></th>
                        <th>{ "REPOSITORY" }</th><th>{ "TAG" }</th><th>{ "IMAGE ID" }</th><th>{ "CREATED" }</th>
                        <th class="num">{ "SIZE" }</th><th class="num" title="bytes of layers other images also use">{ "SHARED" }</th>
                        <th class="num" title="bytes of layers only this image uses">{ "UNIQUE" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            <details class="docker-text" open=true>
                <summary><code>{ format!("$ {command}") }</code></summary>
                <pre id="docker-images">{ view::images_table(&summaries, props.now) }</pre>
            </details>
        </section>
    }
}
