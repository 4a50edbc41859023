//! Canonical function calls (`contains(a,'x')`, `geo.distance(a,b)`, `now()`), and the
//! special forms `cast(...)`, `isof(...)` and `case(...)`.
//!
//! Names compare case-insensitively (4.01). The name must be followed directly by `(`;
//! whitespace is allowed after `(`, around commas and before `)`. The number of arguments
//! is checked against [`Function::arity`]: too many is reported at the first extra
//! argument, too few at the closing parenthesis.

use super::super::lexical::{bws, dotted_name, is_qualified};
use super::super::suggest;
use super::super::{fail_expected, failure, Ctx, PError};
use super::{check_height, enter_levels, expression, node, Node};
use crate::ast::{CaseArm, Expr, Function};
use crate::error::{Expected, ParseErrorKind};

/// The names of the canonical functions and the special forms.
fn known_names() -> impl Iterator<Item = &'static str> {
    Function::ALL
        .into_iter()
        .map(Function::name)
        .chain(["cast", "isof", "case"])
}

/// The canonical function closest to a misspelled name, for a did-you-mean.
pub(crate) fn suggest_function(name: &str) -> Option<&'static str> {
    suggest::closest(name, known_names())
}

/// True when an unqualified name is one slip away from a canonical function (`containz`):
/// an error with a suggestion, not a custom function.
pub(super) fn is_misspelled_function(name: &str) -> bool {
    suggest::one_edit_away(name, known_names()).is_some()
}

/// A call result: the rest of the input and the node, or `None` when `i` does not start a
/// canonical call or special form (a member expression, a custom function, ...).
type Call<'a> = Result<Option<(&'a str, Node)>, nom::Err<PError<'a>>>;

/// Parses a canonical function call or `cast`/`isof`/`case` at `i`, if there is one.
pub(super) fn call<'a>(ctx: &Ctx<'a>, i: &'a str) -> Call<'a> {
    let Ok((after_name, name)) = dotted_name(i) else {
        return Ok(None);
    };
    call_named(ctx, i, name, after_name)
}

/// [`call`] when the name at `i` is already scanned: `name`, then `after_name`.
pub(super) fn call_named<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    name: &'a str,
    after_name: &'a str,
) -> Call<'a> {
    let Some(after_open) = after_name.strip_prefix('(') else {
        return Ok(None);
    };
    let qualified = is_qualified(name);
    if !qualified {
        let special = if name.eq_ignore_ascii_case("cast") {
            Some(true)
        } else if name.eq_ignore_ascii_case("isof") {
            Some(false)
        } else {
            None
        };
        if let Some(is_cast) = special {
            return type_test(ctx, i, after_open, is_cast).map(Some);
        }
        if name.eq_ignore_ascii_case("case") {
            return case(ctx, i, after_open).map(Some);
        }
    }
    if !qualified && ctx.options.legacy_syntax() && name.eq_ignore_ascii_case("substringof") {
        return substringof(ctx, i, after_name).map(Some);
    }
    let Some(function) = function_by_name(name) else {
        return Ok(None);
    };
    canonical(ctx, i, after_name, function).map(Some)
}

/// V2/V3 `substringof(needle,haystack)`: `contains(haystack,needle)`.
fn substringof<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    open: &'a str,
) -> Result<(&'a str, Node), nom::Err<PError<'a>>> {
    let (rest, (mut expr, height)) = canonical(ctx, i, open, Function::Contains)?;
    if let Expr::Call { args, .. } = &mut expr {
        args.reverse();
    }
    Ok((rest, (expr, height)))
}

/// [`Function::from_name`], comparing lengths before letters: most names fail on length.
fn function_by_name(name: &str) -> Option<Function> {
    Function::ALL
        .into_iter()
        .find(|f| f.name().len() == name.len() && f.name().eq_ignore_ascii_case(name))
}

/// `name ( [ arg *( , arg ) ] )` for a canonical function; `open` starts at `(`.
fn canonical<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    open: &'a str,
    function: Function,
) -> Result<(&'a str, Node), nom::Err<PError<'a>>> {
    let _guard = enter_levels(ctx, i, 2)?;
    let mut rest = bws(&open[1..]);
    let (_, max) = function.arity();
    let mut args = Vec::with_capacity(max.min(4));
    // Where the first argument beyond the maximum starts (where too many is reported).
    let mut first_extra = None;
    let mut height = 0;
    if !rest.starts_with(')') {
        loop {
            if args.len() == max {
                first_extra = Some(rest);
            }
            let (after, (arg, arg_height)) = expression(ctx, rest, 0)?;
            args.push(arg);
            height = height.max(arg_height);
            let after = bws(after);
            match after.strip_prefix(',') {
                Some(next) => rest = bws(next),
                None => {
                    rest = after;
                    break;
                }
            }
        }
    }
    if !rest.starts_with(')') {
        return fail_expected(rest, Expected::Token(")"));
    }
    let (min, max) = function.arity();
    if args.len() < min || args.len() > max {
        let at = if args.len() > max {
            first_extra.unwrap_or(rest)
        } else {
            rest
        };
        return failure(
            at,
            ParseErrorKind::WrongArity {
                function: function.name(),
                min,
                max,
                found: args.len(),
            },
        );
    }
    let expr = Expr::Call { function, args };
    Ok((&rest[1..], node(ctx, expr, height + 1, i)?))
}

/// `optionallyQualifiedTypeName`: `Ns.Type`, `Type`, `Edm.Int32`, `Collection(Ns.Type)`.
/// In default mode also in single quotes (`'Ns.Type'`), as Microsoft Graph and .NET's
/// OData library write it. Returns the name; `None` when `i` does not start with one.
fn type_name<'a>(ctx: &Ctx<'a>, i: &'a str) -> Option<(&'a str, &'a str)> {
    if ctx.options.lenient() {
        if let Some(quoted) = i.strip_prefix('\'') {
            let (after, name) = bare_type_name(quoted)?;
            return after.strip_prefix('\'').map(|rest| (rest, name));
        }
    }
    bare_type_name(i)
}

