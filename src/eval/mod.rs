//! Evaluation of a parsed [`crate::ast::Query`] over JSON.
//!
//! Compile once, apply many times:
//!
//! ```
//! use odata_query::ast::Query;
//! use odata_query::eval::EvalOptions;
//! use serde_json::json;
//!
//! let query = Query::parse("$filter=size gt 1000&$orderby=size desc&$count=true").unwrap();
//! let plan = query.compile(&EvalOptions::default()).unwrap();
//! let response = plan
//!     .apply(&json!([{"size": 5}, {"size": 5000}, {"size": 2000}]))
//!     .unwrap();
//! assert_eq!(
//!     response,
//!     json!({"@odata.count": 2, "value": [{"size": 5000}, {"size": 2000}]})
//! );
//! ```
//!
//! The input is a JSON array, an OData response object with `value` (its
//! `@odata.context` is kept), or a single entity (then only `$select`, `$expand` and
//! `$compute` apply). Options apply in the order of Prot §11.2.1: `$apply`, `$compute`,
//! `$search`, `$filter`, `$count`, `$orderby`, `$skip`, `$top`, paging, then `$expand` and
//! `$select`.
//!
//! Semantic choices are documented where they are implemented: [`value`] (null rules,
//! comparisons, arithmetic), [`order`] (sorting), [`functions`] (canonical functions,
//! `cast`, `isof`), [`pattern`] (`matchesPattern`), [`project`] (`$select`/`$expand`),
//! [`apply`] (`$apply`), [`page`] (`$skiptoken`), [`search`] (`$search`).

mod apply;
mod compile;
mod exec;
mod functions;
mod order;
mod page;
mod pattern;
mod project;
mod search;
mod temporal;
mod value;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};

use crate::ast::{Query, Search, SortDirection};
use crate::error::EvalError;
use crate::limits::Limits;

use compile::{Compiler, Node};
use exec::{eval, holds, Env, Runtime};
use value::Val;

pub use search::{DefaultSearch, SearchMatcher};

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Limits: [`Limits::max_eval_steps`], [`Limits::max_json_depth`],
    /// [`Limits::max_regex_length`], [`Limits::max_expand_items`], ...
    pub limits: Limits,
    /// Server-driven paging: at most this many items per response; a longer result ends
    /// with `@odata.nextLink`. `None` (the default) returns everything.
    pub max_page_size: Option<usize>,
    /// The `$search` matcher; `None` uses [`DefaultSearch`] (case-insensitive substring
    /// over the item's string values).
    pub search: Option<Arc<dyn SearchMatcher>>,
    /// A fixed `now()`; `None` reads the clock (UTC) once per `apply`.
    pub now: Option<DateTime<FixedOffset>>,
    /// What `$levels=max` means. Default 8.
    pub max_levels: u32,
    /// The URL the `@odata.nextLink` starts with (before `?`). Default empty, which
    /// gives a relative link `?$filter=...&$skiptoken=...`.
    pub next_link_base: String,
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            limits: Limits::default(),
            max_page_size: None,
            search: None,
            now: None,
            max_levels: 8,
            next_link_base: String::new(),
        }
    }
}

/// A compiled query, ready to apply to any number of documents. `Send + Sync`.
#[derive(Debug)]
pub struct Plan {
    list: ListPlan,
    options: EvalOptions,
    paging: page::Paging,
    default_search: DefaultSearch,
}

/// The options of one list level: the top level, an `$expand` item, a `$select` item
/// with options.
#[derive(Debug)]
pub(crate) struct ListPlan {
    apply: Vec<apply::Step>,
    compute: Vec<(String, Node)>,
    search: Option<Search>,
    filter: Option<Node>,
    pub(crate) count: bool,
    orderby: Vec<(Node, SortDirection)>,
    skip: u64,
    top: Option<u64>,
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
        .map(|f| c.predicate(f, "$filter"))
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

impl Query {
    /// Compiles the query for evaluation: resolves paths, converts literals, compiles
    /// patterns and checks what can be checked before seeing data.
    pub fn compile(&self, options: &EvalOptions) -> Result<Plan, EvalError> {
        let mut compiler = Compiler::new(options);
        let list = compile_list(&mut compiler, self)?;
        let paging = page::Paging::new(self, options)?;
        Ok(Plan {
            list,
            options: options.clone(),
            paging,
            default_search: DefaultSearch::default(),
        })
    }
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
        let value = Val::from_json(item);
        let computed = compute_values(plan, &value, it, rt)?;
        if let Some(search) = &plan.search {
            if !search::matches(search, item, rt)? {
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
            if !holds(filter, &env, rt)? {
                continue;
            }
        }
        rows.push(Row {
            item,
            value,
            computed,
        });
    }
    let count = rows.len();
    let skip = usize::try_from(plan.skip).unwrap_or(usize::MAX);
    let top = plan
        .top
        .map_or(usize::MAX, |t| usize::try_from(t).unwrap_or(usize::MAX));
    let result_len = count.saturating_sub(skip).min(top);
    let (offset, page_size) = paging.unwrap_or((0, usize::MAX));
    let page_end = offset.saturating_add(page_size);
    let start = skip.saturating_add(offset.min(result_len));
    let end = skip.saturating_add(result_len.min(page_end));
    let next_offset = (page_end < result_len).then_some(page_end);
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

fn compute_values<'a>(
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

impl Plan {
    fn runtime(&self) -> Runtime<'_> {
        let now = self
            .options
            .now
            .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset());
        let search: &dyn SearchMatcher = match &self.options.search {
            Some(matcher) => matcher.as_ref(),
            None => &self.default_search,
        };
        Runtime::new(&self.options.limits, now, search)
    }

