//! The translator's state (dialect, parameters, aliases, table aliases, depth) and the
//! leaves of expressions: literals, aliases and property paths resolved through the
//! [`Mapping`](super::Mapping).

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

use crate::ast::{AliasDefinition, Literal, MemberPath, PathRoot, Query, Segment};

use super::dialect::{quote_identifier, Dialect};
use super::error::{invalid, unsupported, SqlError};
use super::mapping::{NavigationMapping, PropertyMapping, Storage, Table};
use super::operand::{Kind, Operand};
use super::search::SqlSearch;
use super::writer::{Params, SqlValue};
use crate::model::Edm;

/// How deep translation recurses (the parser's own depth limit is lower; this bounds the
/// translator's stack whatever the AST's origin).
const MAX_TRANSLATION_DEPTH: usize = 400;

/// A table in scope: its mapping and its alias in the statement.
#[derive(Debug, Clone)]
pub(crate) struct Scope<'m> {
    pub(crate) alias: String,
    pub(crate) table: &'m Table,
}

impl Scope<'_> {
    /// `t0."column"`.
    pub(crate) fn column(&self, column: &str) -> String {
        format!("{}.{}", self.alias, quote_identifier(column))
    }

    /// The join condition of a child table scope with its parent scope.
    pub(crate) fn parent_join(&self, parent: &Scope<'_>) -> String {
        let pairs: Vec<String> = self
            .table
            .parent
            .iter()
            .zip(&parent.table.key)
            .map(|((child_column, _), key)| {
                format!("{} = {}", self.column(child_column), parent.column(key))
            })
            .collect();
        if pairs.is_empty() {
            "TRUE".into()
        } else {
            pairs.join(" AND ")
        }
    }

    /// The tie-break `ORDER BY` terms: the ordinal, or the key.
    pub(crate) fn tie_break(&self) -> Vec<String> {
        match &self.table.ordinal {
            Some(ordinal) => vec![self.column(ordinal)],
            None => self.table.key.iter().map(|k| self.column(k)).collect(),
        }
    }
}

/// Where names resolve while translating one expression.
#[derive(Debug, Clone)]
pub(crate) struct Env<'e, 'm> {
    /// `$it`: the top-level item.
    pub(crate) it: &'e Scope<'m>,
    /// `$this` and paths without a prefix.
    pub(crate) this: &'e Scope<'m>,
    /// Lambda variables in scope, innermost last.
    pub(crate) variables: Vec<(&'e str, &'e Scope<'m>)>,
    /// `$compute` values of `this`, by name; after a `groupby`/`aggregate`, every member
    /// of the row, by path (`stats/filesUploaded`).
    pub(crate) computed: &'e [(String, Operand)],
    /// True over the rows of a `groupby`/`aggregate`: `computed` holds all they have, and
    /// a path to anything else is a missing member (null).
    pub(crate) rows: bool,
}

/// Translation state for one statement.
pub(crate) struct Translator<'m> {
    pub(crate) dialect: Dialect,
    pub(crate) params: Params,
    aliases: Vec<&'m AliasDefinition>,
    next_alias: usize,
    depth: usize,
    pub(crate) now: DateTime<FixedOffset>,
    pub(crate) search: &'m dyn SqlSearch,
    /// The page of the top-level list, with server-driven paging.
    pub(crate) paging: Option<super::page::Paging>,
}

impl std::fmt::Debug for Translator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translator")
            .field("dialect", &self.dialect)
            .field("params", &self.params.values.len())
            .finish_non_exhaustive()
    }
}

