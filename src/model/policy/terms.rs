//! Policy read from annotations after a document is read, and written back as
//! annotations: Capabilities terms and the terms of [`POLICY_NAMESPACE`].

use super::{
    CountRestrictions, ExpandRestrictions, FilterRestrictions, Policy, SearchRestrictions,
    SelectSupport, SortRestrictions, CAPABILITIES, POLICY_NAMESPACE,
};
use crate::model::annotation::{Annotation, AnnotationValue, ConstantKind, PathKind, Record};
use crate::model::{AnnotationGroup, EntityContainer, Model};

/// Extra record members a restriction does not model, kept for writing back.
type Other = Vec<(String, AnnotationValue)>;

/// Resolves the alias of a term's namespace (`Capabilities.X` → `Org.OData.Capabilities.V1.X`).
fn canonical_term(model: &Model, term: &str) -> String {
    model
        .canonical_name(term)
        .unwrap_or_else(|| term.to_owned())
}

/// The property names (paths) of a collection of paths or strings; `None` if another
/// kind of value is in it.
fn paths(value: &AnnotationValue) -> Option<Vec<String>> {
    let AnnotationValue::Collection(items) = value else {
        return None;
    };
    items
        .iter()
        .map(|item| match item {
            AnnotationValue::Path { path, .. } | AnnotationValue::String(path) => {
                Some(path.clone())
            }
            _ => None,
        })
        .collect()
}

fn max_levels(value: &AnnotationValue) -> Option<Option<u32>> {
    match value.as_int()? {
        -1 => Some(None),
        levels => u32::try_from(levels).ok().map(Some),
    }
}

/// Reads a record's members into a restriction: `apply` returns whether it took a member;
/// members it does not take, or whose value is of another kind, go to `other`.
fn read_record(record: &Record, mut apply: impl FnMut(&str, &AnnotationValue) -> bool) -> Other {
    let mut other = Vec::new();
    for (name, value) in &record.properties {
        if !apply(name, value) {
            other.push((name.clone(), value.clone()));
        }
    }
    other
}

/// `Capabilities.SearchExpressions` member names from `EnumMember` text (XML form
/// `Capabilities.SearchExpressions/AND Capabilities.SearchExpressions/OR`) or a string
/// (JSON form `AND,OR`).
fn search_expressions(value: &AnnotationValue) -> Option<Vec<String>> {
    let text = match value {
        AnnotationValue::Typed {
            kind: ConstantKind::EnumMember,
            text,
        }
        | AnnotationValue::String(text) => text,
        _ => return None,
    };
    Some(
        text.split([' ', ','])
            .filter(|member| !member.is_empty())
            .map(|member| member.rsplit('/').next().unwrap_or(member).to_owned())
            .collect(),
    )
}

