//! [`ODataError`]: one error type for a whole request, answered as an OData JSON error body.

use std::fmt;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::check::CheckError;
use crate::error::{EvalError, ParseError};

use super::ODataVersion;

/// One entry of an error's `details` array (OData JSON §21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    /// A service-defined code.
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// What the detail is about (a query option, a property), if anything.
    pub target: Option<String>,
}

/// Everything that can go wrong while answering a request: parsing the query, checking it
/// against the model, evaluating it, finding the resource, or the data source itself.
///
/// It is an axum [`IntoResponse`]: the status (400, 404, 405, 406, 500 or 501) and the OData
/// JSON error body `{"error":{"code","message","target"?,"details"?}}`. A data-source
/// failure is answered with a generic 500 message; its cause (which may name tables or
/// files) stays in [`std::error::Error::source`] for the server's own logs.
#[derive(Debug)]
#[non_exhaustive]
pub enum ODataError {
    /// The query string does not parse (400).
    Parse(ParseError),
    /// The query parses but the model rejects it, e.g. an unknown property (400).
    Check {
        /// A service-defined code (`UnknownProperty`).
        code: String,
        /// What is wrong.
        message: String,
        /// The query option or property concerned.
        target: Option<String>,
        /// More specific errors, e.g. one per unknown property.
        details: Vec<ErrorDetail>,
    },
    /// Compiling or evaluating failed: a type error, a limit or budget (400), or a feature
    /// the evaluator does not implement (501).
    Eval(EvalError),
    /// No such entity set, entity or navigation property (404).
    NotFound(String),
    /// Only `GET` and `HEAD` are served (405).
    MethodNotAllowed,
    /// The client accepts no format the service can produce (406).
    NotAcceptable(String),
    /// The data source failed (500). The message sent is generic; the cause is kept for
    /// logs.
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// The upstream of a proxy answered with a body that could not be read or is not an
    /// OData JSON collection (502). The message sent is generic; the cause is kept.
    Upstream(Box<dyn std::error::Error + Send + Sync>),
}

