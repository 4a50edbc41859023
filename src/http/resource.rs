//! Resource paths (URL §4): `/`, `/$metadata`, `/set`, `/set/$count`, `/set(key)`,
//! `/set(key)/nav`, `/set(key)/nav/$count`, `/set(key)/property`,
//! `/set(key)/property/$value`, and the queries they stand for.

use crate::ast::{
    BinaryOp, ExpandItem, ExpandKind, ExpandPath, Expr, KeyValue, Literal, MemberPath, PathRoot,
    PathSegment, Query, Segment, SelectItem,
};
use crate::model::{Edm, Model};
use crate::parse::{parse_rule, ParseOptions, Parsed, Rule};

use super::ODataError;

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resource {
    /// `/`
    ServiceDocument,
    /// `/$metadata`
    Metadata,
    /// `/set`, or `/set/$count` (`count`).
    Collection { set: String, count: bool },
    /// `/set(key)`
    Entity { set: String, key: Vec<KeyValue> },
    /// `/set(key)/nav`, or `/set(key)/nav/$count` (`count`); also `/set(key)/property`.
    Navigation {
        set: String,
        key: Vec<KeyValue>,
        navigation: String,
        count: bool,
    },
    /// `/set(key)/property/$value`: the raw value of a primitive property.
    RawValue {
        set: String,
        key: Vec<KeyValue>,
        property: String,
    },
}

