//! AST → plan: property paths are resolved (computed names, lambda variables, aliases)
//! and literals converted once (DateTimeOffset → instant + offset, numbers exact), so that
//! applying the plan does no parsing.

use std::borrow::Cow;

use crate::ast::{
    self, BinaryOp, Expr, Function, Literal, MemberPath, PathRoot, Query, Segment, UnaryOp,
};
use crate::error::EvalError;
use crate::limits::{Limit, Limits};

use super::functions::{TypeNames, TypeTarget};
use super::temporal;
use super::typing::{accepted_type_names, declared_derives, Coerce, Declared};
use super::value::{Decimal, Num, Val};
use super::EvalOptions;

/// A compiled expression.
#[derive(Debug)]
pub(crate) enum Node {
    /// A literal, converted.
    Const(Val<'static>),
    /// A member path.
    Path(Box<PathNode>),
    /// `not x`
    Not(Box<Node>),
    /// `-x`
    Neg(Box<Node>),
    /// `a and b`
    And(Box<Node>, Box<Node>),
    /// `a or b`
    Or(Box<Node>, Box<Node>),
    /// `eq ne gt ge lt le`
    Compare(BinaryOp, Box<Node>, Box<Node>),
    /// `add sub mul div divby mod`
    Arith(BinaryOp, Box<Node>, Box<Node>),
    /// `a in b`
    In(Box<Node>, Box<Node>),
    /// `(a,b,c)`
    List(Vec<Node>),
    /// `a has b`
    Has(Box<Node>, Box<Node>),
    /// A canonical function.
    Call(Function, Vec<Node>),
    /// `matchesPattern(s, pattern)`
    Pattern(Box<Node>, Box<super::functions::Pattern>),
    /// `geo.distance`, `geo.length`, `geo.intersects`; true for spherical distances.
    Geo(Function, Vec<Node>, bool),
    /// `now()`: the instant fixed for the whole `apply`.
    Now,
    /// `cast(x, T)`; `None` casts `$this`.
    Cast(Option<Box<Node>>, TypeTarget),
    /// `isof(x, T)`; `None` tests `$this`.
    IsOf(Option<Box<Node>>, TypeTarget),
    /// `case(c1:v1,...)`
    Case(Vec<(Node, Node)>),
    /// `isdefined(path)`
    IsDefined(Box<PathNode>),
}

/// A resolved member path.
#[derive(Debug)]
pub(crate) struct PathNode {
    /// Where the path starts.
    pub(crate) root: Root,
    /// The steps after the root.
    pub(crate) steps: Vec<Step>,
}

/// The start of a path.
#[derive(Debug)]
pub(crate) enum Root {
    /// The current instance (implicit paths and `$this`).
    This,
    /// `$it`: the outermost item.
    It,
    /// A lambda variable: 0 is the innermost.
    Variable(usize),
    /// A `$compute` property of the current item, by index.
    Computed(usize),
    /// An alias value (`@p/name`).
    Value(Box<Node>),
}

/// One path step.
#[derive(Debug)]
pub(crate) enum Step {
    /// A property of an object.
    Property(String),
    /// A type cast: the object's `@odata.type` must match, else null.
    TypeCast(TypeNames),
    /// With a model: read the value as its declared type.
    Coerce(Coerce),
    /// An annotation: `@term` on the instance, or `prop@term` after a property.
    Annotation(String),
    /// `(key)`: the member of a collection with matching key values (`id` when unnamed).
    Key(Vec<(String, Node)>),
    /// `/$filter(expr)`
    Filter(Box<Node>),
    /// `/$count` with optional nested `$filter`/`$search`.
    Count(Option<Box<Node>>, Option<ast::Search>),
    /// `/any()` or `/any(x: p)`
    Any(Option<Box<Node>>),
    /// `/all(x: p)`
    All(Box<Node>),
}

/// A rough static type, to reject meaningless queries at compile time (`'a' add 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not known before evaluation (paths, aliases, ...).
    Unknown,
    /// `null`
    Null,
    /// Edm.Boolean
    Bool,
    /// Any number.
    Number,
    /// Edm.String
    String,
    /// DateTimeOffset, Date, TimeOfDay, Duration.
    Temporal,
    /// Guid, Binary, enums.
    Other,
}

