//! SQL translation on PostgreSQL: the seed's requests, random queries (the differential
//! test, three ways: evaluator, SQLite, PostgreSQL) and hostile literals.
//!
//! Needs a server: `ODQ_TEST_POSTGRES` is its URL (`scripts/postgres.sh start` prints one;
//! `.ci/run` starts a throwaway cluster and sets it). Without it each test says on stderr
//! how to run it and checks nothing, so that `cargo test` passes on a machine without
//! PostgreSQL; with `ODQ_REQUIRE_POSTGRES=1` (set by `.ci/run`) a missing server fails
//! them instead. Each test works in its own schema.

mod sql_support;

use odata_query::sql::{postgres, sqlite, Dialect, SqlOptions};
use odata_query::Query;
use serde_json::Value;
use sql_support::hostile;
use sql_support::*;

const HOW: &str = "set ODQ_TEST_POSTGRES to a PostgreSQL URL (`scripts/postgres.sh start` \
    prints one), or run .ci/run, which starts a throwaway cluster";

fn server() -> Option<String> {
    match std::env::var("ODQ_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("ODQ_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("ODQ_REQUIRE_POSTGRES=1 but no server: {HOW}")
        }
        _ => {
            eprintln!("note: PostgreSQL tests skipped: {HOW}");
            None
        }
    }
}

fn database(schema: &str, records: &[Value], context: &str) -> Option<postgres::Blocking> {
    let url = server()?;
    let mut client = postgres::Blocking::connect(&url).expect("connects to ODQ_TEST_POSTGRES");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}"
        ))
        .unwrap();
    let mapping = mapping();
    client.create_tables(&mapping).unwrap();
    client
        .load(&mapping, "uploadSessions", records, Some(context))
        .unwrap();
    Some(client)
}

fn answer(client: &postgres::Blocking, query: &str, page: Option<usize>) -> Result<Value, String> {
    let parsed = Query::parse(query).map_err(|e| e.to_string())?;
    let mut options = SqlOptions::new(Dialect::Postgres);
    options.now = Some(fixed_now());
    options.max_page_size = page;
    let value = client
        .answer(&mapping(), &parsed, &options)
        .map_err(|e| e.to_string())?;
    // The text response (rows copied as PostgreSQL printed them) is the same response.
    let text = client.answer_text(&mapping(), &parsed, &options).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reparsed, value, "{query}: text response");
    Ok(value)
}

