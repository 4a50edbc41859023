//! The aggregates of `groupby`/`aggregate` in SQL, as the evaluator computes them: nulls
//! skipped; `sum`, `min`, `max` and `average` of no values null; sums of integers exact
//! (never failing), averages their quotient rounded once; `min`/`max` in the `$orderby`
//! order (strings by code point, DateTimeOffsets by instant, answered in canonical form);
//! `countdistinct` of DateTimeOffsets by what the evaluator writes (instant and offset).

use crate::ast::AggregateMethod;

use super::dialect::Dialect;
use super::error::{unsupported, SqlError};
use super::operand::{Kind, Operand};

/// One aggregate of a `groupby`/`aggregate` step: the per-row values it reads and the
/// aggregate over them (`{0}`, `{1}` stand for those values' columns).
pub(crate) struct Aggregated {
    pub(crate) alias: String,
    pub(crate) inputs: Vec<String>,
    pub(crate) aggregate: String,
    pub(crate) kind: Kind,
}

/// The value each row contributes to `min`/`max`, and how to read the result back: a
/// DateTimeOffset by its instant (fixed-width text) followed by its text.
fn ordered_value(dialect: Dialect, operand: &Operand) -> Result<(String, Kind), SqlError> {
    Ok(match operand.kind {
        Kind::Integer | Kind::Double | Kind::Date | Kind::Boolean | Kind::Null => {
            (operand.sql.clone(), operand.kind)
        }
        Kind::String | Kind::Guid => (dialect.code_point_order(&operand.sql), operand.kind),
        Kind::DateTimeOffset => (
            format!("({} || {})", operand.comparable(), operand.sql),
            Kind::DateTimeOffset,
        ),
        Kind::TimeOfDay => (dialect.code_point_order(&operand.sql), Kind::TimeOfDay),
        Kind::OtherText | Kind::Duration => {
            return unsupported("min and max of Duration or Binary values")
        }
        Kind::Complex | Kind::Json => return unsupported("aggregating complex values"),
    })
}

/// `min`/`max` over values written by [`ordered_value`].
fn extreme(dialect: Dialect, method: &AggregateMethod, value: &str, kind: Kind) -> (String, Kind) {
    let max = *method == AggregateMethod::Max;
    match (kind, dialect) {
        (Kind::Boolean, Dialect::Postgres) => (
            format!("{}({value})", if max { "bool_or" } else { "bool_and" }),
            Kind::Boolean,
        ),
        // The instant is 30 characters (`YYYY-MM-DDTHH:MM:SS.fffffffffZ`); the text follows,
        // answered in the evaluator's canonical form.
        (Kind::DateTimeOffset, _) => (
            dialect.canonical_date_time(&format!(
                "substr({}({value}), 31)",
                if max { "max" } else { "min" }
            )),
            Kind::String,
        ),
        _ => (
            format!("{}({value})", if max { "max" } else { "min" }),
            kind,
        ),
    }
}

/// `sum`/`average` of values that are not numbers: the evaluator fails the request when
/// there is one, and answers null when there is none (all null, or no rows); `count`
/// counts them.
fn not_numbers(
    dialect: Dialect,
    alias: String,
    operand: &Operand,
    inputs: Vec<String>,
    count: &str,
) -> Result<Aggregated, SqlError> {
    if matches!(operand.kind, Kind::Complex | Kind::Json) {
        return unsupported("sum or average of complex values");
    }
    Ok(Aggregated {
        alias,
        inputs,
        aggregate: format!(
            "CASE WHEN {count} = 0 THEN NULL ELSE {} END",
            dialect.failure(count)
        ),
        kind: Kind::Null,
    })
}

/// A sum of integers, never failing: SQLite's `sum` fails past 64 bits, so there the high
/// and low 32 bits are summed apart (each fits for 2^31 rows); PostgreSQL sums `bigint`
/// into `numeric`.
enum IntegerSum {
    /// The sums of the high halves (`x >> 32`) and of the low halves (`x & 0xFFFFFFFF`).
    Halves { high: String, low: String },
    /// One exact sum.
    Whole(String),
}

