//! The file explorer: the merged filesystem as a tree, or what one layer changed, with a
//! search box, sorting, directory sizes and flags on names that look like secrets.

use std::collections::HashSet;
use std::rc::Rc;

use layerwise_core::digest::Digest;
use layerwise_core::fs::{looks_secret, LayerChanges, MergedFs, Row, SortBy, Tree};
use layerwise_core::tar::EntryKind;
use layerwise_core::view::human_size;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{FileViewer, VirtualList};
use crate::browser::dropped::Dropped;

const ROW_HEIGHT: u32 = 22;
const LIST_HEIGHT: u32 = 480;

/// An image's filesystem, computed once per image page.
pub struct ImageFs {
    /// The final filesystem.
    pub merged: MergedFs,
    /// Its tree, for browsing.
    pub tree: Tree,
    /// What each layer changed, base first.
    pub changes: Vec<LayerChanges>,
    /// The stored blob of each layer, base first (an edit session's own layer has none).
    pub blobs: Vec<Digest>,
}

impl PartialEq for ImageFs {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Props of [`FileExplorer`].
#[derive(Properties, PartialEq)]
pub struct FileExplorerProps {
    /// The image's filesystem.
    pub fs: Rc<ImageFs>,
    /// A layer to show the changes of (`None`: the merged filesystem).
    pub layer: Option<usize>,
    /// Called with a path (absolute) when its name is clicked, besides opening it in the viewer
    /// (the edit session fills its path field).
    #[prop_or_default]
    pub on_pick: Option<Callback<String>>,
    /// Called with a directory (absolute) and what was dropped on it (a file row drops into
    /// its directory); rows take drops only when this is set (an edit session).
    #[prop_or_default]
    pub on_drop_into: Option<Callback<(String, Dropped)>>,
}

/// One line of a layer's changes.
#[derive(Clone, PartialEq)]
struct Change {
    mark: char,
    path: String,
}

/// The explorer.
#[function_component]
pub fn FileExplorer(props: &FileExplorerProps) -> Html {
    let expanded = use_state(HashSet::<String>::new);
    let sort = use_state(SortBy::default);
    let query = use_state(String::new);
    let selected = use_state(|| None::<String>);
    let drop_target = use_state(|| None::<String>);
    let fs = props.fs.clone();
    let select = {
        let (selected, pick) = (selected.clone(), props.on_pick.clone());
        Callback::from(move |path: String| {
            if let Some(pick) = &pick {
                pick.emit(format!("/{path}"));
            }
            selected.set(Some(path));
        })
    };
    let rows: Rc<Vec<Row>> = {
        let (fs, expanded, sort, query) = (fs.clone(), (*expanded).clone(), *sort, (*query).clone());
        use_memo((props.fs.clone(), expanded.clone(), sort, query.clone()), move |_| {
            if query.is_empty() { fs.tree.visible(&expanded, sort) } else { fs.tree.search(&query) }
        })
    };
    let changes: Rc<Vec<Change>> = {
        let fs = fs.clone();
        use_memo((props.fs.clone(), props.layer, (*query).clone()), move |(_, layer, query)| {
            let Some(c) = layer.and_then(|i| fs.changes.get(i)) else { return Vec::new() };
            let mut out: Vec<Change> = [('+', &c.added), ('~', &c.modified), ('-', &c.deleted)]
                .into_iter()
                .flat_map(|(mark, paths)| paths.iter().map(move |p| Change { mark, path: p.clone() }))
                .filter(|c| query.is_empty() || c.path.to_lowercase().contains(&query.to_lowercase()))
                .collect();
            out.sort_by(|a, b| a.path.cmp(&b.path));
            out
        })
    };
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                query.set(input.value());
            }
        })
    };
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |_: Event| sort.set(if *sort == SortBy::Name { SortBy::Size } else { SortBy::Name }))
    };
    let header = html! {
        <div class="toolbar">
            <h3>{ match props.layer { Some(i) => format!("Files changed by layer {i}"), None => "Files (all layers merged)".to_owned() } }</h3>
            <input id="file-search" type="search" placeholder="search paths" oninput={on_query} value={(*query).clone()} />
            if props.layer.is_none() {
                <label><input id="sort-by-size" type="checkbox" checked={*sort == SortBy::Size} onchange={on_sort} />{ " largest first" }</label>
            }
            <span class="hint">{ format!("{} entries, {}", fs.merged.len(), human_size(fs.tree.size(""))) }</span>
        </div>
    };
    let render = match props.layer {
        Some(_) => {
            let (changes, fs, select) = (changes.clone(), fs.clone(), select.clone());
            Callback::from(move |i: usize| {
                let c = &changes[i];
                let size = fs.merged.get(&c.path).map(|n| n.entry.size).unwrap_or(0);
                let on_name = (c.mark != '-').then(|| {
                    let (select, path) = (select.clone(), c.path.clone());
                    Callback::from(move |_: MouseEvent| select.emit(path.clone()))
                });
                html! {
                    <div class={classes!("file", format!("change-{}", match c.mark { '+' => "added", '~' => "modified", _ => "deleted" }))} data-path={c.path.clone()}>
                        <span class="mark">{ c.mark }</span>
                        <span class={classes!("name", "mono", on_name.is_some().then_some("pick"))} onclick={on_name}>{ c.path.clone() }</span>
                        { secret_flag(&c.path) }
                        <span class="size">{ if c.mark == '-' { String::new() } else { human_size(size) } }</span>
                    </div>
                }
            })
        }
        None => {
            let (rows, fs, expanded, select) = (rows.clone(), fs.clone(), expanded.clone(), select.clone());
            let drops = props.on_drop_into.clone().map(|into| DropTarget { into, current: drop_target.clone() });
            Callback::from(move |i: usize| tree_row(&rows[i], &fs.merged, &expanded, &select, drops.as_ref()))
        }
    };
    let count = if props.layer.is_some() { changes.len() } else { rows.len() };
    html! {
        <section class="files">
            { header }
            <VirtualList rows={count} row_height={ROW_HEIGHT} height={LIST_HEIGHT} render={render} />
            if let Some(path) = (*selected).clone() {
                <FileViewer fs={fs.clone()} path={path} />
            }
        </section>
    }
}

