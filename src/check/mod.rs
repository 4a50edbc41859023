//! Checking a parsed query against a data model: every name exists, every operand fits
//! its operator, and the service's policy allows what is asked.
//!
//! [`Query::check`] walks the AST with a [`Model`] and the name of the entity set (or
//! singleton) the query is sent to. It is a separate pass, so parsing stays model-free
//! and schemaless JSON keeps working without a model. Each problem is a [`CheckError`]
//! (HTTP 400) that names the option, the property and the type it was looked up on, the
//! nearest existing name, and, once [`CheckError::locate`]d in the raw query, its byte.
//!
//! ```
//! use odata_query::model::{Edm, Model};
//! use odata_query::Query;
//!
//! let model = Model::builder()
//!     .namespace("microsoft.graph")
//!     .entity_type("uploadSession", |t| {
//!         t.key("id")
//!             .property("id", Edm::String)
//!             .property("status", Edm::String)
//!             .navigation_collection("files", "file")
//!     })
//!     .entity_type("file", |t| t.key("id").property("id", Edm::String).property("size", Edm::Int64))
//!     .entity_set("uploadSessions", "uploadSession")
//!     .build()?;
//!
//! let ok = Query::parse("$filter=status eq 'failed'&$expand=files($filter=size gt 1000000)")?;
//! assert!(ok.check(&model, "uploadSessions").is_ok());
//!
//! let typo = Query::parse("$filter=stauts eq 'failed'")?;
//! let error = typo.check(&model, "uploadSessions").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "$filter: could not find a property named 'stauts' on 'microsoft.graph.uploadSession'; did you mean 'status'?"
//! );
//!
//! let mismatch = Query::parse("$expand=files($filter=size eq 'big')")?;
//! assert!(mismatch.check(&model, "uploadSessions").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What is checked:
//! - property paths in every expression (`$filter`, `$orderby`, `$compute`, `$apply`,
//!   lambdas, `/$count(...)`), through complex and navigation properties, type casts
//!   (which must name a derived type), key predicates, and `$root/Set(...)`; open types
//!   accept any name; `$compute` names are visible to the later options of their level;
//! - operand types of every operator and canonical function (URL §5.1.1): comparing an
//!   `Edm.Int64` with a string, `any` over a single value, `contains` on a number;
//!   integers fit every numeric type; an enum compares with its member name or value;
//!   `Date` and `DateTimeOffset` compare with each other;
//! - `$select` items are properties (or navigation properties) of the type; `$expand`
//!   items are navigation properties, and their nested options are checked against the
//!   target type;
//! - the policy of the entity set ([`Policy`], from Capabilities annotations): filterable,
//!   sortable, selectable, expandable and countable properties, `$search`, `$top`/`$skip`
//!   support and the largest `$top`, required filter properties, allowed functions and
//!   operators, the largest expansion depth.
//!
//! After a `$apply` transformation that changes the shape of the items (`groupby`,
//! `aggregate`, and the rarer ones), later options refer to aggregated properties that the
//! model does not declare, so their names are not checked.

mod error;
mod expr;
mod resource;
mod suggest;
mod ty;

pub use error::{CheckError, CheckErrorKind};
pub use resource::Target;

use crate::ast::{
    AggregateExpr, AliasDefinition, ExpandKind, ExpandPath, PathSegment, Query, Search, SelectItem,
    SortDirection, Transformation,
};
use crate::model::{Model, Policy};

use expr::{property_of, ExprChecker, Scope};
use suggest::nearest;
use ty::Ty;

impl Query {
    /// Checks the query against `model`, as sent to `resource`: an entity set or
    /// singleton, or a path into one (`People('x')/Trips`, see [`Target::resolve`]). See
    /// the [`check`](crate::check) module for what is checked.
    pub fn check(&self, model: &Model, resource: &str) -> Result<(), CheckError> {
        self.check_target(model, &Target::resolve(model, resource)?)
    }

