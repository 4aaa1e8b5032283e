//! The import worker: untrusted archives are parsed here, off the page's thread, in a WASM
//! instance of its own (a panic kills this instance, not the page). Imports run one at a time.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Reflect;
use layerwise_core::archive::PlatformChoice;
use layerwise_core::import::{import_archive, ImportRequest, Progress};
use layerwise_core::store::collect_garbage;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::file_source::FileSource;
use crate::browser::store::IdbStore;
use crate::browser::now_ms;
use crate::protocol::{Event, Request};

/// Imports waiting for their turn.
#[derive(Default)]
struct Queue {
    pending: VecDeque<(Request, web_sys::File)>,
    running: bool,
}

/// Starts the worker: cleans up what earlier sessions left, then serves requests.
pub fn start() {
    console_error_panic_hook::set_once();
    let queue = Rc::new(RefCell::new(Queue::default()));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let q = queue.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        let data = m.data();
        let request = Reflect::get(&data, &"request".into()).ok().and_then(|r| r.as_string());
        let file = Reflect::get(&data, &"file".into()).ok().and_then(|f| f.dyn_into::<web_sys::File>().ok());
        match (request.as_deref().map(serde_json::from_str::<Request>), file) {
            (Some(Ok(request)), Some(file)) => {
                q.borrow_mut().pending.push_back((request, file));
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
            Ok(store) => collect_garbage(&store, now_ms()).await.unwrap_or(0),
            Err(_) => 0,
        };
        post(&Event::Ready { collected, memory: memory() });
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
    let Some((Request::Import { id, name, platform }, file)) = next else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let event = match import(&id, &name, &platform, file).await {
            Ok(lines) => Event::Done { id, lines, memory: memory() },
            Err(error) => Event::Failed { id, error, memory: memory() },
        };
        post(&event);
        queue.borrow_mut().running = false;
        run_queue(queue);
    });
}

async fn import(id: &str, name: &str, platform: &str, file: web_sys::File) -> Result<Vec<String>, String> {
    let platform = PlatformChoice::parse(platform).map_err(|e| format!("{name}: {e}"))?;
    let request = ImportRequest { id: id.to_owned(), name: name.to_owned(), platform };
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let source = FileSource::new(file.into());
    let mut progress = |p: Progress| {
        let event = match p {
            Progress::Planned { images, total } => Event::Planned { id: id.to_owned(), images, total, memory: memory() },
            Progress::Bytes { done, total } => Event::Progress { id: id.to_owned(), done, total, memory: memory() },
        };
        post(&event);
    };
    let imported = import_archive(&source, &store, &request, &now_ms, &mut progress).await.map_err(|e| format!("{name}: {e}"))?;
    Ok(imported.iter().flat_map(|i| i.load_lines()).collect())
}

fn post(event: &Event) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(json) = serde_json::to_string(event) {
        let _ = scope.post_message(&JsValue::from_str(&json));
    }
}

/// The worker's WASM linear memory in bytes.
fn memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64)
        .unwrap_or(0)
}
