//! Option value grammars: `$orderby`, `$compute`, `$top`, `$count`, `$levels`, ..., the
//! table of system option names, and nested option lists `(opt;opt)` (in `$expand`,
//! `$select` and `/$count`). `$select` and `$expand` items live in [`select`] and [`expand`].
//!
//! Option names are compared case-insensitively and the `$` is optional (URL §5.1), except
//! for `$skiptoken` and `$deltatoken`, which the ABNF only knows with `$`.

mod expand;
mod names;
mod select;

pub(crate) use expand::parse_expand;
pub(crate) use names::{OptionName, Place};
pub(crate) use select::parse_select;

use super::lexical::{bws, identifier, keyword_ci};
use super::{error, fail_expected, failure, Ctx, PError, PResult};
use crate::ast::{
    AliasDefinition, Annotation, ComputeItem, Expr, Levels, OrderByItem, Query, SortDirection,
    TemporalValue,
};
use crate::error::{Expected, ParseErrorKind};
use crate::limits::Limit;

/// The value of one system option.
#[derive(Debug)]
pub(crate) enum OptionValue {
    Apply(Vec<crate::ast::Transformation>),
    Compute(Vec<ComputeItem>),
    Search(crate::ast::Search),
    Filter(Expr),
    Count(bool),
    OrderBy(Vec<OrderByItem>),
    Skip(u64),
    Top(u64),
    Expand(Vec<crate::ast::ExpandItem>),
    Select(Vec<crate::ast::SelectItem>),
    Levels(Levels),
    Index(i64),
    Temporal(TemporalValue),
    /// `$format`, `$schemaversion`, `$skiptoken`, `$deltatoken`, `$id`.
    Text(String),
}

impl OptionValue {
    /// Stores the value in `query` (the caller has checked for duplicates).
    pub(crate) fn store(self, option: OptionName, query: &mut Query) {
        match self {
            OptionValue::Apply(v) => query.apply = v,
            OptionValue::Compute(v) => query.compute = v,
            OptionValue::Search(v) => query.search = Some(v),
            OptionValue::Filter(v) => query.filter = Some(v),
            OptionValue::Count(v) => query.count = Some(v),
            OptionValue::OrderBy(v) => query.orderby = v,
            OptionValue::Skip(v) => query.skip = Some(v),
            OptionValue::Top(v) => query.top = Some(v),
            OptionValue::Expand(v) => query.expand = v,
            OptionValue::Select(v) => query.select = v,
            OptionValue::Levels(v) => query.levels = Some(v),
            OptionValue::Index(v) => query.index = Some(v),
            OptionValue::Temporal(v) => {
                let temporal = query.temporal.get_or_insert_with(Box::default);
                let slot = match option {
                    OptionName::At => &mut temporal.at,
                    OptionName::From => &mut temporal.from,
                    OptionName::To => &mut temporal.to,
                    _ => &mut temporal.to_inclusive,
                };
                *slot = Some(v);
            }
            OptionValue::Text(text) => {
                let slot = match option {
                    OptionName::Format => &mut query.format,
                    OptionName::SchemaVersion => &mut query.schemaversion,
                    OptionName::SkipToken => &mut query.skiptoken,
                    OptionName::DeltaToken => &mut query.deltatoken,
                    _ => &mut query.id,
                };
                *slot = Some(text);
            }
        }
    }
}

