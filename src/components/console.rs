//! The console: docker's image commands typed on the page, printing what docker prints. The
//! reading of lines and the output come from the core (`cli`, `view`), shared with the GUI; this
//! component keeps the transcript and the input's history. Each command is evaluated in the
//! console worker (`browser::console_worker`), off the page: the ones that change the store
//! (`rmi`, `tag`, `pull`, `commit`, `save`, `load`) come back and run here, through the same
//! actions as the GUI.

use std::rc::Rc;

use layerwise_core::cli::changing::{commit_target, job_failure, removal_output, save_plan};
use layerwise_core::cli::commands::{read, Action, Read, COMMANDS};
use layerwise_core::cli::flags::Given;
use layerwise_core::cli::run::Output;
use layerwise_core::container::ContainerRecord;
use layerwise_core::store::{ImageRecord, Store};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser::console_worker::ConsoleWorker;
use crate::browser::store::IdbStore;
use crate::browser::{actions, download, session};
use crate::protocol::{Outcome, Request};
use crate::state::{ImportRow, ImportStatus};

/// One entry of the transcript.
#[derive(Clone, PartialEq)]
struct Entry {
    line: String,
    stdout: String,
    stderr: String,
    /// A job the worker runs for it (pull, commit, load), and which: its lines are shown as
    /// they come.
    job: Option<(String, Action)>,
}

/// What a line did.
#[derive(Default)]
struct Done {
    stdout: String,
    stderr: String,
    changed: bool,
    job: Option<(String, Action)>,
}

/// Hands a job to the import worker (with the file a load reads).
type OnJob = Callback<(Request, Option<web_sys::File>)>;

/// Props of [`Console`].
#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The stored images (for completion).
    pub images: Rc<Vec<ImageRecord>>,
    /// This session's jobs (imports, pulls, commits), whose lines pull, commit and load show.
    pub imports: Vec<ImportRow>,
    /// Hands a job to the worker (with the file a load reads).
    pub on_job: OnJob,
    /// Called after a command changed the store.
    pub on_changed: Callback<()>,
}

/// Runs one line: its commands in order, each evaluated in the console worker over the store
/// as the commands before it left it; the changing ones run here.
async fn run_line(line: &str, worker: &ConsoleWorker, on_job: &OnJob) -> Done {
    let mut done = Done::default();
    let mut index = 0;
    loop {
        let (outcome, last) = match worker.run(line, index).await {
            Ok(answer) => answer,
            Err(stopped) => {
                done.stderr.push_str(&format!("{stopped}\n"));
                return done;
            }
        };
        let output = match outcome {
            Outcome::Printed(output) => output,
            Outcome::Changing(words) => changing(&words, &mut done, on_job).await,
        };
        done.stdout.push_str(&output.stdout);
        done.stderr.push_str(&output.stderr);
        if last {
            return done;
        }
        index += 1;
    }
}

/// Runs a command that changes the store or needs the page, from its expanded words.
async fn changing(words: &[String], done: &mut Done, on_job: &OnJob) -> Output {
    let inv = match read(words) {
        Read::Run(inv) => inv,
        Read::Print { stdout, stderr, status } => return Output { stdout, stderr, status },
    };
    let records = async {
        let store = IdbStore::open().await.map_err(|e| e.to_string())?;
        let images = store.images().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((images, session::all().await?))
    };
    let (images, containers) = match records.await {
        Ok(r) => r,
        Err(e) => return failed(format!("{e}\n")),
    };
    let (output, changed, job) = run_changing(inv.spec.action, &inv.given, &images, &containers, on_job).await;
    done.changed |= changed;
    done.job = job.map(|id| (id, inv.spec.action)).or(done.job.take());
    output
}

fn job_id(kind: &str) -> String {
    format!("{kind}-{}-{:08x}", js_sys::Date::now() as u64, (js_sys::Math::random() * f64::from(u32::MAX)) as u32)
}

fn failed(stderr: String) -> Output {
    Output { stderr, status: 1, ..Output::default() }
}

/// `docker commit`: the session's `-c` changes are recorded first, then the worker commits.
async fn commit(given: &Given, containers: &[ContainerRecord], on_job: &OnJob) -> Result<String, Output> {
    let session = commit_target(given, containers)?;
    let changes: Vec<String> = given.values("change").into_iter().map(str::to_owned).collect();
    if !changes.is_empty() {
        let mut next = session.changes.clone();
        next.config.extend(changes);
        session::save(session, next).await.map_err(|e| failed(format!("Error response from daemon: {e}\n")))?;
    }
    let id = job_id("commit");
    let tag = given.args.get(1).cloned().unwrap_or_default();
    let request = Request::Commit { id: id.clone(), container: session.id.clone(), tag, author: given.value("author").unwrap_or("").to_owned(), message: given.value("message").unwrap_or("").to_owned() };
    on_job.emit((request, None));
    Ok(id)
}

/// `docker load`: asks for the archive (the Enter that ran the line lets the page open the
/// file picker), then imports it like a drop.
fn load_archive(on_job: &OnJob) -> Result<String, Output> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| failed("no document\n".to_owned()))?;
    let picker: HtmlInputElement = document.create_element("input").map_err(|_| failed("no file picker\n".to_owned()))?.unchecked_into();
    picker.set_type("file");
    let id = job_id("load");
    let (job, on_job) = (id.clone(), on_job.clone());
    let on_change = wasm_bindgen::closure::Closure::once_into_js(move |e: web_sys::Event| {
        let file = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).and_then(|i| i.files()).and_then(|f| f.get(0));
        if let Some(file) = file {
            on_job.emit((Request::Import { id: job, name: file.name(), platform: String::new() }, Some(file)));
        }
    });
    picker.set_onchange(Some(on_change.unchecked_ref()));
    picker.click();
    Ok(id)
}

