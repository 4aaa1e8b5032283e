//! One image: its `docker inspect` JSON as a tree (and as docker prints it), and its history.

use std::rc::Rc;

use js_sys::{Function, Reflect};
use layerwise_core::digest::Digest;
use layerwise_core::fs::{MergedFs, Tree};
use layerwise_core::spec::ImageConfig;
use layerwise_core::store::{self, ImageRecord, Store};
use layerwise_core::view::{self, human_size};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use super::{EditSession, FileExplorer, HistoryView, ImageActions, ImageFs, JsonTree, LayersView, WasteView};
use crate::browser::console_worker::ConsoleWorker;
use crate::browser::store::IdbStore;
use crate::protocol::Request;

/// Props of [`ImagePage`].
#[derive(Properties, PartialEq)]
pub struct ImagePageProps {
    /// An ID, a unique ID prefix, or a reference, as in `docker inspect NAME`.
    pub name: String,
    /// The stored images.
    pub images: Rc<Vec<ImageRecord>>,
    /// Unix seconds, for "3 months ago".
    pub now: i64,
    /// Called after the page changed the store (tag, remove).
    pub on_changed: Callback<()>,
    /// Sends a commit of an edit session to the worker.
    pub on_commit: Callback<Request>,
}

/// What the page shows of an image beyond its record: the config (read and parsed in the
/// console worker, not on the page), and the filesystem built from the layers' file indexes.
struct Loaded {
    config: ImageConfig,
    fs: Rc<ImageFs>,
}

async fn load(image: ImageRecord) -> Result<Loaded, String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let config = ConsoleWorker::shared().config(&image.id).await?;
    let mut layers = Vec::with_capacity(image.layers.len());
    for l in &image.layers {
        let record = store.layer(&l.diff_id).await.map_err(|e| e.to_string())?;
        layers.push(record.ok_or_else(|| format!("layer {} is not in the store", l.diff_id))?.entries);
    }
    let (merged, changes) = MergedFs::of_layers(layers.iter().map(Vec::as_slice));
    let tree = Tree::new(&merged);
    let blobs = image.layers.iter().map(|l| l.blob.clone()).collect();
    Ok(Loaded { config, fs: Rc::new(ImageFs { merged, tree, changes, blobs }) })
}

/// The page's tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Inspect,
    Files,
    Waste,
    Edit,
}

fn copy_to_clipboard(text: &str) -> Result<(), JsValue> {
    let navigator = web_sys::window().ok_or(JsValue::NULL)?.navigator();
    let clipboard = Reflect::get(&navigator, &"clipboard".into())?;
    let write: Function = Reflect::get(&clipboard, &"writeText".into())?.dyn_into()?;
    write.call1(&clipboard, &JsValue::from_str(text)).map(|_| ())
}

