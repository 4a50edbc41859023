//! The `odq` command: exit codes, output shapes, and the seed document's example requests
//! answered over the embedded sample (eight upload sessions; see the library's `src/sample/`).

use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn odq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("odq runs")
}

/// Runs `odq` with `input` piped to its stdin.
fn odq_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("odq runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("odq reads stdin");
    child.wait_with_output().expect("odq finishes")
}

/// `odq apply QUERY` over the embedded sample, as JSON.
fn apply_sample(query: &str) -> Value {
    let output = odq(&["apply", "--sample", query]);
    assert!(
        output.status.success(),
        "odq apply {query} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("odq apply prints JSON")
}

/// The file names of each session in a response.
fn file_names(response: &Value) -> Vec<Vec<String>> {
    response["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|session| {
            session["files"]
                .as_array()
                .map(|files| {
                    files
                        .iter()
                        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn parse_prints_json_or_canonical_text_and_exits_by_outcome() {
    let ok = odq(&["parse", "--rule", "query", "--", "$top=10"]);
    assert_eq!(ok.status.code(), Some(0));
    let ast: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(ast["top"], 10);

    let canonical = odq(&["parse", "--canonical", "--", "$FILTER=a+EQ+1&top=2"]);
    assert_eq!(
        String::from_utf8_lossy(&canonical.stdout).trim(),
        "$filter=a eq 1&$top=2"
    );

    let bad = odq(&["parse", "--rule", "query", "--", "$filter=size gt"]);
    assert_eq!(bad.status.code(), Some(1));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("expected an expression at byte 15"),
        "{message}"
    );
    assert!(message.contains('^'), "{message}");

    let strict = odq(&["parse", "--strict", "--rule", "filter", "--", "a+eq+1"]);
    assert_eq!(strict.status.code(), Some(1));
    let expr = odq(&["parse", "--rule", "expr", "--", "-INF"]);
    assert_eq!(expr.status.code(), Some(0));
}

#[test]
fn apply_reports_errors_as_odata_error_bodies_on_request() {
    let output = odq(&["apply", "--sample", "--json-errors", "$filter=1 div 0 eq 1"]);
    assert_eq!(output.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&output.stderr).expect("error body is JSON");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("division by zero"));
    let output = odq(&["apply", "--sample", "--json-errors", "$top=x"]);
    assert_eq!(output.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&output.stderr).expect("error body is JSON");
    assert_eq!(body["error"]["target"], "$top");
}

#[test]
fn apply_shows_the_caret_picture_for_syntax_errors() {
    let output = odq(&["apply", "--sample", "$filter=size gt&$top=5"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing is printed on stdout");
    let message = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = message.lines().collect();
    assert!(
        lines[0].contains("expected an expression at byte 15"),
        "{message}"
    );
    let caret = lines
        .iter()
        .position(|l| l.trim() == "^")
        .expect("a caret line");
    let picture = lines[caret - 1];
    let column = lines[caret].find('^').unwrap();
    assert_eq!(
        &picture[column - 15..column],
        "$filter=size gt",
        "the caret is under byte 15 of the query:\n{message}"
    );
}

#[test]
fn seed_expand_filtered_and_ordered_with_top_and_count() {
    let response = apply_sample(
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    );
    assert_eq!(response["@odata.count"], 8);
    assert!(response["@odata.context"]
        .as_str()
        .unwrap()
        .contains("uploadSessions"));
    assert_eq!(
        file_names(&response),
        vec![
            vec!["building-a-access.csv"],
            vec![],
            vec!["building-c-access.csv", "building-a-access.csv"],
            vec!["hr-export-part1.csv"],
            vec![],
        ]
    );
}

#[test]
fn seed_expand_files_ordered_by_upload_time_descending() {
    let response = apply_sample("$expand=files($orderby=uploadedDateTime desc)");
    assert_eq!(
        file_names(&response)[2],
        vec![
            "visitors-jan.csv",
            "building-c-access.csv",
            "building-a-access.csv"
        ]
    );
}

#[test]
fn seed_expand_files_larger_than_one_megabyte() {
    let names = file_names(&apply_sample("$expand=files($filter=size gt 1000000)"));
    assert_eq!(names.len(), 8, "a nested filter never removes parents");
    // 1,000,000 bytes exactly is not larger than 1 MB.
    assert_eq!(names[6], vec!["sf-users-1.csv"]);
    assert_eq!(names[4], Vec::<String>::new());
}

#[test]
fn seed_expand_files_ordered_by_name() {
    let names = file_names(&apply_sample("$expand=files($orderby=name asc)"));
    assert_eq!(
        names[2],
        vec![
            "building-a-access.csv",
            "building-c-access.csv",
            "visitors-jan.csv"
        ]
    );
}

#[test]
fn seed_expand_files_by_name_and_by_date() {
    let names = file_names(&apply_sample(
        "$expand=files($filter=name eq 'building-a-access.csv')",
    ));
    let with_file: Vec<usize> = (0..names.len()).filter(|&i| !names[i].is_empty()).collect();
    assert_eq!(with_file, vec![0, 2]);

    let names = file_names(&apply_sample(
        "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)",
    ));
    assert!(
        names[0].is_empty() && names[1].is_empty(),
        "2025 uploads are excluded"
    );
    assert_eq!(names[2].len(), 3);
}

#[test]
fn apply_reads_a_file_and_piped_stdin() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../src/sample/upload-sessions.json"
    );
    let output = odq(&[
        "apply",
        "$filter=status eq 'failed'&$select=id,status",
        path,
    ]);
    assert!(output.status.success());
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(response["value"].as_array().unwrap().len(), 1);
    assert_eq!(response["value"][0]["status"], "failed");

    let output = odq_with_stdin(
        &["apply", "$count=true&$top=0", "-"],
        br#"[{"a":1},{"a":2}]"#,
    );
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(response["@odata.count"], 2);
}

#[test]
fn parse_lines_prints_one_json_result_per_line() {
    let output = odq_with_stdin(
        &["parse", "--lines", "--rule", "filter"],
        b"a eq 1\nsize gt\nnot true\n",
    );
    assert_eq!(output.status.code(), Some(1), "one line was rejected");
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].get("Binary").is_some());
    assert_eq!(lines[1]["error"]["offset"], 7);
    assert!(lines[2].get("Unary").is_some());
}
