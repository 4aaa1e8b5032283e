//! Go templates for `--format` and `inspect -f`, on the gtmpl crate (Go's `text/template` in
//! Rust), with the functions docker adds (`json`, `join`, `split`, `lower`, `upper`, `title`)
//! and its `table` and `json` forms.
//!
//! Go's `json` marshals struct fields in their order; gtmpl's objects are hash maps, so each
//! object converted from JSON carries its own compact JSON, in order, under a key no template
//! can name ([`RAW`]), and `json` prints that.

use gtmpl::{Context, Template};
pub use gtmpl_value::Value;
use gtmpl_value::FuncError;
use serde_json::Value as Json;

/// The hidden key holding an object's JSON (a NUL cannot appear in a template field name).
const RAW: &str = "\u{0}json";

/// Converts JSON to a template value.
pub fn value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_i64().map(Value::from).or_else(|| n.as_u64().map(Value::from)).or_else(|| n.as_f64().map(Value::from)).unwrap_or(Value::Nil),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(value).collect()),
        Json::Object(map) => {
            let mut out: std::collections::HashMap<String, Value> = map.iter().map(|(k, v)| (k.clone(), value(v))).collect();
            out.insert(RAW.to_owned(), Value::String(go_json(json)));
            Value::Object(out)
        }
    }
}

/// Go's `json.Marshal`: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped.
fn go_json(json: &Json) -> String {
    serde_json::to_string(json)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A template value back as Go's `json` would print it.
fn to_json(v: &Value) -> String {
    match v {
        Value::NoValue | Value::Nil => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => go_json(&Json::String(s.clone())),
        Value::Array(items) => format!("[{}]", items.iter().map(to_json).collect::<Vec<_>>().join(",")),
        Value::Object(m) | Value::Map(m) => match m.get(RAW) {
            Some(Value::String(raw)) => raw.clone(),
            _ => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                format!("{{{}}}", keys.iter().map(|k| format!("{}:{}", go_json(&Json::String((*k).clone())), to_json(&m[*k]))).collect::<Vec<_>>().join(","))
            }
        },
        Value::Function(_) => "null".to_owned(),
    }
}

fn arg(args: &[Value], i: usize) -> Result<&Value, FuncError> {
    args.get(i).ok_or(FuncError::AtLeastXArgs("this function".to_owned(), i + 1))
}

fn text(args: &[Value], i: usize) -> Result<String, FuncError> {
    Ok(match arg(args, i)? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn json_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(to_json(arg(args, 0)?)))
}

fn join_func(args: &[Value]) -> Result<Value, FuncError> {
    let sep = text(args, 1)?;
    match arg(args, 0)? {
        Value::Array(items) => Ok(Value::String(items.iter().map(ToString::to_string).collect::<Vec<_>>().join(&sep))),
        other => Ok(Value::String(other.to_string())),
    }
}

fn split_func(args: &[Value]) -> Result<Value, FuncError> {
    let (s, sep) = (text(args, 0)?, text(args, 1)?);
    Ok(Value::Array(s.split(sep.as_str()).map(|p| Value::String(p.to_owned())).collect()))
}

fn lower_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(text(args, 0)?.to_lowercase()))
}

fn upper_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(text(args, 0)?.to_uppercase()))
}

fn title_func(args: &[Value]) -> Result<Value, FuncError> {
    let s = text(args, 0)?;
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    Ok(Value::String(out))
}

/// Go's `fmt` `%v` of a template value, which a template prints: a slice as `[a b]`, a map as
/// `map[k:v]` (keys sorted), nil as `<nil>`. (A JSON object may have been a Go struct, which
/// prints as `{…}`; it prints as a map here.)
fn go_print(v: &Value) -> String {
    match v {
        Value::NoValue => "<no value>".to_owned(),
        Value::Nil => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) | Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| *k != RAW).collect();
            keys.sort();
            format!("map[{}]", keys.iter().map(|k| format!("{k}:{}", go_print(&m[*k]))).collect::<Vec<_>>().join(" "))
        }
        Value::Function(_) => String::new(),
    }
}

fn go_print_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(go_print(arg(args, 0)?)))
}

/// The words that open an action printing nothing of its own (gtmpl's keywords).
const KEYWORDS: [&str; 8] = ["block", "define", "else", "end", "if", "range", "template", "with"];

