//! One list level of a query in SQL: `$compute`, `$search`, `$filter`, `$orderby`, `$skip`,
//! `$top`, and the JSON of each item (`$select`, `$expand` with its options applied per
//! parent in correlated subqueries).
//!
//! Every item is built as JSON by the database (`json_object` / `json_build_object`),
//! expanded collections as aggregated arrays (`json_group_array` / `json_agg`) of a
//! subquery that filters, orders and cuts the parent's own children. Order is the
//! `$orderby` keys, nulls first ascending and last descending, then the input order (the
//! ordinal column, else the key), so answers equal the evaluator's stable sort and pages
//! never overlap.

use crate::ast::{OrderByItem, PathSegment, Query, SelectItem, SortDirection};

use super::dialect::{quote_identifier, MAY_FAIL};
use super::error::{invalid, unsupported, SqlError};
use super::expand::expanded;
use super::mapping::{PropertyMapping, Storage};
use super::operand::{Kind, Operand};
use super::translate::{kind_of, Env, Scope, Translator};
use super::writer::SqlValue;

/// The member that lists the members a record lacked; the executors remove them (and
/// this member) from the answer.
pub const ABSENT_MEMBER: &str = "@odq.absent";
/// With `$select`, the expanded members an [`ABSENT_MEMBER`] list may remove (the
/// evaluator answers a selected but missing property as null, an expanded missing one
/// by leaving it out).
pub const ONLY_MEMBER: &str = "@odq.only";
/// The member paths an [`ABSENT_MEMBER`] list never removes: those `$select` names
/// explicitly (and their prefixes), which the evaluator answers as null when missing,
/// even beside `*` or a whole complex value.
pub const KEEP_MEMBER: &str = "@odq.keep";
/// The members to remove from an answer whatever the record had (null entries ignored):
/// what the evaluator leaves out for reasons the row decides, such as `$expand=*`
/// skipping an empty collection.
pub const DROP_MEMBER: &str = "@odq.drop";

/// The parts of one list level's statement.
#[derive(Debug, Default)]
pub(crate) struct ListSql {
    /// `FROM "table" AS t0`.
    pub(crate) from: String,
    /// The conditions (`$search`, `$filter`, and for a child the join), all to hold.
    pub(crate) conditions: Vec<String>,
    /// `ORDER BY` terms, tie-break included.
    pub(crate) order: Vec<String>,
    /// The `LIMIT`/`OFFSET` clause.
    pub(crate) limit: String,
    /// The item's JSON.
    pub(crate) object: String,
}

impl ListSql {
    pub(crate) fn where_clause(&self) -> String {
        where_clause(&self.conditions)
    }
}

/// ` WHERE c1 AND c2 ...`; a condition that may fail the statement is evaluated only for
/// rows the conditions before it keep (as the evaluator applies `$search` before
/// `$filter`), and the conditions after one only once it has been evaluated (a `$compute`
/// value fails for every item, whatever `$filter` keeps), which a plain `AND` does not
/// promise: PostgreSQL orders the terms by their cost.
pub(crate) fn where_clause(conditions: &[String]) -> String {
    let mut terms: Vec<String> = Vec::with_capacity(conditions.len());
    let mut failing = false;
    for condition in conditions {
        let may_fail = condition.contains(MAY_FAIL);
        let ordered = may_fail || failing;
        failing |= may_fail;
        if ordered && !terms.is_empty() {
            let before = terms.join(" AND ");
            terms = vec![format!(
                "(CASE WHEN {before} THEN {condition} ELSE FALSE END)"
            )];
        } else {
            terms.push(condition.clone());
        }
    }
    if terms.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", terms.join(" AND "))
    }
}

/// A condition that holds for every row but evaluates `value` (a `$compute` value that may
/// fail the statement: the evaluator computes it for every item).
pub(crate) fn evaluated(value: &str) -> String {
    format!("(CASE WHEN ({value}) IS NULL THEN TRUE ELSE TRUE END)")
}

