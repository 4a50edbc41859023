//! The types the checker reasons with, and the typing rules of literals, operators and
//! canonical functions (URL Conventions §5.1.1).

use std::fmt;

use crate::ast::{BinaryOp, Function, GeoShape, Literal};
use crate::model::{Edm, Model, SchemaType, TypeName, TypeRef};

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Not known: a dynamic property of an open type, an annotation, a custom function,
    /// `Edm.Untyped`. Anything is accepted.
    Any,
    /// The `null` literal (or an alias without a value).
    Null,
    Primitive(Edm),
    /// An enumeration (namespace-qualified name).
    Enum(String),
    /// An entity or complex type (namespace-qualified name).
    Structured(String),
    Collection(Box<Ty>),
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("an untyped value"),
            Ty::Null => f.write_str("null"),
            Ty::Primitive(edm) => edm.fmt(f),
            Ty::Enum(name) | Ty::Structured(name) => f.write_str(name),
            Ty::Collection(inner) => write!(f, "Collection({inner})"),
        }
    }
}

impl Ty {
    pub(crate) const BOOLEAN: Ty = Ty::Primitive(Edm::Boolean);
    pub(crate) const STRING: Ty = Ty::Primitive(Edm::String);
    pub(crate) const INT32: Ty = Ty::Primitive(Edm::Int32);

    /// The type a model type reference stands for (type definitions by their underlying
    /// type; names the model does not know are [`Ty::Any`]).
    pub(crate) fn of_ref(model: &Model, type_ref: &TypeRef) -> Ty {
        let element = match &type_ref.name {
            TypeName::Primitive(Edm::Untyped) => Ty::Any,
            TypeName::Primitive(edm) => Ty::Primitive(*edm),
            TypeName::Named(name) => Ty::of_name(model, name),
        };
        if type_ref.collection {
            Ty::Collection(Box::new(element))
        } else {
            element
        }
    }

    /// The type named `name` (`Edm.Int32`, `NS.Type`, `Collection(NS.Type)`), or `None`
    /// when the model has no such type.
    pub(crate) fn named(model: &Model, name: &str) -> Option<Ty> {
        let type_ref = TypeRef::parse(name)?;
        if let TypeName::Named(named) = &type_ref.name {
            model.resolve_type(named)?;
        }
        Some(Ty::of_ref(model, &type_ref))
    }

    fn of_name(model: &Model, name: &str) -> Ty {
        let canonical = model
            .canonical_name(name)
            .unwrap_or_else(|| name.to_owned());
        match model.resolve_type(name) {
            Some(SchemaType::Structured(_)) => Ty::Structured(canonical),
            Some(SchemaType::Enum(_)) => Ty::Enum(canonical),
            Some(SchemaType::Definition(definition)) => Ty::Primitive(definition.underlying_type),
            None => Ty::Any,
        }
    }

    /// The type of a literal.
    pub(crate) fn of_literal(model: &Model, literal: &Literal) -> Ty {
        match literal {
            Literal::Null => Ty::Null,
            Literal::Boolean(_) => Ty::BOOLEAN,
            Literal::Int(_) => Ty::Primitive(Edm::Int64),
            Literal::Decimal(_) => Ty::Primitive(Edm::Decimal),
            Literal::Double(_) => Ty::Primitive(Edm::Double),
            Literal::String(_) => Ty::STRING,
            Literal::Guid(_) => Ty::Primitive(Edm::Guid),
            Literal::Date(_) => Ty::Primitive(Edm::Date),
            Literal::DateTimeOffset(_) => Ty::Primitive(Edm::DateTimeOffset),
            Literal::TimeOfDay(_) => Ty::Primitive(Edm::TimeOfDay),
            Literal::Duration(_) => Ty::Primitive(Edm::Duration),
            Literal::Binary(_) => Ty::Primitive(Edm::Binary),
            Literal::Enum { type_name, .. } => Ty::Enum(
                model
                    .canonical_name(type_name)
                    .unwrap_or_else(|| type_name.clone()),
            ),
            Literal::Geo(geo) => Ty::Primitive(geo_type(geo.geography, &geo.shape)),
            Literal::Json(_) => Ty::Any,
            #[allow(unreachable_patterns, reason = "literal kinds added later are untyped")]
            _ => Ty::Any,
        }
    }

