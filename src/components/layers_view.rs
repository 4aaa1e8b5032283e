//! An image's layers, as dive lists them: the step, the sizes as bars, and what each changed.

use layerwise_core::view::{ellipsis, history_created_since, human_size, LayerRow};
use yew::prelude::*;

/// Props of [`LayersView`].
#[derive(Properties, PartialEq)]
pub struct LayersViewProps {
    /// The layers, base first.
    pub rows: Vec<LayerRow>,
    /// The layer whose files are shown (`None`: the merged filesystem).
    pub selected: Option<usize>,
    /// Selects a layer, or the merged filesystem.
    pub on_select: Callback<Option<usize>>,
    /// Unix seconds, for "3 months ago".
    pub now: i64,
}

/// The table of layers; a row selects that layer in the file explorer.
#[function_component]
pub fn LayersView(props: &LayersViewProps) -> Html {
    let largest = props.rows.iter().map(|r| r.size.max(r.blob_size)).max().unwrap_or(0).max(1);
    let bar = |n: u64, class: &str| html! { <div class={classes!("bar", class.to_owned())}><div style={format!("width: {:.1}%", n as f64 * 100.0 / largest as f64)}></div></div> };
    let rows = props.rows.iter().map(|r| {
        let index = r.index;
        let selected = props.selected == Some(index);
        let on_click = props.on_select.reform(move |_: MouseEvent| if selected { None } else { Some(index) });
        html! {
            <tr class={classes!("layer-row", selected.then_some("selected"))} onclick={on_click} data-index={index.to_string()} title={r.diff_id.clone()}>
                <td class="num">{ index }</td>
                <td class="mono created-by" title={r.created_by.clone()}>{ ellipsis(&r.created_by, 70) }</td>
                <td>{ history_created_since(r.created, props.now) }</td>
                <td class="num">{ human_size(r.blob_size) }{ bar(r.blob_size, "blob") }</td>
                <td class="num">{ human_size(r.size) }{ bar(r.size, "tar") }</td>
                <td class="changes"><span class="added">{ format!("+{}", r.added) }</span>{ " " }<span class="modified">{ format!("~{}", r.modified) }</span>{ " " }<span class="deleted">{ format!("-{}", r.deleted) }</span></td>
            </tr>
        }
    });
    html! {
        <section class="layers">
            <h3>{ "Layers" }</h3>
            <p class="hint">{ "Click a layer to see what it changed; click it again for the merged filesystem." }</p>
            <table class="layers-table">
                <thead><tr><th class="num">{ "#" }</th><th>{ "CREATED BY" }</th><th>{ "CREATED" }</th><th class="num">{ "BLOB (AS STORED)" }</th><th class="num">{ "SIZE" }</th><th>{ "CHANGES" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </section>
    }
}
