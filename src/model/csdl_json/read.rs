//! CSDL JSON reader: the order-preserving tree to a [`Model`]; errors
//! name the member path.

use crate::model::annotation::{
    Annotation, AnnotationGroup, AnnotationValue, PathKind, RawFormat, Record,
};
use crate::model::error::{Location, ModelError, ReadOptions, Source};
use crate::model::json_tree::{self, Json};
use crate::model::{is_namespace, is_simple_identifier};
use crate::model::{
    Edm, EntityContainer, EntitySet, EnumMember, EnumType, Facets, Include, IncludeAnnotations,
    MaxLength, Model, NavigationProperty, NavigationPropertyBinding, Operation, OperationImport,
    OperationKind, Parameter, Property, PropertyRef, Reference, ReferentialConstraint, ReturnType,
    Scale, Schema, Singleton, Srid, StructuredType, TypeDefinition, TypeKind, TypeName, TypeRef,
};

/// A member path, for error locations: each level points at its parent.
#[derive(Clone, Copy)]
struct At<'a> {
    parent: Option<&'a At<'a>>,
    name: &'a str,
}

impl<'a> At<'a> {
    fn child(&'a self, name: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            name,
        }
    }

    fn error(&self, message: impl Into<String>) -> ModelError {
        let mut names = vec![self.name];
        let mut current = self.parent;
        while let Some(at) = current {
            names.push(at.name);
            current = at.parent;
        }
        names.pop(); // the root's empty name
        names.reverse();
        ModelError::invalid(
            Source::CsdlJson,
            Location::Path(format!("/{}", names.join("/")).into_boxed_str()),
            message,
        )
    }
}

type Members = [(String, Json)];

fn members<'j>(value: &'j Json, at: &At<'_>) -> Result<&'j Members, ModelError> {
    match value {
        Json::Object(members) => Ok(members),
        _ => Err(at.error("expected an object")),
    }
}

fn string(value: Option<&Json>, at: &At<'_>, name: &str) -> Result<Option<String>, ModelError> {
    match value {
        None => Ok(None),
        Some(Json::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(at.child(name).error("expected a string")),
    }
}

fn required_string(object: &Json, at: &At<'_>, name: &str) -> Result<String, ModelError> {
    string(object.get(name), at, name)?.ok_or_else(|| at.error(format!("missing {name}")))
}

fn boolean(object: &Json, at: &At<'_>, name: &str, default: bool) -> Result<bool, ModelError> {
    match object.get(name) {
        None => Ok(default),
        Some(value) => value
            .as_bool()
            .ok_or_else(|| at.child(name).error("expected true or false")),
    }
}

fn type_name(text: &str, at: &At<'_>) -> Result<TypeName, ModelError> {
    if text.is_empty() {
        return Err(at.error("empty type name"));
    }
    Ok(TypeName::parse(text))
}

/// `$Type` (default `Edm.String`) and `$Collection`.
fn type_ref(object: &Json, at: &At<'_>) -> Result<TypeRef, ModelError> {
    let name = string(object.get("$Type"), at, "$Type")?.unwrap_or_else(|| "Edm.String".into());
    Ok(TypeRef {
        name: type_name(&name, &at.child("$Type"))?,
        collection: boolean(object, at, "$Collection", false)?,
    })
}

fn facets(object: &Json, at: &At<'_>) -> Result<Facets, ModelError> {
    let mut facets = Facets::default();
    if let Some(value) = object.get("$MaxLength") {
        facets.max_length = Some(match value {
            Json::String(text) if text == "max" => MaxLength::Max,
            _ => MaxLength::Length(value.as_u64().ok_or_else(|| {
                at.child("$MaxLength")
                    .error("expected a non-negative integer")
            })?),
        });
    }
    if let Some(value) = object.get("$Precision") {
        facets.precision = Some(
            value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    at.child("$Precision")
                        .error("expected a non-negative integer")
                })?,
        );
    }
    if let Some(value) = object.get("$Scale") {
        facets.scale = Some(match value {
            Json::String(text) if text == "variable" => Scale::Variable,
            Json::String(text) if text == "floating" => Scale::Floating,
            _ => Scale::Digits(
                value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        at.child("$Scale")
                            .error("expected an integer, \"variable\" or \"floating\"")
                    })?,
            ),
        });
    }
    if let Some(value) = object.get("$SRID") {
        facets.srid = Some(match value {
            Json::String(text) if text == "variable" => Srid::Variable,
            _ => Srid::Id(
                value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        at.child("$SRID")
                            .error("expected an integer or \"variable\"")
                    })?,
            ),
        });
    }
    if object.get("$Unicode").is_some() {
        facets.unicode = Some(boolean(object, at, "$Unicode", true)?);
    }
    Ok(facets)
}

