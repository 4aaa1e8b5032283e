//! The console worker: evaluates the console's commands (`$(...)`, templates, image configs
//! read from the store, `docker search`'s registry answers) and reads the Registry view's
//! search results and tag lists off the page, so a fault in them takes down this worker, which
//! the page replaces, and never the page.
//!
//! The page starts it under the name [`NAME`]; see `browser::console_worker` for its side.
//! Commands that change the store go back to the page as their expanded words.

use std::cell::RefCell;
use std::collections::HashMap;

use layerwise_core::cli::flags::Given;
use layerwise_core::cli::run::{search_output, Output, Snapshot};
use layerwise_core::cli::shell;
use layerwise_core::container::ContainerRecord;
use layerwise_core::digest::Digest;
use layerwise_core::spec::{self, ImageConfig};
use layerwise_core::store::{ImageRecord, Store};
use layerwise_registry::search::SearchQuery;
use layerwise_registry::{Client, Mode};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::browser::fetch::Fetch;
use crate::browser::store::IdbStore;
use crate::console_eval::{evaluate, Step};
use crate::protocol::{FromConsole, Outcome, RegistryAnswer, RegistryAsk, ToConsole};

/// The worker name that makes the worker script serve as the console worker.
pub const NAME: &str = "layerwise-console";

/// The store as a command sees it.
struct Loaded {
    images: Vec<ImageRecord>,
    configs: HashMap<Digest, ImageConfig>,
    containers: Vec<ContainerRecord>,
}

thread_local! {
    /// Parsed configs by image ID: a config is content-addressed, so once read it never changes
    /// (each command re-reads only the images, tags and sessions).
    static CONFIGS: RefCell<HashMap<Digest, ImageConfig>> = RefCell::new(HashMap::new());
}

/// Serves the page until the page terminates this worker.
pub(super) fn serve() {
    // The trap that ends a panic tells the page only "unreachable": say what panicked first.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&FromConsole::Panicked { message: info.to_string() });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
        match m.data().as_string().as_deref().map(serde_json::from_str::<ToConsole>) {
            Some(Ok(ToConsole::Ping)) => post(&FromConsole::Pong),
            Some(Ok(ToConsole::Run { id, line, index })) => wasm_bindgen_futures::spawn_local(async move {
                let (outcome, last) = run(&line, index).await;
                post(&FromConsole::Reply { id, outcome, last });
            }),
            Some(Ok(ToConsole::Config { id, image })) => wasm_bindgen_futures::spawn_local(async move {
                let answer = config(&image).await;
                post(&FromConsole::Config { id, answer });
            }),
            Some(Ok(ToConsole::Registry { id, ask, direct })) => wasm_bindgen_futures::spawn_local(async move {
                let answer = registry(ask, direct).await;
                post(&FromConsole::Registry { id, answer });
            }),
            // Only the page posts here, and only these: nothing to answer.
            _ => {}
        }
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromConsole::Ready);
}

/// Runs command `index` of `line` over the store as it is now; true when none follows.
async fn run(line: &str, index: usize) -> (Outcome, bool) {
    let commands = match shell::parse(line) {
        Ok(c) => c,
        Err(e) => return (Outcome::Printed(failed(format!("{e}\n"))), true),
    };
    let loaded = match load().await {
        Ok(l) => l,
        Err(e) => return (Outcome::Printed(failed(format!("{e}\n"))), true),
    };
    let config = |id: &Digest| loaded.configs.get(id).cloned();
    let now = (js_sys::Date::now() / 1000.0).floor() as i64;
    let snapshot = Snapshot { images: &loaded.images, config: &config, containers: &loaded.containers, now };
    let outcome = match evaluate(&commands, index, &snapshot) {
        Step::Printed(output) => Outcome::Printed(output),
        Step::Search(given) => Outcome::Printed(search(&given).await),
        Step::Page(words) => Outcome::Changing(words),
    };
    (outcome, index + 1 >= commands.len())
}

async fn load() -> Result<Loaded, String> {
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let images = store.images().await.map_err(|e| e.to_string())?;
    for image in &images {
        if CONFIGS.with(|c| c.borrow().contains_key(&image.id)) {
            continue;
        }
        if let Ok(raw) = store.read_blob(&image.id, spec::MAX_JSON_BYTES).await {
            if let Ok(config) = spec::parse::<ImageConfig>("config", &raw) {
                CONFIGS.with(|c| c.borrow_mut().insert(image.id.clone(), config));
            }
        }
    }
    let configs = CONFIGS.with(|c| images.iter().filter_map(|i| Some((i.id.clone(), c.borrow().get(&i.id)?.clone()))).collect());
    let containers = store.containers().await.map_err(|e| e.to_string())?;
    Ok(Loaded { images, configs, containers })
}

fn failed(stderr: String) -> Output {
    Output { stderr, status: 1, ..Output::default() }
}

/// `docker search`: through the proxy, printed as docker prints it.
async fn search(given: &Given) -> Output {
    let mut query = SearchQuery::new(given.args.first().map_or("", String::as_str));
    if let Some(limit) = given.value("limit") {
        match limit.parse() {
            Ok(n) => query.limit = n,
            Err(_) => return failed(format!("invalid argument \"{limit}\" for \"--limit\" flag: strconv.ParseInt: parsing \"{limit}\": invalid syntax\n")),
        }
    }
    for f in given.values("filter") {
        if let Err(e) = query.filter(f) {
            return failed(format!("Error response from daemon: {e}\n"));
        }
    }
    let client = Client::new(Fetch, Mode::page(false));
    match layerwise_registry::search::search(&client, &query).await {
        Ok(results) => search_output(&results, given),
        Err(e) => failed(format!("Error response from daemon: {e}\n")),
    }
}

/// The config of the stored image `image` (its ID).
async fn config(image: &str) -> Result<Box<ImageConfig>, String> {
    let id = Digest::parse(image).map_err(|e| e.to_string())?;
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let raw = store.read_blob(&id, spec::MAX_JSON_BYTES).await.map_err(|e| e.to_string())?;
    spec::parse(&format!("config {id}"), &raw).map(Box::new).map_err(|e| e.to_string())
}

/// The Registry view's question, asked directly or through the proxy.
async fn registry(ask: RegistryAsk, direct: bool) -> Result<RegistryAnswer, String> {
    let client = Client::new(Fetch, Mode::page(direct));
    match ask {
        RegistryAsk::Search { term, limit, filters } => {
            let mut query = SearchQuery::new(&term);
            if let Some(n) = limit {
                query.limit = n;
            }
            for f in &filters {
                query.filter(f)?;
            }
            layerwise_registry::search::search(&client, &query).await.map(RegistryAnswer::Found).map_err(|e| e.to_string())
        }
        RegistryAsk::Tags { name } => {
            let r = layerwise_core::reference::Reference::parse(&name).map_err(|e| e.to_string())?;
            let host = layerwise_registry::endpoint::registry_host(r.domain());
            let mut tags = Vec::new();
            let mut next = None;
            // At most 10 pages of 100: enough to pick from, bounded for huge repositories.
            for _ in 0..10 {
                let page = client.tags(host, r.path(), 100, next.as_deref()).await.map_err(|e| e.to_string())?;
                tags.extend(page.items);
                match page.next {
                    Some(n) => next = Some(n),
                    None => break,
                }
            }
            Ok(RegistryAnswer::Tags(tags))
        }
    }
}

fn post(message: &FromConsole) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Ok(json) = serde_json::to_string(message) {
        let _ = scope.post_message(&JsValue::from_str(&json));
    }
}
