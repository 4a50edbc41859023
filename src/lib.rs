//! # odata-query
//!
//! Parse OData v4.01 URL query options into a typed AST, print the AST back as a canonical
//! query string, and evaluate it over JSON collections with OData's semantics.
//!
//! ## Parse
//!
//! [`Query::parse`] takes the raw query string (the part after `?`): percent-encoding,
//! every system query option, nested `$expand(...)` options to any depth, parameter aliases
//! and custom options. [`Display`](std::fmt::Display) prints the canonical text, which parses
//! back to an equal tree.
//!
//! ```
//! use odata_query::ast::{BinaryOp, Expr};
//! use odata_query::Query;
//!
//! let query = Query::parse(
//!     "$expand=files($filter=size+gt+1000000;$orderby=uploadedDateTime+desc)&$top=5&$count=true",
//! )?;
//! assert_eq!(query.top, Some(5));
//! let files = &query.expand[0].options;
//! assert!(matches!(&files.filter, Some(Expr::Binary { op: BinaryOp::Gt, .. })));
//! assert_eq!(
//!     query.to_string(),
//!     "$count=true&$top=5&$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)"
//! );
//! # Ok::<(), odata_query::ParseError>(())
//! ```
//!
//! The default mode also reads what real clients send beyond the ABNF (type names in
//! quotes, whitespace around values, type-suffixed numbers, empty lists, unqualified custom
//! functions, ...; see [`ParseOptions`]); [`ParseOptions::strict`] is the ABNF exactly, and
//! [`ParseOptions::legacy`] adds OData V2/V3 syntax. [`Query::parse_url`] takes a whole URL
//! or request line. For links, print the URL form ([`Query::to_url_string`]), which is valid
//! URL text:
//!
//! ```
//! use odata_query::Query;
//!
//! let query = Query::parse_url("GET /users?$filter=isof('microsoft.graph.user') HTTP/1.1")?;
//! assert_eq!(query.to_string(), "$filter=isof(microsoft.graph.user)");
//! let query = Query::parse("$filter=status eq 'failed'")?;
//! assert_eq!(query.to_url_string(), "$filter=status%20eq%20'failed'");
//! # Ok::<(), odata_query::ParseError>(())
//! ```
//!
//! Errors name the option, the byte offset into the raw input, what was expected and what
//! was found (with a did-you-mean suggestion for a misspelled name), and print the input
//! with a caret:
//!
//! ```
//! let error = odata_query::Query::parse("$filter=size gt&$top=5").unwrap_err();
//! assert_eq!(error.offset, 15);
//! assert_eq!(error.option.as_deref(), Some("$filter"));
//! assert!(error.to_string().starts_with("$filter: expected an expression at byte 15"));
//! ```
//!
//! ## Evaluate
//!
//! Compile once, apply many times. Input is a JSON array, an OData response object with
//! `value`, or a single entity; output is the OData JSON response.
//!
//! ```
//! use odata_query::{EvalOptions, Query};
//! use serde_json::json;
//!
//! let plan = Query::parse("$filter=size gt 1000&$orderby=size desc&$count=true")?
//!     .compile(&EvalOptions::default())?;
//! let response = plan.apply(&json!([{"size": 5}, {"size": 5000}, {"size": null}, {"size": 2000}]))?;
//! assert_eq!(
//!     response,
//!     json!({"@odata.count": 2, "value": [{"size": 5000}, {"size": 2000}]})
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Stream
//!
//! [`StreamPlan`] evaluates over bytes (a reader, a file or a slice) without building the
//! document: records are read one at a time, only the properties the query reads are
//! parsed, and matching records are copied to the output as they were.
//!
//! ```
//! use odata_query::{EvalOptions, Query, StreamPlan};
//!
//! let query = Query::parse("$filter=status eq 'failed'&$count=true")?;
//! let plan = StreamPlan::new(&query, &EvalOptions::default())?;
//! let mut out = Vec::new();
//! plan.apply_bytes(br#"{"value":[{"status":"failed","id":1},{"status":"ok","id":2}]}"#, &mut out)?;
//! assert_eq!(out, br#"{"@odata.count":1,"value":[{"status":"failed","id":1}]}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Limits
//!
//! [`Limits`] bounds input length, nesting depth, expression size, `in` lists, `$expand`
//! depth and fan-out, regex size and the evaluation budget; every breach is an error that
//! names the limit. Every error maps to an OData JSON error body and an HTTP status
//! ([`ParseError::to_odata_error`], [`EvalError::http_status`]). [`Limits::server`] adds a
//! deadline and a memory budget per evaluation, for servers.
//!
//! ## Serve
//!
//! With the feature `axum`, the `http` module serves OData over HTTP: an extractor, a
//! response type and one error type for handlers of your own, a router for entity sets
//! (`$count`, keys, navigation, `$metadata`), and a tower proxy layer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![deny(unreachable_pub)]

pub mod ast;
pub mod check;
pub mod error;
pub mod eval;
pub mod guide;
#[cfg(feature = "axum")]
pub mod http;
pub mod limits;
pub mod model;
pub mod parse;
#[cfg(feature = "sample")]
pub mod sample;
mod skiptoken;
#[cfg(feature = "sql")]
pub mod sql;
pub mod stream;
mod temporal_text;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "csdl", feature = "serde"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use ast::{Expr, Query};
pub use error::{Error, EvalError, Expected, ParseError, ParseErrorKind};
pub use eval::{DefaultSearch, EvalOptions, Plan, SearchMatcher};
pub use limits::{Limit, Limits};
pub use parse::{
    parse_apply, parse_compute, parse_expand, parse_filter, parse_orderby, parse_rule,
    parse_search, parse_select, ParseOptions, Parsed, Rule,
};
pub use stream::{StreamMode, StreamPlan};