/// An annotation member name `@Term#Qualifier`; `None` for annotations of annotations
/// (`@A@B`) and names that are not annotations.
fn annotation_name(name: &str) -> Option<(String, Option<String>)> {
    let rest = name.strip_prefix('@')?;
    if rest.is_empty() || rest.contains('@') {
        return None;
    }
    Some(match rest.split_once('#') {
        Some((term, qualifier)) => (term.to_owned(), Some(qualifier.to_owned())),
        None => (rest.to_owned(), None),
    })
}

fn annotation_value(value: &Json) -> AnnotationValue {
    match value {
        Json::Null => AnnotationValue::Null,
        Json::Bool(b) => AnnotationValue::Bool(*b),
        Json::Number(number) => match number.as_i64() {
            Some(n) => AnnotationValue::Int(n),
            None => AnnotationValue::Number(number.to_string()),
        },
        Json::String(text) => AnnotationValue::String(text.clone()),
        Json::Array(items) => {
            AnnotationValue::Collection(items.iter().map(annotation_value).collect())
        }
        Json::Raw(text) => AnnotationValue::Raw {
            format: RawFormat::Json,
            text: text.clone(),
        },
        Json::Object(members) => {
            if members.iter().any(|(name, _)| name.starts_with('$')) {
                if let [(name, Json::String(path))] = members.as_slice() {
                    let kind = PathKind::ALL
                        .into_iter()
                        .find(|kind| name.strip_prefix('$') == Some(kind.xml_name()));
                    if let Some(kind) = kind {
                        return AnnotationValue::Path {
                            kind,
                            path: path.clone(),
                        };
                    }
                }
                return AnnotationValue::Raw {
                    format: RawFormat::Json,
                    text: value.to_string(),
                };
            }
            let mut record = Record::default();
            for (name, member) in members {
                if name == "@type" {
                    if let Json::String(text) = member {
                        let name = text.split_once('#').map_or(text.as_str(), |(_, n)| n);
                        record.type_name = Some(name.to_owned());
                    }
                } else if !name.contains('@') {
                    record
                        .properties
                        .push((name.clone(), annotation_value(member)));
                }
            }
            AnnotationValue::Record(record)
        }
    }
}

/// The `@Term` members of an object.
fn annotations(members: &Members) -> Vec<Annotation> {
    members
        .iter()
        .filter_map(|(name, value)| {
            let (term, qualifier) = annotation_name(name)?;
            Some(Annotation {
                term,
                qualifier,
                value: annotation_value(value),
            })
        })
        .collect()
}

/// Checks that a declared name is a simple identifier.
fn simple_identifier(name: &str, at: &At<'_>) -> Result<(), ModelError> {
    if is_simple_identifier(name) {
        Ok(())
    } else {
        Err(at.error(format!("{name:?} is not a simple identifier")))
    }
}

/// Names of schema, type and container children: not `$` keywords, not annotations.
fn is_child(name: &str) -> bool {
    !name.starts_with('$') && !name.contains('@')
}

pub(crate) fn read(input: &[u8], options: &ReadOptions) -> Result<Model, ModelError> {
    let root_json = json_tree::parse(input, options)?;
    let root = At {
        parent: None,
        name: "",
    };
    let document = members(&root_json, &root)?;
    let mut model = Model {
        version: required_string(&root_json, &root, "$Version")?,
        ..Model::default()
    };
    if let Some(references) = root_json.get("$Reference") {
        let at = root.child("$Reference");
        for (uri, value) in members(references, &at)? {
            model
                .references
                .push(read_reference(uri, value, &at.child(uri))?);
        }
    }
    for (namespace, value) in document {
        if is_child(namespace) && matches!(value, Json::Object(_)) {
            if !is_namespace(namespace) {
                return Err(root.child(namespace).error("not a namespace"));
            }
            let at = root.child(namespace);
            model.schemas.push(read_schema(namespace, value, &at)?);
            if let Some(name) = model.duplicate_schema_name() {
                return Err(at.error(format!("the namespace or alias {name} is declared twice")));
            }
        }
    }
    crate::model::policy::extract_policies(&mut model);
    Ok(model)
}