/// The commands that change the store or need the page; the bool says the store changed, the
/// string names the import worker's job that prints the rest.
async fn run_changing(action: Action, given: &Given, images: &[ImageRecord], containers: &[ContainerRecord], on_job: &OnJob) -> (Output, bool, Option<String>) {
    let out = Output::default();
    let job = |r: Result<String, Output>| match r {
        Ok(id) => (Output::default(), false, Some(id)),
        Err(o) => (o, false, None),
    };
    match action {
        Action::Pull => {
            let id = job_id("pull");
            let reference = given.args.first().cloned().unwrap_or_default();
            on_job.emit((Request::Pull { id: id.clone(), reference, platform: given.value("platform").unwrap_or("").to_owned(), direct: false, login: None }, None));
            (out, false, Some(id))
        }
        Action::Commit => job(commit(given, containers, on_job).await),
        Action::Load => job(load_archive(on_job)),
        Action::Save => match save_plan(given, images) {
            Ok((chosen, file)) => match download::save(&chosen, &file).await {
                Ok(()) => (out, false, None),
                Err(e) => (failed(format!("{e}\n")), false, None),
            },
            Err(refused) => (refused, false, None),
        },
        Action::Remove => {
            let mut outcomes = Vec::new();
            for name in &given.args {
                outcomes.push(actions::remove(name, given.bool("force")).await);
            }
            let changed = outcomes.iter().any(Result::is_ok);
            (removal_output(&outcomes, given.bool("force")), changed, None)
        }
        Action::Tag => match (given.args.first(), given.args.get(1)) {
            (Some(source), Some(target)) => match actions::tag(source, target).await {
                Ok(()) => (out, true, None),
                Err(e) => (failed(format!("{e}\n")), false, None),
            },
            _ => (out, false, None),
        },
        // Evaluated in the console worker; they never come here.
        Action::Search | Action::Images | Action::History | Action::Inspect | Action::ImageInspect | Action::Ps => (out, false, None),
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

/// An entry's output with its job's lines so far, and whether the job still runs.
fn with_job(e: &Entry, imports: &[ImportRow]) -> (String, String, bool) {
    let Some((row, action)) = e.job.as_ref().and_then(|(id, action)| Some((imports.iter().find(|i| i.id == *id)?, *action))) else {
        return (e.stdout.clone(), e.stderr.clone(), e.job.is_some());
    };
    let lines = |l: &[String]| l.iter().map(|l| format!("{l}\n")).collect::<String>();
    match &row.status {
        ImportStatus::Queued | ImportStatus::Running { .. } => (e.stdout.clone(), e.stderr.clone(), true),
        ImportStatus::Pulling(l) => (format!("{}{}", e.stdout, lines(l)), e.stderr.clone(), true),
        ImportStatus::Done(l) => (format!("{}{}", e.stdout, lines(l)), e.stderr.clone(), false),
        ImportStatus::Failed(error) => (e.stdout.clone(), format!("{}{}", e.stderr, job_failure(action, &row.name, error).stderr), false),
    }
}

/// The console.
#[function_component]
pub fn Console(props: &ConsoleProps) -> Html {
    let entries = use_state(Vec::<Entry>::new);
    let history = use_mut_ref(Vec::<String>::new);
    let position = use_mut_ref(|| 0usize);
    let busy = use_state(|| false);
    let input = use_node_ref();
    let worker = ConsoleWorker::shared();

    let on_key = {
        let (entries, history, position, busy, input, images, changed, on_job, worker) =
            (entries.clone(), history.clone(), position.clone(), busy.clone(), input.clone(), props.images.clone(), props.on_changed.clone(), props.on_job.clone(), worker.clone());
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
                    let (entries, busy, changed, on_job, worker) = (entries.clone(), busy.clone(), changed.clone(), on_job.clone(), worker.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let done = run_line(&line, &worker, &on_job).await;
                        let mut next = (*entries).clone();
                        next.push(Entry { line, stdout: done.stdout, stderr: done.stderr, job: done.job });
                        entries.set(next);
                        busy.set(false);
                        if done.changed {
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
            <p class="hint">{ "docker's image commands on this page's store: search, pull, images, history, inspect, rmi, tag, ps -a, commit, save, load (and --help); quoting, ; and $(...) work, ↑/↓ recall, Tab completes, clear clears." }</p>
            <div id="console-output" class="terminal mono">
                { for entries.iter().map(|e| {
                    let (stdout, stderr, running) = with_job(e, &props.imports);
                    html! {
                        <div class="entry" data-running={running.to_string()}>
                            <div class="prompt">{ format!("$ {}", e.line) }</div>
                            if !stdout.is_empty() { <pre class="stdout">{ stdout }</pre> }
                            if !stderr.is_empty() { <pre class="stderr">{ stderr }</pre> }
                        </div>
                    }
                }) }
                <div class="prompt-line">
                    <span>{ "$ " }</span>
                    <input ref={input} id="console-input" class="mono" autocomplete="off" spellcheck="false" placeholder="docker images" onkeydown={on_key} disabled={*busy} />
                </div>
            </div>
        </section>
    }
}
