//! A scrolling list that renders only the rows in view, so a layer of 100,000 files stays
//! responsive.

use web_sys::Element;
use yew::prelude::*;

/// Rows drawn above and below the visible window.
const OVERSCAN: usize = 10;

/// Props of [`VirtualList`].
#[derive(Properties, PartialEq)]
pub struct VirtualListProps {
    /// How many rows there are.
    pub rows: usize,
    /// Each row's height, in pixels.
    pub row_height: u32,
    /// The list's height, in pixels.
    pub height: u32,
    /// Renders row `i`.
    pub render: Callback<usize, Html>,
}

/// The list.
#[function_component]
pub fn VirtualList(props: &VirtualListProps) -> Html {
    let scroll = use_state(|| 0u32);
    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<Element>() {
                scroll.set(u32::try_from(el.scroll_top()).unwrap_or(0));
            }
        })
    };
    let h = props.row_height.max(1);
    let first = (*scroll / h) as usize;
    let start = first.saturating_sub(OVERSCAN);
    let end = (first + (props.height / h) as usize + OVERSCAN).min(props.rows);
    let total = props.rows as u64 * u64::from(h);
    html! {
        <div class="virtual-list" style={format!("height: {}px", props.height)} onscroll={on_scroll} data-rows={props.rows.to_string()}>
            <div style={format!("height: {total}px; position: relative")}>
                { for (start..end).map(|i| html! {
                    <div class="row" style={format!("position: absolute; top: {}px; height: {h}px; left: 0; right: 0", i as u64 * u64::from(h))}>
                        { props.render.emit(i) }
                    </div>
                }) }
            </div>
        </div>
    }
}
