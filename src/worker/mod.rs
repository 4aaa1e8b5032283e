//! The import worker: untrusted archives are parsed here, off the page's thread, in a WASM
//! instance of its own (a panic kills this instance, not the page). Commits (which compress
//! and hash a new layer) and pulls (which decompress and hash what the network brings) run here
//! too. Jobs run one at a time.
//!
//! The same script serves as two other workers, chosen by the name it is started under: the
//! import worker's tar side (`tar_side`) and the console worker (`console`).

mod commit;
pub mod console;
mod offload;
mod pull;
mod tar_side;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Reflect;
use layerwise_core::archive::PlatformChoice;
use layerwise_core::archive::ArchiveSource;
use layerwise_core::import::{import_archive, ImportError, ImportRequest, ImportStats, Progress};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::StoreError;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::file_source::FileSource;
use crate::browser::store::IdbStore;
use crate::browser::{actions, locks, now_ms};
use crate::protocol::{Event, Request};
use offload::Offload;

/// Jobs waiting for their turn: an import comes with its file.
#[derive(Default)]
struct Queue {
    pending: VecDeque<(Request, Option<web_sys::File>)>,
    running: bool,
}

/// Starts the worker: cleans up what earlier sessions left, then serves requests.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match scope.name().as_str() {
        tar_side::NAME => return tar_side::serve(),
        console::NAME => return console::serve(),
        _ => {}
    }
    let queue = Rc::new(RefCell::new(Queue::default()));
    let q = queue.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        let data = m.data();
        let request = Reflect::get(&data, &"request".into()).ok().and_then(|r| r.as_string());
        let file = Reflect::get(&data, &"file".into()).ok().and_then(|f| f.dyn_into::<web_sys::File>().ok());
        match (request.as_deref().map(serde_json::from_str::<Request>), file) {
            (Some(Ok(request @ Request::Import { .. })), Some(file)) => {
                q.borrow_mut().pending.push_back((request, Some(file)));
                run_queue(q.clone());
            }
            (Some(Ok(Request::Cancel { id })), _) => pull::cancel(&id),
            (Some(Ok(request @ (Request::Commit { .. } | Request::Pull { .. }))), _) => {
                q.borrow_mut().pending.push_back((request, None));
                run_queue(q.clone());
            }
            _ => post(&Event::Failed { id: String::new(), error: "the worker got a malformed request".into(), memory: memory() }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    queue.borrow_mut().running = true;
    wasm_bindgen_futures::spawn_local(async move {
        let collected = match IdbStore::open().await {
            Ok(store) => actions::collect(&store).await,
            Err(_) => 0,
        };
        post(&Event::Ready { collected, memory: memory() });
        // The tar side loads, and the hot code is optimized, while the user picks a file.
        layerwise_core::layer::warm_up();
        offload().await;
        queue.borrow_mut().running = false;
        run_queue(queue);
    });
}

fn run_queue(queue: Rc<RefCell<Queue>>) {
    let next = {
        let mut q = queue.borrow_mut();
        if q.running {
            return;
        }
        let next = q.pending.pop_front();
        q.running = next.is_some();
        next
    };
    let Some((request, file)) = next else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let (id, result) = match request {
            Request::Import { id, name, platform } => match file {
                Some(file) => {
                    let result = import(&id, &name, &platform, file).await;
                    (id, result)
                }
                None => (id, Err("an import came without its file".to_owned())),
            },
            Request::Commit { id, container, tag, author, message } => {
                let result = commit::run(&id, &container, &tag, author, message).await.map(|lines| (lines, ImportStats::default()));
                (id, result)
            }
            Request::Pull { id, reference, platform, direct, login } => {
                let result = pull::run(&id, &reference, &platform, direct, login, &|e| post(&e), &memory).await;
                (id, result)
            }
            Request::Cancel { id } => (id, Err("a cancel is not a job".to_owned())),
        };
        let event = match result {
            Ok((lines, stats)) => Event::Done { id, lines, stats, memory: memory() },
            Err(error) => Event::Failed { id, error, memory: memory() },
        };
        post(&event);
        queue.borrow_mut().running = false;
        run_queue(queue);
    });
}

