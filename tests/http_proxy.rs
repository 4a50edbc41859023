//! The proxy layer in front of a real upstream server on loopback: validation without
//! forwarding, rewriting, and answering the query over an upstream that ignores it.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{target_of, TestServer};
use hyper_util::rt::TokioIo;
use odata_query::http::{and_filter, ODataConfig, ODataProxyLayer};
use odata_query::sample::UPLOAD_SESSIONS;
use odata_query::{parse_filter, EvalOptions, Query};
use serde_json::Value;
use tower::Layer;

/// An upstream JSON API that ignores query options and logs the targets it is sent.
fn upstream(log: Arc<Mutex<Vec<String>>>) -> TestServer {
    let record = move |request: Request| {
        let log = log.clone();
        async move {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            log.lock().unwrap().push(target);
            let path = request.uri().path().to_owned();
            if path == "/broken" {
                return ([(header::CONTENT_TYPE, "application/json")], "{not json").into_response();
            }
            (
                [(header::CONTENT_TYPE, "application/json")],
                UPLOAD_SESSIONS,
            )
                .into_response()
        }
    };
    TestServer::start(Router::new().route("/{*path}", get(record)))
}

/// Forwards a request to `upstream` over a new HTTP/1.1 connection.
async fn forward(upstream: SocketAddr, request: Request) -> Response {
    let attempt = async {
        let stream = tokio::net::TcpStream::connect(upstream).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .insert(header::HOST, upstream.to_string().parse()?);
        let response = sender
            .send_request(Request::from_parts(parts, body))
            .await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(response.map(Body::new))
    };
    match attempt.await {
        Ok(response) => response,
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// A proxy server in front of `upstream` built by `layer`.
fn proxy(upstream: SocketAddr, layer: ODataProxyLayer) -> TestServer {
    let client = tower::service_fn(move |request: Request| async move {
        Ok::<_, Infallible>(forward(upstream, request).await)
    });
    TestServer::start(Router::new().fallback_service(layer.layer(client)))
}

/// ANDs `source ne 'Workday'` into every query: a stand-in for a tenant condition.
fn tenant_layer(config: ODataConfig) -> ODataProxyLayer {
    ODataProxyLayer::new(config).rewrite(|query, _request| {
        and_filter(query, parse_filter("source ne 'Workday'")?);
        Ok(())
    })
}

fn sessions() -> Value {
    serde_json::from_str(UPLOAD_SESSIONS).unwrap()
}

#[test]
fn bad_queries_are_answered_without_forwarding() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let upstream = upstream(log.clone());
    let proxy = proxy(upstream.addr, tenant_layer(ODataConfig::new()));
    let reply = proxy.get("/uploadSessions?$filter=size%20gt", &[]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["target"], "$filter");
    let reply = proxy.get("/uploadSessions?$top=-1", &[]);
    assert_eq!(reply.status, 400);
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}

#[test]
fn rewritten_queries_are_forwarded_as_valid_canonical_urls() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let upstream = upstream(log.clone());
    let proxy = proxy(upstream.addr, tenant_layer(ODataConfig::new()));
    let reply = proxy.get(
        "/uploadSessions?$filter=status%20eq%20'complete'%20or%20isUploadDone&$top=3&custom=1",
        &[],
    );
    assert_eq!(reply.status, 200);
    // Passed through as the upstream answered.
    assert_eq!(reply.json(), sessions());
    let received = log.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let target = &received[0];
    assert!(!target.contains(' '), "{target}");
    let query = Query::parse(target.split_once('?').unwrap().1).unwrap();
    assert_eq!(
        query.to_string(),
        "$filter=(status eq 'complete' or isUploadDone) and source ne 'Workday'&$top=3&custom=1"
    );
}

#[test]
fn queries_are_answered_over_an_upstream_that_ignores_them() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let upstream = upstream(log.clone());
    let layer = tenant_layer(ODataConfig::new()).evaluate_responses(true);
    let proxy = proxy(upstream.addr, layer);
    let query = "$filter=status%20eq%20'complete'&$expand=files($filter=size%20gt%201000000)&$orderby=createdDateTime%20desc&$count=true&custom=1";
    let reply = proxy.get(&format!("/uploadSessions?{query}"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("OData-Version"), Some("4.01"));
    let mut body = reply.json();
    assert_eq!(
        body["@odata.context"],
        format!("{}/$metadata#uploadSessions(files())", proxy.url())
    );
    body.as_object_mut().unwrap().remove("@odata.context");
    let mut rewritten = Query::parse(&query.replace("%20", " ")).unwrap();
    and_filter(&mut rewritten, parse_filter("source ne 'Workday'").unwrap());
    let mut expected = rewritten
        .compile(&EvalOptions::default())
        .unwrap()
        .apply(&sessions())
        .unwrap();
    expected.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(body, expected);
    // The upstream got only the custom option.
    assert_eq!(log.lock().unwrap().as_slice(), ["/uploadSessions?custom=1"]);

    // Paging through the proxy: the next links come back to it, and the pages add up.
    let prefer = [("Prefer", "odata.maxpagesize=3")];
    let mut target = "/uploadSessions?$orderby=id".to_owned();
    let mut ids = Vec::new();
    for _ in 0..10 {
        let page = proxy.get(&target, &prefer).json();
        ids.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone()),
        );
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                // The link carries the client's query, not the rewritten one.
                assert!(!next.contains("Workday"), "{next}");
                target = target_of(next);
            }
            None => break,
        }
    }
    let mut all: Vec<Value> = sessions()["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] != "Workday")
        .map(|s| s["id"].clone())
        .collect();
    all.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(ids, all);

    let broken = proxy.get("/broken", &[]);
    assert_eq!(broken.status, 502);
    assert_eq!(broken.json()["error"]["code"], "BadGateway");
}
