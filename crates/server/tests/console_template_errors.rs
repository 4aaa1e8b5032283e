//! Templates that fail while they execute: for each line below the console prints what the
//! docker CLI 28.2 prints (its Go `text/template` error after `template parsing error: `, the
//! position as `line:col`, the node, and Go's words for the failure), on stderr, with the same
//! stdout and exit status. A list's row is docker's formatter context (a Go struct named in the
//! error); an inspected object, when its typed struct fails, the `map[string]interface {}` the
//! CLI decodes its JSON into with `missingkey=error`.

use layerwise_core::cli::commands::{read, Read};
use layerwise_core::cli::run::search_output;
use layerwise_core::view::SearchResult;

use crate::common::{add_session, archives, judge_read_only, words, Harness};

/// `docker images`, `history` and `image inspect` lines, over the fixtures' images.
const IMAGE_LINES: &[&str] = &[
    // A field docker's struct lacks; a field of a string; inside a call.
    "docker images --format '{{.Nope}}'",
    "docker images --format '{{.ID.X}}'",
    "docker images --format '{{index .Nope 1}}'",
    "docker images --format '{{len .ID.X}}'",
    "docker images --format '{{json .Nope}}'",
    "docker images --format '{{if .Nope}}x{{end}}'",
    "docker images --format '{{$x := .ID}}{{$x.Nope}}'",
    // Positions: a second line (written as \n and as a newline), a trimmed format.
    "docker images --format '{{.ID}}\\n  {{.Nope}}'",
    "docker images --format '{{.ID}}\n{{.Nope}}'",
    "docker images --format '  {{.Nope}}'",
    // A method given arguments; a function given too many; a pipeline's value as the last one.
    "docker images --format '{{.ID 1}}'",
    "docker images --format '{{len .ID .ID}}'",
    "docker images --format '{{.Repository | json .ID}}'",
    // index: a byte of a string, past its end (at the end Go fails inside reflect).
    "docker images --format '{{index .ID 1}}'",
    "docker images --format '{{index .ID 12}}'",
    "docker images --format '{{index .ID 100}}'",
    "docker images --format '{{range .ID}}x{{end}}'",
    // table: rows fail first; with no rows the header prints as far as it gets, no error.
    "docker images --format 'table {{.ID}}\\t{{.Nope}}'",
    "docker images --format 'table {{.ID}} {{.Nope}}' nothing",
    "docker images --format 'table {{.ID.X}}' nothing",
    "docker history --format '{{.Nope}}' test/app:1",
    "docker history --format '{{.CreatedBy.X}}' test/app:1",
    "docker history --format 'table {{.ID}}\\t{{.Nope}}' test/app:1",
    // inspect: a missing key, nested; a field of a value held in an interface.
    "docker inspect -f '{{.Nope}}' test/app:1",
    "docker image inspect --format '{{len .History}} {{.Config.WorkingDir}}' test/app:1",
    "docker inspect -f '{{.Config.Nope.X}}' test/app:1",
    "docker inspect -f '{{.Config.Env.X}}' test/app:1",
    "docker inspect -f '{{.Os.X}}' test/app:1",
    "docker inspect -f '{{.RootFS.Layers.X}}' test/app:1",
    "docker inspect -f '{{.Metadata.LastTagTime.X}}' test/base:1",
    "docker inspect -f '{{$.Config.Nope}}' test/app:1",
    "docker inspect -f 'a\nb {{.Os}} {{.Nope}}' test/app:1",
    // A field the typed struct has and the JSON leaves out fails in the map.
    "docker inspect -f '{{.Config.ArgsEscaped.X}}' test/app:1",
    // A Go map of the typed struct has no entry: no value, no error.
    "docker inspect -f '{{.Config.Labels.nope}}' test/app:1",
    "docker inspect -f '{{.Config.Labels.X}}' test/base:1",
    // The typed struct fails and the map renders.
    "docker inspect -f '{{index .Config \"Nope\"}}|{{.Size}}' test/app:1",
    // Values out of a pipeline or variable have their own types.
    "docker inspect -f '{{$x := .Config.Env}}{{$x.X}}' test/app:1",
    "docker inspect -f '{{$x := .Size}}{{$x.X}}' test/app:1",
    "docker inspect -f '{{$x := .Os}}{{$x.X}}' test/app:1",
    "docker inspect -f '{{$x := index .Config \"Nope\"}}{{$x.X}}' test/app:1",
    "docker inspect -f '{{(.Os).X}}' test/app:1",
    "docker inspect -f '{{(index .Config.Env 0).X}}' test/app:1",
    "docker inspect -f '{{with .Config}}{{.Nope}}{{end}}' test/app:1",
    "docker inspect -f '{{range .Config.Env}}{{.X}}{{end}}' test/app:1",
    "docker inspect -f '{{range .Os}}x{{end}}' test/app:1",
    // index out of range, at the end, negative; keys of the wrong type; through no value.
    "docker inspect -f '{{index .Config.Env 5}}' test/app:1",
    "docker inspect -f '{{index .RootFS.Layers 2}}' test/app:1",
    "docker inspect -f '{{index .Config.Env -1}}' test/app:1",
    "docker inspect -f '{{index .Config.Env \"a\"}}' test/app:1",
    "docker inspect -f '{{index .Config.Env 1.5}}' test/app:1",
    "docker inspect -f '{{index . \"Nope\" \"X\"}}' test/app:1",
    "docker inspect -f '{{printf \"%s\" (index .Config.Env 5)}}' test/app:1",
    // Arguments a map key or a function does not take.
    "docker inspect -f '{{.Os 1}}' test/app:1",
    "docker inspect -f '{{len .Config.Env 1}}' test/app:1",
    "docker inspect -f '{{json}}' test/app:1",
    "docker inspect -f '{{join .Config.Env}}' test/app:1",
    // Every object's error, in the order of the names; an empty line when none rendered.
    "docker inspect -f '{{.Os}}{{.Nope}}' test/app:1 test/base:1",
    "docker inspect -f '{{.Nope}}' nothing test/app:1 test/base:1",
    "docker inspect -f '{{.Os}}' nothing",
    "docker image inspect -f '{{.Nope}}' nothing test/app:1",
];

