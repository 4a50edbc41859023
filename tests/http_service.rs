//! The OData service over HTTP: real servers on loopback ports, a real HTTP client, every
//! route, header, status and body checked against what the evaluator answers.

mod common;

use std::sync::Arc;

use common::{target_of, TestServer};
use odata_query::http::{
    CheckTarget, ErrorDetail, InMemory, JsonFile, ODataConfig, ODataError, ODataService,
};
use odata_query::model::Model;
use odata_query::sample::UPLOAD_SESSIONS;
use odata_query::{EvalOptions, Query};
use serde_json::{json, Value};

fn sessions() -> Value {
    serde_json::from_str(UPLOAD_SESSIONS).expect("the sample parses")
}

fn model() -> Model {
    Model::infer(&sessions(), "uploadSessions").expect("a model")
}

fn server_with(config: ODataConfig) -> TestServer {
    let service = ODataService::new(config.with_model(model()))
        .entity_set("uploadSessions", InMemory::new(sessions()));
    TestServer::start(service.router())
}

fn server() -> TestServer {
    server_with(ODataConfig::new())
}

/// What the evaluator answers for `query` over the sample, without context.
fn expected(query: &str) -> Value {
    let plan = Query::parse(query)
        .unwrap()
        .compile(&EvalOptions::default())
        .unwrap();
    let mut answer = plan.apply(&sessions()).unwrap();
    answer.as_object_mut().unwrap().remove("@odata.context");
    answer
}

fn without_context(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("@odata.context");
    body
}

/// The seed document's requests, percent-encoded as a client sends them.
const SEED_QUERIES: [&str; 6] = [
    "$expand=files($orderby=uploadedDateTime%20desc)",
    "$expand=files($filter=size%20gt%201000000)",
    "$expand=files($orderby=name%20asc)",
    "$expand=files($filter=name%20eq%20'building-a-access.csv')",
    "$expand=files($filter=uploadedDateTime%20ge%202026-01-01T00:00:00Z)",
    "$expand=files($filter=size%20gt%201000000;$orderby=uploadedDateTime%20desc)&$top=5&$count=true",
];

#[test]
fn seed_requests_answer_what_the_evaluator_answers_with_odata_headers() {
    let server = server();
    for query in SEED_QUERIES {
        let reply = server.get(&format!("/uploadSessions?{query}"), &[]);
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        assert_eq!(reply.header("OData-Version"), Some("4.01"));
        assert_eq!(
            reply.header("Content-Type"),
            Some("application/json;odata.metadata=minimal")
        );
        let body = reply.json();
        let decoded = query.replace("%20", " ");
        assert_eq!(without_context(body.clone()), expected(&decoded), "{query}");
        assert_eq!(
            body["@odata.context"],
            format!("{}/$metadata#uploadSessions(files())", server.url())
        );
        // The context is the first member (JSON §4.5.1).
        assert!(reply.text().starts_with("{\"@odata.context\":"));
    }
    let counted = server
        .get(&format!("/uploadSessions?{}", SEED_QUERIES[5]), &[])
        .json();
    assert_eq!(counted["@odata.count"], 8);
}

#[test]
fn version_four_zero_when_the_client_asks() {
    let server = server();
    let headers = [("OData-MaxVersion", "4.0")];
    let reply = server.get("/uploadSessions?$select=id&$expand=files", &headers);
    assert_eq!(reply.header("OData-Version"), Some("4.0"));
    // 4.0 leaves out an expansion without nested $select/$expand.
    assert_eq!(
        reply.json()["@odata.context"],
        format!("{}/$metadata#uploadSessions(id)", server.url())
    );
    let reply = server.get("/uploadSessions?$select=id&$expand=files", &[]);
    assert_eq!(
        reply.json()["@odata.context"],
        format!("{}/$metadata#uploadSessions(id,files())", server.url())
    );
}

#[test]
fn nested_counts_and_selected_shapes() {
    let server = server();
    let query =
        "$select=id,status&$expand=files($select=name;$count=true;$filter=size%20gt%201000000)";
    let body = server.get(&format!("/uploadSessions?{query}"), &[]).json();
    assert_eq!(
        without_context(body.clone()),
        expected(&query.replace("%20", " "))
    );
    assert_eq!(body["value"][0]["files@odata.count"], 1);
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/$metadata#uploadSessions(id,status,files(name))",
            server.url()
        )
    );
}

