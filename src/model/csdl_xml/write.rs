//! CSDL XML writer: a [`Model`] as an indented `$metadata` document.

use crate::model::annotation::{Annotation, AnnotationValue, RawFormat};
use crate::model::policy::{policy_annotations, policy_targets};
use crate::model::{
    Edm, EntityContainer, Facets, MaxLength, Model, NavigationPropertyBinding, Operation,
    OperationKind, Scale, Schema, Srid, StructuredType, TypeKind,
};

const EDMX_NAMESPACE: &str = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM_NAMESPACE: &str = "http://docs.oasis-open.org/odata/ns/edm";

/// Escapes an attribute value. Tabs and line breaks become character references, which
/// survive attribute-value normalisation.
fn attribute_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes element content (a carriage return would be normalised away by XML readers).
fn element_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The document being written, one element per line.
struct Writer {
    out: String,
    depth: usize,
}

/// The attributes of one start tag.
#[derive(Default)]
struct Attributes(String);

impl Attributes {
    fn put(&mut self, name: &str, value: &str) -> &mut Self {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        self.0.push_str(&attribute_text(value));
        self.0.push('"');
        self
    }

    fn put_opt(&mut self, name: &str, value: &Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.put(name, value);
        }
        self
    }

    /// Writes `name="true|false"` unless the value is the default.
    fn flag(&mut self, name: &str, value: bool, default: bool) -> &mut Self {
        if value != default {
            self.put(name, if value { "true" } else { "false" });
        }
        self
    }

    fn facets(&mut self, facets: &Facets) -> &mut Self {
        match facets.max_length {
            Some(MaxLength::Max) => {
                self.put("MaxLength", "max");
            }
            Some(MaxLength::Length(n)) => {
                self.put("MaxLength", &n.to_string());
            }
            None => {}
        }
        if let Some(n) = facets.precision {
            self.put("Precision", &n.to_string());
        }
        match facets.scale {
            Some(Scale::Digits(n)) => {
                self.put("Scale", &n.to_string());
            }
            Some(Scale::Variable) => {
                self.put("Scale", "variable");
            }
            Some(Scale::Floating) => {
                self.put("Scale", "floating");
            }
            None => {}
        }
        match facets.srid {
            Some(Srid::Id(n)) => {
                self.put("SRID", &n.to_string());
            }
            Some(Srid::Variable) => {
                self.put("SRID", "variable");
            }
            None => {}
        }
        if let Some(unicode) = facets.unicode {
            self.put("Unicode", if unicode { "true" } else { "false" });
        }
        self
    }
}

impl Writer {
    fn line(&mut self, text: &str) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn empty(&mut self, name: &str, attributes: &Attributes) {
        self.line(&format!("<{name}{}/>", attributes.0));
    }