fn read_reference(uri: &str, value: &Json, at: &At<'_>) -> Result<Reference, ModelError> {
    let mut reference = Reference::new(uri);
    let list = |name: &str| -> Result<Vec<&Json>, ModelError> {
        match value.get(name) {
            None => Ok(Vec::new()),
            Some(Json::Array(items)) => Ok(items.iter().collect()),
            Some(_) => Err(at.child(name).error("expected an array")),
        }
    };
    for include in list("$Include")? {
        let at = at.child("$Include");
        reference.includes.push(Include {
            namespace: required_string(include, &at, "$Namespace")?,
            alias: string(include.get("$Alias"), &at, "$Alias")?,
        });
    }
    for include in list("$IncludeAnnotations")? {
        let at = at.child("$IncludeAnnotations");
        reference.include_annotations.push(IncludeAnnotations {
            term_namespace: required_string(include, &at, "$TermNamespace")?,
            qualifier: string(include.get("$Qualifier"), &at, "$Qualifier")?,
            target_namespace: string(include.get("$TargetNamespace"), &at, "$TargetNamespace")?,
        });
    }
    Ok(reference)
}

fn read_schema(namespace: &str, value: &Json, at: &At<'_>) -> Result<Schema, ModelError> {
    let object = members(value, at)?;
    let mut schema = Schema::new(namespace);
    schema.alias = string(value.get("$Alias"), at, "$Alias")?;
    if let Some(alias) = &schema.alias {
        simple_identifier(alias, &at.child("$Alias"))?;
    }
    schema.annotations = annotations(object);
    if let Some(groups) = value.get("$Annotations") {
        let at = at.child("$Annotations");
        for (target, group) in members(groups, &at)? {
            schema.annotation_groups.push(AnnotationGroup {
                target: target.clone(),
                annotations: annotations(members(group, &at.child(target))?),
            });
        }
    }
    for (name, member) in object.iter().filter(|(name, _)| is_child(name)) {
        let at = at.child(name);
        simple_identifier(name, &at)?;
        if let Json::Array(overloads) = member {
            for overload in overloads {
                schema.operations.push(read_operation(name, overload, &at)?);
            }
            continue;
        }
        let kind = string(member.get("$Kind"), &at, "$Kind")?;
        match kind.as_deref() {
            Some("EntityType") => {
                schema
                    .types
                    .push(read_structured(TypeKind::Entity, name, member, &at)?)
            }
            Some("ComplexType") => {
                schema
                    .types
                    .push(read_structured(TypeKind::Complex, name, member, &at)?)
            }
            Some("EnumType") => schema.enum_types.push(read_enum(name, member, &at)?),
            Some("TypeDefinition") => schema.type_definitions.push(TypeDefinition {
                name: name.clone(),
                underlying_type: underlying(member, &at, None)?,
                facets: facets(member, &at)?,
                annotations: annotations(members(member, &at)?),
            }),
            Some("EntityContainer") => {
                if schema.container.is_some() {
                    return Err(at.error("a second entity container in the schema"));
                }
                schema.container = Some(read_container(name, member, &at)?);
            }
            // Terms and other kinds are skipped.
            _ => {}
        }
    }
    Ok(schema)
}

/// `$UnderlyingType`, a primitive; `default` when absent (required when `None`).
fn underlying(object: &Json, at: &At<'_>, default: Option<Edm>) -> Result<Edm, ModelError> {
    match string(object.get("$UnderlyingType"), at, "$UnderlyingType")? {
        None => default.ok_or_else(|| at.error("missing $UnderlyingType")),
        Some(name) => Edm::from_qualified_name(&name).ok_or_else(|| {
            at.child("$UnderlyingType")
                .error("expected an Edm primitive type")
        }),
    }
}

