//! Serving OData over HTTP with [axum](https://docs.rs/axum) (feature `axum`): thin
//! adapters over the library. The extractor only parses, the response type only writes,
//! errors are one [`IntoResponse`](axum::response::IntoResponse) type, and every query
//! semantic stays in the evaluator.
//!
//! - [`ODataQuery`]: an extractor that parses the query string with the options of the
//!   [`ODataConfig`] in the state, and reads `OData-MaxVersion`, `Accept` and `Prefer:
//!   odata.maxpagesize`.
//! - [`ODataResponse`]: writes `@odata.context` (from the service root, the entity set and
//!   the `$select`/`$expand` shape), a valid percent-encoded `@odata.nextLink`, and the
//!   `OData-Version`, `Content-Type` and `Preference-Applied` headers; honours
//!   `odata.metadata=none|minimal|full`.
//! - [`ODataError`]: parse, check, evaluation and data-source errors as 400/404/406/500/501
//!   with the OData error body, never a stack trace or a database message.
//! - [`ODataService`]: a router serving entity sets from [`EntitySource`]s ([`InMemory`],
//!   [`JsonFile`], and with the features `sqlite`/`postgres` a database through the SQL
//!   translation, `SqlDatabase`) with `$count`, keys, navigation, `$metadata` and the
//!   service document.
//! - [`ODataProxyLayer`]: a tower layer in front of an upstream JSON API that validates,
//!   rewrites, and optionally answers the query over the upstream's response.
//! - Budgets: [`Limits::server`](crate::Limits::server) gives every request a deadline and
//!   a memory budget; evaluation runs on a blocking thread.
//!
//! One handler of its own, with paging, context URL and error bodies:
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{extract::State, routing::get, Router};
//! use odata_query::http::{ODataConfig, ODataError, ODataQuery, ODataResponse};
//! use serde_json::{json, Value};
//!
//! #[derive(Clone)]
//! struct App {
//!     odata: ODataConfig,
//!     sessions: Arc<Value>,
//! }
//!
//! impl axum::extract::FromRef<App> for ODataConfig {
//!     fn from_ref(app: &App) -> ODataConfig {
//!         app.odata.clone()
//!     }
//! }
//!
//! async fn sessions(State(app): State<App>, query: ODataQuery) -> Result<ODataResponse, ODataError> {
//!     query.evaluate("uploadSessions", app.sessions.clone()).await
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let app = App {
//!     odata: ODataConfig::new().with_max_page_size(100),
//!     sessions: Arc::new(json!([{"id": "a", "status": "complete"}])),
//! };
//! let router = Router::new().route("/uploadSessions", get(sessions)).with_state(app);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, router).await
//! # }
//! ```

mod config;
mod context;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod database;
mod error;
mod proxy;
mod request;
mod resource;
mod response;
mod service;
mod source;
mod url;

pub use config::{CheckTarget, ModelCheck, ODataConfig, QueryCheck};
pub use context::{context_url, select_list, Payload};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use database::{SqlDatabase, SqlSource};
pub use error::{ErrorDetail, ODataError};
pub use proxy::{and_filter, ODataProxy, ODataProxyLayer, Rewrite};
pub use request::{MetadataLevel, Negotiated, ODataQuery, ODataVersion};
pub use response::{EntityLinks, ODataResponse, ResponseBody};
pub use service::ODataService;
pub use source::{EntitySource, InMemory, JsonFile, LOAD_IN_MEMORY_MAX};
