//! Run translated queries on PostgreSQL through `tokio-postgres` (feature `postgres`),
//! and load JSON collections into the mapping's tables.
//!
//! The functions are `async`; [`Blocking`] wraps a connection and a current-thread runtime
//! for callers without one (the `odq` command).

use std::error::Error as StdError;

use bytes::BytesMut;
use serde_json::Value;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls};

use super::dialect::{quote_identifier, Dialect};
use super::error::SqlError;
use super::mapping::Mapping;
use super::schema::{create_statements, rows_of, CONTEXT_TABLE};
use super::writer::SqlValue;
use super::{response, SqlOptions, SqlQuery};
use crate::ast::Query;

/// Rows per `INSERT` while loading (PostgreSQL allows 65,535 parameters per statement).
const LOAD_BATCH_ROWS: usize = 500;

fn database(error: tokio_postgres::Error) -> SqlError {
    match error.as_db_error() {
        Some(db) => SqlError::Database(format!("{}: {}", db.code().code(), db.message())),
        None => SqlError::Database(error.to_string()),
    }
}

/// A parameter value bound as the type the statement declares for it (the translation
/// casts every placeholder, so the declared type is the value's own).
#[derive(Debug)]
struct Param<'a>(&'a SqlValue);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match (self.0, ty) {
            (SqlValue::Null, _) => Ok(IsNull::Yes),
            (SqlValue::Integer(i), &Type::INT8) => i.to_sql(ty, out),
            (SqlValue::Integer(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (SqlValue::Double(d), &Type::FLOAT8) => d.to_sql(ty, out),
            (SqlValue::Boolean(b), &Type::BOOL) => b.to_sql(ty, out),
            (SqlValue::Text(t), _) => t.as_str().to_sql(ty, out),
            (value, ty) => Err(format!("cannot bind {value:?} as {ty}").into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8 | Type::FLOAT8 | Type::BOOL | Type::TEXT | Type::VARCHAR
        )
    }

    to_sql_checked!();
}

fn bind(values: &[SqlValue]) -> Vec<Param<'_>> {
    values.iter().map(Param).collect()
}

fn refs<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Connects to `url` (`postgres://user@host:port/db`; a unix-socket directory as a
/// percent-encoded host, `postgres://postgres@%2Ftmp%2Fpg/db`) and drives the connection
/// on the current runtime.
pub async fn connect(url: &str) -> Result<Client, SqlError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(database)?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped; an error then has no one to
        // report to but the next statement, which fails with it.
        let _ = connection.await;
    });
    Ok(client)
}

/// Runs a translated query and returns the OData response (`@odata.context` when given).
pub async fn execute(
    client: &Client,
    query: &SqlQuery,
    context: Option<&str>,
) -> Result<Value, SqlError> {
    if query.dialect != Dialect::Postgres {
        return Err(SqlError::Mapping(
            "the query was translated for SQLite".into(),
        ));
    }
    let mut rows = Vec::new();
    if !query.no_items {
        let params = bind(&query.params);
        for row in client
            .query(&query.sql, &refs(&params))
            .await
            .map_err(database)?
        {
            rows.push(row.try_get::<_, String>(0).map_err(database)?);
        }
    }
    let count = match &query.count {
        Some(count) => {
            let params = bind(&count.params);
            let row = client
                .query_one(&count.sql, &refs(&params))
                .await
                .map_err(database)?;
            Some(row.try_get::<_, i64>(0).map_err(database)?)
        }
        None => None,
    };
    response(rows, count, context)
}

