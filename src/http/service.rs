//! [`ODataService`]: a router that serves entity sets from [`EntitySource`]s, with
//! `$count`, keys, navigation, `$metadata` and the service document.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use crate::ast::Query;
use crate::eval::EvalOptions;
use crate::model::{Edm, Model};

use super::context::{context_url, Payload};
use super::resource::{self, Resource};
use super::{
    CheckTarget, EntityLinks, EntitySource, InMemory, ODataConfig, ODataError, ODataQuery,
    ODataResponse, ODataVersion, ResponseBody,
};

/// A read-only OData service: entity sets, each answered by an [`EntitySource`], under one
/// [`ODataConfig`].
///
/// Routes (relative to where the router is mounted): `GET /` (service document), `GET
/// /$metadata` (CSDL XML, or CSDL JSON with `$format=json` or `Accept: application/json`),
/// `GET /{set}`, `/{set}/$count`, `/{set}({key})` and `/{set}('{key}')` (typed by the
/// model), `/{set}({key})/{navigation}` with the query applied to the navigation, and
/// `/{set}({key})/{navigation}/$count`. `HEAD` is answered like `GET`; other methods get
/// 405. Evaluation runs on a blocking thread, bounded by the configured budgets.
///
/// ```no_run
/// use odata_query::http::{InMemory, ODataConfig, ODataService};
/// use odata_query::model::Model;
/// use serde_json::json;
///
/// # async fn serve() -> std::io::Result<()> {
/// let records = json!([{"id": "a", "size": 5}, {"id": "b", "size": 5000}]);
/// let model = Model::infer(&records, "sessions").expect("a model");
/// let app = ODataService::new(ODataConfig::new().with_model(model).with_max_page_size(100))
///     .entity_set("sessions", InMemory::new(records))
///     .router();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ODataService {
    config: ODataConfig,
    sets: BTreeMap<String, Arc<dyn EntitySource>>,
}

impl ODataService {
    /// A service with no entity sets yet.
    pub fn new(config: ODataConfig) -> ODataService {
        ODataService {
            config,
            sets: BTreeMap::new(),
        }
    }

    /// Serves the entity set `name` from `source`. A set the model does not declare is
    /// still served, with untyped keys, and is missing from `$metadata`.
    pub fn entity_set(mut self, name: impl Into<String>, source: impl EntitySource) -> Self {
        self.sets.insert(name.into(), Arc::new(source));
        self
    }

    /// The entity sets served.
    pub fn entity_sets(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }

    /// The axum router (mount it anywhere: `Router::nest("/odata", service.router())`).
    pub fn router(self) -> Router {
        Router::new().fallback(serve).with_state(Arc::new(self))
    }
}

async fn serve(State(service): State<Arc<ODataService>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let version = ODataVersion::negotiate(&parts.headers);
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return ODataError::MethodNotAllowed.into_response_for(version);
    }
    match answer(&service, &parts).await {
        Ok(response) => response,
        Err(error) => error.into_response_for(version),
    }
}

async fn answer(service: &Arc<ODataService>, parts: &Parts) -> Result<Response, ODataError> {
    let config = &service.config;
    let path = parts.uri.path();
    let resource = resource::parse_resource(path, &config.parse)?;
    // `$metadata` is answered before the query is read, so that `Accept:
    // application/xml` is not refused as it is for data.
    if resource == Resource::Metadata {
        return metadata(config, parts);
    }
    let request = ODataQuery::from_parts(parts, config, path)?;
    let version = request.negotiated.version;
    let root = request.service_root.clone();
    let response = match resource {
        Resource::Metadata => return metadata(config, parts),
        Resource::ServiceDocument => {
            let sets: Vec<Value> = service
                .sets
                .keys()
                .map(|name| json!({ "name": name, "kind": "EntitySet", "url": name }))
                .collect();
            ODataResponse::new(ResponseBody::Collection(json!({ "value": sets })))
                .for_request(&request)
                .with_context(format!("{root}$metadata"))
        }
        Resource::Collection { set, count } => {
            let source = service.source(&set)?;
            request.check(&CheckTarget::entity_set(&set))?;
            if count {
                let query = resource::count_query(&request.query);
                let body = run(source, query, request.eval_options()).await?;
                return Ok(count_response(body, version));
            }
            let body = run(source, request.query.clone(), request.eval_options()).await?;
            let context = context_url(&root, &set, &request.query, Payload::Collection, version);
            let mut response = ODataResponse::new(body)
                .for_request(&request)
                .with_context(context);
            if let Some(links) = service.links(&request, &set) {
                response = response.with_entity_links(links);
            }
            response
        }
        Resource::Entity { set, key } => {
            let source = service.source(&set)?;
            request.check(&CheckTarget::entity_set(&set))?;
            let properties = resource::key_properties(config.model.as_deref(), &set);
            let filter = resource::key_filter(&key, properties.as_deref())?;
            let query = resource::entity_query(&request.query, filter);
            let body = run(source, query, single_options(&request)).await?;
            let entity = first_entity(body)?.ok_or_else(|| entity_not_found(&set, &key))?;
            let context = context_url(&root, &set, &request.query, Payload::Entity, version);
            let mut response = ODataResponse::new(ResponseBody::Entity(entity))
                .for_request(&request)
                .with_context(context);
            if let Some(links) = service.links(&request, &set) {
                response = response.with_entity_links(links);
            }
            response
        }
        Resource::RawValue { set, key, property } => {
            let source = service.source(&set)?;
            let declared = config.model.as_deref().map(|model| {
                model
                    .entity_set_type(&set)
                    .and_then(|entity_type| model.property(entity_type, &property))
                    .is_some()
            });
            if declared == Some(false) {
                return Err(ODataError::NotFound(format!(
                    "{set} has no property {property}"
                )));
            }
            return service
                .property(&request, source, &set, &key, &property, true)
                .await;
        }
        Resource::Navigation {
            set,
            key,
            navigation,
            count,
        } => {
            let source = service.source(&set)?;
            return service
                .navigation(&request, source, &set, &key, &navigation, count)
                .await;
        }
    };
    Ok(response.into_response())
}

