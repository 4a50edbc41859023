//! Finds the records of a collection document without building it: the elements of a
//! top-level array, or of the `value` array of an OData response object.
//!
//! The scanner only finds boundaries (strings, brackets); each record is validated when it
//! is parsed, and every other member is validated with serde_json as it is skipped.

use std::ops::Range;

use crate::error::EvalError;

/// The shape of a collection document.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    /// The whole input.
    pub(crate) bytes: &'a [u8],
    /// Members of the top-level object before `value`, as (raw key, raw value) slices.
    pub(crate) leading_members: Vec<(&'a [u8], &'a [u8])>,
    /// Where the records start: just after the `[` of the collection array.
    records_start: usize,
    /// Whether the input is an object with `value` (else a bare array).
    pub(crate) is_response: bool,
}

fn input_error(message: &str, at: usize) -> EvalError {
    EvalError::Input(format!("{message} at byte {at}"))
}

/// Skips JSON whitespace from `at`.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// Returns the index just past the string that starts at `at` (which holds `"`).
fn skip_string(bytes: &[u8], at: usize) -> Result<usize, EvalError> {
    let mut i = at + 1;
    loop {
        match bytes.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => i += 2,
            Some(_) => i += 1,
            None => return Err(input_error("unterminated string", at)),
        }
    }
}

