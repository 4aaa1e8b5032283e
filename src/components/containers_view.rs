//! The edit sessions, as `docker ps -a` lists containers: each links to its image's page, and
//! can be removed (`docker rm`) with the files it added.

use std::rc::Rc;

use layerwise_core::container::ContainerRecord;
use layerwise_core::store::ImageRecord;
use layerwise_core::view::{self, created_since};
use yew::prelude::*;

use crate::browser::session;

/// Props of [`ContainersView`].
#[derive(Properties, PartialEq)]
pub struct ContainersViewProps {
    /// The stored images (the sessions are read again when they change).
    pub images: Rc<Vec<ImageRecord>>,
    /// Unix seconds, for "5 minutes ago".
    pub now: i64,
}

/// The sessions table and `docker ps -a`'s text.
#[function_component]
pub fn ContainersView(props: &ContainersViewProps) -> Html {
    let sessions = use_state(|| None::<Result<Vec<ContainerRecord>, String>>);
    let output = use_state(String::new);
    let reload = {
        let sessions = sessions.clone();
        move || {
            let sessions = sessions.clone();
            wasm_bindgen_futures::spawn_local(async move { sessions.set(Some(session::all().await)) });
        }
    };
    {
        let reload = reload.clone();
        use_effect_with(props.images.clone(), move |_| reload());
    }
    let list = match &*sessions {
        None => return html! {},
        Some(Err(e)) => return html! { <p class="error">{ e.clone() }</p> },
        Some(Ok(list)) if list.is_empty() => return html! {},
        Some(Ok(list)) => list.clone(),
    };
    let summaries = view::container_summaries(&list, &props.images, true);
    let rows = summaries.iter().filter_map(|s| {
        let record = list.iter().find(|c| c.id == s.id)?.clone();
        let on_remove = {
            let (output, reload) = (output.clone(), reload.clone());
            Callback::from(move |_: MouseEvent| {
                let (output, reload, record) = (output.clone(), reload.clone(), record.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    output.set(match session::remove(&record).await {
                        Ok(()) => record.name.clone(),
                        Err(e) => format!("Error response from daemon: {e}"),
                    });
                    reload();
                });
            })
        };
        let href = format!("#/images/{}", s.image_id.trim_start_matches("sha256:"));
        Some(html! {
            <tr class="container-row" data-id={s.id.clone()}>
                <td class="mono">{ s.id.get(..12).unwrap_or_default() }</td>
                <td><a href={href}>{ s.image.clone() }</a></td>
                <td class="mono">{ s.command.clone() }</td>
                <td>{ created_since(s.created, props.now) }</td>
                <td>{ s.status.clone() }</td>
                <td>{ s.names.iter().map(|n| n.trim_start_matches('/')).collect::<Vec<_>>().join(",") }</td>
                <td><button class="danger" onclick={on_remove}>{ "Remove" }</button></td>
            </tr>
        })
    });
    html! {
        <section class="containers-view">
            <div class="toolbar"><h2>{ format!("Edit sessions ({})", list.len()) }</h2></div>
            <table class="images">
                <thead><tr>
                    <th>{ "CONTAINER ID" }</th><th>{ "IMAGE" }</th><th>{ "COMMAND" }</th><th>{ "CREATED" }</th><th>{ "STATUS" }</th><th>{ "NAMES" }</th><th></th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if !output.is_empty() {
                <pre id="rm-output">{ (*output).clone() }</pre>
            }
            <details class="docker-text">
                <summary><code>{ "$ docker ps -a" }</code></summary>
                <pre id="docker-ps">{ view::ps_table(&summaries, props.now, true, false) }</pre>
            </details>
        </section>
    }
}