    pub(crate) fn is_loose(&self) -> bool {
        matches!(self, Ty::Any | Ty::Null)
    }

    pub(crate) fn is_numeric(&self) -> bool {
        matches!(self, Ty::Primitive(edm) if edm.is_numeric())
    }

    pub(crate) fn is_spatial(&self) -> bool {
        matches!(self, Ty::Primitive(edm) if edm.is_spatial())
    }

    pub(crate) fn is(&self, edm: Edm) -> bool {
        *self == Ty::Primitive(edm)
    }

    /// True when the value may be a `edm` (loose types may be anything).
    pub(crate) fn may_be(&self, edm: Edm) -> bool {
        self.is_loose() || self.is(edm)
    }
}

fn geo_type(geography: bool, shape: &GeoShape) -> Edm {
    match (geography, shape) {
        (true, GeoShape::Point(_)) => Edm::GeographyPoint,
        (true, GeoShape::LineString(_)) => Edm::GeographyLineString,
        (true, GeoShape::Polygon(_)) => Edm::GeographyPolygon,
        (true, GeoShape::MultiPoint(_)) => Edm::GeographyMultiPoint,
        (true, GeoShape::MultiLineString(_)) => Edm::GeographyMultiLineString,
        (true, GeoShape::MultiPolygon(_)) => Edm::GeographyMultiPolygon,
        (true, _) => Edm::GeographyCollection,
        (false, GeoShape::Point(_)) => Edm::GeometryPoint,
        (false, GeoShape::LineString(_)) => Edm::GeometryLineString,
        (false, GeoShape::Polygon(_)) => Edm::GeometryPolygon,
        (false, GeoShape::MultiPoint(_)) => Edm::GeometryMultiPoint,
        (false, GeoShape::MultiLineString(_)) => Edm::GeometryMultiLineString,
        (false, GeoShape::MultiPolygon(_)) => Edm::GeometryMultiPolygon,
        (false, _) => Edm::GeometryCollection,
    }
}

/// The numeric promotion order of URL §5.1.1.18 (wider last).
fn numeric_rank(edm: Edm) -> u8 {
    match edm {
        Edm::Byte | Edm::SByte => 0,
        Edm::Int16 => 1,
        Edm::Int32 => 2,
        Edm::Int64 => 3,
        Edm::Decimal => 4,
        Edm::Single => 5,
        _ => 6,
    }
}

fn wider(a: Edm, b: Edm) -> Edm {
    if numeric_rank(a) >= numeric_rank(b) {
        a
    } else {
        b
    }
}

fn is_temporal_pair(a: Edm, b: Edm) -> bool {
    // Date and DateTimeOffset compare with each other (as dates); a documented choice.
    matches!(
        (a, b),
        (Edm::Date, Edm::DateTimeOffset) | (Edm::DateTimeOffset, Edm::Date)
    )
}

/// Whether `a eq b` (and `ne`, `in`) is meaningful (URL §5.1.1.1.1).
pub(crate) fn equatable(model: &Model, a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (x, y) if x.is_loose() || y.is_loose() => true,
        (Ty::Primitive(x), Ty::Primitive(y)) => {
            x == y
                || (x.is_numeric() && y.is_numeric())
                || is_temporal_pair(*x, *y)
                || (x.is_spatial() && y.is_spatial() && geo_family(*x) == geo_family(*y))
        }
        // 4.01 allows an enum member as a plain string, and its numeric value.
        (Ty::Enum(_), Ty::Primitive(p)) | (Ty::Primitive(p), Ty::Enum(_)) => {
            *p == Edm::String || p.is_numeric()
        }
        (Ty::Enum(x), Ty::Enum(y)) => x == y,
        (Ty::Structured(x), Ty::Structured(y)) => {
            x == y || model.is_derived_from(x, y) || model.is_derived_from(y, x)
        }
        (Ty::Collection(x), Ty::Collection(y)) => equatable(model, x, y),
        _ => false,
    }
}

