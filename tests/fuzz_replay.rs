//! Replays every committed fuzz input (seed corpora, local corpora when present, and
//! findings) through the same checks as the fuzz targets, so `cargo test` guards every bug
//! the fuzzers found without needing nightly.

use std::fs;
use std::path::Path;

#[path = "../fuzz/checks.rs"]
#[allow(dead_code)] // each test uses some of the checks
mod checks;

/// Every file under `fuzz/{seeds,corpus,regressions}/<target>/`.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for kind in ["seeds", "corpus", "regressions"] {
        let dir = root.join(kind).join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let data = fs::read(&path).expect("readable fuzz input");
                found.push((path.display().to_string(), data));
            }
        }
    }
    found.sort();
    found
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let inputs = inputs(target);
    for (name, data) in &inputs {
        let result = std::panic::catch_unwind(|| check(data));
        assert!(result.is_ok(), "fuzz input {name} fails its check");
    }
    inputs.len()
}

#[test]
fn parse_query_inputs() {
    let n = replay("parse_query", checks::check_query);
    assert!(n > 0, "no inputs for parse_query");
}

#[test]
fn parse_filter_inputs() {
    let n = replay("parse_filter", checks::check_filter);
    assert!(n > 0, "no inputs for parse_filter");
}

#[test]
fn parse_eval_inputs() {
    let n = replay("parse_eval", checks::check_eval);
    assert!(n > 0, "no inputs for parse_eval");
}

#[test]
fn csdl_inputs() {
    let n = replay("csdl", checks::check_csdl);
    assert!(n > 0, "no inputs for csdl");
}

#[test]
fn parse_check_inputs() {
    let n = replay("parse_check", checks::check_model);
    assert!(n > 0, "no inputs for parse_check");
}

#[cfg(all(feature = "sql", feature = "csdl"))]
#[test]
fn sql_literals_inputs() {
    let n = replay("sql_literals", checks::check_sql_literals);
    assert!(n > 0, "no inputs for sql_literals");
}