impl<'m> Translator<'m> {
    pub(crate) fn new(
        dialect: Dialect,
        now: DateTime<FixedOffset>,
        search: &'m dyn SqlSearch,
    ) -> Translator<'m> {
        Translator {
            dialect,
            params: Params::default(),
            aliases: Vec::new(),
            next_alias: 0,
            depth: 0,
            now,
            search,
            paging: None,
        }
    }

    /// The top-level window with the requested page applied.
    pub(crate) fn page_cut(&self, cut: super::select::Cut) -> super::select::Cut {
        match &self.paging {
            Some(paging) => paging.cut(cut),
            None => cut,
        }
    }

    /// A fresh table alias (`t0`, `t1`, ...).
    pub(crate) fn scope(&mut self, table: &'m Table) -> Scope<'m> {
        let alias = format!("t{}", self.next_alias);
        self.next_alias += 1;
        Scope { alias, table }
    }

    /// A fresh alias for a derived table.
    pub(crate) fn fresh(&mut self, prefix: &str) -> String {
        let alias = format!("{prefix}{}", self.next_alias);
        self.next_alias += 1;
        alias
    }

    /// Makes the alias definitions of `query` visible (nested option lists add theirs);
    /// returns how many to pop.
    pub(crate) fn push_aliases(&mut self, query: &'m Query) -> usize {
        self.aliases.extend(query.aliases.iter());
        query.aliases.len()
    }

    pub(crate) fn pop_aliases(&mut self, count: usize) {
        let keep = self.aliases.len().saturating_sub(count);
        self.aliases.truncate(keep);
    }

    /// The value of alias `name`, innermost definition first.
    pub(crate) fn alias(&self, name: &str) -> Result<&'m AliasDefinition, SqlError> {
        match self.aliases.iter().rev().find(|a| a.name == name) {
            Some(definition) => Ok(definition),
            None => invalid(format!("the alias @{name} is used but not defined")),
        }
    }

    /// Counts one level of recursion; an error past the bound.
    pub(crate) fn enter(&mut self) -> Result<(), SqlError> {
        self.depth += 1;
        if self.depth > MAX_TRANSLATION_DEPTH {
            return invalid("the expression is nested too deeply to translate");
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Binds a value and returns its placeholder.
    pub(crate) fn bind(&mut self, value: SqlValue) -> String {
        self.params.push(value)
    }

    /// A literal as a bound parameter (`null` is the keyword: it carries no request data).
    pub(crate) fn literal(&mut self, literal: &Literal) -> Result<Operand, SqlError> {
        Ok(match literal {
            Literal::Null => Operand::null(),
            Literal::Boolean(b) => {
                Operand::constant(self.bind(SqlValue::Boolean(*b)), Kind::Boolean)
            }
            Literal::Int(i) => Operand::constant(self.bind(SqlValue::Integer(*i)), Kind::Integer),
            Literal::Decimal(text) | Literal::Double(text) => {
                let value = parse_double(text)?;
                Operand::constant(self.bind(SqlValue::Double(value)), Kind::Double)
            }
            Literal::String(text) => {
                Operand::constant(self.bind(SqlValue::Text(text.to_string())), Kind::String)
            }
            Literal::Guid(text) => Operand::constant(
                self.bind(SqlValue::Text(text.to_ascii_lowercase())),
                Kind::Guid,
            ),
            Literal::Date(text) => {
                if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() || text.len() != 10
                {
                    return unsupported(format!(
                        "the Date literal {text} (outside years 0000-9999)"
                    ));
                }
                Operand::constant(self.bind(SqlValue::Text(text.to_string())), Kind::Date)
            }
            Literal::DateTimeOffset(text) => {
                let parsed = super::temporal::parse_date_time(text).ok_or_else(|| {
                    SqlError::NotSupported(format!("the DateTimeOffset literal {text}"))
                })?;
                self.date_time(parsed, text)?
            }
            Literal::TimeOfDay(text) => {
                let parsed = super::temporal::parse_time_of_day(text).ok_or_else(|| {
                    SqlError::NotSupported(format!("the TimeOfDay literal {text}"))
                })?;
                let canonical = super::temporal::canonical_time(&parsed);
                Operand::constant(self.bind(SqlValue::Text(canonical)), Kind::TimeOfDay)
            }
            Literal::Duration(text) => {
                let nanos = super::temporal::parse_duration(text)
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or_else(|| {
                        SqlError::NotSupported(format!(
                            "the Duration literal {text} (beyond 292 years)"
                        ))
                    })?;
                Operand::constant(self.bind(SqlValue::Integer(nanos)), Kind::Duration)
            }
            other => {
                return unsupported(format!("the literal {other} in SQL"));
            }
        })
    }

    /// A DateTimeOffset value as two parameters: its text and its instant.
    pub(crate) fn date_time(
        &mut self,
        value: DateTime<FixedOffset>,
        text: &str,
    ) -> Result<Operand, SqlError> {
        let instant = instant_text(&value)
            .ok_or_else(|| SqlError::NotSupported(format!("the DateTimeOffset {text}")))?;
        // The canonical text: what the evaluator answers for a computed value; date parts
        // read it at the same positions as any stored text.
        let mut operand = Operand::constant(
            self.bind(SqlValue::Text(super::temporal::canonical_text(&value))),
            Kind::DateTimeOffset,
        );
        operand.instant = Some(self.bind(SqlValue::Text(instant)));
        Ok(operand)
    }

    /// Resolves a member path that ends at a value (not a lambda or count, which
    /// `path_value` and `navigation_value` handle before calling this).
    pub(crate) fn property_path(
        &mut self,
        path: &'m MemberPath,
        env: &Env<'_, 'm>,
    ) -> Result<Resolved<'m>, SqlError> {
        if env.rows {
            return row_member(path, env);
        }
        let (scope, segments) = match &path.root {
            PathRoot::Implicit => {
                if let [Segment::Property(name)] = path.segments.as_slice() {
                    if let Some((_, operand)) = env.computed.iter().find(|(n, _)| n == name) {
                        return Ok(Resolved::Value(operand.clone()));
                    }
                }
                (env.this.clone(), &path.segments[..])
            }
            PathRoot::It => (env.it.clone(), &path.segments[..]),
            PathRoot::This => (env.this.clone(), &path.segments[..]),
            PathRoot::Variable(name) => match env.variables.iter().rev().find(|(v, _)| v == name) {
                Some((_, scope)) => ((*scope).clone(), &path.segments[..]),
                None => return invalid(format!("the lambda variable {name} is not in scope")),
            },
            PathRoot::Alias(name) => {
                return unsupported(format!("the path @{name}/... over an alias value"))
            }
            PathRoot::Root => return unsupported("$root"),
            PathRoot::These => return unsupported("$these"),
        };
        if segments.is_empty() {
            return Ok(Resolved::Entity);
        }
        let Segment::Property(first) = &segments[0] else {
            return unsupported(format!("the path {path}"));
        };
        if let Some(navigation) = scope.table.navigation(first) {
            return Ok(Resolved::Navigation {
                parent: scope,
                navigation,
                rest: &segments[1..],
            });
        }
        let Some(property) = scope.table.property(first) else {
            return invalid(format!(
                "{} has no property {first}",
                scope.table.entity_type
            ));
        };
        let operand = self.storage_operand(&scope, property, &segments[1..], false, path)?;
        Ok(Resolved::Value(operand))
    }

    /// The value at `segments` (properties, through flattened complex values) of the
    /// entity in `scope`.
    pub(crate) fn member_operand(
        &mut self,
        scope: &Scope<'m>,
        segments: &[Segment],
        path: &MemberPath,
    ) -> Result<Operand, SqlError> {
        let Some(Segment::Property(first)) = segments.first() else {
            return unsupported(format!("the path {path}"));
        };
        if scope.table.navigation(first).is_some() {
            return unsupported(format!("the path {path} through two collections"));
        }
        let Some(property) = scope.table.property(first) else {
            return invalid(format!(
                "{} has no property {first}",
                scope.table.entity_type
            ));
        };
        self.storage_operand(scope, property, &segments[1..], false, path)
    }

    fn storage_operand(
        &mut self,
        scope: &Scope<'m>,
        property: &'m PropertyMapping,
        rest: &[Segment],
        through_nullable: bool,
        path: &MemberPath,
    ) -> Result<Operand, SqlError> {
        match (&property.storage, rest) {
            (
                Storage::Column {
                    column,
                    edm,
                    nullable,
                },
                [],
            ) => Ok(Operand::new(
                scope.column(column),
                kind_of(*edm),
                *nullable || through_nullable,
            )),
            (
                Storage::DateTimeOffset {
                    text,
                    instant,
                    nullable,
                },
                [],
            ) => {
                let mut operand = Operand::new(
                    scope.column(text),
                    Kind::DateTimeOffset,
                    *nullable || through_nullable,
                );
                operand.instant = Some(scope.column(instant));
                Ok(operand)
            }
            (Storage::Complex { presence, .. }, []) => Ok(match presence {
                Some(presence) => Operand::new(scope.column(presence), Kind::Complex, true),
                None => Operand::new("TRUE", Kind::Complex, through_nullable),
            }),
            (
                Storage::Complex {
                    presence,
                    properties,
                },
                [Segment::Property(name), rest @ ..],
            ) => {
                let Some(inner) = properties.iter().find(|p| &p.name == name) else {
                    return invalid(format!("{} has no property {name}", property.name));
                };
                self.storage_operand(
                    scope,
                    inner,
                    rest,
                    through_nullable || presence.is_some(),
                    path,
                )
            }
            (Storage::Json { column }, []) => {
                Ok(Operand::new(scope.column(column), Kind::Json, true))
            }
            (Storage::Json { .. }, _) => unsupported(format!(
                "the path {path} into {}, which is stored as one JSON column",
                property.name
            )),
            _ => unsupported(format!("the path {path}")),
        }
    }
}

