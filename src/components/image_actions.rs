//! `docker tag` and `docker rmi` for the image on its page, with docker's output.

use layerwise_core::store::Removed;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser::{actions, download};
use layerwise_core::store::ImageRecord;

/// Props of [`ImageActions`].
#[derive(Properties, PartialEq)]
pub struct ImageActionsProps {
    /// The image.
    pub image: ImageRecord,
    /// Called after the store changed.
    pub on_changed: Callback<()>,
}

/// A tag field and a remove button (with `-f`), and what docker would print.
#[function_component]
pub fn ImageActions(props: &ImageActionsProps) -> Html {
    let output = use_state(Vec::<String>::new);
    let force = use_state(|| false);
    let target = use_node_ref();
    let id = props.image.id.to_string();
    let on_save = {
        let (output, image) = (output.clone(), props.image.clone());
        Callback::from(move |_: MouseEvent| {
            let (output, image) = (output.clone(), image.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let images = [image];
                let name = download::file_name(&images);
                match download::save(&images, &name).await {
                    Ok(()) => output.set(vec![format!("Saved {name}")]),
                    Err(e) => output.set(vec![e]),
                }
            });
        })
    };
    let on_tag = {
        let (output, target, id, changed) = (output.clone(), target.clone(), id.clone(), props.on_changed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = target.cast::<HtmlInputElement>() else { return };
            let name = input.value();
            let (output, id, changed) = (output.clone(), id.clone(), changed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match actions::tag(&id, &name).await {
                    Ok(()) => {
                        output.set(vec![format!("Tagged {name}")]);
                        changed.emit(());
                    }
                    Err(e) => output.set(vec![e]),
                }
            });
        })
    };
    let on_remove = {
        let (output, force, id, changed) = (output.clone(), force.clone(), id.clone(), props.on_changed.clone());
        Callback::from(move |_: MouseEvent| {
            let (output, id, changed, force) = (output.clone(), id.clone(), changed.clone(), *force);
            wasm_bindgen_futures::spawn_local(async move {
                match actions::remove(&id, force).await {
                    Ok(lines) => {
                        let gone = lines.contains(&Removed::Deleted(id.clone()));
                        output.set(lines.iter().map(ToString::to_string).collect());
                        changed.emit(());
                        if gone {
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().set_hash("#/");
                            }
                        }
                    }
                    Err(e) => output.set(vec![format!("Error response from daemon: {e}")]),
                }
            });
        })
    };
    let toggle_force = {
        let force = force.clone();
        Callback::from(move |_: Event| force.set(!*force))
    };
    html! {
        <div class="image-actions">
            <form onsubmit={on_tag}>
                <input ref={target} id="tag-target" placeholder="new tag, e.g. myrepo/app:v2" />
                <button type="submit">{ "Tag" }</button>
            </form>
            <button id="save-image" onclick={on_save} title="docker save: an archive docker, podman and skopeo load">{ "Save .tar" }</button>
            <span class="remove">
                <button id="remove-image" class="danger" onclick={on_remove}>{ "Remove" }</button>
                <label title="docker rmi -f: untag every tag, and remove an image that others or edit sessions use">
                    <input type="checkbox" checked={*force} onchange={toggle_force} />{ " force (-f)" }
                </label>
            </span>
            if !output.is_empty() {
                <pre id="action-output">{ output.join("\n") }</pre>
            }
        </div>
    }
}