    /// Checks the query against `model`, as applied to the items of `target`.
    pub fn check_target(&self, model: &Model, target: &Target) -> Result<(), CheckError> {
        let policy = match &target.entity_set {
            Some(name) => model.policy(name).unwrap_or_default(),
            None => model
                .container()
                .map(|c| c.policy.clone())
                .unwrap_or_default(),
        };
        let item = Ty::Structured(target.type_name.clone());
        let mut checker = Checker {
            model,
            aliases: Vec::new(),
            depth: 0,
            max_expand_depth: policy.max_expand_depth(),
            resource: target.entity_set.clone(),
        };
        let scope = Scope::new(item.clone(), item);
        checker.level(self, scope, target.collection, &policy, "")
    }
}

fn policy_error(message: String) -> CheckError {
    CheckError::new(CheckErrorKind::PolicyViolation, message)
}

/// Walks the options of one level (the top level, or an `$expand`/`$select` item).
struct Checker<'m, 'q> {
    model: &'m Model,
    /// Alias definitions of the enclosing levels.
    aliases: Vec<&'q [AliasDefinition]>,
    /// Nesting depth of `$expand`.
    depth: u32,
    /// The deepest `$expand` the resource's policy allows.
    max_expand_depth: Option<u32>,
    /// The entity set or singleton, for messages; `None` inside an expanded navigation.
    resource: Option<String>,
}

impl<'m, 'q> Checker<'m, 'q> {
    /// Checks one option list over items of `scope.this`; `prefix` names the level in
    /// messages (`$expand/files/`).
    fn level(
        &mut self,
        query: &'q Query,
        mut scope: Scope,
        collection: bool,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        self.aliases.push(&query.aliases);
        let result = self.level_inner(query, &mut scope, collection, policy, prefix);
        self.aliases.pop();
        result
    }

    /// What a policy message calls the resource: `'People'`, or `the service`.
    fn who(&self) -> String {
        match (&self.resource, self.depth) {
            (Some(name), 0) => format!("'{name}'"),
            _ => "the service".to_owned(),
        }
    }

