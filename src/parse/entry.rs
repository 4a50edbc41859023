//! The public entry points: [`Query::parse`] and its variants, the per-option parsers
//! (`parse_filter`, ...), and [`parse_rule`] with its [`Rule`] and [`Parsed`].

use crate::ast::Transformation;
use crate::ast::{ComputeItem, ExpandItem, Expr, OrderByItem, Query, Search, SelectItem};
use crate::error::ParseError;

use super::{apply, check_length, expr, options, parse_decoded, query, search, ParseOptions};

/// Which grammar rule to parse a text with (the `--rule` of `odq parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A whole query string.
    Query,
    /// A `$filter` value.
    Filter,
    /// An `$orderby` value.
    OrderBy,
    /// An `$expand` value.
    Expand,
    /// A `$select` value.
    Select,
    /// A `$search` value.
    Search,
    /// A `$compute` value.
    Compute,
    /// An `$apply` value.
    Apply,
    /// Any expression (`commonExpr`), e.g. a literal.
    Expr,
}

impl Rule {
    /// Every rule, for the CLI.
    pub const ALL: [Rule; 9] = [
        Rule::Query,
        Rule::Filter,
        Rule::OrderBy,
        Rule::Expand,
        Rule::Select,
        Rule::Search,
        Rule::Compute,
        Rule::Apply,
        Rule::Expr,
    ];

    /// The rule's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Query => "query",
            Rule::Filter => "filter",
            Rule::OrderBy => "orderby",
            Rule::Expand => "expand",
            Rule::Select => "select",
            Rule::Search => "search",
            Rule::Compute => "compute",
            Rule::Apply => "apply",
            Rule::Expr => "expr",
        }
    }

    /// The option name used in errors.
    fn option_name(self) -> &'static str {
        match self {
            Rule::Query => "query",
            Rule::Filter => "$filter",
            Rule::OrderBy => "$orderby",
            Rule::Expand => "$expand",
            Rule::Select => "$select",
            Rule::Search => "$search",
            Rule::Compute => "$compute",
            Rule::Apply => "$apply",
            Rule::Expr => "expression",
        }
    }
}

/// The result of [`parse_rule`]: the node for the rule parsed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum Parsed {
    /// A whole query (boxed: it is much larger than the other variants).
    Query(Box<Query>),
    /// A `$filter` value or an expression.
    Expr(Expr),
    /// An `$orderby` value.
    OrderBy(Vec<OrderByItem>),
    /// An `$expand` value.
    Expand(Vec<ExpandItem>),
    /// A `$select` value.
    Select(Vec<SelectItem>),
    /// A `$search` value.
    Search(Search),
    /// A `$compute` value.
    Compute(Vec<ComputeItem>),
    /// An `$apply` value.
    Apply(Vec<Transformation>),
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list<T: std::fmt::Display>(
            f: &mut std::fmt::Formatter<'_>,
            items: &[T],
            separator: &str,
        ) -> std::fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(separator)?;
                }
                item.fmt(f)?;
            }
            Ok(())
        }
        match self {
            Parsed::Query(query) => query.fmt(f),
            Parsed::Expr(expr) => expr.fmt(f),
            Parsed::OrderBy(items) => list(f, items, ","),
            Parsed::Expand(items) => list(f, items, ","),
            Parsed::Select(items) => list(f, items, ","),
            Parsed::Search(search) => search.fmt(f),
            Parsed::Compute(items) => list(f, items, ","),
            Parsed::Apply(items) => list(f, items, "/"),
        }
    }
}

impl Parsed {
    /// The URL form of the canonical text (see [`crate::ast::UrlForm`]).
    pub fn url(&self) -> crate::ast::UrlForm<&Parsed> {
        crate::ast::UrlForm(self)
    }
}

