//! The `$search` grammar (URL §5.1.8): terms, phrases, `NOT`, `AND`, `OR`, parentheses.

use super::{error, Ctx, PResult};
use crate::ast::Search;
use crate::error::Expected;

/// A `$search` value.
pub(crate) fn parse_search<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Search> {
    let _ = ctx;
    error(i, Expected::SearchTerm)
}
