//! The types the checker reasons with, and the typing rules of literals, operators and
//! canonical functions (URL Conventions §5.1.1).

use crate::ast::{BinaryOp, Function, GeoShape, Literal};
use crate::model::{Edm, EnumType, Model, SchemaType, StructuredType, TypeName, TypeRef};

/// What a value is, without whether it is a collection.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Base<'m> {
    /// Not known: a dynamic property of an open type, an annotation, a custom function,
    /// `Edm.Untyped`. Anything is accepted.
    Any,
    /// The `null` literal (or an alias without a value).
    Null,
    Primitive(Edm),
    Enum(&'m EnumType),
    /// An entity or complex type of the model.
    Structured(&'m StructuredType),
}

/// The type of an expression: a base type, or a collection of it (OData has no
/// collections of collections). Borrowed from the model, so typing allocates nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ty<'m> {
    pub(crate) base: Base<'m>,
    pub(crate) collection: bool,
}

impl PartialEq for Base<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Base::Any, Base::Any) | (Base::Null, Base::Null) => true,
            (Base::Primitive(a), Base::Primitive(b)) => a == b,
            (Base::Enum(a), Base::Enum(b)) => std::ptr::eq(*a, *b),
            (Base::Structured(a), Base::Structured(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

impl PartialEq for Ty<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.collection == other.collection
    }
}

impl<'m> Ty<'m> {
    pub(crate) const ANY: Ty<'static> = Ty::single(Base::Any);
    pub(crate) const NULL: Ty<'static> = Ty::single(Base::Null);
    pub(crate) const BOOLEAN: Ty<'static> = Ty::primitive(Edm::Boolean);
    pub(crate) const STRING: Ty<'static> = Ty::primitive(Edm::String);
    pub(crate) const INT32: Ty<'static> = Ty::primitive(Edm::Int32);

    pub(crate) const fn single(base: Base<'m>) -> Ty<'m> {
        Ty {
            base,
            collection: false,
        }
    }

    pub(crate) const fn primitive(edm: Edm) -> Ty<'m> {
        Ty::single(Base::Primitive(edm))
    }

    pub(crate) fn structured(ty: &'m StructuredType) -> Ty<'m> {
        Ty::single(Base::Structured(ty))
    }

    /// A collection of this type's base.
    pub(crate) fn collection_of(self) -> Ty<'m> {
        Ty {
            collection: true,
            ..self
        }
    }

