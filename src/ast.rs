//! The abstract syntax tree: the contract between the parser and the evaluator.
//!
//! Every node is owned (no lifetimes) and documented with the syntax it stands for.
//! [`std::fmt::Display`] prints the canonical query text; parsing that text gives back an
//! equal tree (a property test pins this). Canonical text:
//! - system options print with `$`, lower case, in the order of [`Query`]'s fields;
//! - operators and keywords print in lower case, with the fewest parentheses the
//!   precedence table allows;
//! - characters that would be misread when the text is parsed again as raw URL text
//!   (`%`, `&`, `#`, `+`) are percent-encoded inside literals; everything else prints as is.
//!
//! Design notes:
//! - Numeric and temporal literals keep their source text (validated), so nothing is lost
//!   to `f64` and offsets are never normalised; the evaluator converts them once at compile time.
//! - One [`Query`] struct serves the top level and every nested option list
//!   (`$expand=files(...)`, `$select=addresses(...)`, `$count(...)`); the parser sets only
//!   the fields the grammar allows in each place.
//! - Binary operators are one enum with [`BinaryOp::precedence`]; the parser and `Display`
//!   both use that table.

use std::fmt::{self, Display, Formatter, Write as _};

#[cfg(feature = "serde")]
use serde::Serialize;

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
    /// `$levels=2` or `$levels=max` (only inside `$expand(...)`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub levels: Option<Levels>,
    /// `$format=json` (`atom`, `xml`, or a media type such as `application/json;odata.metadata=none`).
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

/// `$levels=N` or `$levels=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum Levels {
    /// `$levels=3`: a positive number of levels.
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
pub enum PathSegment {
    /// `name`: a (structural or navigation) property.
    Property(String),
    /// `Namespace.Type`: a type cast, followed by more segments.
    TypeCast(String),
    /// `@Namespace.term#qualifier`: an annotation.
    Annotation(Annotation),
    /// `Namespace.Operation` or `Namespace.Function(p1,p2)` at the end of a `$select` path.
    Operation {
        /// The qualified operation name.
        name: String,
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

/// An expression (`$filter`, `$orderby` keys, `$compute`, alias values, arguments).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum Expr {
    /// `null`, `true`, `42`, `'text'`, `2026-01-01T00:00:00Z`, ...
    Literal(Literal),
    /// `@p`: a parameter alias standing for a value.
    Alias(String),
    /// `name`, `stats/filesUploaded`, `$it/name`, `f/size`, `files/$count`,
    /// `files/any(f: f/size gt 1)`, `Ns.Func(x=1)/name`, `$root/People('x')/name`.
    Path(MemberPath),
    /// `contains(name,'x')`: a canonical (built-in) function call.
    Call {
        /// The function.
        function: Function,
        /// The arguments, as many as [`Function::arity`] allows.
        args: Vec<Expr>,
    },
    /// `cast(expr, Edm.Int32)` or `cast(Edm.Int32)` (the current instance).
    Cast {
        /// The value cast; `None` casts `$this`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        expr: Option<Box<Expr>>,
        /// The target type (`Edm.String`, `Ns.Type`, `Collection(Edm.Int32)`).
        type_name: String,
    },
    /// `isof(expr, Ns.Type)` or `isof(Ns.Type)`.
    IsOf {
        /// The value tested; `None` tests `$this`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        expr: Option<Box<Expr>>,
        /// The type tested for.
        type_name: String,
    },
    /// `case(cond1:value1,cond2:value2,true:other)`.
    Case(Vec<CaseArm>),
    /// `not expr` or `-expr`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right` for every binary operator, including `in` and `has`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `(1,2,3)`: a parenthesised list, the right operand of `in`.
    List(Vec<Expr>),
    /// `[FirstName,'x',1]`: a JSON array in the URL with at least one element that is not
    /// a JSON constant (constant arrays are [`Literal::Json`]). A JSON string element is
    /// a [`Literal::String`].
    Array(Vec<Expr>),
    /// `{"name":Customer/Name}`: a JSON object in the URL with at least one member that is
    /// not a JSON constant (constant objects are [`Literal::Json`]).
    Object(Vec<JsonMember>),
}

/// `"name":value` in an [`Expr::Object`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct JsonMember {
    /// The member name (decoded).
    pub name: String,
    /// The member value.
    pub value: Expr,
}

/// `condition:value` in `case(...)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct CaseArm {
    /// A Boolean expression.
    pub condition: Expr,
    /// The result when `condition` is the first true one.
    pub value: Expr,
}

/// A member path: a start (`$it`, a lambda variable, ...) and segments.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct MemberPath {
    /// Where the path starts.
    pub root: PathRoot,
    /// The segments after the root; empty for a bare `$it`, `$this` or lambda variable.
    pub segments: Vec<Segment>,
}

