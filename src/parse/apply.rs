//! The `$apply` grammar (OData Data Aggregation 4.0, `odata-aggregation-abnf.txt`):
//! transformations separated by `/`, each a case-sensitive keyword with arguments in
//! parentheses, or a namespace-qualified custom function.
//!
//! Expressions inside (`filter(...)`, aggregated values, `topcount` bounds, ...) are parsed
//! by the expression grammar; the aggregation keywords `with`, `from` and `as` follow an
//! expression and are recognised where the expression ends.

mod aggregate;
mod hierarchy;

// `/aggregate(...)` in expressions reuses the aggregate grammar.
pub(crate) use aggregate::parse_aggregate_function;

use super::lexical::{bws, dotted_name, identifier, is_identifier_char};
use super::options::{as_alias, comma_list, compute_item, fail_at, orderby_item};
use super::{error, fail_expected, Ctx, PResult};
use crate::ast::{
    ApplyExpand, BoundedKind, Expr, HierarchyKind, MemberPath, NamedArg, PathRoot, PathSegment,
    Segment, Transformation,
};
use crate::error::{Expected, ParseErrorKind};

/// An `$apply` value: `applyTrafo *( "/" applyTrafo )`.
pub(crate) fn parse_apply<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Transformation>> {
    sequence(ctx, bws(i), false)
}

/// Transformations separated by `/`; with `preserving`, only the ones that keep the input
/// structure (`preservingTrafos`: filter, search, top, skip, orderby, identity, the
/// top/bottom family, the hierarchy ones and custom functions).
fn sequence<'a>(ctx: &Ctx<'a>, i: &'a str, preserving: bool) -> PResult<'a, Vec<Transformation>> {
    let mut items = Vec::new();
    let mut rest = i;
    loop {
        let (after, transformation) = transformation(ctx, rest)?;
        if preserving && !is_preserving(&transformation) {
            return Err(fail_at(
                rest,
                ParseErrorKind::Syntax(Expected::Transformation),
            ));
        }
        items.push(transformation);
        match after.strip_prefix('/') {
            Some(after_slash) => rest = after_slash,
            None => return Ok((after, items)),
        }
    }
}

fn is_preserving(transformation: &Transformation) -> bool {
    matches!(
        transformation,
        Transformation::Filter(_)
            | Transformation::Search(_)
            | Transformation::Top(_)
            | Transformation::Skip(_)
            | Transformation::OrderBy(_)
            | Transformation::Identity
            | Transformation::Bounded { .. }
            | Transformation::Hierarchy { .. }
            | Transformation::Custom { .. }
    )
}

/// True when `i` starts a transformation (a keyword followed by `(`, `identity`, or a
/// qualified name followed by `(`), used where an argument may be a sequence or something
/// else.
fn starts_transformation(i: &str) -> bool {
    let Ok((rest, name)) = dotted_name(i) else {
        return false;
    };
    if name == "identity" {
        return true;
    }
    rest.starts_with('(') && (name.contains('.') || keyword_kind(name).is_some())
}

/// The transformations written `keyword(...)`.
#[derive(Debug, Clone, Copy)]
enum Keyword {
    Aggregate,
    GroupBy,
    Filter,
    OrderBy,
    Top,
    Skip,
    Search,
    Compute,
    Concat,
    Bounded(BoundedKind),
    Nest,
    AddNested,
    Join { outer: bool },
    Hierarchy(HierarchyKind),
    Expand,
}

