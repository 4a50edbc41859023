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
//! # Semantic choices
//!
//! Where the specification leaves room (and where the spec is silent), this
//! evaluator decides as follows; each choice is also documented where it is implemented.
//!
//! - **Nulls** (§2): an absent key and JSON `null` are both null; `and`/`or`/`not` are
//!   three-valued; `eq`/`ne` never give null; `gt`/`ge`/`lt`/`le` with a null operand are
//!   false except that `ge`/`le` are `gt or eq`/`lt or eq`, so `null ge null` is true; a
//!   non-Boolean operand of `and`/`or`/`not` counts as null; `$filter` keeps only `true`.
//! - **Types**: comparing values of unrelated types found in the data (`'5'` vs `5`) gives
//!   `eq` false and `gt` false; the same mistake between literals or typed functions is a
//!   compile-time [`EvalError::Type`]. Arithmetic and functions over data of the wrong type
//!   give null.
//! - **Typed strings** (§5.6): a JSON string compared with a DateTimeOffset, Date,
//!   TimeOfDay, Duration, GUID, binary or enum value is read as that type (a missing offset
//!   means UTC); a string that does not parse makes the comparison false. DateTimeOffsets
//!   compare by instant and keep their offset; date/time functions use the value's own
//!   offset; the server time zone is never used.
//! - **Numbers** (§3): JSON integers and decimal literals are exact (128-bit); a decimal
//!   literal against a JSON double is converted to the nearest double; integer results
//!   beyond Int64 are promoted, and only beyond ±1.7e38 fail with [`EvalError::Overflow`];
//!   `div` of integers truncates toward zero; integer and decimal `mod 0` and integer
//!   `div 0` fail with [`EvalError::DivisionByZero`]; double (and decimal) `div 0` and any
//!   `divby 0` give `INF`/`-INF`/`NaN`; decimal quotients keep 28 fractional digits
//!   (truncated); a decimal result with more than 38 digits is rounded to the
//!   fractional digits that fit; decimal literals with more than 38 significant digits
//!   are not supported;
//!   `round` is half away from zero; integers beyond 64 bits and decimals are written to
//!   JSON as doubles, `INF`/`NaN` as the strings `"INF"`/`"NaN"`.
//! - **Strings** (§4): compared by code point; a character is a Unicode scalar value
//!   (`length('😀')` is 1); `substring` with a negative start counts from the end, with a
//!   negative length fails; `tolower`/`toupper` use Unicode rules.
//! - **`in`** compares with `eq` (`null in (1,null)` is true); a right operand that is not a
//!   collection gives null. **`has`** reads enums as comma-separated flag names.
//! - **Lambdas** (§2.11): a null or missing collection is empty; `all` needs every member
//!   true. `$count` of a null or missing collection is 0. A type-cast segment or
//!   `cast`/`isof` to `Ns.Type` matches an object whose `@odata.type` names the type (with
//!   or without `#`); an object without `@odata.type` matches no type.
//! - **`isof`** over JSON: integers are every integer type whose range holds them plus
//!   Decimal/Double/Single; numbers with a fraction are Decimal/Double/Single; strings are
//!   `Edm.String` only. **`cast`** truncates numbers to integer types, null when out of
//!   range; a failed cast is null.
//! - **`matchesPattern`**: ECMAScript syntax translated to the linear-time `regex` engine
//!   (`\d`, `\w`, `\b` ASCII; `.` excludes line terminators); backreferences and
//!   lookaround are rejected with [`EvalError::NotSupported`].
//! - **`now()`** is read once per `apply` (UTC); `mindatetime()` is
//!   `0001-01-01T00:00:00Z`, `maxdatetime()` `9999-12-31T23:59:59.999999999Z`.
//! - **Geo**: GeoJSON values; great-circle metres (sphere of radius 6,371,008.8 m) unless a
//!   `geometry'...'` literal makes the call planar; `geo.intersects` takes a point and a
//!   (multi)polygon.
//! - **`$orderby`** (§7): total order `null < false < true < numbers < strings < Date <
//!   DateTimeOffset < TimeOfDay < Duration < Guid < Binary < enums < arrays < objects`,
//!   `NaN` above `INF`; plain JSON strings (also dates) compare as strings, typed keys by
//!   value; ties keep the input order; `$top` uses a partial sort.
//! - **`$search`**: the default [`DefaultSearch`] matches a term or phrase as a
//!   case-insensitive substring of any string value of the item (property names and
//!   annotations excluded); plug another [`SearchMatcher`] into [`EvalOptions::search`].
//! - **`$compute`**: later items may use earlier ones; computed values appear in the output
//!   when there is no `$select`, with `*`, or when selected by name.
//! - **`$select`/`$expand`** (§9, §10): see the `project` module: annotations kept,
//!   missing selected properties are null, expanded properties always returned, `/$ref`
//!   gives `{"@odata.id": <@odata.id or id>}`, `/$count` replaces the array by
//!   `name@odata.count`, `$count=true` on a null or missing collection counts 0,
//!   selecting into a complex value keeps its `@` annotations, a failing nested `$filter` on a single-valued navigation gives
//!   null, `$levels=max` means [`EvalOptions::max_levels`], `*` is a union with the
//!   other select items, an expanded property the item lacks stays absent.
//! - **`$apply`**: `sum`/`min`/`max`/`average` of no values are null, `countdistinct` 0;
//!   nulls are skipped; a property path through collections (`orders/amount`) aggregates
//!   every related item; `groupby` and `countdistinct` compare numbers by value (`1` and
//!   `1.0` are one group); groups keep first-appearance order; other transformations are
//!   [`EvalError::NotSupported`].
//! - **Paging** (§14): `$skiptoken` is `<offset>.<hash of the query text>`; the next link is
//!   [`EvalOptions::next_link_base`] `?` canonical query `&$skiptoken=...`.
//! - **Single entity input**: only `$compute`, `$select` and `$expand` apply; the other
//!   options are ignored.
//! - **Unsupported**: `$root`, `$these`, custom functions, `$deltatoken`, `$id`,
//!   `$index`, `$format` other than JSON, `$expand=$value` fail with
//!   [`EvalError::NotSupported`]; `$schemaversion` and custom options are ignored.

