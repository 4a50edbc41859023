//! Dates, times, durations, GUIDs and binary values: parsing, printing and arithmetic
//! (URL §5.1.1.8). The server's local time zone is never consulted: every
//! DateTimeOffset keeps its own offset, and `now()` is UTC.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::ast::BinaryOp;
use crate::error::EvalError;

use super::value::{Num, Val};

// The written forms live with the other layers that read them; the evaluator's names.
pub(crate) use crate::temporal_text::{
    common_instant, format_date, format_datetime, format_time, instant_key, parse_date,
    parse_datetime, parse_datetime_lenient, parse_duration, parse_time, Duration,
};

/// A GUID: `01234567-89ab-cdef-0123-456789abcdef` (any case).
pub(crate) fn parse_guid(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if *b != b'-' {
                return None;
            }
            continue;
        }
        let digit = char::from(*b).to_digit(16)?;
        value = (value << 4) | u128::from(digit);
    }
    Some(value)
}

/// A GUID in lower case with dashes.
pub(crate) fn format_guid(value: u128) -> String {
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Base64url with padding (the JSON form of `Edm.Binary`).
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64 or base64url, padding optional.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').chars() {
        let value = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' | '+' => 62,
            '_' | '/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(((bits >> count) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// `mindatetime()`: `0001-01-01T00:00:00Z` (semantic choice: the .NET/XML Schema range).
pub(crate) fn min_datetime() -> Option<DateTime<FixedOffset>> {
    parse_datetime("0001-01-01T00:00:00Z")
}

/// `maxdatetime()`: `9999-12-31T23:59:59.999999999Z` (semantic choice, see [`min_datetime`]).
pub(crate) fn max_datetime() -> Option<DateTime<FixedOffset>> {
    parse_datetime("9999-12-31T23:59:59.999999999Z")
}

/// Reads a JSON string as a DateTimeOffset, else a Date, else a TimeOfDay, else a
/// Duration: the argument of the date/time functions when it comes from untyped JSON.
pub(crate) fn coerce_temporal<'a>(text: &str) -> Val<'a> {
    if let Some(dt) = parse_datetime_lenient(text) {
        Val::DateTimeOffset(dt)
    } else if let Some(date) = parse_date(text) {
        Val::Date(date)
    } else if let Some(time) = parse_time(text) {
        Val::TimeOfDay(time)
    } else if let Some(duration) = parse_duration(text) {
        Val::Duration(duration)
    } else {
        Val::Null
    }
}

/// Scales a duration by a number (`mul`, `div`), truncating to nanoseconds.
fn scale_duration(
    duration: Duration,
    factor: Num,
    divide: bool,
) -> Result<Option<Duration>, EvalError> {
    let nanos = duration.0;
    Ok(match factor {
        Num::Int(i) if divide => {
            if i == 0 {
                return Err(EvalError::DivisionByZero);
            }
            nanos.checked_div(i).map(Duration)
        }
        Num::Int(i) => nanos.checked_mul(i).map(Duration),
        other => {
            let f = other.to_f64();
            let result = if divide {
                nanos as f64 / f
            } else {
                nanos as f64 * f
            };
            (result.is_finite() && result.abs() < 1.7e38).then_some(Duration(result as i128))
        }
    })
}

/// Date/time arithmetic (URL §5.1.1.2.1–.5). JSON strings are read as
/// DateTimeOffset, Date or Duration by the other operand's type. Combinations the spec
/// does not define give null.
pub(crate) fn arithmetic<'a>(op: BinaryOp, a: &Val<'a>, b: &Val<'a>) -> Result<Val<'a>, EvalError> {
    let overflow = || EvalError::Overflow(op.keyword());
    // Untyped strings take their type from the other side.
    let a = match (a, b) {
        (Val::Str(s), _) => coerce_temporal(s),
        _ => a.clone(),
    };
    let b = match (&a, b) {
        (_, Val::Str(s)) => coerce_temporal(s),
        _ => b.clone(),
    };
    let result = match (op, &a, &b) {
        (BinaryOp::Add, Val::DateTimeOffset(t), Val::Duration(d))
        | (BinaryOp::Add, Val::Duration(d), Val::DateTimeOffset(t)) => d
            .to_timedelta()
            .and_then(|delta| t.checked_add_signed(delta))
            .map(Val::DateTimeOffset)
            .ok_or_else(overflow)?,
        (BinaryOp::Sub, Val::DateTimeOffset(t), Val::Duration(d)) => d
            .to_timedelta()
            .and_then(|delta| t.checked_sub_signed(delta))
            .map(Val::DateTimeOffset)
            .ok_or_else(overflow)?,
        (BinaryOp::Sub, Val::DateTimeOffset(x), Val::DateTimeOffset(y)) => {
            Val::Duration(Duration::from_timedelta(x.signed_duration_since(*y)))
        }
        (BinaryOp::Add, Val::Date(date), Val::Duration(d))
        | (BinaryOp::Add, Val::Duration(d), Val::Date(date)) => {
            Val::Date(shift_date(*date, *d).ok_or_else(overflow)?)
        }
        (BinaryOp::Sub, Val::Date(date), Val::Duration(d)) => Val::Date(
            shift_date(*date, d.checked_neg().ok_or_else(overflow)?).ok_or_else(overflow)?,
        ),
        (BinaryOp::Sub, Val::Date(x), Val::Date(y)) => {
            Val::Duration(Duration::from_timedelta(x.signed_duration_since(*y)))
        }
        (BinaryOp::Add, Val::Duration(x), Val::Duration(y)) => {
            Val::Duration(Duration(x.0.checked_add(y.0).ok_or_else(overflow)?))
        }
        (BinaryOp::Sub, Val::Duration(x), Val::Duration(y)) => {
            Val::Duration(Duration(x.0.checked_sub(y.0).ok_or_else(overflow)?))
        }
        (BinaryOp::Mul, Val::Duration(d), Val::Num(n))
        | (BinaryOp::Mul, Val::Num(n), Val::Duration(d)) => {
            Val::Duration(scale_duration(*d, *n, false)?.ok_or_else(overflow)?)
        }
        (BinaryOp::Div | BinaryOp::DivBy, Val::Duration(d), Val::Num(n)) => {
            Val::Duration(scale_duration(*d, *n, true)?.ok_or_else(overflow)?)
        }
        _ => Val::Null,
    };
    Ok(result)
}

/// Date ± Duration (XML Schema E.3.3): midnight plus the duration, then the date part.
fn shift_date(date: NaiveDate, duration: Duration) -> Option<NaiveDate> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    Some(
        midnight
            .checked_add_signed(duration.to_timedelta()?)?
            .date(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_compare_as_instants_and_keep_offsets() {
        let a = parse_datetime("2012-12-03T07:16:23+01:00").unwrap();
        let b = parse_datetime("2012-12-03T06:16:23Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_datetime(&a), "2012-12-03T07:16:23+01:00");
        assert!(parse_datetime("2024-01-01T10:00").is_none());
        assert!(parse_datetime_lenient("2024-01-01T10:00").is_some());
        let leap = parse_datetime("2016-12-31T23:59:60Z").unwrap();
        assert_eq!(format_datetime(&leap), "2016-12-31T23:59:60Z");
        let precise = parse_datetime("2026-03-24T21:34:57.171370912345Z").unwrap();
        assert_eq!(format_datetime(&precise), "2026-03-24T21:34:57.171370912Z");
    }

    #[test]
    fn durations_parse_and_print() {
        let d = parse_duration("P1DT2H3M4.5S").unwrap();
        assert_eq!(d.to_string(), "P1DT2H3M4.5S");
        assert_eq!(parse_duration("-PT1S").unwrap().to_string(), "-PT1S");
        assert_eq!(parse_duration("PT0S").unwrap().to_string(), "PT0S");
        assert!(parse_duration("P").is_none());
        assert!(parse_duration("PT").is_none());
        assert!(parse_duration("PT1M2H").is_none());
    }

    #[test]
    fn guids_and_base64() {
        let g = parse_guid("01234567-89AB-cdef-0123-456789abcdef").unwrap();
        assert_eq!(format_guid(g), "01234567-89ab-cdef-0123-456789abcdef");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"fo"), "Zm8=");
        assert_eq!(decode_base64("Zm8=").unwrap(), b"fo");
    }

    #[test]
    fn date_arithmetic() {
        let date = Val::Date(parse_date("2026-01-10").unwrap());
        let hour = Val::Duration(parse_duration("PT1H").unwrap());
        assert_eq!(
            arithmetic(BinaryOp::Sub, &date, &hour).unwrap(),
            Val::Date(parse_date("2026-01-09").unwrap())
        );
        assert_eq!(arithmetic(BinaryOp::Add, &date, &hour).unwrap(), date);
    }
}
