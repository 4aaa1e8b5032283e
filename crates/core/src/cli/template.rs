//! Go templates for `--format` and `inspect -f`, on the gtmpl crate (Go's `text/template` in
//! Rust), with the functions docker adds (`json`, `join`, `split`, `lower`, `upper`, `title`)
//! and its `table` and `json` forms.
//!
//! Go's `json` marshals struct fields in their order; gtmpl's objects are hash maps, so each
//! object converted from JSON carries its own compact JSON, in order, under a key no template
//! can name ([`RAW`]), and `json` prints that.

use gtmpl::{Context, Template};
use gtmpl_value::{FuncError, Value};
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
        ]);
        let source = source.replace("\\t", "\t").replace("\\n", "\n");
        t.parse(source).map_err(|e| format!("template parsing error: {e}"))?;
        Ok(Self(t))
    }

    /// Renders it over `data`.
    ///
    /// # Errors
    /// `template: …` for a field that is not there or a function that fails.
    pub fn render(&self, data: &Json) -> Result<String, String> {
        self.0.render(&Context::from(value(data))).map_err(|e| format!("template: {e}"))
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
}
