//! OData V2/V3 syntax, read into the V4 tree when [`crate::ParseOptions::legacy`] is on, so
//! that a proxy in front of a SharePoint or SAP client can understand the request and
//! rewrite it in V4 (printing the tree gives the V4 text):
//!
//! - `datetime'2019-01-01T00:00'` is a date-time offset in UTC (`2019-01-01T00:00Z`);
//!   `datetimeoffset'...'` is one as it is;
//! - `guid'...'` is a GUID, `time'PT1H'` a duration, `X'0A0B'` a binary (hex digits);
//! - `substringof('a',Name)` is `contains(Name,'a')` (see [`super::call`]).

use super::super::{Ctx, PError};
use super::fail;
use super::literal::{date, digits, duration, guid, time_of_day, time_zone};
use crate::ast::{Literal, Name};
use crate::error::Expected;

/// `word'...'` for the V2/V3 prefixes; `quoted` follows the opening quote. `Ok(None)` when
/// `word` is not one of them.
#[allow(clippy::type_complexity)] // an optional nom result: "not a legacy literal" is not an error
pub(super) fn prefixed_literal<'a>(
    ctx: &Ctx<'a>,
    word: &str,
    quoted: &'a str,
) -> Result<Option<(&'a str, Literal)>, nom::Err<PError<'a>>> {
    let is = |name: &str| word.eq_ignore_ascii_case(name);
    let (rest, literal) = if is("datetime") || is("datetimeoffset") {
        date_time(ctx, quoted, is("datetime"))?
    } else if is("guid") {
        let Some((rest, text)) = guid(quoted) else {
            return fail(quoted, Expected::Literal("guid"));
        };
        (rest, Literal::Guid(ctx.name(text)))
    } else if is("time") {
        let (rest, text) = duration(quoted)?;
        return Ok(Some((
            rest,
            Literal::Duration(Name::from(text.to_ascii_uppercase())),
        )));
    } else if word == "X" || word == "x" {
        hex_binary(quoted)?
    } else {
        return Ok(None);
    };
    match rest.strip_prefix('\'') {
        Some(after) => Ok(Some((after, literal))),
        None => fail(rest, Expected::Token("'")),
    }
}

/// The V4 spelling of a V2/V3 literal that stopped a default-mode parse, for a
/// did-you-mean: `rest` is where the parse stopped (at the opening quote of
/// `datetime'...'`) and `before` the text before it. `None` when it is not one.
pub(crate) fn v4_spelling(ctx: &Ctx<'_>, before: &str, rest: &str) -> Option<String> {
    let quoted = rest.strip_prefix('\'')?;
    // The letters right before the quote (ASCII, so the slice is on a char boundary).
    let letters = before
        .bytes()
        .rev()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let word = &before[before.len() - letters..];
    let legacy = crate::ParseOptions {
        legacy: true,
        ..ctx.options.clone()
    };
    let legacy_ctx = Ctx::new(ctx.text, &[], &legacy);
    match prefixed_literal(&legacy_ctx, word, quoted) {
        Ok(Some((_, literal))) => Some(literal.to_string()),
        _ => None,
    }
}

/// `yyyy-mm-ddThh:mm[:ss[.f]]` with an optional zone; `utc` adds `Z` when there is none
/// (V2's `datetime` has no offset and meant UTC on the wire).
fn date_time<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    utc: bool,
) -> Result<(&'a str, Literal), nom::Err<PError<'a>>> {
    const KIND: &str = "dateTimeOffset";
    let year_digits = digits(i);
    if year_digits < 4 || !i[year_digits..].starts_with('-') {
        return fail(i, Expected::Literal(KIND));
    }
    let (after_date, ()) = date(&i[year_digits + 1..], &i[..year_digits], i)?;
    let mut text = i[..i.len() - after_date.len()].to_owned();
    let Some(after_t) = after_date.strip_prefix(['T', 't']) else {
        return fail(after_date, Expected::Literal(KIND));
    };
    text.push('T');
    let after_time = time_of_day(after_t, KIND, true, &mut text)?;
    if utc && after_time.starts_with('\'') {
        text.push('Z');
        return Ok((after_time, Literal::DateTimeOffset(Name::from(text))));
    }
    let rest = time_zone(ctx, after_time, &mut text)?;
    Ok((rest, Literal::DateTimeOffset(Name::from(text))))
}

/// `X'0A0B'`: pairs of hex digits.
fn hex_binary(i: &str) -> Result<(&str, Literal), nom::Err<PError<'_>>> {
    let length = i.bytes().take_while(u8::is_ascii_hexdigit).count();
    if length % 2 == 1 {
        return fail(&i[length - 1..], Expected::Literal("binary"));
    }
    let bytes = i.as_bytes()[..length]
        .chunks(2)
        .map(|pair| {
            let value = |b: u8| char::from(b).to_digit(16).unwrap_or(0) as u8;
            value(pair[0]) * 16 + value(pair[1])
        })
        .collect();
    Ok((&i[length..], Literal::Binary(bytes)))
}
