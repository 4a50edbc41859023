//! Date and time values in SQL: the canonical text the evaluator writes for a computed
//! DateTimeOffset (seconds always, the fraction without trailing zeros, `Z` for a zero
//! offset), in Rust for literals and in SQL for stored texts.
//!
//! A stored DateTimeOffset keeps its text as given (`load` checks its shape:
//! `YYYY-MM-DDTHH:MM:SS[.f...](Z|±HH:MM)`), which is what the evaluator answers for a
//! property; a value the query computes (`$compute`, `min`, `max`) is answered in the
//! canonical form.

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Timelike};

use crate::ast::{BinaryOp, Expr, Literal, UnaryOp};
use crate::temporal_text;

use super::dialect::Dialect;
use super::error::{unsupported, SqlError};
use super::operand::{Kind, Operand};
use super::translate::Translator;
use super::writer::SqlValue;

/// How long the SQL of a moved DateTimeOffset may grow (each shift repeats its operand).
const MAX_SHIFTED_SQL: usize = 20_000;

/// `2026-01-01T10:00:00.5+02:00`, or `Z` for a zero offset (the evaluator's form).
pub(crate) fn canonical_text(value: &DateTime<FixedOffset>) -> String {
    temporal_text::format_datetime(value)
}

/// A DateTimeOffset literal as the evaluator reads one (the same reader), where SQL can
/// hold it: a four-digit year and no leap second (stored texts have that shape).
pub(crate) fn parse_date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let value = temporal_text::parse_datetime(text)?;
    let local = value.naive_local();
    ((0..=9999).contains(&local.year()) && local.nanosecond() < 1_000_000_000).then_some(value)
}

/// A TimeOfDay literal as the evaluator reads one, without a leap second.
pub(crate) fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    temporal_text::parse_time(text).filter(|time| time.nanosecond() < 1_000_000_000)
}

/// `10:00:00.5`: the evaluator's form of a TimeOfDay, which compares as text in the same
/// order as the times.
pub(crate) fn canonical_time(time: &NaiveTime) -> String {
    temporal_text::format_time(time)
}

/// A Duration literal `[-]P[nD][T[nH][nM][n[.f]S]]` in nanoseconds, as the evaluator reads
/// it.
pub(crate) fn parse_duration(text: &str) -> Option<i128> {
    temporal_text::parse_duration(text).map(|duration| duration.0)
}

