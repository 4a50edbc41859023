//! Primitive literals (ABNF section 7): `null`, Booleans, numbers, strings, GUIDs, dates,
//! times, date-time offsets, durations, binaries, enums and geo values.
//!
//! A literal either does not start here (a recoverable error, so the caller tries member
//! expressions next) or, once its shape is unmistakable (`2026-`, `12:`, `binary'`), must be
//! complete and valid (an unrecoverable error at the offending character).
//!
//! Temporal kinds are tried before numbers, so `2026-01-01` is a date; a GUID is tried
//! before both (`12345678-...` would otherwise start a date).

use std::borrow::Cow;

use super::super::lexical::{
    dotted_name, first_identifier, identifier, is_identifier_char, keyword,
};
use super::super::{error, fail_expected, failure, Ctx, PError, PResult};
use super::{fail, geo};
use crate::ast::{Literal, Name};
use crate::error::{Expected, ParseErrorKind};

/// A primitive literal. Fails recoverably when `i` does not start like one.
pub(crate) fn parse_literal<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Literal> {
    let Some(first) = i.chars().next() else {
        return error(i, Expected::Expression);
    };
    if let Some(result) = plain_integer(i) {
        return Ok(result);
    }
    literal_in_order(ctx, i, first)
}

/// [`parse_literal`] past plain integers: every other kind, in the order that tells them
/// apart. `first` is the first character of `i`.
fn literal_in_order<'a>(ctx: &Ctx<'a>, i: &'a str, first: char) -> PResult<'a, Literal> {
    if first == '\'' {
        let (rest, text) = string(i)?;
        return Ok((rest, Literal::String(ctx.text_name(text))));
    }
    if first.is_ascii_hexdigit() {
        if let Some((rest, guid)) = guid(i) {
            return Ok((rest, Literal::Guid(ctx.name(guid))));
        }
    }
    if first.is_ascii_digit() || first == '-' || first == '+' {
        if let Some(result) = temporal(ctx, i)? {
            return Ok(result);
        }
        return number(ctx, i);
    }
    // One scan of the (possibly dotted) name serves every word-shaped literal; the checks
    // on its first identifier are those of a plain word.
    let Ok((after_name, name)) = dotted_name(i) else {
        return error(i, Expected::Expression);
    };
    let word = first_identifier(name);
    let rest = &i[word.len()..];
    if word == "null" {
        return Ok((rest, Literal::Null));
    }
    if word.eq_ignore_ascii_case("true") {
        return Ok((rest, Literal::Boolean(true)));
    }
    if word.eq_ignore_ascii_case("false") {
        return Ok((rest, Literal::Boolean(false)));
    }
    if word == "INF" || word == "NaN" {
        return Ok((rest, Literal::Double(ctx.name(word))));
    }
    if let Some(quoted) = after_name.strip_prefix('\'') {
        if word.len() == name.len() {
            return prefixed(ctx, word, quoted);
        }
        return enumeration(name, quoted);
    }
    error(i, Expected::Expression)
}

/// The commonest number, up to 18 digits that nothing continues (`1`, `4700`): an Int64,
/// read without trying the other literals a digit may start. Whatever could continue a
/// GUID, a date, a time, a decimal, a double or a suffixed number (a letter, `.`, `-`,
/// `:`, `_`, a non-ASCII byte) is `None`, for [`parse_literal`]'s full order to read.
fn plain_integer(i: &str) -> Option<(&str, Literal)> {
    let count = digits(i);
    if count == 0 || count > 18 {
        return None;
    }
    let ends = i.as_bytes().get(count).map_or(true, |&b| {
        b.is_ascii() && !b.is_ascii_alphanumeric() && !matches!(b, b'.' | b'-' | b':' | b'_')
    });
    if !ends {
        return None;
    }
    // At most 18 digits: always an `i64`.
    let value = i[..count].parse::<i64>().ok()?;
    Some((&i[count..], Literal::Int(value)))
}