/// Compilation state: scopes for aliases, lambda variables and computed properties.
#[derive(Debug)]
pub(crate) struct Compiler<'q> {
    pub(crate) options: &'q EvalOptions,
    aliases: Vec<&'q ast::AliasDefinition>,
    expanding_aliases: Vec<String>,
    variables: Vec<String>,
    pub(crate) computed: Vec<String>,
    depth: usize,
    /// With a model: the declared item type of each list level, innermost last.
    level_types: Vec<Declared<'q>>,
    /// With a model: the declared type of `$it`.
    it_type: Declared<'q>,
    /// With a model: the declared type of each lambda variable, parallel to `variables`.
    variable_types: Vec<Declared<'q>>,
}

impl<'q> Compiler<'q> {
    /// A compiler with empty scopes.
    pub(crate) fn new(options: &'q EvalOptions) -> Self {
        Compiler {
            options,
            aliases: Vec::new(),
            expanding_aliases: Vec::new(),
            variables: Vec::new(),
            computed: Vec::new(),
            depth: 0,
            level_types: Vec::new(),
            it_type: Declared::Unknown,
            variable_types: Vec::new(),
        }
    }

    /// The data model values are typed by, if any.
    pub(crate) fn model(&self) -> Option<&'q crate::model::Model> {
        self.options.model.as_deref()
    }

    /// Starts typed compilation at items of `declared` (the resource's type).
    pub(crate) fn set_item_type(&mut self, declared: Declared<'q>) {
        self.it_type = declared;
        self.level_types = vec![declared];
    }

    /// The declared item type of the current list level.
    pub(crate) fn level_type(&self) -> Declared<'q> {
        self.level_types
            .last()
            .copied()
            .unwrap_or(Declared::Unknown)
    }

    /// Runs `f` with the current level's items declared as `declared`.
    pub(crate) fn with_level<T>(
        &mut self,
        declared: Declared<'q>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.level_types.push(declared);
        let result = f(self);
        self.level_types.pop();
        result
    }

    /// The declared type reached by `segments` (`$select`/`$expand` paths) from the
    /// current level's items.
    pub(crate) fn declared_after(&self, segments: &[ast::PathSegment]) -> Declared<'q> {
        let Some(model) = self.model() else {
            return Declared::Unknown;
        };
        segments
            .iter()
            .fold(self.level_type(), |declared, segment| match segment {
                ast::PathSegment::Property(name) => declared.property(model, name),
                ast::PathSegment::TypeCast(name) => declared.cast(model, name),
                _ => Declared::Unknown,
            })
    }

    /// The declared type of a plain path expression (for `isof`/`cast` of it).
    fn declared_of(&self, expr: &Expr) -> Declared<'q> {
        let (Some(model), Expr::Path(path)) = (self.model(), expr) else {
            return Declared::Unknown;
        };
        let start = match &path.root {
            PathRoot::Implicit | PathRoot::This => self.level_type(),
            PathRoot::It => self.it_type,
            PathRoot::Variable(name) => self
                .variables
                .iter()
                .rposition(|v| v == name)
                .and_then(|i| self.variable_types.get(i).copied())
                .unwrap_or(Declared::Unknown),
            _ => Declared::Unknown,
        };
        path.segments
            .iter()
            .fold(start, |declared, segment| match segment {
                Segment::Property(name) => declared.property(model, name),
                Segment::TypeCast(name) => declared.cast(model, name),
                Segment::Key(_) => declared.element(),
                _ => Declared::Unknown,
            })
    }

    /// The names a cast to `name` accepts: with a model, the type and its derived types,
    /// and values without `@odata.type` when `from` (their declared type) derives from it.
    pub(crate) fn type_names(&self, name: &str, from: Declared<'q>) -> TypeNames {
        let Some(model) = self.model() else {
            return TypeNames::exactly(name);
        };
        match accepted_type_names(model, name) {
            Some(names) => TypeNames {
                names,
                untyped: from
                    .structured()
                    .is_some_and(|declared| declared_derives(model, declared, name)),
            },
            None => TypeNames::exactly(name),
        }
    }

    /// A cast target, typed by the model when there is one.
    fn type_target(
        &self,
        type_name: &str,
        operand: Option<&Expr>,
    ) -> Result<TypeTarget, EvalError> {
        let target = TypeTarget::parse(type_name)?;
        Ok(match target {
            TypeTarget::Structured(_) => {
                let from = match operand {
                    Some(expr) => self.declared_of(expr),
                    None => self.level_type(),
                };
                TypeTarget::Structured(self.type_names(type_name, from))
            }
            other => other,
        })
    }

    /// The limits in force.
    pub(crate) fn limits(&self) -> &Limits {
        &self.options.limits
    }

    /// Brings the aliases of a (nested) query into scope; returns how many to pop.
    pub(crate) fn push_aliases(&mut self, query: &'q Query) -> usize {
        self.aliases.extend(query.aliases.iter());
        query.aliases.len()
    }

    /// Removes the last `count` aliases.
    pub(crate) fn pop_aliases(&mut self, count: usize) {
        let keep = self.aliases.len().saturating_sub(count);
        self.aliases.truncate(keep);
    }

    /// Replaces the computed-name scope, returning the old one.
    pub(crate) fn swap_computed(&mut self, names: Vec<String>) -> Vec<String> {
        std::mem::replace(&mut self.computed, names)
    }

    /// Runs `f` one nesting level deeper (bounded by twice [`Limits::max_depth`]).
    pub(crate) fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        let max = self.limits().max_depth.saturating_mul(2).saturating_add(16);
        if self.depth >= max {
            return Err(EvalError::LimitExceeded {
                limit: Limit::Depth,
                max: self.limits().max_depth,
            });
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// Compiles an expression.
    pub(crate) fn expr(&mut self, expr: &'q Expr) -> Result<Node, EvalError> {
        self.nested(|c| c.expr_inner(expr))
    }

    /// Compiles a `$filter`-like expression that must be Boolean.
    pub(crate) fn predicate(&mut self, expr: &'q Expr, what: &str) -> Result<Node, EvalError> {
        let node = self.expr(expr)?;
        match kind(&node) {
            Kind::Unknown | Kind::Bool | Kind::Null => Ok(node),
            _ => Err(EvalError::Type(format!(
                "{what} must be a Boolean expression: {expr}"
            ))),
        }
    }

    fn boxed(&mut self, expr: &'q Expr) -> Result<Box<Node>, EvalError> {
        self.expr(expr).map(Box::new)
    }

    fn expr_inner(&mut self, expr: &'q Expr) -> Result<Node, EvalError> {
        Ok(match expr {
            Expr::Literal(literal) => Node::Const(literal_value(literal)?),
            Expr::Alias(name) => self.alias(name)?,
            Expr::Path(path) => self.path(path)?,
            Expr::Call { function, args } => self.call(*function, args)?,
            Expr::Cast { expr, type_name } => {
                let target = self.type_target(type_name, expr.as_deref())?;
                let value = expr.as_deref().map(|e| self.boxed(e)).transpose()?;
                Node::Cast(value, target)
            }
            Expr::IsOf { expr, type_name } => {
                let target = self.type_target(type_name, expr.as_deref())?;
                let value = expr.as_deref().map(|e| self.boxed(e)).transpose()?;
                Node::IsOf(value, target)
            }
            Expr::Case(arms) => {
                let mut compiled = Vec::with_capacity(arms.len());
                for arm in arms {
                    let condition = self.predicate(&arm.condition, "a case condition")?;
                    compiled.push((condition, self.expr(&arm.value)?));
                }
                Node::Case(compiled)
            }
            Expr::Unary { op, operand } => {
                let inner = self.boxed(operand)?;
                match op {
                    UnaryOp::Not => {
                        expect_kind(&inner, &[Kind::Bool], "not", expr)?;
                        Node::Not(inner)
                    }
                    UnaryOp::Neg => {
                        expect_kind(&inner, &[Kind::Number, Kind::Temporal], "-", expr)?;
                        Node::Neg(inner)
                    }
                }
            }
            Expr::Binary { op, operands } => {
                let [left, right] = &**operands;
                self.binary(*op, left, right, expr)?
            }
            Expr::List(items) | Expr::Array(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                for item in items {
                    nodes.push(self.expr(item)?);
                }
                Node::List(nodes)
            }
            Expr::Object(_) => {
                return Err(EvalError::NotSupported(
                    "JSON objects with expression members".into(),
                ))
            }
        })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: &'q Expr,
        right: &'q Expr,
        whole: &Expr,
    ) -> Result<Node, EvalError> {
        let mut l = self.boxed(left)?;
        let mut r = self.boxed(right)?;
        if matches!(
            op,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::In
        ) {
            enum_numbers_as_names(&l, &mut r);
            if op != BinaryOp::In {
                enum_numbers_as_names(&r, &mut l);
            }
        }
        Ok(match op {
            BinaryOp::And | BinaryOp::Or => {
                expect_kind(&l, &[Kind::Bool], op.keyword(), whole)?;
                expect_kind(&r, &[Kind::Bool], op.keyword(), whole)?;
                if op == BinaryOp::And {
                    Node::And(l, r)
                } else {
                    Node::Or(l, r)
                }
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Lt
            | BinaryOp::Le => {
                let (a, b) = (kind(&l), kind(&r));
                let comparable = a == b
                    || [a, b].contains(&Kind::Unknown)
                    || [a, b].contains(&Kind::Null)
                    || (a == Kind::String && b != Kind::Number && b != Kind::Bool)
                    || (b == Kind::String && a != Kind::Number && a != Kind::Bool);
                if !comparable {
                    return Err(EvalError::Type(format!(
                        "cannot compare {a:?} with {b:?} in {whole}"
                    )));
                }
                if !matches!(op, BinaryOp::Eq | BinaryOp::Ne)
                    && (is_binary_const(&l) || is_binary_const(&r))
                {
                    return Err(EvalError::Type(format!(
                        "binary values may only be compared with eq/ne: {whole}"
                    )));
                }
                Node::Compare(op, l, r)
            }
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::DivBy
            | BinaryOp::Mod => {
                let allowed = [Kind::Number, Kind::Temporal, Kind::Null];
                expect_kind(&l, &allowed, op.keyword(), whole)?;
                expect_kind(&r, &allowed, op.keyword(), whole)?;
                Node::Arith(op, l, r)
            }
            BinaryOp::In => Node::In(l, r),
            BinaryOp::Has => Node::Has(l, r),
        })
    }

    fn alias(&mut self, name: &str) -> Result<Node, EvalError> {
        // Later definitions (inner option lists) shadow earlier ones.
        let Some(definition) = self.aliases.iter().rev().find(|a| a.name == name).copied() else {
            // URL §5.3: an alias with no value is null.
            return Ok(Node::Const(Val::Null));
        };
        if self.expanding_aliases.iter().any(|n| n == name) {
            return Err(EvalError::Invalid(format!(
                "the alias @{name} refers to itself"
            )));
        }
        self.expanding_aliases.push(name.to_string());
        let result = self.expr(&definition.value);
        self.expanding_aliases.pop();
        result
    }

    fn call(&mut self, function: Function, args: &'q [Expr]) -> Result<Node, EvalError> {
        let (min, max) = function.arity();
        if args.len() < min || args.len() > max {
            return Err(EvalError::Invalid(format!(
                "{} takes {min} to {max} arguments, found {}",
                function.name(),
                args.len()
            )));
        }
        match function {
            Function::Now => return Ok(Node::Now),
            Function::GeoDistance | Function::GeoLength | Function::GeoIntersects => {
                let planar = args
                    .iter()
                    .any(|arg| matches!(arg, Expr::Literal(Literal::Geo(geo)) if !geo.geography));
                let mut nodes = Vec::with_capacity(args.len());
                for arg in args {
                    nodes.push(self.expr(arg)?);
                }
                return Ok(Node::Geo(function, nodes, !planar));
            }
            Function::IsDefined => {
                return match args.first() {
                    Some(Expr::Path(path)) => match self.path(path)? {
                        Node::Path(path) => Ok(Node::IsDefined(path)),
                        _ => Err(EvalError::Type("isdefined needs a property path".into())),
                    },
                    _ => Err(EvalError::Type("isdefined needs a property path".into())),
                }
            }
            _ => {}
        }
        let mut nodes = Vec::with_capacity(args.len());
        for arg in args {
            nodes.push(self.expr(arg)?);
        }
        super::functions::check_argument_kinds(function, &nodes)?;
        if function == Function::MatchesPattern {
            let pattern = nodes.pop();
            let subject = nodes.pop();
            if let (Some(subject), Some(pattern)) = (subject, pattern) {
                let compiled = super::functions::Pattern::compile(pattern, self.limits())?;
                return Ok(Node::Pattern(Box::new(subject), Box::new(compiled)));
            }
        }
        Ok(Node::Call(function, nodes))
    }

    fn path(&mut self, path: &'q MemberPath) -> Result<Node, EvalError> {
        let mut segments = path.segments.as_slice();
        let root = match &path.root {
            PathRoot::Implicit => {
                let computed = match segments.first() {
                    Some(Segment::Property(name)) => self.computed.iter().rposition(|c| c == name),
                    _ => None,
                };
                match computed {
                    Some(index) => {
                        segments = segments.get(1..).unwrap_or_default();
                        Root::Computed(index)
                    }
                    None => Root::This,
                }
            }
            PathRoot::This => Root::This,
            PathRoot::It => Root::It,
            PathRoot::Root => {
                return Err(EvalError::NotSupported(
                    "$root paths (no resolver for other resources is configured)".into(),
                ))
            }
            PathRoot::Variable(name) => {
                let position = self
                    .variables
                    .iter()
                    .rposition(|v| v == name)
                    .ok_or_else(|| {
                        EvalError::Invalid(format!("the lambda variable {name} is not in scope"))
                    })?;
                Root::Variable(self.variables.len() - 1 - position)
            }
            PathRoot::Alias(name) => {
                let value = self.alias(name)?;
                Root::Value(Box::new(value))
            }
            PathRoot::These => {
                return Err(EvalError::NotSupported(
                    "$these (aggregation extension)".into(),
                ))
            }
        };
        let mut declared = match (&root, self.model()) {
            (_, None) => Declared::Unknown,
            (Root::This, _) => self.level_type(),
            (Root::It, _) => self.it_type,
            (Root::Variable(index), _) => self
                .variable_types
                .len()
                .checked_sub(1 + index)
                .and_then(|i| self.variable_types.get(i).copied())
                .unwrap_or(Declared::Unknown),
            _ => Declared::Unknown,
        };
        let mut steps = Vec::with_capacity(segments.len() + 1);
        for segment in segments {
            let (step, after) = self.segment(segment, declared)?;
            steps.push(step);
            declared = after;
        }
        if let Some(coercion) = declared.coercion() {
            steps.push(Step::Coerce(coercion));
        }
        Ok(Node::Path(Box::new(PathNode { root, steps })))
    }

    /// Compiles one segment applied to a value declared as `declared`; gives the step and
    /// the declared type after it.
    fn segment(
        &mut self,
        segment: &'q Segment,
        declared: Declared<'q>,
    ) -> Result<(Step, Declared<'q>), EvalError> {
        let model = self.model();
        let after = match (model, segment) {
            (None, _) => Declared::Unknown,
            (Some(model), Segment::Property(name)) => declared.property(model, name),
            (Some(model), Segment::TypeCast(name)) => declared.cast(model, name),
            (Some(_), Segment::Key(_) | Segment::Filter(_)) => match segment {
                Segment::Key(_) => declared.element(),
                _ => declared,
            },
            _ => Declared::Unknown,
        };
        let element = declared.element();
        let step = self.with_level(element, |c| c.segment_step(segment, declared))?;
        Ok((step, after))
    }

    fn segment_step(
        &mut self,
        segment: &'q Segment,
        declared: Declared<'q>,
    ) -> Result<Step, EvalError> {
        Ok(match segment {
            Segment::Property(name) => Step::Property(name.as_str().to_owned()),
            Segment::TypeCast(name) => Step::TypeCast(self.type_names(name, declared)),
            Segment::Annotation(annotation) => {
                let mut key = format!("@{}", annotation.term);
                if let Some(qualifier) = &annotation.qualifier {
                    key.push('#');
                    key.push_str(qualifier);
                }
                Step::Annotation(key)
            }
            Segment::Key(keys) => {
                let mut compiled = Vec::with_capacity(keys.len());
                for key in keys {
                    // Semantic choice: an unnamed key matches the member's `id` property.
                    let name = key.name.clone().unwrap_or_else(|| "id".to_string());
                    compiled.push((name, self.expr(&key.value)?));
                }
                Step::Key(compiled)
            }
            Segment::Filter(expr) => {
                let outer = self.swap_computed(Vec::new());
                let predicate = self.predicate(expr, "$filter(...)");
                self.computed = outer;
                Step::Filter(Box::new(predicate?))
            }
            Segment::Count(options) => match options {
                None => Step::Count(None, None),
                Some(query) => {
                    let pushed = self.push_aliases(query);
                    let outer = self.swap_computed(Vec::new());
                    let filter = query
                        .filter
                        .as_ref()
                        .map(|f| self.predicate(f, "$count($filter=...)"))
                        .transpose();
                    self.computed = outer;
                    self.pop_aliases(pushed);
                    Step::Count(filter?.map(Box::new), query.search.clone())
                }
            },
            Segment::Any(None) => Step::Any(None),
            Segment::Any(Some(lambda)) => {
                Step::Any(Some(Box::new(self.lambda(lambda, declared.element())?)))
            }
            Segment::All(lambda) => Step::All(Box::new(self.lambda(lambda, declared.element())?)),
            Segment::Aggregate(item) => {
                return Err(EvalError::NotSupported(format!(
                    "the aggregate path segment aggregate({item})"
                )))
            }
            Segment::Function { name, .. } | Segment::Call { name, .. } => {
                return Err(EvalError::NotSupported(format!(
                    "the custom function {name} (no function resolver is configured)"
                )))
            }
        })
    }

    fn lambda(
        &mut self,
        lambda: &'q ast::Lambda,
        element: Declared<'q>,
    ) -> Result<Node, EvalError> {
        let max = self.limits().max_lambda_depth;
        if self.variables.len() >= max {
            return Err(EvalError::LimitExceeded {
                limit: Limit::LambdaDepth,
                max,
            });
        }
        self.variables.push(lambda.variable.as_str().to_owned());
        self.variable_types.push(element);
        // Inside the predicate, implicit paths still refer to the item being filtered.
        let outer_level = self
            .level_types
            .len()
            .checked_sub(2)
            .and_then(|i| self.level_types.get(i).copied());
        let result = match outer_level {
            Some(level) => self.with_level(level, |c| {
                c.predicate(&lambda.predicate, "a lambda predicate")
            }),
            None => self.predicate(&lambda.predicate, "a lambda predicate"),
        };
        self.variable_types.pop();
        self.variables.pop();
        result
    }
}

/// Converts a literal once (URL §5.1.1.18: numbers keep their exact value).
pub(crate) fn literal_value(literal: &Literal) -> Result<Val<'static>, EvalError> {
    let invalid =
        |what: &str, text: &str| EvalError::Invalid(format!("invalid {what} literal {text}"));
    Ok(match literal {
        Literal::Null => Val::Null,
        Literal::Boolean(b) => Val::Bool(*b),
        Literal::Int(i) => Val::Num(Num::Int(i128::from(*i))),
        Literal::Decimal(text) => Val::Num(Num::Dec(Decimal::parse(text).ok_or_else(|| {
            EvalError::NotSupported(format!(
                "the decimal literal {text} (more than 38 significant digits)"
            ))
        })?)),
        Literal::Double(text) => Val::Num(Num::Float(match text.as_str() {
            "INF" => f64::INFINITY,
            "-INF" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            other => other.parse().map_err(|_| invalid("double", other))?,
        })),
        Literal::String(text) => Val::Str(Cow::Owned(text.to_string())),
        Literal::Guid(text) => {
            Val::Guid(temporal::parse_guid(text).ok_or_else(|| invalid("GUID", text))?)
        }
        Literal::Date(text) => {
            Val::Date(temporal::parse_date(text).ok_or_else(|| invalid("date", text))?)
        }
        Literal::DateTimeOffset(text) => Val::DateTimeOffset(
            temporal::parse_datetime(text).ok_or_else(|| invalid("DateTimeOffset", text))?,
        ),
        Literal::TimeOfDay(text) => {
            Val::TimeOfDay(temporal::parse_time(text).ok_or_else(|| invalid("TimeOfDay", text))?)
        }
        Literal::Duration(text) => {
            Val::Duration(temporal::parse_duration(text).ok_or_else(|| invalid("duration", text))?)
        }
        Literal::Binary(bytes) => Val::Binary(Cow::Owned(bytes.clone())),
        Literal::Enum { value, .. } => Val::Enum(Cow::Owned(value.clone())),
        Literal::Geo(geo) => Val::Owned(Box::new(super::geo::literal(geo)?)),
        Literal::Json(value) => Val::Owned(Box::new(value.clone())),
    })
}

