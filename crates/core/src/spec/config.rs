//! The image config (image-spec `config.md`), with the fields Docker adds.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::null_default;
use crate::digest::Digest;

/// An image config. Unknown fields are ignored, as moby's loader ignores them (the raw bytes are
/// kept wherever the config is).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// When the image was created, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Who made the image (`docker commit -a`, `MAINTAINER`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// CPU architecture, e.g. `amd64`.
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    /// Architecture variant, e.g. `v7`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Operating system, e.g. `linux`.
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    /// Operating system version (Windows images).
    #[serde(rename = "os.version", default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// The default run configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<RunConfig>,
    /// The layers' uncompressed digests, base first.
    pub rootfs: RootFs,
    /// One entry per build step, oldest first; entries with `empty_layer` have no layer.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
    /// Docker: the commit message of the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Docker: the daemon version that made the image (legacy builder and commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_version: Option<String>,
}

/// `rootfs` of a config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    /// sha256 of each uncompressed layer tar, base first.
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<Digest>,
}

/// One `history` entry of a config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// When the step ran, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The command of the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// A free comment (`docker commit -m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// The `config` object of an image config: what a container starts with.
///
/// Field order is that of Docker's `DockerOCIImageConfig`, which is how `docker inspect` prints
/// it; absent and empty fields are left out, as Go's `omitempty` does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// The user the process runs as.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Ports, `80/tcp` → `{}`.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Map::is_empty")]
    pub exposed_ports: Map<String, Value>,
    /// `KEY=value` strings.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// The entrypoint; Docker also accepts a bare string.
    #[serde(default, deserialize_with = "str_slice", skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// The command; Docker also accepts a bare string.
    #[serde(default, deserialize_with = "str_slice", skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// Volumes, path → `{}`.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Map::is_empty")]
    pub volumes: Map<String, Value>,
    /// The working directory.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    /// Labels.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Map::is_empty")]
    pub labels: Map<String, Value>,
    /// The stop signal.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    /// Windows: the command line is already escaped.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "std::ops::Not::not")]
    pub args_escaped: bool,
    /// The health check, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Value>,
    /// `ONBUILD` triggers.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Vec::is_empty")]
    pub on_build: Vec<String>,
    /// The shell for shell-form commands.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "Vec::is_empty")]
    pub shell: Vec<String>,
}

impl RunConfig {
    /// The labels whose values are strings, in key order.
    pub fn string_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.labels.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }
}

/// Docker's `strslice.StrSlice`: an array of strings, a single string, or null.
fn str_slice<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

impl ImageConfig {
    /// The comment docker shows: the config's own, else that of the last history entry.
    pub fn effective_comment(&self) -> &str {
        match self.comment.as_deref() {
            Some(c) if !c.is_empty() => c,
            _ => self.history.last().and_then(|h| h.comment.as_deref()).unwrap_or(""),
        }
    }

    /// How many history entries claim a layer.
    pub fn non_empty_history_len(&self) -> usize {
        self.history.iter().filter(|h| !h.empty_layer).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_legacy_nulls_and_string_commands() -> Result<(), Box<dyn std::error::Error>> {
        let raw = br#"{"architecture":"amd64","os":"linux","config":{"Cmd":"/bin/sh","Entrypoint":null,"Labels":null,"Hostname":"x"},"rootfs":{"type":"layers","diff_ids":[]},"history":null,"container":"abc"}"#;
        let c: ImageConfig = crate::spec::parse("config", raw)?;
        let run = c.config.ok_or("no config")?;
        assert_eq!(run.cmd, vec!["/bin/sh"]);
        assert!(run.entrypoint.is_empty() && run.labels.is_empty());
        assert_eq!(serde_json::to_string(&run)?, r#"{"Cmd":["/bin/sh"]}"#);
        Ok(())
    }

    #[test]
    fn refuses_a_bad_diff_id() {
        let raw = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:../x"]}}"#;
        let e = crate::spec::parse::<ImageConfig>("config", raw).unwrap_err();
        assert!(e.reason.contains("sha256:../x"), "{e}");
    }
}