/// Where a [`MemberPath`] starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum PathRoot {
    /// No prefix: relative to the instance the option applies to (`name`).
    Implicit,
    /// `$it`: the instance of the outermost resource (the top-level item).
    It,
    /// `$this`: the instance the current (nested) option is evaluated on.
    This,
    /// `$root/`: the service root; the first segment names an entity set or singleton.
    Root,
    /// `f` in `files/any(f: f/size gt 1)`: a lambda variable in scope.
    Variable(String),
    /// `@p/name`: a parameter alias used as the start of a path.
    Alias(String),
    /// `$these`: the current input set of an `$apply` transformation (aggregation extension).
    These,
}

/// One segment of a [`MemberPath`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum Segment {
    /// `name`: a property or navigation property.
    Property(String),
    /// `Namespace.Type`: a type cast.
    TypeCast(String),
    /// `@Namespace.term#qualifier`: an annotation value.
    Annotation(Annotation),
    /// `('id')`, `(1)`, `(a=1,b='x')`: a key predicate (after `$root/Set` or a navigation).
    Key(Vec<KeyValue>),
    /// `/$filter(expr)`: the members of a collection that satisfy `expr`.
    Filter(Box<Expr>),
    /// `/$count`, or `/$count($filter=...;$search=...)`: the number of members.
    Count(Option<Box<Query>>),
    /// `/any(f: predicate)`, or `/any()` (`None`): true if some member satisfies the predicate.
    Any(Option<Lambda>),
    /// `/all(f: predicate)`: true if every member satisfies the predicate.
    All(Lambda),
    /// `/aggregate(Amount with sum)`: an aggregate of a collection (aggregation extension);
    /// the item has no alias.
    Aggregate(Box<AggregateItem>),
    /// `Namespace.Function(p=1,q=@a)`: a bound or unbound custom function call.
    Function {
        /// The qualified function name.
        name: String,
        /// The named arguments.
        args: Vec<NamedArg>,
    },
}

/// `variable: predicate` inside `any(...)`/`all(...)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Lambda {
    /// The lambda variable (case-sensitive).
    pub variable: String,
    /// The Boolean predicate, in which `variable` names the current member.
    pub predicate: Box<Expr>,
}

/// `name=value` in a key predicate; `name` is `None` for a single unnamed key `('x')`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct KeyValue {
    /// The key property name, if given.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub name: Option<String>,
    /// The key value (a literal or an alias).
    pub value: Expr,
}

/// `name=value` in a custom function call.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct NamedArg {
    /// The parameter name.
    pub name: String,
    /// The argument: an alias, a literal, an expression, or a JSON array/object.
    pub value: Expr,
}

/// A literal value. Numbers and temporal values keep their (validated) source text.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum Literal {
    /// `null`
    Null,
    /// `true`, `false` (case-insensitive).
    Boolean(bool),
    /// `42`, `-7`: an integer that fits Int64 (no fraction, no exponent).
    Int(i64),
    /// `2.55`, `-0.5`, or an integer too large for Int64: exact decimal text
    /// (no exponent, no leading `+`).
    Decimal(String),
    /// `1e7`, `-2.5E-3`, `INF`, `-INF`, `NaN`: a number with an exponent, or a special value;
    /// the text without a leading `+`.
    Double(String),
    /// `'O''Neil'`: the decoded content (`''` undoubled).
    String(String),
    /// `01234567-89ab-cdef-0123-456789abcdef`
    Guid(String),
    /// `2026-01-01`
    Date(String),
    /// `2026-01-01T10:00:00.1234567+02:00`: the text as written (offset kept).
    DateTimeOffset(String),
    /// `10:00:00.5`
    TimeOfDay(String),
    /// `duration'P1DT2H'` or `'P1DT2H'`: the text between the quotes.
    Duration(String),
    /// `binary'Zm9v'`: the decoded bytes.
    Binary(Vec<u8>),
    /// `Sales.Pattern'Yellow,Red'`: a qualified enum literal.
    Enum {
        /// The qualified enum type name.
        type_name: String,
        /// The members (names or integers) between the quotes, comma-separated.
        value: String,
    },
    /// `geography'SRID=4326;Point(1 2)'`
    Geo(GeoLiteral),
    /// `[1,2]`, `{"a":1}`: a JSON array or object.
    Json(serde_json::Value),
}

/// `geography'SRID=4326;Point(-122 47)'` or `geometry'...'`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct GeoLiteral {
    /// `geography` (true) or `geometry` (false).
    pub geography: bool,
    /// The `SRID=n;` prefix, if given.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub srid: Option<u32>,
    /// The shape.
    pub shape: GeoShape,
}

