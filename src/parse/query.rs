//! The query-string layer (URL §2.1, §5.1): split the raw text at every `&`, split each
//! piece at its first `=`, percent-decode the name, then dispatch on it:
//!
//! - a system option name, compared case-insensitively, with or without `$` (`$filter`,
//!   `filter`, `$FILTER`; `$skiptoken` and `$deltatoken` need the `$`): its value grammar;
//!   the same option twice, in any spelling, is [`ParseErrorKind::DuplicateOption`];
//! - `@name`: a parameter alias definition (an expression or JSON value); twice is
//!   [`ParseErrorKind::DuplicateAlias`];
//! - any other `$name`: [`ParseErrorKind::UnknownOption`] (URL §5.1: unsupported system
//!   options must be rejected, not ignored);
//! - anything else: a custom option, kept with its decoded value.
//!
//! Empty pieces (`a=1&&b=2`, a leading or trailing `&`) are skipped: they carry nothing and
//! browsers and form builders produce them.
//!
//! Values are decoded exactly once, separately, so error offsets point into the raw text.

use super::decode;
use super::options::{alias_value, parse_option_value, OptionName, OptionValue};
use std::cell::OnceCell;

use super::{parse_query_value, parse_undecoded, ParseOptions, SharedQuery};
use crate::ast::{AliasDefinition, CustomOption, Query};
use crate::error::{Expected, ParseError, ParseErrorKind};

/// Parses a raw query string (the text after `?`).
pub(crate) fn parse_query(raw: &str, options: &ParseOptions) -> Result<Query, ParseError> {
    // In default mode a leading `?` (a query copied with its separator) is not part of the
    // first name, and neither is leading whitespace.
    let start = if options.lenient() {
        let skipped = raw_whitespace(raw);
        skipped + usize::from(raw[skipped..].starts_with('?'))
    } else {
        0
    };
    parse_query_in(raw, start, raw.len(), options)
}

/// Parses the query string `full[start..end]`; error offsets are into `full`.
pub(crate) fn parse_query_in(
    full: &str,
    start: usize,
    end: usize,
    options: &ParseOptions,
) -> Result<Query, ParseError> {
    let raw = &full[..end];
    super::check_length(&raw[start..], options)?;
    if options.strict {
        // A raw `#` ends the query part of a URL; inside a query it must be `%23`.
        if let Some(offset) = raw[start..].find('#') {
            return Err(ParseError::new(
                ParseErrorKind::BadEscape,
                full,
                start + offset,
            ));
        }
    }
    // On the stack, not in a box: callers of `Query::parse` take it by value, and one move
    // of it costs less than an allocation and its free.
    let mut query = Query::default();
    let mut seen = 0u32;
    // One copy of the query string, made for the first name read from it, holds the names
    // of every option that needed no decoding.
    let copy = OnceCell::new();
    let shared = SharedQuery::new(&raw[start..], &copy);
    for (piece_start, name_raw, value_raw) in pieces(&raw[start..]) {
        let piece_start = start + piece_start;
        let piece_end = piece_start + name_raw.len() + value_raw.map_or(0, |v| v.len() + 1);
        // Default mode: whitespace around a name (`$filter = x`) is not part of it.
        let (name_start, name_raw) = if options.lenient() {
            trim_raw(name_raw)
        } else {
            (0, name_raw)
        };
        let name_offset = piece_start + name_start;
        // Option names rarely need decoding: skip the decoder for plain ASCII names.
        let plain = name_raw
            .bytes()
            .all(|b| b.is_ascii() && b != b'%' && b != b'+');
        let name = if plain {
            std::borrow::Cow::Borrowed(name_raw)
        } else {
            decode::decode(name_raw, full, name_offset, !options.strict)
                .map_err(|e| e.found_within(piece_end))?
                .text
        };
        if name_raw.is_empty()
            && value_raw.map_or(true, |v| trim_raw(v).1.is_empty())
            && options.lenient()
        {
            // A piece of nothing but whitespace carries nothing, as an empty piece.
            continue;
        }
        let value_start = piece_end - value_raw.map_or(0, str::len);
        let option = Piece {
            name: &name,
            name_offset,
            value: value_raw.map(|value| RawValue {
                text: value,
                offset: value_start,
            }),
            missing_value_offset: piece_end,
        };
        add_option(
            &mut query, &mut seen, option, full, piece_end, options, shared,
        )
        .map_err(|e| e.found_within(piece_end))?;
    }
    Ok(query)
}