fn geo_family(edm: Edm) -> bool {
    matches!(
        edm,
        Edm::Geography
            | Edm::GeographyPoint
            | Edm::GeographyLineString
            | Edm::GeographyPolygon
            | Edm::GeographyMultiPoint
            | Edm::GeographyMultiLineString
            | Edm::GeographyMultiPolygon
            | Edm::GeographyCollection
    )
}

/// Whether `a gt b` (and `ge`, `lt`, `le`) is meaningful: equatable, and not binary,
/// stream, spatial, structured or a collection (URL §5.1.1.1).
pub(crate) fn orderable(model: &Model, a: &Ty, b: &Ty) -> bool {
    let unorderable = |t: &Ty| match t {
        Ty::Primitive(edm) => edm.is_spatial() || matches!(edm, Edm::Stream),
        Ty::Structured(_) | Ty::Collection(_) => true,
        _ => false,
    };
    !unorderable(a) && !unorderable(b) && equatable(model, a, b)
}

/// Whether a value of type `t` can be an `$orderby` key.
pub(crate) fn sortable(t: &Ty) -> bool {
    match t {
        Ty::Primitive(edm) => !edm.is_spatial() && *edm != Edm::Stream,
        Ty::Structured(_) | Ty::Collection(_) => false,
        _ => true,
    }
}

/// The result of an arithmetic operator (URL §5.1.1.2), or `None` when the operands do not
/// fit it.
pub(crate) fn arithmetic(op: BinaryOp, a: &Ty, b: &Ty) -> Option<Ty> {
    use Edm::{Date, DateTimeOffset as Dto, Duration};
    if a.is_loose() && b.is_loose() {
        return Some(Ty::Any);
    }
    // A loose side takes the other side's type.
    let (a, b) = match (a.is_loose(), b.is_loose()) {
        (true, _) => (b, b),
        (_, true) => (a, a),
        _ => (a, b),
    };
    let (Ty::Primitive(x), Ty::Primitive(y)) = (a, b) else {
        return None;
    };
    let (x, y) = (*x, *y);
    let numeric = x.is_numeric() && y.is_numeric();
    let result = match op {
        BinaryOp::Add | BinaryOp::Sub if numeric => wider(x, y),
        BinaryOp::Add => match (x, y) {
            (Dto, Duration) | (Duration, Dto) => Dto,
            (Date, Duration) | (Duration, Date) => Date,
            (Duration, Duration) => Duration,
            _ => return None,
        },
        BinaryOp::Sub => match (x, y) {
            (Dto, Duration) => Dto,
            (Date, Duration) => Date,
            (Duration, Duration) | (Dto, Dto) | (Date, Date) => Duration,
            _ => return None,
        },
        BinaryOp::Mul if numeric => wider(x, y),
        BinaryOp::Mul => match (x, y) {
            (Duration, n) | (n, Duration) if n.is_numeric() => Duration,
            _ => return None,
        },
        BinaryOp::Div if numeric => wider(x, y),
        BinaryOp::DivBy if numeric => wider(wider(x, y), Edm::Decimal),
        BinaryOp::Div | BinaryOp::DivBy => match (x, y) {
            (Duration, n) if n.is_numeric() => Duration,
            _ => return None,
        },
        BinaryOp::Mod if numeric => wider(x, y),
        _ => return None,
    };
    Some(Ty::Primitive(result))
}