/// A member of a `groupby`/`aggregate` row: a value it has, or null.
fn row_member<'m>(path: &MemberPath, env: &Env<'_, 'm>) -> Result<Resolved<'m>, SqlError> {
    match &path.root {
        PathRoot::Implicit | PathRoot::It | PathRoot::This => {}
        _ => return unsupported(format!("the path {path} over aggregated rows")),
    }
    let mut names = Vec::with_capacity(path.segments.len());
    for segment in &path.segments {
        match segment {
            Segment::Property(name) => names.push(name.as_str()),
            _ => return unsupported(format!("the path {path} over aggregated rows")),
        }
    }
    if names.is_empty() {
        return Ok(Resolved::Entity);
    }
    let joined = names.join("/");
    if let Some((_, operand)) = env.computed.iter().find(|(n, _)| *n == joined) {
        return Ok(Resolved::Value(operand.clone()));
    }
    let prefix = format!("{joined}/");
    if env.computed.iter().any(|(n, _)| n.starts_with(&prefix)) {
        return unsupported(format!("the object {path} of aggregated rows as a value"));
    }
    // A member the rows do not have is null, as in the evaluator.
    Ok(Resolved::Value(Operand::null()))
}

/// What a member path resolves to.
#[derive(Debug)]
pub(crate) enum Resolved<'m> {
    /// A value.
    Value(Operand),
    /// A whole entity (`$it`, `$this`, a lambda variable).
    Entity,
    /// A navigation from `parent`, with the segments after it (`any`, `all`, `$count`).
    Navigation {
        parent: Scope<'m>,
        navigation: &'m NavigationMapping,
        rest: &'m [Segment],
    },
}