/// Parses raw URL `text` with `rule`. For option rules, `text` is the option's value.
///
/// ```
/// use odata_query::{parse_rule, ParseOptions, Parsed, Rule};
///
/// let parsed = parse_rule(Rule::OrderBy, "name desc,size", &ParseOptions::default())?;
/// assert!(matches!(&parsed, Parsed::OrderBy(items) if items.len() == 2));
/// assert_eq!(parsed.to_string(), "name desc,size");
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_rule(rule: Rule, text: &str, options: &ParseOptions) -> Result<Parsed, ParseError> {
    if rule == Rule::Query {
        return query::parse_query(text, options).map(|query| Parsed::Query(Box::new(query)));
    }
    check_length(text, options)?;
    let name = rule.option_name();
    match rule {
        Rule::Query => unreachable!("handled above"),
        Rule::Filter | Rule::Expr => {
            parse_decoded(text, text, 0, name, options, expr::parse_filter_value).map(Parsed::Expr)
        }
        Rule::OrderBy => {
            parse_decoded(text, text, 0, name, options, options::parse_orderby).map(Parsed::OrderBy)
        }
        Rule::Expand => {
            parse_decoded(text, text, 0, name, options, options::parse_expand).map(Parsed::Expand)
        }
        Rule::Select => {
            parse_decoded(text, text, 0, name, options, options::parse_select).map(Parsed::Select)
        }
        Rule::Search => {
            parse_decoded(text, text, 0, name, options, search::parse_search).map(Parsed::Search)
        }
        Rule::Compute => {
            parse_decoded(text, text, 0, name, options, options::parse_compute).map(Parsed::Compute)
        }
        Rule::Apply => {
            parse_decoded(text, text, 0, name, options, apply::parse_apply).map(Parsed::Apply)
        }
    }
}

/// Parses a `$filter` value (raw URL text) with default options.
///
/// ```
/// use odata_query::ast::{BinaryOp, Expr};
///
/// let filter = odata_query::parse_filter("size gt 1000000 and contains(name,'csv')")?;
/// assert!(matches!(filter, Expr::Binary { op: BinaryOp::And, .. }));
/// assert_eq!(filter.to_string(), "size gt 1000000 and contains(name,'csv')");
///
/// let error = odata_query::parse_filter("size gtt 5").unwrap_err();
/// assert_eq!(error.offset, 5);
/// assert_eq!(error.suggestion.as_deref(), Some("gt"));
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_filter(text: &str) -> Result<Expr, ParseError> {
    match parse_rule(Rule::Filter, text, &ParseOptions::default())? {
        Parsed::Expr(expr) => Ok(expr),
        _ => unreachable!("the filter rule yields an expression"),
    }
}

/// Parses an `$orderby` value (raw URL text) with default options.
///
/// ```
/// use odata_query::ast::SortDirection;
///
/// let items = odata_query::parse_orderby("uploadedDateTime desc,name")?;
/// assert_eq!(items[0].direction, SortDirection::Desc);
/// assert_eq!(items[1].direction, SortDirection::Asc);
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_orderby(text: &str) -> Result<Vec<OrderByItem>, ParseError> {
    match parse_rule(Rule::OrderBy, text, &ParseOptions::default())? {
        Parsed::OrderBy(items) => Ok(items),
        _ => unreachable!("the orderby rule yields order-by items"),
    }
}

/// Parses an `$expand` value (raw URL text) with default options.
///
/// ```
/// let items = odata_query::parse_expand("files($filter=size gt 1000000;$top=2),owner")?;
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0].options.top, Some(2));
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_expand(text: &str) -> Result<Vec<ExpandItem>, ParseError> {
    match parse_rule(Rule::Expand, text, &ParseOptions::default())? {
        Parsed::Expand(items) => Ok(items),
        _ => unreachable!("the expand rule yields expand items"),
    }
}

/// Parses a `$select` value (raw URL text) with default options.
///
/// ```
/// let items = odata_query::parse_select("id,stats/filesUploaded,*")?;
/// assert_eq!(items.len(), 3);
/// assert!(odata_query::parse_select("toupper(name)").is_err());
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_select(text: &str) -> Result<Vec<SelectItem>, ParseError> {
    match parse_rule(Rule::Select, text, &ParseOptions::default())? {
        Parsed::Select(items) => Ok(items),
        _ => unreachable!("the select rule yields select items"),
    }
}

/// Parses a `$search` value (raw URL text) with default options.
///
/// ```
/// use odata_query::ast::Search;
///
/// let search = odata_query::parse_search("blue OR \"light green\" NOT red")?;
/// assert!(matches!(search, Search::Or(..)));
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_search(text: &str) -> Result<Search, ParseError> {
    match parse_rule(Rule::Search, text, &ParseOptions::default())? {
        Parsed::Search(search) => Ok(search),
        _ => unreachable!("the search rule yields a search expression"),
    }
}

/// Parses a `$compute` value (raw URL text) with default options.
///
/// ```
/// let items = odata_query::parse_compute("size div 1024 as kb,year(createdDateTime) as y")?;
/// assert_eq!(items[0].alias, "kb");
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_compute(text: &str) -> Result<Vec<ComputeItem>, ParseError> {
    match parse_rule(Rule::Compute, text, &ParseOptions::default())? {
        Parsed::Compute(items) => Ok(items),
        _ => unreachable!("the compute rule yields compute items"),
    }
}

