//! `docker pull` in the worker: the registry client over `fetch`, into the IndexedDB store, with
//! the lines docker prints sent to the page as they change.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use layerwise_core::archive::PlatformChoice;
use layerwise_core::import::ImportStats;
use layerwise_core::layer::LocalPipeline;
use layerwise_core::reference::Reference;
use layerwise_registry::auth::Credentials;
use layerwise_registry::endpoint::registry_host;
use layerwise_registry::progress::{default_tag_line, docker_lines};
use layerwise_registry::pull::{pull, LayerStatus, PullEvent, PullRequest};
use layerwise_registry::{Client, Mode};

use crate::browser::fetch::Fetch;
use crate::browser::store::IdbStore;
use crate::browser::{actions, locks, now_ms};
use crate::protocol::Event;

/// Sends progress at most this often (every layer state change but downloads goes at once).
const PROGRESS_MS: f64 = 100.0;

thread_local! {
    /// One client per mode, so tokens and credentials last the session (memory only).
    static CLIENTS: RefCell<HashMap<bool, Rc<Client<Fetch>>>> = RefCell::new(HashMap::new());
    /// Pulls the user cancelled (checked between chunks, and before a queued pull starts).
    static CANCELLED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Marks the pull `id` cancelled.
pub(super) fn cancel(id: &str) {
    CANCELLED.with(|c| c.borrow_mut().insert(id.to_owned()));
}

fn is_cancelled(id: &str) -> bool {
    CANCELLED.with(|c| c.borrow().contains(id))
}

fn client(direct: bool) -> Rc<Client<Fetch>> {
    CLIENTS.with(|c| {
        c.borrow_mut().entry(direct).or_insert_with(|| Rc::new(Client::new(Fetch, Mode::page(direct)))).clone()
    })
}

/// The lines `docker pull` shows: the `Pulling from` line, then one per layer.
#[derive(Default)]
struct Screen {
    head: String,
    layers: Vec<(String, String)>,
}

impl Screen {
    fn apply(&mut self, event: PullEvent) -> bool {
        match event {
            PullEvent::Resolved { line, layers } => {
                self.head = line;
                self.layers = layers.into_iter().map(|l| (l, "Waiting".to_owned())).collect();
                true
            }
            PullEvent::Layer { id, status } => {
                let at_once = !matches!(status, LayerStatus::Downloading { .. });
                if let Some(row) = self.layers.iter_mut().find(|(l, _)| *l == id) {
                    row.1 = status.text();
                }
                at_once
            }
        }
    }

    fn lines(&self) -> Vec<String> {
        std::iter::once(self.head.clone()).filter(|h| !h.is_empty()).chain(self.layers.iter().map(|(id, s)| format!("{id}: {s}"))).collect()
    }
}

/// Pulls `reference`; returns every line docker would have printed, and where the pull's time
/// went (see `Pulled::stats`).
pub(super) async fn run(id: &str, reference: &str, platform: &str, direct: bool, login: Option<(String, String)>, post: &dyn Fn(Event), memory: &dyn Fn() -> u64) -> Result<(Vec<String>, ImportStats), String> {
    // What docker prints once it is done (its log when not on a terminal), besides the screen.
    let mut log: Vec<String> = default_tag_line(reference.trim()).map(str::to_owned).into_iter().collect();
    let reference = Reference::parse(reference.trim()).map_err(|e| e.to_string())?.with_default_tag();
    if is_cancelled(id) {
        return Err(format!("{reference}: pull cancelled"));
    }
    let platform = PlatformChoice::parse(platform)?;
    let client = client(direct);
    if let Some((username, password)) = login.filter(|(u, _)| !u.is_empty()) {
        client.login(registry_host(reference.domain()), Credentials { username, password });
    }
    let lock = locks::hold(&locks::name_of(id)).await?;
    let store = IdbStore::open().await.map_err(|e| e.to_string())?;
    let request = PullRequest { id: id.to_owned(), reference: reference.clone(), platform };
    let mut screen = Screen::default();
    let mut last = 0.0;
    let mut on_event = |e: PullEvent| {
        log.extend(docker_lines(&e));
        if screen.apply(e) || now_ms() - last > PROGRESS_MS {
            last = now_ms();
            post(Event::Pulling { id: id.to_owned(), lines: screen.lines(), memory: memory() });
        }
    };
    let offload = super::offload().await;
    let before = offload.as_ref().map(|o| o.times());
    let result = match &offload {
        Some(offload) => pull(&client, &store, offload.as_ref(), &request, &now_ms, &|| is_cancelled(id), &mut on_event).await,
        None => pull(&client, &store, &LocalPipeline, &request, &now_ms, &|| is_cancelled(id), &mut on_event).await,
    };
    CANCELLED.with(|c| c.borrow_mut().remove(id));
    drop(lock);
    actions::collect(&store).await;
    let mut pulled = result.map_err(|e| format!("{reference}: {e}"))?;
    if let (Some(offload), Some(before)) = (&offload, before) {
        offload.times().since(before, &mut pulled.stats);
    }
    Ok((log.into_iter().chain(pulled.lines).collect(), pulled.stats))
}