/// What a list level reads: a table, or (after `$apply`) a derived table of the same
/// entities, with the conditions, order and window the transformations left pending.
#[derive(Debug)]
pub(crate) struct Source<'m> {
    /// The entities' scope (the table's alias, or the derived table's).
    pub(crate) scope: Scope<'m>,
    /// `"table" AS t0` or `(SELECT ...) AS t3`.
    pub(crate) from: String,
    /// Conditions already applied.
    pub(crate) conditions: Vec<String>,
    /// The `ORDER BY` terms after `$orderby`'s: the current order, ending in a unique
    /// tie-break.
    pub(crate) order: Vec<String>,
    /// Computed values already defined (`$apply=compute(...)`).
    pub(crate) computed: Vec<(String, Operand)>,
    /// The `$skip`/`$top` window already applied, to combine with the query's.
    pub(crate) cut: Cut,
}

impl<'m> Source<'m> {
    /// The rows of `scope`'s own table, in input order.
    pub(crate) fn table(scope: Scope<'m>) -> Source<'m> {
        let order = scope
            .tie_break()
            .into_iter()
            .map(|t| format!("{t} ASC"))
            .collect();
        Source {
            from: format!(
                "{} AS {}",
                quote_identifier(&scope.table.table),
                scope.alias
            ),
            scope,
            conditions: Vec::new(),
            order,
            computed: Vec::new(),
            cut: Cut::default(),
        }
    }
}

/// A `$skip`/`$top` window: `skip` rows dropped, then at most `top` kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cut {
    pub(crate) skip: u64,
    pub(crate) top: Option<u64>,
}

impl Cut {
    /// True when the window keeps every row.
    pub(crate) fn is_none(self) -> bool {
        self.skip == 0 && self.top.is_none()
    }

    /// This window, then `skip(n)`.
    pub(crate) fn then_skip(self, n: u64) -> Cut {
        Cut {
            skip: self.skip.saturating_add(n),
            top: self.top.map(|top| top.saturating_sub(n)),
        }
    }

    /// This window, then `top(n)`.
    pub(crate) fn then_top(self, n: u64) -> Cut {
        Cut {
            skip: self.skip,
            top: Some(self.top.map_or(n, |top| top.min(n))),
        }
    }
}

impl<'m> Translator<'m> {
    /// Translates the options of one list level over `scope`'s table. `parent` is the
    /// scope whose children these are (a nested `$expand`); `it` is the top-level item.
    pub(crate) fn list(
        &mut self,
        query: &'m Query,
        scope: &Scope<'m>,
        parent: Option<&Scope<'m>>,
        it: Option<&Scope<'m>>,
    ) -> Result<ListSql, SqlError> {
        let pushed = self.push_aliases(query);
        let result = if query.apply.is_empty() {
            self.list_inner(query, Source::table(scope.clone()), parent, it)
        } else if parent.is_some() {
            unsupported("$apply inside $expand")
        } else {
            self.applied_list(query, scope)
        };
        self.pop_aliases(pushed);
        result
    }

    /// The `LIMIT`/`OFFSET` clause of a window, its values bound.
    pub(crate) fn limit_clause(&mut self, cut: Cut) -> String {
        let top = cut.top.map(|top| self.bind(SqlValue::Integer(clamp(top))));
        let skip = (cut.skip > 0).then(|| self.bind(SqlValue::Integer(clamp(cut.skip))));
        self.dialect.limit_offset(top.as_deref(), skip.as_deref())
    }

