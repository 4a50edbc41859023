//! `cast` and `isof` to primitive types, as the typed evaluator answers them
//! (`src/eval/functions.rs`): a failed cast is null; numbers cast to integer types
//! truncate toward zero and are null out of range; `isof` of an integer holds for every
//! integer type whose range holds it and for the decimal and floating types. What needs
//! parsing text (a string cast to a number or a date) or writing a double as text is a
//! 501; so are casts to structured types.

use crate::ast::Expr;

use super::dialect::Dialect;
use super::error::{unsupported, SqlError};
use super::operand::{Kind, Operand};
use super::translate::{Env, Translator};

/// The primitive types `cast` and `isof` name, with their ranges for the integers.
fn integer_range(edm: &str) -> Option<(i64, i64)> {
    Some(match edm {
        "Byte" => (0, 255),
        "SByte" => (-128, 127),
        "Int16" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "Int32" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        "Int64" => (i64::MIN, i64::MAX),
        _ => return None,
    })
}

const PRIMITIVES: [&str; 16] = [
    "String",
    "Boolean",
    "Byte",
    "SByte",
    "Int16",
    "Int32",
    "Int64",
    "Decimal",
    "Double",
    "Single",
    "Date",
    "DateTimeOffset",
    "TimeOfDay",
    "Duration",
    "Guid",
    "Binary",
];

/// The primitive type name after `Edm.`, or a 501 for other targets.
fn primitive(type_name: &str, what: &str) -> Result<String, SqlError> {
    match type_name.strip_prefix("Edm.") {
        Some(edm) if PRIMITIVES.contains(&edm) => Ok(edm.to_owned()),
        _ => unsupported(format!("{what} to {type_name}")),
    }
}

/// Whether `x` (an integer) is in `[low, high]`, never null.
fn in_range(x: &str, (low, high): (i64, i64)) -> String {
    if (low, high) == (i64::MIN, i64::MAX) {
        format!("({x} IS NOT NULL AND {x} >= -9223372036854775807 - 1 AND {x} <= {high})")
    } else {
        format!("({x} IS NOT NULL AND {x} >= {low} AND {x} <= {high})")
    }
}

impl<'m> Translator<'m> {
    /// `isof(expr, Edm.Type)`.
    pub(crate) fn is_of(
        &mut self,
        expr: Option<&'m Expr>,
        type_name: &str,
        env: &Env<'_, 'm>,
    ) -> Result<Operand, SqlError> {
        let Some(expr) = expr else {
            return unsupported(format!("isof({type_name}) of the entity"));
        };
        let edm = primitive(type_name, "isof")?;
        let operand = self.value(expr, env)?;
        let x = &operand.sql;
        let not_null = format!("({x} IS NOT NULL)");
        let sql = match (edm.as_str(), operand.kind) {
            (_, Kind::Null) => "FALSE".to_owned(),
            (_, Kind::Complex | Kind::Json | Kind::OtherText) => {
                return unsupported(format!("isof of {}", operand.kind.describe()))
            }
            (edm, Kind::Integer) if integer_range(edm).is_some() => {
                in_range(x, integer_range(edm).unwrap_or((0, 0)))
            }
            ("Decimal" | "Double" | "Single", Kind::Integer | Kind::Double)
            | ("String", Kind::String)
            | ("Boolean", Kind::Boolean)
            | ("DateTimeOffset", Kind::DateTimeOffset)
            | ("Date", Kind::Date)
            | ("TimeOfDay", Kind::TimeOfDay)
            | ("Duration", Kind::Duration)
            | ("Guid", Kind::Guid) => not_null,
            _ => "FALSE".to_owned(),
        };
        Ok(Operand::new(sql, Kind::Boolean, false))
    }

