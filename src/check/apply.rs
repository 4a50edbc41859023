//! `$apply`: transformations are checked in order; those that change the shape of the
//! items end name checking for what follows.

use crate::ast::{
    AggregateExpr, Expr, GroupByElement, PathRoot, PathSegment, Segment, Transformation,
};
use crate::model::Policy;

use super::error::{CheckError, CheckErrorKind};
use super::expr::Scope;
use super::ty::Ty;
use super::Checker;

impl<'m, 'q> Checker<'m, 'q>
where
    'm: 'q,
{
    pub(super) fn apply(
        &mut self,
        steps: &'q [Transformation],
        scope: &mut Scope<'m>,
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
                Transformation::Search(search) => self.search(search, policy)?,
                Transformation::Aggregate(items) => {
                    for item in items {
                        self.aggregate(&item.expr, scope, policy)?;
                    }
                    reshape(scope);
                }
                Transformation::GroupBy { groups, apply } => {
                    for group in groups {
                        if let GroupByElement::Property(path) = group {
                            let names = path.iter().filter_map(property_name);
                            self.grouping_path(names, scope, true)?;
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
        scope: &mut Scope<'m>,
        policy: &Policy,
    ) -> Result<(), CheckError> {
        match expr {
            AggregateExpr::With { expr, .. } => {
                // Aggregated property paths may pass through collections (`orders/amount`).
                if let Expr::Path(path) = expr {
                    let plain = path
                        .segments
                        .iter()
                        .all(|s| matches!(s, Segment::Property(_)));
                    if path.root == PathRoot::Implicit && plain {
                        let names = path.segments.iter().filter_map(|s| match s {
                            Segment::Property(name) => Some(name.as_str()),
                            _ => None,
                        });
                        return self.grouping_path(names, scope, false);
                    }
                }
                self.exprs(policy).expr(expr, scope).map(|_| ())
            }
            AggregateExpr::PathCount(path) | AggregateExpr::Custom { path, .. } => {
                self.grouping_path(path.iter().filter_map(property_name), scope, false)
            }
            // `Sales(Amount with sum as Total)`: the path must exist; the aggregates inside
            // are relative to its target, which this check does not follow.
            AggregateExpr::Path { path, .. } => {
                self.grouping_path(path.iter().filter_map(property_name), scope, false)
            }
            AggregateExpr::Count => Ok(()),
        }
    }

    /// A `groupby`/aggregate property path: every step exists. An aggregate's path may
    /// step through collections; a grouping property is `single_valued` (Data Aggregation
    /// §3.10.1: grouping properties are single-valued property paths).
    fn grouping_path<'p>(
        &self,
        names: impl Iterator<Item = &'p str>,
        scope: &Scope<'m>,
        single_valued: bool,
    ) -> Result<(), CheckError> {
        let mut current = scope.this;
        let mut walked: Vec<&str> = Vec::new();
        for (index, name) in names.enumerate() {
            current = match scope.computed.iter().find(|(n, _)| n == name) {
                Some((_, ty)) if index == 0 => *ty,
                _ => self.member(&current, name)?,
            };
            walked.push(name);
            if single_valued && current.collection {
                let path = walked.join("/");
                return Err(CheckError::new(
                    CheckErrorKind::NotACollection,
                    format!(
                        "groupby: '{path}' is a collection; grouping properties are single-valued paths"
                    ),
                )
                .token(name));
            }
        }
        Ok(())
    }
}

fn property_name(segment: &PathSegment) -> Option<&str> {
    match segment {
        PathSegment::Property(name) => Some(name),
        _ => None,
    }
}

/// After an aggregating transformation the items have properties the model does not
/// declare: names are no longer checked.
fn reshape(scope: &mut Scope<'_>) {
    scope.this = Ty::ANY;
    scope.computed.clear();
}