/// The image page.
#[function_component]
pub fn ImagePage(props: &ImagePageProps) -> Html {
    let image = store::resolve(&props.images, &props.name).cloned();
    let loaded = use_state(|| None::<Rc<Result<Loaded, String>>>);
    let copied = use_state(|| false);
    let tab = use_state(|| Tab::Inspect);
    let layer = use_state(|| None::<usize>);
    {
        let loaded = loaded.clone();
        let image = image.clone();
        use_effect_with(image.as_ref().map(|i| i.id.clone()), move |_| {
            loaded.set(None);
            if let Some(image) = image {
                wasm_bindgen_futures::spawn_local(async move { loaded.set(Some(Rc::new(load(image).await))) });
            }
        });
    }
    let Some(image) = image else {
        return html! { <section class="image-page"><p class="error">{ format!("Error: No such image: {}", props.name) }</p><a href="#/">{ "Back to the images" }</a></section> };
    };
    let title = image.repo_tags.first().cloned().unwrap_or_else(|| "<none>:<none>".to_owned());
    let attestations = image.attestations.iter().map(|a| {
        html! {
            <li class="attestation">
                <span>{ a.predicate_types.join(", ") }</span>{ " · manifest " }<code>{ a.manifest.to_string() }</code>
            </li>
        }
    });
    let header = html! {
        <header class="image-header">
            <h2>{ title }</h2>
            <p class="mono">{ image.id.to_string() }</p>
            <p>{ format!("{} · {} layers · {}", human_size(image.size()), image.layers.len(), image.repo_tags.join(", ")) }</p>
            <ImageActions image={image.clone()} on_changed={props.on_changed.clone()} />
            if !image.attestations.is_empty() {
                <section class="attestations">
                    <h3>{ "Attestations" }</h3>
                    <p class="hint">{ "Statements stored beside the image in its index (provenance, SBOM): kept with it, not images themselves." }</p>
                    <ul>{ for attestations }</ul>
                </section>
            }
        </header>
    };
    // Always the header and one fragment: Yew matches unkeyed children from the end, so a
    // list of another length would remount the header, losing what was typed in its fields.
    let page = |rest: Html| html! { <section class="image-page">{ header.clone() }<>{ rest }</></section> };
    let loaded = match loaded.as_deref() {
        None => return page(html! { <p class="loading">{ "Reading the config and the layers' file indexes…" }</p> }),
        Some(Err(e)) => return page(html! { <p class="error">{ e.clone() }</p> }),
        Some(Ok(l)) => l,
    };
    let config = &loaded.config;
    let tabs = [(Tab::Inspect, "Inspect & history"), (Tab::Files, "Layers & files"), (Tab::Waste, "Wasted space"), (Tab::Edit, "Edit & commit")].map(|(t, label)| {
        let set = {
            let tab = tab.clone();
            Callback::from(move |_: MouseEvent| tab.set(t))
        };
        html! { <button class={classes!("tab", (*tab == t).then_some("active"))} onclick={set}>{ label }</button> }
    });
    let on_layer = {
        let layer = layer.clone();
        Callback::from(move |l: Option<usize>| layer.set(l))
    };
    let body = match *tab {
        Tab::Inspect => None,
        Tab::Files => Some(html! {
            <>
                <LayersView rows={view::layers(&image, config, &loaded.fs.changes)} selected={*layer} on_select={on_layer} now={props.now} />
                <FileExplorer fs={loaded.fs.clone()} layer={*layer} />
            </>
        }),
        Tab::Waste => Some(html! { <WasteView fs={loaded.fs.clone()} /> }),
        Tab::Edit => {
            let container = config.config.as_ref();
            let command = container.map(|c| c.entrypoint.iter().chain(&c.cmd).cloned().collect::<Vec<_>>().join(" ")).unwrap_or_default();
            Some(html! { <EditSession image={image.clone()} image_ref={props.name.clone()} command={command} base={loaded.fs.clone()} on_commit={props.on_commit.clone()} /> })
        }
    };
    let nav = html! { <nav class="tabs">{ for tabs }</nav> };
    if let Some(body) = body {
        return page(html! { <>{ nav }{ body }</> });
    }
    let inspect = view::inspect(&image, config);
    let inspect_text = view::inspect_json(std::slice::from_ref(&inspect));
    let tree = serde_json::to_value(&inspect).unwrap_or_default();
    let images = props.images.clone();
    let find = move |id: &Digest| images.iter().find(|i| i.id == *id).cloned();
    let history = view::history(&image, config, &find);
    let on_copy = {
        let copied = copied.clone();
        let text = inspect_text.clone();
        Callback::from(move |_: MouseEvent| copied.set(copy_to_clipboard(&text).is_ok()))
    };
    page(html! {
        <>
            { nav }
            <section class="inspect">
                <div class="toolbar">
                    <h3>{ "Inspect" }</h3>
                    <button onclick={on_copy}>{ if *copied { "Copied" } else { "Copy JSON" } }</button>
                </div>
                <JsonTree value={tree} />
                <details class="docker-text">
                    <summary><code>{ format!("$ docker image inspect {}", image.id.short()) }</code></summary>
                    <pre id="inspect-json">{ inspect_text }</pre>
                </details>
            </section>
            { match history {
                Ok(items) => html! { <HistoryView items={items} now={props.now} /> },
                Err(e) => html! { <p class="error">{ format!("Error response from daemon: {e}") }</p> },
            } }
        </>
    })
}
