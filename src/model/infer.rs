//! [`Model::infer`](super::Model::infer): a model from a JSON sample.
//!
//! The rules (each property's shape is merged over every record that has it):
//!
//! - **Records.** The sample is a JSON array of records, an OData response
//!   `{"value": [...]}`, or a single record. Members whose name contains `@`
//!   (`@odata.context`, `@odata.type`, `name@odata.type`) are annotations and are skipped.
//! - **Names.** The entity set takes the given name; its entity type the singular of it
//!   (`uploadSessions` → `uploadSession`): `-ies` → `-y`, `-sses`/`-shes`/`-ches`/`-xes`
//!   drop `-es`, a final `-s` (not `-ss`, `-us`, `-is`) is dropped; a name that does not
//!   look plural gets `Item` (`people` → `peopleItem`). A nested type is named after its
//!   parent type and its property, singular for arrays (`stats` → `uploadSessionStats`,
//!   `files` → `uploadSessionFile`), with a number after it if that name is taken.
//!   Members are taken in serde_json's order (sorted by name, unless serde_json's
//!   `preserve_order` feature is on).
//! - **Objects** become complex types, or entity types when they carry a key-like `id`
//!   (a string or number in every one of them). An array of such objects becomes a
//!   collection-valued navigation property with `ContainsTarget` (so `$expand=files(...)`
//!   is valid against the model without a second entity set); a single such object a
//!   single-valued one. Other arrays of objects are complex collections.
//! - **Scalars.** `true`/`false` → `Edm.Boolean`. Integers → `Edm.Int64` (sizes and
//!   counts outgrow Int32); integers beyond Int64 → `Edm.Decimal`. Numbers with a fraction
//!   or exponent → `Edm.Double`: JSON numbers are binary floating point to most producers,
//!   and Decimal would claim a precision the sample cannot show. Strings that all parse as
//!   `DateTimeOffset` (RFC 3339 with offset), `Date`, `TimeOfDay` or `Guid` get that type,
//!   else `Edm.String`.
//! - **Widening** when records disagree: Int64 with Double → Double; Int64 with Decimal →
//!   Decimal; Double with Decimal → Double; two different string types → String; anything
//!   else (a number and a string, a scalar and an object, an object and an array) →
//!   `Edm.Untyped`. Objects merge member by member; arrays merge their items.
//! - **Nullability.** A property missing or null in some record is nullable; one present
//!   and non-null in every record is not. A property that is only ever null, or an array
//!   that is only ever empty, has type `Edm.Untyped`.
//! - **Key.** `id` (or [`InferOptions::key`]) when it is a non-null scalar in every record;
//!   otherwise the entity type has no key (set `key`, or add one before serving).

use serde_json::{Map, Value};

use super::error::{ModelError, ModelLimit, Source};
use super::{
    Edm, EntityContainer, EntitySet, Model, NavigationProperty, Property, PropertyRef, Schema,
    StructuredType, TypeKind, TypeName, TypeRef,
};

/// Options of [`Model::infer_with`](super::Model::infer_with).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InferOptions {
    /// The schema namespace. Default `Default`.
    pub namespace: String,
    /// The entity container's name. Default `Container`.
    pub container: String,
    /// The key property of the records (and of nested entities). Default `id`.
    pub key: String,
    /// Deepest object/array nesting inferred. Default 32.
    pub max_depth: usize,
}

impl Default for InferOptions {
    fn default() -> InferOptions {
        InferOptions {
            namespace: "Default".to_owned(),
            container: "Container".to_owned(),
            key: "id".to_owned(),
            max_depth: 32,
        }
    }
}

/// Which string forms every value seen so far parses as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StringForms {
    date_time_offset: bool,
    date: bool,
    time_of_day: bool,
    guid: bool,
}

/// The merged shape of the values of one property.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// Only nulls so far.
    Unknown,
    Bool,
    Int,
    Decimal,
    Double,
    Text(StringForms),
    Object(ObjectShape),
    /// Items' shape, `Unknown` while every array was empty.
    Array(Box<Shape>),
    Untyped,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct ObjectShape {
    /// Members in first-seen order: shape, and in how many objects present and non-null.
    members: Vec<(String, Shape, usize)>,
    /// How many objects were merged.
    count: usize,
}

