//! SQL translation on SQLite (bundled): the seed's requests, random queries over two data
//! sets (the differential test, typed and schemaless, paging included) and hostile
//! literals answer as the evaluator does.

mod sql_support;

use odata_query::sql::{sqlite, Dialect, SqlOptions};
use odata_query::Query;
use serde_json::Value;
use sql_support::hostile;
use sql_support::*;

fn database(records: &[Value], context: &str) -> rusqlite::Connection {
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

fn answer(
    connection: &rusqlite::Connection,
    query: &str,
    page: Option<usize>,
) -> Result<Value, String> {
    let parsed = Query::parse(query).map_err(|e| e.to_string())?;
    let mut options = SqlOptions::new(Dialect::Sqlite);
    options.now = Some(fixed_now());
    options.max_page_size = page;
    let value =
        sqlite::answer(connection, &mapping(), &parsed, &options).map_err(|e| e.to_string())?;
    // The text response (rows copied as SQLite printed them) is the same response.
    let text = sqlite::answer_text(connection, &mapping(), &parsed, &options).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reparsed, value, "{query}: text response");
    Ok(value)
}

#[test]
fn seed_requests_answer_as_the_evaluator_does() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    for query in SEED_REQUESTS {
        let expected = evaluate(query, &records, &context).unwrap();
        let actual = answer(&connection, query, None).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}

fn report(name: &str, tally: &Tally) {
    for difference in tally.differences.iter().take(10) {
        eprintln!("{difference}\n");
    }
    eprintln!(
        "SQLite agreed with the {name} evaluator on {} of {} random queries",
        tally.agreed, tally.total
    );
}

#[test]
fn random_queries_answer_as_the_evaluator_does() {
    let records = odata_query::sample::upload_session_records(300, 11);
    let context = odata_query::sample::GENERATED_CONTEXT;
    let connection = database(&records, context);
    let n = query_count(300);
    let typed = differential(n, 5, &records, context, Typing::Typed, &mut |q, page| {
        answer(&connection, q, page)
    });
    report("typed", &typed);
    assert!(
        typed.ratio() >= 0.99,
        "typed agreement {:.3}",
        typed.ratio()
    );
    // The generated data has one offset and precision, so the schemaless evaluator
    // agrees too, except where the model's check rejects a query it answers.
    let schemaless = differential(
        n,
        6,
        &records,
        context,
        Typing::Schemaless,
        &mut |q, page| answer(&connection, q, page),
    );
    report("schemaless", &schemaless);
    assert!(
        schemaless.ratio() >= 0.97,
        "schemaless agreement {:.3}",
        schemaless.ratio()
    );
}

#[test]
fn random_queries_over_odd_data_answer_as_the_evaluator_does() {
    let (records, context) = odd_sessions();
    let connection = database(&records, &context);
    let tally = differential(
        query_count(300),
        7,
        &records,
        &context,
        Typing::Typed,
        &mut |q, page| answer(&connection, q, page),
    );
    report("typed (odd data)", &tally);
    assert!(tally.ratio() >= 0.99, "agreement {:.3}", tally.ratio());
}

/// Hostile literals: the SQL text never contains them, parameters carry them, answers
/// equal the evaluator's, and no row changes.
#[test]
fn hostile_literals_are_only_parameters() {
    let (mut records, context) = sample();
    hostile::plant(&mut records, true);
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
    let mapping = mapping();
    let mut answered = 0;
    for text in hostile::HOSTILE {
        for (query, carried) in hostile::queries(text) {
            hostile::check_text(&query, text, &carried, &mapping).unwrap();
            let expected = evaluate(&query, &records, &context);
            match answer(&connection, &query, None) {
                Ok(actual) => {
                    let expected = expected.unwrap_or_else(|e| panic!("{query}: {e}"));
                    // A documented divergence: SQLite's length() stops at a NUL.
                    if !(text.contains('\0') && query.contains("length(")) {
                        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
                    }
                    answered += 1;
                }
                // Only patterns beyond plain text have no SQLite form.
                Err(e) => assert!(
                    e.contains("matchesPattern") || expected.is_err(),
                    "{query}: {e}"
                ),
            }
        }
    }
    assert!(answered > 100, "only {answered} answered");
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
        let error = answer(&connection, query, None).expect_err(query);
        assert!(error.contains(named), "{query}: {error}");
    }
}

/// An entity with 120 properties (more than a PostgreSQL function takes arguments)
/// answers as the evaluator does on SQLite too.
#[test]
fn wide_entities_answer_as_the_evaluator_does() {
    let (model, records) = wide(120);
    let mapping = odata_query::sql::Mapping::from_model(&model).unwrap();
    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    sqlite::create_tables(&connection, &mapping).unwrap();
    sqlite::load(
        &mut connection,
        &mapping,
        "wide",
        &records,
        Some("$metadata#wide"),
    )
    .unwrap();
    for query in WIDE_QUERIES {
        let expected = evaluate_wide(query, &model, &records).unwrap();
        let parsed = Query::parse(query).unwrap();
        let actual = sqlite::answer(
            &connection,
            &mapping,
            &parsed,
            &SqlOptions::new(Dialect::Sqlite),
        )
        .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}

/// A `$compute` value that fails for some item fails the request even when `$filter`
/// keeps no item, as in the evaluator (which computes for every item first).
#[test]
fn failing_computed_values_fail_whatever_the_filter_keeps() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    for query in [
        "$compute=stats/filesUploaded div (stats/filesUploaded sub stats/filesUploaded) as c&$filter=status eq 'nope'",
        "$compute=stats/filesUploaded mod (stats/filesUploaded sub stats/filesUploaded) as c&$filter=status eq 'nope' and c eq 1&$skip=1",
    ] {
        let expected = evaluate(query, &records, &context);
        assert!(expected.is_err(), "{query}: the evaluator answered");
        let actual = answer(&connection, query, None);
        assert!(actual.is_err(), "{query}: SQLite answered {actual:?}");
    }
}

/// A `groupby` path through a collection and a `$select` path through a navigation
/// property are 400s, as in the evaluator and the model check (the translation used to
/// group under null and to select the whole collection).
#[test]
fn paths_through_collections_are_errors_where_the_evaluator_fails() {
    let (records, context) = sample();
    let connection = database(&records, &context);
    let expected = evaluate("$apply=groupby((files/name))", &records, &context);
    assert!(expected.is_err(), "the evaluator answered {expected:?}");
    for query in ["$apply=groupby((files/name))", "$select=files/name"] {
        let actual = answer(&connection, query, None);
        let error = actual.expect_err(query);
        assert!(error.contains("files"), "{query}: {error}");
    }
}

/// The translation nests built JSON under `CASE` and from scalar subqueries without
/// `json(...)`: the bundled SQLite keeps the JSON subtype through both (an older SQLite
/// that dropped it would nest the text as a string).
#[test]
fn sqlite_keeps_the_json_subtype_through_case_and_subqueries() {
    let connection = rusqlite::Connection::open_in_memory().unwrap();
    let nested: String = connection
        .query_row(
            "SELECT json_array(CASE WHEN 1 THEN json_object('a', 1) END, \
             (SELECT json_group_array(json_object('b', x)) FROM (SELECT 2 AS x)), \
             CASE WHEN 1 THEN (SELECT json_group_array(x) FROM (SELECT 3 AS x)) END)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(nested, r#"[{"a":1},[{"b":2}],[3]]"#);
}
