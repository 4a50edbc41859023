//! Parses one record into a `serde_json::Value` that holds only what a [`Need`] asks for;
//! the rest is validated and skipped without allocating.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::needs::Need;

/// Parses `bytes` (one JSON value) keeping what `need` asks for.
pub(crate) fn parse_pruned(bytes: &[u8], need: &Need) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Pruned(need).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A seed that deserializes the part of a value that a [`Need`] asks for.
struct Pruned<'n>(&'n Need);

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0.is_all() {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(PrunedVisitor(self.0))
        }
    }
}

struct PrunedVisitor<'n>(&'n Need);

impl<'de> Visitor<'de> for PrunedVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Pruned(self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match self.0.member(&key) {
                Some(need) => {
                    let value = map.next_value_seed(Pruned(need))?;
                    object.insert(key.into_owned(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// Reads an object key, borrowing it from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_needed_members() {
        let mut need = Need::default();
        if let Need::Fields(fields) = &mut need {
            let mut stats = Need::default();
            if let Need::Fields(inner) = &mut stats {
                inner.insert("total".into(), Need::All);
            }
            fields.insert("stats".into(), stats);
            fields.insert("files".into(), Need::default());
            fields.insert("name".into(), Need::All);
        }
        let record = br#"{"id":"x","name":"a\"b","stats":{"total":5,"other":[1,2]},"files":[{"id":1},{"id":2}],"deep":{"a":{"b":1}}}"#;
        let pruned = parse_pruned(record, &need).unwrap();
        assert_eq!(
            pruned,
            json!({"name":"a\"b","stats":{"total":5},"files":[{},{}]})
        );
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(parse_pruned(br#"{"a":1,}"#, &Need::default()).is_err());
        assert!(parse_pruned(br#"{"a":1} x"#, &Need::All).is_err());
    }
}
