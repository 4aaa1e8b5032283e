//! Wasted space: file versions an image ships that its final filesystem does not show
//! (overwritten or deleted by a later layer), and names that look like secrets.

use std::rc::Rc;

use layerwise_core::fs::looks_secret;
use layerwise_core::view::human_size;
use yew::prelude::*;

use super::file_explorer::ImageFs;

/// Props of [`WasteView`].
#[derive(Properties, PartialEq)]
pub struct WasteViewProps {
    /// The image's filesystem.
    pub fs: Rc<ImageFs>,
}

/// The list, largest first, with the total.
#[function_component]
pub fn WasteView(props: &WasteViewProps) -> Html {
    let waste = props.fs.merged.waste();
    let total: u64 = waste.iter().map(|w| w.size).sum();
    let secrets: Vec<String> = props.fs.merged.nodes().map(|(p, _)| p).filter(|p| looks_secret(p)).cloned().collect();
    let hidden_secrets: Vec<&String> = waste.iter().map(|w| &w.path).filter(|p| looks_secret(p)).collect();
    html! {
        <section class="waste">
            <h3>{ format!("Wasted space: {}", human_size(total)) }</h3>
            <p class="hint">{ "Versions of files that a later layer overwrote or deleted: every pull still downloads them, and anyone can read them." }</p>
            if !secrets.is_empty() || !hidden_secrets.is_empty() {
                <div class="secrets" role="alert">
                    <strong>{ "Names that look like secrets: " }</strong>
                    { for secrets.iter().map(|p| html! { <code>{ p.clone() }</code> }) }
                    { for hidden_secrets.iter().map(|p| html! { <code class="deleted">{ format!("{p} (deleted, but still in an earlier layer)") }</code> }) }
                </div>
            }
            if waste.is_empty() {
                <p class="empty">{ "No layer overwrites or deletes what an earlier one shipped." }</p>
            } else {
                <table class="waste-table">
                    <thead><tr><th>{ "PATH" }</th><th class="num">{ "SIZE" }</th><th class="num">{ "IN LAYER" }</th><th>{ "HIDDEN BY" }</th></tr></thead>
                    <tbody>
                        { for waste.iter().take(500).map(|w| html! {
                            <tr class="waste-row">
                                <td class="mono">{ w.path.clone() }</td>
                                <td class="num">{ human_size(w.size) }</td>
                                <td class="num">{ w.layer }</td>
                                <td>{ format!("layer {} ({})", w.by, if w.deleted { "deleted" } else { "overwritten" }) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
