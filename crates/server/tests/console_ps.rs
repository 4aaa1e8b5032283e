//! `docker ps` with filters, a limit, sizes and `--format`: the harness lists edit sessions as
//! the daemon does (moby `daemon/list.go`) and the console prints what the docker CLI prints.

use crate::common::{add_session, archives, judge_read_only, Harness};

#[test]
fn ps_filters_and_formats_print_what_the_docker_cli_prints() {
    let h = Harness::start(&archives());
    let first = add_session(&h, 1, "test/app:1", "/app/run.sh --with \"quotes\" and a long tail", 0);
    add_session(&h, 2, "test/app:1", "", 5_000);
    let base = add_session(&h, 3, "test/base:1", "/bin/sh", 1_234_567);
    let sessions = h.state.containers();
    let name = |id: &str| sessions.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let (first_name, base_name) = (name(&first), name(&base));
    // Part of a name (the daemon matches names as regular expressions, anywhere in the name).
    let part = &first_name[first_name.len() - 3..];
    let base_id = h.state.images().iter().find(|i| i.repo_tags.contains(&"test/base:1".to_owned())).map(|i| i.id.to_string()).unwrap_or_default();
    let lines = [
        "docker ps".to_owned(),
        "docker ps -f status=created".to_owned(),
        "docker container ls --filter status=created --filter status=exited -q".to_owned(),
        "docker ps -a -f status=running".to_owned(),
        "docker ps -f status=up".to_owned(),
        "docker ps -a -f colour=red".to_owned(),
        format!("docker ps -a -f name={first_name}"),
        format!("docker ps -a -f name=/{first_name}"),
        format!("docker ps -a -f name={part}"),
        format!("docker ps -a -f name=^{part}"),
        "docker ps -a -f name=[".to_owned(),
        format!("docker ps -a -f id={}", &first[..6]),
        format!("docker ps -a -f id={first}"),
        "docker ps -a -f id=0".to_owned(),
        format!("docker ps -a -f id={} -f name={base_name}", &first[..6]),
        format!("docker ps -a -f id={} -f name={first_name} --no-trunc", &first[..6]),
        "docker ps -a -f ancestor=test/app:1".to_owned(),
        "docker ps -a -f ancestor=test/base:1".to_owned(),
        format!("docker ps -a -f ancestor={}", &base_id[7..19]),
        format!("docker ps -a -f ancestor={base_id}"),
        "docker ps -a -f ancestor=nothing".to_owned(),
        "docker ps -a -f ancestor=nothing -f ancestor=test/app".to_owned(),
        "docker ps -a -f exited=0".to_owned(),
        "docker ps -a -f exited=x".to_owned(),
        "docker ps -a -f label=a=b".to_owned(),
        "docker ps -a -f health=none".to_owned(),
        "docker ps -a -f health=sick".to_owned(),
        "docker ps -a -f is-task=false".to_owned(),
        "docker ps -a -f is-task=true".to_owned(),
        "docker ps -a -f is-task=maybe".to_owned(),
        "docker ps -a -f publish=80:80".to_owned(),
        "docker ps -a -f volume=/data".to_owned(),
        format!("docker ps -a -f before={first_name}"),
        format!("docker ps -a -f since={base}"),
        format!("docker ps -a -f before={}", &first[..6]),
        "docker ps -n 1".to_owned(),
        "docker ps -n 0x2 --format '{{.Names}}'".to_owned(),
        "docker ps -l".to_owned(),
        "docker ps -l -n 3 -q".to_owned(),
        "docker ps -n=-1".to_owned(),
        "docker ps -a -s".to_owned(),
        "docker ps -a -s --no-trunc".to_owned(),
        "docker ps -a --format json".to_owned(),
        "docker ps -a --format '{{json .}}'".to_owned(),
        "docker ps -a --format 'table {{.ID}}\\t{{.Size}}\\t{{.CreatedAt}}'".to_owned(),
        "docker ps -a --size=false --format '{{.Names}} {{.Size}}'".to_owned(),
        "docker ps -a --format 'table {{.Labels}}\\t{{.Mounts}}\\t{{.Networks}}\\t{{.LocalVolumes}}\\t{{.State}}'".to_owned(),
        "docker ps -a -q --format '{{.Names}}'".to_owned(),
        "docker ps -a -q --no-trunc -f status=created".to_owned(),
    ];
    let differ = judge_read_only(&h, &lines);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));
}
