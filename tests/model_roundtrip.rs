//! Property tests: a generated model written as CSDL JSON (and, with feature `csdl`, CSDL
//! XML) reads back equal, and writing it again gives the same text.
//!
//! The generator keeps to what both formats carry: annotation values without typed
//! constants (JSON writes those as strings; they get their own XML-only test), no
//! Capabilities terms outside policies (they would be read into the policy), and
//! collection-valued navigation properties that are not nullable.

use odata_query::model::{
    Annotation, AnnotationGroup, AnnotationValue, CountRestrictions, Edm, EntityContainer,
    EntitySet, EnumType, ExpandRestrictions, Facets, FilterRestrictions, MaxLength, Model,
    NavigationProperty, NavigationPropertyBinding, Operation, OperationImport, OperationKind,
    Parameter, PathKind, Policy, Property, PropertyRef, Record, Reference, ReturnType, Scale,
    Schema, SearchRestrictions, SelectSupport, Singleton, SortRestrictions, Srid, StructuredType,
    TypeDefinition, TypeKind, TypeRef,
};
use proptest::prelude::*;

fn ident() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,6}"
}

fn qualified() -> impl Strategy<Value = String> {
    (ident(), ident()).prop_map(|(ns, name)| format!("ns.{ns}.{name}"))
}

/// Text as XML 1.0 can carry it: printable characters, tabs and line breaks.
fn text() -> impl Strategy<Value = String> {
    "[ -~\t\n\ré€😀]{0,12}"
}

fn type_ref() -> impl Strategy<Value = TypeRef> {
    let primitive = proptest::sample::select(Edm::ALL.to_vec()).prop_map(TypeRef::from);
    let named = qualified().prop_map(|name| TypeRef::from(name.as_str()));
    (prop_oneof![primitive, named], any::<bool>()).prop_map(|(mut t, collection)| {
        t.collection = collection;
        t
    })
}

fn facets() -> impl Strategy<Value = Facets> {
    (
        proptest::option::of(prop_oneof![
            Just(MaxLength::Max),
            any::<u32>().prop_map(|n| MaxLength::Length(n.into()))
        ]),
        proptest::option::of(any::<u16>().prop_map(u32::from)),
        proptest::option::of(prop_oneof![
            Just(Scale::Variable),
            Just(Scale::Floating),
            (0u32..40).prop_map(Scale::Digits)
        ]),
        proptest::option::of(prop_oneof![
            Just(Srid::Variable),
            (0u32..100_000).prop_map(Srid::Id)
        ]),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(max_length, precision, scale, srid, unicode)| {
            let mut facets = Facets::default();
            facets.max_length = max_length;
            facets.precision = precision;
            facets.scale = scale;
            facets.srid = srid;
            facets.unicode = unicode;
            facets
        })
}

/// Annotation values both formats carry alike.
fn value() -> impl Strategy<Value = AnnotationValue> {
    let leaf = prop_oneof![
        Just(AnnotationValue::Null),
        any::<bool>().prop_map(AnnotationValue::Bool),
        any::<i64>().prop_map(AnnotationValue::Int),
        // serde_json's text of a finite double with a fraction, as the JSON reader gives.
        (-1e9f64..1e9)
            .prop_filter("has a fraction", |f| f.fract() != 0.0)
            .prop_map(|f| AnnotationValue::Number(
                serde_json::Number::from_f64(f).unwrap().to_string()
            )),
        text().prop_map(AnnotationValue::String),
        (
            proptest::sample::select(PathKind::ALL.to_vec()),
            "[A-Za-z/]{1,8}"
        )
            .prop_map(|(kind, path)| AnnotationValue::Path { kind, path }),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AnnotationValue::Collection),
            (
                proptest::option::of(qualified()),
                proptest::collection::vec((ident(), inner), 0..3)
            )
                .prop_map(|(type_name, properties)| {
                    let mut record = Record::default();
                    record.type_name = type_name;
                    record.properties = properties;
                    AnnotationValue::Record(record)
                }),
        ]
    })
}

fn annotations() -> impl Strategy<Value = Vec<Annotation>> {
    proptest::collection::vec(
        (
            prop_oneof![Just("Core.Description".to_owned()), qualified()],
            proptest::option::of(ident()),
            value(),
        )
            .prop_map(|(term, qualifier, value)| {
                let mut annotation = Annotation::new(term, value);
                annotation.qualifier = qualifier;
                annotation
            }),
        0..3,
    )
}

fn property() -> impl Strategy<Value = Property> {
    (
        ident(),
        type_ref(),
        any::<bool>(),
        facets(),
        proptest::option::of(text()),
        annotations(),
    )
        .prop_map(
            |(name, type_ref, nullable, facets, default_value, annotations)| {
                let mut p = Property::new(name, type_ref);
                p.nullable = nullable;
                p.facets = facets;
                p.default_value = default_value;
                p.annotations = annotations;
                p
            },
        )
}

