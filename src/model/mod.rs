//! The data model: what a service's entities look like, read from CSDL (`$metadata`),
//! built in Rust, or inferred from a JSON sample, and written back as CSDL.
//!
//! A [`Model`] is plain data: [`Schema`]s holding [`StructuredType`]s (entity and complex
//! types), [`EnumType`]s, [`TypeDefinition`]s, [`Operation`]s and an [`EntityContainer`]
//! with [`EntitySet`]s and [`Singleton`]s. Annotations are kept ([`Annotation`]); the
//! Capabilities annotations that restrict queries are read into a typed [`Policy`] on each
//! entity set, singleton and container. Lookups (resolve a type name, a set's entity type,
//! inherited properties, navigation targets, derived types) are methods on [`Model`].
//!
//! Four ways in, two ways out:
//!
//! | | read | write |
//! |---|---|---|
//! | CSDL JSON | [`Model::from_csdl_json`] | [`Model::to_csdl_json`] |
//! | CSDL XML (feature `csdl`) | `Model::from_csdl_xml` | `Model::to_csdl_xml` |
//! | Rust | [`Model::builder`] | |
//! | JSON sample | [`Model::infer`] | |
//!
//! ```
//! use odata_query::model::{Edm, Model};
//!
//! let model = Model::builder()
//!     .namespace("microsoft.graph")
//!     .entity_type("uploadSession", |t| {
//!         t.key("id")
//!             .property("id", Edm::String)
//!             .property("createdDateTime", Edm::DateTimeOffset)
//!             .navigation_collection("files", "file")
//!     })
//!     .entity_type("file", |t| {
//!         t.key("id")
//!             .property("id", Edm::String)
//!             .property("size", Edm::Int64)
//!     })
//!     .entity_set("uploadSessions", "uploadSession")
//!     .build()?;
//!
//! let session = model.entity_set_type("uploadSessions").unwrap();
//! let files = model.navigation_property(session, "files").unwrap();
//! let file = model.navigation_target(files).unwrap();
//! assert_eq!(model.property(file, "size").unwrap().type_ref, Edm::Int64.into());
//!
//! // CSDL JSON out and back in gives the same model.
//! let text = model.to_csdl_json();
//! assert_eq!(Model::from_csdl_json(&text)?, model);
//! # Ok::<(), odata_query::model::ModelError>(())
//! ```

mod annotation;
mod builder;
mod check;
mod csdl_json;
#[cfg(feature = "csdl")]
mod csdl_xml;
mod error;
mod infer;
mod json_tree;
mod lookup;
mod policy;
mod types;

pub use annotation::{
    Annotation, AnnotationGroup, AnnotationValue, ConstantKind, PathKind, RawFormat, Record,
};
pub use builder::{ModelBuilder, TypeBuilder};
pub use error::{Location, ModelError, ModelLimit, Position, ReadOptions, Source};
pub use infer::InferOptions;
pub use lookup::SchemaType;
pub use policy::{
    CountRestrictions, ExpandRestrictions, FilterRestrictions, Policy, SearchRestrictions,
    SelectSupport, SortRestrictions, POLICY_NAMESPACE,
};
pub use types::{
    Edm, EnumMember, EnumType, Facets, MaxLength, NavigationProperty, Operation, OperationKind,
    Parameter, Property, PropertyRef, ReferentialConstraint, ReturnType, Scale, Srid,
    StructuredType, TypeDefinition, TypeKind, TypeName, TypeRef,
};

/// Whether `name` is a CSDL simple identifier: a letter or `_`, then letters, digits and
/// `_`, at most 128 characters. Names that are not (`a b`, `x/y`, `t)`) would break the
/// paths and qualified names they appear in, so the readers reject them.
pub(crate) fn is_simple_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= 128
}

/// Whether `namespace` is dot-separated simple identifiers (`microsoft.graph`).
pub(crate) fn is_namespace(namespace: &str) -> bool {
    namespace.split('.').all(is_simple_identifier)
}

