//! The list level over the rows a `groupby`/`aggregate` built: `$compute`, `$filter`,
//! `$orderby`, `$skip`, `$top`, `$count` and `$select` over their members, and the JSON
//! of each row (grouping paths nested: `stats/filesUploaded` is
//! `{"stats":{"filesUploaded":...}}`).
//!
//! As in the evaluator, the rows are plain JSON: a member they lack is null, `$select`
//! of a missing path gives null, and `$search`/`$expand` (which need entities) are a 501.

use crate::ast::{PathSegment, Query, SelectItem};

use super::error::{unsupported, SqlError};
use super::operand::{Kind, Operand};
use super::select::{check_options, string_literal, Cut, ListSql};
use super::translate::{Env, Scope, Translator};

/// A member of a row's JSON: a value, or an object of members.
#[derive(Debug, Clone)]
enum Member {
    Value(String),
    Object(Vec<(String, Member)>),
}

impl Member {
    fn insert(members: &mut Vec<(String, Member)>, path: &[&str], value: Member) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            members.retain(|(name, _)| name != first);
            members.push(((*first).to_owned(), value));
            return;
        }
        if let Some((_, Member::Object(inner))) = members.iter_mut().find(|(n, _)| n == first) {
            Member::insert(inner, rest, value);
            return;
        }
        members.retain(|(name, _)| name != first);
        let mut inner = Vec::new();
        Member::insert(&mut inner, rest, value);
        members.push(((*first).to_owned(), Member::Object(inner)));
    }
}

impl<'m> Translator<'m> {
    /// The query's options over aggregated rows in `from` (conditions, order and window
    /// already applied by `$apply`) whose members are `columns`.
    pub(crate) fn rows_list(
        &mut self,
        query: &'m Query,
        from: String,
        conditions: Vec<String>,
        order: Vec<String>,
        cut: Cut,
        mut columns: Vec<(String, Operand)>,
    ) -> Result<ListSql, SqlError> {
        check_options(query)?;
        if query.search.is_some() {
            return unsupported("$search after groupby or aggregate");
        }
        if !query.expand.is_empty() {
            return unsupported("$expand after groupby or aggregate");
        }
        let scope = Scope {
            alias: String::new(),
            table: &super::apply::ROWS,
        };
        for item in &query.compute {
            let env = rows_env(&scope, &columns);
            let operand = self.value(&item.expr, &env)?;
            if matches!(operand.kind, Kind::Complex | Kind::Json | Kind::Duration) {
                return unsupported(format!(
                    "$compute of {} (not written as the evaluator writes it)",
                    operand.kind.describe()
                ));
            }
            columns.retain(|(name, _)| *name != item.alias);
            columns.push((item.alias.clone(), operand));
        }
        let env = rows_env(&scope, &columns);
        let mut list = ListSql {
            from,
            conditions,
            ..ListSql::default()
        };
        if let Some(filter) = &query.filter {
            list.conditions.push(self.predicate(filter, &env, false)?);
        }
        list.order = self.order_terms(&query.orderby, &env)?;
        list.order.extend(order);
        let mut cut = cut;
        if let Some(skip) = query.skip {
            cut = cut.then_skip(skip);
        }
        if let Some(top) = query.top {
            cut = cut.then_top(top);
        }
        let cut = self.page_cut(cut);
        list.limit = self.limit_clause(cut);
        list.object = self.row_object(&columns, &query.select)?;
        Ok(list)
    }

    /// The JSON object of a row, with `$select` applied as the evaluator does.
    fn row_object(
        &mut self,
        columns: &[(String, Operand)],
        select: &[SelectItem],
    ) -> Result<String, SqlError> {
        let mut all: Vec<(String, Member)> = Vec::new();
        for (path, operand) in columns {
            let names: Vec<&str> = path.split('/').collect();
            Member::insert(&mut all, &names, Member::Value(self.json_operand(operand)));
        }
        let star = select.is_empty() || select.iter().any(|s| matches!(s, SelectItem::Star));
        let mut out = if star { all.clone() } else { Vec::new() };
        for item in select {
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
                    let mut names = Vec::with_capacity(segments.len());
                    for segment in segments {
                        match segment {
                            PathSegment::Property(name) => names.push(name.as_str()),
                            other => {
                                return unsupported(format!(
                                    "the $select segment {other} over aggregated rows"
                                ))
                            }
                        }
                    }
                    select_path(&mut out, &all, &names);
                }
            }
        }
        Ok(self.render(&out))
    }

    fn render(&self, members: &[(String, Member)]) -> String {
        let pairs: Vec<(String, String)> = members
            .iter()
            .map(|(name, member)| {
                let value = match member {
                    Member::Value(sql) => sql.clone(),
                    Member::Object(inner) => self.render(inner),
                };
                (string_literal(name), value)
            })
            .collect();
        self.dialect.json_object(&pairs)
    }
}

fn rows_env<'e, 'm>(scope: &'e Scope<'m>, columns: &'e [(String, Operand)]) -> Env<'e, 'm> {
    Env {
        it: scope,
        this: scope,
        variables: Vec::new(),
        computed: columns,
        rows: true,
    }
}

/// Copies `path` of `source` into `target` as the evaluator's `$select` does: a whole
/// member (objects merge), or null where the path is missing or runs into a value.
fn select_path(target: &mut Vec<(String, Member)>, source: &[(String, Member)], path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let found = source
        .iter()
        .find(|(name, _)| name == first)
        .map(|(_, m)| m);
    if rest.is_empty() {
        let value = found
            .cloned()
            .unwrap_or_else(|| Member::Value("NULL".into()));
        match (target.iter_mut().find(|(n, _)| n == first), value) {
            (Some((_, Member::Object(earlier))), Member::Object(whole)) => {
                for (name, member) in whole {
                    earlier.retain(|(n, _)| *n != name);
                    earlier.push((name, member));
                }
            }
            (_, value) => Member::insert(target, &[first], value),
        }
        return;
    }
    match found {
        Some(Member::Object(inner_source)) => {
            if !target.iter().any(|(n, _)| n == first) {
                target.push(((*first).to_owned(), Member::Object(Vec::new())));
            }
            if let Some((_, Member::Object(inner_target))) =
                target.iter_mut().find(|(n, _)| n == first)
            {
                select_path(inner_target, inner_source, rest);
            }
        }
        _ => Member::insert(target, &[first], Member::Value("NULL".into())),
    }
}
