//! Messages between the page and its workers. They travel as JSON strings; a dropped `File`
//! travels beside an import worker's request as a structured-clone of the browser object.

use layerwise_core::cli::run::Output;
use layerwise_core::import::{ImagePreview, ImportStats};
use layerwise_core::spec::ImageConfig;
use layerwise_core::view::SearchResult;
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Import the `File` sent with this message.
    Import {
        /// A unique ID for this import.
        id: String,
        /// The file's name, for messages.
        name: String,
        /// The platform of a multi-platform archive: `""` (linux/amd64), `all`, or `os/arch[/variant]`.
        #[serde(default)]
        platform: String,
    },
    /// `docker commit`: the edit session `container` as a new image.
    Commit {
        /// A unique ID for this commit (its progress record's key).
        id: String,
        /// The edit session's ID.
        container: String,
        /// `REPO[:TAG]`, or empty for an untagged image.
        tag: String,
        /// `--author`.
        author: String,
        /// `--message`.
        message: String,
    },
    /// `docker pull`.
    Pull {
        /// A unique ID for this pull (its import record's key).
        id: String,
        /// `NAME[:TAG|@DIGEST]`.
        reference: String,
        /// `""` (linux/amd64) or `os/arch[/variant]`.
        #[serde(default)]
        platform: String,
        /// Reach the registry directly (it sends CORS headers) instead of through the proxy.
        #[serde(default)]
        direct: bool,
        /// Credentials for the registry, if the user typed some: kept in the worker's memory
        /// for this session only.
        #[serde(default)]
        login: Option<(String, String)>,
    },
    /// Stop the pull `id` (queued or running); it fails as cancelled and keeps nothing.
    Cancel {
        /// The pull.
        id: String,
    },
}

/// What the worker tells the page. `memory` is the worker's WASM linear memory in bytes
/// (`WebAssembly.Memory.buffer.byteLength`, which never shrinks, so the last value is the peak).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The worker has started and cleaned up after earlier sessions.
    Ready {
        /// Blobs removed because no image needed them.
        collected: usize,
        /// Worker memory.
        memory: u64,
    },
    /// An import read the archive's metadata.
    Planned {
        /// The import.
        id: String,
        /// The images the metadata describes, not yet verified.
        images: Vec<ImagePreview>,
        /// Layer bytes to read.
        total: u64,
        /// Worker memory.
        memory: u64,
    },
    /// Layer bytes read so far.
    Progress {
        /// The import.
        id: String,
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
        /// Worker memory.
        memory: u64,
    },
    /// A pull's progress: the lines `docker pull` shows now (one per layer, after the
    /// `TAG: Pulling from NAME` line).
    Pulling {
        /// The pull.
        id: String,
        /// The lines.
        lines: Vec<String>,
        /// Worker memory.
        memory: u64,
    },
    /// An import committed its images.
    Done {
        /// The import.
        id: String,
        /// What `docker load` would print.
        lines: Vec<String>,
        /// Where the time went.
        #[serde(default)]
        stats: ImportStats,
        /// Worker memory.
        memory: u64,
    },
    /// An import failed; the store is as it was.
    Failed {
        /// The import.
        id: String,
        /// What went wrong.
        error: String,
        /// Worker memory.
        memory: u64,
    },
}

/// What the page asks of the console worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToConsole {
    /// Run command `index` (from 0) of `line`, over the store as it is now: a line's commands
    /// are asked for one at a time, so each sees what the changing ones before it did.
    Run {
        /// Matches the reply to the request.
        id: u64,
        /// The line as typed.
        line: String,
        /// Which of its commands.
        index: usize,
    },
    /// Ask a registry something for the Registry view (the answer is untrusted JSON, read
    /// here and not on the page).
    Registry {
        /// Matches the reply to the request.
        id: u64,
        /// What to ask.
        ask: RegistryAsk,
        /// Reach the registry directly instead of through the proxy.
        direct: bool,
    },
    /// The config of a stored image, for the image page.
    Config {
        /// Matches the reply to the request.
        id: u64,
        /// The image ID.
        image: String,
    },
    /// Are you there? Asked while a request waits; a worker whose event loop no longer turns
    /// (a command that loops) cannot answer.
    Ping,
}

/// What the Registry view asks a registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistryAsk {
    /// `docker search TERM --limit N --filter F...`.
    Search {
        /// The term (`host/term` searches that registry's catalog).
        term: String,
        /// `--limit`.
        limit: Option<u32>,
        /// `--filter`s.
        filters: Vec<String>,
    },
    /// A repository's tags (at most 10 pages of 100).
    Tags {
        /// The repository's name.
        name: String,
    },
}

/// What a registry answered, read in the console worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryAnswer {
    /// Search results.
    Found(Vec<SearchResult>),
    /// A repository's tags.
    Tags(Vec<String>),
}

/// What the console worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromConsole {
    /// The worker listens (anything posted before this would be lost).
    Ready,
    /// The answer to a [`ToConsole::Ping`].
    Pong,
    /// A command panicked, saying this; the worker's WASM traps next and the worker is done.
    Panicked {
        /// The panic's message and place.
        message: String,
    },
    /// The answer to a [`ToConsole::Registry`], or the error that stood for it.
    Registry {
        /// The request's.
        id: u64,
        /// The answer.
        answer: Result<RegistryAnswer, String>,
    },
    /// The answer to a [`ToConsole::Config`].
    Config {
        /// The request's.
        id: u64,
        /// The config, or why it could not be read.
        answer: Result<Box<ImageConfig>, String>,
    },
    /// The answer to a [`ToConsole::Run`].
    Reply {
        /// The request's.
        id: u64,
        /// What the command did.
        outcome: Outcome,
        /// No command of the line follows (the last one ran, or the line stops here: it does
        /// not parse, or the store could not be read).
        last: bool,
    },
}

/// What one command of a console line did in the console worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran there (or could not run: help, errors): what it printed.
    Printed(Output),
    /// It changes the store or needs the page (rmi, tag, pull, commit, save, load): its words,
    /// `$(...)` expanded, for the page to run.
    Changing(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_as_tagged_json() {
        let e = Event::Progress { id: "a".into(), done: 1, total: 2, memory: 3 };
        assert!(matches!(serde_json::from_str(r#"{"kind":"done","id":"a","lines":[],"memory":1}"#), Ok(Event::Done { .. })));
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"progress","id":"a","done":1,"total":2,"memory":3}"#);
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }

    #[test]
    fn console_messages_round_trip_as_tagged_json() {
        let run = ToConsole::Run { id: 7, line: "docker images".into(), index: 0 };
        let json = serde_json::to_string(&run).unwrap();
        assert_eq!(json, r#"{"kind":"run","id":7,"line":"docker images","index":0}"#);
        assert_eq!(serde_json::from_str::<ToConsole>(&json).unwrap(), run);
        let printed = Output { stdout: "a\n".into(), stderr: String::new(), status: 0 };
        for outcome in [Outcome::Printed(printed), Outcome::Changing(vec!["docker".into(), "rmi".into()])] {
            let reply = FromConsole::Reply { id: 7, outcome, last: true };
            assert_eq!(serde_json::from_str::<FromConsole>(&serde_json::to_string(&reply).unwrap()).unwrap(), reply);
        }
        assert_eq!(serde_json::to_string(&FromConsole::Pong).unwrap(), r#"{"kind":"pong"}"#);
    }
}
