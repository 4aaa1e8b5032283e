//! JSON read as Go's `encoding/json` reads it into moby's and containerd's structs, which is how
//! `docker load` and `docker pull` read every image document, and what real builders rely on:
//!
//! - an object key names a struct field exactly, or else case-insensitively (an exact match
//!   wins); keys of maps (label names, ports) keep their case;
//! - unknown keys are ignored;
//! - a repeated key takes its last value; a repeated object is decoded into the same struct or
//!   map, so its members add to the earlier ones;
//! - `null` is an empty list or map, an empty string, zero or false (Go leaves the zero value),
//!   and `None` where the field is optional.
//!
//! serde_json alone refuses a repeated field, matches keys exactly and refuses `null` for a
//! list: the document is first read into [`GoValue`] (members in document order, repeats kept)
//! and then deserialised through it. The field names come from serde itself: a derived
//! `Deserialize` names them when it asks for a struct.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Error, Number, Value};

/// A JSON value whose objects keep their members in document order, repeated keys included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<GoValue>),
    Object(Vec<(String, GoValue)>),
}

/// Reads `bytes` as Go's `encoding/json` reads them into `T` (see the module's rules).
pub(crate) fn from_slice<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, Error> {
    T::deserialize(serde_json::from_slice::<GoValue>(bytes)?)
}

/// Reads the first JSON value of `bytes` as [`from_slice`] does, and ignores whatever follows, as
/// Go's `json.Decoder.Decode` does (moby's loader reads `manifest.json` that way).
pub(crate) fn first_from_slice<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, Error> {
    match serde_json::Deserializer::from_slice(bytes).into_iter::<GoValue>().next() {
        Some(value) => T::deserialize(value?),
        None => Err(de::Error::custom("EOF: no JSON value")),
    }
}

impl<'de> Deserialize<'de> for GoValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(GoValueVisitor)
    }
}

struct GoValueVisitor;

