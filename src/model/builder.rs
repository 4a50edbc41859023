//! [`ModelBuilder`]: a model written in Rust.
//!
//! Names without a dot (`"file"`) are qualified with the namespace being built, so types
//! can refer to each other briefly; qualified names (`"microsoft.graph.file"`,
//! `"Edm.Int64"`) are kept as given.

use super::annotation::Annotation;
use super::{
    Edm, EntityContainer, EntitySet, EnumType, Model, ModelError, NavigationProperty,
    NavigationPropertyBinding, Operation, Policy, Property, PropertyRef, Reference, Schema,
    Singleton, StructuredType, TypeDefinition, TypeKind, TypeName, TypeRef,
};

/// The namespace used until [`ModelBuilder::namespace`] names one.
const DEFAULT_NAMESPACE: &str = "Default";
/// The container name used until [`ModelBuilder::container`] names one.
const DEFAULT_CONTAINER: &str = "Container";

/// Builds a [`Model`] step by step; see [`Model::builder`] and the module example.
#[derive(Debug, Clone)]
pub struct ModelBuilder {
    model: Model,
    /// The schema being built (index into `model.schemas`).
    current: Option<usize>,
}

fn qualify(namespace: &str, name: &str) -> String {
    if name.contains('.') {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn qualify_type(namespace: &str, type_ref: TypeRef) -> TypeRef {
    match type_ref.name {
        TypeName::Named(name) => TypeRef {
            name: TypeName::Named(qualify(namespace, &name)),
            collection: type_ref.collection,
        },
        primitive => TypeRef {
            name: primitive,
            ..type_ref
        },
    }
}

impl ModelBuilder {
    pub(crate) fn new() -> ModelBuilder {
        ModelBuilder {
            model: Model::default(),
            current: None,
        }
    }

    fn schema(&mut self) -> &mut Schema {
        let index = match self.current {
            Some(index) => index,
            None => {
                self.model.schemas.push(Schema::new(DEFAULT_NAMESPACE));
                self.model.schemas.len() - 1
            }
        };
        self.current = Some(index);
        &mut self.model.schemas[index]
    }

    fn namespace_name(&mut self) -> String {
        self.schema().namespace.clone()
    }

    fn container_mut(&mut self) -> &mut EntityContainer {
        // The container lives in the first schema that asks for it.
        let existing = self
            .model
            .schemas
            .iter()
            .position(|s| s.container.is_some());
        let schema = match existing {
            Some(index) => &mut self.model.schemas[index],
            None => self.schema(),
        };
        schema
            .container
            .get_or_insert_with(|| EntityContainer::new(DEFAULT_CONTAINER))
    }

    /// Sets the CSDL version (default `4.01`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.model.version = version.into();
        self
    }

    /// Adds an `edmx:Reference`.
    pub fn reference(mut self, reference: Reference) -> Self {
        self.model.references.push(reference);
        self
    }

    /// Starts a schema with this namespace, or returns to it if it exists. Later types go
    /// into it.
    pub fn namespace(mut self, namespace: &str) -> Self {
        let index = match self
            .model
            .schemas
            .iter()
            .position(|s| s.namespace == namespace)
        {
            Some(index) => index,
            None => {
                self.model.schemas.push(Schema::new(namespace));
                self.model.schemas.len() - 1
            }
        };
        self.current = Some(index);
        self
    }

    /// Gives the current schema an alias.
    pub fn alias(mut self, alias: &str) -> Self {
        self.schema().alias = Some(alias.to_owned());
        self
    }

    fn structured(
        mut self,
        kind: TypeKind,
        name: &str,
        define: impl FnOnce(TypeBuilder) -> TypeBuilder,
    ) -> Self {
        let namespace = self.namespace_name();
        let builder = define(TypeBuilder {
            ty: StructuredType::new(kind, name),
            namespace,
        });
        let mut ty = builder.ty;
        for key in &ty.key {
            if let Some(property) = ty.properties.iter_mut().find(|p| p.name == key.name) {
                property.nullable = false;
            }
        }
        self.schema().types.push(ty);
        self
    }

    /// Adds an entity type, defined by the closure.
    pub fn entity_type(self, name: &str, define: impl FnOnce(TypeBuilder) -> TypeBuilder) -> Self {
        self.structured(TypeKind::Entity, name, define)
    }

    /// Adds a complex type, defined by the closure.
    pub fn complex_type(self, name: &str, define: impl FnOnce(TypeBuilder) -> TypeBuilder) -> Self {
        self.structured(TypeKind::Complex, name, define)
    }

    /// Adds an enumeration whose members are numbered from 0 in order.
    pub fn enum_type<'m>(mut self, name: &str, members: impl IntoIterator<Item = &'m str>) -> Self {
        let mut enum_type = EnumType::new(name);
        for (value, member) in (0i64..).zip(members) {
            enum_type.add_member(member, value);
        }
        self.schema().enum_types.push(enum_type);
        self
    }

    /// Adds an enumeration defined in full by the closure (flags, values, underlying type).
    pub fn enum_type_with(mut self, name: &str, define: impl FnOnce(&mut EnumType)) -> Self {
        let mut enum_type = EnumType::new(name);
        define(&mut enum_type);
        self.schema().enum_types.push(enum_type);
        self
    }

    /// Adds a type definition over a primitive.
    pub fn type_definition(mut self, name: &str, underlying_type: Edm) -> Self {
        self.schema()
            .type_definitions
            .push(TypeDefinition::new(name, underlying_type));
        self
    }

    /// Adds a function or action; unqualified type names in it are qualified.
    pub fn operation(mut self, mut operation: Operation) -> Self {
        let namespace = self.namespace_name();
        for parameter in &mut operation.parameters {
            parameter.type_ref = qualify_type(&namespace, parameter.type_ref.clone());
        }
        if let Some(returns) = &mut operation.return_type {
            returns.type_ref = qualify_type(&namespace, returns.type_ref.clone());
        }
        self.schema().operations.push(operation);
        self
    }

    /// Names the entity container (default `Container`).
    pub fn container(mut self, name: &str) -> Self {
        self.container_mut().name = name.to_owned();
        self
    }

    /// Adds an entity set of that entity type.
    pub fn entity_set(self, name: &str, entity_type: &str) -> Self {
        self.entity_set_with(name, entity_type, |_| {})
    }

    /// Adds an entity set and lets the closure set bindings, policy and annotations.
    pub fn entity_set_with(
        mut self,
        name: &str,
        entity_type: &str,
        define: impl FnOnce(&mut EntitySet),
    ) -> Self {
        let namespace = self.namespace_name();
        let mut set = EntitySet::new(name, qualify(&namespace, entity_type));
        define(&mut set);
        self.container_mut().entity_sets.push(set);
        self
    }

    /// Adds a singleton of that entity type.
    pub fn singleton(mut self, name: &str, entity_type: &str) -> Self {
        let namespace = self.namespace_name();
        let singleton = Singleton::new(name, qualify(&namespace, entity_type));
        self.container_mut().singletons.push(singleton);
        self
    }

    /// Binds a navigation path of an entity set or singleton to a target set.
    pub fn bind(mut self, source: &str, path: &str, target: &str) -> Self {
        let binding = NavigationPropertyBinding {
            path: path.to_owned(),
            target: target.to_owned(),
        };
        let container = self.container_mut();
        if let Some(set) = container.entity_sets.iter_mut().find(|s| s.name == source) {
            set.navigation_bindings.push(binding);
        } else if let Some(single) = container.singletons.iter_mut().find(|s| s.name == source) {
            single.navigation_bindings.push(binding);
        }
        self
    }

    /// Sets the policy of an entity set or singleton added before.
    pub fn policy(mut self, source: &str, policy: Policy) -> Self {
        let container = self.container_mut();
        if let Some(set) = container.entity_sets.iter_mut().find(|s| s.name == source) {
            set.policy = policy;
        } else if let Some(single) = container.singletons.iter_mut().find(|s| s.name == source) {
            single.policy = policy;
        }
        self
    }

    /// Sets the container-wide policy (defaults for every set).
    pub fn container_policy(mut self, policy: Policy) -> Self {
        self.container_mut().policy = policy;
        self
    }

    /// Checks the model ([`Model::check`]) and returns it.
    pub fn build(self) -> Result<Model, ModelError> {
        self.model.check()?;
        Ok(self.model)
    }

    /// Returns the model without checking it.
    pub fn build_unchecked(self) -> Model {
        self.model
    }
}

