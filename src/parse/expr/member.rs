//! Member expressions: property paths (`a/b/c`), `$it`, `$this`, `$these` (aggregation),
//! `$root/Set(key)/prop`, lambda variables, aliases (`@p`, `@p/prop`), annotations
//! (`@Ns.term#qualifier`), type casts (`Ns.Type`), key predicates (`Items(1)`),
//! `/$filter(expr)`, `/$count` with options, `any`/`all` lambdas, and custom function calls
//! (`Ns.Func(p=1)`).
//!
//! Without a schema some forms are ambiguous; the choices:
//! - `name(...)` whose content is a key predicate (`(1)`, `('x')`, `(a=1,b=@p)`) is a
//!   property with a key; otherwise, after a `/`, an unqualified bound function call with
//!   named arguments (`Items/Best()`, `$root/Import()`); as the first segment, an unknown function
//!   (canonical functions are parsed before member expressions).
//! - `@name` is an alias and `@name/x` a path from an alias; `@Ns.term` (dotted) and
//!   `@term#qualifier` are annotations (an alias wins over an annotation of the same name).
//! - A qualified name not followed by `(` is a type cast; as the first segment it must be
//!   followed by `/` (`Ns.Type/name`).

use super::super::lexical::{bws, dotted_name, identifier, is_qualified, keyword, keyword_ci};
use super::super::{error, fail_expected, failure, Ctx, PError, PResult};
use super::{check_height, enter_levels, expression, node, parse_literal, Node};
use crate::ast::{
    Annotation, Expr, KeyValue, Lambda, MemberPath, NamedArg, PathRoot, Query, Segment,
};
use crate::error::{Expected, ParseErrorKind};

/// A member expression or an alias, starting at an identifier, `$` or `@`.
pub(super) fn member_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let mut segments = Vec::new();
    let mut height = 1;
    let (rest, root) = root(ctx, i, &mut segments, &mut height)?;
    let root = match root {
        Root::Path(root) => root,
        Root::Alias(name) => return Ok((rest, node(ctx, Expr::Alias(name), 1, i)?)),
    };
    path_rest(ctx, i, rest, root, segments, height)
}

/// The common case of a member expression: `name` or `name/...`, where `name` (already
/// scanned; `after` follows it) is a plain identifier that [`super::word_primary`] found
/// followed by none of `(`, `'`, `.`, `-` and not a literal word. Gives what
/// [`member_expr`] gives for such input, without scanning the name again.
pub(super) fn plain_member<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    after: &'a str,
    name: &'a str,
) -> PResult<'a, Node> {
    let mut segments = Vec::with_capacity(2);
    let root = if ctx.lambda_variables.borrow().contains(&name) {
        PathRoot::Variable(ctx.name(name))
    } else {
        segments.push(Segment::Property(ctx.name(name)));
        PathRoot::Implicit
    };
    path_rest(ctx, i, after, root, segments, 1)
}

/// The segments after the root of a member expression that started at `i`; `rest` follows
/// the root, `segments` holds those read so far.
fn path_rest<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    mut rest: &'a str,
    root: PathRoot,
    mut segments: Vec<Segment>,
    mut height: usize,
) -> PResult<'a, Node> {
    ctx.count_nodes(segments.len(), i)?;
    loop {
        if is_terminal(segments.last()) {
            break;
        }
        let counted = segments.len();
        let at = rest;
        if rest.starts_with('(') && accepts_key(segments.last()) {
            let (after, key) = cut_key(ctx, rest)?;
            segments.push(key);
            height = height.max(2);
            rest = after;
        } else if let Some(after_slash) = rest.strip_prefix('/') {
            let (after, segment_height) =
                segment(ctx, after_slash, Place::AfterSlash, &mut segments)?;
            height = height.max(segment_height);
            rest = after;
        } else {
            break;
        }
        // Counted as they come, so that a path too long fails where it becomes too long.
        ctx.count_nodes(segments.len() - counted, at)?;
    }
    let path = MemberPath { root, segments };
    Ok((rest, node(ctx, Expr::Path(path), height, i)?))
}

/// How a member expression starts.
enum Root {
    /// A path root (segments may already hold the first segment).
    Path(PathRoot),
    /// `@name` alone: an alias.
    Alias(String),
}