impl ODataService {
    fn source(&self, set: &str) -> Result<Arc<dyn EntitySource>, ODataError> {
        self.sets
            .get(set)
            .cloned()
            .ok_or_else(|| ODataError::NotFound(format!("no entity set named {set}")))
    }

    /// What `odata.metadata=full` needs for the entities of `set`, from the model.
    fn links(&self, request: &ODataQuery, set: &str) -> Option<EntityLinks> {
        let model = self.config.model.as_deref()?;
        let entity_type = model.entity_set_type(set)?;
        entity_links(model, entity_type, format!("{}{set}", request.service_root))
    }

    async fn navigation(
        &self,
        request: &ODataQuery,
        source: Arc<dyn EntitySource>,
        set: &str,
        key: &[crate::ast::KeyValue],
        navigation: &str,
        count: bool,
    ) -> Result<Response, ODataError> {
        let model = self.config.model.as_deref();
        let properties = resource::key_properties(model, set);
        let declared = model.and_then(|model| {
            let entity_type = model.entity_set_type(set)?;
            Some(model.navigation_property(entity_type, navigation).is_some())
        });
        if declared == Some(false) && !count {
            let structural = model.and_then(|model| {
                let entity_type = model.entity_set_type(set)?;
                model.property(entity_type, navigation)
            });
            if structural.is_some() {
                return self
                    .property(request, source, set, key, navigation, false)
                    .await;
            }
        }
        if declared == Some(false) {
            return Err(ODataError::NotFound(format!(
                "{set} has no property or navigation property {navigation}"
            )));
        }
        request.check(&CheckTarget::navigation(set, navigation))?;
        let filter = resource::key_filter(key, properties.as_deref())?;
        let key_names: Vec<String> = match &properties {
            Some(properties) => properties.iter().map(|(name, _)| name.clone()).collect(),
            None => vec!["id".to_owned()],
        };
        let query = resource::navigation_query(filter, navigation, &key_names);
        let body = run(source, query, single_options(request)).await?;
        let mut entity = first_entity(body)?.ok_or_else(|| entity_not_found(set, key))?;
        let related = entity
            .get_mut(navigation)
            .map(Value::take)
            .unwrap_or(Value::Null);
        let version = request.negotiated.version;
        let path = format!(
            "{set}({})/{navigation}",
            resource::typed_key_text(key, properties.as_deref())
        );
        let root = &request.service_root;
        let response = match related {
            Value::Object(_) if !count => {
                let plan = request.query.compile(&single_options(request))?;
                let projected = blocking(move || Ok(plan.apply(&related)?)).await?;
                let context = context_url(
                    root,
                    &path,
                    &request.query,
                    Payload::SingleNavigation,
                    version,
                );
                ODataResponse::new(ResponseBody::Entity(projected))
                    .for_request(request)
                    .with_context(context)
            }
            Value::Object(_) => {
                return Err(ODataError::NotFound(format!(
                    "{navigation} is single-valued: it has no $count"
                )))
            }
            Value::Null if declared.is_none() && entity.get(navigation).is_none() => {
                return Err(ODataError::NotFound(format!(
                    "{set}({}) has no {navigation}",
                    resource::key_text(key)
                )))
            }
            // A null or missing collection is empty (SEMANTICS §2.11).
            other => {
                let items = match other {
                    Value::Array(items) => Value::Array(items),
                    _ => Value::Array(Vec::new()),
                };
                let inner = InMemory::new(items);
                let query = if count {
                    resource::count_query(&request.query)
                } else {
                    request.query.clone()
                };
                let body = run(Arc::new(inner), query, request.eval_options()).await?;
                if count {
                    return Ok(count_response(body, version));
                }
                let context =
                    context_url(root, &path, &request.query, Payload::Collection, version);
                let mut response = ODataResponse::new(body)
                    .for_request(request)
                    .with_context(context);
                let target = model.and_then(|model| {
                    let entity_type = model.entity_set_type(set)?;
                    let property = model.navigation_property(entity_type, navigation)?;
                    model.navigation_target(property)
                });
                if let (Some(model), Some(target)) = (model, target) {
                    if let Some(links) = entity_links(model, target, format!("{root}{path}")) {
                        response = response.with_entity_links(links);
                    }
                }
                response
            }
        };
        Ok(response.into_response())
    }
}

