//! Shared by the SQL tests: the upload-sessions model (examples/upload-sessions.csdl.xml)
//! and mapping, two data sets (generated sessions, and odd ones: nulls, missing members,
//! odd strings, many offsets and precisions, large integers), the evaluator's answer
//! (typed by the model, as the database is; schemaless where the data makes them equal),
//! and the comparison after JSON normalisation, paging included.
#![allow(dead_code, reason = "each SQL test target uses a different part")]

use std::sync::Arc;

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

/// The odd sessions (scripts/sql-differential.py's generator, seed 42) and their context.
pub fn odd_sessions() -> (Vec<Value>, String) {
    let document: Value =
        serde_json::from_str(include_str!("odd-sessions.json")).expect("the odd sessions read");
    let context = document["@odata.context"].as_str().unwrap().to_owned();
    (document["value"].as_array().unwrap().clone(), context)
}

/// How the evaluator reads the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// By the model's declared types, as the database holds them.
    Typed,
    /// Schemaless JSON.
    Schemaless,
}

/// The evaluator's answer over `records` with `context`, typed by the model, or its error
/// text.
pub fn evaluate(query: &str, records: &[Value], context: &str) -> Result<Value, String> {
    evaluate_with(query, records, context, Typing::Typed, None)
}

/// The evaluator's answer with a choice of typing and a page size.
pub fn evaluate_with(
    query: &str,
    records: &[Value],
    context: &str,
    typing: Typing,
    page_size: Option<usize>,
) -> Result<Value, String> {
    let parsed = Query::parse(query).map_err(|e| e.to_string())?;
    let mut options = EvalOptions::default();
    options.now = Some(fixed_now());
    options.max_page_size = page_size;
    if typing == Typing::Typed {
        // As `odq apply --model` does: check first, then evaluate typed.
        parsed
            .check(&model(), "uploadSessions")
            .map_err(|e| e.to_string())?;
        options = options.with_model(Arc::new(model()), "uploadSessions");
    }
    let plan = parsed.compile(&options).map_err(|e| e.to_string())?;
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

pub mod hostile;
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

/// An answer from the database for a query and a page size.
pub type Answer<'a> = dyn FnMut(&str, Option<usize>) -> Result<Value, String> + 'a;

/// Runs `n` random queries through the evaluator (read as `typing` says) and `answer`,
/// counting agreement (an error on both sides counts as agreement when both reject the
/// query). Every fifth query is also paged, three items a page, and its second page
/// fetched from the first's `@odata.nextLink`: both pages must agree too.
pub fn differential(
    n: usize,
    seed: u64,
    records: &[Value],
    context: &str,
    typing: Typing,
    answer: &mut Answer<'_>,
) -> Tally {
    let mut rng = random::Rng::new(seed);
    let mut tally = Tally::default();
    for i in 0..n {
        let query = random::query(&mut rng);
        let page = (i % 5 == 4).then_some(3);
        tally.total += 1;
        let mut expected = evaluate_with(&query, records, context, typing, page);
        let mut actual = answer(&query, page);
        if page.is_some() {
            // The next page, by the link each side gave.
            let next = |response: &Result<Value, String>| {
                response.as_ref().ok().and_then(|r| {
                    r["@odata.nextLink"]
                        .as_str()
                        .map(|link| link.trim_start_matches('?').to_owned())
                })
            };
            if let (Some(e), Some(a)) = (next(&expected), next(&actual)) {
                if e == a {
                    let second_expected = evaluate_with(&e, records, context, typing, page);
                    let second_actual = answer(&a, page);
                    if let (Ok(first), Ok(second)) = (&mut expected, second_expected) {
                        first["second page"] = second;
                    }
                    if let (Ok(first), Ok(second)) = (&mut actual, second_actual) {
                        first["second page"] = second;
                    }
                }
            }
        }
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

/// A model of one entity set, `wide`, whose entity has `n` integer properties `p0`..
/// (beyond what one SQL function call may take as arguments), its key `id`, and records
/// with some members null or missing.
pub fn wide(n: usize) -> (Model, Vec<Value>) {
    let properties: String = (0..n)
        .map(|i| format!(r#"<Property Name="p{i}" Type="Edm.Int64"/>"#))
        .collect();
    let csdl = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="w">
      <EntityType Name="row"><Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>{properties}</EntityType>
      <EntityContainer Name="c"><EntitySet Name="wide" EntityType="w.row"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#
    );
    let model = Model::from_csdl_xml(&csdl).expect("the wide model reads");
    let records = (0..5)
        .map(|r| {
            let mut record = serde_json::Map::new();
            record.insert("id".into(), Value::from(format!("r{r}")));
            for i in 0..n {
                match (r + i) % 7 {
                    0 => {}
                    1 => {
                        record.insert(format!("p{i}"), Value::Null);
                    }
                    k => {
                        record.insert(format!("p{i}"), Value::from(r * 1000 + i * k));
                    }
                }
            }
            Value::Object(record)
        })
        .collect();
    (model, records)
}

/// The evaluator's answer over the wide records, typed by their model.
pub fn evaluate_wide(query: &str, model: &Model, records: &[Value]) -> Result<Value, String> {
    let parsed = Query::parse(query).map_err(|e| e.to_string())?;
    parsed.check(model, "wide").map_err(|e| e.to_string())?;
    let options = EvalOptions::default().with_model(Arc::new(model.clone()), "wide");
    let plan = parsed.compile(&options).map_err(|e| e.to_string())?;
    let document = serde_json::json!({"@odata.context": "$metadata#wide", "value": records});
    plan.apply(&document).map_err(|e| e.to_string())
}

/// Queries over the wide entity: every member, a selection of many, a filter and sort on
/// far members.
pub const WIDE_QUERIES: [&str; 4] = [
    "",
    "$select=id,p1,p59,p60,p119&$orderby=p59 desc,id",
    "$filter=p100 gt 10 or p3 eq null&$count=true",
    "$compute=p1 add p2 as s&$select=*,s",
];
