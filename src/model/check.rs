//! [`Model::check`]: that the names a model uses resolve and its types are consistent.
//! The readers do not call it (a document may lean on types from documents it references);
//! [`ModelBuilder::build`](super::ModelBuilder::build) does.

use std::collections::HashSet;

use super::{Model, ModelError, StructuredType, TypeKind, TypeName, TypeRef};

impl Model {
    /// Checks that:
    /// - every type a property, parameter, return type, base type, navigation property,
    ///   entity set or singleton names is declared in the model, or belongs to a namespace
    ///   included from a referenced document;
    /// - base types are of the same kind as the type, and inheritance has no cycle;
    /// - navigation targets and set types are entity types;
    /// - every non-abstract entity type has a key (its own or inherited) whose properties
    ///   exist;
    /// - names are unique within a schema, a type and a container;
    /// - navigation bindings name a set or singleton of the container.
    ///
    /// Returns the first problem found.
    ///
    /// ```
    /// # use odata_query::model::{Edm, Model};
    /// let error = Model::builder()
    ///     .namespace("microsoft.graph")
    ///     .entity_type("uploadSession", |t| t.key("id").property("id", Edm::String))
    ///     .entity_set("uploadSessions", "session")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(error.to_string().contains("microsoft.graph.session"));
    /// ```
    pub fn check(&self) -> Result<(), ModelError> {
        let total_types: usize = self.schemas.iter().map(|s| s.types.len()).sum();
        for schema in &self.schemas {
            let mut names = HashSet::new();
            let declared = schema
                .types
                .iter()
                .map(|t| &t.name)
                .chain(schema.enum_types.iter().map(|t| &t.name))
                .chain(schema.type_definitions.iter().map(|t| &t.name));
            for name in declared {
                if !names.insert(name.as_str()) {
                    return Err(ModelError::unresolved(format!(
                        "{} is declared twice",
                        schema.qualify(name)
                    )));
                }
            }
            for ty in &schema.types {
                let context = schema.qualify(&ty.name);
                self.check_type(ty, &context, total_types)?;
            }
            for operation in &schema.operations {
                let context = schema.qualify(&operation.name);
                for parameter in &operation.parameters {
                    self.check_type_ref(&parameter.type_ref, &context)?;
                }
                if let Some(returns) = &operation.return_type {
                    self.check_type_ref(&returns.type_ref, &context)?;
                }
            }
            if let Some(container) = &schema.container {
                let mut members = HashSet::new();
                let named = container
                    .entity_sets
                    .iter()
                    .map(|s| (&s.name, &s.entity_type, &s.navigation_bindings))
                    .chain(
                        container
                            .singletons
                            .iter()
                            .map(|s| (&s.name, &s.entity_type, &s.navigation_bindings)),
                    );
                for (name, entity_type, bindings) in named {
                    if !members.insert(name.as_str()) {
                        return Err(ModelError::unresolved(format!(
                            "{name} is declared twice in the container"
                        )));
                    }
                    if self.entity_type(entity_type).is_none() && !self.is_external(entity_type) {
                        return Err(ModelError::unresolved(format!(
                            "the entity type {entity_type} of {name} is not an entity type of the model"
                        )));
                    }
                    for binding in bindings {
                        let target = binding
                            .target
                            .rsplit_once('/')
                            .map_or(binding.target.as_str(), |(_, t)| t);
                        if container.entity_set(target).is_none()
                            && container.singleton(target).is_none()
                        {
                            return Err(ModelError::unresolved(format!(
                                "the binding {} of {name} targets {}, which is not in the container",
                                binding.path, binding.target
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether a qualified name belongs to a namespace included from a referenced document.
    fn is_external(&self, qualified: &str) -> bool {
        let Some((qualifier, _)) = qualified.rsplit_once('.') else {
            return false;
        };
        self.references
            .iter()
            .flat_map(|r| &r.includes)
            .any(|i| i.namespace == qualifier || i.alias.as_deref() == Some(qualifier))
    }

    fn check_type_ref(&self, type_ref: &TypeRef, context: &str) -> Result<(), ModelError> {
        match &type_ref.name {
            TypeName::Primitive(_) => Ok(()),
            TypeName::Named(name) => {
                if self.resolve_type(name).is_some() || self.is_external(name) {
                    Ok(())
                } else {
                    Err(ModelError::unresolved(format!(
                        "the type {name} used in {context} is not in the model"
                    )))
                }
            }
        }
    }

    fn check_type(
        &self,
        ty: &StructuredType,
        context: &str,
        total_types: usize,
    ) -> Result<(), ModelError> {
        let mut members = HashSet::new();
        let names = ty
            .properties
            .iter()
            .map(|p| &p.name)
            .chain(ty.navigation_properties.iter().map(|n| &n.name));
        for name in names {
            if !members.insert(name.as_str()) {
                return Err(ModelError::unresolved(format!(
                    "{context} declares {name} twice"
                )));
            }
        }
        for property in &ty.properties {
            self.check_type_ref(&property.type_ref, &format!("{context}/{}", property.name))?;
        }
        for navigation in &ty.navigation_properties {
            if self.entity_type(&navigation.target).is_none()
                && !self.is_external(&navigation.target)
            {
                return Err(ModelError::unresolved(format!(
                    "the target {} of {context}/{} is not an entity type of the model",
                    navigation.target, navigation.name
                )));
            }
        }
        if let Some(base) = &ty.base_type {
            match self.structured_type(base) {
                Some(base_type) if base_type.kind != ty.kind => {
                    return Err(ModelError::unresolved(format!(
                        "the base type {base} of {context} is of another kind"
                    )));
                }
                Some(_) => {}
                None if self.is_external(base) => {}
                None => {
                    return Err(ModelError::unresolved(format!(
                        "the base type {base} of {context} is not in the model"
                    )));
                }
            }
            if self.ancestors(ty).len() > total_types {
                return Err(ModelError::unresolved(format!(
                    "the base types of {context} form a cycle"
                )));
            }
        }
        if ty.kind == TypeKind::Entity {
            let chain = self.ancestors(ty);
            let inherited_external = chain
                .last()
                .and_then(|t| t.base_type.as_deref())
                .is_some_and(|base| self.is_external(base));
            match chain.iter().find(|t| !t.key.is_empty()) {
                None if !ty.is_abstract && !inherited_external => {
                    return Err(ModelError::unresolved(format!("{context} has no key")));
                }
                Some(declaring) => {
                    for key in &declaring.key {
                        if self.property_path(ty, &key.name).is_none() {
                            return Err(ModelError::unresolved(format!(
                                "the key property {} of {context} is not a property",
                                key.name
                            )));
                        }
                    }
                }
                None => {}
            }
        }
        Ok(())
    }
}
