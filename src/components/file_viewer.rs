//! One path of an image: what it is (kind, size, mode, owner, layer, link target), a file's
//! first bytes as text or hex, and downloads of the file or of a folder as a tar.

use std::rc::Rc;

use layerwise_core::tar::{Entry, EntryKind};
use layerwise_core::view::{human_size, preview, Preview};
use yew::prelude::*;

use super::ImageFs;
use crate::browser::files;

/// The most bytes read for a preview.
const PREVIEW_BYTES: u64 = 256 * 1024;
/// The most hex lines shown (64 KiB).
const HEX_LINES: usize = 4096;

/// Props of [`FileViewer`].
#[derive(Properties, PartialEq)]
pub struct FileViewerProps {
    /// The image's filesystem.
    pub fs: Rc<ImageFs>,
    /// The path shown (root-relative).
    pub path: String,
}

/// The file a path's bytes come from: itself, or a hard link's target.
fn data_of<'a>(fs: &'a ImageFs, entry: &'a Entry, layer: usize) -> Option<(&'a Entry, usize)> {
    match entry.kind {
        EntryKind::File => Some((entry, layer)),
        EntryKind::Hardlink => {
            let target = layerwise_core::fs::in_root(entry.link.as_deref()?);
            fs.merged.get(&target).filter(|n| n.entry.kind == EntryKind::File).map(|n| (&n.entry, n.layer))
        }
        _ => None,
    }
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Directory => "directory",
        EntryKind::Symlink => "symbolic link",
        EntryKind::Hardlink => "hard link",
        EntryKind::CharDevice => "character device",
        EntryKind::BlockDevice => "block device",
        EntryKind::Fifo => "fifo",
    }
}

/// The viewer.
#[function_component]
pub fn FileViewer(props: &FileViewerProps) -> Html {
    let shown = use_state(|| None::<Result<(Vec<u8>, bool), String>>);
    let status = use_state(String::new);
    let fs = props.fs.clone();
    let node = fs.merged.get(&props.path).cloned();
    let source = node.as_ref().and_then(|n| data_of(&fs, &n.entry, n.layer).map(|(e, l)| (e.clone(), l)));
    let stored = source.as_ref().is_some_and(|(_, layer)| *layer < fs.blobs.len());
    {
        let (shown, status, blobs, source) = (shown.clone(), status.clone(), fs.blobs.clone(), source.clone());
        use_effect_with(props.path.clone(), move |_| {
            shown.set(None);
            status.set(String::new());
            if let Some((entry, layer)) = source.filter(|(_, l)| *l < blobs.len()) {
                wasm_bindgen_futures::spawn_local(async move { shown.set(Some(files::preview(&blobs, layer, &entry, PREVIEW_BYTES).await)) });
            }
        });
    }
    let Some(node) = node else {
        return html! { <section class="viewer"><p class="hint">{ format!("/{} is not in this image", props.path) }</p></section> };
    };
    let e = &node.entry;
    let name = props.path.rsplit('/').next().unwrap_or(&props.path).to_owned();
    let on_save = {
        let (fs, path, status, source, name) = (fs.clone(), props.path.clone(), status.clone(), source.clone(), name.clone());
        let is_dir = e.kind == EntryKind::Directory;
        Callback::from(move |_: MouseEvent| {
            let (fs, path, status, source, name) = (fs.clone(), path.clone(), status.clone(), source.clone(), name.clone());
            status.set("preparing the download…".to_owned());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match (&source, is_dir) {
                    (_, true) => files::save_folder(&fs.merged, &path, &fs.blobs, &format!("{name}.tar")).await,
                    (Some((entry, layer)), false) => files::save_file(&fs.blobs, *layer, entry, &name).await,
                    (None, false) => Err("nothing to download".to_owned()),
                };
                status.set(match result {
                    Ok(()) => "saved".to_owned(),
                    Err(e) => e,
                });
            });
        })
    };
    let can_save = (e.kind == EntryKind::Directory && fs.changes.len() == fs.blobs.len()) || stored;
    let body = match (&*shown, e.kind) {
        (_, EntryKind::Symlink) => html! { <p class="mono">{ format!("→ {}", e.link.clone().unwrap_or_default()) }</p> },
        (_, EntryKind::Directory) => html! { <p class="hint">{ format!("{} entries, {}", fs.merged.children(&props.path).count(), human_size(fs.tree.size(&props.path))) }</p> },
        _ if source.is_some() && !stored => html! { <p class="hint">{ "added in this edit session: it is stored with the session until the commit" }</p> },
        (None, _) if source.is_some() => html! { <p class="loading">{ "Reading the layer…" }</p> },
        (Some(Err(err)), _) => html! { <p class="error">{ err.clone() }</p> },
        (Some(Ok((bytes, whole))), _) => {
            let cut = (!whole).then(|| html! { <p class="hint">{ format!("the first {} of {}", human_size(bytes.len() as u64), human_size(e.size)) }</p> });
            match preview(bytes, HEX_LINES) {
                Preview::Text(t) => html! { <>{ for cut }<pre id="file-content" class="text">{ t }</pre></> },
                Preview::Hex(lines) => html! { <>{ for cut }<pre id="file-content" class="hex">{ lines.join("\n") }</pre></> },
            }
        }
        _ => html! {},
    };
    html! {
        <section class="viewer" data-path={props.path.clone()}>
            <div class="toolbar">
                <h3 class="mono">{ format!("/{}", props.path) }</h3>
                <span class="hint">{ format!("{} · {} · mode {:o} · owner {}:{} · layer {}", kind_name(e.kind), human_size(e.size), e.mode & 0o7777, e.uid, e.gid, node.layer) }</span>
                if can_save {
                    <button id="save-path" onclick={on_save}>{ if e.kind == EntryKind::Directory { "Download folder (.tar)" } else { "Download file" } }</button>
                }
                <span class="hint">{ (*status).clone() }</span>
            </div>
            { body }
        </section>
    }
}
