//! Query options: the [`Query`] struct and the items of its list options.

use std::fmt::{self, Display, Formatter};

#[cfg(feature = "serde")]
use serde::Serialize;

use super::{write_list, write_url_text};
use super::{Expr, Name, Transformation};

/// A whole query string (`$filter=...&$top=5&@p=1&custom=x`), or one nested option list
/// (`files($filter=...;$top=5)`).
///
/// Absent options are `None` or empty vectors. List options (`$orderby`, `$select`, ...)
/// are never empty when present: the grammar needs at least one item.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Query {
    /// `$apply=filter(...)/groupby(...)`: transformations, applied in order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub apply: Vec<Transformation>,
    /// `$compute=price mul qty as total,...`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub compute: Vec<ComputeItem>,
    /// `$search=blue OR green`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub search: Option<Search>,
    /// `$filter=size gt 1000000`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub filter: Option<Expr>,
    /// `$count=true` (case-insensitive `true`/`false`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub count: Option<bool>,
    /// `$orderby=uploadedDateTime desc,name`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub orderby: Vec<OrderByItem>,
    /// `$skip=10`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub skip: Option<u64>,
    /// `$top=5`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub top: Option<u64>,
    /// `$expand=files($filter=...),owner`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub expand: Vec<ExpandItem>,
    /// `$select=id,name,address/city`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub select: Vec<SelectItem>,
    /// `$levels=2`, `$levels=max`, or (default mode) `$levels=0` for no further levels;
    /// only inside `$expand(...)`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub levels: Option<Levels>,
    /// `$format=json`: `atom`, `xml`, a media type such as
    /// `application/json;odata.metadata=none`, or any service-specific value (`html`,
    /// `workbook`); `json`, `atom` and `xml` are stored in lower case.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub format: Option<String>,
    /// `$index=-1`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub index: Option<i64>,
    /// `$schemaversion=2.0` or `$schemaversion=*`
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub schemaversion: Option<String>,
    /// `$skiptoken=...`: opaque continuation token (decoded text).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub skiptoken: Option<String>,
    /// `$deltatoken=...`: opaque delta token (decoded text).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub deltatoken: Option<String>,
    /// `$id=Products(1)`: an entity id (decoded IRI text).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub id: Option<String>,
    /// `$at`, `$from`, `$to`, `$toInclusive` (OData Temporal extension); boxed, as they are
    /// rare and `Query` is moved and nested often.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub temporal: Option<Box<Temporal>>,
    /// `@p=5`: parameter alias definitions, in input order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub aliases: Vec<AliasDefinition>,
    /// `debug=1`, `name` (no `=`): custom options and non-system names, in input order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub custom: Vec<CustomOption>,
}

/// `@name=value`: a parameter alias and its value (a `commonExpr` or a JSON array/object).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct AliasDefinition {
    /// The name without the leading `@`.
    pub name: String,
    /// The value, an expression evaluated where the alias is used.
    pub value: Expr,
}

/// `name=value` or `name`: an option that is not a system option or an alias.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct CustomOption {
    /// The decoded name, as given (custom names are case-sensitive).
    pub name: String,
    /// The decoded value; `None` when the option has no `=`.
    pub value: Option<String>,
}

/// The temporal options of a query (OData Temporal extension); at least one is set.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Temporal {
    /// `$at=2026-01-01`: the point in time of the request.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub at: Option<TemporalValue>,
    /// `$from=2025-01-01`: the start of a time period.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub from: Option<TemporalValue>,
    /// `$to=2026-01-01`: the exclusive end of a time period.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub to: Option<TemporalValue>,
    /// `$toInclusive=2025-12-31`: the inclusive end of a time period.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub to_inclusive: Option<TemporalValue>,
}

/// The value of a temporal option (`$at`, `$from`, `$to`, `$toInclusive`): `temporalExpr`
/// of the OData Temporal ABNF.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum TemporalValue {
    /// `min` (case-insensitive): the earliest point in time.
    Min,
    /// `max` (case-insensitive): the latest point in time.
    Max,
    /// An expression giving a date or date-time: `2026-01-01`, `2026-01-01T10:00:00Z`,
    /// `@alias`, `@eh/From`.
    Expr(Expr),
}

