//! The real docker daemon (dockerd 20.10, classic image store) as the judge: archives it saved
//! import and print as it prints them, and archives we save it loads and runs.
//!
//! Which docker judges what: the daemon judges load, run and commit; the docker CLI 28.2 prints
//! both sides, against the daemon (API 1.41, negotiated down) and against the harness (1.50).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use layerwise_core::tar::{EntryKind, TarEvent, TarStream};
use layerwise_testkit::Daemon;
use serde_json::Value;

use crate::common::Harness;

/// The archives the daemon saved, made once per test run (by whichever test first holds the
/// daemon).
pub(crate) struct Made {
    /// `docker import` of a busybox root filesystem: `test/busybox:1`.
    pub(crate) base: PathBuf,
    /// A classic-builder build on it (`#(nop)` steps, empty layers, a whiteout): `test/built:1`.
    pub(crate) build: PathBuf,
    /// `docker run` + a change + `docker commit -a -m -c` (the tutorial's commit): `test/tutorial:1`.
    pub(crate) commit: PathBuf,
    /// The three in one save.
    pub(crate) several: PathBuf,
    /// `docker save | gzip` of the three.
    pub(crate) gzipped: PathBuf,
}

/// The Dockerfile of `test/built:1`.
const DOCKERFILE: &str = r#"FROM test/busybox:1
LABEL org.opencontainers.image.title="layerwise test" Maintainer=tests
ENV GREETING=hi PATH=/usr/local/bin:/usr/bin:/bin
RUN mkdir -p /opt/app && echo built > /opt/app/built.txt && echo scratch > /tmp/scratch && rm /tmp/scratch && rm /bin/vi
COPY files/ /opt/app/files/
WORKDIR /opt/app
EXPOSE 8080/tcp 53/udp
USER app
CMD ["sh", "-c", "echo $GREETING"]
"#;

/// The tutorial's change, as `docker run` makes it.
pub(crate) const TUTORIAL_RUN: &str = "echo 'Welcome to Layerwise' > /etc/motd && mkdir /data && rm /bin/vi";

/// The tutorial's `docker commit` options (before the container and the tag).
pub(crate) const TUTORIAL_COMMIT: [&str; 12] = [
    "-a",
    "Layerwise Tests <tests@example.com>",
    "-m",
    "Add a welcome message",
    "-c",
    "ENV MODE=tutorial",
    "-c",
    r#"CMD ["cat","/etc/motd"]"#,
    "-c",
    "WORKDIR /data",
    "-c",
    "USER app",
];

/// The archives, made with `daemon` (which the caller holds) the first time.
pub(crate) fn made(daemon: &Daemon) -> &'static Made {
    static MADE: OnceLock<Made> = OnceLock::new();
    MADE.get_or_init(|| make(daemon).expect("make the daemon's archives"))
}

fn make(d: &Daemon) -> std::io::Result<Made> {
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-archives-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("context/files/nested"))?;
    d.reset()?;
    d.import_busybox("test/busybox:1")?;
    std::fs::write(dir.join("context/Dockerfile"), DOCKERFILE)?;
    std::fs::write(dir.join("context/files/readme.txt"), "copied\n")?;
    std::fs::write(dir.join("context/files/nested/data.bin"), [0u8, 1, 2, 255])?;
    d.docker(&["build", "-q", "-t", "test/built:1", &dir.join("context").display().to_string()])?;
    d.docker(&["run", "--name", "tutorial", "--network", "none", "test/busybox:1", "sh", "-c", TUTORIAL_RUN])?;
    d.docker(&[&["commit"][..], &TUTORIAL_COMMIT, &["tutorial", "test/tutorial:1"]].concat())?;
    let path = |name: &str| dir.join(name);
    let save = |out: &Path, names: &[&str]| d.docker(&[&["save", "-o", &out.display().to_string()][..], names].concat()).map(drop);
    let made = Made { base: path("base.tar"), build: path("build.tar"), commit: path("commit.tar"), several: path("several.tar"), gzipped: path("several.tar.gz") };
    save(&made.base, &["test/busybox:1"])?;
    save(&made.build, &["test/built:1"])?;
    save(&made.commit, &["test/tutorial:1"])?;
    save(&made.several, &["test/busybox:1", "test/built:1", "test/tutorial:1"])?;
    let gzip = std::process::Command::new("gzip").arg("-c").arg(&made.several).output()?;
    std::fs::write(&made.gzipped, gzip.stdout)?;
    Ok(made)
}