impl Dialect {
    /// The last `n` characters of `text`.
    fn last_chars(self, text: &str, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("substr({text}, -{n})"),
            Dialect::Postgres => format!("right({text}, {n})"),
        }
    }

    /// `.5` for a stored text `...:SS.500...`, empty without fraction digits other than
    /// zeros (at most nine digits are read).
    fn fraction_of(self, text: &str) -> String {
        let last = self.last_chars(text, 1);
        let (least, greatest) = match self {
            Dialect::Sqlite => ("min", "max"),
            Dialect::Postgres => ("LEAST", "GREATEST"),
        };
        let digits = format!(
            "rtrim(substr({text}, 21, {least}(9, {greatest}(0, length({text}) - 20 - \
             CASE WHEN {last} = 'Z' THEN 1 ELSE 6 END))), '0')"
        );
        format!(
            "CASE WHEN {text} IS NULL THEN NULL WHEN substr({text}, 20, 1) = '.' THEN \
             (CASE WHEN {digits} <> '' THEN '.' || {digits} ELSE '' END) ELSE '' END"
        )
    }

    /// `Z`, or the `±HH:MM` offset of a stored text (`+00:00` and `-00:00` are `Z`).
    fn offset_of(self, text: &str) -> String {
        let last = self.last_chars(text, 1);
        let offset = self.last_chars(text, 6);
        format!(
            "CASE WHEN {last} = 'Z' OR {offset} IN ('+00:00', '-00:00') THEN 'Z' ELSE {offset} END"
        )
    }

    /// The canonical form ([`canonical_text`]) of a stored DateTimeOffset text.
    pub(crate) fn canonical_date_time(self, text: &str) -> String {
        format!(
            "(substr({text}, 1, 19) || {} || {})",
            self.fraction_of(text),
            self.offset_of(text)
        )
    }

    /// `time(x)`: the canonical TimeOfDay of a DateTimeOffset text, in its own offset.
    pub(crate) fn time_of_day(self, text: &str) -> String {
        format!("(substr({text}, 12, 8) || {})", self.fraction_of(text))
    }

    /// The offset of a DateTimeOffset text in seconds.
    fn offset_seconds(self, text: &str) -> String {
        let offset = self.last_chars(text, 6);
        format!(
            "CASE WHEN {} = 'Z' THEN 0 ELSE (CASE WHEN substr({offset}, 1, 1) = '-' THEN -1 \
             ELSE 1 END) * ({} * 3600 + {} * 60) END",
            self.last_chars(text, 1),
            self.to_integer(&format!("substr({offset}, 2, 2)")),
            self.to_integer(&format!("substr({offset}, 5, 2)"))
        )
    }

    /// `totaloffsetminutes(x)`.
    pub(crate) fn offset_minutes(self, text: &str) -> String {
        format!("(({}) / 60)", self.offset_seconds(text))
    }

    /// `fractionalseconds(x)` as a double.
    pub(crate) fn fractional_seconds(self, text: &str) -> String {
        self.to_double(&format!("('0' || {})", self.fraction_of(text)))
    }

    /// Seconds since 1970 of an instant text (`YYYY-MM-DDTHH:MM:SS.fffffffffZ`).
    fn epoch_seconds(self, instant: &str) -> String {
        match self {
            Dialect::Sqlite => format!("unixepoch(substr({instant}, 1, 19))"),
            Dialect::Postgres => format!(
                "CAST(extract(epoch FROM CAST(substr({instant}, 1, 19) AS timestamp)) AS bigint)"
            ),
        }
    }

    /// The nanoseconds of an instant text.
    fn instant_nanos(self, instant: &str) -> String {
        self.to_integer(&format!("substr({instant}, 21, 9)"))
    }

    /// `YYYY-MM-DDTHH:MM:SS` of seconds since 1970 (UTC).
    fn format_seconds(self, seconds: &str) -> String {
        match self {
            Dialect::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%S', {seconds}, 'unixepoch')"),
            Dialect::Postgres => format!(
                "to_char(to_timestamp({seconds}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            ),
        }
    }

    /// Nine digits, zero-padded.
    fn nine_digits(self, nanos: &str) -> String {
        match self {
            Dialect::Sqlite => format!("printf('%09d', {nanos})"),
            Dialect::Postgres => format!("lpad(CAST({nanos} AS text), 9, '0')"),
        }
    }

    /// A DateTimeOffset (`text`, `instant`) moved by `seconds` and `nanos` (bound, with
    /// 0 ≤ nanos < 10^9): the new text in the evaluator's canonical form (same offset)
    /// and the new instant.
    pub(crate) fn shift_date_time(
        self,
        text: &str,
        instant: &str,
        seconds: &str,
        nanos: &str,
    ) -> (String, String) {
        let sum = format!("({} + {nanos})", self.instant_nanos(instant));
        let new_seconds = format!(
            "({} + {seconds} + {sum} / 1000000000)",
            self.epoch_seconds(instant)
        );
        let new_nanos = format!("({sum} % 1000000000)");
        let new_instant = format!(
            "({} || '.' || {} || 'Z')",
            self.format_seconds(&new_seconds),
            self.nine_digits(&new_nanos)
        );
        let fraction = format!(
            "CASE WHEN {new_nanos} = 0 THEN '' ELSE '.' || rtrim({}, '0') END",
            self.nine_digits(&new_nanos)
        );
        let local = format!("({new_seconds} + {})", self.offset_seconds(text));
        let new_text = format!(
            "({} || {fraction} || {})",
            self.format_seconds(&local),
            self.offset_of(text)
        );
        (new_text, new_instant)
    }

    /// `a sub b` of two DateTimeOffset instants, in nanoseconds.
    pub(crate) fn instant_difference(self, a: &str, b: &str) -> String {
        let seconds = format!("({} - {})", self.epoch_seconds(a), self.epoch_seconds(b));
        format!(
            "({} * 1000000000 + ({} - {}))",
            self.exact_integer(&seconds),
            self.instant_nanos(a),
            self.instant_nanos(b)
        )
    }
}