impl<'de> Visitor<'de> for GoValueVisitor {
    type Value = GoValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<GoValue, E> {
        Ok(GoValue::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<GoValue, E> {
        Ok(GoValue::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<GoValue, E> {
        Ok(GoValue::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<GoValue, E> {
        Ok(GoValue::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<GoValue, E> {
        Number::from_f64(n).map(GoValue::Number).ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, s: &str) -> Result<GoValue, E> {
        Ok(GoValue::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<GoValue, E> {
        Ok(GoValue::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GoValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(GoValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GoValue, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, GoValue>()? {
            members.push(member);
        }
        Ok(GoValue::Object(members))
    }
}

impl GoValue {
    fn into_value(self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Number(n) => Value::Number(n),
            Self::String(s) => Value::String(s),
            Self::Array(a) => Value::Array(a.into_iter().map(Self::into_value).collect()),
            // Inserting in order: a repeated key keeps its last value.
            Self::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, v.into_value())).collect()),
        }
    }
}

/// Go's case-insensitive match of a key to a field name (`strings.EqualFold`).
fn equal_fold(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// An object's members as a struct with `fields` receives them: each key renamed to the field it
/// names (exactly, or else case-insensitively), each field once, with the last value given for
/// it; a repeated object adds its members to the earlier one's.
fn fold_to_fields(members: Vec<(String, GoValue)>, fields: &[&str]) -> Vec<(String, GoValue)> {
    let mut out: Vec<(String, GoValue)> = Vec::with_capacity(members.len());
    for (key, value) in members {
        let field = fields.iter().find(|f| **f == key).or_else(|| fields.iter().find(|f| equal_fold(f, &key)));
        let name = field.map_or(key, |f| (*f).to_owned());
        match out.iter_mut().find(|(k, _)| *k == name) {
            Some((_, GoValue::Object(earlier))) if matches!(value, GoValue::Object(_)) => {
                if let GoValue::Object(later) = value {
                    earlier.extend(later);
                }
            }
            Some((_, earlier)) => *earlier = value,
            None => out.push((name, value)),
        }
    }
    out
}

/// An object's members as a map receives them: keys as written; a repeated key takes its last
/// value (Go decodes each map value afresh).
fn last_wins(members: Vec<(String, GoValue)>) -> Vec<(String, GoValue)> {
    let mut out: Vec<(String, GoValue)> = Vec::with_capacity(members.len());
    for (key, value) in members {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, earlier)) => *earlier = value,
            None => out.push((key, value)),
        }
    }
    out
}

impl<'de> IntoDeserializer<'de, Error> for GoValue {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// `null` read as a number, a string or a bool: Go leaves the zero value.
macro_rules! zero_for_null {
    ($($method:ident => $visit:ident($zero:expr)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self {
                Self::Null => visitor.$visit($zero),
                other => other.deserialize_any(visitor),
            }
        })*
    };
}

impl<'de> Deserializer<'de> for GoValue {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Self::Null => visitor.visit_unit(),
            Self::Bool(b) => visitor.visit_bool(b),
            Self::Number(n) => n.deserialize_any(visitor),
            Self::String(s) => visitor.visit_string(s),
            Self::Array(a) => visitor.visit_seq(SeqDeserializer::new(a.into_iter())),
            Self::Object(o) => visitor.visit_map(MapDeserializer::new(last_wins(o).into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Self::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Self::Null => visitor.visit_seq(SeqDeserializer::new(std::iter::empty::<GoValue>())),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Self::Null => visitor.visit_map(MapDeserializer::new(std::iter::empty::<(String, GoValue)>())),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self {
            Self::Null => visitor.visit_map(MapDeserializer::new(std::iter::empty::<(String, GoValue)>())),
            Self::Object(o) => visitor.visit_map(MapDeserializer::new(fold_to_fields(o, fields).into_iter())),
            // Go refuses anything but an object for a struct (serde would take an array).
            Self::Array(_) => Err(de::Error::invalid_type(Unexpected::Seq, &visitor)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(self, name: &'static str, variants: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        self.into_value().deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    zero_for_null! {
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i8(0),
        deserialize_i16 => visit_i16(0),
        deserialize_i32 => visit_i32(0),
        deserialize_i64 => visit_i64(0),
        deserialize_u8 => visit_u8(0),
        deserialize_u16 => visit_u16(0),
        deserialize_u32 => visit_u32(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f32 => visit_f32(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_str => visit_str(""),
        deserialize_string => visit_str(""),
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        #[serde(default)]
        env: Vec<String>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        user: String,
    }

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    struct Outer {
        #[serde(default)]
        config: Option<Inner>,
        #[serde(default)]
        size: u64,
        #[serde(rename = "mediaType", default)]
        media_type: String,
    }

    fn read(json: &str) -> Outer {
        from_slice(json.as_bytes()).expect(json)
    }

    #[test]
    fn keys_match_fields_case_insensitively_and_an_exact_match_wins() {
        assert_eq!(read(r#"{"CONFIG":{"env":["A=1"]}}"#).config.unwrap().env, ["A=1"]);
        assert_eq!(read(r#"{"MEDIATYPE":"x"}"#).media_type, "x");
        // The last of `mediaType` and `MediaType` wins, whichever is the exact one.
        assert_eq!(read(r#"{"mediaType":"exact","MediaType":"folded"}"#).media_type, "folded");
        assert_eq!(read(r#"{"MediaType":"folded","mediaType":"exact"}"#).media_type, "exact");
    }

    #[test]
    fn map_keys_keep_their_case_and_unknown_keys_are_ignored() {
        let c = read(r#"{"config":{"Labels":{"Maintainer":"a","maintainer":"b"}},"unknown":[1,{"x":null}]}"#).config.unwrap();
        assert_eq!(c.labels, BTreeMap::from([("Maintainer".to_owned(), "a".to_owned()), ("maintainer".to_owned(), "b".to_owned())]));
    }

    #[test]
    fn a_repeated_key_takes_its_last_value_and_a_repeated_object_adds_to_the_first() {
        assert_eq!(read(r#"{"size":1,"size":2}"#).size, 2);
        let c = read(r#"{"config":{"Env":["A=1"],"User":"x"},"Config":{"env":["B=2"]}}"#).config.unwrap();
        assert_eq!((c.env, c.user), (vec!["B=2".to_owned()], "x".to_owned()));
        let c = read(r#"{"config":{"Labels":{"a":"1"},"Labels":{"b":"2","a":"3"}}}"#).config.unwrap();
        assert_eq!(c.labels, BTreeMap::from([("a".to_owned(), "3".to_owned()), ("b".to_owned(), "2".to_owned())]));
    }

    #[test]
    fn null_is_the_zero_value() {
        let o = read(r#"{"config":{"Env":null,"Labels":null,"User":null},"size":null,"mediaType":null}"#);
        assert_eq!(o, Outer { config: Some(Inner::default()), ..Outer::default() });
        assert_eq!(read(r#"{"config":null}"#).config, None);
        assert_eq!(from_slice::<Vec<u8>>(b"null").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn wrong_types_are_still_refused() {
        assert!(from_slice::<Outer>(br#"{"size":"1"}"#).is_err());
        assert!(from_slice::<Outer>(br#"{"config":{"Env":"A=1"}}"#).is_err());
        assert!(from_slice::<Outer>(b"[]").is_err());
    }
}