/// A well-known-text shape inside a geo literal.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum GeoShape {
    /// `Point(x y)`
    Point(Position),
    /// `LineString(x y,x y,...)`
    LineString(Vec<Position>),
    /// `Polygon((x y,...),(x y,...))`: rings.
    Polygon(Vec<Vec<Position>>),
    /// `MultiPoint((x y),(x y))`
    MultiPoint(Vec<Position>),
    /// `MultiLineString((x y,...),(...))`
    MultiLineString(Vec<Vec<Position>>),
    /// `MultiPolygon(((x y,...)),(...))`
    MultiPolygon(Vec<Vec<Vec<Position>>>),
    /// `GeometryCollection(Point(1 2),LineString(...))`
    Collection(Vec<GeoShape>),
}

/// `x y [z [m]]`: 2 to 4 coordinates, each kept as its number text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Position(pub Vec<String>);

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-` (arithmetic negation)
    Neg,
}

/// An infix operator. See [`BinaryOp::precedence`] for the table (URL §5.1.1.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `div`
    Div,
    /// `divby`
    DivBy,
    /// `mod`
    Mod,
    /// `has`: flag-enum membership.
    Has,
    /// `in`: list or collection membership.
    In,
}

/// Precedence of the unary operators `not` and `-` (between multiplicative and `has`/`in`).
pub const UNARY_PRECEDENCE: u8 = 7;

impl BinaryOp {
    /// Every binary operator, for tables and tests.
    pub const ALL: [BinaryOp; 16] = [
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::DivBy,
        BinaryOp::Mod,
        BinaryOp::Has,
        BinaryOp::In,
    ];

    /// Binding strength, higher binds tighter (URL §5.1.1.17): `or` 1, `and` 2, `eq ne` 3,
    /// `gt ge lt le` 4, `add sub` 5, `mul div divby mod` 6, unary `not -` 7 ([`UNARY_PRECEDENCE`]),
    /// `has in` 8. All binary operators associate to the left.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::DivBy | BinaryOp::Mod => 6,
            BinaryOp::Has | BinaryOp::In => 8,
        }
    }

    /// The keyword, in canonical lower case.
    pub fn keyword(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::DivBy => "divby",
            BinaryOp::Mod => "mod",
            BinaryOp::Has => "has",
            BinaryOp::In => "in",
        }
    }

    /// The operator for a keyword, compared case-insensitively (4.01).
    pub fn from_keyword(word: &str) -> Option<BinaryOp> {
        BinaryOp::ALL
            .into_iter()
            .find(|op| op.keyword().eq_ignore_ascii_case(word))
    }
}

/// A canonical (built-in) function. Names compare case-insensitively (4.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Function {
    /// `concat(a,b)`: strings or collections.
    Concat,
    /// `contains(haystack,needle)`
    Contains,
    /// `endswith(s,suffix)`
    EndsWith,
    /// `indexof(s,needle)`
    IndexOf,
    /// `length(s)`
    Length,
    /// `matchesPattern(s,'regex')` (ECMAScript syntax).
    MatchesPattern,
    /// `startswith(s,prefix)`
    StartsWith,
    /// `substring(s,start[,length])`
    Substring,
    /// `tolower(s)`
    ToLower,
    /// `toupper(s)`
    ToUpper,
    /// `trim(s)`
    Trim,
    /// `year(d)`
    Year,
    /// `month(d)`
    Month,
    /// `day(d)`
    Day,
    /// `hour(t)`
    Hour,
    /// `minute(t)`
    Minute,
    /// `second(t)`
    Second,
    /// `fractionalseconds(t)`
    FractionalSeconds,
    /// `totalseconds(duration)`
    TotalSeconds,
    /// `date(dto)`
    Date,
    /// `time(dto)`
    Time,
    /// `totaloffsetminutes(dto)`
    TotalOffsetMinutes,
    /// `mindatetime()`
    MinDateTime,
    /// `maxdatetime()`
    MaxDateTime,
    /// `now()`
    Now,
    /// `round(n)`: half away from zero.
    Round,
    /// `floor(n)`
    Floor,
    /// `ceiling(n)`
    Ceiling,
    /// `geo.distance(a,b)`
    GeoDistance,
    /// `geo.length(a)`
    GeoLength,
    /// `geo.intersects(point,polygon)`
    GeoIntersects,
    /// `hassubset(a,b)`
    HasSubset,
    /// `hassubsequence(a,b)`
    HasSubsequence,
    /// `isdefined(path)` (aggregation extension).
    IsDefined,
}

impl Function {
    /// Every canonical function, for lookup tables and tests.
    pub const ALL: [Function; 34] = [
        Function::Concat,
        Function::Contains,
        Function::EndsWith,
        Function::IndexOf,
        Function::Length,
        Function::MatchesPattern,
        Function::StartsWith,
        Function::Substring,
        Function::ToLower,
        Function::ToUpper,
        Function::Trim,
        Function::Year,
        Function::Month,
        Function::Day,
        Function::Hour,
        Function::Minute,
        Function::Second,
        Function::FractionalSeconds,
        Function::TotalSeconds,
        Function::Date,
        Function::Time,
        Function::TotalOffsetMinutes,
        Function::MinDateTime,
        Function::MaxDateTime,
        Function::Now,
        Function::Round,
        Function::Floor,
        Function::Ceiling,
        Function::GeoDistance,
        Function::GeoLength,
        Function::GeoIntersects,
        Function::HasSubset,
        Function::HasSubsequence,
        Function::IsDefined,
    ];

    /// The canonical spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Concat => "concat",
            Function::Contains => "contains",
            Function::EndsWith => "endswith",
            Function::IndexOf => "indexof",
            Function::Length => "length",
            Function::MatchesPattern => "matchesPattern",
            Function::StartsWith => "startswith",
            Function::Substring => "substring",
            Function::ToLower => "tolower",
            Function::ToUpper => "toupper",
            Function::Trim => "trim",
            Function::Year => "year",
            Function::Month => "month",
            Function::Day => "day",
            Function::Hour => "hour",
            Function::Minute => "minute",
            Function::Second => "second",
            Function::FractionalSeconds => "fractionalseconds",
            Function::TotalSeconds => "totalseconds",
            Function::Date => "date",
            Function::Time => "time",
            Function::TotalOffsetMinutes => "totaloffsetminutes",
            Function::MinDateTime => "mindatetime",
            Function::MaxDateTime => "maxdatetime",
            Function::Now => "now",
            Function::Round => "round",
            Function::Floor => "floor",
            Function::Ceiling => "ceiling",
            Function::GeoDistance => "geo.distance",
            Function::GeoLength => "geo.length",
            Function::GeoIntersects => "geo.intersects",
            Function::HasSubset => "hassubset",
            Function::HasSubsequence => "hassubsequence",
            Function::IsDefined => "isdefined",
        }
    }

    /// The function for a name, compared case-insensitively.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The smallest and largest number of arguments.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::MinDateTime | Function::MaxDateTime | Function::Now => (0, 0),
            Function::Length
            | Function::ToLower
            | Function::ToUpper
            | Function::Trim
            | Function::Year
            | Function::Month
            | Function::Day
            | Function::Hour
            | Function::Minute
            | Function::Second
            | Function::FractionalSeconds
            | Function::TotalSeconds
            | Function::Date
            | Function::Time
            | Function::TotalOffsetMinutes
            | Function::Round
            | Function::Floor
            | Function::Ceiling
            | Function::GeoLength
            | Function::IsDefined => (1, 1),
            Function::Substring => (2, 3),
            Function::Concat
            | Function::Contains
            | Function::EndsWith
            | Function::IndexOf
            | Function::MatchesPattern
            | Function::StartsWith
            | Function::GeoDistance
            | Function::GeoIntersects
            | Function::HasSubset
            | Function::HasSubsequence => (2, 2),
        }
    }
}

/// One `$apply` transformation (OData Data Aggregation 4.0).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Transformation {
    /// `aggregate(amount with sum as total, $count as n)`
    Aggregate(Vec<AggregateItem>),
    /// `groupby((a,b),aggregate(...))`: grouping properties and the transformations applied
    /// to each group.
    GroupBy {
        /// The grouping elements.
        groups: Vec<GroupByElement>,
        /// The transformations applied per group (may be empty).
        apply: Vec<Transformation>,
    },
    /// `filter(expr)`
    Filter(Expr),
    /// `orderby(a desc,b)`
    OrderBy(Vec<OrderByItem>),
    /// `top(5)`
    Top(u64),
    /// `skip(5)`
    Skip(u64),
    /// `search(term)`
    Search(Search),
    /// `compute(expr as name,...)`
    Compute(Vec<ComputeItem>),
    /// `concat(seq1,seq2,...)`: the union of several transformation sequences.
    Concat(Vec<Vec<Transformation>>),
    /// `identity`
    Identity,
    /// `topcount(n,expr)`, `bottomsum(n,expr)`, ...
    Bounded {
        /// Which of the six functions.
        kind: BoundedKind,
        /// The bound (count, sum or percentage).
        bound: Expr,
        /// The value ranked by.
        value: Expr,
    },
    /// `nest(apply as name,...)` and `addnested(path,apply as name,...)`.
    Nest {
        /// The path for `addnested`; `None` for `nest`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        path: Option<Vec<PathSegment>>,
        /// Each nested sequence and its alias.
        items: Vec<(Vec<Transformation>, String)>,
    },
    /// `join(path as alias[,apply])` (`outer` = false) and `outerjoin(...)`.
    Join {
        /// `outerjoin` when true.
        outer: bool,
        /// The collection-valued property joined.
        path: Vec<PathSegment>,
        /// The alias for the joined member.
        alias: String,
        /// Transformations applied to the joined collection.
        apply: Vec<Transformation>,
    },
    /// `ancestors(...)`, `descendants(...)`, `traverse(...)`: hierarchy transformations,
    /// kept as their arguments.
    Hierarchy {
        /// Which one.
        kind: HierarchyKind,
        /// The arguments as expressions or nested transformation sequences.
        args: Vec<HierarchyArg>,
    },
    /// `Namespace.Function(p=1)`: a custom set-transforming function.
    Custom {
        /// The qualified name.
        name: String,
        /// The named arguments.
        args: Vec<NamedArg>,
    },
}

/// `topcount`, `topsum`, `toppercent`, `bottomcount`, `bottomsum`, `bottompercent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum BoundedKind {
    /// `topcount`
    TopCount,
    /// `topsum`
    TopSum,
    /// `toppercent`
    TopPercent,
    /// `bottomcount`
    BottomCount,
    /// `bottomsum`
    BottomSum,
    /// `bottompercent`
    BottomPercent,
}

