//! Canonical functions both databases can express exactly; the rest are a 501 naming the
//! function.
//!
//! `contains`/`startswith`/`endswith`/`indexof` never use `LIKE` (whose `%` and `_` would
//! need escaping, and whose matching is ASCII case-insensitive in SQLite): `instr` /
//! `strpos`, `substr` and, for a literal prefix, a code-point range that an index serves.

use crate::ast::{Expr, Function, Literal};

use super::error::{invalid, unsupported, SqlError};
use super::operand::{Kind, Operand};
use super::translate::{Env, Translator};
use super::writer::SqlValue;

/// Unicode's `White_Space` characters, which `trim` removes (Rust's `str::trim`).
const WHITE_SPACE: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\
    \u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

impl<'m> Translator<'m> {
    pub(crate) fn call(
        &mut self,
        function: Function,
        args: &'m [Expr],
        env: &Env<'_, 'm>,
    ) -> Result<Operand, SqlError> {
        use Function::*;
        match function {
            Now => {
                let now = self.now;
                let text = now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
                return self.date_time(now, &text);
            }
            MinDateTime | MaxDateTime => {
                let text = if function == MinDateTime {
                    "0001-01-01T00:00:00Z"
                } else {
                    "9999-12-31T23:59:59.999999999Z"
                };
                let value = chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|_| SqlError::Invalid(text.into()))?;
                return self.date_time(value, text);
            }
            GeoDistance | GeoLength | GeoIntersects => {
                return unsupported(format!(
                    "{} (geo values are stored as JSON)",
                    function.name()
                ))
            }
            HasSubset | HasSubsequence => {
                return unsupported(format!(
                    "{} (collections are stored as JSON)",
                    function.name()
                ))
            }
            IsDefined => return unsupported("isdefined"),
            _ => {}
        }
        let mut operands = Vec::with_capacity(args.len());
        for arg in args {
            operands.push(self.value(arg, env)?);
        }
        if operands.iter().any(|o| o.kind == Kind::Null) {
            // A canonical function with a null argument is null (URL §5.1.1.4).
            let kind = match function {
                Contains | StartsWith | EndsWith | MatchesPattern => Kind::Boolean,
                Length | IndexOf | Year | Month | Day | Hour | Minute | Second
                | TotalOffsetMinutes => Kind::Integer,
                FractionalSeconds | TotalSeconds => Kind::Double,
                Time => Kind::TimeOfDay,
                _ => Kind::Null,
            };
            let dropped: Vec<&str> = operands.iter().map(|o| o.sql.as_str()).collect();
            return Ok(Operand {
                kind,
                sql: super::dialect::keep_failures("NULL".into(), &dropped),
                ..Operand::null()
            });
        }
        let constant = operands.iter().all(|o| o.constant);
        let nullable = operands.iter().any(|o| o.nullable);
        let d = self.dialect;
        let (sql, kind) = match function {
            Contains => {
                let [s, t] = strings::<2>(function, &operands)?;
                (format!("({} > 0)", d.position(&s, &t)), Kind::Boolean)
            }
            StartsWith => {
                let [s, t] = strings::<2>(function, &operands)?;
                match literal_text(&args[1], self) {
                    Some(prefix) if !prefix.is_empty() => {
                        (self.prefix_range(&s, &t, &prefix), Kind::Boolean)
                    }
                    _ => (
                        format!("(substr({s}, 1, length({t})) = {t})"),
                        Kind::Boolean,
                    ),
                }
            }
            EndsWith => {
                let [s, t] = strings::<2>(function, &operands)?;
                (
                    format!(
                        "(length({s}) >= length({t}) AND substr({s}, length({s}) - length({t}) + 1) = {t})"
                    ),
                    Kind::Boolean,
                )
            }
            IndexOf => {
                let [s, t] = strings::<2>(function, &operands)?;
                (format!("({} - 1)", d.position(&s, &t)), Kind::Integer)
            }
            Length => {
                let [s] = strings::<1>(function, &operands)?;
                (format!("length({s})"), Kind::Integer)
            }
            ToLower | ToUpper => {
                let [s] = strings::<1>(function, &operands)?;
                let mapped = if function == ToLower {
                    d.lower(&s)
                } else {
                    d.upper(&s)
                };
                (mapped, Kind::String)
            }
            Trim => {
                let [s] = strings::<1>(function, &operands)?;
                let spaces = self.bind(SqlValue::Text(WHITE_SPACE.into()));
                (d.trim(&s, &spaces), Kind::String)
            }
            Concat => {
                let [a, b] = strings::<2>(function, &operands)?;
                (format!("({a} || {b})"), Kind::String)
            }
            Substring => self.substring(&operands, args)?,
            MatchesPattern => {
                let [s, _] = strings::<2>(function, &operands)?;
                let Some(pattern) = literal_text(&args[1], self) else {
                    return unsupported("matchesPattern with a pattern that is not a literal");
                };
                self.matches_pattern(&s, &pattern)?
            }
            Time | TotalOffsetMinutes => {
                let operand = &operands[0];
                if operand.kind != Kind::DateTimeOffset {
                    return type_error(function, operand.kind, operand.constant);
                }
                if function == Time {
                    (d.time_of_day(&operand.sql), Kind::TimeOfDay)
                } else {
                    (d.offset_minutes(&operand.sql), Kind::Integer)
                }
            }
            FractionalSeconds => {
                let operand = &operands[0];
                match operand.kind {
                    Kind::DateTimeOffset => (d.fractional_seconds(&operand.sql), Kind::Double),
                    Kind::TimeOfDay => (
                        d.to_double(&format!("('0' || substr({}, 9))", operand.sql)),
                        Kind::Double,
                    ),
                    other => return type_error(function, other, operand.constant),
                }
            }
            TotalSeconds => {
                let operand = &operands[0];
                if operand.kind != Kind::Duration {
                    return type_error(function, operand.kind, operand.constant);
                }
                (
                    format!("({} / 1000000000.0)", d.to_double(&operand.sql)),
                    Kind::Double,
                )
            }
            Year | Month | Day | Hour | Minute | Second | Date => {
                self.date_part(function, &operands[0])?
            }
            Round | Floor | Ceiling => {
                let operand = &operands[0];
                match operand.kind {
                    Kind::Integer => (operand.sql.clone(), Kind::Integer),
                    Kind::Double => (
                        match function {
                            Round => d.round(&operand.sql),
                            Floor => d.floor(&operand.sql),
                            _ => d.ceiling(&operand.sql),
                        },
                        Kind::Double,
                    ),
                    other => {
                        return type_error(function, other, constant);
                    }
                }
            }
            _ => return unsupported(function.name()),
        };
        Ok(Operand {
            constant,
            nan: kind == Kind::Double && operands.iter().any(|o| o.nan),
            ..Operand::new(sql, kind, nullable)
        })
    }

    /// `matchesPattern(s, 'pattern')`: a substring test for a plain pattern, PostgreSQL's
    /// `~` for others (see [`super::pattern`]).
    fn matches_pattern(
        &mut self,
        subject: &str,
        pattern: &str,
    ) -> Result<(String, Kind), SqlError> {
        let test = match super::pattern::analyze(pattern)? {
            super::pattern::PatternTest::Posix(expression) => {
                if self.dialect == super::Dialect::Sqlite {
                    return unsupported(
                        "matchesPattern beyond plain text and anchors (SQLite has no regular expressions)",
                    );
                }
                let expression = self.bind(SqlValue::Text(expression));
                format!("({subject} ~ {expression})")
            }
            super::pattern::PatternTest::Substring { text, start, end } => {
                let needle = self.bind(SqlValue::Text(text.clone()));
                let d = self.dialect;
                match (start, end) {
                    (true, true) => format!("({subject} = {needle})"),
                    (true, false) if !text.is_empty() => self.prefix_range(subject, &needle, &text),
                    (false, true) => format!(
                        "(length({subject}) >= length({needle}) AND substr({subject}, length({subject}) - length({needle}) + 1) = {needle})"
                    ),
                    _ => format!("({} > 0)", d.position(subject, &needle)),
                }
            }
        };
        Ok((test, Kind::Boolean))
    }

    /// `startswith(s, 'lit')` as the code-point range `[lit, successor)`, which a B-tree
    /// index on `s` serves (in SQLite's BINARY and PostgreSQL's "C" order).
    fn prefix_range(&mut self, subject: &str, low: &str, prefix: &str) -> String {
        let subject = self.dialect.code_point_order(subject);
        match successor(prefix) {
            Some(high) => {
                let high = self.bind(SqlValue::Text(high));
                format!(
                    "({subject} >= {} AND {subject} < {})",
                    self.dialect.code_point_order(low),
                    self.dialect.code_point_order(&high)
                )
            }
            None => format!("({subject} >= {})", self.dialect.code_point_order(low)),
        }
    }

    /// `substring(s, start[, length])`: zero-based start, a negative start counts from the
    /// end, a negative length is an error.
    fn substring(
        &mut self,
        operands: &[Operand],
        args: &[Expr],
    ) -> Result<(String, Kind), SqlError> {
        let s = &operands[0];
        if s.kind != Kind::String {
            return type_error(Function::Substring, s.kind, s.constant);
        }
        for operand in &operands[1..] {
            if operand.kind != Kind::Integer {
                return type_error(Function::Substring, operand.kind, operand.constant);
            }
        }
        if let Some(Expr::Literal(Literal::Int(length))) = args.get(2) {
            if *length < 0 {
                return invalid("substring: the length must not be negative");
            }
        } else if args.len() == 3 {
            return unsupported("substring with a length that is not a literal");
        }
        // Positions beyond any string's length are clamped to 32 bits (PostgreSQL's
        // `substr` takes `integer`), which changes no answer.
        let start = self.dialect.clamp_position(&operands[1].sql);
        let from = format!(
            "(CASE WHEN {start} < 0 THEN {} ELSE {start} END + 1)",
            self.greatest(&format!("length({}) + {start}", s.sql), "0")
        );
        let from = self.dialect.position_argument(&from);
        Ok(match operands.get(2) {
            Some(length) => (
                format!(
                    "substr({}, {from}, {})",
                    s.sql,
                    self.dialect
                        .position_argument(&self.dialect.clamp_position(&length.sql))
                ),
                Kind::String,
            ),
            None => (format!("substr({}, {from})", s.sql), Kind::String),
        })
    }

    fn greatest(&self, a: &str, b: &str) -> String {
        match self.dialect {
            super::Dialect::Sqlite => format!("max({a}, {b})"),
            super::Dialect::Postgres => format!("greatest({a}, {b})"),
        }
    }

    /// Date parts of a DateTimeOffset in its own offset (read from its text, which `load`
    /// keeps as given: `YYYY-MM-DDTHH:MM:SS...`), or of a Date.
    fn date_part(&self, function: Function, operand: &Operand) -> Result<(String, Kind), SqlError> {
        let allowed = match function {
            Function::Year | Function::Month | Function::Day | Function::Date => {
                matches!(operand.kind, Kind::DateTimeOffset | Kind::Date)
            }
            _ => matches!(operand.kind, Kind::DateTimeOffset | Kind::TimeOfDay),
        };
        if !allowed {
            return type_error(function, operand.kind, operand.constant);
        }
        if operand.kind == Kind::TimeOfDay {
            // `HH:MM:SS[.f]`.
            let start = match function {
                Function::Hour => 1,
                Function::Minute => 4,
                _ => 7,
            };
            let text = format!("substr({}, {start}, 2)", operand.sql);
            return Ok((self.dialect.to_integer(&text), Kind::Integer));
        }
        let (start, length) = match function {
            Function::Year => (1, 4),
            Function::Month => (6, 2),
            Function::Day => (9, 2),
            Function::Hour => (12, 2),
            Function::Minute => (15, 2),
            Function::Second => (18, 2),
            _ => return Ok((format!("substr({}, 1, 10)", operand.sql), Kind::Date)),
        };
        let text = format!("substr({}, {start}, {length})", operand.sql);
        Ok((self.dialect.to_integer(&text), Kind::Integer))
    }
}

