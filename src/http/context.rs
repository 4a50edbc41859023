//! Context URLs (Protocol §10): `{service root}$metadata#{entity set}{select list}`, with
//! `/$entity` for a single entity, from the request's `$select` and `$expand`.

use crate::ast::{
    ExpandKind, ExpandPath, GroupByElement, Levels, PathSegment, Query, SelectItem, Transformation,
};

use super::ODataVersion;

/// What a response holds, for its context URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// A collection of entities: `#Customers`, `#Orders(4711)/Items`.
    Collection,
    /// One entity of a collection: `#Customers/$entity`, `#Orders(4711)/Items/$entity`.
    Entity,
    /// The entity of a single-valued navigation: `#Orders(4711)/Customer` (no `/$entity`).
    SingleNavigation,
}

/// The context URL of a response: `root` is the service root (ending in `/`), `path` the
/// canonical path of the entity set (`uploadSessions`, or `uploadSessions('a')/files` for
/// a contained collection), keys unencoded.
pub fn context_url(
    root: &str,
    path: &str,
    query: &Query,
    payload: Payload,
    version: ODataVersion,
) -> String {
    let list = select_list(query, version);
    let entity = if payload == Payload::Entity {
        "/$entity"
    } else {
        ""
    };
    format!("{root}$metadata#{path}{list}{entity}")
}

/// The parenthesized select list of a query, or the empty string when it selects and
/// expands nothing (Protocol §10.9–§10.12): selected paths in path syntax, then each
/// expanded navigation property suffixed with the select list of its own options (`+`
/// before it with `$levels`); in 4.0, an expansion without nested `$select`/`$expand` is
/// left out. `$expand=.../$ref` and `/$count` are not listed.
pub fn select_list(query: &Query, version: ODataVersion) -> String {
    let mut items = list_items(query, version);
    if items.is_empty() {
        // Aggregated results list the properties `$apply` leaves (Data Aggregation §3).
        items = aggregated(&query.apply).unwrap_or_default();
    }
    if items.is_empty() {
        String::new()
    } else {
        format!("({})", items.join(","))
    }
}

fn list_items(query: &Query, version: ODataVersion) -> Vec<String> {
    let mut items = Vec::new();
    for item in &query.select {
        match item {
            SelectItem::Star => items.push("*".to_owned()),
            SelectItem::AllOperations(namespace) => items.push(format!("{namespace}.*")),
            SelectItem::Path { segments, options } => {
                let path = path_text(segments);
                // Nested `$select` inside a select item is written as paths (Protocol §10.9).
                let nested: Vec<String> = options
                    .as_deref()
                    .map(|options| list_items(options, version))
                    .unwrap_or_default();
                let selects_into = options.as_deref().is_some_and(|o| !o.select.is_empty());
                if selects_into {
                    items.extend(nested.into_iter().map(|inner| format!("{path}/{inner}")));
                } else {
                    items.push(path);
                }
            }
        }
    }
    for item in &query.expand {
        if item.kind != ExpandKind::Entities {
            continue;
        }
        let ExpandPath::Path(segments) = &item.path else {
            continue;
        };
        let options = &item.options;
        let nested = options.select.is_empty() && options.expand.is_empty();
        if version == ODataVersion::V4_0 && nested {
            continue;
        }
        let plus = if options.levels.is_some_and(|l| l != Levels::Number(0)) {
            "+"
        } else {
            ""
        };
        let inner = list_items(options, version).join(",");
        items.push(format!("{}{plus}({inner})", path_text(segments)));
    }
    items
}

/// The properties of the items after `$apply`, when it changes their shape by grouping or
/// aggregating: grouping paths, aggregate and compute aliases. `None` when the shape is
/// the entity's, or when a transformation's result cannot be named this way.
fn aggregated(steps: &[Transformation]) -> Option<Vec<String>> {
    let mut shape: Option<Vec<String>> = None;
    for step in steps {
        match step {
            Transformation::Aggregate(items) => {
                shape = Some(items.iter().filter_map(|item| item.alias.clone()).collect());
            }
            Transformation::GroupBy { groups, apply } => {
                let mut names = Vec::new();
                for group in groups {
                    match group {
                        GroupByElement::Property(path) => names.push(path_text(path)),
                        GroupByElement::Rollup(paths) => {
                            names.extend(paths.iter().map(|p| path_text(p)))
                        }
                        GroupByElement::RollupRecursive(_) => return None,
                    }
                }
                if !apply.is_empty() {
                    names.extend(aggregated(apply)?);
                }
                shape = Some(names);
            }
            Transformation::Compute(items) => {
                if let Some(names) = &mut shape {
                    names.extend(items.iter().map(|item| item.alias.clone()));
                }
            }
            Transformation::Filter(_)
            | Transformation::OrderBy(_)
            | Transformation::Top(_)
            | Transformation::Skip(_)
            | Transformation::Search(_)
            | Transformation::Identity => {}
            _ => return None,
        }
    }
    shape
}

/// `a/b`, `Ns.Type/c`, `@Core.Description`.
fn path_text(segments: &[PathSegment]) -> String {
    let mut parts = Vec::with_capacity(segments.len());
    for segment in segments {
        parts.push(match segment {
            PathSegment::Property(name) | PathSegment::TypeCast(name) => name.as_str().to_owned(),
            PathSegment::Annotation(annotation) => match &annotation.qualifier {
                Some(qualifier) => format!("@{}#{qualifier}", annotation.term),
                None => format!("@{}", annotation.term),
            },
            PathSegment::Operation { name, .. } => name.as_str().to_owned(),
        });
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(query: &str, version: ODataVersion) -> String {
        select_list(&Query::parse(query).unwrap(), version)
    }

    #[test]
    fn select_and_expand_lists() {
        use ODataVersion::{V4_0, V4_01};
        assert_eq!(list("$filter=a eq 1", V4_01), "");
        assert_eq!(
            list("$select=id,stats/filesUploaded", V4_01),
            "(id,stats/filesUploaded)"
        );
        assert_eq!(list("$expand=files", V4_01), "(files())");
        assert_eq!(list("$expand=files", V4_0), "");
        assert_eq!(
            list("$select=id&$expand=files($select=name,size)", V4_0),
            "(id,files(name,size))"
        );
        assert_eq!(
            list("$expand=files($filter=size gt 1;$orderby=name)", V4_01),
            "(files())"
        );
        assert_eq!(list("$expand=files/$ref", V4_01), "");
        assert_eq!(
            list("$expand=reports($select=name;$levels=4)", V4_01),
            "(reports+(name))"
        );
        assert_eq!(
            list("$select=address($select=city)", V4_01),
            "(address/city)"
        );
    }

    #[test]
    fn context_urls_for_each_payload() {
        let query = Query::parse("$select=id").unwrap();
        let root = "http://h/s/";
        assert_eq!(
            context_url(
                root,
                "uploadSessions",
                &query,
                Payload::Collection,
                ODataVersion::V4_01
            ),
            "http://h/s/$metadata#uploadSessions(id)"
        );
        assert_eq!(
            context_url(
                root,
                "uploadSessions",
                &query,
                Payload::Entity,
                ODataVersion::V4_01
            ),
            "http://h/s/$metadata#uploadSessions(id)/$entity"
        );
        let none = Query::default();
        assert_eq!(
            context_url(
                root,
                "a('x')/files",
                &none,
                Payload::Collection,
                ODataVersion::V4_01
            ),
            "http://h/s/$metadata#a('x')/files"
        );
    }
}
