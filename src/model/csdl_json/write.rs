//! CSDL JSON writer: a [`Model`] as an indented document, members in
//! model order.

use crate::model::annotation::{Annotation, AnnotationValue, ConstantKind, RawFormat};
use crate::model::json_tree::{push_quoted, Json};
use crate::model::policy::{policy_annotations, policy_targets};
use crate::model::{
    Edm, EntityContainer, Facets, MaxLength, Model, NavigationPropertyBinding, Operation,
    OperationKind, Scale, Schema, Srid, StructuredType, TypeKind, TypeRef,
};

/// Members of an object being written.
#[derive(Default)]
struct Object(Vec<(String, Json)>);

impl Object {
    fn put(&mut self, name: impl Into<String>, value: Json) -> &mut Self {
        self.0.push((name.into(), value));
        self
    }

    fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.put(name, Json::String(text.to_owned()))
    }

    fn text_opt(&mut self, name: &str, text: &Option<String>) -> &mut Self {
        if let Some(text) = text {
            self.text(name, text);
        }
        self
    }

    /// Writes `name: value` unless the value is the default.
    fn flag(&mut self, name: &str, value: bool, default: bool) -> &mut Self {
        if value != default {
            self.put(name, Json::Bool(value));
        }
        self
    }

    fn annotations(&mut self, prefix: &str, annotations: &[Annotation]) -> &mut Self {
        for annotation in annotations {
            if let Some(value) = write_value(&annotation.value) {
                let mut name = format!("{prefix}@{}", annotation.term);
                if let Some(qualifier) = &annotation.qualifier {
                    name.push('#');
                    name.push_str(qualifier);
                }
                self.put(name, value);
            }
        }
        self
    }

    fn into_json(self) -> Json {
        Json::Object(self.0)
    }
}

/// Whether `text` is a JSON number literal (so it can be written unquoted).
fn is_json_number(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Number(_))
    ) && !text.starts_with('+')
        && text.trim() == text
}

/// An annotation value as JSON; `None` for XML expressions kept verbatim.
fn write_value(value: &AnnotationValue) -> Option<Json> {
    Some(match value {
        AnnotationValue::Null => Json::Null,
        AnnotationValue::Bool(b) => Json::Bool(*b),
        AnnotationValue::Int(n) => Json::Number((*n).into()),
        AnnotationValue::Number(text) if is_json_number(text) => Json::Raw(text.clone()),
        // INF, NaN and other texts JSON cannot write as numbers are strings in CSDL JSON.
        AnnotationValue::Number(text) => Json::String(text.clone()),
        // CSDL JSON writes enumeration members by name, comma-separated for flags
        // (`Read,Write`), where XML qualifies each (`Core.Permission/Read Core.Permission/Write`).
        AnnotationValue::Typed {
            kind: ConstantKind::EnumMember,
            text,
        } => Json::String(
            text.split_whitespace()
                .map(|member| member.rsplit('/').next().unwrap_or(member))
                .collect::<Vec<_>>()
                .join(","),
        ),
        AnnotationValue::String(text) | AnnotationValue::Typed { text, .. } => {
            Json::String(text.clone())
        }
        AnnotationValue::Path { kind, path } => Json::Object(vec![(
            format!("${}", kind.xml_name()),
            Json::String(path.clone()),
        )]),
        AnnotationValue::Collection(items) => {
            Json::Array(items.iter().filter_map(write_value).collect())
        }
        AnnotationValue::Record(record) => {
            let mut object = Object::default();
            if let Some(type_name) = &record.type_name {
                object.text("@type", &format!("#{type_name}"));
            }
            for (name, value) in &record.properties {
                if let Some(value) = write_value(value) {
                    object.put(name.clone(), value);
                }
            }
            object.into_json()
        }
        AnnotationValue::Raw {
            format: RawFormat::Json,
            text,
        } => Json::Raw(text.clone()),
        AnnotationValue::Raw {
            format: RawFormat::Xml,
            ..
        } => return None,
    })
}

