//! The tar side of layers, in a second worker: the import worker decompresses (and hashes the
//! blob) while this one hashes the uncompressed tar and indexes its entries, each on its own
//! core. WASM threads would need a rebuilt std, so the two are workers handing buffers over
//! (transferred, not copied, between them).
//!
//! The import worker starts this one under the name [`NAME`]; see `offload` for its side.

use std::collections::HashMap;

use js_sys::{Array, Reflect, Uint8Array};
use layerwise_core::layer::{LayerError, Stopwatch, TarReader, TarSummary};
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::now_ms;

/// The worker name that makes the worker script serve as the tar side.
pub(super) const NAME: &str = "layerwise-tar-side";

/// What the import worker says, as JSON in a message's `control`; a chunk's bytes travel beside
/// it, in `chunk`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum ToTarSide {
    /// A new layer, which may expand to `budget` bytes.
    Start { layer: u32, budget: u64 },
    /// The next bytes of the layer's tar are in `chunk`.
    Chunk { layer: u32 },
    /// The layer's tar has ended.
    End { layer: u32 },
    /// The import gave the layer up: forget it.
    Forget { layer: u32 },
}

/// What the tar side answers, as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum FromTarSide {
    /// The tar side is listening (anything posted before this would be lost).
    Ready,
    /// A chunk of the layer is done with.
    Ack { layer: u32 },
    /// The layer's tar ended and is good; `busy_ms` is the time spent on it here, `memory` this
    /// worker's WASM memory.
    Done { layer: u32, summary: TarSummary, busy_ms: f64, memory: u64 },
    /// The layer was refused (the message is the [`LayerError`]'s).
    Failed { layer: u32, error: String },
}

/// Serves the import worker until the worker is closed.
pub(super) fn serve() {
    let mut layers: HashMap<u32, (TarReader, f64)> = HashMap::new();
    let mut buffer = Vec::new();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        let data = m.data();
        let control = Reflect::get(&data, &"control".into()).ok().and_then(|c| c.as_string());
        let Some(Ok(control)) = control.as_deref().map(serde_json::from_str::<ToTarSide>) else { return };
        let answer = match control {
            ToTarSide::Start { layer, budget } => {
                layers.insert(layer, (TarReader::new(budget).timed(Stopwatch::new(now_ms)), 0.0));
                None
            }
            ToTarSide::Chunk { layer } => {
                let chunk = Reflect::get(&data, &"chunk".into()).ok().and_then(|c| c.dyn_into::<Uint8Array>().ok());
                match (layers.get_mut(&layer), chunk) {
                    (Some((reader, busy_ms)), Some(chunk)) => {
                        let started = now_ms();
                        buffer.resize(chunk.length() as usize, 0);
                        chunk.copy_to(&mut buffer);
                        let result = reader.update(&buffer);
                        *busy_ms += now_ms() - started;
                        match result {
                            Ok(()) => Some(FromTarSide::Ack { layer }),
                            Err(e) => failed(&mut layers, layer, &e),
                        }
                    }
                    // A layer that failed earlier (its chunks already on their way) or unknown.
                    _ => None,
                }
            }
            ToTarSide::End { layer } => match layers.remove(&layer).map(|(reader, busy_ms)| (reader.finish(), busy_ms)) {
                Some((Ok(summary), busy_ms)) => Some(FromTarSide::Done { layer, summary, busy_ms, memory: super::own_memory() }),
                Some((Err(e), _)) => Some(FromTarSide::Failed { layer, error: e.to_string() }),
                None => None,
            },
            ToTarSide::Forget { layer } => {
                layers.remove(&layer);
                None
            }
        };
        if let Some(answer) = answer {
            answer.post();
        }
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    layerwise_core::layer::warm_up();
    FromTarSide::Ready.post();
}

/// Drops a refused layer (its later chunks are ignored) and says why.
fn failed(layers: &mut HashMap<u32, (TarReader, f64)>, layer: u32, e: &LayerError) -> Option<FromTarSide> {
    layers.remove(&layer);
    Some(FromTarSide::Failed { layer, error: e.to_string() })
}

impl FromTarSide {
    fn post(&self) {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        if let Ok(json) = serde_json::to_string(self) {
            let _ = scope.post_message(&JsValue::from_str(&json));
        }
    }
}

impl ToTarSide {
    /// Posts this to the tar side's `worker`, with a chunk's bytes (their buffer transferred).
    pub(super) fn post(&self, worker: &web_sys::Worker, chunk: Option<&[u8]>) -> Result<(), JsValue> {
        let message = js_sys::Object::new();
        let json = serde_json::to_string(self).map_err(|e| JsValue::from_str(&e.to_string()))?;
        Reflect::set(&message, &"control".into(), &JsValue::from_str(&json))?;
        let transfer = Array::new();
        if let Some(bytes) = chunk {
            let array = Uint8Array::from(bytes);
            transfer.push(&array.buffer());
            Reflect::set(&message, &"chunk".into(), &array)?;
        }
        worker.post_message_with_transfer(&message, &transfer)
    }
}