mod apply;
mod compile;
mod decimal;
mod exec;
mod fast;
mod functions;
mod geo;
mod list;
mod order;
mod page;
mod pattern;
mod project;
mod search;
mod temporal;
mod typing;
mod value;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};

use crate::ast::{Query, SortDirection};
use crate::error::EvalError;
use crate::limits::Limits;

use compile::Compiler;
pub(crate) use exec::Runtime;
use exec::{eval, Env};
use list::{compile_list, compute_values, select_rows, window_range, ListPlan, Row};
use value::Val;

pub use search::{DefaultSearch, SearchMatcher};

/// How to evaluate: limits, paging, the `$search` matcher, the clock, and an optional
/// data model. Start from the default and set what differs.
///
/// ```
/// use odata_query::{EvalOptions, Query};
/// use serde_json::json;
///
/// let mut options = EvalOptions::default();
/// options.max_page_size = Some(2);
/// options.next_link_base = "https://host/svc/items".into();
/// let plan = Query::parse("$orderby=n")?.compile(&options)?;
/// let page = plan.apply(&json!([{"n": 3}, {"n": 1}, {"n": 2}]))?;
/// assert_eq!(page["value"], json!([{"n": 1}, {"n": 2}]));
/// let next = page["@odata.nextLink"].as_str().unwrap();
/// assert!(next.starts_with("https://host/svc/items?$orderby=n&$skiptoken="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// Compatibility switch (URL §5.1.1.1.3): `gt`/`ge`/`lt`/`le` with a null operand give
    /// null, as in SQL and ASP.NET Core OData, instead of false as the specification says.
    /// Then `not (Price gt 5)` excludes items whose `Price` is null. Default `false`.
    pub sql_null_semantics: bool,
    /// A data model that types the values read from JSON (see [`EvalOptions::with_model`]).
    /// `None` (the default) evaluates schemaless JSON.
    pub model: Option<Arc<crate::model::Model>>,
    /// The entity set (or resource path, see [`crate::check::Target::resolve`]) the query
    /// is sent to, when [`EvalOptions::model`] is set.
    pub resource: Option<String>,
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
            sql_null_semantics: false,
            model: None,
            resource: None,
        }
    }
}

