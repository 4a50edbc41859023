//! The expression grammar (`commonExpr`), with the precedence of URL §5.1.1.17.
//!
//! Structure:
//! - this module: operator chains (an explicit operand/operator stack, so long
//!   left-associative chains need no recursion), prefix operators and the dispatch of
//!   primary expressions;
//! - [`literal`] (with [`geo`]): primitive literals; [`json`]: JSON arrays and objects;
//! - [`member`]: member paths (`a/b`, `$it`, `$root/...`, lambdas, `$count(...)`, custom
//!   function calls); [`call`]: canonical functions, `cast`, `isof` and `case`.
//!
//! Every grammar function here returns a [`Node`]: the expression and the height of its
//! tree. Heights are checked against [`crate::Limits::max_depth`] wherever a node is built,
//! so a parsed tree is never deeper than the limit, even when it was built in a loop; the
//! depth guards ([`Ctx::enter`]) bound the parser's own recursion.
//!
//! Decisions worth knowing:
//! - Operators follow the precedence table, also for `not`: `not A eq B` is `(not A) eq B`
//!   (URL §5.1.1.17), and `not A has B` is `not (A has B)`.
//! - `-5`, `-1.5`, `-INF` are negative literals; `-Price` and `- 5` are negations.
//! - A bare quoted string (`'P1D'`) is always a string literal; only `duration'P1D'` is a
//!   [`Literal::Duration`].
//! - In lenient (default) mode a `$filter` value may have whitespace around it, and `not`
//!   may be followed directly by `(`; strict mode follows the ABNF.
//! - Whitespace is allowed after `(`, around `,` and before `)` in every parenthesised
//!   construct (calls, lists, keys, lambdas), but never between a function name and `(`.
//! - `in (...)` holds literals or aliases (an [`Expr::List`]); `in (expr)` with one
//!   non-literal item is a parenthesised expression.
//! - JSON arrays and objects must be constant ([`Literal::Json`]); members that are
//!   expressions (`[FirstName,LastName]`) are rejected, as the AST cannot hold them.
//! - Trees are at most [`crate::Limits::max_depth`] high, so a chain of more than that many
//!   operators (`a or b or ...`) is rejected.

mod call;
mod geo;
mod json;
mod legacy;
mod literal;
mod member;

use super::lexical::{
    bws, dotted_name, first_identifier, identifier, is_identifier_char, keyword_ci,
};
use super::{error, fail_expected, failure, Ctx, DepthGuard, PError, PResult};
use crate::ast::{BinaryOp, Expr, Literal, UnaryOp};
use crate::error::{Expected, ParseErrorKind};
use crate::limits::Limit;

pub(crate) use call::suggest_function;
pub(crate) use legacy::v4_spelling;
pub(crate) use literal::parse_literal;

/// A parsed expression and the height of its tree (a leaf is 1).
type Node = (Expr, usize);

/// A whole `$filter` value (also used for `--rule expr`): one `commonExpr`. In lenient mode,
/// whitespace around it is allowed.
pub(crate) fn parse_filter_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let strict = ctx.options.strict;
    if i.is_empty() {
        return fail_expected(i, Expected::Value);
    }
    let start = if strict { i } else { bws(i) };
    let (rest, expr) = parse_common_expr(ctx, start)?;
    if !strict && bws(rest).is_empty() {
        return Ok((bws(rest), expr));
    }
    Ok((rest, expr))
}

/// `commonExpr`: an expression with binary operators. Stops, without consuming it, before
/// anything that cannot continue the expression (` asc`, ` as x`, `;`, `,`, `)`, ...).
pub(crate) fn parse_common_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (rest, (expr, _height)) = expression(ctx, i, 0)?;
    Ok((rest, expr))
}

/// An unrecoverable syntax error for functions that return more than a [`PResult`].
fn fail<T>(at: &str, expected: Expected) -> Result<T, nom::Err<PError<'_>>> {
    Err(nom::Err::Failure(PError {
        at,
        kind: ParseErrorKind::Syntax(expected),
    }))
}

