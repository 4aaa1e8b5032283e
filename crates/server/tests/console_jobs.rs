//! `docker commit`, `docker save -o` and `docker load -i`: the harness answers `POST /commit`
//! with the core's commit, `GET /images/get` with the core's archive and `POST /images/load`
//! with the core's import; the real CLI prints the daemon's answers, and the console prints the
//! same from the core: `Committed::id`, `Imported::load_lines`, and `cli::changing`'s refusals
//! and job failures.

use std::path::Path;
use std::process::Command;

use layerwise_core::archive::{MemorySource, PlatformChoice};
use layerwise_core::cli::changing::{commit_target, job_failure, save_plan};
use layerwise_core::cli::commands::{read, Action, Invocation, Read};
use layerwise_core::cli::run::Output;
use layerwise_core::import::{import_archive, ImportError, ImportRequest, Imported};
use layerwise_core::layer::LocalPipeline;
use layerwise_core::store::MemoryStore;

use crate::common::{add_session, sessions_sharing_a_digit, archives, generated, shared_image_prefix, words, Harness};

fn invocation(line: &str) -> Invocation {
    match read(&words(line)) {
        Read::Run(inv) => inv,
        Read::Print { .. } => panic!("{line}: not a command"),
    }
}

fn triple(o: Output) -> (String, String, i32) {
    (o.stdout, o.stderr, o.status)
}

/// What the CLI prints for `line` against the harness.
fn docker(h: &Harness, line: &str) -> (String, String, i32) {
    h.docker_output(&words(line)[1..])
}

/// The core's import of `archive` into an empty store, as the page's worker runs it.
fn import(archive: &[u8]) -> Result<Vec<Imported>, ImportError> {
    let store = MemoryStore::new();
    let request = ImportRequest { id: "judge".into(), name: "judge".into(), platform: PlatformChoice::Default };
    futures::executor::block_on(import_archive(&MemorySource(archive.to_vec()), &store, &LocalPipeline, &request, &|| 0.0, &mut |_| {}))
}

#[test]
fn commit_prints_the_new_id_or_the_daemons_error() {
    let h = Harness::start(&archives());
    let first = add_session(&h, 1, "test/app:1", "/app/run.sh", 0);
    let second = add_session(&h, 2, "test/base:1", "", 0);
    let shared = sessions_sharing_a_digit(&h, 3);
    let sessions = h.state.containers();
    let first_name = sessions.iter().find(|c| c.id == first).map(|c| c.name.clone()).unwrap_or_default();

    for line in ["docker commit nothing".to_owned(), format!("docker commit {shared}"), format!("docker commit -c 'FOO bar' {first_name}"), format!("docker commit -c 'ENV' {first_name} test/x:1")] {
        let refused = commit_target(&invocation(&line).given, &sessions).expect_err("refused");
        assert_eq!(triple(refused), docker(&h, &line), "{line}");
    }
    for (line, session) in [(format!("docker commit {first_name}"), &first), (format!("docker commit -a me -m 'a message' -c 'ENV A=b' {} test/committed:1", &second[..8]), &second)] {
        let before = h.state.images();
        let theirs = docker(&h, &line);
        // The console commits the session the core resolves; the worker prints the new ID.
        assert_eq!(commit_target(&invocation(&line).given, &sessions).map(|c| &c.id), Ok(session), "{line}");
        let new: Vec<_> = h.state.images().into_iter().filter(|i| !before.iter().any(|b| b.id == i.id)).collect();
        assert_eq!(new.len(), 1, "{line}");
        assert_eq!(theirs, (format!("{}\n", new[0].id), String::new(), 0), "{line}");
    }
    let tagged = h.state.images().into_iter().find(|i| i.repo_tags.contains(&"test/committed:1".to_owned())).expect("the tagged commit");
    let config = h.state.config(&tagged.id).expect("its config");
    assert_eq!((config.author.as_deref(), config.config.map(|c| c.env.contains(&"A=b".to_owned()))), (Some("me"), Some(true)));
}