/// `$levels=N` or `$levels=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Levels {
    /// `$levels=3`: a number of levels (0, no further levels, only in default mode).
    Number(u32),
    /// `$levels=max` (case-insensitive).
    Max,
}

/// `expr [asc|desc]`: one `$orderby` key.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct OrderByItem {
    /// The sort key.
    pub expr: Expr,
    /// `asc` (the default) or `desc`.
    pub direction: SortDirection,
}

/// `asc` or `desc` (case-insensitive in 4.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum SortDirection {
    /// `asc`, the default: nulls first.
    #[default]
    Asc,
    /// `desc`: nulls last.
    Desc,
}

/// `expr as name`: one `$compute` item (also `compute(...)` in `$apply`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ComputeItem {
    /// The computed expression.
    pub expr: Expr,
    /// The name of the computed property.
    pub alias: String,
}

/// A `$search` expression. `AND` binds tighter than `OR`; juxtaposition is `AND`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Search {
    /// `blue`: a search word.
    Term(String),
    /// `"blue green"`: a phrase in double quotes (decoded, without the quotes).
    Phrase(String),
    /// `'blu'`: an incomplete expression sent as a single-quoted string (type-ahead);
    /// the content, with `''` undoubled.
    Incomplete(String),
    /// `NOT blue`
    Not(Box<Search>),
    /// `blue AND green`, or `blue green`
    And(Box<Search>, Box<Search>),
    /// `blue OR green`
    Or(Box<Search>, Box<Search>),
}

/// One `$select` item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum SelectItem {
    /// `*`: all structural properties.
    Star,
    /// `Namespace.*`: all operations of a schema; holds the namespace.
    AllOperations(String),
    /// `name`, `address/city`, `Ns.Type/name`, `Ns.Action`, `addresses($filter=...;$top=2)`.
    Path {
        /// The path segments, at least one.
        segments: Vec<PathSegment>,
        /// Nested options in parentheses after the path (4.01), if any.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        options: Option<Box<Query>>,
    },
}

/// A segment of a `$select` or `$expand` path.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum PathSegment {
    /// `name`: a (structural or navigation) property.
    Property(Name),
    /// `Namespace.Type`: a type cast, followed by more segments.
    TypeCast(Name),
    /// `@Namespace.term#qualifier`: an annotation.
    Annotation(Annotation),
    /// `Namespace.Operation` or `Namespace.Function(p1,p2)` at the end of a `$select` path.
    Operation {
        /// The qualified operation name.
        name: Name,
        /// The parameter names in parentheses, if given.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        parameters: Option<Vec<String>>,
    },
}

/// `@Namespace.term#qualifier` (in URLs the `#` is written `%23`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Annotation {
    /// The term, qualified or not (`Core.Description`, `odata.type`).
    pub term: String,
    /// The qualifier after `#`, if any.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub qualifier: Option<String>,
}

/// One `$expand` item: `files($filter=...;$top=3)`, `owner/$ref`, `files/$count`, `*`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ExpandItem {
    /// What is expanded.
    pub path: ExpandPath,
    /// Whether the entities, their references (`/$ref`) or their count (`/$count`) are expanded.
    pub kind: ExpandKind,
    /// Nested options (`$filter`, `$orderby`, `$levels`, ...); empty when there are none.
    pub options: Box<Query>,
}

/// The target of an expand item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum ExpandPath {
    /// `*`: every navigation property.
    Star,
    /// `$value`: the media stream.
    Value,
    /// `files`, `Ns.Type/files`, `address/owner`, `files/Ns.Derived`.
    Path(Vec<PathSegment>),
}

/// What an expand item returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum ExpandKind {
    /// `files`: the related entities.
    #[default]
    Entities,
    /// `files/$ref`: entity references only.
    Ref,
    /// `files/$count`: the number of related entities.
    Count,
}

