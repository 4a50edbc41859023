//! A validating JSON reader that builds a `serde_json::Value` of only the parts a [`Need`]
//! asks for, skipping (but still validating) the rest, in one pass over the bytes.
//!
//! It accepts exactly RFC 8259 JSON, as `serde_json::from_slice` does: strict number
//! syntax, UTF-8 text, escapes including surrogate pairs, no control characters in strings.
//! Nesting is bounded by a depth limit; the reader never recurses past it. Numbers become
//! `i64`/`u64` when they are integers that fit, else `f64` (correctly rounded); skipped
//! parts are not converted at all.

use serde_json::{Map, Number, Value};

use super::needs::Need;

/// Why reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// The bytes end inside a value: more input is needed.
    Incomplete,
    /// Not JSON: what was wrong and where (byte offset into the slice read).
    Invalid(&'static str, usize),
    /// Nested deeper than the limit.
    TooDeep(usize),
}

/// Reads JSON values from a byte slice.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    /// The current position.
    pub(crate) pos: usize,
    max_depth: usize,
}

/// The position of the first byte in `bytes` that ends a plain ASCII run of string text:
/// `"`, `\\`, a control character or a non-ASCII byte. Eight bytes at a time: for each condition the classic
/// "has zero byte" bit trick flags the first matching byte exactly (borrows only reach
/// bytes above a match), so the lowest flag is the first special byte.
fn find_string_special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let x = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let flags = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x)
            | x)
            & HIGH;
        if flags != 0 {
            return Some(offset + (flags.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
        .map(|i| offset + i)
}

/// A stack of booleans that needs no allocation for the first 128 entries.
#[derive(Debug, Default)]
struct OpenStack {
    bits: u128,
    len: usize,
    spill: Vec<bool>,
}

impl OpenStack {
    fn push(&mut self, value: bool) {
        if self.len < 128 {
            self.bits = (self.bits & !(1 << self.len)) | (u128::from(value) << self.len);
        } else {
            self.spill.push(value);
        }
        self.len += 1;
    }

    fn pop(&mut self) {
        if self.len > 128 {
            self.spill.pop();
        }
        self.len = self.len.saturating_sub(1);
    }

    fn last(&self) -> Option<bool> {
        match self.len {
            0 => None,
            n if n <= 128 => Some(self.bits >> (n - 1) & 1 == 1),
            _ => self.spill.last().copied(),
        }
    }

    fn len(&self) -> usize {
        self.len
    }
}

/// Bytes that end a number or literal.
fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], pos: usize, max_depth: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos,
            max_depth,
        }
    }

    fn invalid<T>(&self, what: &'static str) -> Result<T, JsonError> {
        Err(JsonError::Invalid(what, self.pos))
    }

    /// Skips JSON whitespace.
    pub(crate) fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed; `Incomplete` at the end.
    pub(crate) fn peek(&mut self) -> Result<u8, JsonError> {
        self.skip_whitespace();
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or(JsonError::Incomplete)
    }

    /// Consumes `byte` (after whitespace) or fails.
    pub(crate) fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), JsonError> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            self.invalid(what)
        }
    }

    /// Reads a value, keeping what `need` asks for; returns `None` for values that are
    /// skipped (`need` is `None`).
    pub(crate) fn value(
        &mut self,
        need: Option<&Need>,
        depth: usize,
    ) -> Result<Option<Value>, JsonError> {
        let Some(need) = need else {
            return self.skip(depth).map(|()| None);
        };
        let need = Some(need);
        match self.peek()? {
            b'{' => self.object(need, depth),
            b'[' => self.array(need, depth),
            b'"' => {
                if need.is_some() {
                    self.string().map(|s| Some(Value::String(s)))
                } else {
                    self.skip_string().map(|()| None)
                }
            }
            b't' => self.literal(b"true", Value::Bool(true), need.is_some()),
            b'f' => self.literal(b"false", Value::Bool(false), need.is_some()),
            b'n' => self.literal(b"null", Value::Null, need.is_some()),
            b'-' | b'0'..=b'9' => self.number(need.is_some()),
            _ => self.invalid("expected a JSON value"),
        }
    }

    fn literal(
        &mut self,
        word: &[u8],
        value: Value,
        keep: bool,
    ) -> Result<Option<Value>, JsonError> {
        let end = self.pos + word.len();
        match self.bytes.get(self.pos..end) {
            Some(found) if found == word => {
                self.pos = end;
                match self.bytes.get(end) {
                    Some(&b) if !is_delimiter(b) => {
                        self.invalid("unexpected character after a literal")
                    }
                    _ => Ok(keep.then_some(value)),
                }
            }
            Some(_) => self.invalid("invalid literal"),
            None if word.starts_with(&self.bytes[self.pos..]) => Err(JsonError::Incomplete),
            None => self.invalid("invalid literal"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self, keep: bool) -> Result<Option<Value>, JsonError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(_) => return self.invalid("invalid number"),
            None => return Err(JsonError::Incomplete),
        }
        let mut integer = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return self.end_or_invalid("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.end_or_invalid("invalid number");
            }
        }
        match self.bytes.get(self.pos) {
            None => return Err(JsonError::Incomplete),
            Some(&b) if !is_delimiter(b) => return self.invalid("invalid number"),
            Some(_) => {}
        }
        if !keep {
            return Ok(None);
        }
        // The slice holds only ASCII digits, signs, '.', 'e'.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("0");
        // serde_json reads `-0` as the double -0.0; do the same.
        let parsed = if integer && text != "-0" {
            if let Ok(n) = text.parse::<u64>() {
                Some(Number::from(n))
            } else if let Ok(n) = text.parse::<i64>() {
                Some(Number::from(n))
            } else {
                float(text)
            }
        } else {
            float(text)
        };
        match parsed {
            Some(number) => Ok(Some(Value::Number(number))),
            None => self.invalid("number out of range"),
        }
    }

    /// At the end of the input a truncated number may continue; elsewhere it is invalid.
    fn end_or_invalid<T>(&self, what: &'static str) -> Result<T, JsonError> {
        if self.pos >= self.bytes.len() {
            Err(JsonError::Incomplete)
        } else {
            self.invalid(what)
        }
    }

    /// Scans a run of plain string bytes from the current position to the next `"` or
    /// `\\`, checking for control characters; returns the run and the byte that ended it.
    fn string_run(&mut self) -> Result<(&'a [u8], u8), JsonError> {
        let bytes: &'a [u8] = self.bytes;
        let start = self.pos;
        loop {
            let rest = bytes.get(self.pos..).unwrap_or_default();
            let Some(length) = find_string_special(rest) else {
                return Err(JsonError::Incomplete);
            };
            self.pos += length;
            let end = rest[length];
            if end >= 0x80 {
                // Validate one UTF-8 character and go on.
                let width = match end {
                    0xC2..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xF4 => 4,
                    _ => return self.invalid("invalid UTF-8 in a string"),
                };
                match bytes.get(self.pos..self.pos + width) {
                    Some(char_bytes) if std::str::from_utf8(char_bytes).is_ok() => {
                        self.pos += width;
                        continue;
                    }
                    Some(_) => return self.invalid("invalid UTF-8 in a string"),
                    None => {
                        // Cut at the end of the input: incomplete if what is there could
                        // start the character.
                        let tail = &bytes[self.pos..];
                        return if tail.iter().skip(1).all(|&b| (0x80..0xC0).contains(&b)) {
                            Err(JsonError::Incomplete)
                        } else {
                            self.invalid("invalid UTF-8 in a string")
                        };
                    }
                }
            }
            if end < 0x20 {
                return self.invalid("control character in a string");
            }
            return Ok((&bytes[start..self.pos], end));
        }
    }

    /// Skips a string (at `"`), validating escapes and UTF-8.
    fn skip_string(&mut self) -> Result<(), JsonError> {
        self.pos += 1;
        loop {
            let (_, end) = self.string_run()?;
            self.pos += 1;
            if end == b'"' {
                return Ok(());
            }
            self.escape(&mut None)?;
        }
    }

    /// Reads a string (at `"`) as its UTF-8 bytes (validated, escapes decoded), without
    /// copying when it has no escapes.
    fn string_bytes(&mut self) -> Result<std::borrow::Cow<'a, [u8]>, JsonError> {
        self.pos += 1;
        let (run, end) = self.string_run()?;
        self.pos += 1;
        if end == b'"' {
            // `string_run` stops at, and validates, every non-ASCII character.
            return Ok(std::borrow::Cow::Borrowed(run));
        }
        let mut buffer = Some(run.to_vec());
        loop {
            self.escape(&mut buffer)?;
            let (run, end) = self.string_run()?;
            if let Some(buffer) = &mut buffer {
                buffer.extend_from_slice(run);
            }
            self.pos += 1;
            if end == b'"' {
                return Ok(std::borrow::Cow::Owned(buffer.unwrap_or_default()));
            }
        }
    }

    /// Reads a string (at `"`) without copying when it has no escapes.
    pub(crate) fn string_ref(&mut self) -> Result<std::borrow::Cow<'a, str>, JsonError> {
        self.pos += 1;
        let start = self.pos;
        let (run, end) = self.string_run()?;
        self.pos += 1;
        if end == b'"' {
            return match std::str::from_utf8(run) {
                Ok(text) => Ok(std::borrow::Cow::Borrowed(text)),
                Err(_) => Err(JsonError::Invalid("invalid UTF-8 in a string", start)),
            };
        }
        let mut buffer = run.to_vec();
        let mut target = Some(std::mem::take(&mut buffer));
        self.escape(&mut target)?;
        buffer = target.unwrap_or_default();
        loop {
            let (run, end) = self.string_run()?;
            buffer.extend_from_slice(run);
            self.pos += 1;
            if end == b'"' {
                return String::from_utf8(buffer)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|_| JsonError::Invalid("invalid UTF-8 in a string", start));
            }
            let mut target = Some(std::mem::take(&mut buffer));
            self.escape(&mut target)?;
            buffer = target.unwrap_or_default();
        }
    }

    /// Reads a string (at `"`).
    pub(crate) fn string(&mut self) -> Result<String, JsonError> {
        self.string_ref().map(std::borrow::Cow::into_owned)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            // Fewer than four bytes left: incomplete if they could start an escape.
            return if self.bytes[self.pos.min(self.bytes.len())..]
                .iter()
                .all(u8::is_ascii_hexdigit)
            {
                Err(JsonError::Incomplete)
            } else {
                self.invalid("invalid \\u escape")
            };
        };
        let mut value = 0u32;
        for &d in digits {
            let digit = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return self.invalid("invalid \\u escape"),
            };
            value = value * 16 + u32::from(digit);
        }
        self.pos += 4;
        Ok(value)
    }

    /// Reads one escape (after the backslash), appending its character to `out` if given.
    fn escape(&mut self, out: &mut Option<Vec<u8>>) -> Result<(), JsonError> {
        let Some(&kind) = self.bytes.get(self.pos) else {
            return Err(JsonError::Incomplete);
        };
        self.pos += 1;
        let c = match kind {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    match self.bytes.get(self.pos..self.pos + 2) {
                        Some(b"\\u") => {}
                        Some(_) => return self.invalid("lone surrogate in a \\u escape"),
                        None => return Err(JsonError::Incomplete),
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return self.invalid("lone surrogate in a \\u escape");
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else if (0xDC00..0xE000).contains(&first) {
                    return self.invalid("lone surrogate in a \\u escape");
                } else {
                    first
                };
                match char::from_u32(code) {
                    Some(c) => c,
                    None => return self.invalid("invalid \\u escape"),
                }
            }
            _ => return self.invalid("invalid escape"),
        };
        if let Some(buffer) = out {
            let mut utf8 = [0u8; 4];
            buffer.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        Ok(())
    }

    /// Skips one value, validating it, without building anything. Iterative: containers
    /// are tracked on an explicit stack, so skipping uses no stack per nesting level.
    pub(crate) fn skip(&mut self, depth: usize) -> Result<(), JsonError> {
        // The open containers: true for an object, false for an array.
        let mut open = OpenStack::default();
        loop {
            // A value is expected here.
            match self.peek()? {
                b'{' => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    if self.peek()? == b'}' {
                        self.pos += 1;
                    } else {
                        self.skip_member_name()?;
                        open.push(true);
                        continue;
                    }
                }
                b'[' => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    if self.peek()? == b']' {
                        self.pos += 1;
                    } else {
                        open.push(false);
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b't' => {
                    self.literal(b"true", Value::Null, false)?;
                }
                b'f' => {
                    self.literal(b"false", Value::Null, false)?;
                }
                b'n' => {
                    self.literal(b"null", Value::Null, false)?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number(false)?;
                }
                _ => return self.invalid("expected a JSON value"),
            }
            // After a value: close containers or move to the next member or element.
            loop {
                let Some(is_object) = open.last() else {
                    return Ok(());
                };
                match (is_object, self.peek()?) {
                    (_, b',') => {
                        self.pos += 1;
                        if is_object {
                            self.skip_member_name()?;
                        }
                        break;
                    }
                    (true, b'}') | (false, b']') => {
                        self.pos += 1;
                        open.pop();
                    }
                    (true, _) => return self.invalid("expected ',' or '}'"),
                    (false, _) => return self.invalid("expected ',' or ']'"),
                }
            }
        }
    }

    /// Skips `"name":` inside an object.
    fn skip_member_name(&mut self) -> Result<(), JsonError> {
        if self.peek()? != b'"' {
            return self.invalid("expected a member name");
        }
        self.skip_string()?;
        self.expect(b':', "expected ':'")
    }

    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= self.max_depth {
            Err(JsonError::TooDeep(self.max_depth))
        } else {
            Ok(depth + 1)
        }
    }

    fn array(&mut self, need: Option<&Need>, depth: usize) -> Result<Option<Value>, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1;
        let mut items = need.map(|_| Vec::new());
        if self.peek()? == b']' {
            self.pos += 1;
            return Ok(items.map(Value::Array));
        }
        loop {
            let item = self.value(need, depth)?;
            if let (Some(items), Some(item)) = (items.as_mut(), item) {
                items.push(item);
            }
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Ok(items.map(Value::Array));
                }
                _ => return self.invalid("expected ',' or ']'"),
            }
        }
    }

    fn object(&mut self, need: Option<&Need>, depth: usize) -> Result<Option<Value>, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1;
        let mut members = need.map(|_| Map::new());
        if self.peek()? == b'}' {
            self.pos += 1;
            return Ok(members.map(Value::Object));
        }
        loop {
            if self.peek()? != b'"' {
                return self.invalid("expected a member name");
            }
            let member_need = match need {
                None => {
                    self.skip_string()?;
                    None
                }
                Some(Need::All) => Some((self.string()?, &Need::All)),
                Some(need) => {
                    // Most members are skipped: match the name as bytes, and make a
                    // `String` only of a needed one.
                    let start = self.pos;
                    let key = self.string_bytes()?;
                    match need.member_bytes(&key) {
                        Some(member) => match String::from_utf8(key.into_owned()) {
                            Ok(key) => Some((key, member)),
                            Err(_) => {
                                return Err(JsonError::Invalid("invalid UTF-8 in a string", start))
                            }
                        },
                        None => None,
                    }
                }
            };
            self.expect(b':', "expected ':'")?;
            match member_need {
                Some((key, member)) => {
                    if let (Some(members), Some(value)) =
                        (members.as_mut(), self.value(Some(member), depth)?)
                    {
                        members.insert(key, value);
                    }
                }
                None => self.skip(depth)?,
            }
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(members.map(Value::Object));
                }
                _ => return self.invalid("expected ',' or '}'"),
            }
        }
    }
}

