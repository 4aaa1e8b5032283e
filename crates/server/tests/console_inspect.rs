//! `docker inspect --type container|image [-s]` and `docker image inspect --format`: the harness
//! answers `GET /containers/{name}/json` with an edit session's inspect view and finds sessions
//! as the daemon does (full ID, name, unique ID prefix); the console looks names up as the CLI
//! does (a container first, then an image) and prints what the CLI prints.

use crate::common::{add_session, sessions_sharing_a_digit, archives, judge_read_only, Harness};

#[test]
fn inspect_by_type_with_sizes_prints_what_the_docker_cli_prints() {
    let h = Harness::start(&archives());
    let first = add_session(&h, 1, "test/app:1", "/app/run.sh", 0);
    add_session(&h, 2, "test/app:1", "", 5_000);
    let base = add_session(&h, 3, "test/base:1", "/bin/sh", 1_234_567);
    let shared = sessions_sharing_a_digit(&h, 4);
    let sessions = h.state.containers();
    let name = |id: &str| sessions.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let (first_name, base_name) = (name(&first), name(&base));
    let short = &first[..7];
    let lines = [
        format!("docker inspect {first_name}"),
        format!("docker inspect /{first_name}"),
        format!("docker inspect -s {short}"),
        format!("docker inspect --size {first}"),
        format!("docker inspect --type container {first_name}"),
        format!("docker inspect --type=container -s -f '{{{{.SizeRw}}}} {{{{.SizeRootFs}}}} {{{{.State.Status}}}}' {first_name} {base_name}"),
        format!("docker inspect -f '{{{{.Name}}}} {{{{.Config.Image}}}} {{{{.Path}}}} {{{{json .Args}}}} {{{{.Config.Hostname}}}} {{{{.Platform}}}}' {base}"),
        format!("docker inspect -f '{{{{json .State}}}}' {base_name}"),
        "docker inspect --type container test/app:1".to_owned(),
        format!("docker inspect --type container nothing {first_name}"),
        "docker inspect --type image test/app:1".to_owned(),
        "docker inspect --type image -s test/app:1 nothing".to_owned(),
        "docker inspect -s test/app:1".to_owned(),
        format!("docker inspect -s {first_name} test/base:1 nothing"),
        format!("docker inspect --type image {first_name}"),
        "docker inspect --type bogus test/app:1".to_owned(),
        format!("docker inspect {shared}"),
        format!("docker inspect -f '{{{{.Id}}}}' {shared} test/app:1"),
        format!("docker inspect --type container {shared}"),
        "docker image inspect --format '{{.Id}} {{.Os}} {{.Size}}' test/app:1 test/base:1".to_owned(),
        "docker image inspect -f '{{json .RootFS}} {{.Metadata.LastTagTime}}' test/app:1".to_owned(),
        "docker image inspect --format json test/base:1".to_owned(),
        "docker image inspect -f '{{.RepoTags}}' nothing test/base:1".to_owned(),
        "docker image inspect -f '{{.Config.Env}} {{.Config.Cmd}} {{.Config.Labels}} {{.RepoDigests}}' test/app:1".to_owned(),
        "docker image inspect -f '{{.Config.Entrypoint}}|{{.Variant}}|{{.Config.Volumes}}|{{json .Config.Volumes}}|{{json .Config.Labels}}' test/app:1".to_owned(),
        format!("docker inspect -f '{{{{.Args}}}} {{{{.Config.Entrypoint}}}} {{{{.Config.Volumes}}}} {{{{.Mounts}}}}' {first_name}"),
        "docker ps -a --format '{{.Platform}}'".to_owned(),
    ];
    let differ = judge_read_only(&h, &lines);
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), lines.len(), differ.join("\n"));
}
