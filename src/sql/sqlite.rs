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

use rusqlite::types::Value as SqliteValue;
pub use rusqlite::Connection;
use serde_json::Value;

use super::dialect::{quote_identifier, Dialect};
use super::error::SqlError;
use super::mapping::Mapping;
use super::schema::{create_statements, rows_of, CONTEXT_TABLE};
use super::writer::SqlValue;
use super::{response, SqlOptions, SqlQuery};
use crate::ast::Query;

fn database(error: rusqlite::Error) -> SqlError {
    SqlError::Database(error.to_string())
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

/// Runs a translated query and returns the OData response (`@odata.context` when given).
pub fn execute(
    connection: &Connection,
    query: &SqlQuery,
    context: Option<&str>,
) -> Result<Value, SqlError> {
    if query.dialect != Dialect::Sqlite {
        return Err(SqlError::Mapping(
            "the query was translated for PostgreSQL".into(),
        ));
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
    response(rows, count, context)
}

/// Translates `query` (SQLite dialect) and runs it, with the `@odata.context` that
/// [`load`] recorded for the set.
pub fn answer(
    connection: &Connection,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<Value, SqlError> {
    let options = SqlOptions {
        dialect: Dialect::Sqlite,
        ..options.clone()
    };
    let translated = query.to_sql_with(mapping, &options)?;
    let set = match &options.entity_set {
        Some(set) => set.clone(),
        None => mapping.single_set().unwrap_or_default().to_owned(),
    };
    let context = context(connection, &set)?;
    execute(connection, &translated, context.as_deref())
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
    let root = mapping.set(entity_set).ok_or_else(|| {
        SqlError::Mapping(format!(
            "no table is mapped for the entity set {entity_set}"
        ))
    })?;
    let tables = root.flatten();
    let transaction = connection.transaction().map_err(database)?;
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
        for (i, record) in records.iter().enumerate() {
            let ordinal = start + i64::try_from(i).unwrap_or(i64::MAX);
            for row in rows_of(root, record, ordinal)? {
                statements[row.table]
                    .execute(rusqlite::params_from_iter(bind(&row.values)))
                    .map_err(database)?;
            }
        }
        if let Some(context) = context {
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
    Ok(records.len())
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