/// Translates `query` (PostgreSQL dialect) and runs it, with the `@odata.context` that
/// [`load`] recorded for the set.
pub async fn answer(
    client: &Client,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<Value, SqlError> {
    let options = SqlOptions {
        dialect: Dialect::Postgres,
        ..options.clone()
    };
    let translated = query.to_sql_with(mapping, &options)?;
    let set = match &options.entity_set {
        Some(set) => set.clone(),
        None => mapping.single_set().unwrap_or_default().to_owned(),
    };
    let context = context(client, &set).await?;
    execute(client, &translated, context.as_deref()).await
}

/// Creates the mapping's tables (and their order indexes, and the context table).
pub async fn create_tables(client: &Client, mapping: &Mapping) -> Result<(), SqlError> {
    for statement in create_statements(mapping, Dialect::Postgres) {
        client.batch_execute(&statement).await.map_err(database)?;
    }
    Ok(())
}

/// Drops the mapping's tables if they exist.
pub async fn drop_tables(client: &Client, mapping: &Mapping) -> Result<(), SqlError> {
    for root in &mapping.tables {
        for table in root.flatten().iter().rev() {
            client
                .batch_execute(&format!(
                    "DROP TABLE IF EXISTS {}",
                    quote_identifier(&table.table)
                ))
                .await
                .map_err(database)?;
        }
    }
    Ok(())
}

/// Inserts `records` (in input order) into the tables of `entity_set`, in one
/// transaction and in batches, and records `context` as the set's `@odata.context`.
pub async fn load(
    client: &mut Client,
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
    let transaction = client.transaction().await.map_err(database)?;
    let start: i64 = transaction
        .query_one(
            &format!("SELECT count(*) FROM {}", quote_identifier(&root.table)),
            &[],
        )
        .await
        .map_err(database)?
        .get(0);
    let mut pending: Vec<Vec<Vec<SqlValue>>> = vec![Vec::new(); tables.len()];
    for (i, record) in records.iter().enumerate() {
        let ordinal = start + i64::try_from(i).unwrap_or(i64::MAX);
        for row in rows_of(root, record, ordinal)? {
            pending[row.table].push(row.values);
        }
        // Parents are flushed before children so a foreign key would hold.
        for (index, rows) in pending.iter_mut().enumerate() {
            if rows.len() >= LOAD_BATCH_ROWS {
                flush(&transaction, tables[index], rows).await?;
            }
        }
    }
    for (index, rows) in pending.iter_mut().enumerate() {
        flush(&transaction, tables[index], rows).await?;
    }
    if let Some(context) = context {
        let table = quote_identifier(CONTEXT_TABLE);
        transaction
            .execute(
                &format!("DELETE FROM {table} WHERE \"entity_set\" = $1::text"),
                &[&entity_set],
            )
            .await
            .map_err(database)?;
        transaction
            .execute(
                &format!("INSERT INTO {table} VALUES ($1::text, $2::text)"),
                &[&entity_set, &context],
            )
            .await
            .map_err(database)?;
    }
    transaction.commit().await.map_err(database)?;
    Ok(records.len())
}

async fn flush(
    transaction: &tokio_postgres::Transaction<'_>,
    table: &super::mapping::Table,
    rows: &mut Vec<Vec<SqlValue>>,
) -> Result<(), SqlError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = table.insert_statement(Dialect::Postgres, rows.len());
    let values: Vec<SqlValue> = rows.drain(..).flatten().collect();
    let params = bind(&values);
    transaction
        .execute(&sql, &refs(&params))
        .await
        .map_err(database)?;
    Ok(())
}

/// The `@odata.context` recorded for `entity_set`, if any.
pub async fn context(client: &Client, entity_set: &str) -> Result<Option<String>, SqlError> {
    let exists = client
        .query_one(
            "SELECT to_regclass($1::text) IS NOT NULL",
            &[&quote_identifier(CONTEXT_TABLE)],
        )
        .await
        .map_err(database)?
        .get::<_, bool>(0);
    if !exists {
        return Ok(None);
    }
    let sql = format!(
        "SELECT \"context\" FROM {} WHERE \"entity_set\" = $1::text",
        quote_identifier(CONTEXT_TABLE)
    );
    Ok(client
        .query_opt(&sql, &[&entity_set])
        .await
        .map_err(database)?
        .and_then(|row| row.get::<_, Option<String>>(0)))
}

/// A connection with its own current-thread runtime, for synchronous callers.
#[derive(Debug)]
pub struct Blocking {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Blocking {
    /// Connects to `url` (see [`connect`]).
    pub fn connect(url: &str) -> Result<Blocking, SqlError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SqlError::Database(format!("cannot start a runtime: {e}")))?;
        let client = runtime.block_on(connect(url))?;
        Ok(Blocking { runtime, client })
    }

    /// [`answer`], blocking.
    pub fn answer(
        &self,
        mapping: &Mapping,
        query: &Query,
        options: &SqlOptions,
    ) -> Result<Value, SqlError> {
        self.runtime
            .block_on(answer(&self.client, mapping, query, options))
    }

    /// [`execute`], blocking.
    pub fn execute(&self, query: &SqlQuery, context: Option<&str>) -> Result<Value, SqlError> {
        self.runtime.block_on(execute(&self.client, query, context))
    }

    /// [`create_tables`], blocking.
    pub fn create_tables(&self, mapping: &Mapping) -> Result<(), SqlError> {
        self.runtime.block_on(create_tables(&self.client, mapping))
    }

    /// [`drop_tables`], blocking.
    pub fn drop_tables(&self, mapping: &Mapping) -> Result<(), SqlError> {
        self.runtime.block_on(drop_tables(&self.client, mapping))
    }

    /// [`load`], blocking.
    pub fn load(
        &mut self,
        mapping: &Mapping,
        entity_set: &str,
        records: &[Value],
        context: Option<&str>,
    ) -> Result<usize, SqlError> {
        self.runtime.block_on(load(
            &mut self.client,
            mapping,
            entity_set,
            records,
            context,
        ))
    }

    /// Runs statements that return nothing (`CREATE INDEX ...`, `ANALYZE`).
    pub fn batch_execute(&self, sql: &str) -> Result<(), SqlError> {
        self.runtime
            .block_on(self.client.batch_execute(sql))
            .map_err(database)
    }

    /// The client, for statements of your own.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs a future on the connection's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}
