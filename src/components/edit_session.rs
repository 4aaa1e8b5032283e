//! An edit session on an image (docker's container): change its files and config, see the
//! result as `docker diff` and in the file explorer, and commit it as a new image.

use std::rc::Rc;

use layerwise_core::change::{file_name, image_path, ChangeError, ChangeSet, NewEntry};
use layerwise_core::commit::apply_instruction;
use layerwise_core::container::{diff, dockerfile, session_fs, ContainerRecord};
use layerwise_core::fs::{MergedFs, Tree};
use layerwise_core::store::ImageRecord;
use layerwise_core::tar::EntryKind;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{FileExplorer, ImageFs};
use crate::browser::dropped::Dropped;
use crate::browser::{files, now_ms, session};
use crate::protocol::Request;

/// Props of [`EditSession`].
#[derive(Properties, PartialEq)]
pub struct EditSessionProps {
    /// The image edited.
    pub image: ImageRecord,
    /// The name it was opened by.
    pub image_ref: String,
    /// Its command (entrypoint and cmd joined by spaces), as `docker ps` shows it.
    pub command: String,
    /// Its filesystem.
    pub base: Rc<ImageFs>,
    /// Sends a commit to the worker.
    pub on_commit: Callback<Request>,
}

/// The session as loaded: `None` while reading, then the session if there is one.
type Loaded = Option<Result<Option<ContainerRecord>, String>>;

/// Props of [`SessionEditor`].
#[derive(Properties, PartialEq)]
struct SessionEditorProps {
    record: ContainerRecord,
    base: Rc<ImageFs>,
    layers: usize,
    on_commit: Callback<Request>,
    /// The session after a change (`None`: discarded).
    on_update: Callback<Option<ContainerRecord>>,
}

/// A change made at the path the user typed; says what it did.
type PathOp = dyn Fn(&mut ChangeSet, &MergedFs, &str) -> Result<String, ChangeError>;

/// What the last action said.
type Feedback = Option<Result<String, String>>;

fn input(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn text(node: &NodeRef) -> String {
    node.cast::<HtmlTextAreaElement>().map(|i| i.value()).unwrap_or_default()
}

/// Applies `op` to a copy of the session's changes and stores the result.
fn change(state: &Callback<Option<ContainerRecord>>, feedback: &UseStateHandle<Feedback>, record: &ContainerRecord, base: &Rc<ImageFs>, op: impl FnOnce(&mut ChangeSet, &MergedFs) -> Result<String, ChangeError>) {
    let mut next = record.changes.clone();
    match op(&mut next, &base.merged) {
        Err(e) => feedback.set(Some(Err(e.to_string()))),
        Ok(done) => {
            let (state, feedback, record) = (state.clone(), feedback.clone(), record.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match session::save(&record, next).await {
                    Ok(saved) => {
                        state.emit(Some(saved));
                        feedback.set(Some(Ok(done)));
                    }
                    Err(e) => feedback.set(Some(Err(e))),
                }
            });
        }
    }
}

/// A picked file with its name below the upload directory: its path inside a chosen folder
/// (`webkitRelativePath`), else its name.
fn picked(file: web_sys::File) -> (String, web_sys::File) {
    let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    (relative.unwrap_or_else(|| file.name()), file)
}

/// Writes files (picked, or dropped with their folders) into the directory `dir`, each at its
/// relative name: every component of every name is checked before any byte is kept.
async fn upload(record: ContainerRecord, base: Rc<ImageFs>, dir: String, files: Vec<(String, web_sys::File)>) -> Result<(ContainerRecord, String), String> {
    let dir = if dir.trim().is_empty() { "/".to_owned() } else { dir };
    let target = |name: &str| -> Result<String, String> {
        let parts = name.split('/').map(file_name).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
        Ok(format!("{}/{}", dir.trim_end_matches('/'), parts.join("/")))
    };
    let mut trial = record.changes.clone();
    for (name, f) in &files {
        let size = f.size() as u64;
        trial.write(&base.merged, &target(name)?, NewEntry::File { content: String::new(), size }, 0o644).map_err(|e| e.to_string())?;
    }
    let mut next = record.changes.clone();
    for (name, f) in &files {
        let key = session::keep_file(&record, f).await?;
        let size = f.size() as u64;
        next.write(&base.merged, &target(name)?, NewEntry::File { content: key, size }, 0o644).map_err(|e| e.to_string())?;
    }
    let saved = session::save(&record, next).await?;
    Ok((saved, format!("added {} file(s) to {dir}", files.len())))
}