/// Parses the value of `option` at `i` (decoded text). Grammar-based values stop where
/// their grammar ends (so they work inside nested lists); the text options (`$format`,
/// `$skiptoken`, ...) take the rest of `i`.
pub(crate) fn parse_option_value<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    option: OptionName,
) -> PResult<'a, OptionValue> {
    // A `;` or `)` here ends an empty value in a nested list; a `%3B` is text (a `$search`
    // word may start with it). The tokens and `$id` are never nested: all of `i` is theirs.
    let ends = !option.is_opaque_text()
        && (i.starts_with(')') || (i.starts_with(';') && !ctx.is_escaped(i)));
    if i.is_empty() || ends {
        return fail_expected(i, Expected::Value);
    }
    Ok(match option {
        OptionName::Apply => {
            let (rest, v) = super::apply::parse_apply(ctx, i)?;
            (rest, OptionValue::Apply(v))
        }
        OptionName::Compute => {
            let (rest, v) = parse_compute(ctx, i)?;
            (rest, OptionValue::Compute(v))
        }
        OptionName::Search => {
            let (rest, v) = super::search::parse_search(ctx, i)?;
            (rest, OptionValue::Search(v))
        }
        OptionName::Filter => {
            let (rest, v) = super::expr::parse_filter_value(ctx, i)?;
            (rest, OptionValue::Filter(v))
        }
        OptionName::Count => {
            let (rest, v) = boolean(i)?;
            (rest, OptionValue::Count(v))
        }
        OptionName::InlineCount => {
            let (rest, v) = inline_count(i)?;
            (rest, OptionValue::Count(v))
        }
        OptionName::At | OptionName::From | OptionName::To | OptionName::ToInclusive => {
            let (rest, v) = temporal_value(ctx, i)?;
            (rest, OptionValue::Temporal(v))
        }
        OptionName::OrderBy => {
            let (rest, v) = parse_orderby(ctx, i)?;
            (rest, OptionValue::OrderBy(v))
        }
        OptionName::Skip => {
            let (rest, v) = super::lexical::unsigned(ctx, i)?;
            (rest, OptionValue::Skip(v))
        }
        OptionName::Top => {
            let (rest, v) = super::lexical::unsigned(ctx, i)?;
            if let Some(max) = ctx.options.limits.max_top {
                if v > max {
                    let max = usize::try_from(max).unwrap_or(usize::MAX);
                    return failure(
                        i,
                        ParseErrorKind::LimitExceeded {
                            limit: Limit::Top,
                            max,
                        },
                    );
                }
            }
            (rest, OptionValue::Top(v))
        }
        OptionName::Expand => {
            let (rest, v) = parse_expand(ctx, i)?;
            (rest, OptionValue::Expand(v))
        }
        OptionName::Select => {
            let (rest, v) = parse_select(ctx, i)?;
            (rest, OptionValue::Select(v))
        }
        OptionName::Levels => {
            let (rest, v) = levels(i, ctx.options.lenient())?;
            (rest, OptionValue::Levels(v))
        }
        OptionName::Index => {
            let (rest, v) = index(i)?;
            (rest, OptionValue::Index(v))
        }
        OptionName::Format => ("", OptionValue::Text(format(ctx, i)?)),
        OptionName::SchemaVersion => {
            let valid = i == "*"
                || i.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'));
            if !valid {
                return fail_expected(i, Expected::Value);
            }
            ("", OptionValue::Text(i.to_owned()))
        }
        OptionName::SkipToken | OptionName::DeltaToken | OptionName::Id => {
            ("", OptionValue::Text(i.to_owned()))
        }
    })
}

/// `true` or `false`, case-insensitive.
fn boolean(i: &str) -> PResult<'_, bool> {
    if let Ok((rest, _)) = keyword_ci("true", i) {
        return Ok((rest, true));
    }
    if let Ok((rest, _)) = keyword_ci("false", i) {
        return Ok((rest, false));
    }
    fail_expected(i, Expected::Boolean)
}

/// `$inlinecount` (V2/V3): `allpages` is `$count=true`, `none` is `$count=false`.
fn inline_count(i: &str) -> PResult<'_, bool> {
    if let Ok((rest, _)) = keyword_ci("allpages", i) {
        return Ok((rest, true));
    }
    if let Ok((rest, _)) = keyword_ci("none", i) {
        return Ok((rest, false));
    }
    fail_expected(i, Expected::Token("allpages"))
}