/// Runs `args` through the CLI against the daemon and against the harness until both print
/// the same, at most three times (a relative time may tick between the two); the last pair
/// when they never agree.
pub(crate) fn both(d: &Daemon, h: &Harness, args: &[&str]) -> (String, String) {
    let mut last = (String::new(), String::new());
    for _ in 0..3 {
        let theirs = d.docker(args).unwrap_or_else(|e| panic!("{e}"));
        let ours = h.docker(args);
        if theirs == ours {
            return (theirs, ours);
        }
        last = (theirs, ours);
    }
    last
}

/// Asserts the CLI prints `args` the same against the daemon and the harness.
pub(crate) fn assert_same(d: &Daemon, h: &Harness, args: &[&str], what: &str) {
    let (theirs, ours) = both(d, h, args);
    assert_eq!(ours, theirs, "{what}: docker {}\n--- daemon:\n{theirs}\n--- harness:\n{ours}", args.join(" "));
}

/// Fields of `docker image inspect` that API 1.41 (the daemon) has and 1.50 (the harness, as
/// docker 28 answers) does not: `Container` and `ContainerConfig` (removed from the API in
/// 1.45), `VirtualSize` (removed in 1.44), and in `Config` the container-only fields 1.47
/// stopped reporting for images. `GraphDriver` is the daemon's storage driver (`vfs` here):
/// a browser store has none. And 1.41 writes `Config` as moby's `container.Config`, every field
/// present (`"Env": null`, `"User": ""`), where 1.50 writes the OCI image config, whose empty
/// fields are omitted: empty values are dropped from `Config` on both sides.
const VERSION_FIELDS: [&str; 4] = ["Container", "ContainerConfig", "VirtualSize", "GraphDriver"];
const CONTAINER_ONLY_CONFIG: [&str; 9] = ["Hostname", "Domainname", "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Image"];

/// `docker image inspect` of `name` as the daemon prints it, without the fields of
/// [`VERSION_FIELDS`] and [`CONTAINER_ONLY_CONFIG`], and `Config` without empty values.
pub(crate) fn daemon_inspect(d: &Daemon, name: &str) -> Value {
    let mut value: Value = serde_json::from_str(&d.docker(&["image", "inspect", name]).unwrap()).unwrap();
    for image in value.as_array_mut().unwrap() {
        let image = image.as_object_mut().unwrap();
        for field in VERSION_FIELDS {
            image.remove(field);
        }
        if let Some(config) = image.get_mut("Config").and_then(Value::as_object_mut) {
            for field in CONTAINER_ONLY_CONFIG {
                config.remove(field);
            }
        }
    }
    without_empty_config(value)
}

/// `docker image inspect` of `name` as the harness prints it, `Config` without empty values.
pub(crate) fn harness_inspect(h: &Harness, name: &str) -> Value {
    without_empty_config(serde_json::from_str(&h.docker(&["image", "inspect", name])).unwrap())
}

fn without_empty_config(mut value: Value) -> Value {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    for image in value.as_array_mut().into_iter().flatten() {
        if let Some(config) = image.get_mut("Config").and_then(Value::as_object_mut) {
            config.retain(|_, v| !empty(v));
        }
    }
    value
}

