//! Archives from before docker 1.10: no `manifest.json`, a `repositories` file naming tags, and a
//! folder per v1 image with its `json` and `layer.tar`, each `json` naming its parent. Docker 28
//! still loads them (moby removed it in 29); this plans them as moby's `legacyLoad` does, so the
//! image IDs are docker's.
//!
//! A v1 image has no config: moby makes one from its `json` (`MakeConfigFromV1Config`), with the
//! layers' diff_ids and a history entry per image, and the image ID is that config's sha256. The
//! diff_ids are only known once the layers are read: planning a plain archive reads each
//! `layer.tar` once (the import reads it again and checks it against the config made here); an
//! archive compressed as a whole has its layers read before it is planned ([`legacy_layers`],
//! then [`plan_legacy`] given their diff_ids).

use std::collections::{BTreeMap, HashMap};

use serde_json::value::RawValue;

mod v1_fallback;

use super::plan::{read_file, PlannedImage, PlannedLayer};
use super::{ArchiveError, ArchiveIndex, ArchiveSource};
use crate::digest::Digest;
use crate::layer::LayerReader;
use crate::reference::Reference;
use crate::spec::{self, RunConfig};

/// What moby reads of a v1 `json` (`image.V1Image`), as Go's `encoding/json` reads it.
#[derive(Debug, Default, serde::Deserialize)]
struct V1Image {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    created: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    container_config: Option<RunConfig>,
}

/// One entry of the history moby writes (`image.History`, fields in its order).
#[derive(Clone)]
struct HistoryEntry {
    created: String,
    author: String,
    created_by: String,
    comment: String,
}

/// A v1 image once planned: its image ID, its layers, diff_ids and history (its parents' first).
struct Loaded {
    id: Digest,
    layers: Vec<PlannedLayer>,
    diff_ids: Vec<Digest>,
    history: Vec<HistoryEntry>,
}

/// Plans a pre-1.10 archive: an image per top-level folder (in name order, parents first), then
/// the tags of `repositories`.
///
/// # Errors
/// [`ArchiveError`] for a missing `json` or `layer.tar`, a parent chain that loops, a tag that
/// names no image of the archive (moby: "invalid target ID"), or a bad document.
pub(super) async fn plan_legacy<S: ArchiveSource>(source: &S, index: &ArchiveIndex, known: Option<&HashMap<u64, Digest>>) -> Result<Vec<PlannedImage>, ArchiveError> {
    let mut loaded: BTreeMap<String, Loaded> = BTreeMap::new();
    let mut images: Vec<PlannedImage> = Vec::new();
    for dir in index.top_level_dirs() {
        // moby recurses into the parent first; the chain is walked here with a stack.
        let mut chain = vec![dir];
        while let Some(v1_id) = chain.last().cloned() {
            if loaded.contains_key(&v1_id) {
                chain.pop();
                continue;
            }
            if chain.len() > super::MAX_LAYERS {
                return Err(ArchiveError::Legacy(format!("the parent chain of `{}` loops or is longer than {} images", chain[0], super::MAX_LAYERS)));
            }
            let json_path = format!("{v1_id}/json");
            let raw = read_file(source, index, &json_path, "the archive (a pre-1.10 `docker save`)").await?;
            let v1: V1Image = spec::parse(&format!("`{json_path}`"), &raw)?;
            if !v1.parent.is_empty() && !loaded.contains_key(&v1.parent) {
                chain.push(v1.parent.clone());
                continue;
            }
            chain.pop();
            let parent = loaded.get(&v1.parent);
            let at = index.locate(&format!("{v1_id}/layer.tar"), &format!("`{json_path}`"))?;
            let diff_id = match known {
                Some(known) => known.get(&at.offset).cloned().ok_or_else(|| ArchiveError::Legacy(format!("`{}` was not read before planning", at.path)))?,
                None => diff_id_of(source, &at).await?,
            };
            let mut diff_ids = parent.map(|p| p.diff_ids.clone()).unwrap_or_default();
            diff_ids.push(diff_id.clone());
            let mut history = parent.map(|p| p.history.clone()).unwrap_or_default();
            history.push(HistoryEntry {
                created: go_time(&v1.created).ok_or_else(|| ArchiveError::Legacy(format!("`{json_path}`: `created` is not an RFC 3339 time: {}", v1.created)))?,
                author: v1.author,
                created_by: v1.container_config.map(|c| c.cmd.join(" ")).unwrap_or_default(),
                comment: v1.comment,
            });
            let config_raw = config_from_v1(&raw, &diff_ids, &history).map_err(|e| ArchiveError::Legacy(format!("`{json_path}`: {e}")))?;
            let config = spec::parse(&format!("the config made from `{json_path}`"), &config_raw)?;
            let id = Digest::of(&config_raw);
            // The parent's layers, then this image's own.
            let mut layers = parent.map(|p| p.layers.clone()).unwrap_or_default();
            layers.push(PlannedLayer { at, diff_id, digest: None, media_type: None });
            images.push(PlannedImage { tags: Vec::new(), config_digest: id.clone(), config_raw, config, manifest: None, layers: layers.clone(), parent: parent.map(|p| p.id.clone()), attestations: Vec::new() });
            loaded.insert(v1_id, Loaded { id, layers, diff_ids, history });
        }
    }
    let raw = read_file(source, index, "repositories", "the archive (a pre-1.10 `docker save`)").await?;
    let repositories: BTreeMap<String, BTreeMap<String, String>> = spec::parse_first("`repositories`", &raw)?;
    for (name, tags) in &repositories {
        for (tag, v1_id) in tags {
            let Some(id) = loaded.get(v1_id).map(|l| &l.id) else {
                return Err(ArchiveError::Legacy(format!("`repositories` tags {name}:{tag} with {v1_id}, which is not an image of the archive (moby: \"invalid target ID\")")));
            };
            let text = format!("{name}:{tag}");
            let reference = Reference::parse(&text).map_err(|source| ArchiveError::BadTag { tag: crate::text::clip(&text, 200), wanted_by: "`repositories`".to_owned(), source })?;
            if let Some(image) = images.iter_mut().find(|i| i.config_digest == *id) {
                image.tags.push(reference);
            }
        }
    }
    Ok(images)
}