fn secret_flag(path: &str) -> Html {
    if looks_secret(path) {
        html! { <span class="secret" title="the name looks like a key, token or credential file">{ "⚠ secret?" }</span> }
    } else {
        html! {}
    }
}

/// Where the rows of an edit session's explorer send drops, and the directory a drag is over.
#[derive(Clone)]
struct DropTarget {
    into: Callback<(String, Dropped)>,
    current: UseStateHandle<Option<String>>,
}

impl DropTarget {
    /// The drag handlers of a row whose drops go into `dir` (relative, `""` for the root).
    fn handlers(&self, dir: &str) -> (Callback<DragEvent>, Callback<DragEvent>, Callback<DragEvent>) {
        let over = {
            let (current, dir) = (self.current.clone(), dir.to_owned());
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                if current.as_deref() != Some(dir.as_str()) {
                    current.set(Some(dir.clone()));
                }
            })
        };
        let leave = {
            let current = self.current.clone();
            Callback::from(move |_: DragEvent| current.set(None))
        };
        let drop = {
            let (current, into, dir) = (self.current.clone(), self.into.clone(), dir.to_owned());
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                current.set(None);
                let Some(dropped) = e.data_transfer().map(|d| Dropped::take(&d)).filter(|d| !d.is_empty()) else { return };
                into.emit((format!("/{dir}"), dropped));
            })
        };
        (over, leave, drop)
    }
}

fn tree_row(row: &Row, fs: &MergedFs, expanded: &UseStateHandle<HashSet<String>>, select: &Callback<String>, drops: Option<&DropTarget>) -> Html {
    let dir = if row.is_dir { row.path.as_str() } else { row.path.rsplit_once('/').map_or("", |(parent, _)| parent) };
    let (over, leave, drop) = drops.map(|d| d.handlers(dir)).map_or((None, None, None), |(o, l, d)| (Some(o), Some(l), Some(d)));
    let target = drops.is_some_and(|d| d.current.as_deref() == Some(dir)) && row.is_dir;
    let node = fs.get(&row.path);
    let link = node.and_then(|n| n.entry.link.clone()).filter(|_| node.is_some_and(|n| n.entry.kind == EntryKind::Symlink));
    let toggle = {
        let (expanded, path) = (expanded.clone(), row.path.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*expanded).clone();
            if !next.remove(&path) {
                next.insert(path.clone());
            }
            expanded.set(next);
        })
    };
    let open = expanded.contains(&row.path);
    let on_name = {
        let (select, path) = (select.clone(), row.path.clone());
        Callback::from(move |_: MouseEvent| select.emit(path.clone()))
    };
    html! {
        <div class={classes!("file", row.is_dir.then_some("dir"), target.then_some("drop-target"))} style={format!("padding-left: {}px", row.depth * 16)} data-path={row.path.clone()}
            ondragover={over} ondragleave={leave} ondrop={drop}>
            if row.is_dir {
                <button class="fold" onclick={toggle}>{ if open { "▾" } else { "▸" } }</button>
            } else {
                <span class="fold"></span>
            }
            <span class="name mono pick" onclick={on_name}>{ row.name.clone() }</span>
            if let Some(target) = link {
                <span class="link mono">{ format!(" → {target}") }</span>
            }
            { secret_flag(&row.path) }
            <span class="size">{ human_size(row.size) }</span>
        </div>
    }
}
