//! Expressions: predicates by polarity, values, comparisons with OData's null rules,
//! arithmetic, `in`, `case`, lambdas and counts over child tables.
//!
//! OData's `and`/`or`/`not` are SQL's (both are Kleene logic); only the leaves differ.
//! A predicate is translated in negation normal form: `not` is pushed to the leaves, and
//! each leaf is written in the form that is true exactly when OData says true (or, under
//! `not`, exactly when OData says false). In a formula of only `and` and `or`, which rows
//! are true depends only on which leaves are true, so plain index-friendly leaves such as
//! `a = $1` are exact there, though SQL gives null where OData gives false. Where the
//! three-valued value itself is needed (`$compute`, `$select`, comparing Booleans), a
//! leaf is made exact: `COALESCE(a = $1, FALSE)`, `IS NOT DISTINCT FROM` / SQLite `IS`.

use crate::ast::{BinaryOp, CaseArm, Expr, Lambda, MemberPath, Query, Segment, UnaryOp};

use super::dialect::{Dialect, MAY_FAIL};
use super::error::{invalid, unsupported, SqlError};
use super::mapping::NavigationMapping;
use super::operand::{FastInteger, Kind, Leaf, Operand};
use super::translate::{Env, Resolved, Scope, Translator};

impl<'m> Translator<'m> {
    /// A `$filter`-style predicate: SQL that is true exactly when OData's value is true
    /// (`negated`: exactly when it is false).
    pub(crate) fn predicate(
        &mut self,
        expr: &'m Expr,
        env: &Env<'_, 'm>,
        negated: bool,
    ) -> Result<String, SqlError> {
        self.enter()?;
        let result = self.predicate_inner(expr, env, negated);
        self.leave();
        result
    }