/// `word'...'`: `binary'...'`, `duration'...'`, `geography'...'`, `geometry'...'`.
/// `quoted` is the input after the opening quote.
fn prefixed<'a>(ctx: &Ctx<'a>, word: &str, quoted: &'a str) -> PResult<'a, Literal> {
    if word.eq_ignore_ascii_case("binary") {
        return binary(quoted);
    }
    if word.eq_ignore_ascii_case("duration") {
        let (rest, text) = duration(quoted)?;
        let text = if text.bytes().any(|b| b.is_ascii_lowercase()) {
            Name::from(text.to_ascii_uppercase())
        } else {
            ctx.name(text)
        };
        return Ok((rest, Literal::Duration(text)));
    }
    if word.eq_ignore_ascii_case("geography") {
        let (rest, geo) = geo::geo_literal(ctx, quoted, true)?;
        return Ok((rest, Literal::Geo(geo)));
    }
    if word.eq_ignore_ascii_case("geometry") {
        let (rest, geo) = geo::geo_literal(ctx, quoted, false)?;
        return Ok((rest, Literal::Geo(geo)));
    }
    if ctx.options.legacy_syntax() {
        if let Some(result) = super::legacy::prefixed_literal(ctx, word, quoted)? {
            return Ok(result);
        }
    }
    // `name'...'` with an unqualified name is not a literal; the caller reports it.
    error(quoted, Expected::Expression)
}

/// `stringLiteral`: `'` text `'`, with `''` for a quote. Returns the undoubled content.
pub(super) fn string(i: &str) -> PResult<'_, Cow<'_, str>> {
    super::super::lexical::single_quoted(i)
}

/// The number of leading ASCII digits of `i`.
pub(super) fn digits(i: &str) -> usize {
    i.bytes().take_while(u8::is_ascii_digit).count()
}

/// `8HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 12HEXDIG`, not followed by a name
/// character. `None` when `i` does not hold one (the caller tries other literals).
pub(super) fn guid(i: &str) -> Option<(&str, &str)> {
    let bytes = i.as_bytes();
    let groups = [8usize, 4, 4, 4, 12];
    let mut position = 0;
    for (index, length) in groups.into_iter().enumerate() {
        if index > 0 {
            if bytes.get(position) != Some(&b'-') {
                return None;
            }
            position += 1;
        }
        let group = bytes.get(position..position + length)?;
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        position += length;
    }
    let rest = &i[position..];
    if rest.starts_with(|c: char| is_identifier_char(c) || c == '-') {
        return None;
    }
    Some((rest, &i[..position]))
}

/// Dates, date-time offsets and times of day. `Ok(None)` when `i` does not look like one;
/// once it does (`year-`, or `hh:mm`), the literal must be complete and valid. `29:'x'`
/// (in `case(age gt 29:'old')`) does not look like a time: the lexer reads the number.
///
/// `T` and `Z` may be lower case (ABNF quoted strings are case-insensitive); the text is
/// kept with upper-case letters. In default mode the parts of a time may have one digit
/// (`19:4:50.123`, written `19:04:50.123`).
#[allow(clippy::type_complexity)] // an optional nom result: "not a temporal literal" is not an error
fn temporal<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
) -> Result<Option<(&'a str, Literal)>, nom::Err<PError<'a>>> {
    let unsigned = i.strip_prefix('-').unwrap_or(i);
    let year_digits = digits(unsigned);
    let year_ok = match unsigned.as_bytes().first() {
        Some(b'0') => year_digits == 4,
        Some(_) => year_digits >= 4,
        None => false,
    };
    let lenient = ctx.options.lenient();
    if year_ok && unsigned[year_digits..].starts_with('-') {
        let (after_date, ()) = date(&unsigned[year_digits + 1..], &unsigned[..year_digits], i)?;
        let date_text = &i[..i.len() - after_date.len()];
        let Some(after_t) = after_date.strip_prefix(['T', 't']) else {
            return Ok(Some((after_date, Literal::Date(ctx.name(date_text)))));
        };
        let date_time = |text: &mut dyn TextSink| {
            text.push_str(date_text);
            text.push('T');
            let after_time = time_of_day(after_t, "dateTimeOffset", lenient, text)?;
            time_zone(ctx, after_time, text)
        };
        let (rest, text) = canonical_text(ctx, i, date_time)?;
        return Ok(Some((rest, Literal::DateTimeOffset(text))));
    }
    if i.len() == unsigned.len() && looks_like_time(i, lenient) {
        let time = |text: &mut dyn TextSink| time_of_day(i, "timeOfDay", lenient, text);
        let (rest, text) = canonical_text(ctx, i, time)?;
        if rest.starts_with(|c: char| is_identifier_char(c)) {
            return fail(rest, Expected::Literal("timeOfDay"));
        }
        return Ok(Some((rest, Literal::TimeOfDay(text))));
    }
    Ok(None)
}

/// Where the temporal readers write a literal's canonical text (two-digit parts, `T`,
/// `Z`, `+`): a `String`, or a [`TextLength`] that only counts its bytes.
pub(super) trait TextSink {
    fn push_str(&mut self, text: &str);
    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }
}

