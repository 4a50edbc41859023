//! The response side: [`ODataResponse`] writes the body the evaluator built with the
//! control information and headers of the negotiated version and metadata level.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::ast::Query;

use super::{url, MetadataLevel, ODataQuery, ODataVersion};

/// The body of a response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ResponseBody {
    /// An OData collection response `{"@odata.count"?, "value": [...], "@odata.nextLink"?}`
    /// (any `@odata.context` in it is replaced).
    Collection(Value),
    /// The compact bytes of such a response, as [`StreamPlan`](crate::StreamPlan) writes
    /// them; spliced, not parsed, when the metadata level is minimal.
    CollectionBytes(Vec<u8>),
    /// One entity.
    Entity(Value),
    /// Any other body, sent as it is: `text/plain` counts, `$metadata` documents.
    Other {
        /// The `Content-Type`.
        content_type: &'static str,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// What `odata.metadata=full` adds to each entity of a response: its id, its type and the
/// links of its navigation properties.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntityLinks {
    /// The absolute URL of the collection the entities belong to
    /// (`http://host/service/uploadSessions`).
    pub collection_url: String,
    /// The key properties, and whether each is written with quotes (strings) or bare
    /// (numbers, GUIDs, dates).
    pub key: Vec<(String, bool)>,
    /// The qualified entity type name (`Default.uploadSession`).
    pub type_name: String,
    /// The navigation properties of the type.
    pub navigations: Vec<String>,
}

impl EntityLinks {
    /// The canonical URL of `entity`: the collection URL and its key predicate, or `None`
    /// when a key property is missing.
    pub fn entity_url(&self, entity: &Value) -> Option<String> {
        let mut values = Vec::with_capacity(self.key.len());
        for (name, quoted) in &self.key {
            let text = match entity.get(name)? {
                Value::String(text) if *quoted => format!("'{}'", text.replace('\'', "''")),
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                _ => return None,
            };
            values.push((name, text));
        }
        let predicate = match values.as_slice() {
            [(_, single)] => single.clone(),
            _ => values
                .iter()
                .map(|(name, text)| format!("{name}={text}"))
                .collect::<Vec<_>>()
                .join(","),
        };
        Some(format!(
            "{}({})",
            self.collection_url,
            url::encode_path_segment(&predicate)
        ))
    }

    fn annotate(&self, entity: &mut Value) {
        let id = self.entity_url(entity);
        let Value::Object(map) = entity else { return };
        map.insert(
            "@odata.type".into(),
            Value::from(format!("#{}", self.type_name)),
        );
        if let Some(id) = id {
            for navigation in &self.navigations {
                map.insert(
                    format!("{navigation}@odata.navigationLink"),
                    Value::from(format!("{id}/{navigation}")),
                );
            }
            map.insert("@odata.id".into(), Value::from(id));
        }
    }
}

/// An OData response: a body, its context URL, and the `OData-Version`, `Content-Type`
/// and `Preference-Applied` headers. It only writes; the body comes from the evaluator
/// (or a data source).
///
/// - The context URL is the first member (left out with `odata.metadata=none`).
/// - `@odata.nextLink` comes after `value`, as the evaluator wrote it: the next link base
///   (the request's URL) and the URL form of the canonical query, a valid URL.
/// - `odata.metadata=none` drops the control information other than counts and next
///   links; `full` adds `@odata.id`, `@odata.type` and navigation links to each entity
///   when [`EntityLinks`] are given.
#[derive(Debug, Clone)]
pub struct ODataResponse {
    status: StatusCode,
    body: ResponseBody,
    context: Option<String>,
    version: ODataVersion,
    metadata: MetadataLevel,
    preference_applied: Option<String>,
    links: Option<EntityLinks>,
    /// The base and query next links carry instead of the evaluated query's (see
    /// [`ODataResponse::with_next_link_query`]).
    next_link_query: Option<(String, String)>,
}

