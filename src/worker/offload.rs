//! The import worker's side of the two-worker layer pipeline: this worker reads the file, hashes
//! the blob and decompresses it; the uncompressed tar goes to the tar side (`tar_side`) in
//! buffers of [`HANDOVER`] bytes, at most [`IN_FLIGHT`] of them unanswered, so memory stays
//! bounded whichever side is slower.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::poll_fn;
use std::io::{self, Write};
use std::rc::Rc;
use std::task::{Poll, Waker};

use layerwise_core::import::ImportStats;
use layerwise_core::layer::{uncompressed_budget, BlobReader, LayerError, LayerPass, LayerPipeline, LayerSummary, Stopwatch, TarSummary};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions};

use super::tar_side::{FromTarSide, ToTarSide, NAME};
use crate::browser::{js_error, now_ms};
use crate::browser::worker_bridge::WORKER_SCRIPT;

/// Bytes of uncompressed tar per buffer handed over.
const HANDOVER: usize = 1 << 20;
/// Buffers handed over and not yet answered before the blob side waits.
const IN_FLIGHT: usize = 8;
/// How long the tar side may take to start before imports run without it.
const START_TIMEOUT_MS: i32 = 10_000;

/// What the tar side has said of one layer.
#[derive(Default)]
struct LayerState {
    in_flight: usize,
    outcome: Option<Result<TarSummary, String>>,
    waker: Option<Waker>,
}

/// What the tar side has said: whether it listens, and of every layer in progress.
#[derive(Default)]
struct Said {
    /// `Some` once the tar side is listening, or failed to start.
    ready: Option<Result<(), String>>,
    ready_waker: Option<Waker>,
    layers: HashMap<u32, LayerState>,
    /// Where the time of every layer finished so far went.
    times: SideTimes,
    /// The tar side's WASM memory when it last finished a layer (it never shrinks).
    memory: u64,
}

type Inbox = Rc<RefCell<Said>>;

/// Milliseconds spent on the parts of the layers' work that the import's own clock cannot
/// tell apart, summed over every layer so far.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SideTimes {
    blob_hash: f64,
    handover: f64,
    tar_side: f64,
    tar_hash: f64,
    tar_index: f64,
}

impl SideTimes {
    /// Fills in `stats` with what was spent since `before`.
    pub(super) fn since(self, before: SideTimes, stats: &mut ImportStats) {
        stats.blob_hash_ms = self.blob_hash - before.blob_hash;
        stats.handover_ms = self.handover - before.handover;
        stats.tar_side_ms = self.tar_side - before.tar_side;
        stats.tar_hash_ms = self.tar_hash - before.tar_hash;
        stats.tar_index_ms = self.tar_index - before.tar_index;
    }
}

