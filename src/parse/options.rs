//! Option value grammars: `$select`, `$expand`, `$orderby`, `$compute`, and nested option
//! lists `(opt;opt)`.

use super::{error, Ctx, PResult};
use crate::ast::{ComputeItem, ExpandItem, OrderByItem, SelectItem};
use crate::error::Expected;

/// An `$orderby` value.
pub(crate) fn parse_orderby<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<OrderByItem>> {
    let _ = ctx;
    error(i, Expected::Item)
}

/// An `$expand` value.
pub(crate) fn parse_expand<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<ExpandItem>> {
    let _ = ctx;
    error(i, Expected::Item)
}

/// A `$select` value.
pub(crate) fn parse_select<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<SelectItem>> {
    let _ = ctx;
    error(i, Expected::Item)
}

/// A `$compute` value.
pub(crate) fn parse_compute<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<ComputeItem>> {
    let _ = ctx;
    error(i, Expected::Item)
}
