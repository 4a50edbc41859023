//! [`ODataProxyLayer`]: a tower layer in front of an upstream JSON API. It validates the
//! query (a 400 is answered without forwarding), optionally rewrites it, and optionally
//! answers it over the upstream's JSON with the streaming evaluator, for upstreams that
//! ignore query options.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::request::Parts;
use axum::http::{header, Request, Response, Uri};
use axum::response::IntoResponse;
use axum::BoxError;
use tower::{Layer, Service};

use crate::ast::{BinaryOp, Expr, Query};
use crate::stream::StreamPlan;

use super::context::{context_url, Payload};
use super::service::blocking;
use super::{
    CheckTarget, ODataConfig, ODataError, ODataQuery, ODataResponse, ODataVersion, ResponseBody,
};

/// A query rewrite: gets the parsed query and the request, may change the query (or
/// refuse the request with an error).
pub type Rewrite = Arc<dyn Fn(&mut Query, &Parts) -> Result<(), ODataError> + Send + Sync>;

/// ANDs `condition` into the query's `$filter` (a tenant condition, say): `($filter) and
/// condition`, or `condition` alone.
///
/// ```
/// use odata_query::{parse_filter, Query};
/// use odata_query::http::and_filter;
///
/// let mut query = Query::parse("$filter=status eq 'failed' or size gt 5")?;
/// and_filter(&mut query, parse_filter("tenant eq 'contoso'")?);
/// assert_eq!(
///     query.to_string(),
///     "$filter=(status eq 'failed' or size gt 5) and tenant eq 'contoso'"
/// );
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn and_filter(query: &mut Query, condition: Expr) {
    query.filter = Some(match query.filter.take() {
        Some(filter) => Expr::binary(BinaryOp::And, filter, condition),
        None => condition,
    });
}

/// The settings shared by the proxies a layer makes.
struct Settings {
    config: ODataConfig,
    rewrite: Option<Rewrite>,
    evaluate: bool,
    max_upstream_body: usize,
}

/// A tower [`Layer`] that puts an OData front on an upstream JSON API (any tower service
/// from `Request<Body>` to a response, such as a reverse-proxy client):
///
/// 1. the query string is parsed and checked with the [`ODataConfig`]; a bad query is
///    answered 400 with the OData error body and never forwarded;
/// 2. an optional [`Rewrite`] changes the query (see [`and_filter`]), and the request is
///    forwarded with the canonical, percent-encoded text of the result;
/// 3. optionally ([`ODataProxyLayer::evaluate_responses`]), the upstream is sent only the
///    custom options, and the query is answered over its JSON response (an array or an
///    OData collection) with [`StreamPlan`], within the budgets, on a blocking thread.
#[derive(Clone)]
pub struct ODataProxyLayer {
    settings: Arc<Settings>,
}

impl std::fmt::Debug for ODataProxyLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ODataProxyLayer")
            .field("config", &self.settings.config)
            .field("rewrite", &self.settings.rewrite.is_some())
            .field("evaluate", &self.settings.evaluate)
            .field("max_upstream_body", &self.settings.max_upstream_body)
            .finish()
    }
}

impl ODataProxyLayer {
    /// Validates with `config`, forwards everything else as it is.
    pub fn new(config: ODataConfig) -> ODataProxyLayer {
        ODataProxyLayer {
            settings: Arc::new(Settings {
                config,
                rewrite: None,
                evaluate: false,
                max_upstream_body: 64 << 20,
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Settings)) -> ODataProxyLayer {
        let mut settings = Arc::try_unwrap(self.settings).unwrap_or_else(|shared| Settings {
            config: shared.config.clone(),
            rewrite: shared.rewrite.clone(),
            evaluate: shared.evaluate,
            max_upstream_body: shared.max_upstream_body,
        });
        change(&mut settings);
        ODataProxyLayer {
            settings: Arc::new(settings),
        }
    }

    /// Rewrites each query before it is forwarded.
    pub fn rewrite(
        self,
        rewrite: impl Fn(&mut Query, &Parts) -> Result<(), ODataError> + Send + Sync + 'static,
    ) -> ODataProxyLayer {
        self.with(|settings| settings.rewrite = Some(Arc::new(rewrite)))
    }

    /// Answers the query over the upstream's JSON responses (for upstreams that ignore
    /// query options); the upstream then gets only the custom options.
    pub fn evaluate_responses(self, evaluate: bool) -> ODataProxyLayer {
        self.with(|settings| settings.evaluate = evaluate)
    }

    /// The largest upstream body read when evaluating (default 64 MiB); a larger one is
    /// answered 502.
    pub fn max_upstream_body(self, bytes: usize) -> ODataProxyLayer {
        self.with(|settings| settings.max_upstream_body = bytes)
    }
}

impl<S> Layer<S> for ODataProxyLayer {
    type Service = ODataProxy<S>;

    fn layer(&self, inner: S) -> ODataProxy<S> {
        ODataProxy {
            inner,
            settings: self.settings.clone(),
        }
    }
}

/// The service an [`ODataProxyLayer`] wraps around an upstream.
#[derive(Clone)]
pub struct ODataProxy<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for ODataProxy<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ODataProxy")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ResponseBodyType> Service<Request<Body>> for ODataProxy<S>
where
    S: Service<Request<Body>, Response = Response<ResponseBodyType>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    ResponseBodyType: HttpBody<Data = Bytes> + Send + 'static,
    ResponseBodyType::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service polled ready is the one to call; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let settings = self.settings.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let version = ODataVersion::negotiate(&parts.headers);
            let prepared = match prepare(&settings, &mut parts) {
                Ok(prepared) => prepared,
                Err(error) => return Ok(error.into_response_for(version)),
            };
            let upstream = inner.call(Request::from_parts(parts, body)).await?;
            if !settings.evaluate {
                return Ok(upstream.map(Body::new));
            }
            Ok(match answer(&settings, &prepared, upstream).await {
                Ok(response) => response,
                Err(error) => error.into_response_for(version),
            })
        })
    }
}