/// Follows `@odata.nextLink` to the end; returns the items of every page and the number of
/// pages. Each link must be a valid absolute URL on this server.
fn walk(server: &TestServer, first: &str, headers: &[(&str, &str)]) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut target = first.to_owned();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages < 50, "paging does not end");
        let reply = server.get(&target, headers);
        assert_eq!(reply.status, 200, "{target}: {}", reply.text());
        let body = reply.json();
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        let Some(next) = body["@odata.nextLink"].as_str() else {
            return (items, pages);
        };
        assert!(next.starts_with(&server.url()), "{next}");
        assert!(
            next.bytes()
                .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|} ".contains(&b)),
            "not a valid URL: {next}"
        );
        target = target_of(next);
    }
}

#[test]
fn prefer_max_page_size_pages_to_the_end_and_pages_concatenate_to_the_whole() {
    let server = server();
    let query = "$filter=status%20ne%20'x%20y'%20and%20id%20ne%20null&$orderby=createdDateTime%20desc&$expand=files($orderby=name)&$count=true";
    let whole = server.get(&format!("/uploadSessions?{query}"), &[]).json();
    let prefer = [("Prefer", "odata.maxpagesize=3")];
    let first = server.get(&format!("/uploadSessions?{query}"), &prefer);
    assert_eq!(
        first.header("Preference-Applied"),
        Some("odata.maxpagesize=3")
    );
    assert_eq!(first.json()["@odata.count"], 8);
    let (items, pages) = walk(&server, &format!("/uploadSessions?{query}"), &prefer);
    assert_eq!(pages, 3);
    assert_eq!(Value::Array(items), whole["value"]);
    // The 4.01 spelling is echoed as it was sent.
    let reply = server.get("/uploadSessions", &[("Prefer", "maxpagesize=5")]);
    assert_eq!(reply.header("Preference-Applied"), Some("maxpagesize=5"));
}

#[test]
fn server_page_size_applies_without_a_preference() {
    let server = server_with(ODataConfig::new().with_max_page_size(2));
    let (items, pages) = walk(&server, "/uploadSessions?$select=id", &[]);
    assert_eq!(pages, 4);
    assert_eq!(Value::Array(items), expected("$select=id")["value"]);
    // A client preference larger than the server's page size is not applied.
    let reply = server.get("/uploadSessions", &[("Prefer", "odata.maxpagesize=5")]);
    assert_eq!(reply.header("Preference-Applied"), None);
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 2);
}

#[test]
fn count_segment_is_plain_text() {
    let server = server();
    let reply = server.get(
        "/uploadSessions/$count?$filter=isUploadDone%20eq%20true&$top=1",
        &[],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("text/plain"));
    let expected = expected("$filter=isUploadDone eq true&$count=true")["@odata.count"].clone();
    assert_eq!(reply.text(), expected.to_string());
}