/// `temporalExpr` (OData Temporal): `min`, `max` (case-insensitive), or an expression
/// giving a date or date-time.
fn temporal_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, TemporalValue> {
    for (word, value) in [("min", TemporalValue::Min), ("max", TemporalValue::Max)] {
        if let Ok((rest, _)) = keyword_ci(word, i) {
            // `max` alone, not the start of a path or an expression (`max/x`, `max eq`).
            if rest.is_empty() || rest.starts_with([';', ')']) || bws(rest).is_empty() {
                return Ok((rest, value));
            }
        }
    }
    let (rest, expr) = super::expr::parse_common_expr(ctx, i)?;
    Ok((rest, TemporalValue::Expr(expr)))
}

/// `oneToNine *DIGIT` or `max` (case-insensitive); with `zero`, also `0` (no further
/// levels, which .NET's OData library and real clients send).
fn levels(i: &str, zero: bool) -> PResult<'_, Levels> {
    if let Ok((rest, _)) = keyword_ci("max", i) {
        return Ok((rest, Levels::Max));
    }
    let end = i.find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len());
    let leading_zero = i.starts_with('0') && !(zero && end == 1);
    if end == 0 || leading_zero {
        return fail_expected(i, Expected::Levels);
    }
    match i[..end].parse::<u32>() {
        Ok(n) => Ok((&i[end..], Levels::Number(n))),
        Err(_) => failure(i, ParseErrorKind::OutOfRange("$levels")),
    }
}

/// `[ "-" ] 1*DIGIT` as an `i64`.
fn index(i: &str) -> PResult<'_, i64> {
    let digits = i.strip_prefix('-').unwrap_or(i);
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return fail_expected(i, Expected::Integer);
    }
    let text_len = i.len() - digits.len() + end;
    match i[..text_len].parse::<i64>() {
        Ok(n) => Ok((&i[text_len..], n)),
        Err(_) => failure(i, ParseErrorKind::OutOfRange("$index")),
    }
}

/// `$format`: `json`, `atom`, `xml` (stored in lower case), `type/subtype[;params]`, or in
/// default mode any other value without whitespace (`html`, `workbook`: the ABNF's
/// service-specific format, which evaluation answers with 501 when it cannot produce it).
/// A raw `+` that lenient decoding turned into a space is put back (`application/atom+xml`).
fn format<'a>(ctx: &Ctx<'a>, i: &'a str) -> Result<String, nom::Err<PError<'a>>> {
    for keyword in ["json", "atom", "xml"] {
        if i.eq_ignore_ascii_case(keyword) {
            return Ok(keyword.to_owned());
        }
    }
    let mut text = String::with_capacity(i.len());
    for (index, c) in i.char_indices() {
        if c == ' ' && ctx.is_raw_plus(&i[index..]) {
            text.push('+');
        } else {
            text.push(c);
        }
    }
    let media_type = text.split(';').next().unwrap_or("");
    let valid = match media_type.split_once('/') {
        Some((kind, subtype)) => !kind.is_empty() && !subtype.is_empty() && !subtype.contains('/'),
        None => ctx.options.lenient() && !text.is_empty(),
    };
    if !valid || text.contains(char::is_whitespace) {
        return Err(fail_at(i, ParseErrorKind::Syntax(Expected::Value)));
    }
    Ok(text)
}

/// `orderbyItem *( COMMA orderbyItem )`; `orderbyItem = commonExpr [ RWS ( asc / desc ) ]`.
pub(crate) fn parse_orderby<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<OrderByItem>> {
    comma_list(ctx, i, orderby_item)
}

/// One `$orderby` key with its direction.
pub(crate) fn orderby_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, OrderByItem> {
    let (rest, expr) = super::expr::parse_common_expr(ctx, bws(i))?;
    let spaced = bws(rest);
    let mut direction = SortDirection::Asc;
    let mut rest = rest;
    // Default mode: a direction right after a closing parenthesis (`concat(a,b)asc`).
    let after_parenthesis = ctx.options.lenient() && preceded_by(ctx, rest, ')');
    if spaced.len() < rest.len() || preceded_by_space(ctx, rest) || after_parenthesis {
        if let Ok((after, _)) = keyword_ci("asc", spaced) {
            rest = after;
        } else if let Ok((after, _)) = keyword_ci("desc", spaced) {
            direction = SortDirection::Desc;
            rest = after;
        } else if identifier(spaced).is_ok() {
            return fail_expected(spaced, Expected::Direction);
        }
    }
    Ok((rest, OrderByItem { expr, direction }))
}