impl TextSink for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }
}

/// The length of the canonical text, without the text.
struct TextLength(usize);

impl TextSink for TextLength {
    fn push_str(&mut self, text: &str) {
        self.0 += text.len();
    }
}

/// Runs `read` (a temporal reader writing canonical text) over `i` and returns the text as a
/// [`Name`]. Written literals are almost always canonical already, so `read` first only
/// counts: when the text is as long as what it read and nothing in that was respelled
/// (`t`, `z`, a space for a raw `+`; a one-digit part would make it longer), the name is
/// the input's own slice, with no copy; otherwise `read` runs again to write the text.
fn canonical_text<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    read: impl Fn(&mut dyn TextSink) -> Result<&'a str, nom::Err<PError<'a>>>,
) -> Result<(&'a str, Name), nom::Err<PError<'a>>> {
    let mut length = TextLength(0);
    let rest = read(&mut length)?;
    let written = &i[..i.len() - rest.len()];
    let respelled = written.bytes().any(|b| matches!(b, b't' | b'z' | b' '));
    if length.0 == written.len() && !respelled {
        return Ok((rest, ctx.name(written)));
    }
    let mut text = String::with_capacity(length.0);
    read(&mut text)?;
    Ok((rest, Name::from(text)))
}

/// True when `i` starts like a time of day: `hh:mm`, or in default mode `h:m:s` with one-
/// or two-digit parts. Anything else after `hh:` is not a time (`29:'old'`, `10:x`).
fn looks_like_time(i: &str, lenient: bool) -> bool {
    let bytes = i.as_bytes();
    let two = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    if two(0) && two(1) && bytes.get(2) == Some(&b':') && two(3) && two(4) {
        return true;
    }
    if !lenient {
        return false;
    }
    // `h:m:s`: three parts of one or two digits.
    let mut at = 0;
    for part in 0..3 {
        let count = digits(&i[at..]);
        if count == 0 || count > 2 {
            return false;
        }
        at += count;
        if part < 2 {
            if bytes.get(at) != Some(&b':') {
                return false;
            }
            at += 1;
        }
    }
    true
}

/// Two digits from `i` forming a number in `low..=high`, or an error naming `kind`.
fn two_digits<'a>(i: &'a str, low: u32, high: u32, kind: &'static str) -> PResult<'a, u32> {
    let value = match i.as_bytes().get(..2) {
        Some([a, b]) if a.is_ascii_digit() && b.is_ascii_digit() => {
            u32::from(a - b'0') * 10 + u32::from(b - b'0')
        }
        _ => return fail_expected(i, Expected::Literal(kind)),
    };
    if value < low || value > high {
        return fail_expected(i, Expected::Literal(kind));
    }
    Ok((&i[2..], value))
}

/// True when the decimal `year` (digits only) is a leap year of the proleptic Gregorian
/// calendar. Works on the digits, so years of any length are fine.
fn is_leap_year(year: &str) -> bool {
    let remainder = |modulus: u32| {
        year.bytes().fold(0u32, |acc, digit| {
            (acc * 10 + u32::from(digit - b'0')) % modulus
        })
    };
    remainder(4) == 0 && (remainder(100) != 0 || remainder(400) == 0)
}

/// `month "-" day` after `year "-"`; `start` is where the literal began (for the range
/// error). Checks the day against the month's length.
pub(super) fn date<'a>(i: &'a str, year: &str, start: &'a str) -> PResult<'a, ()> {
    let (rest, month) = two_digits(i, 1, 12, "date")?;
    let Some(day_text) = rest.strip_prefix('-') else {
        return fail_expected(rest, Expected::Literal("date"));
    };
    let (rest, day) = two_digits(day_text, 1, 31, "date")?;
    let days_in_month = match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days_in_month {
        return failure(start, ParseErrorKind::OutOfRange("the date"));
    }
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return fail_expected(rest, Expected::Literal("date"));
    }
    Ok((rest, ()))
}

