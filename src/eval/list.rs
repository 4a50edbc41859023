//! One list level of a plan (the top level, an `$expand` item, a `$select` item with
//! options): its compilation, and the selection of its rows: `$compute`, `$search`,
//! `$filter`, the count, `$orderby` and the `$skip`/`$top`/page window.

use serde_json::Value;

use crate::ast::{Query, Search, SortDirection};
use crate::error::EvalError;

use super::compile::{Compiler, Node};
use super::exec::{eval, Env, Runtime};
use super::fast::Filter;
use super::value::Val;
use super::{apply, order, project, search, typing};

/// The options of one list level: the top level, an `$expand` item, a `$select` item
/// with options.
#[derive(Debug)]
pub(crate) struct ListPlan {
    pub(super) apply: Vec<apply::Step>,
    pub(super) compute: Vec<(String, Node)>,
    pub(super) search: Option<Search>,
    pub(super) filter: Option<Filter>,
    pub(crate) count: bool,
    pub(super) orderby: Vec<(Node, SortDirection)>,
    pub(super) skip: u64,
    pub(super) top: Option<u64>,
    pub(crate) shape: project::Shape,
}

/// An item that passed `$search`/`$filter`, with its `$compute` values.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    pub(crate) item: &'a Value,
    pub(crate) value: Val<'a>,
    pub(crate) computed: Vec<Val<'a>>,
}

/// The rows of one list level after ordering and paging.
#[derive(Debug)]
pub(crate) struct Selected<'a> {
    pub(crate) rows: Vec<Row<'a>>,
    /// The number of items after `$search`/`$filter` (for `@odata.count`).
    pub(crate) count: usize,
    /// Where the next page starts, when there is one.
    pub(crate) next_offset: Option<usize>,
}

/// Compiles one list level.
pub(crate) fn compile_list<'q>(
    c: &mut Compiler<'q>,
    query: &'q Query,
) -> Result<ListPlan, EvalError> {
    let pushed = c.push_aliases(query);
    let outer = c.swap_computed(Vec::new());
    let result = compile_list_inner(c, query);
    c.computed = outer;
    c.pop_aliases(pushed);
    result
}

fn compile_list_inner<'q>(c: &mut Compiler<'q>, query: &'q Query) -> Result<ListPlan, EvalError> {
    let apply = apply::compile(c, &query.apply)?;
    if apply::reshapes(&query.apply) {
        // Aggregated items have properties the model does not declare.
        return c.with_level(typing::Declared::Unknown, |c| compile_rest(c, query, apply));
    }
    compile_rest(c, query, apply)
}

fn compile_rest<'q>(
    c: &mut Compiler<'q>,
    query: &'q Query,
    apply: Vec<apply::Step>,
) -> Result<ListPlan, EvalError> {
    let mut compute = Vec::with_capacity(query.compute.len());
    for item in &query.compute {
        let node = c.expr(&item.expr)?;
        // Later items may use earlier ones.
        c.computed.push(item.alias.clone());
        compute.push((item.alias.clone(), node));
    }
    let filter = query
        .filter
        .as_ref()
        .map(|f| {
            c.predicate(f, "$filter")
                .map(|node| Filter::new(node, c.options.sql_null_semantics))
        })
        .transpose()?;
    let mut orderby = Vec::with_capacity(query.orderby.len());
    for item in &query.orderby {
        orderby.push((c.expr(&item.expr)?, item.direction));
    }
    if let Some(max) = c.limits().max_top {
        if query.top.is_some_and(|top| top > max) {
            return Err(EvalError::LimitExceeded {
                limit: crate::limits::Limit::Top,
                max: usize::try_from(max).unwrap_or(usize::MAX),
            });
        }
    }
    let computed = c.computed.clone();
    let shape = project::compile_shape(c, query, &computed)?;
    for (name, unsupported) in [
        ("$deltatoken", query.deltatoken.is_some()),
        ("$id", query.id.is_some()),
        ("$index", query.index.is_some()),
        // The temporal options need versioned data, which plain JSON does not carry.
        (
            "$at",
            query.temporal.as_ref().is_some_and(|t| t.at.is_some()),
        ),
        (
            "$from",
            query.temporal.as_ref().is_some_and(|t| t.from.is_some()),
        ),
        (
            "$to",
            query.temporal.as_ref().is_some_and(|t| t.to.is_some()),
        ),
        (
            "$toInclusive",
            query
                .temporal
                .as_ref()
                .is_some_and(|t| t.to_inclusive.is_some()),
        ),
    ] {
        if unsupported {
            return Err(EvalError::NotSupported(format!("the option {name}")));
        }
    }
    if let Some(format) = &query.format {
        if !format.eq_ignore_ascii_case("json") && !format.starts_with("application/json") {
            return Err(EvalError::NotSupported(format!("$format={format}")));
        }
    }
    Ok(ListPlan {
        apply,
        compute,
        search: query.search.clone(),
        filter,
        count: query.count.unwrap_or(false),
        orderby,
        skip: query.skip.unwrap_or(0),
        top: query.top,
        shape,
    })
}