fn write_type(object: &mut Object, type_ref: &TypeRef, nullable: bool, facets: &Facets) {
    object.text("$Type", &type_ref.name.to_string());
    object.flag("$Collection", type_ref.collection, false);
    object.flag("$Nullable", nullable, false);
    write_facets(object, facets);
}

fn write_facets(object: &mut Object, facets: &Facets) {
    match facets.max_length {
        Some(MaxLength::Max) => {
            object.text("$MaxLength", "max");
        }
        Some(MaxLength::Length(n)) => {
            object.put("$MaxLength", Json::Number(n.into()));
        }
        None => {}
    }
    if let Some(n) = facets.precision {
        object.put("$Precision", Json::Number(n.into()));
    }
    match facets.scale {
        Some(Scale::Digits(n)) => {
            object.put("$Scale", Json::Number(n.into()));
        }
        Some(Scale::Variable) => {
            object.text("$Scale", "variable");
        }
        Some(Scale::Floating) => {
            object.text("$Scale", "floating");
        }
        None => {}
    }
    match facets.srid {
        Some(Srid::Id(n)) => {
            object.put("$SRID", Json::Number(n.into()));
        }
        Some(Srid::Variable) => {
            object.text("$SRID", "variable");
        }
        None => {}
    }
    if let Some(unicode) = facets.unicode {
        object.put("$Unicode", Json::Bool(unicode));
    }
}

fn write_structured(ty: &StructuredType) -> Json {
    let mut object = Object::default();
    object.text(
        "$Kind",
        match ty.kind {
            TypeKind::Entity => "EntityType",
            TypeKind::Complex => "ComplexType",
        },
    );
    object.text_opt("$BaseType", &ty.base_type);
    object.flag("$Abstract", ty.is_abstract, false);
    object.flag("$OpenType", ty.is_open, false);
    object.flag("$HasStream", ty.has_stream, false);
    if !ty.key.is_empty() {
        let key = ty
            .key
            .iter()
            .map(|key| match &key.alias {
                None => Json::String(key.name.clone()),
                Some(alias) => Json::Object(vec![(alias.clone(), Json::String(key.name.clone()))]),
            })
            .collect();
        object.put("$Key", Json::Array(key));
    }
    object.annotations("", &ty.annotations);
    for property in &ty.properties {
        let mut member = Object::default();
        write_type(
            &mut member,
            &property.type_ref,
            property.nullable,
            &property.facets,
        );
        object_default_value(&mut member, &property.default_value);
        member.annotations("", &property.annotations);
        object.put(property.name.clone(), member.into_json());
    }
    for navigation in &ty.navigation_properties {
        let mut member = Object::default();
        member.text("$Kind", "NavigationProperty");
        member.text("$Type", &navigation.target);
        member.flag("$Collection", navigation.collection, false);
        member.flag(
            "$Nullable",
            navigation.nullable && !navigation.collection,
            false,
        );
        member.text_opt("$Partner", &navigation.partner);
        member.flag("$ContainsTarget", navigation.contains_target, false);
        if !navigation.referential_constraints.is_empty() {
            let constraints = navigation
                .referential_constraints
                .iter()
                .map(|c| {
                    (
                        c.property.clone(),
                        Json::String(c.referenced_property.clone()),
                    )
                })
                .collect();
            member.put("$ReferentialConstraint", Json::Object(constraints));
        }
        member.text_opt("$OnDelete", &navigation.on_delete);
        member.annotations("", &navigation.annotations);
        object.put(navigation.name.clone(), member.into_json());
    }
    object.into_json()
}

fn object_default_value(object: &mut Object, default_value: &Option<String>) {
    object.text_opt("$DefaultValue", default_value);
}

