//! Comparison leaves with OData's null rules (URL §5.1.1.1):
//! `eq`/`ne`/`in` never give null (`null eq null` is true); `gt`/`ge`/`lt`/`le` with a null
//! operand are false, and `ge`/`le` are `gt or eq`/`lt or eq`, so `null ge null` is true.
//!
//! Each leaf is written in its truth form (true exactly when OData's value is true): a
//! plain `a = $1` when the right side is a non-null parameter, so indexes serve it.

use crate::ast::{BinaryOp, Expr};

use super::dialect::Dialect;
use super::error::{invalid, unsupported, SqlError};
use super::operand::{FastInteger, Kind, Leaf, Operand};
use super::translate::{Env, Translator};
use super::writer::SqlValue;

/// How two operands compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparable {
    /// By SQL value (numbers, Booleans, dates as text, instants as text).
    Plain,
    /// Strings, in code-point order.
    Text,
    /// GUIDs: case-insensitively.
    Guid,
    /// Values of unrelated types: never equal, never ordered.
    Unrelated,
}

impl<'m> Translator<'m> {
    pub(crate) fn comparison(
        &mut self,
        op: BinaryOp,
        left: &'m Expr,
        right: &'m Expr,
        env: &Env<'_, 'm>,
    ) -> Result<Leaf, SqlError> {
        let mut l = self.value(left, env)?;
        let mut r = self.value(right, env)?;
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Ok(null_comparison(op, &l, &r));
        }
        let how = comparable(&l, &r)?;
        if how == Comparable::Unrelated {
            return Ok(unrelated(op, &l, &r));
        }
        if self.dialect == Dialect::Postgres {
            // PostgreSQL compares an integer with a double as doubles, the evaluator
            // exactly.
            match (l.kind, r.kind) {
                (Kind::Integer, Kind::Double) => {
                    match self.integer_with_double(op, &l, &r, right)? {
                        Mixed::Leaf(leaf) => return Ok(leaf),
                        Mixed::Integer(rebound) => r = rebound,
                        Mixed::Doubles => {}
                    }
                }
                (Kind::Double, Kind::Integer) => {
                    match self.integer_with_double(flipped(op), &r, &l, left)? {
                        Mixed::Leaf(leaf) => return Ok(leaf),
                        Mixed::Integer(rebound) => l = rebound,
                        Mixed::Doubles => {}
                    }
                }
                _ => {}
            }
        }
        let leaf = self.plain_comparison(op, &l, &r, how);
        if l.fast.is_some() || r.fast.is_some() {
            return Ok(self.guarded_integer_comparison(op, &l, &r, how, leaf));
        }
        if self.dialect == Dialect::Postgres && (l.nan || r.nan) {
            return Ok(nan_aware(op, leaf, &l, &r));
        }
        Ok(leaf)
    }

    fn plain_comparison(&self, op: BinaryOp, l: &Operand, r: &Operand, how: Comparable) -> Leaf {
        // Equality needs no collation (every deterministic collation agrees on it), and
        // without one an index on a column of any collation serves it.
        let side_how = match (op, how) {
            (BinaryOp::Eq | BinaryOp::Ne, Comparable::Text) => Comparable::Plain,
            _ => how,
        };
        let (a, b) = (self.side(l, side_how), self.side(r, side_how));
        let both_nullable = l.nullable && r.nullable;
        let dialect = self.dialect;
        let sql_op = match op {
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Lt => "<",
            _ => "<=",
        };
        match op {
            // Equality is null only when a side is null: exact when at most one side can
            // be (null on that side means "not equal", which a truth form may say as null).
            BinaryOp::Eq if both_nullable => Leaf {
                sql: dialect.not_distinct(&a, &b),
                exact: true,
            },
            BinaryOp::Eq => Leaf {
                sql: format!("({a} = {b})"),
                exact: false,
            },
            BinaryOp::Ne => Leaf {
                sql: dialect.distinct(&a, &b),
                exact: true,
            },
            BinaryOp::Ge | BinaryOp::Le if both_nullable => Leaf {
                sql: format!(
                    "({a} {sql_op} {b} OR ({} IS NULL AND {} IS NULL))",
                    l.comparable(),
                    r.comparable()
                ),
                exact: false,
            },
            _ => Leaf {
                sql: format!("({a} {sql_op} {b})"),
                exact: false,
            },
        }
    }

    /// A comparison of integer arithmetic on PostgreSQL: in `bigint` where the guard
    /// shows it cannot overflow, else in the exact `numeric` form `leaf` (see
    /// `FastInteger`). Both forms give the same value on every row.
    fn guarded_integer_comparison(
        &self,
        op: BinaryOp,
        l: &Operand,
        r: &Operand,
        how: Comparable,
        leaf: Leaf,
    ) -> Leaf {
        if l.kind != Kind::Integer || r.kind != Kind::Integer {
            return leaf;
        }
        let mut leaves: Vec<String> = Vec::new();
        let mut fast_side = |side: &Operand| match &side.fast {
            Some(fast) => {
                FastInteger::add_leaves(&mut leaves, &fast.leaves);
                Operand {
                    sql: fast.sql.clone(),
                    fast: None,
                    ..side.clone()
                }
            }
            None => side.clone(),
        };
        let (fl, fr) = (fast_side(l), fast_side(r));
        let fast = self.plain_comparison(op, &fl, &fr, how);
        if leaves.is_empty() {
            return Leaf {
                sql: fast.sql,
                exact: leaf.exact,
            };
        }
        Leaf {
            sql: format!(
                "(CASE WHEN {} THEN {} ELSE {} END)",
                FastInteger::guard(&leaves),
                fast.sql,
                leaf.sql
            ),
            exact: leaf.exact,
        }
    }

    /// An operand as it is compared.
    fn side(&self, operand: &Operand, how: Comparable) -> String {
        match how {
            Comparable::Text => self.dialect.code_point_order(operand.comparable()),
            // Literals are lower-cased when bound; stored GUIDs are lower-cased here.
            Comparable::Guid if !operand.constant => format!("lower({})", operand.sql),
            _ => operand.comparable().to_owned(),
        }
    }

    /// `a in (x, y, null)`: membership by `eq`, never null.
    pub(crate) fn membership(
        &mut self,
        left: &'m Expr,
        right: &'m Expr,
        env: &Env<'_, 'm>,
    ) -> Result<Leaf, SqlError> {
        let Expr::List(items) = right else {
            return unsupported("in with a right operand that is not a list of values");
        };
        let l = self.value(left, env)?;
        let mut members = Vec::with_capacity(items.len());
        let mut has_null = false;
        for item in items {
            let r = self.value(item, env)?;
            if r.kind == Kind::Null {
                has_null = true;
                continue;
            }
            if l.kind == Kind::Null {
                continue;
            }
            match comparable(&l, &r)? {
                Comparable::Unrelated => {}
                how => {
                    if r.nullable {
                        return unsupported("in with list members that read properties");
                    }
                    members.push(self.side(&r, how));
                }
            }
        }
        if l.kind == Kind::Null {
            return Ok(constant(has_null));
        }
        let how = if l.kind == Kind::Guid {
            Comparable::Guid
        } else {
            Comparable::Plain
        };
        let subject = self.side(&l, how);
        let mut alternatives = Vec::new();
        if !members.is_empty() {
            alternatives.push(format!("{subject} IN ({})", members.join(", ")));
        }
        if has_null && l.nullable {
            alternatives.push(format!("{} IS NULL", l.sql));
        }
        Ok(match alternatives.len() {
            0 => constant(false),
            1 => Leaf {
                sql: format!("({})", alternatives[0]),
                exact: false,
            },
            _ => Leaf {
                sql: format!("({})", alternatives.join(" OR ")),
                exact: false,
            },
        })
    }
}

