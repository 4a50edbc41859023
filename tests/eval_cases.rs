//! Data-driven evaluation cases: every `tests/cases/eval/*.json` file.
//!
//! Each file is a JSON array of cases:
//!
//! ```json
//! {"name": "...", "query": "$filter=...",
//!  "input": [...] | "input_file": "samples/upload-sessions.json",
//!  "expected": {...full response...} | "error": "substring of the error",
//!  "page_size": 2, "max_eval_steps": 100, "max_json_depth": 4, "sql_null_semantics": true,
//!  "model": "models/typed.csdl.json", "resource": "items"}
//! ```
//!
//! Every case runs on both evaluation paths: [`Plan::apply`] over the `Value`, and
//! [`StreamPlan::apply_bytes`] over the same document serialised; both must meet the
//! expectation.
//!
//! [`Plan::apply`]: odata_query::Plan::apply
//!
//! `input_file` and `model` (CSDL JSON: typed evaluation) are relative to `tests/cases/eval/`. `now()` is fixed at
//! `2026-06-01T12:00:00Z`. `page_size` sets `EvalOptions::max_page_size`.
//!
//! Run one case: `CASE=name cargo test --test eval_cases one_case -- --ignored --nocapture`.

use std::fs;
use std::path::{Path, PathBuf};

use odata_query::ast::Query;
use std::sync::Arc;

use odata_query::eval::EvalOptions;
use odata_query::model::Model;
use odata_query::stream::StreamPlan;
use serde_json::Value;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval")
}

/// Every case, with the file it comes from.
fn load_cases() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("tests/cases/eval exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable case file");
        let parsed: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for case in parsed.as_array().expect("a case file is a JSON array") {
            cases.push((name.clone(), case.clone()));
        }
    }
    cases
}

/// Runs one case; `Err` describes the failure.
fn run_case(case: &Value) -> Result<(), String> {
    let query_text = case["query"].as_str().ok_or("missing query")?;
    if cfg!(not(feature = "regex")) && query_text.contains("matchesPattern") {
        // Without the `regex` feature matchesPattern is rejected; nothing to compare.
        return Ok(());
    }
    let input = match (
        case.get("input"),
        case.get("input_file").and_then(Value::as_str),
    ) {
        (Some(input), _) => input.clone(),
        (None, Some(file)) => {
            let text = fs::read_to_string(cases_dir().join(file)).map_err(|e| e.to_string())?;
            serde_json::from_str(&text).map_err(|e| e.to_string())?
        }
        (None, None) => return Err("missing input or input_file".into()),
    };
    let mut options = EvalOptions::default();
    options.now =
        Some(chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").expect("fixed now"));
    if let Some(size) = case.get("page_size").and_then(Value::as_u64) {
        options.max_page_size = Some(size as usize);
    }
    if let Some(steps) = case.get("max_eval_steps").and_then(Value::as_u64) {
        options.limits.max_eval_steps = steps;
    }
    if let Some(sql) = case.get("sql_null_semantics").and_then(Value::as_bool) {
        options.sql_null_semantics = sql;
    }
    if let Some(depth) = case.get("max_json_depth").and_then(Value::as_u64) {
        options.limits.max_json_depth = depth as usize;
    }
    if let Some(model) = case.get("model").and_then(Value::as_str) {
        let text = fs::read_to_string(cases_dir().join(model)).map_err(|e| e.to_string())?;
        let model = Model::from_csdl_json(&text).map_err(|e| e.to_string())?;
        let resource = case["resource"]
            .as_str()
            .ok_or("a model needs a resource")?;
        options = options.with_model(Arc::new(model), resource);
    }
    let result = Query::parse(query_text)
        .map_err(|e| e.to_string())
        .and_then(|query| query.compile(&options).map_err(|e| e.to_string()))
        .and_then(|plan| plan.apply(&input).map_err(|e| e.to_string()));
    check_outcome(case, result).map_err(|message| format!("(Value path) {message}"))?;
    // The streaming path must give the same answer over the same document as bytes.
    let bytes = serde_json::to_vec(&input).map_err(|e| e.to_string())?;
    let streamed = Query::parse(query_text)
        .map_err(|e| e.to_string())
        .and_then(|query| StreamPlan::new(&query, &options).map_err(|e| e.to_string()))
        .and_then(|plan| {
            let mut out = Vec::new();
            plan.apply_bytes(&bytes, &mut out)
                .map_err(|e| e.to_string())?;
            serde_json::from_slice(&out).map_err(|e| format!("invalid streamed JSON: {e}"))
        });
    check_outcome(case, streamed).map_err(|message| format!("(streaming path) {message}"))
}

/// Compares one path's result with the case's `expected` or `error`.
fn check_outcome(case: &Value, result: Result<Value, String>) -> Result<(), String> {
    match (
        result,
        case.get("expected"),
        case.get("error").and_then(Value::as_str),
    ) {
        (Ok(actual), Some(expected), _) => {
            if &actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "expected {}\n     got {}",
                    serde_json::to_string(expected).unwrap_or_default(),
                    serde_json::to_string(&actual).unwrap_or_default()
                ))
            }
        }
        (Ok(actual), None, Some(error)) => Err(format!(
            "expected an error containing {error:?}, got {}",
            serde_json::to_string(&actual).unwrap_or_default()
        )),
        (Err(message), _, Some(error)) => {
            if message.contains(error) {
                Ok(())
            } else {
                Err(format!(
                    "expected an error containing {error:?}, got {message:?}"
                ))
            }
        }
        (Err(message), _, None) => Err(format!("unexpected error: {message}")),
        (Ok(_), None, None) => Err("the case has neither expected nor error".into()),
    }
}

#[test]
fn eval_cases() {
    let cases = load_cases();
    assert!(!cases.is_empty(), "no cases found");
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let name = case["name"].as_str().unwrap_or("<unnamed>");
        if let Err(message) = run_case(case) {
            failures.push(format!("{file}: {name}: {message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} eval cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<String> = load_cases()
        .iter()
        .map(|(file, case)| format!("{file}: {}", case["name"].as_str().unwrap_or("")))
        .collect();
    let total = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), total, "duplicate case names");
}

#[test]
#[ignore = "run one case by name: CASE=name"]
fn one_case() {
    let wanted = std::env::var("CASE").expect("set CASE to a case name");
    for (file, case) in load_cases() {
        if case["name"].as_str() == Some(wanted.as_str()) {
            match run_case(&case) {
                Ok(()) => println!("{file}: {wanted}: ok"),
                Err(message) => panic!("{file}: {wanted}: {message}"),
            }
            return;
        }
    }
    panic!("no case named {wanted}");
}