fn string_forms(text: &str) -> StringForms {
    use chrono::{DateTime, NaiveDate, NaiveTime};
    let guid = text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    StringForms {
        date_time_offset: DateTime::parse_from_rfc3339(text).is_ok(),
        date: text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        time_of_day: NaiveTime::parse_from_str(text, "%H:%M:%S%.f").is_ok()
            || (text.len() == 5 && NaiveTime::parse_from_str(text, "%H:%M").is_ok()),
        guid,
    }
}

impl Shape {
    fn of(value: &Value, depth: usize, options: &InferOptions) -> Result<Shape, ModelError> {
        if depth > options.max_depth {
            return Err(ModelError::LimitExceeded {
                from: Source::Sample,
                limit: ModelLimit::Depth,
                max: options.max_depth,
                position: None,
            });
        }
        Ok(match value {
            Value::Null => Shape::Unknown,
            Value::Bool(_) => Shape::Bool,
            Value::Number(n) if n.is_i64() => Shape::Int,
            // Beyond i64: exact only as a decimal.
            Value::Number(n) if n.is_u64() => Shape::Decimal,
            Value::Number(_) => Shape::Double,
            Value::String(text) => Shape::Text(string_forms(text)),
            Value::Array(items) => {
                let mut shape = Shape::Unknown;
                for item in items {
                    shape = shape.merge(Shape::of(item, depth + 1, options)?);
                }
                Shape::Array(Box::new(shape))
            }
            Value::Object(members) => Shape::Object(ObjectShape::of(members, depth, options)?),
        })
    }

    fn merge(self, other: Shape) -> Shape {
        match (self, other) {
            (Shape::Unknown, other) | (other, Shape::Unknown) => other,
            (Shape::Untyped, _) | (_, Shape::Untyped) => Shape::Untyped,
            (Shape::Bool, Shape::Bool) => Shape::Bool,
            (Shape::Int, Shape::Int) => Shape::Int,
            (Shape::Decimal, Shape::Decimal | Shape::Int) | (Shape::Int, Shape::Decimal) => {
                Shape::Decimal
            }
            (Shape::Double, Shape::Double | Shape::Int | Shape::Decimal)
            | (Shape::Int | Shape::Decimal, Shape::Double) => Shape::Double,
            (Shape::Text(a), Shape::Text(b)) => Shape::Text(StringForms {
                date_time_offset: a.date_time_offset && b.date_time_offset,
                date: a.date && b.date,
                time_of_day: a.time_of_day && b.time_of_day,
                guid: a.guid && b.guid,
            }),
            (Shape::Object(a), Shape::Object(b)) => Shape::Object(a.merge(b)),
            (Shape::Array(a), Shape::Array(b)) => Shape::Array(Box::new(a.merge(*b))),
            _ => Shape::Untyped,
        }
    }

    fn primitive(&self) -> Edm {
        match self {
            Shape::Bool => Edm::Boolean,
            Shape::Int => Edm::Int64,
            Shape::Decimal => Edm::Decimal,
            Shape::Double => Edm::Double,
            Shape::Text(forms) if forms.date_time_offset => Edm::DateTimeOffset,
            Shape::Text(forms) if forms.date => Edm::Date,
            Shape::Text(forms) if forms.time_of_day => Edm::TimeOfDay,
            Shape::Text(forms) if forms.guid => Edm::Guid,
            Shape::Text(_) => Edm::String,
            _ => Edm::Untyped,
        }
    }
}

impl ObjectShape {
    fn of(
        members: &Map<String, Value>,
        depth: usize,
        options: &InferOptions,
    ) -> Result<ObjectShape, ModelError> {
        let mut shape = ObjectShape {
            members: Vec::new(),
            count: 1,
        };
        for (name, value) in members {
            if name.contains('@') {
                continue;
            }
            let present = usize::from(!value.is_null());
            shape
                .members
                .push((name.clone(), Shape::of(value, depth + 1, options)?, present));
        }
        Ok(shape)
    }

