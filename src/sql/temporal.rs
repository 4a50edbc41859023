//! Date and time values in SQL: the canonical text the evaluator writes for a computed
//! DateTimeOffset (seconds always, the fraction without trailing zeros, `Z` for a zero
//! offset), in Rust for literals and in SQL for stored texts.
//!
//! A stored DateTimeOffset keeps its text as given (`load` checks its shape:
//! `YYYY-MM-DDTHH:MM:SS[.f...](Z|±HH:MM)`), which is what the evaluator answers for a
//! property; a value the query computes (`$compute`, `min`, `max`) is answered in the
//! canonical form.

use chrono::{DateTime, FixedOffset, Timelike};

use super::dialect::Dialect;

/// `2026-01-01T10:00:00.5+02:00`, or `Z` for a zero offset (the evaluator's form).
pub(crate) fn canonical_text(value: &DateTime<FixedOffset>) -> String {
    let local = value.naive_local();
    let mut out = local.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = local.nanosecond() % 1_000_000_000;
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
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

impl Dialect {
    /// The last `n` characters of `text`.
    fn last_chars(self, text: &str, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("substr({text}, -{n})"),
            Dialect::Postgres => format!("right({text}, {n})"),
        }
    }

    /// The canonical form ([`canonical_text`]) of a stored DateTimeOffset text.
    pub(crate) fn canonical_date_time(self, text: &str) -> String {
        let last = self.last_chars(text, 1);
        let offset = self.last_chars(text, 6);
        let (least, greatest) = match self {
            Dialect::Sqlite => ("min", "max"),
            Dialect::Postgres => ("LEAST", "GREATEST"),
        };
        let digits = format!(
            "rtrim(substr({text}, 21, {least}(9, {greatest}(0, length({text}) - 20 - \
             CASE WHEN {last} = 'Z' THEN 1 ELSE 6 END))), '0')"
        );
        format!(
            "(substr({text}, 1, 19) || CASE WHEN substr({text}, 20, 1) = '.' THEN \
             (CASE WHEN {digits} <> '' THEN '.' || {digits} ELSE '' END) ELSE '' END || \
             CASE WHEN {last} = 'Z' OR {offset} IN ('+00:00', '-00:00') THEN 'Z' ELSE {offset} END)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_texts() {
        let text = |s: &str| canonical_text(&DateTime::parse_from_rfc3339(s).unwrap());
        assert_eq!(
            text("2026-01-01T10:00:00.500+02:00"),
            "2026-01-01T10:00:00.5+02:00"
        );
        assert_eq!(
            text("2026-01-01T10:00:00.000-00:00"),
            "2026-01-01T10:00:00Z"
        );
        assert_eq!(
            text("2026-01-01T10:00:00.123456789Z"),
            "2026-01-01T10:00:00.123456789Z"
        );
    }
}