/// How an integer compares with a double on PostgreSQL.
enum Mixed {
    /// As doubles, which is exact here.
    Doubles,
    /// With the double literal as an integer (a whole number in range).
    Integer(Operand),
    /// With this leaf.
    Leaf(Leaf),
}

impl Translator<'_> {
    /// `int op dbl` on PostgreSQL: a double literal that is a whole number in the
    /// integers' range is compared as an integer (so an index serves it); 2^63 is above
    /// every integer; other literals compare exactly as doubles. A computed double is
    /// compared through the sign of the exact difference.
    fn integer_with_double(
        &mut self,
        op: BinaryOp,
        int: &Operand,
        dbl: &Operand,
        dbl_expr: &Expr,
    ) -> Result<Mixed, SqlError> {
        if dbl.constant {
            let Some(value) = self.number_literal(dbl_expr) else {
                return Ok(Mixed::Doubles);
            };
            const TWO_63: f64 = 9_223_372_036_854_775_808.0;
            if value.fract() == 0.0 && (-TWO_63..TWO_63).contains(&value) {
                let rebound = self.bind(SqlValue::Integer(value as i64));
                return Ok(Mixed::Integer(Operand::constant(rebound, Kind::Integer)));
            }
            if value == TWO_63 {
                let not_null = if int.nullable {
                    format!("({} IS NOT NULL)", int.sql)
                } else {
                    "TRUE".into()
                };
                let sql = match op {
                    BinaryOp::Lt | BinaryOp::Le => not_null,
                    BinaryOp::Ne => "TRUE".into(),
                    _ => "FALSE".into(),
                };
                return Ok(Mixed::Leaf(Leaf { sql, exact: true }));
            }
            return Ok(Mixed::Doubles);
        }
        let (i, d) = (&int.sql, &dbl.sql);
        let sign = format!(
            "(CASE WHEN {d} = 'NaN'::float8 THEN NULL WHEN CAST({i} AS float8) < {d} THEN -1 \
             WHEN CAST({i} AS float8) > {d} THEN 1 WHEN {d} >= 9223372036854775808.0 THEN -1 \
             ELSE sign(CAST({i} AS numeric) - CAST({d} AS bigint)) END)"
        );
        let both_null = format!("({i} IS NULL AND {d} IS NULL)");
        let sql = match op {
            BinaryOp::Eq => format!("COALESCE({sign} = 0, {both_null})"),
            BinaryOp::Ne => format!("(NOT COALESCE({sign} = 0, {both_null}))"),
            BinaryOp::Gt => format!("COALESCE({sign} > 0, FALSE)"),
            BinaryOp::Lt => format!("COALESCE({sign} < 0, FALSE)"),
            BinaryOp::Ge => format!("COALESCE({sign} >= 0, {both_null})"),
            _ => format!("COALESCE({sign} <= 0, {both_null})"),
        };
        Ok(Mixed::Leaf(Leaf { sql, exact: true }))
    }

    /// The value of a numeric literal (through aliases and `-`).
    fn number_literal(&self, expr: &Expr) -> Option<f64> {
        use crate::ast::{Literal, UnaryOp};
        match expr {
            Expr::Literal(Literal::Decimal(text) | Literal::Double(text)) => match text.as_str() {
                "INF" => Some(f64::INFINITY),
                "-INF" => Some(f64::NEG_INFINITY),
                _ => text.parse().ok(),
            },
            Expr::Alias(name) => self
                .alias(name)
                .ok()
                .and_then(|definition| self.number_literal(&definition.value)),
            Expr::Unary {
                op: UnaryOp::Neg,
                operand,
            } => self.number_literal(operand).map(|v| -v),
            _ => None,
        }
    }
}