/// One part of a time (`hour`, `minute`, `second`) in `low..=high`: two digits, or with
/// `lenient` one or two; appended to `text` with two digits.
fn time_part<'a>(
    i: &'a str,
    high: u32,
    kind: &'static str,
    lenient: bool,
    text: &mut dyn TextSink,
) -> PResult<'a, u32> {
    let count = digits(i).min(2);
    if lenient && count == 1 {
        let value = u32::from(i.as_bytes()[0] - b'0');
        text.push('0');
        text.push_str(&i[..1]);
        return Ok((&i[1..], value));
    }
    let (rest, value) = two_digits(i, 0, high, kind)?;
    text.push_str(&i[..2]);
    Ok((rest, value))
}

/// `hour ":" minute [ ":" second [ "." 1*12DIGIT ] ]`, appended to `text`; `kind` names
/// the literal in errors. With `lenient`, parts may have one digit (written with two).
pub(super) fn time_of_day<'a>(
    i: &'a str,
    kind: &'static str,
    lenient: bool,
    text: &mut dyn TextSink,
) -> Result<&'a str, nom::Err<PError<'a>>> {
    let (rest, _hour) = time_part(i, 23, kind, lenient, text)?;
    let Some(minute) = rest.strip_prefix(':') else {
        return fail(rest, Expected::Literal(kind));
    };
    text.push(':');
    let (rest, _minute) = time_part(minute, 59, kind, lenient, text)?;
    let Some(second) = rest.strip_prefix(':') else {
        return Ok(rest);
    };
    text.push(':');
    let (rest, _second) = time_part(second, 60, kind, lenient, text)?;
    let Some(fraction) = rest.strip_prefix('.') else {
        return Ok(rest);
    };
    let count = digits(fraction);
    if count == 0 || count > 12 {
        return fail(&fraction[count.min(12)..], Expected::Literal(kind));
    }
    text.push_str(&rest[..count + 1]);
    Ok(&fraction[count..])
}

/// `"Z" / SIGN hour ":" minute` after a date-time, appended to `text`. A space that was a
/// raw `+` (lenient mode) is the plus sign.
pub(super) fn time_zone<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    text: &mut dyn TextSink,
) -> Result<&'a str, nom::Err<PError<'a>>> {
    const KIND: &str = "dateTimeOffset";
    if let Some(rest) = i.strip_prefix(['Z', 'z']) {
        text.push('Z');
        return Ok(rest);
    }
    let sign = match i.chars().next() {
        Some(c @ ('+' | '-')) => c,
        Some(' ') if ctx.is_raw_plus(i) => '+',
        _ => return fail(i, Expected::Literal(KIND)),
    };
    let offset = &i[1..];
    let (rest, _hour) = two_digits(offset, 0, 23, KIND)?;
    let Some(minute) = rest.strip_prefix(':') else {
        return fail(rest, Expected::Literal(KIND));
    };
    let (rest, _minute) = two_digits(minute, 0, 59, KIND)?;
    text.push(sign);
    text.push_str(&offset[..offset.len() - rest.len()]);
    Ok(rest)
}

/// `decimalLiteral` / `doubleLiteral` and the integer literals, or `-INF`:
/// `[SIGN] 1*DIGIT ["." 1*DIGIT] ["e" [SIGN] 1*DIGIT]`.
fn number<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Literal> {
    let (negative, unsigned) = match i.as_bytes().first() {
        Some(b'-') => (true, &i[1..]),
        Some(b'+') => (false, &i[1..]),
        _ => (false, i),
    };
    if negative {
        if let Ok((rest, _)) = keyword("INF", unsigned) {
            return Ok((rest, Literal::Double(Name::from("-INF"))));
        }
    }
    let integer_digits = digits(unsigned);
    if integer_digits == 0 {
        return error(i, Expected::Expression);
    }
    let mut rest = &unsigned[integer_digits..];
    let mut fraction = false;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let count = digits(after_dot);
        if count == 0 {
            return fail_expected(after_dot, Expected::Literal("decimal"));
        }
        rest = &after_dot[count..];
        fraction = true;
    }
    let mut exponent = false;
    // Where the exponent's sign was a raw `+` that lenient decoding made a space.
    let mut plus_as_space = None;
    if let Some(after_e) = rest.strip_prefix(['e', 'E']) {
        let unsigned_exponent = match after_e.as_bytes().first() {
            Some(b'+' | b'-') => &after_e[1..],
            Some(b' ') if ctx.is_raw_plus(after_e) => {
                plus_as_space = Some(after_e);
                &after_e[1..]
            }
            _ => after_e,
        };
        let count = digits(unsigned_exponent);
        if count == 0 {
            return fail_expected(unsigned_exponent, Expected::Literal("double"));
        }
        rest = &unsigned_exponent[count..];
        exponent = true;
    }
    // The literal's text: the input read, without a leading `+` (a `-` is kept).
    let body = if negative { i } else { unsigned };
    let text = &body[..body.len() - rest.len()];
    if ctx.options.lenient() {
        if let Some(result) = suffixed(i, text, rest, fraction, exponent) {
            return result;
        }
    }
    let literal = if exponent {
        let text = match plus_as_space {
            Some(space) => {
                let before = text.len() - (space.len() - rest.len());
                Name::from(format!("{}+{}", &text[..before], &text[before + 1..]))
            }
            None => ctx.name(text),
        };
        Literal::Double(text)
    } else if fraction {
        Literal::Decimal(ctx.name(text))
    } else {
        match text.parse::<i64>() {
            Ok(value) => Literal::Int(value),
            Err(_) => Literal::Decimal(ctx.name(text)),
        }
    };
    Ok((rest, literal))
}

