//! Typed evaluation: with a data model ([`super::EvalOptions::with_model`]), every value a
//! path reads is taken as its declared type rather than as whatever JSON type it arrived
//! in.
//!
//! - `Edm.DateTimeOffset`, `Date`, `TimeOfDay`, `Duration`, `Guid` and `Binary` properties
//!   held as JSON strings are read as those types, so they compare **and sort** by value
//!   (instants across offsets; without a model a plain string sorts as a string);
//! - integer and decimal properties held as strings (`IEEE754Compatible=true`) are read as
//!   numbers; `Edm.Decimal` properties held as JSON numbers with a fraction are read as
//!   the exact decimal their shortest text spells (`2.55`, not the nearest double), so
//!   `Price sub 0.55 eq 2.00` holds as the specification's example expects;
//! - `Edm.Double`/`Single` held as the strings `INF`, `-INF`, `NaN` or a number are read as
//!   doubles;
//! - enumeration properties held as member values (`2`) are read as member names, and so
//!   is an integer literal they are compared with (`Gender eq 1`, allowed by 4.01);
//! - type casts and `isof`/`cast` to a structured type accept the type and every type
//!   derived from it (by `@odata.type`), and a value without `@odata.type` is of its
//!   declared type.
//!
//! A value that does not parse as its declared type is left as it is (the data is wrong,
//! not the query), so comparisons with it follow the schemaless rules.

use std::borrow::Cow;
use std::sync::Arc;

use crate::model::{Edm, EnumType, Model, SchemaType, StructuredType, TypeName, TypeRef};

use super::decimal::Decimal;
use super::temporal;
use super::value::{Num, Val};

/// What the model says a value is, as the compiler walks a path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Declared<'m> {
    /// No model, or a dynamic property, or after a shape-changing `$apply`.
    Unknown,
    Structured(&'m StructuredType, bool),
    Primitive(Edm, bool),
    Enum(&'m EnumType, bool),
}

impl<'m> Declared<'m> {
    fn of_ref(model: &'m Model, type_ref: &TypeRef) -> Declared<'m> {
        let collection = type_ref.collection;
        match &type_ref.name {
            TypeName::Primitive(edm) => Declared::Primitive(*edm, collection),
            TypeName::Named(name) => match model.resolve_type(name) {
                Some(SchemaType::Structured(ty)) => Declared::Structured(ty, collection),
                Some(SchemaType::Enum(ty)) => Declared::Enum(ty, collection),
                Some(SchemaType::Definition(definition)) => {
                    Declared::Primitive(definition.underlying_type, collection)
                }
                None => Declared::Unknown,
            },
        }
    }

    /// The member type of a collection (a key predicate, a lambda variable, `$filter`).
    pub(crate) fn element(self) -> Declared<'m> {
        match self {
            Declared::Structured(ty, _) => Declared::Structured(ty, false),
            Declared::Primitive(edm, _) => Declared::Primitive(edm, false),
            Declared::Enum(ty, _) => Declared::Enum(ty, false),
            Declared::Unknown => Declared::Unknown,
        }
    }

    /// The type of property or navigation property `name`.
    pub(crate) fn property(self, model: &'m Model, name: &str) -> Declared<'m> {
        let Declared::Structured(ty, false) = self else {
            return Declared::Unknown;
        };
        if let Some(property) = model.property(ty, name) {
            return Declared::of_ref(model, &property.type_ref);
        }
        match model.navigation_property(ty, name) {
            Some(navigation) => match model.structured_type(&navigation.target) {
                Some(target) => Declared::Structured(target, navigation.collection),
                None => Declared::Unknown,
            },
            None => Declared::Unknown,
        }
    }

    /// After a type cast segment to `name`.
    pub(crate) fn cast(self, model: &'m Model, name: &str) -> Declared<'m> {
        let collection = matches!(
            self,
            Declared::Structured(_, true) | Declared::Primitive(_, true) | Declared::Enum(_, true)
        );
        match model.structured_type(name) {
            Some(ty) => Declared::Structured(ty, collection),
            None => Declared::Unknown,
        }
    }

    /// The structured type of a single value, if known.
    pub(crate) fn structured(self) -> Option<&'m StructuredType> {
        match self {
            Declared::Structured(ty, false) => Some(ty),
            _ => None,
        }
    }

    /// How a single value of this type is read from JSON, when it differs from the
    /// schemaless reading.
    pub(crate) fn coercion(self) -> Option<Coerce> {
        match self {
            Declared::Primitive(edm, false) => Some(match edm {
                Edm::DateTimeOffset => Coerce::DateTimeOffset,
                Edm::Date => Coerce::Date,
                Edm::TimeOfDay => Coerce::TimeOfDay,
                Edm::Duration => Coerce::Duration,
                Edm::Guid => Coerce::Guid,
                Edm::Binary => Coerce::Binary,
                Edm::Byte | Edm::SByte | Edm::Int16 | Edm::Int32 | Edm::Int64 => Coerce::Integer,
                Edm::Decimal => Coerce::Decimal,
                Edm::Double | Edm::Single => Coerce::Double,
                _ => return None,
            }),
            Declared::Enum(ty, false) => Some(Coerce::Enum(Arc::new(EnumMembers {
                members: ty
                    .members
                    .iter()
                    .map(|m| (m.name.clone(), m.value))
                    .collect(),
                flags: ty.is_flags,
            }))),
            _ => None,
        }
    }
}

/// The members of an enumeration, to read values as names.
#[derive(Debug)]
pub(crate) struct EnumMembers {
    members: Vec<(String, i64)>,
    flags: bool,
}

/// How a JSON value is read as its declared type.
#[derive(Debug, Clone)]
pub(crate) enum Coerce {
    DateTimeOffset,
    Date,
    TimeOfDay,
    Duration,
    Guid,
    Binary,
    Integer,
    Decimal,
    Double,
    Enum(Arc<EnumMembers>),
}

/// Reads `value` as its declared type; values that do not parse are left as they are.
pub(crate) fn coerce<'a>(coerce: &Coerce, value: Val<'a>) -> Val<'a> {
    let converted = match (&value, coerce) {
        (Val::Str(text), Coerce::DateTimeOffset) => {
            temporal::parse_datetime_lenient(text).map(Val::DateTimeOffset)
        }
        (Val::Str(text), Coerce::Date) => temporal::parse_date(text).map(Val::Date),
        (Val::Str(text), Coerce::TimeOfDay) => temporal::parse_time(text).map(Val::TimeOfDay),
        (Val::Str(text), Coerce::Duration) => temporal::parse_duration(text).map(Val::Duration),
        (Val::Str(text), Coerce::Guid) => temporal::parse_guid(text).map(Val::Guid),
        (Val::Str(text), Coerce::Binary) => {
            temporal::decode_base64(text).map(|bytes| Val::Binary(Cow::Owned(bytes)))
        }
        (Val::Str(text), Coerce::Integer) => text
            .trim()
            .parse::<i128>()
            .ok()
            .map(|i| Val::Num(Num::Int(i))),
        (Val::Str(text), Coerce::Decimal) => {
            Decimal::parse(text.trim()).map(|d| Val::Num(Num::Dec(d)))
        }
        (Val::Num(Num::Float(f)), Coerce::Decimal) => {
            // The shortest text that reads back as this double is what the document spelled.
            Decimal::parse(&format!("{f}")).map(|d| Val::Num(Num::Dec(d)))
        }
        (Val::Str(text), Coerce::Double) => match text.trim() {
            "INF" => Some(Val::Num(Num::Float(f64::INFINITY))),
            "-INF" => Some(Val::Num(Num::Float(f64::NEG_INFINITY))),
            "NaN" => Some(Val::Num(Num::Float(f64::NAN))),
            number => number.parse::<f64>().ok().map(|f| Val::Num(Num::Float(f))),
        },
        (Val::Str(text), Coerce::Enum(_)) => Some(Val::Enum(Cow::Owned(text.to_string()))),
        (Val::Num(Num::Int(i)), Coerce::Enum(members)) => {
            enum_names(members, *i).map(|names| Val::Enum(Cow::Owned(names)))
        }
        _ => None,
    };
    converted.unwrap_or(value)
}