/// A whole service description: the documents it references and its schemas.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Model {
    /// The CSDL version (`4.0`, `4.01`).
    pub version: String,
    /// `<edmx:Reference>`s: other documents (vocabularies, shared schemas) and the
    /// namespaces and aliases included from them.
    pub references: Vec<Reference>,
    /// The schemas, in document order.
    pub schemas: Vec<Schema>,
    /// Where each schema's types are, for name lookups in large schemas.
    pub(crate) type_index: lookup::TypeIndex,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            version: "4.01".to_owned(),
            references: Vec::new(),
            schemas: Vec::new(),
            type_index: lookup::TypeIndex::default(),
        }
    }
}

/// `<edmx:Reference Uri="...">`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reference {
    /// The referenced document.
    pub uri: String,
    /// `<edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>`.
    pub includes: Vec<Include>,
    /// `<edmx:IncludeAnnotations TermNamespace="..."/>`.
    pub include_annotations: Vec<IncludeAnnotations>,
}

impl Reference {
    /// A reference with no includes.
    pub fn new(uri: impl Into<String>) -> Reference {
        Reference {
            uri: uri.into(),
            includes: Vec::new(),
            include_annotations: Vec::new(),
        }
    }

    /// Adds an include of `namespace`, optionally under an alias.
    pub fn include(mut self, namespace: impl Into<String>, alias: Option<&str>) -> Reference {
        self.includes.push(Include {
            namespace: namespace.into(),
            alias: alias.map(str::to_owned),
        });
        self
    }
}

/// A namespace included from a referenced document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The namespace.
    pub namespace: String,
    /// Its alias in this document.
    pub alias: Option<String>,
}

/// Annotations included from a referenced document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeAnnotations {
    /// `TermNamespace`.
    pub term_namespace: String,
    /// `Qualifier`.
    pub qualifier: Option<String>,
    /// `TargetNamespace`.
    pub target_namespace: Option<String>,
}

/// `<Schema Namespace="microsoft.graph" Alias="graph">`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Schema {
    /// The namespace.
    pub namespace: String,
    /// The alias, usable instead of the namespace in qualified names.
    pub alias: Option<String>,
    /// Entity and complex types, in document order.
    pub types: Vec<StructuredType>,
    /// Enumeration types.
    pub enum_types: Vec<EnumType>,
    /// Type definitions.
    pub type_definitions: Vec<TypeDefinition>,
    /// Functions and actions; overloads are separate entries with the same name.
    pub operations: Vec<Operation>,
    /// The entity container, in the schema that declares it.
    pub container: Option<EntityContainer>,
    /// Annotations on the schema itself.
    pub annotations: Vec<Annotation>,
    /// Out-of-line `<Annotations Target="...">` groups (those targeting entity sets,
    /// singletons or the container with Capabilities terms are read into their [`Policy`]).
    pub annotation_groups: Vec<AnnotationGroup>,
}

impl Schema {
    /// An empty schema.
    pub fn new(namespace: impl Into<String>) -> Schema {
        Schema {
            namespace: namespace.into(),
            alias: None,
            types: Vec::new(),
            enum_types: Vec::new(),
            type_definitions: Vec::new(),
            operations: Vec::new(),
            container: None,
            annotations: Vec::new(),
            annotation_groups: Vec::new(),
        }
    }

    /// `namespace.name`.
    pub fn qualify(&self, name: &str) -> String {
        format!("{}.{name}", self.namespace)
    }

    /// The entity types.
    pub fn entity_types(&self) -> impl Iterator<Item = &StructuredType> {
        self.types.iter().filter(|t| t.kind == TypeKind::Entity)
    }

    /// The complex types.
    pub fn complex_types(&self) -> impl Iterator<Item = &StructuredType> {
        self.types.iter().filter(|t| t.kind == TypeKind::Complex)
    }
}

/// `<EntityContainer Name="Container">`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EntityContainer {
    /// The name, unqualified.
    pub name: String,
    /// `Extends`: a container whose members this one includes.
    pub extends: Option<String>,
    /// Entity sets.
    pub entity_sets: Vec<EntitySet>,
    /// Singletons.
    pub singletons: Vec<Singleton>,
    /// Function and action imports.
    pub operation_imports: Vec<OperationImport>,
    /// Annotations on the container (other than policy).
    pub annotations: Vec<Annotation>,
    /// Query policy for every set and singleton of the container; a set's own policy
    /// takes precedence term by term ([`Model::policy`]).
    pub policy: Policy,
}

