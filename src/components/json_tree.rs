//! A JSON document as a collapsible tree. Values are rendered as text, never as HTML.

use std::collections::HashSet;

use serde_json::Value;
use yew::prelude::*;

/// Props of [`JsonTree`].
#[derive(Properties, PartialEq)]
pub struct JsonTreeProps {
    /// The document.
    pub value: Value,
}

/// The tree; every object and array can be folded.
#[function_component]
pub fn JsonTree(props: &JsonTreeProps) -> Html {
    let folded = use_state(HashSet::<String>::new);
    let on_toggle = {
        let folded = folded.clone();
        Callback::from(move |path: String| {
            let mut next = (*folded).clone();
            if !next.remove(&path) {
                next.insert(path);
            }
            folded.set(next);
        })
    };
    html! { <div class="json-tree mono">{ node(None, &props.value, "$", &folded, &on_toggle) }</div> }
}

fn node(key: Option<&str>, value: &Value, path: &str, folded: &HashSet<String>, on_toggle: &Callback<String>) -> Html {
    let label = key.map(|k| html! { <><span class="key">{ format!("{:?}", k) }</span>{ ": " }</> });
    let (open, close, children): (&str, &str, Vec<(Option<String>, &Value)>) = match value {
        Value::Object(map) => ("{", "}", map.iter().map(|(k, v)| (Some(k.clone()), v)).collect()),
        Value::Array(items) => ("[", "]", items.iter().map(|v| (None, v)).collect()),
        leaf => {
            let class = match leaf {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "literal",
            };
            return html! { <div class="leaf">{ label }<span class={class}>{ leaf.to_string() }</span></div> };
        }
    };
    if children.is_empty() {
        return html! { <div class="leaf">{ label }{ format!("{open}{close}") }</div> };
    }
    let is_folded = folded.contains(path);
    let toggle = {
        let on_toggle = on_toggle.clone();
        let path = path.to_owned();
        Callback::from(move |_: MouseEvent| on_toggle.emit(path.clone()))
    };
    html! {
        <div class="branch" data-path={path.to_owned()}>
            <button class="fold" onclick={toggle} aria-expanded={(!is_folded).to_string()}>{ if is_folded { "▸" } else { "▾" } }</button>
            { label }{ open }
            if is_folded {
                <span class="summary">{ format!(" {} items ", children.len()) }</span>{ close }
            } else {
                <div class="children">
                    { for children.iter().enumerate().map(|(i, (k, v))| {
                        let child = match k { Some(k) => format!("{path}.{k}"), None => format!("{path}[{i}]") };
                        node(k.as_deref(), v, &child, folded, on_toggle)
                    }) }
                </div>
                <span class="close">{ close }</span>
            }
        </div>
    }
}
