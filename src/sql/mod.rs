//! Push queries down to a database: OData queries as parameterized SQL for SQLite and
//! PostgreSQL with the evaluator's exact answers (feature `sql`; the executors and
//! loaders need `sqlite` or `postgres`).
//!
//! ```
//! use odata_query::model::{Edm, Model};
//! use odata_query::sql::{Dialect, Mapping};
//! use odata_query::Query;
//!
//! let model = Model::builder()
//!     .namespace("microsoft.graph")
//!     .entity_type("file", |t| {
//!         t.key("id").property("id", Edm::String).property("size", Edm::Int64)
//!     })
//!     .entity_set("files", "file")
//!     .build()?;
//! let mapping = Mapping::from_model(&model)?;
//! let query = Query::parse("$filter=size gt 1000000&$orderby=size desc&$top=5")?;
//! let sql = query.to_sql(&mapping, Dialect::Postgres)?;
//! assert!(sql.sql.contains(r#"WHERE (t0."size" > $1::bigint)"#));
//! assert!(sql.sql.contains(r#"ORDER BY t0."size" DESC NULLS LAST, t0."_ordinal" ASC LIMIT $2::bigint"#));
//! assert_eq!(sql.params.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - **Mapping** ([`Mapping`]): entity set → table, property → column, complex property →
//!   flattened columns or one JSON column, contained collection → child table; by
//!   convention from the [`Model`](crate::model::Model), overridable in Rust or by a mapping
//!   file ([`Overrides`]).
//! - **Parameters only**: every value from the request is a bound parameter
//!   ([`SqlValue`]), typed on PostgreSQL (`$1::bigint`), `?N` on SQLite. Identifiers come
//!   from the mapping only, quoted by [`quote_identifier`].
//! - **Exact or an error**: what cannot be expressed exactly is [`SqlError::NotSupported`]
//!   (HTTP 501) naming the construct, never a different answer. The places where a database
//!   cannot match the evaluator are listed in the README ("SQL: divergences").
//! - **Answers**: each item is built as JSON by the database; [`response()`] turns the rows
//!   into the OData response (`value`, `@odata.count`), whichever driver ran them.

mod aggregate;
mod apply;
mod cast;
mod compare;
mod dialect;
mod error;
mod expand;
mod expr;
mod functions;
mod mapping;
mod mapping_file;
mod operand;
mod page;
mod pattern;
mod records;
mod response;
mod rows;
mod schema;
mod search;
mod select;
mod temporal;
mod translate;
mod writer;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use crate::ast::Query;

pub use dialect::{quote_identifier, Dialect, ParamType, StoredType};
pub use error::SqlError;
pub use mapping::{Mapping, NavigationMapping, PropertyMapping, Storage, Table};
pub use mapping_file::{Overrides, TableOverrides};
pub use page::Page;
pub use records::for_each_record;
pub use response::{item, response, response_text};
pub use schema::{create_statements, rows_of, LoadRow, CONTEXT_TABLE};
pub use search::{DefaultSqlSearch, SearchText, SqlSearch};
pub use select::{ABSENT_MEMBER, DROP_MEMBER, KEEP_MEMBER, ONLY_MEMBER};
pub use translate::instant_text;
pub use writer::SqlValue;

use translate::Translator;

/// How to translate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SqlOptions {
    /// The dialect.
    pub dialect: Dialect,
    /// The entity set queried; `None` when the mapping has only one.
    pub entity_set: Option<String>,
    /// A fixed `now()`; `None` reads the clock (UTC) once per translation.
    pub now: Option<DateTime<FixedOffset>>,
    /// The `$search` matcher; `None` uses [`DefaultSqlSearch`].
    pub search: Option<Arc<dyn SqlSearch>>,
    /// Server-driven paging: at most this many items per response, then
    /// `@odata.nextLink` (the evaluator's [`EvalOptions::max_page_size`]); `None` returns
    /// everything (a `$skiptoken` is still honoured).
    ///
    /// [`EvalOptions::max_page_size`]: crate::eval::EvalOptions::max_page_size
    pub max_page_size: Option<usize>,
    /// What `@odata.nextLink` starts with, before `?` (empty: a relative link).
    pub next_link_base: String,
}

impl SqlOptions {
    /// Options for `dialect`, everything else by default.
    pub fn new(dialect: Dialect) -> SqlOptions {
        SqlOptions {
            dialect,
            entity_set: None,
            now: None,
            search: None,
            max_page_size: None,
            next_link_base: String::new(),
        }
    }
}

/// A statement and the values of its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlStatement {
    /// The SQL text.
    pub sql: String,
    /// The parameter values (`?1`/`$1` first).
    pub params: Vec<SqlValue>,
}