/// An enumeration property compared with a member's number (`Gender eq 1`, which 4.01
/// allows): values of the property are read as member names, so the number is too.
fn enum_numbers_as_names(path: &Node, other: &mut Node) {
    let Node::Path(path) = path else {
        return;
    };
    let Some(Step::Coerce(coercion @ Coerce::Enum(_))) = path.steps.last() else {
        return;
    };
    let as_name = |node: &mut Node| {
        if let Node::Const(value @ Val::Num(Num::Int(_))) = node {
            *value = super::typing::coerce(coercion, std::mem::replace(value, Val::Null));
        }
    };
    match other {
        Node::List(members) => members.iter_mut().for_each(as_name),
        single => as_name(single),
    }
}

fn is_binary_const(node: &Node) -> bool {
    matches!(node, Node::Const(Val::Binary(_)))
}

/// The static kind of a compiled node, where it is known.
pub(crate) fn kind(node: &Node) -> Kind {
    match node {
        Node::Const(value) => match value {
            Val::Null => Kind::Null,
            Val::Bool(_) => Kind::Bool,
            Val::Num(_) => Kind::Number,
            Val::Str(_) => Kind::String,
            Val::DateTimeOffset(_) | Val::Date(_) | Val::TimeOfDay(_) | Val::Duration(_) => {
                Kind::Temporal
            }
            Val::Guid(_) | Val::Binary(_) | Val::Enum(_) => Kind::Other,
            _ => Kind::Unknown,
        },
        Node::Not(_)
        | Node::And(..)
        | Node::Or(..)
        | Node::Compare(..)
        | Node::In(..)
        | Node::Has(..)
        | Node::Pattern(..)
        | Node::IsOf(..)
        | Node::IsDefined(_) => Kind::Bool,
        Node::Now => Kind::Temporal,
        Node::Call(function, _) | Node::Geo(function, ..) => {
            super::functions::return_kind(*function)
        }
        Node::Neg(inner) => kind(inner),
        Node::Arith(_, l, r) => match (kind(l), kind(r)) {
            (Kind::Temporal, _) | (_, Kind::Temporal) => Kind::Temporal,
            (Kind::Number, Kind::Number) => Kind::Number,
            _ => Kind::Unknown,
        },
        _ => Kind::Unknown,
    }
}

/// Fails with a type error when the node's static kind is known and not allowed.
fn expect_kind(
    node: &Node,
    allowed: &[Kind],
    operator: &str,
    whole: &Expr,
) -> Result<(), EvalError> {
    let k = kind(node);
    if k == Kind::Unknown || k == Kind::Null || allowed.contains(&k) {
        Ok(())
    } else {
        Err(EvalError::Type(format!(
            "{operator} does not apply to a {k:?} operand in {whole}"
        )))
    }
}