impl ODataResponse {
    /// A 200 response with `body`, OData 4.01, minimal metadata, no context.
    pub fn new(body: ResponseBody) -> ODataResponse {
        ODataResponse {
            status: StatusCode::OK,
            body,
            context: None,
            version: ODataVersion::V4_01,
            metadata: MetadataLevel::Minimal,
            preference_applied: None,
            links: None,
            next_link_query: None,
        }
    }

    /// Takes the version, metadata level and `Preference-Applied` from the request.
    pub fn for_request(mut self, request: &ODataQuery) -> ODataResponse {
        self.version = request.negotiated.version;
        self.metadata = request.negotiated.metadata;
        self.preference_applied = request.preference_applied();
        self
    }

    /// Sets the context URL (see [`context_url`](super::context_url)).
    pub fn with_context(mut self, context: impl Into<String>) -> ODataResponse {
        self.context = Some(context.into());
        self
    }

    /// Sets the `OData-Version`.
    pub fn with_version(mut self, version: ODataVersion) -> ODataResponse {
        self.version = version;
        self
    }

    /// Sets the metadata level.
    pub fn with_metadata(mut self, metadata: MetadataLevel) -> ODataResponse {
        self.metadata = metadata;
        self
    }

    /// Adds what `odata.metadata=full` writes on each entity.
    pub fn with_entity_links(mut self, links: EntityLinks) -> ODataResponse {
        self.links = Some(links);
        self
    }

    /// Makes next links `base?query&$skiptoken=...` with the token the evaluator wrote:
    /// for a proxy that evaluated a rewritten query, whose next links must carry what the
    /// client sent (the rewrite is applied again to the next request, and must not show).
    pub fn with_next_link_query(mut self, base: impl Into<String>, query: &Query) -> ODataResponse {
        let mut query = query.clone();
        query.skiptoken = None;
        self.next_link_query = Some((base.into(), query.to_url_string()));
        self
    }

    /// The `OData-Version` the response is written with.
    pub fn version(&self) -> ODataVersion {
        self.version
    }

    /// The body bytes and their content type.
    pub fn into_body(mut self) -> (Vec<u8>, String) {
        let json_type = format!("application/json;odata.metadata={}", self.metadata.as_str());
        let context = match self.metadata {
            MetadataLevel::None => None,
            _ => self.context.take(),
        };
        let context = context.as_deref();
        let body = std::mem::replace(&mut self.body, ResponseBody::Entity(Value::Null));
        let body = match body {
            ResponseBody::Other {
                content_type,
                bytes,
            } => return (bytes, content_type.to_owned()),
            ResponseBody::CollectionBytes(bytes) if self.metadata == MetadataLevel::Minimal => {
                splice_collection(&bytes, context, |link| self.next_link(link))
            }
            ResponseBody::CollectionBytes(bytes) => match serde_json::from_slice(&bytes) {
                Ok(value) => self.write_collection(value, context),
                // Bytes from a data source that are not JSON are a bug of the source.
                Err(_) => bytes,
            },
            ResponseBody::Collection(value) => self.write_collection(value, context),
            ResponseBody::Entity(mut entity) => {
                self.prepare(&mut entity);
                write_object(entity, context, &[])
            }
        };
        (body, json_type)
    }

    /// Applies the metadata level to an entity: strips or adds control information.
    fn prepare(&self, entity: &mut Value) {
        match (self.metadata, &self.links) {
            (MetadataLevel::None, _) => strip_control_information(entity),
            (MetadataLevel::Full, Some(links)) => links.annotate(entity),
            _ => {}
        }
    }

    /// The next link to write for the one the evaluator wrote: the same, or with the
    /// query of [`ODataResponse::with_next_link_query`] when there is one.
    fn next_link(&self, link: &str) -> String {
        let Some((base, query)) = &self.next_link_query else {
            return link.to_owned();
        };
        let token = link
            .rsplit_once("$skiptoken=")
            .map_or("", |(_, token)| token);
        let separator = if query.is_empty() { "" } else { "&" };
        format!("{base}?{query}{separator}$skiptoken={token}")
    }

