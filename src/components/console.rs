//! The console: docker's image commands typed on the page, printing what docker prints. The
//! reading of lines and the output come from the core (`cli`, `view`), shared with the GUI; this
//! component keeps the transcript and the input's history, and carries out what changes the
//! store (`rmi`, `tag`) through the same actions as the GUI.

use std::collections::HashMap;
use std::rc::Rc;

use layerwise_core::cli::commands::{read, Action, Read, COMMANDS};
use layerwise_core::cli::run::{run_read_only, Output, Snapshot};
use layerwise_core::cli::shell::{self, Command};
use layerwise_core::container::ContainerRecord;
use layerwise_core::digest::Digest;
use layerwise_core::spec::{self, ImageConfig};
use layerwise_core::store::{ImageRecord, Store};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser::store::IdbStore;
use crate::browser::{actions, session};

/// One entry of the transcript.
#[derive(Clone, PartialEq)]
struct Entry {
    line: String,
    stdout: String,
    stderr: String,
}

/// Props of [`Console`].
#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The stored images (for completion).
    pub images: Rc<Vec<ImageRecord>>,
    /// Called after a command changed the store.
    pub on_changed: Callback<()>,
}

/// The store as a line sees it.
struct Loaded {
    images: Vec<ImageRecord>,
    configs: HashMap<Digest, ImageConfig>,
    containers: Vec<ContainerRecord>,
}

async fn load() -> Result<Loaded, String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let images = store.images().await.map_err(|e| e.to_string())?;
    let mut configs = HashMap::new();
    for image in &images {
        if let Ok(raw) = store.read_blob(&image.id, spec::MAX_JSON_BYTES).await {
            if let Ok(config) = spec::parse::<ImageConfig>("config", &raw) {
                configs.insert(image.id.clone(), config);
            }
        }
    }
    let containers = session::all().await?;
    Ok(Loaded { images, configs, containers })
}

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// Runs `commands` over `loaded` without changing anything (for `$(...)`): their stdout.
fn substitute(commands: &[Command], loaded: &Loaded) -> String {
    let config = |id: &Digest| loaded.configs.get(id).cloned();
    let snapshot = Snapshot { images: &loaded.images, config: &config, containers: &loaded.containers, now: now_s() };
    let mut out = String::new();
    for command in commands {
        let words = shell::expand(command, &mut |inner| substitute(inner, loaded));
        if let Read::Run(inv) = read(&words) {
            if let Some(o) = run_read_only(&inv, &snapshot) {
                out.push_str(&o.stdout);
            }
        }
    }
    out
}

/// Runs one line; returns what it printed and whether the store changed.
async fn run_line(line: &str) -> (String, String, bool) {
    let commands = match shell::parse(line) {
        Ok(c) => c,
        Err(e) => return (String::new(), format!("{e}\n"), false),
    };
    let (mut stdout, mut stderr, mut changed) = (String::new(), String::new(), false);
    for command in &commands {
        let loaded = match load().await {
            Ok(l) => l,
            Err(e) => return (stdout, format!("{stderr}{e}\n"), changed),
        };
        let words = shell::expand(command, &mut |inner| substitute(inner, &loaded));
        if words == ["clear"] {
            continue;
        }
        let output = match read(&words) {
            Read::Print { stdout, stderr, status } => Output { stdout, stderr, status },
            Read::Run(inv) => {
                let config = |id: &Digest| loaded.configs.get(id).cloned();
                let snapshot = Snapshot { images: &loaded.images, config: &config, containers: &loaded.containers, now: now_s() };
                match run_read_only(&inv, &snapshot) {
                    Some(o) => o,
                    None => {
                        let (o, did) = run_changing(inv.spec.action, &inv.given).await;
                        changed |= did;
                        o
                    }
                }
            }
        };
        stdout.push_str(&output.stdout);
        stderr.push_str(&output.stderr);
    }
    (stdout, stderr, changed)
}

/// The commands that change the store or need more than a snapshot.
async fn run_changing(action: Action, given: &layerwise_core::cli::flags::Given) -> (Output, bool) {
    let mut out = Output::default();
    match action {
        Action::Remove => {
            let mut changed = false;
            for name in &given.args {
                match actions::remove(name, given.bool("force")).await {
                    Ok(lines) => {
                        changed = true;
                        out.stdout.extend(lines.iter().map(|l| format!("{l}\n")));
                    }
                    Err(e) => {
                        out.stderr.push_str(&format!("{e}\n"));
                        out.status = 1;
                    }
                }
            }
            (out, changed)
        }
        Action::Tag => match (given.args.first(), given.args.get(1)) {
            (Some(source), Some(target)) => match actions::tag(source, target).await {
                Ok(()) => (out, true),
                Err(e) => (Output { stderr: format!("{e}\n"), status: 1, ..out }, false),
            },
            _ => (out, false),
        },
        _ => (Output { stderr: "this command is not in the console yet: use the Registry page to search and pull, an image's page to commit and save, and the drop zone to load\n".to_owned(), status: 1, ..out }, false),
    }
}

