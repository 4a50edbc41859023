//! `odq apply --db`: answer the query from a database loaded by `odq load`, through the
//! SQL translation, instead of from JSON inputs.

use std::process::ExitCode;

use odata_query::sql::{Dialect, SqlOptions};
use odata_query::Query;

use crate::db::{self, Database};
use crate::{fail, print_line};

/// The database to answer from and how it was loaded (`--db`, `--model`, `--mapping`,
/// `--set`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) url: &'a str,
    pub(crate) model: Option<&'a str>,
    pub(crate) mapping: Option<&'a str>,
    pub(crate) set: Option<&'a str>,
}

/// Answers `query` from the database of `source` and prints the response.
pub(crate) fn run(
    query: &Query,
    source: Source<'_>,
    count_only: bool,
    page_size: Option<usize>,
    pretty: bool,
) -> ExitCode {
    let Source {
        url,
        model,
        mapping,
        set,
    } = source;
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
    let mut options = SqlOptions::new(match &database {
        Database::Sqlite(_) => Dialect::Sqlite,
        Database::Postgres(_) => Dialect::Postgres,
    });
    options.entity_set = Some(set);
    options.max_page_size = page_size;
    if !count_only && !pretty {
        // The response as the database wrote it, without building its values.
        let text = match &database {
            Database::Sqlite(connection) => {
                odata_query::sql::sqlite::answer_text(connection, &mapping, query, &options)
            }
            Database::Postgres(client) => client.answer_text(&mapping, query, &options),
        };
        return match text {
            Ok(text) => print_line(&text),
            Err(error) => {
                eprintln!("odq: {}", db::describe(&error));
                ExitCode::from(1)
            }
        };
    }
    let result = match &database {
        Database::Sqlite(connection) => {
            odata_query::sql::sqlite::answer(connection, &mapping, query, &options)
        }
        Database::Postgres(client) => client.answer(&mapping, query, &options),
    };
    match result {
        Ok(response) => {
            if count_only {
                print_line(&response["@odata.count"].to_string())
            } else {
                print_line(&serde_json::to_string_pretty(&response).unwrap_or_default())
            }
        }
        Err(error) => {
            eprintln!("odq: {}", db::describe(&error));
            ExitCode::from(1)
        }
    }
}
