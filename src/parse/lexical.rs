//! Lexical rules: whitespace, identifiers, qualified names, keywords, and literals.

use super::{error, Ctx, PResult};
use crate::error::Expected;

/// `BWS`: optional spaces and tabs (`%20`/`%09` are decoded already).
pub(crate) fn bws(i: &str) -> &str {
    i.trim_start_matches([' ', '\t'])
}

/// `RWS`: at least one space or tab.
pub(crate) fn rws(i: &str) -> PResult<'_, ()> {
    let rest = bws(i);
    if rest.len() == i.len() {
        return error(i, Expected::Token(" "));
    }
    Ok((rest, ()))
}

/// A single expected character.
pub(crate) fn char_token(c: char) -> impl Fn(&str) -> PResult<'_, char> {
    move |i: &str| match i.strip_prefix(c) {
        Some(rest) => Ok((rest, c)),
        None => error(i, Expected::Token(token_name(c))),
    }
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
pub(crate) fn is_identifier_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// True for characters that may continue an `odataIdentifier`.
pub(crate) fn is_identifier_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `odataIdentifier`: a letter or `_`, then up to 127 letters, digits or `_`.
pub(crate) fn identifier(i: &str) -> PResult<'_, &str> {
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

/// A keyword compared case-insensitively, not followed by an identifier character.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_dotted_names() {
        assert_eq!(identifier("name eq 1").unwrap(), (" eq 1", "name"));
        assert!(identifier("1abc").is_err());
        assert_eq!(dotted_name("Ns.Sub.Type/x").unwrap(), ("/x", "Ns.Sub.Type"));
        assert_eq!(dotted_name("a.").unwrap(), (".", "a"));
    }

    #[test]
    fn keywords_respect_word_boundaries() {
        assert!(keyword_ci("and", "AND x").is_ok());
        assert!(keyword_ci("and", "andx").is_err());
        assert!(keyword("NOT", "not").is_err());
    }
}
