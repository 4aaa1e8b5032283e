//! The Web Locks API: each import holds a lock named after it while it runs; the browser
//! releases it when the import ends or its tab dies, so the start-up cleanup can tell a live
//! import (another tab's) from one a closed tab abandoned.

use std::collections::HashSet;

use futures::channel::oneshot;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js_error;

/// The lock an import holds.
pub fn name_of(import_id: &str) -> String {
    format!("layerwise-import-{import_id}")
}

fn lock_manager() -> Option<JsValue> {
    let navigator = Reflect::get(&super::global(), &"navigator".into()).ok()?;
    Reflect::get(&navigator, &"locks".into()).ok().filter(|l| !l.is_undefined())
}

/// Names of the locks held now, in any tab of this origin; `None` without the Web Locks API.
pub async fn held() -> Option<HashSet<String>> {
    let locks = lock_manager()?;
    let query: Function = Reflect::get(&locks, &"query".into()).ok()?.dyn_into().ok()?;
    let snapshot = JsFuture::from(query.call0(&locks).ok()?.dyn_into::<Promise>().ok()?).await.ok()?;
    let held = Array::from(&Reflect::get(&snapshot, &"held".into()).ok()?);
    Some(held.iter().filter_map(|l| Reflect::get(&l, &"name".into()).ok()?.as_string()).collect())
}

/// A held lock; dropping it releases the lock.
pub struct Held {
    release: Option<Function>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Takes the lock `name`; without the Web Locks API, a guard that holds nothing.
///
/// # Errors
/// When the browser refuses the request.
pub async fn hold(name: &str) -> Result<Held, String> {
    let Some(locks) = lock_manager() else { return Ok(Held { release: None }) };
    let request: Function = Reflect::get(&locks, &"request".into()).map_err(|e| js_error(&e))?.dyn_into().map_err(|e| js_error(&e))?;
    let mut release = None;
    // The lock is held until this promise settles.
    let until = Promise::new(&mut |resolve, _reject| release = Some(resolve));
    let (acquired, granted) = oneshot::channel::<()>();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = acquired.send(());
        until.into()
    });
    request.call2(&locks, &JsValue::from_str(name), &callback).map_err(|e| js_error(&e))?;
    granted.await.map_err(|_| "the lock request was dropped".to_owned())?;
    Ok(Held { release })
}
