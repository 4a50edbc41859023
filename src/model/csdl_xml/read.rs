//! CSDL XML reader: the element tree to a [`Model`].

use super::{parse_tree, Element};
use crate::model::annotation::{
    Annotation, AnnotationGroup, AnnotationValue, ConstantKind, PathKind, RawFormat, Record,
};
use crate::model::error::{utf8_input, Location, ModelError, Position, ReadOptions, Source};
use crate::model::{is_namespace, is_simple_identifier};
use crate::model::{
    Edm, EntityContainer, EntitySet, EnumMember, EnumType, Facets, Include, IncludeAnnotations,
    MaxLength, Model, NavigationProperty, NavigationPropertyBinding, Operation, OperationImport,
    OperationKind, Parameter, Property, PropertyRef, Reference, ReferentialConstraint, ReturnType,
    Scale, Schema, Singleton, Srid, StructuredType, TypeDefinition, TypeKind, TypeRef,
};

/// The dynamic expressions, kept verbatim ([`AnnotationValue::Raw`]).
const DYNAMIC: [&str; 25] = [
    "And",
    "Or",
    "Not",
    "Eq",
    "Ne",
    "Gt",
    "Ge",
    "Lt",
    "Le",
    "Has",
    "In",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "DivBy",
    "Mod",
    "Neg",
    "Apply",
    "Cast",
    "If",
    "IsOf",
    "LabeledElement",
    "LabeledElementReference",
    "UrlRef",
];

struct Reader<'a> {
    input: &'a str,
}

impl<'a> Reader<'a> {
    fn error(&self, element: &Element, message: impl Into<String>) -> ModelError {
        ModelError::invalid(
            Source::CsdlXml,
            Location::Text(Position::locate(self.input.as_bytes(), element.start)),
            message,
        )
    }

