//! Run translated queries on SQLite through `rusqlite` (feature `sqlite`, SQLite compiled
//! in), and load JSON collections into the mapping's tables.
//!
//! ```
//! use odata_query::model::{Edm, Model};
//! use odata_query::sql::{sqlite, Dialect, Mapping, SqlOptions};
//! use odata_query::Query;
//! use serde_json::json;
//!
//! let model = Model::builder()
//!     .namespace("ns")
//!     .entity_type("item", |t| t.key("id").property("id", Edm::Int64).property("name", Edm::String))
//!     .entity_set("items", "item")
//!     .build()?;
//! let mapping = Mapping::from_model(&model)?;
//! let mut connection = rusqlite::Connection::open_in_memory()?;
//! sqlite::create_tables(&connection, &mapping)?;
//! let records = vec![json!({"id": 1, "name": "a"}), json!({"id": 2, "name": "b"})];
//! sqlite::load(&mut connection, &mapping, "items", &records, None)?;
//! let query = Query::parse("$filter=name ne 'a'&$count=true")?;
//! let answer = sqlite::answer(&connection, &mapping, &query, &SqlOptions::new(Dialect::Sqlite))?;
//! assert_eq!(answer, json!({"@odata.count": 2 - 1, "value": [{"id": 2, "name": "b"}]}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;

use rusqlite::types::Value as SqliteValue;
pub use rusqlite::Connection;
use serde_json::Value;

use super::dialect::{quote_identifier, Dialect};
use super::error::SqlError;
use super::mapping::Mapping;
use super::records::for_each_record;
use super::response::Fetched;
use super::schema::{create_statements, rows_of, CONTEXT_TABLE};
use super::writer::SqlValue;
use super::{SqlOptions, SqlQuery};
use crate::ast::Query;

fn database(error: rusqlite::Error) -> SqlError {
    match &error {
        // The translation's integer `div`/`mod` raise this (and nothing else does) for a
        // zero divisor: the evaluator fails such a request with a bad request too.
        rusqlite::Error::SqliteFailure(_, Some(message)) if message == "integer overflow" => {
            SqlError::Invalid(
                "the data makes the query fail (a division by zero, or a sum of values that are not numbers)".into(),
            )
        }
        _ => SqlError::Database(error.to_string()),
    }
}

fn bind(values: &[SqlValue]) -> Vec<SqliteValue> {
    values
        .iter()
        .map(|value| match value {
            SqlValue::Null => SqliteValue::Null,
            SqlValue::Boolean(b) => SqliteValue::Integer(i64::from(*b)),
            SqlValue::Integer(i) => SqliteValue::Integer(*i),
            SqlValue::Double(d) => SqliteValue::Real(*d),
            SqlValue::Text(t) => SqliteValue::Text(t.clone()),
        })
        .collect()
}

/// Registers the functions the SQLite translation calls beyond SQLite's own: `odq_lower`
/// and `odq_upper`, Unicode full case mapping as the evaluator's `tolower`/`toupper` and
/// `$search` (SQLite's `lower`/`upper` change ASCII letters only). [`execute`] and
/// [`answer`] register them; call this to run translated SQL yourself.
pub fn register_functions(connection: &Connection) -> Result<(), SqlError> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    connection
        .create_scalar_function("odq_lower", 1, flags, |context| {
            Ok(context.get::<Option<String>>(0)?.map(|s| s.to_lowercase()))
        })
        .map_err(database)?;
    connection
        .create_scalar_function("odq_upper", 1, flags, |context| {
            Ok(context.get::<Option<String>>(0)?.map(|s| s.to_uppercase()))
        })
        .map_err(database)?;
    Ok(())
}

/// Runs a translated query and returns the OData response (`@odata.context` when given).
pub fn execute(
    connection: &Connection,
    query: &SqlQuery,
    context: Option<&str>,
) -> Result<Value, SqlError> {
    fetch(connection, query)?.into_value(context)
}

/// [`execute`], with the response as JSON text (see [`response_text`]): a large answer
/// is printed without building its values.
///
/// [`response_text`]: super::response_text
pub fn execute_text(
    connection: &Connection,
    query: &SqlQuery,
    context: Option<&str>,
) -> Result<String, SqlError> {
    fetch(connection, query)?.into_text(context)
}

/// Runs the statements of `query`: the rows' JSON texts, the count, the next link.
fn fetch(connection: &Connection, query: &SqlQuery) -> Result<Fetched, SqlError> {
    if query.dialect != Dialect::Sqlite {
        return Err(SqlError::Mapping(
            "the query was translated for PostgreSQL".into(),
        ));
    }
    register_functions(connection)?;
    if let Some(check) = &query.check {
        connection
            .query_row(
                &check.sql,
                rusqlite::params_from_iter(bind(&check.params)),
                |row| row.get::<_, i64>(0),
            )
            .map_err(database)?;
    }
    let mut rows = Vec::new();
    if !query.no_items {
        let mut statement = connection.prepare(&query.sql).map_err(database)?;
        let mut result = statement
            .query(rusqlite::params_from_iter(bind(&query.params)))
            .map_err(database)?;
        while let Some(row) = result.next().map_err(database)? {
            rows.push(row.get::<_, String>(0).map_err(database)?);
        }
    }
    let count = match &query.count {
        Some(count) => Some(
            connection
                .query_row(
                    &count.sql,
                    rusqlite::params_from_iter(bind(&count.params)),
                    |row| row.get::<_, i64>(0),
                )
                .map_err(database)?,
        ),
        None => None,
    };
    let next_link = query.finish_page(&mut rows);
    Ok(Fetched {
        rows,
        count,
        next_link,
    })
}

