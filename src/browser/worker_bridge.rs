//! The page's side of the import worker: starting it, sending files, receiving events.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

use super::js_error;
use crate::protocol::{Event, Request};

/// The script trunk writes to load the worker's WASM (`data-loader-shim`); the import worker
/// starts its tar side from it too.
pub const WORKER_SCRIPT: &str = "./worker_loader.js";

/// A running import worker. Dropping it stops the worker.
///
/// Requests wait in `pending` until the worker says it is ready: a message posted before the
/// worker's WASM has set its handler would be lost.
pub struct WorkerBridge {
    worker: Worker,
    pending: Rc<RefCell<Option<Vec<Object>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl WorkerBridge {
    /// Starts the worker; `on_event` receives everything it reports. A fault inside the worker
    /// arrives as an [`Event::Failed`] with an empty ID, and the page keeps working.
    ///
    /// # Errors
    /// When the browser cannot start the worker.
    pub fn spawn(on_event: Rc<dyn Fn(Event)>) -> Result<Self, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|e| js_error(&e))?;
        let pending: Rc<RefCell<Option<Vec<Object>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let events = on_event.clone();
        let (queue, target) = (pending.clone(), worker.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            let Some(text) = m.data().as_string() else { return };
            match serde_json::from_str::<Event>(&text) {
                Ok(e @ Event::Ready { .. }) => {
                    for message in queue.borrow_mut().take().unwrap_or_default() {
                        let _ = target.post_message(&message);
                    }
                    events(e);
                }
                Ok(e) => events(e),
                Err(e) => events(Event::Failed { id: String::new(), error: format!("unreadable worker message: {e}"), memory: 0 }),
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            on_event(Event::Failed { id: String::new(), error: format!("the import worker failed: {}", e.message()), memory: 0 });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { worker, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request (with the file an import reads), or queues it until the worker is ready.
    ///
    /// # Errors
    /// When the message cannot be posted.
    pub fn send(&self, request: &Request, file: Option<&web_sys::File>) -> Result<(), String> {
        let message = Object::new();
        let json = serde_json::to_string(request).map_err(|e| e.to_string())?;
        Reflect::set(&message, &"request".into(), &JsValue::from_str(&json)).map_err(|e| js_error(&e))?;
        if let Some(file) = file {
            Reflect::set(&message, &"file".into(), file).map_err(|e| js_error(&e))?;
        }
        if let Some(queue) = self.pending.borrow_mut().as_mut() {
            queue.push(message);
            return Ok(());
        }
        self.worker.post_message(&message).map_err(|e| js_error(&e))
    }
}

impl Drop for WorkerBridge {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