/// The tar side's worker and what it has answered. Dropping it stops the worker.
pub(super) struct Offload {
    worker: Worker,
    inbox: Inbox,
    next_layer: RefCell<u32>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Offload {
    /// Starts the tar side (a second instance of this worker's script, under [`NAME`]) and waits
    /// until it listens.
    ///
    /// # Errors
    /// When this browser cannot start a worker from a worker, or the tar side failed to load.
    pub(super) async fn start() -> Result<Self, String> {
        let options = WorkerOptions::new();
        options.set_name(NAME);
        let worker = Worker::new_with_options(WORKER_SCRIPT, &options).map_err(|e| js_error(&e))?;
        let inbox: Inbox = Rc::default();
        let layers = inbox.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let Some(Ok(answer)) = m.data().as_string().as_deref().map(serde_json::from_str::<FromTarSide>) else { return };
            let mut said = layers.borrow_mut();
            let (layer, change): (u32, &dyn Fn(&mut LayerState)) = match &answer {
                FromTarSide::Ready => {
                    said.ready = Some(Ok(()));
                    if let Some(waker) = said.ready_waker.take() {
                        waker.wake();
                    }
                    return;
                }
                FromTarSide::Ack { layer } => (*layer, &|s| s.in_flight = s.in_flight.saturating_sub(1)),
                FromTarSide::Done { layer, summary, busy_ms, memory } => {
                    said.times.tar_side += busy_ms;
                    said.times.tar_hash += summary.hash_ms;
                    said.times.tar_index += summary.index_ms;
                    said.memory = *memory;
                    (*layer, &|s| s.outcome = Some(Ok(summary.clone())))
                }
                FromTarSide::Failed { layer, error } => (*layer, &|s| s.outcome = Some(Err(error.clone()))),
            };
            if let Some(state) = said.layers.get_mut(&layer) {
                change(state);
                if let Some(waker) = state.waker.take() {
                    waker.wake();
                }
            }
        });
        let layers = inbox.clone();
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            // Handled here: left alone, the tar side's error would be raised again in this
            // worker's own scope and take it down, blaming the import worker.
            e.prevent_default();
            let failure = format!("the tar side's worker failed: {}", e.message());
            let said = &mut *layers.borrow_mut();
            said.ready = Some(Err(failure.clone()));
            let wakers = said.layers.values_mut().filter_map(|state| {
                state.outcome.get_or_insert_with(|| Err(failure.clone()));
                state.waker.take()
            });
            wakers.chain(said.ready_waker.take()).for_each(Waker::wake);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // A script that loads but whose WASM fails to start says nothing: give up on it then.
        let late = inbox.clone();
        let give_up = Closure::once_into_js(move || {
            let said = &mut *late.borrow_mut();
            if said.ready.is_none() {
                said.ready = Some(Err(format!("the tar side's worker did not start within {} s", START_TIMEOUT_MS / 1000)));
                if let Some(waker) = said.ready_waker.take() {
                    waker.wake();
                }
            }
        });
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        scope.set_timeout_with_callback_and_timeout_and_arguments_0(give_up.unchecked_ref(), START_TIMEOUT_MS).map_err(|e| js_error(&e))?;
        let offload = Self { worker, inbox, next_layer: RefCell::new(0), _on_message: on_message, _on_error: on_error };
        let said = offload.inbox.clone();
        poll_fn(|cx| {
            let mut said = said.borrow_mut();
            match &said.ready {
                Some(ready) => Poll::Ready(ready.clone()),
                None => {
                    said.ready_waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await?;
        Ok(offload)
    }
}

impl Offload {
    /// False once the tar side's worker has failed: a new one is needed.
    pub(super) fn is_alive(&self) -> bool {
        matches!(self.inbox.borrow().ready, Some(Ok(())))
    }

    /// Where the time of the layers so far went: what a job took is the difference.
    pub(super) fn times(&self) -> SideTimes {
        self.inbox.borrow().times
    }

    /// The tar side's WASM memory, as it last said.
    pub(super) fn memory(&self) -> u64 {
        self.inbox.borrow().memory
    }
}

impl Drop for Offload {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

impl LayerPipeline for Offload {
    type Pass = OffloadPass;

    fn begin(&self, blob_size: u64) -> OffloadPass {
        let layer = {
            let mut next = self.next_layer.borrow_mut();
            *next = next.wrapping_add(1);
            *next
        };
        self.inbox.borrow_mut().layers.insert(layer, LayerState::default());
        let feed = Feed { layer, worker: self.worker.clone(), inbox: self.inbox.clone(), buffer: Vec::with_capacity(HANDOVER), ended: false };
        let started = ToTarSide::Start { layer, budget: uncompressed_budget(blob_size) }.post(&self.worker, None);
        OffloadPass { blob: BlobReader::new(feed).timed(Stopwatch::new(now_ms)), start_error: started.err().map(|e| js_error(&e)) }
    }
}

/// One layer: its blob side here, its tar side in the other worker.
pub(super) struct OffloadPass {
    blob: BlobReader<Feed>,
    /// The tar side could not be told of the layer.
    start_error: Option<String>,
}

impl LayerPass for OffloadPass {
    fn update(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        if let Some(e) = &self.start_error {
            return Err(LayerError::Reported(e.clone()));
        }
        self.blob.update(chunk)
    }

    async fn settle(&mut self) -> Result<(), LayerError> {
        let Some(feed) = self.blob.sink() else { return Ok(()) };
        let (layer, inbox) = (feed.layer, feed.inbox.clone());
        poll_fn(|cx| {
            let mut said = inbox.borrow_mut();
            let Some(state) = said.layers.get_mut(&layer) else { return Poll::Ready(Ok(())) };
            match &state.outcome {
                Some(Err(e)) => Poll::Ready(Err(LayerError::Reported(e.clone()))),
                _ if state.in_flight < IN_FLIGHT => Poll::Ready(Ok(())),
                _ => {
                    state.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    async fn finish(self) -> Result<LayerSummary, LayerError> {
        let (blob, mut feed) = self.blob.finish()?;
        feed.inbox.borrow_mut().times.blob_hash += blob.hash_ms;
        feed.end().map_err(LayerError::Reported)?;
        let (layer, inbox) = (feed.layer, feed.inbox.clone());
        let tar = poll_fn(|cx| {
            let mut said = inbox.borrow_mut();
            let Some(state) = said.layers.get_mut(&layer) else { return Poll::Ready(Err("the layer was forgotten".to_owned())) };
            match state.outcome.take() {
                Some(outcome) => Poll::Ready(outcome),
                None => {
                    state.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
        .map_err(LayerError::Reported)?;
        Ok(blob.join(tar))
    }
}

/// The uncompressed tar, written by the decompressor, handed over in buffers.
///
/// Invariant: the layer's entry in `inbox` lives as long as this feed; dropping the feed removes
/// it and (unless the tar ended) tells the tar side to forget the layer.
pub(super) struct Feed {
    layer: u32,
    worker: Worker,
    inbox: Inbox,
    buffer: Vec<u8>,
    ended: bool,
}

impl Feed {
    /// Hands the buffered bytes over.
    fn hand_over(&mut self) -> Result<(), String> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let started = now_ms();
        ToTarSide::Chunk { layer: self.layer }.post(&self.worker, Some(&self.buffer)).map_err(|e| js_error(&e))?;
        self.buffer.clear();
        let said = &mut *self.inbox.borrow_mut();
        said.times.handover += now_ms() - started;
        if let Some(state) = said.layers.get_mut(&self.layer) {
            state.in_flight += 1;
        }
        Ok(())
    }

    /// Hands the last bytes over and ends the layer's tar.
    fn end(&mut self) -> Result<(), String> {
        self.hand_over()?;
        self.ended = true;
        ToTarSide::End { layer: self.layer }.post(&self.worker, None).map_err(|e| js_error(&e))
    }

    /// The tar side's refusal, if it has sent one.
    fn refusal(&self) -> Option<String> {
        match &self.inbox.borrow().layers.get(&self.layer)?.outcome {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }
}

impl Write for Feed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = self.refusal() {
            return Err(io::Error::other(LayerError::Reported(e)));
        }
        let n = buf.len().min(HANDOVER - self.buffer.len());
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() == HANDOVER {
            self.hand_over().map_err(|e| io::Error::other(LayerError::Reported(e)))?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.inbox.borrow_mut().layers.remove(&self.layer);
        if !self.ended {
            let _ = ToTarSide::Forget { layer: self.layer }.post(&self.worker, None);
        }
    }
}
