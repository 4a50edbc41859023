//! The written forms of Date, TimeOfDay, DateTimeOffset and Duration values: reading them
//! as URLs (the ABNF) and JSON payloads write them, and writing their canonical forms.
//!
//! One implementation for every layer that reads or writes these texts (the evaluator and
//! the SQL translator), so that a literal means the same instant, time or duration
//! wherever a query is answered.

use std::fmt;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone,
    Timelike,
};

pub(crate) const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// An `Edm.Duration` in nanoseconds (fractions beyond nanoseconds are truncated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Duration(pub(crate) i128);

impl Duration {
    /// `-self`, if it fits.
    pub(crate) fn checked_neg(self) -> Option<Duration> {
        self.0.checked_neg().map(Duration)
    }

    pub(crate) fn to_timedelta(self) -> Option<TimeDelta> {
        let seconds = i64::try_from(self.0.div_euclid(NANOS_PER_SECOND)).ok()?;
        let nanos = u32::try_from(self.0.rem_euclid(NANOS_PER_SECOND)).ok()?;
        TimeDelta::new(seconds, nanos)
    }

    pub(crate) fn from_timedelta(delta: TimeDelta) -> Duration {
        Duration(
            i128::from(delta.num_seconds()) * NANOS_PER_SECOND + i128::from(delta.subsec_nanos()),
        )
    }
}

/// Canonical duration text: `P1DT2H3M4.5S`, `-PT1S`, `PT0S`.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.unsigned_abs();
        if self.0 < 0 {
            f.write_str("-")?;
        }
        let nanos_per_second = NANOS_PER_SECOND.unsigned_abs();
        let seconds_total = total / nanos_per_second;
        let nanos = total % nanos_per_second;
        let days = seconds_total / 86_400;
        let hours = seconds_total / 3_600 % 24;
        let minutes = seconds_total / 60 % 60;
        let seconds = seconds_total % 60;
        f.write_str("P")?;
        if days > 0 {
            write!(f, "{days}D")?;
        }
        if hours == 0 && minutes == 0 && seconds == 0 && nanos == 0 {
            return if days == 0 {
                f.write_str("T0S")
            } else {
                Ok(())
            };
        }
        f.write_str("T")?;
        if hours > 0 {
            write!(f, "{hours}H")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}M")?;
        }
        if seconds > 0 || nanos > 0 {
            write!(f, "{seconds}")?;
            if nanos > 0 {
                let fraction = format!("{nanos:09}");
                write!(f, ".{}", fraction.trim_end_matches('0'))?;
            }
            f.write_str("S")?;
        }
        Ok(())
    }
}

/// A small cursor over ASCII text.
struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_ci(&mut self, byte: u8) -> bool {
        if self.peek().map(|b| b.to_ascii_uppercase()) == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Exactly `count` digits.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let digit = self.peek().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(digit - b'0');
            self.at += 1;
        }
        Some(value)
    }

    /// One or more digits, as text.
    fn digit_run(&mut self) -> &'t [u8] {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        &self.bytes[start..self.at]
    }

    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Nanoseconds from 1 to 12 fractional digits (truncated to 9).
fn fraction_nanos(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        let digit = digits.get(i).map_or(0, |d| u32::from(d - b'0'));
        nanos = nanos * 10 + digit;
    }
    Some(nanos)
}