impl ODataService {
    /// `/set(key)/property` (URL §4.6): the property's value, as `{"value": ...}` for a
    /// primitive or a collection, as the object itself for a complex value; 204 No Content
    /// when it is null (Protocol §11.2.6). With `raw` (`/$value`, URL §4.7), a primitive
    /// as `text/plain`: a string's text, a number's or Boolean's JSON text; a structured
    /// value has no raw form (400). Query options on a property path are not answered
    /// (501) rather than ignored.
    async fn property(
        &self,
        request: &ODataQuery,
        source: Arc<dyn EntitySource>,
        set: &str,
        key: &[crate::ast::KeyValue],
        property: &str,
        raw: bool,
    ) -> Result<Response, ODataError> {
        let only_format = Query {
            format: request.query.format.clone(),
            ..Query::default()
        };
        if request.query != only_format {
            return Err(ODataError::Eval(crate::error::EvalError::NotSupported(
                format!("query options on the property path {set}(...)/{property}"),
            )));
        }
        request.check(&CheckTarget::entity_set(set))?;
        let properties = resource::key_properties(self.config.model.as_deref(), set);
        let filter = resource::key_filter(key, properties.as_deref())?;
        let query = resource::property_query(filter, property);
        let body = run(source, query, single_options(request)).await?;
        let mut entity = first_entity(body)?.ok_or_else(|| entity_not_found(set, key))?;
        let value = entity
            .get_mut(property)
            .map(Value::take)
            .unwrap_or(Value::Null);
        if raw {
            let text = match value {
                Value::Null => return Ok(axum::http::StatusCode::NO_CONTENT.into_response()),
                Value::String(text) => text,
                Value::Bool(_) | Value::Number(_) => value.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(ODataError::Eval(crate::error::EvalError::Invalid(format!(
                        "{property} is not a primitive value: it has no $value"
                    ))))
                }
            };
            let body = ResponseBody::Other {
                content_type: "text/plain;charset=utf-8",
                bytes: text.into_bytes(),
            };
            return Ok(ODataResponse::new(body)
                .for_request(request)
                .into_response());
        }
        let body = match value {
            Value::Null => return Ok(axum::http::StatusCode::NO_CONTENT.into_response()),
            Value::Object(object) => Value::Object(object),
            other => json!({ "value": other }),
        };
        let path = format!(
            "{set}({})/{property}",
            resource::typed_key_text(key, properties.as_deref())
        );
        let version = request.negotiated.version;
        let context = context_url(
            &request.service_root,
            &path,
            &Query::default(),
            Payload::SingleNavigation,
            version,
        );
        Ok(ODataResponse::new(ResponseBody::Entity(body))
            .for_request(request)
            .with_context(context)
            .into_response())
    }
}

/// The [`EntityLinks`] of an entity type whose entities live at `collection_url`.
fn entity_links(
    model: &Model,
    entity_type: &crate::model::StructuredType,
    collection_url: String,
) -> Option<EntityLinks> {
    let key = model
        .key(entity_type)
        .iter()
        .map(|property| {
            let quoted = matches!(property.type_ref.primitive(), Some(Edm::String) | None);
            (property.name.clone(), quoted)
        })
        .collect();
    Some(EntityLinks {
        collection_url,
        key,
        type_name: model.qualified_name_of(entity_type)?,
        navigations: model
            .navigation_properties(entity_type)
            .iter()
            .map(|navigation| navigation.name.clone())
            .collect(),
    })
}

