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

use crate::ast::{
    ExpandItem, ExpandKind, ExpandPath, OrderByItem, PathSegment, Query, SelectItem, SortDirection,
};

use super::dialect::quote_identifier;
use super::error::{invalid, unsupported, SqlError};
use super::mapping::{NavigationMapping, PropertyMapping, Storage, Table};
use super::operand::{Kind, Operand};
use super::translate::{Env, Scope, Translator};
use super::writer::SqlValue;

/// The member that lists the members a record lacked; the executors remove them (and
/// this member) from the answer.
pub const ABSENT_MEMBER: &str = "@odq.absent";
/// With `$select`, the expanded members an [`ABSENT_MEMBER`] list may remove (the
/// evaluator answers a selected but missing property as null, an expanded missing one
/// by leaving it out).
pub const ONLY_MEMBER: &str = "@odq.only";

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
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
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
        let result = self.list_inner(query, scope, parent, it);
        self.pop_aliases(pushed);
        result
    }

    fn list_inner(
        &mut self,
        query: &'m Query,
        scope: &Scope<'m>,
        parent: Option<&Scope<'m>>,
        it: Option<&Scope<'m>>,
    ) -> Result<ListSql, SqlError> {
        check_options(query)?;
        let it = it.unwrap_or(scope);
        let mut computed: Vec<(String, Operand)> = Vec::new();
        for item in &query.compute {
            let env = Env {
                it,
                this: scope,
                variables: Vec::new(),
                computed: &computed,
            };
            let operand = self.value(&item.expr, &env)?;
            if matches!(operand.kind, Kind::Complex | Kind::Json) {
                return unsupported("$compute of complex values");
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
        };
        let mut list = ListSql {
            from: format!(
                "{} AS {}",
                quote_identifier(&scope.table.table),
                scope.alias
            ),
            ..ListSql::default()
        };
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
        list.order
            .extend(scope.tie_break().into_iter().map(|t| format!("{t} ASC")));
        let top = query
            .top
            .map(|top| self.bind(SqlValue::Integer(clamp(top))));
        let skip = query
            .skip
            .filter(|skip| *skip > 0)
            .map(|skip| self.bind(SqlValue::Integer(clamp(skip))));
        list.limit = self.dialect.limit_offset(top.as_deref(), skip.as_deref());
        list.object = self.object(query, scope, &env)?;
        Ok(list)
    }

    fn order_terms(
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
        for (navigation, item) in &expands {
            self.expand_pairs(navigation, item, scope, env, &mut pairs)?;
        }
        if let Some(absent) = &table.absent {
            pairs.push((
                string_literal(ABSENT_MEMBER),
                self.dialect.json_value(&scope.column(absent)),
            ));
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
    fn json_operand(&self, operand: &Operand) -> String {
        match operand.kind {
            Kind::Boolean => self.dialect.json_boolean(&operand.sql),
            _ => operand.sql.clone(),
        }
    }

    /// The whole stored value of a property as JSON.
    fn full_value(&self, storage: &Storage, scope: &Scope<'m>) -> String {
        match storage {
            Storage::Column { column, edm, .. } => {
                let column = scope.column(column);
                if *edm == crate::model::Edm::Boolean {
                    self.dialect.json_boolean(&column)
                } else {
                    column
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
            Some(presence) => self.dialect.nested_json(&format!(
                "CASE WHEN {} THEN {object} END",
                scope.column(presence)
            )),
            None => self.dialect.nested_json(&object),
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

    /// A contained collection as stored, in input order (what the evaluator returns for
    /// an inline array that is not expanded).
    fn full_collection(
        &mut self,
        navigation: &'m NavigationMapping,
        parent: &Scope<'m>,
        depth: usize,
    ) -> Result<String, SqlError> {
        if depth > 8 {
            return unsupported("contained collections nested more than 8 levels");
        }
        let child = self.scope(&navigation.table);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for property in &navigation.table.properties {
            pairs.push((
                string_literal(&property.name),
                self.full_value(&property.storage, &child),
            ));
        }
        for grandchild in &navigation.table.navigations {
            pairs.push((
                string_literal(&grandchild.name),
                self.full_collection(grandchild, &child, depth + 1)?,
            ));
        }
        if let Some(absent) = &navigation.table.absent {
            pairs.push((
                string_literal(ABSENT_MEMBER),
                self.dialect.json_value(&child.column(absent)),
            ));
        }
        let order: Vec<String> = child.tie_break();
        let array = self.aggregate(
            &self.dialect.json_object(&pairs),
            &format!(
                "{} AS {}",
                quote_identifier(&navigation.table.table),
                child.alias
            ),
            &format!(" WHERE {}", child.parent_join(parent)),
            &order.join(", "),
            "",
        );
        Ok(self.presence_guard(navigation, parent, array))
    }

    /// `CASE WHEN parent."files" THEN <array> END`: null for a null collection.
    fn presence_guard(
        &self,
        navigation: &NavigationMapping,
        parent: &Scope<'m>,
        array: String,
    ) -> String {
        match &navigation.presence {
            Some(presence) => self.dialect.nested_json(&format!(
                "CASE WHEN {} THEN {array} END",
                parent.column(presence)
            )),
            None => self.dialect.nested_json(&array),
        }
    }

    /// The JSON array of `object` over the rows of `from`/`where_clause` in `order`,
    /// cut by `limit`.
    fn aggregate(
        &mut self,
        object: &str,
        from: &str,
        where_clause: &str,
        order: &str,
        limit: &str,
    ) -> String {
        let x = self.fresh("x");
        let inner = format!(
            "SELECT {object} AS v, row_number() OVER (ORDER BY {order}) AS n FROM {from}{where_clause} ORDER BY n{limit}"
        );
        let agg = self
            .dialect
            .json_array_agg(&format!("{x}.v"), &format!("{x}.n"));
        format!("(SELECT {agg} FROM ({inner}) AS {x})")
    }

    fn expand_pairs(
        &mut self,
        navigation: &'m NavigationMapping,
        item: &'m ExpandItem,
        parent: &Scope<'m>,
        env: &Env<'_, 'm>,
        pairs: &mut Vec<(String, String)>,
    ) -> Result<(), SqlError> {
        let child = self.scope(&navigation.table);
        let options: &'m Query = &item.options;
        if let Some(levels) = options.levels {
            if levels != crate::ast::Levels::Number(1) {
                return unsupported("$levels");
            }
        }
        let list = self.list(options, &child, Some(parent), Some(env.it))?;
        let count_key = string_literal(&format!("{}@odata.count", navigation.name));
        let count = format!(
            "(SELECT count(*) FROM {}{})",
            list.from,
            list.where_clause()
        );
        match item.kind {
            ExpandKind::Count => {
                if !options.orderby.is_empty() || options.top.is_some() || options.skip.is_some() {
                    return invalid("only $filter and $search apply to /$count");
                }
                pairs.push((count_key, count));
            }
            ExpandKind::Entities | ExpandKind::Ref => {
                let object = if item.kind == ExpandKind::Ref {
                    match navigation.table.property("id") {
                        Some(PropertyMapping {
                            storage: Storage::Column { column, .. },
                            ..
                        }) => self
                            .dialect
                            .json_object(&[(string_literal("@odata.id"), child.column(column))]),
                        _ => return unsupported("/$ref of entities without an id property"),
                    }
                } else {
                    list.object.clone()
                };
                let array = self.aggregate(
                    &object,
                    &list.from,
                    &list.where_clause(),
                    &list.order.join(", "),
                    &list.limit,
                );
                pairs.push((
                    string_literal(&navigation.name),
                    self.presence_guard(navigation, parent, array),
                ));
                if options.count == Some(true) {
                    pairs.push((count_key, count));
                }
            }
        }
        Ok(())
    }
}

/// The expand items of a list level with their navigations (`*` expands every mapped one).
fn expanded<'m>(
    query: &'m Query,
    table: &'m Table,
) -> Result<Vec<(&'m NavigationMapping, &'m ExpandItem)>, SqlError> {
    let mut out: Vec<(&'m NavigationMapping, &'m ExpandItem)> = Vec::new();
    for item in &query.expand {
        match &item.path {
            ExpandPath::Star => {
                for navigation in &table.navigations {
                    if !out.iter().any(|(n, _)| n.name == navigation.name) {
                        out.push((navigation, item));
                    }
                }
            }
            ExpandPath::Value => return unsupported("$expand=$value"),
            ExpandPath::Path(segments) => {
                let [PathSegment::Property(name)] = segments.as_slice() else {
                    return unsupported("$expand paths through complex properties or type casts");
                };
                let Some(navigation) = table.navigation(name) else {
                    if table.property(name).is_some() {
                        return invalid(format!("{name} is not a navigation property"));
                    }
                    return unsupported(format!("$expand={name}: no child table is mapped for it"));
                };
                // A named item takes precedence over `*`.
                out.retain(|(n, _)| n.name != navigation.name);
                out.push((navigation, item));
            }
        }
    }
    Ok(out)
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

fn select_names(segments: &[PathSegment]) -> Result<Vec<String>, SqlError> {
    segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Property(name) => Ok(name.clone()),
            PathSegment::TypeCast(name) => unsupported(format!("the type cast {name} in $select")),
            PathSegment::Annotation(_) => unsupported("selecting annotations"),
            PathSegment::Operation { name, .. } => {
                unsupported(format!("selecting the operation {name}"))
            }
        })
        .collect()
}

/// Rejects the options this translation does not answer.
fn check_options(query: &Query) -> Result<(), SqlError> {
    if !query.apply.is_empty() {
        return unsupported("$apply");
    }
    for (name, present) in [
        ("$skiptoken", query.skiptoken.is_some()),
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

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
