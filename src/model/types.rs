//! The types of a schema: [`Edm`] primitives, [`TypeRef`]erences with their [`Facets`],
//! structured (entity and complex) types with their properties and navigation properties,
//! enumerations, type definitions and operations.

use std::fmt;

use super::annotation::Annotation;

/// An Edm primitive type (OData CSDL 4.01 §4.4), as named in `Type="Edm.Int64"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Edm {
    /// `Edm.Binary`
    Binary,
    /// `Edm.Boolean`
    Boolean,
    /// `Edm.Byte`
    Byte,
    /// `Edm.Date`
    Date,
    /// `Edm.DateTimeOffset`
    DateTimeOffset,
    /// `Edm.Decimal`
    Decimal,
    /// `Edm.Double`
    Double,
    /// `Edm.Duration`
    Duration,
    /// `Edm.Guid`
    Guid,
    /// `Edm.Int16`
    Int16,
    /// `Edm.Int32`
    Int32,
    /// `Edm.Int64`
    Int64,
    /// `Edm.SByte`
    SByte,
    /// `Edm.Single`
    Single,
    /// `Edm.Stream`
    Stream,
    /// `Edm.String`
    String,
    /// `Edm.TimeOfDay`
    TimeOfDay,
    /// `Edm.Geography`
    Geography,
    /// `Edm.GeographyPoint`
    GeographyPoint,
    /// `Edm.GeographyLineString`
    GeographyLineString,
    /// `Edm.GeographyPolygon`
    GeographyPolygon,
    /// `Edm.GeographyMultiPoint`
    GeographyMultiPoint,
    /// `Edm.GeographyMultiLineString`
    GeographyMultiLineString,
    /// `Edm.GeographyMultiPolygon`
    GeographyMultiPolygon,
    /// `Edm.GeographyCollection`
    GeographyCollection,
    /// `Edm.Geometry`
    Geometry,
    /// `Edm.GeometryPoint`
    GeometryPoint,
    /// `Edm.GeometryLineString`
    GeometryLineString,
    /// `Edm.GeometryPolygon`
    GeometryPolygon,
    /// `Edm.GeometryMultiPoint`
    GeometryMultiPoint,
    /// `Edm.GeometryMultiLineString`
    GeometryMultiLineString,
    /// `Edm.GeometryMultiPolygon`
    GeometryMultiPolygon,
    /// `Edm.GeometryCollection`
    GeometryCollection,
    /// `Edm.Untyped`: any JSON value (4.01).
    Untyped,
    /// `Edm.PrimitiveType`: any primitive (abstract, in vocabularies).
    PrimitiveType,
    /// `Edm.AnnotationPath` (vocabularies)
    AnnotationPath,
    /// `Edm.PropertyPath` (vocabularies)
    PropertyPath,
    /// `Edm.NavigationPropertyPath` (vocabularies)
    NavigationPropertyPath,
    /// `Edm.ModelElementPath` (vocabularies)
    ModelElementPath,
}

impl Edm {
    /// Every primitive type, in declaration order.
    pub const ALL: [Edm; 39] = [
        Edm::Binary,
        Edm::Boolean,
        Edm::Byte,
        Edm::Date,
        Edm::DateTimeOffset,
        Edm::Decimal,
        Edm::Double,
        Edm::Duration,
        Edm::Guid,
        Edm::Int16,
        Edm::Int32,
        Edm::Int64,
        Edm::SByte,
        Edm::Single,
        Edm::Stream,
        Edm::String,
        Edm::TimeOfDay,
        Edm::Geography,
        Edm::GeographyPoint,
        Edm::GeographyLineString,
        Edm::GeographyPolygon,
        Edm::GeographyMultiPoint,
        Edm::GeographyMultiLineString,
        Edm::GeographyMultiPolygon,
        Edm::GeographyCollection,
        Edm::Geometry,
        Edm::GeometryPoint,
        Edm::GeometryLineString,
        Edm::GeometryPolygon,
        Edm::GeometryMultiPoint,
        Edm::GeometryMultiLineString,
        Edm::GeometryMultiPolygon,
        Edm::GeometryCollection,
        Edm::Untyped,
        Edm::PrimitiveType,
        Edm::AnnotationPath,
        Edm::PropertyPath,
        Edm::NavigationPropertyPath,
        Edm::ModelElementPath,
    ];

