//! The only code that touches the browser (web-sys, js-sys): IndexedDB, dropped files, the
//! worker, downloads. Thin adapters over the core's traits.

pub mod actions;
pub mod console_worker;
pub mod download;
pub mod dropped;
pub mod fetch;
pub mod file_source;
pub mod files;
pub mod idb;
pub mod locks;
pub mod session;
pub mod store;
pub mod worker_bridge;

#[cfg(test)]
mod tests;

use wasm_bindgen::JsValue;

/// A readable message from a JS error value.
pub fn js_error(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    let name = js_sys::Reflect::get(e, &"name".into()).ok().and_then(|v| v.as_string());
    let message = js_sys::Reflect::get(e, &"message".into()).ok().and_then(|v| v.as_string());
    match (name, message) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        (Some(n), None) => n,
        (None, None) => format!("{e:?}"),
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The global scope (window or worker).
pub fn global() -> js_sys::Object {
    js_sys::global()
}
