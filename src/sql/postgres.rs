//! Run translated queries on PostgreSQL through `tokio-postgres` (feature `postgres`),
//! and load JSON collections into the mapping's tables.
//!
//! The functions are `async`; [`Blocking`] wraps a connection and a current-thread runtime
//! for callers without one (the `odq` command).

use std::error::Error as StdError;
use std::io::Read;

use bytes::BytesMut;
use serde_json::Value;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls};

use super::dialect::{quote_identifier, Dialect, StoredType};
use super::error::SqlError;
use super::mapping::Mapping;
use super::records::for_each_record;
use super::response::Fetched;
use super::schema::{create_statements, rows_of, CONTEXT_TABLE};
use super::writer::SqlValue;
use super::{SqlOptions, SqlQuery};
use crate::ast::Query;

/// Rows per `INSERT` while loading (PostgreSQL allows 65,535 parameters per statement).
const LOAD_BATCH_ROWS: usize = 500;

fn database(error: tokio_postgres::Error) -> SqlError {
    match error.as_db_error() {
        // Integer `div`/`mod` by zero: the evaluator fails such a request too.
        Some(db) if db.code().code() == "22012" => {
            SqlError::Invalid(
                "the data makes the query fail (a division by zero, or a sum of values that are not numbers)".into(),
            )
        }
        // A value past the database's numbers (the evaluator fails past about 1.7e38, or
        // answers with a double).
        Some(db) if db.code().code() == "22003" => SqlError::NotSupported(format!(
            "a number out of the database's range ({})",
            db.message()
        )),
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
    fetch(client, query).await?.into_value(context)
}

/// [`execute`], with the response as JSON text (see [`response_text`]): a large answer
/// is printed without building its values.
///
/// [`response_text`]: super::response_text
pub async fn execute_text(
    client: &Client,
    query: &SqlQuery,
    context: Option<&str>,
) -> Result<String, SqlError> {
    fetch(client, query).await?.into_text(context)
}

/// Runs the statements of `query`: the rows' JSON texts, the count, the next link.
async fn fetch(client: &Client, query: &SqlQuery) -> Result<Fetched, SqlError> {
    if query.dialect != Dialect::Postgres {
        return Err(SqlError::Mapping(
            "the query was translated for SQLite".into(),
        ));
    }
    if let Some(check) = &query.check {
        let params = bind(&check.params);
        client
            .query_one(&check.sql, &refs(&params))
            .await
            .map_err(database)?;
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
    let next_link = query.finish_page(&mut rows);
    Ok(Fetched {
        rows,
        count,
        next_link,
    })
}

/// Translates `query` (PostgreSQL dialect) and runs it, with the `@odata.context` that
/// [`load`] recorded for the set.
pub async fn answer(
    client: &Client,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<Value, SqlError> {
    let (translated, context) = translate(client, mapping, query, options).await?;
    execute(client, &translated, context.as_deref()).await
}

/// [`answer`], with the response as JSON text (see [`execute_text`]).
pub async fn answer_text(
    client: &Client,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<String, SqlError> {
    let (translated, context) = translate(client, mapping, query, options).await?;
    execute_text(client, &translated, context.as_deref()).await
}

/// The query in the PostgreSQL dialect and the set's recorded `@odata.context`.
async fn translate(
    client: &Client,
    mapping: &Mapping,
    query: &Query,
    options: &SqlOptions,
) -> Result<(SqlQuery, Option<String>), SqlError> {
    let (translated, set) = super::translate_for(mapping, query, options, Dialect::Postgres)?;
    let context = context(client, &set).await?;
    Ok((translated, context))
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
    let transaction = client.transaction().await.map_err(database)?;
    let mut loader = Loader::new(&transaction, mapping, entity_set).await?;
    for record in records {
        loader.push(&transaction, record).await?;
    }
    let count = loader.finish(&transaction, entity_set, context).await?;
    transaction.commit().await.map_err(database)?;
    Ok(count)
}

/// Records read at a time while streaming a document into the database.
const READ_BATCH: usize = 256;

/// Reads the JSON collection on `reader` one record at a time ([`for_each_record`]: an
/// array, an OData response or one record, of any size; on a thread of its own) and
/// inserts the records as [`load`] does, with the document's `@odata.context`.
pub async fn load_reader<R: Read + Send + 'static>(
    client: &mut Client,
    mapping: &Mapping,
    entity_set: &str,
    reader: R,
) -> Result<usize, SqlError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Value>>(4);
    let parser = std::thread::spawn(move || {
        let stopped = || SqlError::Database("the loader stopped".into());
        let mut batch = Vec::with_capacity(READ_BATCH);
        let context = for_each_record(reader, |record| {
            batch.push(record);
            if batch.len() >= READ_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                sender.blocking_send(full).map_err(|_| stopped())?;
            }
            Ok(())
        })?;
        if !batch.is_empty() {
            sender.blocking_send(batch).map_err(|_| stopped())?;
        }
        Ok::<_, SqlError>(context)
    });
    let loaded = async {
        let transaction = client.transaction().await.map_err(database)?;
        let mut loader = Loader::new(&transaction, mapping, entity_set).await?;
        while let Some(batch) = receiver.recv().await {
            for record in &batch {
                loader.push(&transaction, record).await?;
            }
        }
        Ok::<_, SqlError>((transaction, loader))
    }
    .await;
    // The reader's error (invalid JSON) comes first; a database error stops the reader.
    drop(receiver);
    let context = parser
        .join()
        .map_err(|_| SqlError::Input("the JSON reader failed".into()))?;
    let (transaction, loader) = loaded?;
    let context = context?;
    let count = loader
        .finish(&transaction, entity_set, context.as_deref())
        .await?;
    transaction.commit().await.map_err(database)?;
    Ok(count)
}

/// Inserts records in batches within a transaction.
struct Loader<'m> {
    root: &'m super::mapping::Table,
    tables: Vec<&'m super::mapping::Table>,
    /// What each column of each table stores.
    stored: Vec<Vec<StoredType>>,
    pending: Vec<Vec<Vec<SqlValue>>>,
    start: i64,
    count: usize,
}