    /// The member type of a collection.
    pub(crate) fn element(self) -> Option<Ty<'m>> {
        self.collection.then_some(Ty::single(self.base))
    }

    /// The type a model type reference stands for (type definitions by their underlying
    /// type; names the model does not know are [`Base::Any`]).
    pub(crate) fn of_ref(model: &'m Model, type_ref: &TypeRef) -> Ty<'m> {
        let base = match &type_ref.name {
            TypeName::Primitive(Edm::Untyped) => Base::Any,
            TypeName::Primitive(edm) => Base::Primitive(*edm),
            TypeName::Named(name) => Ty::of_name(model, name),
        };
        Ty {
            base,
            collection: type_ref.collection,
        }
    }

    /// The type named `name` (`Edm.Int32`, `NS.Type`, `Collection(NS.Type)`), or `None`
    /// when the model has no such type.
    pub(crate) fn named(model: &'m Model, name: &str) -> Option<Ty<'m>> {
        let type_ref = TypeRef::parse(name)?;
        if let TypeName::Named(named) = &type_ref.name {
            model.resolve_type(named)?;
        }
        Some(Ty::of_ref(model, &type_ref))
    }

    fn of_name(model: &'m Model, name: &str) -> Base<'m> {
        match model.resolve_type(name) {
            Some(SchemaType::Structured(ty)) => Base::Structured(ty),
            Some(SchemaType::Enum(ty)) => Base::Enum(ty),
            Some(SchemaType::Definition(definition)) => Base::Primitive(definition.underlying_type),
            None => Base::Any,
        }
    }

    /// The type of a literal.
    pub(crate) fn of_literal(model: &'m Model, literal: &Literal) -> Ty<'m> {
        let edm = match literal {
            Literal::Null => return Ty::NULL,
            Literal::Boolean(_) => Edm::Boolean,
            Literal::Int(_) => Edm::Int64,
            Literal::Decimal(_) => Edm::Decimal,
            Literal::Double(_) => Edm::Double,
            Literal::String(_) => Edm::String,
            Literal::Guid(_) => Edm::Guid,
            Literal::Date(_) => Edm::Date,
            Literal::DateTimeOffset(_) => Edm::DateTimeOffset,
            Literal::TimeOfDay(_) => Edm::TimeOfDay,
            Literal::Duration(_) => Edm::Duration,
            Literal::Binary(_) => Edm::Binary,
            Literal::Enum { type_name, .. } => {
                return match model.enum_type(type_name) {
                    Some(ty) => Ty::single(Base::Enum(ty)),
                    None => Ty::ANY,
                }
            }
            Literal::Geo(geo) => geo_type(geo.geography, &geo.shape),
            Literal::Json(_) => return Ty::ANY,
            #[allow(unreachable_patterns, reason = "literal kinds added later are untyped")]
            _ => return Ty::ANY,
        };
        Ty::primitive(edm)
    }

    /// `Any` or `null`: fits wherever a value is needed.
    pub(crate) fn is_loose(&self) -> bool {
        !self.collection && matches!(self.base, Base::Any | Base::Null)
    }

    pub(crate) fn primitive_type(&self) -> Option<Edm> {
        match (self.base, self.collection) {
            (Base::Primitive(edm), false) => Some(edm),
            _ => None,
        }
    }

    pub(crate) fn is_numeric(&self) -> bool {
        self.primitive_type().is_some_and(Edm::is_numeric)
    }

    pub(crate) fn is_spatial(&self) -> bool {
        self.primitive_type().is_some_and(Edm::is_spatial)
    }

    pub(crate) fn is(&self, edm: Edm) -> bool {
        self.primitive_type() == Some(edm)
    }

    /// True when the value may be a `edm` (loose types may be anything).
    pub(crate) fn may_be(&self, edm: Edm) -> bool {
        self.is_loose() || self.is(edm)
    }

    pub(crate) fn is_enum(&self) -> bool {
        !self.collection && matches!(self.base, Base::Enum(_))
    }

    /// The structured type of a single value.
    pub(crate) fn as_structured(&self) -> Option<&'m StructuredType> {
        match (self.base, self.collection) {
            (Base::Structured(ty), false) => Some(ty),
            _ => None,
        }
    }

    /// The type, as messages print it (`Edm.Int64`, `Collection(NS.Type)`).
    pub(crate) fn show(&self, model: &Model) -> String {
        let base = match self.base {
            Base::Any => "an untyped value".to_owned(),
            Base::Null => "null".to_owned(),
            Base::Primitive(edm) => edm.to_string(),
            Base::Enum(ty) => qualified_enum_name(model, ty),
            Base::Structured(ty) => qualified_name(model, ty),
        };
        if self.collection {
            format!("Collection({base})")
        } else {
            base
        }
    }
}

/// The namespace-qualified name of a structured type of the model.
pub(crate) fn qualified_name(model: &Model, ty: &StructuredType) -> String {
    model
        .qualified_name_of(ty)
        .unwrap_or_else(|| ty.name.clone())
}

fn qualified_enum_name(model: &Model, ty: &EnumType) -> String {
    model
        .schemas
        .iter()
        .find(|schema| schema.enum_types.iter().any(|e| std::ptr::eq(e, ty)))
        .map_or_else(|| ty.name.clone(), |schema| schema.qualify(&ty.name))
}

/// Whether `derived` is `base` or derives from it, walking `BaseType` links (bounded, so
/// a cyclic model cannot loop).
pub(crate) fn derives(model: &Model, derived: &StructuredType, base: &StructuredType) -> bool {
    let mut current = derived;
    for _ in 0..=MAX_INHERITANCE {
        if std::ptr::eq(current, base) {
            return true;
        }
        match current
            .base_type
            .as_deref()
            .and_then(|b| model.structured_type(b))
        {
            Some(next) => current = next,
            None => return false,
        }
    }
    false
}

/// How many `BaseType` steps are followed.
pub(crate) const MAX_INHERITANCE: usize = 64;

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

/// A Date with a DateTimeOffset: the specification gives the comparison no meaning (an
/// instant against a calendar day), so it is a type error that names the two spellings
/// that have one (`date(c) eq 2020-01-01`, `c ge 2020-01-01T00:00:00Z`).
pub(crate) fn is_date_and_instant(a: &Ty<'_>, b: &Ty<'_>) -> bool {
    !a.collection
        && !b.collection
        && matches!(
            (a.base, b.base),
            (
                Base::Primitive(Edm::Date),
                Base::Primitive(Edm::DateTimeOffset)
            ) | (
                Base::Primitive(Edm::DateTimeOffset),
                Base::Primitive(Edm::Date)
            )
        )
}

/// Whether `a eq b` (and `ne`, `in`) is meaningful (URL §5.1.1.1.1).
pub(crate) fn equatable(model: &Model, a: &Ty<'_>, b: &Ty<'_>) -> bool {
    if a.is_loose() || b.is_loose() {
        return true;
    }
    if a.collection != b.collection {
        return false;
    }
    match (a.base, b.base) {
        (Base::Any, _) | (_, Base::Any) | (Base::Null, _) | (_, Base::Null) => true,
        (Base::Primitive(x), Base::Primitive(y)) => {
            x == y
                || (x.is_numeric() && y.is_numeric())
                || (x.is_spatial() && y.is_spatial() && geo_family(x) == geo_family(y))
        }
        // 4.01 allows an enum member as a plain string, and its numeric value.
        (Base::Enum(_), Base::Primitive(p)) | (Base::Primitive(p), Base::Enum(_)) => {
            p == Edm::String || p.is_numeric()
        }
        (Base::Enum(x), Base::Enum(y)) => std::ptr::eq(x, y),
        (Base::Structured(x), Base::Structured(y)) => derives(model, x, y) || derives(model, y, x),
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

/// Whether a value of type `t` can be ordered: not binary... spatial, stream, structured
/// or a collection (URL §5.1.1.1).
fn unorderable(t: &Ty<'_>) -> bool {
    t.collection
        || match t.base {
            Base::Primitive(edm) => edm.is_spatial() || edm == Edm::Stream,
            Base::Structured(_) => true,
            _ => false,
        }
}

/// Whether `a gt b` (and `ge`, `lt`, `le`) is meaningful.
pub(crate) fn orderable(model: &Model, a: &Ty<'_>, b: &Ty<'_>) -> bool {
    !unorderable(a) && !unorderable(b) && equatable(model, a, b)
}

/// Whether a value of type `t` can be an `$orderby` key.
pub(crate) fn sortable(t: &Ty<'_>) -> bool {
    !unorderable(t)
}

/// The result of an arithmetic operator (URL §5.1.1.2), or `None` when the operands do not
/// fit it.
pub(crate) fn arithmetic<'m>(op: BinaryOp, a: &Ty<'m>, b: &Ty<'m>) -> Option<Ty<'m>> {
    use Edm::{Date, DateTimeOffset as Dto, Duration};
    if a.is_loose() && b.is_loose() {
        return Some(Ty::ANY);
    }
    // A loose side takes the other side's type.
    let (a, b) = match (a.is_loose(), b.is_loose()) {
        (true, _) => (b, b),
        (_, true) => (a, a),
        _ => (a, b),
    };
    let (Some(x), Some(y)) = (a.primitive_type(), b.primitive_type()) else {
        return None;
    };
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
    Some(Ty::primitive(result))
}

/// What a canonical function takes and gives: each overload is the argument types it
/// accepts (checked with [`Accepts`]) and its result.
pub(crate) fn function_result<'m>(
    model: &Model,
    function: Function,
    args: &[Ty<'m>],
) -> Result<Ty<'m>, String> {
    use Accepts::{Collection, Numeric, Of, Spatial, Textual};
    use Edm::{Date, DateTimeOffset as Dto, Duration, TimeOfDay};
    let overloads: &[(&[Accepts], Ty<'static>)] = match function {
        Function::Concat => &[
            (&[Of(Edm::String), Of(Edm::String)], Ty::STRING),
            (&[Collection, Collection], ANY_COLLECTION),
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
            (&[Collection, Numeric], ANY_COLLECTION),
            (&[Collection, Numeric, Numeric], ANY_COLLECTION),
        ],
        Function::ToLower | Function::ToUpper | Function::Trim => &[(&[Textual], Ty::STRING)],
        Function::Year | Function::Month | Function::Day => {
            &[(&[Of(Date)], Ty::INT32), (&[Of(Dto)], Ty::INT32)]
        }
        Function::Hour | Function::Minute | Function::Second => {
            &[(&[Of(Dto)], Ty::INT32), (&[Of(TimeOfDay)], Ty::INT32)]
        }
        Function::FractionalSeconds => &[
            (&[Of(Dto)], Ty::primitive(Edm::Decimal)),
            (&[Of(TimeOfDay)], Ty::primitive(Edm::Decimal)),
        ],
        Function::TotalSeconds => &[(&[Of(Duration)], Ty::primitive(Edm::Decimal))],
        Function::Date => &[(&[Of(Dto)], Ty::primitive(Date))],
        Function::Time => &[(&[Of(Dto)], Ty::primitive(TimeOfDay))],
        Function::TotalOffsetMinutes => &[(&[Of(Dto)], Ty::INT32)],
        Function::MinDateTime | Function::MaxDateTime | Function::Now => {
            &[(&[], Ty::primitive(Dto))]
        }
        Function::Round | Function::Floor | Function::Ceiling => &[(&[Numeric], Ty::ANY)],
        Function::GeoDistance => &[(&[Spatial, Spatial], Ty::primitive(Edm::Double))],
        Function::GeoLength => &[(&[Spatial], Ty::primitive(Edm::Double))],
        Function::GeoIntersects => &[(&[Spatial, Spatial], Ty::BOOLEAN)],
        Function::HasSubset | Function::HasSubsequence => {
            &[(&[Collection, Collection], Ty::BOOLEAN)]
        }
        Function::IsDefined => &[(&[Accepts::Anything], Ty::BOOLEAN)],
        #[allow(unreachable_patterns, reason = "functions added later are not checked")]
        _ => return Ok(Ty::ANY),
    };
    for (params, result) in overloads {
        if params.len() == args.len() && params.iter().zip(args).all(|(p, a)| p.accepts(a)) {
            // round/floor/ceiling give their argument's type.
            if matches!(
                function,
                Function::Round | Function::Floor | Function::Ceiling
            ) {
                return Ok(args[0]);
            }
            return Ok(*result);
        }
    }
    let given: Vec<String> = args.iter().map(|a| a.show(model)).collect();
    Err(format!(
        "{}({}) does not take these argument types",
        function.name(),
        given.join(", ")
    ))
}

/// A collection of unknown members (`concat` of two collections).
const ANY_COLLECTION: Ty<'static> = Ty {
    base: Base::Any,
    collection: true,
};

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
    fn accepts(self, ty: &Ty<'_>) -> bool {
        if ty.is_loose() {
            return true;
        }
        match self {
            Accepts::Of(edm) => ty.is(edm),
            Accepts::Textual => ty.is(Edm::String) || ty.is_enum(),
            Accepts::Numeric => ty.is_numeric(),
            Accepts::Spatial => ty.is_spatial(),
            Accepts::Collection => ty.collection,
            Accepts::Anything => true,
        }
    }
}