/// Computes, searches and filters the items, counts them, orders them and cuts the
/// `$skip`/`$top` window and the page (`paging` = (offset into the result, page size)).
pub(crate) fn select_rows<'a>(
    plan: &'a ListPlan,
    items: &'a [Value],
    it: Option<&Val<'a>>,
    paging: Option<(usize, usize)>,
    rt: &Runtime<'_>,
) -> Result<Selected<'a>, EvalError> {
    let mut rows = Vec::new();
    for item in items {
        rt.tick(1)?;
        // What an item that does not pass builds is dropped with it: release its charges.
        let mark = rt.bytes_mark();
        let value = Val::from_json(item);
        let computed = compute_values(plan, &value, it, rt)?;
        if let Some(search) = &plan.search {
            if !search::matches(search, item, rt)? {
                rt.release_to(mark);
                continue;
            }
        }
        if let Some(filter) = &plan.filter {
            let env = Env {
                it: it.unwrap_or(&value),
                this: &value,
                computed: &computed,
                scope: None,
            };
            if !filter.holds(&env, rt)? {
                rt.release_to(mark);
                continue;
            }
        }
        rows.push(Row {
            item,
            value,
            computed,
        });
    }
    order_and_cut(plan, rows, it, paging, rt)
}

/// The `$skip`/`$top`/page window over `count` matching items: `(start, end, next_offset)`,
/// where `start..end` are positions in the ordered matches and `next_offset` is where the
/// next page starts, if there is one.
pub(crate) fn window_range(
    count: usize,
    skip: u64,
    top: Option<u64>,
    paging: Option<(usize, usize)>,
) -> (usize, usize, Option<usize>) {
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let top = top.map_or(usize::MAX, |t| usize::try_from(t).unwrap_or(usize::MAX));
    let result_len = count.saturating_sub(skip).min(top);
    let (offset, page_size) = paging.unwrap_or((0, usize::MAX));
    let page_end = offset.saturating_add(page_size);
    let start = skip.saturating_add(offset.min(result_len));
    let end = skip.saturating_add(result_len.min(page_end));
    let next_offset = (page_end < result_len).then_some(page_end);
    (start, end, next_offset)
}

/// Counts the rows, orders them and cuts the `$skip`/`$top` window and the page.
fn order_and_cut<'a>(
    plan: &'a ListPlan,
    mut rows: Vec<Row<'a>>,
    it: Option<&Val<'a>>,
    paging: Option<(usize, usize)>,
    rt: &Runtime<'_>,
) -> Result<Selected<'a>, EvalError> {
    let count = rows.len();
    let (start, end, next_offset) = window_range(count, plan.skip, plan.top, paging);
    let mut rows = if plan.orderby.is_empty() || end <= start {
        rows.truncate(end);
        rows
    } else {
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            let env = Env {
                it: it.unwrap_or(&row.value),
                this: &row.value,
                computed: &row.computed,
                scope: None,
            };
            let mut row_keys = Vec::with_capacity(plan.orderby.len());
            for (node, _) in &plan.orderby {
                row_keys.push(eval(node, &env, rt)?);
            }
            keys.push(row_keys);
        }
        let directions: Vec<SortDirection> = plan.orderby.iter().map(|(_, d)| *d).collect();
        rt.tick(rows.len() as u64)?;
        order::sort_rows(rows, keys, &directions, Some(end), rt.max_json_depth())
    };
    let rows = if start > 0 {
        rows.split_off(start.min(rows.len()))
    } else {
        rows
    };
    Ok(Selected {
        rows,
        count,
        next_offset,
    })
}

pub(super) fn compute_values<'a>(
    plan: &'a ListPlan,
    value: &Val<'a>,
    it: Option<&Val<'a>>,
    rt: &Runtime<'_>,
) -> Result<Vec<Val<'a>>, EvalError> {
    let mut computed = Vec::with_capacity(plan.compute.len());
    for (_, node) in &plan.compute {
        let env = Env {
            it: it.unwrap_or(value),
            this: value,
            computed: &computed,
            scope: None,
        };
        let result = eval(node, &env, rt)?;
        computed.push(result);
    }
    Ok(computed)
}