/// Enters a nesting level whose recursion passes through many parser frames, counting it
/// as `levels` levels of [`crate::Limits::max_depth`], so that the stack a maximal nesting
/// needs stays about the same whichever construct is nested: function calls, `cast`,
/// `case`, `$filter(...)` and lambdas count 2; custom function arguments and
/// `$count(...)` count 3.
fn enter_levels<'c, 'i>(
    ctx: &'c Ctx<'_>,
    at: &'i str,
    levels: usize,
) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
    ctx.enter_by(at, levels)
}

pub(crate) use super::check_height;

/// Counts one node of height `height`, checking the node and height limits.
fn node<'a>(
    ctx: &Ctx<'a>,
    expr: Expr,
    height: usize,
    at: &'a str,
) -> Result<Node, nom::Err<PError<'a>>> {
    check_height(ctx, height, at)?;
    ctx.count_nodes(1, at)?;
    Ok((expr, height))
}

/// An expression whose operators all bind at least as tightly as `min_precedence`
/// (0 for a whole `commonExpr`).
///
/// Operator-precedence parsing with an explicit stack (see [`chain`]): operands are parsed
/// by [`unary`], and an operator is reduced as soon as the next one binds no tighter, which
/// makes every operator left-associative.
fn expression<'a>(ctx: &Ctx<'a>, i: &'a str, min_precedence: u8) -> PResult<'a, Node> {
    let (rest, first) = unary(ctx, i)?;
    // Most expressions have no operator (function arguments, `$orderby` keys, ...) or one
    // (`a eq 1`): those need no stack.
    match next_operator(rest, min_precedence)? {
        None => Ok((rest, first)),
        Some(found) => operators_after(ctx, min_precedence, first, found),
    }
}

/// The operators and operands after the first operand of [`expression`]. Out of line, as
/// is [`chain`], so that the frame [`expression`] keeps on the stack for each level of
/// nesting stays small.
#[inline(never)]
#[allow(clippy::type_complexity)] // the nom result of an (expression, height) pair
fn operators_after<'a>(
    ctx: &Ctx<'a>,
    min_precedence: u8,
    first: Node,
    (op, at, after): (BinaryOp, &'a str, &'a str),
) -> PResult<'a, Node> {
    let (rest, right) = operand(ctx, op, after)?;
    match next_operator(rest, min_precedence)? {
        None => Ok((rest, binary_node(ctx, op, first, right, at)?)),
        Some(next) => chain(ctx, min_precedence, [first, right], (op, at), next),
    }
}

/// The rest of an operator chain with more than one operator, after `first op right` where
/// `next` follows (a separate function, so that the common case keeps a small stack frame).
///
/// Operator-precedence parsing with one explicit stack of pending `left op` pairs and the
/// operand read last: an operator is reduced as soon as the next one binds no tighter,
/// which makes every operator left-associative. The pending operators have strictly
/// increasing precedences, so the stack never has more than a handful of entries.
#[inline(never)]
#[allow(clippy::type_complexity)] // the nom result of an (expression, height) pair
fn chain<'a>(
    ctx: &Ctx<'a>,
    min_precedence: u8,
    [first, mut current]: [Node; 2],
    (first_op, first_at): (BinaryOp, &'a str),
    mut next: (BinaryOp, &'a str, &'a str),
) -> PResult<'a, Node> {
    let mut pending: Vec<(Node, BinaryOp, &'a str)> = Vec::with_capacity(4);
    pending.push((first, first_op, first_at));
    let mut rest;
    loop {
        let (op, at, after) = next;
        while let Some(&(_, top, top_at)) = pending.last() {
            if top.precedence() < op.precedence() {
                break;
            }
            let Some((left, ..)) = pending.pop() else {
                break;
            };
            current = binary_node(ctx, top, left, current, top_at)?;
        }
        let (after_operand, right) = operand(ctx, op, after)?;
        pending.push((current, op, at));
        current = right;
        rest = after_operand;
        match next_operator(rest, min_precedence)? {
            Some(found) => next = found,
            None => break,
        }
    }
    while let Some((left, op, at)) = pending.pop() {
        current = binary_node(ctx, op, left, current, at)?;
    }
    Ok((rest, current))
}

