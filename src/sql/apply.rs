//! `$apply` (OData Data Aggregation) in SQL: `filter`, `search`, `compute`, `orderby`,
//! `top`, `skip`, `identity`, `groupby` with one `aggregate`, and `aggregate`, in any
//! chain; the query's own options then apply to what the chain leaves (the evaluator's
//! order, `src/eval/apply.rs`).
//!
//! Each step works on a [`Relation`]: the rows of a table or derived table, with the
//! conditions, order and window applied so far. Steps that keep the entities add
//! conditions or change the order; a step after a window (`top(2)/filter(...)`) first
//! turns the relation into a derived table. `groupby` and `aggregate` build rows of their
//! own in a derived table: the grouping values, the aggregates and, as the order, each
//! group's first position in its input (the evaluator keeps groups in order of first
//! appearance). Aggregates follow the evaluator: nulls are skipped; `sum`, `min`, `max`
//! and `average` of no values are null; a path through a contained collection
//! (`files/size with sum`) aggregates every related item, per parent first.
//!
//! What the chain cannot express exactly (`concat`, `rollup`, custom aggregates,
//! `countdistinct` through a collection, nested transformations other than one
//! `aggregate`, `$expand` or `$search` after a `groupby`) is a 501 naming it.

use crate::ast::{
    AggregateExpr, AggregateItem, AggregateMethod, Expr, GroupByElement, MemberPath, PathRoot,
    PathSegment, Query, Segment, Transformation,
};

use super::aggregate::{aggregate_through, aggregate_values, Aggregated};
use super::dialect::quote_identifier;
use super::error::{invalid, unsupported, SqlError};
use super::mapping::Table;
use super::operand::{Kind, Operand};
use super::select::{Cut, ListSql, Source};
use super::translate::{Env, Resolved, Scope, Translator};

/// The table behind the scope of aggregated rows: they have no stored properties (their
/// members are [`Env::computed`]).
pub(crate) static ROWS: Table = Table {
    name: String::new(),
    table: String::new(),
    entity_type: String::new(),
    key: Vec::new(),
    ordinal: None,
    parent: Vec::new(),
    absent: None,
    properties: Vec::new(),
    navigations: Vec::new(),
};

/// What the rows of a relation are.
#[derive(Debug)]
pub(crate) enum Shape<'m> {
    /// The entities of a table (the steps so far kept them).
    Entities {
        /// Their scope.
        scope: Scope<'m>,
        /// `compute(...)` values defined so far.
        computed: Vec<(String, Operand)>,
    },
    /// Rows built by `groupby`/`aggregate`: their members, by path.
    Rows {
        /// `(path, value)`: `stats/filesUploaded`, `total`.
        columns: Vec<(String, Operand)>,
    },
}

/// The rows a step of `$apply` reads and writes.
#[derive(Debug)]
pub(crate) struct Relation<'m> {
    /// `"table" AS t0` or `(SELECT ...) AS d3`.
    pub(crate) from: String,
    /// Conditions on `from`, all to hold.
    pub(crate) conditions: Vec<String>,
    /// The current order, ending in a unique tie-break.
    pub(crate) order: Vec<String>,
    /// A column holding each row's position in `order`, when there is one.
    position: Option<String>,
    /// The window applied after `order`.
    pub(crate) cut: Cut,
    /// The rows.
    pub(crate) shape: Shape<'m>,
}

impl<'m> Relation<'m> {
    fn table(scope: Scope<'m>) -> Relation<'m> {
        let position = scope
            .table
            .ordinal
            .as_ref()
            .map(|ordinal| scope.column(ordinal));
        let source = Source::table(scope);
        Relation {
            from: source.from,
            conditions: source.conditions,
            order: source.order,
            position,
            cut: Cut::default(),
            shape: Shape::Entities {
                scope: source.scope,
                computed: Vec::new(),
            },
        }
    }

    fn where_clause(&self) -> String {
        super::select::where_clause(&self.conditions)
    }
}

impl<'m> Translator<'m> {
    /// A top-level list whose `$apply` runs first.
    pub(crate) fn applied_list(
        &mut self,
        query: &'m Query,
        scope: &Scope<'m>,
    ) -> Result<ListSql, SqlError> {
        let mut relation = Relation::table(scope.clone());
        for step in &query.apply {
            self.enter()?;
            let result = self.transform(relation, step);
            self.leave();
            relation = result?;
        }
        let window_matters = query.filter.is_some()
            || query.search.is_some()
            || !query.orderby.is_empty()
            || query.count == Some(true);
        if !relation.cut.is_none() && window_matters {
            relation = self.materialize(relation)?;
        }
        match relation.shape {
            Shape::Entities { scope, computed } => {
                let source = Source {
                    scope,
                    from: relation.from,
                    conditions: relation.conditions,
                    order: relation.order,
                    computed,
                    cut: relation.cut,
                };
                self.list_inner(query, source, None, None)
            }
            Shape::Rows { columns } => self.rows_list(
                query,
                relation.from,
                relation.conditions,
                relation.order,
                relation.cut,
                columns,
            ),
        }
    }