/// `computeItem *( COMMA computeItem )`.
pub(crate) fn parse_compute<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<ComputeItem>> {
    comma_list(ctx, i, compute_item)
}

/// `commonExpr RWS "as" RWS computedProperty`.
pub(crate) fn compute_item<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, ComputeItem> {
    let (rest, expr) = super::expr::parse_common_expr(ctx, bws(i))?;
    let (rest, alias) = as_alias(ctx, rest)?;
    Ok((rest, ComputeItem { expr, alias }))
}

/// `RWS "as" RWS odataIdentifier` after an expression; fails with [`Expected::As`].
pub(crate) fn as_alias<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, String> {
    let spaced = bws(i);
    if spaced.len() == i.len() && !preceded_by_space(ctx, i) {
        return fail_expected(i, Expected::As);
    }
    let Ok((after_as, _)) = keyword_ci("as", spaced) else {
        return fail_expected(spaced, Expected::As);
    };
    let name_at = bws(after_as);
    if name_at.len() == after_as.len() {
        return fail_expected(after_as, Expected::As);
    }
    match identifier(name_at) {
        Ok((rest, name)) => Ok((rest, name.to_owned())),
        Err(_) => fail_expected(name_at, Expected::Identifier),
    }
}

/// True when the character before `rest` (a suffix of the text) is a space or tab: an
/// expression parser may already have consumed the whitespace that separates a keyword.
pub(crate) fn preceded_by_space(ctx: &Ctx<'_>, rest: &str) -> bool {
    let offset = ctx.offset(rest);
    ctx.text
        .get(..offset)
        .is_some_and(|before| before.ends_with([' ', '\t']))
}

/// True when the character before `rest` (a suffix of the text) is `c`.
fn preceded_by(ctx: &Ctx<'_>, rest: &str, c: char) -> bool {
    let offset = ctx.offset(rest);
    ctx.text
        .get(..offset)
        .is_some_and(|before| before.ends_with(c))
}

/// `item *( BWS "," BWS item )`.
pub(crate) fn comma_list<'a, T>(
    ctx: &Ctx<'a>,
    i: &'a str,
    item: impl Fn(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut rest, first) = item(ctx, bws(i))?;
    let mut items = Vec::with_capacity(4);
    items.push(first);
    loop {
        let spaced = bws(rest);
        let Some(after) = spaced.strip_prefix(',') else {
            break;
        };
        // Default mode: a comma that ends the list is ignored (`$select=ID,`).
        if ctx.options.lenient() && ends_list(ctx, bws(after)) {
            return Ok((bws(after), items));
        }
        let (after_item, next) = super::cut(item(ctx, bws(after)))?;
        items.push(next);
        rest = after_item;
    }
    Ok((rest, items))
}

/// True at the end of a list value: the end of the text, or the `;` or `)` that ends a
/// nested option.
pub(crate) fn ends_list(ctx: &Ctx<'_>, i: &str) -> bool {
    i.is_empty() || i.starts_with(')') || (i.starts_with(';') && !ctx.is_escaped(i))
}

/// `@Namespace.term#qualifier` (the `#` decoded from `%23`) at `i`, which starts with `@`.
pub(crate) fn annotation(i: &str) -> PResult<'_, Annotation> {
    let Some(after_at) = i.strip_prefix('@') else {
        return error(i, Expected::Token("@"));
    };
    let (rest, term) = match super::lexical::dotted_name(after_at) {
        Ok(ok) => ok,
        Err(_) => return fail_expected(after_at, Expected::Identifier),
    };
    let (rest, qualifier) = match rest.strip_prefix('#') {
        Some(after_hash) => match identifier(after_hash) {
            Ok((rest, q)) => (rest, Some(q.to_owned())),
            Err(_) => return fail_expected(after_hash, Expected::Identifier),
        },
        None => (rest, None),
    };
    Ok((
        rest,
        Annotation {
            term: term.to_owned(),
            qualifier,
        },
    ))
}