/// Defines one entity or complex type inside [`ModelBuilder::entity_type`] /
/// [`ModelBuilder::complex_type`].
#[derive(Debug, Clone)]
pub struct TypeBuilder {
    ty: StructuredType,
    namespace: String,
}

impl TypeBuilder {
    /// Adds a key property reference; the property becomes non-nullable.
    pub fn key(mut self, property: &str) -> Self {
        self.ty.key.push(PropertyRef {
            name: property.to_owned(),
            alias: None,
        });
        self
    }

    /// Adds a nullable structural property.
    pub fn property(self, name: &str, type_ref: impl Into<TypeRef>) -> Self {
        self.property_with(name, type_ref, |_| {})
    }

    /// Adds a non-nullable structural property.
    pub fn required(self, name: &str, type_ref: impl Into<TypeRef>) -> Self {
        self.property_with(name, type_ref, |p| p.nullable = false)
    }

    /// Adds a collection-valued property of that element type (items not nullable).
    pub fn collection(self, name: &str, element: impl Into<TypeRef>) -> Self {
        self.property_with(name, TypeRef::collection_of(element), |p| {
            p.nullable = false
        })
    }

    /// Adds a property and lets the closure set facets, nullability and annotations.
    pub fn property_with(
        mut self,
        name: &str,
        type_ref: impl Into<TypeRef>,
        define: impl FnOnce(&mut Property),
    ) -> Self {
        let mut property = Property::new(name, qualify_type(&self.namespace, type_ref.into()));
        define(&mut property);
        self.ty.properties.push(property);
        self
    }

