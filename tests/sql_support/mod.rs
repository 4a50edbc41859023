//! Shared by the SQL tests: the upload-sessions model (examples/upload-sessions.csdl.xml) and mapping, the evaluator's
//! answer, and the comparison after JSON normalisation.
#![allow(dead_code, reason = "each SQL test target uses a different part")]

use odata_query::model::Model;
use odata_query::sql::Mapping;
use odata_query::{EvalOptions, Query};
use serde_json::Value;

pub const MODEL: &str = include_str!("../../examples/upload-sessions.csdl.xml");

/// The seed document's requests (and the plain list).
pub const SEED_REQUESTS: [&str; 7] = [
    "",
    "$expand=files($orderby=uploadedDateTime desc)",
    "$expand=files($filter=size gt 1000000)",
    "$expand=files($orderby=name asc)",
    "$expand=files($filter=name eq 'building-a-access.csv')",
    "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)",
    "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
];

pub fn model() -> Model {
    Model::from_csdl_xml(MODEL).expect("the test model reads")
}

pub fn mapping() -> Mapping {
    Mapping::from_model(&model()).expect("the test model maps")
}

/// The embedded sample's records and `@odata.context`.
pub fn sample() -> (Vec<Value>, String) {
    let document: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS).unwrap();
    let context = document["@odata.context"].as_str().unwrap().to_owned();
    (document["value"].as_array().unwrap().clone(), context)
}

/// The evaluator's answer over `records` with `context`, or its error text.
pub fn evaluate(query: &str, records: &[Value], context: &str) -> Result<Value, String> {
    let query = Query::parse(query).map_err(|e| e.to_string())?;
    let mut options = EvalOptions::default();
    options.now = Some(fixed_now());
    let plan = query.compile(&options).map_err(|e| e.to_string())?;
    let document = serde_json::json!({"@odata.context": context, "value": records});
    plan.apply(&document).map_err(|e| e.to_string())
}

pub fn fixed_now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap()
}

/// JSON normalisation for comparing answers: numbers by value (the database returns a
/// double `3.0` where the JSON had `3`); member order never matters.
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
            Some(f) => Value::from(f),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

pub mod random;

/// The outcome of comparing answers to `n` random queries.
#[derive(Debug, Default)]
pub struct Tally {
    pub total: usize,
    pub agreed: usize,
    pub differences: Vec<String>,
}

impl Tally {
    pub fn ratio(&self) -> f64 {
        self.agreed as f64 / self.total.max(1) as f64
    }
}

/// Runs `n` random queries through the evaluator and `answer`, counting agreement (an
/// error on both sides counts as agreement when both reject the query).
pub fn differential(
    n: usize,
    seed: u64,
    records: &[Value],
    context: &str,
    answer: &mut dyn FnMut(&str) -> Result<Value, String>,
) -> Tally {
    let mut rng = random::Rng::new(seed);
    let mut tally = Tally::default();
    for _ in 0..n {
        let query = random::query(&mut rng);
        tally.total += 1;
        let expected = evaluate(&query, records, context);
        let actual = answer(&query);
        match (&expected, &actual) {
            (Ok(e), Ok(a)) if normalize(e) == normalize(a) => tally.agreed += 1,
            (Err(_), Err(_)) => tally.agreed += 1,
            _ => {
                let at = match (&expected, &actual) {
                    (Ok(e), Ok(a)) => first_difference(&normalize(e), &normalize(a), String::new()),
                    _ => String::new(),
                };
                tally.differences.push(format!(
                    "{query}\n  first difference at {at}\n  evaluator: {}\n  database:  {}",
                    short(&expected),
                    short(&actual)
                ))
            }
        }
    }
    tally
}

fn short(result: &Result<Value, String>) -> String {
    let text = match result {
        Ok(value) => value.to_string(),
        Err(error) => format!("error: {error}"),
    };
    text.chars().take(400).collect()
}

/// The number of random queries: `ODQ_SQL_QUERIES`, else `default`.
pub fn query_count(default: usize) -> usize {
    std::env::var("ODQ_SQL_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where two JSON values first differ, with both sides there.
pub fn first_difference(a: &Value, b: &Value, at: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) if p == q => {}
                    (Some(p), Some(q)) => return first_difference(p, q, format!("{at}/{key}")),
                    (p, q) => return format!("{at}/{key}: {p:?} vs {q:?}"),
                }
            }
            format!("{at}: equal")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    return first_difference(p, q, format!("{at}/{i}"));
                }
            }
            format!("{at}: equal")
        }
        _ => format!(
            "{at}: {} vs {}",
            short(&Ok(a.clone())),
            short(&Ok(b.clone()))
        ),
    }
}