    /// The name without the `Edm.` prefix (`Int64`).
    pub fn name(self) -> &'static str {
        match self {
            Edm::Binary => "Binary",
            Edm::Boolean => "Boolean",
            Edm::Byte => "Byte",
            Edm::Date => "Date",
            Edm::DateTimeOffset => "DateTimeOffset",
            Edm::Decimal => "Decimal",
            Edm::Double => "Double",
            Edm::Duration => "Duration",
            Edm::Guid => "Guid",
            Edm::Int16 => "Int16",
            Edm::Int32 => "Int32",
            Edm::Int64 => "Int64",
            Edm::SByte => "SByte",
            Edm::Single => "Single",
            Edm::Stream => "Stream",
            Edm::String => "String",
            Edm::TimeOfDay => "TimeOfDay",
            Edm::Geography => "Geography",
            Edm::GeographyPoint => "GeographyPoint",
            Edm::GeographyLineString => "GeographyLineString",
            Edm::GeographyPolygon => "GeographyPolygon",
            Edm::GeographyMultiPoint => "GeographyMultiPoint",
            Edm::GeographyMultiLineString => "GeographyMultiLineString",
            Edm::GeographyMultiPolygon => "GeographyMultiPolygon",
            Edm::GeographyCollection => "GeographyCollection",
            Edm::Geometry => "Geometry",
            Edm::GeometryPoint => "GeometryPoint",
            Edm::GeometryLineString => "GeometryLineString",
            Edm::GeometryPolygon => "GeometryPolygon",
            Edm::GeometryMultiPoint => "GeometryMultiPoint",
            Edm::GeometryMultiLineString => "GeometryMultiLineString",
            Edm::GeometryMultiPolygon => "GeometryMultiPolygon",
            Edm::GeometryCollection => "GeometryCollection",
            Edm::Untyped => "Untyped",
            Edm::PrimitiveType => "PrimitiveType",
            Edm::AnnotationPath => "AnnotationPath",
            Edm::PropertyPath => "PropertyPath",
            Edm::NavigationPropertyPath => "NavigationPropertyPath",
            Edm::ModelElementPath => "ModelElementPath",
        }
    }

    /// The primitive type named `Edm.X` (the prefix is required).
    ///
    /// ```
    /// use odata_query::model::Edm;
    /// assert_eq!(Edm::from_qualified_name("Edm.Int64"), Some(Edm::Int64));
    /// assert_eq!(Edm::from_qualified_name("Int64"), None);
    /// ```
    pub fn from_qualified_name(name: &str) -> Option<Edm> {
        let name = name.strip_prefix("Edm.")?;
        Edm::ALL.into_iter().find(|edm| edm.name() == name)
    }

    /// `Edm.Geography*`, `Edm.Geometry*`: the types that take an SRID facet.
    pub fn is_spatial(self) -> bool {
        self.name().starts_with("Geo")
    }

    /// The integer and decimal types and the two floating-point ones.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Edm::Byte
                | Edm::SByte
                | Edm::Int16
                | Edm::Int32
                | Edm::Int64
                | Edm::Decimal
                | Edm::Single
                | Edm::Double
        )
    }
}

impl fmt::Display for Edm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Edm.{}", self.name())
    }
}

/// The type named by a property, parameter or return type, without `Collection(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeName {
    /// An Edm primitive.
    Primitive(Edm),
    /// A schema type, namespace- or alias-qualified as written (`microsoft.graph.file`,
    /// `graph.file`); resolve it with [`Model::resolve_type`](crate::model::Model::resolve_type).
    Named(String),
}

impl TypeName {
    /// `Edm.X` names become [`TypeName::Primitive`], others [`TypeName::Named`].
    pub fn parse(name: &str) -> TypeName {
        match Edm::from_qualified_name(name) {
            Some(edm) => TypeName::Primitive(edm),
            None => TypeName::Named(name.to_owned()),
        }
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeName::Primitive(edm) => edm.fmt(f),
            TypeName::Named(name) => f.write_str(name),
        }
    }
}

/// A type reference: a type name, and whether it is a collection of that type.
/// Prints and parses the XML form: `Edm.String`, `Collection(microsoft.graph.file)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeRef {
    /// The (element) type.
    pub name: TypeName,
    /// `Collection(...)`.
    pub collection: bool,
}