impl IntegerSum {
    /// The sum of `{0}` over the rows.
    fn of(dialect: Dialect, value: &str) -> IntegerSum {
        match dialect {
            Dialect::Sqlite => IntegerSum::Halves {
                high: format!("sum({value} >> 32)"),
                low: format!("sum({value} & 4294967295)"),
            },
            Dialect::Postgres => IntegerSum::Whole(format!("sum({value})")),
        }
    }

    /// The total (a REAL on SQLite past 64 bits, as the evaluator's promoted sum is
    /// written as a double).
    fn total(&self) -> String {
        match self {
            IntegerSum::Halves { high, low } => format!("({high} * 4294967296 + {low})"),
            IntegerSum::Whole(sum) => sum.clone(),
        }
    }

    /// The average over `count` values: the evaluator's decimal quotient, rounded once
    /// to a double (SQLite: the whole part and the remainder from the halves, so that no
    /// sum past 2^53 is rounded first).
    fn average(&self, count: &str) -> String {
        match self {
            IntegerSum::Halves { high, low } => {
                let rest = format!("(({high} % {count}) * 4294967296 + {low})");
                format!(
                    "CASE WHEN {count} = 0 THEN NULL ELSE (CAST(({high} / {count}) * 4294967296 \
                     + {rest} / {count} AS REAL) + CAST({rest} % {count} AS REAL) / {count}) END"
                )
            }
            IntegerSum::Whole(sum) => format!(
                "CAST({sum} * 1.000000000000000000000000000000 / NULLIF({count}, 0) \
                 AS double precision)"
            ),
        }
    }
}

/// The average of doubles summed in `sum` over `count` values.
fn double_average(dialect: Dialect, sum: &str, count: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("({sum} / {count})"),
        Dialect::Postgres => format!("({sum} / NULLIF({count}, 0))"),
    }
}

/// An aggregate of a value each row has.
pub(crate) fn aggregate_values(
    dialect: Dialect,
    alias: String,
    method: &AggregateMethod,
    operand: &Operand,
) -> Result<Aggregated, SqlError> {
    if operand.kind == Kind::Null {
        // Only nulls: no values to aggregate.
        let (aggregate, kind) = match method {
            AggregateMethod::CountDistinct => ("0", Kind::Integer),
            _ => ("NULL", Kind::Null),
        };
        return Ok(Aggregated {
            alias,
            inputs: Vec::new(),
            aggregate: aggregate.into(),
            kind,
        });
    }
    let numbers = operand.kind.is_numeric();
    if matches!(method, AggregateMethod::Sum | AggregateMethod::Average) && !numbers {
        return not_numbers(
            dialect,
            alias,
            operand,
            vec![operand.sql.clone()],
            "count({0})",
        );
    }
    let (inputs, aggregate, kind) = match method {
        AggregateMethod::Sum => {
            let kind = if operand.kind == Kind::Double {
                Kind::Double
            } else {
                Kind::Integer
            };
            let sum = match kind {
                Kind::Integer => IntegerSum::of(dialect, "{0}").total(),
                _ => "sum({0})".to_owned(),
            };
            (vec![operand.sql.clone()], sum, kind)
        }
        AggregateMethod::Average => {
            let average = if operand.kind == Kind::Double {
                double_average(dialect, "sum({0})", "count({0})")
            } else {
                IntegerSum::of(dialect, "{0}").average("count({0})")
            };
            (vec![operand.sql.clone()], average, Kind::Double)
        }
        AggregateMethod::Min | AggregateMethod::Max => {
            let (value, kind) = ordered_value(dialect, operand)?;
            let (aggregate, kind) = extreme(dialect, method, "{0}", kind);
            (vec![value], aggregate, kind)
        }
        AggregateMethod::CountDistinct => {
            if matches!(operand.kind, Kind::Complex | Kind::Json) {
                return unsupported("countdistinct of complex values");
            }
            // DateTimeOffsets are distinct as the evaluator writes them (instant and offset).
            let value = match operand.kind {
                Kind::DateTimeOffset => dialect.canonical_date_time(&operand.sql),
                _ => operand.sql.clone(),
            };
            (vec![value], "count(DISTINCT {0})".to_owned(), Kind::Integer)
        }
        AggregateMethod::Custom(name) => {
            return unsupported(format!("the aggregation method {name}"))
        }
    };
    Ok(Aggregated {
        alias,
        inputs,
        aggregate,
        kind,
    })
}