    fn exprs<'c>(&'c self, policy: &'c Policy) -> ExprChecker<'m, 'c> {
        let mut exprs = ExprChecker::new(self.model, policy, &self.aliases);
        exprs.who = self.who();
        exprs
    }

    fn level_inner(
        &mut self,
        query: &'q Query,
        scope: &mut Scope,
        collection: bool,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        let option = |name: &str| format!("{prefix}{name}");
        // $apply first: it may change the shape the other options see.
        if !query.apply.is_empty() {
            self.apply(&query.apply, scope, policy)
                .map_err(|e| e.in_option(&option("$apply")))?;
        }
        for item in &query.compute {
            let ty = self
                .exprs(policy)
                .expr(&item.expr, scope)
                .map_err(|e| e.in_option(&option("$compute")))?;
            if let Ty::Structured(type_name) = &scope.this {
                if let Some(structured) = self.model.structured_type(type_name) {
                    if self.model.property(structured, &item.alias).is_some() {
                        return Err(CheckError::new(
                            CheckErrorKind::Invalid,
                            format!(
                                "the computed property '{}' has the name of a property of '{type_name}'",
                                item.alias
                            ),
                        )
                        .token(item.alias.clone())
                        .in_option(&option("$compute")));
                    }
                }
            }
            scope.computed.push((item.alias.clone(), ty));
        }
        if let Some(search) = &query.search {
            if !policy.can_search() {
                return Err(
                    policy_error(format!("{} does not support $search", self.who()))
                        .token("$search")
                        .in_option(&option("$search")),
                );
            }
            let unsupported = policy
                .search
                .as_ref()
                .and_then(|r| unsupported_search(search, &r.unsupported_expressions));
            if let Some(unsupported) = unsupported {
                return Err(policy_error(format!(
                    "{} does not support {unsupported} in $search",
                    self.who()
                ))
                .token("$search")
                .in_option(&option("$search")));
            }
        }
        let (filter_required, required) = policy.required_filter();
        match &query.filter {
            Some(filter) => {
                if !policy.filterable() {
                    return Err(
                        policy_error(format!("{} does not support $filter", self.who()))
                            .token("$filter")
                            .in_option(&option("$filter")),
                    );
                }
                let mut exprs = self.exprs(policy);
                exprs.filtering = true;
                exprs
                    .predicate(filter, scope, "$filter")
                    .map_err(|e| e.in_option(&option("$filter")))?;
                if let Some(missing) = required.iter().find(|r| {
                    !exprs
                        .paths
                        .iter()
                        .any(|p| p == *r || p.starts_with(&format!("{r}/")))
                }) {
                    return Err(policy_error(format!(
                        "$filter must use the property '{missing}' on {}",
                        self.who()
                    ))
                    .in_option(&option("$filter")));
                }
            }
            None if prefix.is_empty() && (filter_required || !required.is_empty()) => {
                return Err(
                    policy_error(format!("{} requires a $filter", self.who())).in_option("$filter")
                );
            }
            None => {}
        }
        if query.count == Some(true) && !policy.can_count() {
            return Err(
                policy_error(format!("{} does not support $count", self.who()))
                    .token("$count")
                    .in_option(&option("$count")),
            );
        }
        for item in &query.orderby {
            let mut exprs = self.exprs(policy);
            let ty = exprs
                .expr(&item.expr, scope)
                .map_err(|e| e.in_option(&option("$orderby")))?;
            if !ty::sortable(&ty) {
                return Err(CheckError::new(
                    CheckErrorKind::TypeMismatch,
                    format!("cannot sort by '{}', which is {ty}", item.expr),
                )
                .in_option(&option("$orderby")));
            }
            let descending = item.direction == SortDirection::Desc;
            if let Some(path) = exprs.paths.first() {
                if !policy.can_sort(path) || !policy.can_sort_direction(path, descending) {
                    return Err(policy_error(format!(
                        "the property '{path}' cannot be used in $orderby{}",
                        if policy.can_sort(path) {
                            if descending {
                                " descending"
                            } else {
                                " ascending"
                            }
                        } else {
                            ""
                        }
                    ))
                    .token(path.split('/').next().unwrap_or(path).to_owned())
                    .in_option(&option("$orderby")));
                }
            }
        }
        if let Some(top) = query.top {
            if !policy.can_top() {
                return Err(
                    policy_error(format!("{} does not support $top", self.who()))
                        .token("$top")
                        .in_option(&option("$top")),
                );
            }
            if let Some(max) = policy.max_top {
                if top > max {
                    return Err(policy_error(format!(
                        "$top={top} is more than the largest allowed, {max}"
                    ))
                    .token("$top")
                    .in_option(&option("$top")));
                }
            }
        }
        if query.skip.is_some() && !policy.can_skip() {
            return Err(
                policy_error(format!("{} does not support $skip", self.who()))
                    .token("$skip")
                    .in_option(&option("$skip")),
            );
        }
        if (query.top.is_some() || query.skip.is_some() || query.count.is_some()) && !collection {
            return Err(CheckError::new(
                CheckErrorKind::NotACollection,
                "$top, $skip and $count apply to collections, not to a single entity".to_owned(),
            )
            .in_option(&option(if query.top.is_some() { "$top" } else { "$skip" })));
        }
        self.select(query, scope, policy, prefix)?;
        self.expand(query, scope, policy, prefix)?;
        Ok(())
    }

    fn select(
        &mut self,
        query: &'q Query,
        scope: &Scope,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        if query.select.is_empty() {
            return Ok(());
        }
        let option = format!("{prefix}$select");
        if !policy.select.as_ref().map_or(true, |s| s.supported) {
            return Err(
                policy_error(format!("{} does not support $select", self.who())).in_option(&option),
            );
        }
        for item in &query.select {
            let SelectItem::Path { segments, options } = item else {
                continue;
            };
            let mut current = scope.this.clone();
            let mut names = Vec::new();
            for (index, segment) in segments.iter().enumerate() {
                current = match segment {
                    PathSegment::Property(name) => {
                        names.push(name.as_str());
                        if index == 0 {
                            if let Some((_, ty)) = scope.computed.iter().find(|(n, _)| n == name) {
                                ty.clone()
                            } else {
                                self.member(&current, name)
                                    .map_err(|e| e.in_option(&option))?
                            }
                        } else {
                            self.member(&current, name)
                                .map_err(|e| e.in_option(&option))?
                        }
                    }
                    PathSegment::TypeCast(type_name) => self
                        .exprs(policy)
                        .type_named(type_name)
                        .map_err(|e| e.in_option(&option))?,
                    _ => Ty::Any,
                };
            }
            let path = names.join("/");
            if !path.is_empty() && !policy.can_select(&path) {
                return Err(
                    policy_error(format!("the property '{path}' cannot be selected"))
                        .token(names[0].to_owned())
                        .in_option(&option),
                );
            }
            if let Some(options) = options {
                let (element, collection) = match &current {
                    Ty::Collection(element) => ((**element).clone(), true),
                    other => (other.clone(), false),
                };
                let nested = scope.nested(element);
                let label = format!("{option}/{path}/");
                self.level(options, nested, collection, policy, &label)?;
            }
        }
        Ok(())
    }

    /// A property path step for `$select`/`$expand`: like in expressions, but a collection
    /// of complex values may be stepped through (`addresses/city`).
    fn member(&self, current: &Ty, name: &str) -> Result<Ty, CheckError> {
        let current = match current {
            Ty::Collection(element) => element,
            other => other,
        };
        match current {
            Ty::Structured(type_name) => match self.model.structured_type(type_name) {
                Some(structured) => property_of(self.model, type_name, structured, name),
                None => Ok(Ty::Any),
            },
            Ty::Any | Ty::Null => Ok(Ty::Any),
            other => Err(CheckError::new(
                CheckErrorKind::UnknownProperty,
                format!("{other} has no property named '{name}'"),
            )
            .token(name)),
        }
    }

    fn expand(
        &mut self,
        query: &'q Query,
        scope: &Scope,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        if query.expand.is_empty() {
            return Ok(());
        }
        let option = format!("{prefix}$expand");
        if !policy.expand.as_ref().map_or(true, |e| e.expandable) {
            return Err(
                policy_error(format!("{} does not support $expand", self.who())).in_option(&option),
            );
        }
        self.depth += 1;
        // The resource's own limit counts from the top; inside expansions the service's.
        let root = self.resource.as_deref().map(|r| format!("'{r}'"));
        let (max, whose) = match (self.max_expand_depth, root) {
            (Some(max), Some(root)) => (Some(max), root),
            _ => (policy.max_expand_depth(), "the service".to_owned()),
        };
        if let Some(max) = max {
            if self.depth > max {
                let depth = self.depth;
                self.depth -= 1;
                return Err(policy_error(format!(
                    "$expand is nested {depth} levels deep; {whose} allows {max}"
                ))
                .in_option(&option));
            }
        }
        let result = self.expand_items(query, scope, policy, &option);
        self.depth -= 1;
        result
    }

    fn expand_items(
        &mut self,
        query: &'q Query,
        scope: &Scope,
        policy: &Policy,
        option: &str,
    ) -> Result<(), CheckError> {
        for item in &query.expand {
            let segments = match &item.path {
                ExpandPath::Star | ExpandPath::Value => {
                    let nested = scope.nested(Ty::Any);
                    self.level(&item.options, nested, true, policy, &format!("{option}/*/"))?;
                    continue;
                }
                ExpandPath::Path(segments) => segments,
            };
            let mut current = scope.this.clone();
            let mut last_name = None;
            for (index, segment) in segments.iter().enumerate() {
                match segment {
                    PathSegment::Property(name) => {
                        let last = index + 1 == segments.len();
                        if last {
                            self.navigation_named(&current, name)
                                .map_err(|e| e.in_option(option))?;
                        }
                        current = self
                            .member(&current, name)
                            .map_err(|e| e.in_option(option))?;
                        last_name = Some(name.as_str());
                    }
                    PathSegment::TypeCast(type_name) => {
                        let target = self
                            .exprs(policy)
                            .type_named(type_name)
                            .map_err(|e| e.in_option(option))?;
                        self.derived(&current, &target, type_name)
                            .map_err(|e| e.in_option(option))?;
                        current = match current {
                            Ty::Collection(_) => Ty::Collection(Box::new(target)),
                            _ => target,
                        };
                    }
                    _ => {}
                }
            }
            let Some(name) = last_name else {
                continue;
            };
            if !policy.can_expand(name) {
                return Err(policy_error(format!(
                    "the navigation property '{name}' cannot be expanded"
                ))
                .token(name)
                .in_option(option));
            }
            let (element, collection) = match &current {
                Ty::Collection(element) => ((**element).clone(), true),
                other => (other.clone(), false),
            };
            if item.kind == ExpandKind::Count && !collection {
                return Err(CheckError::new(
                    CheckErrorKind::NotACollection,
                    format!("'{name}' is a single entity; /$count needs a collection"),
                )
                .token(name)
                .in_option(option));
            }
            let nested_policy = self.target_policy(policy);
            let nested = scope.nested(element);
            self.level(
                &item.options,
                nested,
                collection,
                &nested_policy,
                &format!("{option}/{name}/"),
            )?;
        }
        Ok(())
    }

    /// `name` is a navigation property of `current` (or `current` is not known). Open types
    /// have dynamic structural properties only, so an unknown name is an error there too.
    fn navigation_named(&self, current: &Ty, name: &str) -> Result<(), CheckError> {
        let current = match current {
            Ty::Collection(element) => element,
            other => other,
        };
        let Ty::Structured(type_name) = current else {
            return Ok(());
        };
        let Some(structured) = self.model.structured_type(type_name) else {
            return Ok(());
        };
        if self.model.navigation_property(structured, name).is_some() {
            return Ok(());
        }
        if self.model.property(structured, name).is_some() {
            return Err(CheckError::new(
                CheckErrorKind::NotANavigation,
                format!("'{name}' is not a navigation property, so it cannot be expanded"),
            )
            .token(name));
        }
        let navigations = self.model.navigation_properties(structured);
        Err(CheckError::new(
            CheckErrorKind::UnknownProperty,
            format!("could not find a navigation property named '{name}' on '{type_name}'"),
        )
        .token(name)
        .suggest(nearest(name, navigations.iter().map(|n| n.name.as_str()))))
    }

    /// A type cast segment names the value's type or one derived from it.
    fn derived(&self, current: &Ty, target: &Ty, type_name: &str) -> Result<(), CheckError> {
        let current = match current {
            Ty::Collection(element) => element,
            other => other,
        };
        if let (Ty::Structured(from), Ty::Structured(to)) = (current, target) {
            if from != to && !self.model.is_derived_from(to, from) {
                return Err(CheckError::new(
                    CheckErrorKind::UnknownType,
                    format!("'{type_name}' is not a type derived from {from}"),
                )
                .token(type_name));
            }
        }
        Ok(())
    }

    /// The policy that applies inside an expanded navigation: the container's terms (a
    /// set's own restrictions name its own properties).
    fn target_policy(&self, _outer: &Policy) -> Policy {
        self.model
            .container()
            .map(|c| c.policy.clone())
            .unwrap_or_default()
    }

    fn apply(
        &mut self,
        steps: &'q [Transformation],
        scope: &mut Scope,
        policy: &Policy,
    ) -> Result<(), CheckError> {
        for step in steps {
            match step {
                Transformation::Filter(expr) => {
                    self.exprs(policy).predicate(expr, scope, "filter(...)")?
                }
                Transformation::OrderBy(items) => {
                    for item in items {
                        self.exprs(policy).expr(&item.expr, scope)?;
                    }
                }
                Transformation::Compute(items) => {
                    for item in items {
                        let ty = self.exprs(policy).expr(&item.expr, scope)?;
                        scope.computed.push((item.alias.clone(), ty));
                    }
                }
                Transformation::Top(_) | Transformation::Skip(_) | Transformation::Identity => {}
                Transformation::Search(_) => {
                    if !policy.can_search() {
                        return Err(policy_error(format!(
                            "{} does not support search",
                            self.who()
                        )));
                    }
                }
                Transformation::Aggregate(items) => {
                    for item in items {
                        self.aggregate(&item.expr, scope, policy)?;
                    }
                    reshape(scope);
                }
                Transformation::GroupBy { groups, apply } => {
                    for group in groups {
                        if let crate::ast::GroupByElement::Property(path) = group {
                            self.grouping_path(path, scope)?;
                        }
                    }
                    let mut inner = scope.clone();
                    self.apply(apply, &mut inner, policy)?;
                    reshape(scope);
                }
                Transformation::Concat(sequences) => {
                    for sequence in sequences {
                        let mut inner = scope.clone();
                        self.apply(sequence, &mut inner, policy)?;
                    }
                    reshape(scope);
                }
                _ => reshape(scope),
            }
        }
        Ok(())
    }

    fn aggregate(
        &self,
        expr: &AggregateExpr,
        scope: &mut Scope,
        policy: &Policy,
    ) -> Result<(), CheckError> {
        match expr {
            AggregateExpr::With { expr, .. } => {
                // Aggregated paths may pass through collections (`orders/amount`).
                if let crate::ast::Expr::Path(path) = expr {
                    if path.root == crate::ast::PathRoot::Implicit {
                        let segments: Vec<PathSegment> = path
                            .segments
                            .iter()
                            .map_while(|s| match s {
                                crate::ast::Segment::Property(name) => {
                                    Some(PathSegment::Property(name.clone()))
                                }
                                _ => None,
                            })
                            .collect();
                        if segments.len() == path.segments.len() {
                            return self.grouping_path(&segments, scope);
                        }
                    }
                }
                self.exprs(policy).expr(expr, scope).map(|_| ())
            }
            AggregateExpr::PathCount(path) | AggregateExpr::Custom { path, .. } => {
                self.grouping_path(path, scope)
            }
            AggregateExpr::Count => Ok(()),
        }
    }

    /// A `groupby`/aggregate property path: every step exists; collections may be
    /// stepped through.
    fn grouping_path(&self, path: &[PathSegment], scope: &Scope) -> Result<(), CheckError> {
        let mut current = scope.this.clone();
        for (index, segment) in path.iter().enumerate() {
            if let PathSegment::Property(name) = segment {
                if index == 0 {
                    if let Some((_, ty)) = scope.computed.iter().find(|(n, _)| n == name) {
                        current = ty.clone();
                        continue;
                    }
                }
                current = self.member(&current, name)?;
            }
        }
        Ok(())
    }
}

