//! Turns the rows a database returned into the OData JSON response, whatever the driver:
//! each row's JSON text is parsed, the members a record lacked are removed (the
//! evaluator leaves them out), and `@odata.count` / `@odata.context` are added.

use serde_json::{Map, Value};

use super::error::SqlError;
use super::select::{ABSENT_MEMBER, ONLY_MEMBER};

/// The items' JSON texts and the count, as an OData response
/// `{"@odata.context"?, "@odata.count"?, "value": [...]}`.
pub fn response(
    rows: impl IntoIterator<Item = String>,
    count: Option<i64>,
    context: Option<&str>,
) -> Result<Value, SqlError> {
    let mut items = Vec::new();
    for row in rows {
        items.push(item(&row)?);
    }
    let mut out = Map::new();
    if let Some(context) = context {
        out.insert("@odata.context".into(), Value::from(context));
    }
    if let Some(count) = count {
        out.insert("@odata.count".into(), Value::from(count));
    }
    out.insert("value".into(), Value::Array(items));
    Ok(Value::Object(out))
}

/// One item from its JSON text, without the bookkeeping members.
pub fn item(text: &str) -> Result<Value, SqlError> {
    let mut value: Value = serde_json::from_str(text)
        .map_err(|e| SqlError::Database(format!("the database returned invalid JSON: {e}")))?;
    strip(&mut value, 0);
    Ok(value)
}

/// Removes the members listed in [`ABSENT_MEMBER`] (only those in [`ONLY_MEMBER`] when it
/// is there) and both markers, in every object.
fn strip(value: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                strip(item, depth + 1);
            }
        }
        Value::Object(map) => {
            let absent = map.remove(ABSENT_MEMBER);
            let only = map.remove(ONLY_MEMBER);
            if let Some(Value::Array(paths)) = absent {
                let only: Option<Vec<&str>> = match &only {
                    Some(Value::Array(names)) => {
                        Some(names.iter().filter_map(Value::as_str).collect())
                    }
                    _ => None,
                };
                for path in paths.iter().filter_map(Value::as_str) {
                    let listed = |name: &&str| match name.strip_suffix('/') {
                        Some(prefix) => path
                            .strip_prefix(prefix)
                            .is_some_and(|rest| rest.starts_with('/')),
                        None => *name == path,
                    };
                    if only.as_ref().is_some_and(|names| !names.iter().any(listed)) {
                        continue;
                    }
                    remove_path(map, path);
                }
            }
            for (_, member) in map.iter_mut() {
                strip(member, depth + 1);
            }
        }
        _ => {}
    }
}

/// Removes `a/b/c` from nested objects.
fn remove_path(map: &mut Map<String, Value>, path: &str) {
    match path.split_once('/') {
        None => {
            map.remove(path);
        }
        Some((first, rest)) => {
            if let Some(Value::Object(inner)) = map.get_mut(first) {
                remove_path(inner, rest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_members_are_removed() {
        let text = r#"{"a":null,"b":1,"s":{"x":null,"y":2},"f":[{"n":null,"@odq.absent":["n"]}],"@odq.absent":["a","s/x"]}"#;
        assert_eq!(item(text).unwrap(), json!({"b":1,"s":{"y":2},"f":[{}]}));
        let selected = r#"{"a":null,"f":null,"@odq.absent":["a","f"],"@odq.only":["f"]}"#;
        assert_eq!(item(selected).unwrap(), json!({"a":null}));
        let none = r#"{"a":null,"@odq.absent":null}"#;
        assert_eq!(item(none).unwrap(), json!({"a":null}));
    }

    #[test]
    fn responses() {
        let out = response(vec!["{}".to_owned()], Some(3), Some("ctx")).unwrap();
        assert_eq!(
            out,
            json!({"@odata.context":"ctx","@odata.count":3,"value":[{}]})
        );
        assert!(response(vec!["{".to_owned()], None, None).is_err());
    }
}