/// An aggregate of the values of every related item (`files/size with sum`): per parent
/// first, in a correlated subquery over `child_from`, then over the parents.
pub(crate) fn aggregate_through(
    dialect: Dialect,
    alias: String,
    method: &AggregateMethod,
    child_from: &str,
    operand: &Operand,
) -> Result<Aggregated, SqlError> {
    let per_parent = |aggregate: &str| format!("(SELECT {aggregate} FROM {child_from})");
    let x = &operand.sql;
    if matches!(method, AggregateMethod::Sum | AggregateMethod::Average)
        && !operand.kind.is_numeric()
        && operand.kind != Kind::Null
    {
        return not_numbers(
            dialect,
            alias,
            operand,
            vec![per_parent(&format!("count({x})"))],
            "sum({0})",
        );
    }
    // The per-parent partial sums, and their sum: of integers on SQLite, the high and low
    // halves apart (see `IntegerSum`).
    let doubles = operand.kind == Kind::Double;
    let (mut inputs, sum) = match (dialect, doubles) {
        (Dialect::Sqlite, false) => (
            vec![
                per_parent(&format!("sum({x} >> 32)")),
                per_parent(&format!("sum({x} & 4294967295)")),
            ],
            Some(IntegerSum::Halves {
                high: "sum({0})".into(),
                low: "sum({1})".into(),
            }),
        ),
        (_, false) => (
            vec![per_parent(&format!("sum({x})"))],
            Some(IntegerSum::Whole("sum({0})".into())),
        ),
        (_, true) => (vec![per_parent(&format!("sum({x})"))], None),
    };
    let (inputs, aggregate, kind) = match method {
        AggregateMethod::Sum => match sum {
            Some(sum) => (inputs, sum.total(), Kind::Integer),
            None => (inputs, "sum({0})".to_owned(), Kind::Double),
        },
        AggregateMethod::Average => {
            let count = format!("sum({{{}}})", inputs.len());
            inputs.push(per_parent(&format!("count({x})")));
            let average = match sum {
                Some(sum) => sum.average(&count),
                None => double_average(dialect, "sum({0})", &count),
            };
            (inputs, average, Kind::Double)
        }
        AggregateMethod::Min | AggregateMethod::Max => {
            let (value, kind) = ordered_value(dialect, operand)?;
            let (inner, _) = extreme(dialect, method, &value, kind);
            // The per-parent extreme keeps the instant prefix of a DateTimeOffset; only
            // the outer one strips it.
            let inner = match kind {
                Kind::DateTimeOffset => format!(
                    "{}({value})",
                    if *method == AggregateMethod::Max {
                        "max"
                    } else {
                        "min"
                    }
                ),
                _ => inner,
            };
            let (outer, kind) = extreme(dialect, method, "{0}", kind);
            (vec![per_parent(&inner)], outer, kind)
        }
        AggregateMethod::CountDistinct => {
            return unsupported("countdistinct of values through a collection")
        }
        AggregateMethod::Custom(name) => {
            return unsupported(format!("the aggregation method {name}"))
        }
    };
    Ok(Aggregated {
        alias,
        inputs,
        aggregate,
        kind,
    })
}
