//! Expressions: [`Expr`], member paths, lambdas, operators.

use std::fmt::{self, Display, Formatter};

#[cfg(feature = "serde")]
use serde::Serialize;

use super::query::write_nested;
use super::{write_list, write_url_text};
use super::{AggregateItem, Annotation, Function, Literal, Name, Query};

/// An expression (`$filter`, `$orderby` keys, `$compute`, alias values, arguments).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
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
        /// The left and the right operand, in one heap block (`let [left, right] =
        /// &**operands;`). [`Expr::binary`] builds the node.
        operands: Box<[Expr; 2]>,
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
#[non_exhaustive]
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
    Variable(Name),
    /// `@p/name`: a parameter alias used as the start of a path.
    Alias(Name),
    /// `$these`: the current input set of an `$apply` transformation (aggregation extension).
    These,
}

/// One segment of a [`MemberPath`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Segment {
    /// `name`: a property or navigation property.
    Property(Name),
    /// `Namespace.Type`: a type cast.
    TypeCast(Name),
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
    /// `sale($it,2022)`, `FindPencil()`: an unqualified function that is not a canonical
    /// one, called with positional arguments (default mode; .NET's OData library resolves
    /// such names against the model). Only the first segment of a path.
    Call {
        /// The function's name, as written.
        name: Name,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `Namespace.Function(p=1,q=@a)`: a bound or unbound custom function call.
    Function {
        /// The qualified function name.
        name: Name,
        /// The named arguments.
        args: Vec<NamedArg>,
    },
}

/// `variable: predicate` inside `any(...)`/`all(...)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Lambda {
    /// The lambda variable (case-sensitive).
    pub variable: Name,
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
#[non_exhaustive]
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
pub(crate) const UNARY_PRECEDENCE: u8 = 7;

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
    /// `gt ge lt le` 4, `add sub` 5, `mul div divby mod` 6, unary `not -` 7,
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

