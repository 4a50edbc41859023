//! The request side: [`ODataQuery`], an axum extractor that parses the query string and
//! reads the OData headers (`OData-MaxVersion`, `Accept`, `Prefer`), and nothing else.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::ast::Query;
use crate::eval::EvalOptions;

use super::url;
use super::{CheckTarget, ODataConfig, ODataError};

/// The protocol version of a response (`OData-Version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ODataVersion {
    /// `4.0`: answered when the client sends `OData-MaxVersion: 4.0` (or lower).
    V4_0,
    /// `4.01`: the default.
    V4_01,
}

impl ODataVersion {
    /// `4.0` or `4.01`.
    pub fn as_str(self) -> &'static str {
        match self {
            ODataVersion::V4_0 => "4.0",
            ODataVersion::V4_01 => "4.01",
        }
    }

    /// The version to answer a request with: the highest this crate speaks that is not
    /// above the request's `OData-MaxVersion`.
    pub fn negotiate(headers: &HeaderMap) -> ODataVersion {
        let max = headers
            .get("OData-MaxVersion")
            .and_then(|value| value.to_str().ok())
            .and_then(parse_version);
        match max {
            // Below 4.01 (4.0, or an OData 3 client, which gets the lowest this speaks).
            Some((major, minor)) if (major, minor) < (4, 1) => ODataVersion::V4_0,
            _ => ODataVersion::V4_01,
        }
    }
}

/// `4.01` → (4, 1); `4.0` → (4, 0).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
    let minor = minor.trim_start_matches('0');
    Some((
        major.parse().ok()?,
        if minor.is_empty() {
            0
        } else {
            minor.parse().ok()?
        },
    ))
}

/// How much control information a response carries (`odata.metadata=...`, JSON §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MetadataLevel {
    /// `none`: only `@odata.count` and `@odata.nextLink`.
    None,
    /// `minimal` (the default): also `@odata.context`.
    #[default]
    Minimal,
    /// `full`: also `@odata.id`, `@odata.type` and navigation links on every entity.
    Full,
}

impl MetadataLevel {
    /// `none`, `minimal` or `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataLevel::None => "none",
            MetadataLevel::Minimal => "minimal",
            MetadataLevel::Full => "full",
        }
    }
}

/// What the client asked for beyond the query: the version, the format and the page size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The response's `OData-Version`.
    pub version: ODataVersion,
    /// The amount of control information, from `$format` or `Accept`.
    pub metadata: MetadataLevel,
    /// Whether the client asked for JSON explicitly (`$format=json`, `Accept:
    /// application/json`), which makes `$metadata` answer CSDL JSON.
    pub wants_json: bool,
    /// `Prefer: odata.maxpagesize=N` (or `maxpagesize=N`), and the spelling used, to
    /// echo in `Preference-Applied`.
    pub max_page_size: Option<(usize, &'static str)>,
}

impl Negotiated {
    /// Reads the headers, and `$format` (which overrides `Accept`).
    pub fn read(headers: &HeaderMap, format: Option<&str>) -> Result<Negotiated, ODataError> {
        let version = ODataVersion::negotiate(headers);
        let (metadata, wants_json) = match format {
            Some(format) => format_level(format)?,
            None => accept_level(headers)?,
        };
        Ok(Negotiated {
            version,
            metadata,
            wants_json,
            max_page_size: max_page_size(headers),
        })
    }
}

/// The metadata level of a `$format` value: `json`, or `application/json;...`.
fn format_level(format: &str) -> Result<(MetadataLevel, bool), ODataError> {
    let mut parts = format.split(';');
    let media = parts.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("json") && !media.eq_ignore_ascii_case("application/json") {
        return Err(ODataError::NotAcceptable(format!(
            "$format={format}: only JSON is served"
        )));
    }
    Ok((metadata_parameter(parts)?, true))
}