#[test]
fn entities_by_key_in_both_forms_and_their_navigation() {
    let server = server();
    let id = "945c907b-0180-4fc1-9a33-5492b948c159";
    let whole = sessions()["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap();
    for path in [
        format!("/uploadSessions('{id}')"),
        format!("/uploadSessions({id})"),
    ] {
        let reply = server.get(&path, &[]);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        let body = reply.json();
        assert_eq!(
            body["@odata.context"],
            format!("{}/$metadata#uploadSessions/$entity", server.url())
        );
        assert_eq!(without_context(body), whole);
    }
    let selected = server
        .get(&format!("/uploadSessions({id})?$select=status"), &[])
        .json();
    assert_eq!(
        selected["@odata.context"],
        format!("{}/$metadata#uploadSessions(status)/$entity", server.url())
    );
    assert_eq!(selected["status"], whole["status"]);

    let query = "$filter=size%20gt%201000000&$orderby=size%20desc&$count=true";
    let reply = server.get(&format!("/uploadSessions({id})/files?{query}"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let over_files = Query::parse(&query.replace("%20", " "))
        .unwrap()
        .compile(&EvalOptions::default())
        .unwrap()
        .apply(&whole["files"])
        .unwrap();
    assert_eq!(without_context(body.clone()), over_files);
    assert_eq!(
        body["@odata.context"],
        format!("{}/$metadata#uploadSessions({id})/files", server.url())
    );
    let count = server.get(
        &format!("/uploadSessions({id})/files/$count?$filter=size%20gt%201000000"),
        &[],
    );
    assert_eq!(count.text(), "2");
    let prefer = [("Prefer", "odata.maxpagesize=1")];
    let (items, pages) = walk(
        &server,
        &format!("/uploadSessions({id})/files?$orderby=name"),
        &prefer,
    );
    assert_eq!(pages, 3);
    let names: Vec<&str> = items.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);

    let missing = server.get("/uploadSessions('no-such-id')", &[]);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "NotFound");
    let no_navigation = server.get(&format!("/uploadSessions({id})/owners"), &[]);
    assert_eq!(no_navigation.status, 404);
}

/// `/set(key)/property` (URL §4.6): a primitive as `{"value": ...}`, a complex value as
/// itself, null as 204, `/$value` as text; query options there are a 501, an unknown name
/// a 404.
#[test]
fn properties_of_an_entity_by_path() {
    let server = server();
    let id = "945c907b-0180-4fc1-9a33-5492b948c159";
    let whole = sessions()["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap();
    for property in ["status", "createdDateTime", "isUploadDone"] {
        let reply = server.get(&format!("/uploadSessions('{id}')/{property}"), &[]);
        assert_eq!(reply.status, 200, "{property}: {}", reply.text());
        let body = reply.json();
        assert_eq!(
            body["@odata.context"],
            format!("{}/$metadata#uploadSessions({id})/{property}", server.url())
        );
        assert_eq!(without_context(body), json!({ "value": whole[property] }));
    }
    let stats = server.get(&format!("/uploadSessions({id})/stats"), &[]);
    assert_eq!(stats.status, 200, "{}", stats.text());
    assert_eq!(without_context(stats.json()), whole["stats"]);

    // `/$value` (URL §4.7): the raw text of a primitive; a complex value has none.
    let raw = server.get(&format!("/uploadSessions({id})/status/$value"), &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.header("content-type"), Some("text/plain;charset=utf-8"));
    assert_eq!(raw.text(), whole["status"].as_str().unwrap());
    let flag = server.get(&format!("/uploadSessions({id})/isUploadDone/$value"), &[]);
    assert_eq!(flag.text(), whole["isUploadDone"].to_string());
    let complex = server.get(&format!("/uploadSessions({id})/stats/$value"), &[]);
    assert_eq!(complex.status, 400, "{}", complex.text());

    let options = server.get(&format!("/uploadSessions({id})/status?$top=1"), &[]);
    assert_eq!(options.status, 501, "{}", options.text());
    let unknown = server.get(&format!("/uploadSessions({id})/nothing"), &[]);
    assert_eq!(unknown.status, 404);
    let no_entity = server.get("/uploadSessions('no-such-id')/status", &[]);
    assert_eq!(no_entity.status, 404);
}

/// A null property answers 204 No Content (Protocol §11.2.6).
#[test]
fn a_null_property_is_no_content() {
    let records = json!([{"id": "a", "name": null}, {"id": "b", "name": "x"}]);
    let model = Model::infer(&json!([{"id": "a", "name": "y"}]), "items").expect("a model");
    let service = ODataService::new(ODataConfig::new().with_model(model))
        .entity_set("items", InMemory::new(records));
    let server = TestServer::start(service.router());
    let null = server.get("/items('a')/name", &[]);
    assert_eq!(null.status, 204, "{}", null.text());
    assert!(null.text().is_empty());
    let raw_null = server.get("/items('a')/name/$value", &[]);
    assert_eq!(raw_null.status, 204, "{}", raw_null.text());
    let named = server.get("/items('b')/name", &[]);
    assert_eq!(without_context(named.json()), json!({"value": "x"}));
}

#[test]
fn metadata_in_xml_and_json_reads_back_into_the_same_model() {
    let server = server();
    let xml = server.get("/$metadata", &[("Accept", "application/xml")]);
    assert_eq!(xml.status, 200);
    assert_eq!(xml.header("Content-Type"), Some("application/xml"));
    assert_eq!(Model::from_csdl_xml(&xml.text()).unwrap(), model());
    let json = server.get("/$metadata?$format=json", &[]);
    assert_eq!(json.header("Content-Type"), Some("application/json"));
    assert_eq!(Model::from_csdl_json(&json.text()).unwrap(), model());
    let accepted = server.get("/$metadata", &[("Accept", "application/json")]);
    assert_eq!(Model::from_csdl_json(&accepted.text()).unwrap(), model());
}

#[test]
fn service_document_lists_the_sets() {
    let server = server();
    let reply = server.get("/", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({
            "@odata.context": format!("{}/$metadata", server.url()),
            "value": [{"name": "uploadSessions", "kind": "EntitySet", "url": "uploadSessions"}]
        })
    );
}

#[test]
fn errors_have_odata_bodies_and_statuses() {
    let server = server();
    let syntax = server.get("/uploadSessions?$filter=size%20gt", &[]);
    assert_eq!(syntax.status, 400);
    let error = &syntax.json()["error"];
    assert_eq!(error["code"], "BadRequest");
    assert_eq!(error["target"], "$filter");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("expected an expression"));
    assert_eq!(syntax.header("OData-Version"), Some("4.01"));

    assert_eq!(server.get("/nothing", &[]).status, 404);
    let post = common::request(
        server.addr,
        "POST",
        "/uploadSessions",
        &[("Content-Length", "0")],
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.json()["error"]["code"], "MethodNotAllowed");
    let xml = server.get("/uploadSessions", &[("Accept", "application/atom+xml")]);
    assert_eq!(xml.status, 406);
    let unsupported = server.get("/uploadSessions?$deltatoken=abc", &[]);
    assert_eq!(unsupported.status, 501);
    assert_eq!(unsupported.json()["error"]["code"], "NotImplemented");
    let head = common::request(server.addr, "HEAD", "/uploadSessions", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn budgets_stop_hostile_requests_with_a_named_limit() {
    let records: Vec<Value> = (0..5000)
        .map(|i| json!({"id": i, "x": (0..30).collect::<Vec<i32>>(), "name": "n".repeat(1000)}))
        .collect();
    let model = Model::infer(&Value::Array(records[..10].to_vec()), "items").unwrap();
    let service = ODataService::new(ODataConfig::new().with_model(model))
        .entity_set("items", InMemory::from_records(records));
    let server = TestServer::start(service.router());
    let lambdas = "$filter=x/any(a:x/any(b:x/any(c:a%20add%20b%20add%20c%20eq%20-1)))";
    let reply = server.get(&format!("/items?{lambdas}"), &[]);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"]["code"], "LimitExceeded");
    assert!(reply.text().contains("max_eval_time"), "{}", reply.text());

    let mut nested = "name".to_owned();
    for _ in 0..8 {
        nested = format!("concat({nested},{nested})");
    }
    let reply = server.get(&format!("/items?$orderby={nested}"), &[]);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("max_eval_bytes"), "{}", reply.text());
    // The server still answers.
    assert_eq!(server.get("/items/$count", &[]).text(), "5000");
}

#[test]
fn metadata_levels_change_the_body() {
    let server = server();
    let none = server.get(
        "/uploadSessions?$top=1&$count=true",
        &[("Accept", "application/json;odata.metadata=none")],
    );
    assert_eq!(
        none.header("Content-Type"),
        Some("application/json;odata.metadata=none")
    );
    let body = none.json();
    assert!(body.get("@odata.context").is_none());
    assert_eq!(body["@odata.count"], 8);
    assert!(body["value"][0]["data"].get("@odata.type").is_none());

    let full = server.get(
        "/uploadSessions?$top=1&$format=application/json;odata.metadata=full",
        &[],
    );
    let entity = &full.json()["value"][0];
    let id = entity["id"].as_str().unwrap();
    assert_eq!(
        entity["@odata.id"],
        format!("{}/uploadSessions({id})", server.url())
    );
    assert_eq!(entity["@odata.type"], "#Default.uploadSession");
    assert_eq!(
        entity["files@odata.navigationLink"],
        format!("{}/uploadSessions({id})/files", server.url())
    );
}

#[test]
fn the_check_hook_runs_with_the_model_and_target() {
    let check = |query: &Query, model: &Model, target: &CheckTarget| -> Result<(), ODataError> {
        let entity_type = model.entity_set_type(&target.entity_set).unwrap();
        let text = query.to_string();
        if text.contains("nme") && model.property(entity_type, "nme").is_none() {
            return Err(ODataError::Check {
                code: "UnknownProperty".into(),
                message: "unknown property nme".into(),
                target: Some("$filter".into()),
                details: vec![ErrorDetail {
                    code: "DidYouMean".into(),
                    message: "did you mean name?".into(),
                    target: Some("nme".into()),
                }],
            });
        }
        Ok(())
    };
    let server = server_with(ODataConfig::new().with_check(check));
    let reply = server.get("/uploadSessions?$filter=nme%20eq%20'a'", &[]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["details"][0]["target"], "nme");
    assert_eq!(
        server
            .get("/uploadSessions?$filter=status%20eq%20'a'", &[])
            .status,
        200
    );
}

#[test]
fn a_streamed_file_answers_like_memory_and_mounting_moves_the_root() {
    let path = std::env::temp_dir().join(format!("odq-http-{}.json", std::process::id()));
    std::fs::write(&path, UPLOAD_SESSIONS).unwrap();
    let service = ODataService::new(ODataConfig::new().with_model(model()))
        .entity_set("uploadSessions", JsonFile::streamed(&path));
    let server = TestServer::start(axum::Router::new().nest("/odata", service.router()));
    for query in SEED_QUERIES {
        let body = server
            .get(&format!("/odata/uploadSessions?{query}"), &[])
            .json();
        assert_eq!(
            body["@odata.context"],
            format!("{}/odata/$metadata#uploadSessions(files())", server.url())
        );
        assert_eq!(without_context(body), expected(&query.replace("%20", " ")));
    }
    let prefer = [("Prefer", "odata.maxpagesize=3")];
    let (items, _) = walk(
        &server,
        "/odata/uploadSessions?$filter=status%20ne%20'x'",
        &prefer,
    );
    assert_eq!(
        Value::Array(items),
        expected("$filter=status ne 'x'")["value"]
    );
    let loaded = JsonFile::open(&path).unwrap();
    assert!(loaded.is_loaded());
    assert_eq!(
        loaded.sample(2).unwrap()["value"].as_array().unwrap().len(),
        2
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn a_handler_of_its_own_with_the_extractor() {
    use axum::routing::get;
    use odata_query::http::ODataQuery;

    let data = Arc::new(sessions());
    let handler = move |query: ODataQuery| {
        let data = data.clone();
        async move { query.evaluate("uploadSessions", data).await }
    };
    let router: axum::Router = axum::Router::new()
        .route("/api/sessions", get(handler))
        .with_state(ODataConfig::new().with_max_page_size(5));
    let server = TestServer::start(router);
    let body = server.get("/api/sessions?$select=id", &[]).json();
    assert_eq!(body["value"].as_array().unwrap().len(), 5);
    let next = body["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!(
        "{}/api/sessions?$select=id&$skiptoken=",
        server.url()
    )));
    let bad = server.get("/api/sessions?$top=x", &[]);
    assert_eq!(bad.status, 400);
}

#[test]
fn the_model_check_rejects_unknown_properties_with_a_suggestion() {
    let server = server();
    let reply = server.get(
        "/uploadSessions?$top=2&$filter=stauts%20eq%20'complete'",
        &[],
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    let error = &reply.json()["error"];
    assert_eq!(error["target"], "$filter");
    assert!(error["message"].as_str().unwrap().contains("stauts"));
    let details = error["details"].as_array().unwrap();
    assert!(details
        .iter()
        .any(|d| d["code"] == "DidYouMean" && d["message"].as_str().unwrap().contains("'status'")));
    assert!(details
        .iter()
        .any(|d| d["code"] == "Position" && d["message"] == "at byte 15"));
    let nested = server.get(
        "/uploadSessions('0f9eacd3-3114-4b19-8bdb-b813a4c9027d')/files?$filter=sise%20gt%201",
        &[],
    );
    assert_eq!(nested.status, 400);
    assert!(nested.text().contains("'size'"), "{}", nested.text());
    // Without the check, the evaluator's schemaless semantics answer.
    let unchecked = server_with(ODataConfig::new().without_check());
    let reply = unchecked.get("/uploadSessions?$filter=stauts%20eq%20'complete'", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["value"], json!([]));
}