/// Translates `query` (SQLite dialect) and runs it, with the `@odata.context` that
/// [`load`] recorded for the set.
pub fn answer(
    connection: &Connection,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<Value, SqlError> {
    let (translated, context) = translate(connection, mapping, query, options)?;
    execute(connection, &translated, context.as_deref())
}

/// [`answer`], with the response as JSON text (see [`execute_text`]).
pub fn answer_text(
    connection: &Connection,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<String, SqlError> {
    let (translated, context) = translate(connection, mapping, query, options)?;
    execute_text(connection, &translated, context.as_deref())
}

/// The query in the SQLite dialect and the set's recorded `@odata.context`.
fn translate(
    connection: &Connection,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<(SqlQuery, Option<String>), SqlError> {
    let (translated, set) = super::translate_for(mapping, query, options, Dialect::Sqlite)?;
    Ok((translated, context(connection, &set)?))
}

/// Creates the mapping's tables (and their order indexes, and the context table).
pub fn create_tables(connection: &Connection, mapping: &Mapping) -> Result<(), SqlError> {
    for statement in create_statements(mapping, Dialect::Sqlite) {
        connection.execute(&statement, []).map_err(database)?;
    }
    Ok(())
}

/// Drops the mapping's tables if they exist.
pub fn drop_tables(connection: &Connection, mapping: &Mapping) -> Result<(), SqlError> {
    for root in &mapping.tables {
        for table in root.flatten().iter().rev() {
            connection
                .execute(
                    &format!("DROP TABLE IF EXISTS {}", quote_identifier(&table.table)),
                    [],
                )
                .map_err(database)?;
        }
    }
    Ok(())
}

/// Inserts `records` (in input order) into the tables of `entity_set`, in one
/// transaction, and records `context` as the set's `@odata.context`. Returns the number
/// of records.
pub fn load(
    connection: &mut Connection,
    mapping: &Mapping,
    entity_set: &str,
    records: &[Value],
    context: Option<&str>,
) -> Result<usize, SqlError> {
    load_with(connection, mapping, entity_set, context, |insert| {
        for record in records {
            insert(record)?;
        }
        Ok(None)
    })
}

/// Reads the JSON collection on `reader` one record at a time ([`for_each_record`]: an
/// array, an OData response or one record, of any size) and inserts the records as
/// [`load`] does, with the document's `@odata.context`.
pub fn load_reader<R: Read>(
    connection: &mut Connection,
    mapping: &Mapping,
    entity_set: &str,
    reader: R,
) -> Result<usize, SqlError> {
    load_with(connection, mapping, entity_set, None, |insert| {
        for_each_record(reader, |record| insert(&record))
    })
}

type Insert<'a> = dyn FnMut(&Value) -> Result<(), SqlError> + 'a;

/// Inserts what `feed` hands to its argument, in one transaction; `feed` returns the
/// document's context, used when `context` is `None`.
fn load_with(
    connection: &mut Connection,
    mapping: &Mapping,
    entity_set: &str,
    context: Option<&str>,
    feed: impl FnOnce(&mut Insert<'_>) -> Result<Option<String>, SqlError>,
) -> Result<usize, SqlError> {
    let root = mapping.set(entity_set).ok_or_else(|| {
        SqlError::Mapping(format!(
            "no table is mapped for the entity set {entity_set}"
        ))
    })?;
    let tables = root.flatten();
    let transaction = connection.transaction().map_err(database)?;
    let mut count = 0usize;
    {
        let mut statements = Vec::with_capacity(tables.len());
        for table in &tables {
            statements.push(
                transaction
                    .prepare(&table.insert_statement(Dialect::Sqlite, 1))
                    .map_err(database)?,
            );
        }
        let start: i64 = transaction
            .query_row(
                &format!("SELECT count(*) FROM {}", quote_identifier(&root.table)),
                [],
                |row| row.get(0),
            )
            .map_err(database)?;
        let mut insert = |record: &Value| -> Result<(), SqlError> {
            let ordinal = start + i64::try_from(count).unwrap_or(i64::MAX);
            for row in rows_of(root, record, ordinal)? {
                statements[row.table]
                    .execute(rusqlite::params_from_iter(bind(&row.values)))
                    .map_err(database)?;
            }
            count += 1;
            Ok(())
        };
        let document_context = feed(&mut insert)?;
        if let Some(context) = context.or(document_context.as_deref()) {
            transaction
                .execute(
                    &format!(
                        "DELETE FROM {} WHERE \"entity_set\" = ?1",
                        quote_identifier(CONTEXT_TABLE)
                    ),
                    [entity_set],
                )
                .map_err(database)?;
            transaction
                .execute(
                    &format!(
                        "INSERT INTO {} VALUES (?1, ?2)",
                        quote_identifier(CONTEXT_TABLE)
                    ),
                    [entity_set, context],
                )
                .map_err(database)?;
        }
    }
    transaction.commit().map_err(database)?;
    Ok(count)
}

/// The `@odata.context` recorded for `entity_set`, if any.
pub fn context(connection: &Connection, entity_set: &str) -> Result<Option<String>, SqlError> {
    let sql = format!(
        "SELECT \"context\" FROM {} WHERE \"entity_set\" = ?1",
        quote_identifier(CONTEXT_TABLE)
    );
    match connection.query_row(&sql, [entity_set], |row| row.get::<_, Option<String>>(0)) {
        Ok(context) => Ok(context),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        // A database loaded by other means has no context table.
        Err(rusqlite::Error::SqliteFailure(_, Some(message)))
            if message.contains("no such table") =>
        {
            Ok(None)
        }
        Err(error) => Err(database(error)),
    }
}

/// Opens (or creates) the SQLite database file at `path`.
pub fn open(path: &str) -> Result<Connection, SqlError> {
    Connection::open(path).map_err(database)
}