impl EvalOptions {
    /// Types values by `model`, for a query sent to `resource` (an entity set, singleton
    /// or resource path): a `DateTimeOffset` property held as a JSON string compares and
    /// sorts by instant, an `Int64` held as a string is a number, an `Edm.Decimal` held as
    /// a JSON number is exact, enums read by name or value, casts follow the declared
    /// hierarchy. Compiling fails when the resource is not in the model; check the query
    /// first ([`Query::check`]) for errors about its names and types.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use odata_query::model::{Edm, Model};
    /// use odata_query::{EvalOptions, Query};
    /// use serde_json::json;
    ///
    /// let model = Model::builder()
    ///     .namespace("ns")
    ///     .entity_type("event", |t| {
    ///         t.key("id").property("id", Edm::Int64).property("at", Edm::DateTimeOffset)
    ///     })
    ///     .entity_set("events", "event")
    ///     .build()?;
    /// let options = EvalOptions::default().with_model(Arc::new(model), "events");
    /// let plan = Query::parse("$orderby=at&$select=id")?.compile(&options)?;
    /// // Instants, not strings: 09:00+02:00 is 07:00Z, before 08:00Z.
    /// let events = json!([{"id": 1, "at": "2026-01-01T08:00:00Z"}, {"id": 2, "at": "2026-01-01T09:00:00+02:00"}]);
    /// assert_eq!(plan.apply(&events)?, json!({"value": [{"id": 2}, {"id": 1}]}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_model(
        mut self,
        model: Arc<crate::model::Model>,
        resource: impl Into<String>,
    ) -> EvalOptions {
        self.model = Some(model);
        self.resource = Some(resource.into());
        self
    }
}

/// A compiled query, ready to apply to any number of documents. `Send + Sync`, so one plan
/// can serve many requests at once (cache it by the query's canonical text).
///
/// ```
/// use std::sync::Arc;
/// use odata_query::{EvalOptions, Plan, Query};
///
/// let plan: Arc<Plan> = Arc::new(Query::parse("$filter=n gt 1")?.compile(&EvalOptions::default())?);
/// let worker = {
///     let plan = Arc::clone(&plan);
///     std::thread::spawn(move || plan.apply(&serde_json::json!([{"n": 2}])).map(|r| r["value"].clone()))
/// };
/// assert_eq!(worker.join().unwrap()?, serde_json::json!([{"n": 2}]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Plan {
    list: ListPlan,
    options: EvalOptions,
    paging: page::Paging,
    default_search: DefaultSearch,
}

