//! # odata-query
//!
//! Parse OData v4.01 URL query options into a typed AST, print the AST back as a canonical
//! query string, and evaluate it over JSON collections.
//!
//! ```
//! use odata_query::ast::Query;
//!
//! let query = Query::parse("$filter=size gt 1000000&$top=5&$count=true").unwrap();
//! assert_eq!(query.top, Some(5));
//! assert_eq!(query.to_string(), "$filter=size gt 1000000&$count=true&$top=5");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![deny(unreachable_pub)]

pub mod ast;
pub mod error;
pub mod eval;
pub mod limits;
pub mod parse;
pub mod sample;
pub mod stream;

pub use ast::{Expr, Query};
pub use error::{EvalError, Expected, ParseError, ParseErrorKind};
pub use limits::{Limit, Limits};
pub use parse::{
    parse_apply, parse_compute, parse_expand, parse_filter, parse_orderby, parse_rule,
    parse_search, parse_select, ParseOptions, Parsed, Rule,
};
