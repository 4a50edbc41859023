//! The hostile-input suite: inputs built to crash, hang or exhaust parsers
//! (`tests/cases/hostile/*.txt`). Each must give a clear error or a correct answer, never a
//! panic or a stack overflow. The tests run on a thread with a 2 MiB stack — what a server's
//! worker thread typically has — so stack use stays within what embedders can afford.

use std::fs;
use std::path::Path;

use odata_query::{parse_rule, ParseOptions, Rule};

/// Expands `{N*TEXT}` into TEXT repeated N times.
fn expand_template(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        match inner
            .split_once('*')
            .and_then(|(n, text)| Some((n.parse::<usize>().ok()?, text)))
        {
            Some((count, text)) => {
                out.push_str(&rest[..start]);
                out.push_str(&text.repeat(count));
            }
            None => out.push_str(&rest[..start + end + 1]),
        }
        rest = &rest[start + end + 1..];
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

#[test]
fn template_expansion() {
    assert_eq!(expand_template("a{3*(}b{2*)}"), "a(((b))");
    assert_eq!(expand_template("{x}"), "{x}");
}
