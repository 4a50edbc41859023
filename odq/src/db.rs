//! What `odq sql`, `odq load` and `odq apply --db` share: reading the model and mapping,
//! and opening `sqlite:PATH` or `postgres://...` databases.

use std::fs;

use odata_query::model::Model;
use odata_query::sql::{postgres, sqlite, Mapping, Overrides, SqlError};

/// Reads a CSDL XML (`$metadata`) or CSDL JSON model file.
pub(crate) fn read_model(path: &str) -> Result<Model, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read the model {path}: {e}"))?;
    let result = if text.trim_start().starts_with('<') {
        Model::from_csdl_xml(&text)
    } else {
        Model::from_csdl_json(&text)
    };
    result.map_err(|e| format!("{path}: {e}"))
}

/// The mapping of the model, with a mapping file's overrides when given.
pub(crate) fn mapping(model: &Model, file: Option<&str>) -> Result<Mapping, String> {
    let overrides = match file {
        Some(path) => {
            let text = fs::read_to_string(path)
                .map_err(|e| format!("cannot read the mapping {path}: {e}"))?;
            Overrides::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => Overrides::default(),
    };
    Mapping::from_model_with(model, &overrides).map_err(|e| e.to_string())
}

/// The entity set: `--set`, else the mapping's only one.
pub(crate) fn entity_set(mapping: &Mapping, set: Option<&str>) -> Result<String, String> {
    match set {
        Some(set) if mapping.set(set).is_some() => Ok(set.to_owned()),
        Some(set) => Err(format!("the model has no entity set {set}")),
        None => mapping
            .single_set()
            .map(str::to_owned)
            .ok_or_else(|| "the model has several entity sets: name one with --set".to_owned()),
    }
}

/// An open database.
pub(crate) enum Database {
    Sqlite(sqlite::Connection),
    Postgres(Box<postgres::Blocking>),
}

/// Opens `sqlite:PATH` or `postgres://...` / `postgresql://...`.
pub(crate) fn open(url: &str) -> Result<Database, String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let connection = sqlite::open(path).map_err(|e| e.to_string())?;
        return Ok(Database::Sqlite(connection));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let client = postgres::Blocking::connect(url).map_err(|e| e.to_string())?;
        return Ok(Database::Postgres(Box::new(client)));
    }
    Err(format!(
        "--db must be sqlite:PATH or postgres://user@host:port/db, not {url}"
    ))
}

/// The exit status and message for a translation or database error.
pub(crate) fn describe(error: &SqlError) -> String {
    format!("{} (HTTP {})", error, error.http_status())
}
