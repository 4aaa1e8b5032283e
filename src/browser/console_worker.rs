//! The page's side of the console worker (`worker::console`): starting it under its name,
//! asking it for a line's commands one at a time, the Registry view's questions to a registry
//! and the image page's config, and replacing it when it dies or hangs. The page's views share
//! one ([`ConsoleWorker::shared`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions};

use super::worker_bridge::WORKER_SCRIPT;
use super::{js_error, now_ms};
use layerwise_core::digest::Digest;
use layerwise_core::spec::ImageConfig;

use crate::protocol::{FromConsole, Outcome, RegistryAnswer, RegistryAsk, ToConsole};
use crate::worker::console::NAME;

/// How often a waiting request asks the worker whether it is there.
const PING_MS: i32 = 1_000;
/// How long the worker may stay silent while a request waits before it counts as hung: its
/// event loop no longer turns (a command that loops). A command waiting on the network still
/// answers pings; a worker still starting counts from the request.
const SILENT_MS: f64 = 10_000.0;

/// A command's outcome, and whether it is the line's last; or why the worker stopped.
type Answer = Result<(Outcome, bool), String>;
/// The worker's reply to a request, or why the worker stopped.
type Reply = Result<FromConsole, String>;

/// What one worker has said.
#[derive(Default)]
struct Heard {
    ready: bool,
    /// Requests posted before `ready`, sent when it comes.
    unsent: Vec<String>,
    /// When the worker last said anything, or a request was sent.
    last_ms: f64,
    /// Where the reply to each waiting request goes, by request ID.
    waiting: HashMap<u64, oneshot::Sender<Reply>>,
    /// Why the worker stopped, once it has: it is replaced before the next request.
    stopped: Option<String>,
}

/// One console worker. Dropping it terminates it.
struct Running {
    worker: Worker,
    heard: Rc<RefCell<Heard>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// The console worker, kept running: a worker that dies (an uncaught error, a trap) or hangs
/// (silent for [`SILENT_MS`]) fails the request it had, is terminated, and a new one starts.
///
/// Requests from several views may wait at once; each reply goes to the request of its ID.
pub struct ConsoleWorker {
    running: RefCell<Result<Running, String>>,
    next_id: Cell<u64>,
}

thread_local! {
    static SHARED: Rc<ConsoleWorker> = Rc::new(ConsoleWorker::new());
}

impl ConsoleWorker {
    /// Starts the worker (its WASM loads while the user types).
    fn new() -> Self {
        Self { running: RefCell::new(Running::start()), next_id: Cell::new(0) }
    }

    /// The page's console worker, started on first use.
    pub fn shared() -> Rc<Self> {
        SHARED.with(Rc::clone)
    }

    /// Runs command `index` (from 0) of `line` in the worker.
    ///
    /// # Errors
    /// A line for the console's stderr when the worker could not start, died or hung (it is
    /// then replaced, and the line says so).
    pub async fn run(&self, line: &str, index: usize) -> Answer {
        match self.ask(|id| ToConsole::Run { id, line: line.to_owned(), index }).await? {
            FromConsole::Reply { outcome, last, .. } => Ok((outcome, last)),
            _ => Err("the console worker answered another question".to_owned()),
        }
    }

    /// Asks a registry `ask` from the worker (which reads the untrusted answer).
    ///
    /// # Errors
    /// The registry's error, or the worker's as for [`ConsoleWorker::run`].
    pub async fn registry(&self, ask: RegistryAsk, direct: bool) -> Result<RegistryAnswer, String> {
        match self.ask(|id| ToConsole::Registry { id, ask, direct }).await? {
            FromConsole::Registry { answer, .. } => answer,
            _ => Err("the console worker answered another question".to_owned()),
        }
    }

    /// The config of the image `id`, read from the store and parsed in the worker (the page
    /// gets it as the typed struct, re-serialized: never the archive's raw bytes).
    ///
    /// # Errors
    /// The store's or the parser's error, or the worker's as for [`ConsoleWorker::run`].
    pub async fn config(&self, id: &Digest) -> Result<ImageConfig, String> {
        match self.ask(|request| ToConsole::Config { id: request, image: id.to_string() }).await? {
            FromConsole::Config { answer, .. } => answer.map(|config| *config),
            _ => Err("the console worker answered another question".to_owned()),
        }
    }

