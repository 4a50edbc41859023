//! Typing expressions against the model: property paths, operators, functions, lambdas,
//! casts and aliases.

use crate::ast::{
    AliasDefinition, BinaryOp, Expr, Literal, MemberPath, PathRoot, Segment, UnaryOp,
};
use crate::model::{Edm, Model, Policy, StructuredType};

use super::error::{CheckError, CheckErrorKind};
use super::suggest::nearest;
use super::ty::{self, Ty};

/// What names mean where an expression is checked.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// `$it`: the outermost resource's item type.
    pub(crate) it: Ty,
    /// The instance the option applies to (implicit paths and `$this`).
    pub(crate) this: Ty,
    /// Lambda variables in scope, innermost last.
    pub(crate) variables: Vec<(String, Ty)>,
    /// `$compute` properties visible here, with their types.
    pub(crate) computed: Vec<(String, Ty)>,
}

impl Scope {
    pub(crate) fn new(it: Ty, this: Ty) -> Scope {
        Scope {
            it,
            this,
            variables: Vec::new(),
            computed: Vec::new(),
        }
    }

    /// A scope for a nested option list over items of type `this`.
    pub(crate) fn nested(&self, this: Ty) -> Scope {
        Scope {
            it: self.it.clone(),
            this,
            variables: Vec::new(),
            computed: Vec::new(),
        }
    }
}

/// How deep alias values may refer to other aliases.
const MAX_ALIAS_NESTING: usize = 16;

/// The expression checker of one option.
pub(crate) struct ExprChecker<'m, 'a> {
    pub(crate) model: &'m Model,
    pub(crate) policy: &'a Policy,
    /// Alias definitions in scope, innermost level last.
    pub(crate) aliases: &'a [&'a [AliasDefinition]],
    /// `$filter`: property uses are checked against the filter restrictions.
    pub(crate) filtering: bool,
    /// The property paths the expression reads (for required-filter checks).
    pub(crate) paths: Vec<String>,
    /// What policy messages call the resource (`'People'`, `the service`).
    pub(crate) who: String,
    alias_depth: usize,
}

fn mismatch(message: String, token: Option<String>) -> CheckError {
    let error = CheckError::new(CheckErrorKind::TypeMismatch, message);
    match token {
        Some(token) => error.token(token),
        None => error,
    }
}

/// The text to locate an expression by: its first property name, or its canonical text.
fn token_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => path.segments.iter().find_map(|segment| match segment {
            Segment::Property(name) => Some(name.clone()),
            _ => None,
        }),
        Expr::Binary { left, right, .. } => token_of(left).or_else(|| token_of(right)),
        Expr::Unary { operand, .. } => token_of(operand),
        Expr::Call { args, .. } => args.iter().find_map(token_of),
        _ => None,
    }
}

