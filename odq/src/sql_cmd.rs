//! `odq sql`: print the parameterized SQL a query translates to.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use odata_query::sql::{Dialect, SqlOptions};
use odata_query::Query;

use crate::{db, fail};

/// The SQL dialect.
#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub(crate) enum DialectChoice {
    #[default]
    Sqlite,
    Postgres,
}

impl DialectChoice {
    pub(crate) fn dialect(self) -> Dialect {
        match self {
            DialectChoice::Sqlite => Dialect::Sqlite,
            DialectChoice::Postgres => Dialect::Postgres,
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct SqlArgs {
    /// The data model: CSDL XML ($metadata) or CSDL JSON.
    #[arg(long, value_name = "FILE")]
    model: String,
    /// A mapping file overriding the conventional table and column names.
    #[arg(long, value_name = "FILE")]
    mapping: Option<String>,
    /// The entity set queried (default: the model's only one).
    #[arg(long, value_name = "NAME")]
    set: Option<String>,
    /// The SQL dialect.
    #[arg(long, value_enum, default_value_t = DialectChoice::Sqlite)]
    dialect: DialectChoice,
    /// The query string ('$filter=size gt 1000000&$top=5').
    query: String,
}

pub(crate) fn run(args: &SqlArgs) -> ExitCode {
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
    let query = match Query::parse(args.query.trim_start_matches('?')) {
        Ok(query) => query,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(1);
        }
    };
    let mut options = SqlOptions::new(args.dialect.dialect());
    options.entity_set = Some(set);
    match query.to_sql_with(&mapping, &options) {
        Ok(sql) => crate::print_line(&sql.to_json().to_string()),
        Err(error) => {
            eprintln!("odq: {}", db::describe(&error));
            ExitCode::from(1)
        }
    }
}