/// A name for each image the daemon lists: its `repo:tag`, or its ID when it has none.
fn tags(d: &Daemon) -> Vec<String> {
    let listed = d.docker(&["images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]).unwrap();
    listed.lines().filter_map(|l| l.split_once(' ')).map(|(tag, id)| if tag.contains("<none>") { id.to_owned() } else { tag.to_owned() }).collect()
}

/// Loads `archive` into the emptied daemon and into a new harness; asserts `docker images`
/// (also `-a --no-trunc`), `docker history` (also `--no-trunc`) and `docker image inspect`
/// agree for each image.
pub(crate) fn judge(d: &Daemon, archive: &Path) {
    let what = archive.file_name().unwrap().to_string_lossy().into_owned();
    d.reset().unwrap();
    d.docker(&["load", "-i", &archive.display().to_string()]).unwrap();
    let h = Harness::start(&[archive.to_path_buf()]);
    assert_same(d, &h, &["images"], &what);
    assert_same(d, &h, &["images", "-a", "--no-trunc"], &what);
    let names = tags(d);
    assert!(!names.is_empty(), "{what}: the daemon lists no image");
    for name in &names {
        assert_same(d, &h, &["history", name], &what);
        assert_same(d, &h, &["history", "--no-trunc", name], &what);
        assert_eq!(harness_inspect(&h, name), daemon_inspect(d, name), "{what}: docker image inspect {name}");
    }
}

#[test]
fn archives_the_daemon_saved_print_as_the_daemon_prints_them() {
    let d = Daemon::shared();
    let m = made(&d);
    for archive in [&m.base, &m.build, &m.commit, &m.several, &m.gzipped] {
        judge(&d, archive);
    }
}

/// A file in a tar stream, as compared: everything but its time.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FileRow {
    pub(crate) kind: EntryKind,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) link: Option<String>,
    pub(crate) content: Vec<u8>,
}

/// The entries of a tar stream by path (a leading `./` and trailing `/` dropped).
pub(crate) fn tar_rows(bytes: &[u8]) -> BTreeMap<String, FileRow> {
    let mut rows = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut stream = TarStream::new();
    stream
        .feed(bytes, &mut |event| match event {
            TarEvent::Entry(e) => {
                let path = e.path.trim_start_matches("./").trim_end_matches('/').to_owned();
                rows.insert(path.clone(), FileRow { kind: e.kind, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, link: e.link, content: Vec::new() });
                current = Some(path);
            }
            TarEvent::Data(data) => {
                if let Some(row) = current.as_ref().and_then(|p| rows.get_mut(p)) {
                    row.content.extend_from_slice(data);
                }
            }
        })
        .expect("a tar stream");
    rows
}

/// Saves `names` from the harness with `docker save -o`; the archive's path.
pub(crate) fn save_from(h: &Harness, names: &[&str], out: &Path) -> PathBuf {
    h.docker(&[&["save", "-o", &out.display().to_string()][..], names].concat());
    out.to_path_buf()
}

/// Loads `archive` (one the harness saved) into the emptied daemon: its lines must be those a
/// new harness prints for the same `docker load`, and the daemon must then list and describe
/// the images as that harness does.
pub(crate) fn assert_daemon_loads(d: &Daemon, archive: &Path, what: &str) {
    let predicted = Harness::start(&[]);
    let lines = predicted.docker(&["load", "-i", &archive.display().to_string()]);
    d.reset().unwrap();
    let loaded = d.docker(&["load", "-i", &archive.display().to_string()]).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(loaded, lines, "{what}: docker load");
    assert_same(d, &predicted, &["images", "-a", "--no-trunc"], what);
    for name in tags(d) {
        assert_same(d, &predicted, &["history", "--no-trunc", &name], what);
        assert_eq!(harness_inspect(&predicted, &name), daemon_inspect(d, &name), "{what}: docker image inspect {name}");
    }
}

#[test]
fn what_the_harness_saves_the_daemon_loads_as_we_predict() {
    let d = Daemon::shared();
    let m = made(&d);
    let mut sources = crate::common::archives();
    sources.push(m.several.clone());
    let h = Harness::start(&sources);
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-saves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut all: Vec<String> = h.state.images().iter().flat_map(|i| i.repo_tags.clone()).collect();
    all.sort();
    for (n, name) in all.iter().enumerate() {
        let archive = save_from(&h, &[name], &dir.join(format!("{n}.tar")));
        assert_daemon_loads(&d, &archive, name);
    }
    let names: Vec<&str> = all.iter().map(String::as_str).collect();
    let archive = save_from(&h, &names, &dir.join("all.tar"));
    assert_daemon_loads(&d, &archive, "every image in one save");
    assert_eq!(d.docker(&["run", "--rm", "--network", "none", "test/built:1"]).unwrap(), "hi\n");
}

