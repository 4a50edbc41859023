//! The service over SQLite through the SQL translation: the seed's requests, paging,
//! keys, navigation and `$count` over HTTP answer what the evaluator answers over the
//! same records.

mod common;

use common::{target_of, TestServer};
use odata_query::http::{ODataConfig, ODataService, SqlDatabase};
use odata_query::model::Model;
use odata_query::sql::{sqlite, Mapping};
use odata_query::{EvalOptions, Query};
use serde_json::Value;

const MODEL: &str = include_str!("../examples/upload-sessions.csdl.xml");

fn sample() -> Value {
    serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS).unwrap()
}

/// A server over a fresh SQLite file loaded with the sample; the file is removed when the
/// guard drops.
struct Served {
    server: TestServer,
    path: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

fn serve(name: &str, config: ODataConfig) -> Served {
    let model = Model::from_csdl_xml(MODEL).unwrap();
    let mapping = Mapping::from_model(&model).unwrap();
    let path = std::env::temp_dir().join(format!("odq-http-{name}-{}.sqlite", std::process::id()));
    std::fs::remove_file(&path).ok();
    let text = path.to_string_lossy().into_owned();
    let mut connection = sqlite::open(&text).unwrap();
    sqlite::create_tables(&connection, &mapping).unwrap();
    let records = sample()["value"].as_array().cloned().unwrap();
    sqlite::load(&mut connection, &mapping, "uploadSessions", &records, None).unwrap();
    drop(connection);
    let database = SqlDatabase::sqlite(text, mapping).unwrap();
    let service = ODataService::new(config.with_model(model))
        .entity_set("uploadSessions", database.entity_set("uploadSessions"));
    Served {
        server: TestServer::start(service.router()),
        path,
    }
}

fn expected(query: &str, over: &Value) -> Value {
    let mut answer = Query::parse(query)
        .unwrap()
        .compile(&EvalOptions::default())
        .unwrap()
        .apply(over)
        .unwrap();
    answer.as_object_mut().unwrap().remove("@odata.context");
    answer
}

fn body(server: &TestServer, target: &str) -> Value {
    let reply = server.get(target, &[]);
    assert_eq!(reply.status, 200, "{target}: {}", reply.text());
    let mut body = reply.json();
    body.as_object_mut().unwrap().remove("@odata.context");
    body
}

#[test]
fn seed_requests_over_sqlite_answer_what_the_evaluator_answers() {
    let served = serve("seed", ODataConfig::new());
    for query in [
        "$expand=files($orderby=uploadedDateTime desc)",
        "$expand=files($filter=size gt 1000000)",
        "$expand=files($orderby=name asc)",
        "$expand=files($filter=name eq 'building-a-access.csv')",
        "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ] {
        let target = format!("/uploadSessions?{}", query.replace(' ', "%20"));
        assert_eq!(
            body(&served.server, &target),
            expected(query, &sample()),
            "{query}"
        );
    }
    // Other metadata levels parse the database's text response and rewrite it.
    let query = "$filter=isUploadDone eq true&$count=true&$select=id";
    let target = format!("/uploadSessions?{}", query.replace(' ', "%20"));
    let reply = served.server.get(
        &target,
        &[("Accept", "application/json;odata.metadata=none")],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), expected(query, &sample()));
    let count = served.server.get(
        "/uploadSessions/$count?$filter=isUploadDone%20eq%20true",
        &[],
    );
    let want =
        expected("$filter=isUploadDone eq true&$count=true", &sample())["@odata.count"].clone();
    assert_eq!(count.text(), want.to_string());
}

#[test]
fn paging_over_sqlite_walks_to_the_end() {
    let served = serve("paging", ODataConfig::new().with_max_page_size(3));
    let query = "$orderby=createdDateTime%20desc&$select=id,status&$count=true";
    let mut target = format!("/uploadSessions?{query}");
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages < 10, "paging does not end");
        let page = served.server.get(&target, &[]).json();
        assert_eq!(page["@odata.count"], 8);
        items.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(!next.contains(' '), "{next}");
                target = target_of(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let whole = expected(&query.replace("%20", " "), &sample());
    assert_eq!(Value::Array(items), whole["value"]);
    let forged = served
        .server
        .get("/uploadSessions?$skiptoken=3.0000000000000000", &[]);
    assert_eq!(forged.status, 400);
}

#[test]
fn keys_and_navigation_over_sqlite() {
    let served = serve("keys", ODataConfig::new());
    let id = "945c907b-0180-4fc1-9a33-5492b948c159";
    let session = sample()["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap();
    let entity = body(
        &served.server,
        &format!("/uploadSessions('{id}')?$select=id,status"),
    );
    assert_eq!(entity["status"], session["status"]);
    let files = body(
        &served.server,
        &format!("/uploadSessions('{id}')/files?$filter=size%20gt%201000000&$orderby=size%20desc"),
    );
    assert_eq!(
        files,
        expected(
            "$filter=size gt 1000000&$orderby=size desc",
            &session["files"]
        )
    );
    assert_eq!(
        served.server.get("/uploadSessions('nope')", &[]).status,
        404
    );
}