/// [`type_name`] without quotes.
fn bare_type_name(i: &str) -> Option<(&str, &str)> {
    if let Some(inner) = i.strip_prefix("Collection(") {
        let (after, _) = dotted_name(inner).ok()?;
        let rest = after.strip_prefix(')')?;
        return Some((rest, &i[..i.len() - rest.len()]));
    }
    let (rest, name) = dotted_name(i).ok()?;
    Some((rest, name))
}

/// `cast( [expr ,] Type )` (`is_cast`) or `isof( [expr ,] Type )`; `after_open` follows `(`.
///
/// In default mode a cast to a structured type may be followed by a path, as .NET's OData
/// library allows (`cast(Address,'Ns.Home')/Street`, `cast('Ns.Derived')/Prop`): that is
/// the path with a type-cast segment (`Address/Ns.Home/Street`, `Ns.Derived/Prop`), and is
/// printed so.
fn type_test<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    after_open: &'a str,
    is_cast: bool,
) -> Result<(&'a str, Node), nom::Err<PError<'a>>> {
    let _guard = enter_levels(ctx, i, 2)?;
    let start = bws(after_open);
    let make = |expr: Option<Box<Expr>>, type_name: &str| {
        let type_name = type_name.to_owned();
        if is_cast {
            Expr::Cast { expr, type_name }
        } else {
            Expr::IsOf { expr, type_name }
        }
    };
    // Only a qualified type name can be a path segment (`Ns.Type`, not `Type`).
    let cast_path = |name: &str| is_cast && ctx.options.lenient() && is_qualified(name);
    // The one-argument form: only a type name before `)`.
    if let Some((after, name)) = type_name(ctx, start) {
        if let Some(rest) = bws(after).strip_prefix(')') {
            if cast_path(name) && rest.starts_with('/') {
                return super::member::cast_path(ctx, i, rest, None, name, 1);
            }
            return Ok((rest, node(ctx, make(None, name), 1, i)?));
        }
    }
    let (after, (expr, height)) = expression(ctx, start, 0)?;
    let after = bws(after);
    let Some(after_comma) = after.strip_prefix(',') else {
        return fail_expected(after, Expected::Token(","));
    };
    let at = bws(after_comma);
    let Some((after_type, name)) = type_name(ctx, at) else {
        return fail_expected(at, Expected::TypeName);
    };
    let after_type = bws(after_type);
    let Some(rest) = after_type.strip_prefix(')') else {
        return fail_expected(after_type, Expected::Token(")"));
    };
    if cast_path(name) && rest.starts_with('/') {
        return super::member::cast_path(ctx, i, rest, Some(expr), name, height + 1);
    }
    let expr = make(Some(Box::new(expr)), name);
    Ok((rest, node(ctx, expr, height + 1, i)?))
}

/// `case( cond : value *( , cond : value ) )`; `after_open` follows `(`.
fn case<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    after_open: &'a str,
) -> Result<(&'a str, Node), nom::Err<PError<'a>>> {
    let _guard = enter_levels(ctx, i, 2)?;
    let mut rest = bws(after_open);
    let mut arms = Vec::new();
    let mut height = 0;
    loop {
        let (after, (condition, condition_height)) = expression(ctx, rest, 0)?;
        let after = bws(after);
        let Some(after_colon) = after.strip_prefix(':') else {
            return fail_expected(after, Expected::Token(":"));
        };
        let (after, (value, value_height)) = expression(ctx, bws(after_colon), 0)?;
        height = height.max(condition_height).max(value_height);
        check_height(ctx, height + 1, i)?;
        arms.push(CaseArm { condition, value });
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix(')') {
            return Ok((next, node(ctx, Expr::Case(arms), height + 1, i)?));
        } else {
            return fail_expected(after, Expected::Token(")"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_match_the_ast_table() {
        for function in Function::ALL {
            let name = function.name();
            assert_eq!(function_by_name(name), Some(function));
            let upper = name.to_ascii_uppercase();
            assert_eq!(function_by_name(&upper), Function::from_name(&upper));
        }
        for name in ["", "x", "contain", "containss", "geo.distanc", "now"] {
            assert_eq!(function_by_name(name), Function::from_name(name));
        }
    }
}
