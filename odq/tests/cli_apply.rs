//! `odq apply` as a shell tool: inputs (stdin, files, JSON Lines, several at once, the
//! sample), output forms (compact, pretty, colour, JSON Lines, raw), aliases, `/$count`,
//! errors and exit codes, `odq gen`, and the help texts.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn odq(args: &[&str]) -> Output {
    run(args, None, &[])
}

fn odq_stdin(args: &[&str], input: &[u8]) -> Output {
    run(args, Some(input), &[])
}

fn run(args: &[&str], input: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_odq"));
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("odq runs");
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let bytes = input.to_vec();
        // Written from a thread so that a large input cannot deadlock against the output.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    child.wait_with_output().expect("odq finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A file under the target directory's temporary folder, written with `text`.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_apply");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file written");
    path
}

/// A path that names a pipe (`/dev/stdin`, a shell's `<(...)`) is read once: its first
/// bytes, read to tell the input's form, are part of the input.
#[cfg(unix)]
#[test]
fn a_pipe_given_as_a_path_is_read_whole() {
    let output = odq_stdin(
        &["apply", "$filter=a gt 1", "/dev/stdin"],
        br#"[{"a":1},{"a":2}]"#,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).expect("JSON out");
    assert_eq!(answer, json!({"value": [{"a": 2}]}));
}

#[test]
fn empty_stdin_is_an_error_that_says_so() {
    for input in [&b""[..], b"  \n\t\n"] {
        let output = odq_stdin(&["apply", "$top=1"], input);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        assert!(
            stderr(&output).contains("stdin is empty"),
            "{}",
            stderr(&output)
        );
    }
    // /dev/null is not a terminal: it is read, and it is empty.
    let output = odq(&["apply", "$top=1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("stdin is empty"));
}

#[test]
fn the_sample_is_used_only_on_request() {
    let output = odq(&["apply", "--sample", "$count=true&$top=0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response["@odata.count"], 8);
    assert!(stderr(&output).is_empty(), "asked for: no note");
}

#[test]
fn pretty_keeps_member_order_and_number_spelling() {
    let output = odq_stdin(
        &["apply", "--pretty", "$filter=a gt 0"],
        br#"[{"z":1e2,"a":1.50,"m":{"y":[]}},{"z":0,"a":0}]"#,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\n  \"value\": [\n    {\n      \"z\": 1e2,\n      \"a\": 1.50,\n      \"m\": {\n        \"y\": []\n      }\n    }\n  ]\n}\n"
    );
}

#[test]
fn compact_output_is_compact_whatever_the_input_spacing() {
    let output = odq_stdin(
        &["apply", "$top=2"],
        b"{\n  \"value\": [\n    { \"a\" : 1 ,\n      \"b\" : [ 1 , 2 ] },\n    {\"a\":2}\n  ]\n}\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"value\":[{\"a\":1,\"b\":[1,2]},{\"a\":2}]}\n"
    );
}

#[test]
fn json_lines_in_detected_or_forced_and_out() {
    let lines = b"{\"id\":1,\"size\":5}\n\n{\"id\":2,\"size\":50}\n{\"id\":3,\"size\":500}\n";
    let output = odq_stdin(&["apply", "$filter=size gt 10&$count=true"], lines);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response["@odata.count"], 2);

    // A single line cannot be told from a document: --lines says it.
    let output = odq_stdin(&["apply", "--lines", "$select=id"], b"{\"id\":9,\"x\":1}\n");
    let response: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response, json!({"value": [{"id": 9}]}));

    let output = odq_stdin(&["apply", "--ndjson", "$select=id&$orderby=id desc"], lines);
    assert_eq!(stdout(&output), "{\"id\":3}\n{\"id\":2}\n{\"id\":1}\n");
}

#[test]
fn several_inputs_are_one_collection() {
    let first = temp_file(
        "page1.json",
        r#"{"@odata.context":"x","value":[{"n":1},{"n":4}]}"#,
    );
    let second = temp_file("page2.json", "[{\"n\":3}]");
    let third = temp_file("page3.jsonl", "{\"n\":2}\n{\"n\":5}\n");
    let output = run(
        &[
            "apply",
            "--ndjson",
            "$filter=n gt 1&$orderby=n",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            "-",
            third.to_str().unwrap(),
        ],
        Some(b"[{\"n\":0},{\"n\":6}]"),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n{\"n\":6}\n"
    );
}

#[test]
fn an_error_in_one_of_several_inputs_names_it_with_line_and_column() {
    let good = temp_file("good.json", "[{\"n\":1}]");
    let bad = temp_file("bad.jsonl", "{\"n\":1}\n{\"n\":tru}\n");
    let output = odq(&[
        "apply",
        "$count=true",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("line 2, column 6"), "{message}");
    assert!(message.contains("bad.jsonl"), "{message}");
}

#[test]
fn invalid_json_errors_give_line_column_and_byte_on_every_path() {
    let text = "[{\"a\":1},\n {\"a\":2,}]";
    let file = temp_file("invalid.json", text);
    let from_file = odq(&["apply", "$top=5", file.to_str().unwrap()]);
    let from_stdin = odq_stdin(&["apply", "$top=5"], text.as_bytes());
    let materialized = odq_stdin(&["apply", "$apply=aggregate($count as n)"], text.as_bytes());
    for output in [&from_file, &from_stdin, &materialized] {
        assert_eq!(output.status.code(), Some(1));
        let message = stderr(output);
        assert!(
            message.contains("invalid JSON at line 2, column "),
            "{message}"
        );
        assert!(message.contains("(byte "), "{message}");
    }
}

#[test]
fn raw_prints_counts_and_single_values_bare() {
    let input = br#"[{"name":"a.csv","size":5},{"name":"b\tc.csv","size":50}]"#;
    let output = odq_stdin(&["apply", "uploadSessions/$count?$filter=size gt 1"], input);
    assert_eq!(stdout(&output), "2\n");
    let output = odq_stdin(&["apply", "--ndjson", "-r", "$select=name"], input);
    assert_eq!(stdout(&output), "a.csv\nb\tc.csv\n");
    let output = odq_stdin(&["apply", "--ndjson", "$select=name"], input);
    assert_eq!(
        stdout(&output),
        "{\"name\":\"a.csv\"}\n{\"name\":\"b\\tc.csv\"}\n"
    );
}

#[test]
fn aliases_from_the_command_line() {
    let input = br#"[{"status":"failed","n":1},{"status":"O'Neil & co","n":2}]"#;
    let output = odq_stdin(
        &[
            "apply",
            "--alias",
            "s='O''Neil & co'",
            "--alias",
            "@min=1",
            "$filter=status eq @s and n gt @min",
        ],
        input,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response["value"][0]["n"], 2);
    let output = odq_stdin(&["apply", "--alias", "broken", "$top=1"], input);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn colour_on_request_and_never_with_no_color() {
    let input = br#"[{"k":"v"}]"#;
    let always = run(&["apply", "--color", "always", "$top=1"], Some(input), &[]);
    assert!(stdout(&always).contains("\x1b["), "{:?}", stdout(&always));
    let never = run(&["apply", "--color", "never", "$top=1"], Some(input), &[]);
    assert!(!stdout(&never).contains('\x1b'));
    // Auto: stdout is a pipe here, and NO_COLOR is honoured anyway.
    let auto = run(&["apply", "$top=1"], Some(input), &[("NO_COLOR", "1")]);
    assert!(!stdout(&auto).contains('\x1b'));
}

#[test]
fn progress_on_request() {
    let output = run(
        &["apply", "--progress", "always", "$count=true&$top=0"],
        Some(b"[{\"a\":1}]"),
        &[],
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("odq: read 0 MB"),
        "{}",
        stderr(&output)
    );
    let quiet = odq_stdin(&["apply", "$count=true&$top=0"], b"[{\"a\":1}]");
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

#[test]
fn invalid_input_after_the_answer_began_leaves_stdout_empty() {
    // The first record is answered before the broken tail is read, but the answer is held
    // back until it is complete: no truncated response on stdout, only the error.
    let output = odq_stdin(&["apply", "$top=1"], b"[{\"a\":1},{\"a\":2},{\"a\": oops");
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("invalid JSON"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn exit_codes_do_not_depend_on_the_flags() {
    for flags in [
        &[][..],
        &["--pretty"],
        &["--ndjson"],
        &["--pretty", "--raw"],
    ] {
        let mut args = vec!["apply"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["$top=1", "/nonexistent/odq-test.json"]);
        let output = odq(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{flags:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("cannot read"),
            "{}",
            stderr(&output)
        );
        let mut args = vec!["apply", "--sample"];
        args.extend_from_slice(flags);
        args.push("$filter=size gtt 5");
        assert_eq!(odq(&args).status.code(), Some(1), "{flags:?}");
    }
}

#[test]
fn gen_writes_sessions_that_apply_reads() {
    let output = odq(&["gen", "25", "--seed", "3"]);
    assert_eq!(output.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["value"].as_array().unwrap().len(), 25);
    assert_eq!(
        odq(&["gen", "25", "--seed", "3"]).stdout,
        output.stdout,
        "deterministic"
    );
    let counted = odq_stdin(&["apply", "$count=true&$top=0"], &output.stdout);
    let response: Value = serde_json::from_str(&stdout(&counted)).unwrap();
    assert_eq!(response["@odata.count"], 25);
    let lines = odq(&["gen", "3", "--lines"]);
    assert_eq!(stdout(&lines).lines().count(), 3);
}

#[test]
fn help_shows_an_example_per_subcommand() {
    for subcommand in ["parse", "apply", "gen", "bench-parse"] {
        let output = odq(&[subcommand, "--help"]);
        let text = stdout(&output);
        assert!(text.contains("Example"), "{subcommand}: {text}");
        assert!(
            text.contains(&format!("odq {subcommand}")),
            "{subcommand}: {text}"
        );
    }
}

/// An evaluation error leaves stdout empty (no truncated JSON for a script to read) when it
/// comes before the output has grown large; a large answer that fails late ends with a
/// newline after what had already gone out.
#[test]
fn an_evaluation_error_leaves_stdout_empty() {
    for query in [
        "$filter=1 div 0 eq 1",
        "$apply=aggregate(stats with sum as x)",
        "$select=id&$filter=files/any(f:f/size div 0 eq 1)",
    ] {
        let output = odq(&["apply", "--sample", query]);
        assert_eq!(output.status.code(), Some(1), "{query}");
        assert!(
            output.stdout.is_empty(),
            "{query}: {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(!output.stderr.is_empty(), "{query}");
    }

    // 100,000 records with a long name each, then one that fails: about 6 MB of output
    // has gone out before the error.
    let mut input = String::from("[");
    for i in 0..100_000 {
        input.push_str(&format!("{{\"n\":\"{i:060}\",\"d\":1}},"));
    }
    input.push_str("{\"n\":\"last\",\"d\":0}]");
    let output = odq_stdin(&["apply", "$compute=1 div d as q"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.len() > 4 << 20, "{}", output.stdout.len());
    assert_eq!(output.stdout.last(), Some(&b'\n'));
    assert!(String::from_utf8_lossy(&output.stderr).contains("division by zero"));
}