    /// Sends the request `make` builds with its ID, and waits for the reply of that ID.
    async fn ask(&self, make: impl FnOnce(u64) -> ToConsole) -> Reply {
        // A worker that stopped between requests had nothing to fail, and one that could not
        // start may start now: replace them quietly.
        if self.running.borrow().as_ref().map_or(true, |r| r.heard.borrow().stopped.is_some()) {
            *self.running.borrow_mut() = Running::start();
        }
        let (worker, heard) = match &*self.running.borrow() {
            Ok(r) => (r.worker.clone(), r.heard.clone()),
            Err(e) => return Err(format!("the console worker could not start: {e}")),
        };
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let (tx, rx) = oneshot::channel();
        heard.borrow_mut().waiting.insert(id, tx);
        let request = serde_json::to_string(&make(id)).map_err(|e| e.to_string())?;
        send(&worker, &heard, request);
        let answer = watch(rx, &worker, &heard).await;
        if let Err(why) = &answer {
            heard.borrow_mut().waiting.remove(&id);
            // Another request that waited on the same worker may have replaced it already.
            let same = self.running.borrow().as_ref().is_ok_and(|r| Rc::ptr_eq(&r.heard, &heard));
            if same {
                *self.running.borrow_mut() = Running::start();
            }
            return Err(match &*self.running.borrow() {
                Ok(_) => format!("the console worker stopped ({why}); a new one was started"),
                Err(e) => format!("the console worker stopped ({why}), and a new one could not start: {e}"),
            });
        }
        answer
    }
}

/// Posts `message` now, or when the worker is ready.
fn send(worker: &Worker, heard: &Rc<RefCell<Heard>>, message: String) {
    let mut h = heard.borrow_mut();
    h.last_ms = now_ms();
    if h.ready {
        let _ = worker.post_message(&JsValue::from_str(&message));
    } else {
        h.unsent.push(message);
    }
}

/// Waits for the reply, pinging the worker meanwhile; an error once it died or fell silent.
async fn watch(mut rx: oneshot::Receiver<Reply>, worker: &Worker, heard: &Rc<RefCell<Heard>>) -> Reply {
    let ping = serde_json::to_string(&ToConsole::Ping).unwrap_or_default();
    loop {
        match select(rx, sleep(PING_MS)).await {
            Either::Left((answer, _)) => return answer.unwrap_or_else(|_| Err("its answer was lost".to_owned())),
            Either::Right((_, pending)) => rx = pending,
        }
        let h = heard.borrow();
        if now_ms() - h.last_ms > SILENT_MS {
            let silent = if h.ready { "it did not answer" } else { "it did not start" };
            return Err(format!("{silent} for {} s", SILENT_MS / 1000.0));
        }
        if h.ready {
            let _ = worker.post_message(&JsValue::from_str(&ping));
        }
    }
}

/// Resolves after `ms` milliseconds.
fn sleep(ms: i32) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    }))
}

impl Running {
    /// Starts a worker from the worker script under [`NAME`].
    fn start() -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_name(NAME);
        let worker = Worker::new_with_options(WORKER_SCRIPT, &options).map_err(|e| js_error(&e))?;
        let heard = Rc::new(RefCell::new(Heard::default()));
        let (h, target) = (heard.clone(), worker.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let mut heard = h.borrow_mut();
            heard.last_ms = now_ms();
            let message = m.data().as_string().as_deref().map(serde_json::from_str::<FromConsole>);
            match message {
                Some(Ok(FromConsole::Ready)) => {
                    heard.ready = true;
                    for request in heard.unsent.drain(..) {
                        let _ = target.post_message(&JsValue::from_str(&request));
                    }
                }
                Some(Ok(FromConsole::Pong)) => {}
                Some(Ok(FromConsole::Panicked { message })) => stop(&mut heard, message),
                Some(Ok(reply @ (FromConsole::Reply { id, .. } | FromConsole::Registry { id, .. } | FromConsole::Config { id, .. }))) => {
                    if let Some(tx) = heard.waiting.remove(&id) {
                        let _ = tx.send(Ok(reply));
                    }
                }
                _ => stop(&mut heard, "it sent an unreadable message".to_owned()),
            }
        });
        let h = heard.clone();
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            // Handled here: not an error of the page's.
            e.prevent_default();
            let message = e.message();
            stop(&mut h.borrow_mut(), if message.is_empty() { "its script failed to load or run".to_owned() } else { message });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { worker, heard, _on_message: on_message, _on_error: on_error })
    }
}

/// Marks the worker stopped, failing the waiting requests.
fn stop(heard: &mut Heard, why: String) {
    for (_, tx) in heard.waiting.drain() {
        let _ = tx.send(Err(why.clone()));
    }
    heard.stopped.get_or_insert(why);
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
