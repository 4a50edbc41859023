//! The expression grammar (`commonExpr`), with the precedence of URL §5.1.1.17.

use super::{error, Ctx, PResult};
use crate::ast::Expr;
use crate::error::Expected;

/// A whole `$filter` value (also used for `--rule expr`): one `commonExpr` with optional
/// surrounding whitespace.
pub(crate) fn parse_filter_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    parse_common_expr(ctx, i)
}

/// `commonExpr`: an expression with binary operators.
pub(crate) fn parse_common_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let _ = ctx;
    error(i, Expected::Expression)
}
