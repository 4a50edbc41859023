//! Lexical rules: whitespace, identifiers, qualified names, keywords, and literals.

use std::borrow::Cow;

use super::{error, fail_expected, Ctx, PResult};
use crate::error::Expected;

/// `BWS`: optional spaces and tabs (`%20`/`%09` are decoded already).
#[inline]
pub(crate) fn bws(i: &str) -> &str {
    // Bytes, not chars: both are ASCII, so the cut is always at a character boundary.
    let skipped = i.bytes().take_while(|&b| b == b' ' || b == b'\t').count();
    &i[skipped..]
}

/// The static name of a punctuation token, for [`Expected::Token`].
pub(crate) fn token_name(c: char) -> &'static str {
    match c {
        '(' => "(",
        ')' => ")",
        ',' => ",",
        ':' => ":",
        ';' => ";",
        '=' => "=",
        '/' => "/",
        '\'' => "'",
        '"' => "\"",
        '[' => "[",
        ']' => "]",
        '{' => "{",
        '}' => "}",
        '.' => ".",
        '*' => "*",
        '@' => "@",
        '-' => "-",
        _ => "?",
    }
}

/// True for characters that may start an `odataIdentifier` (a letter or `_`; Unicode
/// letters are allowed).
#[inline]
pub(crate) fn is_identifier_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// True for characters that may continue an `odataIdentifier`.
#[inline]
pub(crate) fn is_identifier_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// ASCII bytes that continue an identifier (letters, digits, `_`), as a table: the
/// identifier scan is the parser's innermost loop.
static IDENTIFIER_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

/// `odataIdentifier`: a letter or `_`, then up to 127 letters, digits or `_`.
#[inline]
pub(crate) fn identifier(i: &str) -> PResult<'_, &str> {
    // Fast path: identifiers are almost always ASCII, so scan bytes and fall back to
    // characters only at the first non-ASCII byte.
    let bytes = i.as_bytes();
    match bytes.first() {
        Some(&b) if b.is_ascii_alphabetic() || b == b'_' => {}
        Some(&b) if b.is_ascii() => return error(i, Expected::Identifier),
        None => return error(i, Expected::Identifier),
        Some(_) => return identifier_unicode(i),
    }
    let ascii_end = bytes
        .iter()
        .position(|&b| !IDENTIFIER_BYTE[usize::from(b)])
        .unwrap_or(bytes.len());
    if bytes.get(ascii_end).is_some_and(|b| !b.is_ascii()) {
        return identifier_unicode(i);
    }
    // All ASCII: bytes are characters.
    if ascii_end > 128 {
        return error(i, Expected::Identifier);
    }
    Ok((&i[ascii_end..], &i[..ascii_end]))
}

/// [`identifier`] for names with non-ASCII characters (Unicode letters and digits).
fn identifier_unicode(i: &str) -> PResult<'_, &str> {
    let mut chars = i.char_indices();
    match chars.next() {
        Some((_, c)) if is_identifier_start(c) => {}
        _ => return error(i, Expected::Identifier),
    }
    let end = chars
        .find(|&(_, c)| !is_identifier_char(c))
        .map_or(i.len(), |(index, _)| index);
    if i[..end].chars().count() > 128 {
        return error(i, Expected::Identifier);
    }
    Ok((&i[end..], &i[..end]))
}

/// `namespace "." name`, or a plain identifier: identifiers joined by `.`. Returns the text.
#[inline]
pub(crate) fn dotted_name(i: &str) -> PResult<'_, &str> {
    let (mut rest, _) = identifier(i)?;
    while let Some(after_dot) = rest.strip_prefix('.') {
        match identifier(after_dot) {
            Ok((after, _)) => rest = after,
            Err(_) => break,
        }
    }
    Ok((rest, &i[..i.len() - rest.len()]))
}

/// The first identifier of a [`dotted_name`] (all of it when it has no dot).
#[inline]
pub(crate) fn first_identifier(name: &str) -> &str {
    match name.bytes().position(|b| b == b'.') {
        Some(dot) => &name[..dot],
        None => name,
    }
}

