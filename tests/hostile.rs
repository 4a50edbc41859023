//! The hostile-input suite: inputs built to crash, hang or exhaust parsers
//! (`tests/cases/hostile/*.txt`). Each must give a clear error or a correct answer, never a
//! panic or a stack overflow. The tests run on a thread with a 2 MiB stack — what a server's
//! worker thread typically has — so stack use stays within what embedders can afford.

use std::fs;
use std::path::Path;

use odata_query::eval::EvalOptions;
use odata_query::stream::StreamPlan;
use odata_query::{parse_rule, ParseOptions, Query, Rule};
use serde_json::Value;

/// Expands `{N*TEXT*}` into TEXT repeated N times; any other `{` is kept.
fn expand_template(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let parsed = (digits > 0 && after[digits..].starts_with('*'))
            .then(|| {
                let body = &after[digits + 1..];
                let end = body.find("*}")?;
                Some((
                    after[..digits].parse::<usize>().ok()?,
                    &body[..end],
                    &body[end + 2..],
                ))
            })
            .flatten();
        match parsed {
            Some((count, text, remainder)) => {
                out.push_str(&text.repeat(count));
                rest = remainder;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn run_on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("the case panicked or overflowed its stack");
}

#[test]
fn hostile_parse_cases() {
    run_on_small_stack(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/hostile/parse.txt");
        let text = fs::read_to_string(path).expect("case file");
        let mut failures = Vec::new();
        let mut count = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let [name, rule, template, expect] = fields[..] else {
                panic!("bad case line: {line}");
            };
            count += 1;
            let rule = Rule::ALL
                .into_iter()
                .find(|r| r.name() == rule)
                .unwrap_or_else(|| panic!("{name}: unknown rule {rule}"));
            let input = expand_template(template);
            let result = parse_rule(rule, &input, &ParseOptions::default());
            let outcome = match (&result, expect) {
                (Ok(parsed), "ok") => {
                    // Printing and dropping must survive too.
                    let printed = parsed.to_string();
                    (!printed.is_empty())
                        .then_some(())
                        .ok_or("empty canonical text".to_owned())
                }
                (Ok(_), _) => Err(format!("want {expect}, got accepted")),
                (Err(e), "ok") => Err(format!("want ok, got {}", e.message())),
                (Err(e), expect) => {
                    let wanted = expect.strip_prefix("error").unwrap_or(expect).trim();
                    if e.to_string().contains(wanted) {
                        Ok(())
                    } else {
                        Err(format!(
                            "want error containing {wanted:?}, got {}",
                            e.message()
                        ))
                    }
                }
            };
            drop(result);
            if let Err(why) = outcome {
                failures.push(format!("{name}: {why}"));
            }
        }
        assert!(count > 0, "no hostile cases");
        assert!(
            failures.is_empty(),
            "hostile cases failed:\n{}",
            failures.join("\n")
        );
    });
}

/// Runs one evaluator case on both paths; `Ok(count)` or `Err(message)`.
fn evaluate(query: &str, document: &str) -> Result<Option<u64>, String> {
    let query = Query::parse(query).map_err(|e| e.to_string())?;
    let mut options = EvalOptions::default();
    options.limits.max_eval_steps = 10_000_000;
    let stream = StreamPlan::new(&query, &options).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let streamed = stream.apply_bytes(document.as_bytes(), &mut out);
    let parsed: Result<Value, String> = serde_json::from_str(document).map_err(|e| e.to_string());
    let by_value = parsed.and_then(|v| stream.plan().apply(&v).map_err(|e| e.to_string()));
    match (by_value, streamed) {
        (Ok(expected), Ok(_)) => {
            let got: Value = serde_json::from_slice(&out).map_err(|e| e.to_string())?;
            if got != expected {
                return Err(format!("paths disagree: {got} vs {expected}"));
            }
            Ok(expected["@odata.count"].as_u64())
        }
        (Err(a), Err(b)) => Err(format!("{a} | {b}")),
        (Ok(_), Err(e)) => Err(format!("only the streaming path failed: {e}")),
        (Err(e), Ok(_)) => Err(format!("only the value path failed: {e}")),
    }
}

