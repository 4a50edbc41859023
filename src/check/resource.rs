//! What a resource path addresses (`People`, `People('x')/Trips`, `Me`,
//! `People/NS.Manager`), so that a query can be checked where it is sent.

use crate::model::Model;

use super::error::{CheckError, CheckErrorKind};
use super::expr::property_of;
use super::suggest::nearest;
use super::ty::{qualified_name, Base, Ty};

/// The resource a query applies to: its entity type, whether it is a collection, and the
/// entity set it belongs to (whose policy applies), when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The namespace-qualified entity (or complex) type of the items.
    pub type_name: String,
    /// A collection (`People`, `People('x')/Trips`) or one item (`People('x')`, `Me`).
    pub collection: bool,
    /// The entity set or singleton whose policy applies: the path's first segment when the
    /// path stays in it, else the navigation's binding target, if the model binds one.
    pub entity_set: Option<String>,
}

impl Target {
    /// Resolves a resource path relative to the service root (a leading `/` is allowed):
    /// an entity set or singleton, then key predicates, navigation and complex properties,
    /// and type casts. `$count`, `$ref` and `$value` segments are not part of a target.
    ///
    /// ```
    /// use odata_query::check::Target;
    /// use odata_query::model::{Edm, Model};
    ///
    /// let model = Model::builder()
    ///     .namespace("ns")
    ///     .entity_type("session", |t| t.key("id").property("id", Edm::String).navigation_collection("files", "file"))
    ///     .entity_type("file", |t| t.key("id").property("id", Edm::String))
    ///     .entity_set("sessions", "session")
    ///     .build()?;
    /// let target = Target::resolve(&model, "sessions('a1')/files")?;
    /// assert_eq!(target.type_name, "ns.file");
    /// assert!(target.collection);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(model: &Model, path: &str) -> Result<Target, CheckError> {
        let segments = split_segments(path.trim_start_matches('/'));
        let Some((first, rest)) = segments.split_first() else {
            return Err(CheckError::new(
                CheckErrorKind::UnknownEntitySet,
                "an empty resource path".to_owned(),
            ));
        };
        let (name, keyed) = strip_key(first);
        let container = model.container();
        let (entity_type, mut collection) = container
            .and_then(|c| {
                c.entity_set(name)
                    .map(|set| (set.entity_type.clone(), true))
                    .or_else(|| c.singleton(name).map(|s| (s.entity_type.clone(), false)))
            })
            .ok_or_else(|| unknown_set(model, name))?;
        if keyed {
            collection = false;
        }
        let mut current = model.canonical_name(&entity_type).unwrap_or(entity_type);
        let mut entity_set = Some(name.to_owned());
        let mut navigation_path: Vec<&str> = Vec::new();
        for segment in rest {
            let (segment_name, keyed) = strip_key(segment);
            if matches!(segment_name, "$count" | "$ref" | "$value") {
                break;
            }
            if segment_name.contains('.') {
                // A type cast.
                let canonical = model
                    .canonical_name(segment_name)
                    .filter(|c| model.structured_type(c).is_some())
                    .ok_or_else(|| {
                        CheckError::new(
                            CheckErrorKind::UnknownType,
                            format!("the model has no type named '{segment_name}'"),
                        )
                        .token(segment_name)
                    })?;
                if canonical != current && !model.is_derived_from(&canonical, &current) {
                    return Err(CheckError::new(
                        CheckErrorKind::UnknownType,
                        format!("'{segment_name}' is not a type derived from {current}"),
                    )
                    .token(segment_name));
                }
                current = canonical;
                continue;
            }
            let structured = model.structured_type(&current).ok_or_else(|| {
                CheckError::new(
                    CheckErrorKind::UnknownType,
                    format!("the model has no type named '{current}'"),
                )
            })?;
            if collection {
                return Err(CheckError::new(
                    CheckErrorKind::NotACollection,
                    format!("'{segment_name}' follows a collection; address one member with a key first"),
                )
                .token(segment_name));
            }
            let is_navigation = model
                .navigation_property(structured, segment_name)
                .is_some();
            let next = property_of(model, structured, segment_name)?;
            match next.base {
                Base::Structured(ty) => {
                    current = qualified_name(model, ty);
                    collection = next.collection && !keyed;
                }
                _ => return Err(not_structured(model, segment_name, &next)),
            }
            if is_navigation {
                navigation_path.push(segment_name);
                let path = navigation_path.join("/");
                entity_set = container
                    .and_then(|c| c.entity_set(entity_set.as_deref()?))
                    .and_then(|set| model.binding_target(set, &path))
                    .map(|set| set.name.clone());
                if entity_set.is_some() {
                    navigation_path.clear();
                }
            }
        }
        Ok(Target {
            type_name: current,
            collection,
            entity_set,
        })
    }
}

fn unknown_set(model: &Model, name: &str) -> CheckError {
    let names: Vec<&str> = model
        .container()
        .map(|c| {
            c.entity_sets
                .iter()
                .map(|s| s.name.as_str())
                .chain(c.singletons.iter().map(|s| s.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    CheckError::new(
        CheckErrorKind::UnknownEntitySet,
        format!("the model has no entity set or singleton named '{name}'"),
    )
    .token(name)
    .suggest(nearest(name, names))
}

fn not_structured(model: &Model, name: &str, ty: &Ty<'_>) -> CheckError {
    CheckError::new(
        CheckErrorKind::Invalid,
        format!(
            "'{name}' is {}; a resource path can only continue into entities and complex values",
            ty.show(model)
        ),
    )
    .token(name)
}

/// Splits at `/` outside parentheses and quotes.
fn split_segments(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (i, c) in path.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            '/' if !quoted && depth == 0 => {
                segments.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&path[start..]);
    segments.retain(|s| !s.is_empty());
    segments
}

/// `Name(key)` → (`Name`, true); `Name` → (`Name`, false).
fn strip_key(segment: &str) -> (&str, bool) {
    match segment.find('(') {
        Some(open) if segment.ends_with(')') => (&segment[..open], true),
        _ => (segment, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_outside_keys() {
        assert_eq!(
            split_segments("/People('a/b')/Trips(0)/NS.T"),
            vec!["People('a/b')", "Trips(0)", "NS.T"]
        );
        assert_eq!(strip_key("Trips(0)"), ("Trips", true));
        assert_eq!(strip_key("Trips"), ("Trips", false));
    }
}