/// Parses, checks and rewrites the query, and sets the URI to forward.
fn prepare(settings: &Settings, parts: &mut Parts) -> Result<Prepared, ODataError> {
    let path = parts.uri.path().to_owned();
    let mut request = ODataQuery::from_parts(parts, &settings.config, &path)?;
    let set = first_segment(&path).map(str::to_owned);
    if let Some(set) = &set {
        request.check(&CheckTarget::entity_set(set))?;
    }
    let sent = request.query.clone();
    if let Some(rewrite) = &settings.rewrite {
        rewrite(&mut request.query, parts)?;
    }
    let forwarded = if settings.evaluate {
        Query {
            custom: request.query.custom.clone(),
            ..Query::default()
        }
    } else {
        request.query.clone()
    };
    let text = forwarded.to_url_string();
    let path_and_query = if text.is_empty() {
        path
    } else {
        format!("{path}?{text}")
    };
    let mut uri = parts.uri.clone().into_parts();
    uri.path_and_query = Some(
        path_and_query
            .parse()
            .map_err(|_| ODataError::NotFound("the rewritten URL is not valid".into()))?,
    );
    parts.uri = Uri::from_parts(uri)
        .map_err(|_| ODataError::NotFound("the rewritten URL is not valid".into()))?;
    Ok(Prepared { request, sent, set })
}

/// A request ready to forward.
struct Prepared {
    /// The request, with the rewritten query.
    request: ODataQuery,
    /// The query as the client sent it, for next links.
    sent: Query,
    /// The entity set the path names, for the context URL.
    set: Option<String>,
}

/// The first path segment, when it looks like an entity set name.
fn first_segment(path: &str) -> Option<&str> {
    let first = path.trim_start_matches('/').split('/').next()?;
    (!first.is_empty()
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(first)
}

/// Answers the query over the upstream's JSON response; other responses pass through.
async fn answer<B>(
    settings: &Settings,
    prepared: &Prepared,
    upstream: Response<B>,
) -> Result<Response<Body>, ODataError>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let is_json = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
    if !upstream.status().is_success() || !is_json {
        return Ok(upstream.map(Body::new));
    }
    let bytes = axum::body::to_bytes(Body::new(upstream.into_body()), settings.max_upstream_body)
        .await
        .map_err(|error| ODataError::Upstream(error.into()))?;
    let request = &prepared.request;
    let query = request.query.clone();
    let options = request.eval_options();
    let body = blocking(move || {
        let plan = StreamPlan::new(&query, &options)?;
        let mut out = Vec::new();
        plan.apply_bytes(&bytes, &mut out)
            .map_err(|error| match error {
                // The upstream's bytes are not what was expected: a gateway problem.
                crate::EvalError::Json { .. } | crate::EvalError::Input(_) => {
                    ODataError::Upstream(Box::new(error))
                }
                other => ODataError::Eval(other),
            })?;
        Ok(out)
    })
    .await?;
    let mut response = ODataResponse::new(ResponseBody::CollectionBytes(body))
        .for_request(request)
        .with_next_link_query(&request.resource_url, &prepared.sent);
    if let Some(set) = &prepared.set {
        response = response.with_context(context_url(
            &request.service_root,
            set,
            &request.query,
            Payload::Collection,
            request.negotiated.version,
        ));
    }
    Ok(response.into_response())
}
