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

const LINES: &[&str] = &[
    "docker images --foo",
    "docker images -x",
    "docker images -aqx",
    "docker images a b",
    "docker images --format",
    "docker images -f foo",
    "docker search --filter=stars busybox",
    "docker ps -f x",
    "docker image ls a b",
    "docker image list --help",
    "docker history",
    "docker history a b",
    "docker history -H=maybe busybox",
    "docker history --human=nope busybox",
    "docker image history",
    "docker inspect",
    "docker image inspect",
    "docker inspect -f",
    "docker rmi",
    "docker image rm",
    "docker image remove --nope x",
    "docker tag a",
    "docker tag a b c",
    "docker image tag a",
    "docker ps x",
    "docker container ls x",
    "docker ps -n",
    "docker ps -n x",
    "docker ps --last=0x",
    "docker container ls -n 99999999999999999999",
    "docker search",
    "docker search --limit",
    "docker pull",
    "docker image pull a b",
    "docker commit",
    "docker commit a b c",
    "docker save",
    "docker load x",
    "docker image load --nope",
    "docker nope",
    "docker image nope",
    "docker container nope x",
    "docker images --help",
    "docker images -h",
    "docker image ls --help",
    "docker history --help",
    "docker image history --help",
    "docker inspect --help",
    "docker image inspect --help",
    "docker rmi --help",
    "docker image rm --help",
    "docker tag --help",
    "docker image tag --help",
    "docker ps --help",
    "docker container ls --help",
    "docker search --help",
    "docker pull --help",
    "docker image pull --help",
    "docker commit --help",
    "docker container commit --help",
    "docker save --help",
    "docker image save --help",
    "docker load --help",
    "docker image load --help",
];

#[test]
fn the_console_reads_command_lines_as_the_docker_cli_does() {
    let mut differ = Vec::new();
    for line in LINES {
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
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), LINES.len(), differ.join("\n"));
}

/// Lines that run against a store: the console over the harness's store prints what the docker
/// CLI prints when pointed at the harness.
const RUN_LINES: &[&str] = &[
    "docker images",
    "docker images -a",
    "docker image ls -q",
    "docker images -aq",
    "docker images --no-trunc",
    "docker images -q --no-trunc",
    "docker images --digests",
    "docker images test/app",
    "docker images test/app:1",
    "docker images test/nothing",
    "docker images -f dangling=true",
    "docker images --filter dangling=false -q",
    "docker images -f before=test/app:1",
    "docker images -f since=test/base:1",
    "docker images -f label=org.opencontainers.image.title",
    "docker images -f label=org.opencontainers.image.title=app -f reference=test/*",
    "docker images -f label=org.opencontainers.image.title=nope",
    "docker images -f reference=test/*",
    "docker images -f reference=*",
    "docker images -f before=nothing",
    "docker images -f colour=red",
    "docker history test/app:1",
    "docker history --no-trunc test/app:1",
    "docker history -q test/app:1",
    "docker history -H=false test/app:1",
    "docker image history --human=false --no-trunc test/base:1",
    "docker history nothing",
    "docker inspect test/app:1",
    "docker inspect test/app:1 test/base:1",
    "docker inspect nothing",
    "docker inspect test/base:1 nothing",
    "docker image inspect nothing",
    "docker image inspect test/base:1",
    "docker ps",
    "docker ps -a",
    "docker ps -a --no-trunc",
    "docker ps -a --format '{{.Names}} {{.Image}} {{.Command}}'",
    "docker ps -a --format 'table {{.ID}}\\t{{.Names}}\\t{{.Status}}\\t{{.State}}'",
    "docker images --format '{{.Repository}}:{{.Tag}}'",
    "docker images --format 'table {{.ID}}\\t{{.Repository}}\\t{{.Size}}'",
    "docker images --format json",
    "docker images --format '{{json .}}'",
    "docker images --digests --format 'table {{.Repository}}\\t{{.Digest}}\\t{{.CreatedAt}}'",
    "docker history --format '{{.ID}} {{.CreatedBy}}' test/app:1",
    "docker history --format 'table {{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}' test/app:1",
    "docker history -H=false --format '{{.CreatedSince}} {{.Size}}' test/app:1",
    "docker history --format json test/base:1",
    "docker inspect -f '{{.Os}}/{{.Architecture}}' test/app:1",
    "docker inspect -f '{{json .Config.Env}}' test/app:1",
    "docker inspect --format '{{json .Config}}' test/app:1 test/base:1",
    "docker inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' test/app:1",
    "docker image inspect -f '{{.Author}}' test/app:1",
    "docker inspect -f '{{join .Config.Env \",\"}}' test/app:1",
];

#[test]
fn read_only_commands_print_what_the_docker_cli_prints_for_the_same_store() {
    let h = Harness::start(&archives());
    // Two edit sessions, as the page stores them.
    add_session(&h, 1, "test/app:1", "/app/run.sh --with \"quotes\" and a long tail", 0);
    add_session(&h, 2, "test/app:1", "", 0);
    let differ = judge_read_only(&h, RUN_LINES);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), RUN_LINES.len(), differ.join("\n"));
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
