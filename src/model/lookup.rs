//! Lookups over a [`Model`]: names to types, sets to types, inherited members, navigation
//! targets and bindings, keys, open and derived types, and effective policy.
//!
//! Lookups scan the schemas, except type names in a large schema, which go through an
//! index built on first use ([`TypeIndex`]); they allocate only to return lists (and the
//! index, once). Every walk up an inheritance chain is bounded by the number of types, so
//! a cyclic `BaseType` (which [`Model::check`] reports) cannot make a lookup loop.

use std::collections::HashMap;
use std::fmt::{self, Debug, Formatter};
use std::sync::OnceLock;

use super::{
    EntityContainer, EntitySet, EnumType, Model, NavigationProperty, Policy, Property, Schema,
    Singleton, StructuredType, TypeDefinition, TypeKind, TypeName,
};

/// A type declared in a schema, as [`Model::resolve_type`] finds it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SchemaType<'a> {
    /// An entity or complex type.
    Structured(&'a StructuredType),
    /// An enumeration.
    Enum(&'a EnumType),
    /// A type definition.
    Definition(&'a TypeDefinition),
}

impl Model {
    /// The schema with that namespace or alias.
    pub fn schema(&self, namespace_or_alias: &str) -> Option<&Schema> {
        self.schemas.iter().find(|schema| {
            schema.namespace == namespace_or_alias
                || schema.alias.as_deref() == Some(namespace_or_alias)
        })
    }

    /// Splits a qualified name at its last dot and resolves the qualifier to a schema
    /// (and its position).
    fn split<'n>(&self, qualified: &'n str) -> Option<(usize, &Schema, &'n str)> {
        let (qualifier, name) = qualified.rsplit_once('.')?;
        self.schemas
            .iter()
            .enumerate()
            .find(|(_, schema)| {
                schema.namespace == qualifier || schema.alias.as_deref() == Some(qualifier)
            })
            .map(|(at, schema)| (at, schema, name))
    }

    /// The namespace-qualified form of a namespace- or alias-qualified name
    /// (`graph.file` → `microsoft.graph.file`), when its qualifier is a schema of the model
    /// or an alias of an included namespace.
    pub fn canonical_name(&self, qualified: &str) -> Option<String> {
        let (qualifier, name) = qualified.rsplit_once('.')?;
        if let Some(schema) = self.schema(qualifier) {
            return Some(schema.qualify(name));
        }
        self.references
            .iter()
            .flat_map(|reference| &reference.includes)
            .find(|include| {
                include.namespace == qualifier || include.alias.as_deref() == Some(qualifier)
            })
            .map(|include| format!("{}.{name}", include.namespace))
    }

    /// Resolves a namespace- or alias-qualified type name.
    ///
    /// ```
    /// # use odata_query::model::{Edm, Model, SchemaType};
    /// let model = Model::builder()
    ///     .namespace("microsoft.graph")
    ///     .alias("graph")
    ///     .complex_type("stats", |t| t.property("filesUploaded", Edm::Int64))
    ///     .build()?;
    /// assert!(matches!(model.resolve_type("graph.stats"), Some(SchemaType::Structured(_))));
    /// assert!(model.resolve_type("microsoft.graph.stats").is_some());
    /// assert!(model.resolve_type("stats").is_none());
    /// # Ok::<(), odata_query::model::ModelError>(())
    /// ```
    pub fn resolve_type(&self, qualified: &str) -> Option<SchemaType<'_>> {
        let (at, schema, name) = self.split(qualified)?;
        self.resolve_in(at, schema, name)
    }

    /// The type `name` of `schema`, the schema at `at`.
    fn resolve_in<'m>(
        &'m self,
        at: usize,
        schema: &'m Schema,
        name: &str,
    ) -> Option<SchemaType<'m>> {
        if schema.types.len() + schema.enum_types.len() + schema.type_definitions.len()
            > TypeIndex::SMALL
        {
            if let Some(found) = self.type_index.find(self, at, schema, name) {
                return Some(found);
            }
        }
        if let Some(found) = schema.types.iter().find(|t| t.name == name) {
            return Some(SchemaType::Structured(found));
        }
        if let Some(found) = schema.enum_types.iter().find(|t| t.name == name) {
            return Some(SchemaType::Enum(found));
        }
        schema
            .type_definitions
            .iter()
            .find(|t| t.name == name)
            .map(SchemaType::Definition)
    }

    /// The entity or complex type with that qualified name.
    pub fn structured_type(&self, qualified: &str) -> Option<&StructuredType> {
        match self.resolve_type(qualified)? {
            SchemaType::Structured(found) => Some(found),
            _ => None,
        }
    }

    /// The entity type with that qualified name.
    pub fn entity_type(&self, qualified: &str) -> Option<&StructuredType> {
        self.structured_type(qualified)
            .filter(|t| t.kind == TypeKind::Entity)
    }

    /// The complex type with that qualified name.
    pub fn complex_type(&self, qualified: &str) -> Option<&StructuredType> {
        self.structured_type(qualified)
            .filter(|t| t.kind == TypeKind::Complex)
    }

    /// The enumeration type with that qualified name.
    pub fn enum_type(&self, qualified: &str) -> Option<&EnumType> {
        match self.resolve_type(qualified)? {
            SchemaType::Enum(found) => Some(found),
            _ => None,
        }
    }

    /// The structured type a [`TypeName`] names (`None` for primitives and unknown names).
    pub fn structured_type_of(&self, name: &TypeName) -> Option<&StructuredType> {
        match name {
            TypeName::Named(qualified) => self.structured_type(qualified),
            TypeName::Primitive(_) => None,
        }
    }

    /// Every entity and complex type with its namespace-qualified name.
    pub fn structured_types(&self) -> impl Iterator<Item = (String, &StructuredType)> {
        self.schemas
            .iter()
            .flat_map(|schema| schema.types.iter().map(|t| (schema.qualify(&t.name), t)))
    }

    /// The entity container (the first, if a model has several schemas with one).
    pub fn container(&self) -> Option<&EntityContainer> {
        self.schemas
            .iter()
            .find_map(|schema| schema.container.as_ref())
    }

    /// The entity set with that name, in the container.
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.container()?.entity_set(name)
    }

    /// The singleton with that name, in the container.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        self.container()?.singleton(name)
    }

    /// The entity type of an entity set (or singleton) by name.
    ///
    /// ```
    /// # use odata_query::model::{Edm, Model};
    /// let model = Model::builder()
    ///     .namespace("microsoft.graph")
    ///     .entity_type("uploadSession", |t| t.key("id").property("id", Edm::String))
    ///     .entity_set("uploadSessions", "uploadSession")
    ///     .build()?;
    /// assert_eq!(model.entity_set_type("uploadSessions").unwrap().name, "uploadSession");
    /// # Ok::<(), odata_query::model::ModelError>(())
    /// ```
    pub fn entity_set_type(&self, name: &str) -> Option<&StructuredType> {
        let container = self.container()?;
        let type_name = match container.entity_set(name) {
            Some(set) => &set.entity_type,
            None => &container.singleton(name)?.entity_type,
        };
        self.entity_type(type_name)
    }

    /// The type and its ancestors, the type first. Stops at a base type that does not
    /// resolve, and after as many steps as the model has types (a cycle).
    pub fn ancestors<'a>(&'a self, ty: &'a StructuredType) -> Vec<&'a StructuredType> {
        let bound = self.schemas.iter().map(|s| s.types.len()).sum::<usize>();
        let mut chain = vec![ty];
        let mut current = ty;
        while let Some(base) = current.base_type.as_deref() {
            if chain.len() > bound {
                break;
            }
            match self.structured_type(base) {
                Some(next) => {
                    chain.push(next);
                    current = next;
                }
                None => break,
            }
        }
        chain
    }

    /// The structural properties of a type including inherited ones, base type's first.
    pub fn properties<'a>(&'a self, ty: &'a StructuredType) -> Vec<&'a Property> {
        let mut chain = self.ancestors(ty);
        chain.reverse();
        chain.iter().flat_map(|t| &t.properties).collect()
    }

    /// A structural property by name, declared or inherited.
    pub fn property<'a>(&'a self, ty: &'a StructuredType, name: &str) -> Option<&'a Property> {
        self.ancestors(ty)
            .into_iter()
            .find_map(|t| t.declared_property(name))
    }

    /// The navigation properties of a type including inherited ones, base type's first.
    pub fn navigation_properties<'a>(
        &'a self,
        ty: &'a StructuredType,
    ) -> Vec<&'a NavigationProperty> {
        let mut chain = self.ancestors(ty);
        chain.reverse();
        chain
            .iter()
            .flat_map(|t| &t.navigation_properties)
            .collect()
    }

    /// A navigation property by name, declared or inherited.
    pub fn navigation_property<'a>(
        &'a self,
        ty: &'a StructuredType,
        name: &str,
    ) -> Option<&'a NavigationProperty> {
        self.ancestors(ty)
            .into_iter()
            .find_map(|t| t.declared_navigation(name))
    }

    /// The entity type a navigation property leads to.
    pub fn navigation_target(&self, navigation: &NavigationProperty) -> Option<&StructuredType> {
        self.entity_type(&navigation.target)
    }

    /// The entity set a navigation path of `set` is bound to
    /// (`<NavigationPropertyBinding Path="Friends" Target="People"/>`). A target of the form
    /// `Ns.Container/name` is looked up by its last segment.
    pub fn binding_target(&self, set: &EntitySet, path: &str) -> Option<&EntitySet> {
        let target = set.binding(path)?;
        let name = target.rsplit_once('/').map_or(target, |(_, name)| name);
        self.entity_set(name)
    }

    /// The key properties of an entity type, from the type or its nearest ancestor that
    /// declares a key. A key path into a complex property (`address/city`) resolves to the
    /// property at its end.
    pub fn key<'a>(&'a self, ty: &'a StructuredType) -> Vec<&'a Property> {
        let chain = self.ancestors(ty);
        let Some(declaring) = chain.iter().find(|t| !t.key.is_empty()) else {
            return Vec::new();
        };
        declaring
            .key
            .iter()
            .filter_map(|key| self.property_path(ty, &key.name))
            .collect()
    }

    /// A property reached by a `/`-separated path through complex properties.
    pub fn property_path<'a>(&'a self, ty: &'a StructuredType, path: &str) -> Option<&'a Property> {
        let mut segments = path.split('/');
        let mut property = self.property(ty, segments.next()?)?;
        for segment in segments {
            let complex = self.structured_type_of(&property.type_ref.name)?;
            property = self.property(complex, segment)?;
        }
        Some(property)
    }

    /// Whether instances may carry dynamic properties: the type or an ancestor is open.
    pub fn is_open(&self, ty: &StructuredType) -> bool {
        self.ancestors(ty).iter().any(|t| t.is_open)
    }

    /// Every type derived from the named type, directly or not, with its qualified name
    /// (for casts such as `People/Trippin.Employee`).
    pub fn derived_types(&self, qualified: &str) -> Vec<(String, &StructuredType)> {
        let mut found = Vec::new();
        // Names are made for the types that match only: in a schema of thousands of types,
        // qualifying every one cost more than the walks.
        self.visit_derived(qualified, |schema, ty| {
            found.push((schema.qualify(&ty.name), ty));
            true
        });
        found
    }

    /// Whether some type derives from the named type, directly or not: as
    /// `!derived_types(qualified).is_empty()`, without naming every derived type.
    pub fn has_derived_types(&self, qualified: &str) -> bool {
        let mut found = false;
        self.visit_derived(qualified, |_, _| {
            found = true;
            false
        });
        found
    }

    /// Calls `visit` with each type derived from the named type (and its schema), in
    /// declaration order, until it returns false. The type itself is never visited, even
    /// in an inheritance cycle.
    fn visit_derived<'m>(
        &'m self,
        qualified: &str,
        mut visit: impl FnMut(&'m Schema, &'m StructuredType) -> bool,
    ) {
        let Some(root) = self.canonical_name(qualified) else {
            return;
        };
        let Some((namespace, name)) = root.rsplit_once('.') else {
            return;
        };
        for schema in &self.schemas {
            for ty in &schema.types {
                let is_root = ty.name == name && schema.namespace == namespace;
                if !is_root && self.has_ancestor(ty, namespace, name) && !visit(schema, ty) {
                    return;
                }
            }
        }
    }

    /// Whether `derived` is `base` or derives from it (both qualified names).
    pub fn is_derived_from(&self, derived: &str, base: &str) -> bool {
        let (Some(derived_name), Some(base_name)) =
            (self.canonical_name(derived), self.canonical_name(base))
        else {
            return false;
        };
        if derived_name == base_name {
            return true;
        }
        let Some((namespace, name)) = base_name.rsplit_once('.') else {
            return false;
        };
        self.structured_type(&derived_name)
            .is_some_and(|ty| self.has_ancestor(ty, namespace, name))
    }

    /// Whether one of [`Model::ancestors`] of `ty` after itself is `namespace.name`: the
    /// same walk, comparing names as it goes instead of looking up each ancestor's
    /// qualified name (a search through every type of the model).
    fn has_ancestor(&self, ty: &StructuredType, namespace: &str, name: &str) -> bool {
        let bound = self.schemas.iter().map(|s| s.types.len()).sum::<usize>();
        let mut current = ty;
        let mut steps = 0;
        while let Some(base) = current.base_type.as_deref() {
            if steps >= bound {
                return false;
            }
            let Some((at, schema, simple)) = self.split(base) else {
                return false;
            };
            let Some(SchemaType::Structured(next)) = self.resolve_in(at, schema, simple) else {
                return false;
            };
            if next.name == name && schema.namespace == namespace {
                return true;
            }
            current = next;
            steps += 1;
        }
        false
    }

    /// The namespace-qualified name of a type that belongs to this model.
    pub fn qualified_name_of(&self, ty: &StructuredType) -> Option<String> {
        self.schemas.iter().find_map(|schema| {
            schema
                .types
                .iter()
                .any(|t| std::ptr::eq(t, ty))
                .then(|| schema.qualify(&ty.name))
        })
    }

    /// The effective query policy of an entity set or singleton: its own policy, with the
    /// container's filling in every term the set does not give. `None` if there is no such
    /// set or singleton.
    pub fn policy(&self, name: &str) -> Option<Policy> {
        let container = self.container()?;
        let own = match container.entity_set(name) {
            Some(set) => &set.policy,
            None => &container.singleton(name)?.policy,
        };
        Some(own.merged_over(&container.policy))
    }
}