impl TypeRef {
    /// Parses `T` or `Collection(T)`; `None` for an empty name or an unclosed `Collection(`.
    ///
    /// ```
    /// use odata_query::model::{Edm, TypeName, TypeRef};
    /// let files = TypeRef::parse("Collection(microsoft.graph.file)").unwrap();
    /// assert!(files.collection);
    /// assert_eq!(files.name, TypeName::Named("microsoft.graph.file".into()));
    /// assert_eq!(TypeRef::parse("Edm.Int64"), Some(TypeRef::from(Edm::Int64)));
    /// ```
    pub fn parse(text: &str) -> Option<TypeRef> {
        let (inner, collection) = match text.strip_prefix("Collection(") {
            Some(rest) => (rest.strip_suffix(')')?, true),
            None => (text, false),
        };
        if inner.is_empty() {
            return None;
        }
        Some(TypeRef {
            name: TypeName::parse(inner),
            collection,
        })
    }

    /// A collection of this type.
    pub fn collection_of(name: impl Into<TypeRef>) -> TypeRef {
        TypeRef {
            collection: true,
            ..name.into()
        }
    }

    /// The primitive type, when it is one (of the element, for a collection).
    pub fn primitive(&self) -> Option<Edm> {
        match self.name {
            TypeName::Primitive(edm) => Some(edm),
            TypeName::Named(_) => None,
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.collection {
            write!(f, "Collection({})", self.name)
        } else {
            self.name.fmt(f)
        }
    }
}

impl From<Edm> for TypeRef {
    fn from(edm: Edm) -> TypeRef {
        TypeRef {
            name: TypeName::Primitive(edm),
            collection: false,
        }
    }
}

/// `"Edm.Int64"`, `"microsoft.graph.file"`, `"Collection(...)"`. A text that is not a type
/// reference (empty) becomes a named type with that text, which [`Model::check`]
/// reports.
///
/// [`Model::check`]: crate::model::Model::check
impl From<&str> for TypeRef {
    fn from(text: &str) -> TypeRef {
        TypeRef::parse(text).unwrap_or(TypeRef {
            name: TypeName::Named(text.to_owned()),
            collection: false,
        })
    }
}

/// `MaxLength`: a number of characters or bytes, or `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxLength {
    /// `MaxLength="max"`: as long as the service allows.
    Max,
    /// `MaxLength="256"`.
    Length(u64),
}

/// `Scale`: digits right of the decimal point, or `variable` / `floating`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// `Scale="2"`.
    Digits(u32),
    /// `Scale="variable"`.
    Variable,
    /// `Scale="floating"` (4.01).
    Floating,
}

/// `SRID`: a spatial reference system id, or `variable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Srid {
    /// `SRID="4326"`.
    Id(u32),
    /// `SRID="variable"`.
    Variable,
}

/// The facets of a type reference, where CSDL gives them. `None` means not given (the
/// CSDL default applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Facets {
    /// `MaxLength` (string, binary, stream).
    pub max_length: Option<MaxLength>,
    /// `Precision` (decimal, temporal).
    pub precision: Option<u32>,
    /// `Scale` (decimal).
    pub scale: Option<Scale>,
    /// `SRID` (spatial).
    pub srid: Option<Srid>,
    /// `Unicode` (string).
    pub unicode: Option<bool>,
}

impl Facets {
    /// No facet given.
    pub fn is_empty(&self) -> bool {
        *self == Facets::default()
    }
}

/// A structural property: `<Property Name="size" Type="Edm.Int64" Nullable="false"/>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Property {
    /// The name.
    pub name: String,
    /// The type; a collection for `Collection(...)`.
    pub type_ref: TypeRef,
    /// Whether the value (each item, for a collection) may be null.
    pub nullable: bool,
    /// `MaxLength`, `Precision`, `Scale`, `SRID`, `Unicode`.
    pub facets: Facets,
    /// `DefaultValue`, as written.
    pub default_value: Option<String>,
    /// Annotations on the property.
    pub annotations: Vec<Annotation>,
}

impl Property {
    /// A nullable property of that type with no facets.
    pub fn new(name: impl Into<String>, type_ref: impl Into<TypeRef>) -> Property {
        Property {
            name: name.into(),
            type_ref: type_ref.into(),
            nullable: true,
            facets: Facets::default(),
            default_value: None,
            annotations: Vec::new(),
        }
    }
}

/// `<ReferentialConstraint Property="airlineCode" ReferencedProperty="code"/>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferentialConstraint {
    /// The dependent property (on the type declaring the navigation).
    pub property: String,
    /// The principal property (on the target type).
    pub referenced_property: String,
}

