//! The root component: state, routing, the worker, and the layout.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser::store::IdbStore;
use crate::browser::worker_bridge::WorkerBridge;
use crate::components::{Console, ContainersView, ErrorBanner, ImagePage, ImagesView, ImportsPanel, RegistryView};
use crate::protocol::{Event, Request};
use crate::route::Route;
use crate::state::{Action, AppState};
use layerwise_core::store::Store;

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Reads the images from the store and hands them to the state.
fn load_images(dispatch: UseReducerDispatcher<AppState>) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = async { IdbStore::open().await?.images().await }.await;
        match result {
            Ok(images) => dispatch.dispatch(Action::ImagesLoaded(images)),
            Err(e) => dispatch.dispatch(Action::Failed(e.to_string())),
        }
    });
}

/// A unique import ID.
fn new_import_id() -> String {
    format!("import-{}-{:08x}", js_sys::Date::now() as u64, (js_sys::Math::random() * f64::from(u32::MAX)) as u32)
}

/// The worker bridge, shared by the page's callbacks.
type Bridge = Rc<RefCell<Option<WorkerBridge>>>;

/// Starts the import worker. If it faults (a trap in its WASM, an uncaught error), the imports it
/// was running are marked failed and a new worker is started: the page keeps working.
fn start_worker(bridge: Bridge, dispatch: UseReducerDispatcher<AppState>) {
    let (b, d) = (bridge.clone(), dispatch.clone());
    let on_event: Rc<dyn Fn(Event)> = Rc::new(move |e: Event| match e {
        Event::Failed { id, error, .. } if id.is_empty() => {
            d.dispatch(Action::WorkerFailed(error));
            // Replaced on the next tick: this closure belongs to the worker being dropped.
            let (b, d) = (b.clone(), d.clone());
            wasm_bindgen_futures::spawn_local(async move {
                b.borrow_mut().take();
                start_worker(b, d);
            });
        }
        e => {
            let reload = matches!(e, Event::Done { .. } | Event::Ready { .. });
            d.dispatch(Action::Worker(e));
            if reload {
                load_images(d.clone());
            }
        }
    });
    match WorkerBridge::spawn(on_event) {
        Ok(w) => *bridge.borrow_mut() = Some(w),
        Err(e) => dispatch.dispatch(Action::Failed(format!("the import worker could not start: {e}"))),
    }
}

/// The page.
#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::new(Route::from_hash(&current_hash())));
    let bridge: Bridge = use_mut_ref(|| None::<WorkerBridge>);

    {
        let dispatch = state.dispatcher();
        let bridge = bridge.clone();
        use_effect_with((), move |_| {
            start_worker(bridge, dispatch.clone());
            load_images(dispatch.clone());
            let d = dispatch.clone();
            let on_hash = Closure::<dyn FnMut()>::new(move || d.dispatch(Action::Navigate(Route::from_hash(&current_hash()))));
            // Escape closes the error banner, wherever the focus is.
            let d = dispatch.clone();
            let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.key() == "Escape" {
                    d.dispatch(Action::DismissError);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
                let _ = w.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
                    let _ = w.remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
                }
                drop((on_hash, on_key));
            }
        });
    }

    let on_job = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |(request, file): (Request, Option<web_sys::File>)| {
            let (id, name) = match &request {
                Request::Import { id, name, .. } => (id.clone(), name.clone()),
                Request::Pull { id, reference, .. } => (id.clone(), format!("docker pull {reference}")),
                Request::Commit { id, tag, .. } => (id.clone(), format!("docker commit → {}", if tag.is_empty() { "<none>" } else { tag })),
                Request::Cancel { .. } => return,
            };
            dispatch.dispatch(Action::ImportQueued { id: id.clone(), name: name.clone(), at_ms: js_sys::Date::now() });
            let sent = match bridge.borrow().as_ref() {
                Some(b) => b.send(&request, file.as_ref()),
                None => Err("the worker is not running".to_owned()),
            };
            if let Err(error) = sent {
                dispatch.dispatch(Action::Worker(Event::Failed { id, error: format!("{name}: {error}"), memory: 0 }));
            }
        })
    };
    let on_files = {
        let on_job = on_job.clone();
        Callback::from(move |(files, platform): (Vec<web_sys::File>, String)| {
            for file in files {
                on_job.emit((Request::Import { id: new_import_id(), name: file.name(), platform: platform.clone() }, Some(file)));
            }
        })
    };
    let on_dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::DismissError))
    };
    let on_clear = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::ClearFinished))
    };
    let on_dismiss_import = {
        let dispatch = state.dispatcher();
        Callback::from(move |id| dispatch.dispatch(Action::DismissImport(id)))
    };

    let on_cancel = {
        let bridge = bridge.clone();
        Callback::from(move |id: String| {
            if let Some(b) = bridge.borrow().as_ref() {
                let _ = b.send(&Request::Cancel { id }, None);
            }
        })
    };
    let on_pull = on_job.reform(|request: Request| (request, None));
    let on_commit = on_job.reform(|request: Request| (request, None));
    let on_changed = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| load_images(dispatch.clone()))
    };
    let now = (js_sys::Date::now() / 1000.0).floor() as i64;
    let body = match (&state.route, &state.images) {
        (_, None) => html! { <p class="loading">{ "Opening the image store…" }</p> },
        (Route::Images, Some(images)) => html! {
            <>
                <ImagesView images={images.clone()} now={now} on_files={on_files.clone()} />
                <ContainersView images={images.clone()} now={now} />
            </>
        },
        (Route::Console, Some(images)) => html! { <Console images={images.clone()} imports={state.imports.clone()} on_job={on_job.clone()} on_changed={on_changed.clone()} /> },
        (Route::Registry, Some(_)) => html! { <RegistryView on_pull={on_pull.clone()} /> },
        (Route::Image(name), Some(images)) => html! { <ImagePage name={name.clone()} images={images.clone()} now={now} on_changed={on_changed.clone()} on_commit={on_commit.clone()} /> },
    };
    html! {
        <div class="app">
            <header class="top">
                <a class="brand" href="#/">{ "Layerwise" }</a>
                <nav><a href="#/">{ "Images" }</a><a href="#/registry">{ "Registry" }</a><a href="#/console">{ "Console" }</a></nav>
                <span class="tagline">{ "Docker & OCI images, in your browser" }</span>
            </header>
            <ErrorBanner error={state.error.clone()} on_dismiss={on_dismiss} />
            <ImportsPanel imports={state.imports.clone()} on_clear={on_clear} on_dismiss={on_dismiss_import} on_cancel={on_cancel} />
            <main>{ body }</main>
            <footer id="diagnostics" data-worker-memory-peak={state.worker_memory_peak.to_string()} data-worker-ready={state.worker_ready.to_string()}
                    data-last-import={state.last_stats.as_ref().and_then(|s| serde_json::to_string(s).ok()).unwrap_or_default()}>
                { format!("Import worker: {} · peak WASM memory {:.1} MiB", if state.worker_ready { "ready" } else { "starting" }, state.worker_memory_peak as f64 / 1048576.0) }
            </footer>
        </div>
    }
}