impl ODataError {
    /// A [`ODataError::Check`] error with a code and a message.
    pub fn check(code: impl Into<String>, message: impl Into<String>) -> ODataError {
        ODataError::Check {
            code: code.into(),
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }

    /// A [`ODataError::Source`] error from any error of a data source.
    pub fn source(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ODataError {
        ODataError::Source(error.into())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ODataError::Parse(_) | ODataError::Check { .. } => StatusCode::BAD_REQUEST,
            ODataError::Eval(error) => {
                StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ODataError::NotFound(_) => StatusCode::NOT_FOUND,
            ODataError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ODataError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ODataError::Source(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ODataError::Upstream(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The OData JSON error body.
    pub fn to_odata_error(&self) -> Value {
        match self {
            ODataError::Parse(error) => error.to_odata_error(),
            ODataError::Eval(error) => error.to_odata_error(),
            ODataError::Check {
                code,
                message,
                target,
                details,
            } => {
                let mut body = json!({ "code": code, "message": message });
                if let Some(target) = target {
                    body["target"] = Value::from(target.as_str());
                }
                if !details.is_empty() {
                    body["details"] = details
                        .iter()
                        .map(|detail| {
                            let mut entry =
                                json!({ "code": detail.code, "message": detail.message });
                            if let Some(target) = &detail.target {
                                entry["target"] = Value::from(target.as_str());
                            }
                            entry
                        })
                        .collect();
                }
                json!({ "error": body })
            }
            ODataError::NotFound(message) => {
                json!({ "error": { "code": "NotFound", "message": message } })
            }
            ODataError::MethodNotAllowed => json!({ "error": {
                "code": "MethodNotAllowed",
                "message": "this service is read-only: only GET and HEAD are allowed",
            } }),
            ODataError::NotAcceptable(message) => {
                json!({ "error": { "code": "NotAcceptable", "message": message } })
            }
            ODataError::Source(_) => json!({ "error": {
                "code": "InternalServerError",
                "message": "the data source failed to answer the request",
            } }),
            ODataError::Upstream(_) => json!({ "error": {
                "code": "BadGateway",
                "message": "the upstream service's response could not be read as an OData JSON collection",
            } }),
        }
    }

    /// The response, with `OData-Version` set to `version`.
    pub fn into_response_for(self, version: ODataVersion) -> Response {
        let status = self.status();
        let body = self.to_odata_error().to_string();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("OData-Version", HeaderValue::from_static(version.as_str()));
        if status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        response
    }
}

impl fmt::Display for ODataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ODataError::Parse(error) => f.write_str(&error.message()),
            ODataError::Eval(error) => error.fmt(f),
            ODataError::Check { message, .. }
            | ODataError::NotFound(message)
            | ODataError::NotAcceptable(message) => f.write_str(message),
            ODataError::MethodNotAllowed => f.write_str("method not allowed"),
            ODataError::Source(error) => write!(f, "data source: {error}"),
            ODataError::Upstream(error) => write!(f, "upstream: {error}"),
        }
    }
}

impl std::error::Error for ODataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ODataError::Parse(error) => Some(error),
            ODataError::Eval(error) => Some(error),
            ODataError::Source(error) | ODataError::Upstream(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

impl From<ParseError> for ODataError {
    fn from(error: ParseError) -> ODataError {
        ODataError::Parse(error)
    }
}

/// A check error's code, message and option; its position and suggestion as details.
impl From<CheckError> for ODataError {
    fn from(error: CheckError) -> ODataError {
        let body = error.to_odata_error();
        let code = body["error"]["code"]
            .as_str()
            .unwrap_or("BadRequest")
            .to_owned();
        let mut details = Vec::new();
        if let Some(offset) = error.offset {
            details.push(ErrorDetail {
                code: "Position".into(),
                message: format!("at byte {offset}"),
                target: error.token.clone(),
            });
        }
        if let Some(suggestion) = &error.suggestion {
            details.push(ErrorDetail {
                code: "DidYouMean".into(),
                message: format!("did you mean '{suggestion}'?"),
                target: error.token.clone(),
            });
        }
        ODataError::Check {
            code,
            message: error.to_string(),
            target: error.option.clone(),
            details,
        }
    }
}

/// What SQL cannot express keeps its 501 and a bad query its 400; a mapping, input or
/// database failure is a 500 whose message (which may name tables) stays out of the body.
#[cfg(feature = "sql")]
impl From<crate::sql::SqlError> for ODataError {
    fn from(error: crate::sql::SqlError) -> ODataError {
        use crate::sql::SqlError;
        match error {
            SqlError::NotSupported(what) => ODataError::Eval(EvalError::NotSupported(what)),
            SqlError::Invalid(what) => ODataError::Eval(EvalError::Invalid(what)),
            other => ODataError::source(other),
        }
    }
}

impl From<EvalError> for ODataError {
    fn from(error: EvalError) -> ODataError {
        ODataError::Eval(error)
    }
}

/// Answered with `OData-Version: 4.0`, which every OData 4 client accepts; the service
/// answers with the negotiated version ([`ODataError::into_response_for`]).
impl IntoResponse for ODataError {
    fn into_response(self) -> Response {
        self.into_response_for(ODataVersion::V4_0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_errors_do_not_leak_their_cause() {
        let error = ODataError::source("no such table: secret_sessions");
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = error.to_odata_error().to_string();
        assert!(!body.contains("secret_sessions"), "{body}");
        assert!(std::error::Error::source(&error)
            .is_some_and(|cause| cause.to_string().contains("secret_sessions")));
    }

    #[test]
    fn check_errors_carry_target_and_details() {
        let error = ODataError::Check {
            code: "UnknownProperty".into(),
            message: "unknown property 'nme'".into(),
            target: Some("$filter".into()),
            details: vec![ErrorDetail {
                code: "DidYouMean".into(),
                message: "did you mean 'name'?".into(),
                target: Some("nme".into()),
            }],
        };
        let body = error.to_odata_error();
        assert_eq!(body["error"]["target"], "$filter");
        assert_eq!(body["error"]["details"][0]["target"], "nme");
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn errors_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ODataError>();
    }
}
