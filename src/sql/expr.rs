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

use super::error::{invalid, unsupported, SqlError};
use super::mapping::NavigationMapping;
use super::operand::{Kind, Leaf, Operand};
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
                left,
                right,
            } => {
                let left = self.predicate(left, env, negated)?;
                let right = self.predicate(right, env, negated)?;
                // De Morgan: under `not`, `and` becomes `or` (Kleene logic keeps it exact).
                let conjunction = (*op == BinaryOp::And) != negated;
                let word = if conjunction { "AND" } else { "OR" };
                Ok(format!("({left} {word} {right})"))
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
            Expr::Binary { op, left, right } if is_comparison(*op) => {
                self.comparison(*op, left, right, env)
            }
            Expr::Binary {
                op: BinaryOp::In,
                left,
                right,
            } => self.membership(left, right, env),
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
                if !inner.kind.is_numeric() && inner.kind != Kind::Null {
                    return invalid(format!("- needs a number, not {}", inner.kind.describe()));
                }
                Ok(Operand {
                    sql: format!("(- {})", inner.sql),
                    ..inner
                })
            }
            Expr::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                left,
                right,
            } => {
                let left = self.boolean_value(left, env)?;
                let right = self.boolean_value(right, env)?;
                let word = if *op == BinaryOp::And { "AND" } else { "OR" };
                Ok(Operand::new(
                    format!("({left} {word} {right})"),
                    Kind::Boolean,
                    true,
                ))
            }
            Expr::Binary { op, .. }
                if is_comparison(*op) || matches!(op, BinaryOp::In | BinaryOp::Has) =>
            {
                let leaf = self.leaf(expr, env)?;
                Ok(Operand::new(leaf.value(), Kind::Boolean, leaf.exact))
            }
            Expr::Binary { op, left, right } => self.arithmetic(*op, left, right, env),
            Expr::Cast { .. } => unsupported("cast"),
            Expr::IsOf { .. } => unsupported("isof"),
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
            return Ok(Operand::null());
        }
        let both_integers = l.kind == Kind::Integer && r.kind == Kind::Integer;
        let kind = if both_integers {
            Kind::Integer
        } else {
            Kind::Double
        };
        let nullable = l.nullable || r.nullable;
        let sql = match op {
            BinaryOp::Add => format!("({} + {})", l.sql, r.sql),
            BinaryOp::Sub => format!("({} - {})", l.sql, r.sql),
            BinaryOp::Mul => format!("({} * {})", l.sql, r.sql),
            BinaryOp::Div => {
                if !both_integers {
                    return unsupported(
                        "div of doubles (the evaluator gives INF for a zero divisor; PostgreSQL fails)",
                    );
                }
                format!("({} / {})", l.sql, r.sql)
            }
            BinaryOp::DivBy => {
                // The evaluator gives INF/NaN for a zero divisor; SQL has neither, so a
                // zero divisor gives null (a documented divergence).
                return Ok(Operand {
                    constant: l.constant && r.constant,
                    ..Operand::new(
                        format!(
                            "({} / NULLIF({}, 0))",
                            self.dialect.to_double(&l.sql),
                            r.sql
                        ),
                        Kind::Double,
                        true,
                    )
                });
            }
            BinaryOp::Mod => {
                if !both_integers {
                    return unsupported("mod of doubles");
                }
                format!("({} % {})", l.sql, r.sql)
            }
            _ => return unsupported(format!("the operator {}", op.keyword())),
        };
        Ok(Operand {
            constant: l.constant && r.constant,
            ..Operand::new(sql, kind, nullable)
        })
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
