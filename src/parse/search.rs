//! The `$search` grammar (URL §5.1.8, ABNF `searchExpr`): words, `"phrases"`, parentheses,
//! and the case-sensitive operators `NOT`, `AND`, `OR`; juxtaposition is `AND`.
//!
//! Precedence, loosest first: `OR`, `AND` (explicit or implicit), `NOT`, then atoms; binary
//! operators associate to the left. This is the precedence URL §5.1.8 describes and the one
//! [`Search`]'s `Display` assumes.
//!
//! `AND`, `OR` and `NOT` are operators only where an operator can stand and an operand
//! follows; elsewhere they are plain words, as the ABNF allows (`$search=AND`,
//! `$search=NOT NOT`).
//!
//! A whole value may instead be an "incomplete" expression: a single-quoted string with
//! `''` for a quote (`$search='"blu'`), sent by type-ahead clients ([`Search::Incomplete`]).
//!
//! The text here is already percent-decoded: `%20` is a space, `%22` a double quote, and
//! `%28`/`%29` are parentheses, which the ABNF treats exactly like their literal forms.

use super::lexical::bws;
use super::{check_height, error, fail_expected, Ctx, PError, PResult};
use crate::ast::Search;
use crate::error::Expected;

/// A `$search` value, with optional whitespace around it; also the operand of `search(...)`
/// in `$apply` and of `$search=` in nested option lists.
///
/// Stops before the first character that cannot continue the expression (`)`, `;`, ...),
/// so callers inside parentheses check what follows.
pub(crate) fn parse_search<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Search> {
    let i = bws(i);
    if i.starts_with('\'') {
        let (rest, text) = incomplete(i)?;
        ctx.count_nodes(1, i)?;
        return Ok((bws(rest), Search::Incomplete(text)));
    }
    let (rest, (search, _height)) = or_expr(ctx, i)?;
    Ok((bws(rest), search))
}

/// A parsed node and the height of its tree (a leaf is 1), so that left-associative chains,
/// which the parser builds in a loop, are bounded by [`crate::Limits::max_depth`] too.
type Node = (Search, usize);

/// Builds a binary node from two operands, checking the height and counting the node.
fn binary<'a>(
    ctx: &Ctx<'a>,
    at: &'a str,
    left: Node,
    right: Node,
    make: fn(Box<Search>, Box<Search>) -> Search,
) -> Result<Node, nom::Err<PError<'a>>> {
    let height = left.1.max(right.1) + 1;
    check_height(ctx, height, at)?;
    ctx.count_nodes(1, at)?;
    Ok((make(Box::new(left.0), Box::new(right.0)), height))
}

/// `searchOrExpr`: AND-expressions joined by `RWS OR RWS`.
fn or_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let (mut rest, mut left) = and_expr(ctx, i)?;
    while let Some(after) = operator(ctx, rest, "OR") {
        let (after_right, right) = and_expr(ctx, after)?;
        left = binary(ctx, after, left, right, Search::Or)?;
        rest = after_right;
    }
    Ok((rest, left))
}

/// `searchAndExpr`: NOT-expressions joined by `RWS AND RWS` or by whitespace alone.
fn and_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let (mut rest, mut left) = not_expr(ctx, i)?;
    loop {
        let spaced = bws(rest);
        if spaced.len() == rest.len() || !starts_operand(ctx, spaced) {
            // No whitespace, or nothing that could be an operand: the chain ends here.
            break;
        }
        if operator(ctx, rest, "OR").is_some() {
            break;
        }
        let after = operator(ctx, rest, "AND").unwrap_or(spaced);
        let (after_right, right) = not_expr(ctx, after)?;
        left = binary(ctx, after, left, right, Search::And)?;
        rest = after_right;
    }
    Ok((rest, left))
}

/// `searchNegateExpr`: `NOT RWS operand`, or an atom.
fn not_expr<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    if let Some(after) = prefix_operator(ctx, i, "NOT") {
        let _guard = ctx.enter(i)?;
        let (rest, (inner, height)) = not_expr(ctx, after)?;
        check_height(ctx, height + 1, i)?;
        ctx.count_nodes(1, i)?;
        return Ok((rest, (Search::Not(Box::new(inner)), height + 1)));
    }
    atom(ctx, i)
}

/// A parenthesised expression, a phrase, or a word.
fn atom<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    if let Some(inner) = i.strip_prefix('(') {
        let _guard = ctx.enter(i)?;
        let (rest, node) = or_expr(ctx, bws(inner))?;
        let rest = bws(rest);
        return match rest.strip_prefix(')') {
            Some(rest) => Ok((rest, node)),
            None => fail_expected(rest, Expected::Token(")")),
        };
    }
    ctx.count_nodes(1, i)?;
    if i.starts_with('"') {
        let (rest, text) = phrase(i)?;
        return Ok((rest, (Search::Phrase(text.to_owned()), 1)));
    }
    let end = i
        .char_indices()
        .find(|&(index, c)| {
            let escaped_semicolon = c == ';' && ctx.is_escaped(&i[index..]);
            (!is_word_char(c) && !escaped_semicolon) || (index == 0 && c == '\'')
        })
        .map_or(i.len(), |(index, _)| index);
    if end == 0 {
        return error(i, Expected::SearchTerm);
    }
    Ok((&i[end..], (Search::Term(i[..end].to_owned()), 1)))
}

