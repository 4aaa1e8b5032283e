//! `docker commit --change` instructions (moby `validCommitCommands`): CMD, ENTRYPOINT, ENV,
//! EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR, applied to the
//! `config` object of an image config as the Dockerfile builder applies them.

use serde_json::{json, Map, Value};

/// Why an instruction is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstructionError {
    /// docker's wording for an instruction `commit -c` does not take.
    #[error("{0} is not a valid change command")]
    NotValid(String),
    /// Malformed arguments.
    #[error("{instruction}: {reason}")]
    Syntax {
        /// The instruction.
        instruction: String,
        /// What is wrong.
        reason: String,
    },
}

const VALID: [&str; 11] = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

/// Applies one instruction to `config` (the image config's `config` object).
///
/// # Errors
/// [`InstructionError`] for an instruction `commit -c` does not take or malformed arguments.
pub fn apply(config: &mut Map<String, Value>, line: &str) -> Result<(), InstructionError> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let name = word.to_uppercase();
    if !VALID.contains(&name.as_str()) {
        return Err(InstructionError::NotValid(name));
    }
    let rest = rest.trim();
    let syntax = |reason: &str| InstructionError::Syntax { instruction: name.clone(), reason: reason.to_owned() };
    match name.as_str() {
        "CMD" | "ENTRYPOINT" => {
            let key = if name == "CMD" { "Cmd" } else { "Entrypoint" };
            config.insert(key.to_owned(), json!(command(rest)));
        }
        "ENV" => {
            let env = config.entry("Env").or_insert_with(|| json!([]));
            for (k, v) in pairs(rest, true).map_err(|e| syntax(&e))? {
                set_env(env, &k, &v);
            }
        }
        "LABEL" => {
            let labels = pairs(rest, false).map_err(|e| syntax(&e))?.into_iter().map(|(k, v)| (k, json!(v)));
            extend_object(config, "Labels", labels);
        }
        "EXPOSE" => {
            let ports = words(rest).map_err(|e| syntax(&e))?.into_iter();
            extend_object(config, "ExposedPorts", ports.map(|p| (if p.contains('/') { p.to_lowercase() } else { format!("{p}/tcp") }, json!({}))));
        }
        "VOLUME" => {
            let list = if rest.starts_with('[') { json_array(rest).map_err(|e| syntax(&e))? } else { words(rest).map_err(|e| syntax(&e))? };
            extend_object(config, "Volumes", list.into_iter().map(|v| (v, json!({}))));
        }
        "USER" | "STOPSIGNAL" => {
            let key = if name == "USER" { "User" } else { "StopSignal" };
            config.insert(key.to_owned(), json!(rest));
        }
        "WORKDIR" => {
            let current = config.get("WorkingDir").and_then(Value::as_str).unwrap_or("/").to_owned();
            let dir = if rest.starts_with('/') { rest.to_owned() } else { format!("{}/{rest}", current.trim_end_matches('/')) };
            config.insert("WorkingDir".to_owned(), json!(crate::fs::clean(&dir)));
        }
        "ONBUILD" => {
            let trigger = rest.split_whitespace().next().unwrap_or("").to_uppercase();
            if trigger.is_empty() || trigger == "ONBUILD" || trigger == "FROM" || trigger == "MAINTAINER" {
                return Err(syntax(&format!("{} isn't allowed as an ONBUILD trigger", if trigger.is_empty() { "nothing" } else { &trigger })));
            }
            let list = config.entry("OnBuild").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(json!(rest));
            }
        }
        _ => {
            config.insert("Healthcheck".to_owned(), healthcheck(rest).map_err(|e| syntax(&e))?);
        }
    }
    Ok(())
}

/// Exec form (`["a","b"]`) or shell form (`a b` → `["/bin/sh","-c","a b"]`).
fn command(rest: &str) -> Vec<String> {
    json_array(rest).unwrap_or_else(|_| vec!["/bin/sh".to_owned(), "-c".to_owned(), rest.to_owned()])
}

fn json_array(s: &str) -> Result<Vec<String>, String> {
    serde_json::from_str::<Vec<String>>(s).map_err(|e| format!("not a JSON array of strings: {e}"))
}

/// Adds keys to an object field of the config (made an object if it was null or missing).
fn extend_object(config: &mut Map<String, Value>, key: &str, items: impl Iterator<Item = (String, Value)>) {
    let slot = config.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    if let Some(map) = slot.as_object_mut() {
        map.extend(items);
    }
}

fn set_env(env: &mut Value, key: &str, value: &str) {
    if !env.is_array() {
        *env = json!([]);
    }
    let Some(list) = env.as_array_mut() else { return };
    let entry = format!("{key}={value}");
    match list.iter_mut().find(|e| e.as_str().is_some_and(|s| s.split_once('=').map_or(s, |(k, _)| k) == key)) {
        Some(slot) => *slot = json!(entry),
        None => list.push(json!(entry)),
    }
}