impl BoundedKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            BoundedKind::TopCount => "topcount",
            BoundedKind::TopSum => "topsum",
            BoundedKind::TopPercent => "toppercent",
            BoundedKind::BottomCount => "bottomcount",
            BoundedKind::BottomSum => "bottomsum",
            BoundedKind::BottomPercent => "bottompercent",
        }
    }
}

/// `ancestors`, `descendants`, `traverse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum HierarchyKind {
    /// `ancestors(...)`
    Ancestors,
    /// `descendants(...)`
    Descendants,
    /// `traverse(...)`
    Traverse,
}

impl HierarchyKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            HierarchyKind::Ancestors => "ancestors",
            HierarchyKind::Descendants => "descendants",
            HierarchyKind::Traverse => "traverse",
        }
    }
}

/// One argument of a hierarchy transformation.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum HierarchyArg {
    /// An expression, path, name or number (`$root/Nodes`, `Hier`, `ID`, `1`, `preorder`).
    Expr(Expr),
    /// A transformation sequence (`filter(...)/skip(1)`).
    Apply(Vec<Transformation>),
    /// `keep start`
    KeepStart,
    /// An order-by list (last argument of `traverse`).
    OrderBy(Vec<OrderByItem>),
}

/// One item of `aggregate(...)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct AggregateItem {
    /// What is aggregated.
    pub expr: AggregateExpr,
    /// `from a with sum from b with max`: grouping for nested aggregation, outermost last.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub from: Vec<AggregateFrom>,
    /// `as name`: required except for custom aggregates.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub alias: Option<String>,
}