/// What a canonical function takes and gives: each overload is the argument types it
/// accepts (checked with [`Accepts`]) and its result.
pub(crate) fn function_result(function: Function, args: &[Ty]) -> Result<Ty, String> {
    use Accepts::{Collection, Numeric, Of, Spatial, Textual};
    use Edm::{Date, DateTimeOffset as Dto, Duration, TimeOfDay};
    let overloads: &[(&[Accepts], Ty)] = match function {
        Function::Concat => &[
            (&[Of(Edm::String), Of(Edm::String)], Ty::STRING),
            (&[Collection, Collection], Ty::Any),
        ],
        Function::Contains | Function::StartsWith | Function::EndsWith => &[
            (&[Textual, Textual], Ty::BOOLEAN),
            (&[Collection, Collection], Ty::BOOLEAN),
        ],
        Function::IndexOf => &[
            (&[Textual, Textual], Ty::INT32),
            (&[Collection, Accepts::Anything], Ty::INT32),
        ],
        Function::Length => &[(&[Textual], Ty::INT32), (&[Collection], Ty::INT32)],
        Function::MatchesPattern => &[(&[Textual, Of(Edm::String)], Ty::BOOLEAN)],
        Function::Substring => &[
            (&[Textual, Numeric], Ty::STRING),
            (&[Textual, Numeric, Numeric], Ty::STRING),
            (&[Collection, Numeric], Ty::Any),
            (&[Collection, Numeric, Numeric], Ty::Any),
        ],
        Function::ToLower | Function::ToUpper | Function::Trim => &[(&[Textual], Ty::STRING)],
        Function::Year | Function::Month | Function::Day => {
            &[(&[Of(Date)], Ty::INT32), (&[Of(Dto)], Ty::INT32)]
        }
        Function::Hour | Function::Minute | Function::Second => {
            &[(&[Of(Dto)], Ty::INT32), (&[Of(TimeOfDay)], Ty::INT32)]
        }
        Function::FractionalSeconds => &[
            (&[Of(Dto)], Ty::Primitive(Edm::Decimal)),
            (&[Of(TimeOfDay)], Ty::Primitive(Edm::Decimal)),
        ],
        Function::TotalSeconds => &[(&[Of(Duration)], Ty::Primitive(Edm::Decimal))],
        Function::Date => &[(&[Of(Dto)], Ty::Primitive(Date))],
        Function::Time => &[(&[Of(Dto)], Ty::Primitive(TimeOfDay))],
        Function::TotalOffsetMinutes => &[(&[Of(Dto)], Ty::INT32)],
        Function::MinDateTime | Function::MaxDateTime | Function::Now => {
            &[(&[], Ty::Primitive(Dto))]
        }
        Function::Round | Function::Floor | Function::Ceiling => &[(&[Numeric], Ty::Any)],
        Function::GeoDistance => &[(&[Spatial, Spatial], Ty::Primitive(Edm::Double))],
        Function::GeoLength => &[(&[Spatial], Ty::Primitive(Edm::Double))],
        Function::GeoIntersects => &[(&[Spatial, Spatial], Ty::BOOLEAN)],
        Function::HasSubset | Function::HasSubsequence => {
            &[(&[Collection, Collection], Ty::BOOLEAN)]
        }
        Function::IsDefined => &[(&[Accepts::Anything], Ty::BOOLEAN)],
        #[allow(unreachable_patterns, reason = "functions added later are not checked")]
        _ => return Ok(Ty::Any),
    };
    for (params, result) in overloads {
        if params.len() == args.len() && params.iter().zip(args).all(|(p, a)| p.accepts(a)) {
            // round/floor/ceiling give their argument's type.
            if *result == Ty::Any
                && matches!(
                    function,
                    Function::Round | Function::Floor | Function::Ceiling
                )
            {
                return Ok(args[0].clone());
            }
            return Ok(result.clone());
        }
    }
    let given: Vec<String> = args.iter().map(Ty::to_string).collect();
    Err(format!(
        "{}({}) does not take these argument types",
        function.name(),
        given.join(", ")
    ))
}

/// One parameter of a canonical function.
#[derive(Debug, Clone, Copy)]
enum Accepts {
    Of(Edm),
    /// A string (or an enum, read by its name).
    Textual,
    Numeric,
    Spatial,
    Collection,
    Anything,
}

impl Accepts {
    fn accepts(self, ty: &Ty) -> bool {
        if ty.is_loose() {
            return true;
        }
        match self {
            Accepts::Of(edm) => ty.is(edm),
            Accepts::Textual => ty.is(Edm::String) || matches!(ty, Ty::Enum(_)),
            Accepts::Numeric => ty.is_numeric(),
            Accepts::Spatial => ty.is_spatial(),
            Accepts::Collection => matches!(ty, Ty::Collection(_)),
            Accepts::Anything => true,
        }
    }
}
