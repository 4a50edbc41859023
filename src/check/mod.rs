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

mod apply;
mod error;
mod expr;
mod resource;
mod suggest;
mod ty;

pub use error::{CheckError, CheckErrorKind};
pub use resource::Target;

use crate::ast::{
    AliasDefinition, ExpandKind, ExpandPath, Expr, PathSegment, Query, Search, SelectItem,
    SortDirection,
};
use crate::model::{Model, Policy, StructuredType};

use expr::{find_member, property_of, ExprChecker, Member, Scope, Whose};
use suggest::nearest;
use ty::{derives, qualified_name, Base, Ty};

impl Query {
    /// Checks the query against `model`, as sent to `resource`: an entity set or
    /// singleton, or a path into one (`People('x')/Trips`, see [`Target::resolve`]). See
    /// the [`check`](crate::check) module for what is checked.
    pub fn check(&self, model: &Model, resource: &str) -> Result<(), CheckError> {
        // The common case, a plain entity set or singleton name, without building a Target.
        if !resource.contains(['/', '(']) {
            if let Some(container) = model.container() {
                let found = container
                    .entity_set(resource)
                    .map(|set| (&set.entity_type, &set.policy, true))
                    .or_else(|| {
                        container
                            .singleton(resource)
                            .map(|s| (&s.entity_type, &s.policy, false))
                    });
                if let Some((type_name, own, collection)) = found {
                    if let Some(structured) = model.structured_type(type_name) {
                        return check_at(self, model, structured, collection, Some(resource), own);
                    }
                }
            }
        }
        self.check_target(model, &Target::resolve(model, resource)?)
    }

    /// Checks the query against `model`, as applied to the items of `target`.
    pub fn check_target(&self, model: &Model, target: &Target) -> Result<(), CheckError> {
        let structured = model.structured_type(&target.type_name).ok_or_else(|| {
            CheckError::new(
                CheckErrorKind::UnknownType,
                format!("the model has no type named '{}'", target.type_name),
            )
        })?;
        let container = model.container();
        let own = target.entity_set.as_deref().and_then(|name| {
            let container = container?;
            container
                .entity_set(name)
                .map(|set| &set.policy)
                .or_else(|| container.singleton(name).map(|s| &s.policy))
        });
        let default = Policy::default();
        let resource = target.entity_set.as_deref().filter(|_| own.is_some());
        check_at(
            self,
            model,
            structured,
            target.collection,
            resource,
            own.unwrap_or(&default),
        )
    }
}

/// Checks `query` over items of `structured`, with the resource's own policy `own` over
/// the container's.
fn check_at(
    query: &Query,
    model: &Model,
    structured: &StructuredType,
    collection: bool,
    resource: Option<&str>,
    own: &Policy,
) -> Result<(), CheckError> {
    let default = Policy::default();
    let service = model.container().map_or(&default, |c| &c.policy);
    // Merging copies the policy; most resources have none of their own.
    let merged;
    let policy = if *own == default {
        service
    } else if *service == default {
        own
    } else {
        merged = own.merged_over(service);
        &merged
    };
    let item = Ty::structured(structured);
    let mut checker = Checker {
        model,
        aliases: Vec::new(),
        depth: 0,
        max_expand_depth: policy.max_expand_depth(),
        resource,
        service,
    };
    checker.level(query, Scope::new(item, item), collection, policy, "")
}

fn policy_error(message: String) -> CheckError {
    CheckError::new(CheckErrorKind::PolicyViolation, message)
}

/// Walks the options of one level (the top level, or an `$expand`/`$select` item).
struct Checker<'m, 'q> {
    model: &'m Model,
    /// Alias definitions of the enclosing levels that define any.
    aliases: Vec<&'q [AliasDefinition]>,
    /// Nesting depth of `$expand`.
    depth: u32,
    /// The deepest `$expand` the resource's policy allows.
    max_expand_depth: Option<u32>,
    /// The entity set or singleton, for messages.
    resource: Option<&'q str>,
    /// The container's policy, which applies inside expanded navigations.
    service: &'q Policy,
}