/// A navigation property: `<NavigationProperty Name="files" Type="Collection(graph.file)"/>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NavigationProperty {
    /// The name.
    pub name: String,
    /// The target entity type, qualified as written.
    pub target: String,
    /// Collection-valued (`Collection(...)`).
    pub collection: bool,
    /// Whether a single-valued navigation may be null (always `false` for collections).
    pub nullable: bool,
    /// `Partner`: the navigation property back from the target.
    pub partner: Option<String>,
    /// `ContainsTarget`: the targets are contained in (owned by) this entity.
    pub contains_target: bool,
    /// `ReferentialConstraint`s.
    pub referential_constraints: Vec<ReferentialConstraint>,
    /// `OnDelete Action` (`Cascade`, `None`, `SetNull`, `SetDefault`).
    pub on_delete: Option<String>,
    /// Annotations on the navigation property.
    pub annotations: Vec<Annotation>,
}

impl NavigationProperty {
    /// A navigation to `target`, collection-valued or single (then nullable).
    pub fn new(name: impl Into<String>, target: impl Into<String>, collection: bool) -> Self {
        NavigationProperty {
            name: name.into(),
            target: target.into(),
            collection,
            nullable: !collection,
            partner: None,
            contains_target: false,
            referential_constraints: Vec::new(),
            on_delete: None,
            annotations: Vec::new(),
        }
    }
}

/// Entity or complex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `<EntityType>`: has identity (a key), may be in entity sets.
    Entity,
    /// `<ComplexType>`: a structured value without identity.
    Complex,
}

/// One key property: `<PropertyRef Name="address/city" Alias="city"/>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropertyRef {
    /// The property, or a path to a property of a complex property.
    pub name: String,
    /// The alias (required for paths).
    pub alias: Option<String>,
}

/// An entity type or a complex type; they share all but the key and `HasStream`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StructuredType {
    /// Entity or complex.
    pub kind: TypeKind,
    /// The name, unqualified.
    pub name: String,
    /// `BaseType`, qualified as written.
    pub base_type: Option<String>,
    /// `Abstract="true"`.
    pub is_abstract: bool,
    /// `OpenType="true"`: instances may carry undeclared (dynamic) properties.
    pub is_open: bool,
    /// `HasStream="true"` (media entities).
    pub has_stream: bool,
    /// The key (entity types); empty when inherited or for complex types.
    pub key: Vec<PropertyRef>,
    /// Declared structural properties (inherited ones are on the base type).
    pub properties: Vec<Property>,
    /// Declared navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Annotations on the type.
    pub annotations: Vec<Annotation>,
}

impl StructuredType {
    /// An empty type of that kind.
    pub fn new(kind: TypeKind, name: impl Into<String>) -> StructuredType {
        StructuredType {
            kind,
            name: name.into(),
            base_type: None,
            is_abstract: false,
            is_open: false,
            has_stream: false,
            key: Vec::new(),
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            annotations: Vec::new(),
        }
    }

    /// Whether this is an entity type.
    pub fn is_entity(&self) -> bool {
        self.kind == TypeKind::Entity
    }

    /// A property declared on this type itself (not inherited).
    pub fn declared_property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// A navigation property declared on this type itself (not inherited).
    pub fn declared_navigation(&self, name: &str) -> Option<&NavigationProperty> {
        self.navigation_properties.iter().find(|n| n.name == name)
    }
}

/// An enumeration member: `<Member Name="Female" Value="1"/>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnumMember {
    /// The name.
    pub name: String,
    /// The value; CSDL XML may leave it out, and the reader then numbers members from 0 in
    /// order (§10.2.2), so it is always known here.
    pub value: i64,
    /// Annotations on the member.
    pub annotations: Vec<Annotation>,
}

/// `<EnumType Name="PersonGender" UnderlyingType="Edm.Int32" IsFlags="false">`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnumType {
    /// The name, unqualified.
    pub name: String,
    /// `UnderlyingType` (`Edm.Byte`, `SByte`, `Int16`, `Int32` (default) or `Int64`).
    pub underlying_type: Edm,
    /// `IsFlags="true"`: values combine as bit flags (`'Read,Write'`).
    pub is_flags: bool,
    /// The members, in order.
    pub members: Vec<EnumMember>,
    /// Annotations on the type.
    pub annotations: Vec<Annotation>,
}

impl EnumType {
    /// An enumeration with no members over `Edm.Int32`.
    pub fn new(name: impl Into<String>) -> EnumType {
        EnumType {
            name: name.into(),
            underlying_type: Edm::Int32,
            is_flags: false,
            members: Vec::new(),
            annotations: Vec::new(),
        }
    }