/// Returns the index just past the JSON value that starts at `at` (after whitespace).
/// Nesting is tracked with a counter, so deep input cannot exhaust the stack.
fn skip_value(bytes: &[u8], at: usize) -> Result<usize, EvalError> {
    match bytes.get(at) {
        Some(b'"') => skip_string(bytes, at),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = at;
            while let Some(&byte) = bytes.get(i) {
                match byte {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(input_error("unterminated array or object", at))
        }
        Some(_) => {
            let mut i = at;
            while let Some(&byte) = bytes.get(i) {
                if matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            if i == at {
                return Err(input_error("expected a JSON value", at));
            }
            Ok(i)
        }
        None => Err(input_error("expected a JSON value", at)),
    }
}

/// Checks that `bytes` is one valid JSON value.
fn validate(bytes: &[u8], at: usize) -> Result<(), EvalError> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map(|_| ())
        .map_err(|e| EvalError::Input(format!("invalid JSON at byte {at}: {e}")))
}

impl<'a> Document<'a> {
    /// Finds the collection in `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Document<'a>, EvalError> {
        let start = skip_whitespace(bytes, 0);
        match bytes.get(start) {
            Some(b'[') => Ok(Document {
                bytes,
                leading_members: Vec::new(),
                records_start: start + 1,
                is_response: false,
            }),
            Some(b'{') => {
                let mut leading_members = Vec::new();
                let mut at = skip_whitespace(bytes, start + 1);
                loop {
                    if bytes.get(at) != Some(&b'"') {
                        return Err(input_error(
                            "expected a member named \"value\" holding the collection",
                            at,
                        ));
                    }
                    let key_end = skip_string(bytes, at)?;
                    let key = &bytes[at..key_end];
                    validate(key, at)?;
                    at = skip_whitespace(bytes, key_end);
                    if bytes.get(at) != Some(&b':') {
                        return Err(input_error("expected ':'", at));
                    }
                    at = skip_whitespace(bytes, at + 1);
                    if key == b"\"value\"" {
                        if bytes.get(at) != Some(&b'[') {
                            return Err(input_error("\"value\" is not an array", at));
                        }
                        return Ok(Document {
                            bytes,
                            leading_members,
                            records_start: at + 1,
                            is_response: true,
                        });
                    }
                    let value_end = skip_value(bytes, at)?;
                    validate(&bytes[at..value_end], at)?;
                    leading_members.push((key, &bytes[at..value_end]));
                    at = skip_whitespace(bytes, value_end);
                    match bytes.get(at) {
                        Some(b',') => at = skip_whitespace(bytes, at + 1),
                        _ => {
                            return Err(input_error(
                                "expected a member named \"value\" holding the collection",
                                at,
                            ))
                        }
                    }
                }
            }
            _ => Err(input_error(
                "expected a JSON array or an object with \"value\"",
                start,
            )),
        }
    }

    /// The records, in order, as byte ranges of the input.
    pub(crate) fn records(&self) -> Records<'a> {
        Records {
            bytes: self.bytes,
            at: self.records_start,
            state: RecordsState::First,
            is_response: self.is_response,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordsState {
    First,
    Next,
    Done,
}

/// Iterator over the byte ranges of the records; after the last one it checks the rest of
/// the document.
#[derive(Debug)]
pub(crate) struct Records<'a> {
    bytes: &'a [u8],
    at: usize,
    state: RecordsState,
    is_response: bool,
}

impl Records<'_> {
    /// Checks what follows the closing `]` of the collection: the end of the input, or the
    /// remaining members of the response object.
    fn check_tail(&self, after_array: usize) -> Result<(), EvalError> {
        let bytes = self.bytes;
        let mut at = skip_whitespace(bytes, after_array);
        if self.is_response {
            loop {
                match bytes.get(at) {
                    Some(b'}') => {
                        at = skip_whitespace(bytes, at + 1);
                        break;
                    }
                    Some(b',') => {
                        at = skip_whitespace(bytes, at + 1);
                        if bytes.get(at) != Some(&b'"') {
                            return Err(input_error("expected a member name", at));
                        }
                        let key_end = skip_string(bytes, at)?;
                        validate(&bytes[at..key_end], at)?;
                        at = skip_whitespace(bytes, key_end);
                        if bytes.get(at) != Some(&b':') {
                            return Err(input_error("expected ':'", at));
                        }
                        at = skip_whitespace(bytes, at + 1);
                        let value_end = skip_value(bytes, at)?;
                        validate(&bytes[at..value_end], at)?;
                        at = skip_whitespace(bytes, value_end);
                    }
                    _ => return Err(input_error("expected ',' or '}'", at)),
                }
            }
        }
        if at != bytes.len() {
            return Err(input_error("unexpected text after the document", at));
        }
        Ok(())
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Range<usize>, EvalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == RecordsState::Done {
            return None;
        }
        let bytes = self.bytes;
        let mut at = skip_whitespace(bytes, self.at);
        if self.state == RecordsState::Next {
            match bytes.get(at) {
                Some(b',') => at = skip_whitespace(bytes, at + 1),
                Some(b']') => {
                    self.state = RecordsState::Done;
                    return self.check_tail(at + 1).err().map(Err);
                }
                _ => {
                    self.state = RecordsState::Done;
                    return Some(Err(input_error("expected ',' or ']'", at)));
                }
            }
        } else if bytes.get(at) == Some(&b']') {
            self.state = RecordsState::Done;
            return self.check_tail(at + 1).err().map(Err);
        }
        self.state = RecordsState::Next;
        match skip_value(bytes, at) {
            Ok(end) => {
                self.at = end;
                Some(Ok(at..end))
            }
            Err(e) => {
                self.state = RecordsState::Done;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> Result<Vec<String>, EvalError> {
        let document = Document::new(input.as_bytes())?;
        document
            .records()
            .map(|r| r.map(|range| input[range].to_owned()))
            .collect()
    }

    #[test]
    fn finds_records_of_arrays_and_responses() {
        assert_eq!(records(" [ ] ").unwrap(), Vec::<String>::new());
        assert_eq!(
            records(r#"[{"a":"]"},2 , "x\"y",[1,[2]]]"#).unwrap(),
            vec![r#"{"a":"]"}"#, "2", r#""x\"y""#, "[1,[2]]"]
        );
        let document =
            Document::new(br#"{"@odata.context":"c","value":[{"a":1}],"x":{}}"#).unwrap();
        assert_eq!(document.leading_members.len(), 1);
        assert_eq!(document.records().count(), 1);
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(records("[1,2").is_err());
        assert!(records("[1 2]").is_err());
        assert!(records("[1] x").is_err());
        assert!(records(r#"{"value":[1],"x":}"#).is_err());
        assert!(records(r#"{"other":1}"#).is_err());
        assert!(records("").is_err());
    }
}