impl Translator<'_> {
    /// `DateTimeOffset add/sub Duration`, `DateTimeOffset sub DateTimeOffset` and
    /// `Duration add/sub Duration`; `None` when neither operand is a date or time.
    pub(crate) fn temporal_arithmetic(
        &mut self,
        op: BinaryOp,
        l: &Operand,
        r: &Operand,
        left: &Expr,
        right: &Expr,
    ) -> Result<Option<Operand>, SqlError> {
        use Kind::{Date, DateTimeOffset, Duration, TimeOfDay};
        let temporal = |k: Kind| matches!(k, Date | DateTimeOffset | Duration | TimeOfDay);
        if !temporal(l.kind) && !temporal(r.kind) {
            return Ok(None);
        }
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Ok(Some(Operand::null()));
        }
        let d = self.dialect;
        let result = match (op, l.kind, r.kind) {
            (BinaryOp::Add | BinaryOp::Sub, DateTimeOffset, Duration) => {
                let sign = if op == BinaryOp::Sub { -1 } else { 1 };
                self.shifted(l, right, sign)?
            }
            (BinaryOp::Add, Duration, DateTimeOffset) => self.shifted(r, left, 1)?,
            (BinaryOp::Sub, DateTimeOffset, DateTimeOffset) => Operand {
                constant: l.constant && r.constant,
                ..Operand::new(
                    d.instant_difference(l.comparable(), r.comparable()),
                    Duration,
                    l.nullable || r.nullable,
                )
            },
            (BinaryOp::Add | BinaryOp::Sub, Duration, Duration) => {
                let word = if op == BinaryOp::Add { "+" } else { "-" };
                Operand {
                    constant: l.constant && r.constant,
                    ..Operand::new(
                        format!("({} {word} {})", d.exact_integer(&l.sql), r.sql),
                        Duration,
                        l.nullable || r.nullable,
                    )
                }
            }
            _ => {
                return unsupported(format!(
                    "{} of {} and {}",
                    op.keyword(),
                    l.kind.describe(),
                    r.kind.describe()
                ))
            }
        };
        Ok(Some(result))
    }

    /// `value` moved by the literal duration `duration` times `sign`.
    fn shifted(
        &mut self,
        value: &Operand,
        duration: &Expr,
        sign: i128,
    ) -> Result<Operand, SqlError> {
        let Some(nanos) = self.constant_duration(duration) else {
            return unsupported("date arithmetic with a Duration that is not a literal");
        };
        if value.sql.len() > MAX_SHIFTED_SQL {
            return unsupported("date arithmetic nested this deeply");
        }
        let nanos = nanos * sign;
        let seconds = i64::try_from(nanos.div_euclid(1_000_000_000));
        let fraction = i64::try_from(nanos.rem_euclid(1_000_000_000));
        let (Ok(seconds), Ok(fraction)) = (seconds, fraction) else {
            return unsupported("a Duration beyond 64-bit seconds");
        };
        let seconds = self.bind(SqlValue::Integer(seconds));
        let fraction = self.bind(SqlValue::Integer(fraction));
        let (text, instant) =
            self.dialect
                .shift_date_time(&value.sql, value.comparable(), &seconds, &fraction);
        let mut out = Operand::new(text, Kind::DateTimeOffset, value.nullable);
        out.instant = Some(instant);
        out.constant = value.constant;
        Ok(out)
    }

    /// The nanoseconds of a Duration literal (through aliases and `-`).
    fn constant_duration(&self, expr: &Expr) -> Option<i128> {
        match expr {
            Expr::Literal(Literal::Duration(text)) => parse_duration(text),
            Expr::Alias(name) => self
                .alias(name)
                .ok()
                .and_then(|definition| self.constant_duration(&definition.value)),
            Expr::Unary {
                op: UnaryOp::Neg,
                operand,
            } => self.constant_duration(operand).map(|n| -n),
            _ => None,
        }
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

    #[test]
    fn literals_read_as_the_evaluator_reads_them() {
        let at = parse_date_time("2026-01-01t10:00z").unwrap();
        assert_eq!(canonical_text(&at), "2026-01-01T10:00:00Z");
        let at = parse_date_time("2026-01-01T10:00:00.123456789012-05:30").unwrap();
        assert_eq!(canonical_text(&at), "2026-01-01T10:00:00.123456789-05:30");
        assert!(parse_date_time("2026-02-30T10:00:00Z").is_none());
        assert!(parse_date_time("2026-01-01T10:00:00+24:00").is_none());
        let time = parse_time_of_day("08:30").unwrap();
        assert_eq!(canonical_time(&time), "08:30:00");
        assert_eq!(
            canonical_time(&parse_time_of_day("23:59:59.9999999").unwrap()),
            "23:59:59.9999999"
        );
        assert!(parse_time_of_day("24:00").is_none());
        assert_eq!(parse_duration("P1D"), Some(86_400_000_000_000));
        assert_eq!(parse_duration("-PT1H30M"), Some(-5_400_000_000_000));
        assert_eq!(parse_duration("PT0.5S"), Some(500_000_000));
        assert_eq!(
            parse_duration("P2DT3H4M5.25S"),
            Some(((2 * 24 + 3) * 3600 + 4 * 60) * 1_000_000_000 + 5_250_000_000)
        );
        assert_eq!(parse_duration("PT0S"), Some(0));
        for bad in ["P", "PT", "P1H", "PT1M1H", "PT1.5M", "1D", "PT-1S", "P1DT"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
