//! Typing expressions against the model: property paths, operators, functions, lambdas,
//! casts and aliases.

use crate::ast::{
    AliasDefinition, BinaryOp, Expr, Literal, MemberPath, Name, PathRoot, Segment, UnaryOp,
};
use crate::model::{
    Edm, Model, NavigationProperty, OperationKind, Policy, Property, StructuredType,
};

use super::error::{CheckError, CheckErrorKind};
use super::suggest::nearest;
use super::ty::{self, derives, qualified_name, Base, Ty, MAX_INHERITANCE};

/// What names mean where an expression is checked.
#[derive(Debug, Clone)]
pub(crate) struct Scope<'m> {
    /// `$it`: the outermost resource's item type.
    pub(crate) it: Ty<'m>,
    /// The instance the option applies to (implicit paths and `$this`).
    pub(crate) this: Ty<'m>,
    /// Lambda variables in scope, innermost last.
    pub(crate) variables: Vec<(Name, Ty<'m>)>,
    /// `$compute` properties visible here, with their types.
    pub(crate) computed: Vec<(String, Ty<'m>)>,
}

impl<'m> Scope<'m> {
    pub(crate) fn new(it: Ty<'m>, this: Ty<'m>) -> Scope<'m> {
        Scope {
            it,
            this,
            variables: Vec::new(),
            computed: Vec::new(),
        }
    }

    /// A scope for a nested option list over items of type `this`.
    pub(crate) fn nested(&self, this: Ty<'m>) -> Scope<'m> {
        Scope::new(self.it, this)
    }

    fn computed(&self, name: &str) -> Option<Ty<'m>> {
        self.computed
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| *ty)
    }
}

/// How deep alias values may refer to other aliases.
const MAX_ALIAS_NESTING: usize = 16;

/// Where a policy message says a restriction comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose<'a> {
    /// The entity set or singleton addressed.
    Resource(&'a str),
    /// The service as a whole (inside expansions).
    Service,
}

impl std::fmt::Display for Whose<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Whose::Resource(name) => write!(f, "'{name}'"),
            Whose::Service => f.write_str("the service"),
        }
    }
}

/// The expression checker of one option.
pub(crate) struct ExprChecker<'m, 'a> {
    pub(crate) model: &'m Model,
    pub(crate) policy: &'a Policy,
    /// Alias definitions in scope, innermost level last.
    pub(crate) aliases: &'a [&'a [AliasDefinition]],
    /// `$filter`: property uses are checked against the filter restrictions.
    pub(crate) filtering: bool,
    /// Record the property paths read (for required-filter and sort checks).
    pub(crate) collect_paths: bool,
    /// The property paths read, when collected.
    pub(crate) paths: Vec<String>,
    /// What policy messages call the resource.
    pub(crate) whose: Whose<'a>,
    alias_depth: usize,
    /// Where the stack stood when checking began (see [`crate::limits::STACK_BUDGET`]).
    stack_base: usize,
}

fn mismatch(message: String, token: Option<String>) -> CheckError {
    let error = CheckError::new(CheckErrorKind::TypeMismatch, message);
    match token {
        Some(token) => error.token(token),
        None => error,
    }
}

/// The text to locate an expression by: its first property name.
fn token_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => path.segments.iter().find_map(|segment| match segment {
            Segment::Property(name) => Some(name.as_str().to_owned()),
            _ => None,
        }),
        Expr::Binary { operands, .. } => operands.iter().find_map(token_of),
        Expr::Unary { operand, .. } => token_of(operand),
        Expr::Call { args, .. } => args.iter().find_map(token_of),
        _ => None,
    }
}

