//! The parser: raw URL query text to [`crate::ast`].
//!
//! Layers:
//! - `decode`: percent-decoding of one name or value, with an offset map back to the raw text;
//! - `query`: splitting at `&` and `=`, option names, duplicates, aliases, custom options;
//! - `options`: the value grammars of `$select`, `$expand`, `$orderby`, `$compute`, ... and
//!   nested option lists;
//! - `expr`: the expression grammar (`$filter` and friends); `lexical`: names, literals,
//!   whitespace; `search`: `$search`; `apply`: `$apply`.
//!
//! Every grammar function has the shape `fn(&Ctx, &str) -> PResult<T>`: the input is a
//! suffix of the decoded option value held by `Ctx`, so the byte offset of any position is
//! `ctx.text.len() - rest.len()`, which `decode::Decoded` maps back to the raw input.

pub(crate) mod apply;
pub(crate) mod decode;
mod entry;
pub(crate) mod expr;
pub(crate) mod lexical;
pub(crate) mod options;
pub(crate) mod query;
pub(crate) mod search;
pub(crate) mod suggest;

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::sync::Arc;

use crate::ast::Name;
use crate::error::{Expected, ParseError, ParseErrorKind};
use crate::limits::{Limit, Limits};

/// How to parse.
///
/// Three modes:
/// - the default: the ABNF plus what real clients send (see the crate README, "Choices"):
///   a raw `+` is a space, whitespace around option names and values and inside lists,
///   type names in quotes (`isof('Ns.T')`), type-suffixed numbers (`1.5M`, `6f`), empty
///   and trailing-comma lists, `$levels=0`, unqualified custom function calls
///   (`sale($it,2022)`), a leading `?`. Every tree it builds prints as text that parses
///   back to it.
/// - [`ParseOptions::strict`]: the ABNF exactly (and the aggregation and temporal
///   extensions' ABNF).
/// - [`ParseOptions::legacy`]: the default plus OData V2/V3 syntax, read into the V4 tree
///   (`substringof(a,b)` is `contains(b,a)`, `datetime'...'` a date-time offset,
///   `$inlinecount=allpages` is `$count=true`), so a proxy can rewrite such requests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Follow the ABNF exactly: a raw `+` is always a plus sign, and nothing beyond the
    /// grammar is accepted. By default (`false`) a raw `+` is a space, as HTTP form
    /// decoding and Microsoft Graph treat it, except where only a plus sign can stand (a
    /// time-zone offset such as `+02:00`, an exponent such as `1e+5`).
    pub strict: bool,
    /// Also read OData V2/V3 syntax (`substringof`, `datetime'...'`, `guid'...'`,
    /// `$inlinecount`, `$callback`); off by default. Ignored in strict mode.
    pub legacy: bool,
    /// The custom aggregates (`aggregate(Forecast)`, aggregation extension) a service
    /// defines. `None`: any name may be one, as the ABNF reads without a model (the
    /// setting of [`ParseOptions::strict`]). `Some(names)` (the default, with no names): an
    /// `aggregate(Amount)` without `with` is an error unless `Amount` is listed, which is
    /// the mistake it almost always is.
    pub custom_aggregates: Option<Vec<String>>,
    /// Size and depth limits.
    pub limits: Limits,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            strict: false,
            legacy: false,
            custom_aggregates: Some(Vec::new()),
            limits: Limits::default(),
        }
    }
}

impl ParseOptions {
    /// Strict ABNF parsing with default limits.
    ///
    /// ```
    /// use odata_query::{ParseOptions, Query};
    ///
    /// // The default mode reads a raw `+` as a space, as HTML forms send it ...
    /// assert!(Query::parse("$filter=a+eq+1").is_ok());
    /// // ... strict mode follows the ABNF, where `+` is a plus sign.
    /// assert!(Query::parse_with("$filter=a+eq+1", &ParseOptions::strict()).is_err());
    /// assert!(Query::parse_with("$filter=a eq 1", &ParseOptions::strict()).is_ok());
    /// ```
    pub fn strict() -> ParseOptions {
        ParseOptions {
            strict: true,
            custom_aggregates: None,
            ..ParseOptions::default()
        }
    }

