//! moby's fallback for a v1 `json` written by docker older than 1.8.3 (or naming no
//! `docker_version`): `MakeConfigFromV1Config` first reads it into `image.V1Image` and writes that
//! back with `json.Marshal`, which drops every key moby's structs do not know (the old resource
//! fields of `container_config`, say) and rewrites the rest. The image ID is the sha256 of the
//! config made from that, so the rewrite is reproduced byte for byte: fields in the structs'
//! order, Go's `omitempty`, `null` for nil lists and maps, map keys sorted, strings HTML-escaped.
//!
//! The structs are those of moby 20.10 (`image.V1Image`, `container.Config`,
//! `container.HealthConfig`); a test checks the result against dockerd.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{go_string, go_time};
use crate::spec::{self, null_default};

/// `image.V1Image`, as Go's `encoding/json` reads it.
#[derive(Debug, Default, Deserialize)]
struct V1Image {
    #[serde(default, deserialize_with = "null_default")]
    id: String,
    #[serde(default, deserialize_with = "null_default")]
    parent: String,
    #[serde(default, deserialize_with = "null_default")]
    comment: String,
    #[serde(default, deserialize_with = "null_default")]
    created: String,
    #[serde(default, deserialize_with = "null_default")]
    container: String,
    #[serde(default, deserialize_with = "null_default")]
    container_config: GoConfig,
    #[serde(default, deserialize_with = "null_default")]
    docker_version: String,
    #[serde(default, deserialize_with = "null_default")]
    author: String,
    #[serde(default)]
    config: Option<GoConfig>,
    #[serde(default, deserialize_with = "null_default")]
    architecture: String,
    #[serde(default, deserialize_with = "null_default")]
    variant: String,
    #[serde(default, deserialize_with = "null_default")]
    os: String,
    #[serde(default, rename = "Size", deserialize_with = "null_default")]
    size: i64,
}

/// `container.Config` of moby 20.10, every field; `None` is Go's nil.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct GoConfig {
    #[serde(deserialize_with = "null_default")]
    hostname: String,
    #[serde(deserialize_with = "null_default")]
    domainname: String,
    #[serde(deserialize_with = "null_default")]
    user: String,
    #[serde(deserialize_with = "null_default")]
    attach_stdin: bool,
    #[serde(deserialize_with = "null_default")]
    attach_stdout: bool,
    #[serde(deserialize_with = "null_default")]
    attach_stderr: bool,
    exposed_ports: Option<BTreeMap<String, Value>>,
    #[serde(deserialize_with = "null_default")]
    tty: bool,
    #[serde(deserialize_with = "null_default")]
    open_stdin: bool,
    #[serde(deserialize_with = "null_default")]
    stdin_once: bool,
    env: Option<Vec<String>>,
    #[serde(deserialize_with = "str_slice")]
    cmd: Option<Vec<String>>,
    healthcheck: Option<HealthConfig>,
    #[serde(deserialize_with = "null_default")]
    args_escaped: bool,
    #[serde(deserialize_with = "null_default")]
    image: String,
    volumes: Option<BTreeMap<String, Value>>,
    #[serde(deserialize_with = "null_default")]
    working_dir: String,
    #[serde(deserialize_with = "str_slice")]
    entrypoint: Option<Vec<String>>,
    #[serde(deserialize_with = "null_default")]
    network_disabled: bool,
    #[serde(deserialize_with = "null_default")]
    mac_address: String,
    on_build: Option<Vec<String>>,
    labels: Option<BTreeMap<String, String>>,
    #[serde(deserialize_with = "null_default")]
    stop_signal: String,
    stop_timeout: Option<i64>,
    #[serde(deserialize_with = "str_slice")]
    shell: Option<Vec<String>>,
}

/// `container.HealthConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct HealthConfig {
    test: Option<Vec<String>>,
    #[serde(deserialize_with = "null_default")]
    interval: i64,
    #[serde(deserialize_with = "null_default")]
    timeout: i64,
    #[serde(deserialize_with = "null_default")]
    start_period: i64,
    #[serde(deserialize_with = "null_default")]
    retries: i64,
}

/// `strslice.StrSlice`: a list, a single string, or `null` (nil).
fn str_slice<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(Option::<OneOrMany>::deserialize(d)?.map(|v| match v {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    }))
}

/// The `json` as moby rewrites it: read into `V1Image`, written back by `json.Marshal`.
///
/// # Errors
/// A reason when it does not read into the struct (moby fails the load then too).
pub(super) fn rewritten(raw: &[u8]) -> Result<Vec<u8>, String> {
    let v1: V1Image = spec::parse("the v1 `json`", raw).map_err(|e| e.to_string())?;
    let mut o = Object::default();
    o.str_omitempty("id", &v1.id).str_omitempty("parent", &v1.parent).str_omitempty("comment", &v1.comment);
    let created = go_time(&v1.created).ok_or_else(|| format!("`created` is not an RFC 3339 time: {}", v1.created))?;
    o.raw("created", go_string(&created)).str_omitempty("container", &v1.container).raw("container_config", config(&v1.container_config));
    o.str_omitempty("docker_version", &v1.docker_version).str_omitempty("author", &v1.author);
    if let Some(c) = &v1.config {
        o.raw("config", config(c));
    }
    o.str_omitempty("architecture", &v1.architecture).str_omitempty("variant", &v1.variant).str_omitempty("os", &v1.os);
    if v1.size != 0 {
        o.raw("Size", v1.size.to_string());
    }
    Ok(o.finish().into_bytes())
}

