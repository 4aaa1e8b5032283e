//! Go templates for `--format` and `inspect -f`, on the gtmpl crate (Go's `text/template` in
//! Rust), with the functions docker adds (`json`, `join`, `split`, `lower`, `upper`, `title`)
//! and its `table` and `json` forms.
//!
//! Go's `json` marshals struct fields in their order; gtmpl's objects are hash maps, so each
//! object converted from JSON carries its own compact JSON, in order, under a key no template
//! can name ([`RAW`]), and `json` prints that.
//!
//! A template that fails says so as docker does (`template parsing error: template: :1:2:
//! executing "" at <.Nope>: …`): a list's row is docker's formatter context (a Go struct whose
//! fields are methods returning strings, named by its Go type), an inspected object the
//! `map[string]interface {}` docker falls back to when its typed struct fails.

use gtmpl::{Context, GoView, Template};
pub use gtmpl_value::Value;
use gtmpl_value::FuncError;
use serde_json::Value as Json;

/// The hidden key holding an object's JSON: it begins with NUL, which no template field name
/// can, so gtmpl's `len`, truth and `range` leave it out (`is_hidden_key` in vendor/gtmpl).
const RAW: &str = "\u{0}json";

/// Converts JSON to a template value: each object a struct-like `Value::Object` (a field it
/// lacks is an error) carrying its JSON under [`RAW`].
pub fn value(json: &Json) -> Value {
    match json {
        Json::Array(items) => Value::Array(items.iter().map(value).collect()),
        Json::Object(map) => {
            let mut out: std::collections::HashMap<String, Value> = map.iter().map(|(k, v)| (k.clone(), value(v))).collect();
            out.insert(RAW.to_owned(), Value::String(go_json(json)));
            Value::Object(out)
        }
        scalar => raw_value(scalar),
    }
}

/// Converts JSON to a template value as Go decodes it into an `interface {}`: each object a
/// `Value::Map` (a `map[string]interface {}`, whose `json` is Go's of a map: keys sorted).
fn raw_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_i64().map(Value::from).or_else(|| n.as_u64().map(Value::from)).or_else(|| n.as_f64().map(Value::from)).unwrap_or(Value::Nil),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(raw_value).collect()),
        Json::Object(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), raw_value(v))).collect()),
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

/// The one argument of function `name` (another count is Go's `wrong number of args`).
fn one<'a>(args: &'a [Value], name: &str) -> Result<&'a Value, FuncError> {
    match args {
        [a] => Ok(a),
        _ => Err(FuncError::ExactlyXArgs(name.to_owned(), 1)),
    }
}

/// The two arguments of function `name` (another count is Go's `wrong number of args`).
fn two<'a>(args: &'a [Value], name: &str) -> Result<(&'a Value, &'a Value), FuncError> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(FuncError::ExactlyXArgs(name.to_owned(), 2)),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(to_json(one(args, "json")?)))
}

fn join_func(args: &[Value]) -> Result<Value, FuncError> {
    let (list, sep) = two(args, "join")?;
    match list {
        Value::Array(items) => Ok(Value::String(items.iter().map(ToString::to_string).collect::<Vec<_>>().join(&text(sep)))),
        other => Ok(Value::String(other.to_string())),
    }
}

fn split_func(args: &[Value]) -> Result<Value, FuncError> {
    let (s, sep) = two(args, "split")?;
    Ok(Value::Array(text(s).split(text(sep).as_str()).map(|p| Value::String(p.to_owned())).collect()))
}

fn lower_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(text(one(args, "lower")?).to_lowercase()))
}

fn upper_func(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(text(one(args, "upper")?).to_uppercase()))
}