#[test]
fn seed_requests_answer_as_the_evaluator_does() {
    let (records, context) = sample();
    let Some(client) = database("seed", &records, &context) else {
        return;
    };
    for query in SEED_REQUESTS {
        let expected = evaluate(query, &records, &context).unwrap();
        let actual = answer(&client, query, None).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}

/// The evaluator, SQLite and PostgreSQL on the same records and random queries.
fn three_ways(schema: &str, records: &[Value], context: &str, seed: u64) {
    let Some(client) = database(schema, records, context) else {
        return;
    };
    let mapping = mapping();
    let mut connection = sqlite::Connection::open_in_memory().unwrap();
    sqlite::create_tables(&connection, &mapping).unwrap();
    sqlite::load(
        &mut connection,
        &mapping,
        "uploadSessions",
        records,
        Some(context),
    )
    .unwrap();
    let n = query_count(300);
    let on_postgres = differential(n, seed, records, context, Typing::Typed, &mut |q, page| {
        answer(&client, q, page)
    });
    let on_sqlite = differential(n, seed, records, context, Typing::Typed, &mut |q, page| {
        let parsed = Query::parse(q).map_err(|e| e.to_string())?;
        let mut options = SqlOptions::new(Dialect::Sqlite);
        options.now = Some(fixed_now());
        options.max_page_size = page;
        sqlite::answer(&connection, &mapping, &parsed, &options).map_err(|e| e.to_string())
    });
    for difference in on_postgres.differences.iter().take(10) {
        eprintln!("{difference}\n");
    }
    eprintln!(
        "{schema}: PostgreSQL agreed with the typed evaluator on {} of {}, SQLite on {} of {}",
        on_postgres.agreed, on_postgres.total, on_sqlite.agreed, on_sqlite.total
    );
    assert!(
        on_postgres.ratio() >= 0.99,
        "PostgreSQL agreement {:.3}",
        on_postgres.ratio()
    );
    assert!(
        on_sqlite.ratio() >= 0.99,
        "SQLite agreement {:.3}",
        on_sqlite.ratio()
    );
}

#[test]
fn random_queries_agree_three_ways() {
    let records = odata_query::sample::upload_session_records(300, 11);
    three_ways(
        "random",
        &records,
        odata_query::sample::GENERATED_CONTEXT,
        5,
    );
}

#[test]
fn random_queries_over_odd_data_agree_three_ways() {
    let (records, context) = odd_sessions();
    three_ways("odd", &records, &context, 7);
}

/// Hostile literals on PostgreSQL: never in the SQL text, answers equal to the
/// evaluator's, no row changed; a NUL (which PostgreSQL text cannot hold) is a 501.
#[test]
fn hostile_literals_are_only_parameters() {
    let (mut records, context) = sample();
    hostile::plant(&mut records, false);
    let Some(client) = database("hostile", &records, &context) else {
        return;
    };
    let count = || -> (i64, i64) {
        let row = client
            .block_on(client.client().query_one(
                "SELECT (SELECT count(*) FROM \"uploadSessions\"), \
                 (SELECT count(*) FROM \"uploadSessions_files\")",
                &[],
            ))
            .unwrap();
        (row.get(0), row.get(1))
    };
    let before = count();
    let mapping = mapping();
    let mut answered = 0;
    for text in hostile::HOSTILE {
        for (query, carried) in hostile::queries(text) {
            hostile::check_text(&query, text, &carried, &mapping).unwrap();
            let expected = evaluate(&query, &records, &context);
            match answer(&client, &query, None) {
                Ok(actual) => {
                    let expected = expected.unwrap_or_else(|e| panic!("{query}: {e}"));
                    assert_eq!(normalize(&actual), normalize(&expected), "{query}");
                    answered += 1;
                }
                Err(e) => assert!(
                    text.contains('\0') && e.contains("NUL") || expected.is_err(),
                    "{query}: {e}"
                ),
            }
        }
    }
    assert!(answered > 100, "only {answered} answered");
    assert_eq!(count(), before);
}

/// An entity with more properties than a PostgreSQL function takes arguments (100)
/// answers as the evaluator does.
#[test]
fn wide_entities_answer_as_the_evaluator_does() {
    let Some(url) = server() else {
        return;
    };
    let (model, records) = wide(120);
    let mapping = odata_query::sql::Mapping::from_model(&model).unwrap();
    let mut client = postgres::Blocking::connect(&url).unwrap();
    client
        .batch_execute(
            "DROP SCHEMA IF EXISTS wide CASCADE; CREATE SCHEMA wide; SET search_path TO wide",
        )
        .unwrap();
    client.create_tables(&mapping).unwrap();
    client
        .load(&mapping, "wide", &records, Some("$metadata#wide"))
        .unwrap();
    for query in WIDE_QUERIES {
        let expected = evaluate_wide(query, &model, &records).unwrap();
        let parsed = Query::parse(query).unwrap();
        let actual = client
            .answer(&mapping, &parsed, &SqlOptions::new(Dialect::Postgres))
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}

/// A `$compute` value that fails for some item fails the request even when `$filter`
/// keeps no item, as in the evaluator.
#[test]
fn failing_computed_values_fail_whatever_the_filter_keeps() {
    let (records, context) = sample();
    let Some(client) = database("failing", &records, &context) else {
        return;
    };
    for query in [
        "$compute=stats/filesUploaded div (stats/filesUploaded sub stats/filesUploaded) as c&$filter=status eq 'nope'",
        "$compute=stats/filesUploaded mod (stats/filesUploaded sub stats/filesUploaded) as c&$filter=status eq 'nope' and c eq 1&$skip=1",
    ] {
        let expected = evaluate(query, &records, &context);
        assert!(expected.is_err(), "{query}: the evaluator answered");
        let actual = answer(&client, query, None);
        assert!(actual.is_err(), "{query}: PostgreSQL answered {actual:?}");
    }
}

/// Integer arithmetic in comparisons runs in `bigint` where a guard shows it cannot
/// overflow and exactly in `numeric` elsewhere: both sides of the guard's bounds (2^31
/// per value read) and values whose arithmetic passes 64 bits answer as the evaluator.
#[test]
fn guarded_integer_arithmetic_answers_as_the_evaluator_does() {
    let (mut records, context) = sample();
    let values: [Value; 10] = [
        Value::Null,
        0.into(),
        2_147_483_647i64.into(),
        2_147_483_648i64.into(),
        2_147_483_649i64.into(),
        (-2_147_483_649i64).into(),
        4_611_686_018_427_387_904i64.into(),
        i64::MAX.into(),
        i64::MIN.into(),
        (-3).into(),
    ];
    let template = records[0].clone();
    records.clear();
    for (i, value) in values.iter().enumerate() {
        let mut record = template.clone();
        record["id"] = Value::from(format!("guard-{i}"));
        record["stats"]["filesUploaded"] = value.clone();
        record["stats"]["totalBytesUploaded"] = values[(i + 3) % values.len()].clone();
        records.push(record);
    }
    let Some(client) = database("guarded", &records, &context) else {
        return;
    };
    for filter in [
        "(stats/filesUploaded add 1) mul 2 gt 10",
        "stats/filesUploaded mul stats/filesUploaded gt 4611686018427387904",
        "stats/filesUploaded mul 2 eq 4294967298",
        "stats/filesUploaded sub 1 lt -2147483649",
        "stats/filesUploaded add 9223372036854775807 gt 0",
        "stats/filesUploaded add stats/totalBytesUploaded ge 2147483648",
        "stats/filesUploaded mul stats/totalBytesUploaded le 0",
        "not (stats/filesUploaded mul 3 ne 6442450944)",
        "1 add 2 lt stats/filesUploaded sub 1",
        "-(stats/filesUploaded add 1) lt 0",
        "-(stats/filesUploaded mul 2) ge -4294967296",
        "-(stats/filesUploaded mul stats/filesUploaded) lt -1",
    ] {
        let query = format!("$filter={filter}&$select=id");
        let expected = evaluate(&query, &records, &context).unwrap();
        let actual = answer(&client, &query, None).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(normalize(&actual), normalize(&expected), "{query}");
    }
}
