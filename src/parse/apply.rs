//! The `$apply` grammar (OData Data Aggregation 4.0).

use super::{error, Ctx, PResult};
use crate::ast::Transformation;
use crate::error::Expected;

/// An `$apply` value: transformations separated by `/`.
pub(crate) fn parse_apply<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Transformation>> {
    let _ = ctx;
    error(i, Expected::Transformation)
}