fn scan_date(s: &mut Scanner<'_>) -> Option<NaiveDate> {
    let negative = s.eat(b'-');
    let year_digits = s.digit_run();
    if year_digits.len() < 4 || year_digits.len() > 6 {
        return None;
    }
    let year: i32 = std::str::from_utf8(year_digits).ok()?.parse().ok()?;
    let year = if negative { -year } else { year };
    if !s.eat(b'-') {
        return None;
    }
    let month = s.digits(2)?;
    if !s.eat(b'-') {
        return None;
    }
    let day = s.digits(2)?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn scan_time(s: &mut Scanner<'_>) -> Option<NaiveTime> {
    let hour = s.digits(2)?;
    if !s.eat(b':') {
        return None;
    }
    let minute = s.digits(2)?;
    let (mut second, mut nanos) = (0, 0);
    if s.eat(b':') {
        second = s.digits(2)?;
        if s.eat(b'.') {
            nanos = fraction_nanos(s.digit_run())?;
        }
    }
    if second == 60 {
        // A leap second: chrono keeps it as second 59 with nanoseconds past 10^9.
        return NaiveTime::from_hms_nano_opt(hour, minute, 59, nanos + 1_000_000_000);
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

fn scan_datetime(text: &str, require_offset: bool) -> Option<DateTime<FixedOffset>> {
    let mut s = Scanner::new(text);
    let date = scan_date(&mut s)?;
    if !s.eat_ci(b'T') {
        return None;
    }
    let time = scan_time(&mut s)?;
    let offset_seconds = if s.eat_ci(b'Z') {
        0
    } else if let Some(sign) = s.peek().filter(|b| *b == b'+' || *b == b'-') {
        s.at += 1;
        let hours = s.digits(2)?;
        if !s.eat(b':') {
            return None;
        }
        let minutes = s.digits(2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
        if sign == b'-' {
            -seconds
        } else {
            seconds
        }
    } else if require_offset {
        return None;
    } else {
        0
    };
    if !s.done() {
        return None;
    }
    let offset = FixedOffset::east_opt(offset_seconds)?;
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
}

/// A DateTimeOffset literal: `2026-01-01T10:00:00.5+02:00` (offset required).
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    scan_datetime(text, true)
}

/// A DateTimeOffset read from a JSON string: as the literal, but a missing offset means
/// UTC (cast rule 11, URL §5.1.1.10.1).
pub(crate) fn parse_datetime_lenient(text: &str) -> Option<DateTime<FixedOffset>> {
    scan_datetime(text, false)
}

/// The UTC instant of a DateTimeOffset written the way data almost always writes one
/// (`2026-01-01T10:00:00.5Z`, a four-digit year, an optional offset), as seconds since the
/// Unix epoch and nanoseconds, without building a chrono value; `None` for any other text
/// (other year widths, leap seconds, anything invalid), which [`parse_datetime_lenient`]
/// then reads. Where this reads a text, the lenient parser reads the same instant (a test
/// checks it over generated texts), so comparing these pairs compares the DateTimeOffsets.
pub(crate) fn common_instant(text: &str) -> Option<(i64, u32)> {
    // This runs once per record in a DateTimeOffset `$filter`: fixed positions, no
    // iterator adapters, and for the form with seconds (nearly every datum) one block
    // of 19 bytes read without bounds checks.
    let b = text.as_bytes();
    if let Some(head) = b.first_chunk::<19>() {
        if head[16] == b':' {
            return common_instant_with_seconds(b, head);
        }
    }
    let head = b.first_chunk::<16>()?;
    if head[4] != b'-' || head[7] != b'-' || !matches!(head[10], b'T' | b't') || head[13] != b':' {
        return None;
    }
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    let (month, day) = (two_digits(b, 5)?, two_digits(b, 8)?);
    let (hour, minute) = (two_digits(b, 11)?, two_digits(b, 14)?);
    // Seconds need 19 bytes, which `common_instant_with_seconds` took.
    if b.get(16) == Some(&b':') {
        return None;
    }
    instant_of(b, 16, [year, month, day, hour, minute, 0])
}

/// [`common_instant`] of a text whose first 19 bytes are `head` and hold seconds.
fn common_instant_with_seconds(b: &[u8], head: &[u8; 19]) -> Option<(i64, u32)> {
    if head[4] != b'-' || head[7] != b'-' || !matches!(head[10], b'T' | b't') || head[13] != b':' {
        return None;
    }
    // `YYYY-MM-` and `DDTHH:MM` as two words, eight bytes at a time (little-endian: byte
    // i of the text is byte i of the word); then the seconds.
    let date = digit_pairs(u64::from_le_bytes(*head[..8].first_chunk()?), DATE_DIGITS)?;
    let time = digit_pairs(u64::from_le_bytes(*head[8..16].first_chunk()?), TIME_DIGITS)?;
    let pair = |word: u64, at: u32| i64::from((word >> (8 * at)) as u8);
    let fields = [
        pair(date, 0) * 100 + pair(date, 2),
        pair(date, 5),
        pair(time, 0),
        pair(time, 3),
        pair(time, 6),
        two_digits(head, 17)?,
    ];
    instant_of(b, 19, fields)
}

/// The digits that start `b` when fewer than eight do and `b` has eight bytes: how many
/// (0 to 7), and their value as eight digits (`.5` gives 50000000).
fn leading_digits(b: &[u8]) -> Option<(usize, u32)> {
    let word = u64::from_le_bytes(*b.first_chunk::<8>()?);
    // A byte is a digit when its high nibble is 3, before and after adding 6. A carry
    // out of a byte that is not a digit reaches only later bytes, after the run.
    let not_digits = (word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        | (word.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0)
            ^ 0x3030_3030_3030_3030;
    if not_digits == 0 {
        // Eight digits or more: the byte-at-a-time loop reads them.
        return None;
    }
    let run = not_digits.trailing_zeros() / 8;
    let keep = (1u64 << (8 * run)) - 1;
    // The run's digits, and zeros after them: eight digits of which the last are 0.
    let mut v = (word & keep) - (0x3030_3030_3030_3030 & keep);
    v = v * 10 + (v >> 8);
    v = (v & 0x00FF_00FF_00FF_00FF) * 100 + ((v >> 16) & 0x00FF_00FF_00FF_00FF);
    v = (v & 0x0000_FFFF_0000_FFFF) * 10_000 + ((v >> 32) & 0x0000_FFFF_0000_FFFF);
    Some((run as usize, v as u32))
}

/// The digit bytes of `YYYY-MM-` (0xFF where a digit must be).
const DATE_DIGITS: u64 = 0x00FF_FF00_FFFF_FFFF;
/// The digit bytes of `DDTHH:MM`.
const TIME_DIGITS: u64 = 0xFFFF_00FF_FF00_FFFF;

/// With `mask` marking the bytes of `word` that must be ASCII digits: `None` unless
/// they are; else a word whose byte i is `10 * digit(i) + digit(i + 1)` wherever bytes
/// i and i + 1 are both digits (other bytes are meaningless).
fn digit_pairs(word: u64, mask: u64) -> Option<u64> {
    let high = mask & 0xF0F0_F0F0_F0F0_F0F0;
    let zeros = mask & 0x3030_3030_3030_3030;
    // A digit byte is 0x30..=0x39: its high nibble is 3, and adding 6 keeps it 3 (no
    // carry leaves a byte whose high nibble is 3, and non-digit bytes add nothing).
    if word & high != zeros || word.wrapping_add(mask & 0x0606_0606_0606_0606) & high != zeros {
        return None;
    }
    let digits = (word & mask) - zeros;
    // Each byte is at most 9: ten times it and the next byte's digit stay below 256.
    Some(digits * 10 + (digits >> 8))
}

/// The rest of [`common_instant`] from byte `at` (an optional fraction, then the offset),
/// with the fields read so far: year, month, day, hour, minute, second.
fn instant_of(b: &[u8], mut at: usize, fields: [i64; 6]) -> Option<(i64, u32)> {
    let [year, month, day, hour, minute, second] = fields;
    let mut nanos = 0u32;
    if at == 19 && b.get(at) == Some(&b'.') {
        // As `fraction_nanos`: 1 to 12 digits, truncated to nanoseconds; up to seven
        // digits and the next byte (the usual `.1234567Z`) as one word.
        if let Some((run, fraction)) = b.get(at + 1..).and_then(leading_digits) {
            if run == 0 {
                return None;
            }
            nanos = fraction * 10;
            at += 1 + run;
        } else {
            let mut run = 0;
            for &byte in &b[at + 1..] {
                let digit = byte.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                if run < 9 {
                    nanos = nanos * 10 + u32::from(digit);
                }
                run += 1;
                if run > 12 {
                    return None;
                }
            }
            if run == 0 {
                return None;
            }
            nanos *= POWERS_OF_TEN[9 - run.min(9)];
            at += 1 + run;
        }
    }
    let offset = match b.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if at + 6 == b.len() && b[at + 3] == b':' => {
            let (hours, minutes) = (two_digits(b, at + 1)?, two_digits(b, at + 4)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let month_days = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

/// 10^0 ..= 10^9.
const POWERS_OF_TEN: [u32; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The two ASCII digits at `at` as a number.
#[inline(always)]
fn two_digits(b: &[u8], at: usize) -> Option<i64> {
    let high = b.get(at)?.wrapping_sub(b'0');
    let low = b.get(at + 1)?.wrapping_sub(b'0');
    (high <= 9 && low <= 9).then(|| i64::from(high * 10 + low))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (eras of 400 years, years starting
/// in March so that the leap day ends one).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The instant of a DateTimeOffset as [`common_instant`] gives it.
pub(crate) fn instant_key(value: &DateTime<FixedOffset>) -> (i64, u32) {
    (value.timestamp(), value.timestamp_subsec_nanos())
}

/// An `Edm.Date`: `2026-01-01`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut s = Scanner::new(text);
    let date = scan_date(&mut s)?;
    s.done().then_some(date)
}

/// An `Edm.TimeOfDay`: `10:00`, `10:00:00.5`.
pub(crate) fn parse_time(text: &str) -> Option<NaiveTime> {
    let mut s = Scanner::new(text);
    let time = scan_time(&mut s)?;
    s.done().then_some(time)
}

/// An `Edm.Duration`: `[-]P[nD][T[nH][nM][n[.n]S]]` (the ABNF's day-time duration).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let mut s = Scanner::new(text);
    let negative = s.eat(b'-');
    if !s.eat_ci(b'P') {
        return None;
    }
    let mut total: i128 = 0;
    let mut any = false;
    let number = |digits: &[u8]| -> Option<i128> {
        if digits.is_empty() || digits.len() > 30 {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let start = s.at;
    let days = s.digit_run();
    if !days.is_empty() {
        if !s.eat_ci(b'D') {
            return None;
        }
        total = number(days)?.checked_mul(86_400 * NANOS_PER_SECOND)?;
        any = true;
    } else {
        s.at = start;
    }
    if s.eat_ci(b'T') {
        let mut units_seen = 0;
        while !s.done() {
            let digits = s.digit_run();
            let whole = number(digits)?;
            if s.eat(b'.') {
                let nanos = i128::from(fraction_nanos(s.digit_run())?);
                if !s.eat_ci(b'S') {
                    return None;
                }
                total =
                    total.checked_add(whole.checked_mul(NANOS_PER_SECOND)?.checked_add(nanos)?)?;
                units_seen = 3;
                any = true;
                continue;
            }
            let unit = s.peek()?.to_ascii_uppercase();
            s.at += 1;
            let (rank, factor) = match unit {
                b'H' => (1, 3_600),
                b'M' => (2, 60),
                b'S' => (3, 1),
                _ => return None,
            };
            if rank <= units_seen {
                return None;
            }
            units_seen = rank;
            total = total.checked_add(whole.checked_mul(factor * NANOS_PER_SECOND)?)?;
            any = true;
        }
        if units_seen == 0 {
            return None;
        }
    }
    if !any || !s.done() {
        return None;
    }
    Some(Duration(if negative { -total } else { total }))
}

/// Prints seconds with the fraction trimmed; a leap second prints as `60`.
fn write_seconds(out: &mut String, time: &NaiveTime) {
    let mut nanos = time.nanosecond();
    let mut second = time.second();
    if nanos >= 1_000_000_000 {
        nanos -= 1_000_000_000;
        second += 1;
    }
    out.push_str(&format!(
        "{:02}:{:02}:{second:02}",
        time.hour(),
        time.minute()
    ));
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
}

/// `2026-01-01`.
pub(crate) fn format_date(date: &NaiveDate) -> String {
    let year = date.year();
    if (0..=9999).contains(&year) {
        format!("{year:04}-{:02}-{:02}", date.month(), date.day())
    } else {
        format!("{year:05}-{:02}-{:02}", date.month(), date.day())
    }
}

/// `10:00:00.5`.
pub(crate) fn format_time(time: &NaiveTime) -> String {
    let mut out = String::new();
    write_seconds(&mut out, time);
    out
}

/// `2026-01-01T10:00:00.5+02:00`, or `Z` for a zero offset.
pub(crate) fn format_datetime(value: &DateTime<FixedOffset>) -> String {
    let local = value.naive_local();
    let mut out = format_date(&local.date());
    out.push('T');
    write_seconds(&mut out, &local.time());
    let offset = value.offset().local_minus_utc();
    if offset == 0 {
        out.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts near the common DateTimeOffset shape, valid and not: every field from a few
    /// choices around its bounds.
    fn near_datetimes(count: usize) -> Vec<String> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let pick = |n: &mut dyn FnMut(usize) -> usize, choices: &[&str]| -> String {
            choices[n(choices.len())].to_string()
        };
        let mut texts = Vec::with_capacity(count);
        for _ in 0..count {
            let n = &mut next;
            let year = match n(6) {
                0 => pick(n, &["0000", "0001", "1600", "1900", "2000", "2100", "9999"]),
                1 => pick(n, &["12345", "-2026", "026", "20a6"]),
                _ => format!("{:04}", 1900 + n(300)),
            };
            // Half the texts keep every field but the day in range.
            let valid = n(2) == 0;
            let month = if valid {
                pick(n, &["01", "02", "03", "04", "06", "09", "11", "12"])
            } else {
                pick(n, &["00", "01", "02", "12", "13", "1"])
            };
            let day = pick(n, &["00", "01", "15", "28", "29", "30", "31", "32"]);
            let t = pick(n, if valid { &["T", "t"] } else { &["T", "t", " "] });
            let hour = pick(
                n,
                if valid {
                    &["00", "09", "23"]
                } else {
                    &["00", "24", "7"]
                },
            );
            let minute = pick(
                n,
                if valid {
                    &["00", "30", "59"]
                } else {
                    &["59", "60"]
                },
            );
            let second = if valid {
                pick(n, &["", ":00", ":07", ":59"])
            } else {
                pick(n, &["", ":59", ":60", ":61", ":5"])
            };
            let fraction = if second.is_empty() {
                String::new()
            } else {
                match n(5) {
                    0 => ".".to_string(),
                    1 => format!(".{}", &"123456789012345"[..1 + n(14)]),
                    2 => {
                        let digits = 1 + n(14);
                        let text: String = (0..digits)
                            .map(|_| char::from(b'0' + n(10) as u8))
                            .collect();
                        format!(".{text}")
                    }
                    _ => String::new(),
                }
            };
            let offset = if valid {
                pick(n, &["", "Z", "z", "+01:00", "-05:30", "+23:59", "-00:00"])
            } else {
                pick(
                    n,
                    &["Z", "+24:00", "-00:60", "+0100", "Zx", "+01:00:00", "+1:00"],
                )
            };
            let mut text =
                format!("{year}-{month}-{day}{t}{hour}:{minute}{second}{fraction}{offset}");
            // A quarter of the texts have one character replaced by one next to the digits
            // in ASCII (`/`, `:`) or another that is not one.
            if n(4) == 0 {
                let at = n(text.len());
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    let by = pick(n, &["/", ":", ";", "a", " ", "-", "é", "٣"]);
                    text.replace_range(at..at + 1, &by);
                }
            }
            texts.push(text);
        }
        texts
    }

    #[test]
    fn the_common_instant_reader_agrees_with_the_parser() {
        let mut read = 0;
        for text in near_datetimes(300_000) {
            let Some(key) = common_instant(&text) else {
                continue;
            };
            read += 1;
            let parsed = parse_datetime_lenient(&text)
                .unwrap_or_else(|| panic!("{text}: read quickly but not by the parser"));
            assert_eq!(key, instant_key(&parsed), "{text}");
        }
        // The generator must reach the reader's accepting paths often enough to matter.
        assert!(read > 40_000, "only {read} texts read");
        for text in [
            "2026-01-01T00:00:00Z",
            "2026-02-28t23:59:59.999999999+01:00",
            "0000-03-01T00:00",
        ] {
            assert!(common_instant(text).is_some(), "{text}");
        }
        for text in [
            "2016-12-31T23:59:60Z",
            "12026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.Z",
        ] {
            assert!(common_instant(text).is_none(), "{text}");
        }
    }
}
