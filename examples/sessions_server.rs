//! The seed's uploadSessions service embedded in an application of its own: a handler
//! that takes the `ODataQuery` extractor for the Graph-style collection route, and the
//! `ODataService` router behind it for `$metadata`, keys, `files` as a navigation and
//! `$count`. The model is the hand-written CSDL in `examples/upload-sessions.csdl.xml`.
//!
//! ```sh
//! cargo run --release --features axum,sample --example sessions_server -- 8081
//! curl 'http://127.0.0.1:8081/uploadSessions?$expand=files($filter=size%20gt%201000000)&$top=5&$count=true'
//! curl "http://127.0.0.1:8081/uploadSessions('094546ce-43c2-4474-a0e4-d01e235f461f')/files"
//! ```

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::get;
use axum::Router;
use odata_query::http::{
    InMemory, ODataConfig, ODataError, ODataQuery, ODataResponse, ODataService,
};
use odata_query::model::Model;
use serde_json::Value;

#[derive(Clone)]
struct App {
    odata: ODataConfig,
    sessions: Arc<Value>,
}

impl FromRef<App> for ODataConfig {
    fn from_ref(app: &App) -> ODataConfig {
        app.odata.clone()
    }
}

/// `GET /uploadSessions`: what an application handler looks like with the extractor.
async fn upload_sessions(
    State(app): State<App>,
    query: ODataQuery,
) -> Result<ODataResponse, ODataError> {
    query.evaluate("uploadSessions", app.sessions.clone()).await
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8081);
    let model = Model::from_csdl_xml(include_str!("upload-sessions.csdl.xml"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let sessions: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS)?;
    let odata = ODataConfig::new().with_model(model).with_max_page_size(100);
    let service = ODataService::new(odata.clone())
        .entity_set("uploadSessions", InMemory::new(sessions.clone()));
    let app = App {
        odata,
        sessions: Arc::new(sessions),
    };
    let router = Router::new()
        .route("/uploadSessions", get(upload_sessions))
        .with_state(app)
        .fallback_service(service.router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("http://{}/", listener.local_addr()?);
    axum::serve(listener, router).await
}
