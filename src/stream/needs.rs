//! Which parts of each record a query reads, so the streaming path parses only those.
//!
//! The analysis is conservative: when it cannot tell what an expression reads (an
//! annotation segment, a bound function, `$filter(...)` inside a path), it asks for the
//! whole value at that point, or the whole record.

use std::collections::BTreeMap;

use crate::ast::{Expr, MemberPath, PathRoot, Query, Segment};

/// The part of a JSON value that must be kept. Arrays are transparent: a need on an array
/// applies to each of its elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    /// The whole value.
    All,
    /// For an object, only these members (each with its own need); scalars are kept, and an
    /// object with no needed member becomes `{}` (enough to tell it from `null` and to count it).
    Fields(BTreeMap<String, Need>),
}

impl Default for Need {
    fn default() -> Need {
        Need::Fields(BTreeMap::new())
    }
}

impl Need {
    /// True when the whole value is needed.
    pub(crate) fn is_all(&self) -> bool {
        matches!(self, Need::All)
    }

    /// The need of the member named `key` (its UTF-8 bytes), or `None` when the member
    /// is not needed.
    pub(crate) fn member_bytes(&self, key: &[u8]) -> Option<&Need> {
        match self {
            Need::All => Some(&Need::All),
            // A record's needs name a few members: comparing bytes beats converting the
            // name (most names are of members that are skipped).
            Need::Fields(fields) if fields.len() <= 8 => fields
                .iter()
                .find_map(|(name, need)| (name.as_bytes() == key).then_some(need)),
            Need::Fields(fields) => fields.get(std::str::from_utf8(key).ok()?),
        }
    }

    /// Adds `terminal` at the end of `keys`.
    fn insert(&mut self, keys: &[String], terminal: Need) {
        let Need::Fields(fields) = self else {
            return;
        };
        match keys.split_first() {
            None => self.merge(terminal),
            Some((first, rest)) => fields
                .entry(first.clone())
                .or_default()
                .insert(rest, terminal),
        }
    }

    /// Unites `other` into `self`.
    fn merge(&mut self, other: Need) {
        match (&mut *self, other) {
            (Need::All, _) => {}
            (_, Need::All) => *self = Need::All,
            (Need::Fields(mine), Need::Fields(theirs)) => {
                for (key, need) in theirs {
                    mine.entry(key).or_default().merge(need);
                }
            }
        }
    }
}

/// Lambda variables in scope: name and the key path of the collection it ranges over.
type Scope = Vec<(String, Vec<String>)>;

/// What a whole query reads from each record for filtering, counting and ordering
/// (`$compute`, `$search`, `$filter`, `$orderby`). Projection (`$select`/`$expand`) works on
/// fully parsed records and is not part of this.
pub(crate) fn record_needs(query: &Query) -> Need {
    if query.search.is_some() || !query.apply.is_empty() {
        return Need::All;
    }
    let mut collector = Collector {
        query,
        need: Need::default(),
        alias_depth: 0,
    };
    let mut scope = Scope::new();
    for item in &query.compute {
        collector.expr(&item.expr, &mut scope);
    }
    if let Some(filter) = &query.filter {
        collector.expr(filter, &mut scope);
    }
    for item in &query.orderby {
        collector.expr(&item.expr, &mut scope);
    }
    collector.need
}

struct Collector<'q> {
    query: &'q Query,
    need: Need,
    /// Guards alias values that refer to aliases.
    alias_depth: usize,
}