    /// The default mode plus OData V2/V3 syntax, with default limits: the tree is V4, so
    /// printing it rewrites an old request in V4.
    ///
    /// ```
    /// use odata_query::{ParseOptions, Query};
    ///
    /// let old = "$filter=substringof('ann',Name)&$inlinecount=allpages";
    /// let query = Query::parse_with(old, &ParseOptions::legacy())?;
    /// assert_eq!(query.to_string(), "$filter=contains(Name,'ann')&$count=true");
    /// # Ok::<(), odata_query::ParseError>(())
    /// ```
    pub fn legacy() -> ParseOptions {
        ParseOptions {
            legacy: true,
            ..ParseOptions::default()
        }
    }

    /// True for what the default mode accepts beyond the ABNF.
    pub(crate) fn lenient(&self) -> bool {
        !self.strict
    }

    /// True for V2/V3 syntax.
    pub(crate) fn legacy_syntax(&self) -> bool {
        self.legacy && !self.strict
    }

    /// True when `name` may be a custom aggregate.
    pub(crate) fn is_custom_aggregate(&self, name: &str) -> bool {
        match &self.custom_aggregates {
            None => true,
            Some(names) => names.iter().any(|known| known == name),
        }
    }
}

/// The error type of the grammar functions: where (the remaining input) and what.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PError<'a> {
    /// The input remaining where the error was found.
    pub(crate) at: &'a str,
    /// What went wrong.
    pub(crate) kind: ParseErrorKind,
}

impl<'a> nom::error::ParseError<&'a str> for PError<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        PError {
            at: input,
            kind: ParseErrorKind::Syntax(Expected::Expression),
        }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two failed alternatives, keep the one that got further.
    fn or(self, other: Self) -> Self {
        if other.at.len() <= self.at.len() {
            other
        } else {
            self
        }
    }
}

/// The result of a grammar function.
pub(crate) type PResult<'a, T> = nom::IResult<&'a str, T, PError<'a>>;

/// A recoverable error (another alternative may match) at `at`.
pub(crate) fn error<T>(at: &str, expected: Expected) -> PResult<'_, T> {
    Err(nom::Err::Error(PError {
        at,
        kind: ParseErrorKind::Syntax(expected),
    }))
}

/// An unrecoverable error (after a committing token) at `at`.
pub(crate) fn failure<T>(at: &str, kind: ParseErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(PError { at, kind }))
}

/// An unrecoverable syntax error at `at`.
pub(crate) fn fail_expected<T>(at: &str, expected: Expected) -> PResult<'_, T> {
    failure(at, ParseErrorKind::Syntax(expected))
}