impl EntityContainer {
    /// An empty container.
    pub fn new(name: impl Into<String>) -> EntityContainer {
        EntityContainer {
            name: name.into(),
            extends: None,
            entity_sets: Vec::new(),
            singletons: Vec::new(),
            operation_imports: Vec::new(),
            annotations: Vec::new(),
            policy: Policy::default(),
        }
    }

    /// The entity set with that name.
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets.iter().find(|set| set.name == name)
    }

    /// The singleton with that name.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        self.singletons.iter().find(|single| single.name == name)
    }

    /// A name given to two entity sets or singletons (they share one namespace, and
    /// annotations target them by name); the readers reject such containers.
    pub(crate) fn duplicate_member(&self) -> Option<&str> {
        let mut names: Vec<&str> = self
            .entity_sets
            .iter()
            .map(|s| s.name.as_str())
            .chain(self.singletons.iter().map(|s| s.name.as_str()))
            .collect();
        names.sort_unstable();
        names
            .windows(2)
            .find(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
    }
}

/// `<NavigationPropertyBinding Path="files" Target="files"/>`: where the entities reached
/// through a navigation property live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationPropertyBinding {
    /// The navigation path from the set's type (`Friends`, `graph.Employee/Manager`).
    pub path: String,
    /// The target set or singleton: a simple name in the same container, or
    /// `Ns.Container/name`.
    pub target: String,
}

/// `<EntitySet Name="uploadSessions" EntityType="microsoft.graph.uploadSession">`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EntitySet {
    /// The name.
    pub name: String,
    /// The entity type, qualified as written.
    pub entity_type: String,
    /// `IncludeInServiceDocument` (default true).
    pub include_in_service_document: bool,
    /// Navigation property bindings.
    pub navigation_bindings: Vec<NavigationPropertyBinding>,
    /// Annotations (other than policy).
    pub annotations: Vec<Annotation>,
    /// Query policy (Capabilities annotations).
    pub policy: Policy,
}

impl EntitySet {
    /// A set of that entity type.
    pub fn new(name: impl Into<String>, entity_type: impl Into<String>) -> EntitySet {
        EntitySet {
            name: name.into(),
            entity_type: entity_type.into(),
            include_in_service_document: true,
            navigation_bindings: Vec::new(),
            annotations: Vec::new(),
            policy: Policy::default(),
        }
    }

    /// The binding target of a navigation path, as written.
    pub fn binding(&self, path: &str) -> Option<&str> {
        self.navigation_bindings
            .iter()
            .find(|binding| binding.path == path)
            .map(|binding| binding.target.as_str())
    }
}

/// `<Singleton Name="Me" Type="Trippin.Person">`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Singleton {
    /// The name.
    pub name: String,
    /// The entity type, qualified as written.
    pub entity_type: String,
    /// `Nullable` (4.01; default false).
    pub nullable: bool,
    /// Navigation property bindings.
    pub navigation_bindings: Vec<NavigationPropertyBinding>,
    /// Annotations (other than policy).
    pub annotations: Vec<Annotation>,
    /// Query policy (Capabilities annotations).
    pub policy: Policy,
}

impl Singleton {
    /// A non-nullable singleton of that entity type.
    pub fn new(name: impl Into<String>, entity_type: impl Into<String>) -> Singleton {
        Singleton {
            name: name.into(),
            entity_type: entity_type.into(),
            nullable: false,
            navigation_bindings: Vec::new(),
            annotations: Vec::new(),
            policy: Policy::default(),
        }
    }
}