/// A nested option list `( option *( ";" option ) )` at `i` (which starts with `(`), for
/// `place`. Names are case-insensitive with an optional `$`; each option at most once.
pub(crate) fn parse_nested_options<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    place: Place,
) -> PResult<'a, Box<Query>> {
    let Some(inner) = i.strip_prefix('(') else {
        return error(i, Expected::Token("("));
    };
    let _depth = ctx.enter(i)?;
    let _expand_depth = if matches!(place, Place::Expand | Place::Select | Place::Star) {
        Some(ctx.enter_expand(i)?)
    } else {
        None
    };
    // Boxed from the start: the AST keeps it boxed, and `Query` is large to move.
    let mut query = Box::<Query>::default();
    let mut rest = bws(inner);
    let mut seen = 0u32;
    loop {
        let (after, ()) = nested_option(ctx, rest, place, &mut query, &mut seen)?;
        rest = bws(after);
        if let Some(after) = rest.strip_prefix(';') {
            rest = bws(after);
            // Default mode: a `;` before the `)` is ignored (`Orders($select=ID;)`).
            if ctx.options.lenient() {
                if let Some(after) = rest.strip_prefix(')') {
                    return Ok((after, query));
                }
            }
        } else if let Some(after) = rest.strip_prefix(')') {
            return Ok((after, query));
        } else {
            return fail_expected(rest, Expected::Token(")"));
        }
    }
}

/// One `name=value` of a nested list, stored into `query`; returns the input after it.
fn nested_option<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    place: Place,
    query: &mut Query,
    seen: &mut u32,
) -> PResult<'a, ()> {
    if let Some(after_at) = i.strip_prefix('@') {
        if !place.allows_aliases() {
            return fail_expected(i, Expected::NestedOption);
        }
        let (rest, name) = match identifier(after_at) {
            Ok(ok) => ok,
            Err(_) => return fail_expected(after_at, Expected::Identifier),
        };
        let Some(value_at) = bws(rest).strip_prefix('=') else {
            return fail_expected(bws(rest), Expected::Token("="));
        };
        let value_at = bws(value_at);
        if value_at.is_empty() || value_at.starts_with([';', ')']) {
            return fail_expected(value_at, Expected::Value);
        }
        if query.aliases.iter().any(|alias| alias.name == name) {
            return Err(fail_at(i, ParseErrorKind::DuplicateAlias(name.to_owned())));
        }
        let (rest, value) = alias_value(ctx, value_at)?;
        query.aliases.push(AliasDefinition {
            name: name.to_owned(),
            value,
        });
        return Ok((rest, ()));
    }
    let bare = i.strip_prefix('$').unwrap_or(i);
    let name_end = bare
        .find(|c: char| !super::lexical::is_identifier_char(c))
        .unwrap_or(bare.len());
    let name = &i[..i.len() - bare.len() + name_end];
    let after_name = &bare[name_end..];
    if name_end == 0 {
        return fail_expected(i, Expected::NestedOption);
    }
    let Some(option) = OptionName::lookup_with(name, ctx.options.legacy_syntax()) else {
        if name.starts_with('$') {
            return Err(fail_at(i, ParseErrorKind::UnknownOption(name.to_owned())));
        }
        return fail_expected(i, Expected::NestedOption);
    };
    if !place.allows(option) {
        let kind = ParseErrorKind::OptionNotAllowed(option.canonical().to_owned());
        return Err(fail_at(i, kind));
    }
    if *seen & option.bit() != 0 {
        let kind = ParseErrorKind::DuplicateOption(option.canonical().to_owned());
        return Err(fail_at(i, kind));
    }
    *seen |= option.bit();
    let Some(value_at) = bws(after_name).strip_prefix('=') else {
        return fail_expected(bws(after_name), Expected::Token("="));
    };
    let value_at = bws(value_at);
    // Default mode: an empty list means the option is absent, as at the top level.
    let ends = value_at.is_empty()
        || value_at.starts_with(')')
        || (value_at.starts_with(';') && !ctx.is_escaped(value_at));
    if ctx.options.lenient() && option.empty_means_absent() && ends {
        return Ok((value_at, ()));
    }
    let (rest, value) = parse_option_value(ctx, value_at, option)?;
    value.store(option, query);
    Ok((rest, ()))
}