    /// One list level over `source` (a table, or what `$apply` left).
    pub(crate) fn list_inner(
        &mut self,
        query: &'m Query,
        source: Source<'m>,
        parent: Option<&Scope<'m>>,
        it: Option<&Scope<'m>>,
    ) -> Result<ListSql, SqlError> {
        check_options(query)?;
        let top_level = parent.is_none() && it.is_none();
        if query.skiptoken.is_some() && !top_level {
            return unsupported("$skiptoken inside $expand");
        }
        let scope = &source.scope;
        let it = it.unwrap_or(scope);
        let mut computed: Vec<(String, Operand)> = source.computed.clone();
        for item in &query.compute {
            let env = Env {
                it,
                this: scope,
                variables: Vec::new(),
                computed: &computed,
                rows: false,
            };
            let operand = self.value(&item.expr, &env)?;
            if matches!(operand.kind, Kind::Complex | Kind::Json | Kind::Duration) {
                return unsupported(format!(
                    "$compute of {} (not written as the evaluator writes it)",
                    operand.kind.describe()
                ));
            }
            if scope.table.property(&item.alias).is_some()
                || scope.table.navigation(&item.alias).is_some()
            {
                return invalid(format!("the computed name {} is a property's", item.alias));
            }
            computed.push((item.alias.clone(), operand));
        }
        let env = Env {
            it,
            this: scope,
            variables: Vec::new(),
            computed: &computed,
            rows: false,
        };
        let mut list = ListSql {
            from: source.from.clone(),
            conditions: source.conditions.clone(),
            ..ListSql::default()
        };
        for (_, operand) in &computed[source.computed.len()..] {
            if operand.sql.contains(MAY_FAIL) {
                list.conditions.insert(0, evaluated(&operand.sql));
            }
        }
        if let Some(parent) = parent {
            list.conditions.push(scope.parent_join(parent));
        }
        if let Some(search) = &query.search {
            list.conditions.push(self.search_predicate(search, scope)?);
        }
        if let Some(filter) = &query.filter {
            list.conditions.push(self.predicate(filter, &env, false)?);
        }
        list.order = self.order_terms(&query.orderby, &env)?;
        list.order.extend(source.order.iter().cloned());
        let mut cut = source.cut;
        if let Some(skip) = query.skip {
            cut = cut.then_skip(skip);
        }
        if let Some(top) = query.top {
            cut = cut.then_top(top);
        }
        if top_level {
            cut = self.page_cut(cut);
        }
        list.limit = self.limit_clause(cut);
        list.object = self.object(query, scope, &env)?;
        Ok(list)
    }

    pub(crate) fn order_terms(
        &mut self,
        items: &'m [OrderByItem],
        env: &Env<'_, 'm>,
    ) -> Result<Vec<String>, SqlError> {
        let mut terms = Vec::with_capacity(items.len());
        for item in items {
            let operand = self.value(&item.expr, env)?;
            let key = match operand.kind {
                Kind::Null => continue,
                _ if operand.constant => continue,
                Kind::String | Kind::Guid => self.dialect.code_point_order(&operand.sql),
                Kind::DateTimeOffset => operand.comparable().to_owned(),
                Kind::Boolean | Kind::Integer | Kind::Double | Kind::Date => operand.sql,
                Kind::TimeOfDay => self.dialect.code_point_order(&operand.sql),
                Kind::Duration => operand.sql,
                Kind::OtherText => {
                    return unsupported("$orderby over TimeOfDay, Duration or Binary values")
                }
                Kind::Complex | Kind::Json => {
                    return unsupported("$orderby over complex or JSON-mapped values")
                }
            };
            terms.push(match item.direction {
                SortDirection::Asc => format!("{key} ASC NULLS FIRST"),
                SortDirection::Desc => format!("{key} DESC NULLS LAST"),
            });
        }
        Ok(terms)
    }

