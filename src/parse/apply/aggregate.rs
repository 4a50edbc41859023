//! `aggregate(...)` items and `groupby(...)` (with `rollup` and `rolluprecursive`).

use super::super::lexical::{bws, is_identifier_char, keyword};
use super::super::options::{as_alias, comma_list, fail_at, preceded_by_space};
use super::super::{fail_expected, Ctx, PResult};
use super::{hierarchy, property_path, sequence, PathRules};
use crate::ast::{
    AggregateExpr, AggregateFrom, AggregateItem, AggregateMethod, Expr, GroupByElement, PathRoot,
    PathSegment, Segment, Transformation,
};
use crate::error::{Expected, ParseErrorKind};

/// One `aggregateExpr`: `expr with method [from ...] as alias`, `$count [from ...] as
/// alias`, `path/$count [from ...] as alias`, or a custom aggregate `[path/]name [[from
/// ...] as alias]`.
pub(super) fn aggregate_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, AggregateItem> {
    let (rest, mut item) = aggregate_value(ctx, i)?;
    if matches!(item.expr, AggregateExpr::Path { .. }) {
        // Each aggregate inside the parentheses has its own alias.
        return Ok((rest, item));
    }
    let custom = matches!(item.expr, AggregateExpr::Custom { .. });
    let (rest, alias) = if custom && item.from.is_empty() {
        match as_alias(ctx, rest) {
            Ok((after, alias)) => (after, Some(alias)),
            Err(_) => (rest, None),
        }
    } else {
        let (after, alias) = super::super::cut(as_alias(ctx, rest))?;
        (after, Some(alias))
    };
    item.alias = alias;
    Ok((rest, item))
}

/// `aggregateFunctionExpr`, the argument of `/aggregate(...)` in an expression
/// (`Sales/aggregate(Amount with sum)`): an aggregate item without `as alias`.
pub(crate) fn parse_aggregate_function<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
) -> PResult<'a, AggregateItem> {
    aggregate_value(ctx, bws(i))
}

/// An aggregate item up to its alias.
fn aggregate_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, AggregateItem> {
    if let Some(result) = path_aggregate(ctx, i) {
        return result;
    }
    let (rest, expr) = if let Ok((rest, _)) = keyword("$count", i) {
        (rest, AggregateExpr::Count)
    } else if let Some((rest, expr, method)) = cast_with(ctx, i) {
        // `Ns.Type with method`: a path ending in a type cast, which is not an expression.
        (rest, AggregateExpr::With { expr, method })
    } else {
        let (rest, expr) = super::super::expr::parse_common_expr(ctx, i)?;
        match with_method(ctx, rest)? {
            Some((rest, method)) => (rest, AggregateExpr::With { expr, method }),
            None => match simple_path(&expr) {
                Some((path, true)) => (rest, AggregateExpr::PathCount(path)),
                Some((mut path, false)) => match path.pop() {
                    // Without a model, a bare name is a custom aggregate only if the
                    // options say so (`aggregate(Amount)` is almost always a missing
                    // `with`); strict mode takes any name, as the ABNF does.
                    Some(PathSegment::Property(name)) if ctx.options.is_custom_aggregate(&name) => {
                        (
                            rest,
                            AggregateExpr::Custom {
                                path,
                                name: name.into(),
                            },
                        )
                    }
                    _ => return fail_expected(bws(rest), Expected::Token("with")),
                },
                None => return fail_expected(bws(rest), Expected::Token("with")),
            },
        }
    };
    if matches!(expr, AggregateExpr::Count) && with_method(ctx, rest)?.is_some() {
        return fail_expected(bws(rest), Expected::Token("as"));
    }
    let custom = matches!(expr, AggregateExpr::Custom { .. });
    let mut from = Vec::new();
    let mut rest = rest;
    while let Some(after_from) = spaced_keyword(ctx, rest, "from") {
        let (after_groups, groups) = from_groups(after_from)?;
        let (after_method, method) = match with_method(ctx, after_groups)? {
            Some((after, method)) => (after, Some(method)),
            None if custom => (after_groups, None),
            None => return fail_expected(bws(after_groups), Expected::Token("with")),
        };
        from.push(AggregateFrom { groups, method });
        rest = after_method;
    }
    let item = AggregateItem {
        expr,
        from,
        alias: None,
    };
    Ok((rest, item))
}