fn write_operation(operation: &Operation) -> Json {
    let mut object = Object::default();
    object.text(
        "$Kind",
        match operation.kind {
            OperationKind::Function => "Function",
            OperationKind::Action => "Action",
        },
    );
    object.flag("$IsBound", operation.is_bound, false);
    object.flag("$IsComposable", operation.is_composable, false);
    object.text_opt("$EntitySetPath", &operation.entity_set_path);
    if !operation.parameters.is_empty() {
        let parameters = operation
            .parameters
            .iter()
            .map(|parameter| {
                let mut member = Object::default();
                member.text("$Name", &parameter.name);
                write_type(
                    &mut member,
                    &parameter.type_ref,
                    parameter.nullable,
                    &parameter.facets,
                );
                member.annotations("", &parameter.annotations);
                member.into_json()
            })
            .collect();
        object.put("$Parameter", Json::Array(parameters));
    }
    if let Some(returns) = &operation.return_type {
        let mut member = Object::default();
        write_type(
            &mut member,
            &returns.type_ref,
            returns.nullable,
            &returns.facets,
        );
        object.put("$ReturnType", member.into_json());
    }
    object.annotations("", &operation.annotations);
    object.into_json()
}

fn write_bindings(object: &mut Object, bindings: &[NavigationPropertyBinding]) {
    if !bindings.is_empty() {
        let bindings = bindings
            .iter()
            .map(|b| (b.path.clone(), Json::String(b.target.clone())))
            .collect();
        object.put("$NavigationPropertyBinding", Json::Object(bindings));
    }
}

fn write_container(container: &EntityContainer) -> Json {
    let mut object = Object::default();
    object.text("$Kind", "EntityContainer");
    object.text_opt("$Extends", &container.extends);
    object.annotations("", &container.annotations);
    for set in &container.entity_sets {
        let mut member = Object::default();
        member.put("$Collection", Json::Bool(true));
        member.text("$Type", &set.entity_type);
        member.flag(
            "$IncludeInServiceDocument",
            set.include_in_service_document,
            true,
        );
        write_bindings(&mut member, &set.navigation_bindings);
        member.annotations("", &set.annotations);
        object.put(set.name.clone(), member.into_json());
    }
    for singleton in &container.singletons {
        let mut member = Object::default();
        member.text("$Type", &singleton.entity_type);
        member.flag("$Nullable", singleton.nullable, false);
        write_bindings(&mut member, &singleton.navigation_bindings);
        member.annotations("", &singleton.annotations);
        object.put(singleton.name.clone(), member.into_json());
    }
    for import in &container.operation_imports {
        let mut member = Object::default();
        let keyword = match import.kind {
            OperationKind::Function => "$Function",
            OperationKind::Action => "$Action",
        };
        member.text(keyword, &import.operation);
        member.text_opt("$EntitySet", &import.entity_set);
        member.flag(
            "$IncludeInServiceDocument",
            import.include_in_service_document,
            false,
        );
        member.annotations("", &import.annotations);
        object.put(import.name.clone(), member.into_json());
    }
    object.into_json()
}