/// True when a [`dotted_name`] has a dot (a qualified name). A byte loop: names are short,
/// and `str::contains` would set up a substring search.
#[inline]
pub(crate) fn is_qualified(name: &str) -> bool {
    name.bytes().any(|b| b == b'.')
}

/// A keyword compared case-insensitively, not followed by an identifier character.
#[inline]
pub(crate) fn keyword_ci<'i>(word: &'static str, i: &'i str) -> PResult<'i, &'i str> {
    let n = word.len();
    match i.get(..n) {
        Some(head)
            if head.eq_ignore_ascii_case(word)
                && !i[n..].starts_with(|c: char| is_identifier_char(c)) =>
        {
            Ok((&i[n..], head))
        }
        _ => error(i, Expected::Token(word)),
    }
}

/// A keyword compared case-sensitively, not followed by an identifier character.
#[inline]
pub(crate) fn keyword<'i>(word: &'static str, i: &'i str) -> PResult<'i, &'i str> {
    match i.strip_prefix(word) {
        Some(rest) if !rest.starts_with(|c: char| is_identifier_char(c)) => {
            Ok((rest, &i[..word.len()]))
        }
        _ => error(i, Expected::Token(word)),
    }
}

/// `1*DIGIT` as a `u64` (for `$top`, `$skip`, `top(n)`); fails if out of range.
pub(crate) fn unsigned<'i>(ctx: &Ctx<'_>, i: &'i str) -> PResult<'i, u64> {
    let _ = ctx;
    let end = i.find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len());
    if end == 0 {
        return error(i, Expected::Integer);
    }
    match i[..end].parse::<u64>() {
        Ok(n) => Ok((&i[end..], n)),
        Err(_) => super::failure(i, crate::error::ParseErrorKind::OutOfRange("the integer")),
    }
}

/// `'` text `'` with `''` for a quote (`stringLiteral`, and `$search`'s incomplete
/// expression); `i` starts at the opening quote. Returns the undoubled content: a slice of
/// `i` when no quote is doubled (most strings), a copy of its own otherwise.
pub(crate) fn single_quoted(i: &str) -> PResult<'_, Cow<'_, str>> {
    let body = i.get(1..).unwrap_or("");
    if let Some(end) = memchr::memchr(b'\'', body.as_bytes()) {
        let after = &body[end + 1..];
        if !after.starts_with('\'') {
            return Ok((after, Cow::Borrowed(&body[..end])));
        }
    }
    let mut text = String::new();
    let mut rest = body;
    loop {
        match memchr::memchr(b'\'', rest.as_bytes()) {
            None => return fail_expected(&rest[rest.len()..], Expected::Token("'")),
            Some(end) => {
                text.push_str(&rest[..end]);
                let after = &rest[end + 1..];
                match after.strip_prefix('\'') {
                    Some(after_pair) => {
                        text.push('\'');
                        rest = after_pair;
                    }
                    None => return Ok((after, Cow::Owned(text))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_dotted_names() {
        assert_eq!(identifier("name eq 1").unwrap(), (" eq 1", "name"));
        assert!(identifier("1abc").is_err());
        assert_eq!(dotted_name("Ns.Sub.Type/x").unwrap(), ("/x", "Ns.Sub.Type"));
        assert_eq!(dotted_name("a.").unwrap(), (".", "a"));
        assert_eq!(identifier("näme_1é x").unwrap(), (" x", "näme_1é"));
        assert_eq!(identifier("ab\u{e9}").unwrap(), ("", "ab\u{e9}"));
        assert_eq!(identifier("ab\u{2013}").unwrap(), ("\u{2013}", "ab"));
        assert!(identifier("\u{e9}t\u{e9}").is_ok());
        assert!(identifier("\u{2013}a").is_err());
        assert!(identifier(&"a".repeat(128)).is_ok());
        assert!(identifier(&"a".repeat(129)).is_err());
        assert!(identifier(&format!("{}\u{e9}", "a".repeat(127))).is_ok());
        assert!(identifier(&format!("{}\u{e9}", "a".repeat(128))).is_err());
    }

    #[test]
    fn keywords_respect_word_boundaries() {
        assert!(keyword_ci("and", "AND x").is_ok());
        assert!(keyword_ci("and", "andx").is_err());
        assert!(keyword("NOT", "not").is_err());
    }
}