/// Options for looking up one entity: no server-driven paging.
fn single_options(request: &ODataQuery) -> EvalOptions {
    let mut options = request.config.eval.clone();
    options.max_page_size = None;
    options
}

fn entity_not_found(set: &str, key: &[crate::ast::KeyValue]) -> ODataError {
    ODataError::NotFound(format!(
        "no entity {set}({}) exists",
        resource::key_text(key)
    ))
}

/// The first item of a collection response.
fn first_entity(body: ResponseBody) -> Result<Option<Value>, ODataError> {
    let mut value = match body {
        ResponseBody::Collection(value) | ResponseBody::Entity(value) => value,
        ResponseBody::CollectionBytes(bytes) => {
            serde_json::from_slice(&bytes).map_err(ODataError::source)?
        }
        ResponseBody::Other { .. } => return Ok(None),
    };
    Ok(match value.get_mut("value").map(Value::take) {
        Some(Value::Array(items)) => items.into_iter().next(),
        _ => None,
    })
}

/// `/$count`: the number alone, as `text/plain`.
fn count_response(body: ResponseBody, version: ODataVersion) -> Response {
    let count = match body {
        ResponseBody::Collection(value) => value.get("@odata.count").cloned(),
        ResponseBody::CollectionBytes(bytes) => serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|value| value.get("@odata.count").cloned()),
        _ => None,
    };
    let text = count.map_or_else(|| "0".to_owned(), |count| count.to_string());
    ODataResponse::new(ResponseBody::Other {
        content_type: "text/plain",
        bytes: text.into_bytes(),
    })
    .with_version(version)
    .into_response()
}

/// Runs a source's query on a blocking thread.
async fn run(
    source: Arc<dyn EntitySource>,
    query: Query,
    options: EvalOptions,
) -> Result<ResponseBody, ODataError> {
    blocking(move || source.query(&query, &options)).await
}

/// Runs `work` on tokio's blocking pool, so that a slow evaluation never stalls the
/// runtime's worker threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ODataError> + Send + 'static,
) -> Result<T, ODataError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|error| Err(ODataError::source(error)))
}

/// `GET /$metadata`: CSDL XML, or CSDL JSON when `$format` or `Accept` asks for JSON.
fn metadata(config: &ODataConfig, parts: &Parts) -> Result<Response, ODataError> {
    let model = config
        .model
        .as_deref()
        .ok_or_else(|| ODataError::NotFound("this service has no $metadata".into()))?;
    let query = Query::parse_with(parts.uri.query().unwrap_or(""), &config.parse)?;
    let json = match query.format.as_deref() {
        Some(format) => {
            format.eq_ignore_ascii_case("json")
                || format.to_ascii_lowercase().starts_with("application/json")
        }
        None => accepts_json_first(&parts.headers),
    };
    let (content_type, text) = if json {
        ("application/json", model.to_csdl_json())
    } else {
        ("application/xml", model.to_csdl_xml())
    };
    Ok(ODataResponse::new(ResponseBody::Other {
        content_type,
        bytes: text.into_bytes(),
    })
    .with_version(ODataVersion::negotiate(&parts.headers))
    .into_response())
}

/// Whether the first media range of `Accept` that names XML or JSON names JSON.
fn accepts_json_first(headers: &HeaderMap) -> bool {
    for value in headers.get_all(header::ACCEPT) {
        let Ok(text) = value.to_str() else { continue };
        for range in text.split(',') {
            let media = range.split(';').next().unwrap_or("").trim();
            if media.eq_ignore_ascii_case("application/json") {
                return true;
            }
            if media.eq_ignore_ascii_case("application/xml") {
                return false;
            }
        }
    }
    false
}

impl ODataQuery {
    /// Answers this request over `records` (a JSON array or an OData response) for a
    /// handler of its own: runs the check for `entity_set`, evaluates on a blocking thread
    /// within the budgets, and writes the response with its context URL.
    pub async fn evaluate(
        &self,
        entity_set: &str,
        records: Arc<Value>,
    ) -> Result<ODataResponse, ODataError> {
        self.check(&CheckTarget::entity_set(entity_set))?;
        let source = Arc::new(InMemory::new(records));
        let body = run(source, self.query.clone(), self.eval_options()).await?;
        Ok(self.respond(entity_set, body))
    }

    /// Writes `body` (the evaluator's collection response for this request) as the
    /// response for `entity_set`: context URL, version, metadata level, preferences.
    pub fn respond(&self, entity_set: &str, body: ResponseBody) -> ODataResponse {
        let context = context_url(
            &self.service_root,
            entity_set,
            &self.query,
            Payload::Collection,
            self.negotiated.version,
        );
        ODataResponse::new(body)
            .for_request(self)
            .with_context(context)
    }
}