impl Query {
    /// Compiles the query for evaluation: resolves paths, converts literals, compiles
    /// patterns and checks what can be checked before seeing data.
    ///
    /// ```
    /// use odata_query::{EvalError, EvalOptions, Query};
    ///
    /// assert!(Query::parse("$filter=size gt 1000")?.compile(&EvalOptions::default()).is_ok());
    /// // Mistakes between literals are found before any data is seen.
    /// let error = Query::parse("$filter='a' add 1 eq 2")?.compile(&EvalOptions::default()).unwrap_err();
    /// assert!(matches!(error, EvalError::Type(_)));
    /// // What the evaluator cannot answer is a 501 that names it.
    /// let error = Query::parse("$filter=$root/People/$count gt 1")?.compile(&EvalOptions::default()).unwrap_err();
    /// assert_eq!(error.http_status(), 501);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compile(&self, options: &EvalOptions) -> Result<Plan, EvalError> {
        let mut compiler = Compiler::new(options);
        if let (Some(model), Some(resource)) = (options.model.as_deref(), &options.resource) {
            let target = crate::check::Target::resolve(model, resource)
                .map_err(|e| EvalError::Invalid(e.to_string()))?;
            let declared = match model.structured_type(&target.type_name) {
                Some(ty) => typing::Declared::Structured(ty, false),
                None => typing::Declared::Unknown,
            };
            compiler.set_item_type(declared);
        }
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

impl Plan {
    pub(crate) fn runtime(&self) -> Runtime<'_> {
        let now = self
            .options
            .now
            .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset());
        let search: &dyn SearchMatcher = match &self.options.search {
            Some(matcher) => matcher.as_ref(),
            None => &self.default_search,
        };
        let mut runtime = Runtime::new(&self.options.limits, now, search);
        runtime.sql_nulls = self.options.sql_null_semantics;
        runtime
    }

    /// Applies the query to a document and builds the OData response:
    /// `{"@odata.context"?, "@odata.count"?, "value": [...], "@odata.nextLink"?}` for a
    /// collection, the projected entity for a single entity.
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query};
    /// use serde_json::json;
    ///
    /// let plan = Query::parse("$expand=files($filter=size gt 1000000;$count=true)&$select=id")?
    ///     .compile(&EvalOptions::default())?;
    /// let document = json!({
    ///     "@odata.context": "$metadata#uploadSessions",
    ///     "value": [{"id": "a", "files": [{"size": 5}, {"size": 2000000}]}]
    /// });
    /// assert_eq!(
    ///     plan.apply(&document)?,
    ///     json!({
    ///         "@odata.context": "$metadata#uploadSessions",
    ///         "value": [{"id": "a", "files": [{"size": 2000000}], "files@odata.count": 1}]
    ///     })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query};
    /// use serde_json::json;
    ///
    /// let items = vec![json!({"n": 3}), json!({"n": 1}), json!({"n": 2})];
    /// let plan = Query::parse("$filter=n gt 1&$orderby=n desc")?.compile(&EvalOptions::default())?;
    /// let picked = plan.select_refs(&items)?;
    /// assert!(std::ptr::eq(picked[0], &items[0]));
    /// assert_eq!(picked, [&items[0], &items[2]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query};
    /// use serde_json::json;
    ///
    /// let items = vec![json!({"n": 1}), json!({"n": 5}), json!({"n": 9})];
    /// let plan = Query::parse("$filter=n ge 5")?.compile(&EvalOptions::default())?;
    /// let first = plan.filter_iter(&items).next().transpose()?;
    /// assert_eq!(first, Some(&items[1]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter_iter<'a>(
        &'a self,
        items: &'a [Value],
    ) -> impl Iterator<Item = Result<&'a Value, EvalError>> + 'a {
        let rt = self.runtime();
        // Decided once, not per item: whether the `$filter` alone decides.
        let only_filter = self.only_filter();
        let mut rest = items.iter();
        let mut failed = false;
        std::iter::from_fn(move || {
            while !failed {
                let item = rest.next()?;
                let kept = match only_filter {
                    Some(filter) => filter.holds_item(item, 1, &rt),
                    None => self.matches_in_full(item, &rt),
                };
                match kept {
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

    /// Whether the plan can run record by record ([`Plan::matches`], [`Plan::window_for`],
    /// [`Plan::project_entity`]): false when it has `$apply`, which builds new items.
    pub(crate) fn is_streamable(&self) -> bool {
        self.list.apply.is_empty()
    }

    /// Whether result items differ from the input items (`$select`, `$expand` or
    /// `$compute` is present); when false, matching items can be copied as they are.
    pub(crate) fn projects(&self) -> bool {
        !self.list.compute.is_empty() || self.list.shape.is_projecting()
    }

    /// Projects one item as a member of the result (`$compute`, `$select`, `$expand`).
    pub(crate) fn project_entity(&self, item: &Value) -> Result<Value, EvalError> {
        let rt = self.runtime();
        self.apply_entity(item, &rt)
    }

    /// For streaming: whether `$orderby` is present.
    pub(crate) fn orders(&self) -> bool {
        !self.list.orderby.is_empty()
    }

    /// For streaming: whether `@odata.count` is requested.
    pub(crate) fn counts(&self) -> bool {
        self.list.count
    }

    /// For streaming: the window over `count` ordered matches, see [`window_range`].
    pub(crate) fn window_for(&self, count: usize) -> (usize, usize, Option<usize>) {
        window_range(
            count,
            self.list.skip,
            self.list.top,
            self.paging.window(&self.options),
        )
    }

    /// For streaming: the next link for a page that starts at `offset`.
    pub(crate) fn next_link_at(&self, offset: usize) -> String {
        self.paging.next_link(offset, &self.options)
    }

    /// The `$orderby` keys of `item` (with its `$compute` values).
    fn sort_keys<'v>(
        &'v self,
        item: &'v Value,
        rt: &Runtime<'_>,
    ) -> Result<Vec<Val<'v>>, EvalError> {
        let value = Val::from_json(item);
        let computed = compute_values(&self.list, &value, None, rt)?;
        let env = Env::new(&value, &computed);
        let mut keys = Vec::with_capacity(self.list.orderby.len());
        for (node, _) in &self.list.orderby {
            keys.push(eval(node, &env, rt)?);
        }
        Ok(keys)
    }

    /// For streaming: whether `a` sorts strictly before `b` by the `$orderby` keys.
    pub(crate) fn precedes(
        &self,
        a: &Value,
        b: &Value,
        rt: &Runtime<'_>,
    ) -> Result<bool, EvalError> {
        // The keys are dropped on return: release their charges.
        let mark = rt.bytes_mark();
        let (left, right) = (self.sort_keys(a, rt)?, self.sort_keys(b, rt)?);
        let directions: Vec<SortDirection> = self.list.orderby.iter().map(|(_, d)| *d).collect();
        let before = order::compare_key_values(&left, &right, &directions, rt.max_json_depth())
            == std::cmp::Ordering::Less;
        rt.release_to(mark);
        Ok(before)
    }

    /// For streaming: the positions in `kept` of its first `n` items in `$orderby` order
    /// (stable: ties keep their order in `kept`).
    pub(crate) fn order_prefix(
        &self,
        kept: &[Value],
        n: usize,
        rt: &Runtime<'_>,
    ) -> Result<Vec<usize>, EvalError> {
        let mark = rt.bytes_mark();
        let mut rows = Vec::with_capacity(kept.len());
        let mut keys = Vec::with_capacity(kept.len());
        for (index, item) in kept.iter().enumerate() {
            let value = Val::from_json(item);
            let computed = compute_values(&self.list, &value, None, rt)?;
            let env = Env::new(&value, &computed);
            let mut row_keys = Vec::with_capacity(self.list.orderby.len());
            for (node, _) in &self.list.orderby {
                row_keys.push(eval(node, &env, rt)?);
            }
            keys.push(row_keys);
            rows.push(index);
        }
        let directions: Vec<SortDirection> = self.list.orderby.iter().map(|(_, d)| *d).collect();
        rt.tick(rows.len() as u64)?;
        let mut ordered = order::sort_rows(rows, keys, &directions, Some(n), rt.max_json_depth());
        ordered.truncate(n);
        // The keys were dropped by the sort: release their charges.
        rt.release_to(mark);
        Ok(ordered)
    }

    /// Whether one item passes `$search` and `$filter` (with `$compute`).
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query};
    /// use serde_json::json;
    ///
    /// let plan = Query::parse("$filter=not (size gt 5)")?.compile(&EvalOptions::default())?;
    /// assert!(plan.matches(&json!({"size": 1}))?);
    /// // A null operand of `gt` gives false, so `not` of it is true (URL 5.1.1.1.3).
    /// assert!(plan.matches(&json!({"size": null}))?);
    /// assert!(!plan.matches(&json!({"size": 9}))?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, item: &Value) -> Result<bool, EvalError> {
        self.matches_with(item, &self.runtime())
    }

    #[inline]
    pub(crate) fn matches_with(&self, item: &Value, rt: &Runtime<'_>) -> Result<bool, EvalError> {
        match self.only_filter() {
            // The common case: only a `$filter` (general leaves may still charge, and
            // release what they built). The item's own step is charged with the filter's.
            Some(filter) => filter.holds_item(item, 1, rt),
            None => self.matches_in_full(item, rt),
        }
    }

    /// The `$filter`, when it alone decides which items match (no `$compute`, no
    /// `$search`).
    #[inline]
    fn only_filter(&self) -> Option<&fast::Filter> {
        match (
            self.list.compute.is_empty(),
            &self.list.search,
            &self.list.filter,
        ) {
            (true, None, Some(filter)) => Some(filter),
            _ => None,
        }
    }

    /// [`Plan::matches_with`] with `$compute` or `$search`.
    #[inline(never)]
    fn matches_in_full(&self, item: &Value, rt: &Runtime<'_>) -> Result<bool, EvalError> {
        rt.tick(1)?;
        // Everything built here is dropped on return: release its charges.
        let mark = rt.bytes_mark();
        let value = Val::from_json(item);
        let computed = compute_values(&self.list, &value, None, rt)?;
        if let Some(search) = &self.list.search {
            if !search::matches(search, item, rt)? {
                rt.release_to(mark);
                return Ok(false);
            }
        }
        let kept = match &self.list.filter {
            Some(filter) => filter.holds(&Env::new(&value, &computed), rt),
            None => Ok(true),
        };
        rt.release_to(mark);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn plan(query: &str, options: &EvalOptions) -> Plan {
        Query::parse(query).unwrap().compile(options).unwrap()
    }

    #[test]
    fn plans_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Plan>();
    }

    #[test]
    fn borrowing_forms_return_input_references() {
        let items = vec![json!({"n": 3}), json!({"n": 1}), json!({"n": 2})];
        let plan = plan("$filter=n gt 1&$orderby=n&$top=1", &EvalOptions::default());
        let refs = plan.select_refs(&items).unwrap();
        assert_eq!(refs.len(), 1);
        assert!(std::ptr::eq(refs[0], &items[2]));
        let lazy: Vec<&Value> = plan.filter_iter(&items).map(Result::unwrap).collect();
        assert!(std::ptr::eq(lazy[0], &items[0]) && std::ptr::eq(lazy[1], &items[2]));
        assert!(plan.matches(&items[0]).unwrap());
        assert!(!plan.matches(&items[1]).unwrap());
    }

    #[test]
    fn errors_stop_the_lazy_iterator() {
        let items = vec![json!({"n": 1}), json!({"n": 2})];
        let plan = plan("$filter=n mod 0 eq 1", &EvalOptions::default());
        let results: Vec<_> = plan.filter_iter(&items).collect();
        assert_eq!(results, vec![Err(EvalError::DivisionByZero)]);
    }

    #[derive(Debug)]
    struct IdSearch;

    impl SearchMatcher for IdSearch {
        fn matches(&self, item: &Value, term: &str, _: bool, _: usize) -> Result<bool, EvalError> {
            Ok(item["id"].as_str() == Some(term))
        }
    }

    #[test]
    fn search_matcher_is_pluggable() {
        let options = EvalOptions {
            search: Some(Arc::new(IdSearch)),
            ..EvalOptions::default()
        };
        let items = json!([{"id": "a", "text": "b"}, {"id": "b", "text": "a"}]);
        let response = plan("$search=a", &options).apply(&items).unwrap();
        assert_eq!(response, json!({"value": [{"id": "a", "text": "b"}]}));
    }

    #[test]
    fn next_link_uses_the_base() {
        let options = EvalOptions {
            max_page_size: Some(1),
            next_link_base: "https://example.com/items".into(),
            ..EvalOptions::default()
        };
        let response = plan("$top=2", &options).apply(&json!([1, 2, 3])).unwrap();
        assert_eq!(response["value"], json!([1]));
        let link = response["@odata.nextLink"].as_str().unwrap();
        assert!(
            link.starts_with("https://example.com/items?$top=2&$skiptoken=1."),
            "{link}"
        );
    }

    #[test]
    fn now_is_read_once_per_apply() {
        let items: Vec<Value> = (0..50).map(|i| json!({"i": i})).collect();
        let plan = plan("$compute=now() as t&$select=t", &EvalOptions::default());
        let response = plan.apply(&Value::Array(items)).unwrap();
        let first = &response["value"][0]["t"];
        assert!(response["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| &v["t"] == first));
    }
}