/// Where the query string of `text` is, as a byte range: `text` may be a query string
/// (`$top=1`, `?$top=1`), a URL (`https://host/svc/People?$top=1#frag`, `/People?$top=1`,
/// `People('x')?$top=1`) or an HTTP request line (`GET /People?$top=1 HTTP/1.1`).
///
/// A URL is told from a query string by what comes before its first `=` or `&`: a `?`,
/// `/` or `(` there belongs to a path, never to an option name.
pub(crate) fn locate_query(text: &str) -> (usize, usize) {
    let start = text.len() - text.trim_start().len();
    let mut target = &text[start..];
    let mut target_start = start;
    // A request line: a method in capitals, a space, the request target, maybe the version.
    let method_len = target.bytes().take_while(u8::is_ascii_uppercase).count();
    if method_len > 0 && target[method_len..].starts_with(' ') {
        let after_method = target[method_len..].trim_start();
        target_start += target.len() - after_method.len();
        target = after_method;
        if let Some(version) = target.rfind(" HTTP/") {
            target = &target[..version];
        }
        target = target.trim_end();
    }
    if let Some(query) = target.strip_prefix('?') {
        return (target_start + 1, target_start + 1 + query.len());
    }
    let head_end = target.find(['=', '&']).unwrap_or(target.len());
    let head = &target[..head_end];
    let is_url = head.contains(['?', '/', '(']);
    if !is_url {
        return (target_start, target_start + target.len());
    }
    let Some(question) = target.find('?') else {
        return (target_start + target.len(), target_start + target.len());
    };
    let query = &target[question + 1..];
    let query = query.split('#').next().unwrap_or("");
    let query_start = target_start + question + 1;
    (query_start, query_start + query.len())
}

/// The number of leading whitespace bytes of raw text: spaces, tabs, and (lenient
/// decoding) `+`, `%20`, `%09`.
fn raw_whitespace(raw: &str) -> usize {
    let bytes = raw.as_bytes();
    let mut at = 0;
    loop {
        match bytes.get(at..) {
            Some([b' ' | b'\t' | b'+', ..]) => at += 1,
            Some([b'%', b'2', b'0', ..] | [b'%', b'0', b'9', ..]) => at += 3,
            _ => return at,
        }
    }
}

/// `raw` without whitespace (see [`raw_whitespace`]) at either end: the offset of what is
/// left, and what is left.
fn trim_raw(raw: &str) -> (usize, &str) {
    // Names almost never have whitespace around them: look at both ends first.
    let clean_start = !matches!(raw.as_bytes().first(), Some(b' ' | b'\t' | b'+' | b'%'));
    let clean_end = !matches!(
        raw.as_bytes().last(),
        Some(b' ' | b'\t' | b'+' | b'0' | b'9')
    );
    if clean_start && clean_end {
        return (0, raw);
    }
    let start = raw_whitespace(raw);
    let mut end = raw.len();
    loop {
        let head = &raw.as_bytes()[start..end];
        match head {
            [.., b' ' | b'\t' | b'+'] => end -= 1,
            [.., b'%', b'2', b'0'] | [.., b'%', b'0', b'9'] => end -= 3,
            _ => break,
        }
    }
    (start, &raw[start..end])
}