    /// Applies the query to a document and builds the OData response:
    /// `{"@odata.context"?, "@odata.count"?, "value": [...], "@odata.nextLink"?}` for a
    /// collection, the projected entity for a single entity.
    pub fn apply(&self, input: &Value) -> Result<Value, EvalError> {
        let rt = self.runtime();
        match input {
            Value::Array(items) => self.apply_collection(items, None, &rt),
            Value::Object(map) => match map.get("value") {
                Some(Value::Array(items)) => {
                    self.apply_collection(items, map.get("@odata.context"), &rt)
                }
                _ => self.apply_entity(input, &rt),
            },
            _ => Err(EvalError::Input(
                "expected a JSON array, an object with a `value` array, or an entity object".into(),
            )),
        }
    }

    fn apply_collection(
        &self,
        items: &[Value],
        context: Option<&Value>,
        rt: &Runtime<'_>,
    ) -> Result<Value, EvalError> {
        let applied: Cow<'_, [Value]> = if self.list.apply.is_empty() {
            Cow::Borrowed(items)
        } else {
            Cow::Owned(apply::run(&self.list.apply, items.to_vec(), rt)?)
        };
        let selected = select_rows(
            &self.list,
            &applied,
            None,
            self.paging.window(&self.options),
            rt,
        )?;
        let mut values = Vec::with_capacity(selected.rows.len());
        let ctx = project::Context { it: None, depth: 0 };
        for row in &selected.rows {
            values.push(project::project(&self.list.shape, row, ctx, rt)?);
        }
        let mut out = Map::new();
        if let Some(context) = context {
            out.insert("@odata.context".into(), context.clone());
        }
        if self.list.count {
            out.insert("@odata.count".into(), Value::from(selected.count));
        }
        out.insert("value".into(), Value::Array(values));
        if let Some(next) = selected.next_offset {
            out.insert(
                "@odata.nextLink".into(),
                Value::from(self.paging.next_link(next, &self.options)),
            );
        }
        Ok(Value::Object(out))
    }

    fn apply_entity(&self, entity: &Value, rt: &Runtime<'_>) -> Result<Value, EvalError> {
        let value = Val::from_json(entity);
        let computed = compute_values(&self.list, &value, None, rt)?;
        let row = Row {
            item: entity,
            value,
            computed,
        };
        project::project(
            &self.list.shape,
            &row,
            project::Context { it: None, depth: 0 },
            rt,
        )
    }

    /// The items that pass `$search` and `$filter` (with `$compute`), ordered by
    /// `$orderby`, cut by `$skip`/`$top` (and the `$skiptoken` page, when paging), borrowed
    /// from `items`: no cloning, no projection. `$apply` needs [`Plan::apply`].
    pub fn select_refs<'a>(&'a self, items: &'a [Value]) -> Result<Vec<&'a Value>, EvalError> {
        if !self.list.apply.is_empty() {
            return Err(EvalError::NotSupported(
                "$apply with select_refs (it builds new items; use apply)".into(),
            ));
        }
        let rt = self.runtime();
        let selected = select_rows(
            &self.list,
            items,
            None,
            self.paging.window(&self.options),
            &rt,
        )?;
        Ok(selected.rows.into_iter().map(|row| row.item).collect())
    }

    /// The items that pass `$search` and `$filter`, lazily and in input order, borrowed
    /// from `items`. Ignores `$orderby`, `$skip`, `$top` and `$apply`.
    pub fn filter_iter<'a>(
        &'a self,
        items: &'a [Value],
    ) -> impl Iterator<Item = Result<&'a Value, EvalError>> + 'a {
        let rt = self.runtime();
        let mut index = 0;
        let mut failed = false;
        std::iter::from_fn(move || {
            while !failed {
                let item = items.get(index)?;
                index += 1;
                match self.matches_with(item, &rt) {
                    Ok(true) => return Some(Ok(item)),
                    Ok(false) => {}
                    Err(error) => {
                        failed = true;
                        return Some(Err(error));
                    }
                }
            }
            None
        })
    }

    /// Whether one item passes `$search` and `$filter` (with `$compute`).
    pub fn matches(&self, item: &Value) -> Result<bool, EvalError> {
        self.matches_with(item, &self.runtime())
    }

    fn matches_with(&self, item: &Value, rt: &Runtime<'_>) -> Result<bool, EvalError> {
        rt.tick(1)?;
        let value = Val::from_json(item);
        let computed = compute_values(&self.list, &value, None, rt)?;
        if let Some(search) = &self.list.search {
            if !search::matches(search, item, rt)? {
                return Ok(false);
            }
        }
        match &self.list.filter {
            Some(filter) => holds(filter, &Env::new(&value, &computed), rt),
            None => Ok(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Plan>();
    }
}