fn keyword_kind(name: &str) -> Option<Keyword> {
    Some(match name {
        "aggregate" => Keyword::Aggregate,
        "groupby" => Keyword::GroupBy,
        "filter" => Keyword::Filter,
        "orderby" => Keyword::OrderBy,
        "top" => Keyword::Top,
        "skip" => Keyword::Skip,
        "search" => Keyword::Search,
        "compute" => Keyword::Compute,
        "concat" => Keyword::Concat,
        "topcount" => Keyword::Bounded(BoundedKind::TopCount),
        "topsum" => Keyword::Bounded(BoundedKind::TopSum),
        "toppercent" => Keyword::Bounded(BoundedKind::TopPercent),
        "bottomcount" => Keyword::Bounded(BoundedKind::BottomCount),
        "bottomsum" => Keyword::Bounded(BoundedKind::BottomSum),
        "bottompercent" => Keyword::Bounded(BoundedKind::BottomPercent),
        "nest" => Keyword::Nest,
        "addnested" => Keyword::AddNested,
        "join" => Keyword::Join { outer: false },
        "outerjoin" => Keyword::Join { outer: true },
        "ancestors" => Keyword::Hierarchy(HierarchyKind::Ancestors),
        "descendants" => Keyword::Hierarchy(HierarchyKind::Descendants),
        "traverse" => Keyword::Hierarchy(HierarchyKind::Traverse),
        "expand" => Keyword::Expand,
        _ => return None,
    })
}

/// One transformation.
fn transformation<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let Ok((after_name, name)) = dotted_name(i) else {
        return error(i, Expected::Transformation);
    };
    if name == "identity" {
        ctx.count_nodes(1, i)?;
        return Ok((after_name, Transformation::Identity));
    }
    let Some(inner) = after_name.strip_prefix('(') else {
        return error(i, Expected::Transformation);
    };
    let _guard = ctx.enter(i)?;
    ctx.count_nodes(1, i)?;
    let inner = bws(inner);
    let (rest, transformation) = if name.contains('.') {
        custom_function(ctx, inner, name)?
    } else {
        let Some(keyword) = keyword_kind(name) else {
            return error(i, Expected::Transformation);
        };
        arguments(ctx, inner, keyword)?
    };
    let rest = bws(rest);
    match rest.strip_prefix(')') {
        Some(after) => Ok((after, transformation)),
        None => fail_expected(rest, Expected::Token(")")),
    }
}

/// The arguments of a keyword transformation, up to (not including) the closing `)`.
///
/// Each keyword has its own function: in unoptimised builds every local of every arm of
/// one big `match` would share a single stack frame, and nested transformations recurse
/// through here, so small frames keep deep (depth-limited) input within the stack.
fn arguments<'a>(ctx: &Ctx<'a>, i: &'a str, keyword: Keyword) -> PResult<'a, Transformation> {
    match keyword {
        Keyword::Aggregate => aggregate_arguments(ctx, i),
        Keyword::GroupBy => aggregate::groupby(ctx, i),
        Keyword::Filter => filter_arguments(ctx, i),
        Keyword::OrderBy => orderby_arguments(ctx, i),
        Keyword::Top => count_arguments(ctx, i, Transformation::Top),
        Keyword::Skip => count_arguments(ctx, i, Transformation::Skip),
        Keyword::Search => search_arguments(ctx, i),
        Keyword::Compute => compute_arguments(ctx, i),
        Keyword::Concat => concat_arguments(ctx, i),
        Keyword::Bounded(kind) => bounded_arguments(ctx, i, kind),
        Keyword::Nest => nest_arguments(ctx, i),
        Keyword::AddNested => addnested_arguments(ctx, i),
        Keyword::Join { outer } => join_arguments(ctx, i, outer),
        Keyword::Hierarchy(kind) => hierarchy_arguments(ctx, i, kind),
        Keyword::Expand => {
            let (rest, expand) = expand_arguments(ctx, i)?;
            Ok((rest, Transformation::Expand(expand)))
        }
    }
}

fn aggregate_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, items) = comma_list(ctx, i, aggregate::aggregate_item)?;
    Ok((rest, Transformation::Aggregate(items)))
}

fn filter_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, expr) = super::expr::parse_common_expr(ctx, i)?;
    Ok((rest, Transformation::Filter(expr)))
}

fn orderby_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, items) = comma_list(ctx, i, orderby_item)?;
    Ok((rest, Transformation::OrderBy(items)))
}

/// `top(n)` and `skip(n)`.
fn count_arguments<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    make: fn(u64) -> Transformation,
) -> PResult<'a, Transformation> {
    let (rest, n) = super::lexical::unsigned(ctx, i)?;
    Ok((rest, make(n)))
}

