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
    // Each name's object and whether it is an image, or the error to print after the objects.
    let (mut found, mut warnings) = (Vec::<Result<(Value, bool), String>>::new(), String::new());
    for name in &g.args {
        found.push(match lookup(name, kind, size, inv.spec.action, s) {
            Found::Container(v) => Ok((v, false)),
            Found::Image(v) => {
                // The CLI warns as it finds an image, and prints errors after every object.
                if size {
                    warnings.push_str("WARNING: --size ignored for image\n");
                }
                Ok((v, true))
            }
            Found::Error(e) => Err(e),
        });
    }
    let objects = || found.iter().filter_map(|f| f.as_ref().ok()).map(|(v, _)| v);
    let lookup_errors = || found.iter().filter_map(|f| f.as_ref().err()).map(|e| format!("{e}\n")).collect::<String>();
    let source = match g.value("format").unwrap_or("") {
        "" => return done(view::inspect_json(&objects().collect::<Vec<_>>()), warnings, lookup_errors()),
        // The daemon's JSON of each, as it came, in one compact array.
        "json" => return done(format!("[{}]\n", objects().map(Value::to_string).collect::<Vec<_>>().join(",")), warnings, lookup_errors()),
        source => source,
    };
    let format = match template::Format::parse(source) {
        Ok(t) => t,
        Err(e) => return Output::err(format!("{e}\n"), 1),
    };
    // Each object that renders prints a line; each that fails, its error after the objects, in
    // the order of the names (docker/cli `inspect.Inspect`).
    let (mut stdout, mut errors) = (String::new(), String::new());
    for f in &found {
        match f.as_ref().map_err(Clone::clone).and_then(|(item, image)| format.render_inspect(typed(template::value(item), *image), item)) {
            Ok(line) => {
                stdout.push_str(&line);
                stdout.push('\n');
            }
            Err(e) => errors.push_str(&format!("{e}\n")),
        }
    }
    // Its `Flush` prints an empty line when nothing rendered.
    if stdout.is_empty() {
        stdout.push('\n');
    }
    done(stdout, warnings, errors)
}

/// The output of an inspection: `errors` after `warnings`, and status 1 when there are any.
fn done(stdout: String, warnings: String, errors: String) -> Output {
    Output { stdout, status: i32::from(!errors.is_empty()), stderr: warnings + &errors }
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
    template::set_go_maps(&mut value, &["Config"], &["ExposedPorts", "Volumes", "Labels"]);
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