/// Turns a recoverable error into an unrecoverable one (nom's `cut`, for our error type).
pub(crate) fn cut<T>(result: PResult<'_, T>) -> PResult<'_, T> {
    match result {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

/// Parsing state for one decoded option value.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    /// The decoded text; every grammar input is a suffix of it.
    pub(crate) text: &'a str,
    /// The options in force.
    pub(crate) options: &'a ParseOptions,
    /// Decoded offsets where a raw `+` became a space (empty when strict).
    raw_plus: &'a [usize],
    /// `(decoded offset after, raw offset after)` of each percent-escape (see
    /// [`Ctx::is_escaped`]); empty for text that was not decoded here.
    escapes: &'a [(usize, usize)],
    depth: Cell<usize>,
    expand_depth: Cell<usize>,
    lambda_depth: Cell<usize>,
    nodes: Cell<usize>,
    /// Lambda variables in scope, innermost last (slices of the text: no copies).
    pub(crate) lambda_variables: RefCell<Vec<&'a str>>,
    /// One shared copy of the text, made for the first [`Name`] read from it (see
    /// [`Ctx::name`]).
    shared_text: OnceCell<Arc<str>>,
    /// The whole query string the text is a verbatim slice of, with the query's one shared
    /// copy of it: names are then slices of that copy (see [`Ctx::with_query`]).
    query: Option<SharedQuery<'a>>,
    /// Where the stack stood when parsing began (see [`crate::limits::STACK_BUDGET`]).
    stack_start: usize,
}

/// Where `inner` starts in `outer`, when `inner` is one of `outer`'s slices (the same
/// address and length: the same bytes), not just equal text.
fn offset_within(outer: &str, inner: &str) -> Option<usize> {
    let start = (inner.as_ptr() as usize).wrapping_sub(outer.as_ptr() as usize);
    let slice = outer.get(start..start.checked_add(inner.len())?)?;
    std::ptr::eq(slice.as_ptr(), inner.as_ptr()).then_some(start)
}

/// A whole query string and the one shared copy of it that the names read from its
/// option values are slices of (made for the first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SharedQuery<'a> {
    whole: &'a str,
    copy: &'a OnceCell<Arc<str>>,
    /// Where the text of the [`Ctx`] starts in `whole` (0 until [`Ctx::with_query`]).
    start: usize,
}

impl<'a> SharedQuery<'a> {
    pub(crate) fn new(whole: &'a str, copy: &'a OnceCell<Arc<str>>) -> Self {
        SharedQuery {
            whole,
            copy,
            start: 0,
        }
    }
}

/// Leaves one nesting level when dropped (see [`Ctx::enter`]).
#[derive(Debug)]
pub(crate) struct DepthGuard<'c> {
    counter: &'c Cell<usize>,
    /// How many levels this guard entered.
    levels: usize,
}

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.counter.set(self.counter.get() - self.levels);
    }
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(text: &'a str, raw_plus: &'a [usize], options: &'a ParseOptions) -> Self {
        Ctx {
            text,
            options,
            raw_plus,
            escapes: &[],
            depth: Cell::new(0),
            expand_depth: Cell::new(0),
            lambda_depth: Cell::new(0),
            nodes: Cell::new(0),
            lambda_variables: RefCell::new(Vec::new()),
            shared_text: OnceCell::new(),
            query: None,
            stack_start: crate::limits::stack_position(),
        }
    }

    /// Makes the names read from the text slices of `query`'s shared copy of the whole
    /// query string, when the text is a slice of that string (it needed no decoding): the
    /// names of every option of a query then take one allocation between them.
    pub(crate) fn with_query(mut self, query: SharedQuery<'a>) -> Self {
        if let Some(start) = offset_within(query.whole, self.text) {
            self.query = Some(SharedQuery { start, ..query });
        }
        self
    }

    /// Records where percent-escapes were, for [`Ctx::is_escaped`].
    pub(crate) fn with_escapes(mut self, escapes: &'a [(usize, usize)]) -> Self {
        self.escapes = escapes;
        self
    }

    /// True when the first byte of `rest` was written percent-encoded (`%3B` rather than
    /// `;`). The `$search` grammar needs this: a literal `;` ends a search word (it
    /// separates nested options), an encoded one is part of the word.
    pub(crate) fn is_escaped(&self, rest: &str) -> bool {
        let after = self.offset(rest) + 1;
        self.escapes
            .binary_search_by_key(&after, |&(decoded, _)| decoded)
            .is_ok()
    }

    /// The decoded byte offset of `rest`, a suffix of the text.
    /// The [`Name`] for `name`, a slice of the text: a slice of the shared copy of the
    /// text, so that the names of one option value take one allocation between them. A
    /// `name` from elsewhere gets a copy of its own.
    pub(crate) fn name(&self, name: &str) -> Name {
        let Some(start) = offset_within(self.text, name) else {
            return Name::new(name);
        };
        let (shared, start) = match &self.query {
            Some(query) => (
                query.copy.get_or_init(|| Arc::from(query.whole)),
                query.start + start,
            ),
            None => (self.shared_text.get_or_init(|| Arc::from(self.text)), start),
        };
        Name::slice_of(shared, start, name.len()).unwrap_or_else(|| Name::new(name))
    }

    /// [`Ctx::name`] for text that is a slice of the input or a copy of its own (an
    /// undoubled string literal): the slice is shared, the copy becomes the name's text.
    pub(crate) fn text_name(&self, text: Cow<'_, str>) -> Name {
        match text {
            Cow::Borrowed(slice) => self.name(slice),
            Cow::Owned(copy) => Name::from(copy),
        }
    }

    pub(crate) fn offset(&self, rest: &str) -> usize {
        self.text.len() - rest.len()
    }

    /// True when `rest` starts with a space that was a raw `+` (lenient mode only), so the
    /// grammar may read it as a plus sign where only a plus sign can stand.
    pub(crate) fn is_raw_plus(&self, rest: &str) -> bool {
        rest.starts_with(' ') && self.raw_plus.binary_search(&self.offset(rest)).is_ok()
    }

    fn enter_counter<'c, 'i>(
        &'c self,
        counter: &'c Cell<usize>,
        limit: Limit,
        max: usize,
        at: &'i str,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        self.enter_counter_by(counter, 1, limit, max, at)
    }

    /// Enters `levels` levels of `counter` at once; fails (entering none) when that would
    /// go past `max`, exactly as entering them one by one would.
    fn enter_counter_by<'c, 'i>(
        &'c self,
        counter: &'c Cell<usize>,
        levels: usize,
        limit: Limit,
        max: usize,
        at: &'i str,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        let entered = counter.get().saturating_add(levels);
        if self.stack_start.abs_diff(crate::limits::stack_position()) > crate::limits::STACK_BUDGET
        {
            // Deep enough to exhaust the stack budget first (an unoptimised build).
            return Err(nom::Err::Failure(PError {
                at,
                kind: ParseErrorKind::LimitExceeded {
                    limit: Limit::Depth,
                    max: self.options.limits.max_depth,
                },
            }));
        }
        if entered > max {
            return Err(nom::Err::Failure(PError {
                at,
                kind: ParseErrorKind::LimitExceeded { limit, max },
            }));
        }
        counter.set(entered);
        Ok(DepthGuard { counter, levels })
    }

    /// Enters `levels` levels of syntax nesting at once (see [`Ctx::enter`]), for
    /// constructs whose recursion passes through several parser frames.
    pub(crate) fn enter_by<'c, 'i>(
        &'c self,
        at: &'i str,
        levels: usize,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        self.enter_counter_by(
            &self.depth,
            levels,
            Limit::Depth,
            self.options.limits.max_depth,
            at,
        )
    }

    /// Enters one level of syntax nesting (parentheses, operands, calls, nested options);
    /// fails with [`Limit::Depth`] past [`Limits::max_depth`]. Keep the guard alive while
    /// parsing the nested part.
    pub(crate) fn enter<'c, 'i>(
        &'c self,
        at: &'i str,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        self.enter_counter(&self.depth, Limit::Depth, self.options.limits.max_depth, at)
    }

    /// Enters a nested `$expand`/`$select` option list ([`Limits::max_expand_depth`]).
    pub(crate) fn enter_expand<'c, 'i>(
        &'c self,
        at: &'i str,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        self.enter_counter(
            &self.expand_depth,
            Limit::ExpandDepth,
            self.options.limits.max_expand_depth,
            at,
        )
    }

    /// Enters a lambda (`any`/`all`) body ([`Limits::max_lambda_depth`]).
    pub(crate) fn enter_lambda<'c, 'i>(
        &'c self,
        at: &'i str,
    ) -> Result<DepthGuard<'c>, nom::Err<PError<'i>>> {
        self.enter_counter(
            &self.lambda_depth,
            Limit::LambdaDepth,
            self.options.limits.max_lambda_depth,
            at,
        )
    }

    /// Counts `n` expression nodes; fails with [`Limit::Nodes`] past [`Limits::max_nodes`].
    pub(crate) fn count_nodes<'i>(
        &self,
        n: usize,
        at: &'i str,
    ) -> Result<(), nom::Err<PError<'i>>> {
        let total = self.nodes.get().saturating_add(n);
        let max = self.options.limits.max_nodes;
        if total > max {
            return Err(nom::Err::Failure(PError {
                at,
                kind: ParseErrorKind::LimitExceeded {
                    limit: Limit::Nodes,
                    max,
                },
            }));
        }
        self.nodes.set(total);
        Ok(())
    }
}