fn title_func(args: &[Value]) -> Result<Value, FuncError> {
    let s = text(one(args, "title")?);
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

/// Go's `fmt` `%v` of a template value, as a template prints it: a slice as `[a b]`, a map as
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

/// The fields of the object at `path` in `value`, if there is one.
fn object_at<'a>(value: &'a mut Value, path: &[&str]) -> Option<&'a mut std::collections::HashMap<String, Value>> {
    let mut here = value;
    for key in path {
        let Value::Object(map) = here else { return None };
        here = map.get_mut(*key)?;
    }
    match here {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Replaces the RFC 3339 string at `path` in `value` by Go's `time.Time.String()` of it, as a
/// template prints a `time.Time` field (`{{json}}` of the object above it keeps RFC 3339).
pub fn set_go_time(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else { return };
    let Some(map) = object_at(value, parents) else { return };
    if let Some(Value::String(s)) = map.get(*last) {
        if let Some(go) = crate::view::go_time_string(s) {
            map.insert((*last).to_owned(), Value::String(go));
        }
    }
}

/// Makes each of `fields` of the object at `path` in `value` a Go map (a key it lacks is no
/// value, not an error), as those fields of docker's typed struct are.
pub fn set_go_maps(value: &mut Value, path: &[&str], fields: &[&str]) {
    let Some(map) = object_at(value, path) else { return };
    for field in fields {
        if let Some(Value::Object(fields)) = map.get_mut(*field) {
            let fields = std::mem::take(fields);
            map.insert((*field).to_owned(), Value::Map(fields));
        }
    }
}

/// What a Go type has in a field the JSON leaves out or sends as null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zero {
    /// A nil slice: prints `[]`, `json` gives `[]` (Go's gives `null`).
    Slice,
    /// A nil map: prints `map[]`, `json` gives `null`, a key is no value.
    Map,
    /// An empty string.
    Text,
    /// False.
    Bool,
}

/// Gives the object at `path` in `value` the Go zero of each `(field, zero)` it lacks or has as
/// null, as a template over docker's typed struct sees them.
pub fn fill_zeros(value: &mut Value, path: &[&str], fields: &[(&str, Zero)]) {
    let Some(map) = object_at(value, path) else { return };
    for (field, zero) in fields {
        if matches!(map.get(*field), None | Some(Value::Nil)) {
            let v = match zero {
                Zero::Slice => Value::Array(Vec::new()),
                Zero::Map => Value::Map(std::iter::once((RAW.to_owned(), Value::String("null".to_owned()))).collect()),
                Zero::Text => Value::String(String::new()),
                Zero::Bool => Value::Bool(false),
            };
            map.insert((*field).to_owned(), v);
        }
    }
}

/// A parsed template.
pub struct Format(Template);

/// How docker's formatter prefixes a template's error.
fn parsing_error(e: impl std::fmt::Display) -> String {
    format!("template parsing error: {e}")
}

impl Format {
    /// Parses a template as docker's formatter does: `\t` and `\n` written in it are a tab and
    /// a newline.
    ///
    /// # Errors
    /// `template parsing error: …`.
    pub fn parse(source: &str) -> Result<Self, String> {
        Self::parse_as_written(&source.replace("\\t", "\t").replace("\\n", "\n")).map_err(parsing_error)
    }

    /// Parses a template as written, as docker's `templates.Parse` does.
    ///
    /// # Errors
    /// Go's parse error, e.g. `template: :1: unclosed action`.
    pub fn parse_as_written(source: &str) -> Result<Self, String> {
        let mut t = Template::default();
        t.add_funcs(&[
            ("json", json_func as gtmpl_value::Func),
            ("join", join_func),
            ("split", split_func),
            ("lower", lower_func),
            ("upper", upper_func),
            ("title", title_func),
        ]);
        t.printer = go_print;
        t.parse(source).map_err(|e| e.to_string())?;
        Ok(Self(t))
    }

    /// Renders it over `data` (see [`value`]).
    ///
    /// # Errors
    /// `template parsing error: template: …` for a field that is not there or a function that
    /// fails.
    pub fn render(&self, data: &Json) -> Result<String, String> {
        self.render_value(value(data))
    }

    /// Renders it over a template value (see [`value`]).
    ///
    /// # Errors
    /// As [`Format::render`].
    pub fn render_value(&self, data: Value) -> Result<String, String> {
        self.execute(data, &GoView::default()).map_err(parsing_error)
    }