/// The start of a member expression: `$it`, `$this`, `$root/...`, `@...`, a lambda
/// variable, or a first segment.
fn root<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    segments: &mut Vec<Segment>,
    height: &mut usize,
) -> PResult<'a, Root> {
    if i.starts_with('$') {
        if let Ok((rest, _)) = keyword("$it", i) {
            return Ok((rest, Root::Path(PathRoot::It)));
        }
        if let Ok((rest, _)) = keyword("$this", i) {
            return Ok((rest, Root::Path(PathRoot::This)));
        }
        if let Ok((rest, _)) = keyword("$these", i) {
            return Ok((rest, Root::Path(PathRoot::These)));
        }
        if let Some(after) = i.strip_prefix("$root/") {
            let (rest, first_height) = segment(ctx, after, Place::AfterRoot, segments)?;
            *height = (*height).max(first_height);
            return Ok((rest, Root::Path(PathRoot::Root)));
        }
        // Not an expression (`$count` in `aggregate(...)`, say): let the caller decide.
        return error(i, Expected::Expression);
    }
    if let Some(after_at) = i.strip_prefix('@') {
        let Ok((after, name)) = dotted_name(after_at) else {
            return fail_expected(after_at, Expected::Identifier);
        };
        if is_qualified(name) || after.starts_with('#') {
            let (rest, annotation) = annotation(i)?;
            segments.push(Segment::Annotation(annotation));
            return Ok((rest, Root::Path(PathRoot::Implicit)));
        }
        if after.starts_with('/') {
            return Ok((after, Root::Path(PathRoot::Alias(ctx.name(name)))));
        }
        return Ok((after, Root::Alias(name.to_owned())));
    }
    if let Ok((after, name)) = identifier(i) {
        let is_variable =
            !after.starts_with(['(', '.', '\'']) && ctx.lambda_variables.borrow().contains(&name);
        if is_variable {
            return Ok((after, Root::Path(PathRoot::Variable(ctx.name(name)))));
        }
    }
    let (rest, first_height) = segment(ctx, i, Place::First, segments)?;
    *height = (*height).max(first_height);
    if let Some(Segment::TypeCast(name)) = segments.last() {
        if !rest.starts_with('/') {
            // Default mode: a qualified name alone is a function bound to the current
            // instance, called without parentheses (`Fully.Qualified.Namespace.HasJob`),
            // as .NET's OData library reads it; it prints with `()`.
            if ctx.options.lenient() {
                // A canonical function's name (`geo.distance`) would print with `()` and
                // then read as that function, without its arguments.
                if crate::ast::Function::from_name(name).is_some() {
                    return fail_expected(rest, Expected::Token("("));
                }
                let name = name.clone();
                segments.pop();
                segments.push(Segment::Function {
                    name,
                    args: Vec::new(),
                });
                return Ok((rest, Root::Path(PathRoot::Implicit)));
            }
            return fail_expected(rest, Expected::Token("/"));
        }
    }
    Ok((rest, Root::Path(PathRoot::Implicit)))
}

/// Where a segment stands, which decides what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The first segment of a path without a root: `name(...)` must be a key predicate
    /// (an unknown unqualified function otherwise).
    First,
    /// The first segment after `$root/`: an entity set, a singleton or a function import.
    AfterRoot,
    /// After a `/`: anything, including `$count`, `$filter(...)`, `any`, `all`.
    AfterSlash,
}

/// True after a segment that ends a path (`$count`, `any(...)`, `all(...)`,
/// `aggregate(...)`).
fn is_terminal(last: Option<&Segment>) -> bool {
    matches!(
        last,
        Some(Segment::Count(_) | Segment::Any(_) | Segment::All(_) | Segment::Aggregate(_))
    )
}

/// True after a segment that a key predicate may follow directly.
fn accepts_key(last: Option<&Segment>) -> bool {
    matches!(
        last,
        Some(Segment::Property(_) | Segment::Function { .. } | Segment::Filter(_))
    )
}

