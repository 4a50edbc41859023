//! Writing responses: a streaming JSON re-formatter that sits between the library's writer
//! and stdout.
//!
//! It reads JSON text in whatever pieces it is written and prints it compact (no
//! insignificant whitespace, whatever the input records held), pretty (two-space
//! indentation, empty containers inline), coloured for a terminal, or as JSON Lines (the
//! items of the response's `value`, one per line). Member order and the spelling of
//! numbers and strings are kept byte for byte: nothing is parsed into values, so
//! `1e2` stays `1e2`, and memory does not grow with the response.

use std::io::{self, Write};

/// How to print.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    /// Two-space indentation.
    pub(crate) pretty: bool,
    /// ANSI colours (for a terminal).
    pub(crate) color: bool,
    /// One item of the response's `value` per line; the rest of the response is dropped.
    pub(crate) ndjson: bool,
    /// A JSON string printed alone (the whole response, or one JSON Lines item) is printed
    /// without quotes and escapes.
    pub(crate) raw: bool,
}

// jq's palette, so terminal users see familiar colours.
const NULL_COLOR: &[u8] = b"\x1b[1;30m";
const LITERAL_COLOR: &[u8] = b"\x1b[0;39m";
const STRING_COLOR: &[u8] = b"\x1b[0;32m";
const KEY_COLOR: &[u8] = b"\x1b[34;1m";
const PUNCT_COLOR: &[u8] = b"\x1b[1;39m";
const RESET: &[u8] = b"\x1b[0m";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between tokens.
    Between,
    /// Inside a string; `escaped` after a backslash.
    String { escaped: bool },
    /// Inside a number, `true`, `false` or `null`.
    Literal,
}

/// Where a token goes in JSON Lines mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Printed.
    Print,
    /// Kept aside: a member of the top-level object other than `value` (printed at the end
    /// as one line if the response has no `value`, i.e. it is a single entity).
    Aside,
}

/// The streaming formatter. Write JSON text into it, then call [`Formatter::finish`].
pub(crate) struct Formatter<W: Write> {
    out: W,
    style: Style,
    lex: Lex,
    /// Open containers, each with whether it is still empty.
    stack: Vec<(Container, bool)>,
    /// An object is waiting for a member name (after `{` or `,`).
    expect_key: bool,
    /// `{` or `[` printed; its newline waits until we know the container is not empty.
    pending_open: bool,
    /// A colour code was written for the current token and must be reset after it.
    coloured: bool,
    /// JSON Lines: the stack depth inside the array whose items are the lines.
    items_at: Option<usize>,
    /// The member name being read at depth 1 (to find `value`).
    key: Vec<u8>,
    reading_key: bool,
    /// JSON Lines: members of the top-level object other than `value`, compact.
    aside: Vec<u8>,
    saw_value: bool,
    /// A string that may be printed raw, collected until it ends.
    raw_buffer: Option<Vec<u8>>,
    /// Any token written at all.
    started: bool,
}

impl<W: Write> Formatter<W> {
    pub(crate) fn new(out: W, style: Style) -> Formatter<W> {
        Formatter {
            out,
            style,
            lex: Lex::Between,
            stack: Vec::new(),
            expect_key: false,
            pending_open: false,
            coloured: false,
            items_at: None,
            key: Vec::new(),
            reading_key: false,
            aside: Vec::new(),
            saw_value: false,
            raw_buffer: None,
            started: false,
        }
    }

    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn route(&self) -> Route {
        if !self.style.ndjson || self.depth() == 0 {
            return Route::Print;
        }
        match self.items_at {
            Some(at) if self.depth() >= at => Route::Print,
            _ => Route::Aside,
        }
    }

    /// Whether the whole document is being printed (so indentation applies).
    fn indenting(&self) -> bool {
        self.style.pretty && !self.style.ndjson
    }