    /// Renders one row of a list over docker's formatter context for it, whose Go type is
    /// `context` (e.g. `*formatter.imageContext`) and whose fields are the row's.
    ///
    /// # Errors
    /// Go's error, e.g. `template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in
    /// type *formatter.imageContext`.
    pub fn render_row(&self, row: &Json, context: &str) -> Result<String, String> {
        self.execute(value(row), &GoView { object_type: context.to_owned(), ..GoView::default() })
    }

    /// Renders an inspected object as docker's `TemplateInspector` does: over its typed struct
    /// (`typed`), and when that fails over its JSON (`raw`) decoded into an `interface {}`
    /// (numbers as `json.Number`) with `missingkey=error`, whose output or error it gives.
    ///
    /// # Errors
    /// The second rendering's, e.g. `template parsing error: template: :1:2: executing "" at
    /// <.Nope>: map has no entry for key "Nope"`.
    pub fn render_inspect(&self, typed: Value, raw: &Json) -> Result<String, String> {
        self.render_value(typed).or_else(|_| {
            let view = GoView { missing_key_error: true, number_type: "json.Number".to_owned(), ..GoView::default() };
            self.execute(raw_value(raw), &view).map_err(parsing_error)
        })
    }

    /// The header line of a `table` form, over the column names as a `map[string]string`. Like
    /// docker's, it prints what it printed before an error and leaves the error out.
    fn render_header(&self, headers: &[(&str, &str)]) -> String {
        let names = Value::Map(headers.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect());
        let mut out = Vec::new();
        // The error is dropped as docker's `postFormat` drops it.
        let _ = self.0.execute_as(&mut out, &Context::from(names), &GoView::default());
        String::from_utf8_lossy(&out).into_owned()
    }

    fn execute(&self, data: Value, view: &GoView) -> Result<String, String> {
        let mut out = Vec::new();
        self.0.execute_as(&mut out, &Context::from(data), view).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&out).into_owned())
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

/// Prints `rows` (each a JSON object of the row's fields, docker's formatter context of Go
/// type `context`) as `shape` says; `headers` names the columns of a `table` form by field
/// (`ID` → `IMAGE ID`). As docker does, every row is rendered before the header.
///
/// # Errors
/// The first row's template error.
pub fn print_rows(shape: &Shape, rows: &[Json], headers: &[(&str, &str)], context: &str) -> Result<String, String> {
    match shape {
        Shape::Default => Err("no template".to_owned()),
        Shape::Json => Ok(rows.iter().map(|r| format!("{}\n", go_json(r))).collect()),
        Shape::Rows(t) => {
            let f = Format::parse(t)?;
            rows.iter().map(|r| f.render_row(r, context).map(|s| s + "\n").map_err(parsing_error)).collect()
        }
        Shape::Table(t) => {
            let f = Format::parse(t)?;
            let body = rows.iter().map(|r| f.render_row(r, context)).collect::<Result<Vec<_>, _>>().map_err(parsing_error)?;
            let lines: Vec<String> = std::iter::once(f.render_header(headers)).chain(body).collect();
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

    #[test]
    fn range_len_and_truth_are_gos_and_leave_the_json_out() -> Result<(), String> {
        let data: Json = serde_json::from_str(r#"{"Labels":{"z":"1","a":"2"},"Tags":["t"],"Digests":[]}"#).map_err(|e| e.to_string())?;
        let mut v = value(&data);
        set_go_maps(&mut v, &[], &["Labels"]);
        fill_zeros(&mut v, &[], &[("Volumes", Zero::Map)]);
        let render = |t: &str| Format::parse(t)?.render_value(v.clone());
        assert_eq!(render("{{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}")?, "a=2 z=1 ");
        assert_eq!(render("{{range .Tags}}{{.}}{{else}}none{{end}} {{range .Digests}}{{.}}{{else}}none{{end}}")?, "t none");
        assert_eq!(render("{{len .Labels}} {{len .Volumes}} {{if .Volumes}}y{{else}}n{{end}} {{if .}}struct{{end}}")?, "2 0 n struct");
        assert!(render("{{len .}}").is_err());
        assert!(render("{{range .}}{{end}}").is_err());
        Ok(())
    }
}