impl Query {
    /// True when no option is set.
    pub fn is_empty(&self) -> bool {
        self == &Query::default()
    }

    /// Writes the options separated by `separator` (`&` at the top level, `;` when nested).
    fn write_options(&self, f: &mut Formatter<'_>, separator: &str) -> fmt::Result {
        let mut first = true;
        let mut sep = |f: &mut Formatter<'_>| {
            if first {
                first = false;
                Ok(())
            } else {
                f.write_str(separator)
            }
        };
        if !self.apply.is_empty() {
            sep(f)?;
            f.write_str("$apply=")?;
            write_list(f, &self.apply, "/")?;
        }
        if !self.compute.is_empty() {
            sep(f)?;
            f.write_str("$compute=")?;
            write_list(f, &self.compute, ",")?;
        }
        if let Some(search) = &self.search {
            sep(f)?;
            write!(f, "$search={search}")?;
        }
        if let Some(filter) = &self.filter {
            sep(f)?;
            write!(f, "$filter={filter}")?;
        }
        if let Some(count) = self.count {
            sep(f)?;
            write!(f, "$count={count}")?;
        }
        if !self.orderby.is_empty() {
            sep(f)?;
            f.write_str("$orderby=")?;
            write_list(f, &self.orderby, ",")?;
        }
        if let Some(skip) = self.skip {
            sep(f)?;
            write!(f, "$skip={skip}")?;
        }
        if let Some(top) = self.top {
            sep(f)?;
            write!(f, "$top={top}")?;
        }
        if !self.expand.is_empty() {
            sep(f)?;
            f.write_str("$expand=")?;
            write_list(f, &self.expand, ",")?;
        }
        if !self.select.is_empty() {
            sep(f)?;
            f.write_str("$select=")?;
            write_list(f, &self.select, ",")?;
        }
        if let Some(levels) = self.levels {
            sep(f)?;
            write!(f, "$levels={levels}")?;
        }
        let texts = [
            ("$format=", &self.format),
            ("$schemaversion=", &self.schemaversion),
            ("$skiptoken=", &self.skiptoken),
            ("$deltatoken=", &self.deltatoken),
            ("$id=", &self.id),
        ];
        if let Some(index) = self.index {
            sep(f)?;
            write!(f, "$index={index}")?;
        }
        for (name, value) in texts {
            if let Some(value) = value {
                sep(f)?;
                f.write_str(name)?;
                write_url_text(f, value)?;
            }
        }
        if let Some(temporal) = &self.temporal {
            let options = [
                ("$at=", &temporal.at),
                ("$from=", &temporal.from),
                ("$to=", &temporal.to),
                ("$toInclusive=", &temporal.to_inclusive),
            ];
            for (name, value) in options {
                if let Some(value) = value {
                    sep(f)?;
                    write!(f, "{name}{value}")?;
                }
            }
        }
        for alias in &self.aliases {
            sep(f)?;
            write!(f, "@{}={}", alias.name, alias.value)?;
        }
        for custom in &self.custom {
            sep(f)?;
            // A `=` in the name (decoded from `%3D`) would end it: keep it encoded. So is a
            // leading `?`, which default mode skips at the start of a query.
            let name = match custom.name.strip_prefix('?') {
                Some(rest) => {
                    f.write_str("%3F")?;
                    rest
                }
                None => &custom.name,
            };
            for (i, part) in name.split('=').enumerate() {
                if i > 0 {
                    f.write_str("%3D")?;
                }
                write_url_text(f, part)?;
            }
            if let Some(value) = &custom.value {
                f.write_str("=")?;
                write_url_text(f, value)?;
            }
        }
        Ok(())
    }
}

/// The canonical query string: options joined with `&`.
impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.write_options(f, "&")
    }
}

/// Writes `(opt;opt)` for a nested option list, or nothing when it is empty.
pub(super) fn write_nested(f: &mut Formatter<'_>, options: &Query) -> fmt::Result {
    if options.is_empty() {
        return Ok(());
    }
    f.write_str("(")?;
    options.write_options(f, ";")?;
    f.write_str(")")
}

