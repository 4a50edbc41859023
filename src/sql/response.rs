//! Turns the rows a database returned into the OData JSON response, whatever the driver:
//! each row's JSON text is parsed, the members a record lacked are removed (the
//! evaluator leaves them out), and `@odata.count` / `@odata.context` are added.
//!
//! [`response_text`] gives the same response as JSON text without building values: a
//! row whose bookkeeping members change nothing (the record lacked no member) is copied
//! with those members cut out, and only the other rows are parsed.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::error::SqlError;
use super::select::{ABSENT_MEMBER, DROP_MEMBER, KEEP_MEMBER, ONLY_MEMBER};

/// What an executor read: the rows' JSON texts, the count, the next link.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) struct Fetched {
    pub(crate) rows: Vec<String>,
    pub(crate) count: Option<i64>,
    pub(crate) next_link: Option<String>,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl Fetched {
    /// The response as a value (`@odata.context` when given).
    pub(crate) fn into_value(self, context: Option<&str>) -> Result<Value, SqlError> {
        let mut answer = response(self.rows, self.count, context)?;
        if let (Some(link), Value::Object(members)) = (self.next_link, &mut answer) {
            members.insert("@odata.nextLink".into(), Value::from(link));
        }
        Ok(answer)
    }

    /// The response as JSON text.
    pub(crate) fn into_text(self, context: Option<&str>) -> Result<String, SqlError> {
        response_text(self.rows, self.count, context, self.next_link.as_deref())
    }
}

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

/// The response [`response`] builds, as JSON text: `@odata.context`, `@odata.count`,
/// `value` and `@odata.nextLink` in that order (the evaluator's). A row is copied as the
/// database wrote it, with its bookkeeping members cut out, when they change nothing else
/// (the record lacked no member); the others are parsed and printed again, so the text
/// parses to exactly the value [`response`] gives.
pub fn response_text(
    rows: impl IntoIterator<Item = String>,
    count: Option<i64>,
    context: Option<&str>,
    next_link: Option<&str>,
) -> Result<String, SqlError> {
    let rows = rows.into_iter();
    let mut out = String::with_capacity(64 + rows.size_hint().0 * 256);
    out.push('{');
    if let Some(context) = context {
        out.push_str("\"@odata.context\":");
        out.push_str(&Value::from(context).to_string());
        out.push(',');
    }
    if let Some(count) = count {
        out.push_str("\"@odata.count\":");
        out.push_str(&count.to_string());
        out.push(',');
    }
    out.push_str("\"value\":[");
    for (i, row) in rows.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match inert_markers_removed(&row) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&item(&row)?.to_string()),
        }
    }
    out.push(']');
    if let Some(link) = next_link {
        out.push_str(",\"@odata.nextLink\":");
        out.push_str(&Value::from(link).to_string());
    }
    out.push('}');
    Ok(out)
}

/// Deeper than this, [`strip`] leaves objects as they are.
const STRIP_DEPTH: usize = 64;

/// `text` without its bookkeeping members when they change nothing else: in every
/// object, [`ABSENT_MEMBER`] is `null` (or not there), [`DROP_MEMBER`] is `null` or
/// lists only nulls, and [`ONLY_MEMBER`] / [`KEEP_MEMBER`] (which only qualify the
/// absent list) are cut out whatever they hold. `None` when [`item`] must decide: an
/// absent list or a drop, a member name with an escape (it may spell a marker), nesting
/// deeper than [`strip`] looks, or text that is not JSON (the parse reports it).
///
/// It reads the text once, skipping strings with the quote and backslash rule; values
/// are copied as the database printed them. A row without markers is trusted as the
/// database's JSON functions wrote it (they only write well-formed JSON) and copied
/// whole. Duplicate member names (which a parse would collapse to the last) are kept.
pub(crate) fn inert_markers_removed(text: &str) -> Option<Cow<'_, str>> {
    // Every marker name starts with this; a row without it (and without escapes, which
    // could spell it) has nothing to cut.
    if !text.contains("@odq.") && !text.contains('\\') {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    // For each open container, whether it is an object.
    let mut open: Vec<bool> = Vec::new();
    let mut expect_name = false;
    // Where the current member starts: its comma, or just after `{` for the first one.
    let mut member_start = 0;
    let mut first_member = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => {
                open.push(bytes[i] == b'{');
                if open.len() > STRIP_DEPTH {
                    return None;
                }
                expect_name = bytes[i] == b'{';
                member_start = i + 1;
                first_member = true;
                i += 1;
            }
            b'}' | b']' => {
                if open.pop()? != (bytes[i] == b'}') {
                    return None;
                }
                expect_name = false;
                i += 1;
            }
            b',' => {
                if open.last() == Some(&true) {
                    expect_name = true;
                    member_start = i;
                    first_member = false;
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i)?;
                if !expect_name {
                    i = end;
                    continue;
                }
                expect_name = false;
                let name = &text[i + 1..end - 1];
                if name.contains('\\') {
                    return None;
                }
                let marker = [ABSENT_MEMBER, DROP_MEMBER, ONLY_MEMBER, KEEP_MEMBER].contains(&name);
                if !marker {
                    i = end;
                    continue;
                }
                let colon = skip_space(bytes, end);
                if bytes.get(colon) != Some(&b':') {
                    return None;
                }
                let value_start = skip_space(bytes, colon + 1);
                let value_end = value_end(bytes, value_start)?;
                let value = &text[value_start..value_end];
                let inert = match name {
                    ABSENT_MEMBER => value == "null",
                    DROP_MEMBER => value == "null" || only_nulls(value),
                    _ => true,
                };
                if !inert {
                    return None;
                }
                let mut cut_end = value_end;
                if first_member {
                    // The next member (if any) becomes the first: its comma goes too.
                    let after = skip_space(bytes, value_end);
                    if bytes.get(after) == Some(&b',') {
                        cut_end = after + 1;
                        expect_name = true;
                    }
                }
                out.push_str(&text[copied..member_start]);
                copied = cut_end;
                if first_member {
                    member_start = cut_end;
                }
                i = cut_end;
            }
            _ => i += 1,
        }
    }
    if !open.is_empty() {
        return None;
    }
    if copied == 0 {
        return Some(Cow::Borrowed(text));
    }
    out.push_str(&text[copied..]);
    Some(Cow::Owned(out))
}

