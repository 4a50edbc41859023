//! Shared by the SQL tests: the upload-sessions model and mapping, the evaluator's
//! answer, and the comparison after JSON normalisation.
#![allow(dead_code, reason = "each SQL test target uses a different part")]

use odata_query::model::Model;
use odata_query::sql::Mapping;
use odata_query::{EvalOptions, Query};
use serde_json::Value;

pub const MODEL: &str = include_str!("../cases/sql/upload-sessions.csdl.xml");

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
    let options = EvalOptions {
        now: Some(fixed_now()),
        ..EvalOptions::default()
    };
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
