//! An order-preserving JSON tree for the CSDL JSON reader: serde_json's `Value` keeps
//! object members sorted by name (without its `preserve_order` feature, which would change
//! the whole crate's output), and CSDL JSON carries meaning in member order (properties,
//! enumeration members). Parsing goes through serde_json, with our depth limit.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::error::{ModelError, ModelLimit, Position, ReadOptions, Source};

/// A JSON value with object members in document order (duplicates kept).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// JSON text written as is (the writer's numbers and kept expressions; never parsed).
    Raw(String),
}

impl Json {
    /// The first member with that name, of an object.
    pub(crate) fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(number) => number.as_i64(),
            _ => None,
        }
    }
}

/// Compact JSON text, members in order.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(value) => write!(f, "{value}"),
            Json::Number(number) => write!(f, "{number}"),
            Json::Raw(text) => f.write_str(text),
            Json::String(text) => f.write_str(&quote(text)),
            Json::Array(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    item.fmt(f)?;
                }
                f.write_str("]")
            }
            Json::Object(members) => {
                f.write_str("{")?;
                for (index, (name, value)) in members.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{value}", quote(name))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A JSON string literal.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// Appends `text` as a JSON string literal: `"`, `\\` and control characters escaped,
/// everything else as is (JSON text is UTF-8).
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1F => "",
            _ => continue,
        };
        out.push_str(&text[start..index]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        start = index + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Reads one value at a nesting depth; sets `exceeded` when the limit stops it.
struct Seed<'c> {
    depth: usize,
    max_depth: usize,
    exceeded: &'c Cell<bool>,
}

impl<'c> Seed<'c> {
    fn deeper<E: de::Error>(&self) -> Result<Seed<'c>, E> {
        if self.depth >= self.max_depth {
            self.exceeded.set(true);
            return Err(E::custom("nesting depth limit"));
        }
        Ok(Seed {
            depth: self.depth + 1,
            max_depth: self.max_depth,
            exceeded: self.exceeded,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(value)
            .map(Json::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.deeper()?)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        // The check comes first so that `{}` at the limit is refused like `[]`.
        let seed = self.deeper::<A::Error>()?;
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed {
                depth: seed.depth,
                max_depth: seed.max_depth,
                exceeded: seed.exceeded,
            })?;
            members.push((name, value));
        }
        Ok(Json::Object(members))
    }
}

/// Parses JSON text into a [`Json`] tree within the limits of `options`.
pub(crate) fn parse(input: &[u8], options: &ReadOptions) -> Result<Json, ModelError> {
    let text = super::error::utf8_input(Source::CsdlJson, input, options)?;
    let exceeded = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let seed = Seed {
        depth: 0,
        max_depth: options.max_depth,
        exceeded: &exceeded,
    };
    let result = seed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    result.map_err(|error| {
        // serde_json points at the last byte it read; at the end of the input, the end is
        // more useful.
        let position = if error.classify() == serde_json::error::Category::Eof {
            Position::locate(text.as_bytes(), text.len())
        } else {
            position_of(text, error.line(), error.column())
        };
        if exceeded.get() {
            ModelError::LimitExceeded {
                from: Source::CsdlJson,
                limit: ModelLimit::Depth,
                max: options.max_depth,
                position: Some(position),
            }
        } else {
            // serde_json's message ends with its own "at line L column C": ours replaces it.
            let message = error.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(head, _)| head);
            ModelError::Syntax {
                from: Source::CsdlJson,
                position,
                message: message.into(),
            }
        }
    })
}

/// The position serde_json reports (1-based line; column counted in bytes, 0 before the
/// first byte of a line), as a [`Position`].
fn position_of(text: &str, line: usize, column: usize) -> Position {
    let bytes = text.as_bytes();
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    // Column 0 is serde_json's "after the line break": point at the break itself.
    let offset = match column {
        0 => line_start.saturating_sub(1),
        column => line_start + column - 1,
    }
    .min(bytes.len());
    Position::locate(bytes, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_document_order_and_duplicates() {
        let json = parse(
            br#"{"b":1,"a":[true,null],"b":"x"}"#,
            &ReadOptions::default(),
        )
        .unwrap();
        let Json::Object(members) = &json else {
            panic!("an object")
        };
        let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "a", "b"]);
        assert_eq!(json.to_string(), r#"{"b":1,"a":[true,null],"b":"x"}"#);
    }

    #[test]
    fn quoting_matches_serde_json() {
        for text in [
            "",
            "plain",
            "a\"b\\c",
            "line\nbreak\r\t",
            "\u{1}\u{1f}\u{7f}",
            "é😀",
        ] {
            assert_eq!(
                quote(text),
                serde_json::Value::from(text).to_string(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn depth_limit_is_named() {
        let options = ReadOptions {
            max_depth: 3,
            ..ReadOptions::default()
        };
        assert!(parse(b"[[[1]]]", &options).is_ok());
        let error = parse(b"[[[[1]]]]", &options).unwrap_err();
        assert!(matches!(
            error,
            ModelError::LimitExceeded {
                limit: ModelLimit::Depth,
                max: 3,
                ..
            }
        ));
        assert!(error.to_string().contains("max_depth"));
    }

    #[test]
    fn syntax_errors_have_line_column_and_offset() {
        let error = parse(b"{\n  \"a\": tru\n}", &ReadOptions::default()).unwrap_err();
        let position = error.position().unwrap();
        assert_eq!(position.line, 2);
        assert!(matches!(error, ModelError::Syntax { .. }));
        assert!(position.offset > 2 && position.offset < 14);
    }
}