#[test]
fn hostile_eval_cases() {
    run_on_small_stack(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/hostile/eval.txt");
        let text = fs::read_to_string(path).expect("case file");
        let mut failures = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let [name, query, document, expect] = fields[..] else {
                panic!("bad case line: {line}");
            };
            let result = evaluate(&expand_template(query), &expand_template(document));
            let outcome = match (&result, expect) {
                (Ok(_), "ok") => Ok(()),
                (Ok(count), expect) if expect.starts_with("count=") => {
                    let want = expect.trim_start_matches("count=").parse::<u64>().ok();
                    if *count == want {
                        Ok(())
                    } else {
                        Err(format!("want {expect}, got count {count:?}"))
                    }
                }
                // Deep enough that an unoptimised build may run out of its stack budget
                // first: an answer where the stack allows, else that error.
                (Ok(_), expect) if expect.starts_with("answer-or-error") => Ok(()),
                (Ok(_), _) => Err(format!("want {expect}, got an answer")),
                (Err(e), expect)
                    if expect.starts_with("error") || expect.starts_with("answer-or-error") =>
                {
                    let wanted = expect
                        .trim_start_matches("answer-or-")
                        .trim_start_matches("error")
                        .trim();
                    if e.contains(wanted) {
                        Ok(())
                    } else {
                        Err(format!("want {expect:?}, got error {e}"))
                    }
                }
                (Err(e), _) => Err(format!("want {expect}, got error {e}")),
            };
            if let Err(why) = outcome {
                failures.push(format!("{name}: {why}"));
            }
        }
        assert!(
            failures.is_empty(),
            "hostile eval cases failed:\n{}",
            failures.join("\n")
        );
    });
}

#[test]
fn template_expansion() {
    assert_eq!(expand_template("a{3*(*}b{2*)*}"), "a(((b))");
    assert_eq!(expand_template("{x}"), "{x}");
    assert_eq!(
        expand_template(r#"[{2*{"v":1},*}]"#),
        r#"[{"v":1},{"v":1},]"#
    );
}

/// The error of `query` over `document` under [`Limits::server`] on both evaluation
/// paths; both must fail with the same limit.
fn server_limit_error(query: &str, document: &str) -> odata_query::Limit {
    let query = Query::parse(query).expect("the query parses");
    let mut options = EvalOptions::default();
    options.limits = odata_query::Limits::server();
    let stream = StreamPlan::new(&query, &options).expect("the query compiles");
    let value: Value = serde_json::from_str(document).expect("the document parses");
    let limit_of = |error: odata_query::EvalError| match error {
        odata_query::EvalError::LimitExceeded { limit, .. } => limit,
        other => panic!("want a limit error, got {other}"),
    };
    let by_value = limit_of(
        stream
            .plan()
            .apply(&value)
            .expect_err("the Value path stops"),
    );
    let mut out = Vec::new();
    let streamed = limit_of(
        stream
            .apply_bytes(document.as_bytes(), &mut out)
            .expect_err("the streaming path stops"),
    );
    assert_eq!(by_value, streamed, "both paths stop at the same limit");
    by_value
}

/// Three nested `any` over arrays of 30, for 5,000 records: about 1.4 billion steps, some
/// 45 seconds of one core before the step budget stops it. The server deadline does.
#[test]
fn server_deadline_stops_nested_lambdas() {
    let record = format!(
        r#"{{"x":[{}]}}"#,
        (0..30).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    );
    let document = format!("[{}]", vec![record; 5000].join(","));
    let query = "$filter=x/any(a:x/any(b:x/any(c:a add b add c eq -1)))&$count=true";
    assert_eq!(
        server_limit_error(query, &document),
        odata_query::Limit::EvalTime
    );
}

/// Nested `concat` doubles a string at each level: ten levels over a 100 KB name build
/// 100 MB per record. The server memory budget stops it, in `$filter` (per record) and in
/// `$orderby` (keys held for every record).
#[test]
fn server_memory_budget_stops_nested_concat() {
    let mut nested = "name".to_owned();
    for _ in 0..10 {
        nested = format!("concat({nested},{nested})");
    }
    let name = "n".repeat(100_000);
    let document = format!(r#"[{{"name":"{name}"}},{{"name":"{name}"}}]"#);
    for query in [
        format!("$filter={nested} eq 'x'"),
        "$orderby=concat(concat(concat(name,name),name),name)&$top=1".to_owned(),
    ] {
        let document = if query.starts_with("$orderby") {
            // Four copies of 100 KB per record: 200 records hold 80 MB of keys.
            format!(
                "[{}]",
                vec![format!(r#"{{"name":"{name}"}}"#); 200].join(",")
            )
        } else {
            document.clone()
        };
        assert_eq!(
            server_limit_error(&query, &document),
            odata_query::Limit::EvalBytes,
            "{query}"
        );
    }
}
