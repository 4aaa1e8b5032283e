//! The registry client's network in the browser: `fetch` (in the page or the worker), bodies
//! read chunk by chunk from the response's stream, so a layer never sits whole in memory.
//!
//! In proxy mode URLs are relative (`/registry/<host>/v2/...`, same origin); in direct mode
//! they are the registry's own, and the browser enforces CORS: a missing header shows as a
//! failed fetch, which [`probe`] turns into a precise message.

use js_sys::{Promise, Reflect, Uint8Array};
use layerwise_registry::transport::{Body, HttpRequest, HttpResponse, Transport, TransportError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStreamDefaultReader, RequestInit, Response};

use super::js_error;

/// `fetch` on whatever global this runs in.
#[derive(Default, Clone, Copy)]
pub struct Fetch;

/// A response body being read.
pub struct FetchBody(Option<ReadableStreamDefaultReader>);


impl Body for FetchBody {
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let Some(reader) = &self.0 else { return Ok(None) };
        let result = JsFuture::from(reader.read()).await.map_err(|e| TransportError(format!("the download broke: {}", js_error(&e))))?;
        if Reflect::get(&result, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            self.0 = None;
            return Ok(None);
        }
        let value = Reflect::get(&result, &"value".into()).map_err(|e| TransportError(js_error(&e)))?;
        Ok(Some(value.dyn_into::<Uint8Array>().map_err(|_| TransportError("the stream gave no bytes".into()))?.to_vec()))
    }
}

impl Drop for FetchBody {
    /// Cancels what is left of the body (a failed pull stops downloading).
    fn drop(&mut self) {
        if let Some(reader) = self.0.take() {
            let _ = reader.cancel();
        }
    }
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    let global = js_sys::global();
    let fetch: js_sys::Function = Reflect::get(&global, &"fetch".into())?.dyn_into()?;
    let promise: Promise = fetch.call2(&global, &url.into(), init)?.dyn_into()?;
    JsFuture::from(promise).await?.dyn_into()
}

impl Transport for Fetch {
    type Body = FetchBody;

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<FetchBody>, TransportError> {
        let headers = Headers::new().map_err(|e| TransportError(js_error(&e)))?;
        for (name, value) in &request.headers {
            headers.append(name, value).map_err(|e| TransportError(js_error(&e)))?;
        }
        let init = RequestInit::new();
        init.set_method(&request.method.to_string());
        init.set_headers(&headers);
        let response = fetch(&request.url, &init).await.map_err(|e| {
            TransportError(format!("{} {} failed: {} (no answer, or the browser refused it: a registry reached directly must send CORS headers)", request.method, request.url, js_error(&e)))
        })?;
        let mut out = Vec::new();
        if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
            for pair in entries.flatten() {
                let pair: js_sys::Array = pair.unchecked_into();
                out.push((pair.get(0).as_string().unwrap_or_default().to_ascii_lowercase(), pair.get(1).as_string().unwrap_or_default()));
            }
        }
        let reader = response.body().and_then(|b| b.get_reader().dyn_into::<ReadableStreamDefaultReader>().ok());
        Ok(HttpResponse { status: response.status(), headers: out, body: FetchBody(reader) })
    }

    async fn sleep(&self, ms: u64) {
        let promise = Promise::new(&mut |resolve, _| {
            let global = js_sys::global();
            if let Ok(set_timeout) = Reflect::get(&global, &"setTimeout".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
                let _ = set_timeout.call2(&global, &resolve, &JsValue::from_f64(ms as f64));
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}

/// Checks that a registry can be read directly from this page, and when it cannot, says which
/// CORS header is missing. The browser never tells why a cross-origin fetch failed, so the probe
/// asks step by step: an opaque request (does it answer at all?), a simple one (does it send
/// `Access-Control-Allow-Origin`?), then one preflighted request per header a pull sends (does
/// `Access-Control-Allow-Headers` list it?), then whether a 401's `WWW-Authenticate` is exposed.
pub async fn probe(base: &str) -> Result<String, String> {
    let url = format!("{}/v2/", base.trim_end_matches('/'));
    let get = |mode: web_sys::RequestMode, header: Option<(&str, &str)>| {
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_mode(mode);
        if let Some((name, value)) = header {
            if let Ok(h) = Headers::new() {
                let _ = h.append(name, value);
                init.set_headers(&h);
            }
        }
        init
    };
    if let Err(e) = fetch(&url, &get(web_sys::RequestMode::NoCors, None)).await {
        return Err(format!("{url} does not answer: {}", js_error(&e)));
    }
    let response = fetch(&url, &get(web_sys::RequestMode::Cors, None))
        .await
        .map_err(|_| format!("{url} answers, but without Access-Control-Allow-Origin (* or this page's origin): the browser hides its answers from this page"))?;
    let range = "bytes=0-";
    for (name, value) in [("accept", layerwise_registry::client::MANIFEST_ACCEPT), ("range", range), ("authorization", "Bearer probe")] {
        if fetch(&url, &get(web_sys::RequestMode::Cors, Some((name, value)))).await.is_err() {
            return Err(format!(
                "{url} refuses the preflight for the {name} header a pull sends: Access-Control-Allow-Headers must list Authorization, Accept and Range, \
                 and Access-Control-Allow-Methods GET and HEAD (the preflight, an OPTIONS request, must answer 2xx)"
            ));
        }
    }
    if response.status() == 401 && response.headers().get("www-authenticate").ok().flatten().is_none() {
        return Err(format!("{url} asks for auth, but WWW-Authenticate is not in Access-Control-Expose-Headers: the page cannot see where to get a token"));
    }
    Ok(format!("{url} answered {} and can be read from this page (Docker-Content-Digest, Link and Content-Range must also be in Access-Control-Expose-Headers)", response.status()))
}