    fn predicate_inner(
        &mut self,
        expr: &'m Expr,
        env: &Env<'_, 'm>,
        negated: bool,
    ) -> Result<String, SqlError> {
        match expr {
            Expr::Unary {
                op: UnaryOp::Not,
                operand,
            } => self.predicate(operand, env, !negated),
            Expr::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                operands,
            } => {
                let [left, right] = &**operands;
                let left_sql = self.predicate(left, env, negated)?;
                let right_sql = self.predicate(right, env, negated)?;
                // De Morgan: under `not`, `and` becomes `or` (Kleene logic keeps it exact).
                let conjunction = (*op == BinaryOp::And) != negated;
                let word = if conjunction { "AND" } else { "OR" };
                if !right_sql.contains(MAY_FAIL) && !left_sql.contains(MAY_FAIL) {
                    return Ok(format!("({left_sql} {word} {right_sql})"));
                }
                // The right side may fail: evaluate it only where the evaluator does, which
                // skips it once the left side decides (`false and`, `true or`).
                Ok(match (*op == BinaryOp::And, negated) {
                    (true, false) => {
                        let falsity = self.predicate(left, env, true)?;
                        format!("(CASE WHEN {falsity} THEN FALSE ELSE ({left_sql} AND {right_sql}) END)")
                    }
                    (true, true) | (false, false) => {
                        format!("(CASE WHEN {left_sql} THEN TRUE ELSE {right_sql} END)")
                    }
                    (false, true) => {
                        let truth = self.predicate(left, env, false)?;
                        format!(
                            "(CASE WHEN {truth} THEN FALSE ELSE ({left_sql} AND {right_sql}) END)"
                        )
                    }
                })
            }
            _ => {
                let leaf = self.leaf(expr, env)?;
                Ok(if negated {
                    leaf.falsity()
                } else {
                    leaf.truth()
                })
            }
        }
    }

    /// A Boolean leaf: a comparison, `in`, a lambda, a function, a Boolean property.
    fn leaf(&mut self, expr: &'m Expr, env: &Env<'_, 'm>) -> Result<Leaf, SqlError> {
        match expr {
            Expr::Binary { op, operands } if is_comparison(*op) => {
                let [left, right] = &**operands;
                self.comparison(*op, left, right, env)
            }
            Expr::Binary {
                op: BinaryOp::In,
                operands,
            } => {
                let [left, right] = &**operands;
                self.membership(left, right, env)
            }
            Expr::Binary {
                op: BinaryOp::Has, ..
            } => unsupported("has (enum flags are stored as member names)"),
            _ => {
                let operand = self.value(expr, env)?;
                match operand.kind {
                    Kind::Boolean => Ok(Leaf {
                        sql: operand.sql,
                        exact: true,
                    }),
                    // A non-Boolean predicate is null in the evaluator: never true.
                    Kind::Null => Ok(Leaf {
                        sql: "NULL".into(),
                        exact: true,
                    }),
                    other => invalid(format!(
                        "a predicate must be Boolean, not {}",
                        other.describe()
                    )),
                }
            }
        }
    }

    /// The exact value of an expression.
    pub(crate) fn value(&mut self, expr: &'m Expr, env: &Env<'_, 'm>) -> Result<Operand, SqlError> {
        self.enter()?;
        let result = self.value_inner(expr, env);
        self.leave();
        result
    }

    fn value_inner(&mut self, expr: &'m Expr, env: &Env<'_, 'm>) -> Result<Operand, SqlError> {
        match expr {
            Expr::Literal(literal) => self.literal(literal),
            Expr::Alias(name) => {
                let definition = self.alias(name)?;
                let operand = self.value(&definition.value, env)?;
                if !operand.constant {
                    return unsupported(format!(
                        "the alias @{name} with a value that reads properties"
                    ));
                }
                Ok(operand)
            }
            Expr::Path(path) => self.path_value(path, env),
            Expr::Call { function, args } => self.call(*function, args, env),
            Expr::Case(arms) => self.case(arms, env),
            Expr::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                let inner = self.boolean_value(operand, env)?;
                Ok(Operand::new(format!("(NOT {inner})"), Kind::Boolean, true))
            }
            Expr::Unary {
                op: UnaryOp::Neg,
                operand,
            } => {
                let inner = self.value(operand, env)?;
                if !inner.kind.is_numeric() && !matches!(inner.kind, Kind::Null | Kind::Duration) {
                    return invalid(format!("- needs a number, not {}", inner.kind.describe()));
                }
                let negated = match inner.kind {
                    Kind::Integer | Kind::Duration => self.dialect.exact_integer(&inner.sql),
                    _ => inner.sql.clone(),
                };
                // The bigint form, when there is one, is negated too (never left as the
                // form of the operand).
                let fast = inner
                    .fast
                    .as_deref()
                    .and_then(FastInteger::negate)
                    .map(Box::new);
                Ok(Operand {
                    sql: format!("(- {negated})"),
                    fast,
                    ..inner
                })
            }
            Expr::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                operands,
            } => {
                let [left, right] = &**operands;
                let left = self.boolean_value(left, env)?;
                let right = self.boolean_value(right, env)?;
                let and = *op == BinaryOp::And;
                let word = if and { "AND" } else { "OR" };
                let mut sql = format!("({left} {word} {right})");
                if right.contains(MAY_FAIL) || left.contains(MAY_FAIL) {
                    // As the evaluator: the right side only when the left does not decide.
                    let decided = if and { "FALSE" } else { "TRUE" };
                    sql = format!("(CASE WHEN {left} = {decided} THEN {decided} ELSE {sql} END)");
                }
                Ok(Operand::new(sql, Kind::Boolean, true))
            }
            Expr::Binary { op, .. }
                if is_comparison(*op) || matches!(op, BinaryOp::In | BinaryOp::Has) =>
            {
                let leaf = self.leaf(expr, env)?;
                Ok(Operand::new(leaf.value(), Kind::Boolean, leaf.exact))
            }
            Expr::Binary { op, operands } => {
                let [left, right] = &**operands;
                self.arithmetic(*op, left, right, env)
            }
            Expr::Cast { expr, type_name } => self.cast(expr.as_deref(), type_name, env),
            Expr::IsOf { expr, type_name } => self.is_of(expr.as_deref(), type_name, env),
            Expr::List(_) => invalid("a parenthesised list stands only after in"),
            Expr::Array(_) | Expr::Object(_) => {
                unsupported("JSON arrays and objects in expressions")
            }
        }
    }

    /// The exact value of a Boolean operand of `and`/`or`/`not`; a non-Boolean operand is
    /// null, as in the evaluator.
    fn boolean_value(&mut self, expr: &'m Expr, env: &Env<'_, 'm>) -> Result<String, SqlError> {
        let operand = self.value(expr, env)?;
        Ok(match operand.kind {
            Kind::Boolean => operand.sql,
            _ => "NULL".into(),
        })
    }

    fn path_value(&mut self, path: &'m MemberPath, env: &Env<'_, 'm>) -> Result<Operand, SqlError> {
        match self.property_path(path, env)? {
            Resolved::Value(operand) => Ok(operand),
            Resolved::Entity => unsupported(format!("the entity {path} as a value")),
            Resolved::Navigation {
                parent,
                navigation,
                rest,
            } => self.navigation_value(&parent, navigation, rest, env, path),
        }
    }

    /// `files/any(...)`, `files/all(...)`, `files/$count`, `files/$filter(...)/...`.
    fn navigation_value(
        &mut self,
        parent: &Scope<'m>,
        navigation: &'m NavigationMapping,
        rest: &'m [Segment],
        env: &Env<'_, 'm>,
        path: &MemberPath,
    ) -> Result<Operand, SqlError> {
        let child = self.scope(&navigation.table);
        let mut conditions = vec![child.parent_join(parent)];
        let mut rest = rest;
        while let [Segment::Filter(filter), tail @ ..] = rest {
            let inner = Env {
                it: env.it,
                this: &child,
                variables: env.variables.clone(),
                computed: &[],
                rows: false,
            };
            conditions.push(self.predicate(filter, &inner, false)?);
            rest = tail;
        }
        let from = format!(
            "{} AS {}",
            super::dialect::quote_identifier(&child.table.table),
            child.alias
        );
        match rest {
            [Segment::Any(None)] => Ok(exists(&from, &conditions, false)),
            [Segment::Any(Some(lambda))] => {
                let predicate = self.lambda(lambda, &child, env, false)?;
                conditions.push(predicate);
                Ok(exists(&from, &conditions, false))
            }
            [Segment::All(lambda)] => {
                // `all` needs every member true: no member whose predicate is not true.
                let truth = self.lambda(lambda, &child, env, false)?;
                conditions.push(format!("(NOT COALESCE({truth}, FALSE))"));
                Ok(exists(&from, &conditions, true))
            }
            [Segment::Count(options)] => {
                if let Some(options) = options {
                    self.count_options(options, &child, env, &mut conditions)?;
                }
                Ok(Operand::new(
                    format!(
                        "(SELECT count(*) FROM {from} WHERE {})",
                        conditions.join(" AND ")
                    ),
                    Kind::Integer,
                    false,
                ))
            }
            [] => unsupported(format!("the collection {path} as a value")),
            _ => unsupported(format!("the path {path}")),
        }
    }

    /// `$filter` and `$search` inside `files/$count(...)`.
    fn count_options(
        &mut self,
        options: &'m Query,
        child: &Scope<'m>,
        env: &Env<'_, 'm>,
        conditions: &mut Vec<String>,
    ) -> Result<(), SqlError> {
        let pushed = self.push_aliases(options);
        let inner = Env {
            it: env.it,
            this: child,
            variables: env.variables.clone(),
            computed: &[],
            rows: false,
        };
        if let Some(filter) = &options.filter {
            let predicate = self.predicate(filter, &inner, false);
            conditions.push(predicate?);
        }
        if let Some(search) = &options.search {
            conditions.push(self.search_predicate(search, child)?);
        }
        self.pop_aliases(pushed);
        let others = Query {
            filter: None,
            search: None,
            aliases: Vec::new(),
            ..(*options).clone()
        };
        if !others.is_empty() {
            return unsupported("options other than $filter and $search in $count(...)");
        }
        Ok(())
    }

    fn lambda(
        &mut self,
        lambda: &'m Lambda,
        child: &Scope<'m>,
        env: &Env<'_, 'm>,
        negated: bool,
    ) -> Result<String, SqlError> {
        let mut variables = env.variables.clone();
        variables.push((lambda.variable.as_str(), child));
        let inner = Env {
            it: env.it,
            this: env.this,
            variables,
            computed: env.computed,
            rows: env.rows,
        };
        self.predicate(&lambda.predicate, &inner, negated)
    }

    fn case(&mut self, arms: &'m [CaseArm], env: &Env<'_, 'm>) -> Result<Operand, SqlError> {
        let mut kind = Kind::Null;
        let mut parts = Vec::with_capacity(arms.len());
        let mut values = Vec::with_capacity(arms.len());
        for arm in arms {
            // `case` picks the first arm whose condition is true: a truth form suffices.
            let condition = self.predicate(&arm.condition, env, false)?;
            let value = self.value(&arm.value, env)?;
            kind = unify(kind, value.kind)
                .ok_or_else(|| SqlError::Invalid("the arms of case have different types".into()))?;
            parts.push(condition);
            values.push(value);
        }
        let mut sql = String::from("CASE");
        let mut instant = String::from("CASE");
        for (condition, value) in parts.iter().zip(&values) {
            let value_sql = if kind == Kind::Double && value.kind == Kind::Integer {
                self.dialect.to_double(&value.sql)
            } else {
                value.sql.clone()
            };
            sql.push_str(&format!(" WHEN {condition} THEN {value_sql}"));
            instant.push_str(&format!(" WHEN {condition} THEN {}", value.comparable()));
        }
        sql.push_str(" END");
        instant.push_str(" END");
        let mut operand = Operand::new(sql, kind, true);
        if kind == Kind::DateTimeOffset {
            operand.instant = Some(instant);
        }
        Ok(operand)
    }

    fn arithmetic(
        &mut self,
        op: BinaryOp,
        left: &'m Expr,
        right: &'m Expr,
        env: &Env<'_, 'm>,
    ) -> Result<Operand, SqlError> {
        let l = self.value(left, env)?;
        let r = self.value(right, env)?;
        if let Some(result) = self.temporal_arithmetic(op, &l, &r, left, right)? {
            return Ok(result);
        }
        let numeric = |k: Kind| k.is_numeric() || k == Kind::Null;
        if !numeric(l.kind) || !numeric(r.kind) {
            if l.kind == Kind::DateTimeOffset || r.kind == Kind::DateTimeOffset {
                return unsupported(format!("{} with date and time values", op.keyword()));
            }
            if l.constant && r.constant {
                return invalid(format!(
                    "{} needs numbers, not {} and {}",
                    op.keyword(),
                    l.kind.describe(),
                    r.kind.describe()
                ));
            }
            // Data of another type: the evaluator's arithmetic gives null.
            return Ok(Operand::new("NULL", Kind::Null, true));
        }
        if l.kind == Kind::Null || r.kind == Kind::Null {
            let sql = super::dialect::keep_failures("NULL".into(), &[&l.sql, &r.sql]);
            return Ok(Operand {
                sql,
                ..Operand::null()
            });
        }
        let both_integers = l.kind == Kind::Integer && r.kind == Kind::Integer;
        let kind = if both_integers {
            Kind::Integer
        } else {
            Kind::Double
        };
        let nullable = l.nullable || r.nullable;
        let d = self.dialect;
        // Integers: exact past 64 bits on PostgreSQL (`numeric`); SQLite turns an
        // overflowing result into a REAL (a documented divergence).
        let exact_left = if both_integers {
            d.exact_integer(&l.sql)
        } else {
            l.sql.clone()
        };
        let sql = match op {
            BinaryOp::Add => format!("({exact_left} + {})", r.sql),
            BinaryOp::Sub => format!("({exact_left} - {})", r.sql),
            BinaryOp::Mul => format!("({exact_left} * {})", r.sql),
            // Integer `div` truncates and fails on a zero divisor, as in the evaluator.
            BinaryOp::Div if both_integers => d.integer_div(&exact_left, &r.sql),
            BinaryOp::Mod if both_integers => d.integer_mod(&exact_left, &r.sql),
            BinaryOp::Div | BinaryOp::DivBy => {
                // Doubles: a zero divisor gives INF, -INF or NaN.
                return Ok(Operand {
                    constant: l.constant && r.constant,
                    nan: true,
                    ..Operand::new(d.double_div(&l.sql, &r.sql), Kind::Double, true)
                });
            }
            BinaryOp::Mod => {
                return unsupported(
                    "mod of doubles (neither database has an exact remainder of them)",
                )
            }
            _ => return unsupported(format!("the operator {}", op.keyword())),
        };
        // PostgreSQL: the same value in `bigint`, for comparisons to use where it cannot
        // overflow (see `FastInteger`).
        let fast = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul
                if both_integers && d == Dialect::Postgres =>
            {
                let symbol = match op {
                    BinaryOp::Add => '+',
                    BinaryOp::Sub => '-',
                    _ => '*',
                };
                match (self.fast_integer(&l, left), self.fast_integer(&r, right)) {
                    (Some(a), Some(b)) => FastInteger::combine(symbol, &a, &b).map(Box::new),
                    _ => None,
                }
            }
            _ => None,
        };
        Ok(Operand {
            constant: l.constant && r.constant,
            // INF - INF, INF * 0: a computed double may be NaN.
            nan: kind == Kind::Double,
            fast,
            ..Operand::new(sql, kind, nullable)
        })
    }

    /// An integer operand as `bigint` arithmetic: its own fast form, a literal's value,
    /// or a guarded leaf.
    fn fast_integer(&self, operand: &Operand, expr: &Expr) -> Option<FastInteger> {
        if let Some(fast) = &operand.fast {
            return Some((**fast).clone());
        }
        if operand.kind != Kind::Integer {
            return None;
        }
        match self.integer_literal(expr) {
            Some(value) => Some(FastInteger::literal(&operand.sql, value)),
            None if operand.constant => None,
            None => Some(FastInteger::leaf(&operand.sql)),
        }
    }

    /// The value of an integer literal (through aliases and `-`).
    fn integer_literal(&self, expr: &Expr) -> Option<i64> {
        use crate::ast::{Literal, UnaryOp};
        match expr {
            Expr::Literal(Literal::Int(value)) => Some(*value),
            Expr::Alias(name) => self
                .alias(name)
                .ok()
                .and_then(|definition| self.integer_literal(&definition.value)),
            Expr::Unary {
                op: UnaryOp::Neg,
                operand,
            } => self.integer_literal(operand)?.checked_neg(),
            _ => None,
        }
    }
}

fn exists(from: &str, conditions: &[String], negate: bool) -> Operand {
    let not = if negate { "NOT " } else { "" };
    Operand::new(
        format!(
            "({not}EXISTS (SELECT 1 FROM {from} WHERE {}))",
            conditions.join(" AND ")
        ),
        Kind::Boolean,
        false,
    )
}

pub(crate) fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le
    )
}

/// The common type of `case` arms (integers widen to doubles; null fits any).
fn unify(a: Kind, b: Kind) -> Option<Kind> {
    match (a, b) {
        (Kind::Null, other) | (other, Kind::Null) => Some(other),
        (Kind::Integer, Kind::Double) | (Kind::Double, Kind::Integer) => Some(Kind::Double),
        (a, b) if a == b => Some(a),
        _ => None,
    }
}
