//! `$expand` items (URL §5.1.3): `*`, `*/$ref`, `*($levels=2)`, `$value`, navigation paths
//! with type casts, complex-property prefixes and annotations, `/$ref` and `/$count`, and
//! nested options to any depth (bounded by [`crate::Limits::max_expand_depth`]).

use super::super::lexical::{bws, dotted_name, is_identifier_char, is_qualified};
use super::super::{error, fail_expected, Ctx, PResult};
use super::{annotation, fail_at, parse_nested_options, Place};
use crate::ast::{ExpandItem, ExpandKind, ExpandPath, PathSegment, Query};
use crate::error::{Expected, ParseErrorKind};
use crate::limits::Limit;

/// An `$expand` value: `expandItem *( COMMA expandItem )`, at most
/// [`crate::Limits::max_expand_items`] items.
pub(crate) fn parse_expand<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<ExpandItem>> {
    let max = ctx.options.limits.max_expand_items;
    let mut items = Vec::new();
    let mut rest = bws(i);
    loop {
        if items.len() >= max {
            let kind = ParseErrorKind::LimitExceeded {
                limit: Limit::ExpandItems,
                max,
            };
            return Err(fail_at(rest, kind));
        }
        let result = expand_item(ctx, rest);
        let (after, item) = if items.is_empty() {
            result?
        } else {
            super::super::cut(result)?
        };
        items.push(item);
        let spaced = bws(after);
        match spaced.strip_prefix(',') {
            // Default mode: a comma that ends the list is ignored (`$expand=MyDog,`).
            Some(after_comma)
                if ctx.options.lenient() && super::ends_list(ctx, bws(after_comma)) =>
            {
                return Ok((bws(after_comma), items));
            }
            Some(after_comma) => rest = bws(after_comma),
            None => return Ok((after, items)),
        }
    }
}

/// One expand item.
fn expand_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, ExpandItem> {
    if let Some(after) = i.strip_prefix("$value") {
        if !after.starts_with(is_identifier_char) {
            return Ok((
                after,
                item(ExpandPath::Value, ExpandKind::Entities, Box::default()),
            ));
        }
    }
    if i.starts_with('*') {
        return star_suffix(ctx, i, ExpandPath::Star);
    }
    let mut segments = Vec::new();
    let mut rest = i;
    loop {
        let (after, segment) = if rest.starts_with('@') {
            let (after, annotation) = annotation(rest)?;
            (after, PathSegment::Annotation(annotation))
        } else {
            match dotted_name(rest) {
                Ok((after, name)) if is_qualified(name) => {
                    (after, PathSegment::TypeCast(ctx.name(name)))
                }
                Ok((after, name)) => (after, PathSegment::Property(ctx.name(name))),
                Err(_) if segments.is_empty() => return error(rest, Expected::Item),
                Err(_) => return fail_expected(rest, Expected::Identifier),
            }
        };
        segments.push(segment);
        rest = after;
        let Some(after_slash) = rest.strip_prefix('/') else {
            break;
        };
        if after_slash.starts_with('$') {
            // `/$ref` or `/$count`, handled below.
            break;
        }
        if after_slash.starts_with('*') {
            // `address/*`: every navigation property of a complex property. The star is
            // kept as a `Property("*")` segment, which prints back as `*`.
            segments.push(PathSegment::Property("*".into()));
            return star_suffix(ctx, after_slash, ExpandPath::Path(segments));
        }
        rest = after_slash;
    }
    if segments
        .iter()
        .all(|segment| matches!(segment, PathSegment::TypeCast(_)))
    {
        // `Ns.Type` alone: a type cast must be followed by a navigation path.
        return fail_expected(rest, Expected::Token("/"));
    }
    let path = ExpandPath::Path(segments);
    let (kind, place, after_kind) = if let Some(after) = keyword_segment(rest, "/$ref") {
        (ExpandKind::Ref, Place::ExpandRef, after)
    } else if let Some(after) = keyword_segment(rest, "/$count") {
        (ExpandKind::Count, Place::Count, after)
    } else if rest.starts_with("/$") {
        return fail_expected(&rest[1..], Expected::Identifier);
    } else {
        (ExpandKind::Entities, Place::Expand, rest)
    };
    let spaced = bws(after_kind);
    if spaced.starts_with('(') {
        let (after, options) = parse_nested_options(ctx, spaced, place)?;
        return Ok((after, item(path, kind, options)));
    }
    Ok((after_kind, item(path, kind, Box::default())))
}

/// After `*` (alone or after a complex path): nothing, `/$ref`, or `($levels=...)`.
fn star_suffix<'a>(ctx: &Ctx<'a>, i: &'a str, path: ExpandPath) -> PResult<'a, ExpandItem> {
    let after_star = &i[1..];
    if let Some(after) = keyword_segment(after_star, "/$ref") {
        return Ok((after, item(path, ExpandKind::Ref, Box::default())));
    }
    let spaced = bws(after_star);
    if spaced.starts_with('(') {
        let (after, options) = parse_nested_options(ctx, spaced, Place::Star)?;
        return Ok((after, item(path, ExpandKind::Entities, options)));
    }
    Ok((after_star, item(path, ExpandKind::Entities, Box::default())))
}

/// `/$ref` or `/$count` as a whole segment; returns the input after it.
fn keyword_segment<'a>(i: &'a str, segment: &str) -> Option<&'a str> {
    let after = i.strip_prefix(segment)?;
    (!after.starts_with(is_identifier_char)).then_some(after)
}

fn item(path: ExpandPath, kind: ExpandKind, options: Box<Query>) -> ExpandItem {
    ExpandItem {
        path,
        kind,
        options,
    }
}