    fn write_collection(&self, mut value: Value, context: Option<&str>) -> Vec<u8> {
        if let Some(Value::Array(items)) = value.get_mut("value") {
            for item in items {
                self.prepare(item);
            }
        }
        if let Some(Value::String(link)) = value.get_mut("@odata.nextLink") {
            *link = self.next_link(link);
        }
        write_object(value, context, &["@odata.count"])
    }
}

/// Writes `{"@odata.context":..., first..., rest..., "value":..., "@odata.nextLink":...}`:
/// the context first (JSON §4.5.1), the next link after the collection it annotates.
fn write_object(value: Value, context: Option<&str>, first: &[&str]) -> Vec<u8> {
    let Value::Object(mut map) = value else {
        return serde_json::to_vec(&value).unwrap_or_default();
    };
    map.remove("@odata.context");
    let mut members: Vec<(String, Value)> = Vec::with_capacity(map.len() + 1);
    if let Some(context) = context {
        members.push(("@odata.context".into(), Value::from(context)));
    }
    for key in first {
        if let Some(member) = map.remove(*key) {
            members.push(((*key).to_owned(), member));
        }
    }
    let value_member = map.remove("value");
    let next_link = map.remove("@odata.nextLink");
    members.extend(map);
    members.extend(value_member.map(|v| ("value".to_owned(), v)));
    members.extend(next_link.map(|v| ("@odata.nextLink".to_owned(), v)));
    let mut out = Vec::new();
    out.push(b'{');
    for (index, (key, member)) in members.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        // Serializing a string and a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, member);
    }
    out.push(b'}');
    out
}

/// Removes control information other than counts and next links (`odata.metadata=none`,
/// JSON §3.1.3), at every level.
fn strip_control_information(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| match key.split_once("@odata.") {
                Some((_, term)) => term == "count" || term == "nextLink",
                None => true,
            });
            for member in map.values_mut() {
                strip_control_information(member);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_control_information),
        _ => {}
    }
}

/// Rewrites the compact response bytes of a streamed collection without parsing the
/// items: replaces a leading `"@odata.context"` member with `context`, and the final
/// `"@odata.nextLink"` with what `next_link` makes of it.
fn splice_collection(
    bytes: &[u8],
    context: Option<&str>,
    next_link: impl FnOnce(&str) -> String,
) -> Vec<u8> {
    let Some(rest) = bytes.strip_prefix(b"{") else {
        return bytes.to_vec();
    };
    let rest = strip_leading_context(rest);
    let mut out = Vec::with_capacity(bytes.len() + 128);
    out.push(b'{');
    if let Some(context) = context {
        out.extend_from_slice(b"\"@odata.context\":");
        let _ = serde_json::to_writer(&mut out, context);
        out.push(b',');
    }
    const NEXT: &[u8] = b"],\"@odata.nextLink\":";
    let at = memchr::memmem::rfind(rest, NEXT);
    let link = at.and_then(|at| {
        let tail = &rest[at + NEXT.len()..];
        let text = tail.strip_suffix(b"}")?;
        // The top-level next link is the last member: a JSON string, then the closing brace.
        serde_json::from_slice::<String>(text).ok()
    });
    match (at, link) {
        (Some(at), Some(link)) => {
            out.extend_from_slice(&rest[..at + NEXT.len()]);
            let _ = serde_json::to_writer(&mut out, &next_link(&link));
            out.push(b'}');
        }
        _ => out.extend_from_slice(rest),
    }
    out
}

/// Skips `"@odata.context":"...",` at the start of `rest` (the bytes after `{`).
fn strip_leading_context(rest: &[u8]) -> &[u8] {
    const KEY: &[u8] = b"\"@odata.context\":";
    let Some(after) = rest.strip_prefix(KEY) else {
        return rest;
    };
    let mut stream = serde_json::Deserializer::from_slice(after).into_iter::<Value>();
    match stream.next() {
        Some(Ok(_)) => {
            let end = stream.byte_offset();
            after[end..].strip_prefix(b",").unwrap_or(&after[end..])
        }
        _ => rest,
    }
}