    /// The JSON object of one item.
    fn object(
        &mut self,
        query: &'m Query,
        scope: &Scope<'m>,
        env: &Env<'_, 'm>,
    ) -> Result<String, SqlError> {
        let table = scope.table;
        let expands = expanded(query, table)?;
        let all =
            query.select.is_empty() || query.select.iter().any(|s| matches!(s, SelectItem::Star));
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut selected: Vec<(String, Option<SelectTree>)> = Vec::new();
        let is_expanded = |name: &str| expands.iter().any(|(n, _)| n.name == name);
        if all {
            for property in &table.properties {
                pairs.push((
                    string_literal(&property.name),
                    self.full_value(&property.storage, scope),
                ));
            }
            for navigation in &table.navigations {
                if !is_expanded(&navigation.name) {
                    pairs.push((
                        string_literal(&navigation.name),
                        self.full_collection(navigation, scope, 0)?,
                    ));
                }
            }
            for (name, operand) in env.computed {
                let name = self.bind(SqlValue::Text(name.clone()));
                pairs.push((name, self.json_operand(operand)));
            }
        } else {
            let mut tree = SelectTree::default();
            for item in &query.select {
                match item {
                    SelectItem::Star => {}
                    SelectItem::AllOperations(_) => return unsupported("selecting operations"),
                    SelectItem::Path {
                        options: Some(_), ..
                    } => return unsupported("$select with nested options"),
                    SelectItem::Path {
                        segments,
                        options: None,
                    } => {
                        let names = select_names(segments)?;
                        if names.len() > 1 && table.navigation(&names[0]).is_some() {
                            // As the model check says: a select path ends at a navigation
                            // property; its entities' properties are selected in $expand.
                            return Err(SqlError::Invalid(format!(
                                "'{}' is a navigation property: select the properties of \
                                 its entities with $expand={}($select=...)",
                                names[0], names[0]
                            )));
                        }
                        tree.insert(&names);
                    }
                }
            }
            for (name, children) in &tree.0 {
                selected.push((
                    name.clone(),
                    children.as_ref().map(|_| SelectTree::default()),
                ));
                if let Some((_, operand)) = env.computed.iter().find(|(n, _)| n == name) {
                    let key = self.bind(SqlValue::Text(name.clone()));
                    pairs.push((key, self.json_operand(operand)));
                } else if let Some(navigation) = table.navigation(name) {
                    if !is_expanded(name) {
                        pairs.push((
                            string_literal(name),
                            self.full_collection(navigation, scope, 0)?,
                        ));
                    }
                } else if let Some(property) = table.property(name) {
                    let value = self.selected_value(property, children.as_ref(), scope)?;
                    pairs.push((string_literal(name), value));
                } else {
                    return invalid(format!("{} has no property {name}", table.entity_type));
                }
            }
        }
        let star = query
            .expand
            .iter()
            .any(|item| matches!(item.path, crate::ast::ExpandPath::Star));
        let is_selected = |name: &str| selected.iter().any(|(s, _)| s == name);
        let mut drops: Vec<String> = Vec::new();
        let mut only_extra: Vec<String> = Vec::new();
        for (navigation, item) in &expands {
            self.expand_pairs(navigation, item, scope, env, &mut pairs)?;
            let by_star = matches!(item.path, crate::ast::ExpandPath::Star);
            if by_star && !all && !is_selected(&navigation.name) {
                // `*` expands a collection only when it has members.
                let child = self.scope(&navigation.table);
                drops.push(format!(
                    "CASE WHEN NOT EXISTS (SELECT 1 FROM {} AS {} WHERE {}) THEN {} END",
                    quote_identifier(&navigation.table.table),
                    child.alias,
                    child.parent_join(scope),
                    string_literal(&navigation.name)
                ));
            }
            let named = query.select.iter().any(|s| match s {
                SelectItem::Path { segments, .. } => {
                    matches!(segments.as_slice(), [PathSegment::Property(n)] if *n == navigation.name)
                }
                _ => false,
            });
            if item.kind == crate::ast::ExpandKind::Count && named {
                // `/$count` replaces the selected collection, except that a collection the
                // record lacks stays as the null `$select` gives it.
                pairs.push((string_literal(&navigation.name), "NULL".into()));
                let name = string_literal(&navigation.name);
                drops.push(match &table.absent {
                    Some(absent) => format!(
                        "CASE WHEN NOT {} THEN {name} END",
                        self.dialect
                            .json_has(&scope.column(absent), &navigation.name)
                    ),
                    None => name,
                });
            }
        }
        let mut star_complex: Vec<&str> = Vec::new();
        if star && !all {
            // `*` also expands every complex value the record has (an object) into the
            // whole value, selected or not.
            for property in &table.properties {
                let drop = match &property.storage {
                    Storage::Complex {
                        presence: Some(presence),
                        ..
                    } => format!("{} IS NULL", scope.column(presence)),
                    Storage::Complex { presence: None, .. } => "FALSE".to_owned(),
                    Storage::Json { column } => {
                        format!("NOT {}", self.dialect.json_navigable(&scope.column(column)))
                    }
                    _ => continue,
                };
                let name = string_literal(&property.name);
                star_complex.push(&property.name);
                only_extra.push(string_literal(&format!("{}/", property.name)));
                pairs.retain(|(n, _)| *n != name);
                pairs.push((name.clone(), self.full_value(&property.storage, scope)));
                if !is_selected(&property.name) {
                    drops.push(format!("CASE WHEN {drop} THEN {name} END"));
                    only_extra.push(name);
                }
            }
        }
        if !drops.is_empty() {
            pairs.push((string_literal(DROP_MEMBER), self.json_array(&drops)));
        }
        if let Some(absent) = &table.absent {
            pairs.push((
                string_literal(ABSENT_MEMBER),
                self.dialect.json_value(&scope.column(absent)),
            ));
            let mut keep = explicit_paths(&query.select);
            // Inside a value `*` expanded whole, missing members stay missing.
            keep.retain(|path| {
                !star_complex
                    .iter()
                    .any(|name| path.strip_prefix(name).is_some_and(|r| r.starts_with('/')))
            });
            if !keep.is_empty() {
                let names: Vec<String> = keep.iter().map(|p| string_literal(p)).collect();
                pairs.push((string_literal(KEEP_MEMBER), self.json_array(&names)));
            }
            if !all {
                // With `$select`, a selected member the record lacks is null; only an
                // expanded (and not also selected) navigation the record lacks is left
                // out, and so are the members a wholly selected complex value lacks
                // (`stats/` matches every path under `stats`).
                let mut names: Vec<String> = expands
                    .iter()
                    .filter(|(n, _)| !selected.iter().any(|(s, _)| s == &n.name))
                    .map(|(n, _)| string_literal(&n.name))
                    .collect();
                names.append(&mut only_extra);
                for (name, children) in &selected {
                    let complex = table
                        .property(name)
                        .is_some_and(|p| matches!(p.storage, Storage::Complex { .. }));
                    if children.is_none() && complex {
                        names.push(string_literal(&format!("{name}/")));
                    }
                }
                pairs.push((string_literal(ONLY_MEMBER), self.json_array(&names)));
            }
        }
        Ok(self.dialect.json_object(&pairs))
    }

