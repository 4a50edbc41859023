//! `odq load`: create the mapping's tables and load a JSON collection into them.

use std::fs;
use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::db::{self, Database};
use crate::fail;

#[derive(Args, Debug)]
pub(crate) struct LoadArgs {
    /// The data model: CSDL XML ($metadata) or CSDL JSON.
    #[arg(long, value_name = "FILE")]
    model: String,
    /// A mapping file overriding the conventional table and column names.
    #[arg(long, value_name = "FILE")]
    mapping: Option<String>,
    /// The database: sqlite:PATH or postgres://user@host:port/db.
    #[arg(long, value_name = "URL")]
    db: String,
    /// The entity set loaded (default: the model's only one).
    #[arg(long, value_name = "NAME")]
    set: Option<String>,
    /// Drop the mapping's tables first if they exist.
    #[arg(long)]
    replace: bool,
    /// Append to existing tables instead of creating them.
    #[arg(long, conflicts_with = "replace")]
    append: bool,
    /// A JSON array of records or an OData response ({"value": [...]}).
    file: String,
}

pub(crate) fn run(args: &LoadArgs) -> ExitCode {
    let model = match db::read_model(&args.model) {
        Ok(model) => model,
        Err(message) => return fail(&message),
    };
    let mapping = match db::mapping(&model, args.mapping.as_deref()) {
        Ok(mapping) => mapping,
        Err(message) => return fail(&message),
    };
    let set = match db::entity_set(&mapping, args.set.as_deref()) {
        Ok(set) => set,
        Err(message) => return fail(&message),
    };
    let text = match fs::read(&args.file) {
        Ok(text) => text,
        Err(e) => return fail(&format!("cannot read {}: {e}", args.file)),
    };
    let document: Value = match serde_json::from_slice(&text) {
        Ok(document) => document,
        Err(e) => {
            eprintln!("odq: {}: invalid JSON: {e}", args.file);
            return ExitCode::from(1);
        }
    };
    drop(text);
    let (records, context) = match &document {
        Value::Array(records) => (records.as_slice(), None),
        Value::Object(map) => match map.get("value") {
            Some(Value::Array(records)) => (
                records.as_slice(),
                map.get("@odata.context").and_then(Value::as_str),
            ),
            _ => (std::slice::from_ref(&document), None),
        },
        _ => {
            eprintln!(
                "odq: {}: expected a JSON array or an OData response",
                args.file
            );
            return ExitCode::from(1);
        }
    };
    let database = match db::open(&args.db) {
        Ok(database) => database,
        Err(message) => return fail(&message),
    };
    let result = match database {
        Database::Sqlite(mut connection) => (|| {
            use odata_query::sql::sqlite;
            if args.replace {
                sqlite::drop_tables(&connection, &mapping)?;
            }
            if !args.append {
                sqlite::create_tables(&connection, &mapping)?;
            }
            sqlite::load(&mut connection, &mapping, &set, records, context)
        })(),
        Database::Postgres(mut client) => (|| {
            if args.replace {
                client.drop_tables(&mapping)?;
            }
            if !args.append {
                client.create_tables(&mapping)?;
            }
            client.load(&mapping, &set, records, context)
        })(),
    };
    match result {
        Ok(count) => {
            eprintln!("odq: loaded {count} records into {set}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("odq: {}", db::describe(&error));
            ExitCode::from(1)
        }
    }
}