/// Fails with [`Limit::Depth`] when a tree would be taller than allowed (trees built in
/// loops, such as operator chains, count their height rather than nesting).
pub(crate) fn check_height<'a>(
    ctx: &Ctx<'a>,
    height: usize,
    at: &'a str,
) -> Result<(), nom::Err<PError<'a>>> {
    let max = ctx.options.limits.max_depth;
    if height > max {
        return Err(nom::Err::Failure(PError {
            at,
            kind: ParseErrorKind::LimitExceeded {
                limit: Limit::Depth,
                max,
            },
        }));
    }
    Ok(())
}

/// decoded text and maps errors back to raw offsets, naming `option`.
pub(crate) fn parse_decoded<T>(
    raw: &str,
    full_raw: &str,
    base: usize,
    option: &str,
    options: &ParseOptions,
    grammar: impl for<'a> FnOnce(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    decode_and_run(raw, full_raw, base, option, options, None, grammar)
}

/// [`parse_decoded`] for an option of a query string, whose names share `query`'s one
/// copy of the whole string when the value needs no decoding.
pub(crate) fn parse_query_value<T>(
    raw: &str,
    full_raw: &str,
    base: usize,
    option: &str,
    options: &ParseOptions,
    query: SharedQuery<'_>,
    grammar: impl for<'a> FnOnce(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    decode_and_run(raw, full_raw, base, option, options, Some(query), grammar)
}

