//! Files and folders dragged onto the page: what a drop carried, walked into files with their
//! paths relative to the drop.
//!
//! A drop's `DataTransfer` is only readable while the drop event runs, so [`Dropped::take`]
//! captures its entries at once; [`Dropped::files`] walks folders afterwards (the entry API is
//! callback-based, wrapped here in promises).

use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry, FileSystemFileEntry};

use super::js_error;

/// At most this many files are taken from one drop; a bigger folder is refused whole.
pub const MAX_DROPPED_FILES: usize = 100_000;

/// One item of a drop: an entry of the dragged files and folders, or (when the browser gives no
/// entry, as for a `DataTransfer` built by a script) a plain file.
enum Item {
    Entry(FileSystemEntry),
    File(File),
}

/// What one drop carried, captured while its event ran.
pub struct Dropped(Vec<Item>);

impl Dropped {
    /// Captures the items of a drop; call it inside the drop event's handler.
    pub fn take(data: &DataTransfer) -> Self {
        let items = data.items();
        let taken = (0..items.length())
            .filter_map(|i| items.get(i))
            .filter(|item| item.kind() == "file")
            .filter_map(|item| match item.webkit_get_as_entry() {
                Ok(Some(entry)) => Some(Item::Entry(entry)),
                _ => item.get_as_file().ok().flatten().map(Item::File),
            })
            .collect();
        Self(taken)
    }

    /// Whether the drop carried no files.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every file of the drop with its path relative to the drop (`a.txt`, `folder/sub/b.txt`).
    ///
    /// # Errors
    /// A folder that could not be read, or more than [`MAX_DROPPED_FILES`] files.
    pub async fn files(self) -> Result<Vec<(String, File)>, String> {
        let mut out = Vec::new();
        let mut pending: Vec<FileSystemEntry> = Vec::new();
        for item in self.0 {
            match item {
                Item::File(file) => out.push((file.name(), file)),
                Item::Entry(entry) => pending.push(entry),
            }
        }
        while let Some(entry) = pending.pop() {
            if out.len() >= MAX_DROPPED_FILES {
                return Err(format!("the drop holds more than {MAX_DROPPED_FILES} files: upload a smaller folder"));
            }
            let path = entry.full_path().trim_start_matches('/').to_owned();
            if entry.is_directory() {
                pending.extend(read_dir(entry.unchecked_ref(), &path).await?);
            } else if entry.is_file() {
                out.push((path.clone(), file_of(entry.unchecked_ref(), &path).await?));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// A promise resolved by the first argument of a success callback and rejected by the error one.
fn callback_promise(call: impl FnOnce(&Function, &Function) -> Result<(), JsValue>) -> Promise {
    let mut call = Some(call);
    Promise::new(&mut |resolve: Function, reject: Function| {
        let refuse = reject.clone();
        let ok = Closure::once_into_js(move |value: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &value);
        });
        let err = Closure::once_into_js(move |error: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        if let Some(Err(error)) = call.take().map(|call| call(ok.unchecked_ref(), err.unchecked_ref())) {
            let _ = refuse.call1(&JsValue::NULL, &error);
        }
    })
}


/// All entries of a folder: `readEntries` hands them out in batches until it returns none.
async fn read_dir(dir: &FileSystemDirectoryEntry, path: &str) -> Result<Vec<FileSystemEntry>, String> {
    let reader: FileSystemDirectoryReader = dir.create_reader();
    let mut all = Vec::new();
    loop {
        let batch = JsFuture::from(callback_promise(|ok, err| reader.read_entries_with_callback_and_callback(ok, err)))
            .await
            .map_err(|e| format!("could not read the dropped folder {path}: {}", js_error(&e)))?;
        let batch: Array = batch.unchecked_into();
        if batch.length() == 0 {
            return Ok(all);
        }
        all.extend(batch.iter().map(JsCast::unchecked_into::<FileSystemEntry>));
        if all.len() > MAX_DROPPED_FILES {
            return Err(format!("the drop holds more than {MAX_DROPPED_FILES} files: upload a smaller folder"));
        }
    }
}

async fn file_of(entry: &FileSystemFileEntry, path: &str) -> Result<File, String> {
    JsFuture::from(callback_promise(|ok, err| {
        entry.file_with_callback_and_callback(ok, err);
        Ok(())
    }))
        .await
        .map(JsCast::unchecked_into)
        .map_err(|e| format!("could not read the dropped file {path}: {}", js_error(&e)))
}