/// `k=v k2="v 2"`, or (ENV only) the legacy `k value with spaces`.
fn pairs(rest: &str, legacy: bool) -> Result<Vec<(String, String)>, String> {
    let list = words(rest)?;
    if list.is_empty() {
        return Err("needs at least one argument".to_owned());
    }
    if legacy && !list[0].contains('=') {
        let value = rest.trim_start().strip_prefix(list[0].as_str()).unwrap_or("").trim().to_owned();
        return Ok(vec![(list[0].clone(), value)]);
    }
    list.into_iter()
        .map(|w| w.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or(format!("`{w}` is not key=value")))
        .collect()
}

/// Shell-like words: spaces separate, quotes group, a backslash escapes.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.push(c),
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unbalanced quotes".to_owned());
    }
    if in_word {
        out.push(word);
    }
    Ok(out)
}

/// `NONE`, or `[--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
/// [--retries=N] CMD command` (durations in nanoseconds, as the config stores them).
fn healthcheck(rest: &str) -> Result<Value, String> {
    if rest.trim().eq_ignore_ascii_case("NONE") {
        return Ok(json!({"Test": ["NONE"]}));
    }
    let mut check = Map::new();
    let mut rest = rest.trim();
    while let Some(flag) = rest.strip_prefix("--") {
        let (option, tail) = flag.split_once(char::is_whitespace).unwrap_or((flag, ""));
        let (key, value) = option.split_once('=').ok_or(format!("--{option} needs a value"))?;
        let field = match key {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => "Retries",
            _ => return Err(format!("unknown flag --{key}")),
        };
        let n = if field == "Retries" { value.parse::<i64>().map_err(|_| format!("--retries={value} is not a number"))? } else { duration_ns(value)? };
        check.insert(field.to_owned(), json!(n));
        rest = tail.trim_start();
    }
    let (word, cmd) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !word.eq_ignore_ascii_case("CMD") {
        return Err("expects NONE or CMD".to_owned());
    }
    let test = match json_array(cmd.trim()) {
        Ok(exec) => std::iter::once("CMD".to_owned()).chain(exec).collect::<Vec<_>>(),
        Err(_) => vec!["CMD-SHELL".to_owned(), cmd.trim().to_owned()],
    };
    let mut out = Map::new();
    out.insert("Test".to_owned(), json!(test));
    out.extend(check);
    Ok(Value::Object(out))
}

/// Go durations such as `30s`, `1m30s`, `500ms`, in nanoseconds.
fn duration_ns(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a duration such as 30s or 1m30s");
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit_len = rest[digits..].find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len() - digits);
        let unit = &rest[digits..digits + unit_len];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[digits + unit_len..];
    }
    // ok: durations in a healthcheck are far below 2^63 ns
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(lines: &[&str]) -> Result<Value, InstructionError> {
        let mut c = Map::new();
        c.insert("Env".into(), json!(["PATH=/bin", "A=1"]));
        for l in lines {
            apply(&mut c, l)?;
        }
        Ok(Value::Object(c))
    }

    #[test]
    fn applies_instructions_as_the_builder_does() -> Result<(), InstructionError> {
        let c = applied(&[
            "ENV A=2 B=\"two words\"",
            "ENV C legacy value",
            "CMD [\"/app/run\", \"--flag\"]",
            "ENTRYPOINT /entry.sh",
            "EXPOSE 8080 53/udp",
            "LABEL org.example=\"yes\"",
            "USER app",
            "WORKDIR /srv",
            "WORKDIR data",
            "VOLUME /a /b",
            "ONBUILD RUN make",
            "STOPSIGNAL SIGTERM",
            "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/",
        ])?;
        assert_eq!(c["Env"], json!(["PATH=/bin", "A=2", "B=two words", "C=legacy value"]));
        assert_eq!(c["Cmd"], json!(["/app/run", "--flag"]));
        assert_eq!(c["Entrypoint"], json!(["/bin/sh", "-c", "/entry.sh"]));
        assert_eq!(c["ExposedPorts"], json!({"8080/tcp": {}, "53/udp": {}}));
        assert_eq!(c["WorkingDir"], "/srv/data");
        assert_eq!(c["Healthcheck"], json!({"Test": ["CMD-SHELL", "curl -f http://localhost/"], "Interval": 30_000_000_000i64, "Retries": 3}));
        Ok(())
    }

    #[test]
    fn refuses_what_commit_does_not_take() {
        assert_eq!(applied(&["RUN make"]).err().map(|e| e.to_string()), Some("RUN is not a valid change command".to_owned()));
        assert!(applied(&["ENV A=\"open"]).is_err());
        assert!(applied(&["ONBUILD FROM x"]).is_err());
    }
}