fn search_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, search) = super::search::parse_search(ctx, i)?;
    Ok((rest, Transformation::Search(search)))
}

fn compute_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, items) = comma_list(ctx, i, compute_item)?;
    Ok((rest, Transformation::Compute(items)))
}

/// `concat(seq,seq,...)`: at least two sequences.
fn concat_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, sequences) = comma_list(ctx, i, |ctx, i| sequence(ctx, i, false))?;
    if sequences.len() < 2 {
        return fail_expected(bws(rest), Expected::Token(","));
    }
    Ok((rest, Transformation::Concat(sequences)))
}

fn bounded_arguments<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    kind: BoundedKind,
) -> PResult<'a, Transformation> {
    let (rest, bound) = super::expr::parse_common_expr(ctx, i)?;
    let rest = comma(rest)?;
    let (rest, value) = super::expr::parse_common_expr(ctx, rest)?;
    Ok((rest, Transformation::Bounded { kind, bound, value }))
}

fn nest_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, items) = comma_list(ctx, i, nest_item)?;
    Ok((rest, Transformation::Nest { path: None, items }))
}

fn addnested_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Transformation> {
    let (rest, path) = property_path(i, PathRules::NEST)?;
    let rest = comma(rest)?;
    let (rest, items) = comma_list(ctx, rest, nest_item)?;
    let path = Some(path);
    Ok((rest, Transformation::Nest { path, items }))
}

/// `join(path as alias[,apply])` and `outerjoin(...)`.
fn join_arguments<'a>(ctx: &Ctx<'a>, i: &'a str, outer: bool) -> PResult<'a, Transformation> {
    let (rest, path) = property_path(i, PathRules::JOIN)?;
    let (rest, alias) = as_alias(ctx, rest)?;
    let (rest, apply) = match bws(rest).strip_prefix(',') {
        Some(after) => sequence(ctx, bws(after), false)?,
        None => (rest, Vec::new()),
    };
    let join = Transformation::Join {
        outer,
        path,
        alias,
        apply,
    };
    Ok((rest, join))
}

fn hierarchy_arguments<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    kind: HierarchyKind,
) -> PResult<'a, Transformation> {
    let (rest, args) = hierarchy::arguments(ctx, i, kind)?;
    Ok((rest, Transformation::Hierarchy { kind, args }))
}

/// `expand( path [, filter(expr)] *( , expand(...) ) )` without the outer parentheses.
fn expand_arguments<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, ApplyExpand> {
    let (mut rest, path) = super::cut(property_path(i, PathRules::NEST))?;
    let mut expand = ApplyExpand {
        path,
        filter: None,
        expand: Vec::new(),
    };
    while let Some(after_comma) = bws(rest).strip_prefix(',') {
        let at = bws(after_comma);
        if let Some(inner) = aggregate::call(at, "filter") {
            if expand.filter.is_some() || !expand.expand.is_empty() {
                return fail_expected(at, Expected::Token("expand"));
            }
            let _guard = ctx.enter(at)?;
            let (after, filter) = super::expr::parse_common_expr(ctx, bws(inner))?;
            expand.filter = Some(filter);
            rest = aggregate::close(after)?;
        } else if let Some(inner) = aggregate::call(at, "expand") {
            let _guard = ctx.enter(at)?;
            let (after, nested) = expand_arguments(ctx, bws(inner))?;
            expand.expand.push(nested);
            rest = aggregate::close(after)?;
        } else {
            return fail_expected(at, Expected::Token("expand"));
        }
    }
    Ok((rest, expand))
}

/// `applyExpr asAlias` in `nest(...)` and `addnested(...)`.
fn nest_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Vec<Transformation>, String)> {
    let (rest, transformations) = sequence(ctx, i, false)?;
    let (rest, alias) = as_alias(ctx, rest)?;
    Ok((rest, (transformations, alias)))
}

