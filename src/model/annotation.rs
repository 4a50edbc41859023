//! Annotations: a term, an optional qualifier and a value expression. The Capabilities
//! terms that describe query policy are read into [`Policy`](super::Policy); every other
//! annotation is kept here so that writing the model back loses as little as practical.

/// `<Annotation Term="Core.Description" String="..."/>`, `"@Core.Description": "..."`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Annotation {
    /// The term, namespace- or alias-qualified as written (`Org.OData.Core.V1.Description`,
    /// `Core.Description`).
    pub term: String,
    /// The qualifier (`#Mobile`), if any.
    pub qualifier: Option<String>,
    /// The value.
    pub value: AnnotationValue,
}

impl Annotation {
    /// An unqualified annotation.
    pub fn new(term: impl Into<String>, value: AnnotationValue) -> Annotation {
        Annotation {
            term: term.into(),
            qualifier: None,
            value,
        }
    }
}

/// Which typed constant a [`AnnotationValue::Typed`] is. CSDL XML names them; CSDL JSON
/// writes them all as strings, so they read back from JSON as [`AnnotationValue::String`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConstantKind {
    /// `Binary="T0RhdGE"` (base64url)
    Binary,
    /// `Date="2026-01-01"`
    Date,
    /// `DateTimeOffset="2026-01-01T00:00:00Z"`
    DateTimeOffset,
    /// `Duration="P1D"`
    Duration,
    /// `EnumMember="Core.Permission/Read Core.Permission/Write"`
    EnumMember,
    /// `Guid="..."`
    Guid,
    /// `TimeOfDay="08:00:00"`
    TimeOfDay,
}

impl ConstantKind {
    /// Every kind.
    pub const ALL: [ConstantKind; 7] = [
        ConstantKind::Binary,
        ConstantKind::Date,
        ConstantKind::DateTimeOffset,
        ConstantKind::Duration,
        ConstantKind::EnumMember,
        ConstantKind::Guid,
        ConstantKind::TimeOfDay,
    ];

    /// The CSDL XML attribute and element name.
    pub fn xml_name(self) -> &'static str {
        match self {
            ConstantKind::Binary => "Binary",
            ConstantKind::Date => "Date",
            ConstantKind::DateTimeOffset => "DateTimeOffset",
            ConstantKind::Duration => "Duration",
            ConstantKind::EnumMember => "EnumMember",
            ConstantKind::Guid => "Guid",
            ConstantKind::TimeOfDay => "TimeOfDay",
        }
    }
}

/// Which path expression a [`AnnotationValue::Path`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathKind {
    /// `Path="..."`, `{"$Path": "..."}`: a value path.
    Path,
    /// `PropertyPath`, `{"$PropertyPath": ...}`
    PropertyPath,
    /// `NavigationPropertyPath`
    NavigationPropertyPath,
    /// `AnnotationPath`
    AnnotationPath,
    /// `ModelElementPath`
    ModelElementPath,
}

impl PathKind {
    /// Every kind.
    pub const ALL: [PathKind; 5] = [
        PathKind::Path,
        PathKind::PropertyPath,
        PathKind::NavigationPropertyPath,
        PathKind::AnnotationPath,
        PathKind::ModelElementPath,
    ];

    /// The CSDL XML attribute and element name; the JSON member is this with a `$` before it.
    pub fn xml_name(self) -> &'static str {
        match self {
            PathKind::Path => "Path",
            PathKind::PropertyPath => "PropertyPath",
            PathKind::NavigationPropertyPath => "NavigationPropertyPath",
            PathKind::AnnotationPath => "AnnotationPath",
            PathKind::ModelElementPath => "ModelElementPath",
        }
    }
}

/// The format a [`AnnotationValue::Raw`] expression is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawFormat {
    /// An XML element, verbatim from the source.
    Xml,
    /// A JSON value, compact.
    Json,
}

/// An annotation's value expression.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AnnotationValue {
    /// `<Null/>`, `null`.
    Null,
    /// `Bool="true"`, `true`. An `<Annotation>` with no value reads as `Bool(true)`, the
    /// default of Tag terms.
    Bool(bool),
    /// `Int="5"`, `5`.
    Int(i64),
    /// `Decimal="1.5"`, `Float="1e-3"`, a JSON number with a fraction or exponent, as
    /// written (serde_json's text for JSON).
    Number(String),
    /// `String="..."`, `"..."`.
    String(String),
    /// A typed constant CSDL JSON writes as a string.
    Typed {
        /// Which constant.
        kind: ConstantKind,
        /// Its text.
        text: String,
    },
    /// A path expression.
    Path {
        /// Which path.
        kind: PathKind,
        /// The path.
        path: String,
    },
    /// `<Collection>`, a JSON array.
    Collection(Vec<AnnotationValue>),
    /// `<Record>`, a JSON object.
    Record(Record),
    /// A dynamic expression (`If`, `Apply`, `Eq`, `Cast`, `LabeledElement`, `UrlRef`, ...),
    /// kept verbatim in the format it was read from. It is written back unchanged in that
    /// format and left out when writing the other one.
    Raw {
        /// The format of `text`.
        format: RawFormat,
        /// The expression's source text.
        text: String,
    },
}

impl AnnotationValue {
    /// The boolean, for [`AnnotationValue::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AnnotationValue::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The integer, for [`AnnotationValue::Int`].
    pub fn as_int(&self) -> Option<i64> {
        match self {
            AnnotationValue::Int(value) => Some(*value),
            _ => None,
        }
    }

    /// The text of a string, typed constant or path.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            AnnotationValue::String(text)
            | AnnotationValue::Typed { text, .. }
            | AnnotationValue::Path { path: text, .. } => Some(text),
            _ => None,
        }
    }

    /// A property path value.
    pub fn property_path(path: impl Into<String>) -> AnnotationValue {
        AnnotationValue::Path {
            kind: PathKind::PropertyPath,
            path: path.into(),
        }
    }

    /// A navigation property path value.
    pub fn navigation_path(path: impl Into<String>) -> AnnotationValue {
        AnnotationValue::Path {
            kind: PathKind::NavigationPropertyPath,
            path: path.into(),
        }
    }
}

/// A record expression: an optional type and property values, in order.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Record {
    /// `Type="Capabilities.FilterRestrictionsType"`, `"@type"`.
    pub type_name: Option<String>,
    /// `<PropertyValue Property="Filterable" Bool="false"/>`, `"Filterable": false`.
    pub properties: Vec<(String, AnnotationValue)>,
}

impl Record {
    /// The value of a property.
    pub fn get(&self, name: &str) -> Option<&AnnotationValue> {
        self.properties
            .iter()
            .find(|(property, _)| property == name)
            .map(|(_, value)| value)
    }
}

/// Out-of-line annotations: `<Annotations Target="microsoft.graph.Container/uploadSessions">`.
/// A group qualifier in CSDL XML is moved onto each annotation that has none (CSDL JSON
/// has only per-annotation qualifiers).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AnnotationGroup {
    /// The target path, as written.
    pub target: String,
    /// The annotations.
    pub annotations: Vec<Annotation>,
}

impl AnnotationGroup {
    /// A group of annotations for `target`.
    pub fn new(target: impl Into<String>, annotations: Vec<Annotation>) -> AnnotationGroup {
        AnnotationGroup {
            target: target.into(),
            annotations,
        }
    }
}