/// Where the types of each schema are, by name: built on the first lookup in a large
/// schema, so that resolving a name is a hash lookup rather than a walk through every type
/// (Microsoft Graph's schema declares about two thousand).
///
/// [`Model`]'s fields are public and may change after the index was built, so a position
/// found here is used only when the type there still has the name; a name the index does
/// not know, or a position that no longer holds it, falls back to the walk. Names are
/// unique within a schema ([`Model::check`] reports a second declaration), so a position
/// that holds the name holds the type the walk would find.
#[derive(Default, Clone)]
pub(crate) struct TypeIndex(OnceLock<Vec<HashMap<String, Position>>>);

/// Where a named type is in its schema.
#[derive(Clone, Copy)]
enum Position {
    Structured(usize),
    Enum(usize),
    Definition(usize),
}

impl TypeIndex {
    /// Schemas with at most this many types are walked: a few comparisons cost less than
    /// hashing the name.
    const SMALL: usize = 16;

    /// The type `name` of the schema at `at`, when the index knows where it is.
    fn find<'m>(
        &self,
        model: &'m Model,
        at: usize,
        schema: &'m Schema,
        name: &str,
    ) -> Option<SchemaType<'m>> {
        let schemas = self.0.get_or_init(|| Self::build(model));
        match *schemas.get(at)?.get(name)? {
            Position::Structured(i) => schema
                .types
                .get(i)
                .filter(|t| t.name == name)
                .map(SchemaType::Structured),
            Position::Enum(i) => schema
                .enum_types
                .get(i)
                .filter(|t| t.name == name)
                .map(SchemaType::Enum),
            Position::Definition(i) => schema
                .type_definitions
                .get(i)
                .filter(|t| t.name == name)
                .map(SchemaType::Definition),
        }
    }

    /// Each schema's names, the first declaration of each in the order the walk looks:
    /// entity and complex types, then enumerations, then type definitions.
    fn build(model: &Model) -> Vec<HashMap<String, Position>> {
        model
            .schemas
            .iter()
            .map(|schema| {
                let mut names = HashMap::new();
                for (i, t) in schema.types.iter().enumerate() {
                    names
                        .entry(t.name.clone())
                        .or_insert(Position::Structured(i));
                }
                for (i, t) in schema.enum_types.iter().enumerate() {
                    names.entry(t.name.clone()).or_insert(Position::Enum(i));
                }
                for (i, t) in schema.type_definitions.iter().enumerate() {
                    names
                        .entry(t.name.clone())
                        .or_insert(Position::Definition(i));
                }
                names
            })
            .collect()
    }
}

/// Every index is equal: it says where things are, not what the model is.
impl PartialEq for TypeIndex {
    fn eq(&self, _: &TypeIndex) -> bool {
        true
    }
}

impl Debug for TypeIndex {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("TypeIndex")
    }
}
