//! The real-world corpus (`tests/cases/parse/corpus/`): query strings collected from public
//! documentation and test suites. Every valid line must parse in default mode, and print
//! canonical and URL forms that parse back to an equal query; every invalid line must be
//! rejected. The few lines decided otherwise are listed below with the reason.

use std::fs;
use std::path::Path;

use odata_query::{ParseOptions, Query};

/// Valid lines the default mode rejects on purpose, with the reason.
const VALID_BUT_REJECTED: &[(&str, &str)] = &[(
    "$filter=cast('ResolvedType_SimpleEntityWithLongSubType')/SubID",
    "an unqualified type name cannot be a path segment (it would read as a property); \
     .NET resolves it against the model's namespaces, which the parser does not have",
)];

/// Invalid lines the default mode accepts on purpose, with the reason: none.
const INVALID_BUT_ACCEPTED: &[(&str, &str)] = &[];

fn lines(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/parse/corpus")
        .join(name);
    let text = fs::read_to_string(&path).expect("corpus file is UTF-8");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn listed(list: &[(&str, &str)], line: &str) -> bool {
    list.iter().any(|(listed, _)| *listed == line)
}

/// Checks that `text` (printed from `query`) parses back to it.
fn reparses(what: &str, text: &str, query: &Query, options: &ParseOptions) -> Option<String> {
    match Query::parse_with(text, options) {
        Ok(again) if again == *query => None,
        Ok(again) => Some(format!(
            "{what} {text:?} parses to {again:?}, not {query:?}"
        )),
        Err(error) => Some(format!("{what} {text:?} does not parse:\n{error}")),
    }
}

#[test]
fn valid_queries_parse_and_round_trip() {
    let options = ParseOptions::default();
    let lines = lines("real-world-valid.txt");
    assert!(lines.len() > 2000, "the valid corpus is missing");
    let mut failures = Vec::new();
    for line in &lines {
        match Query::parse_with(line, &options) {
            Ok(query) => {
                if listed(VALID_BUT_REJECTED, line) {
                    failures.push(format!("{line:?} is accepted now: drop it from the list"));
                    continue;
                }
                let canonical = query.to_string();
                let url = query.to_url_string();
                failures.extend(reparses("canonical text", &canonical, &query, &options));
                failures.extend(reparses("URL form", &url, &query, &options));
            }
            Err(_) if listed(VALID_BUT_REJECTED, line) => {}
            Err(error) => failures.push(format!("{line:?} is rejected:\n{error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} valid corpus lines fail:\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_queries_are_rejected() {
    let options = ParseOptions::default();
    let lines = lines("real-world-invalid.txt");
    assert!(lines.len() > 100, "the invalid corpus is missing");
    let accepted: Vec<String> = lines
        .iter()
        .filter(|line| {
            Query::parse_with(line, &options).is_ok() != listed(INVALID_BUT_ACCEPTED, line)
        })
        .map(|line| format!("{line:?}"))
        .collect();
    assert!(
        accepted.is_empty(),
        "{} of {} invalid corpus lines are accepted:\n{}",
        accepted.len(),
        lines.len(),
        accepted.join("\n")
    );
}
