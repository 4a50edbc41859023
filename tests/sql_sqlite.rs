//! SQL translation on SQLite (bundled): the seed's requests and hand-derived cases answer
//! as the evaluator does.

mod sql_support;

use odata_query::sql::{sqlite, Dialect, SqlOptions};
use odata_query::Query;
use sql_support::*;

fn database(records: &[serde_json::Value], context: &str) -> rusqlite::Connection {
    let mapping = mapping();
    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    sqlite::create_tables(&connection, &mapping).unwrap();
    sqlite::load(
        &mut connection,
        &mapping,
        "uploadSessions",
        records,
        Some(context),
    )
    .unwrap();
    connection
}

fn answer(connection: &rusqlite::Connection, query: &str) -> Result<serde_json::Value, String> {
    let parsed = Query::parse(query).map_err(|e| e.to_string())?;
    let options = SqlOptions {
        now: Some(fixed_now()),
        ..SqlOptions::new(Dialect::Sqlite)
    };
    sqlite::answer(connection, &mapping(), &parsed, &options).map_err(|e| e.to_string())
}

#[test]
fn seed_requests_answer_as_the_evaluator_does() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    for query in [
        "",
        "$expand=files($orderby=uploadedDateTime desc)",
        "$expand=files($filter=size gt 1000000)",
        "$expand=files($orderby=name asc)",
        "$expand=files($filter=name eq 'building-a-access.csv')",
        "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ] {
        let expected = evaluate(query, &records, &context).unwrap();
        let actual = answer(&connection, query).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}
