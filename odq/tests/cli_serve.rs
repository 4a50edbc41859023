//! `odq serve`: a real server on a random loopback port answering the seed document's
//! requests, logging one line per request, and stopping cleanly on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use odata_query::{EvalOptions, Query};
use serde_json::Value;

/// GET `target` from `base` (`http://127.0.0.1:port/`): the status line and the body.
fn get(base: &str, target: &str) -> (String, Vec<u8>) {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers");
    let status = String::from_utf8_lossy(&raw[..end])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (status, raw[end + 4..].to_vec())
}

#[cfg(unix)]
#[test]
fn serve_answers_the_seed_requests_logs_and_stops_on_ctrl_c() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../src/sample/upload-sessions.json"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(["serve", file, "--name", "uploadSessions", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("odq serve starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the URL is printed");
    let base = url.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let sample: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS).unwrap();
    let seed = [
        "$expand=files($orderby=uploadedDateTime desc)",
        "$expand=files($filter=size gt 1000000)",
        "$expand=files($orderby=name asc)",
        "$expand=files($filter=name eq 'building-a-access.csv')",
        "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ];
    for query in seed {
        let (status, body) = get(
            &base,
            &format!("/uploadSessions?{}", query.replace(' ', "%20")),
        );
        assert!(status.contains(" 200 "), "{query}: {status}");
        let mut body: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(
            body["@odata.context"],
            format!("{base}$metadata#uploadSessions(files())")
        );
        body.as_object_mut().unwrap().remove("@odata.context");
        let mut expected = Query::parse(query)
            .unwrap()
            .compile(&EvalOptions::default())
            .unwrap()
            .apply(&sample)
            .unwrap();
        expected.as_object_mut().unwrap().remove("@odata.context");
        assert_eq!(body, expected, "{query}");
    }
    let (status, count) = get(&base, "/uploadSessions/$count");
    assert!(status.contains(" 200 "));
    assert_eq!(count, b"8");
    let (status, _) = get(&base, "/uploadSessions?$filter=size%20gt");
    assert!(status.contains(" 400 "), "{status}");

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let output = child.wait_with_output().expect("odq serve stops");
    assert!(output.status.success(), "{:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("GET /uploadSessions/$count 200 "), "{log}");
    assert!(
        log.contains("GET /uploadSessions?$filter=size%20gt 400 "),
        "{log}"
    );
    assert!(log.trim_end().ends_with("odq serve: stopped"), "{log}");
}

/// `odq load` then `odq serve --model M --db sqlite:PATH`: the seed's request answered from
/// SQLite through the SQL translation, as the evaluator answers it.
#[cfg(unix)]
#[test]
fn serve_a_database_loaded_by_odq_load() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let model = format!("{root}/examples/upload-sessions.csdl.xml");
    let data = format!("{root}/src/sample/upload-sessions.json");
    let path = std::env::temp_dir().join(format!("odq-serve-{}.sqlite", std::process::id()));
    let db = format!("sqlite:{}", path.display());
    let loaded = Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(["load", "--model", &model, "--db", &db, "--replace", &data])
        .output()
        .expect("odq load runs");
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_odq"))
        .args([
            "serve",
            "--model",
            &model,
            "--db",
            &db,
            "--port",
            "0",
            "--page-size",
            "5",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("odq serve starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the URL is printed");
    let base = url.trim().to_owned();
    let query =
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true";
    let (status, body) = get(
        &base,
        &format!("/uploadSessions?{}", query.replace(' ', "%20")),
    );
    assert!(
        status.contains(" 200 "),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    let mut body: Value = serde_json::from_slice(&body).expect("JSON");
    body.as_object_mut().unwrap().remove("@odata.context");
    let sample: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS).unwrap();
    let mut expected = Query::parse(query)
        .unwrap()
        .compile(&EvalOptions::default())
        .unwrap()
        .apply(&sample)
        .unwrap();
    expected.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(body, expected);
    let (_, metadata) = get(&base, "/$metadata");
    assert!(String::from_utf8_lossy(&metadata).contains("uploadSessionFile"));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let output = child.wait_with_output().expect("odq serve stops");
    assert!(output.status.success());
    std::fs::remove_file(&path).ok();
}

/// A real OData client (python-odata, from PyPI) reads `$metadata` and queries the
/// service. Opt-in, as it downloads the client: `cargo test -p odq -- --ignored real_client`.
#[cfg(unix)]
#[test]
#[ignore = "downloads python-odata from PyPI"]
fn real_client_reads_the_metadata_and_queries_the_service() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/real-clients.sh");
    let output = Command::new("bash")
        .args([script, env!("CARGO_BIN_EXE_odq")])
        .output()
        .expect("the script runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains(" passed, 0 failed"), "{report}");
}