/// The binary operator after an operand at `rest`, if there is one that binds at least as
/// tightly as `min_precedence` (see [`binary_operator`]).
#[allow(clippy::type_complexity)] // the nom result of an (expression, height) pair
fn next_operator<'a>(
    rest: &'a str,
    min_precedence: u8,
) -> Result<Option<(BinaryOp, &'a str, &'a str)>, nom::Err<PError<'a>>> {
    Ok(binary_operator(rest)?.filter(|(op, _, _)| op.precedence() >= min_precedence))
}

/// The right operand of `op`, at `after`.
fn operand<'a>(ctx: &Ctx<'a>, op: BinaryOp, after: &'a str) -> PResult<'a, Node> {
    if op == BinaryOp::In {
        in_operand(ctx, after)
    } else {
        unary(ctx, after)
    }
}

/// The node `left op right`, counted and checked; `at` is where the operator is.
fn binary_node<'a>(
    ctx: &Ctx<'a>,
    op: BinaryOp,
    left: Node,
    right: Node,
    at: &'a str,
) -> Result<Node, nom::Err<PError<'a>>> {
    let height = left.1.max(right.1) + 1;
    let expr = Expr::binary(op, left.0, right.0);
    node(ctx, expr, height, at)
}

/// `RWS op RWS` after an operand. Returns the operator, where its keyword starts and the
/// input after the second whitespace; `None` (nothing consumed) when no operator follows.
/// A keyword not followed by whitespace is an error: `size gt` ends where an operand is due.
#[allow(clippy::type_complexity)] // the nom result of an (expression, height) pair
fn binary_operator<'a>(
    i: &'a str,
) -> Result<Option<(BinaryOp, &'a str, &'a str)>, nom::Err<PError<'a>>> {
    let spaced = bws(i);
    if spaced.len() == i.len() {
        return Ok(None);
    }
    let Some((after_word, op)) = operator_word(spaced) else {
        return Ok(None);
    };
    let after = bws(after_word);
    if after.is_empty() {
        return fail(after, Expected::Expression);
    }
    if after.len() == after_word.len() {
        return fail(after_word, Expected::Token(" "));
    }
    Ok(Some((op, spaced, after)))
}

/// The operator keyword that starts `i` as a whole word, and the input after it. A
/// shortcut of `identifier` then [`operator_keyword`]: keywords are two to five ASCII
/// letters, so a word of other letters or length is no operator without reading it all.
fn operator_word(i: &str) -> Option<(&str, BinaryOp)> {
    let bytes = i.as_bytes();
    let letters = bytes
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if !(2..=5).contains(&letters) {
        return None;
    }
    match bytes.get(letters) {
        Some(b) if b.is_ascii_digit() || *b == b'_' => None,
        // Whether a non-ASCII character continues the word is the identifier rule's call.
        Some(b) if !b.is_ascii() => {
            let (after_word, word) = identifier(i).ok()?;
            Some((after_word, operator_keyword(word)?))
        }
        _ => Some((&i[letters..], operator_keyword(&i[..letters])?)),
    }
}

/// The binary operator a word names, case-insensitively (as [`BinaryOp::from_keyword`],
/// without trying every operator in turn: this runs after every operand).
fn operator_keyword(word: &str) -> Option<BinaryOp> {
    let mut buffer = [0u8; 5];
    let lower = buffer.get_mut(..word.len())?;
    for (slot, byte) in lower.iter_mut().zip(word.bytes()) {
        *slot = byte.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"or" => BinaryOp::Or,
        b"and" => BinaryOp::And,
        b"eq" => BinaryOp::Eq,
        b"ne" => BinaryOp::Ne,
        b"gt" => BinaryOp::Gt,
        b"ge" => BinaryOp::Ge,
        b"lt" => BinaryOp::Lt,
        b"le" => BinaryOp::Le,
        b"add" => BinaryOp::Add,
        b"sub" => BinaryOp::Sub,
        b"mul" => BinaryOp::Mul,
        b"div" => BinaryOp::Div,
        b"divby" => BinaryOp::DivBy,
        b"mod" => BinaryOp::Mod,
        b"has" => BinaryOp::Has,
        b"in" => BinaryOp::In,
        _ => return None,
    })
}