/// The member names of an enum value: the member with that value, or for flags the
/// members whose bits make it up.
fn enum_names(members: &EnumMembers, value: i128) -> Option<String> {
    let value = i64::try_from(value).ok()?;
    if let Some((name, _)) = members.members.iter().find(|(_, v)| *v == value) {
        return Some(name.clone());
    }
    if !members.flags {
        return None;
    }
    let mut remaining = value;
    let mut names = Vec::new();
    for (name, bits) in &members.members {
        if *bits != 0 && value & bits == *bits {
            names.push(name.as_str());
            remaining &= !bits;
        }
    }
    (remaining == 0 && !names.is_empty()).then(|| names.join(","))
}

/// The `@odata.type` names that satisfy a cast to `name`: the type and every type derived
/// from it, each namespace- and alias-qualified; `None` when the model does not know the
/// type.
pub(crate) fn accepted_type_names(model: &Model, name: &str) -> Option<Vec<String>> {
    let canonical = model.canonical_name(name)?;
    model.structured_type(&canonical)?;
    let mut names = vec![canonical.clone()];
    names.extend(
        model
            .derived_types(&canonical)
            .into_iter()
            .map(|(derived, _)| derived),
    );
    // Documents may spell `@odata.type` with the schema alias.
    let aliased: Vec<String> = names
        .iter()
        .filter_map(|qualified| {
            let (namespace, simple) = qualified.rsplit_once('.')?;
            let schema = model.schemas.iter().find(|s| s.namespace == namespace)?;
            Some(format!("{}.{simple}", schema.alias.as_deref()?))
        })
        .collect();
    names.extend(aliased);
    Some(names)
}

/// Whether a value of declared type `declared` is (or derives from) structured type
/// `target`.
pub(crate) fn declared_derives(model: &Model, declared: &StructuredType, target: &str) -> bool {
    match (
        model.qualified_name_of(declared),
        model.canonical_name(target),
    ) {
        (Some(declared), Some(target)) => model.is_derived_from(&declared, &target),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_from_their_bits() {
        let members = EnumMembers {
            members: vec![("Red".into(), 1), ("Green".into(), 2), ("Blue".into(), 4)],
            flags: true,
        };
        assert_eq!(enum_names(&members, 5).as_deref(), Some("Red,Blue"));
        assert_eq!(enum_names(&members, 2).as_deref(), Some("Green"));
        assert_eq!(enum_names(&members, 8), None);
    }

    #[test]
    fn decimals_read_from_their_shortest_text() {
        let value = coerce(&Coerce::Decimal, Val::Num(Num::Float(2.55)));
        assert!(matches!(value, Val::Num(Num::Dec(_))));
        let kept = coerce(
            &Coerce::DateTimeOffset,
            Val::Str(Cow::Borrowed("not a date")),
        );
        assert!(matches!(kept, Val::Str(_)));
    }
}