/// The non-empty `name[=value]` pieces of a raw query string, split at every `&` and at
/// the first `=` of each piece: `(offset of the piece, name, value)`.
fn pieces(raw: &str) -> impl Iterator<Item = (usize, &str, Option<&str>)> {
    let mut start = 0;
    std::iter::from_fn(move || loop {
        let rest = raw.get(start..)?;
        let piece_start = start;
        let piece = match memchr::memchr(b'&', rest.as_bytes()) {
            Some(end) => &rest[..end],
            None => rest,
        };
        // Past the end when the last piece is done: `get` above then ends the iteration.
        start += piece.len() + 1;
        if piece.is_empty() {
            continue;
        }
        // Names are short: a plain byte loop finds the `=` sooner than a substring search.
        return Some(match piece.bytes().position(|b| b == b'=') {
            Some(at) => (piece_start, &piece[..at], Some(&piece[at + 1..])),
            None => (piece_start, piece, None),
        });
    })
}

/// Builds a query from `(name, value)` pairs a framework has already decoded. Nothing is
/// decoded again (a `+` stays a `+`); error offsets are into the value (or the name).
pub(crate) fn parse_pairs<N: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (N, V)>,
    options: &ParseOptions,
) -> Result<Query, ParseError> {
    let mut query = Query::default();
    let mut seen = 0u32;
    // The pairs together count against the query length limit, `=` and `&` included.
    let mut length = 0usize;
    for (name, value) in pairs {
        let name = name.as_ref();
        let value = value.as_ref();
        length = length.saturating_add(name.len() + value.len() + 2);
        let max = options.limits.max_query_length;
        if length > max + 1 {
            let kind = ParseErrorKind::LimitExceeded {
                limit: crate::limits::Limit::QueryLength,
                max,
            };
            return Err(ParseError::new(kind, value, 0).in_option(name));
        }
        if name.is_empty() && value.is_empty() {
            continue;
        }
        let option = Piece {
            name,
            name_offset: 0,
            value: Some(RawValue {
                text: value,
                offset: 0,
            }),
            missing_value_offset: 0,
        };
        add_pair(&mut query, &mut seen, option, options)?;
    }
    Ok(query)
}

/// One `name[=value]` piece, the name decoded.
struct Piece<'r> {
    name: &'r str,
    /// Offset of the name in the raw text (where name errors point).
    name_offset: usize,
    value: Option<RawValue<'r>>,
    /// Where a missing value would start (just after the name).
    missing_value_offset: usize,
}

/// A raw (undecoded) value and its offset in the raw text.
#[derive(Clone, Copy)]
struct RawValue<'r> {
    text: &'r str,
    offset: usize,
}

/// What a name stands for.
#[derive(Clone, Copy)]
enum Kind<'n> {
    System(OptionName),
    Alias(&'n str),
    Unknown,
    Custom,
}

fn classify<'n>(name: &'n str, options: &ParseOptions) -> Kind<'n> {
    if let Some(alias) = name.strip_prefix('@') {
        return Kind::Alias(alias);
    }
    // V2/V3 JSONP: kept as a custom option (a V4 service has no use for it).
    if options.legacy_syntax() && name.eq_ignore_ascii_case("$callback") {
        return Kind::Custom;
    }
    match OptionName::lookup_with(name, options.legacy_syntax()) {
        Some(option) => Kind::System(option),
        None if name.starts_with('$') => Kind::Unknown,
        None => Kind::Custom,
    }
}