/// The aggregated value of an [`AggregateItem`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum AggregateExpr {
    /// `expr with method`: `amount with sum`, `customer with countdistinct`.
    With {
        /// The aggregated expression (often a property path).
        expr: Expr,
        /// The aggregation method.
        method: AggregateMethod,
    },
    /// `$count`: the number of instances.
    Count,
    /// `path/$count`: the number of values of a collection path.
    PathCount(Vec<PathSegment>),
    /// `Forecast` or `path/Forecast`: a custom aggregate, optionally after a path.
    Custom {
        /// Path segments before the custom aggregate (may be empty).
        path: Vec<PathSegment>,
        /// The custom aggregate's name.
        name: String,
    },
}

/// `from grouping-properties with method` in an aggregate item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct AggregateFrom {
    /// The grouping properties.
    pub groups: Vec<Vec<PathSegment>>,
    /// The method applied after grouping (optional only for custom aggregates).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub method: Option<AggregateMethod>,
}

/// `sum`, `min`, `max`, `average`, `countdistinct`, or a custom `Ns.method`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum AggregateMethod {
    /// `sum`
    Sum,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `average`
    Average,
    /// `countdistinct`
    CountDistinct,
    /// `Namespace.method`
    Custom(String),
}

impl AggregateMethod {
    /// The keyword or custom name.
    pub fn keyword(&self) -> &str {
        match self {
            AggregateMethod::Sum => "sum",
            AggregateMethod::Min => "min",
            AggregateMethod::Max => "max",
            AggregateMethod::Average => "average",
            AggregateMethod::CountDistinct => "countdistinct",
            AggregateMethod::Custom(name) => name,
        }
    }
}

