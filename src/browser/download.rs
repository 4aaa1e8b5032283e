//! `docker save` to the user's disk: the archive is assembled by the browser from the stored
//! Blobs and small parts made in WASM, so layers never pass through WASM memory; it is written
//! with the File System Access API where the browser has it, else downloaded as a Blob.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use layerwise_core::export::{gather, save as save_parts, Part};
use layerwise_core::store::ImageRecord;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use super::store::IdbStore;

/// Saves `images` as one archive named `file_name`.
///
/// # Errors
/// A message when a blob is missing or the browser refuses the download.
pub async fn save(images: &[ImageRecord], file_name: &str) -> Result<(), String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let items = gather(&store, images).await.map_err(|e| e.to_string())?;
    let pieces = Array::new();
    for part in save_parts(&items) {
        match part {
            Part::Bytes(b) => pieces.push(&Uint8Array::from(b.as_slice())),
            Part::Blob { digest, .. } => pieces.push(&store.data(&digest).await.map_err(|e| e.to_string())?),
        };
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/x-tar");
    let archive = web_sys::Blob::new_with_blob_sequence_and_options(&pieces, &options).map_err(|e| js_error(&e))?;
    write_out(&archive, file_name).await
}

/// Writes `data` to the user's disk as `file_name`: a save picker, else a download.
///
/// # Errors
/// A message when the browser refuses.
pub async fn write_out(data: &web_sys::Blob, file_name: &str) -> Result<(), String> {
    match save_with_picker(data, file_name).await {
        Some(result) => result,
        None => download(data, file_name),
    }
}

/// `showSaveFilePicker` where the browser has it and a person (not an automated browser) is at
/// the keyboard; `None` to fall back to a download.
async fn save_with_picker(archive: &web_sys::Blob, file_name: &str) -> Option<Result<(), String>> {
    let window = web_sys::window()?;
    let automated = Reflect::get(&window.navigator(), &"webdriver".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let picker: Function = Reflect::get(&window, &"showSaveFilePicker".into()).ok()?.dyn_into().ok()?;
    if automated {
        return None;
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"suggestedName".into(), &JsValue::from_str(file_name));
    let write = async {
        let handle = JsFuture::from(picker.call1(&window, &options)?.dyn_into::<Promise>()?).await?;
        let create: Function = Reflect::get(&handle, &"createWritable".into())?.dyn_into()?;
        let writable = JsFuture::from(create.call0(&handle)?.dyn_into::<Promise>()?).await?;
        let write: Function = Reflect::get(&writable, &"write".into())?.dyn_into()?;
        JsFuture::from(write.call1(&writable, archive)?.dyn_into::<Promise>()?).await?;
        let close: Function = Reflect::get(&writable, &"close".into())?.dyn_into()?;
        JsFuture::from(close.call0(&writable)?.dyn_into::<Promise>()?).await?;
        Ok::<(), JsValue>(())
    };
    Some(write.await.map_err(|e| js_error(&e)))
}

/// A Blob download through a temporary `<a download>`.
fn download(archive: &web_sys::Blob, file_name: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(archive).map_err(|e| js_error(&e))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|e| js_error(&e))?.dyn_into().map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The browser has taken the URL once the click is handled; it is released on the next tick.
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = web_sys::window().map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 60_000));
    Ok(())
}

/// `repo_tag.tar` for one image, `images.tar` for several.
pub fn file_name(images: &[ImageRecord]) -> String {
    match images {
        [one] => {
            let name = one.repo_tags.first().cloned().unwrap_or_else(|| one.id.short().to_owned());
            format!("{}.tar", name.replace(['/', ':'], "_"))
        }
        _ => "images.tar".to_owned(),
    }
}