/// Checks the name and the presence of a value; returns the error for a bad piece.
/// `kind` is `classify(option.name)`; `seen` holds the system options given so far.
fn check_piece(
    option: &Piece<'_>,
    kind: Kind<'_>,
    query: &Query,
    seen: u32,
    raw: &str,
) -> Result<(), ParseError> {
    let error_at = |kind: ParseErrorKind, offset: usize| {
        Err(ParseError::new(kind, raw, offset).in_option(option.name))
    };
    match kind {
        Kind::System(OptionName::Levels) => {
            let kind = ParseErrorKind::OptionNotAllowed("$levels".to_owned());
            return error_at(kind, option.name_offset);
        }
        Kind::System(name) if seen & name.bit() != 0 => {
            let canonical = match name {
                OptionName::InlineCount => OptionName::Count.canonical(),
                other => other.canonical(),
            };
            let kind = ParseErrorKind::DuplicateOption(canonical.to_owned());
            return error_at(kind, option.name_offset);
        }
        Kind::Alias(alias) => {
            if super::lexical::identifier(alias).map_or(true, |(rest, _)| !rest.is_empty()) {
                return error_at(
                    ParseErrorKind::Syntax(Expected::Identifier),
                    option.name_offset + 1,
                );
            }
            if query.aliases.iter().any(|a| a.name == alias) {
                let kind = ParseErrorKind::DuplicateAlias(alias.to_owned());
                return error_at(kind, option.name_offset);
            }
        }
        Kind::Unknown => {
            let kind = ParseErrorKind::UnknownOption(option.name.to_owned());
            return Err(ParseError::new(kind, raw, option.name_offset)
                .in_option(option.name)
                .with_suggestion(OptionName::suggest(option.name)));
        }
        Kind::Custom if option.name.is_empty() => {
            return error_at(
                ParseErrorKind::Syntax(Expected::Identifier),
                option.name_offset,
            );
        }
        _ => {}
    }
    Ok(())
}

/// `$filter=a eq 1 && b eq 2`: `&&` is not an operator but two separators around an empty
/// option (which the ABNF does not allow), and taking ` b eq 2` as a custom option would
/// silently drop half of the filter. A custom option whose name has whitespace right after
/// `&&` is that mistake. (A lone `&`, as in `$filter=x&y eq 1`, gives a custom option
/// named `y eq 1`, as the ABNF reads `y%20eq%201`.)
fn check_custom_name(option: &Piece<'_>, raw: &str) -> Result<(), ParseError> {
    if !raw[..option.name_offset].trim_end().ends_with("&&") {
        return Ok(());
    }
    let name = &raw[option.name_offset..];
    let name = &name[..name.find(['=', '&']).unwrap_or(name.len())];
    let Some(space) = name.find([' ', '\t']) else {
        return Ok(());
    };
    Err(ParseError::new(
        ParseErrorKind::Syntax(Expected::Identifier),
        raw,
        option.name_offset + space,
    )
    .with_suggestion(Some("and")))
}

/// True when a system option's value is missing or empty.
fn is_empty_value(option: &Piece<'_>) -> bool {
    option.value.map_or(true, |value| value.text.is_empty())
}

/// The error for a system option or alias without a value.
fn missing_value(option: &Piece<'_>, raw: &str) -> ParseError {
    let offset = option
        .value
        .map_or(option.missing_value_offset, |value| value.offset);
    ParseError::new(ParseErrorKind::Syntax(Expected::Value), raw, offset).in_option(option.name)
}