/// What `docker load` of `archive` gives in the emptied daemon: its lines, or its error.
fn daemon_load(d: &Daemon, archive: &Path) -> Result<String, String> {
    d.reset().unwrap();
    let out = d.docker_output(&["load", "-i", &archive.display().to_string()], None).unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_owned();
    if out.status.success() { Ok(text(&out.stdout)) } else { Err(text(&out.stderr)) }
}

/// Every real archive of `../shared/fixtures`: where the daemon loads it, we import it and the
/// CLI prints the same over both; where it refuses, we say what we do instead (the table in
/// RELIABILITY.md is this test's output).
#[test]
fn every_fixture_the_daemon_loads_we_load_and_print_alike() {
    let d = Daemon::shared();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("notice: {} is absent; skipped", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e != "md")).collect();
    paths.sort();
    let mut table = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let theirs = daemon_load(&d, path);
        let ours = layerwise_server::engine_api::State::load(std::slice::from_ref(path)).map(|s| s.images().len()).map_err(|e| e.to_string());
        table.push(format!("| `{name}` | {} | {} |", theirs.as_ref().map_or_else(|e| format!("refused: {e}"), |l| l.replace('\n', "; ")), ours.as_ref().map_or_else(|e| format!("refused: {e}"), |n| format!("{n} image(s)"))));
        match &theirs {
            // It loads nothing and says nothing; we say so (RELIABILITY.md, "Policy").
            Ok(lines) if lines.is_empty() => assert!(ours.as_ref().is_err_and(|e| e.contains("holds no images")), "{name}: {ours:?}"),
            Ok(_) => {
                assert!(ours.is_ok(), "{name}: the daemon loads it, we refuse: {ours:?}");
                judge(&d, path);
            }
            Err(_) => {}
        }
    }
    eprintln!("{}", table.join("\n"));
}

/// An edit session on `image` (in the harness), with `changes` and the files' bytes; its ID.
fn add_session(h: &Harness, image: &str, changes: layerwise_core::change::ChangeSet, files: &[(&str, &[u8])]) -> String {
    let images = h.state.images();
    let base = layerwise_core::store::resolve(&images, image).expect("the session's image");
    for (key, bytes) in files {
        h.state.add_session_file(key, bytes.to_vec());
    }
    let id = layerwise_core::digest::Digest::of(format!("session on {image}").as_bytes()).hex().to_owned();
    h.state.add_container(layerwise_core::container::ContainerRecord {
        id: id.clone(),
        name: "edit_session".to_owned(),
        image: base.id.clone(),
        image_ref: image.to_owned(),
        created_ms: crate::common::now() as f64 * 1000.0,
        command: String::new(),
        changes,
    });
    id
}

fn write(changes: &mut layerwise_core::change::ChangeSet, path: &str, entry: layerwise_core::change::NewEntry, mode: u32) {
    changes.writes.insert(path.to_owned(), layerwise_core::change::Write { entry, mode });
}

fn file(key: &str, bytes: &[u8]) -> layerwise_core::change::NewEntry {
    layerwise_core::change::NewEntry::File { content: key.to_owned(), size: bytes.len() as u64 }
}

/// The tutorial's change as an edit session makes it: the same files as [`TUTORIAL_RUN`].
fn tutorial_session(h: &Harness) -> String {
    use layerwise_core::change::{ChangeSet, NewEntry};
    const MOTD: &[u8] = b"Welcome to Layerwise\n";
    let mut changes = ChangeSet::default();
    write(&mut changes, "etc/motd", file("motd", MOTD), 0o644);
    write(&mut changes, "data", NewEntry::Directory, 0o755);
    changes.deletes.insert("bin/vi".to_owned());
    add_session(h, "test/busybox:1", changes, &[("motd", MOTD)])
}

