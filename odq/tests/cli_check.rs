//! `odq apply --model` and `odq parse --model`: queries are checked against a CSDL model
//! before anything is answered.

use std::process::{Command, Output, Stdio};

fn odq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("odq runs")
}

fn model(name: &str) -> String {
    format!("{}/../{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn apply_with_a_model_rejects_typos_and_type_errors_before_answering() {
    let sessions = model("examples/upload-sessions.csdl.xml");
    let typo = odq(&[
        "apply",
        "--sample",
        "--model",
        &sessions,
        "$filter=stauts eq 'failed'",
    ]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(typo.stdout.is_empty());
    let message = String::from_utf8_lossy(&typo.stderr);
    assert!(
        message.contains(
            "could not find a property named 'stauts' on 'microsoft.graph.uploadSession' at byte 8; did you mean 'status'?"
        ),
        "{message}"
    );

    let mismatch = odq(&[
        "apply",
        "--sample",
        "--json-errors",
        "--model",
        &sessions,
        "$filter=stats/filesUploaded eq '2'",
    ]);
    assert_eq!(mismatch.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&mismatch.stderr).expect("JSON error");
    assert_eq!(body["error"]["target"], "$filter");

    let fine = odq(&[
        "apply",
        "--sample",
        "--model",
        &sessions,
        "$filter=status eq 'failed'&$select=id,status",
    ]);
    assert_eq!(
        fine.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fine.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&fine.stdout).unwrap();
    assert_eq!(response["value"][0]["status"], "failed");
}

#[test]
fn parse_with_a_model_needs_the_set_when_there_are_several() {
    let trippin = model("tests/cases/model/trippin.csdl.xml");
    let ambiguous = odq(&["parse", "--model", &trippin, "$top=1"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&ambiguous.stderr).contains("--set"));
    let policy = odq(&["parse", "--model", &trippin, "--set", "People", "$top=500"]);
    assert_eq!(policy.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&policy.stderr).contains("largest allowed, 100"));
    let ok = odq(&[
        "parse",
        "--model",
        &trippin,
        "--set",
        "People",
        "$expand=Friends",
    ]);
    assert_eq!(ok.status.code(), Some(0));
}