/// One element of the `groupby((...))` list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum GroupByElement {
    /// `address/city`: a grouping property path.
    Property(Vec<PathSegment>),
    /// `rollup(a,b,c)` or `rollup(HierarchyName)`: the paths, or one hierarchy name.
    Rollup(Vec<Vec<PathSegment>>),
    /// `rolluprecursive(...)`: kept as hierarchy arguments.
    RollupRecursive(Vec<HierarchyArg>),
}

// ---------------------------------------------------------------------------------------
// Display: canonical text
// ---------------------------------------------------------------------------------------

/// Writes text that sits inside a literal, percent-encoding the characters that would be
/// misread when the canonical text is parsed again as raw URL text.
pub(crate) fn write_url_text(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '%' => "%25",
            '&' => "%26",
            '#' => "%23",
            '+' => "%2B",
            _ => continue,
        };
        f.write_str(&text[start..i])?;
        f.write_str(escaped)?;
        start = i + 1;
    }
    f.write_str(&text[start..])
}

/// Writes items with a separator.
fn write_list<T: Display>(f: &mut Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        item.fmt(f)?;
    }
    Ok(())
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
        for alias in &self.aliases {
            sep(f)?;
            write!(f, "@{}={}", alias.name, alias.value)?;
        }
        for custom in &self.custom {
            sep(f)?;
            // A `=` in the name (decoded from `%3D`) would end it: keep it encoded.
            for (i, part) in custom.name.split('=').enumerate() {
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
fn write_nested(f: &mut Formatter<'_>, options: &Query) -> fmt::Result {
    if options.is_empty() {
        return Ok(());
    }
    f.write_str("(")?;
    options.write_options(f, ";")?;
    f.write_str(")")
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
                if let Some(options) = options {
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

impl Expr {
    /// The binding strength of this node when it is an operand: binary operators use
    /// [`BinaryOp::precedence`], unary ones [`UNARY_PRECEDENCE`], everything else is atomic.
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Unary { .. } => UNARY_PRECEDENCE,
            _ => u8::MAX,
        }
    }

    /// Writes `self`, in parentheses when it binds looser than `min`.
    fn write_operand(&self, f: &mut Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            self.fmt(f)
        }
    }

    /// True when the text of `self` starts with a literal that would merge with a
    /// preceding `-`: a number (`-(5)` is not `-5`), or a date, date-time, time or GUID,
    /// which may start with a digit (`-2026-01-01` is a date with a negative year). Follows
    /// left operands down to the first leaf (`-(5 in (1))` is not `-5 in (1)`).
    fn starts_with_mergeable_literal(&self) -> bool {
        let mut expr = self;
        while let Expr::Binary { left, .. } = expr {
            expr = left;
        }
        matches!(
            expr,
            Expr::Literal(
                Literal::Int(_)
                    | Literal::Decimal(_)
                    | Literal::Double(_)
                    | Literal::Date(_)
                    | Literal::DateTimeOffset(_)
                    | Literal::TimeOfDay(_)
                    | Literal::Guid(_)
            )
        )
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(literal) => literal.fmt(f),
            Expr::Alias(name) => write!(f, "@{name}"),
            Expr::Path(path) => path.fmt(f),
            Expr::Call { function, args } => {
                write!(f, "{}(", function.name())?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
            Expr::Cast { expr, type_name } | Expr::IsOf { expr, type_name } => {
                let name = if matches!(self, Expr::Cast { .. }) {
                    "cast"
                } else {
                    "isof"
                };
                write!(f, "{name}(")?;
                if let Some(expr) = expr {
                    write!(f, "{expr},")?;
                }
                write!(f, "{type_name})")
            }
            Expr::Case(arms) => {
                f.write_str("case(")?;
                for (i, arm) in arms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{}", arm.condition, arm.value)?;
                }
                f.write_str(")")
            }
            Expr::Unary { op, operand } => match op {
                UnaryOp::Not => {
                    f.write_str("not ")?;
                    operand.write_operand(f, UNARY_PRECEDENCE)
                }
                // Parentheses only where precedence needs them: each pair costs a level of
                // the depth limit, so the canonical text must not add any the input did not
                // have (`--a`, not `-(-a)`). A number or date after the sign would merge
                // with it (`-5` is a literal): a space keeps them apart (`- 5`).
                UnaryOp::Neg => {
                    if operand.precedence() < UNARY_PRECEDENCE {
                        write!(f, "-({operand})")
                    } else if operand.starts_with_mergeable_literal() {
                        write!(f, "- {operand}")
                    } else {
                        write!(f, "-{operand}")
                    }
                }
            },
            Expr::Binary { op, left, right } => {
                let precedence = op.precedence();
                left.write_operand(f, precedence)?;
                write!(f, " {} ", op.keyword())?;
                right.write_operand(f, precedence + 1)
            }
            Expr::List(items) => {
                f.write_str("(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Expr::Array(items) => {
                f.write_str("[")?;
                write_list(f, items, ",")?;
                f.write_str("]")
            }
            Expr::Object(members) => {
                f.write_str("{")?;
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_url_text(
                        f,
                        &serde_json::Value::from(member.name.as_str()).to_string(),
                    )?;
                    write!(f, ":{}", member.value)?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Display for MemberPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // Keys, `$filter(...)` and `$count` attach to the previous segment; the rest need `/`.
        let mut need_slash = match &self.root {
            PathRoot::Implicit => false,
            PathRoot::It => {
                f.write_str("$it")?;
                true
            }
            PathRoot::This => {
                f.write_str("$this")?;
                true
            }
            PathRoot::Root => {
                f.write_str("$root/")?;
                false
            }
            PathRoot::Variable(name) => {
                f.write_str(name)?;
                true
            }
            PathRoot::Alias(name) => {
                write!(f, "@{name}")?;
                true
            }
            PathRoot::These => {
                f.write_str("$these")?;
                true
            }
        };
        for segment in &self.segments {
            if need_slash && !matches!(segment, Segment::Key(_)) {
                f.write_str("/")?;
            }
            segment.fmt(f)?;
            need_slash = true;
        }
        Ok(())
    }
}

impl Display for Segment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Property(name) | Segment::TypeCast(name) => f.write_str(name),
            Segment::Annotation(annotation) => annotation.fmt(f),
            Segment::Key(keys) => {
                f.write_str("(")?;
                write_list(f, keys, ",")?;
                f.write_str(")")
            }
            Segment::Filter(expr) => write!(f, "$filter({expr})"),
            Segment::Count(options) => {
                f.write_str("$count")?;
                if let Some(options) = options {
                    write_nested(f, options)?;
                }
                Ok(())
            }
            Segment::Any(None) => f.write_str("any()"),
            Segment::Any(Some(lambda)) => write!(f, "any({lambda})"),
            Segment::All(lambda) => write!(f, "all({lambda})"),
            Segment::Aggregate(item) => write!(f, "aggregate({item})"),
            Segment::Function { name, args } => {
                write!(f, "{name}(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
        }
    }
}

impl Display for Lambda {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.variable, self.predicate)
    }
}