/// One segment at `place`, pushed onto `segments` (a property with a key pushes two).
/// Returns the rest and the height it adds.
fn segment<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    place: Place,
    segments: &mut Vec<Segment>,
) -> PResult<'a, usize> {
    if place == Place::AfterSlash {
        if let Ok((after, _)) = keyword("$count", i) {
            return count(ctx, after, segments);
        }
        if let Some(after) = i.strip_prefix("$filter(") {
            let _guard = enter_levels(ctx, i, 2)?;
            let (after, (expr, height)) = expression(ctx, bws(after), 0)?;
            let after = bws(after);
            let Some(rest) = after.strip_prefix(')') else {
                return fail_expected(after, Expected::Token(")"));
            };
            segments.push(Segment::Filter(Box::new(expr)));
            check_height(ctx, height + 2, i)?;
            return Ok((rest, height + 2));
        }
        if let Some(after) = i.strip_prefix("aggregate(") {
            return aggregate(ctx, i, after, segments);
        }
        for (word, is_any) in [("any", true), ("all", false)] {
            if let Ok((after, _)) = keyword_ci(word, i) {
                // Default mode: `any (p: ...)`, with a space before the parenthesis.
                let open = if ctx.options.lenient() {
                    bws(after)
                } else {
                    after
                };
                if open.starts_with('(') {
                    return lambda(ctx, i, open, is_any, segments);
                }
            }
        }
    }
    if i.starts_with('@') {
        let (rest, annotation) = annotation(i)?;
        segments.push(Segment::Annotation(annotation));
        return Ok((rest, 1));
    }
    let Ok((after, name)) = dotted_name(i) else {
        return fail_expected(i, Expected::Identifier);
    };
    if is_qualified(name) {
        if after.starts_with('(') {
            let (rest, (args, height)) = function_args(ctx, after)?;
            segments.push(Segment::Function {
                name: ctx.name(name),
                args,
            });
            return Ok((rest, height));
        }
        segments.push(Segment::TypeCast(ctx.name(name)));
        return Ok((after, 1));
    }
    if !after.starts_with('(') {
        segments.push(Segment::Property(ctx.name(name)));
        return Ok((after, 1));
    }
    match key(ctx, after) {
        Ok((rest, key)) => {
            segments.push(Segment::Property(ctx.name(name)));
            segments.push(key);
            return Ok((rest, 2));
        }
        Err(nom::Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    if place == Place::First {
        // Default mode: an unqualified call that is not a canonical function is a custom
        // (bound) function called with positional arguments (`sale($it,2022)`), unless the
        // name is a slip of a canonical one (`containz`).
        let lambda_word = name.eq_ignore_ascii_case("any") || name.eq_ignore_ascii_case("all");
        if ctx.options.lenient() && !lambda_word && !super::call::is_misspelled_function(name) {
            if has_named_arguments(after) {
                let (rest, (args, height)) = function_args(ctx, after)?;
                segments.push(Segment::Function {
                    name: ctx.name(name),
                    args,
                });
                return Ok((rest, height));
            }
            let (rest, (args, height)) = positional_args(ctx, after)?;
            segments.push(Segment::Call {
                name: ctx.name(name),
                args,
            });
            return Ok((rest, height));
        }
        // Recoverable, so that callers with alternatives (`$apply` transformations such as
        // `filter(...)`) can try theirs; reported as is otherwise.
        return Err(nom::Err::Error(PError {
            at: i,
            kind: ParseErrorKind::UnknownFunction(name.to_owned()),
        }));
    }
    let (rest, (args, height)) = function_args(ctx, after)?;
    segments.push(Segment::Function {
        name: ctx.name(name),
        args,
    });
    Ok((rest, height))
}

/// `@term` or `@Ns.term`, with an optional `#qualifier` (`%23` in URLs).
fn annotation(i: &str) -> PResult<'_, Annotation> {
    let after_at = &i[1..];
    let Ok((after, term)) = dotted_name(after_at) else {
        return fail_expected(after_at, Expected::Identifier);
    };
    let Some(after_hash) = after.strip_prefix('#') else {
        let annotation = Annotation {
            term: term.to_owned(),
            qualifier: None,
        };
        return Ok((after, annotation));
    };
    let Ok((rest, qualifier)) = identifier(after_hash) else {
        return fail_expected(after_hash, Expected::Identifier);
    };
    let annotation = Annotation {
        term: term.to_owned(),
        qualifier: Some(qualifier.to_owned()),
    };
    Ok((rest, annotation))
}

/// A key predicate where one must be: errors are unrecoverable.
fn cut_key<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Segment> {
    super::super::cut(key(ctx, i))
}