/// Adds one raw piece of the query string to `query`; `piece_end` is where its raw text
/// ends.
fn add_option(
    query: &mut Query,
    seen: &mut u32,
    option: Piece<'_>,
    raw: &str,
    piece_end: usize,
    options: &ParseOptions,
    shared: SharedQuery<'_>,
) -> Result<(), ParseError> {
    let kind = classify(option.name, options);
    check_piece(&option, kind, query, *seen, raw)?;
    if matches!(kind, Kind::Custom) {
        check_custom_name(&option, raw)?;
    }
    let value = option.value.unwrap_or(RawValue {
        text: "",
        offset: piece_end,
    });
    match kind {
        Kind::System(name) => {
            *seen |= name.bit();
            // Default mode: an empty list (`$select=`, `$select=%20`) means the option is
            // absent, as .NET's OData library reads it.
            let blank = || trim_raw(value.text).1.is_empty();
            if options.lenient() && name.empty_means_absent() && blank() {
                return Ok(());
            }
            if is_empty_value(&option) {
                return Err(missing_value(&option, raw));
            }
            if let Some(parsed) = plain_value(name, value.text, options) {
                parsed.store(name, query);
                return Ok(());
            }
            let parsed = parse_query_value(
                value.text,
                raw,
                value.offset,
                name.canonical(),
                options,
                shared,
                |ctx, i| whole_value(ctx, i, name),
            )?;
            parsed.store(name, query);
        }
        Kind::Alias(alias) => {
            if is_empty_value(&option) {
                return Err(missing_value(&option, raw));
            }
            let expr = parse_query_value(
                value.text,
                raw,
                value.offset,
                option.name,
                options,
                shared,
                alias_value,
            )?;
            query.aliases.push(AliasDefinition {
                name: alias.to_owned(),
                value: expr,
            });
        }
        Kind::Unknown => {}
        Kind::Custom => {
            let value = match option.value {
                Some(value) => Some(
                    decode::decode(value.text, raw, value.offset, !options.strict)
                        .map_err(|e| e.in_option(option.name))?
                        .text
                        .into_owned(),
                ),
                None => None,
            };
            query.custom.push(CustomOption {
                name: option.name.to_owned(),
                value,
            });
        }
    }
    Ok(())
}

/// Adds one already-decoded pair to `query`.
fn add_pair(
    query: &mut Query,
    seen: &mut u32,
    option: Piece<'_>,
    options: &ParseOptions,
) -> Result<(), ParseError> {
    let value_text = option.value.map_or("", |value| value.text);
    let kind = classify(option.name, options);
    if !matches!(kind, Kind::Custom) {
        // Name errors point into the name.
        check_piece(&option, kind, query, *seen, option.name)?;
    } else if option.name.is_empty() {
        return Err(ParseError::new(
            ParseErrorKind::Syntax(Expected::Identifier),
            option.name,
            0,
        ));
    }
    match kind {
        Kind::System(name) => {
            *seen |= name.bit();
            if options.lenient() && name.empty_means_absent() && value_text.trim().is_empty() {
                return Ok(());
            }
            if value_text.is_empty() {
                let kind = ParseErrorKind::Syntax(Expected::Value);
                return Err(ParseError::new(kind, value_text, 0).in_option(option.name));
            }
            if let Some(parsed) = plain_value(name, value_text, options) {
                parsed.store(name, query);
                return Ok(());
            }
            let parsed = parse_undecoded(value_text, name.canonical(), options, |ctx, i| {
                whole_value(ctx, i, name)
            })?;
            parsed.store(name, query);
        }
        Kind::Alias(alias) => {
            if value_text.is_empty() {
                let kind = ParseErrorKind::Syntax(Expected::Value);
                return Err(ParseError::new(kind, value_text, 0).in_option(option.name));
            }
            let expr = parse_undecoded(value_text, option.name, options, |ctx, i| {
                alias_value(ctx, i)
            })?;
            query.aliases.push(AliasDefinition {
                name: alias.to_owned(),
                value: expr,
            });
        }
        Kind::Unknown => {}
        Kind::Custom => query.custom.push(CustomOption {
            name: option.name.to_owned(),
            value: Some(value_text.to_owned()),
        }),
    }
    Ok(())
}

/// The value of `$top`, `$skip` or `$count` when it is written in its plainest form (up
/// to 19 digits; `true` or `false`), read without the decoder and the grammar: these
/// options are in most queries, and their grammar would give the same value. Anything
/// else (escapes, whitespace, other spellings, a `$top` over the limit, errors) is
/// `None`, for the grammar to read.
fn plain_value(name: OptionName, text: &str, options: &ParseOptions) -> Option<OptionValue> {
    match name {
        OptionName::Top | OptionName::Skip => {
            if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // At most 19 digits: below `u64::MAX`, so this never fails.
            let n: u64 = text.parse().ok()?;
            if name == OptionName::Skip {
                return Some(OptionValue::Skip(n));
            }
            match options.limits.max_top {
                Some(max) if n > max => None,
                _ => Some(OptionValue::Top(n)),
            }
        }
        OptionName::Count => match text {
            "true" => Some(OptionValue::Count(true)),
            "false" => Some(OptionValue::Count(false)),
            _ => None,
        },
        _ => None,
    }
}