/// Writes `content` as the file at `path`.
async fn write_text(record: ContainerRecord, base: Rc<ImageFs>, path: String, content: String) -> Result<(ContainerRecord, String), String> {
    let size = content.len() as u64;
    let mut next = record.changes.clone();
    next.write(&base.merged, &path, NewEntry::File { content: String::new(), size }, 0o644).map_err(|e| e.to_string())?;
    let parts = js_sys::Array::of1(&content.into());
    let blob = web_sys::Blob::new_with_str_sequence(&parts).map_err(|e| crate::browser::js_error(&e))?;
    let key = session::keep_file(&record, &blob).await?;
    next.write(&base.merged, &path, NewEntry::File { content: key, size }, 0o644).map_err(|e| e.to_string())?;
    let saved = session::save(&record, next).await?;
    Ok((saved, format!("wrote {size} bytes to {path}")))
}

/// The most bytes of a file opened in the editor.
const EDIT_BYTES: u64 = 1 << 20;

/// The text of the file at `path` as the session sees it, for editing in place.
async fn read_text(record: &ContainerRecord, fs: &ImageFs, path: &str) -> Result<String, String> {
    let key = image_path(path).map_err(|e| e.to_string())?;
    let bytes = match record.changes.writes.get(&key).map(|w| &w.entry) {
        Some(NewEntry::File { content, .. }) => session::file_bytes(content, EDIT_BYTES).await?,
        Some(_) => return Err(format!("{path} is not a file")),
        None => {
            let node = fs.merged.get(&key).ok_or_else(|| format!("{path} does not exist"))?;
            if node.entry.kind != EntryKind::File {
                return Err(format!("{path} is not a file"));
            }
            let (bytes, whole) = files::preview(&fs.blobs, node.layer, &node.entry, EDIT_BYTES).await?;
            if !whole {
                return Err(format!("{path} is over {} bytes: replace it by an upload instead", EDIT_BYTES));
            }
            bytes
        }
    };
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text: replace it by an upload instead"))
}

/// The session's view of the files, and `docker diff`.
fn session_view(base: &ImageFs, layers: usize, changes: &ChangeSet) -> (Rc<ImageFs>, Vec<String>) {
    let (merged, changed) = session_fs(&base.merged, layers, changes);
    let lines = diff(&changed);
    let tree = Tree::new(&merged);
    let mut all = base.changes.clone();
    all.push(changed);
    (Rc::new(ImageFs { merged, tree, changes: all, blobs: base.blobs.clone() }), lines)
}

/// The edit session panel.
#[function_component]
pub fn EditSession(props: &EditSessionProps) -> Html {
    let state = use_state(|| None as Loaded);
    let feedback = use_state(|| None as Feedback);
    {
        let state = state.clone();
        use_effect_with(props.image.id.clone(), move |id| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move { state.set(Some(session::find(&id).await)) });
        });
    }
    let record = match &*state {
        None => return html! { <p class="loading">{ "Looking for an edit session…" }</p> },
        Some(Err(e)) => return html! { <p class="error">{ e.clone() }</p> },
        Some(Ok(None)) => {
            let on_start = {
                let (state, feedback, image, image_ref, command) = (state.clone(), feedback.clone(), props.image.clone(), props.image_ref.clone(), props.command.clone());
                Callback::from(move |_: MouseEvent| {
                    let (state, feedback, image, image_ref, command) = (state.clone(), feedback.clone(), image.clone(), image_ref.clone(), command.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match session::start(&image, &image_ref, &command).await {
                            Ok(r) => state.set(Some(Ok(Some(r)))),
                            Err(e) => feedback.set(Some(Err(e))),
                        }
                    });
                })
            };
            return html! {
                <section class="edit-session">
                    <p>{ "Change this image's files and config, then commit the result as a new image (docker create, cp, commit). Changes are kept in this browser until you commit or discard them." }</p>
                    <button id="start-session" onclick={on_start}>{ "Start editing" }</button>
                    { feedback_view(&feedback) }
                </section>
            };
        }
        Some(Ok(Some(r))) => r.clone(),
    };
    let on_update = {
        let state = state.clone();
        Callback::from(move |r: Option<ContainerRecord>| state.set(Some(Ok(r))))
    };
    html! { <SessionEditor record={record} base={props.base.clone()} layers={props.image.layers.len()} on_commit={props.on_commit.clone()} on_update={on_update} /> }
}