/// The index just past the string that opens at `start` (a quote), or `None` when it
/// does not end.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the JSON value that starts at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = start;
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// Whether `value` is a JSON array of nulls only (`[]`, `[null, null]`).
fn only_nulls(value: &str) -> bool {
    value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .is_some_and(|inner| {
            inner.trim().is_empty() || inner.split(',').all(|entry| entry.trim() == "null")
        })
}

/// Removes the members listed in [`ABSENT_MEMBER`] (only those in [`ONLY_MEMBER`] when it
/// is there, never those in [`KEEP_MEMBER`]) and the markers, in every object.
fn strip(value: &mut Value, depth: usize) {
    if depth > STRIP_DEPTH {
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
            let keep = map.remove(KEEP_MEMBER);
            if let Some(Value::Array(names)) = map.remove(DROP_MEMBER) {
                for name in names.iter().filter_map(Value::as_str) {
                    map.remove(name);
                }
            }
            if let Some(Value::Array(paths)) = absent {
                let keep: Vec<&str> = match &keep {
                    Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
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
                    if only.as_ref().is_some_and(|names| !names.iter().any(listed))
                        || keep.contains(&path)
                    {
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
        let kept = r#"{"s":{"x":null},"t":null,"@odq.absent":["s/x","s/y","t"],"@odq.only":["s/"],"@odq.keep":["s","s/x"]}"#;
        assert_eq!(item(kept).unwrap(), json!({"s":{"x":null},"t":null}));
        let none = r#"{"a":null,"@odq.absent":null}"#;
        assert_eq!(item(none).unwrap(), json!({"a":null}));
    }

    /// Where the text path copies a row, the copy parses to what [`item`] gives.
    #[test]
    fn inert_markers_are_cut_from_the_text() {
        let copied = [
            (r#"{"a":1}"#, r#"{"a":1}"#),
            (r#"{"a":null,"@odq.absent":null}"#, r#"{"a":null}"#),
            (r#"{"@odq.absent":null,"a":1}"#, r#"{"a":1}"#),
            (r#"{"@odq.absent":null}"#, r#"{}"#),
            (
                r#"{ "@odq.absent" : null , "@odq.only" : ["f"], "b" : 2 }"#,
                r#"{ "b" : 2 }"#,
            ),
            (
                r#"{"a":[{"n":1,"@odq.absent":null}],"@odq.drop":[null,null],"@odq.absent":null}"#,
                r#"{"a":[{"n":1}]}"#,
            ),
            (
                r#"{"s":"x\"@odq.absent\":[1]","@odq.keep":["s"],"@odq.absent":null}"#,
                r#"{"s":"x\"@odq.absent\":[1]"}"#,
            ),
            (
                r#"["@odq.absent",{"@odq.absent":null}]"#,
                r#"["@odq.absent",{}]"#,
            ),
            (r#"{"@odq.other":1}"#, r#"{"@odq.other":1}"#),
        ];
        for (text, cut) in copied {
            let out = inert_markers_removed(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(out, cut, "{text}");
            let reparsed: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(reparsed, item(text).unwrap(), "{text}");
        }
        let parsed = [
            r#"{"a":null,"@odq.absent":["a"]}"#,
            r#"{"a":1,"@odq.drop":["a"]}"#,
            r#"{"\u0040odq.absent":["a"],"a":1}"#,
            r#"{"@odq.absent":null,"a":1"#,
            r#"{"@odq.absent":null,"a":"1}"#,
            r#"{"@odq.absent":null,"a":1]"#,
        ];
        for text in parsed {
            assert!(inert_markers_removed(text).is_none(), "{text}");
        }
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        assert!(inert_markers_removed(&format!("{{\"@odq.absent\":null,\"d\":{deep}}}")).is_none());
    }

    #[test]
    fn text_responses_equal_value_responses() {
        let rows = || {
            vec![
                r#"{"a":null,"@odq.absent":["a"]}"#.to_owned(),
                r#"{"b":"\u00e9","@odq.absent":null}"#.to_owned(),
            ]
        };
        let text = response_text(rows(), Some(2), Some("ctx"), Some("next")).unwrap();
        assert_eq!(
            text,
            r#"{"@odata.context":"ctx","@odata.count":2,"value":[{},{"b":"\u00e9"}],"@odata.nextLink":"next"}"#
        );
        let mut value = response(rows(), Some(2), Some("ctx")).unwrap();
        value["@odata.nextLink"] = Value::from("next");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        assert!(response_text(vec![r#"{"@odq.absent":[}"#.to_owned()], None, None, None).is_err());
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