    fn merge(mut self, other: ObjectShape) -> ObjectShape {
        self.count += other.count;
        for (name, shape, present) in other.members {
            match self.members.iter_mut().find(|(n, _, _)| *n == name) {
                Some(existing) => {
                    existing.1 = std::mem::replace(&mut existing.1, Shape::Unknown).merge(shape);
                    existing.2 += present;
                }
                None => self.members.push((name, shape, present)),
            }
        }
        self
    }

    /// Whether every object has a non-null scalar key member.
    fn has_key(&self, key: &str) -> bool {
        self.members.iter().any(|(name, shape, present)| {
            name == key
                && *present == self.count
                && matches!(
                    shape,
                    Shape::Int | Shape::Decimal | Shape::Double | Shape::Text(_)
                )
        })
    }
}

/// Singular of a plural-looking name, or `nameItem`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if name.ends_with(suffix) {
            return name[..name.len() - 2].to_owned();
        }
    }
    if name.len() > 1
        && name.ends_with('s')
        && !name.ends_with("ss")
        && !name.ends_with("us")
        && !name.ends_with("is")
    {
        return name[..name.len() - 1].to_owned();
    }
    format!("{name}Item")
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Inferrer<'o> {
    options: &'o InferOptions,
    types: Vec<StructuredType>,
}

impl Inferrer<'_> {
    /// A type name not yet used: `preferred`, else `preferred2`, `preferred3`, ...
    fn fresh_name(&self, preferred: String) -> String {
        let taken = |name: &str| self.types.iter().any(|t| t.name == name);
        if !taken(&preferred) {
            return preferred;
        }
        (2..)
            .map(|n| format!("{preferred}{n}"))
            .find(|name| !taken(name))
            .unwrap_or(preferred)
    }

    fn qualified(&self, name: &str) -> String {
        format!("{}.{name}", self.options.namespace)
    }

    /// Declares a type for an object shape and returns its (unqualified) name.
    fn declare(&mut self, name: String, shape: &ObjectShape) -> String {
        let kind = if shape.has_key(&self.options.key) {
            TypeKind::Entity
        } else {
            TypeKind::Complex
        };
        let mut ty = StructuredType::new(kind, name.clone());
        if kind == TypeKind::Entity {
            ty.key.push(PropertyRef {
                name: self.options.key.clone(),
                alias: None,
            });
        }
        // The type is pushed before its members so that nested names see it as taken.
        let index = self.types.len();
        self.types.push(ty);
        let mut properties = Vec::new();
        let mut navigations = Vec::new();
        for (member, member_shape, present) in &shape.members {
            let nullable = *present < shape.count;
            let object_name =
                |this: &Self| this.fresh_name(format!("{name}{}", capitalised(member)));
            let item_name =
                |this: &Self| this.fresh_name(format!("{name}{}", capitalised(&singular(member))));
            match member_shape {
                Shape::Object(object) if object.has_key(&self.options.key) => {
                    let target = self.declare(object_name(self), object);
                    let mut navigation =
                        NavigationProperty::new(member.clone(), self.qualified(&target), false);
                    navigation.nullable = nullable;
                    navigation.contains_target = true;
                    navigations.push(navigation);
                }
                Shape::Object(object) => {
                    let target = self.declare(object_name(self), object);
                    let mut property = Property::new(
                        member.clone(),
                        TypeRef {
                            name: TypeName::Named(self.qualified(&target)),
                            collection: false,
                        },
                    );
                    property.nullable = nullable;
                    properties.push(property);
                }
                Shape::Array(items) => match items.as_ref() {
                    Shape::Object(object) if object.has_key(&self.options.key) => {
                        let target = self.declare(item_name(self), object);
                        let mut navigation =
                            NavigationProperty::new(member.clone(), self.qualified(&target), true);
                        navigation.contains_target = true;
                        navigations.push(navigation);
                    }
                    Shape::Object(object) => {
                        let target = self.declare(item_name(self), object);
                        let mut property = Property::new(
                            member.clone(),
                            TypeRef::collection_of(TypeRef {
                                name: TypeName::Named(self.qualified(&target)),
                                collection: false,
                            }),
                        );
                        property.nullable = false;
                        properties.push(property);
                    }
                    scalar => {
                        let mut property = Property::new(
                            member.clone(),
                            TypeRef::collection_of(scalar.primitive()),
                        );
                        property.nullable = false;
                        properties.push(property);
                    }
                },
                scalar => {
                    let mut property = Property::new(member.clone(), scalar.primitive());
                    property.nullable = nullable;
                    properties.push(property);
                }
            }
        }
        let ty = &mut self.types[index];
        ty.properties = properties;
        ty.navigation_properties = navigations;
        name
    }
}