impl<'m, 'q> Checker<'m, 'q>
where
    'm: 'q,
{
    /// What a policy message calls the resource at the current depth.
    fn whose(&self) -> Whose<'q> {
        match (self.resource, self.depth) {
            (Some(name), 0) => Whose::Resource(name),
            _ => Whose::Service,
        }
    }

    fn exprs<'c>(&'c self, policy: &'c Policy) -> ExprChecker<'m, 'c> {
        ExprChecker::new(self.model, policy, &self.aliases, self.whose())
    }

    /// Checks one option list over items of `scope.this`; `prefix` names the level in
    /// messages (`$expand/files/`).
    fn level(
        &mut self,
        query: &'q Query,
        mut scope: Scope<'m>,
        collection: bool,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        // Levels without aliases add nothing to look through (and most have none).
        if query.aliases.is_empty() {
            return self.level_inner(query, &mut scope, collection, policy, prefix);
        }
        self.aliases.push(&query.aliases);
        let result = self.level_inner(query, &mut scope, collection, policy, prefix);
        self.aliases.pop();
        result
    }

    fn level_inner(
        &mut self,
        query: &'q Query,
        scope: &mut Scope<'m>,
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
            if let Some(structured) = scope.this.as_structured() {
                if find_member(self.model, structured, &item.alias).is_some() {
                    return Err(CheckError::new(
                        CheckErrorKind::Invalid,
                        format!(
                            "the computed property '{}' has the name of a property of '{}'",
                            item.alias,
                            qualified_name(self.model, structured)
                        ),
                    )
                    .token(item.alias.clone())
                    .in_option(&option("$compute")));
                }
            }
            scope.computed.push((item.alias.clone(), ty));
        }
        if let Some(search) = &query.search {
            self.search(search, policy)
                .map_err(|e| e.token("$search").in_option(&option("$search")))?;
        }
        self.filter(query, scope, policy, prefix)
            .map_err(|e| e.in_option(&option("$filter")))?;
        if query.count == Some(true) && !policy.can_count() {
            return Err(
                policy_error(format!("{} does not support $count", self.whose()))
                    .token("$count")
                    .in_option(&option("$count")),
            );
        }
        for item in &query.orderby {
            self.orderby_item(&item.expr, item.direction, scope, policy)
                .map_err(|e| e.in_option(&option("$orderby")))?;
        }
        if let Some(top) = query.top {
            let error = if !policy.can_top() {
                Some(format!("{} does not support $top", self.whose()))
            } else {
                policy
                    .max_top
                    .filter(|max| top > *max)
                    .map(|max| format!("$top={top} is more than the largest allowed, {max}"))
            };
            if let Some(message) = error {
                return Err(policy_error(message)
                    .token("$top")
                    .in_option(&option("$top")));
            }
        }
        if query.skip.is_some() && !policy.can_skip() {
            return Err(
                policy_error(format!("{} does not support $skip", self.whose()))
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
        self.expand(query, scope, policy, prefix)
    }

    fn search(&self, search: &Search, policy: &Policy) -> Result<(), CheckError> {
        if !policy.can_search() {
            return Err(policy_error(format!(
                "{} does not support $search",
                self.whose()
            )));
        }
        let unsupported = policy
            .search
            .as_ref()
            .and_then(|r| unsupported_search(search, &r.unsupported_expressions));
        match unsupported {
            Some(construct) => Err(policy_error(format!(
                "{} does not support {construct} in $search",
                self.whose()
            ))),
            None => Ok(()),
        }
    }

    fn filter(
        &self,
        query: &'q Query,
        scope: &mut Scope<'m>,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        let (filter_required, required) = policy.required_filter();
        let Some(filter) = &query.filter else {
            if prefix.is_empty() && (filter_required || !required.is_empty()) {
                return Err(policy_error(format!("{} requires a $filter", self.whose())));
            }
            return Ok(());
        };
        if !policy.filterable() {
            return Err(
                policy_error(format!("{} does not support $filter", self.whose())).token("$filter"),
            );
        }
        let mut exprs = self.exprs(policy);
        exprs.filtering = true;
        exprs.collect_paths = !required.is_empty();
        exprs.predicate(filter, scope, "$filter")?;
        let missing = required.iter().find(|r| {
            !exprs.paths.iter().any(|p| {
                p == *r
                    || p.strip_prefix(r.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        });
        match missing {
            Some(missing) => Err(policy_error(format!(
                "$filter must use the property '{missing}' on {}",
                self.whose()
            ))
            .token("$filter")),
            None => Ok(()),
        }
    }

    fn orderby_item(
        &self,
        expr: &Expr,
        direction: SortDirection,
        scope: &mut Scope<'m>,
        policy: &Policy,
    ) -> Result<(), CheckError> {
        let mut exprs = self.exprs(policy);
        exprs.collect_paths = policy.sort.is_some();
        let ty = exprs.expr(expr, scope)?;
        if !ty::sortable(&ty) {
            return Err(CheckError::new(
                CheckErrorKind::TypeMismatch,
                format!("cannot sort by '{expr}', which is {}", ty.show(self.model)),
            ));
        }
        let descending = direction == SortDirection::Desc;
        let Some(path) = exprs.paths.first() else {
            return Ok(());
        };
        if policy.can_sort(path) && policy.can_sort_direction(path, descending) {
            return Ok(());
        }
        let only = match (policy.can_sort(path), descending) {
            (false, _) => "",
            (true, true) => " descending",
            (true, false) => " ascending",
        };
        Err(policy_error(format!(
            "the property '{path}' cannot be used in $orderby{only}"
        ))
        .token(path.split('/').next().unwrap_or(path).to_owned()))
    }

    fn select(
        &mut self,
        query: &'q Query,
        scope: &Scope<'m>,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        if query.select.is_empty() {
            return Ok(());
        }
        let option = format!("{prefix}$select");
        if !policy.select.as_ref().map_or(true, |s| s.supported) {
            return Err(
                policy_error(format!("{} does not support $select", self.whose()))
                    .in_option(&option),
            );
        }
        for item in &query.select {
            let SelectItem::Path { segments, options } = item else {
                continue;
            };
            let mut current = scope.this;
            let mut names = Vec::new();
            for (index, segment) in segments.iter().enumerate() {
                current = match segment {
                    PathSegment::Property(name) => {
                        names.push(name.as_str());
                        let ty = match scope.computed.iter().find(|(n, _)| n == name) {
                            Some((_, ty)) if index == 0 => *ty,
                            _ => self
                                .member(&current, name)
                                .map_err(|e| e.in_option(&option))?,
                        };
                        // A select path ends at a navigation property (URL §5.1.3);
                        // the related entities' properties are selected in $expand.
                        let through_navigation = index + 1 < segments.len()
                            && matches!(ty.base, Base::Structured(t) if t.is_entity());
                        if through_navigation {
                            return Err(CheckError::new(
                                CheckErrorKind::Invalid,
                                format!(
                                    "'{name}' is a navigation property: select the properties \
                                     of its entities with $expand={name}($select=...)"
                                ),
                            )
                            .token(name.as_str())
                            .in_option(&option));
                        }
                        ty
                    }
                    PathSegment::TypeCast(type_name) => {
                        let target = self
                            .exprs(policy)
                            .type_named(type_name)
                            .map_err(|e| e.in_option(&option))?;
                        self.derived(&current, &target, type_name)
                            .map_err(|e| e.in_option(&option))?;
                        Ty {
                            base: target.base,
                            collection: current.collection,
                        }
                    }
                    _ => Ty::ANY,
                };
            }
            if !names.is_empty() {
                let path = names.join("/");
                if !policy.can_select(&path) {
                    return Err(
                        policy_error(format!("the property '{path}' cannot be selected"))
                            .token(names[0].to_owned())
                            .in_option(&option),
                    );
                }
                if let Some(options) = options {
                    let nested = scope.nested(Ty::single(current.base));
                    let label = format!("{option}/{path}/");
                    self.level(options, nested, current.collection, policy, &label)?;
                }
            }
        }
        Ok(())
    }

    /// A property path step for `$select`/`$expand`: like in expressions, but a collection
    /// of complex values may be stepped through (`addresses/city`).
    fn member(&self, current: &Ty<'m>, name: &str) -> Result<Ty<'m>, CheckError> {
        match current.base {
            Base::Structured(structured) => property_of(self.model, structured, name),
            Base::Any | Base::Null => Ok(Ty::ANY),
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

    fn expand(
        &mut self,
        query: &'q Query,
        scope: &Scope<'m>,
        policy: &Policy,
        prefix: &str,
    ) -> Result<(), CheckError> {
        if query.expand.is_empty() {
            return Ok(());
        }
        let option = format!("{prefix}$expand");
        if !policy.expand.as_ref().map_or(true, |e| e.expandable) {
            return Err(
                policy_error(format!("{} does not support $expand", self.whose()))
                    .in_option(&option),
            );
        }
        // The resource's own limit counts from the top; inside expansions the service's.
        let (max, whose) = match (self.max_expand_depth, self.resource) {
            (Some(max), Some(resource)) => (Some(max), Whose::Resource(resource)),
            _ => (policy.max_expand_depth(), Whose::Service),
        };
        self.depth += 1;
        if let Some(max) = max.filter(|max| self.depth > *max) {
            let depth = self.depth;
            self.depth -= 1;
            return Err(policy_error(format!(
                "$expand is nested {depth} levels deep; {whose} allows {max}"
            ))
            .in_option(&option));
        }
        let result = self.expand_items(query, scope, policy, &option);
        self.depth -= 1;
        result
    }

    fn expand_items(
        &mut self,
        query: &'q Query,
        scope: &Scope<'m>,
        policy: &Policy,
        option: &str,
    ) -> Result<(), CheckError> {
        for item in &query.expand {
            let segments = match &item.path {
                ExpandPath::Star | ExpandPath::Value => {
                    let nested = scope.nested(Ty::ANY);
                    let service = self.service;
                    self.level(
                        &item.options,
                        nested,
                        true,
                        service,
                        &format!("{option}/*/"),
                    )?;
                    continue;
                }
                ExpandPath::Path(segments) => segments,
            };
            let mut current = scope.this;
            let mut last_name = None;
            for (index, segment) in segments.iter().enumerate() {
                match segment {
                    PathSegment::Property(name) => {
                        if index + 1 == segments.len() {
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
                        current = Ty {
                            base: target.base,
                            collection: current.collection,
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
            if item.kind == ExpandKind::Count && !current.collection {
                return Err(CheckError::new(
                    CheckErrorKind::NotACollection,
                    format!("'{name}' is a single entity; /$count needs a collection"),
                )
                .token(name)
                .in_option(option));
            }
            let nested = scope.nested(Ty::single(current.base));
            let service = self.service;
            let label = format!("{option}/{name}/");
            self.level(&item.options, nested, current.collection, service, &label)?;
        }
        Ok(())
    }

    /// `name` is a navigation property of `current` (or `current` is not known). Open types
    /// have dynamic structural properties only, so an unknown name is an error there too.
    fn navigation_named(&self, current: &Ty<'m>, name: &str) -> Result<(), CheckError> {
        let Base::Structured(structured) = current.base else {
            return Ok(());
        };
        match find_member(self.model, structured, name) {
            Some(Member::Navigation(_)) => Ok(()),
            Some(Member::Structural(_)) => Err(CheckError::new(
                CheckErrorKind::NotANavigation,
                format!("'{name}' is not a navigation property, so it cannot be expanded"),
            )
            .token(name)),
            None => Err(unknown_navigation(self.model, structured, name)),
        }
    }

    /// A type cast segment names the value's type or one derived from it.
    fn derived(
        &self,
        current: &Ty<'m>,
        target: &Ty<'m>,
        type_name: &str,
    ) -> Result<(), CheckError> {
        if let (Base::Structured(from), Base::Structured(to)) = (current.base, target.base) {
            if !derives(self.model, to, from) {
                return Err(CheckError::new(
                    CheckErrorKind::UnknownType,
                    format!(
                        "'{type_name}' is not a type derived from {}",
                        qualified_name(self.model, from)
                    ),
                )
                .token(type_name));
            }
        }
        Ok(())
    }
}

#[cold]
fn unknown_navigation(model: &Model, structured: &StructuredType, name: &str) -> CheckError {
    let navigations = model.navigation_properties(structured);
    CheckError::new(
        CheckErrorKind::UnknownProperty,
        format!(
            "could not find a navigation property named '{name}' on '{}'",
            qualified_name(model, structured)
        ),
    )
    .token(name)
    .suggest(nearest(name, navigations.iter().map(|n| n.name.as_str())))
}

/// The first search construct the service lists as unsupported (`NOT`, `AND`, `OR`,
/// `phrase`, `group`). A group is a parenthesised expression the precedence needs
/// (`(a OR b) c`); redundant parentheses leave no trace in the AST and are not groups.
fn unsupported_search(search: &Search, unsupported: &[String]) -> Option<&'static str> {
    if unsupported.is_empty() {
        return None;
    }
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
