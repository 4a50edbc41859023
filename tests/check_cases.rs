//! Data-driven validation cases: every `tests/cases/check/*.txt` file.
//!
//! A file starts with `@model PATH` (relative to the file; CSDL XML or JSON). Each other
//! non-blank line that does not start with `#` is one case:
//!
//! ```text
//! RESOURCE | QUERY | ok
//! RESOURCE | QUERY | error: MESSAGE
//! ```
//!
//! RESOURCE is an entity set or singleton, or a path into one (`People('x')/Trips`).
//! QUERY is the raw query string. MESSAGE is the whole error as displayed after
//! [`CheckError::locate`] (option, message, byte offset, suggestion); a parse error is
//! written `parse error: MESSAGE-PREFIX`.
//!
//! Run one file: `FILE=trippin cargo test --test check_cases`.

use std::fs;
use std::path::{Path, PathBuf};

use odata_query::model::Model;
use odata_query::Query;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/check")
}

fn load_model(path: &Path) -> Model {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "xml") {
        Model::from_csdl_xml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        Model::from_csdl_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The outcome of one case, written as an expectation.
fn outcome(model: &Model, resource: &str, raw: &str) -> String {
    let query = match Query::parse(raw) {
        Ok(query) => query,
        Err(error) => return format!("parse error: {}", error.message()),
    };
    match query.check(model, resource) {
        Ok(()) => "ok".to_owned(),
        Err(error) => format!("error: {}", error.locate(raw)),
    }
}

#[test]
fn check_cases() {
    let only = std::env::var("FILE").ok();
    let mut files: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("tests/cases/check exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .filter(|path| {
            only.as_deref()
                .is_none_or(|name| path.file_stem().is_some_and(|stem| stem == name))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files");
    let (mut total, mut failures) = (0, Vec::new());
    for file in files {
        let text = fs::read_to_string(&file).expect("readable case file");
        let mut model = None;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!(
                "{}:{}",
                file.file_name().unwrap().to_string_lossy(),
                index + 1
            );
            if let Some(path) = line.strip_prefix("@model ") {
                model = Some(load_model(&file.parent().unwrap().join(path.trim())));
                continue;
            }
            let model = model
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: no @model line before the cases"));
            let parts: Vec<&str> = line.splitn(3, " | ").collect();
            let [resource, raw, expected] = parts[..] else {
                panic!("{at}: expected RESOURCE | QUERY | EXPECTATION");
            };
            total += 1;
            let actual = outcome(model, resource.trim(), raw.trim());
            let matches = match expected.strip_prefix("parse error: ") {
                Some(prefix) => actual.starts_with(&format!("parse error: {prefix}")),
                None => actual == expected.trim(),
            };
            if !matches {
                failures.push(format!(
                    "{at}: {resource} | {raw}\n   expected {expected}\n        got {actual}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} check cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