impl Collector<'_> {
    fn expr(&mut self, expr: &Expr, scope: &mut Scope) {
        if self.need.is_all() {
            return;
        }
        match expr {
            Expr::Literal(_) => {}
            Expr::Alias(name) => self.alias(name, scope),
            Expr::Path(path) => self.path(path, scope),
            Expr::Call { args, .. } => args.iter().for_each(|arg| self.expr(arg, scope)),
            Expr::Cast { expr, .. } | Expr::IsOf { expr, .. } => match expr {
                Some(expr) => self.expr(expr, scope),
                None => self.need = Need::All,
            },
            Expr::Case(arms) => {
                for arm in arms {
                    self.expr(&arm.condition, scope);
                    self.expr(&arm.value, scope);
                }
            }
            Expr::Unary { operand, .. } => self.expr(operand, scope),
            Expr::Binary { operands, .. } => {
                for operand in operands.iter() {
                    self.expr(operand, scope);
                }
            }
            Expr::List(items) | Expr::Array(items) => {
                items.iter().for_each(|item| self.expr(item, scope));
            }
            Expr::Object(members) => members
                .iter()
                .for_each(|member| self.expr(&member.value, scope)),
        }
    }

    fn alias(&mut self, name: &str, scope: &mut Scope) {
        const MAX_ALIAS_NESTING: usize = 16;
        if self.alias_depth >= MAX_ALIAS_NESTING {
            self.need = Need::All;
            return;
        }
        if let Some(definition) = self.query.aliases.iter().find(|a| a.name == name) {
            self.alias_depth += 1;
            self.expr(&definition.value, scope);
            self.alias_depth -= 1;
        }
    }

    fn path(&mut self, path: &MemberPath, scope: &mut Scope) {
        let mut keys: Vec<String> = match &path.root {
            PathRoot::Implicit | PathRoot::It | PathRoot::This => Vec::new(),
            PathRoot::Root => return,
            PathRoot::Variable(name) => match scope.iter().rev().find(|(v, _)| v == name) {
                Some((_, prefix)) => prefix.clone(),
                None => {
                    self.need = Need::All;
                    return;
                }
            },
            PathRoot::Alias(_) | PathRoot::These => {
                self.need = Need::All;
                return;
            }
        };
        for segment in &path.segments {
            match segment {
                Segment::Property(name) => keys.push(name.as_str().to_owned()),
                // A cast matches on the value's `@odata.type`.
                Segment::TypeCast(_) => {
                    let mut type_keys = keys.clone();
                    type_keys.push("@odata.type".to_owned());
                    self.need.insert(&type_keys, Need::All);
                }
                // A key predicate compares members' key properties, which may be any.
                Segment::Key(_) => {
                    self.need.insert(&keys, Need::All);
                    return;
                }
                Segment::Count(None) | Segment::Any(None) => {
                    self.need.insert(&keys, Need::default());
                    return;
                }
                Segment::Any(Some(lambda)) | Segment::All(lambda) => {
                    self.need.insert(&keys, Need::default());
                    scope.push((lambda.variable.as_str().to_owned(), keys));
                    self.expr(&lambda.predicate, scope);
                    scope.pop();
                    return;
                }
                Segment::Annotation(_)
                | Segment::Filter(_)
                | Segment::Count(Some(_))
                | Segment::Aggregate(_) => {
                    self.need.insert(&keys, Need::All);
                    return;
                }
                Segment::Function { .. } | Segment::Call { .. } => {
                    self.need = Need::All;
                    return;
                }
            }
        }
        self.need.insert(&keys, Need::All);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(entries: &[(&str, Need)]) -> Need {
        Need::Fields(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn needs(raw: &str) -> Need {
        record_needs(&Query::parse(raw).expect("valid query"))
    }

    #[test]
    fn filter_paths_and_lambdas() {
        assert_eq!(
            needs("$filter=stats/totalBytesUploaded gt 1000000&$count=true&$top=0"),
            fields(&[("stats", fields(&[("totalBytesUploaded", Need::All)]))])
        );
        assert_eq!(
            needs("$filter=files/any(f: f/size gt 10000000)"),
            fields(&[("files", fields(&[("size", Need::All)]))])
        );
        assert_eq!(
            needs("$filter=files/$count gt 2&$orderby=createdDateTime desc"),
            fields(&[("createdDateTime", Need::All), ("files", Need::default())])
        );
    }

    #[test]
    fn search_and_unknown_shapes_need_everything() {
        assert_eq!(needs("$search=blue"), Need::All);
        assert_eq!(needs("$filter=isof(Ns.Type)"), Need::All);
    }

    #[test]
    fn casts_read_the_type_and_keys_read_whole_members() {
        assert_eq!(
            needs("$filter=data/NS.Derived/reviewId eq 'x'"),
            fields(&[(
                "data",
                fields(&[("@odata.type", Need::All), ("reviewId", Need::All)])
            )])
        );
        assert_eq!(
            needs("$filter=lines(q=5)/tags/$count eq 2"),
            fields(&[("lines", Need::All)])
        );
    }

    #[test]
    fn aliases_are_followed() {
        assert_eq!(
            needs("$filter=@x gt 1&@x=size"),
            fields(&[("size", Need::All)])
        );
    }
}
