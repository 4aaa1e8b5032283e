//! The console reads command lines as the real docker CLI 28.2.2 does: for each line below, the
//! same stdout, stderr and exit status for everything decided before a command runs (help,
//! unknown commands and flags, wrong argument counts). Needs no daemon: the CLI prints these
//! without connecting.

use std::process::Command;

use layerwise_core::cli::commands::{read, Read};
use layerwise_core::cli::shell;

use crate::common::{add_session, archives, judge_read_only, Harness};

/// What the real CLI prints for `line` (split by the console's own shell, so quoting is the
/// same on both sides).
fn docker(words: &[String]) -> (String, String, i32) {
    let out = Command::new("docker")
        .args(&words[1..])
        .env("DOCKER_HOST", "tcp://127.0.0.1:9")
        .env("DOCKER_CONFIG", std::env::temp_dir().join("layerwise-docker-config"))
        .output()
        .expect("the docker CLI");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code().unwrap_or(-1))
}

/// The cases of `tests/cases/console_reads.txt` (shared with the e2e suite).
fn lines() -> Vec<&'static str> {
    cases(include_str!("../../../tests/cases/console_reads.txt"))
}

/// The lines of a case file: each line that is not empty or a `#` comment.
fn cases(text: &'static str) -> Vec<&'static str> {
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect()
}

#[test]
fn the_console_reads_command_lines_as_the_docker_cli_does() {
    let mut differ = Vec::new();
    let lines = lines();
    for line in &lines {
        let commands = shell::parse(line).expect("parse");
        let words = shell::expand(&commands[0], &mut |_| String::new());
        let ours = match read(&words) {
            Read::Print { stdout, stderr, status } => (stdout, stderr, status),
            Read::Run(inv) => (String::new(), format!("(would run {:?})", inv.spec.path), 0),
        };
        let theirs = docker(&words);
        if ours != theirs {
            differ.push(format!("{line}\n  docker: {theirs:?}\n  ours:   {ours:?}"));
        }
    }
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));
}

/// Lines that run against a store: the console over the harness's store prints what the docker
/// CLI prints when pointed at the harness.
/// The cases of `tests/cases/console_runs.txt` (shared with the e2e suite).
fn run_lines() -> Vec<&'static str> {
    cases(include_str!("../../../tests/cases/console_runs.txt"))
}

#[test]
fn read_only_commands_print_what_the_docker_cli_prints_for_the_same_store() {
    let h = Harness::start(&archives());
    // Two edit sessions, as the page stores them.
    add_session(&h, 1, "test/app:1", "/app/run.sh --with \"quotes\" and a long tail", 0);
    add_session(&h, 2, "test/app:1", "", 0);
    let lines = run_lines();
    let differ = judge_read_only(&h, &lines);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));
}

#[test]
fn search_prints_what_the_docker_cli_prints_for_the_same_results() {
    use layerwise_core::cli::run::search_output;
    use layerwise_core::view::SearchResult;
    use layerwise_registry::search::SearchQuery;
    let h = Harness::start(&[]);
    let result = |name: &str, description: &str, stars: u64, official: bool| SearchResult { name: name.into(), description: description.into(), star_count: stars, is_official: official, is_automated: false };
    let results = vec![
        result("busybox", "Busybox base image.", 3300, true),
        result("someone/busybox-extra", "a busybox\nwith extras, and a description long enough to be cut at forty-five characters", 3, false),
        result("x/y", "", 0, false),
    ];
    h.state.set_search_results(results.clone());
    for line in [
        "docker search busybox",
        "docker search --no-trunc busybox",
        "docker search --limit 2 busybox",
        "docker search -f stars=10 busybox",
        "docker search --filter is-official=true busybox",
        "docker search --filter is-official=false --no-trunc busybox",
        "docker search --format '{{.Name}}: {{.StarCount}} {{.IsOfficial}}' busybox",
        "docker search --format 'table {{.Name}}\\t{{.Description}}' busybox",
        "docker search --format json busybox",
    ] {
        let words = shell::expand(&shell::parse(line).expect("parse")[0], &mut |_| String::new());
        let (theirs, stderr, _) = h.docker_output(&words[1..]);
        assert!(stderr.is_empty(), "{line}: {stderr}");
        let Read::Run(inv) = read(&words) else { panic!("{line}") };
        let mut query = SearchQuery::new(&inv.given.args[0]);
        if let Some(limit) = inv.given.value("limit") {
            query.limit = limit.parse().expect("limit");
        }
        for f in inv.given.values("filter") {
            query.filter(f).expect("filter");
        }
        assert_eq!(search_output(&query.apply(results.clone()), &inv.given).stdout, theirs, "{line}");
    }
}

#[test]
fn pull_prints_what_the_docker_cli_prints_for_the_same_progress() {
    use layerwise_registry::progress::{default_tag_line, docker_lines, engine_messages};
    use layerwise_registry::pull::{LayerStatus, PullEvent};
    let h = Harness::start(&[]);
    let (a, b) = ("0123456789ab".to_owned(), "ba9876543210".to_owned());
    let layer = |id: &String, status| PullEvent::Layer { id: id.clone(), status };
    for (typed, asked) in [("test/app:1", "1"), ("test/app", "latest")] {
        let events = [
            PullEvent::Resolved { line: format!("{asked}: Pulling from test/app"), layers: vec![a.clone(), b.clone()] },
            layer(&a, LayerStatus::AlreadyExists),
            layer(&b, LayerStatus::Waiting),
            layer(&b, LayerStatus::Downloading { done: 10, total: 20 }),
            layer(&b, LayerStatus::Resuming { attempt: 1 }),
            layer(&b, LayerStatus::Downloading { done: 20, total: 20 }),
            layer(&b, LayerStatus::PullComplete),
        ];
        let digest = format!("Digest: sha256:{}", "c".repeat(64));
        let status = format!("Status: Downloaded newer image for test/app:{asked}");
        let mut messages: Vec<serde_json::Value> = events.iter().flat_map(engine_messages).collect();
        messages.extend([serde_json::json!({ "status": digest }), serde_json::json!({ "status": status })]);
        h.state.set_pull_messages(messages);
        let (theirs, stderr, code) = h.docker_output(&["pull".to_owned(), typed.to_owned()]);
        assert_eq!((stderr.as_str(), code), ("", 0), "{typed}");
        // The console: its log, then the pull's own last lines (as `Pulled::lines` has them).
        let ours: String = default_tag_line(typed)
            .map(str::to_owned)
            .into_iter()
            .chain(events.iter().flat_map(docker_lines))
            .chain([digest.clone(), status.clone(), format!("docker.io/test/app:{asked}")])
            .map(|l| l + "\n")
            .collect();
        assert_eq!(ours, theirs, "{typed}");
    }
}