    fn transform(
        &mut self,
        mut relation: Relation<'m>,
        step: &'m Transformation,
    ) -> Result<Relation<'m>, SqlError> {
        match step {
            Transformation::Identity => {}
            Transformation::Top(n) => relation.cut = relation.cut.then_top(*n),
            Transformation::Skip(n) => relation.cut = relation.cut.then_skip(*n),
            Transformation::Filter(expr) => {
                relation = self.fresh_if_cut(relation)?;
                let condition = with_env(&relation, |env| self.predicate(expr, env, false))?;
                relation.conditions.push(condition);
            }
            Transformation::Search(search) => {
                relation = self.fresh_if_cut(relation)?;
                let Shape::Entities { scope, .. } = &relation.shape else {
                    return unsupported("search(...) after groupby or aggregate");
                };
                let scope = scope.clone();
                let condition = self.search_predicate(search, &scope)?;
                relation.conditions.push(condition);
            }
            Transformation::OrderBy(items) => {
                relation = self.fresh_if_cut(relation)?;
                let mut terms = with_env(&relation, |env| self.order_terms(items, env))?;
                terms.append(&mut relation.order);
                relation.order = terms;
                relation.position = None;
            }
            Transformation::Compute(items) => {
                for item in items {
                    let mut operand = with_env(&relation, |env| self.value(&item.expr, env))?;
                    if operand.sql.contains(super::dialect::MAY_FAIL) {
                        // The evaluator computes it for every item (of the window).
                        if !relation.cut.is_none() {
                            relation = self.materialize(relation)?;
                            operand = with_env(&relation, |env| self.value(&item.expr, env))?;
                        }
                        relation
                            .conditions
                            .push(super::select::evaluated(&operand.sql));
                    }
                    if matches!(operand.kind, Kind::Complex | Kind::Json | Kind::Duration) {
                        return unsupported(format!(
                            "compute(...) of {} (not written as the evaluator writes it)",
                            operand.kind.describe()
                        ));
                    }
                    match &mut relation.shape {
                        Shape::Entities { scope, computed } => {
                            if scope.table.property(&item.alias).is_some()
                                || scope.table.navigation(&item.alias).is_some()
                            {
                                return unsupported(format!(
                                    "compute(... as {}), which replaces a property",
                                    item.alias
                                ));
                            }
                            computed.retain(|(name, _)| *name != item.alias);
                            computed.push((item.alias.clone(), operand));
                        }
                        Shape::Rows { columns } => {
                            let prefix = format!("{}/", item.alias);
                            if columns.iter().any(|(name, _)| name.starts_with(&prefix)) {
                                return unsupported(format!(
                                    "compute(... as {}), which replaces an object",
                                    item.alias
                                ));
                            }
                            columns.retain(|(name, _)| *name != item.alias);
                            columns.push((item.alias.clone(), operand));
                        }
                    }
                }
            }
            Transformation::GroupBy { groups, apply } => {
                let items: &'m [AggregateItem] = match apply.as_slice() {
                    [] => &[],
                    [Transformation::Aggregate(items)] => items,
                    _ => {
                        return unsupported(
                            "groupby with transformations other than one aggregate(...)",
                        )
                    }
                };
                relation = self.group(relation, Some(groups), items)?;
            }
            Transformation::Aggregate(items) => relation = self.group(relation, None, items)?,
            Transformation::Concat(_) => return unsupported("the $apply transformation concat"),
            other => {
                let text = other.to_string();
                let name = text.split('(').next().unwrap_or(&text);
                return unsupported(format!("the $apply transformation {name}"));
            }
        }
        Ok(relation)
    }

    fn fresh_if_cut(&mut self, relation: Relation<'m>) -> Result<Relation<'m>, SqlError> {
        if relation.cut.is_none() {
            Ok(relation)
        } else {
            self.materialize(relation)
        }
    }

    /// The relation as a derived table: its rows after its conditions, order and window,
    /// with their positions, and its computed values as columns.
    pub(crate) fn materialize(&mut self, relation: Relation<'m>) -> Result<Relation<'m>, SqlError> {
        let alias = self.fresh("t");
        let position = quote_identifier(&format!("_odq_{alias}_pos"));
        let order = relation.order.join(", ");
        let limit = if relation.cut.is_none() {
            String::new()
        } else {
            format!(" ORDER BY {order}{}", self.limit_clause(relation.cut))
        };
        let where_clause = relation.where_clause();
        let mut select = Vec::new();
        let rebase = |operands: &[(String, Operand)], select: &mut Vec<String>| {
            let mut out = Vec::with_capacity(operands.len());
            for (i, (name, operand)) in operands.iter().enumerate() {
                let column = quote_identifier(&format!("_odq_{alias}_{i}"));
                select.push(format!("{} AS {column}", operand.sql));
                let mut moved =
                    Operand::new(format!("{alias}.{column}"), operand.kind, operand.nullable);
                moved.nan = operand.nan;
                if let Some(instant) = &operand.instant {
                    let column = quote_identifier(&format!("_odq_{alias}_{i}_instant"));
                    select.push(format!("{instant} AS {column}"));
                    moved.instant = Some(format!("{alias}.{column}"));
                }
                out.push((name.clone(), moved));
            }
            out
        };
        let shape = match relation.shape {
            Shape::Entities { scope, computed } => {
                select.push(format!("{}.*", scope.alias));
                let computed = rebase(&computed, &mut select);
                Shape::Entities {
                    scope: Scope {
                        alias: alias.clone(),
                        table: scope.table,
                    },
                    computed,
                }
            }
            Shape::Rows { columns } => Shape::Rows {
                columns: rebase(&columns, &mut select),
            },
        };
        select.push(format!(
            "row_number() OVER (ORDER BY {order}) AS {position}"
        ));
        let from = format!(
            "(SELECT {} FROM {}{where_clause}{limit}) AS {alias}",
            select.join(", "),
            relation.from
        );
        let position = format!("{alias}.{position}");
        Ok(Relation {
            from,
            conditions: Vec::new(),
            order: vec![format!("{position} ASC")],
            position: Some(position),
            cut: Cut::default(),
            shape,
        })
    }

    /// `groupby((paths),aggregate(items))`, or `aggregate(items)` when `groups` is `None`.
    fn group(
        &mut self,
        relation: Relation<'m>,
        groups: Option<&'m [GroupByElement]>,
        items: &'m [AggregateItem],
    ) -> Result<Relation<'m>, SqlError> {
        let inner_alias = self.fresh("s");
        let mut inner: Vec<String> = Vec::new();
        let mut keys: Vec<(String, Kind)> = Vec::new();
        for group in groups.unwrap_or(&[]) {
            let GroupByElement::Property(segments) = group else {
                return unsupported("rollup in groupby");
            };
            let (path, operand) = self.group_key(&relation, segments)?;
            let kind = match operand.kind {
                Kind::Complex | Kind::Json => {
                    return unsupported(format!("groupby over the complex value {path}"))
                }
                // After a groupby, values are plain JSON: a DateTimeOffset is its text.
                Kind::DateTimeOffset => Kind::String,
                other => other,
            };
            inner.push(format!(
                "{} AS {}",
                operand.sql,
                quote_identifier(&format!("k{}", keys.len()))
            ));
            keys.push((path, kind));
        }
        let mut aggregates = Vec::with_capacity(items.len());
        for item in items {
            aggregates.push(self.aggregated(&relation, item)?);
        }
        let mut value_count = 0;
        let mut outer: Vec<String> = Vec::new();
        for (i, _) in keys.iter().enumerate() {
            outer.push(format!(
                "{inner_alias}.{} AS {}",
                quote_identifier(&format!("k{i}")),
                quote_identifier(&format!("g{i}"))
            ));
        }
        for (j, aggregate) in aggregates.iter().enumerate() {
            let mut text = aggregate.aggregate.clone();
            for (n, input) in aggregate.inputs.iter().enumerate() {
                let column = format!("v{value_count}");
                value_count += 1;
                inner.push(format!("{input} AS {}", quote_identifier(&column)));
                text = text.replace(
                    &format!("{{{n}}}"),
                    &format!("{inner_alias}.{}", quote_identifier(&column)),
                );
            }
            outer.push(format!("{text} AS {}", quote_identifier(&format!("a{j}"))));
        }
        let position = match &relation.position {
            Some(position) if relation.cut.is_none() => position.clone(),
            _ => format!("row_number() OVER (ORDER BY {})", relation.order.join(", ")),
        };
        inner.push(format!("{position} AS \"p\""));
        let limit = if relation.cut.is_none() {
            String::new()
        } else {
            format!(
                " ORDER BY {}{}",
                relation.order.join(", "),
                self.limit_clause(relation.cut)
            )
        };
        let grouped = groups.is_some();
        outer.push(if grouped {
            format!("min({inner_alias}.\"p\") AS \"_odq_pos\"")
        } else {
            "0 AS \"_odq_pos\"".into()
        });
        let group_by = if grouped && !keys.is_empty() {
            let terms: Vec<String> = (0..keys.len())
                .map(|i| format!("{inner_alias}.{}", quote_identifier(&format!("k{i}"))))
                .collect();
            format!(" GROUP BY {}", terms.join(", "))
        } else {
            String::new()
        };
        let alias = self.fresh("d");
        let from = format!(
            "(SELECT {} FROM (SELECT {} FROM {}{}{limit}) AS {inner_alias}{group_by}) AS {alias}",
            outer.join(", "),
            inner.join(", "),
            relation.from,
            relation.where_clause()
        );
        let mut columns: Vec<(String, Operand)> = Vec::new();
        for (i, (path, kind)) in keys.into_iter().enumerate() {
            let operand = Operand::new(
                format!("{alias}.{}", quote_identifier(&format!("g{i}"))),
                kind,
                true,
            );
            columns.push((path, operand));
        }
        for (j, aggregate) in aggregates.into_iter().enumerate() {
            let operand = Operand::new(
                format!("{alias}.{}", quote_identifier(&format!("a{j}"))),
                aggregate.kind,
                true,
            );
            // An aggregate replaces a grouping value of the same name, as in the evaluator.
            columns.retain(|(name, _)| *name != aggregate.alias);
            columns.push((aggregate.alias, operand));
        }
        let position = format!("{alias}.\"_odq_pos\"");
        Ok(Relation {
            from,
            conditions: Vec::new(),
            order: vec![format!("{position} ASC")],
            position: Some(position),
            cut: Cut::default(),
            shape: Shape::Rows { columns },
        })
    }

    /// A grouping path and its value per row (a path through a collection is an error).
    fn group_key(
        &mut self,
        relation: &Relation<'m>,
        segments: &'m [PathSegment],
    ) -> Result<(String, Operand), SqlError> {
        let mut names = Vec::with_capacity(segments.len());
        for segment in segments {
            match segment {
                PathSegment::Property(name) => names.push(name.clone()),
                other => return unsupported(format!("the groupby path segment {other}")),
            }
        }
        let path = names.join("/");
        let member = MemberPath {
            root: PathRoot::Implicit,
            segments: names.iter().cloned().map(Segment::Property).collect(),
        };
        let resolved = match &relation.shape {
            Shape::Entities { scope, computed } => {
                if let [name] = names.as_slice() {
                    if let Some((_, operand)) = computed.iter().find(|(n, _)| n == name) {
                        return Ok((path, operand.clone()));
                    }
                }
                match scope.table.navigation(&names[0]) {
                    Some(_) if names.len() > 1 => {
                        // Grouping properties are single-valued paths (Data Aggregation
                        // §3.10.1), as the evaluator and the model check say.
                        return Err(SqlError::Invalid(format!(
                            "groupby: '{}' is a collection; grouping properties are \
                             single-valued paths",
                            names[0]
                        )));
                    }
                    Some(_) => return unsupported(format!("groupby over the collection {path}")),
                    None => self.member_operand(scope, &member.segments, &member)?,
                }
            }
            Shape::Rows { columns } => match columns.iter().find(|(n, _)| *n == path) {
                Some((_, operand)) => operand.clone(),
                None if columns
                    .iter()
                    .any(|(n, _)| n.starts_with(&format!("{path}/"))) =>
                {
                    return unsupported(format!("groupby over the object {path}"))
                }
                None => Operand::null(),
            },
        };
        Ok((path, resolved))
    }

    /// One `aggregate(...)` item.
    fn aggregated(
        &mut self,
        relation: &Relation<'m>,
        item: &'m AggregateItem,
    ) -> Result<Aggregated, SqlError> {
        if !item.from.is_empty() {
            return unsupported("aggregate(... from ...)");
        }
        let Some(alias) = item.alias.clone() else {
            return invalid(format!("the aggregate {} needs an alias", item.expr));
        };
        let dialect = self.dialect;
        match &item.expr {
            AggregateExpr::Count => Ok(Aggregated {
                alias,
                inputs: Vec::new(),
                aggregate: "count(*)".into(),
                kind: Kind::Integer,
            }),
            AggregateExpr::Custom { name, .. } => {
                unsupported(format!("the custom aggregate {name}"))
            }
            AggregateExpr::Path { .. } => {
                unsupported("aggregates along a navigation path (path(... as alias))")
            }
            AggregateExpr::PathCount(segments) => {
                let count = self.collection_count(relation, segments)?;
                Ok(Aggregated {
                    alias,
                    inputs: vec![count],
                    aggregate: "COALESCE(sum({0}), 0)".into(),
                    kind: Kind::Integer,
                })
            }
            AggregateExpr::With { expr, method } => {
                if let AggregateMethod::Custom(name) = method {
                    return unsupported(format!("the aggregation method {name}"));
                }
                if let Some(through) = self.through_collection(relation, expr)? {
                    let (child_from, operand) = through;
                    return aggregate_through(dialect, alias, method, &child_from, &operand);
                }
                let operand = with_env(relation, |env| self.value(expr, env))?;
                aggregate_values(dialect, alias, method, &operand)
            }
        }
    }

    /// `files/$count` per row: the number of members of a contained collection.
    fn collection_count(
        &mut self,
        relation: &Relation<'m>,
        segments: &'m [PathSegment],
    ) -> Result<String, SqlError> {
        let Shape::Entities { scope, .. } = &relation.shape else {
            return unsupported("path/$count over aggregated rows");
        };
        let names: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                PathSegment::Property(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let navigation = match names.as_slice() {
            [name] if names.len() == segments.len() => scope.table.navigation(name),
            _ => None,
        };
        let Some(navigation) = navigation else {
            return unsupported("path/$count of anything but a contained collection");
        };
        let child = self.scope(&navigation.table);
        Ok(format!(
            "(SELECT count(*) FROM {} AS {} WHERE {})",
            quote_identifier(&navigation.table.table),
            child.alias,
            child.parent_join(scope)
        ))
    }

    /// For `files/size`: the child rows of each entity (`FROM ... WHERE <join>`) and the
    /// value read in them; `None` for a path that does not pass through a collection.
    fn through_collection(
        &mut self,
        relation: &Relation<'m>,
        expr: &'m Expr,
    ) -> Result<Option<(String, Operand)>, SqlError> {
        let Expr::Path(path) = expr else {
            return Ok(None);
        };
        let Shape::Entities { scope, computed } = &relation.shape else {
            return Ok(None);
        };
        let env = Env {
            it: scope,
            this: scope,
            variables: Vec::new(),
            computed,
            rows: false,
        };
        let Resolved::Navigation {
            parent,
            navigation,
            rest,
        } = self.property_path(path, &env)?
        else {
            return Ok(None);
        };
        if rest.is_empty() {
            return unsupported(format!("aggregating the entities of {path}"));
        }
        let child = self.scope(&navigation.table);
        let operand = self.member_operand(&child, rest, path)?;
        let from = format!(
            "{} AS {} WHERE {}",
            quote_identifier(&navigation.table.table),
            child.alias,
            child.parent_join(&parent)
        );
        Ok(Some((from, operand)))
    }
}

/// Runs `f` with the environment of the relation's rows.
fn with_env<'m, T>(
    relation: &Relation<'m>,
    f: impl FnOnce(&Env<'_, 'm>) -> Result<T, SqlError>,
) -> Result<T, SqlError> {
    let rows_scope;
    let env = match &relation.shape {
        Shape::Entities { scope, computed } => Env {
            it: scope,
            this: scope,
            variables: Vec::new(),
            computed,
            rows: false,
        },
        Shape::Rows { columns } => {
            rows_scope = Scope {
                alias: String::new(),
                table: &ROWS,
            };
            Env {
                it: &rows_scope,
                this: &rows_scope,
                variables: Vec::new(),
                computed: columns,
                rows: true,
            }
        }
    };
    f(&env)
}
