//! The checks behind every fuzz target. Shared by the targets (`fuzz_targets/*.rs`) and by
//! the regression replay in the main crate (`tests/fuzz_replay.rs`), so a normal
//! `cargo test` guards every finding.

use odata_query::{parse_rule, ParseOptions, Rule};

/// Both parsing modes.
fn modes() -> [ParseOptions; 2] {
    [ParseOptions::default(), ParseOptions::strict()]
}

/// Parses `text` with `rule` in both modes; on success, the canonical text must parse back
/// to an equal AST and print the same text again.
pub fn check_rule(rule: Rule, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for options in modes() {
        let Ok(parsed) = parse_rule(rule, text, &options) else {
            continue;
        };
        let printed = parsed.to_string();
        match parse_rule(rule, &printed, &options) {
            Ok(again) => {
                assert_eq!(
                    again, parsed,
                    "round trip changed the AST; canonical text {printed:?} of {text:?}"
                );
                assert_eq!(again.to_string(), printed, "canonical text is not stable");
            }
            Err(error) => panic!("canonical text {printed:?} of {text:?} does not parse:\n{error}"),
        }
    }
}

/// Target `parse_query`: the whole query string.
pub fn check_query(data: &[u8]) {
    check_rule(Rule::Query, data);
}

/// Target `parse_filter`: a `$filter` value.
pub fn check_filter(data: &[u8]) {
    check_rule(Rule::Filter, data);
}