#[test]
fn failing_templates_over_images_print_what_the_docker_cli_prints() {
    let h = Harness::start(&archives());
    let differ = judge_read_only(&h, IMAGE_LINES);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), IMAGE_LINES.len(), differ.join("\n"));
}

#[test]
fn failing_templates_over_containers_print_what_the_docker_cli_prints() {
    let h = Harness::start(&archives());
    let first = add_session(&h, 1, "test/app:1", "/app/run.sh --with \"quotes\"", 0);
    add_session(&h, 2, "test/base:1", "", 0);
    let name = h.state.containers().iter().find(|c| c.id == first).map(|c| c.name.clone()).unwrap_or_default();
    let lines = [
        format!("docker inspect -f '{{{{.Nope}}}}' {name}"),
        format!("docker inspect --type container -f '{{{{.State.Nope}}}}' {name}"),
        format!("docker inspect -f '{{{{.Config.Env.X}}}}' {name}"),
        format!("docker inspect -f '{{{{.Name.X}}}}' {name}"),
        format!("docker inspect -f '{{{{index .Args 9}}}}' {name}"),
        format!("docker inspect -f '{{{{.Name}}}} {{{{.Nope}}}}' {name} test/app:1"),
        "docker ps -a --format '{{.Nope}}'".to_owned(),
        "docker ps -a --format '{{.Names.X}}'".to_owned(),
        "docker ps -a --format 'table {{.ID}}\\t{{.Nope}}'".to_owned(),
        "docker ps -a --format '{{index .Names 99}}'".to_owned(),
        // docker ps first runs the template as written over no container.
        "docker ps -a --format '{{index .Names 0}}'".to_owned(),
        "docker ps -a --format '{{index .CreatedAt 30}}'".to_owned(),
        "docker ps -a --format '{{if .ID}}{{.Nope}}{{end}}'".to_owned(),
        "docker ps -a -q --format '{{.Nope}}'".to_owned(),
        // No rows: no error; the header prints as far as it gets.
        "docker ps --format '{{.Nope}}'".to_owned(),
        "docker ps --format 'table {{.Names}}\\t{{.Nope}}'".to_owned(),
    ];
    let differ = judge_read_only(&h, &lines);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));
}

#[test]
fn failing_templates_over_search_results_print_what_the_docker_cli_prints() {
    let h = Harness::start(&[]);
    let results = vec![SearchResult { name: "busybox".into(), description: "Busybox base image.".into(), star_count: 3300, is_official: true, is_automated: false }];
    h.state.set_search_results(results.clone());
    for line in [
        "docker search --format '{{.Nope}}' busybox",
        "docker search --format '{{.Name.X}}' busybox",
        "docker search --format 'table {{.Name}}\\t{{.Nope}}' busybox",
        "docker search --format '{{index .StarCount 9}}' busybox",
    ] {
        let words = words(line);
        let theirs = h.docker_output(&words[1..]);
        let Read::Run(inv) = read(&words) else { panic!("{line}") };
        let ours = search_output(&results, &inv.given);
        assert_eq!((ours.stdout, ours.stderr, ours.status), theirs, "{line}");
    }
}