fn config(c: &GoConfig) -> String {
    let mut o = Object::default();
    o.raw("Hostname", go_string(&c.hostname)).raw("Domainname", go_string(&c.domainname)).raw("User", go_string(&c.user));
    o.raw("AttachStdin", c.attach_stdin.to_string()).raw("AttachStdout", c.attach_stdout.to_string()).raw("AttachStderr", c.attach_stderr.to_string());
    if let Some(ports) = c.exposed_ports.as_ref().filter(|p| !p.is_empty()) {
        o.raw("ExposedPorts", map(ports, |_| "{}".to_owned()));
    }
    o.raw("Tty", c.tty.to_string()).raw("OpenStdin", c.open_stdin.to_string()).raw("StdinOnce", c.stdin_once.to_string());
    o.raw("Env", list(c.env.as_ref())).raw("Cmd", list(c.cmd.as_ref()));
    if let Some(h) = &c.healthcheck {
        o.raw("Healthcheck", health(h));
    }
    if c.args_escaped {
        o.raw("ArgsEscaped", "true".to_owned());
    }
    o.raw("Image", go_string(&c.image)).raw("Volumes", c.volumes.as_ref().map_or("null".to_owned(), |v| map(v, |_| "{}".to_owned())));
    o.raw("WorkingDir", go_string(&c.working_dir)).raw("Entrypoint", list(c.entrypoint.as_ref()));
    if c.network_disabled {
        o.raw("NetworkDisabled", "true".to_owned());
    }
    o.str_omitempty("MacAddress", &c.mac_address).raw("OnBuild", list(c.on_build.as_ref()));
    o.raw("Labels", c.labels.as_ref().map_or("null".to_owned(), |l| map(l, |v| go_string(v))));
    o.str_omitempty("StopSignal", &c.stop_signal);
    if let Some(t) = c.stop_timeout {
        o.raw("StopTimeout", t.to_string());
    }
    if let Some(shell) = c.shell.as_ref().filter(|s| !s.is_empty()) {
        o.raw("Shell", list(Some(shell)));
    }
    o.finish()
}

fn health(h: &HealthConfig) -> String {
    let mut o = Object::default();
    if let Some(test) = h.test.as_ref().filter(|t| !t.is_empty()) {
        o.raw("Test", list(Some(test)));
    }
    for (name, n) in [("Interval", h.interval), ("Timeout", h.timeout), ("StartPeriod", h.start_period), ("Retries", h.retries)] {
        if n != 0 {
            o.raw(name, n.to_string());
        }
    }
    o.finish()
}

/// A Go slice: `null` when nil.
fn list(items: Option<&Vec<String>>) -> String {
    items.map_or("null".to_owned(), |items| format!("[{}]", items.iter().map(|s| go_string(s)).collect::<Vec<_>>().join(",")))
}

/// A Go map: keys sorted (the `BTreeMap`'s order is Go's byte order for string keys).
fn map<V>(m: &BTreeMap<String, V>, value: impl Fn(&V) -> String) -> String {
    format!("{{{}}}", m.iter().map(|(k, v)| format!("{}:{}", go_string(k), value(v))).collect::<Vec<_>>().join(","))
}

/// A JSON object written member by member, in the order given.
#[derive(Default)]
struct Object(Vec<String>);

impl Object {
    fn raw(&mut self, key: &str, value: String) -> &mut Self {
        self.0.push(format!("{}:{value}", go_string(key)));
        self
    }

    fn str_omitempty(&mut self, key: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.raw(key, go_string(value));
        }
        self
    }

    fn finish(&self) -> String {
        format!("{{{}}}", self.0.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_go_and_known_ones_are_written_as_go_writes_them() {
        let raw = br##"{"id":"a1","created":"2014-10-01T20:46:08.914288461Z","container_config":{"Hostname":"h","Cpuset":"","Memory":0,"Cmd":["/bin/sh","-c","#(nop) <x>"],"Env":null,"PortSpecs":null},"config":null,"Size":5,"docker_version":"1.2.0","architecture":"amd64","os":"linux"}"##;
        let out = String::from_utf8(rewritten(raw).unwrap()).unwrap();
        assert_eq!(
            out,
            r##"{"id":"a1","created":"2014-10-01T20:46:08.914288461Z","container_config":{"Hostname":"h","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["/bin/sh","-c","#(nop) \u003cx\u003e"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"docker_version":"1.2.0","architecture":"amd64","os":"linux","Size":5}"##
        );
    }
}