/// A comparison of a possible NaN on PostgreSQL as the evaluator's: false, but `ne` true.
fn nan_aware(op: BinaryOp, leaf: Leaf, l: &Operand, r: &Operand) -> Leaf {
    let mut tests = Vec::new();
    for side in [l, r] {
        if side.nan {
            tests.push(side.sql.clone());
        }
    }
    match op {
        BinaryOp::Ne => {
            let any: Vec<String> = tests
                .iter()
                .map(|x| format!("COALESCE({x} = 'NaN'::float8, FALSE)"))
                .collect();
            Leaf {
                sql: format!("({} OR {})", leaf.value(), any.join(" OR ")),
                exact: true,
            }
        }
        _ => {
            let none: Vec<String> = tests
                .iter()
                .map(|x| format!("COALESCE({x} <> 'NaN'::float8, TRUE)"))
                .collect();
            Leaf {
                sql: format!("({} AND {})", leaf.value(), none.join(" AND ")),
                exact: true,
            }
        }
    }
}

/// `a op b` as `b op' a`.
fn flipped(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Ge => BinaryOp::Le,
        BinaryOp::Le => BinaryOp::Ge,
        other => other,
    }
}

fn constant(value: bool) -> Leaf {
    Leaf {
        sql: if value { "TRUE" } else { "FALSE" }.into(),
        exact: true,
    }
}