fn navigation() -> impl Strategy<Value = NavigationProperty> {
    (
        ident(),
        qualified(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(ident()),
        any::<bool>(),
        proptest::collection::vec((ident(), ident()), 0..2),
        proptest::option::of(Just("Cascade".to_owned())),
    )
        .prop_map(
            |(name, target, collection, nullable, partner, contains, constraints, on_delete)| {
                let mut n = NavigationProperty::new(name, target, collection);
                n.nullable = nullable && !collection;
                n.partner = partner;
                n.contains_target = contains;
                n.referential_constraints = constraints
                    .into_iter()
                    .map(|(property, referenced_property)| {
                        odata_query::model::ReferentialConstraint {
                            property,
                            referenced_property,
                        }
                    })
                    .collect();
                n.on_delete = on_delete;
                n
            },
        )
}

fn structured() -> impl Strategy<Value = StructuredType> {
    (
        prop_oneof![Just(TypeKind::Entity), Just(TypeKind::Complex)],
        ident(),
        proptest::option::of(qualified()),
        any::<(bool, bool, bool)>(),
        proptest::collection::vec((ident(), proptest::option::of(ident())), 0..3),
        proptest::collection::vec(property(), 0..4),
        proptest::collection::vec(navigation(), 0..3),
        annotations(),
    )
        .prop_map(
            |(
                kind,
                name,
                base,
                (is_abstract, is_open, has_stream),
                key,
                properties,
                navigations,
                annotations,
            )| {
                let mut t = StructuredType::new(kind, name);
                t.base_type = base;
                t.is_abstract = is_abstract;
                t.is_open = is_open;
                t.has_stream = has_stream;
                t.key = key
                    .into_iter()
                    .map(|(name, alias)| PropertyRef { name, alias })
                    .collect();
                t.properties = properties;
                t.navigation_properties = navigations;
                t.annotations = annotations;
                t
            },
        )
}

fn enum_type() -> impl Strategy<Value = EnumType> {
    (
        ident(),
        proptest::sample::select(vec![
            Edm::Byte,
            Edm::SByte,
            Edm::Int16,
            Edm::Int32,
            Edm::Int64,
        ]),
        any::<bool>(),
        proptest::collection::vec((any::<i64>(), annotations()), 0..4),
        annotations(),
    )
        .prop_map(|(name, underlying, flags, members, annotations)| {
            let mut e = EnumType::new(name);
            e.underlying_type = underlying;
            e.is_flags = flags;
            for (index, (value, member_annotations)) in members.into_iter().enumerate() {
                e.add_member(format!("m{index}"), value);
                e.members[index].annotations = member_annotations;
            }
            e.annotations = annotations;
            e
        })
}

fn restrictions_other() -> impl Strategy<Value = Vec<(String, AnnotationValue)>> {
    proptest::collection::vec(("X[a-z]{1,5}", value()), 0..2)
}

fn policy() -> impl Strategy<Value = Policy> {
    let paths = || proptest::collection::vec("[a-z]{1,5}(/[a-z]{1,3})?", 0..3);
    (
        proptest::option::of((
            any::<(bool, bool)>(),
            paths(),
            paths(),
            proptest::option::of(0u32..9),
            restrictions_other(),
        )),
        proptest::option::of((any::<bool>(), paths(), paths(), paths())),
        proptest::option::of((any::<bool>(), paths(), proptest::option::of(0u32..9))),
        proptest::option::of((any::<bool>(), restrictions_other())),
        proptest::option::of((any::<bool>(), paths(), paths())),
        proptest::option::of((
            any::<bool>(),
            proptest::collection::vec(
                proptest::sample::select(vec!["AND", "OR", "NOT", "phrase", "group"]),
                0..3,
            ),
        )),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
        ),
        proptest::option::of(proptest::collection::vec("[a-z.]{1,8}", 0..4)),
        (
            proptest::option::of(0u64..1 << 40),
            proptest::option::of(0u64..1000),
            paths(),
        ),
    )
        .prop_map(
            |(
                filter,
                sort,
                expand,
                select,
                count,
                search,
                (top, skip),
                functions,
                (max_top, page_size, non_selectable),
            )| {
                let mut p = Policy::default();
                p.filter = filter.map(|((filterable, requires), required, non, levels, other)| {
                    let mut r = FilterRestrictions::default();
                    r.filterable = filterable;
                    r.requires_filter = requires;
                    r.required_properties = required;
                    r.non_filterable_properties = non;
                    r.max_levels = levels;
                    r.other = other;
                    r
                });
                p.sort = sort.map(|(sortable, asc, desc, non)| {
                    let mut r = SortRestrictions::default();
                    r.sortable = sortable;
                    r.ascending_only_properties = asc;
                    r.descending_only_properties = desc;
                    r.non_sortable_properties = non;
                    r
                });
                p.expand = expand.map(|(expandable, non, levels)| {
                    let mut r = ExpandRestrictions::default();
                    r.expandable = expandable;
                    r.non_expandable_properties = non;
                    r.max_levels = levels;
                    r
                });
                p.select = select.map(|(supported, other)| {
                    let mut r = SelectSupport::default();
                    r.supported = supported;
                    r.other = other;
                    r
                });
                p.count = count.map(|(countable, non, non_nav)| {
                    let mut r = CountRestrictions::default();
                    r.countable = countable;
                    r.non_countable_properties = non;
                    r.non_countable_navigation_properties = non_nav;
                    r
                });
                p.search = search.map(|(searchable, unsupported)| {
                    let mut r = SearchRestrictions::default();
                    r.searchable = searchable;
                    r.unsupported_expressions =
                        unsupported.into_iter().map(str::to_owned).collect();
                    r
                });
                p.top_supported = top;
                p.skip_supported = skip;
                p.filter_functions = functions;
                p.max_top = max_top;
                p.page_size = page_size;
                p.non_selectable_properties = non_selectable;
                p
            },
        )
}