/// Short text of an expression for messages.
fn shown(expr: &Expr) -> String {
    let text = expr.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

impl<'m, 'a> ExprChecker<'m, 'a> {
    pub(crate) fn new(
        model: &'m Model,
        policy: &'a Policy,
        aliases: &'a [&'a [AliasDefinition]],
    ) -> ExprChecker<'m, 'a> {
        ExprChecker {
            model,
            policy,
            aliases,
            filtering: false,
            paths: Vec::new(),
            who: "the service".to_owned(),
            alias_depth: 0,
        }
    }

    /// Checks a Boolean expression (`$filter`, lambda predicates, `filter(...)`).
    pub(crate) fn predicate(
        &mut self,
        expr: &Expr,
        scope: &mut Scope,
        what: &str,
    ) -> Result<(), CheckError> {
        let ty = self.expr(expr, scope)?;
        if ty.may_be(Edm::Boolean) {
            Ok(())
        } else {
            Err(mismatch(
                format!(
                    "{what} must be a Boolean expression, but {} is {ty}",
                    shown(expr)
                ),
                token_of(expr),
            ))
        }
    }

    /// The type of `expr`.
    pub(crate) fn expr(&mut self, expr: &Expr, scope: &mut Scope) -> Result<Ty, CheckError> {
        match expr {
            Expr::Literal(literal) => {
                if let Literal::Enum { type_name, value } = literal {
                    self.enum_members(type_name, value)?;
                }
                Ok(Ty::of_literal(self.model, literal))
            }
            Expr::Alias(name) => self.alias(name, scope),
            Expr::Path(path) => self.path(path, scope),
            Expr::Call { function, args } => {
                if !self.policy.allows_function(function.name()) {
                    return Err(CheckError::new(
                        CheckErrorKind::PolicyViolation,
                        format!(
                            "{} does not allow the function {} in $filter",
                            self.who,
                            function.name()
                        ),
                    )
                    .token(function.name()));
                }
                let mut types = Vec::with_capacity(args.len());
                for arg in args {
                    types.push(self.expr(arg, scope)?);
                }
                ty::function_result(*function, &types).map_err(|message| {
                    mismatch(
                        message,
                        args.iter()
                            .find_map(token_of)
                            .or(Some(function.name().to_owned())),
                    )
                })
            }
            Expr::Cast {
                expr: operand,
                type_name,
            } => {
                let from = match operand {
                    Some(operand) => self.expr(operand, scope)?,
                    None => scope.this.clone(),
                };
                let target = self.type_named(type_name)?;
                self.related(&from, &target, type_name)?;
                Ok(target)
            }
            Expr::IsOf {
                expr: operand,
                type_name,
            } => {
                let from = match operand {
                    Some(operand) => self.expr(operand, scope)?,
                    None => scope.this.clone(),
                };
                let target = self.type_named(type_name)?;
                self.related(&from, &target, type_name)?;
                Ok(Ty::BOOLEAN)
            }
            Expr::Case(arms) => {
                let mut result = Ty::Null;
                for arm in arms {
                    self.predicate(&arm.condition, scope, "a case condition")?;
                    let value = self.expr(&arm.value, scope)?;
                    if !ty::equatable(self.model, &result, &value) {
                        return Err(mismatch(
                            format!("case values of different types: {result} and {value}"),
                            token_of(&arm.value),
                        ));
                    }
                    if result.is_loose() {
                        result = value;
                    }
                }
                Ok(result)
            }
            Expr::Unary { op, operand } => {
                let operand_ty = self.expr(operand, scope)?;
                match op {
                    UnaryOp::Not if operand_ty.may_be(Edm::Boolean) => Ok(Ty::BOOLEAN),
                    UnaryOp::Neg
                        if operand_ty.is_loose()
                            || operand_ty.is_numeric()
                            || operand_ty.is(Edm::Duration) =>
                    {
                        Ok(operand_ty)
                    }
                    _ => Err(mismatch(
                        format!(
                            "{} is {operand_ty}, which {} does not apply to",
                            shown(operand),
                            if *op == UnaryOp::Not {
                                "not"
                            } else {
                                "negation"
                            }
                        ),
                        token_of(operand),
                    )),
                }
            }
            Expr::Binary { op, left, right } => self.binary(*op, left, right, scope),
            Expr::List(items) => {
                let mut element = Ty::Null;
                for item in items {
                    let item_ty = self.expr(item, scope)?;
                    if element.is_loose() {
                        element = item_ty;
                    }
                }
                Ok(Ty::Collection(Box::new(element)))
            }
            Expr::Array(items) => {
                for item in items {
                    self.expr(item, scope)?;
                }
                Ok(Ty::Collection(Box::new(Ty::Any)))
            }
            Expr::Object(members) => {
                for member in members {
                    self.expr(&member.value, scope)?;
                }
                Ok(Ty::Any)
            }
            #[allow(
                unreachable_patterns,
                reason = "expression kinds added later are untyped"
            )]
            _ => Ok(Ty::Any),
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        scope: &mut Scope,
    ) -> Result<Ty, CheckError> {
        if !self.policy.allows_operator(op.keyword()) {
            return Err(CheckError::new(
                CheckErrorKind::PolicyViolation,
                format!(
                    "{} does not allow the operator {} in $filter",
                    self.who,
                    op.keyword()
                ),
            )
            .token(op.keyword()));
        }
        let l = self.expr(left, scope)?;
        let r = self.expr(right, scope)?;
        let (left_text, right_text) = (shown(left), shown(right));
        let token = token_of(left).or_else(|| token_of(right));
        let fail = |what: String| mismatch(what, token.clone());
        let both = format!("{left_text} ({l}) and {right_text} ({r})");
        match op {
            BinaryOp::And | BinaryOp::Or => {
                if l.may_be(Edm::Boolean) && r.may_be(Edm::Boolean) {
                    Ok(Ty::BOOLEAN)
                } else {
                    Err(fail(format!(
                        "{} needs Boolean operands, not {both}",
                        op.keyword()
                    )))
                }
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                if ty::equatable(self.model, &l, &r) {
                    Ok(Ty::BOOLEAN)
                } else {
                    Err(fail(format!(
                        "cannot compare {left_text} ({l}) with {right_text} ({r}) using {}",
                        op.keyword()
                    )))
                }
            }
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => {
                if ty::orderable(self.model, &l, &r) {
                    Ok(Ty::BOOLEAN)
                } else {
                    Err(fail(format!(
                        "cannot compare {left_text} ({l}) with {right_text} ({r}) using {}",
                        op.keyword()
                    )))
                }
            }
            BinaryOp::Has => {
                let enum_like =
                    |t: &Ty| t.is_loose() || matches!(t, Ty::Enum(_)) || t.is(Edm::String);
                if enum_like(&l) && enum_like(&r) {
                    Ok(Ty::BOOLEAN)
                } else {
                    Err(fail(format!(
                        "has needs an enumeration and a flag value, not {both}"
                    )))
                }
            }
            BinaryOp::In => {
                let element = match &r {
                    Ty::Collection(element) => (**element).clone(),
                    other if other.is_loose() => Ty::Any,
                    _ => {
                        return Err(fail(format!(
                            "in needs a list or a collection on the right, not {right_text} ({r})"
                        )))
                    }
                };
                if let Expr::List(items) = right {
                    for item in items {
                        let item_ty = self.expr(item, scope)?;
                        if !ty::equatable(self.model, &l, &item_ty) {
                            return Err(mismatch(
                                format!(
                                    "cannot compare {left_text} ({l}) with {} ({item_ty}) in the list of in",
                                    shown(item)
                                ),
                                token_of(left),
                            ));
                        }
                    }
                    return Ok(Ty::BOOLEAN);
                }
                if ty::equatable(self.model, &l, &element) {
                    Ok(Ty::BOOLEAN)
                } else {
                    Err(fail(format!("cannot compare {left_text} ({l}) with the members of {right_text} ({r}) using in")))
                }
            }
            _ => ty::arithmetic(op, &l, &r)
                .ok_or_else(|| fail(format!("{} does not apply to {both}", op.keyword()))),
        }
    }

    fn alias(&mut self, name: &str, scope: &mut Scope) -> Result<Ty, CheckError> {
        let definition = self
            .aliases
            .iter()
            .rev()
            .flat_map(|level| level.iter())
            .find(|definition| definition.name == name);
        let Some(definition) = definition else {
            // An alias without a value is null (URL §5.3).
            return Ok(Ty::Null);
        };
        if self.alias_depth >= MAX_ALIAS_NESTING {
            return Ok(Ty::Any);
        }
        self.alias_depth += 1;
        let result = self.expr(&definition.value, scope);
        self.alias_depth -= 1;
        result
    }

    /// `cast`/`isof` between structured types: the target must be the value's type, a type
    /// derived from it, or one of its base types; anything else can never match.
    fn related(&self, from: &Ty, target: &Ty, type_name: &str) -> Result<(), CheckError> {
        if let (Ty::Structured(from), Ty::Structured(to)) = (from, target) {
            let related = from == to
                || self.model.is_derived_from(to, from)
                || self.model.is_derived_from(from, to);
            if !related {
                return Err(CheckError::new(
                    CheckErrorKind::UnknownType,
                    format!("'{type_name}' is not derived from {from}"),
                )
                .token(type_name));
            }
        }
        Ok(())
    }

    /// An enum literal names members of its type (`NS.Color'Red,Blue'`, or values).
    fn enum_members(&self, type_name: &str, value: &str) -> Result<(), CheckError> {
        let Some(enum_type) = self.model.enum_type(type_name) else {
            return Err(CheckError::new(
                CheckErrorKind::UnknownType,
                format!("the model has no enumeration named '{type_name}'"),
            )
            .token(type_name));
        };
        for member in value.split(',').map(str::trim) {
            let by_value = member
                .parse::<i64>()
                .is_ok_and(|v| enum_type.is_flags || enum_type.member_by_value(v).is_some());
            if enum_type.member(member).is_none() && !by_value {
                let names = enum_type.members.iter().map(|m| m.name.as_str());
                return Err(CheckError::new(
                    CheckErrorKind::TypeMismatch,
                    format!("'{member}' is not a member of {type_name}"),
                )
                .token(member)
                .suggest(nearest(member, names)));
            }
        }
        Ok(())
    }

    /// Resolves a qualified type name (`Edm.Int32`, `NS.Type`) or fails naming it.
    pub(crate) fn type_named(&self, name: &str) -> Result<Ty, CheckError> {
        Ty::named(self.model, name).ok_or_else(|| {
            CheckError::new(
                CheckErrorKind::UnknownType,
                format!("the model has no type named '{name}'"),
            )
            .token(name)
        })
    }

    fn path(&mut self, path: &MemberPath, scope: &mut Scope) -> Result<Ty, CheckError> {
        let mut segments = path.segments.as_slice();
        let mut names: Vec<&str> = Vec::new();
        let mut current = match &path.root {
            PathRoot::Implicit => {
                // A computed property of this level shadows nothing: names must differ.
                if let Some(Segment::Property(first)) = segments.first() {
                    if let Some((_, ty)) = scope.computed.iter().rev().find(|(n, _)| n == first) {
                        segments = &segments[1..];
                        names.push(first);
                        ty.clone()
                    } else {
                        scope.this.clone()
                    }
                } else {
                    scope.this.clone()
                }
            }
            PathRoot::This => scope.this.clone(),
            PathRoot::It => scope.it.clone(),
            PathRoot::Variable(name) => scope
                .variables
                .iter()
                .rev()
                .find(|(variable, _)| variable == name)
                .map(|(_, ty)| ty.clone())
                .unwrap_or(Ty::Any),
            PathRoot::Alias(name) => self.alias(name, scope)?,
            PathRoot::These => Ty::Any,
            PathRoot::Root => match segments.first() {
                Some(Segment::Property(set)) => {
                    segments = &segments[1..];
                    self.root_set(set)?
                }
                _ => Ty::Any,
            },
        };
        let implicit = matches!(path.root, PathRoot::Implicit | PathRoot::This);
        for segment in segments {
            current = match segment {
                Segment::Property(name) => {
                    let next = self.property(&current, name)?;
                    names.push(name);
                    next
                }
                Segment::TypeCast(type_name) => self.cast(&current, type_name)?,
                Segment::Annotation(_) => Ty::Any,
                Segment::Key(keys) => {
                    for key in keys {
                        self.expr(&key.value, scope)?;
                    }
                    self.collection(&current, &names, "a key predicate")?
                }
                Segment::Filter(predicate) => {
                    let element = self.collection(&current, &names, "/$filter")?;
                    let mut inner = scope.nested(element);
                    inner.variables = scope.variables.clone();
                    self.predicate(predicate, &mut inner, "/$filter(...)")?;
                    current
                }
                Segment::Count(options) => {
                    let element = self.collection(&current, &names, "$count")?;
                    if let Some(options) = options {
                        let mut inner = scope.nested(element);
                        inner.variables = scope.variables.clone();
                        if let Some(filter) = &options.filter {
                            self.predicate(filter, &mut inner, "$filter")?;
                        }
                    }
                    Ty::Primitive(Edm::Int64)
                }
                Segment::Any(lambda) => {
                    let element = self.collection(&current, &names, "any")?;
                    if let Some(lambda) = lambda {
                        self.lambda(&lambda.variable, &lambda.predicate, element, scope)?;
                    }
                    Ty::BOOLEAN
                }
                Segment::All(lambda) => {
                    let element = self.collection(&current, &names, "all")?;
                    self.lambda(&lambda.variable, &lambda.predicate, element, scope)?;
                    Ty::BOOLEAN
                }
                Segment::Aggregate(_) => Ty::Any,
                Segment::Function { args, .. } => {
                    for arg in args {
                        self.expr(&arg.value, scope)?;
                    }
                    Ty::Any
                }
                #[allow(unreachable_patterns, reason = "segment kinds added later are untyped")]
                _ => Ty::Any,
            };
        }
        if !names.is_empty() {
            let text = names.join("/");
            if implicit && self.filtering {
                let first = names[0];
                if !self.policy.can_filter(&text) || !self.policy.can_filter(first) {
                    return Err(CheckError::new(
                        CheckErrorKind::PolicyViolation,
                        format!("the property '{text}' cannot be used in $filter"),
                    )
                    .token(first));
                }
            }
            if implicit {
                self.paths.push(text);
            }
        }
        Ok(current)
    }

    fn lambda(
        &mut self,
        variable: &str,
        predicate: &Expr,
        element: Ty,
        scope: &mut Scope,
    ) -> Result<(), CheckError> {
        scope.variables.push((variable.to_owned(), element));
        let result = self.predicate(predicate, scope, "a lambda predicate");
        scope.variables.pop();
        result
    }

    /// The element type of a collection, or an error naming what needed one.
    fn collection(&self, current: &Ty, names: &[&str], what: &str) -> Result<Ty, CheckError> {
        match current {
            Ty::Collection(element) => Ok((**element).clone()),
            other if other.is_loose() => Ok(Ty::Any),
            other => {
                let name = names.last().copied().unwrap_or("$this");
                Err(CheckError::new(
                    CheckErrorKind::NotACollection,
                    format!("{what} needs a collection, but '{name}' is {other}"),
                )
                .token(name))
            }
        }
    }

    fn root_set(&self, set: &str) -> Result<Ty, CheckError> {
        let ty = self.model.entity_set_type(set).ok_or_else(|| {
            let names = self
                .model
                .container()
                .map(|c| {
                    c.entity_sets
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            CheckError::new(
                CheckErrorKind::UnknownEntitySet,
                format!("the model has no entity set named '{set}'"),
            )
            .token(set)
            .suggest(nearest(set, names))
        })?;
        let name = self.model.qualified_name_of(ty).unwrap_or_default();
        Ok(Ty::Collection(Box::new(Ty::Structured(name))))
    }

    /// A type cast segment: to a type derived from (or equal to) the current one.
    fn cast(&self, current: &Ty, type_name: &str) -> Result<Ty, CheckError> {
        let target = self.type_named(type_name)?;
        let (from, collection) = match current {
            Ty::Collection(element) => ((**element).clone(), true),
            other => (other.clone(), false),
        };
        let fits = match (&from, &target) {
            (f, _) if f.is_loose() => true,
            (Ty::Structured(from), Ty::Structured(to)) => {
                from == to || self.model.is_derived_from(to, from)
            }
            (a, b) => a == b,
        };
        if !fits {
            return Err(CheckError::new(
                CheckErrorKind::UnknownType,
                format!("'{type_name}' is not a type derived from {from}"),
            )
            .token(type_name));
        }
        Ok(if collection {
            Ty::Collection(Box::new(target))
        } else {
            target
        })
    }

    /// The type of property `name` of a value of type `current`.
    pub(crate) fn property(&self, current: &Ty, name: &str) -> Result<Ty, CheckError> {
        match current {
            Ty::Any | Ty::Null => Ok(Ty::Any),
            Ty::Structured(type_name) => {
                let Some(structured) = self.model.structured_type(type_name) else {
                    return Ok(Ty::Any);
                };
                property_of(self.model, type_name, structured, name)
            }
            Ty::Collection(element) => Err(CheckError::new(
                CheckErrorKind::NotACollection,
                format!(
                    "the value before '{name}' is a collection of {element}: use any(), all(), $count or a key to reach its members"
                ),
            )
            .token(name)),
            other => Err(CheckError::new(
                CheckErrorKind::UnknownProperty,
                format!("{other} has no property named '{name}'"),
            )
            .token(name)),
        }
    }
}

/// The type of property or navigation property `name` on a structured type, or the
/// error for an unknown name (with the nearest existing name, and a hint when a derived
/// type declares it).
pub(crate) fn property_of(
    model: &Model,
    type_name: &str,
    structured: &StructuredType,
    name: &str,
) -> Result<Ty, CheckError> {
    if let Some(property) = model.property(structured, name) {
        return Ok(Ty::of_ref(model, &property.type_ref));
    }
    if let Some(navigation) = model.navigation_property(structured, name) {
        let target = model
            .canonical_name(&navigation.target)
            .unwrap_or_else(|| navigation.target.clone());
        let target = Ty::Structured(target);
        return Ok(if navigation.collection {
            Ty::Collection(Box::new(target))
        } else {
            target
        });
    }
    if model.is_open(structured) {
        return Ok(Ty::Any);
    }
    let mut message = format!("could not find a property named '{name}' on '{type_name}'");
    let derived = model
        .derived_types(type_name)
        .into_iter()
        .find(|(_, derived)| {
            derived.declared_property(name).is_some() || derived.declared_navigation(name).is_some()
        });
    if let Some((derived_name, _)) = derived {
        message.push_str(&format!(
            " (the derived type '{derived_name}' has it: cast with {derived_name}/{name})"
        ));
    }
    let properties = model.properties(structured);
    let navigations = model.navigation_properties(structured);
    let candidates = properties
        .iter()
        .map(|p| p.name.as_str())
        .chain(navigations.iter().map(|n| n.name.as_str()));
    Err(CheckError::new(CheckErrorKind::UnknownProperty, message)
        .token(name)
        .suggest(nearest(name, candidates)))
}
