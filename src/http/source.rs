//! Data sources: where an entity set's records come from. A source answers a whole query
//! over its collection; the service turns keys and navigation paths into queries, so a
//! source needs one method.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::ast::Query;
use crate::eval::EvalOptions;
use crate::stream::StreamPlan;

use super::{ODataError, ResponseBody};

/// Files up to this size are read into memory once; larger ones are streamed per request.
pub const LOAD_IN_MEMORY_MAX: u64 = 16 << 20;

/// An entity set's records. `query` runs on a blocking thread (never on the async
/// runtime), so it may block on a database or a file.
pub trait EntitySource: Send + Sync + fmt::Debug + 'static {
    /// Answers `query` over the whole collection with `options` (limits, budgets, page
    /// size, next link base): an OData collection response (`value`, `@odata.count`,
    /// `@odata.nextLink`).
    fn query(&self, query: &Query, options: &EvalOptions) -> Result<ResponseBody, ODataError>;
}

/// Records held in memory, answered with [`Plan::apply`](crate::Plan::apply).
#[derive(Debug, Clone)]
pub struct InMemory {
    records: Arc<Value>,
}

impl InMemory {
    /// Holds `records` (a JSON array, or an OData response with `value`).
    pub fn new(records: impl Into<Arc<Value>>) -> InMemory {
        InMemory {
            records: records.into(),
        }
    }

    /// Holds a vector of records.
    pub fn from_records(records: Vec<Value>) -> InMemory {
        InMemory::new(Value::Array(records))
    }

    /// The records.
    pub fn records(&self) -> &Value {
        &self.records
    }
}

impl EntitySource for InMemory {
    fn query(&self, query: &Query, options: &EvalOptions) -> Result<ResponseBody, ODataError> {
        let plan = query.compile(options)?;
        Ok(ResponseBody::Collection(plan.apply(&self.records)?))
    }
}

/// A JSON file: an array of records or an OData response. A small file is read once and
/// held in memory; a large one ([`LOAD_IN_MEMORY_MAX`] bytes or more) is streamed from
/// disk for every request with [`StreamPlan`], so memory stays flat whatever its size.
#[derive(Debug, Clone)]
pub struct JsonFile {
    path: PathBuf,
    loaded: Option<InMemory>,
}

impl JsonFile {
    /// Opens `path`: reads it into memory when it is small, else checks that it exists.
    pub fn open(path: impl AsRef<Path>) -> Result<JsonFile, ODataError> {
        let path = path.as_ref().to_path_buf();
        let size = std::fs::metadata(&path).map_err(ODataError::source)?.len();
        if size >= LOAD_IN_MEMORY_MAX {
            return Ok(JsonFile::streamed(path));
        }
        let bytes = std::fs::read(&path).map_err(ODataError::source)?;
        let records: Value = serde_json::from_slice(&bytes).map_err(ODataError::source)?;
        Ok(JsonFile {
            path,
            loaded: Some(InMemory::new(records)),
        })
    }

    /// Streams `path` for every request, whatever its size.
    pub fn streamed(path: impl Into<PathBuf>) -> JsonFile {
        JsonFile {
            path: path.into(),
            loaded: None,
        }
    }

    /// Whether the records are held in memory.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_some()
    }

    /// The first `n` records as an OData response (with the file's `@odata.context`, if
    /// any), for [`Model::infer`](crate::model::Model::infer); read without holding the
    /// whole file.
    pub fn sample(&self, n: usize) -> Result<Value, ODataError> {
        let query = Query {
            top: Some(n as u64),
            ..Query::default()
        };
        match self.query(&query, &EvalOptions::default())? {
            ResponseBody::Collection(value) => Ok(value),
            ResponseBody::CollectionBytes(bytes) => {
                serde_json::from_slice(&bytes).map_err(ODataError::source)
            }
            _ => Ok(Value::Array(Vec::new())),
        }
    }
}

impl EntitySource for JsonFile {
    fn query(&self, query: &Query, options: &EvalOptions) -> Result<ResponseBody, ODataError> {
        if let Some(loaded) = &self.loaded {
            return loaded.query(query, options);
        }
        let plan = StreamPlan::new(query, options)?;
        let mut out = Vec::new();
        plan.apply_file(&self.path, &mut out)
            .map_err(|error| match error {
                // The file cannot be read or is not JSON: a server problem, whose message names
                // the path or its contents.
                crate::EvalError::Input(_) | crate::EvalError::Json { .. } => {
                    ODataError::source(error)
                }
                other => ODataError::Eval(other),
            })?;
        Ok(ResponseBody::CollectionBytes(out))
    }
}