/// The template with each action that prints a value wrapped in `goprint (…)`, so the value
/// prints as Go prints it (gtmpl prints lists and maps in Rust's debug form). Control actions,
/// comments and variable declarations are left as they are.
fn go_printing(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let action = &rest[start + 2..];
        let Some(len) = action_len(action) else { break };
        out.push_str("{{");
        out.push_str(&wrapped(&action[..len]));
        out.push_str("}}");
        rest = &action[len + 2..];
    }
    out.push_str(rest);
    out
}

/// Where an action's closing `}}` is, quoted strings skipped; `None` when it is not closed.
fn action_len(action: &str) -> Option<usize> {
    let bytes = action.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    // A backslash escapes in "…" and '…', not in a raw `…`.
                    i += if bytes[i] == b'\\' && quote != b'`' { 2 } else { 1 };
                }
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// One action's text (between `{{` and `}}`), wrapped when it prints a value.
fn wrapped(inner: &str) -> String {
    let (lead, body) = match inner.strip_prefix('-') {
        Some(b) if b.starts_with(char::is_whitespace) => ("- ", b),
        _ => ("", inner),
    };
    let (body, trail) = match body.strip_suffix('-') {
        Some(b) if b.ends_with(char::is_whitespace) => (b, " -"),
        _ => (body, ""),
    };
    let text = body.trim();
    let first = text.split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let declares = text.starts_with('$') && text.contains('=');
    if text.is_empty() || text.starts_with("/*") || KEYWORDS.contains(&first) || declares {
        return inner.to_owned();
    }
    format!("{lead}goprint ({text}){trail}")
}

/// Replaces the RFC 3339 string at `path` in `value` by Go's `time.Time.String()` of it, as a
/// template prints a `time.Time` field (`{{json}}` of the object above it keeps RFC 3339).
pub fn set_go_time(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut here = value;
    for key in parents {
        let Value::Object(map) = here else { return };
        let Some(next) = map.get_mut(*key) else { return };
        here = next;
    }
    if let Value::Object(map) = here {
        if let Some(Value::String(s)) = map.get(*last) {
            if let Some(go) = crate::view::go_time_string(s) {
                map.insert((*last).to_owned(), Value::String(go));
            }
        }
    }
}

/// What a Go type has in a field the JSON leaves out or sends as null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zero {
    /// A nil slice: prints `[]`, `json` gives `[]` (Go's gives `null`).
    Slice,
    /// A nil map: prints `map[]`, `json` gives `null`.
    Map,
    /// An empty string.
    Text,
    /// False.
    Bool,
}

/// Gives the object at `path` in `value` the Go zero of each `(field, zero)` it lacks or has as
/// null, as a template over docker's typed struct sees them.
pub fn fill_zeros(value: &mut Value, path: &[&str], fields: &[(&str, Zero)]) {
    let mut here = value;
    for key in path {
        let Value::Object(map) = here else { return };
        let Some(next) = map.get_mut(*key) else { return };
        here = next;
    }
    let Value::Object(map) = here else { return };
    for (field, zero) in fields {
        if matches!(map.get(*field), None | Some(Value::Nil)) {
            let v = match zero {
                Zero::Slice => Value::Array(Vec::new()),
                Zero::Map => Value::Object(std::iter::once((RAW.to_owned(), Value::String("null".to_owned()))).collect()),
                Zero::Text => Value::String(String::new()),
                Zero::Bool => Value::Bool(false),
            };
            map.insert((*field).to_owned(), v);
        }
    }
}

/// A parsed template.
pub struct Format(Template);

impl Format {
    /// Parses a template as docker does: `\t` and `\n` written in it are a tab and a newline.
    ///
    /// # Errors
    /// `template parsing error: …`.
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut t = Template::default();
        t.add_funcs(&[
            ("json", json_func as gtmpl_value::Func),
            ("join", join_func),
            ("split", split_func),
            ("lower", lower_func),
            ("upper", upper_func),
            ("title", title_func),
            ("goprint", go_print_func),
        ]);
        let source = go_printing(&source.replace("\\t", "\t").replace("\\n", "\n"));
        t.parse(source).map_err(|e| format!("template parsing error: {e}"))?;
        Ok(Self(t))
    }

    /// Renders it over `data`.
    ///
    /// # Errors
    /// `template: …` for a field that is not there or a function that fails.
    pub fn render(&self, data: &Json) -> Result<String, String> {
        self.render_value(value(data))
    }

    /// Renders it over a template value (see [`value`]).
    ///
    /// # Errors
    /// As [`Format::render`].
    pub fn render_value(&self, data: Value) -> Result<String, String> {
        self.0.render(&Context::from(data)).map_err(|e| format!("template: {e}"))
    }
}