#[test]
fn save_writes_the_archive_or_prints_the_daemons_error() {
    let h = Harness::start(&archives());
    let p = shared_image_prefix(&h);
    let images = h.state.images();
    let dir = std::env::temp_dir().join(format!("layerwise-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let out = dir.join("app.tar");
    let out = out.display();
    for line in [
        format!("docker save -o {out} nothing"),
        format!("docker save -o {out} nothing:1"),
        format!("docker save -o {out} test/app:2"),
        format!("docker save -o {out} {p}"),
        format!("docker save -o {out} sha256:{p}"),
        format!("docker image save -o {out} test/app:1 nothing"),
    ] {
        let refused = save_plan(&invocation(&line).given, &images).map(|_| ()).expect_err("refused");
        assert_eq!(triple(refused), docker(&h, &line), "{line}");
    }
    // Saved, the archive loads back with its tags (docker save names only the tags asked for).
    let line = format!("docker save --output {out} test/app:1 test/base");
    let (chosen, file) = save_plan(&invocation(&line).given, &images).expect("saved");
    assert_eq!(file, "app.tar");
    assert_eq!(docker(&h, &line), triple(Output::default()), "{line}");
    let lines: Vec<String> = chosen.iter().flat_map(|i| i.repo_tags.iter().map(|t| format!("Loaded image: {t}\n"))).collect();
    let fresh = Harness::start(&[]);
    assert_eq!(docker(&fresh, &format!("docker load -i {out}")), (lines.concat(), String::new(), 0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn save_to_a_terminal_is_refused() {
    // The console is a terminal: docker refuses to write an archive to one. The CLI sees a
    // terminal only under a pseudo-terminal, which `script` gives it (its stderr goes to a file).
    let h = Harness::start(&[generated().join("base.docker.tar")]);
    let err = std::env::temp_dir().join(format!("layerwise-save-tty-{}", std::process::id()));
    let status = Command::new("script")
        .args(["-qec", &format!("docker save test/base:1 2>{}", err.display()), "/dev/null"])
        .env("DOCKER_HOST", format!("tcp://{}", h.addr))
        .env("DOCKER_CONFIG", std::env::temp_dir().join("layerwise-docker-config"))
        .output()
        .expect("script (util-linux)");
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    std::fs::remove_file(&err).ok();
    let refused = save_plan(&invocation("docker save test/base:1").given, &h.state.images()).map(|_| ()).expect_err("refused");
    assert_eq!(triple(refused), (String::from_utf8_lossy(&status.stdout).into_owned(), stderr, status.status.code().unwrap_or(-1)));
}

#[test]
fn load_prints_the_load_lines_or_the_imports_error() {
    let h = Harness::start(&[generated().join("base.docker.tar")]);
    for name in ["app.docker.tar", "app.oci.tar", "multi.podman.tar", "base.docker.tar"] {
        let path = generated().join(name);
        let lines: String = import(&std::fs::read(&path).expect("the archive")).expect("imported").iter().flat_map(Imported::load_lines).map(|l| l + "\n").collect();
        assert_eq!(docker(&h, &format!("docker load -i {}", path.display())), (lines, String::new(), 0), "{name}");
    }
    // A file that is not an archive: the daemon streams the import's error; the worker reports
    // it after the file's name, which docker does not print.
    let scratch = std::env::temp_dir().join(format!("layerwise-notar-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch directory");
    for (file, bytes) in [("notes.txt", b"not an archive\n".to_vec()), ("zeros.tar", vec![7u8; 2048])] {
        let path = scratch.join(file);
        std::fs::write(&path, &bytes).expect("written");
        let error = import(&bytes).expect_err("not an archive");
        let ours = job_failure(Action::Load, file, &format!("{file}: {error}"));
        assert_eq!(triple(ours), docker(&h, &format!("docker image load --input {}", path.display())), "{file}");
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(Path::new(&generated().join("app.docker.tar")).is_file());
}