/// A JSON number with a fraction or exponent (or an integer too large for 64 bits) as a
/// correctly rounded double; `None` beyond the double range, which serde_json rejects too.
/// (Skipped numbers are not converted, so an out-of-range number in a part the query does
/// not read is accepted.)
fn float(text: &str) -> Option<Number> {
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_all(text: &str) -> Result<Value, JsonError> {
        let mut reader = Reader::new(text.as_bytes(), 0, 128);
        let value = reader.value(Some(&Need::All), 0)?;
        reader.skip_whitespace();
        if reader.pos != text.len() {
            return Err(JsonError::Invalid("trailing", reader.pos));
        }
        Ok(value.unwrap_or(Value::Null))
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":[1,-2,3.5,1e3,-0,18446744073709551615,-9223372036854775808],"b":"x\"\u00e9\ud83d\ude00\n","c":null,"d":true,"e":false,"f":{}}"#,
            "[]",
            " [ 1 , 2 ] ",
            "[12345678901234567890123]",
            // Correctly rounded on both sides (serde_json's `float_roundtrip` feature).
            "[94e25,0.1,2.2250738585072014e-308,1.7976931348623157e308]",
            r#""\/\b\f\r\t""#,
        ] {
            let ours = read_all(text).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for text in [
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "1e",
            "-",
            "+1",
            "tru",
            "nul1",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "truex",
        ] {
            assert!(
                serde_json::from_str::<Value>(text).is_err(),
                "serde_json accepts {text:?}"
            );
            let result = read_all(text);
            assert!(
                matches!(result, Err(JsonError::Invalid(..) | JsonError::Incomplete)),
                "{text:?} gave {result:?}"
            );
        }
    }

    #[test]
    fn truncated_input_is_incomplete() {
        let text = r#"{"a":[1,2,{"b":"xyz\u00e9"}],"c":12.5e3}"#;
        for end in 1..text.len() {
            let mut reader = Reader::new(&text.as_bytes()[..end], 0, 128);
            let result = reader.value(Some(&Need::All), 0);
            assert!(
                matches!(result, Err(JsonError::Incomplete)),
                "prefix {:?} gave {result:?}",
                &text[..end]
            );
        }
    }

    #[test]
    fn prunes_by_need_and_limits_depth() {
        let mut need = Need::default();
        if let Need::Fields(fields) = &mut need {
            fields.insert("a".into(), Need::default());
            fields.insert("b".into(), Need::All);
        }
        let mut reader = Reader::new(br#"{"a":{"x":1},"b":[1,{"y":2}],"c":"skip"}"#, 0, 128);
        let value = reader.value(Some(&need), 0).unwrap().unwrap();
        assert_eq!(value, json!({"a":{},"b":[1,{"y":2}]}));
        let deep = "[".repeat(200) + &"]".repeat(200);
        let mut reader = Reader::new(deep.as_bytes(), 0, 128);
        assert_eq!(reader.value(None, 0), Err(JsonError::TooDeep(128)));
    }

    #[test]
    fn finds_string_specials_at_every_position() {
        for length in 0..40 {
            for special in [b'"', b'\\', 0x01, 0x1f, 0x80, 0xff] {
                for at in 0..length {
                    let mut bytes = vec![b'a'; length];
                    bytes[at] = special;
                    if at + 1 < length {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(find_string_special(&bytes), Some(at));
                }
            }
            let plain: Vec<u8> = (0..length)
                .map(|i| 0x20 + (i as u8 % 0x5f))
                .filter(|&b| b != b'"' && b != b'\\')
                .collect();
            assert_eq!(find_string_special(&plain), None);
            if length > 0 {
                let high = vec![0xe9u8; length];
                assert_eq!(find_string_special(&high), Some(0));
            }
        }
    }

    #[test]
    fn invalid_utf8_is_rejected_read_or_skipped() {
        for bytes in [
            &b"[\"\xff\"]"[..],
            b"[\"\xc0\x80\"]",
            b"[\"\xed\xa0\x80\"]",
            b"[\"a\xe9b\"]",
            b"[\"\xf5\x80\x80\x80\"]",
        ] {
            assert!(serde_json::from_slice::<Value>(bytes).is_err());
            for need in [Some(&Need::All), None] {
                let mut reader = Reader::new(bytes, 0, 128);
                assert!(
                    matches!(reader.value(need, 0), Err(JsonError::Invalid(..))),
                    "{bytes:?}"
                );
            }
        }
        let mut reader = Reader::new("[\"é😀\"]".as_bytes(), 0, 128);
        assert_eq!(
            reader.value(Some(&Need::All), 0).unwrap(),
            Some(json!(["é😀"]))
        );
        // A character cut by the end of the buffer is incomplete, not invalid.
        let mut reader = Reader::new(&"[\"é".as_bytes()[..3], 0, 128);
        assert_eq!(reader.value(None, 0), Err(JsonError::Incomplete));
    }

    #[test]
    fn skips_deeper_than_the_inline_stack() {
        let deep = "[".repeat(300) + &"]".repeat(300);
        let mut reader = Reader::new(deep.as_bytes(), 0, 400);
        assert_eq!(reader.value(None, 0), Ok(None));
        assert_eq!(reader.pos, deep.len());
    }

    #[test]
    fn skipping_still_validates() {
        let mut reader = Reader::new(b"{\"a\":\"\\q\"}", 0, 128);
        assert!(matches!(reader.value(None, 0), Err(JsonError::Invalid(..))));
    }
}
