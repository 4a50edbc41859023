//! The records of a JSON collection, read one at a time: a JSON array, an OData response
//! `{"value": [...], "@odata.context": ...}` (members in any order), or one record. Only
//! the record being read is in memory, whatever the document's size.

use std::fmt;
use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::SqlError;

/// Calls `each` with every record of the document on `reader`, in order, and returns the
/// document's `@odata.context` (an OData response's; `None` for an array or a single
/// record). Stops at the first error `each` returns, and returns it.
///
/// ```
/// use odata_query::sql::for_each_record;
///
/// let text = br#"{"value": [{"id": 1}, {"id": 2}], "@odata.context": "$metadata#items"}"#;
/// let mut ids = Vec::new();
/// let context = for_each_record(&text[..], |record| {
///     ids.push(record["id"].clone());
///     Ok(())
/// })?;
/// assert_eq!(ids, [1, 2]);
/// assert_eq!(context.as_deref(), Some("$metadata#items"));
/// # Ok::<(), odata_query::sql::SqlError>(())
/// ```
pub fn for_each_record<R: Read>(
    reader: R,
    each: impl FnMut(Value) -> Result<(), SqlError>,
) -> Result<Option<String>, SqlError> {
    let mut sink = Sink { each, error: None };
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let result = Document { sink: &mut sink }.deserialize(&mut deserializer);
    if let Some(error) = sink.error.take() {
        return Err(error);
    }
    let context = result.map_err(|e| SqlError::Input(format!("invalid JSON: {e}")))?;
    deserializer
        .end()
        .map_err(|e| SqlError::Input(format!("invalid JSON: {e}")))?;
    Ok(context)
}

struct Sink<F> {
    each: F,
    /// The error `each` returned, which stopped the reading.
    error: Option<SqlError>,
}

impl<F: FnMut(Value) -> Result<(), SqlError>> Sink<F> {
    fn record<E: de::Error>(&mut self, record: Value) -> Result<(), E> {
        match (self.each)(record) {
            Ok(()) => Ok(()),
            Err(error) => {
                self.error = Some(error);
                Err(E::custom("stopped by the record handler"))
            }
        }
    }

    fn records<'de, A: SeqAccess<'de>>(&mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            self.record(record)?;
        }
        Ok(())
    }
}

/// The whole document.
struct Document<'s, F> {
    sink: &'s mut Sink<F>,
}

impl<'de, F: FnMut(Value) -> Result<(), SqlError>> DeserializeSeed<'de> for Document<'_, F> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(Value) -> Result<(), SqlError>> Visitor<'de> for Document<'_, F> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of records or an OData response")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.sink.records(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Until `value` turns out to be an array, the object may be a single record: its
        // members are kept (an OData response's others are few and small).
        let mut members = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" && !streamed {
                match map.next_value_seed(Member {
                    sink: &mut *self.sink,
                })? {
                    None => streamed = true,
                    Some(value) => {
                        members.insert(key, value);
                    }
                }
            } else {
                let value = map.next_value::<Value>()?;
                if !streamed || key == "@odata.context" {
                    members.insert(key, value);
                }
            }
        }
        if streamed {
            return Ok(members
                .get("@odata.context")
                .and_then(Value::as_str)
                .map(str::to_owned));
        }
        self.sink.record(Value::Object(members))?;
        Ok(None)
    }
}

/// The `value` member: an array is streamed (`None`); anything else is returned.
struct Member<'s, F> {
    sink: &'s mut Sink<F>,
}

impl<'de, F: FnMut(Value) -> Result<(), SqlError>> DeserializeSeed<'de> for Member<'_, F> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(Value) -> Result<(), SqlError>> Visitor<'de> for Member<'_, F> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.sink.records(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Map::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            members.insert(key, value);
        }
        Ok(Some(Value::Object(members)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<(Vec<Value>, Option<String>), SqlError> {
        let mut records = Vec::new();
        let context = for_each_record(text.as_bytes(), |record| {
            records.push(record);
            Ok(())
        })?;
        Ok((records, context))
    }

    #[test]
    fn arrays_responses_and_single_records() {
        assert_eq!(read("[{\"a\":1},{\"a\":2}]").unwrap().0.len(), 2);
        let (records, context) =
            read(r#"{"@odata.context":"c","value":[{"a":1}],"@odata.nextLink":"n"}"#).unwrap();
        assert_eq!(
            (records, context.as_deref()),
            (vec![json!({"a":1})], Some("c"))
        );
        let (records, context) = read(r#"{"value":[{"a":1}],"@odata.context":"c"}"#).unwrap();
        assert_eq!((records.len(), context.as_deref()), (1, Some("c")));
        let (records, context) = read(r#"{"id":1,"value":5}"#).unwrap();
        assert_eq!((records, context), (vec![json!({"id":1,"value":5})], None));
        assert_eq!(read("{\"id\":1}").unwrap().0, vec![json!({"id":1})]);
    }

    #[test]
    fn errors_stop_the_reading() {
        assert!(read("[{\"a\":1},").is_err());
        assert!(read("[1] [2]").is_err());
        assert!(read("5").is_err());
        let mut seen = 0;
        let error = for_each_record(&b"[1,2,3]"[..], |_| {
            seen += 1;
            Err(SqlError::Input("no".into()))
        })
        .unwrap_err();
        assert_eq!((seen, error), (1, SqlError::Input("no".into())));
    }
}
