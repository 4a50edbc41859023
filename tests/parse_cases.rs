//! Data-driven parser cases: every `tests/cases/parse/*.txt` file.
//!
//! Each non-blank line that does not start with `#` is one case:
//!
//! ```text
//! RULE: INPUT ==> CANONICAL      accepted; Display prints CANONICAL, which parses to the same AST
//! RULE: INPUT ==> =              accepted; the canonical text equals INPUT
//! RULE: INPUT ==> ""             accepted; the canonical text is empty
//! RULE: INPUT ==!                rejected
//! RULE: INPUT ==! OFFSET         rejected at byte OFFSET of INPUT
//! RULE: INPUT ==! OFFSET TEXT    ... and the error message contains TEXT
//! ```
//!
//! RULE is a [`Rule`] name (`query`, `filter`, `expr`, `orderby`, `expand`, `select`,
//! `search`, `compute`, `apply`) or `url` ([`Query::parse_url_with`]: a URL, request line or
//! query string), optionally followed by `[strict]` or `[legacy]` (the parse options).
//! INPUT and CANONICAL are trimmed; write a leading or trailing space as `%20`.
//!
//! Every accepted case is also checked in its URL form ([`Query::url`] and friends): valid
//! URL text that parses to the same AST.

use std::fs;
use std::path::Path;

use odata_query::{parse_rule, ParseError, ParseOptions, Parsed, Query, Rule};

#[derive(Debug)]
struct Case {
    file: String,
    line: usize,
    rule: Rule,
    /// `url` rather than `query`: the input goes to [`Query::parse_url_with`].
    url: bool,
    mode: Mode,
    input: String,
    expect: Expect,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Default,
    Strict,
    Legacy,
}

impl Mode {
    fn options(self) -> ParseOptions {
        match self {
            Mode::Default => ParseOptions::default(),
            Mode::Strict => ParseOptions::strict(),
            Mode::Legacy => ParseOptions::legacy(),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Mode::Default => "",
            Mode::Strict => "[strict]",
            Mode::Legacy => "[legacy]",
        }
    }
}

#[derive(Debug)]
enum Expect {
    Canonical(String),
    Error {
        offset: Option<usize>,
        message: Option<String>,
    },
}

fn load_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/parse");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/cases/parse exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).expect("case file is UTF-8");
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let where_ = format!("{file}:{line_no}");
            let (rule_text, rest) = trimmed
                .split_once(": ")
                .unwrap_or_else(|| panic!("{where_}: missing 'RULE: '"));
            let (rule_name, mode) = if let Some(name) = rule_text.strip_suffix("[strict]") {
                (name, Mode::Strict)
            } else if let Some(name) = rule_text.strip_suffix("[legacy]") {
                (name, Mode::Legacy)
            } else {
                (rule_text, Mode::Default)
            };
            let url = rule_name == "url";
            let rule_name = if url { "query" } else { rule_name };
            let rule = Rule::ALL
                .into_iter()
                .find(|r| r.name() == rule_name)
                .unwrap_or_else(|| panic!("{where_}: unknown rule {rule_name}"));
            let expect;
            let input;
            if let Some((i, canonical)) = rest.rsplit_once(" ==> ") {
                input = i.trim().to_owned();
                let canonical = canonical.trim();
                expect = Expect::Canonical(match canonical {
                    "=" => input.clone(),
                    "\"\"" => String::new(),
                    _ => canonical.to_owned(),
                });
            } else if let Some((i, error)) = rest
                .rsplit_once(" ==!")
                .or_else(|| rest.strip_suffix("==!").map(|i| (i, "")))
            {
                input = i.trim().to_owned();
                let error = error.trim();
                let (offset, message) = match error.split_once(' ') {
                    Some((offset, message)) => (offset, Some(message.to_owned())),
                    None => (error, None),
                };
                let offset = if offset.is_empty() {
                    None
                } else {
                    Some(
                        offset
                            .parse()
                            .unwrap_or_else(|_| panic!("{where_}: bad error offset {offset}")),
                    )
                };
                expect = Expect::Error { offset, message };
            } else {
                panic!("{where_}: missing ' ==> ' or ' ==!'");
            }
            cases.push(Case {
                file: file.clone(),
                line: line_no,
                rule,
                url,
                mode,
                input,
                expect,
            });
        }
    }
    cases
}

/// True for text that may stand in a URL's query as it is (RFC 3986 `query`).
fn is_url_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b))
}

/// Parses `text` as the case says.
fn parse(case: &Case, text: &str, options: &ParseOptions) -> Result<Parsed, ParseError> {
    if case.url {
        return Query::parse_url_with(text, options).map(|q| Parsed::Query(Box::new(q)));
    }
    parse_rule(case.rule, text, options)
}

/// Checks that `text`, printed from `parsed`, parses back to it.
fn reparses(case: &Case, what: &str, text: &str, parsed: &Parsed) -> Option<String> {
    match parse(case, text, &case.mode.options()) {
        Ok(again) if again == *parsed => None,
        Ok(again) => Some(format!(
            "{what}: {text:?} parses to a different AST:\n  first:  {parsed:?}\n  second: {again:?}"
        )),
        Err(e) => Some(format!("{what}: {text:?} does not parse:\n{e}")),
    }
}

/// Runs one case; returns a description of the failure, if any.
fn check(case: &Case) -> Option<String> {
    let options = case.mode.options();
    let result = parse(case, &case.input, &options);
    match (&case.expect, result) {
        (Expect::Canonical(canonical), Ok(parsed)) => {
            let printed = parsed.to_string();
            if &printed != canonical {
                return Some(format!("canonical: want {canonical:?}, got {printed:?}"));
            }
            if let Some(failure) = reparses(case, "round trip", &printed, &parsed) {
                return Some(failure);
            }
            let url = parsed.url().to_string();
            if !is_url_text(&url) {
                return Some(format!("URL form {url:?} is not valid URL text"));
            }
            reparses(case, "URL form", &url, &parsed)
        }
        (Expect::Canonical(_), Err(e)) => Some(format!("want accepted, got error:\n{e}")),
        (Expect::Error { .. }, Ok(parsed)) => Some(format!(
            "want an error, got {:?} ({parsed:?})",
            parsed.to_string()
        )),
        (Expect::Error { offset, message }, Err(e)) => {
            if let Some(offset) = offset {
                if e.offset != *offset {
                    return Some(format!("want error at {offset}, got:\n{e}"));
                }
            }
            if let Some(message) = message {
                if !e.to_string().contains(message.as_str()) {
                    return Some(format!("want message containing {message:?}, got:\n{e}"));
                }
            }
            None
        }
    }
}

#[test]
fn parse_cases() {
    let cases = load_cases();
    assert!(!cases.is_empty(), "no parse cases found");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check(case).map(|why| {
                format!(
                    "{}:{} {}{}: {}\n  {}",
                    case.file,
                    case.line,
                    if case.url { "url" } else { case.rule.name() },
                    case.mode.suffix(),
                    case.input,
                    why.replace('\n', "\n  ")
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} parse cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Runs the cases of one file: `CASE_FILE=filter.txt cargo test --test parse_cases one_file -- --ignored`.
#[test]
#[ignore]
fn one_file() {
    let wanted = std::env::var("CASE_FILE").unwrap_or_default();
    for case in load_cases().iter().filter(|c| c.file == wanted) {
        match check(case) {
            Some(why) => println!("FAIL {}:{} {}\n  {why}", case.file, case.line, case.input),
            None => println!("ok   {}:{} {}", case.file, case.line, case.input),
        }
    }
}