/// `path( aggregateExpr *( , aggregateExpr ) )`: aggregates over a navigation path
/// (`Sales(Amount with sum as Total)`; default mode, as .NET's OData library reads it). `None` when `i` does not start so; a name that is a
/// function (`round(Amount) with sum`) starts an expression instead.
fn path_aggregate<'a>(ctx: &Ctx<'a>, i: &'a str) -> Option<PResult<'a, AggregateItem>> {
    if !ctx.options.lenient() {
        return None;
    }
    let (after_path, path) = property_path(i, PathRules::NEST).ok()?;
    let inner = after_path.strip_prefix('(')?;
    // A qualified name before `(` is a function (`Self.sqrt(...)`), not a navigation.
    if !matches!(path.last(), Some(PathSegment::Property(_))) {
        return None;
    }
    if let [PathSegment::Property(name)] = path.as_slice() {
        let function = crate::ast::Function::from_name(name).is_some()
            || ["cast", "isof", "case"]
                .iter()
                .any(|special| name.eq_ignore_ascii_case(special));
        if function {
            return None;
        }
    }
    Some((|| {
        let _guard = ctx.enter(i)?;
        let (rest, items) = comma_list(ctx, bws(inner), aggregate_item)?;
        let rest = close(rest)?;
        let item = AggregateItem {
            expr: AggregateExpr::Path { path, items },
            from: Vec::new(),
            alias: None,
        };
        Ok((rest, item))
    })())
}

/// `[path/]Ns.Type with method`: a path of names ending in a type cast, then `with`.
fn cast_with<'a>(ctx: &Ctx<'a>, i: &'a str) -> Option<(&'a str, Expr, AggregateMethod)> {
    let (rest, path) = property_path(i, PathRules::NEST).ok()?;
    if !matches!(path.last(), Some(PathSegment::TypeCast(_))) {
        return None;
    }
    let (rest, method) = with_method(ctx, rest).ok()??;
    Some((rest, super::path_expr(path), method))
}

/// `RWS keyword RWS` (case-sensitive) after an expression; returns the input after it.
fn spaced_keyword<'a>(ctx: &Ctx<'a>, i: &'a str, word: &'static str) -> Option<&'a str> {
    let spaced = bws(i);
    if spaced.len() == i.len() && !preceded_by_space(ctx, i) {
        return None;
    }
    let (after, _) = keyword(word, spaced).ok()?;
    let operand = bws(after);
    (operand.len() < after.len()).then_some(operand)
}

/// `RWS "with" RWS aggregateMethod`, if present.
fn with_method<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
) -> Result<Option<(&'a str, AggregateMethod)>, nom::Err<super::super::PError<'a>>> {
    let Some(method_at) = spaced_keyword(ctx, i, "with") else {
        return Ok(None);
    };
    let Ok((rest, name)) = super::super::lexical::dotted_name(method_at) else {
        return Err(fail_at(
            method_at,
            ParseErrorKind::Syntax(Expected::Identifier),
        ));
    };
    let method = match name {
        "sum" => AggregateMethod::Sum,
        "min" => AggregateMethod::Min,
        "max" => AggregateMethod::Max,
        "average" => AggregateMethod::Average,
        "countdistinct" => AggregateMethod::CountDistinct,
        _ if name.contains('.') => AggregateMethod::Custom(name.to_owned()),
        _ => {
            return Err(fail_at(
                method_at,
                ParseErrorKind::Syntax(Expected::Identifier),
            ))
        }
    };
    Ok(Some((rest, method)))
}

/// The grouping properties after `from`: paths separated by commas. A comma is read as
/// part of the list when a grouping path follows it (the grammar is greedy here).
fn from_groups(i: &str) -> PResult<'_, Vec<Vec<PathSegment>>> {
    let (mut rest, first) = super::super::cut(property_path(i, PathRules::GROUPING))?;
    let mut groups = vec![first];
    while let Some(after_comma) = bws(rest).strip_prefix(',') {
        match property_path(bws(after_comma), PathRules::GROUPING) {
            Ok((after, path)) => {
                groups.push(path);
                rest = after;
            }
            Err(nom::Err::Error(_)) => break,
            Err(other) => return Err(other),
        }
    }
    Ok((rest, groups))
}