/// A number with the type suffix of .NET's OData library (default mode): `123L` (Int64),
/// `1.5M`/`1m` (Decimal), `1.0D`, `6f` (Double and Single; the ABNF writes both as a
/// double). `None` when no suffix follows. The literal keeps the suffix's type and is
/// written so that the ABNF reads that type: `1M` is `1.0`, `6f` is `6e0`.
fn suffixed<'a>(
    start: &'a str,
    text: &str,
    rest: &'a str,
    fraction: bool,
    exponent: bool,
) -> Option<PResult<'a, Literal>> {
    let suffix = rest.as_bytes().first()?.to_ascii_uppercase();
    if !matches!(suffix, b'L' | b'M' | b'D' | b'F') {
        return None;
    }
    // The suffix is ASCII, so the cut is at a character boundary.
    let after = &rest[1..];
    if after.starts_with(is_identifier_char) {
        return None;
    }
    // `1e5` is a double with an exponent; a suffix after a plus sign read as a space is
    // too rare to handle.
    if text.contains(' ') {
        return None;
    }
    Some(match suffix {
        b'L' if !fraction && !exponent => match text.parse::<i64>() {
            Ok(value) => Ok((after, Literal::Int(value))),
            Err(_) => failure(start, ParseErrorKind::OutOfRange("the Int64 literal")),
        },
        b'M' if !exponent => {
            let text = if fraction {
                text.to_owned()
            } else {
                format!("{text}.0")
            };
            Ok((after, Literal::Decimal(Name::from(text))))
        }
        b'D' | b'F' => {
            let text = if exponent {
                text.to_owned()
            } else {
                format!("{text}e0")
            };
            Ok((after, Literal::Double(Name::from(text))))
        }
        _ => return None,
    })
}

/// `durationValue` between quotes (after the opening quote):
/// `[-] "P" [n "D"] ["T" [n "H"] [n "M"] [n ["." n] "S"]]`. Returns the text.
///
/// Designators compare case-insensitively (`duration'pt1h30m'`), as ABNF quoted strings do.
pub(super) fn duration(i: &str) -> PResult<'_, &str> {
    const KIND: &str = "duration";
    let mut rest = i.strip_prefix('-').unwrap_or(i);
    rest = match rest.strip_prefix(['P', 'p']) {
        Some(after) => after,
        None => return fail_expected(rest, Expected::Literal(KIND)),
    };
    // Each component is digits then its designator; designators must come in order.
    let mut designators: &[u8] = b"D";
    let mut in_time = false;
    loop {
        if !in_time {
            if let Some(after) = rest.strip_prefix(['T', 't']) {
                in_time = true;
                designators = b"HMS";
                rest = after;
                continue;
            }
        }
        let count = digits(rest);
        if count == 0 {
            break;
        }
        let mut after = &rest[count..];
        let mut fractional = false;
        if in_time {
            if let Some(after_dot) = after.strip_prefix('.') {
                let fraction = digits(after_dot);
                if fraction == 0 {
                    return fail_expected(after_dot, Expected::Literal(KIND));
                }
                after = &after_dot[fraction..];
                fractional = true;
            }
        }
        let Some(designator) = after.as_bytes().first().map(u8::to_ascii_uppercase) else {
            return fail_expected(after, Expected::Literal(KIND));
        };
        let Some(index) = designators.iter().position(|&d| d == designator) else {
            return fail_expected(after, Expected::Literal(KIND));
        };
        if fractional && designator != b'S' {
            return fail_expected(after, Expected::Literal(KIND));
        }
        designators = &designators[index + 1..];
        rest = &after[1..];
    }
    match rest.strip_prefix('\'') {
        Some(after) => Ok((after, &i[..i.len() - rest.len()])),
        None => fail_expected(rest, Expected::Literal(KIND)),
    }
}

