//! IndexedDB as futures: opening the `layerwise` database (creating its object stores), and
//! awaiting requests and transactions.
//!
//! IndexedDB transactions commit by themselves as soon as the code awaits anything else, so
//! every write here is its own transaction, awaited to completion: a write that returned is
//! durable, and the store's writes are idempotent, so a repeated step is harmless.

use futures::channel::oneshot;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStoreParameters, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::js_error;

/// The database name.
pub const DB_NAME: &str = "layerwise";
/// The schema version.
pub const DB_VERSION: u32 = 2;
/// The object stores and their key paths (see DESIGN.md, "The browser app"). Version 2 added
/// `session_files`: the bytes of files added in edit sessions.
pub const STORES: [(&str, &str); 7] = [
    ("blobs", "digest"),
    ("layers", "diff_id"),
    ("images", "id"),
    ("containers", "id"),
    ("ingest", "id"),
    ("imports", "id"),
    ("session_files", "key"),
];

/// Opens (and on first use creates) the database `name` (the app's is [`DB_NAME`]).
///
/// # Errors
/// A message when IndexedDB is unavailable or the open fails.
pub async fn open(name: &str) -> Result<IdbDatabase, String> {
    let factory: IdbFactory = js_sys::Reflect::get(&super::global(), &"indexedDB".into())
        .map_err(|e| js_error(&e))?
        .dyn_into()
        .map_err(|_| "this browser has no IndexedDB".to_owned())?;
    let request: IdbOpenDbRequest = factory.open_with_u32(name, DB_VERSION).map_err(|e| js_error(&e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(req) = event.target().and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok()) else { return };
        let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else { return };
        let existing = db.object_store_names();
        for (name, key) in STORES {
            if !existing.contains(name) {
                let params = IdbObjectStoreParameters::new();
                params.set_key_path(&JsValue::from_str(key));
                let _ = db.create_object_store_with_optional_parameters(name, &params);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request_done(&request).await;
    drop(upgrade);
    result?.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB returned no database".to_owned())
}

/// Awaits a request's `success` (its result) or `error`.
pub async fn request_done(request: &IdbRequest) -> Result<JsValue, String> {
    let (tx, rx) = oneshot::channel::<Result<(), String>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let ok_tx = tx.clone();
    let on_success = Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = ok_tx.borrow_mut().take() {
            let _ = tx.send(Ok(()));
        }
    });
    let req = request.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        let message = req.error().ok().flatten().map_or_else(|| "request failed".to_owned(), |e| format!("{}: {}", e.name(), e.message()));
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(Err(message));
        }
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = rx.await.unwrap_or_else(|_| Err("request dropped".to_owned()));
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome?;
    request.result().map_err(|e| js_error(&e))
}

/// Awaits a transaction's `complete`, or its `abort` / `error` with the reason (a full quota
/// shows as `QuotaExceededError`).
pub async fn transaction_done(tx: &IdbTransaction) -> Result<(), String> {
    let (send, recv) = oneshot::channel::<Result<(), String>>();
    let send = std::rc::Rc::new(std::cell::RefCell::new(Some(send)));
    let ok = send.clone();
    let on_complete = Closure::<dyn FnMut()>::new(move || {
        if let Some(s) = ok.borrow_mut().take() {
            let _ = s.send(Ok(()));
        }
    });
    let t = tx.clone();
    let on_fail = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        // The transaction's error, else that of the request whose `error` bubbled up (Firefox
        // sets the transaction's only when it aborts, after the request's error event).
        let request_error = || event.target()?.dyn_into::<IdbRequest>().ok()?.error().ok().flatten();
        let error = t.error().or_else(request_error);
        let message = error.map_or_else(|| "transaction aborted".to_owned(), |e| format!("{}: {}", e.name(), e.message()));
        if let Some(s) = send.borrow_mut().take() {
            let _ = s.send(Err(message));
        }
    });
    tx.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    tx.set_onabort(Some(on_fail.as_ref().unchecked_ref()));
    tx.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    let outcome = recv.await.unwrap_or_else(|_| Err("transaction dropped".to_owned()));
    // The closures end here, and a failing transaction fires `error` and then `abort` (Firefox
    // in separate tasks): a handler left set would call a dropped closure, which throws in the
    // worker and takes the job down with a message that is not the quota's.
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    tx.set_onerror(None);
    outcome
}

/// A transaction over one store.
pub fn transaction(db: &IdbDatabase, store: &str, mode: IdbTransactionMode) -> Result<IdbTransaction, String> {
    db.transaction_with_str_and_mode(store, mode).map_err(|e| js_error(&e))
}