/// The metadata level of the `Accept` header, and whether it names JSON explicitly.
fn accept_level(headers: &HeaderMap) -> Result<(MetadataLevel, bool), ODataError> {
    let mut ranges = Vec::new();
    for value in headers.get_all(header::ACCEPT) {
        let Ok(text) = value.to_str() else { continue };
        ranges.extend(text.split(',').map(str::trim).filter(|r| !r.is_empty()));
    }
    if ranges.is_empty() {
        return Ok((MetadataLevel::Minimal, false));
    }
    for range in ranges {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let params: Vec<&str> = parts.collect();
        // `q=0` means "not acceptable".
        let refused = params.iter().any(|p| {
            p.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>() == Ok(0.0)
            })
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "application/json" => {
                return Ok((metadata_parameter(params.into_iter())?, true));
            }
            "*/*" | "application/*" => return Ok((MetadataLevel::Minimal, false)),
            _ => {}
        }
    }
    Err(ODataError::NotAcceptable(
        "the Accept header allows no format this service produces (application/json)".into(),
    ))
}

/// `odata.metadata=...` or `metadata=...` among media type parameters.
fn metadata_parameter<'t>(
    params: impl Iterator<Item = &'t str>,
) -> Result<MetadataLevel, ODataError> {
    for param in params {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("odata.metadata") || name.eq_ignore_ascii_case("metadata") {
            return match value.trim().to_ascii_lowercase().as_str() {
                "none" => Ok(MetadataLevel::None),
                "minimal" => Ok(MetadataLevel::Minimal),
                "full" => Ok(MetadataLevel::Full),
                other => Err(ODataError::NotAcceptable(format!(
                    "odata.metadata={other}: use none, minimal or full"
                ))),
            };
        }
    }
    Ok(MetadataLevel::Minimal)
}

/// `Prefer: odata.maxpagesize=N` (4.0) or `maxpagesize=N` (4.01), with the spelling used.
fn max_page_size(headers: &HeaderMap) -> Option<(usize, &'static str)> {
    for value in headers.get_all("Prefer") {
        let Ok(text) = value.to_str() else { continue };
        for preference in text.split(',') {
            let token = preference.split(';').next().unwrap_or("");
            let Some((name, value)) = token.split_once('=') else {
                continue;
            };
            let name = name.trim();
            let spelling = if name.eq_ignore_ascii_case("odata.maxpagesize") {
                "odata.maxpagesize"
            } else if name.eq_ignore_ascii_case("maxpagesize") {
                "maxpagesize"
            } else {
                continue;
            };
            if let Ok(size) = value.trim().trim_matches('"').parse::<usize>() {
                if size > 0 {
                    return Some((size, spelling));
                }
            }
        }
    }
    None
}

/// An OData request: the parsed query, the negotiated version, format and page size, and
/// where the request was addressed (for context URLs and next links).
///
/// As an axum extractor it takes the [`ODataConfig`] from the state (`ODataConfig:
/// FromRef<S>`), parses the query string with its options and reads the headers; it does
/// not evaluate anything. Its rejection is an [`ODataError`] (400, or 406 for `Accept`).
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use odata_query::http::{ODataConfig, ODataError, ODataQuery, ODataResponse};
/// use serde_json::json;
///
/// async fn sessions(query: ODataQuery) -> Result<ODataResponse, ODataError> {
///     let data = json!([{"id": "a", "size": 5}, {"id": "b", "size": 5000}]);
///     query.evaluate("sessions", data.into()).await
/// }
///
/// let app: Router = Router::new()
///     .route("/sessions", get(sessions))
///     .with_state(ODataConfig::new().with_max_page_size(50));
/// ```
#[derive(Debug, Clone)]
pub struct ODataQuery {
    /// The parsed query options.
    pub query: Query,
    /// The query string as received (percent-encoded).
    pub raw_query: String,
    /// The version, metadata level and page size the client asked for.
    pub negotiated: Negotiated,
    /// The service root the request was addressed to, ending in `/`.
    pub service_root: String,
    /// The absolute URL of the requested resource, without the query string (the base of
    /// next links).
    pub resource_url: String,
    /// The configuration it was parsed with.
    pub config: ODataConfig,
}