/// `Namespace.function(name=value,...)`: a custom set-transforming function.
fn custom_function<'a>(ctx: &Ctx<'a>, i: &'a str, name: &str) -> PResult<'a, Transformation> {
    let mut args = Vec::new();
    let mut rest = i;
    if !rest.starts_with(')') {
        loop {
            let (after_name, parameter) = match identifier(rest) {
                Ok(ok) => ok,
                Err(_) => return fail_expected(rest, Expected::Identifier),
            };
            let after_name = bws(after_name);
            let Some(value_at) = after_name.strip_prefix('=') else {
                return fail_expected(after_name, Expected::Token("="));
            };
            let (after_value, value) = super::cut(super::options::alias_value(ctx, bws(value_at)))?;
            args.push(NamedArg {
                name: parameter.to_owned(),
                value,
            });
            let spaced = bws(after_value);
            match spaced.strip_prefix(',') {
                Some(after_comma) => rest = bws(after_comma),
                None => {
                    rest = after_value;
                    break;
                }
            }
        }
    }
    let custom = Transformation::Custom {
        name: name.to_owned(),
        args,
    };
    Ok((rest, custom))
}

/// `BWS "," BWS`, committing.
fn comma(i: &str) -> Result<&str, nom::Err<super::PError<'_>>> {
    let spaced = bws(i);
    match spaced.strip_prefix(',') {
        Some(after) => Ok(bws(after)),
        None => Err(fail_at(
            spaced,
            ParseErrorKind::Syntax(Expected::Token(",")),
        )),
    }
}

/// Which segments a data-aggregation path may hold.
#[derive(Debug, Clone, Copy)]
struct PathRules {
    /// `@Ns.term` segments.
    annotations: bool,
    /// A type cast as the last segment.
    trailing_cast: bool,
}

impl PathRules {
    /// `groupby` grouping properties and hierarchy property paths: names and type casts,
    /// ending in a name.
    const GROUPING: PathRules = PathRules {
        annotations: false,
        trailing_cast: false,
    };
    /// `addnested` paths: may end in an entity type cast.
    const NEST: PathRules = PathRules {
        annotations: false,
        trailing_cast: true,
    };
    /// `join` properties: may be an annotation, may end in a type cast.
    const JOIN: PathRules = PathRules {
        annotations: true,
        trailing_cast: true,
    };
}

/// A path of names (`Property`), qualified names (`TypeCast`) and, if allowed,
/// annotations, separated by `/`. Stops before a `/` that is not followed by a segment
/// (such as `/$count`).
fn property_path(i: &str, rules: PathRules) -> PResult<'_, Vec<PathSegment>> {
    let mut segments = Vec::new();
    let mut rest = i;
    loop {
        let (after, segment) = if rest.starts_with('@') && rules.annotations {
            let (after, annotation) = super::options::annotation(rest)?;
            (after, PathSegment::Annotation(annotation))
        } else {
            match dotted_name(rest) {
                Ok((after, name)) if name.contains('.') => {
                    (after, PathSegment::TypeCast(name.into()))
                }
                Ok((after, name)) => (after, PathSegment::Property(name.into())),
                Err(_) if segments.is_empty() => return error(rest, Expected::Identifier),
                Err(_) => return fail_expected(rest, Expected::Identifier),
            }
        };
        segments.push(segment);
        rest = after;
        match rest.strip_prefix('/') {
            Some(after_slash)
                if after_slash.starts_with(|c: char| c == '@' || is_identifier_char(c)) =>
            {
                rest = after_slash;
            }
            _ => break,
        }
    }
    if !rules.trailing_cast && matches!(segments.last(), Some(PathSegment::TypeCast(_))) {
        return fail_expected(rest, Expected::Token("/"));
    }
    Ok((rest, segments))
}

/// A path as an expression (`SalesOrganization/ID`), for hierarchy arguments.
fn path_expr(segments: Vec<PathSegment>) -> Expr {
    let segments = segments
        .into_iter()
        .map(|segment| match segment {
            PathSegment::TypeCast(name) => Segment::TypeCast(name),
            PathSegment::Annotation(annotation) => Segment::Annotation(annotation),
            PathSegment::Property(name) | PathSegment::Operation { name, .. } => {
                Segment::Property(name)
            }
        })
        .collect();
    Expr::Path(MemberPath {
        root: PathRoot::Implicit,
        segments,
    })
}

#[cfg(test)]
mod tests;