/// The operands as strings, or a type error.
fn strings<const N: usize>(
    function: Function,
    operands: &[Operand],
) -> Result<[String; N], SqlError> {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, operand) in out.iter_mut().zip(operands) {
        if operand.kind != Kind::String {
            return type_error(function, operand.kind, operand.constant);
        }
        *slot = operand.sql.clone();
    }
    Ok(out)
}

fn type_error<T>(function: Function, kind: Kind, constant: bool) -> Result<T, SqlError> {
    if constant {
        invalid(format!(
            "{} does not take {}",
            function.name(),
            kind.describe()
        ))
    } else {
        unsupported(format!(
            "{} over {} (the evaluator answers null; no SQL form is exact)",
            function.name(),
            kind.describe()
        ))
    }
}

/// The text of a string literal argument (through aliases).
fn literal_text(expr: &Expr, translator: &Translator<'_>) -> Option<String> {
    match expr {
        Expr::Literal(Literal::String(text)) => Some(text.to_string()),
        Expr::Alias(name) => match translator.alias(name).ok().map(|a| &a.value) {
            Some(Expr::Literal(Literal::String(text))) => Some(text.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The least string greater than every string starting with `prefix`, in code-point
/// order: the last character that can be incremented, incremented, after dropping those
/// that cannot. `None` when every character is U+10FFFF.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => Some('\u{E000}'),
            code => char::from_u32(code + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn successors_bound_prefixes() {
        assert_eq!(successor("Azure").as_deref(), Some("Azurf"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(successor("\u{10FFFF}"), None);
    }
}