/// The type class of a stored primitive.
pub(crate) fn kind_of(edm: Edm) -> Kind {
    match edm {
        Edm::Boolean => Kind::Boolean,
        Edm::Byte | Edm::SByte | Edm::Int16 | Edm::Int32 | Edm::Int64 => Kind::Integer,
        Edm::Single | Edm::Double | Edm::Decimal => Kind::Double,
        Edm::String => Kind::String,
        Edm::Guid => Kind::Guid,
        Edm::Date => Kind::Date,
        Edm::DateTimeOffset => Kind::DateTimeOffset,
        _ => Kind::OtherText,
    }
}

/// A numeric literal's text as a double (`INF`, `-INF`, `NaN` included).
fn parse_double(text: &str) -> Result<f64, SqlError> {
    match text {
        "INF" => Ok(f64::INFINITY),
        "-INF" => Ok(f64::NEG_INFINITY),
        "NaN" => unsupported("NaN (SQLite stores it as NULL; PostgreSQL orders it above INF)"),
        _ => text
            .parse::<f64>()
            .map_err(|_| SqlError::Invalid(format!("the number {text} is not valid"))),
    }
}

/// The stored instant of a DateTimeOffset: UTC, nine fractional digits, `Z`; `None`
/// outside years 0000-9999, where the text would no longer sort as the instant does.
pub fn instant_text(value: &DateTime<FixedOffset>) -> Option<String> {
    let utc = value.with_timezone(&Utc);
    let year = chrono::Datelike::year(&utc);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(utc.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_sort_as_text() {
        let a = DateTime::parse_from_rfc3339("2026-01-01T01:00:00+02:00").unwrap();
        let b = DateTime::parse_from_rfc3339("2025-12-31T23:30:00.5Z").unwrap();
        let (a, b) = (instant_text(&a).unwrap(), instant_text(&b).unwrap());
        assert_eq!(a, "2025-12-31T23:00:00.000000000Z");
        assert_eq!(b, "2025-12-31T23:30:00.500000000Z");
        assert!(a < b);
    }
}