/// How `l` and `r` compare; a type error when both are constants of unrelated types.
fn comparable(l: &Operand, r: &Operand) -> Result<Comparable, SqlError> {
    use Kind::*;
    let how = match (l.kind, r.kind) {
        (a, b) if a.is_numeric() && b.is_numeric() => Comparable::Plain,
        (Boolean, Boolean) | (Date, Date) | (DateTimeOffset, DateTimeOffset) => Comparable::Plain,
        (Duration, Duration) => Comparable::Plain,
        (TimeOfDay, TimeOfDay) => Comparable::Text,
        (String, TimeOfDay | Duration) | (TimeOfDay | Duration, String) => {
            return unsupported("comparing a TimeOfDay or Duration with a string")
        }
        (Guid, Guid) => Comparable::Guid,
        // A string compared with a string-valued property compares texts (the evaluator
        // sees JSON strings on both sides): a DateTimeOffset's text, a GUID's text.
        (String, String) => Comparable::Text,
        (String, Date | Guid | OtherText) if !l.constant || r.constant => Comparable::Text,
        (Date | Guid | OtherText, String) if !r.constant || l.constant => Comparable::Text,
        (String, DateTimeOffset) | (DateTimeOffset, String) => {
            return unsupported(
                "comparing a DateTimeOffset with a string (compare with a DateTimeOffset literal)",
            )
        }
        // Past the model check, a text column against a number is an enumeration against a
        // member's number (4.01 allows it), and the column holds member names.
        (String, Integer) if !l.constant && r.constant => {
            return unsupported("comparing a string or enumeration with a number (compare an enumeration with its member's name)")
        }
        (Integer, String) if l.constant && !r.constant => {
            return unsupported("comparing a string or enumeration with a number (compare an enumeration with its member's name)")
        }
        (OtherText, OtherText) => {
            return unsupported("comparing TimeOfDay, Duration or Binary values")
        }
        (Complex | Json, _) | (_, Complex | Json) => {
            return unsupported("comparing complex or JSON-mapped values with anything but null")
        }
        _ => Comparable::Unrelated,
    };
    if how == Comparable::Unrelated && l.constant && r.constant {
        return invalid(format!(
            "cannot compare {} with {}",
            l.kind.describe(),
            r.kind.describe()
        ));
    }
    Ok(how)
}

/// A comparison with the `null` literal on one side (or both).
fn null_comparison(op: BinaryOp, l: &Operand, r: &Operand) -> Leaf {
    let other = if l.kind == Kind::Null { r } else { l };
    let both_null = l.kind == Kind::Null && r.kind == Kind::Null;
    let is_null = if both_null {
        "TRUE".to_owned()
    } else if !other.nullable {
        "FALSE".to_owned()
    } else {
        format!("({} IS NULL)", other.sql)
    };
    let sql = match op {
        BinaryOp::Eq | BinaryOp::Ge | BinaryOp::Le => is_null,
        BinaryOp::Ne => {
            if both_null {
                "FALSE".into()
            } else if !other.nullable {
                "TRUE".into()
            } else {
                format!("({} IS NOT NULL)", other.sql)
            }
        }
        _ => "FALSE".into(),
    };
    Leaf {
        sql: super::dialect::keep_failures(sql, &[&l.sql, &r.sql]),
        exact: true,
    }
}

/// A comparison of data of unrelated types (`status eq 5`): never equal, never ordered;
/// only "both null" makes `eq`, `ge`, `le` true.
fn unrelated(op: BinaryOp, l: &Operand, r: &Operand) -> Leaf {
    let both_null = if l.nullable && r.nullable {
        format!("({} IS NULL AND {} IS NULL)", l.sql, r.sql)
    } else {
        "FALSE".into()
    };
    let sql = match op {
        BinaryOp::Eq | BinaryOp::Ge | BinaryOp::Le => both_null,
        BinaryOp::Ne => format!("(NOT {both_null})"),
        _ => "FALSE".into(),
    };
    Leaf { sql, exact: true }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::sql::{Dialect, Mapping, SqlError};
    use crate::Query;

    /// An enumeration column holds member names: compared with a member's number it
    /// would match nothing, so the translation says it cannot answer.
    #[test]
    fn enumerations_against_numbers_are_not_answered() {
        let model = Model::from_csdl_json(
            r#"{"$Version": "4.01", "$EntityContainer": "ns.C",
                "ns": {
                  "Gender": {"$Kind": "EnumType", "Male": 0, "Female": 1},
                  "P": {"$Kind": "EntityType", "$Key": ["id"],
                        "id": {"$Type": "Edm.Int32"}, "gender": {"$Type": "ns.Gender"}},
                  "C": {"$Kind": "EntityContainer",
                        "Ps": {"$Collection": true, "$Type": "ns.P"}}}}"#,
        )
        .unwrap();
        let mapping = Mapping::from_model(&model).unwrap();
        for filter in ["gender eq 1", "1 ne gender", "gender in ('Male', 1)"] {
            let query = Query::parse(&format!("$filter={filter}")).unwrap();
            let error = query.to_sql(&mapping, Dialect::Sqlite).unwrap_err();
            assert!(
                matches!(error, SqlError::NotSupported(_)),
                "{filter}: {error}"
            );
        }
        let query = Query::parse("$filter=gender eq 'Male'").unwrap();
        assert!(query.to_sql(&mapping, Dialect::Sqlite).is_ok());
    }
}