/// Runs `args` in a new container of the daemon (no network, removed after); its stdout.
fn run(d: &Daemon, image: &str, args: &[&str]) -> String {
    d.docker(&[&["run", "--rm", "--network", "none", image][..], args].concat()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_edit_session_committed_and_saved_runs_in_the_daemon_as_edited() {
    use layerwise_core::change::{ChangeSet, NewEntry};
    let d = Daemon::shared();
    let m = made(&d);
    let h = Harness::start(&[m.base.clone()]);
    const MOTD: &[u8] = b"Edited in the page\n";
    const SCRIPT: &[u8] = b"#!/bin/sh\necho hello from layerwise\n";
    let mut changes = ChangeSet::default();
    write(&mut changes, "etc/motd", file("motd", MOTD), 0o644);
    write(&mut changes, "etc/motd.link", NewEntry::Symlink("motd".to_owned()), 0o777);
    write(&mut changes, "usr/local/bin/hello", file("hello", SCRIPT), 0o755);
    write(&mut changes, "data", NewEntry::Directory, 0o750);
    changes.deletes.insert("bin/vi".to_owned());
    changes.modes.insert("etc/group".to_owned(), 0o640);
    let session = add_session(&h, "test/busybox:1", changes, &[("motd", MOTD), ("hello", SCRIPT)]);
    h.docker(&[&["commit"][..], &TUTORIAL_COMMIT, &[&session, "test/edited:1"]].concat());
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-edited-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = save_from(&h, &["test/edited:1"], &dir.join("edited.tar"));
    assert_daemon_loads(&d, &archive, "the committed edit session");
    let image = "test/edited:1";
    // CMD, ENV, WORKDIR and USER as the commit set them.
    assert_eq!(run(&d, image, &[]), "Edited in the page\n");
    assert!(run(&d, image, &["env"]).lines().any(|l| l == "MODE=tutorial"));
    assert_eq!(run(&d, image, &["pwd"]), "/data\n");
    assert_eq!(run(&d, image, &["id", "-u"]), "1000\n");
    // Files, modes and links as the session made them; the deleted file is gone.
    assert_eq!(run(&d, image, &["hello"]), "hello from layerwise\n");
    assert_eq!(run(&d, image, &["cat", "/etc/motd.link"]), "Edited in the page\n");
    assert_eq!(run(&d, image, &["readlink", "/etc/motd.link"]), "motd\n");
    let modes = run(&d, image, &["stat", "-c", "%a %F %n", "/usr/local/bin/hello", "/etc/motd", "/data", "/etc/group"]);
    assert_eq!(modes, "755 regular file /usr/local/bin/hello\n644 regular file /etc/motd\n750 directory /data\n640 regular file /etc/group\n");
    let gone = d.docker_output(&["run", "--rm", "--network", "none", image, "ls", "/bin/vi"], None).unwrap();
    assert!(!gone.status.success(), "/bin/vi is still there");
    assert!(run(&d, image, &["ls", "/bin"]).lines().any(|l| l == "sh"), "the rest of /bin is kept");
}

/// The files of a container made from `image` in the daemon, as `docker export` writes them.
fn exported(d: &Daemon, image: &str) -> BTreeMap<String, FileRow> {
    let id = d.docker(&["create", "--network", "none", image]).unwrap().trim().to_owned();
    let out = d.docker_output(&["export", &id], None).unwrap();
    assert!(out.status.success(), "docker export: {}", String::from_utf8_lossy(&out.stderr));
    d.docker(&["rm", &id]).unwrap();
    tar_rows(&out.stdout)
}

/// The fields of an image that a change decides, as the daemon describes them: the run config
/// without the container's own fields, the author and the comment.
fn change_fields(d: &Daemon, image: &str) -> Value {
    let mut v = daemon_inspect(d, image);
    let image = &mut v[0];
    serde_json::json!({ "Config": image["Config"].take(), "Author": image["Author"].take(), "Comment": image["Comment"].take() })
}

#[test]
fn the_tutorials_change_made_by_docker_commit_and_by_an_edit_session_is_the_same_image() {
    let d = Daemon::shared();
    let m = made(&d);
    let h = Harness::start(&[m.base.clone()]);
    let session = tutorial_session(&h);
    h.docker(&[&["commit"][..], &TUTORIAL_COMMIT, &[&session, "test/tutorial-edit:1"]].concat());
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-tutorial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ours = save_from(&h, &["test/tutorial-edit:1"], &dir.join("ours.tar"));
    d.reset().unwrap();
    d.docker(&["load", "-i", &m.commit.display().to_string()]).unwrap();
    d.docker(&["load", "-i", &ours.display().to_string()]).unwrap();
    let (theirs, ours) = ("test/tutorial:1", "test/tutorial-edit:1");
    assert_eq!(exported(&d, ours), exported(&d, theirs), "the files of a container of each");
    assert_eq!(change_fields(&d, ours), change_fields(&d, theirs), "config, author and comment");
    // History rows of the same shape: one row per step, the same sizes and comments (the
    // command differs: the session ran none).
    let shape = |image: &str| d.docker(&["history", "--format", "{{.Size}}|{{.Comment}}", image]).unwrap();
    assert_eq!(shape(ours), shape(theirs), "docker history");
    assert_eq!(run(&d, ours, &[]), run(&d, theirs, &[]));
}

/// A `docker save` from before docker 1.10, built by code: `repositories`, and a folder per v1
/// image (`json`, `layer.tar`, `VERSION`), the child naming its parent. The `json` files are
/// written as docker 1.9 wrote them (indented, keys in any order, a `<`/`&` in a command).
fn legacy_archive(out: &Path) {
    use layerwise_core::tar::TarWriter;
    let base_id = "a1".repeat(32);
    let child_id = "b2".repeat(32);
    let base_layer = TarWriter::new().dir("etc").file("etc/hello", b"hello\n", 0o644).file("bin/tool", b"#!/bin/sh\n", 0o755).finish();
    let child_layer = TarWriter::new().dir("etc").file("etc/child", b"child\n", 0o600).file("bin/.wh.tool", b"", 0o644).finish();
    let base_json = format!(
        r##"{{
  "id": "{base_id}",
  "created": "2015-11-05T19:14:31.123456789Z",
  "container": "3f2a",
  "container_config": {{"Hostname": "3f2a", "Cmd": ["/bin/sh", "-c", "#(nop) ADD file:0123 in /"], "Env": null}},
  "docker_version": "1.9.1",
  "config": {{"Env": ["PATH=/usr/bin:/bin"], "Cmd": null, "Labels": {{}}}},
  "architecture": "amd64",
  "os": "linux",
  "Size": 17
}}"##
    );
    let child_json = format!(
        r##"{{"id":"{child_id}","parent":"{base_id}","created":"2015-11-05T19:14:32Z","container_config":{{"Cmd":["/bin/sh","-c","echo child > /etc/child && rm /bin/tool # <a> & b"]}},"author":"Tester <t@example.com>","comment":"the child","docker_version":"1.9.1","config":{{"Env":["PATH=/usr/bin:/bin"],"Cmd":["cat","/etc/child"]}},"architecture":"amd64","os":"linux","Size":6,"throwaway":false}}"##
    );
    let repositories = format!(r#"{{"test/legacy":{{"1":"{child_id}"}},"test/legacy-base":{{"1":"{base_id}"}}}}"#);
    let mut archive = TarWriter::new();
    for (id, json, layer) in [(&base_id, &base_json, &base_layer), (&child_id, &child_json, &child_layer)] {
        archive.dir(id).file(&format!("{id}/VERSION"), b"1.0", 0o644).file(&format!("{id}/json"), json.as_bytes(), 0o644).file(&format!("{id}/layer.tar"), layer, 0o644);
    }
    std::fs::write(out, archive.file("repositories", repositories.as_bytes(), 0o644).finish()).unwrap();
}

/// docker 28 still loads pre-1.10 archives (moby removed that in 29), making each image's
/// config from its v1 `json`: dockerd 20.10 loads the one built by code, plain and compressed as
/// a whole, with the IDs, history and inspect we compute.
#[test]
fn a_pre_1_10_archive_imports_with_the_daemons_ids() {
    let d = Daemon::shared();
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-legacy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("legacy.tar");
    legacy_archive(&archive);
    judge(&d, &archive);
    // Compressed as a whole, as `docker save | gzip` and `| xz` write it: dockerd loads it alike.
    for (program, name) in [("gzip", "legacy.tar.gz"), ("xz", "legacy.tar.xz")] {
        let out = std::process::Command::new(program).arg("-c").arg(&archive).output().unwrap();
        assert!(out.status.success(), "{program}");
        std::fs::write(dir.join(name), out.stdout).unwrap();
        judge(&d, &dir.join(name));
    }
}