impl Display for TemporalValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TemporalValue::Min => f.write_str("min"),
            TemporalValue::Max => f.write_str("max"),
            // A property named `min` or `max` would read as the keyword: parentheses keep it
            // a property.
            TemporalValue::Expr(expr @ Expr::Path(path))
                if path.root == super::PathRoot::Implicit
                    && matches!(path.segments.as_slice(), [super::Segment::Property(name)]
                        if name.eq_ignore_ascii_case("min") || name.eq_ignore_ascii_case("max")) =>
            {
                write!(f, "({expr})")
            }
            TemporalValue::Expr(expr) => expr.fmt(f),
        }
    }
}

impl Display for Levels {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Levels::Number(n) => write!(f, "{n}"),
            Levels::Max => f.write_str("max"),
        }
    }
}

impl Display for OrderByItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        if self.direction == SortDirection::Desc {
            f.write_str(" desc")?;
        }
        Ok(())
    }
}

impl Display for ComputeItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} as {}", self.expr, self.alias)
    }
}

impl Search {
    /// 1 for `OR`, 2 for `AND`, 3 for `NOT` and atoms.
    fn precedence(&self) -> u8 {
        match self {
            Search::Or(..) => 1,
            Search::And(..) => 2,
            _ => 3,
        }
    }

    fn write_operand(&self, f: &mut Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            self.fmt(f)
        }
    }
}

impl Display for Search {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            // The word `NOT` followed by an operand would read as the operator: a group
            // keeps it a word.
            Search::Term(word) if word == "NOT" => f.write_str("(NOT)"),
            Search::Term(word) => {
                // A literal `;` ends a word (it separates nested options); `%3B` does not.
                for (i, part) in word.split(';').enumerate() {
                    if i > 0 {
                        f.write_str("%3B")?;
                    }
                    write_url_text(f, part)?;
                }
                Ok(())
            }
            Search::Phrase(text) => {
                f.write_str("\"")?;
                write_url_text(f, text)?;
                f.write_str("\"")
            }
            Search::Incomplete(text) => {
                f.write_str("'")?;
                write_url_text(f, &text.replace('\'', "''"))?;
                f.write_str("'")
            }
            Search::Not(inner) => {
                f.write_str("NOT ")?;
                inner.write_operand(f, 3)
            }
            Search::And(left, right) => {
                left.write_operand(f, 2)?;
                f.write_str(" AND ")?;
                right.write_operand(f, 3)
            }
            Search::Or(left, right) => {
                left.write_operand(f, 1)?;
                f.write_str(" OR ")?;
                right.write_operand(f, 2)
            }
        }
    }
}

impl Display for SelectItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SelectItem::Star => f.write_str("*"),
            SelectItem::AllOperations(namespace) => write!(f, "{namespace}.*"),
            SelectItem::Path { segments, options } => {
                write_list(f, segments, "/")?;
                // Empty options print as none: `a()` is not valid text.
                if let Some(options) = options.as_ref().filter(|options| !options.is_empty()) {
                    f.write_str("(")?;
                    options.write_options(f, ";")?;
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for PathSegment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Property(name) | PathSegment::TypeCast(name) => f.write_str(name),
            PathSegment::Annotation(annotation) => annotation.fmt(f),
            PathSegment::Operation { name, parameters } => {
                f.write_str(name)?;
                if let Some(parameters) = parameters {
                    f.write_str("(")?;
                    write_list(f, parameters, ",")?;
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Annotation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.term)?;
        if let Some(qualifier) = &self.qualifier {
            write!(f, "%23{qualifier}")?;
        }
        Ok(())
    }
}

impl Display for ExpandItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.path {
            ExpandPath::Star => f.write_str("*")?,
            ExpandPath::Value => f.write_str("$value")?,
            ExpandPath::Path(segments) => write_list(f, segments, "/")?,
        }
        match self.kind {
            ExpandKind::Entities => {}
            ExpandKind::Ref => f.write_str("/$ref")?,
            ExpandKind::Count => f.write_str("/$count")?,
        }
        write_nested(f, &self.options)
    }
}
