//! The baseline of the load comparison: a hand-written axum handler answering the seed
//! document's six requests with plain Rust over `serde_json` values, no OData layer. It
//! knows only those six query strings (anything else is a 400), so it measures what the
//! filtering and ordering cost when nothing is parsed, checked or planned.
//!
//! ```sh
//! cargo run --release --features axum,sample --example plain_server -- 8082
//! ```

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset};
use serde_json::{json, Value};

/// One of the seed's requests: which files to keep, how to order them, and the top level.
struct Seed {
    keep: fn(&Value) -> bool,
    order: Option<fn(&Value, &Value) -> Ordering>,
    top_and_count: bool,
}

fn size(file: &Value) -> i64 {
    file["size"].as_i64().unwrap_or(0)
}

fn uploaded(file: &Value) -> Option<DateTime<FixedOffset>> {
    file["uploadedDateTime"]
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
}

fn by_uploaded_desc(a: &Value, b: &Value) -> Ordering {
    // Plain JSON strings order as strings, as the evaluator orders them.
    b["uploadedDateTime"]
        .as_str()
        .cmp(&a["uploadedDateTime"].as_str())
}

fn by_name(a: &Value, b: &Value) -> Ordering {
    a["name"].as_str().cmp(&b["name"].as_str())
}

/// The seed request a raw query string stands for.
fn seed(raw: &str) -> Option<Seed> {
    let decoded = raw.replace("%20", " ").replace("%27", "'");
    Some(match decoded.as_str() {
        "$expand=files($orderby=uploadedDateTime desc)" => Seed {
            keep: |_| true,
            order: Some(by_uploaded_desc),
            top_and_count: false,
        },
        "$expand=files($filter=size gt 1000000)" => Seed {
            keep: |file| size(file) > 1_000_000,
            order: None,
            top_and_count: false,
        },
        "$expand=files($orderby=name asc)" => Seed {
            keep: |_| true,
            order: Some(by_name),
            top_and_count: false,
        },
        "$expand=files($filter=name eq 'building-a-access.csv')" => Seed {
            keep: |file| file["name"] == "building-a-access.csv",
            order: None,
            top_and_count: false,
        },
        "$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z)" => Seed {
            keep: |file| {
                let cutoff = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").ok();
                uploaded(file).is_some_and(|at| Some(at) >= cutoff)
            },
            order: None,
            top_and_count: false,
        },
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true" => {
            Seed {
                keep: |file| size(file) > 1_000_000,
                order: Some(by_uploaded_desc),
                top_and_count: true,
            }
        }
        _ => return None,
    })
}

async fn upload_sessions(
    State(sessions): State<Arc<Vec<Value>>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(seed) = seed(raw.as_deref().unwrap_or("")) else {
        return (StatusCode::BAD_REQUEST, "unknown request").into_response();
    };
    let limit = if seed.top_and_count { 5 } else { usize::MAX };
    let value: Vec<Value> = sessions
        .iter()
        .take(limit)
        .map(|session| {
            let mut session = session.clone();
            if let Some(Value::Array(files)) = session.get_mut("files") {
                files.retain(seed.keep);
                if let Some(order) = seed.order {
                    files.sort_by(order);
                }
            }
            session
        })
        .collect();
    let mut body =
        json!({ "@odata.context": "http://127.0.0.1/$metadata#uploadSessions(files())" });
    if seed.top_and_count {
        body["@odata.count"] = json!(sessions.len());
    }
    body["value"] = Value::Array(value);
    (
        [(
            header::CONTENT_TYPE,
            "application/json;odata.metadata=minimal",
        )],
        body.to_string(),
    )
        .into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8082);
    let document: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS)?;
    let sessions = document["value"].as_array().cloned().unwrap_or_default();
    let router = Router::new()
        .route("/uploadSessions", get(upload_sessions))
        .with_state(Arc::new(sessions));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("http://{}/", listener.local_addr()?);
    axum::serve(listener, router).await
}