    /// JSON Lines: the current position is between items of the lines array.
    fn between_items(&self) -> bool {
        self.style.ndjson && self.items_at == Some(self.depth())
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(buffer) = &mut self.raw_buffer {
            buffer.extend_from_slice(bytes);
            return Ok(());
        }
        match self.route() {
            Route::Print => self.out.write_all(bytes),
            Route::Aside => {
                self.aside.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    fn color(&mut self, code: &'static [u8]) -> io::Result<()> {
        if self.style.color && self.route() == Route::Print && self.raw_buffer.is_none() {
            self.coloured = true;
            self.out.write_all(code)?;
        }
        Ok(())
    }

    fn reset(&mut self) -> io::Result<()> {
        if self.coloured {
            self.coloured = false;
            self.out.write_all(RESET)?;
        }
        Ok(())
    }

    fn newline_indent(&mut self) -> io::Result<()> {
        if self.indenting() {
            self.out.write_all(b"\n")?;
            for _ in 0..self.depth() {
                self.out.write_all(b"  ")?;
            }
        }
        Ok(())
    }

    /// Called before every value and member name: the newline after an opening bracket,
    /// and the container is no longer empty.
    fn before_token(&mut self) -> io::Result<()> {
        self.started = true;
        if self.pending_open {
            self.pending_open = false;
            self.newline_indent()?;
        }
        if let Some(top) = self.stack.last_mut() {
            top.1 = false;
        }
        Ok(())
    }

    fn open(&mut self, container: Container) -> io::Result<()> {
        if self.style.ndjson && self.items_at.is_none() {
            let lines_array = container == Container::Array
                && (self.depth() == 0
                    || (self.depth() == 1
                        && self.key == b"value"
                        && self.stack.first().map(|c| c.0) == Some(Container::Object)));
            if lines_array {
                if self.depth() == 1 {
                    self.saw_value = true;
                    self.drop_value_key_from_aside();
                }
                self.started = true;
                self.stack.push((container, true));
                self.items_at = Some(self.depth());
                self.expect_key = false;
                return Ok(());
            }
            if self.depth() == 0 {
                // The response object itself is not printed.
                self.started = true;
                self.stack.push((container, true));
                self.expect_key = true;
                return Ok(());
            }
        }
        self.before_token()?;
        if self.style.raw && self.between_items() {
            // A JSON Lines item that may print bare: collect it whole.
            self.raw_buffer = Some(Vec::new());
        }
        self.color(PUNCT_COLOR)?;
        self.emit(if container == Container::Object {
            b"{"
        } else {
            b"["
        })?;
        self.reset()?;
        self.stack.push((container, true));
        self.expect_key = container == Container::Object;
        self.pending_open = true;
        Ok(())
    }

    /// The `"value":` routed aside belongs to the lines array: take it back out.
    fn drop_value_key_from_aside(&mut self) {
        let marker: &[u8] = b"\"value\":";
        if self.aside.ends_with(marker) {
            self.aside.truncate(self.aside.len() - marker.len());
            if self.aside.ends_with(b",") {
                self.aside.pop();
            }
        }
    }

    fn close(&mut self, container: Container) -> io::Result<()> {
        if self.between_items() || (self.style.ndjson && self.depth() == 1) {
            // The end of the lines array, or of the response object: not printed.
            self.stack.pop();
            if self.items_at.is_some_and(|at| at > self.depth()) {
                self.items_at = None;
            }
            self.expect_key = false;
            return Ok(());
        }
        let Some((open, empty)) = self.stack.pop() else {
            return Err(invalid("a closing bracket with nothing open"));
        };
        if open != container {
            return Err(invalid("mismatched brackets"));
        }
        if self.pending_open {
            self.pending_open = false;
        } else if !empty {
            self.newline_indent()?;
        }
        self.color(PUNCT_COLOR)?;
        self.emit(if container == Container::Object {
            b"}"
        } else {
            b"]"
        })?;
        self.reset()?;
        self.expect_key = false;
        self.end_of_value()
    }

    /// After a complete value: a JSON Lines item ends its line.
    fn end_of_value(&mut self) -> io::Result<()> {
        if self.depth() == 0 || self.between_items() {
            self.flush_raw_candidate()?;
        }
        if self.between_items() {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Prints a collected value: a string raw (unquoted, unescaped), an object with one
    /// property (annotations aside) as that property's value, anything else as it was.
    fn flush_raw_candidate(&mut self) -> io::Result<()> {
        let Some(buffer) = self.raw_buffer.take() else {
            return Ok(());
        };
        let single = match serde_json::from_slice::<serde_json::Value>(&buffer) {
            Ok(serde_json::Value::Object(map)) => {
                let mut members = map.into_iter().filter(|(key, _)| !key.starts_with('@'));
                match (members.next(), members.next()) {
                    (Some((_, value)), None) if !value.is_object() && !value.is_array() => {
                        Some(value)
                    }
                    _ => None,
                }
            }
            Ok(value @ serde_json::Value::String(_)) => Some(value),
            _ => None,
        };
        match single {
            Some(serde_json::Value::String(text)) => self.out.write_all(text.as_bytes()),
            Some(scalar) => write!(self.out, "{scalar}"),
            None if buffer.first() == Some(&b'"') => self.out.write_all(&buffer),
            None => {
                // Print it as it was, coloured like the rest.
                let style = Style {
                    raw: false,
                    ndjson: false,
                    pretty: false,
                    ..self.style
                };
                let mut printer = Formatter::new(Vec::new(), style);
                printer.feed(&buffer)?;
                let mut printed = printer.finish()?;
                if printed.last() == Some(&b'\n') {
                    printed.pop();
                }
                self.out.write_all(&printed)
            }
        }
    }

    fn comma(&mut self) -> io::Result<()> {
        if self.between_items() {
            // Between JSON Lines items: the line already ended.
            return Ok(());
        }
        self.emit(b",")?;
        self.expect_key = self.stack.last().map(|c| c.0) == Some(Container::Object);
        self.newline_indent()
    }

    fn colon(&mut self) -> io::Result<()> {
        self.emit(b":")?;
        if self.indenting() {
            self.emit(b" ")?;
        }
        self.expect_key = false;
        Ok(())
    }

    fn start_string(&mut self) -> io::Result<()> {
        self.before_token()?;
        let is_key = self.expect_key;
        if is_key && self.depth() == 1 {
            self.key.clear();
            self.reading_key = true;
        }
        let alone = self.depth() == 0 || self.between_items();
        if self.style.raw && !is_key && alone {
            self.raw_buffer = Some(Vec::new());
        } else {
            self.color(if is_key { KEY_COLOR } else { STRING_COLOR })?;
        }
        self.emit(b"\"")
    }

    fn end_string(&mut self) -> io::Result<()> {
        self.emit(b"\"")?;
        self.reset()?;
        self.reading_key = false;
        if self.expect_key {
            // A member name: the value follows the colon.
            return Ok(());
        }
        self.end_of_value()
    }

    fn start_literal(&mut self, first: u8) -> io::Result<()> {
        self.before_token()?;
        self.color(if first == b'n' {
            NULL_COLOR
        } else {
            LITERAL_COLOR
        })
    }

    fn end_literal(&mut self) -> io::Result<()> {
        self.reset()?;
        self.end_of_value()
    }

    /// Plain compact output (no indentation, colour, JSON Lines or raw strings) only drops
    /// whitespace outside strings: copied in runs, strings skipped with `memchr`, because
    /// this is the path large responses take.
    fn feed_compact(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut run_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match self.lex {
                Lex::String { escaped: true } => {
                    self.lex = Lex::String { escaped: false };
                    i += 1;
                }
                Lex::String { escaped: false } => match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                    Some(at) if bytes[i + at] == b'"' => {
                        self.lex = Lex::Between;
                        i += at + 1;
                    }
                    Some(at) => {
                        self.lex = Lex::String { escaped: true };
                        i += at + 1;
                    }
                    None => i = bytes.len(),
                },
                _ => {
                    let b = bytes[i];
                    if b.is_ascii_whitespace() {
                        self.out.write_all(&bytes[run_start..i])?;
                        run_start = i + 1;
                    } else {
                        self.started = true;
                        if b == b'"' {
                            self.lex = Lex::String { escaped: false };
                        }
                    }
                    i += 1;
                }
            }
        }
        self.out.write_all(&bytes[run_start..])
    }

    fn plain_compact(&self) -> bool {
        !self.style.pretty && !self.style.color && !self.style.ndjson && !self.style.raw
    }

    fn feed(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        if self.plain_compact() {
            return self.feed_compact(bytes);
        }
        while !bytes.is_empty() {
            match self.lex {
                Lex::String { escaped } => {
                    // Copy up to the closing quote in one piece.
                    let mut end = None;
                    let mut escaped = escaped;
                    for (i, &b) in bytes.iter().enumerate() {
                        if escaped {
                            escaped = false;
                        } else if b == b'\\' {
                            escaped = true;
                        } else if b == b'"' {
                            end = Some(i);
                            break;
                        }
                    }
                    match end {
                        Some(i) => {
                            self.copy_string_bytes(&bytes[..i])?;
                            self.lex = Lex::Between;
                            self.end_string()?;
                            bytes = &bytes[i + 1..];
                        }
                        None => {
                            self.copy_string_bytes(bytes)?;
                            self.lex = Lex::String { escaped };
                            bytes = &[];
                        }
                    }
                }
                Lex::Literal => {
                    let end = bytes.iter().position(|b| {
                        matches!(b, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r')
                    });
                    match end {
                        Some(i) => {
                            self.emit(&bytes[..i])?;
                            self.lex = Lex::Between;
                            self.end_literal()?;
                            bytes = &bytes[i..];
                        }
                        None => {
                            self.emit(bytes)?;
                            bytes = &[];
                        }
                    }
                }
                Lex::Between => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    match b {
                        b' ' | b'\t' | b'\n' | b'\r' => {}
                        b'{' => self.open(Container::Object)?,
                        b'[' => self.open(Container::Array)?,
                        b'}' => self.close(Container::Object)?,
                        b']' => self.close(Container::Array)?,
                        b',' => self.comma()?,
                        b':' => self.colon()?,
                        b'"' => {
                            self.start_string()?;
                            self.lex = Lex::String { escaped: false };
                        }
                        _ => {
                            self.start_literal(b)?;
                            self.emit(&[b])?;
                            self.lex = Lex::Literal;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn copy_string_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.reading_key {
            self.key.extend_from_slice(bytes);
        }
        self.emit(bytes)
    }

    /// The writer the output goes to.
    pub(crate) fn inner(&self) -> &W {
        &self.out
    }

    /// The writer, as it is: without ending the output (after an error).
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    /// Ends the output: a final newline, and in JSON Lines mode a response without
    /// `value` (a single entity) printed as one line.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if self.plain_compact() {
            if self.started {
                self.out.write_all(b"\n")?;
            }
            self.out.flush()?;
            return Ok(self.out);
        }
        if self.lex == Lex::Literal {
            self.lex = Lex::Between;
            self.end_literal()?;
        }
        self.flush_raw_candidate()?;
        if self.style.ndjson {
            if !self.saw_value && !self.aside.is_empty() {
                let mut entity = Vec::with_capacity(self.aside.len() + 2);
                entity.push(b'{');
                entity.append(&mut self.aside);
                entity.push(b'}');
                let style = Style {
                    ndjson: false,
                    pretty: false,
                    ..self.style
                };
                let mut printer = Formatter::new(Vec::new(), style);
                printer.feed(&entity)?;
                self.out.write_all(&printer.finish()?)?;
            }
        } else if self.started && self.raw_buffer.is_none() {
            self.out.write_all(b"\n")?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

impl<W: Write> Write for Formatter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.feed(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(input: &str, style: Style) -> String {
        // Feed in small pieces to exercise token boundaries.
        let mut formatter = Formatter::new(Vec::new(), style);
        for piece in input.as_bytes().chunks(3) {
            formatter.write_all(piece).unwrap();
        }
        String::from_utf8(formatter.finish().unwrap()).unwrap()
    }

    #[test]
    fn compact_drops_whitespace_and_keeps_spelling_and_order() {
        let input = "{ \"z\" : 1e2 ,\n \"a\": [ 1.50, \"x y\\\"\" ], \"m\" : {} }";
        assert_eq!(
            format(input, Style::default()),
            "{\"z\":1e2,\"a\":[1.50,\"x y\\\"\"],\"m\":{}}\n"
        );
    }

    #[test]
    fn pretty_indents_and_keeps_empty_containers_inline() {
        let input = r#"{"z":1e2,"a":[1,{"b":null}],"e":[],"o":{}}"#;
        let style = Style {
            pretty: true,
            ..Style::default()
        };
        assert_eq!(
            format(input, style),
            "{\n  \"z\": 1e2,\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": [],\n  \"o\": {}\n}\n"
        );
    }

    #[test]
    fn ndjson_prints_the_items_of_value_one_per_line() {
        let input = r#"{"@odata.context":"c","@odata.count":2,"value":[{"a":1},{"a":[2,3]}],"@odata.nextLink":"n"}"#;
        let style = Style {
            ndjson: true,
            ..Style::default()
        };
        assert_eq!(format(input, style), "{\"a\":1}\n{\"a\":[2,3]}\n");
        assert_eq!(format(r#"{"value":[]}"#, style), "");
    }

    #[test]
    fn ndjson_prints_an_entity_as_one_line() {
        let style = Style {
            ndjson: true,
            ..Style::default()
        };
        assert_eq!(
            format(r#"{"@odata.context":"c","id":1,"files":[{"n":1}]}"#, style),
            "{\"@odata.context\":\"c\",\"id\":1,\"files\":[{\"n\":1}]}\n"
        );
    }

    #[test]
    fn raw_prints_lone_strings_unquoted() {
        let style = Style {
            raw: true,
            ..Style::default()
        };
        assert_eq!(format(r#""a\tb""#, style), "a\tb\n");
        assert_eq!(format(r#"{"a":"x"}"#, style), "{\"a\":\"x\"}\n");
        assert_eq!(format("42", style), "42\n");
        let lines = Style {
            raw: true,
            ndjson: true,
            ..Style::default()
        };
        assert_eq!(format(r#"{"value":["x","y\u00e9"]}"#, lines), "x\nyé\n");
    }

    #[test]
    fn colour_wraps_tokens() {
        let style = Style {
            color: true,
            ..Style::default()
        };
        let out = format(r#"{"k":"v","n":null}"#, style);
        assert!(out.contains("\x1b[34;1m\"k\"\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[0;32m\"v\"\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[1;30mnull\x1b[0m"), "{out:?}");
    }
}