fn read_structured(
    kind: TypeKind,
    name: &str,
    value: &Json,
    at: &At<'_>,
) -> Result<StructuredType, ModelError> {
    let object = members(value, at)?;
    let mut ty = StructuredType::new(kind, name);
    ty.base_type = string(value.get("$BaseType"), at, "$BaseType")?;
    ty.is_abstract = boolean(value, at, "$Abstract", false)?;
    ty.is_open = boolean(value, at, "$OpenType", false)?;
    ty.has_stream = boolean(value, at, "$HasStream", false)?;
    ty.annotations = annotations(object);
    if let Some(key) = value.get("$Key") {
        let at = at.child("$Key");
        let Json::Array(items) = key else {
            return Err(at.error("expected an array"));
        };
        for item in items {
            ty.key.push(match item {
                Json::String(name) => PropertyRef {
                    name: name.clone(),
                    alias: None,
                },
                Json::Object(pairs) => match pairs.as_slice() {
                    [(alias, Json::String(path))] => PropertyRef {
                        name: path.clone(),
                        alias: Some(alias.clone()),
                    },
                    _ => return Err(at.error("expected {\"alias\": \"path\"}")),
                },
                _ => return Err(at.error("expected a property name or {\"alias\": \"path\"}")),
            });
        }
    }
    for (name, member) in object.iter().filter(|(name, _)| is_child(name)) {
        let at = at.child(name);
        simple_identifier(name, &at)?;
        members(member, &at)?;
        match string(member.get("$Kind"), &at, "$Kind")?.as_deref() {
            Some("NavigationProperty") => {
                let target = required_string(member, &at, "$Type")?;
                let collection = boolean(member, &at, "$Collection", false)?;
                let mut navigation = NavigationProperty::new(name.clone(), target, collection);
                navigation.nullable = !collection && boolean(member, &at, "$Nullable", false)?;
                navigation.partner = string(member.get("$Partner"), &at, "$Partner")?;
                navigation.contains_target = boolean(member, &at, "$ContainsTarget", false)?;
                navigation.on_delete = string(member.get("$OnDelete"), &at, "$OnDelete")?;
                if let Some(constraints) = member.get("$ReferentialConstraint") {
                    let at = at.child("$ReferentialConstraint");
                    for (property, referenced) in members(constraints, &at)? {
                        if property.contains('@') {
                            continue;
                        }
                        let referenced = referenced
                            .as_str()
                            .ok_or_else(|| at.child(property).error("expected a string"))?;
                        navigation
                            .referential_constraints
                            .push(ReferentialConstraint {
                                property: property.clone(),
                                referenced_property: referenced.to_owned(),
                            });
                    }
                }
                navigation.annotations = annotations(members(member, &at)?);
                ty.navigation_properties.push(navigation);
            }
            None | Some("Property") => ty.properties.push(read_property(name, member, &at)?),
            Some(_) => {}
        }
    }
    Ok(ty)
}

fn read_property(name: &str, value: &Json, at: &At<'_>) -> Result<Property, ModelError> {
    let mut property = Property::new(name, type_ref(value, at)?);
    property.nullable = boolean(value, at, "$Nullable", false)?;
    property.facets = facets(value, at)?;
    property.default_value = match value.get("$DefaultValue") {
        None => None,
        Some(Json::String(text)) => Some(text.clone()),
        Some(Json::Number(number)) => Some(number.to_string()),
        Some(Json::Bool(b)) => Some(b.to_string()),
        Some(_) => {
            return Err(at
                .child("$DefaultValue")
                .error("expected a primitive value"))
        }
    };
    property.annotations = annotations(members(value, at)?);
    Ok(property)
}

fn read_enum(name: &str, value: &Json, at: &At<'_>) -> Result<EnumType, ModelError> {
    let object = members(value, at)?;
    let mut enum_type = EnumType::new(name);
    enum_type.underlying_type = underlying(value, at, Some(Edm::Int32))?;
    enum_type.is_flags = boolean(value, at, "$IsFlags", false)?;
    enum_type.annotations = annotations(object);
    for (name, member) in object
        .iter()
        .filter(|(name, _)| !name.starts_with(['$', '@']))
    {
        if let Some((member_name, annotation)) = name.split_once('@') {
            // `Member@Term`: an annotation of a member read before.
            let Some((term, qualifier)) = annotation_name(&format!("@{annotation}")) else {
                continue;
            };
            if let Some(target) = enum_type.members.iter_mut().find(|m| m.name == member_name) {
                target.annotations.push(Annotation {
                    term,
                    qualifier,
                    value: annotation_value(member),
                });
            }
            continue;
        }
        simple_identifier(name, &at.child(name))?;
        let value = member
            .as_i64()
            .ok_or_else(|| at.child(name).error("expected an integer member value"))?;
        enum_type.members.push(EnumMember {
            name: name.clone(),
            value,
            annotations: Vec::new(),
        });
    }
    Ok(enum_type)
}