fn container() -> impl Strategy<Value = EntityContainer> {
    let bindings = || {
        proptest::collection::vec(
            ("[a-z/]{1,6}", ident())
                .prop_map(|(path, target)| NavigationPropertyBinding { path, target }),
            0..2,
        )
    };
    (
        ident(),
        proptest::option::of(qualified()),
        proptest::collection::vec(
            (
                qualified(),
                any::<bool>(),
                bindings(),
                annotations(),
                policy(),
            ),
            0..3,
        ),
        proptest::collection::vec((qualified(), any::<bool>(), bindings(), policy()), 0..2),
        proptest::collection::vec(
            (
                any::<bool>(),
                qualified(),
                proptest::option::of(ident()),
                any::<bool>(),
            ),
            0..2,
        ),
        annotations(),
        policy(),
    )
        .prop_map(
            |(name, extends, sets, singletons, imports, annotations, policy)| {
                let mut c = EntityContainer::new(name);
                c.extends = extends;
                for (index, (entity_type, include, bindings, annotations, policy)) in
                    sets.into_iter().enumerate()
                {
                    let mut set = EntitySet::new(format!("set{index}"), entity_type);
                    set.include_in_service_document = include;
                    set.navigation_bindings = bindings;
                    set.annotations = annotations;
                    set.policy = policy;
                    c.entity_sets.push(set);
                }
                for (index, (entity_type, nullable, bindings, policy)) in
                    singletons.into_iter().enumerate()
                {
                    let mut single = Singleton::new(format!("single{index}"), entity_type);
                    single.nullable = nullable;
                    single.navigation_bindings = bindings;
                    single.policy = policy;
                    c.singletons.push(single);
                }
                for (index, (function, operation, set, include)) in imports.into_iter().enumerate()
                {
                    let kind = if function {
                        OperationKind::Function
                    } else {
                        OperationKind::Action
                    };
                    let mut import =
                        OperationImport::new(kind, format!("import{index}"), operation);
                    import.entity_set = set;
                    import.include_in_service_document = include && function;
                    c.operation_imports.push(import);
                }
                c.annotations = annotations;
                c.policy = policy;
                c
            },
        )
}

fn operation() -> impl Strategy<Value = Operation> {
    (
        any::<bool>(),
        any::<(bool, bool)>(),
        proptest::option::of(ident()),
        proptest::collection::vec(
            (ident(), type_ref(), any::<bool>(), facets(), annotations()),
            0..3,
        ),
        proptest::option::of((type_ref(), any::<bool>(), facets())),
        annotations(),
    )
        .prop_map(
            |(function, (bound, composable), set_path, parameters, returns, annotations)| {
                let kind = if function {
                    OperationKind::Function
                } else {
                    OperationKind::Action
                };
                let mut o = Operation::new(kind, "op");
                o.is_bound = bound;
                o.is_composable = composable;
                o.entity_set_path = set_path;
                o.parameters = parameters
                    .into_iter()
                    .map(|(name, type_ref, nullable, facets, annotations)| {
                        let mut p = Parameter::new(name, type_ref);
                        p.nullable = nullable;
                        p.facets = facets;
                        p.annotations = annotations;
                        p
                    })
                    .collect();
                o.return_type = returns.map(|(type_ref, nullable, facets)| {
                    let mut r = ReturnType::new(type_ref);
                    r.nullable = nullable;
                    r.facets = facets;
                    r
                });
                o.annotations = annotations;
                o
            },
        )
}