/// `keyPredicate`: `(value)`, `(@alias)` or `(name=value,...)`; values are literals or
/// aliases. Fails recoverably when the parentheses do not hold a key.
fn key<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Segment> {
    let _guard = ctx.enter(i)?;
    let mut rest = bws(&i[1..]);
    let mut keys = Vec::new();
    loop {
        let mut name = None;
        if let Ok((after, key_name)) = identifier(rest) {
            if let Some(value) = after.strip_prefix('=') {
                name = Some(key_name.to_owned());
                rest = value;
            }
        }
        if name.is_none() && !keys.is_empty() {
            return error(rest, Expected::Token("="));
        }
        let (after, value) = key_value(ctx, rest)?;
        keys.push(KeyValue { name, value });
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            if keys.first().is_some_and(|k| k.name.is_none()) {
                return error(after, Expected::Token(")"));
            }
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix(')') {
            ctx.count_nodes(keys.len(), i)?;
            return Ok((next, Segment::Key(keys)));
        } else {
            return error(after, Expected::Token(")"));
        }
    }
}

/// A key value: `@alias` or a primitive literal.
fn key_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    if let Some(after_at) = i.strip_prefix('@') {
        let (rest, name) = identifier(after_at)?;
        return Ok((rest, Expr::Alias(name.to_owned())));
    }
    let (rest, literal) = parse_literal(ctx, i)?;
    Ok((rest, Expr::Literal(literal)))
}

/// `( [ name=value *( , name=value ) ] )` of a custom function; `i` starts at `(`.
/// Returns the arguments and the height the segment adds.
fn function_args<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Vec<NamedArg>, usize)> {
    let _guard = enter_levels(ctx, i, 3)?;
    let mut rest = bws(&i[1..]);
    let mut args = Vec::new();
    let mut height = 1;
    if let Some(after) = rest.strip_prefix(')') {
        return Ok((after, (args, height)));
    }
    loop {
        let Ok((after_name, name)) = identifier(rest) else {
            return fail_expected(rest, Expected::Identifier);
        };
        let Some(value_start) = after_name.strip_prefix('=') else {
            return fail_expected(after_name, Expected::Token("="));
        };
        let (after, (value, value_height)) = expression(ctx, value_start, 0)?;
        height = height.max(value_height + 2);
        check_height(ctx, height, rest)?;
        args.push(NamedArg {
            name: name.to_owned(),
            value,
        });
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix(')') {
            return Ok((next, (args, height)));
        } else {
            return fail_expected(after, Expected::Token(")"));
        }
    }
}

/// True when the parentheses at `i` start with `name=`: named arguments
/// (`HasDog(person=People(1))`), not positional ones.
fn has_named_arguments(i: &str) -> bool {
    let inner = bws(&i[1..]);
    matches!(identifier(inner), Ok((after, _)) if after.starts_with('=') && !after.starts_with("=="))
}

/// `( [ expr *( , expr ) ] )` of an unqualified custom function call; `i` starts at `(`.
/// Returns the arguments and the height the segment adds.
fn positional_args<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Vec<Expr>, usize)> {
    let _guard = enter_levels(ctx, i, 3)?;
    let mut rest = bws(&i[1..]);
    let mut args = Vec::new();
    let mut height = 1;
    if let Some(after) = rest.strip_prefix(')') {
        return Ok((after, (args, height)));
    }
    loop {
        let (after, (value, value_height)) = expression(ctx, rest, 0)?;
        height = height.max(value_height + 2);
        check_height(ctx, height, rest)?;
        args.push(value);
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix(')') {
            return Ok((next, (args, height)));
        } else {
            return fail_expected(after, Expected::Token(")"));
        }
    }
}

/// The path after a cast in default mode: `cast(expr,Type)/rest` is `expr/Type/rest`, and
/// `cast(Type)/rest` is `Type/rest`. `rest` starts at the `/`; only a member path can be
/// cast so (anything else is an error at the `/`).
pub(super) fn cast_path<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    rest: &'a str,
    expr: Option<Expr>,
    type_name: &str,
    height: usize,
) -> PResult<'a, Node> {
    let cast = Segment::TypeCast(type_name.into());
    let (root, mut segments) = match expr {
        None => (PathRoot::Implicit, Vec::new()),
        Some(Expr::Path(path)) if !is_terminal(path.segments.last()) => (path.root, path.segments),
        Some(_) => return fail_expected(rest, Expected::EndOrOperator),
    };
    segments.push(cast);
    path_rest(ctx, i, rest, root, segments, height.max(1))
}