/// The segments of an implicit-root path of names and type casts, and whether it ends in
/// `/$count`; `None` for any other expression.
fn simple_path(expr: &Expr) -> Option<(Vec<PathSegment>, bool)> {
    let Expr::Path(path) = expr else {
        return None;
    };
    if path.root != PathRoot::Implicit {
        return None;
    }
    let mut segments = Vec::new();
    let mut count = false;
    for (index, segment) in path.segments.iter().enumerate() {
        match segment {
            Segment::Property(name) if !count => segments.push(PathSegment::Property(name.clone())),
            Segment::TypeCast(name) if !count => segments.push(PathSegment::TypeCast(name.clone())),
            Segment::Count(None) if index + 1 == path.segments.len() && index > 0 => count = true,
            _ => return None,
        }
    }
    Some((segments, count))
}

/// `groupby((element,...)[,apply])` without the outer parentheses.
pub(super) fn groupby<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let Some(inner) = i.strip_prefix('(') else {
        return fail_expected(i, Expected::Token("("));
    };
    let (rest, groups) = comma_list(ctx, bws(inner), groupby_element)?;
    let rest = bws(rest);
    let Some(rest) = rest.strip_prefix(')') else {
        return fail_expected(rest, Expected::Token(")"));
    };
    let (rest, apply) = match bws(rest).strip_prefix(',') {
        Some(after) => sequence(ctx, bws(after), false)?,
        None => (rest, Vec::new()),
    };
    Ok((rest, Transformation::GroupBy { groups, apply }))
}

/// A grouping property, `rollup(...)`, or `rolluprecursive(...)`.
fn groupby_element<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, GroupByElement> {
    if let Some(inner) = call(i, "rollup") {
        let _guard = ctx.enter(i)?;
        let (rest, paths) = comma_list(ctx, bws(inner), |_, i| {
            property_path(i, PathRules::GROUPING)
        })?;
        if paths.len() == 1 && paths.first().is_some_and(|path| path.len() > 1) {
            // One argument: the name of a leveled hierarchy, not a path.
            return fail_expected(bws(rest), Expected::Token(","));
        }
        return close(rest).map(|rest| (rest, GroupByElement::Rollup(paths)));
    }
    if let Some(inner) = call(i, "rolluprecursive") {
        let _guard = ctx.enter(i)?;
        let (rest, args) = hierarchy::rollup_recursive(ctx, bws(inner))?;
        return close(rest).map(|rest| (rest, GroupByElement::RollupRecursive(args)));
    }
    if i.starts_with('@') {
        return fail_expected(i, Expected::Identifier);
    }
    let (rest, path) = property_path(i, PathRules::GROUPING)?;
    if let Some(after_slash) = rest.strip_prefix('/') {
        return fail_expected(after_slash, Expected::Identifier);
    }
    Ok((rest, GroupByElement::Property(path)))
}

/// `name(`: returns the input after the parenthesis.
pub(super) fn call<'a>(i: &'a str, name: &str) -> Option<&'a str> {
    let after = i.strip_prefix(name)?;
    if after.starts_with(is_identifier_char) {
        return None;
    }
    after.strip_prefix('(')
}

/// `BWS ")"`, committing.
pub(super) fn close(i: &str) -> Result<&str, nom::Err<super::super::PError<'_>>> {
    let spaced = bws(i);
    match spaced.strip_prefix(')') {
        Some(after) => Ok(after),
        None => Err(fail_at(
            spaced,
            ParseErrorKind::Syntax(Expected::Token(")")),
        )),
    }
}