/// The first search construct the service lists as unsupported (`NOT`, `AND`, `OR`,
/// `phrase`, `group`). A group is a parenthesised expression the precedence needs
/// (`(a OR b) c`); redundant parentheses leave no trace in the AST and are not groups.
fn unsupported_search(search: &Search, unsupported: &[String]) -> Option<&'static str> {
    let listed = |name: &str| unsupported.iter().any(|u| u.eq_ignore_ascii_case(name));
    walk_search(search, 0, &listed)
}

/// Precedences: OR 1, AND 2, NOT 3, terms and phrases 4.
fn walk_search(search: &Search, parent: u8, listed: &dyn Fn(&str) -> bool) -> Option<&'static str> {
    let (own, name, children): (u8, Option<&'static str>, Vec<&Search>) = match search {
        Search::Term(_) | Search::Incomplete(_) => (4, None, vec![]),
        Search::Phrase(_) => (4, Some("phrase"), vec![]),
        Search::Not(inner) => (3, Some("NOT"), vec![inner]),
        Search::And(a, b) => (2, Some("AND"), vec![a, b]),
        Search::Or(a, b) => (1, Some("OR"), vec![a, b]),
    };
    if own < parent && listed("group") {
        return Some("grouping");
    }
    if let Some(name) = name.filter(|n| listed(n)) {
        return Some(name);
    }
    children
        .into_iter()
        .find_map(|child| walk_search(child, own, listed))
}

/// After an aggregating transformation the items have properties the model does not
/// declare: names are no longer checked.
fn reshape(scope: &mut Scope) {
    scope.this = Ty::Any;
    scope.computed.clear();
}