    /// The member with that name.
    ///
    /// ```
    /// use odata_query::model::{EnumMember, EnumType};
    /// let mut gender = EnumType::new("PersonGender");
    /// gender.add_member("Male", 0);
    /// gender.add_member("Female", 1);
    /// assert_eq!(gender.member("Female").map(|m| m.value), Some(1));
    /// assert_eq!(gender.member_by_value(0).map(|m| m.name.as_str()), Some("Male"));
    /// ```
    pub fn member(&self, name: &str) -> Option<&EnumMember> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The first member with that value.
    pub fn member_by_value(&self, value: i64) -> Option<&EnumMember> {
        self.members.iter().find(|m| m.value == value)
    }

    /// Appends a member.
    pub fn add_member(&mut self, name: impl Into<String>, value: i64) -> &mut EnumType {
        self.members.push(EnumMember {
            name: name.into(),
            value,
            annotations: Vec::new(),
        });
        self
    }

    /// The value of an enumeration literal's member list: one name, or for flags a
    /// comma-separated list (`Read,Write`) whose values are or-ed. `None` if a name is not a
    /// member, or a list is given for a non-flags type.
    pub fn value_of(&self, names: &str) -> Option<i64> {
        let mut value = 0i64;
        let mut count = 0;
        for name in names.split(',') {
            value |= self.member(name.trim())?.value;
            count += 1;
        }
        (count == 1 || self.is_flags).then_some(value)
    }
}

/// `<TypeDefinition Name="Title" UnderlyingType="Edm.String" MaxLength="200"/>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TypeDefinition {
    /// The name, unqualified.
    pub name: String,
    /// The primitive it specialises.
    pub underlying_type: Edm,
    /// Facets fixed by the definition.
    pub facets: Facets,
    /// Annotations on the definition.
    pub annotations: Vec<Annotation>,
}

impl TypeDefinition {
    /// A definition over `underlying_type` with no facets.
    pub fn new(name: impl Into<String>, underlying_type: Edm) -> TypeDefinition {
        TypeDefinition {
            name: name.into(),
            underlying_type,
            facets: Facets::default(),
            annotations: Vec::new(),
        }
    }
}

/// Function or action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// `<Function>`: no side effects, may be used in `$filter` and composed.
    Function,
    /// `<Action>`: may have side effects.
    Action,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parameter {
    /// The name.
    pub name: String,
    /// The type.
    pub type_ref: TypeRef,
    /// Whether null may be passed.
    pub nullable: bool,
    /// Facets.
    pub facets: Facets,
    /// Annotations on the parameter.
    pub annotations: Vec<Annotation>,
}

impl Parameter {
    /// A nullable parameter of that type.
    pub fn new(name: impl Into<String>, type_ref: impl Into<TypeRef>) -> Parameter {
        Parameter {
            name: name.into(),
            type_ref: type_ref.into(),
            nullable: true,
            facets: Facets::default(),
            annotations: Vec::new(),
        }
    }
}

/// The return type of an operation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReturnType {
    /// The type.
    pub type_ref: TypeRef,
    /// Whether null may be returned.
    pub nullable: bool,
    /// Facets.
    pub facets: Facets,
}

impl ReturnType {
    /// A nullable return of that type.
    pub fn new(type_ref: impl Into<TypeRef>) -> ReturnType {
        ReturnType {
            type_ref: type_ref.into(),
            nullable: true,
            facets: Facets::default(),
        }
    }
}

/// A function or action (one overload).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Operation {
    /// Function or action.
    pub kind: OperationKind,
    /// The name, unqualified; overloads share it.
    pub name: String,
    /// `IsBound="true"`: the first parameter is the binding parameter.
    pub is_bound: bool,
    /// `IsComposable="true"` (functions).
    pub is_composable: bool,
    /// `EntitySetPath`.
    pub entity_set_path: Option<String>,
    /// The parameters, binding parameter first.
    pub parameters: Vec<Parameter>,
    /// The return type (required for functions).
    pub return_type: Option<ReturnType>,
    /// Annotations on the operation.
    pub annotations: Vec<Annotation>,
}

impl Operation {
    /// An unbound operation with no parameters and no return type.
    pub fn new(kind: OperationKind, name: impl Into<String>) -> Operation {
        Operation {
            kind,
            name: name.into(),
            is_bound: false,
            is_composable: false,
            entity_set_path: None,
            parameters: Vec::new(),
            return_type: None,
            annotations: Vec::new(),
        }
    }

    /// The binding parameter of a bound operation.
    pub fn binding_parameter(&self) -> Option<&Parameter> {
        self.parameters.first().filter(|_| self.is_bound)
    }
}