/// A translated query. Run `sql` with `params` on any driver: each row has one column,
/// `value`, the item's JSON text, in response order. When `$count=true`, `count` is a
/// second statement returning one row with the count.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    /// The statement returning the items.
    pub sql: String,
    /// Its parameter values.
    pub params: Vec<SqlValue>,
    /// The `@odata.count` statement, when `$count=true`.
    pub count: Option<SqlStatement>,
    /// A statement to run first and whose rows are ignored, when the items statement may
    /// stop before evaluating every row but the query can fail on one (an integer `div`
    /// by zero in `$filter` with `$top`): the evaluator fails such a request, so must the
    /// database.
    pub check: Option<SqlStatement>,
    /// The dialect it is written in.
    pub dialect: Dialect,
    /// True when the items statement can return nothing (`$top=0`), so an executor may
    /// skip it.
    pub no_items: bool,
    /// With server-driven paging, the page: the statement returns up to one row more than
    /// the page holds, and that row means the response ends with
    /// `@odata.nextLink` ([`SqlQuery::finish_page`]).
    pub page: Option<Page>,
}

impl SqlQuery {
    /// Cuts the rows to the page and returns the `@odata.nextLink` when more follow.
    pub fn finish_page<T>(&self, rows: &mut Vec<T>) -> Option<String> {
        let page = self.page.as_ref()?;
        if rows.len() > page.size {
            rows.truncate(page.size);
            Some(page.next_link.clone())
        } else {
            None
        }
    }

    /// `{"sql": ..., "params": [...]}` (and `"count"` when there is one), as `odq sql`
    /// prints it.
    pub fn to_json(&self) -> serde_json::Value {
        let params = |values: &[SqlValue]| values.iter().map(SqlValue::to_json).collect::<Vec<_>>();
        let mut out = serde_json::json!({ "sql": self.sql, "params": params(&self.params) });
        if let Some(count) = &self.count {
            out["count"] = serde_json::json!({ "sql": count.sql, "params": params(&count.params) });
        }
        if let Some(check) = &self.check {
            out["check"] = serde_json::json!({ "sql": check.sql, "params": params(&check.params) });
        }
        out
    }
}

/// `query` translated into `dialect` (whatever `options` names), and the entity set it
/// reads: the one `options` names, else the mapping's only one (empty when there are
/// several, where the translation has already failed). The executors' common first step.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn translate_for(
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
    dialect: Dialect,
) -> Result<(SqlQuery, String), SqlError> {
    let options = SqlOptions {
        dialect,
        ..options.clone()
    };
    let translated = query.to_sql_with(mapping, &options)?;
    let set = match options.entity_set {
        Some(set) => set,
        None => mapping.single_set().unwrap_or_default().to_owned(),
    };
    Ok((translated, set))
}

impl Query {
    /// Translates the query over the mapping's only entity set into `dialect`.
    pub fn to_sql(&self, mapping: &Mapping, dialect: Dialect) -> Result<SqlQuery, SqlError> {
        self.to_sql_with(mapping, &SqlOptions::new(dialect))
    }

    /// Translates the query with options (the entity set, `now()`, the search matcher).
    pub fn to_sql_with(
        &self,
        mapping: &Mapping,
        options: &SqlOptions,
    ) -> Result<SqlQuery, SqlError> {
        let set = match &options.entity_set {
            Some(set) => set.as_str(),
            None => mapping.single_set().ok_or_else(|| {
                SqlError::Mapping("the mapping has several entity sets: name one".into())
            })?,
        };
        let table = mapping.set(set).ok_or_else(|| {
            SqlError::Mapping(format!("no table is mapped for the entity set {set}"))
        })?;
        let default_search = DefaultSqlSearch;
        let search: &dyn SqlSearch = match &options.search {
            Some(search) => search.as_ref(),
            None => &default_search,
        };
        let now = options
            .now
            .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset());
        let mut translator = Translator::new(options.dialect, now, search);
        translator.paging = page::Paging::new(self, options.max_page_size)?;
        let page = translator
            .paging
            .as_ref()
            .and_then(|paging| paging.page(&options.next_link_base));
        let scope = translator.scope(table);
        let list = translator.list(self, &scope, None, None)?;
        let dialect = options.dialect;
        let where_clause = list.where_clause();
        let items = format!(
            "SELECT {} AS value FROM {}{where_clause} ORDER BY {}{}",
            dialect.json_text(&list.object),
            list.from,
            list.order.join(", "),
            list.limit
        );
        let (sql, params) = writer::finish(&items, &translator.params, dialect);
        let counting = format!("SELECT count(*) AS count FROM {}{where_clause}", list.from);
        let statement = |text: &str| {
            let (sql, params) = writer::finish(text, &translator.params, dialect);
            SqlStatement { sql, params }
        };
        if dialect == Dialect::Postgres
            && translator
                .params
                .values
                .iter()
                .any(|(value, _)| matches!(value, SqlValue::Text(t) if t.contains('\0')))
        {
            return Err(SqlError::NotSupported(
                "a string with a NUL character (PostgreSQL text cannot hold one)".into(),
            ));
        }
        let count = (self.count == Some(true)).then(|| statement(&counting));
        let no_items = self.top == Some(0);
        let stops_early = !list.limit.is_empty() || no_items;
        let check = (count.is_none() && stops_early && where_clause.contains(dialect::MAY_FAIL))
            .then(|| statement(&counting));
        Ok(SqlQuery {
            sql,
            params,
            count,
            check,
            dialect,
            no_items,
            page,
        })
    }
}
