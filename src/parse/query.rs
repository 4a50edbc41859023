//! The query-string layer: split at `&` and the first `=`, decode, dispatch on option
//! names (case-insensitive, `$` optional), reject duplicates and unknown `$`-options, keep
//! aliases and custom options.

use super::ParseOptions;
use crate::ast::Query;
use crate::error::{Expected, ParseError, ParseErrorKind};

/// Parses a raw query string.
pub(crate) fn parse_query(raw: &str, options: &ParseOptions) -> Result<Query, ParseError> {
    super::check_length(raw, options)?;
    Err(ParseError::new(
        ParseErrorKind::Syntax(Expected::Value),
        raw,
        0,
    ))
}

/// Builds a query from already-decoded `(name, value)` pairs.
pub(crate) fn parse_pairs<N: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (N, V)>,
    options: &ParseOptions,
) -> Result<Query, ParseError> {
    let _ = (pairs.into_iter().count(), options);
    Err(ParseError::new(
        ParseErrorKind::Syntax(Expected::Value),
        "",
        0,
    ))
}