/// The whole value of a top-level option: its grammar, then the end of the value
/// (a complete value followed by more text fails with [`Expected::End`]).
fn whole_value<'a>(
    ctx: &super::Ctx<'a>,
    i: &'a str,
    name: OptionName,
) -> super::PResult<'a, OptionValue> {
    // Default mode: whitespace around the value (`$top= 0 `) is not part of it. The text
    // options (`$skiptoken`, `$id`, ...) are opaque and kept as they are.
    let lenient = ctx.options.lenient() && !name.is_opaque_text();
    let i = if lenient { super::lexical::bws(i) } else { i };
    let (rest, value) = parse_option_value(ctx, i, name)?;
    let rest = if lenient && super::lexical::bws(rest).is_empty() {
        ""
    } else {
        rest
    };
    let simple = matches!(
        name,
        OptionName::Top | OptionName::Skip | OptionName::Count | OptionName::Index
    );
    if simple && !rest.is_empty() {
        // The offending token, not the space before it.
        return super::fail_expected(super::lexical::bws(rest), Expected::End);
    }
    Ok((rest, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Query, ParseError> {
        parse_query(raw, &ParseOptions::default())
    }

    #[test]
    fn pieces_split_at_ampersands_and_the_first_equals() {
        let found: Vec<_> = pieces("&a=1&&b&c=x=y&=z&").collect();
        assert_eq!(
            found,
            vec![
                (1, "a", Some("1")),
                (6, "b", None),
                (8, "c", Some("x=y")),
                (14, "", Some("z")),
            ]
        );
        assert_eq!(pieces("").count(), 0);
        assert_eq!(pieces("é=è").collect::<Vec<_>>(), vec![(0, "é", Some("è"))]);
    }

    #[test]
    fn plain_values_are_what_the_grammar_reads() {
        let values = [
            "0",
            "5",
            "007",
            "4700",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "true",
            "false",
            "TRUE",
            "False",
            " 5",
            "5 ",
            "%35",
            "+5",
            "-1",
            "1e3",
            "5x",
            "",
            "truex",
            "nul",
        ];
        let limited = ParseOptions {
            limits: crate::Limits {
                max_top: Some(100),
                ..crate::Limits::default()
            },
            ..ParseOptions::default()
        };
        let mut shortcuts = 0;
        for options in [ParseOptions::default(), limited] {
            for name in [OptionName::Top, OptionName::Skip, OptionName::Count] {
                for text in values {
                    let Some(plain) = plain_value(name, text, &options) else {
                        continue;
                    };
                    shortcuts += 1;
                    let mut quick = Query::default();
                    plain.store(name, &mut quick);
                    let read = super::super::parse_decoded(
                        text,
                        text,
                        0,
                        name.canonical(),
                        &options,
                        |ctx, i| whole_value(ctx, i, name),
                    )
                    .expect("a plain value is valid");
                    let mut full = Query::default();
                    read.store(name, &mut full);
                    assert_eq!(quick, full, "{} = {text:?}", name.canonical());
                }
            }
        }
        // Five digit strings for `$top` and `$skip` (two of them over the `$top` limit of
        // 100), two words for `$count`; under both sets of options.
        assert_eq!(shortcuts, 2 * 2 * 5 - 2 + 2 * 2);
    }

    #[test]
    fn names_of_plain_options_share_one_copy_of_the_query() {
        use crate::ast::{Expr, PathSegment, Segment, SelectItem};
        let first_name = |expr: &Expr| match expr {
            Expr::Binary { operands, .. } => match &operands[0] {
                Expr::Path(path) => match &path.segments[0] {
                    Segment::Property(name) => name.clone(),
                    other => panic!("not a property: {other:?}"),
                },
                other => panic!("not a path: {other:?}"),
            },
            other => panic!("not a comparison: {other:?}"),
        };
        let selected = |query: &Query| match &query.select[0] {
            SelectItem::Path { segments, .. } => match &segments[0] {
                PathSegment::Property(name) => name.clone(),
                other => panic!("not a property: {other:?}"),
            },
            other => panic!("not a path: {other:?}"),
        };
        let query = parse("$filter=size eq 1&$select=name&@p=x").unwrap();
        let (filtered, chosen) = (first_name(query.filter.as_ref().unwrap()), selected(&query));
        assert_eq!((filtered.as_str(), chosen.as_str()), ("size", "name"));
        assert!(filtered.shares_text_with(&chosen));
        // A value that needed decoding has names of its own, read from the decoded text.
        let query = parse("$filter=size%20eq%201&$select=name").unwrap();
        let (filtered, chosen) = (first_name(query.filter.as_ref().unwrap()), selected(&query));
        assert_eq!((filtered.as_str(), chosen.as_str()), ("size", "name"));
        assert!(!filtered.shares_text_with(&chosen));
    }

    #[test]
    fn literal_text_shares_the_query_unless_it_was_respelled() {
        use crate::ast::{Expr, Literal, Name, Segment};
        // The property name and the literal of every `name eq literal` in an `and` chain.
        fn comparisons(expr: &Expr, out: &mut Vec<(Name, Literal)>) {
            let Expr::Binary { op, operands } = expr else {
                panic!("not a binary operation: {expr:?}");
            };
            match (op, &**operands) {
                (crate::ast::BinaryOp::And, [left, right]) => {
                    comparisons(left, out);
                    comparisons(right, out);
                }
                (_, [Expr::Path(path), Expr::Literal(literal)]) => match &path.segments[..] {
                    [Segment::Property(name)] => out.push((name.clone(), literal.clone())),
                    other => panic!("not one property: {other:?}"),
                },
                (_, other) => panic!("not name op literal: {other:?}"),
            }
        }
        let text = |literal: &Literal| match literal {
            Literal::String(text)
            | Literal::Decimal(text)
            | Literal::Double(text)
            | Literal::Guid(text)
            | Literal::Date(text)
            | Literal::DateTimeOffset(text)
            | Literal::TimeOfDay(text)
            | Literal::Duration(text) => text.clone(),
            other => panic!("no text: {other:?}"),
        };
        let shared = "$filter=s eq 'x' and d eq 2.5 and e eq 1e3 and g eq \
            01234567-89ab-cdef-0123-456789abcdef and a eq 2026-01-01 and \
            t eq 2026-01-01T10:00:00.5-02:00 and o eq 10:00 and u eq duration'PT1H'";
        let respelled = "$filter=s eq 'it''s' and t eq 2026-01-01t10:00:00z and \
            w eq 2026-01-01T1:2:3Z and o eq 9:5:7 and u eq duration'pt1h' and e eq 1e+3 and \
            z eq 2026-01-01T10:00:00+02:00";
        for (query, shares, expected) in [
            (
                shared,
                true,
                &[
                    "x",
                    "2.5",
                    "1e3",
                    "01234567-89ab-cdef-0123-456789abcdef",
                    "2026-01-01",
                    "2026-01-01T10:00:00.5-02:00",
                    "10:00",
                    "PT1H",
                ][..],
            ),
            (
                respelled,
                false,
                &[
                    "it's",
                    "2026-01-01T10:00:00Z",
                    "2026-01-01T01:02:03Z",
                    "09:05:07",
                    "PT1H",
                    "1e+3",
                    "2026-01-01T10:00:00+02:00",
                ][..],
            ),
        ] {
            let query = parse(query).unwrap();
            let mut found = Vec::new();
            comparisons(query.filter.as_ref().unwrap(), &mut found);
            let texts: Vec<Name> = found.iter().map(|(_, literal)| text(literal)).collect();
            assert_eq!(texts, expected, "{query}");
            // A respelled text is a copy of its own; the rest are slices of the text the
            // names are read from (here the decoded value: a raw `+` is a space there).
            for ((name, _), text) in found.iter().zip(&texts) {
                assert_eq!(text.shares_text_with(name), shares, "{text}");
            }
        }
    }

    #[test]
    fn splits_names_and_values() {
        let query = parse("$top=5&&skip=2&debug&x=a%20b&").unwrap();
        assert_eq!(query.top, Some(5));
        assert_eq!(query.skip, Some(2));
        assert_eq!(query.custom.len(), 2);
        assert_eq!(query.custom[0].value, None);
        assert_eq!(query.custom[1].value.as_deref(), Some("a b"));
    }

    #[test]
    fn duplicates_unknown_and_empty_values() {
        let error = parse("$top=1&TOP=2").unwrap_err();
        assert_eq!(error.offset, 7);
        assert!(matches!(error.kind, ParseErrorKind::DuplicateOption(_)));
        let error = parse("$frob=1").unwrap_err();
        assert!(matches!(error.kind, ParseErrorKind::UnknownOption(_)));
        let error = parse("$top=").unwrap_err();
        assert_eq!(error.offset, 5);
        let error = parse("$count").unwrap_err();
        assert_eq!(error.offset, 6);
        let error = parse("$levels=2").unwrap_err();
        assert!(matches!(error.kind, ParseErrorKind::OptionNotAllowed(_)));
    }

    #[test]
    fn finds_the_query_of_urls_and_request_lines() {
        let query_of = |text: &'static str| {
            let (start, end) = locate_query(text);
            &text[start..end]
        };
        assert_eq!(query_of("$top=1"), "$top=1");
        assert_eq!(query_of("  ?$top=1"), "$top=1");
        assert_eq!(query_of("/People?$top=1#frag"), "$top=1");
        assert_eq!(
            query_of("https://h/s/People?$top=1&$skip=2"),
            "$top=1&$skip=2"
        );
        assert_eq!(query_of("People('a&b')?$top=1"), "$top=1");
        assert_eq!(
            query_of("GET /People?$filter=a eq 1 HTTP/1.1"),
            "$filter=a eq 1"
        );
        assert_eq!(query_of("GET /People HTTP/1.1"), "");
        assert_eq!(query_of("$filter=a eq '?/('"), "$filter=a eq '?/('");
    }

    #[test]
    fn trims_raw_whitespace() {
        assert_eq!(trim_raw("$top"), (0, "$top"));
        assert_eq!(trim_raw("%20$top+%09"), (3, "$top"));
        assert_eq!(trim_raw(" \t"), (2, ""));
        assert_eq!(trim_raw("%2"), (0, "%2"));
        assert_eq!(raw_whitespace("++%20x"), 5);
    }

    #[test]
    fn pairs_are_not_decoded_again() {
        let query = parse_pairs([("$skiptoken", "a+b%20")], &ParseOptions::default()).unwrap();
        assert_eq!(query.skiptoken.as_deref(), Some("a+b%20"));
        let error = parse_pairs([("$top", "x")], &ParseOptions::default()).unwrap_err();
        assert_eq!(error.offset, 0);
        let mut options = ParseOptions::default();
        options.limits.max_query_length = 10;
        assert!(parse_pairs([("$top", "12345")], &options).is_ok());
        let error = parse_pairs([("$top", "1"), ("$skip", "2")], &options).unwrap_err();
        assert!(matches!(error.kind, ParseErrorKind::LimitExceeded { .. }));
    }
}