    fn required<'e>(&self, element: &'e Element, name: &str) -> Result<&'e str, ModelError> {
        element.attribute(name).ok_or_else(|| {
            self.error(
                element,
                format!("<{}> needs the attribute {name}", element.name),
            )
        })
    }

    /// The `Name` attribute, a simple identifier.
    fn name<'e>(&self, element: &'e Element) -> Result<&'e str, ModelError> {
        let name = self.required(element, "Name")?;
        if is_simple_identifier(name) {
            Ok(name)
        } else {
            Err(self.error(
                element,
                format!("Name=\"{name}\" is not a simple identifier"),
            ))
        }
    }

    fn flag(&self, element: &Element, name: &str, default: bool) -> Result<bool, ModelError> {
        match element.attribute(name) {
            None => Ok(default),
            Some(text) => parse_bool(text).ok_or_else(|| {
                self.error(element, format!("{name}=\"{text}\" is not true or false"))
            }),
        }
    }

    fn number<T: std::str::FromStr>(
        &self,
        element: &Element,
        name: &str,
    ) -> Result<Option<T>, ModelError> {
        match element.attribute(name) {
            None => Ok(None),
            Some(text) => text.trim().parse().map(Some).map_err(|_| {
                self.error(element, format!("{name}=\"{text}\" is not a valid number"))
            }),
        }
    }

    fn type_ref(&self, element: &Element, name: &str) -> Result<TypeRef, ModelError> {
        let text = self.required(element, name)?;
        TypeRef::parse(text)
            .ok_or_else(|| self.error(element, format!("{name}=\"{text}\" is not a type name")))
    }

    fn primitive(
        &self,
        element: &Element,
        name: &str,
        default: Option<Edm>,
    ) -> Result<Edm, ModelError> {
        match (element.attribute(name), default) {
            (None, Some(default)) => Ok(default),
            (None, None) => Err(self.error(
                element,
                format!("<{}> needs the attribute {name}", element.name),
            )),
            (Some(text), _) => Edm::from_qualified_name(text).ok_or_else(|| {
                self.error(
                    element,
                    format!("{name}=\"{text}\" is not an Edm primitive type"),
                )
            }),
        }
    }

    fn facets(&self, element: &Element) -> Result<Facets, ModelError> {
        let mut facets = Facets::default();
        if let Some(text) = element.attribute("MaxLength") {
            facets.max_length = Some(if text == "max" {
                MaxLength::Max
            } else {
                MaxLength::Length(self.number(element, "MaxLength")?.unwrap_or_default())
            });
        }
        facets.precision = self.number(element, "Precision")?;
        if let Some(text) = element.attribute("Scale") {
            facets.scale = Some(match text {
                "variable" => Scale::Variable,
                "floating" => Scale::Floating,
                _ => Scale::Digits(self.number(element, "Scale")?.unwrap_or_default()),
            });
        }
        if let Some(text) = element.attribute("SRID") {
            facets.srid = Some(match text {
                "variable" => Srid::Variable,
                _ => Srid::Id(self.number(element, "SRID")?.unwrap_or_default()),
            });
        }
        if element.attribute("Unicode").is_some() {
            facets.unicode = Some(self.flag(element, "Unicode", true)?);
        }
        Ok(facets)
    }

    fn annotations(&self, element: &Element) -> Result<Vec<Annotation>, ModelError> {
        element
            .children_named("Annotation")
            .map(|child| self.annotation(child, None))
            .collect()
    }

    fn annotation(
        &self,
        element: &Element,
        group_qualifier: Option<&str>,
    ) -> Result<Annotation, ModelError> {
        let term = self.required(element, "Term")?.to_owned();
        let qualifier = element
            .attribute("Qualifier")
            .or(group_qualifier)
            .map(str::to_owned);
        let value = self
            .value_of(element)?
            .unwrap_or(AnnotationValue::Bool(true));
        Ok(Annotation {
            term,
            qualifier,
            value,
        })
    }

    /// The value of an `<Annotation>` or `<PropertyValue>`: a constant or path attribute,
    /// else its first expression child.
    fn value_of(&self, element: &Element) -> Result<Option<AnnotationValue>, ModelError> {
        for (name, text) in &element.attributes {
            if let Some(value) = self.constant(element, name, text, false)? {
                return Ok(Some(value));
            }
        }
        for child in &element.children {
            if let Some(value) = self.expression(child)? {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// A constant or path expression named `name` with text `text`; `None` if `name` is
    /// not one. Element content (`in_element`) keeps its exact text only for strings.
    fn constant(
        &self,
        element: &Element,
        name: &str,
        text: &str,
        in_element: bool,
    ) -> Result<Option<AnnotationValue>, ModelError> {
        let trimmed = if in_element { text.trim() } else { text };
        let invalid = || self.error(element, format!("{name} value \"{text}\" is not valid"));
        Ok(Some(match name {
            "Bool" => AnnotationValue::Bool(parse_bool(trimmed).ok_or_else(invalid)?),
            "Int" => AnnotationValue::Int(trimmed.parse().map_err(|_| invalid())?),
            "Decimal" | "Float" => {
                if !is_number(trimmed) {
                    return Err(invalid());
                }
                AnnotationValue::Number(trimmed.to_owned())
            }
            "String" => AnnotationValue::String(text.to_owned()),
            _ => {
                if let Some(kind) = ConstantKind::ALL.into_iter().find(|k| k.xml_name() == name) {
                    AnnotationValue::Typed {
                        kind,
                        text: trimmed.to_owned(),
                    }
                } else if let Some(kind) = PathKind::ALL.into_iter().find(|k| k.xml_name() == name)
                {
                    AnnotationValue::Path {
                        kind,
                        path: trimmed.to_owned(),
                    }
                } else {
                    return Ok(None);
                }
            }
        }))
    }

    /// An expression element; `None` for elements that are not expressions.
    fn expression(&self, element: &Element) -> Result<Option<AnnotationValue>, ModelError> {
        let name = element.name;
        if let Some(value) = self.constant(element, name, &element.text, true)? {
            return Ok(Some(value));
        }
        Ok(Some(match name {
            "Null" => AnnotationValue::Null,
            "Collection" => {
                let mut items = Vec::new();
                for child in &element.children {
                    if let Some(item) = self.expression(child)? {
                        items.push(item);
                    }
                }
                AnnotationValue::Collection(items)
            }
            "Record" => {
                let mut record = Record {
                    type_name: element.attribute("Type").map(str::to_owned),
                    properties: Vec::new(),
                };
                for child in element.children_named("PropertyValue") {
                    let property = self.required(child, "Property")?.to_owned();
                    let value = self.value_of(child)?.unwrap_or(AnnotationValue::Bool(true));
                    record.properties.push((property, value));
                }
                AnnotationValue::Record(record)
            }
            _ if DYNAMIC.contains(&name) => AnnotationValue::Raw {
                format: RawFormat::Xml,
                text: self
                    .input
                    .get(element.start..element.end)
                    .unwrap_or_default()
                    .to_owned(),
            },
            _ => return Ok(None),
        }))
    }

    fn model(&self, root: &Element) -> Result<Model, ModelError> {
        if root.name != "Edmx" {
            return Err(self.error(
                root,
                format!("expected the root element edmx:Edmx, found <{}>", root.name),
            ));
        }
        let mut model = Model {
            version: self.required(root, "Version")?.to_owned(),
            ..Model::default()
        };
        for child in &root.children {
            match child.name {
                "Reference" => model.references.push(self.reference(child)?),
                "DataServices" => {
                    for schema in child.children_named("Schema") {
                        model.schemas.push(self.schema(schema)?);
                        if let Some(name) = model.duplicate_schema_name() {
                            return Err(self.error(
                                schema,
                                format!("the namespace or alias {name} is declared twice"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        crate::model::policy::extract_policies(&mut model);
        Ok(model)
    }

    fn reference(&self, element: &Element) -> Result<Reference, ModelError> {
        let mut reference = Reference::new(self.required(element, "Uri")?);
        for child in &element.children {
            match child.name {
                "Include" => reference.includes.push(Include {
                    namespace: self.required(child, "Namespace")?.to_owned(),
                    alias: child.attribute("Alias").map(str::to_owned),
                }),
                "IncludeAnnotations" => reference.include_annotations.push(IncludeAnnotations {
                    term_namespace: self.required(child, "TermNamespace")?.to_owned(),
                    qualifier: child.attribute("Qualifier").map(str::to_owned),
                    target_namespace: child.attribute("TargetNamespace").map(str::to_owned),
                }),
                _ => {}
            }
        }
        Ok(reference)
    }

    fn schema(&self, element: &Element) -> Result<Schema, ModelError> {
        let namespace = self.required(element, "Namespace")?;
        if !is_namespace(namespace) {
            return Err(self.error(
                element,
                format!("Namespace=\"{namespace}\" is not a namespace"),
            ));
        }
        let mut schema = Schema::new(namespace);
        schema.alias = match element.attribute("Alias") {
            Some(alias) if !is_simple_identifier(alias) => {
                return Err(self.error(
                    element,
                    format!("Alias=\"{alias}\" is not a simple identifier"),
                ))
            }
            alias => alias.map(str::to_owned),
        };
        for child in &element.children {
            match child.name {
                "EntityType" => schema.types.push(self.structured(TypeKind::Entity, child)?),
                "ComplexType" => schema
                    .types
                    .push(self.structured(TypeKind::Complex, child)?),
                "EnumType" => schema.enum_types.push(self.enum_type(child)?),
                "TypeDefinition" => schema.type_definitions.push(TypeDefinition {
                    name: self.name(child)?.to_owned(),
                    underlying_type: self.primitive(child, "UnderlyingType", None)?,
                    facets: self.facets(child)?,
                    annotations: self.annotations(child)?,
                }),
                "Function" => schema
                    .operations
                    .push(self.operation(OperationKind::Function, child)?),
                "Action" => schema
                    .operations
                    .push(self.operation(OperationKind::Action, child)?),
                "EntityContainer" => {
                    if schema.container.is_some() {
                        return Err(self.error(child, "a second entity container in the schema"));
                    }
                    schema.container = Some(self.container(child)?);
                }
                "Annotation" => schema.annotations.push(self.annotation(child, None)?),
                "Annotations" => {
                    let target = self.required(child, "Target")?.to_owned();
                    let qualifier = child.attribute("Qualifier");
                    let annotations = child
                        .children_named("Annotation")
                        .map(|a| self.annotation(a, qualifier))
                        .collect::<Result<_, _>>()?;
                    schema.annotation_groups.push(AnnotationGroup {
                        target,
                        annotations,
                    });
                }
                _ => {}
            }
        }
        Ok(schema)
    }

    fn structured(&self, kind: TypeKind, element: &Element) -> Result<StructuredType, ModelError> {
        let mut ty = StructuredType::new(kind, self.name(element)?);
        ty.base_type = element.attribute("BaseType").map(str::to_owned);
        ty.is_abstract = self.flag(element, "Abstract", false)?;
        ty.is_open = self.flag(element, "OpenType", false)?;
        ty.has_stream = self.flag(element, "HasStream", false)?;
        for child in &element.children {
            match child.name {
                "Key" => {
                    for key in child.children_named("PropertyRef") {
                        ty.key.push(PropertyRef {
                            name: self.required(key, "Name")?.to_owned(),
                            alias: key.attribute("Alias").map(str::to_owned),
                        });
                    }
                }
                "Property" => ty.properties.push(self.property(child)?),
                "NavigationProperty" => ty.navigation_properties.push(self.navigation(child)?),
                "Annotation" => ty.annotations.push(self.annotation(child, None)?),
                _ => {}
            }
        }
        Ok(ty)
    }

    fn property(&self, element: &Element) -> Result<Property, ModelError> {
        let mut property = Property::new(self.name(element)?, self.type_ref(element, "Type")?);
        property.nullable = self.flag(element, "Nullable", true)?;
        property.facets = self.facets(element)?;
        property.default_value = element.attribute("DefaultValue").map(str::to_owned);
        property.annotations = self.annotations(element)?;
        Ok(property)
    }

    fn navigation(&self, element: &Element) -> Result<NavigationProperty, ModelError> {
        let target = self.type_ref(element, "Type")?;
        let mut navigation = NavigationProperty::new(
            self.name(element)?,
            target.name.to_string(),
            target.collection,
        );
        // Nullable does not apply to collections (§8.1.2); it is read as false there.
        navigation.nullable = !target.collection && self.flag(element, "Nullable", true)?;
        navigation.partner = element.attribute("Partner").map(str::to_owned);
        navigation.contains_target = self.flag(element, "ContainsTarget", false)?;
        for child in &element.children {
            match child.name {
                "ReferentialConstraint" => {
                    navigation
                        .referential_constraints
                        .push(ReferentialConstraint {
                            property: self.required(child, "Property")?.to_owned(),
                            referenced_property: self
                                .required(child, "ReferencedProperty")?
                                .to_owned(),
                        })
                }
                "OnDelete" => {
                    navigation.on_delete = Some(self.required(child, "Action")?.to_owned())
                }
                "Annotation" => navigation.annotations.push(self.annotation(child, None)?),
                _ => {}
            }
        }
        Ok(navigation)
    }

    fn enum_type(&self, element: &Element) -> Result<EnumType, ModelError> {
        let mut enum_type = EnumType::new(self.name(element)?);
        enum_type.underlying_type = self.primitive(element, "UnderlyingType", Some(Edm::Int32))?;
        enum_type.is_flags = self.flag(element, "IsFlags", false)?;
        let mut next = 0i64;
        for child in &element.children {
            match child.name {
                "Member" => {
                    // Members without a value are numbered on from the previous one (§10.2.2).
                    let value = self.number(child, "Value")?.unwrap_or(next);
                    next = value.saturating_add(1);
                    enum_type.members.push(EnumMember {
                        name: self.name(child)?.to_owned(),
                        value,
                        annotations: self.annotations(child)?,
                    });
                }
                "Annotation" => enum_type.annotations.push(self.annotation(child, None)?),
                _ => {}
            }
        }
        Ok(enum_type)
    }

    fn operation(&self, kind: OperationKind, element: &Element) -> Result<Operation, ModelError> {
        let mut operation = Operation::new(kind, self.name(element)?);
        operation.is_bound = self.flag(element, "IsBound", false)?;
        operation.is_composable = self.flag(element, "IsComposable", false)?;
        operation.entity_set_path = element.attribute("EntitySetPath").map(str::to_owned);
        for child in &element.children {
            match child.name {
                "Parameter" => {
                    let mut parameter =
                        Parameter::new(self.name(child)?, self.type_ref(child, "Type")?);
                    parameter.nullable = self.flag(child, "Nullable", true)?;
                    parameter.facets = self.facets(child)?;
                    parameter.annotations = self.annotations(child)?;
                    operation.parameters.push(parameter);
                }
                "ReturnType" => {
                    let mut returns = ReturnType::new(self.type_ref(child, "Type")?);
                    returns.nullable = self.flag(child, "Nullable", true)?;
                    returns.facets = self.facets(child)?;
                    operation.return_type = Some(returns);
                }
                "Annotation" => operation.annotations.push(self.annotation(child, None)?),
                _ => {}
            }
        }
        Ok(operation)
    }

    fn bindings(&self, element: &Element) -> Result<Vec<NavigationPropertyBinding>, ModelError> {
        element
            .children_named("NavigationPropertyBinding")
            .map(|child| {
                Ok(NavigationPropertyBinding {
                    path: self.required(child, "Path")?.to_owned(),
                    target: self.required(child, "Target")?.to_owned(),
                })
            })
            .collect()
    }

    fn container(&self, element: &Element) -> Result<EntityContainer, ModelError> {
        let mut container = EntityContainer::new(self.name(element)?);
        container.extends = element.attribute("Extends").map(str::to_owned);
        for child in &element.children {
            match child.name {
                "EntitySet" => {
                    let mut set =
                        EntitySet::new(self.name(child)?, self.required(child, "EntityType")?);
                    set.include_in_service_document =
                        self.flag(child, "IncludeInServiceDocument", true)?;
                    set.navigation_bindings = self.bindings(child)?;
                    set.annotations = self.annotations(child)?;
                    container.entity_sets.push(set);
                }
                "Singleton" => {
                    let mut singleton =
                        Singleton::new(self.name(child)?, self.required(child, "Type")?);
                    singleton.nullable = self.flag(child, "Nullable", false)?;
                    singleton.navigation_bindings = self.bindings(child)?;
                    singleton.annotations = self.annotations(child)?;
                    container.singletons.push(singleton);
                }
                "FunctionImport" | "ActionImport" => {
                    let (kind, attribute) = if child.name == "FunctionImport" {
                        (OperationKind::Function, "Function")
                    } else {
                        (OperationKind::Action, "Action")
                    };
                    let mut import = OperationImport::new(
                        kind,
                        self.name(child)?,
                        self.required(child, attribute)?,
                    );
                    import.entity_set = child.attribute("EntitySet").map(str::to_owned);
                    import.include_in_service_document =
                        self.flag(child, "IncludeInServiceDocument", false)?;
                    import.annotations = self.annotations(child)?;
                    container.operation_imports.push(import);
                }
                "Annotation" => container.annotations.push(self.annotation(child, None)?),
                _ => {}
            }
        }
        if let Some(name) = container.duplicate_member() {
            return Err(self.error(element, format!("the container declares {name} twice")));
        }
        Ok(container)
    }
}

impl Element<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_ref())
    }

    fn children_named<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element<'e>> + 'e {
        self.children.iter().filter(move |child| child.name == name)
    }
}

/// An XML Schema boolean: `true`, `false`, `1`, `0`.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A decimal or floating-point literal: digits with an optional sign, fraction and
/// exponent, or `INF`, `-INF`, `NaN`.
fn is_number(text: &str) -> bool {
    if matches!(text, "INF" | "-INF" | "NaN") {
        return true;
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (digits, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        !whole.is_empty() && all_digits(whole) && all_digits(fraction) && !mantissa.ends_with('.');
    let exponent_ok = exponent.map_or(true, |exponent| {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// Reads a CSDL XML document.
pub(crate) fn read(input: &[u8], options: &ReadOptions) -> Result<Model, ModelError> {
    let text = utf8_input(Source::CsdlXml, input, options)?;
    let root = parse_tree(text, options)?;
    Reader { input: text }.model(&root)
}

#[cfg(test)]
mod tests {
    use super::is_number;

    #[test]
    fn numbers() {
        for good in ["1", "-1.5", "3.25e-4", "1E+10", "INF", "NaN", "0.0"] {
            assert!(is_number(good), "{good}");
        }
        for bad in ["", "1.", ".5", "1e", "abc", "1.2.3", "--1", "inf"] {
            assert!(!is_number(bad), "{bad}");
        }
    }
}