/// Splits a path on `/` outside single-quoted key values.
fn segments(path: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (index, byte) in path.bytes().enumerate() {
        match byte {
            b'\'' => quoted = !quoted,
            b'/' if !quoted => {
                parts.push(&path[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&path[start..]);
    parts.retain(|part| !part.is_empty());
    parts
}

fn not_found(path: &str) -> ODataError {
    ODataError::NotFound(format!("no resource at {path}"))
}

/// Parses the path after the service root (raw, percent-encoded as received).
pub(crate) fn parse_resource(path: &str, options: &ParseOptions) -> Result<Resource, ODataError> {
    let parts = segments(path);
    let Some((first, rest)) = parts.split_first() else {
        return Ok(Resource::ServiceDocument);
    };
    if *first == "$metadata" && rest.is_empty() {
        return Ok(Resource::Metadata);
    }
    // `+` is a plus sign in a path; the expression parser reads the set and its key.
    let strict = ParseOptions {
        strict: true,
        ..options.clone()
    };
    let (set, key) = match parse_rule(Rule::Expr, first, &strict) {
        Ok(Parsed::Expr(Expr::Path(MemberPath {
            root: PathRoot::Implicit,
            segments,
        }))) => match segments.as_slice() {
            [Segment::Property(set)] => (set.as_str().to_owned(), None),
            [Segment::Property(set), Segment::Key(key)] => {
                (set.as_str().to_owned(), Some(key.clone()))
            }
            _ => return Err(not_found(path)),
        },
        Ok(_) => return Err(not_found(path)),
        Err(error) => return Err(ODataError::Parse(error.in_option("resource path"))),
    };
    match (key, rest) {
        (None, []) => Ok(Resource::Collection { set, count: false }),
        (None, ["$count"]) => Ok(Resource::Collection { set, count: true }),
        (Some(key), []) => Ok(Resource::Entity { set, key }),
        (Some(key), [name]) | (Some(key), [name, "$count"]) => Ok(Resource::Navigation {
            set,
            key,
            navigation: member_name(name, path, &strict)?,
            count: rest.len() == 2,
        }),
        (Some(key), [name, "$value"]) => Ok(Resource::RawValue {
            set,
            key,
            property: member_name(name, path, &strict)?,
        }),
        _ => Err(not_found(path)),
    }
}

/// The one property name a path segment after a key holds.
fn member_name(segment: &str, path: &str, strict: &ParseOptions) -> Result<String, ODataError> {
    match parse_rule(Rule::Expr, segment, strict) {
        Ok(Parsed::Expr(Expr::Path(MemberPath {
            root: PathRoot::Implicit,
            segments,
        }))) => match segments.as_slice() {
            [Segment::Property(name)] => Ok(name.as_str().to_owned()),
            _ => Err(not_found(path)),
        },
        _ => Err(not_found(path)),
    }
}

/// The key properties of a set's entity type with their types, from the model.
pub(crate) fn key_properties(
    model: Option<&Model>,
    set: &str,
) -> Option<Vec<(String, Option<Edm>)>> {
    let model = model?;
    let entity_type = model.entity_set_type(set)?;
    let key = model.key(entity_type);
    (!key.is_empty()).then(|| {
        key.iter()
            .map(|p| (p.name.clone(), p.type_ref.primitive()))
            .collect()
    })
}

/// `key1 eq v1 and key2 eq v2`: the filter a key predicate stands for, its values typed by
/// the model (`('2fa3...')` and `(2fa3...)` both address a Guid or String key). Without a
/// model, a single unnamed key is `id`.
pub(crate) fn key_filter(
    key: &[KeyValue],
    properties: Option<&[(String, Option<Edm>)]>,
) -> Result<Expr, ODataError> {
    let bad = |message: String| ODataError::NotFound(format!("invalid key predicate: {message}"));
    let mut terms = Vec::with_capacity(key.len());
    for (index, pair) in key.iter().enumerate() {
        let (name, edm) = match (&pair.name, properties) {
            (Some(name), Some(properties)) => {
                let found = properties.iter().find(|(p, _)| p == name);
                let (name, edm) = found.ok_or_else(|| bad(format!("{name} is not a key")))?;
                (name.clone(), *edm)
            }
            (Some(name), None) => (name.clone(), None),
            (None, Some(properties)) if key.len() == 1 && properties.len() == 1 => {
                properties[0].clone()
            }
            (None, Some(_)) => return Err(bad("the key has several properties: name them".into())),
            (None, None) if index == 0 && key.len() == 1 => ("id".to_owned(), None),
            (None, None) => return Err(bad("name the key properties".into())),
        };
        let Expr::Literal(literal) = &pair.value else {
            return Err(bad(format!("{} is not a literal", pair.value)));
        };
        let value = Expr::Literal(typed_key(literal.clone(), edm));
        terms.push(Expr::binary(
            BinaryOp::Eq,
            Expr::Path(MemberPath {
                root: PathRoot::Implicit,
                segments: vec![Segment::Property(name.into())],
            }),
            value,
        ));
    }
    let mut terms = terms.into_iter();
    let first = terms.next().ok_or_else(|| bad("empty".into()))?;
    Ok(terms.fold(first, |all, term| Expr::binary(BinaryOp::And, all, term)))
}

/// A key literal converted to the key property's type where the URL form is ambiguous.
fn typed_key(literal: Literal, edm: Option<Edm>) -> Literal {
    match (literal, edm) {
        (Literal::String(text), Some(Edm::Guid)) if is_guid(&text) => Literal::Guid(text),
        (Literal::Guid(text), Some(Edm::String)) => Literal::String(text),
        (Literal::Int(number), Some(Edm::String)) => Literal::String(number.to_string().into()),
        (literal, _) => literal,
    }
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The canonical key predicate text with the values typed by the model (a Guid key is
/// bare even when the client quoted it), for context URLs.
pub(crate) fn typed_key_text(
    key: &[KeyValue],
    properties: Option<&[(String, Option<Edm>)]>,
) -> String {
    let typed: Vec<KeyValue> = key
        .iter()
        .map(|pair| {
            let edm = match (&pair.name, properties) {
                (Some(name), Some(properties)) => properties
                    .iter()
                    .find(|(p, _)| p == name)
                    .and_then(|(_, edm)| *edm),
                (None, Some([(_, edm)])) => *edm,
                _ => None,
            };
            let value = match &pair.value {
                Expr::Literal(literal) => Expr::Literal(typed_key(literal.clone(), edm)),
                other => other.clone(),
            };
            KeyValue {
                name: pair.name.clone(),
                value,
            }
        })
        .collect();
    key_text(&typed)
}

/// The canonical key predicate text (`'a'`, `2fa3...`, `a=1,b='x'`), unencoded, for
/// context URLs.
pub(crate) fn key_text(key: &[KeyValue]) -> String {
    match key {
        [KeyValue { name: None, value }] => value.to_string(),
        _ => key
            .iter()
            .map(|pair| match &pair.name {
                Some(name) => format!("{name}={}", pair.value),
                None => pair.value.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// The query that finds one entity by key and applies the request's `$select`,
/// `$expand` and `$compute` to it (the other options do not apply to a single entity).
pub(crate) fn entity_query(request: &Query, filter: Expr) -> Query {
    Query {
        filter: Some(filter),
        top: Some(1),
        select: request.select.clone(),
        expand: request.expand.clone(),
        compute: request.compute.clone(),
        aliases: request.aliases.clone(),
        ..Query::default()
    }
}

/// The query that finds one entity by key with the navigation property expanded (and
/// nothing else selected but the key).
pub(crate) fn navigation_query(filter: Expr, navigation: &str, key: &[String]) -> Query {
    let property = |name: &str| vec![PathSegment::Property(name.into())];
    Query {
        filter: Some(filter),
        top: Some(1),
        select: key
            .iter()
            .map(|name| SelectItem::Path {
                segments: property(name),
                options: None,
            })
            .collect(),
        expand: vec![ExpandItem {
            path: ExpandPath::Path(property(navigation)),
            kind: ExpandKind::Entities,
            options: Box::default(),
        }],
        ..Query::default()
    }
}

/// The query for `/set(key)/property`: the entity with that key, that property alone.
pub(crate) fn property_query(filter: Expr, property: &str) -> Query {
    Query {
        filter: Some(filter),
        top: Some(1),
        select: vec![SelectItem::Path {
            segments: vec![PathSegment::Property(property.into())],
            options: None,
        }],
        ..Query::default()
    }
}

/// The query `/$count` stands for: what `$filter` and `$search` keep, whatever `$top`,
/// `$skip`, `$orderby`, `$expand` and `$select` say (URL §4.8).
pub(crate) fn count_query(request: &Query) -> Query {
    let mut query = request.clone();
    query.count = Some(true);
    query.top = Some(0);
    query.skip = None;
    query.skiptoken = None;
    query.orderby.clear();
    query.expand.clear();
    query.select.clear();
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Resource {
        parse_resource(path, &ParseOptions::default()).unwrap()
    }

    #[test]
    fn paths_of_every_kind() {
        assert_eq!(parse("/"), Resource::ServiceDocument);
        assert_eq!(parse("/$metadata"), Resource::Metadata);
        assert_eq!(
            parse("/uploadSessions"),
            Resource::Collection {
                set: "uploadSessions".into(),
                count: false
            }
        );
        assert!(matches!(
            parse("/s/$count"),
            Resource::Collection { count: true, .. }
        ));
        let Resource::Entity { key, .. } = parse("/s('a%2Fb/c')") else {
            panic!("an entity");
        };
        assert_eq!(key_text(&key), "'a/b/c'");
        assert!(matches!(
            parse("/s(2fa3bc17-de50-4f48-91f0-dd4aede5c424)/files/$count"),
            Resource::Navigation { count: true, .. }
        ));
        assert!(matches!(
            parse("/s('a')/name/$value"),
            Resource::RawValue { .. }
        ));
        for bad in ["/s/x/y", "/s('a')/f/g/h", "/s('a')/f(1)", "/s('a')/f/$ref"] {
            assert!(
                parse_resource(bad, &ParseOptions::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_are_typed_by_the_model() {
        let guid = "2fa3bc17-de50-4f48-91f0-dd4aede5c424";
        let key = |text: &str| match parse(&format!("/s({text})")) {
            Resource::Entity { key, .. } => key,
            other => panic!("{other:?}"),
        };
        let as_guid = [("id".to_owned(), Some(Edm::Guid))];
        for form in [format!("'{guid}'"), guid.to_owned()] {
            let filter = key_filter(&key(&form), Some(&as_guid)).unwrap();
            assert_eq!(filter.to_string(), format!("id eq {guid}"));
        }
        let as_string = [("id".to_owned(), Some(Edm::String))];
        let filter = key_filter(&key(guid), Some(&as_string)).unwrap();
        assert_eq!(filter.to_string(), format!("id eq '{guid}'"));
        let composite = [("a".to_owned(), None), ("b".to_owned(), None)];
        let filter = key_filter(&key("a=1,b='x'"), Some(&composite)).unwrap();
        assert_eq!(filter.to_string(), "a eq 1 and b eq 'x'");
        assert_eq!(
            typed_key_text(&key(&format!("'{guid}'")), Some(&as_guid)),
            guid
        );
        // A key is one literal per property, never an expression.
        assert!(parse_resource("/s('x' or true)", &ParseOptions::default()).is_err());
        assert!(parse_resource("/s(id=x)", &ParseOptions::default()).is_err());
        assert!(key_filter(&key("a=1"), Some(&as_string)).is_err());
    }
}