/// `searchPhrase`: `"` one or more characters other than `"` `"`. There is no escape for a
/// double quote inside a phrase.
fn phrase(i: &str) -> PResult<'_, &str> {
    let body = &i[1..];
    match body.find('"') {
        Some(0) => error(body, Expected::SearchTerm),
        Some(end) => Ok((&body[end + 1..], &body[..end])),
        None => fail_expected(&body[body.len()..], Expected::Token("\"")),
    }
}

/// `searchExpr-incomplete`: `'` text with `''` for a quote `'`. Returns the undoubled text.
fn incomplete(i: &str) -> PResult<'_, String> {
    super::lexical::single_quoted(i).map(|(rest, text)| (rest, text.into_owned()))
}

/// Characters of a `searchWord`: anything but whitespace, parentheses, double quotes and
/// a literal `;` (which separates nested options; `%3B` is allowed, checked by the caller
/// with [`Ctx::is_escaped`]). A word may not start with `'` (also checked by the caller),
/// as that starts an incomplete expression.
fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '(' | ')' | '"' | ';'))
}

/// True when `i` starts something that can be an operand: a group, phrase or word.
fn starts_operand(ctx: &Ctx<'_>, i: &str) -> bool {
    match i.chars().next() {
        Some('(' | '"') => true,
        Some('\'') => false,
        Some(';') => ctx.is_escaped(i),
        Some(c) => is_word_char(c),
        None => false,
    }
}

/// `RWS word RWS operand`: a binary operator keyword (`AND`, `OR`) between whitespace, when
/// an operand follows. Returns the input after the second whitespace.
fn operator<'a>(ctx: &Ctx<'_>, i: &'a str, word: &str) -> Option<&'a str> {
    let spaced = bws(i);
    if spaced.len() == i.len() {
        return None;
    }
    prefix_operator(ctx, spaced, word)
}

/// `word RWS operand`: a keyword (case-sensitive) that is a whole word, followed by
/// whitespace and the start of an operand. Returns the input at the operand.
fn prefix_operator<'a>(ctx: &Ctx<'_>, i: &'a str, word: &str) -> Option<&'a str> {
    let after = i.strip_prefix(word)?;
    let operand = bws(after);
    (operand.len() < after.len() && starts_operand(ctx, operand)).then_some(operand)
}

#[cfg(test)]
mod tests {
    use super::super::{parse_decoded, ParseOptions};
    use super::*;

    fn parse(text: &str) -> Result<Search, crate::ParseError> {
        parse_decoded(
            text,
            text,
            0,
            "$search",
            &ParseOptions::strict(),
            parse_search,
        )
    }

    fn term(word: &str) -> Box<Search> {
        Box::new(Search::Term(word.to_owned()))
    }

    #[test]
    fn precedence_and_implicit_and() {
        assert_eq!(
            parse("a OR b c").unwrap(),
            Search::Or(term("a"), Box::new(Search::And(term("b"), term("c"))))
        );
        assert_eq!(
            parse("NOT a b").unwrap(),
            Search::And(Box::new(Search::Not(term("a"))), term("b"))
        );
        assert_eq!(
            parse("a AND b AND c").unwrap(),
            Search::And(Box::new(Search::And(term("a"), term("b"))), term("c"))
        );
    }

    #[test]
    fn keywords_are_words_where_no_operand_follows() {
        assert_eq!(parse("AND").unwrap(), Search::Term("AND".into()));
        assert_eq!(parse("NOT NOT").unwrap(), Search::Not(term("NOT")));
        assert_eq!(
            parse("AND OR NOT").unwrap(),
            Search::Or(term("AND"), term("NOT"))
        );
        assert_eq!(
            parse("OR AND").unwrap(),
            Search::And(term("OR"), term("AND"))
        );
    }

    #[test]
    fn phrases_and_incomplete_strings() {
        assert_eq!(
            parse("%22blue%20green%22").unwrap(),
            Search::Phrase("blue green".into())
        );
        assert_eq!(parse("'it''s'").unwrap(), Search::Incomplete("it's".into()));
        assert_eq!(parse("\"blue").unwrap_err().offset, 5);
        assert_eq!(parse("\"blue%22green").unwrap_err().offset, 8);
        assert!(parse("a;b").is_err());
        assert_eq!(parse("a%3Bb").unwrap(), Search::Term("a;b".into()));
        assert!(parse("").is_err());
    }

    #[test]
    fn long_chains_hit_the_depth_limit() {
        let text = vec!["a"; 500].join(" ");
        let error = parse(&text).unwrap_err();
        assert!(matches!(
            error.kind,
            crate::error::ParseErrorKind::LimitExceeded { .. }
        ));
        let nested = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&nested).is_err());
    }
}