impl<'m> Loader<'m> {
    async fn new(
        transaction: &tokio_postgres::Transaction<'_>,
        mapping: &'m Mapping,
        entity_set: &str,
    ) -> Result<Loader<'m>, SqlError> {
        let root = mapping.set(entity_set).ok_or_else(|| {
            SqlError::Mapping(format!(
                "no table is mapped for the entity set {entity_set}"
            ))
        })?;
        let tables = root.flatten();
        let start: i64 = transaction
            .query_one(
                &format!("SELECT count(*) FROM {}", quote_identifier(&root.table)),
                &[],
            )
            .await
            .map_err(database)?
            .get(0);
        let stored = tables
            .iter()
            .map(|table| table.columns().into_iter().map(|(_, s)| s).collect())
            .collect();
        Ok(Loader {
            root,
            stored,
            pending: vec![Vec::new(); tables.len()],
            tables,
            start,
            count: 0,
        })
    }

    async fn push(
        &mut self,
        transaction: &tokio_postgres::Transaction<'_>,
        record: &Value,
    ) -> Result<(), SqlError> {
        let ordinal = self.start + i64::try_from(self.count).unwrap_or(i64::MAX);
        for row in rows_of(self.root, record, ordinal)? {
            let stored = &self.stored[row.table];
            let nul = row.values.iter().zip(stored).any(|(value, stored)| {
                matches!(value, SqlValue::Text(t) if t.contains('\0')
                    || *stored == StoredType::Json && t.contains("\\u0000"))
            });
            if nul {
                return Err(SqlError::Input(format!(
                    "record {}: a string with a NUL character, which PostgreSQL text cannot hold",
                    self.count
                )));
            }
            self.pending[row.table].push(row.values);
        }
        self.count += 1;
        // Parents are flushed before children so a foreign key would hold.
        for (index, rows) in self.pending.iter_mut().enumerate() {
            if rows.len() >= LOAD_BATCH_ROWS {
                flush(transaction, self.tables[index], rows).await?;
            }
        }
        Ok(())
    }

    async fn finish(
        mut self,
        transaction: &tokio_postgres::Transaction<'_>,
        entity_set: &str,
        context: Option<&str>,
    ) -> Result<usize, SqlError> {
        for (index, rows) in self.pending.iter_mut().enumerate() {
            flush(transaction, self.tables[index], rows).await?;
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
        Ok(self.count)
    }
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

    /// [`answer_text`], blocking.
    pub fn answer_text(
        &self,
        mapping: &Mapping,
        query: &Query,
        options: &SqlOptions,
    ) -> Result<String, SqlError> {
        self.runtime
            .block_on(answer_text(&self.client, mapping, query, options))
    }

    /// [`execute`], blocking.
    pub fn execute(&self, query: &SqlQuery, context: Option<&str>) -> Result<Value, SqlError> {
        self.runtime.block_on(execute(&self.client, query, context))
    }

    /// [`execute_text`], blocking.
    pub fn execute_text(
        &self,
        query: &SqlQuery,
        context: Option<&str>,
    ) -> Result<String, SqlError> {
        self.runtime
            .block_on(execute_text(&self.client, query, context))
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

    /// [`load_reader`], blocking.
    pub fn load_reader<R: Read + Send + 'static>(
        &mut self,
        mapping: &Mapping,
        entity_set: &str,
        reader: R,
    ) -> Result<usize, SqlError> {
        self.runtime
            .block_on(load_reader(&mut self.client, mapping, entity_set, reader))
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