impl Display for KeyValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "{name}=")?;
        }
        self.value.fmt(f)
    }
}

impl Display for NamedArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// Writes bytes as base64url with padding (the canonical form of `binary'...'`).
fn write_base64url(f: &mut Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                f.write_char(char::from(ALPHABET[index]))?;
            } else {
                f.write_char('=')?;
            }
        }
    }
    Ok(())
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Boolean(value) => write!(f, "{value}"),
            Literal::Int(value) => write!(f, "{value}"),
            Literal::Decimal(text)
            | Literal::Double(text)
            | Literal::Guid(text)
            | Literal::Date(text)
            | Literal::TimeOfDay(text)
            | Literal::DateTimeOffset(text) => f.write_str(text),
            Literal::String(text) => {
                f.write_str("'")?;
                write_url_text(f, &text.replace('\'', "''"))?;
                f.write_str("'")
            }
            Literal::Duration(text) => write!(f, "duration'{text}'"),
            Literal::Binary(bytes) => {
                f.write_str("binary'")?;
                write_base64url(f, bytes)?;
                f.write_str("'")
            }
            Literal::Enum { type_name, value } => {
                write!(f, "{type_name}'")?;
                write_url_text(f, value)?;
                f.write_str("'")
            }
            Literal::Geo(geo) => geo.fmt(f),
            Literal::Json(value) => write_url_text(f, &value.to_string()),
        }
    }
}

impl Display for GeoLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.geography {
            "geography'"
        } else {
            "geometry'"
        })?;
        if let Some(srid) = self.srid {
            write!(f, "SRID={srid};")?;
        }
        write!(f, "{}'", self.shape)
    }
}

/// Writes `(a,b,...)` where each item is written by `write_item`.
fn write_group<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    write_item: impl Fn(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str("(")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write_item(f, item)?;
    }
    f.write_str(")")
}

fn write_positions(f: &mut Formatter<'_>, positions: &[Position]) -> fmt::Result {
    write_group(f, positions, |f, p| p.fmt(f))
}

fn write_rings(f: &mut Formatter<'_>, rings: &[Vec<Position>]) -> fmt::Result {
    write_group(f, rings, |f, ring| write_positions(f, ring))
}