    fn json_array(&self, items: &[String]) -> String {
        match self.dialect {
            super::Dialect::Sqlite => format!("json_array({})", items.join(", ")),
            super::Dialect::Postgres => format!("json_build_array({})", items.join(", ")),
        }
    }

    /// A computed value as a JSON member value.
    pub(crate) fn json_operand(&self, operand: &Operand) -> String {
        match operand.kind {
            Kind::Boolean => self.dialect.json_boolean(&operand.sql),
            Kind::Integer | Kind::Double => self.dialect.json_number(&operand.sql, operand.kind),
            // A computed DateTimeOffset is answered in the evaluator's canonical form
            // (literals are bound in it already).
            Kind::DateTimeOffset if !operand.constant => {
                self.dialect.canonical_date_time(&operand.sql)
            }
            _ => operand.sql.clone(),
        }
    }

    /// The whole stored value of a property as JSON.
    pub(crate) fn full_value(&self, storage: &Storage, scope: &Scope<'m>) -> String {
        match storage {
            Storage::Column { column, edm, .. } => {
                let column = scope.column(column);
                match kind_of(*edm) {
                    Kind::Boolean => self.dialect.json_boolean(&column),
                    Kind::Double => self.dialect.json_number(&column, Kind::Double),
                    _ => column,
                }
            }
            Storage::DateTimeOffset { text, .. } => scope.column(text),
            Storage::Complex {
                presence,
                properties,
            } => {
                let pairs: Vec<(String, String)> = properties
                    .iter()
                    .map(|p| (string_literal(&p.name), self.full_value(&p.storage, scope)))
                    .collect();
                self.complex_object(presence.as_deref(), &pairs, scope)
            }
            Storage::Json { column } => self.dialect.json_value(&scope.column(column)),
        }
    }