impl IntoResponse for ODataResponse {
    fn into_response(self) -> Response {
        let status = self.status;
        let version = self.version;
        let preference = self.preference_applied.clone();
        let (body, content_type) = self.into_body();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        headers.insert("OData-Version", HeaderValue::from_static(version.as_str()));
        if let Some(value) = preference.and_then(|p| HeaderValue::from_str(&p).ok()) {
            headers.insert("Preference-Applied", value);
        }
        response
    }
}

/// An entity body from a map, for handlers that build their own.
impl From<Map<String, Value>> for ODataResponse {
    fn from(map: Map<String, Value>) -> ODataResponse {
        ODataResponse::new(ResponseBody::Entity(Value::Object(map)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(response: ODataResponse) -> String {
        String::from_utf8(response.into_body().0).unwrap()
    }

    #[test]
    fn context_comes_first_and_the_next_link_last() {
        let body = json!({
            "@odata.context": "theirs",
            "@odata.nextLink": "http://h/s?$filter=a%20eq%20'x%20y'&$skiptoken=1.ff",
            "value": [{"id": 1}],
            "@odata.count": 3,
        });
        let response =
            ODataResponse::new(ResponseBody::Collection(body)).with_context("http://h/$metadata#s");
        assert_eq!(
            text(response),
            r#"{"@odata.context":"http://h/$metadata#s","@odata.count":3,"value":[{"id":1}],"@odata.nextLink":"http://h/s?$filter=a%20eq%20'x%20y'&$skiptoken=1.ff"}"#
        );
    }

    #[test]
    fn streamed_bytes_are_spliced() {
        let bytes = br#"{"@odata.context":"theirs, \"quoted\"","@odata.count":2,"value":[{"a":"],\"@odata.nextLink\":"}],"@odata.nextLink":"?$top=5&$skiptoken=1.0"}"#;
        let response =
            ODataResponse::new(ResponseBody::CollectionBytes(bytes.to_vec())).with_context("ours");
        assert_eq!(
            text(response),
            r#"{"@odata.context":"ours","@odata.count":2,"value":[{"a":"],\"@odata.nextLink\":"}],"@odata.nextLink":"?$top=5&$skiptoken=1.0"}"#
        );
        // A proxy's next links carry the client's query in URL form, and the token.
        let query = Query::parse("$filter=a eq 'b c'&$skiptoken=9.0").unwrap();
        let relinked = ODataResponse::new(ResponseBody::CollectionBytes(bytes.to_vec()))
            .with_next_link_query("http://h/s", &query);
        assert!(text(relinked).ends_with(
            r#""@odata.nextLink":"http://h/s?$filter=a%20eq%20'b%20c'&$skiptoken=1.0"}"#
        ));
        let plain = ODataResponse::new(ResponseBody::CollectionBytes(br#"{"value":[]}"#.to_vec()));
        assert_eq!(text(plain), r#"{"value":[]}"#);
    }

    #[test]
    fn metadata_none_keeps_only_counts_and_next_links() {
        let body = json!({"value": [{"@odata.type": "#x", "files@odata.count": 1, "files": [], "a@Core.Note": "kept"}]});
        let response = ODataResponse::new(ResponseBody::Collection(body))
            .with_context("ctx")
            .with_metadata(MetadataLevel::None);
        assert_eq!(
            text(response),
            r#"{"value":[{"a@Core.Note":"kept","files":[],"files@odata.count":1}]}"#
        );
    }

    #[test]
    fn metadata_full_adds_ids_types_and_navigation_links() {
        let links = EntityLinks {
            collection_url: "http://h/s/sessions".into(),
            key: vec![("id".into(), true)],
            type_name: "Default.session".into(),
            navigations: vec!["files".into()],
        };
        let response = ODataResponse::new(ResponseBody::Entity(json!({"id": "a b'c"})))
            .with_metadata(MetadataLevel::Full)
            .with_entity_links(links)
            .with_context("ctx");
        let body: Value = serde_json::from_str(&text(response)).unwrap();
        assert_eq!(body["@odata.id"], "http://h/s/sessions('a%20b''c')");
        assert_eq!(body["@odata.type"], "#Default.session");
        assert_eq!(
            body["files@odata.navigationLink"],
            "http://h/s/sessions('a%20b''c')/files"
        );
    }
}
