//! A database as an [`EntitySource`]: queries pushed down through the SQL translation
//! (features `sqlite` and `postgres`), with server-driven paging and the deadline.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ast::Query;
use crate::error::EvalError;
use crate::eval::EvalOptions;
use crate::limits::Limit;
use crate::sql::{Dialect, Mapping, SqlError, SqlOptions};

use super::{EntitySource, ODataError, ResponseBody};

/// How many connections a SQLite database keeps open for reuse.
#[cfg(feature = "sqlite")]
const SQLITE_POOL: usize = 8;

enum Backend {
    /// Connections to one SQLite file, reused across requests (a connection serves one
    /// request at a time).
    #[cfg(feature = "sqlite")]
    Sqlite {
        path: String,
        idle: Mutex<Vec<crate::sql::sqlite::Connection>>,
    },
    /// One PostgreSQL connection, shared by requests in turn.
    #[cfg(feature = "postgres")]
    Postgres(Mutex<crate::sql::postgres::Blocking>),
}

/// A database loaded with the model's tables (`odq load`, or
/// [`sql::sqlite::load`](crate::sql::sqlite::load)): [`SqlDatabase::entity_set`] gives
/// the source of one of its entity sets. Translation and execution errors keep their
/// status (400, 501); database failures are 500s whose message names no table.
#[derive(Clone)]
pub struct SqlDatabase {
    mapping: Arc<Mapping>,
    backend: Arc<Backend>,
}

impl fmt::Debug for SqlDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend.as_ref() {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { path, .. } => format!("sqlite:{path}"),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => "postgres".to_owned(),
        };
        f.debug_struct("SqlDatabase")
            .field("backend", &backend)
            .field("sets", &self.entity_sets())
            .finish()
    }
}

impl SqlDatabase {
    /// The SQLite database file at `path`, with the tables of `mapping`.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(path: impl Into<String>, mapping: Mapping) -> Result<SqlDatabase, ODataError> {
        let path = path.into();
        let first = crate::sql::sqlite::open(&path).map_err(ODataError::source)?;
        Ok(SqlDatabase {
            mapping: Arc::new(mapping),
            backend: Arc::new(Backend::Sqlite {
                path,
                idle: Mutex::new(vec![first]),
            }),
        })
    }

    /// The PostgreSQL database at `url` (`postgres://user@host:port/db`).
    #[cfg(feature = "postgres")]
    pub fn postgres(url: &str, mapping: Mapping) -> Result<SqlDatabase, ODataError> {
        let client = crate::sql::postgres::Blocking::connect(url).map_err(ODataError::source)?;
        Ok(SqlDatabase {
            mapping: Arc::new(mapping),
            backend: Arc::new(Backend::Postgres(Mutex::new(client))),
        })
    }

    /// The entity sets the mapping has tables for.
    pub fn entity_sets(&self) -> Vec<String> {
        self.mapping.tables.iter().map(|t| t.name.clone()).collect()
    }

    /// The source of the entity set `name`.
    pub fn entity_set(&self, name: impl Into<String>) -> SqlSource {
        SqlSource {
            database: self.clone(),
            entity_set: name.into(),
        }
    }

    /// Translates and runs `query` for `entity_set`, within `deadline` where the database
    /// can be interrupted (SQLite).
    fn answer(
        &self,
        entity_set: &str,
        query: &Query,
        options: &EvalOptions,
    ) -> Result<String, ODataError> {
        let sql_options = |dialect| SqlOptions {
            entity_set: Some(entity_set.to_owned()),
            now: options.now,
            max_page_size: options.max_page_size,
            next_link_base: options.next_link_base.clone(),
            ..SqlOptions::new(dialect)
        };
        let deadline = options.limits.max_eval_time;
        match self.backend.as_ref() {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { path, idle } => {
                let taken = idle.lock().ok().and_then(|mut idle| idle.pop());
                let connection = match taken {
                    Some(connection) => connection,
                    None => crate::sql::sqlite::open(path).map_err(ODataError::source)?,
                };
                let started = Instant::now();
                if let Some(time) = deadline {
                    // SQLite calls this every thousand virtual-machine steps; true stops
                    // the statement.
                    connection.progress_handler(1000, Some(move || started.elapsed() > time));
                }
                let result = crate::sql::sqlite::answer_text(
                    &connection,
                    &self.mapping,
                    query,
                    &sql_options(Dialect::Sqlite),
                );
                connection.progress_handler(0, None::<fn() -> bool>);
                if let Ok(mut idle) = idle.lock() {
                    if idle.len() < SQLITE_POOL {
                        idle.push(connection);
                    }
                }
                result.map_err(|error| database_error(error, deadline, started))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(client) => {
                let started = Instant::now();
                let client = client
                    .lock()
                    .map_err(|_| ODataError::source("the database connection failed"))?;
                client
                    .answer_text(&self.mapping, query, &sql_options(Dialect::Postgres))
                    .map_err(|error| database_error(error, deadline, started))
            }
        }
    }
}

/// A database error as the request's error: an interrupted statement past the deadline
/// is the deadline's 400; what SQL cannot express keeps its 501, a bad query its 400;
/// anything else is a 500 that does not show the database's message.
fn database_error(error: SqlError, deadline: Option<Duration>, started: Instant) -> ODataError {
    if let (SqlError::Database(_), Some(time)) = (&error, deadline) {
        if started.elapsed() >= time {
            return ODataError::Eval(EvalError::LimitExceeded {
                limit: Limit::EvalTime,
                max: usize::try_from(time.as_millis()).unwrap_or(usize::MAX),
            });
        }
    }
    ODataError::from(error)
}

/// One entity set of a [`SqlDatabase`].
#[derive(Debug, Clone)]
pub struct SqlSource {
    database: SqlDatabase,
    entity_set: String,
}

impl EntitySource for SqlSource {
    /// Pushes the query down, server-driven paging included: the translation reads the
    /// `$skiptoken` and writes the next link as the evaluator does.
    fn query(&self, query: &Query, options: &EvalOptions) -> Result<ResponseBody, ODataError> {
        // The response as the database printed it (see `sql::response_text`), spliced
        // rather than parsed into values.
        let answer = self.database.answer(&self.entity_set, query, options)?;
        Ok(ResponseBody::CollectionBytes(answer.into_bytes()))
    }
}
