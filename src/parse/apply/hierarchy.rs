//! Arguments of the hierarchy transformations `ancestors`, `descendants`, `traverse`, and
//! of `rolluprecursive`, kept as [`HierarchyArg`]s.

use super::super::lexical::{bws, identifier, keyword};
use super::super::options::{comma_list, orderby_item};
use super::super::{fail_expected, Ctx, PResult};
use super::{path_expr, property_path, sequence, starts_transformation, PathRules};
use crate::ast::{Expr, HierarchyArg, HierarchyKind, Literal, PathSegment};
use crate::error::Expected;

/// `recHierReference`: the root expression (`$root/Nodes`), the hierarchy qualifier and
/// the node property path.
fn reference<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<HierarchyArg>> {
    let (rest, root) = super::super::expr::parse_common_expr(ctx, i)?;
    let rest = super::comma(rest)?;
    let (rest, qualifier) = match identifier(rest) {
        Ok(ok) => ok,
        Err(_) => return fail_expected(rest, Expected::Identifier),
    };
    let qualifier = path_expr(vec![PathSegment::Property(qualifier.into())]);
    let rest = super::comma(rest)?;
    let (rest, path) = super::super::cut(property_path(rest, PathRules::GROUPING))?;
    let args = vec![
        HierarchyArg::Expr(root),
        HierarchyArg::Expr(qualifier),
        HierarchyArg::Expr(path_expr(path)),
    ];
    Ok((rest, args))
}

/// `rolluprecursive(reference [, preservingTrafos])` without the parentheses.
pub(super) fn rollup_recursive<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<HierarchyArg>> {
    let (rest, mut args) = reference(ctx, i)?;
    let Some(after_comma) = bws(rest).strip_prefix(',') else {
        return Ok((rest, args));
    };
    let (rest, transformations) = sequence(ctx, bws(after_comma), true)?;
    args.push(HierarchyArg::Apply(transformations));
    Ok((rest, args))
}

/// The arguments of `ancestors`/`descendants` (`reference, preservingTrafos [, depth]
/// [, keep start]`) or `traverse` (`reference, preorder|postorder [, preservingTrafos]
/// [, orderby items]`), without the parentheses.
pub(super) fn arguments<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    kind: HierarchyKind,
) -> PResult<'a, Vec<HierarchyArg>> {
    let (rest, mut args) = reference(ctx, i)?;
    let mut rest = super::comma(rest)?;
    if kind == HierarchyKind::Traverse {
        let (after, order) = match identifier(rest) {
            Ok((after, word @ ("preorder" | "postorder"))) => (after, word),
            _ => return fail_expected(rest, Expected::Token("preorder")),
        };
        args.push(HierarchyArg::Expr(path_expr(vec![PathSegment::Property(
            order.into(),
        )])));
        rest = after;
        if let Some(after_comma) = bws(rest).strip_prefix(',') {
            let at = bws(after_comma);
            if starts_transformation(at) {
                let (after, transformations) = sequence(ctx, at, true)?;
                args.push(HierarchyArg::Apply(transformations));
                rest = after;
                if let Some(after_comma) = bws(rest).strip_prefix(',') {
                    let (after, items) = comma_list(ctx, bws(after_comma), orderby_item)?;
                    args.push(HierarchyArg::OrderBy(items));
                    rest = after;
                }
            } else {
                let (after, items) = comma_list(ctx, at, orderby_item)?;
                args.push(HierarchyArg::OrderBy(items));
                rest = after;
            }
        }
        return Ok((rest, args));
    }
    let (after, transformations) = sequence(ctx, rest, true)?;
    args.push(HierarchyArg::Apply(transformations));
    rest = after;
    if let Some(after_comma) = bws(rest).strip_prefix(',') {
        let at = bws(after_comma);
        if let Some((after, depth)) = depth(at) {
            args.push(HierarchyArg::Expr(Expr::Literal(Literal::Int(depth))));
            rest = after;
            if let Some(after_comma) = bws(rest).strip_prefix(',') {
                let at = bws(after_comma);
                rest = keep_start(at)?;
                args.push(HierarchyArg::KeepStart);
            }
        } else {
            rest = keep_start(at)?;
            args.push(HierarchyArg::KeepStart);
        }
    }
    Ok((rest, args))
}

/// `1*DIGIT` as a depth (an `Int` literal).
fn depth(i: &str) -> Option<(&str, i64)> {
    let end = i.find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len());
    let n = i.get(..end)?.parse::<i64>().ok()?;
    Some((&i[end..], n))
}

/// `keep start` (case-sensitive, one or more spaces between).
fn keep_start(i: &str) -> Result<&str, nom::Err<super::super::PError<'_>>> {
    let expected = || {
        super::super::options::fail_at(
            i,
            crate::error::ParseErrorKind::Syntax(Expected::Token("keep start")),
        )
    };
    let (after_keep, _) = keyword("keep", i).map_err(|_| expected())?;
    let start_at = bws(after_keep);
    if start_at.len() == after_keep.len() {
        return Err(expected());
    }
    let (rest, _) = keyword("start", start_at).map_err(|_| expected())?;
    Ok(rest)
}