fn read_operation(name: &str, value: &Json, at: &At<'_>) -> Result<Operation, ModelError> {
    let object = members(value, at)?;
    let kind = match string(value.get("$Kind"), at, "$Kind")?.as_deref() {
        Some("Function") => OperationKind::Function,
        Some("Action") => OperationKind::Action,
        _ => return Err(at.error("expected $Kind Function or Action in an overload")),
    };
    let mut operation = Operation::new(kind, name);
    operation.is_bound = boolean(value, at, "$IsBound", false)?;
    operation.is_composable = boolean(value, at, "$IsComposable", false)?;
    operation.entity_set_path = string(value.get("$EntitySetPath"), at, "$EntitySetPath")?;
    operation.annotations = annotations(object);
    if let Some(parameters) = value.get("$Parameter") {
        let at = at.child("$Parameter");
        let Json::Array(items) = parameters else {
            return Err(at.error("expected an array"));
        };
        for item in items {
            let name = required_string(item, &at, "$Name")?;
            simple_identifier(&name, &at.child("$Name"))?;
            let mut parameter = Parameter::new(name, type_ref(item, &at)?);
            parameter.nullable = boolean(item, &at, "$Nullable", false)?;
            parameter.facets = facets(item, &at)?;
            parameter.annotations = annotations(members(item, &at)?);
            operation.parameters.push(parameter);
        }
    }
    if let Some(returns) = value.get("$ReturnType") {
        let at = at.child("$ReturnType");
        members(returns, &at)?;
        operation.return_type = Some(ReturnType {
            type_ref: type_ref(returns, &at)?,
            nullable: boolean(returns, &at, "$Nullable", false)?,
            facets: facets(returns, &at)?,
        });
    }
    Ok(operation)
}

fn bindings(value: &Json, at: &At<'_>) -> Result<Vec<NavigationPropertyBinding>, ModelError> {
    let Some(bindings) = value.get("$NavigationPropertyBinding") else {
        return Ok(Vec::new());
    };
    let at = at.child("$NavigationPropertyBinding");
    members(bindings, &at)?
        .iter()
        .map(|(path, target)| {
            Ok(NavigationPropertyBinding {
                path: path.clone(),
                target: target
                    .as_str()
                    .ok_or_else(|| at.child(path).error("expected a string"))?
                    .to_owned(),
            })
        })
        .collect()
}

fn read_container(name: &str, value: &Json, at: &At<'_>) -> Result<EntityContainer, ModelError> {
    let object = members(value, at)?;
    let mut container = EntityContainer::new(name);
    container.extends = string(value.get("$Extends"), at, "$Extends")?;
    container.annotations = annotations(object);
    for (name, member) in object.iter().filter(|(name, _)| is_child(name)) {
        let at = at.child(name);
        simple_identifier(name, &at)?;
        let member_annotations = annotations(members(member, &at)?);
        let import = |kind, operation: String| -> Result<OperationImport, ModelError> {
            let mut import = OperationImport::new(kind, name.clone(), operation);
            import.entity_set = string(member.get("$EntitySet"), &at, "$EntitySet")?;
            import.include_in_service_document =
                boolean(member, &at, "$IncludeInServiceDocument", false)?;
            import.annotations = member_annotations.clone();
            Ok(import)
        };
        if let Some(function) = string(member.get("$Function"), &at, "$Function")? {
            container
                .operation_imports
                .push(import(OperationKind::Function, function)?);
        } else if let Some(action) = string(member.get("$Action"), &at, "$Action")? {
            container
                .operation_imports
                .push(import(OperationKind::Action, action)?);
        } else if boolean(member, &at, "$Collection", false)? {
            let mut set = EntitySet::new(name.clone(), required_string(member, &at, "$Type")?);
            set.include_in_service_document =
                boolean(member, &at, "$IncludeInServiceDocument", true)?;
            set.navigation_bindings = bindings(member, &at)?;
            set.annotations = member_annotations;
            container.entity_sets.push(set);
        } else {
            let mut singleton =
                Singleton::new(name.clone(), required_string(member, &at, "$Type")?);
            singleton.nullable = boolean(member, &at, "$Nullable", false)?;
            singleton.navigation_bindings = bindings(member, &at)?;
            singleton.annotations = member_annotations;
            container.singletons.push(singleton);
        }
    }
    if let Some(name) = container.duplicate_member() {
        return Err(at.error(format!("the container declares {name} twice")));
    }
    Ok(container)
}