impl Display for GeoShape {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GeoShape::Point(position) => write!(f, "Point({position})"),
            GeoShape::LineString(positions) => {
                f.write_str("LineString")?;
                write_positions(f, positions)
            }
            GeoShape::Polygon(rings) => {
                f.write_str("Polygon")?;
                write_rings(f, rings)
            }
            GeoShape::MultiPoint(points) => {
                f.write_str("MultiPoint")?;
                write_group(f, points, |f, p| write!(f, "({p})"))
            }
            GeoShape::MultiLineString(lines) => {
                f.write_str("MultiLineString")?;
                write_rings(f, lines)
            }
            GeoShape::MultiPolygon(polygons) => {
                f.write_str("MultiPolygon")?;
                write_group(f, polygons, |f, rings| write_rings(f, rings))
            }
            GeoShape::Collection(shapes) => {
                f.write_str("GeometryCollection")?;
                write_group(f, shapes, |f, shape| shape.fmt(f))
            }
        }
    }
}

impl Display for Position {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_list(f, &self.0, " ")
    }
}

impl Display for Transformation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Transformation::Aggregate(items) => {
                f.write_str("aggregate(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::GroupBy { groups, apply } => {
                f.write_str("groupby((")?;
                write_list(f, groups, ",")?;
                f.write_str(")")?;
                if !apply.is_empty() {
                    f.write_str(",")?;
                    write_list(f, apply, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Filter(expr) => write!(f, "filter({expr})"),
            Transformation::OrderBy(items) => {
                f.write_str("orderby(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::Top(n) => write!(f, "top({n})"),
            Transformation::Skip(n) => write!(f, "skip({n})"),
            Transformation::Search(search) => write!(f, "search({search})"),
            Transformation::Compute(items) => {
                f.write_str("compute(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::Concat(sequences) => {
                f.write_str("concat(")?;
                for (i, sequence) in sequences.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, sequence, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Identity => f.write_str("identity"),
            Transformation::Bounded { kind, bound, value } => {
                write!(f, "{}({bound},{value})", kind.keyword())
            }
            Transformation::Nest { path, items } => {
                match path {
                    None => f.write_str("nest(")?,
                    Some(path) => {
                        f.write_str("addnested(")?;
                        write_list(f, path, "/")?;
                        f.write_str(",")?;
                    }
                }
                for (i, (sequence, alias)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, sequence, "/")?;
                    write!(f, " as {alias}")?;
                }
                f.write_str(")")
            }
            Transformation::Join {
                outer,
                path,
                alias,
                apply,
            } => {
                f.write_str(if *outer { "outerjoin(" } else { "join(" })?;
                write_list(f, path, "/")?;
                write!(f, " as {alias}")?;
                if !apply.is_empty() {
                    f.write_str(",")?;
                    write_list(f, apply, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Hierarchy { kind, args } => {
                write!(f, "{}(", kind.keyword())?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
            Transformation::Custom { name, args } => {
                write!(f, "{name}(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
        }
    }
}

impl Display for HierarchyArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            HierarchyArg::Expr(expr) => expr.fmt(f),
            HierarchyArg::Apply(sequence) => write_list(f, sequence, "/"),
            HierarchyArg::KeepStart => f.write_str("keep start"),
            HierarchyArg::OrderBy(items) => write_list(f, items, ","),
        }
    }
}

impl Display for AggregateItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        for from in &self.from {
            f.write_str(" from ")?;
            for (i, group) in from.groups.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write_list(f, group, "/")?;
            }
            if let Some(method) = &from.method {
                write!(f, " with {}", method.keyword())?;
            }
        }
        if let Some(alias) = &self.alias {
            write!(f, " as {alias}")?;
        }
        Ok(())
    }
}

impl Display for AggregateExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AggregateExpr::With { expr, method } => write!(f, "{expr} with {}", method.keyword()),
            AggregateExpr::Count => f.write_str("$count"),
            AggregateExpr::PathCount(path) => {
                write_list(f, path, "/")?;
                f.write_str("/$count")
            }
            AggregateExpr::Custom { path, name } => {
                for segment in path {
                    write!(f, "{segment}/")?;
                }
                f.write_str(name)
            }
        }
    }
}

impl Display for GroupByElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GroupByElement::Property(path) => write_list(f, path, "/"),
            GroupByElement::Rollup(paths) => {
                f.write_str("rollup(")?;
                for (i, path) in paths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, path, "/")?;
                }
                f.write_str(")")
            }
            GroupByElement::RollupRecursive(args) => {
                f.write_str("rolluprecursive(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
        }
    }
}
