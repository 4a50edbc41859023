//! Percent-decoding of one query-option name or value, keeping a map from decoded
//! offsets back to raw offsets (so errors point into the text the user sent).
//!
//! A raw `+` becomes a space unless decoding is strict; the decoded offsets of those
//! spaces are kept, so the grammar can read them as `+` where only a plus sign can stand
//! (a time-zone offset, an exponent sign).

use std::borrow::Cow;

use crate::error::{ParseError, ParseErrorKind};

/// Decoded text of one name or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded<'r> {
    /// The decoded text: borrowed from the raw text when there was nothing to decode.
    pub(crate) text: Cow<'r, str>,
    /// Decoded byte offsets of spaces that were a raw `+`, ascending.
    pub(crate) raw_plus: Vec<usize>,
    /// `(decoded offset, raw offset)` after each escape, ascending; raw offsets are
    /// relative to the start of the decoded slice.
    breakpoints: Vec<(usize, usize)>,
}

impl<'r> Decoded<'r> {
    /// Text taken as it is (already decoded by the caller).
    pub(crate) fn verbatim(text: &'r str) -> Decoded<'r> {
        Decoded {
            text: Cow::Borrowed(text),
            raw_plus: Vec::new(),
            breakpoints: Vec::new(),
        }
    }

    /// `(decoded offset after, raw offset after)` of each percent-escape, ascending.
    pub(crate) fn escapes(&self) -> &[(usize, usize)] {
        &self.breakpoints
    }

    /// The raw offset (relative to the decoded slice's start) of a decoded offset.
    pub(crate) fn raw_offset(&self, decoded: usize) -> usize {
        let index = self.breakpoints.partition_point(|&(d, _)| d <= decoded);
        match index {
            0 => decoded,
            _ => {
                let (d, r) = self.breakpoints[index - 1];
                r + (decoded - d)
            }
        }
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// True when `bytes` holds `a` or `b`: most values need no decoding, and this scan is
/// all they cost.
fn contains_either(bytes: &[u8], a: u8, b: u8) -> bool {
    memchr::memchr2(a, b, bytes).is_some()
}

/// Decodes `raw`, a slice of `full_raw` starting at byte `base`. `plus_is_space` turns a
/// raw `+` into a space. Errors carry offsets into `full_raw`.
pub(crate) fn decode<'r>(
    raw: &'r str,
    full_raw: &str,
    base: usize,
    plus_is_space: bool,
) -> Result<Decoded<'r>, ParseError> {
    let bytes = raw.as_bytes();
    let plus = if plus_is_space { b'+' } else { b'%' };
    if !contains_either(bytes, b'%', plus) {
        // Nothing to decode: borrow, no copy.
        return Ok(Decoded::verbatim(raw));
    }
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut raw_plus = Vec::new();
    let mut breakpoints = Vec::new();
    // Raw offset of the first byte of each run of escapes, to report invalid UTF-8.
    let mut escape_starts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let high = bytes.get(i + 1).copied().and_then(hex_value);
                let low = bytes.get(i + 2).copied().and_then(hex_value);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(ParseError::new(
                        ParseErrorKind::BadEscape,
                        full_raw,
                        base + i,
                    ));
                };
                escape_starts.push((out.len(), i));
                out.push(high * 16 + low);
                i += 3;
                breakpoints.push((out.len(), i));
            }
            b'+' if plus_is_space => {
                raw_plus.push(out.len());
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => Ok(Decoded {
            text: Cow::Owned(text),
            raw_plus,
            breakpoints,
        }),
        Err(error) => {
            let bad = error.utf8_error().valid_up_to();
            let at = escape_starts
                .iter()
                .rev()
                .find(|&&(d, _)| d <= bad)
                .map_or(0, |&(_, r)| r);
            Err(ParseError::new(
                ParseErrorKind::BadEscape,
                full_raw,
                base + at,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_maps_offsets_back() {
        let raw = "a%20b%27c";
        let decoded = decode(raw, raw, 0, true).unwrap();
        assert_eq!(decoded.text, "a b'c");
        assert_eq!(decoded.raw_offset(0), 0);
        assert_eq!(decoded.raw_offset(1), 1);
        assert_eq!(decoded.raw_offset(2), 4);
        assert_eq!(decoded.raw_offset(4), 8);
        assert_eq!(decoded.raw_offset(5), 9);
    }

    #[test]
    fn finds_escapes_anywhere() {
        for length in 0..40 {
            let plain = "a".repeat(length);
            assert!(!contains_either(plain.as_bytes(), b'%', b'+'));
            for at in 0..length {
                let mut text = plain.clone().into_bytes();
                text[at] = b'+';
                assert!(contains_either(&text, b'%', b'+'));
                assert!(!contains_either(&text, b'%', b'%'));
            }
        }
    }

    #[test]
    fn raw_plus_is_a_space_unless_strict() {
        let decoded = decode("a+b%2Bc", "a+b%2Bc", 0, true).unwrap();
        assert_eq!(decoded.text, "a b+c");
        assert_eq!(decoded.raw_plus, vec![1]);
        let strict = decode("a+b%2Bc", "a+b%2Bc", 0, false).unwrap();
        assert_eq!(strict.text, "a+b+c");
        assert!(strict.raw_plus.is_empty());
    }

    #[test]
    fn bad_escapes_are_errors_at_their_position() {
        let full = "$filter=a%G1";
        let error = decode(&full[8..], full, 8, true).unwrap_err();
        assert_eq!(error.kind, ParseErrorKind::BadEscape);
        assert_eq!(error.offset, 9);
        let error = decode("ab%4", "ab%4", 0, true).unwrap_err();
        assert_eq!(error.offset, 2);
    }

    #[test]
    fn invalid_utf8_is_an_error_at_the_escape() {
        let error = decode("xy%C3%28", "xy%C3%28", 0, true).unwrap_err();
        assert_eq!(error.kind, ParseErrorKind::BadEscape);
        assert_eq!(error.offset, 2);
        assert_eq!(decode("%C3%A9", "%C3%A9", 0, true).unwrap().text, "é");
    }
}
