//! `odq apply --db`: answer the query from a database loaded by `odq load`, through the
//! SQL translation, instead of from JSON inputs.

use std::process::ExitCode;

use odata_query::sql::{Dialect, SqlOptions};
use odata_query::Query;

use crate::db::{self, Database};
use crate::fail;

/// Answers `query` from `url` with the model at `model` and prints the response.
pub(crate) fn run(
    query: &Query,
    url: &str,
    model: Option<&str>,
    mapping: Option<&str>,
    set: Option<&str>,
    count_only: bool,
    pretty: bool,
) -> ExitCode {
    let Some(model) = model else {
        return fail("--db needs --model (the CSDL the database was loaded with)");
    };
    let model = match db::read_model(model) {
        Ok(model) => model,
        Err(message) => return fail(&message),
    };
    let mapping = match db::mapping(&model, mapping) {
        Ok(mapping) => mapping,
        Err(message) => return fail(&message),
    };
    let set = match db::entity_set(&mapping, set) {
        Ok(set) => set,
        Err(message) => return fail(&message),
    };
    let database = match db::open(url) {
        Ok(database) => database,
        Err(message) => return fail(&message),
    };
    let result = match &database {
        Database::Sqlite(connection) => {
            let mut options = SqlOptions::new(Dialect::Sqlite);
            options.entity_set = Some(set);
            odata_query::sql::sqlite::answer(connection, &mapping, query, &options)
        }
        Database::Postgres(client) => {
            let mut options = SqlOptions::new(Dialect::Postgres);
            options.entity_set = Some(set);
            client.answer(&mapping, query, &options)
        }
    };
    match result {
        Ok(response) => {
            if count_only {
                println!("{}", response["@odata.count"]);
            } else if pretty {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&response).unwrap_or_default()
                );
            } else {
                println!("{response}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("odq: {}", db::describe(&error));
            ExitCode::from(1)
        }
    }
}