/// The changes of a session, the forms that make them, and the commit form.
#[function_component]
fn SessionEditor(props: &SessionEditorProps) -> Html {
    let state = props.on_update.clone();
    let feedback = use_state(|| None as Feedback);
    let refs: [NodeRef; 9] = Default::default();
    let [path, mode, link, content, upload_input, config, tag, author, message] = refs;
    let record = props.record.clone();
    let base = props.base.clone();
    let layers = props.layers;
    let view = use_memo((base.clone(), record.changes.clone()), move |(base, changes)| session_view(base, layers, changes));
    let (fs, lines) = (&view.0, &view.1);

    let op = |f: Rc<PathOp>| {
        let (state, feedback, record, base, path) = (state.clone(), feedback.clone(), record.clone(), base.clone(), path.clone());
        Callback::from(move |_: MouseEvent| {
            let p = input(&path);
            let f = f.clone();
            change(&state, &feedback, &record, &base, move |c, fs| f(c, fs, &p));
        })
    };
    let on_mkdir = op(Rc::new(|c, fs, p| c.write(fs, p, NewEntry::Directory, 0o755).map(|()| format!("created the folder {p}"))));
    let on_delete = op(Rc::new(|c, fs, p| c.delete(fs, p).map(|()| format!("deleted {p}"))));
    let on_chmod = {
        let mode = mode.clone();
        op(Rc::new(move |c, fs, p| {
            let m = input(&mode);
            let bits = u32::from_str_radix(m.trim(), 8).map_err(|_| ChangeError::BadName(format!("mode {m} (octal, like 755)")))?;
            c.chmod(fs, p, bits).map(|()| format!("mode of {p} is now {bits:o}"))
        }))
    };
    let on_symlink = {
        let link = link.clone();
        op(Rc::new(move |c, fs, p| {
            let target = input(&link);
            c.write(fs, p, NewEntry::Symlink(target.clone()), 0o777).map(|()| format!("{p} → {target}"))
        }))
    };
    let on_write = {
        let (state, feedback, record, base, path, content) = (state.clone(), feedback.clone(), record.clone(), base.clone(), path.clone(), content.clone());
        Callback::from(move |_: MouseEvent| {
            let (state, feedback, record, base) = (state.clone(), feedback.clone(), record.clone(), base.clone());
            let (p, body) = (input(&path), text(&content));
            wasm_bindgen_futures::spawn_local(async move { finish(&state, &feedback, write_text(record, base, p, body).await) });
        })
    };
    let on_load = {
        let (feedback, record, fs, path, content) = (feedback.clone(), record.clone(), view.0.clone(), path.clone(), content.clone());
        Callback::from(move |_: MouseEvent| {
            let (feedback, record, fs, content, p) = (feedback.clone(), record.clone(), fs.clone(), content.clone(), input(&path));
            wasm_bindgen_futures::spawn_local(async move {
                match read_text(&record, &fs, &p).await {
                    Ok(t) => {
                        if let Some(area) = content.cast::<HtmlTextAreaElement>() {
                            area.set_value(&t);
                        }
                        feedback.set(Some(Ok(format!("opened {p}: edit it, then Write file"))));
                    }
                    Err(e) => feedback.set(Some(Err(e))),
                }
            });
        })
    };
    let on_upload = {
        let (state, feedback, record, base, path) = (state.clone(), feedback.clone(), record.clone(), base.clone(), path.clone());
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let files: Vec<_> = el.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).map(picked).collect()).unwrap_or_default();
            el.set_value("");
            let (state, feedback, record, base, dir) = (state.clone(), feedback.clone(), record.clone(), base.clone(), input(&path));
            wasm_bindgen_futures::spawn_local(async move { finish(&state, &feedback, upload(record, base, dir, files).await) });
        })
    };
    let on_drop_into = {
        let (state, feedback, record, base) = (state.clone(), feedback.clone(), record.clone(), base.clone());
        Callback::from(move |(dir, dropped): (String, Dropped)| {
            let (state, feedback, record, base) = (state.clone(), feedback.clone(), record.clone(), base.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match dropped.files().await {
                    Ok(files) => upload(record, base, dir, files).await,
                    Err(e) => Err(e),
                };
                finish(&state, &feedback, result);
            });
        })
    };
    let on_config = {
        let (state, feedback, record, base, config) = (state.clone(), feedback.clone(), record.clone(), base.clone(), config.clone());
        Callback::from(move |_: MouseEvent| {
            let lines: Vec<String> = text(&config).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
            let mut scratch = serde_json::Map::new();
            if let Some(e) = lines.iter().find_map(|l| apply_instruction(&mut scratch, l).err()) {
                feedback.set(Some(Err(e.to_string())));
                return;
            }
            change(&state, &feedback, &record, &base, move |c, _| {
                c.config = lines;
                Ok(format!("{} config change(s) recorded", c.config.len()))
            });
        })
    };
    let on_commit = {
        let (feedback, record, commit) = (feedback.clone(), record.clone(), props.on_commit.clone());
        let (tag, author, message) = (tag.clone(), author.clone(), message.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let id = format!("commit-{}-{:08x}", now_ms() as u64, (js_sys::Math::random() * f64::from(u32::MAX)) as u32);
            commit.emit(Request::Commit { id, container: record.id.clone(), tag: input(&tag).trim().to_owned(), author: input(&author), message: input(&message) });
            feedback.set(Some(Ok("committing: see the progress above".to_owned())));
        })
    };
    let on_discard = {
        let (state, feedback, record) = (state.clone(), feedback.clone(), record.clone());
        Callback::from(move |_: MouseEvent| {
            let (state, feedback, record) = (state.clone(), feedback.clone(), record.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match session::remove(&record).await {
                    Ok(()) => state.emit(None),
                    Err(e) => feedback.set(Some(Err(e))),
                }
            });
        })
    };
    let on_pick = {
        let path = path.clone();
        Callback::from(move |p: String| {
            if let Some(i) = path.cast::<HtmlInputElement>() {
                i.set_value(&p);
            }
        })
    };
    html! {
        <section class="edit-session">
            <div class="toolbar">
                <h3>{ format!("Edit session {} ({}) on {}", record.name, record.short_id(), record.image_ref) }</h3>
                <button id="discard-session" class="danger" onclick={on_discard}>{ "Discard session" }</button>
            </div>
            <div class="edit-ops">
                <label>{ "Path " }<input ref={path} id="edit-path" placeholder="/etc/motd (click a name below to fill)" /></label>
                <button id="edit-mkdir" onclick={on_mkdir}>{ "New folder" }</button>
                <button id="edit-delete" class="danger" onclick={on_delete}>{ "Delete" }</button>
                <span class="group"><input ref={mode} id="edit-mode" size="5" placeholder="755" /><button id="edit-chmod" onclick={on_chmod}>{ "Change mode" }</button></span>
                <span class="group"><input ref={link} id="edit-link-target" placeholder="link target" /><button id="edit-symlink" onclick={on_symlink}>{ "Make symlink" }</button></span>
                <label class="upload">{ "Upload files into the path: " }<input ref={upload_input} id="edit-upload" type="file" multiple=true onchange={on_upload.clone()} /></label>
                <label class="upload">{ "or a folder: " }<input id="edit-upload-folder" type="file" webkitdirectory=true onchange={on_upload} /></label>
                <span class="hint">{ "or drag files and folders onto a folder in the explorer below" }</span>
                <div class="write">
                    <textarea ref={content} id="edit-text" rows="4" placeholder="text to write at the path" />
                    <button id="edit-load" onclick={on_load}>{ "Open file" }</button>
                    <button id="edit-write" onclick={on_write}>{ "Write file" }</button>
                </div>
            </div>
            <div class="edit-config">
                <textarea ref={config} id="edit-config" rows="3" placeholder={"config changes, one per line, as docker commit -c: ENV A=b, CMD [\"sh\"], EXPOSE 80, LABEL k=v, USER, WORKDIR…"}
                    defaultvalue={record.changes.config.join("\n")} />
                <button id="edit-config-apply" onclick={on_config}>{ "Apply config changes" }</button>
            </div>
            { feedback_view(&feedback) }
            <details class="docker-text" open=true>
                <summary><code>{ format!("$ docker diff {}", record.name) }</code></summary>
                <pre id="session-diff">{ if lines.is_empty() { "(no changes to files)".to_owned() } else { lines.join("\n") } }</pre>
            </details>
            <details class="docker-text">
                <summary>{ "Dockerfile that makes the same change (files COPY'd from a context holding them at their image paths)" }</summary>
                <pre id="session-dockerfile">{ dockerfile(&record.image_ref, &record.changes) }</pre>
            </details>
            <form class="commit-form" onsubmit={on_commit}>
                <input ref={tag} id="commit-tag" placeholder="repository:tag (optional)" />
                <input ref={author} id="commit-author" placeholder="author (-a)" />
                <input ref={message} id="commit-message" placeholder="message (-m)" />
                <button id="commit" type="submit">{ "Commit as a new image" }</button>
            </form>
            <FileExplorer fs={fs.clone()} layer={None::<usize>} on_pick={on_pick} on_drop_into={on_drop_into} />
        </section>
    }
}

/// Shows what an async action produced, and keeps the new session.
fn finish(state: &Callback<Option<ContainerRecord>>, feedback: &UseStateHandle<Feedback>, result: Result<(ContainerRecord, String), String>) {
    match result {
        Ok((saved, done)) => {
            state.emit(Some(saved));
            feedback.set(Some(Ok(done)));
        }
        Err(e) => feedback.set(Some(Err(e))),
    }
}

fn feedback_view(feedback: &Feedback) -> Html {
    match feedback {
        None => html! {},
        Some(Ok(s)) => html! { <p id="edit-feedback" class="ok">{ s.clone() }</p> },
        Some(Err(e)) => html! { <p id="edit-feedback" class="error">{ e.clone() }</p> },
    }
}
