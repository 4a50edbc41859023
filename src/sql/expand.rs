//! `$expand` in SQL: each expanded collection as a correlated subquery per parent that
//! filters, orders and cuts the parent's own children and aggregates them into a JSON
//! array (`json_group_array` / `json_agg`); `/$count` and `/$ref`; `*`, which (as in the
//! evaluator) expands every navigation with members and every complex value that is
//! there; and a collection that is returned without being expanded, as stored.

use crate::ast::{ExpandItem, ExpandKind, ExpandPath, PathSegment, Query};

use super::dialect::quote_identifier;
use super::error::{invalid, unsupported, SqlError};
use super::mapping::{NavigationMapping, PropertyMapping, Storage, Table};
use super::select::{string_literal, ABSENT_MEMBER};
use super::translate::{Env, Scope, Translator};

impl<'m> Translator<'m> {
    /// A contained collection as stored, in input order (what the evaluator returns for
    /// an inline array that is not expanded).
    pub(crate) fn full_collection(
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

    /// `CASE WHEN parent."files" THEN <array> END`: null for a null collection. (SQLite
    /// keeps the array's JSON subtype through `CASE` and a scalar subquery, so it nests
    /// as JSON without `json(...)`, which would parse it again.)
    fn presence_guard(
        &self,
        navigation: &NavigationMapping,
        parent: &Scope<'m>,
        array: String,
    ) -> String {
        match &navigation.presence {
            Some(presence) => format!("CASE WHEN {} THEN {array} END", parent.column(presence)),
            None => array,
        }
    }

    /// The JSON array of `object` over the rows of `from`/`where_clause` in `order`,
    /// cut by `limit` (then numbered by a window in a subquery, since an aggregate's own
    /// `ORDER BY` cannot cut).
    fn aggregate(
        &mut self,
        object: &str,
        from: &str,
        where_clause: &str,
        order: &str,
        limit: &str,
    ) -> String {
        if limit.is_empty() {
            // Without a cut the aggregate orders the rows itself: no window, no subquery
            // (one sort per parent instead of three).
            let agg = self.dialect.json_array_agg(object, order);
            return format!("(SELECT {agg} FROM {from}{where_clause})");
        }
        let x = self.fresh("x");
        let inner = format!(
            "SELECT {object} AS v, row_number() OVER (ORDER BY {order}) AS n FROM {from}{where_clause} ORDER BY n{limit}"
        );
        let agg = self
            .dialect
            .json_array_agg(&format!("{x}.v"), &format!("{x}.n"));
        format!("(SELECT {agg} FROM ({inner}) AS {x})")
    }

    pub(crate) fn expand_pairs(
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
pub(crate) fn expanded<'m>(
    query: &'m Query,
    table: &'m Table,
) -> Result<Vec<(&'m NavigationMapping, &'m ExpandItem)>, SqlError> {
    let mut out: Vec<(&'m NavigationMapping, &'m ExpandItem)> = Vec::new();
    for item in &query.expand {
        match &item.path {
            ExpandPath::Star => {
                if !item.options.is_empty() || item.kind != ExpandKind::Entities {
                    // The evaluator applies them to complex values too.
                    return unsupported("$expand=* with options, /$ref or /$count");
                }
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