    /// `cast(expr, Edm.Type)`.
    pub(crate) fn cast(
        &mut self,
        expr: Option<&'m Expr>,
        type_name: &str,
        env: &Env<'_, 'm>,
    ) -> Result<Operand, SqlError> {
        let Some(expr) = expr else {
            return unsupported(format!("cast($this, {type_name})"));
        };
        let edm = primitive(type_name, "cast")?;
        let operand = self.value(expr, env)?;
        let d = self.dialect;
        let x = operand.sql.clone();
        let null = |kind: Kind| Operand {
            kind,
            ..Operand::null()
        };
        let same = |kind: Kind| Operand {
            kind,
            ..operand.clone()
        };
        let computed = |sql: String, kind: Kind| Operand {
            constant: operand.constant,
            ..Operand::new(sql, kind, true)
        };
        let target_kind = match edm.as_str() {
            "String" => Kind::String,
            "Boolean" => Kind::Boolean,
            "Decimal" | "Double" | "Single" => Kind::Double,
            "Date" => Kind::Date,
            "DateTimeOffset" => Kind::DateTimeOffset,
            "TimeOfDay" => Kind::TimeOfDay,
            "Duration" => Kind::Duration,
            "Guid" => Kind::Guid,
            "Binary" => Kind::OtherText,
            _ => Kind::Integer,
        };
        if operand.kind == Kind::Null {
            return Ok(null(target_kind));
        }
        if matches!(operand.kind, Kind::Json | Kind::OtherText) {
            return unsupported(format!(
                "cast of {} to {type_name}",
                operand.kind.describe()
            ));
        }
        let text_cast = || unsupported(format!("cast of a string to {type_name}"));
        Ok(match (edm.as_str(), operand.kind) {
            (_, Kind::Complex) => null(target_kind),
            ("String", Kind::String | Kind::Date | Kind::TimeOfDay) => same(Kind::String),
            ("String", Kind::Integer) => computed(d.integer_text(&x), Kind::String),
            ("String", Kind::Boolean) => computed(
                format!("CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END"),
                Kind::String,
            ),
            ("String", Kind::DateTimeOffset) if operand.constant => same(Kind::String),
            ("String", Kind::DateTimeOffset) => {
                computed(d.canonical_date_time(&x), Kind::String)
            }
            ("String", _) => {
                return unsupported(format!(
                    "cast of {} to Edm.String",
                    operand.kind.describe()
                ))
            }
            (edm, Kind::Integer) if integer_range(edm).is_some() => {
                let range = integer_range(edm).unwrap_or((0, 0));
                computed(
                    format!("CASE WHEN {} THEN {x} END", in_range(&x, range)),
                    Kind::Integer,
                )
            }
            (edm, Kind::Double) if integer_range(edm).is_some() => {
                let (low, high) = integer_range(edm).unwrap_or((0, 0));
                // The truncated value is in range exactly when low - 1 < x < high + 1.
                let (low, high) = if edm == "Int64" {
                    (
                        "-9223372036854775808.0".to_owned(),
                        "9223372036854775808.0".to_owned(),
                    )
                } else {
                    (format!("{}.0", low - 1), format!("{}.0", high + 1))
                };
                let lower_ok = if edm == "Int64" {
                    format!("{x} >= {low}")
                } else {
                    format!("{x} > {low}")
                };
                computed(
                    format!(
                        "CASE WHEN {lower_ok} AND {x} < {high} THEN {} END",
                        d.truncate(&x)
                    ),
                    Kind::Integer,
                )
            }
            (_, Kind::String) if edm != "Boolean" => return text_cast(),
            ("Decimal", Kind::Integer) => same(Kind::Integer),
            ("Decimal" | "Double", Kind::Double) => same(Kind::Double),
            ("Double", Kind::Integer) => computed(d.to_double(&x), Kind::Double),
            ("Single", Kind::Integer | Kind::Double) => {
                return unsupported("cast to Edm.Single (single precision)")
            }
            ("Boolean", Kind::Boolean) => same(Kind::Boolean),
            ("Boolean", Kind::String) => computed(
                format!(
                    "CASE WHEN lower({x}) = 'true' THEN TRUE WHEN lower({x}) = 'false' THEN FALSE END"
                ),
                Kind::Boolean,
            ),
            ("Date", Kind::Date) => same(Kind::Date),
            ("Date", Kind::DateTimeOffset) => {
                computed(format!("substr({x}, 1, 10)"), Kind::Date)
            }
            ("DateTimeOffset", Kind::DateTimeOffset) => same(Kind::DateTimeOffset),
            ("DateTimeOffset", Kind::Date) => {
                let mut out = computed(format!("({x} || 'T00:00:00Z')"), Kind::DateTimeOffset);
                out.instant = Some(format!("({x} || 'T00:00:00.000000000Z')"));
                out
            }
            ("TimeOfDay", Kind::TimeOfDay) => same(Kind::TimeOfDay),
            ("TimeOfDay", Kind::DateTimeOffset) => computed(d.time_of_day(&x), Kind::TimeOfDay),
            ("Duration", Kind::Duration) => same(Kind::Duration),
            ("Guid", Kind::Guid) => same(Kind::Guid),
            _ => null(target_kind),
        })
    }
}

impl Dialect {
    /// An integer as its decimal text.
    pub(crate) fn integer_text(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
            Dialect::Postgres => format!("CAST({expr} AS text)"),
        }
    }

    /// A double truncated toward zero to an integer (in range).
    pub(crate) fn truncate(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST({expr} AS INTEGER)"),
            Dialect::Postgres => format!("CAST(trunc({expr}) AS bigint)"),
        }
    }
}