/// The value of a base64url character, or `None`.
fn base64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// `binaryValue` and the closing quote (after the opening quote), decoded. Follows the
/// ABNF exactly: a final group of 2 or 3 characters must have zero padding bits, and `=`
/// padding is optional but, if present, complete.
fn binary(i: &str) -> PResult<'_, Literal> {
    const KIND: &str = "binary";
    let length = i.bytes().take_while(|&c| base64_value(c).is_some()).count();
    let symbols = &i.as_bytes()[..length];
    let mut rest = &i[length..];
    let tail = length % 4;
    if tail == 1 {
        return fail_expected(&i[length - 1..], Expected::Literal(KIND));
    }
    // The last symbol of a partial group must not carry bits beyond the final byte.
    if tail > 1 {
        let last = symbols
            .get(length - 1)
            .and_then(|&c| base64_value(c))
            .unwrap_or(0);
        let unused_bits = if tail == 2 { 0b1111 } else { 0b11 };
        if last & unused_bits != 0 {
            return fail_expected(&i[length - 1..], Expected::Literal(KIND));
        }
        let padding = if tail == 2 { "==" } else { "=" };
        if let Some(after) = rest.strip_prefix(padding) {
            rest = after;
        }
    }
    let Some(after) = rest.strip_prefix('\'') else {
        return fail_expected(rest, Expected::Literal(KIND));
    };
    let mut bytes = Vec::with_capacity(length / 4 * 3 + 2);
    for chunk in symbols.chunks(4) {
        let mut n = 0u32;
        for (index, &c) in chunk.iter().enumerate() {
            n |= u32::from(base64_value(c).unwrap_or(0)) << (18 - 6 * index);
        }
        let produced = chunk.len() * 6 / 8;
        for index in 0..produced {
            bytes.push((n >> (16 - 8 * index)) as u8);
        }
    }
    Ok((after, Literal::Binary(bytes)))
}

/// `qualifiedEnumTypeName SQUOTE member *("," member) SQUOTE` (after the opening quote):
/// members are names or integers.
fn enumeration<'a>(type_name: &str, i: &'a str) -> PResult<'a, Literal> {
    const KIND: &str = "enum";
    let mut rest = i;
    loop {
        if let Ok((after, _)) = identifier(rest) {
            rest = after;
        } else {
            let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            let count = digits(unsigned);
            if count == 0 || count > 19 {
                return fail_expected(rest, Expected::Literal(KIND));
            }
            rest = &unsigned[count..];
        }
        match rest.as_bytes().first() {
            Some(b',') => rest = &rest[1..],
            Some(b'\'') => break,
            _ => return fail_expected(rest, Expected::Literal(KIND)),
        }
    }
    let value = &i[..i.len() - rest.len()];
    Ok((
        &rest[1..],
        Literal::Enum {
            type_name: type_name.to_owned(),
            value: value.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ParseOptions;

    #[test]
    fn plain_integers_are_what_the_full_order_reads() {
        let options = ParseOptions::default();
        let after = [
            "",
            " eq 1",
            ")",
            ",2",
            ";",
            "x",
            "e5",
            "E+3",
            ".5",
            "-01-01",
            "-02-30",
            ":30",
            ":3:4",
            "L",
            "m",
            "f",
            "\u{e9}",
            "_a",
            "a",
            "-",
            "-1234-1234-1234-123456789012",
        ];
        let mut read = 0;
        for count in 1..=20 {
            for digit in ["0", "1", "7", "9"] {
                let number = digit.repeat(count);
                for tail in after {
                    let text = format!("{number}{tail}");
                    let ctx = Ctx::new(&text, &[], &options);
                    let Some(quick) = plain_integer(&text) else {
                        continue;
                    };
                    read += 1;
                    let full = literal_in_order(&ctx, &text, text.chars().next().unwrap());
                    assert_eq!(full.ok(), Some(quick), "{text}");
                }
            }
        }
        // Up to 18 digits before the five tails that end a number.
        assert_eq!(read, 18 * 4 * 5);
    }
}