/// Parses an `$apply` value (raw URL text) with default options.
///
/// ```
/// use odata_query::ast::Transformation;
///
/// let steps = odata_query::parse_apply("filter(size gt 0)/groupby((status),aggregate(size with sum as total))")?;
/// assert!(matches!(steps[1], Transformation::GroupBy { .. }));
/// # Ok::<(), odata_query::ParseError>(())
/// ```
pub fn parse_apply(text: &str) -> Result<Vec<Transformation>, ParseError> {
    match parse_rule(Rule::Apply, text, &ParseOptions::default())? {
        Parsed::Apply(items) => Ok(items),
        _ => unreachable!("the apply rule yields transformations"),
    }
}

impl Query {
    /// Parses a raw query string (the part after `?`; a leading `?` is skipped in default
    /// mode) with default options. For a whole URL or request line, see [`Query::parse_url`].
    ///
    /// ```
    /// use odata_query::Query;
    ///
    /// let query = Query::parse("$filter=status eq 'failed'&$top=5&$count=true&@p=1&debug=on")?;
    /// assert_eq!(query.top, Some(5));
    /// assert_eq!(query.count, Some(true));
    /// assert_eq!(query.aliases[0].name, "p");
    /// assert_eq!(query.custom[0].name, "debug");
    ///
    /// let error = Query::parse("$filtr=a eq 1").unwrap_err();
    /// assert_eq!(error.suggestion.as_deref(), Some("$filter"));
    /// # Ok::<(), odata_query::ParseError>(())
    /// ```
    pub fn parse(raw: &str) -> Result<Query, ParseError> {
        query::parse_query(raw, &ParseOptions::default())
    }

    /// Parses a raw query string with the given options.
    ///
    /// ```
    /// use odata_query::limits::Limit;
    /// use odata_query::{ParseErrorKind, ParseOptions, Query};
    ///
    /// let mut options = ParseOptions::default();
    /// options.limits.max_top = Some(100);
    /// let error = Query::parse_with("$top=500", &options).unwrap_err();
    /// assert!(matches!(error.kind, ParseErrorKind::LimitExceeded { limit: Limit::Top, .. }));
    /// ```
    pub fn parse_with(raw: &str, options: &ParseOptions) -> Result<Query, ParseError> {
        query::parse_query(raw, options)
    }

    /// Parses the query part of a URL, with default options. `text` may be a whole URL
    /// (`https://host/svc/People?$top=1`), a relative one (`/People?$top=1`,
    /// `People('x')?$top=1`), an HTTP request line (`GET /People?$top=1 HTTP/1.1`), or a
    /// query string (`$top=1`, `?$top=1`). The fragment (`#...`) is ignored; error offsets
    /// are into `text`.
    ///
    /// ```
    /// let query = odata_query::Query::parse_url("GET /People?$top=1&$select=Name HTTP/1.1")?;
    /// assert_eq!(query.to_string(), "$top=1&$select=Name");
    /// # Ok::<(), odata_query::ParseError>(())
    /// ```
    pub fn parse_url(text: &str) -> Result<Query, ParseError> {
        Query::parse_url_with(text, &ParseOptions::default())
    }

    /// [`Query::parse_url`] with the given options.
    ///
    /// ```
    /// use odata_query::{ParseOptions, Query};
    ///
    /// let url = "https://graph.example/v1.0/users?$filter=startswith(displayName,'a')";
    /// let query = Query::parse_url_with(url, &ParseOptions::strict())?;
    /// assert!(query.filter.is_some());
    /// # Ok::<(), odata_query::ParseError>(())
    /// ```
    pub fn parse_url_with(text: &str, options: &ParseOptions) -> Result<Query, ParseError> {
        let (start, end) = query::locate_query(text);
        query::parse_query_in(text, start, end, options)
    }

    /// Builds a query from `(name, value)` pairs that a web framework has already
    /// percent-decoded. Nothing is decoded again; error offsets are into the value.
    ///
    /// ```
    /// use odata_query::{ParseOptions, Query};
    ///
    /// // A `%` or `+` in a decoded value is just a character.
    /// let query = Query::from_pairs([("$filter", "name eq '50% + tax'")], &ParseOptions::default())?;
    /// assert_eq!(query.to_url_string(), "$filter=name%20eq%20'50%25%20%2B%20tax'");
    /// # Ok::<(), odata_query::ParseError>(())
    /// ```
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
        options: &ParseOptions,
    ) -> Result<Query, ParseError> {
        query::parse_pairs(pairs, options)
    }
}

impl std::str::FromStr for Query {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Query, ParseError> {
        Query::parse(raw)
    }
}