fn schema() -> impl Strategy<Value = Schema> {
    (
        proptest::option::of(ident()),
        proptest::collection::vec(structured(), 0..4),
        proptest::collection::vec(enum_type(), 0..2),
        proptest::collection::vec(
            (
                ident(),
                proptest::sample::select(Edm::ALL.to_vec()),
                facets(),
                annotations(),
            ),
            0..2,
        ),
        proptest::collection::vec(operation(), 0..3),
        proptest::option::of(container()),
        annotations(),
        proptest::collection::vec(("[a-z./]{1,10}", annotations()), 0..2),
    )
        .prop_map(
            |(alias, types, enums, definitions, operations, container, annotations, groups)| {
                let mut s = Schema::new("ns.placeholder");
                s.alias = alias;
                s.types = types;
                s.enum_types = enums;
                s.type_definitions = definitions
                    .into_iter()
                    .map(|(name, underlying_type, facets, annotations)| {
                        let mut d = TypeDefinition::new(name, underlying_type);
                        d.facets = facets;
                        d.annotations = annotations;
                        d
                    })
                    .collect();
                // Overloads share a name and JSON groups them: distinct names keep the order.
                s.operations = operations
                    .into_iter()
                    .enumerate()
                    .map(|(index, mut o)| {
                        o.name = format!("op{index}");
                        o
                    })
                    .collect();
                s.container = container;
                s.annotations = annotations;
                // Empty groups are dropped by the readers; the generator does not make them.
                s.annotation_groups = groups
                    .into_iter()
                    .filter(|(_, a)| !a.is_empty())
                    .map(|(target, annotations)| {
                        AnnotationGroup::new(format!("grp.{target}"), annotations)
                    })
                    .collect();
                s
            },
        )
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop_oneof![Just("4.0"), Just("4.01")],
        proptest::collection::vec(
            (
                text(),
                proptest::collection::vec((qualified(), proptest::option::of(ident())), 0..2),
            ),
            0..2,
        ),
        proptest::collection::vec(schema(), 0..3),
    )
        .prop_map(|(version, references, schemas)| {
            let mut m = Model::default();
            m.version = version.to_owned();
            m.references = references
                .into_iter()
                .map(|(uri, includes)| {
                    includes
                        .into_iter()
                        .fold(Reference::new(format!("u:{uri}")), |r, (ns, alias)| {
                            r.include(ns, alias.as_deref())
                        })
                })
                .collect();
            m.schemas = schemas
                .into_iter()
                .enumerate()
                .map(|(index, mut s)| {
                    // Namespaces and aliases are unique: the readers reject duplicates.
                    s.namespace = format!("ns{index}");
                    s.alias = s.alias.map(|alias| format!("alias{index}{alias}"));
                    s
                })
                .collect();
            m
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn csdl_json_round_trip(model in model()) {
        let text = model.to_csdl_json();
        let again = Model::from_csdl_json(&text);
        prop_assert!(again.is_ok(), "{:?}\n{text}", again.err());
        let again = again.unwrap();
        prop_assert_eq!(&again, &model, "{}", text);
        prop_assert_eq!(again.to_csdl_json(), text);
    }

    #[cfg(feature = "csdl")]
    #[test]
    fn csdl_xml_round_trip(model in model()) {
        let text = model.to_csdl_xml();
        let again = Model::from_csdl_xml(&text);
        prop_assert!(again.is_ok(), "{:?}\n{text}", again.err());
        let again = again.unwrap();
        prop_assert_eq!(&again, &model, "{}", text);
        prop_assert_eq!(again.to_csdl_xml(), text);
    }

    /// Typed constants survive CSDL XML (JSON writes them as strings).
    #[cfg(feature = "csdl")]
    #[test]
    fn typed_constants_round_trip_in_xml(kind in proptest::sample::select(odata_query::model::ConstantKind::ALL.to_vec()), text in "[A-Za-z0-9:./-]{0,10}") {
        let mut model = Model::default();
        let mut schema = Schema::new("ns");
        schema.annotations.push(Annotation::new("Core.Example", AnnotationValue::Typed { kind, text: text.clone() }));
        schema.annotations.push(Annotation::new(
            "Core.Examples",
            AnnotationValue::Collection(vec![AnnotationValue::Typed { kind, text }]),
        ));
        model.schemas.push(schema);
        let again = Model::from_csdl_xml(&model.to_csdl_xml()).unwrap();
        prop_assert_eq!(again, model);
    }
}