    fn open(&mut self, name: &str, attributes: &Attributes) {
        self.line(&format!("<{name}{}>", attributes.0));
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&format!("</{name}>"));
    }

    /// An element with children written by `body`, or an empty element if `has_body` is
    /// false.
    fn element(
        &mut self,
        name: &str,
        attributes: &Attributes,
        has_body: bool,
        body: impl FnOnce(&mut Writer),
    ) {
        if has_body {
            self.open(name, attributes);
            body(self);
            self.close(name);
        } else {
            self.empty(name, attributes);
        }
    }

    fn annotations(&mut self, annotations: &[Annotation]) {
        for annotation in annotations {
            self.annotation(annotation);
        }
    }

    fn annotation(&mut self, annotation: &Annotation) {
        if is_json_raw(&annotation.value) {
            return;
        }
        let mut attributes = Attributes::default();
        attributes.put("Term", &annotation.term);
        attributes.put_opt("Qualifier", &annotation.qualifier);
        match inline(&annotation.value) {
            Some((name, text)) => {
                attributes.put(name, &text);
                self.empty("Annotation", &attributes);
            }
            None => {
                self.open("Annotation", &attributes);
                self.expression(&annotation.value);
                self.close("Annotation");
            }
        }
    }

    fn expression(&mut self, value: &AnnotationValue) {
        match value {
            AnnotationValue::Null => self.line("<Null/>"),
            AnnotationValue::Collection(items) => {
                if items.is_empty() {
                    self.line("<Collection/>");
                    return;
                }
                self.open("Collection", &Attributes::default());
                for item in items.iter().filter(|item| !is_json_raw(item)) {
                    self.expression(item);
                }
                self.close("Collection");
            }
            AnnotationValue::Record(record) => {
                let mut attributes = Attributes::default();
                attributes.put_opt("Type", &record.type_name);
                let properties: Vec<_> = record
                    .properties
                    .iter()
                    .filter(|(_, value)| !is_json_raw(value))
                    .collect();
                self.element("Record", &attributes, !properties.is_empty(), |writer| {
                    for (name, value) in properties {
                        let mut attributes = Attributes::default();
                        attributes.put("Property", name);
                        match inline(value) {
                            Some((kind, text)) => {
                                attributes.put(kind, &text);
                                writer.empty("PropertyValue", &attributes);
                            }
                            None => {
                                writer.open("PropertyValue", &attributes);
                                writer.expression(value);
                                writer.close("PropertyValue");
                            }
                        }
                    }
                });
            }
            AnnotationValue::Raw { text, .. } => self.line(text),
            scalar => {
                if let Some((name, text)) = inline(scalar) {
                    self.line(&format!("<{name}>{}</{name}>", element_text(&text)));
                }
            }
        }
    }

    fn bindings(&mut self, bindings: &[NavigationPropertyBinding]) {
        for binding in bindings {
            let mut attributes = Attributes::default();
            attributes
                .put("Path", &binding.path)
                .put("Target", &binding.target);
            self.empty("NavigationPropertyBinding", &attributes);
        }
    }

    fn structured(&mut self, ty: &StructuredType) {
        let name = match ty.kind {
            TypeKind::Entity => "EntityType",
            TypeKind::Complex => "ComplexType",
        };
        let mut attributes = Attributes::default();
        attributes
            .put("Name", &ty.name)
            .put_opt("BaseType", &ty.base_type)
            .flag("Abstract", ty.is_abstract, false)
            .flag("OpenType", ty.is_open, false)
            .flag("HasStream", ty.has_stream, false);
        let has_body = !ty.key.is_empty()
            || !ty.properties.is_empty()
            || !ty.navigation_properties.is_empty()
            || !ty.annotations.is_empty();
        self.element(name, &attributes, has_body, |w| {
            if !ty.key.is_empty() {
                w.open("Key", &Attributes::default());
                for key in &ty.key {
                    let mut attributes = Attributes::default();
                    attributes
                        .put("Name", &key.name)
                        .put_opt("Alias", &key.alias);
                    w.empty("PropertyRef", &attributes);
                }
                w.close("Key");
            }
            for property in &ty.properties {
                let mut attributes = Attributes::default();
                attributes
                    .put("Name", &property.name)
                    .put("Type", &property.type_ref.to_string())
                    .flag("Nullable", property.nullable, true)
                    .facets(&property.facets)
                    .put_opt("DefaultValue", &property.default_value);
                w.element(
                    "Property",
                    &attributes,
                    !property.annotations.is_empty(),
                    |w| w.annotations(&property.annotations),
                );
            }
            for navigation in &ty.navigation_properties {
                let type_text = if navigation.collection {
                    format!("Collection({})", navigation.target)
                } else {
                    navigation.target.clone()
                };
                let mut attributes = Attributes::default();
                attributes
                    .put("Name", &navigation.name)
                    .put("Type", &type_text)
                    .flag(
                        "Nullable",
                        navigation.nullable || navigation.collection,
                        true,
                    )
                    .put_opt("Partner", &navigation.partner)
                    .flag("ContainsTarget", navigation.contains_target, false);
                let has_body = !navigation.referential_constraints.is_empty()
                    || navigation.on_delete.is_some()
                    || !navigation.annotations.is_empty();
                w.element("NavigationProperty", &attributes, has_body, |w| {
                    for constraint in &navigation.referential_constraints {
                        let mut attributes = Attributes::default();
                        attributes
                            .put("Property", &constraint.property)
                            .put("ReferencedProperty", &constraint.referenced_property);
                        w.empty("ReferentialConstraint", &attributes);
                    }
                    if let Some(action) = &navigation.on_delete {
                        let mut attributes = Attributes::default();
                        attributes.put("Action", action);
                        w.empty("OnDelete", &attributes);
                    }
                    w.annotations(&navigation.annotations);
                });
            }
            w.annotations(&ty.annotations);
        });
    }

    fn operation(&mut self, operation: &Operation) {
        let name = match operation.kind {
            OperationKind::Function => "Function",
            OperationKind::Action => "Action",
        };
        let mut attributes = Attributes::default();
        attributes
            .put("Name", &operation.name)
            .flag("IsBound", operation.is_bound, false)
            .flag("IsComposable", operation.is_composable, false)
            .put_opt("EntitySetPath", &operation.entity_set_path);
        let has_body = !operation.parameters.is_empty()
            || operation.return_type.is_some()
            || !operation.annotations.is_empty();
        self.element(name, &attributes, has_body, |w| {
            for parameter in &operation.parameters {
                let mut attributes = Attributes::default();
                attributes
                    .put("Name", &parameter.name)
                    .put("Type", &parameter.type_ref.to_string())
                    .flag("Nullable", parameter.nullable, true)
                    .facets(&parameter.facets);
                w.element(
                    "Parameter",
                    &attributes,
                    !parameter.annotations.is_empty(),
                    |w| w.annotations(&parameter.annotations),
                );
            }
            if let Some(returns) = &operation.return_type {
                let mut attributes = Attributes::default();
                attributes
                    .put("Type", &returns.type_ref.to_string())
                    .flag("Nullable", returns.nullable, true)
                    .facets(&returns.facets);
                w.empty("ReturnType", &attributes);
            }
            w.annotations(&operation.annotations);
        });
    }

    fn container(&mut self, container: &EntityContainer) {
        let mut attributes = Attributes::default();
        attributes
            .put("Name", &container.name)
            .put_opt("Extends", &container.extends);
        self.open("EntityContainer", &attributes);
        for set in &container.entity_sets {
            let mut attributes = Attributes::default();
            attributes
                .put("Name", &set.name)
                .put("EntityType", &set.entity_type)
                .flag(
                    "IncludeInServiceDocument",
                    set.include_in_service_document,
                    true,
                );
            let has_body = !set.navigation_bindings.is_empty() || !set.annotations.is_empty();
            self.element("EntitySet", &attributes, has_body, |w| {
                w.bindings(&set.navigation_bindings);
                w.annotations(&set.annotations);
            });
        }
        for singleton in &container.singletons {
            let mut attributes = Attributes::default();
            attributes
                .put("Name", &singleton.name)
                .put("Type", &singleton.entity_type)
                .flag("Nullable", singleton.nullable, false);
            let has_body =
                !singleton.navigation_bindings.is_empty() || !singleton.annotations.is_empty();
            self.element("Singleton", &attributes, has_body, |w| {
                w.bindings(&singleton.navigation_bindings);
                w.annotations(&singleton.annotations);
            });
        }
        for import in &container.operation_imports {
            let (name, attribute) = match import.kind {
                OperationKind::Function => ("FunctionImport", "Function"),
                OperationKind::Action => ("ActionImport", "Action"),
            };
            let mut attributes = Attributes::default();
            attributes
                .put("Name", &import.name)
                .put(attribute, &import.operation)
                .put_opt("EntitySet", &import.entity_set);
            if import.kind == OperationKind::Function {
                attributes.flag(
                    "IncludeInServiceDocument",
                    import.include_in_service_document,
                    false,
                );
            }
            self.element(name, &attributes, !import.annotations.is_empty(), |w| {
                w.annotations(&import.annotations)
            });
        }
        self.annotations(&container.annotations);
        self.close("EntityContainer");
    }

    /// The policies of the container, its entity sets and singletons, out of line
    /// (`<Annotations Target="Ns.Container/People">`, as SAP and others serve them), before
    /// any other annotation group: the reader takes policy from these first. Out of line a
    /// set's policy sits one element shallower than inside `<EntitySet>`, so a document
    /// read within the depth limit is written within it too.
    fn policies(&mut self, schema: &Schema, container: &EntityContainer) {
        for (target, policy) in policy_targets(schema, container) {
            let annotations = policy_annotations(policy);
            if annotations.is_empty() {
                continue;
            }
            let mut attributes = Attributes::default();
            attributes.put("Target", &target);
            self.open("Annotations", &attributes);
            self.annotations(&annotations);
            self.close("Annotations");
        }
    }

    fn schema(&mut self, schema: &Schema) {
        let mut attributes = Attributes::default();
        attributes
            .put("xmlns", EDM_NAMESPACE)
            .put("Namespace", &schema.namespace)
            .put_opt("Alias", &schema.alias);
        self.open("Schema", &attributes);
        for ty in &schema.types {
            self.structured(ty);
        }
        for enum_type in &schema.enum_types {
            let mut attributes = Attributes::default();
            attributes.put("Name", &enum_type.name);
            if enum_type.underlying_type != Edm::Int32 {
                attributes.put("UnderlyingType", &enum_type.underlying_type.to_string());
            }
            attributes.flag("IsFlags", enum_type.is_flags, false);
            let has_body = !enum_type.members.is_empty() || !enum_type.annotations.is_empty();
            self.element("EnumType", &attributes, has_body, |w| {
                for member in &enum_type.members {
                    let mut attributes = Attributes::default();
                    attributes
                        .put("Name", &member.name)
                        .put("Value", &member.value.to_string());
                    w.element("Member", &attributes, !member.annotations.is_empty(), |w| {
                        w.annotations(&member.annotations)
                    });
                }
                w.annotations(&enum_type.annotations);
            });
        }
        for definition in &schema.type_definitions {
            let mut attributes = Attributes::default();
            attributes
                .put("Name", &definition.name)
                .put("UnderlyingType", &definition.underlying_type.to_string())
                .facets(&definition.facets);
            self.element(
                "TypeDefinition",
                &attributes,
                !definition.annotations.is_empty(),
                |w| w.annotations(&definition.annotations),
            );
        }
        for operation in &schema.operations {
            self.operation(operation);
        }
        if let Some(container) = &schema.container {
            self.container(container);
        }
        self.annotations(&schema.annotations);
        if let Some(container) = &schema.container {
            self.policies(schema, container);
        }
        for group in &schema.annotation_groups {
            let mut attributes = Attributes::default();
            attributes.put("Target", &group.target);
            let written: Vec<_> = group
                .annotations
                .iter()
                .filter(|a| !is_json_raw(&a.value))
                .collect();
            self.element("Annotations", &attributes, !written.is_empty(), |w| {
                for annotation in written {
                    w.annotation(annotation);
                }
            });
        }
        self.close("Schema");
    }
}