/// `any( [var : predicate] )` or `all( var : predicate )`; `after` starts at `(`.
fn lambda<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    after: &'a str,
    is_any: bool,
    segments: &mut Vec<Segment>,
) -> PResult<'a, usize> {
    let _lambda = ctx.enter_lambda(i)?;
    let _guard = enter_levels(ctx, i, 2)?;
    let start = bws(&after[1..]);
    if let Some(rest) = start.strip_prefix(')') {
        if is_any {
            segments.push(Segment::Any(None));
            return Ok((rest, 1));
        }
        return fail_expected(start, Expected::LambdaVariable);
    }
    let Ok((after_variable, variable)) = identifier(start) else {
        return fail_expected(start, Expected::LambdaVariable);
    };
    let colon = bws(after_variable);
    let Some(after_colon) = colon.strip_prefix(':') else {
        return fail_expected(colon, Expected::LambdaVariable);
    };
    ctx.lambda_variables.borrow_mut().push(variable);
    let result = expression(ctx, bws(after_colon), 0);
    ctx.lambda_variables.borrow_mut().pop();
    let (after_predicate, (predicate, height)) = result?;
    let close = bws(after_predicate);
    let Some(rest) = close.strip_prefix(')') else {
        return fail_expected(close, Expected::Token(")"));
    };
    let lambda = Lambda {
        variable: ctx.name(variable),
        predicate: Box::new(predicate),
    };
    segments.push(if is_any {
        Segment::Any(Some(lambda))
    } else {
        Segment::All(lambda)
    });
    check_height(ctx, height + 2, i)?;
    Ok((rest, height + 2))
}

/// `aggregate( aggregateFunctionExpr )` (aggregation extension); `after` follows `(`.
/// The argument is parsed by the `$apply` grammar.
fn aggregate<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    after: &'a str,
    segments: &mut Vec<Segment>,
) -> PResult<'a, usize> {
    let _guard = enter_levels(ctx, i, 3)?;
    let (rest, item) = super::super::apply::parse_aggregate_function(ctx, after)?;
    let rest = bws(rest);
    let Some(rest) = rest.strip_prefix(')') else {
        return fail_expected(rest, Expected::Token(")"));
    };
    segments.push(Segment::Aggregate(Box::new(item)));
    Ok((rest, 3))
}

/// `$count` and its optional `($filter=...;$search=...)`; `i` follows `$count`.
fn count<'a>(ctx: &Ctx<'a>, i: &'a str, segments: &mut Vec<Segment>) -> PResult<'a, usize> {
    let Some(mut rest) = i.strip_prefix('(') else {
        segments.push(Segment::Count(None));
        return Ok((i, 1));
    };
    let _guard = enter_levels(ctx, i, 3)?;
    let mut query = Query::default();
    let mut height = 1;
    loop {
        let name_start = rest;
        let unprefixed = rest.strip_prefix('$').unwrap_or(rest);
        let Ok((after_name, name)) = identifier(unprefixed) else {
            return fail_expected(rest, Expected::NestedOption);
        };
        let Some(value) = after_name.strip_prefix('=') else {
            return fail_expected(after_name, Expected::Token("="));
        };
        let after = if name.eq_ignore_ascii_case("filter") {
            if query.filter.is_some() {
                return duplicate(name_start, "$filter");
            }
            let (after, (expr, expr_height)) = expression(ctx, value, 0)?;
            height = height.max(expr_height + 3);
            check_height(ctx, height, name_start)?;
            query.filter = Some(expr);
            after
        } else if name.eq_ignore_ascii_case("search") {
            if query.search.is_some() {
                return duplicate(name_start, "$search");
            }
            let (after, search) = super::super::search::parse_search(ctx, value)?;
            query.search = Some(search);
            after
        } else {
            return fail_expected(name_start, Expected::NestedOption);
        };
        if let Some(next) = after.strip_prefix(';') {
            rest = next;
        } else if let Some(next) = after.strip_prefix(')') {
            segments.push(Segment::Count(Some(Box::new(query))));
            return Ok((next, height));
        } else {
            return fail_expected(after, Expected::Token(")"));
        }
    }
}

/// A duplicate option in `$count(...)`.
fn duplicate<'a, T>(at: &'a str, name: &str) -> PResult<'a, T> {
    failure(at, ParseErrorKind::DuplicateOption(name.to_owned()))
}
