//! `$select` items (URL §5.1.4): `*`, `Ns.*`, property paths with type casts and
//! annotations, operations (`Ns.Action`, `Ns.Func(p1,p2)`), and nested options
//! (`addresses($filter=...;$top=2)`, 4.01).

use super::super::lexical::{bws, dotted_name, identifier, is_qualified};
use super::super::{error, fail_expected, Ctx, PResult};
use super::{annotation, comma_list, parse_nested_options, Place};
use crate::ast::{PathSegment, SelectItem};
use crate::error::Expected;

/// A `$select` value: `selectItem *( COMMA selectItem )`.
pub(crate) fn parse_select<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<SelectItem>> {
    comma_list(ctx, i, select_item)
}

/// One select item.
fn select_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, SelectItem> {
    if let Some(rest) = i.strip_prefix('*') {
        return Ok((rest, SelectItem::Star));
    }
    let mut segments = Vec::new();
    let mut rest = i;
    loop {
        let (after, segment) = if rest.starts_with('@') {
            let (after, annotation) = annotation(rest)?;
            // `@odata.type`, `@odata.etag`: control information, not an annotation that
            // can be selected (default mode; the ABNF does not tell them apart).
            let control = annotation
                .term
                .get(..6)
                .is_some_and(|head| head.eq_ignore_ascii_case("odata."));
            if control && ctx.options.lenient() {
                return fail_expected(rest, Expected::Item);
            }
            (after, PathSegment::Annotation(annotation))
        } else {
            let (after, name) = match dotted_name(rest) {
                Ok(ok) => ok,
                Err(_) if segments.is_empty() => return error(rest, Expected::Item),
                Err(_) => return fail_expected(rest, Expected::Identifier),
            };
            if let Some(after_star) = after.strip_prefix(".*") {
                if !segments.is_empty() {
                    return fail_expected(after, Expected::Token("/"));
                }
                return Ok((after_star, SelectItem::AllOperations(name.to_owned())));
            } else if !is_qualified(name) {
                (after, PathSegment::Property(ctx.name(name)))
            } else if after.starts_with('/') {
                (after, PathSegment::TypeCast(ctx.name(name)))
            } else if segments
                .iter()
                .all(|s| matches!(s, PathSegment::TypeCast(_)))
            {
                // A qualified name at the end, after nothing but a type cast: an operation.
                let operation = PathSegment::Operation {
                    name: ctx.name(name),
                    parameters: None,
                };
                (after, operation)
            } else {
                // `address/Ns.DerivedAddress`: a type cast ending the path.
                (after, PathSegment::TypeCast(ctx.name(name)))
            }
        };
        segments.push(segment);
        rest = after;
        match rest.strip_prefix('/') {
            Some(after_slash)
                if !matches!(segments.last(), Some(PathSegment::Operation { .. })) =>
            {
                rest = after_slash;
            }
            _ => break,
        }
    }
    if !rest.starts_with('(') {
        return Ok((
            rest,
            SelectItem::Path {
                segments,
                options: None,
            },
        ));
    }
    // `Func(p1,p2)` names a function overload. In default mode a canonical function's name
    // is not one: `toupper(Title)` is an expression, which `$select` does not take.
    let expression = match segments.last() {
        Some(PathSegment::Property(name)) if ctx.options.lenient() => {
            crate::ast::Function::from_name(name).is_some()
        }
        _ => false,
    };
    let operation = !expression;
    if let Some((after, parameters)) = parameter_names(rest).filter(|_| operation) {
        // `Func(p1,p2)`: the parameter names of a function overload.
        let name = match segments.pop() {
            Some(PathSegment::Property(name))
            | Some(PathSegment::TypeCast(name))
            | Some(PathSegment::Operation { name, .. }) => name,
            _ => return fail_expected(rest, Expected::NestedOption),
        };
        segments.push(PathSegment::Operation {
            name,
            parameters: Some(parameters),
        });
        return Ok((
            after,
            SelectItem::Path {
                segments,
                options: None,
            },
        ));
    }
    if matches!(segments.last(), Some(PathSegment::Operation { .. })) {
        return fail_expected(rest, Expected::Token(","));
    }
    let (after, options) = parse_nested_options(ctx, rest, Place::Select)?;
    // Options that all read as absent (`a($select=)` in default mode) are no options: the
    // tree is the one `a` gives, and prints as text that parses (`a()` does not).
    let options = (!options.is_empty()).then_some(options);
    Ok((after, SelectItem::Path { segments, options }))
}

/// `( parameterName *( COMMA parameterName ) )`, when the parentheses hold plain names
/// rather than nested options. `None` if they do not (nothing consumed).
fn parameter_names(i: &str) -> Option<(&str, Vec<String>)> {
    let mut rest = bws(i.strip_prefix('(')?);
    let mut names = Vec::new();
    loop {
        let (after, name) = identifier(rest).ok()?;
        names.push(name.to_owned());
        let after = bws(after);
        if let Some(after_comma) = after.strip_prefix(',') {
            rest = bws(after_comma);
        } else if let Some(after_close) = after.strip_prefix(')') {
            return Some((after_close, names));
        } else {
            return None;
        }
    }
}