/// How a list command prints with `--format`.
pub enum Shape {
    /// The default table.
    Default,
    /// `table TEMPLATE` (or `table` alone: the default).
    Table(String),
    /// `json`: each row as JSON.
    Json,
    /// A template, one rendering per row.
    Rows(String),
}

/// Reads `--format`'s value.
pub fn shape(format: Option<&str>) -> Shape {
    match format.map(str::trim) {
        None | Some("") | Some("table") => Shape::Default,
        Some("json") => Shape::Json,
        Some(f) => match f.strip_prefix("table") {
            Some(rest) if rest.starts_with(char::is_whitespace) => Shape::Table(rest.trim_start().to_owned()),
            _ => Shape::Rows(f.to_owned()),
        },
    }
}

/// Prints `rows` (each a JSON object of the row's fields) as `shape` says; `headers` names the
/// columns of a `table` form by field (`ID` → `IMAGE ID`).
///
/// # Errors
/// A template error.
pub fn print_rows(shape: &Shape, rows: &[Json], headers: &[(&str, &str)]) -> Result<String, String> {
    match shape {
        Shape::Default => Err("no template".to_owned()),
        Shape::Json => Ok(rows.iter().map(|r| format!("{}\n", go_json(r))).collect()),
        Shape::Rows(t) => {
            let f = Format::parse(t)?;
            rows.iter().map(|r| f.render(r).map(|s| s + "\n")).collect()
        }
        Shape::Table(t) => {
            let f = Format::parse(t)?;
            let header: serde_json::Map<String, Json> = headers.iter().map(|(k, v)| ((*k).to_owned(), Json::String((*v).to_owned()))).collect();
            let mut lines = vec![f.render(&Json::Object(header))?];
            for r in rows {
                lines.push(f.render(r)?);
            }
            let table: Vec<Vec<String>> = lines.iter().map(|l| l.split('\t').map(str::to_owned).collect()).collect();
            Ok(crate::view::tabwrite(&table))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_ranges_and_json_in_order() -> Result<(), String> {
        let data: Json = serde_json::from_str(r#"{"Os":"linux","Config":{"Env":["A=1","B=<2>"],"Cmd":null,"Labels":{"b":"2","a":"1"}}}"#).map_err(|e| e.to_string())?;
        assert_eq!(Format::parse("{{.Os}}")?.render(&data)?, "linux");
        assert_eq!(Format::parse("{{range .Config.Env}}[{{.}}]{{end}}")?.render(&data)?, "[A=1][B=<2>]");
        assert_eq!(Format::parse("{{json .Config}}")?.render(&data)?, r#"{"Env":["A=1","B=\u003c2\u003e"],"Cmd":null,"Labels":{"b":"2","a":"1"}}"#);
        assert_eq!(Format::parse("{{join .Config.Env \",\"}}")?.render(&data)?, "A=1,B=<2>");
        assert_eq!(Format::parse(r"{{.Os}}\t{{upper .Os}}")?.render(&data)?, "linux\tLINUX");
        assert!(Format::parse("{{.Os").is_err());
        Ok(())
    }

    #[test]
    fn values_print_as_go_prints_them() -> Result<(), String> {
        let data: Json = serde_json::from_str(r#"{"Tags":["a:1","b:2"],"Labels":{"z":"1","a":"2"},"Cmd":null,"N":3,"T":"2025-06-01T12:00:30.50Z"}"#).map_err(|e| e.to_string())?;
        let mut v = value(&data);
        set_go_time(&mut v, &["T"]);
        let render = |t: &str| Format::parse(t)?.render_value(v.clone());
        assert_eq!(render("{{.Tags}} {{.Labels}} {{.Cmd}} {{.N}} {{.T}}")?, "[a:1 b:2] map[a:2 z:1] <nil> 3 2025-06-01 12:00:30.5 +0000 UTC");
        assert_eq!(render("{{- range .Tags}}<{{.}}>{{end -}} {{if .N}}y{{else}}n{{end}}")?, "<a:1><b:2>y");
        assert_eq!(render("{{$x := .N}}{{$x}} {{.Tags | json}} {{\"}}\"}} {{/* no */}}")?, "3 [\"a:1\",\"b:2\"] }} ");
        Ok(())
    }
}