/// True when the archive is planned as a pre-1.10 one (no `manifest.json`, no `index.json`).
pub fn is_legacy(index: &ArchiveIndex) -> bool {
    !index.contains("manifest.json") && !index.contains("index.json") && index.contains("repositories")
}

/// Every top-level folder's `layer.tar`, found as planning finds it: the layers whose diff_ids
/// the plan of a pre-1.10 archive needs.
///
/// # Errors
/// [`ArchiveError`] when a folder has none (the plan would fail on it too).
pub fn legacy_layers(index: &ArchiveIndex) -> Result<Vec<super::Located>, ArchiveError> {
    index.top_level_dirs().iter().map(|dir| index.locate(&format!("{dir}/layer.tar"), &format!("`{dir}/json`"))).collect()
}

/// The sha256 of a layer's tar (decompressed if it is compressed), read in chunks.
async fn diff_id_of<S: ArchiveSource>(source: &S, at: &super::Located) -> Result<Digest, ArchiveError> {
    const CHUNK: u64 = 1 << 20;
    let layer_error = |source| ArchiveError::Layer { path: at.path.clone(), source };
    let mut reader = LayerReader::new(at.len);
    let mut offset = 0;
    while offset < at.len {
        let n = CHUNK.min(at.len - offset);
        // ok: n <= 1 MiB
        let chunk = source.read_at(at.offset + offset, usize::try_from(n).unwrap_or(0)).await?;
        if chunk.is_empty() {
            return Err(ArchiveError::Tar(crate::tar::TarError::Truncated { at: source.len(), needed: at.len - offset }));
        }
        reader.update(&chunk).map_err(layer_error)?;
        offset += chunk.len() as u64;
    }
    Ok(reader.finish().map_err(layer_error)?.diff_id)
}

/// The oldest docker whose v1 `json` moby takes as it is (`noFallbackMinVersion`); older ones
/// are rewritten through moby's structs first ([`v1_fallback`]).
const NO_FALLBACK_MIN_VERSION: [u64; 3] = [1, 8, 3];