/// Why `left op right` does not fit (built only when it does not: messages print the
/// operands).
#[cold]
fn binary_error(
    model: &Model,
    op: BinaryOp,
    left: &Expr,
    right: &Expr,
    l_ty: &Ty<'_>,
    r_ty: &Ty<'_>,
) -> CheckError {
    let (left_text, right_text) = (shown(left), shown(right));
    let (l, r) = (l_ty.show(model), r_ty.show(model));
    let keyword = op.keyword();
    let message = match op {
        BinaryOp::And | BinaryOp::Or => format!(
            "{keyword} needs Boolean operands, not {left_text} ({l}) and {right_text} ({r})"
        ),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le
            if ty::is_date_and_instant(l_ty, r_ty) =>
        {
            let (instant, date) = if matches!(l_ty.base, Base::Primitive(Edm::Date)) {
                (&right_text, &left_text)
            } else {
                (&left_text, &right_text)
            };
            format!(
                "cannot compare {left_text} ({l}) with {right_text} ({r}) using {keyword}: \
                 compare date({instant}) with {date}, or {instant} with a DateTimeOffset"
            )
        }
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => {
            format!("cannot compare {left_text} ({l}) with {right_text} ({r}) using {keyword}")
        }
        BinaryOp::Has => format!(
            "has needs an enumeration and a flag value, not {left_text} ({l}) and {right_text} ({r})"
        ),
        BinaryOp::In if r.starts_with("Collection(") || r == "an untyped value" => format!(
            "cannot compare {left_text} ({l}) with the members of {right_text} ({r}) using in"
        ),
        BinaryOp::In => {
            format!("in needs a list or a collection on the right, not {right_text} ({r})")
        }
        _ => format!("{keyword} does not apply to {left_text} ({l}) and {right_text} ({r})"),
    };
    mismatch(message, token_of(left).or_else(|| token_of(right)))
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
        whose: Whose<'a>,
    ) -> ExprChecker<'m, 'a> {
        ExprChecker {
            model,
            policy,
            aliases,
            filtering: false,
            collect_paths: false,
            paths: Vec::new(),
            whose,
            alias_depth: 0,
            stack_base: crate::limits::stack_position(),
        }
    }

    /// Checks a Boolean expression (`$filter`, lambda predicates, `filter(...)`).
    pub(crate) fn predicate(
        &mut self,
        expr: &Expr,
        scope: &mut Scope<'m>,
        what: &str,
    ) -> Result<(), CheckError> {
        let ty = self.expr(expr, scope)?;
        if ty.may_be(Edm::Boolean) {
            Ok(())
        } else {
            Err(mismatch(
                format!(
                    "{what} must be a Boolean expression, but {} is {}",
                    shown(expr),
                    ty.show(self.model)
                ),
                token_of(expr),
            ))
        }
    }

    /// The type of `expr`.
    pub(crate) fn expr(
        &mut self,
        expr: &Expr,
        scope: &mut Scope<'m>,
    ) -> Result<Ty<'m>, CheckError> {
        if self.stack_base.abs_diff(crate::limits::stack_position()) > crate::limits::STACK_BUDGET {
            // Only an unoptimised build gets here within the depth limits.
            return Err(CheckError::new(
                CheckErrorKind::Invalid,
                "the expression is nested too deeply to check in the stack budget",
            ));
        }
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
                            self.whose,
                            function.name()
                        ),
                    )
                    .token(function.name()));
                }
                let mut types = Vec::with_capacity(args.len());
                for arg in args {
                    types.push(self.expr(arg, scope)?);
                }
                ty::function_result(self.model, *function, &types).map_err(|message| {
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
                    None => scope.this,
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
                    None => scope.this,
                };
                let target = self.type_named(type_name)?;
                self.related(&from, &target, type_name)?;
                Ok(Ty::BOOLEAN)
            }
            Expr::Case(arms) => {
                let mut result = Ty::NULL;
                for arm in arms {
                    self.predicate(&arm.condition, scope, "a case condition")?;
                    let value = self.expr(&arm.value, scope)?;
                    if !ty::equatable(self.model, &result, &value) {
                        return Err(mismatch(
                            format!(
                                "case values of different types: {} and {}",
                                result.show(self.model),
                                value.show(self.model)
                            ),
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
                let fits = match op {
                    UnaryOp::Not => operand_ty.may_be(Edm::Boolean),
                    UnaryOp::Neg => {
                        operand_ty.is_loose()
                            || operand_ty.is_numeric()
                            || operand_ty.is(Edm::Duration)
                    }
                };
                if fits {
                    return Ok(if *op == UnaryOp::Not {
                        Ty::BOOLEAN
                    } else {
                        operand_ty
                    });
                }
                Err(mismatch(
                    format!(
                        "{} is {}, which {} does not apply to",
                        shown(operand),
                        operand_ty.show(self.model),
                        if *op == UnaryOp::Not {
                            "not"
                        } else {
                            "negation"
                        }
                    ),
                    token_of(operand),
                ))
            }
            Expr::Binary { op, operands } => {
                let [left, right] = &**operands;
                self.binary(*op, left, right, scope)
            }
            Expr::List(items) => {
                let mut element = Ty::NULL;
                for item in items {
                    let item_ty = self.expr(item, scope)?;
                    if element.is_loose() {
                        element = item_ty;
                    }
                }
                Ok(element.collection_of())
            }
            Expr::Array(items) => {
                for item in items {
                    self.expr(item, scope)?;
                }
                Ok(Ty::ANY.collection_of())
            }
            Expr::Object(members) => {
                for member in members {
                    self.expr(&member.value, scope)?;
                }
                Ok(Ty::ANY)
            }
            #[allow(
                unreachable_patterns,
                reason = "expression kinds added later are untyped"
            )]
            _ => Ok(Ty::ANY),
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        scope: &mut Scope<'m>,
    ) -> Result<Ty<'m>, CheckError> {
        if !self.policy.allows_operator(op.keyword()) {
            return Err(CheckError::new(
                CheckErrorKind::PolicyViolation,
                format!(
                    "{} does not allow the operator {} in $filter",
                    self.whose,
                    op.keyword()
                ),
            )
            .token(op.keyword()));
        }
        let l = self.expr(left, scope)?;
        let r = self.expr(right, scope)?;
        let fits = match op {
            BinaryOp::And | BinaryOp::Or => {
                (l.may_be(Edm::Boolean) && r.may_be(Edm::Boolean)).then_some(Ty::BOOLEAN)
            }
            BinaryOp::Eq | BinaryOp::Ne => ty::equatable(self.model, &l, &r).then_some(Ty::BOOLEAN),
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => {
                ty::orderable(self.model, &l, &r).then_some(Ty::BOOLEAN)
            }
            BinaryOp::Has => {
                let enum_like = |t: &Ty<'_>| t.is_loose() || t.is_enum() || t.is(Edm::String);
                (enum_like(&l) && enum_like(&r)).then_some(Ty::BOOLEAN)
            }
            BinaryOp::In => {
                let element = r.element().or(r.is_loose().then_some(Ty::ANY));
                match (element, right) {
                    (Some(_), Expr::List(items)) => {
                        for item in items {
                            let item_ty = self.expr(item, scope)?;
                            if !ty::equatable(self.model, &l, &item_ty) {
                                return Err(mismatch(
                                    format!(
                                        "cannot compare {} ({}) with {} ({}) in the list of in",
                                        shown(left),
                                        l.show(self.model),
                                        shown(item),
                                        item_ty.show(self.model)
                                    ),
                                    token_of(left),
                                ));
                            }
                        }
                        Some(Ty::BOOLEAN)
                    }
                    (Some(element), _) => {
                        ty::equatable(self.model, &l, &element).then_some(Ty::BOOLEAN)
                    }
                    (None, _) => None,
                }
            }
            _ => ty::arithmetic(op, &l, &r),
        };
        fits.ok_or_else(|| binary_error(self.model, op, left, right, &l, &r))
    }

    fn alias(&mut self, name: &str, scope: &mut Scope<'m>) -> Result<Ty<'m>, CheckError> {
        let definition = self
            .aliases
            .iter()
            .rev()
            .flat_map(|level| level.iter())
            .find(|definition| definition.name == name);
        let Some(definition) = definition else {
            // An alias without a value is null (URL §5.3).
            return Ok(Ty::NULL);
        };
        if self.alias_depth >= MAX_ALIAS_NESTING {
            return Ok(Ty::ANY);
        }
        self.alias_depth += 1;
        let result = self.expr(&definition.value, scope);
        self.alias_depth -= 1;
        result
    }

    /// `cast`/`isof` between structured types: the target must be the value's type, a type
    /// derived from it, or one of its base types; anything else can never match.
    fn related(&self, from: &Ty<'m>, target: &Ty<'m>, type_name: &str) -> Result<(), CheckError> {
        if let (Some(from), Some(to)) = (from.as_structured(), target.as_structured()) {
            if !derives(self.model, to, from) && !derives(self.model, from, to) {
                return Err(CheckError::new(
                    CheckErrorKind::UnknownType,
                    format!(
                        "'{type_name}' is not derived from {}",
                        qualified_name(self.model, from)
                    ),
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

    /// A custom function call names a function of the model: `Ns.Name` (namespace or
    /// alias) when `qualified`, else `Name` in any schema or a function import.
    fn known_function(&self, name: &str, qualified: bool) -> Result<(), CheckError> {
        let (namespace, bare) = match name.rsplit_once('.') {
            Some((namespace, bare)) if qualified => (Some(namespace), bare),
            _ => (None, name),
        };
        let mut functions = Vec::new();
        for schema in &self.model.schemas {
            let in_namespace = namespace.map_or(true, |namespace| {
                schema.namespace == namespace || schema.alias.as_deref() == Some(namespace)
            });
            if !in_namespace {
                continue;
            }
            functions.extend(
                schema
                    .operations
                    .iter()
                    .filter(|operation| operation.kind == OperationKind::Function)
                    .map(|operation| operation.name.as_str()),
            );
            if namespace.is_none() {
                if let Some(container) = &schema.container {
                    functions.extend(
                        container
                            .operation_imports
                            .iter()
                            .filter(|import| import.kind == OperationKind::Function)
                            .map(|import| import.name.as_str()),
                    );
                }
            }
        }
        if functions.contains(&bare) {
            return Ok(());
        }
        // Names from OData V2/V3 that V4 dropped or renamed.
        let hint = match name.to_ascii_lowercase().as_str() {
            "substringof" => " (OData V2's substringof(a,b) is contains(b,a) in V4)",
            "replace" => " (replace is OData V2/V3; V4 has no replace function)",
            _ => "",
        };
        Err(CheckError::new(
            CheckErrorKind::UnknownFunction,
            format!("the model defines no function named '{name}'{hint}"),
        )
        .token(name)
        .suggest(nearest(bare, functions)))
    }

    /// Resolves a qualified type name (`Edm.Int32`, `NS.Type`) or fails naming it.
    pub(crate) fn type_named(&self, name: &str) -> Result<Ty<'m>, CheckError> {
        Ty::named(self.model, name).ok_or_else(|| {
            CheckError::new(
                CheckErrorKind::UnknownType,
                format!("the model has no type named '{name}'"),
            )
            .token(name)
        })
    }

    fn path(&mut self, path: &MemberPath, scope: &mut Scope<'m>) -> Result<Ty<'m>, CheckError> {
        let mut segments = path.segments.as_slice();
        let implicit = matches!(path.root, PathRoot::Implicit | PathRoot::This);
        // The property names walked: all of them only for the policy and the collected
        // paths (which build text of them), else the last, for messages.
        let record =
            implicit && (self.collect_paths || (self.filtering && self.policy.filter.is_some()));
        let mut names: Vec<&str> = Vec::new();
        let mut last: Option<&str> = None;
        let mut current = match &path.root {
            PathRoot::Implicit => match segments.first() {
                // A computed property of this level.
                Some(Segment::Property(first)) => match scope.computed(first) {
                    Some(ty) => {
                        segments = &segments[1..];
                        if record {
                            names.push(first);
                        }
                        last = Some(first);
                        ty
                    }
                    None => scope.this,
                },
                _ => scope.this,
            },
            PathRoot::This => scope.this,
            PathRoot::It => scope.it,
            PathRoot::Variable(name) => scope
                .variables
                .iter()
                .rev()
                .find(|(variable, _)| variable == name)
                .map_or(Ty::ANY, |(_, ty)| *ty),
            PathRoot::Alias(name) => self.alias(name, scope)?,
            PathRoot::These => Ty::ANY,
            PathRoot::Root => match segments.first() {
                Some(Segment::Property(set)) => {
                    segments = &segments[1..];
                    self.root_set(set)?
                }
                _ => Ty::ANY,
            },
        };
        for segment in segments {
            current = match segment {
                Segment::Property(name) => {
                    let next = self.property(&current, name)?;
                    if record {
                        names.push(name);
                    }
                    last = Some(name);
                    next
                }
                Segment::TypeCast(type_name) => self.cast(&current, type_name)?,
                Segment::Annotation(_) => Ty::ANY,
                Segment::Key(keys) => {
                    for key in keys {
                        self.expr(&key.value, scope)?;
                    }
                    self.collection(&current, last, "a key predicate")?
                }
                Segment::Filter(predicate) => {
                    let element = self.collection(&current, last, "/$filter")?;
                    let mut inner = scope.nested(element);
                    inner.variables = scope.variables.clone();
                    self.predicate(predicate, &mut inner, "/$filter(...)")?;
                    current
                }
                Segment::Count(options) => {
                    let element = self.collection(&current, last, "$count")?;
                    if let Some(filter) = options.as_ref().and_then(|o| o.filter.as_ref()) {
                        let mut inner = scope.nested(element);
                        inner.variables = scope.variables.clone();
                        self.predicate(filter, &mut inner, "$filter")?;
                    }
                    Ty::primitive(Edm::Int64)
                }
                Segment::Any(lambda) => {
                    let element = self.collection(&current, last, "any")?;
                    if let Some(lambda) = lambda {
                        self.lambda(&lambda.variable, &lambda.predicate, element, scope)?;
                    }
                    Ty::BOOLEAN
                }
                Segment::All(lambda) => {
                    let element = self.collection(&current, last, "all")?;
                    self.lambda(&lambda.variable, &lambda.predicate, element, scope)?;
                    Ty::BOOLEAN
                }
                Segment::Aggregate(_) => Ty::ANY,
                Segment::Function { name, args } => {
                    self.known_function(name, true)?;
                    for arg in args {
                        self.expr(&arg.value, scope)?;
                    }
                    Ty::ANY
                }
                Segment::Call { name, args } => {
                    self.known_function(name, false)?;
                    for arg in args {
                        self.expr(arg, scope)?;
                    }
                    Ty::ANY
                }
                #[allow(unreachable_patterns, reason = "segment kinds added later are untyped")]
                _ => Ty::ANY,
            };
        }
        if record && !names.is_empty() {
            let text = names.join("/");
            if self.filtering
                && (!self.policy.can_filter(&text) || !self.policy.can_filter(names[0]))
            {
                return Err(CheckError::new(
                    CheckErrorKind::PolicyViolation,
                    format!("the property '{text}' cannot be used in $filter"),
                )
                .token(names[0]));
            }
            if self.collect_paths {
                self.paths.push(text);
            }
        }
        Ok(current)
    }

    fn lambda(
        &mut self,
        variable: &Name,
        predicate: &Expr,
        element: Ty<'m>,
        scope: &mut Scope<'m>,
    ) -> Result<(), CheckError> {
        scope.variables.push((variable.clone(), element));
        let result = self.predicate(predicate, scope, "a lambda predicate");
        scope.variables.pop();
        result
    }

    /// The element type of a collection, or an error naming what needed one.
    fn collection(
        &self,
        current: &Ty<'m>,
        last: Option<&str>,
        what: &str,
    ) -> Result<Ty<'m>, CheckError> {
        if let Some(element) = current.element() {
            return Ok(element);
        }
        if current.is_loose() {
            return Ok(Ty::ANY);
        }
        let name = last.unwrap_or("$this");
        Err(CheckError::new(
            CheckErrorKind::NotACollection,
            format!(
                "{what} needs a collection, but '{name}' is {}",
                current.show(self.model)
            ),
        )
        .token(name))
    }

    fn root_set(&self, set: &str) -> Result<Ty<'m>, CheckError> {
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
        Ok(Ty::structured(ty).collection_of())
    }

    /// A type cast segment: to a type derived from (or equal to) the current one.
    fn cast(&self, current: &Ty<'m>, type_name: &str) -> Result<Ty<'m>, CheckError> {
        let target = self.type_named(type_name)?;
        let from = Ty::single(current.base);
        let fits = match (from.as_structured(), target.as_structured()) {
            _ if from.is_loose() => true,
            (Some(from), Some(to)) => derives(self.model, to, from),
            _ => from.base == target.base && !target.collection,
        };
        if !fits {
            return Err(CheckError::new(
                CheckErrorKind::UnknownType,
                format!(
                    "'{type_name}' is not a type derived from {}",
                    from.show(self.model)
                ),
            )
            .token(type_name));
        }
        Ok(Ty {
            base: target.base,
            collection: current.collection,
        })
    }

    /// The type of property `name` of a value of type `current`.
    pub(crate) fn property(&self, current: &Ty<'m>, name: &str) -> Result<Ty<'m>, CheckError> {
        if current.collection {
            return Err(CheckError::new(
                CheckErrorKind::NotACollection,
                format!(
                    "the value before '{name}' is a collection of {}: use any(), all(), $count or a key to reach its members",
                    Ty::single(current.base).show(self.model)
                ),
            )
            .token(name));
        }
        match current.base {
            Base::Any | Base::Null => Ok(Ty::ANY),
            Base::Structured(structured) => property_of(self.model, structured, name),
            _ => Err(CheckError::new(
                CheckErrorKind::UnknownProperty,
                format!(
                    "{} has no property named '{name}'",
                    current.show(self.model)
                ),
            )
            .token(name)),
        }
    }
}

/// A property or navigation property by name, declared or inherited, without building
/// the inheritance chain.
pub(crate) enum Member<'m> {
    Structural(&'m Property),
    Navigation(&'m NavigationProperty),
}

/// Finds member `name` on `structured` or its base types.
pub(crate) fn find_member<'m>(
    model: &'m Model,
    structured: &'m StructuredType,
    name: &str,
) -> Option<Member<'m>> {
    let mut current = structured;
    for _ in 0..=MAX_INHERITANCE {
        if let Some(property) = current.declared_property(name) {
            return Some(Member::Structural(property));
        }
        if let Some(navigation) = current.declared_navigation(name) {
            return Some(Member::Navigation(navigation));
        }
        current = model.structured_type(current.base_type.as_deref()?)?;
    }
    None
}

/// The type of property or navigation property `name` on a structured type, or the
/// error for an unknown name (with the nearest existing name, and a hint when a derived
/// type declares it).
pub(crate) fn property_of<'m>(
    model: &'m Model,
    structured: &'m StructuredType,
    name: &str,
) -> Result<Ty<'m>, CheckError> {
    match find_member(model, structured, name) {
        Some(Member::Structural(property)) => return Ok(Ty::of_ref(model, &property.type_ref)),
        Some(Member::Navigation(navigation)) => {
            let target = match model.structured_type(&navigation.target) {
                Some(target) => Ty::structured(target),
                None => Ty::ANY,
            };
            return Ok(Ty {
                collection: navigation.collection,
                ..target
            });
        }
        None => {}
    }
    if model.is_open(structured) {
        return Ok(Ty::ANY);
    }
    Err(unknown_property(model, structured, name))
}

#[cold]
fn unknown_property(model: &Model, structured: &StructuredType, name: &str) -> CheckError {
    let type_name = qualified_name(model, structured);
    let mut message = format!("could not find a property named '{name}' on '{type_name}'");
    let derived = model
        .derived_types(&type_name)
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
    CheckError::new(CheckErrorKind::UnknownProperty, message)
        .token(name)
        .suggest(nearest(name, candidates))
}