impl Expr {
    /// `left op right`.
    pub fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            operands: Box::new([left, right]),
        }
    }

    /// The binding strength of this node when it is an operand: binary operators use
    /// [`BinaryOp::precedence`], unary ones 7, everything else is atomic.
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
        while let Expr::Binary { operands, .. } = expr {
            expr = &operands[0];
        }
        // A path from a property named `INF` (`INF/x`) would read as `-INF`.
        if let Expr::Path(MemberPath {
            root: PathRoot::Implicit,
            segments,
        }) = expr
        {
            return matches!(segments.first(), Some(Segment::Property(name)) if name == "INF");
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
            Expr::Alias(name) => {
                f.write_str("@")?;
                f.write_str(name)
            }
            // A property (or lambda variable) named `not` alone would read as the operator
            // when something follows: parentheses keep it a name (`(not) desc`).
            Expr::Path(path) if path.is_bare_not() => write!(f, "({path})"),
            Expr::Path(path) => path.fmt(f),
            Expr::Call { function, args } => {
                f.write_str(function.name())?;
                f.write_str("(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
            Expr::Cast { expr, type_name } | Expr::IsOf { expr, type_name } => {
                let name = if matches!(self, Expr::Cast { .. }) {
                    "cast"
                } else {
                    "isof"
                };
                f.write_str(name)?;
                f.write_str("(")?;
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
                    // `a gt 10:30` would read as the time 10:30: a space after the colon
                    // keeps a number that ends the condition apart from one that starts
                    // the value.
                    let separator = if reads_as_time(&arm.condition, &arm.value) {
                        ": "
                    } else {
                        ":"
                    };
                    write!(f, "{}{separator}{}", arm.condition, arm.value)?;
                }
                f.write_str(")")
            }
            Expr::Unary { op, operand } => match op {
                // An operand that starts with an operator's name (`not (sub)`, a property
                // named `sub`) would make `not` read as a property: parentheses keep it
                // the operand.
                UnaryOp::Not if operand.leading_word().is_some_and(is_operator_word) => {
                    write!(f, "not ({operand})")
                }
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
            Expr::Binary { op, operands } => {
                let [left, right] = &**operands;
                let precedence = op.precedence();
                left.write_operand(f, precedence)?;
                f.write_str(" ")?;
                f.write_str(op.keyword())?;
                f.write_str(" ")?;
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

/// True when `expr` prints as a key predicate's value would (a literal or an alias), so
/// that in parentheses after a name it reads as a key.
fn is_key_value(expr: &Expr) -> bool {
    matches!(expr, Expr::Literal(_) | Expr::Alias(_))
}

/// True when `condition:value` would read as a time of day: the condition ends with an
/// integer of one or two digits and the value starts with digits that make `hh:mm` or
/// (default mode) `h:m:s` with it. Looks only at the two literals that meet at the colon.
fn reads_as_time(condition: &Expr, value: &Expr) -> bool {
    let mut last = condition;
    loop {
        last = match last {
            Expr::Binary { operands, .. } => &operands[1],
            Expr::Unary { operand, .. } => operand,
            _ => break,
        };
    }
    let run = match last {
        Expr::Literal(Literal::Int(n)) if (0..100).contains(n) => n.to_string().len(),
        _ => return false,
    };
    let mut first = value;
    while let Expr::Binary { operands, .. } = first {
        first = &operands[0];
    }
    let text = match first {
        Expr::Literal(
            literal @ (Literal::Int(_)
            | Literal::Decimal(_)
            | Literal::Double(_)
            | Literal::Date(_)
            | Literal::DateTimeOffset(_)
            | Literal::TimeOfDay(_)
            | Literal::Guid(_)),
        ) => literal.to_string(),
        _ => return false,
    };
    let lead = text.bytes().take_while(u8::is_ascii_digit).count();
    let more = text[lead..].starts_with(':');
    lead > 0 && ((run == 2 && lead >= 2) || (lead <= 2 && more))
}

/// True for a word that reads as a binary operator (`sub`, `AND`).
fn is_operator_word(word: &str) -> bool {
    BinaryOp::from_keyword(word).is_some()
}

impl MemberPath {
    /// True for `not` alone: a property or lambda variable named `not`, which would read as
    /// the operator before other text.
    fn is_bare_not(&self) -> bool {
        match (&self.root, self.segments.as_slice()) {
            (PathRoot::Implicit, [Segment::Property(name)]) => name.eq_ignore_ascii_case("not"),
            (PathRoot::Variable(name), []) => name.eq_ignore_ascii_case("not"),
            _ => false,
        }
    }
}

impl Expr {
    /// The identifier the text of `self` starts with, if it starts with one: the name of a
    /// leading property, lambda variable, custom function, type or enum type (its first
    /// part, before a `.`).
    fn leading_word(&self) -> Option<&str> {
        let mut expr = self;
        while let Expr::Binary { operands, .. } = expr {
            expr = &operands[0];
        }
        let name = match expr {
            Expr::Path(path) if path.is_bare_not() => return None,
            Expr::Path(path) => match (&path.root, path.segments.first()) {
                (PathRoot::Variable(name), _) => name.as_str(),
                (
                    PathRoot::Implicit,
                    Some(
                        Segment::Property(name)
                        | Segment::TypeCast(name)
                        | Segment::Function { name, .. }
                        | Segment::Call { name, .. },
                    ),
                ) => name.as_str(),
                _ => return None,
            },
            Expr::Literal(Literal::Enum { type_name, .. }) => type_name.as_str(),
            _ => return None,
        };
        Some(name.split('.').next().unwrap_or(name))
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
                f.write_str("@")?;
                f.write_str(name)?;
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
                f.write_str(name)?;
                f.write_str("(")?;
                // Unqualified, with literal and alias values only, the call would read as
                // a key predicate (`Items(id=1)`): the first value goes in parentheses.
                let key_like =
                    !name.contains('.') && args.iter().all(|arg| is_key_value(&arg.value));
                match args.split_first() {
                    Some((first, rest)) if key_like => {
                        write!(f, "{}=({})", first.name, first.value)?;
                        for arg in rest {
                            write!(f, ",{arg}")?;
                        }
                    }
                    _ => write_list(f, args, ",")?,
                }
                f.write_str(")")
            }
            Segment::Call { name, args } => {
                // One literal or alias alone in the parentheses would read as a key
                // predicate (`Items(1)`); a second pair keeps it an argument.
                if let [arg] = args.as_slice() {
                    if is_key_value(arg) {
                        return write!(f, "{name}(({arg}))");
                    }
                }
                f.write_str(name)?;
                f.write_str("(")?;
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