/// Completes the last word of `line`: a command, a flag of the command typed, or an image name.
fn complete(line: &str, images: &[ImageRecord]) -> Option<String> {
    let (head, last) = line.rsplit_once(' ').map_or(("", line), |(h, l)| (h, l));
    let words: Vec<&str> = head.split_whitespace().collect();
    let mut candidates: Vec<String> = Vec::new();
    if words.is_empty() {
        candidates.push("docker".to_owned());
    } else if words.len() == 1 {
        candidates.extend(COMMANDS.iter().filter_map(|c| c.path.first()).map(|p| (*p).to_owned()));
    } else if last.starts_with('-') {
        if let Some(spec) = COMMANDS.iter().find(|c| c.path.iter().zip(&words[1..]).all(|(p, w)| p == w) && words.len() > c.path.len()) {
            candidates.extend(spec.flags.iter().map(|f| format!("--{}", f.long)));
        }
    } else {
        if words.len() == 2 {
            candidates.extend(COMMANDS.iter().filter(|c| c.path.len() == 2 && c.path[0] == words[1]).map(|c| c.path[1].to_owned()));
        }
        candidates.extend(images.iter().flat_map(|i| i.repo_tags.iter().cloned().chain(std::iter::once(i.id.short().to_owned()))));
    }
    candidates.sort();
    candidates.dedup();
    let matching: Vec<&String> = candidates.iter().filter(|c| c.starts_with(last)).collect();
    let common = matching.first().map(|first| {
        let mut len = first.len();
        for m in &matching[1..] {
            len = first.chars().zip(m.chars()).take_while(|(a, b)| a == b).count().min(len);
        }
        first.chars().take(len).collect::<String>()
    })?;
    let complete = if matching.len() == 1 { format!("{common} ") } else { common };
    let joined = if head.is_empty() { complete } else { format!("{head} {complete}") };
    (joined.len() > line.len()).then_some(joined)
}

/// The console.
#[function_component]
pub fn Console(props: &ConsoleProps) -> Html {
    let entries = use_state(Vec::<Entry>::new);
    let history = use_mut_ref(Vec::<String>::new);
    let position = use_mut_ref(|| 0usize);
    let busy = use_state(|| false);
    let input = use_node_ref();

    let on_key = {
        let (entries, history, position, busy, input, images, changed) = (entries.clone(), history.clone(), position.clone(), busy.clone(), input.clone(), props.images.clone(), props.on_changed.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else { return };
            match e.key().as_str() {
                "Enter" if !*busy => {
                    let line = field.value();
                    field.set_value("");
                    if line.trim().is_empty() {
                        return;
                    }
                    history.borrow_mut().push(line.clone());
                    *position.borrow_mut() = history.borrow().len();
                    if line.trim() == "clear" {
                        entries.set(Vec::new());
                        return;
                    }
                    busy.set(true);
                    let (entries, busy, changed) = (entries.clone(), busy.clone(), changed.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let (stdout, stderr, did_change) = run_line(&line).await;
                        let mut next = (*entries).clone();
                        next.push(Entry { line, stdout, stderr });
                        entries.set(next);
                        busy.set(false);
                        if did_change {
                            changed.emit(());
                        }
                    });
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let h = history.borrow();
                    let mut p = position.borrow_mut();
                    *p = if e.key() == "ArrowUp" { p.saturating_sub(1) } else { (*p + 1).min(h.len()) };
                    field.set_value(h.get(*p).map_or("", String::as_str));
                }
                "Tab" => {
                    e.prevent_default();
                    if let Some(done) = complete(&field.value(), &images) {
                        field.set_value(&done);
                    }
                }
                _ => {}
            }
        })
    };
    html! {
        <section class="console">
            <h2>{ "Console" }</h2>
            <p class="hint">{ "docker's image commands on this page's store: images, history, inspect, rmi, tag, ps; quoting, ; and $(...) work, ↑/↓ recall, Tab completes, clear clears." }</p>
            <div id="console-output" class="terminal mono">
                { for entries.iter().map(|e| html! {
                    <div class="entry">
                        <div class="prompt">{ format!("$ {}", e.line) }</div>
                        if !e.stdout.is_empty() { <pre class="stdout">{ e.stdout.clone() }</pre> }
                        if !e.stderr.is_empty() { <pre class="stderr">{ e.stderr.clone() }</pre> }
                    </div>
                }) }
                <div class="prompt-line">
                    <span>{ "$ " }</span>
                    <input ref={input} id="console-input" class="mono" autocomplete="off" spellcheck="false" placeholder="docker images" onkeydown={on_key} disabled={*busy} />
                </div>
            </div>
        </section>
    }
}