/// Takes one annotation into the policy; returns false (leaving the policy unchanged) if
/// it is not a policy term, is qualified, is a term already taken, or has a value of
/// another shape.
fn take(policy: &mut Policy, model: &Model, annotation: &Annotation) -> bool {
    if annotation.qualifier.is_some() {
        return false;
    }
    let term = canonical_term(model, &annotation.term);
    let value = &annotation.value;
    let (namespace, name) = term.rsplit_once('.').unwrap_or(("", &term));
    if namespace == POLICY_NAMESPACE {
        return match name {
            "MaxTop" if policy.max_top.is_none() => value
                .as_int()
                .and_then(|n| u64::try_from(n).ok())
                .map(|n| policy.max_top = Some(n))
                .is_some(),
            "PageSize" if policy.page_size.is_none() => value
                .as_int()
                .and_then(|n| u64::try_from(n).ok())
                .map(|n| policy.page_size = Some(n))
                .is_some(),
            "NonSelectableProperties" if policy.non_selectable_properties.is_empty() => {
                match paths(value) {
                    Some(list) if !list.is_empty() => {
                        policy.non_selectable_properties = list;
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
    }
    if namespace != CAPABILITIES {
        return false;
    }
    match (name, value) {
        ("TopSupported", AnnotationValue::Bool(b)) if policy.top_supported.is_none() => {
            policy.top_supported = Some(*b);
            true
        }
        ("SkipSupported", AnnotationValue::Bool(b)) if policy.skip_supported.is_none() => {
            policy.skip_supported = Some(*b);
            true
        }
        ("FilterFunctions", AnnotationValue::Collection(items))
            if policy.filter_functions.is_none() =>
        {
            let names: Option<Vec<String>> = items
                .iter()
                .map(|item| match item {
                    AnnotationValue::String(name) => Some(name.clone()),
                    _ => None,
                })
                .collect();
            names
                .map(|names| policy.filter_functions = Some(names))
                .is_some()
        }
        ("FilterRestrictions", AnnotationValue::Record(record)) if policy.filter.is_none() => {
            let mut r = FilterRestrictions::default();
            r.other = read_record(record, |member, value| match member {
                "Filterable" => value.as_bool().map(|b| r.filterable = b).is_some(),
                "RequiresFilter" => value.as_bool().map(|b| r.requires_filter = b).is_some(),
                "RequiredProperties" => paths(value).map(|p| r.required_properties = p).is_some(),
                "NonFilterableProperties" => paths(value)
                    .map(|p| r.non_filterable_properties = p)
                    .is_some(),
                "MaxLevels" => max_levels(value).map(|m| r.max_levels = m).is_some(),
                _ => false,
            });
            policy.filter = Some(r);
            true
        }
        ("SortRestrictions", AnnotationValue::Record(record)) if policy.sort.is_none() => {
            let mut r = SortRestrictions::default();
            r.other = read_record(record, |member, value| match member {
                "Sortable" => value.as_bool().map(|b| r.sortable = b).is_some(),
                "AscendingOnlyProperties" => paths(value)
                    .map(|p| r.ascending_only_properties = p)
                    .is_some(),
                "DescendingOnlyProperties" => paths(value)
                    .map(|p| r.descending_only_properties = p)
                    .is_some(),
                "NonSortableProperties" => paths(value)
                    .map(|p| r.non_sortable_properties = p)
                    .is_some(),
                _ => false,
            });
            policy.sort = Some(r);
            true
        }
        ("ExpandRestrictions", AnnotationValue::Record(record)) if policy.expand.is_none() => {
            let mut r = ExpandRestrictions::default();
            r.other = read_record(record, |member, value| match member {
                "Expandable" => value.as_bool().map(|b| r.expandable = b).is_some(),
                "NonExpandableProperties" => paths(value)
                    .map(|p| r.non_expandable_properties = p)
                    .is_some(),
                "MaxLevels" => max_levels(value).map(|m| r.max_levels = m).is_some(),
                _ => false,
            });
            policy.expand = Some(r);
            true
        }
        ("SelectSupport", AnnotationValue::Record(record)) if policy.select.is_none() => {
            let mut r = SelectSupport::default();
            r.other = read_record(record, |member, value| match member {
                "Supported" => value.as_bool().map(|b| r.supported = b).is_some(),
                _ => false,
            });
            policy.select = Some(r);
            true
        }
        ("CountRestrictions", AnnotationValue::Record(record)) if policy.count.is_none() => {
            let mut r = CountRestrictions::default();
            r.other = read_record(record, |member, value| match member {
                "Countable" => value.as_bool().map(|b| r.countable = b).is_some(),
                "NonCountableProperties" => paths(value)
                    .map(|p| r.non_countable_properties = p)
                    .is_some(),
                "NonCountableNavigationProperties" => paths(value)
                    .map(|p| r.non_countable_navigation_properties = p)
                    .is_some(),
                _ => false,
            });
            policy.count = Some(r);
            true
        }
        ("SearchRestrictions", AnnotationValue::Record(record)) if policy.search.is_none() => {
            let mut r = SearchRestrictions::default();
            r.other = read_record(record, |member, value| match member {
                "Searchable" => value.as_bool().map(|b| r.searchable = b).is_some(),
                "UnsupportedExpressions" => search_expressions(value)
                    .map(|e| r.unsupported_expressions = e)
                    .is_some(),
                _ => false,
            });
            policy.search = Some(r);
            true
        }
        _ => false,
    }
}

/// Moves the policy annotations out of `annotations` into `policy`.
fn take_all(policy: &mut Policy, model: &Model, annotations: &mut Vec<Annotation>) {
    annotations.retain(|annotation| !take(policy, model, annotation));
}

/// After reading: fills every set's, singleton's and container's policy from its inline
/// annotations and from out-of-line groups that target it. Groups left empty are dropped.
pub(crate) fn extract_policies(model: &mut Model) {
    // Name resolution needs only the namespaces and aliases; a copy of them lets the
    // schemas be changed while names are resolved.
    let resolver = Model {
        version: String::new(),
        references: model.references.clone(),
        schemas: model
            .schemas
            .iter()
            .map(|schema| crate::model::Schema {
                alias: schema.alias.clone(),
                ..crate::model::Schema::new(schema.namespace.clone())
            })
            .collect(),
        ..Model::default()
    };
    let mut groups: Vec<Vec<AnnotationGroup>> = model
        .schemas
        .iter_mut()
        .map(|schema| std::mem::take(&mut schema.annotation_groups))
        .collect();
    for index in 0..model.schemas.len() {
        let schema = &mut model.schemas[index];
        let Some(container) = schema.container.as_mut() else {
            continue;
        };
        let qualified = format!("{}.{}", schema.namespace, container.name);
        apply_container(&resolver, &qualified, container, index, &mut groups);
    }
    for (schema, mut own) in model.schemas.iter_mut().zip(groups) {
        own.retain(|group| !group.annotations.is_empty());
        schema.annotation_groups = own;
    }
}

/// Fills the policies of one container: from the groups of its own schema (where the
/// writers put policy), then those of the other schemas, then inline annotations. The first
/// annotation of a term wins; later ones stay ordinary annotations.
fn apply_container(
    resolver: &Model,
    qualified_container: &str,
    container: &mut EntityContainer,
    own_schema: usize,
    groups: &mut [Vec<AnnotationGroup>],
) {
    let order = std::iter::once(own_schema).chain((0..groups.len()).filter(|&i| i != own_schema));
    for index in order {
        let Some(list) = groups.get_mut(index) else {
            continue;
        };
        for group in list.iter_mut() {
            let (head, member) = match group.target.split_once('/') {
                Some((head, member)) => (head, Some(member)),
                None => (group.target.as_str(), None),
            };
            if resolver.canonical_name(head).as_deref() != Some(qualified_container) {
                continue;
            }
            let policy = match member {
                None => &mut container.policy,
                Some(name) => {
                    if let Some(set) = container.entity_sets.iter_mut().find(|s| s.name == name) {
                        &mut set.policy
                    } else if let Some(single) =
                        container.singletons.iter_mut().find(|s| s.name == name)
                    {
                        &mut single.policy
                    } else {
                        continue;
                    }
                }
            };
            take_all(policy, resolver, &mut group.annotations);
        }
    }
    take_all(&mut container.policy, resolver, &mut container.annotations);
    for set in &mut container.entity_sets {
        take_all(&mut set.policy, resolver, &mut set.annotations);
    }
    for singleton in &mut container.singletons {
        take_all(&mut singleton.policy, resolver, &mut singleton.annotations);
    }
}

// ---------------------------------------------------------------------------------------
// Writing: policy to annotations.

/// The annotation targets of a container and its members, with their policies.
pub(crate) fn policy_targets<'m>(
    schema: &crate::model::Schema,
    container: &'m EntityContainer,
) -> Vec<(String, &'m Policy)> {
    let qualified = schema.qualify(&container.name);
    let mut targets = vec![(qualified.clone(), &container.policy)];
    for set in &container.entity_sets {
        targets.push((format!("{qualified}/{}", set.name), &set.policy));
    }
    for singleton in &container.singletons {
        targets.push((format!("{qualified}/{}", singleton.name), &singleton.policy));
    }
    targets
}

fn path_list(kind: PathKind, list: &[String]) -> AnnotationValue {
    AnnotationValue::Collection(
        list.iter()
            .map(|path| AnnotationValue::Path {
                kind,
                path: path.clone(),
            })
            .collect(),
    )
}

/// Builds a record from the members that differ from their defaults, then `other`.
struct RecordWriter(Vec<(String, AnnotationValue)>);

impl RecordWriter {
    fn flag(mut self, name: &str, value: bool, default: bool) -> Self {
        if value != default {
            self.0.push((name.to_owned(), AnnotationValue::Bool(value)));
        }
        self
    }

    fn paths(mut self, name: &str, kind: PathKind, list: &[String]) -> Self {
        if !list.is_empty() {
            self.0.push((name.to_owned(), path_list(kind, list)));
        }
        self
    }

    fn levels(mut self, name: &str, levels: Option<u32>) -> Self {
        if let Some(levels) = levels {
            self.0
                .push((name.to_owned(), AnnotationValue::Int(i64::from(levels))));
        }
        self
    }

    fn finish(mut self, term: &str, other: &Other) -> Annotation {
        self.0.extend(other.iter().cloned());
        Annotation::new(
            format!("{CAPABILITIES}.{term}"),
            AnnotationValue::Record(Record {
                type_name: None,
                properties: self.0,
            }),
        )
    }
}

/// The annotations that express a policy, with full namespace-qualified terms (a writer
/// adds no `edmx:Reference` for them: that would change the model it read back).
pub(crate) fn policy_annotations(policy: &Policy) -> Vec<Annotation> {
    use PathKind::{NavigationPropertyPath as Nav, PropertyPath as Prop};
    let mut out = Vec::new();
    if let Some(r) = &policy.filter {
        out.push(
            RecordWriter(Vec::new())
                .flag("Filterable", r.filterable, true)
                .flag("RequiresFilter", r.requires_filter, false)
                .paths("RequiredProperties", Prop, &r.required_properties)
                .paths(
                    "NonFilterableProperties",
                    Prop,
                    &r.non_filterable_properties,
                )
                .levels("MaxLevels", r.max_levels)
                .finish("FilterRestrictions", &r.other),
        );
    }
    if let Some(r) = &policy.sort {
        out.push(
            RecordWriter(Vec::new())
                .flag("Sortable", r.sortable, true)
                .paths(
                    "AscendingOnlyProperties",
                    Prop,
                    &r.ascending_only_properties,
                )
                .paths(
                    "DescendingOnlyProperties",
                    Prop,
                    &r.descending_only_properties,
                )
                .paths("NonSortableProperties", Prop, &r.non_sortable_properties)
                .finish("SortRestrictions", &r.other),
        );
    }
    if let Some(r) = &policy.expand {
        out.push(
            RecordWriter(Vec::new())
                .flag("Expandable", r.expandable, true)
                .paths("NonExpandableProperties", Nav, &r.non_expandable_properties)
                .levels("MaxLevels", r.max_levels)
                .finish("ExpandRestrictions", &r.other),
        );
    }
    if let Some(r) = &policy.select {
        out.push(
            RecordWriter(Vec::new())
                .flag("Supported", r.supported, true)
                .finish("SelectSupport", &r.other),
        );
    }
    if let Some(r) = &policy.count {
        out.push(
            RecordWriter(Vec::new())
                .flag("Countable", r.countable, true)
                .paths("NonCountableProperties", Prop, &r.non_countable_properties)
                .paths(
                    "NonCountableNavigationProperties",
                    Nav,
                    &r.non_countable_navigation_properties,
                )
                .finish("CountRestrictions", &r.other),
        );
    }
    if let Some(r) = &policy.search {
        let mut writer = RecordWriter(Vec::new()).flag("Searchable", r.searchable, true);
        if !r.unsupported_expressions.is_empty() {
            writer.0.push((
                "UnsupportedExpressions".to_owned(),
                AnnotationValue::Typed {
                    kind: ConstantKind::EnumMember,
                    text: r
                        .unsupported_expressions
                        .iter()
                        .map(|member| format!("{CAPABILITIES}.SearchExpressions/{member}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                },
            ));
        }
        out.push(writer.finish("SearchRestrictions", &r.other));
    }
    if let Some(b) = policy.top_supported {
        out.push(Annotation::new(
            format!("{CAPABILITIES}.TopSupported"),
            AnnotationValue::Bool(b),
        ));
    }
    if let Some(b) = policy.skip_supported {
        out.push(Annotation::new(
            format!("{CAPABILITIES}.SkipSupported"),
            AnnotationValue::Bool(b),
        ));
    }
    if let Some(names) = &policy.filter_functions {
        out.push(Annotation::new(
            format!("{CAPABILITIES}.FilterFunctions"),
            AnnotationValue::Collection(
                names
                    .iter()
                    .map(|n| AnnotationValue::String(n.clone()))
                    .collect(),
            ),
        ));
    }
    // Values above i64::MAX cannot be written as an Int; they read back as no limit.
    if let Some(n) = policy.max_top.and_then(|n| i64::try_from(n).ok()) {
        out.push(Annotation::new(
            format!("{POLICY_NAMESPACE}.MaxTop"),
            AnnotationValue::Int(n),
        ));
    }
    if let Some(n) = policy.page_size.and_then(|n| i64::try_from(n).ok()) {
        out.push(Annotation::new(
            format!("{POLICY_NAMESPACE}.PageSize"),
            AnnotationValue::Int(n),
        ));
    }
    if !policy.non_selectable_properties.is_empty() {
        out.push(Annotation::new(
            format!("{POLICY_NAMESPACE}.NonSelectableProperties"),
            path_list(Prop, &policy.non_selectable_properties),
        ));
    }
    out
}