fn write_schema(schema: &Schema) -> Json {
    let mut object = Object::default();
    object.text_opt("$Alias", &schema.alias);
    object.annotations("", &schema.annotations);
    for ty in &schema.types {
        object.put(ty.name.clone(), write_structured(ty));
    }
    for enum_type in &schema.enum_types {
        let mut member = Object::default();
        member.text("$Kind", "EnumType");
        if enum_type.underlying_type != Edm::Int32 {
            member.text("$UnderlyingType", &enum_type.underlying_type.to_string());
        }
        member.flag("$IsFlags", enum_type.is_flags, false);
        member.annotations("", &enum_type.annotations);
        for enum_member in &enum_type.members {
            member.put(
                enum_member.name.clone(),
                Json::Number(enum_member.value.into()),
            );
            member.annotations(&enum_member.name, &enum_member.annotations);
        }
        object.put(enum_type.name.clone(), member.into_json());
    }
    for definition in &schema.type_definitions {
        let mut member = Object::default();
        member.text("$Kind", "TypeDefinition");
        member.text("$UnderlyingType", &definition.underlying_type.to_string());
        write_facets(&mut member, &definition.facets);
        member.annotations("", &definition.annotations);
        object.put(definition.name.clone(), member.into_json());
    }
    // Overloads share one member: an array, in order of first appearance.
    let mut written: Vec<&str> = Vec::new();
    for operation in &schema.operations {
        if written.contains(&operation.name.as_str()) {
            continue;
        }
        written.push(&operation.name);
        let overloads = schema
            .operations
            .iter()
            .filter(|o| o.name == operation.name)
            .map(write_operation)
            .collect();
        object.put(operation.name.clone(), Json::Array(overloads));
    }
    if let Some(container) = &schema.container {
        object.put(container.name.clone(), write_container(container));
    }
    // Policy goes out of line, before other groups: the reader takes policy from these
    // first (see `policy::extract_policies`).
    let mut groups: Vec<(String, Json)> = Vec::new();
    if let Some(container) = &schema.container {
        for (target, policy) in policy_targets(schema, container) {
            let annotations = policy_annotations(policy);
            if !annotations.is_empty() {
                let mut member = Object::default();
                member.annotations("", &annotations);
                groups.push((target, member.into_json()));
            }
        }
    }
    for group in &schema.annotation_groups {
        let mut member = Object::default();
        member.annotations("", &group.annotations);
        groups.push((group.target.clone(), member.into_json()));
    }
    if !groups.is_empty() {
        object.put("$Annotations", Json::Object(groups));
    }
    object.into_json()
}

pub(crate) fn write(model: &Model) -> String {
    let mut document = Object::default();
    document.text("$Version", &model.version);
    if let Some(schema) = model.schemas.iter().find(|s| s.container.is_some()) {
        if let Some(container) = &schema.container {
            document.text("$EntityContainer", &schema.qualify(&container.name));
        }
    }
    if !model.references.is_empty() {
        let references = model
            .references
            .iter()
            .map(|reference| {
                let mut member = Object::default();
                if !reference.includes.is_empty() {
                    let includes = reference
                        .includes
                        .iter()
                        .map(|include| {
                            let mut item = Object::default();
                            item.text("$Namespace", &include.namespace);
                            item.text_opt("$Alias", &include.alias);
                            item.into_json()
                        })
                        .collect();
                    member.put("$Include", Json::Array(includes));
                }
                if !reference.include_annotations.is_empty() {
                    let includes = reference
                        .include_annotations
                        .iter()
                        .map(|include| {
                            let mut item = Object::default();
                            item.text("$TermNamespace", &include.term_namespace);
                            item.text_opt("$Qualifier", &include.qualifier);
                            item.text_opt("$TargetNamespace", &include.target_namespace);
                            item.into_json()
                        })
                        .collect();
                    member.put("$IncludeAnnotations", Json::Array(includes));
                }
                (reference.uri.clone(), member.into_json())
            })
            .collect();
        document.put("$Reference", Json::Object(references));
    }
    for schema in &model.schemas {
        document.put(schema.namespace.clone(), write_schema(schema));
    }
    let mut out = String::new();
    pretty(&document.into_json(), 0, &mut out);
    out.push('\n');
    out
}

/// Indented JSON: objects and arrays one member per line, empty ones and scalars inline.
fn pretty(value: &Json, indent: usize, out: &mut String) {
    let pad = |out: &mut String, level: usize| {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    };
    match value {
        Json::Array(items) if !items.is_empty() => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                pad(out, indent + 1);
                pretty(item, indent + 1, out);
            }
            pad(out, indent);
            out.push(']');
        }
        Json::Object(members) if !members.is_empty() => {
            out.push('{');
            for (index, (name, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                pad(out, indent + 1);
                push_quoted(out, name);
                out.push_str(": ");
                pretty(member, indent + 1, out);
            }
            pad(out, indent);
            out.push('}');
        }
        Json::String(text) => push_quoted(out, text),
        Json::Raw(text) => out.push_str(text),
        scalar => {
            // Null, booleans, numbers and empty containers: short, through Display.
            use std::fmt::Write as _;
            let _ = write!(out, "{scalar}");
        }
    }
}