/// The records of a sample: an array, `{"value": [...]}`, or one object.
fn records(sample: &Value) -> Result<Vec<&Map<String, Value>>, ModelError> {
    let sample_error = |message: &str| ModelError::Sample {
        from: Source::Sample,
        message: message.into(),
    };
    let items: Vec<&Value> = match sample {
        Value::Array(items) => items.iter().collect(),
        Value::Object(object) => match object.get("value") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![sample],
        },
        _ => {
            return Err(sample_error(
                "expected an array of records, {\"value\": [...]}, or a record",
            ))
        }
    };
    let objects: Vec<&Map<String, Value>> = items.iter().filter_map(|v| v.as_object()).collect();
    if objects.len() < items.len() {
        return Err(sample_error("every record must be a JSON object"));
    }
    Ok(objects)
}

pub(crate) fn infer(
    sample: &Value,
    entity_set: &str,
    options: &InferOptions,
) -> Result<Model, ModelError> {
    let mut shape = ObjectShape::default();
    for record in records(sample)? {
        shape = shape.merge(ObjectShape::of(record, 1, options)?);
    }
    let mut inferrer = Inferrer {
        options,
        types: Vec::new(),
    };
    let type_name = inferrer.declare(singular(entity_set), &shape);
    let root = &mut inferrer.types[0];
    if root.kind == TypeKind::Complex {
        // The records' own type is an entity type even without a key: it has a set.
        root.kind = TypeKind::Entity;
    }
    let mut container = EntityContainer::new(options.container.clone());
    container.entity_sets.push(EntitySet::new(
        entity_set,
        format!("{}.{type_name}", options.namespace),
    ));
    let mut schema = Schema::new(options.namespace.clone());
    schema.types = inferrer.types;
    schema.container = Some(container);
    Ok(Model {
        schemas: vec![schema],
        ..Model::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_forms() {
        for (plural, single) in [
            ("uploadSessions", "uploadSession"),
            ("files", "file"),
            ("categories", "category"),
            ("boxes", "box"),
            ("addresses", "address"),
            ("status", "statusItem"),
            ("data", "dataItem"),
            ("s", "sItem"),
        ] {
            assert_eq!(singular(plural), single);
        }
    }

    #[test]
    fn string_forms_are_recognised() {
        let forms = string_forms("2026-03-24T21:34:56.220345Z");
        assert!(forms.date_time_offset && !forms.date);
        assert!(string_forms("2026-03-24").date);
        assert!(string_forms("08:30:00").time_of_day);
        assert!(string_forms("2fa3bc17-de50-4f48-91f0-dd4aede5c424").guid);
        assert_eq!(Shape::Text(string_forms("hello")).primitive(), Edm::String);
    }

    #[test]
    fn widening() {
        let forms = string_forms("x");
        assert_eq!(Shape::Int.merge(Shape::Double), Shape::Double);
        assert_eq!(Shape::Int.merge(Shape::Decimal), Shape::Decimal);
        assert_eq!(Shape::Unknown.merge(Shape::Bool), Shape::Bool);
        assert_eq!(Shape::Int.merge(Shape::Text(forms)), Shape::Untyped);
        assert_eq!(
            Shape::Text(string_forms("2026-01-01"))
                .merge(Shape::Text(string_forms("2026-01-01T00:00:00Z")))
                .primitive(),
            Edm::String
        );
    }
}