    fn complex_object(
        &self,
        presence: Option<&str>,
        pairs: &[(String, String)],
        scope: &Scope<'m>,
    ) -> String {
        let object = self.dialect.json_object(pairs);
        match presence {
            // SQLite keeps the object's JSON subtype through `CASE`.
            Some(presence) => format!("CASE WHEN {} THEN {object} END", scope.column(presence)),
            None => object,
        }
    }

    /// A selected property: whole, or the selected members of a flattened complex value.
    fn selected_value(
        &self,
        property: &PropertyMapping,
        children: Option<&SelectTree>,
        scope: &Scope<'m>,
    ) -> Result<String, SqlError> {
        let Some(children) = children else {
            return Ok(self.full_value(&property.storage, scope));
        };
        let Storage::Complex {
            presence,
            properties,
        } = &property.storage
        else {
            return unsupported(format!(
                "selecting into {}, which is not a flattened complex value",
                property.name
            ));
        };
        let mut pairs = Vec::new();
        for (name, grandchildren) in &children.0 {
            let Some(inner) = properties.iter().find(|p| &p.name == name) else {
                return invalid(format!("{} has no property {name}", property.name));
            };
            pairs.push((
                string_literal(name),
                self.selected_value(inner, grandchildren.as_ref(), scope)?,
            ));
        }
        Ok(self.complex_object(presence.as_deref(), &pairs, scope))
    }
}

/// Nested `$select` paths by first segment; `None` selects the whole value.
#[derive(Debug, Default)]
struct SelectTree(Vec<(String, Option<SelectTree>)>);

impl SelectTree {
    fn insert(&mut self, names: &[String]) {
        let Some((first, rest)) = names.split_first() else {
            return;
        };
        match self.0.iter_mut().find(|(n, _)| n == first) {
            Some((_, slot)) => match slot {
                // The whole value is selected: it covers its members.
                None => {}
                Some(_) if rest.is_empty() => *slot = None,
                Some(child) => child.insert(rest),
            },
            None => {
                let child = if rest.is_empty() {
                    None
                } else {
                    let mut child = SelectTree::default();
                    child.insert(rest);
                    Some(child)
                };
                self.0.push((first.clone(), child));
            }
        }
    }
}

/// The member paths `$select` names (`a/b/c` gives `a`, `a/b` and `a/b/c`), which stay
/// (as null) when the record lacks them.
fn explicit_paths(select: &[SelectItem]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in select {
        let SelectItem::Path { segments, .. } = item else {
            continue;
        };
        let mut path = String::new();
        for segment in segments {
            let PathSegment::Property(name) = segment else {
                break;
            };
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(name);
            if !out.contains(&path) {
                out.push(path.clone());
            }
        }
    }
    out
}

fn select_names(segments: &[PathSegment]) -> Result<Vec<String>, SqlError> {
    segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Property(name) => Ok(name.as_str().to_owned()),
            PathSegment::TypeCast(name) => unsupported(format!("the type cast {name} in $select")),
            PathSegment::Annotation(_) => unsupported("selecting annotations"),
            PathSegment::Operation { name, .. } => {
                unsupported(format!("selecting the operation {name}"))
            }
        })
        .collect()
}

/// Rejects the options this translation does not answer.
pub(crate) fn check_options(query: &Query) -> Result<(), SqlError> {
    for (name, present) in [
        ("$deltatoken", query.deltatoken.is_some()),
        ("$id", query.id.is_some()),
        ("$index", query.index.is_some()),
        // The temporal options (`$at`, `$from`, ...) need versioned tables.
        ("$at/$from/$to/$toInclusive", query.temporal.is_some()),
    ] {
        if present {
            return unsupported(format!("the option {name}"));
        }
    }
    if let Some(format) = &query.format {
        if !format.eq_ignore_ascii_case("json") && !format.starts_with("application/json") {
            return unsupported(format!("$format={format}"));
        }
    }
    Ok(())
}

/// A name from the mapping as an SQL string literal (`'name'`, quotes doubled). Names
/// from the request (computed aliases) are bound as parameters instead.
pub(crate) fn string_literal(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('\'');
    for c in name.chars() {
        if c.is_control() {
            continue;
        }
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

pub(crate) fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