/// `<FunctionImport Name="GetNearestAirport" Function="Trippin.GetNearestAirport"/>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OperationImport {
    /// Function or action import.
    pub kind: OperationKind,
    /// The name in the container.
    pub name: String,
    /// The imported operation, qualified.
    pub operation: String,
    /// `EntitySet`: the set the results belong to.
    pub entity_set: Option<String>,
    /// `IncludeInServiceDocument` (function imports; default false).
    pub include_in_service_document: bool,
    /// Annotations on the import.
    pub annotations: Vec<Annotation>,
}

impl OperationImport {
    /// An import of `operation` under `name`.
    pub fn new(kind: OperationKind, name: impl Into<String>, operation: impl Into<String>) -> Self {
        OperationImport {
            kind,
            name: name.into(),
            operation: operation.into(),
            entity_set: None,
            include_in_service_document: false,
            annotations: Vec::new(),
        }
    }
}

impl Model {
    /// A namespace or alias given to two schemas (qualified names would be ambiguous); the
    /// readers reject such documents.
    pub(crate) fn duplicate_schema_name(&self) -> Option<&str> {
        let mut names: Vec<&str> = self
            .schemas
            .iter()
            .flat_map(|s| std::iter::once(s.namespace.as_str()).chain(s.alias.as_deref()))
            .collect();
        names.sort_unstable();
        names
            .windows(2)
            .find(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
    }

    /// Starts a [`ModelBuilder`].
    pub fn builder() -> ModelBuilder {
        ModelBuilder::new()
    }

    /// Reads a CSDL JSON document with default [`ReadOptions`].
    ///
    /// A document that is not JSON is a [`ModelError::Syntax`] with its line, column and
    /// byte offset; JSON that is not CSDL is a [`ModelError::Invalid`] naming the member.
    /// Members the reader does not know (and `@`-annotations it cannot read) are skipped.
    pub fn from_csdl_json(text: &str) -> Result<Model, ModelError> {
        Model::from_csdl_json_bytes(text.as_bytes(), &ReadOptions::default())
    }

    /// Reads a CSDL JSON document from bytes (UTF-8, an optional byte-order mark).
    pub fn from_csdl_json_bytes(input: &[u8], options: &ReadOptions) -> Result<Model, ModelError> {
        csdl_json::read(input, options)
    }

    /// Writes the model as a CSDL JSON document (pretty-printed, members in model order).
    pub fn to_csdl_json(&self) -> String {
        csdl_json::write(self)
    }

    /// Reads a CSDL XML document (`$metadata`) with default [`ReadOptions`].
    ///
    /// A document that is not well-formed XML is a [`ModelError::Syntax`] with its line,
    /// column and byte offset; well-formed XML that is not CSDL is a
    /// [`ModelError::Invalid`] at the element. Unknown elements and attributes (vocabulary
    /// extensions such as `sap:label`) are skipped. Elements are matched by local name.
    #[cfg(feature = "csdl")]
    pub fn from_csdl_xml(text: &str) -> Result<Model, ModelError> {
        Model::from_csdl_xml_bytes(text.as_bytes(), &ReadOptions::default())
    }

    /// Reads a CSDL XML document from bytes (UTF-8, an optional byte-order mark).
    #[cfg(feature = "csdl")]
    pub fn from_csdl_xml_bytes(input: &[u8], options: &ReadOptions) -> Result<Model, ModelError> {
        csdl_xml::read(input, options)
    }

    /// Writes the model as a CSDL XML document, indented, as served at `$metadata`.
    #[cfg(feature = "csdl")]
    pub fn to_csdl_xml(&self) -> String {
        csdl_xml::write(self)
    }

    /// Infers a model from a JSON sample with default [`InferOptions`]; see
    /// [`Model::infer_with`] for the rules.
    pub fn infer(sample: &serde_json::Value, entity_set: &str) -> Result<Model, ModelError> {
        Model::infer_with(sample, entity_set, &InferOptions::default())
    }

    /// Infers a model from a JSON sample: a JSON array of records, an OData response
    /// `{"value": [...]}`, or a single record. The rules are documented on
    /// [`InferOptions`].
    pub fn infer_with(
        sample: &serde_json::Value,
        entity_set: &str,
        options: &InferOptions,
    ) -> Result<Model, ModelError> {
        infer::infer(sample, entity_set, options)
    }
}