    /// Adds a nullable single-valued navigation property to an entity type.
    pub fn navigation(self, name: &str, target: &str) -> Self {
        self.navigation_with(name, target, false, |_| {})
    }

    /// Adds a collection-valued navigation property.
    pub fn navigation_collection(self, name: &str, target: &str) -> Self {
        self.navigation_with(name, target, true, |_| {})
    }

    /// Adds a navigation property and lets the closure set partner, containment,
    /// constraints and annotations.
    pub fn navigation_with(
        mut self,
        name: &str,
        target: &str,
        collection: bool,
        define: impl FnOnce(&mut NavigationProperty),
    ) -> Self {
        let mut navigation =
            NavigationProperty::new(name, qualify(&self.namespace, target), collection);
        define(&mut navigation);
        self.ty.navigation_properties.push(navigation);
        self
    }

    /// Derives the type from a base type.
    pub fn base_type(mut self, base: &str) -> Self {
        self.ty.base_type = Some(qualify(&self.namespace, base));
        self
    }

    /// Makes the type abstract.
    pub fn abstract_type(mut self) -> Self {
        self.ty.is_abstract = true;
        self
    }

    /// Makes the type open (instances may carry dynamic properties).
    pub fn open(mut self) -> Self {
        self.ty.is_open = true;
        self
    }

    /// Marks an entity type as a media entity (`HasStream`).
    pub fn has_stream(mut self) -> Self {
        self.ty.has_stream = true;
        self
    }

    /// Adds an annotation to the type.
    pub fn annotation(mut self, annotation: Annotation) -> Self {
        self.ty.annotations.push(annotation);
        self
    }
}