/// moby's `MakeConfigFromV1Config`, byte for byte: the `json`'s members (the last of a repeated
/// key) without `id`, `parent`, `Size`, `parent_id`, `layer_id` and `throwaway`, with `rootfs`
/// and `history` set, keys sorted, values compacted as Go's `json.Marshal` writes them.
fn config_from_v1(raw: &[u8], diff_ids: &[Digest], history: &[HistoryEntry]) -> Result<Vec<u8>, String> {
    #[derive(serde::Deserialize)]
    struct Version {
        #[serde(default, deserialize_with = "spec::null_default")]
        docker_version: String,
    }
    let version = spec::parse::<Version>("the v1 `json`", raw).map_err(|e| e.to_string())?.docker_version;
    // moby's `versions.LessThan`: dot-separated numbers, a part that is not one counts as 0.
    let numbers: Vec<u64> = version.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    let rewritten;
    let raw = if (0..3).map(|i| numbers.get(i).copied().unwrap_or(0)).lt(NO_FALLBACK_MIN_VERSION) {
        rewritten = v1_fallback::rewritten(raw)?;
        &rewritten[..]
    } else {
        raw
    };
    let mut members: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    for key in ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"] {
        members.remove(key);
    }
    let mut out = String::from("{");
    let rootfs = format!("{{\"type\":\"layers\",\"diff_ids\":[{}]}}", diff_ids.iter().map(|d| go_string(&d.to_string())).collect::<Vec<_>>().join(","));
    let history = format!("[{}]", history.iter().map(HistoryEntry::to_go_json).collect::<Vec<_>>().join(","));
    let mut written: Vec<(String, String)> = members.iter().map(|(k, v)| (k.clone(), go_compact(v.get()))).collect();
    written.retain(|(k, _)| k != "rootfs" && k != "history");
    written.push(("rootfs".to_owned(), rootfs));
    written.push(("history".to_owned(), history));
    written.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, (key, value)) in written.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&go_string(key));
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    Ok(out.into_bytes())
}

impl HistoryEntry {
    /// As Go marshals `image.History`: `created` always, the rest when not empty.
    fn to_go_json(&self) -> String {
        let mut fields = vec![format!("\"created\":{}", go_string(&self.created))];
        for (name, value) in [("author", &self.author), ("created_by", &self.created_by), ("comment", &self.comment)] {
            if !value.is_empty() {
                fields.push(format!("\"{name}\":{}", go_string(value)));
            }
        }
        format!("{{{}}}", fields.join(","))
    }
}

/// A string as Go's `encoding/json` writes it with HTML escaping (`json.Marshal`).
fn go_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value as Go's `json.Marshal` writes a `json.RawMessage`: whitespace outside strings
/// dropped, `<`, `>`, `&`, U+2028 and U+2029 inside strings escaped, everything else as written.
fn go_compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        if in_string {
            match c {
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                _ => out.push(c),
            }
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
}

/// An RFC 3339 time as Go's `time.Time` marshals it (RFC 3339 with nanoseconds, trailing zeros
/// dropped, `Z` for UTC); `""` is Go's zero time.
fn go_time(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("0001-01-01T00:00:00Z".to_owned());
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    let mut out = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second());
    if t.nanosecond() > 0 {
        out.push_str(format!(".{:09}", t.nanosecond()).trim_end_matches('0'));
    }
    let offset = t.offset();
    if offset.is_utc() {
        out.push('Z');
    } else {
        let (h, m, _) = offset.as_hms();
        out.push_str(&format!("{}{:02}:{:02}", if offset.is_negative() { '-' } else { '+' }, h.unsigned_abs(), m.unsigned_abs()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_raw_values_are_written_as_go_writes_them() {
        assert_eq!(go_string("a<b>&\"\\\n\u{1}"), r#""a\u003cb\u003e\u0026\"\\\n\u0001""#);
        assert_eq!(go_compact("{ \"a\" : [ 1, \"x <y> \\\" z\" ] ,\n \"b\":null }"), r#"{"a":[1,"x \u003cy\u003e \" z"],"b":null}"#);
    }

    #[test]
    fn times_are_written_as_go_writes_them() {
        assert_eq!(go_time("2015-11-05T19:14:31.123450000Z").as_deref(), Some("2015-11-05T19:14:31.12345Z"));
        assert_eq!(go_time("2015-11-05T19:14:31+01:00").as_deref(), Some("2015-11-05T19:14:31+01:00"));
        assert_eq!(go_time("").as_deref(), Some("0001-01-01T00:00:00Z"));
        assert_eq!(go_time("yesterday"), None);
    }
}
