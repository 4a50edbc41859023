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
    let mut options = SqlOptions::new(Dialect::Sqlite);
    options.now = Some(fixed_now());
    sqlite::answer(connection, &mapping(), &parsed, &options).map_err(|e| e.to_string())
}

#[test]
fn seed_requests_answer_as_the_evaluator_does() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    for query in SEED_REQUESTS {
        let expected = evaluate(query, &records, &context).unwrap();
        let actual = answer(&connection, query).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}

#[test]
fn random_queries_answer_as_the_evaluator_does() {
    let records = odata_query::sample::upload_session_records(300, 11);
    let context = odata_query::sample::GENERATED_CONTEXT;
    let connection = database(&records, context);
    let n = query_count(300);
    let tally = differential(n, 5, &records, context, &mut |q| answer(&connection, q));
    for difference in tally.differences.iter().take(15) {
        eprintln!("{difference}\n");
    }
    eprintln!(
        "SQLite agreed on {} of {} random queries",
        tally.agreed, tally.total
    );
    assert!(tally.ratio() >= 0.99, "agreement {:.3}", tally.ratio());
}

/// Hostile literals: the SQL text never contains them, answers equal the evaluator's, and
/// no row changes.
#[test]
fn hostile_literals_are_only_parameters() {
    let (mut records, context) = sample();
    let hostile = [
        "'); DROP TABLE \"uploadSessions\"; --",
        "%",
        "_",
        "\\",
        "a%b_c\\d",
        "\0",
        "\"quoted\"",
        "''",
        "Robert'); DELETE FROM uploadSessions_files; --",
        "\u{1}0\u{1}",
        "ß😀\u{202e}",
    ];
    for (i, text) in hostile.iter().enumerate() {
        let n = records.len();
        records[i % n]["source"] = serde_json::Value::from(*text);
    }
    let connection = database(&records, &context);
    let count = |c: &rusqlite::Connection| -> (i64, i64) {
        let sessions = c
            .query_row("SELECT count(*) FROM \"uploadSessions\"", [], |r| r.get(0))
            .unwrap();
        let files = c
            .query_row("SELECT count(*) FROM \"uploadSessions_files\"", [], |r| {
                r.get(0)
            })
            .unwrap();
        (sessions, files)
    };
    let before = count(&connection);
    for text in hostile {
        let literal: String = text
            .replace('\'', "''")
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for query in [
            format!("$filter=source eq '{literal}'"),
            format!("$filter=contains(source,'{literal}')"),
            format!("$filter=startswith(source,'{literal}') or endswith(source,'{literal}')"),
            format!("$filter=not (source in ('{literal}','x'))&$count=true"),
            format!("$compute=concat(source,'{literal}') as c&$select=c"),
        ] {
            let parsed = Query::parse(&query).unwrap_or_else(|e| panic!("{query}: {e}"));
            for dialect in [Dialect::Sqlite, Dialect::Postgres] {
                let sql = parsed.to_sql(&mapping(), dialect).unwrap();
                if text.len() > 1 || !"%_\\".contains(text) {
                    assert!(!sql.sql.contains(text), "{query} leaks into {}", sql.sql);
                }
            }
            let expected = evaluate(&query, &records, &context).unwrap();
            let actual = answer(&connection, &query).unwrap();
            assert_eq!(normalize(&actual), normalize(&expected), "{query}");
        }
    }
    assert_eq!(count(&connection), before);
}

#[test]
fn options_the_translation_cannot_answer_are_errors() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    for (query, named) in [
        ("$at=2026-01-01", "$at"),
        ("$expand=files($from=min;$to=2026-01-01)", "$from"),
        ("$filter=FindFile(name) eq 1", "FindFile"),
    ] {
        let error = answer(&connection, query).expect_err(query);
        assert!(error.contains(named), "{query}: {error}");
    }
}