/// The right operand of `in`: a parenthesised list of literals `(1,2,'x')` (an
/// [`Expr::List`]), or any operand (`@alias`, a path, a JSON array `[1,2]`, `(expr)`).
fn in_operand<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let Some(inner) = i.strip_prefix('(') else {
        return unary(ctx, i);
    };
    let _guard = ctx.enter(i)?;
    let mut rest = bws(inner);
    if let Some(after) = rest.strip_prefix(')') {
        return Ok((after, node(ctx, Expr::List(Vec::new()), 1, i)?));
    }
    // The first item may be a whole parenthesised expression: `a in (b)`.
    let (after_first, first) = expression(ctx, rest, 0)?;
    rest = bws(after_first);
    if let Some(after) = rest.strip_prefix(')') {
        return match first.0 {
            Expr::Literal(ref literal) if !matches!(literal, Literal::Json(_)) => {
                Ok((after, node(ctx, Expr::List(vec![first.0]), 2, i)?))
            }
            _ => Ok((after, first)),
        };
    }
    if !rest.starts_with(',') || !is_list_item(&first.0) {
        return fail_expected(rest, Expected::Token(")"));
    }
    let max = ctx.options.limits.max_in_list;
    let mut items = vec![first.0];
    while let Some(after_comma) = rest.strip_prefix(',') {
        let at = bws(after_comma);
        if items.len() >= max {
            return failure(
                at,
                ParseErrorKind::LimitExceeded {
                    limit: Limit::InList,
                    max,
                },
            );
        }
        let (after_item, item) = list_item(ctx, at)?;
        items.push(item);
        rest = bws(after_item);
    }
    match rest.strip_prefix(')') {
        Some(after) => Ok((after, node(ctx, Expr::List(items), 2, i)?)),
        None => fail_expected(rest, Expected::Token(")")),
    }
}

/// True for what a `listExpr` may hold: primitive literals and aliases standing for them.
fn is_list_item(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(literal) => !matches!(literal, Literal::Json(_)),
        Expr::Alias(_) => true,
        _ => false,
    }
}

/// One item of a `listExpr` after the first: a primitive literal or an alias.
fn list_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    ctx.count_nodes(1, i)?;
    if let Some(after_at) = i.strip_prefix('@') {
        return match identifier(after_at) {
            Ok((rest, name)) => Ok((rest, Expr::Alias(name.to_owned()))),
            Err(_) => fail_expected(after_at, Expected::Identifier),
        };
    }
    match parse_literal(ctx, i) {
        Ok((rest, literal)) => Ok((rest, Expr::Literal(literal))),
        Err(nom::Err::Error(_)) => fail_expected(i, Expected::Literal("primitive")),
        Err(e) => Err(e),
    }
}

/// A prefix operator and its operand, or a primary expression.
///
/// The operand of `not` and `-` may use only `has` and `in`, which bind tighter
/// (precedence 8 against 7).
fn unary<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    if let Some(after) = not_keyword(ctx, i) {
        return prefix(ctx, i, after, UnaryOp::Not);
    }
    if let Some(after_minus) = i.strip_prefix('-') {
        // `-5`, `-INF`, `-2026-01-01` are literals; anything else is a negation.
        match parse_literal(ctx, i) {
            Ok((rest, literal)) => return Ok((rest, node(ctx, Expr::Literal(literal), 1, i)?)),
            Err(nom::Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
        return prefix(ctx, i, bws(after_minus), UnaryOp::Neg);
    }
    primary(ctx, i)
}

/// `not` followed by whitespace (or, leniently, by `(`); returns the input after it.
/// `not eq 1` compares a property named `not`: a binary operator after the whitespace means
/// the word is not the prefix operator.
fn not_keyword<'a>(ctx: &Ctx<'a>, i: &'a str) -> Option<&'a str> {
    // Checked before every operand: rule most out on the first byte.
    if !i.starts_with(['n', 'N']) {
        return None;
    }
    let (after, _) = keyword_ci("not", i).ok()?;
    let spaced = bws(after);
    if spaced.len() < after.len() {
        if matches!(binary_operator(after), Ok(Some(_)) | Err(_)) {
            return None;
        }
        return Some(spaced);
    }
    if !ctx.options.strict && after.starts_with('(') {
        return Some(after);
    }
    None
}

/// Builds `op operand`, parsing the operand at `after`.
fn prefix<'a>(ctx: &Ctx<'a>, i: &'a str, after: &'a str, op: UnaryOp) -> PResult<'a, Node> {
    let _guard = ctx.enter(i)?;
    let (rest, (operand, height)) = expression(ctx, after, BinaryOp::Has.precedence())?;
    let expr = Expr::Unary {
        op,
        operand: Box::new(operand),
    };
    Ok((rest, node(ctx, expr, height + 1, i)?))
}

