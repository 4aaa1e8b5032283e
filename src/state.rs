//! The page's state and its one reducer. Pure: no browser calls, tested natively.

use std::rc::Rc;

use layerwise_core::import::{ImagePreview, ImportStats};
use layerwise_core::store::ImageRecord;

use crate::protocol::Event;
use crate::route::Route;

/// How an import in this session is going.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportStatus {
    /// Waiting for the worker, or reading metadata.
    Queued,
    /// A pull: the lines `docker pull` shows so far.
    Pulling(Vec<String>),
    /// Streaming layers.
    Running {
        /// Layer bytes read.
        done: u64,
        /// Layer bytes in all.
        total: u64,
    },
    /// Committed: `docker load`'s lines.
    Done(Vec<String>),
    /// Refused; the store is as it was.
    Failed(String),
}

/// One import of this session.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The import's ID.
    pub id: String,
    /// The file's name.
    pub name: String,
    /// When it was handed to the worker (ms since the epoch), for its rate.
    pub started_ms: f64,
    /// Where it stands.
    pub status: ImportStatus,
    /// While its layers are verified, the images the archive's metadata describes.
    pub previews: Rc<Vec<ImagePreview>>,
}

impl ImportRow {
    /// Queued or running (not yet done or failed).
    pub fn is_active(&self) -> bool {
        matches!(self.status, ImportStatus::Queued | ImportStatus::Running { .. } | ImportStatus::Pulling(_))
    }
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The current view.
    pub route: Route,
    /// The stored images (`None` until first read from the store).
    pub images: Option<Rc<Vec<ImageRecord>>>,
    /// This session's imports, newest last.
    pub imports: Vec<ImportRow>,
    /// The largest WASM memory the import worker has reported (its own and its tar side's), in bytes.
    pub worker_memory_peak: u64,
    /// True once the worker has started.
    pub worker_ready: bool,
    /// A problem outside any import (the store cannot be opened, the worker died).
    pub error: Option<String>,
    /// Where the last import's time went (shown in the diagnostics line, read by the benchmark).
    pub last_stats: Option<ImportStats>,
}

impl AppState {
    /// The state at page load.
    pub fn new(route: Route) -> Self {
        Self { route, images: None, imports: Vec::new(), worker_memory_peak: 0, worker_ready: false, error: None, last_stats: None }
    }
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The URL fragment changed.
    Navigate(Route),
    /// The store's images were (re)read.
    ImagesLoaded(Vec<ImageRecord>),
    /// A file was handed to the worker.
    ImportQueued {
        /// The import's ID.
        id: String,
        /// The file's name.
        name: String,
        /// Now, in ms since the epoch.
        at_ms: f64,
    },
    /// The worker reported something.
    Worker(Event),
    /// The worker faulted: its running imports failed; a new worker is starting.
    WorkerFailed(String),
    /// A problem outside any import.
    Failed(String),
    /// The user closed the error banner.
    DismissError,
    /// The user cleared finished imports from the list.
    ClearFinished,
    /// The user dismissed one finished import.
    DismissImport(String),
}

impl AppState {
    /// The state after `action`.
    pub fn reduce(mut self, action: Action) -> Self {
        match action {
            Action::Navigate(route) => self.route = route,
            Action::ImagesLoaded(images) => self.images = Some(Rc::new(images)),
            Action::ImportQueued { id, name, at_ms } => self.imports.push(ImportRow { id, name, started_ms: at_ms, status: ImportStatus::Queued, previews: Rc::default() }),
            Action::Worker(event) => self.apply(event),
            Action::WorkerFailed(message) => {
                for row in self.imports.iter_mut().filter(|i| i.is_active()) {
                    row.status = ImportStatus::Failed(format!("{message}; nothing was kept from this import"));
                }
                self.worker_ready = false;
                self.error = Some(message);
            }
            Action::Failed(message) => self.error = Some(message),
            Action::DismissError => self.error = None,
            Action::ClearFinished => self.imports.retain(ImportRow::is_active),
            Action::DismissImport(id) => self.imports.retain(|i| i.id != id || i.is_active()),
        }
        self
    }

    fn apply(&mut self, event: Event) {
        let mut previews = None;
        let (id, status, memory) = match event {
            Event::Ready { memory, .. } => {
                self.worker_ready = true;
                self.note_memory(memory);
                return;
            }
            Event::Planned { id, images, total, memory } => {
                previews = Some(Rc::new(images));
                (id, ImportStatus::Running { done: 0, total }, memory)
            }
            Event::Progress { id, done, total, memory } => (id, ImportStatus::Running { done, total }, memory),
            Event::Pulling { id, lines, memory } => (id, ImportStatus::Pulling(lines), memory),
            Event::Done { id, lines, stats, memory } => {
                self.last_stats = Some(stats);
                (id, ImportStatus::Done(lines), memory)
            }
            Event::Failed { id, error, memory } => (id, ImportStatus::Failed(error), memory),
        };
        self.note_memory(memory);
        match self.imports.iter_mut().find(|i| i.id == id) {
            Some(row) => {
                if let Some(previews) = previews {
                    row.previews = previews;
                }
                if !matches!(status, ImportStatus::Running { .. }) {
                    row.previews = Rc::default();
                }
                row.status = status;
            }
            None => {
                if let ImportStatus::Failed(e) = status {
                    self.error = Some(e);
                }
            }
        }
    }

    fn note_memory(&mut self, memory: u64) {
        self.worker_memory_peak = self.worker_memory_peak.max(memory);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_goes_from_queued_to_done_and_memory_keeps_its_peak() {
        let s = AppState::new(Route::Images).reduce(Action::ImportQueued { id: "1".into(), name: "a.tar".into(), at_ms: 0.0 });
        let s = s.reduce(Action::Worker(Event::Progress { id: "1".into(), done: 5, total: 10, memory: 300 }));
        assert_eq!(s.imports[0].status, ImportStatus::Running { done: 5, total: 10 });
        let s = s.reduce(Action::Worker(Event::Done { id: "1".into(), lines: vec!["Loaded image: a:1".into()], stats: ImportStats::default(), memory: 200 }));
        assert_eq!(s.imports[0].status, ImportStatus::Done(vec!["Loaded image: a:1".into()]));
        assert_eq!(s.worker_memory_peak, 300);
        assert!(s.clone().reduce(Action::ClearFinished).imports.is_empty());
        assert!(s.reduce(Action::DismissImport("1".into())).imports.is_empty());
    }

    #[test]
    fn a_worker_fault_fails_the_running_imports() {
        let s = AppState::new(Route::Images).reduce(Action::ImportQueued { id: "1".into(), name: "a.tar".into(), at_ms: 0.0 });
        let s = s.reduce(Action::WorkerFailed("the import worker failed: boom".into()));
        assert!(matches!(&s.imports[0].status, ImportStatus::Failed(e) if e.starts_with("the import worker failed: boom")));
        assert!(!s.worker_ready);
    }

    #[test]
    fn a_worker_fault_outside_an_import_shows_as_an_error() {
        let s = AppState::new(Route::Images).reduce(Action::Worker(Event::Failed { id: String::new(), error: "boom".into(), memory: 0 }));
        assert_eq!(s.error.as_deref(), Some("boom"));
    }
}