impl ODataQuery {
    /// Parses the query of a request addressed to `path_in_service` (the path after the
    /// service root, `/` for a handler of its own) with `config`.
    pub fn from_parts(
        parts: &Parts,
        config: &ODataConfig,
        path_in_service: &str,
    ) -> Result<ODataQuery, ODataError> {
        let raw = parts.uri.query().unwrap_or("");
        let query = Query::parse_with(raw, &config.parse)?;
        let negotiated = Negotiated::read(&parts.headers, query.format.as_deref())?;
        let service_root =
            url::service_root(config.service_root.as_deref(), parts, path_in_service);
        let resource_url = match &config.service_root {
            Some(_) => format!("{service_root}{}", path_in_service.trim_start_matches('/')),
            None => {
                let origin_end = service_root.find("://").map_or(0, |i| i + 3);
                let host_end = service_root[origin_end..]
                    .find('/')
                    .map_or(service_root.len(), |i| origin_end + i);
                format!("{}{}", &service_root[..host_end], url::original_path(parts))
            }
        };
        Ok(ODataQuery {
            query,
            raw_query: raw.to_owned(),
            negotiated,
            service_root,
            resource_url,
            config: config.clone(),
        })
    }

    /// The evaluation options for this request: the configured ones, the client's
    /// `maxpagesize` when it asks for smaller pages than the server's, and next links
    /// starting at the resource URL.
    pub fn eval_options(&self) -> EvalOptions {
        let mut options = self.config.eval.clone();
        options.max_page_size = self.page_size();
        options.next_link_base = self.resource_url.clone();
        options
    }

    /// The page size in effect: the smaller of the server's and the client's.
    pub fn page_size(&self) -> Option<usize> {
        let preferred = self.negotiated.max_page_size.map(|(size, _)| size);
        match (self.config.eval.max_page_size, preferred) {
            (Some(server), Some(client)) => Some(server.min(client)),
            (server, client) => server.or(client),
        }
    }

    /// `Preference-Applied`, when the client's `maxpagesize` is the page size in effect.
    pub fn preference_applied(&self) -> Option<String> {
        let (size, spelling) = self.negotiated.max_page_size?;
        (self.page_size() == Some(size)).then(|| format!("{spelling}={size}"))
    }

    /// Runs the configured check (see [`ODataConfig::with_check`]) for `target`, with
    /// errors located in this request's query string.
    pub fn check(&self, target: &CheckTarget) -> Result<(), ODataError> {
        let target = target.clone().with_raw_query(self.raw_query.clone());
        self.config.run_check(&self.query, &target)
    }
}

impl<S> FromRequestParts<S> for ODataQuery
where
    ODataConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ODataError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let config = ODataConfig::from_ref(state);
        ODataQuery::from_parts(parts, &config, parts.uri.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn version_follows_max_version() {
        assert_eq!(ODataVersion::negotiate(&headers(&[])), ODataVersion::V4_01);
        let old = headers(&[("OData-MaxVersion", "4.0")]);
        assert_eq!(ODataVersion::negotiate(&old), ODataVersion::V4_0);
        let new = headers(&[("OData-MaxVersion", "4.01")]);
        assert_eq!(ODataVersion::negotiate(&new), ODataVersion::V4_01);
    }

    #[test]
    fn metadata_level_from_format_and_accept() {
        let read = |pairs: &[(&'static str, &'static str)], format: Option<&str>| {
            Negotiated::read(&headers(pairs), format).map(|n| (n.metadata, n.wants_json))
        };
        assert_eq!(read(&[], None).unwrap(), (MetadataLevel::Minimal, false));
        let none = [("Accept", "application/json;odata.metadata=none")];
        assert_eq!(read(&none, None).unwrap(), (MetadataLevel::None, true));
        let full = "application/json;metadata=full";
        assert_eq!(
            read(&none, Some(full)).unwrap(),
            (MetadataLevel::Full, true)
        );
        assert!(matches!(
            read(&[("Accept", "application/xml")], None),
            Err(ODataError::NotAcceptable(_))
        ));
        assert!(read(&[("Accept", "text/html, */*;q=0.8")], None).is_ok());
        assert!(read(&[], Some("atom")).is_err());
    }

    #[test]
    fn prefer_max_page_size_in_both_spellings() {
        let prefer = headers(&[("Prefer", "odata.track-changes, odata.maxpagesize=3")]);
        assert_eq!(max_page_size(&prefer), Some((3, "odata.maxpagesize")));
        let prefer = headers(&[("Prefer", "maxpagesize=7")]);
        assert_eq!(max_page_size(&prefer), Some((7, "maxpagesize")));
        assert_eq!(
            max_page_size(&headers(&[("Prefer", "maxpagesize=0")])),
            None
        );
    }
}