/// A primary expression: a literal, a parenthesised expression, a JSON array or object, a
/// function call, `cast`/`isof`/`case`, an alias or a member path.
fn primary<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    match i.chars().next() {
        None => error(i, Expected::Expression),
        Some('(') => parenthesised(ctx, i),
        Some('[' | '{') => json::array_or_object(ctx, i),
        Some('@' | '$') => member::member_expr(ctx, i),
        Some(c) if c.is_ascii_digit() || c == '\'' || c == '+' => {
            let (rest, literal) = parse_literal(ctx, i)?;
            Ok((rest, node(ctx, Expr::Literal(literal), 1, i)?))
        }
        Some(c) if is_identifier_char(c) => {
            if c.is_ascii_alphabetic() || c == '_' {
                if let Some(result) = word_primary(ctx, i)? {
                    return Ok(result);
                }
            }
            match parse_literal(ctx, i) {
                Ok((rest, literal)) => {
                    return Ok((rest, node(ctx, Expr::Literal(literal), 1, i)?));
                }
                Err(nom::Err::Error(_)) => {}
                Err(e) => return Err(e),
            }
            if let Some(result) = call::call(ctx, i)? {
                return Ok(result);
            }
            member::member_expr(ctx, i)
        }
        Some(_) => error(i, Expected::Expression),
    }
}

/// The common primaries that start with a name, dispatched after one scan of the name:
/// a call or keyed path (`name(`), or a plain path (`name`, `name/...`). `Ok(None)` for
/// everything else (literals, casts, qualified names, ...), which [`primary`] tries in
/// turn: literals, calls, member expressions. The result is the same as that order
/// gives, because none of these inputs can be a literal.
fn word_primary<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
) -> Result<Option<(&'a str, Node)>, nom::Err<PError<'a>>> {
    let Ok((after, name)) = dotted_name(i) else {
        return Ok(None);
    };
    let word = first_identifier(name);
    // The words that start literals (`true`, `null`, `INF`, ...) even when more follows.
    let is_literal_word = matches!(word, "null" | "INF" | "NaN")
        || word.eq_ignore_ascii_case("true")
        || word.eq_ignore_ascii_case("false");
    // A literal cannot be followed by `/`: `null/x`, `true/x` are paths from properties
    // with those names.
    if is_literal_word && !(word.len() == name.len() && after.starts_with('/')) {
        return Ok(None);
    }
    if after.starts_with('(') {
        if let Some(result) = call::call_named(ctx, i, name, after)? {
            return Ok(Some(result));
        }
        return member::member_expr(ctx, i).map(Some);
    }
    // `'` starts a prefixed literal (`binary'...'`), `-` may continue a GUID, `.` a name.
    if word.len() == name.len() && !after.starts_with(['\'', '.', '-']) {
        return member::plain_member(ctx, i, after, name).map(Some);
    }
    Ok(None)
}

/// `( BWS commonExpr BWS )`: parentheses add no node.
fn parenthesised<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let _guard = ctx.enter(i)?;
    let inner = bws(&i[1..]);
    let (rest, result) = expression(ctx, inner, 0)?;
    let rest = bws(rest);
    match rest.strip_prefix(')') {
        Some(after) => Ok((after, result)),
        None => fail_expected(rest, Expected::Token(")")),
    }
}

#[cfg(test)]
mod tests;
