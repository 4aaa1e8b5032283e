//! `docker inspect` and `docker image inspect` (docker/cli `system/inspect.go`,
//! `image/inspect.go`): each name looked up as the CLI does (with no `--type`, a container
//! first, then an image), the objects printed as a JSON array or through `--format`, each
//! error after them.

use serde_json::Value;

use super::commands::{Action, Invocation};
use super::run::{Output, Snapshot};
use super::template;
use crate::container::{self, LookupError};
use crate::store;
use crate::view;

/// The `--type` values docker takes, in its error's order.
const TYPES: [&str; 10] = ["config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"];

/// What one name found: a container or an image, or an error to print after the objects.
enum Found {
    Container(Value),
    Image(Value),
    Error(String),
}

/// `docker inspect [--type container|image] [-s] [-f FORMAT] NAME…` and `docker image inspect`.
pub(super) fn inspect(inv: &Invocation, s: &Snapshot<'_>) -> Output {
    let g = &inv.given;
    let kind = if inv.spec.action == Action::ImageInspect { "image" } else { g.value("type").unwrap_or("") };
    if !kind.is_empty() && !TYPES.contains(&kind) {
        let types: Vec<String> = TYPES.iter().map(|t| format!("\"{t}\"")).collect();
        return Output::err(format!("unknown type: \"{kind}\": must be one of {}\n", types.join(", ")), 1);
    }
    if !["", "container", "image"].contains(&kind) {
        return Output::err(format!("--type {kind} is not supported by this console yet\n"), 1);
    }
    let size = g.bool("size");
    // Each object, and whether it is an image.
    let (mut found, mut warnings, mut errors) = (Vec::<(Value, bool)>::new(), String::new(), String::new());
    for name in &g.args {
        match lookup(name, kind, size, inv.spec.action, s) {
            Found::Container(v) => found.push((v, false)),
            Found::Image(v) => {
                // The CLI warns as it finds an image, and prints errors after every object.
                if size {
                    warnings.push_str("WARNING: --size ignored for image\n");
                }
                found.push((v, true));
            }
            Found::Error(e) => errors.push_str(&format!("{e}\n")),
        }
    }
    let status = i32::from(!errors.is_empty());
    let stderr = warnings + &errors;
    let objects = || found.iter().map(|(v, _)| v);
    match g.value("format").unwrap_or("") {
        "" => return Output { stdout: view::inspect_json(&objects().collect::<Vec<_>>()), stderr, status },
        // The daemon's JSON of each, as it came, in one compact array.
        "json" => return Output { stdout: format!("[{}]\n", objects().map(Value::to_string).collect::<Vec<_>>().join(",")), stderr, status },
        _ => {}
    }
    let format = match g.value("format").map(template::Format::parse) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Output::err(format!("{e}\n"), 1),
        None => return Output { stdout: String::new(), stderr, status },
    };
    let mut stdout = String::new();
    for (item, image) in &found {
        let value = typed(template::value(item), *image);
        match format.render_value(value) {
            Ok(line) => {
                stdout.push_str(&line);
                stdout.push('\n');
            }
            Err(e) => return Output { stdout, stderr: format!("{stderr}{e}\n"), status: 1 },
        }
    }
    Output { stdout, stderr, status }
}

/// A template renders over docker's typed structs (`image.InspectResponse`,
/// `container.InspectResponse`), not over the JSON: the value gets the zero values of the
/// fields the JSON leaves out, and an image's `LastTagTime` prints as Go prints a `time.Time`.
fn typed(mut value: template::Value, image: bool) -> template::Value {
    use template::Zero::{Bool, Map, Slice, Text};
    let config = [
        ("User", Text),
        ("ExposedPorts", Map),
        ("Env", Slice),
        ("Entrypoint", Slice),
        ("Cmd", Slice),
        ("Volumes", Map),
        ("WorkingDir", Text),
        ("Labels", Map),
        ("StopSignal", Text),
        ("ArgsEscaped", Bool),
        ("OnBuild", Slice),
        ("Shell", Slice),
    ];
    template::fill_zeros(&mut value, &["Config"], &config);
    if image {
        template::fill_zeros(&mut value, &[], &[("Variant", Text), ("OsVersion", Text)]);
        template::set_go_time(&mut value, &["Metadata", "LastTagTime"]);
    } else {
        template::fill_zeros(&mut value, &[], &[("Args", Slice)]);
    }
    value
}

/// One name, looked up as `kind` (`""`: a container, else an image).
fn lookup(name: &str, kind: &str, size: bool, action: Action, s: &Snapshot<'_>) -> Found {
    if kind != "image" {
        match container::resolve(s.containers, name) {
            Ok(c) => {
                let image = s.images.iter().find(|i| i.id == c.image);
                let config = (s.config)(&c.image);
                return Found::Container(serde_json::to_value(view::container_inspect(c, image, config.as_ref(), size)).unwrap_or(Value::Null));
            }
            // Only "not found" lets the CLI try the next type.
            Err(e @ LookupError::Ambiguous(_)) => return Found::Error(format!("Error response from daemon: {e}")),
            Err(e) if kind == "container" => return Found::Error(format!("Error response from daemon: {e}")),
            Err(LookupError::NotFound(_)) => {}
        }
    }
    match store::resolve(s.images, name).and_then(|i| (s.config)(&i.id).map(|c| view::inspect(i, &c))) {
        Some(r) => Found::Image(serde_json::to_value(r).unwrap_or(Value::Null)),
        None if action == Action::Inspect && kind.is_empty() => Found::Error(format!("Error: No such object: {name}")),
        None => Found::Error(format!("Error response from daemon: {}", store::no_such_image(name))),
    }
}