/// Decodes `raw` and runs `grammar` over it (see [`parse_decoded`]).
fn decode_and_run<T>(
    raw: &str,
    full_raw: &str,
    base: usize,
    option: &str,
    options: &ParseOptions,
    query: Option<SharedQuery<'_>>,
    grammar: impl for<'a> FnOnce(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    let decoded =
        decode::decode(raw, full_raw, base, !options.strict).map_err(|e| e.in_option(option))?;
    run_grammar(&decoded, full_raw, base, option, options, query, grammar)
}

/// Runs `grammar` over text that is already decoded (`from_pairs`); offsets are into `text`.
pub(crate) fn parse_undecoded<T>(
    text: &str,
    option: &str,
    options: &ParseOptions,
    grammar: impl for<'a> FnOnce(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    let decoded = decode::Decoded::verbatim(text);
    run_grammar(&decoded, text, 0, option, options, None, grammar)
}

fn run_grammar<T>(
    decoded: &decode::Decoded<'_>,
    full_raw: &str,
    base: usize,
    option: &str,
    options: &ParseOptions,
    query: Option<SharedQuery<'_>>,
    grammar: impl for<'a> FnOnce(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    let mut ctx =
        Ctx::new(&decoded.text, &decoded.raw_plus, options).with_escapes(decoded.escapes());
    if let Some(query) = query {
        // Decoded text is a copy, not a slice of the query string: `with_query` sees that.
        ctx = ctx.with_query(query);
    }
    let to_error = |at: &str, kind: ParseErrorKind| {
        let offset = base + decoded.raw_offset(ctx.offset(at));
        let suggestion = match &kind {
            ParseErrorKind::UnknownOption(name) => options::OptionName::suggest(name),
            ParseErrorKind::UnknownFunction(name) => expr::suggest_function(name),
            _ => None,
        };
        ParseError::new(kind, full_raw, offset)
            .in_option(option)
            .with_suggestion(suggestion)
    };
    match grammar(&ctx, &decoded.text) {
        Ok(("", value)) => Ok(value),
        Ok((rest, _)) => {
            // The offending token, not the whitespace before it; a word there is often a
            // misspelled operator (`gtt`).
            let token = match lexical::bws(rest) {
                "" => rest,
                token => token,
            };
            // V2/V3 literals (`datetime'...'`) stop the parse at their quote; the V4
            // spelling is the suggestion.
            let before = &decoded.text[..ctx.offset(token)];
            let suggestion = expr::v4_spelling(&ctx, before, token)
                .or_else(|| undoubled_quote_spelling(before, token))
                .or_else(|| {
                    lexical::identifier(token)
                        .ok()
                        // An operator written as one (`'x'and`) misses a space, not a letter.
                        .filter(|(_, word)| {
                            word.len() > 1
                                && !crate::ast::BinaryOp::ALL
                                    .iter()
                                    .any(|op| op.keyword().eq_ignore_ascii_case(word))
                        })
                        .and_then(|(_, word)| {
                            suggest::closest(word, crate::ast::BinaryOp::ALL.map(|op| op.keyword()))
                        })
                        .map(str::to_owned)
                });
            let error = to_error(token, ParseErrorKind::Syntax(Expected::EndOrOperator));
            Err(error.with_suggestion(suggestion))
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let stray_quote = match e.kind {
                // `get`: an error position is a suffix of the text, but a wrong one must
                // not turn into a panic here.
                ParseErrorKind::Syntax(_) => decoded
                    .text
                    .get(..ctx.offset(e.at))
                    .and_then(|before| undoubled_quote_spelling(before, e.at)),
                _ => None,
            };
            let error = to_error(e.at, e.kind);
            Err(match stray_quote {
                Some(spelling) => error.with_suggestion(Some(spelling)),
                None => error,
            })
        }
        Err(nom::Err::Incomplete(_)) => {
            Err(to_error("", ParseErrorKind::Syntax(Expected::Expression)))
        }
    }
}