async fn import(id: &str, name: &str, platform: &str, file: web_sys::File) -> Result<(Vec<String>, ImportStats), String> {
    let platform = PlatformChoice::parse(platform).map_err(|e| format!("{name}: {e}"))?;
    let request = ImportRequest { id: id.to_owned(), name: name.to_owned(), platform };
    let lock = locks::hold(&locks::name_of(id)).await?;
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let source = FileSource::new(file.into());
    let mut stats = ImportStats::default();
    let mut progress = |p: Progress| {
        let event = match p {
            Progress::Planned { images, total } => Event::Planned { id: id.to_owned(), images, total, memory: memory() },
            Progress::Bytes { done, total } => Event::Progress { id: id.to_owned(), done, total, memory: memory() },
            Progress::Finished(s) => {
                stats = s;
                return;
            }
        };
        post(&event);
    };
    let size = source.len();
    let offload = offload().await;
    let before = offload.as_ref().map(|o| o.times());
    let result = match &offload {
        Some(offload) => import_archive(&source, &store, offload.as_ref(), &request, &now_ms, &mut progress).await,
        None => import_archive(&source, &store, &LocalPipeline, &request, &now_ms, &mut progress).await,
    };
    if let (Some(offload), Some(before)) = (&offload, before) {
        offload.times().since(before, &mut stats);
    }
    drop(lock);
    actions::collect(&store).await;
    match result {
        Ok(imported) => Ok((imported.iter().flat_map(|i| i.load_lines()).collect(), stats)),
        Err(ImportError::Store(StoreError::Full(_))) => Err(format!("{name}: {}", storage_full(size).await)),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

thread_local! {
    /// The tar side's worker, started at the worker's start (again if it dies); `None` inside if
    /// this browser cannot start a worker from a worker (imports then run both sides here).
    static OFFLOAD: RefCell<Option<Option<Rc<Offload>>>> = const { RefCell::new(None) };
}

/// The tar side, started on first use.
async fn offload() -> Option<Rc<Offload>> {
    match OFFLOAD.with(|o| o.borrow().clone()) {
        // A tar side that failed (its worker died) is replaced; one that could not start is not
        // tried again.
        Some(Some(started)) if started.is_alive() => return Some(started),
        Some(None) => return None,
        _ => {}
    }
    let started = Offload::start().await.ok().map(Rc::new);
    OFFLOAD.with(|o| *o.borrow_mut() = Some(started.clone()));
    started
}

/// "storage full" with what the import needs and what the browser says is free.
async fn storage_full(needed: u64) -> String {
    let mb = |b: f64| (b / 1e6).round();
    match storage_estimate().await {
        Some((usage, quota)) => format!(
            "storage full: this import needs about {} MB, and {} MB of the browser's {} MB quota are free; nothing was kept from it",
            mb(needed as f64),
            mb((quota - usage).max(0.0)),
            mb(quota)
        ),
        None => format!("storage full: this import needs about {} MB; nothing was kept from it", mb(needed as f64)),
    }
}

/// `navigator.storage.estimate()`: bytes used and the quota.
async fn storage_estimate() -> Option<(f64, f64)> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage = Reflect::get(&navigator, &"storage".into()).ok()?;
    let estimate: js_sys::Function = Reflect::get(&storage, &"estimate".into()).ok()?.dyn_into().ok()?;
    let promise: js_sys::Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let get = |k: &str| Reflect::get(&value, &k.into()).ok()?.as_f64();
    Some((get("usage")?, get("quota")?))
}

fn post(event: &Event) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(json) = serde_json::to_string(event) {
        let _ = scope.post_message(&JsValue::from_str(&json));
    }
}

/// The import's WASM linear memory in bytes: this worker's and its tar side's.
fn memory() -> u64 {
    let tar_side = OFFLOAD.with(|o| o.borrow().clone().flatten()).map_or(0, |o| o.memory());
    own_memory() + tar_side
}

/// This worker's WASM linear memory in bytes.
fn own_memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64)
        .unwrap_or(0)
}