/// Whether a value is a JSON expression (which XML cannot carry).
fn is_json_raw(value: &AnnotationValue) -> bool {
    matches!(
        value,
        AnnotationValue::Raw {
            format: RawFormat::Json,
            ..
        }
    )
}

/// The attribute (or element) name and text of a constant or path; `None` for null,
/// collections, records and kept expressions.
fn inline(value: &AnnotationValue) -> Option<(&'static str, String)> {
    Some(match value {
        AnnotationValue::Bool(b) => ("Bool", b.to_string()),
        AnnotationValue::Int(n) => ("Int", n.to_string()),
        AnnotationValue::Number(text) => {
            // Plain decimals are Decimal; exponents and INF/NaN need Float.
            let name = if text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            {
                "Decimal"
            } else {
                "Float"
            };
            (name, text.clone())
        }
        AnnotationValue::String(text) => ("String", text.clone()),
        AnnotationValue::Typed { kind, text } => (kind.xml_name(), text.clone()),
        AnnotationValue::Path { kind, path } => (kind.xml_name(), path.clone()),
        _ => return None,
    })
}

/// Writes a CSDL XML document.
pub(crate) fn write(model: &Model) -> String {
    let mut writer = Writer {
        out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
        depth: 0,
    };
    let mut attributes = Attributes::default();
    attributes
        .put("xmlns:edmx", EDMX_NAMESPACE)
        .put("Version", &model.version);
    writer.open("edmx:Edmx", &attributes);
    for reference in &model.references {
        let mut attributes = Attributes::default();
        attributes.put("Uri", &reference.uri);
        let has_body = !reference.includes.is_empty() || !reference.include_annotations.is_empty();
        writer.element("edmx:Reference", &attributes, has_body, |w| {
            for include in &reference.includes {
                let mut attributes = Attributes::default();
                attributes
                    .put("Namespace", &include.namespace)
                    .put_opt("Alias", &include.alias);
                w.empty("edmx:Include", &attributes);
            }
            for include in &reference.include_annotations {
                let mut attributes = Attributes::default();
                attributes
                    .put("TermNamespace", &include.term_namespace)
                    .put_opt("Qualifier", &include.qualifier)
                    .put_opt("TargetNamespace", &include.target_namespace);
                w.empty("edmx:IncludeAnnotations", &attributes);
            }
        });
    }
    writer.open("edmx:DataServices", &Attributes::default());
    for schema in &model.schemas {
        writer.schema(schema);
    }
    writer.close("edmx:DataServices");
    writer.close("edmx:Edmx");
    writer.out
}