/// An unrecoverable error value at `at`.
pub(crate) fn fail_at(at: &str, kind: ParseErrorKind) -> nom::Err<PError<'_>> {
    nom::Err::Failure(PError { at, kind })
}

/// The value of a parameter alias: a `commonExpr` (which includes JSON arrays and objects).
pub(crate) fn alias_value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    super::expr::parse_common_expr(ctx, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_are_case_insensitive_with_optional_dollar() {
        assert_eq!(OptionName::lookup("$FILTER"), Some(OptionName::Filter));
        assert_eq!(OptionName::lookup("Top"), Some(OptionName::Top));
        assert_eq!(
            OptionName::lookup("$skiptoken"),
            Some(OptionName::SkipToken)
        );
        assert_eq!(OptionName::lookup("skiptoken"), None);
        assert_eq!(OptionName::lookup("$frob"), None);
        assert_eq!(
            OptionName::lookup("$schemaVersion"),
            Some(OptionName::SchemaVersion)
        );
        assert_eq!(OptionName::lookup("$schemaversions"), None);
        assert_eq!(
            OptionName::lookup("$DeltaToken"),
            Some(OptionName::DeltaToken)
        );
        assert_eq!(OptionName::lookup("deltatoken"), None);
        assert_eq!(OptionName::lookup("$"), None);
        assert_eq!(OptionName::lookup("$fi\u{e9}ter"), None);
        for option in OptionName::ALL {
            assert_eq!(
                OptionName::lookup_with(option.canonical(), true),
                Some(option)
            );
        }
        assert_eq!(OptionName::lookup("$inlinecount"), None);
        assert_eq!(OptionName::lookup("at"), None);
        assert_eq!(
            OptionName::lookup("$TOINCLUSIVE"),
            Some(OptionName::ToInclusive)
        );
        assert_eq!(OptionName::suggest("$filtr"), Some("$filter"));
    }

    fn parse_with(
        option: OptionName,
        text: &str,
        options: &super::super::ParseOptions,
    ) -> Result<OptionValue, crate::ParseError> {
        super::super::parse_decoded(text, text, 0, option.canonical(), options, |ctx, i| {
            parse_option_value(ctx, i, option)
        })
    }

    #[test]
    fn limits_on_top_and_expand_items() {
        let mut options = super::super::ParseOptions::default();
        options.limits.max_top = Some(10);
        options.limits.max_expand_items = 2;
        assert!(parse_with(OptionName::Top, "10", &options).is_ok());
        let error = parse_with(OptionName::Top, "11", &options).unwrap_err();
        assert!(matches!(
            error.kind,
            ParseErrorKind::LimitExceeded {
                limit: Limit::Top,
                max: 10
            }
        ));
        assert!(parse_with(OptionName::Expand, "a,b($expand=c,d)", &options).is_ok());
        let error = parse_with(OptionName::Expand, "a,b($expand=c,d,e)", &options).unwrap_err();
        assert_eq!(error.offset, 16);
        assert!(matches!(
            error.kind,
            ParseErrorKind::LimitExceeded {
                limit: Limit::ExpandItems,
                ..
            }
        ));
    }

    #[test]
    fn small_values() {
        assert_eq!(levels("max", false).unwrap().1, Levels::Max);
        assert_eq!(levels("12", false).unwrap().1, Levels::Number(12));
        assert!(levels("04", true).is_err());
        assert!(levels("0", false).is_err());
        assert_eq!(levels("0", true).unwrap().1, Levels::Number(0));
        assert_eq!(index("-42").unwrap().1, -42);
        assert!(index("x").is_err());
        assert!(boolean("TRUE").unwrap().1);
    }
}