/// A string literal that stopped at a quote meant as part of it (`'O'Brien'`): the text
/// parsed up to the stray quote is `before`, and `token` goes on to the intended closing
/// quote. The suggestion is the literal with that quote doubled (`'O''Brien'`).
fn undoubled_quote_spelling(before: &str, token: &str) -> Option<String> {
    if !before.ends_with('\'') || token.starts_with(['\'', ' ', '\t']) {
        return None;
    }
    // `'x'or b eq 'y'` misses a space, not a quote.
    let word = token.split([' ', '\t']).next().unwrap_or_default();
    let is_operator = |op: crate::ast::BinaryOp| op.keyword().eq_ignore_ascii_case(word);
    if word.len() < token.len() && crate::ast::BinaryOp::ALL.into_iter().any(is_operator) {
        return None;
    }
    // Where the literal that just closed opened: quotes alternate outside and inside
    // strings, a doubled quote inside one being its text.
    let mut open = None;
    let mut closed_at_end = None;
    let mut bytes = before.bytes().enumerate().peekable();
    while let Some((at, byte)) = bytes.next() {
        if byte != b'\'' {
            continue;
        }
        match open {
            None => open = Some(at),
            Some(_) if bytes.peek().is_some_and(|&(_, next)| next == b'\'') => {
                bytes.next();
            }
            Some(start) if at + 1 == before.len() => closed_at_end = Some(start),
            Some(_) => open = None,
        }
    }
    let content = before.get(closed_at_end? + 1..before.len() - 1)?;
    let rest = &token[..token.find('\'')?];
    Some(format!("'{content}''{rest}'"))
}

/// Fails with [`Limit::QueryLength`] when `raw` is longer than allowed.
pub(crate) fn check_length(raw: &str, options: &ParseOptions) -> Result<(), ParseError> {
    let max = options.limits.max_query_length;
    if raw.len() > max {
        return Err(ParseError::new(
            ParseErrorKind::LimitExceeded {
                limit: Limit::QueryLength,
                max,
            },
            raw,
            max,
        ));
    }
    Ok(())
}

pub use entry::{
    parse_apply, parse_compute, parse_expand, parse_filter, parse_orderby, parse_rule,
    parse_search, parse_select, Parsed, Rule,
};

#[cfg(test)]
mod tests {
    fn suggestion(filter: &str) -> Option<String> {
        let error = crate::parse_filter(filter).expect_err(filter);
        error.suggestion.map(String::from)
    }

    #[test]
    fn a_stray_quote_in_a_string_suggests_doubling_it() {
        let cases = [
            ("name eq 'O'Brien'", Some("'O''Brien'")),
            ("name eq 'O'Brien' and id eq 1", Some("'O''Brien'")),
            ("a eq 'it''s' or b eq 'don't stop'", Some("'don''t stop'")),
            ("contains(name,'Bob's')", Some("'Bob''s'")),
            ("a in ('x','y'z')", Some("'y''z'")),
            // Not a stray quote: a missing space, or nothing that closes.
            ("a eq 'x'or b eq 'y'", None),
            ("a eq 'x'b", None),
            ("a eq 'x''", None),
            ("Id eq guid'x", None),
            ("a eq b'c'", None),
        ];
        for (filter, want) in cases {
            assert_eq!(suggestion(filter).as_deref(), want, "{filter}");
        }
    }

    #[test]
    fn an_operator_without_its_space_is_not_misspelled() {
        assert_eq!(suggestion("a eq 'x'and b"), None);
        assert_eq!(suggestion("a eq 1 adn b eq 2").as_deref(), Some("and"));
    }
}
