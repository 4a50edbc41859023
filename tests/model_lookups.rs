//! The model's lookups over the case documents: names and aliases, inheritance, keys,
//! navigation targets and bindings, derived types, enumerations and effective policy;
//! and the upload-sessions example against the JSON samples it describes.

use std::fs;
use std::path::Path;

use odata_query::model::{Edm, Model, SchemaType, StructuredType, TypeKind, TypeName};
use serde_json::Value;

fn read_case(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("case file")
}

fn library() -> Model {
    Model::from_csdl_json(&read_case("tests/cases/model/library.csdl.json")).expect("library reads")
}

fn names<T>(items: &[&T], name: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|item| name(item).to_owned()).collect()
}

#[test]
fn names_resolve_through_namespaces_and_aliases() {
    let model = library();
    assert!(matches!(
        model.resolve_type("lib.Book"),
        Some(SchemaType::Structured(_))
    ));
    assert!(matches!(
        model.resolve_type("org.example.library.Genre"),
        Some(SchemaType::Enum(_))
    ));
    assert!(matches!(
        model.resolve_type("lib.Isbn"),
        Some(SchemaType::Definition(_))
    ));
    assert!(model.resolve_type("Book").is_none());
    assert!(model.resolve_type("other.Book").is_none());
    assert_eq!(
        model.canonical_name("lib.Book").as_deref(),
        Some("org.example.library.Book")
    );
    // Included vocabularies resolve too, to their namespace.
    assert_eq!(
        model.canonical_name("Core.Description").as_deref(),
        Some("Org.OData.Core.V1.Description")
    );
    assert!(model.schema("empty").is_some());
}

#[test]
fn inherited_members_keys_and_open_types() {
    let model = library();
    let book = model.entity_type("lib.Book").unwrap();
    let properties = model.properties(book);
    assert_eq!(
        names(&properties, |p| &p.name),
        ["id", "title", "added", "price", "weight", "isbn", "genre", "keywords", "authorId"]
    );
    assert_eq!(
        model.property(book, "title").unwrap().type_ref,
        Edm::String.into()
    );
    assert!(model.property(book, "minutes").is_none());
    assert_eq!(names(&model.key(book), |p| &p.name), ["id"]);
    assert!(model.is_open(book));
    assert!(!model.is_open(model.entity_type("lib.Disc").unwrap()));
    assert!(book.key.is_empty(), "the key is declared on the base type");

    // A key path into a complex property.
    let loan = model.entity_type("lib.Loan").unwrap();
    let key = model.key(loan);
    assert_eq!(names(&key, |p| &p.name), ["id", "since"]);
    assert_eq!(loan.key[0].alias.as_deref(), Some("loanItem"));
}

#[test]
fn navigation_targets_partners_and_bindings() {
    let model = library();
    let book = model.entity_type("lib.Book").unwrap();
    let author = model.navigation_property(book, "author").unwrap();
    assert!(!author.collection && author.nullable);
    assert_eq!(author.partner.as_deref(), Some("books"));
    assert_eq!(model.navigation_target(author).unwrap().name, "Author");
    assert_eq!(author.referential_constraints[0].referenced_property, "id");

    let authors = model.entity_set("Authors").unwrap();
    assert_eq!(
        model.binding_target(authors, "books").unwrap().name,
        "Items"
    );
    assert!(model.binding_target(authors, "nothing").is_none());
    let items = model.entity_set("Items").unwrap();
    assert_eq!(
        model.binding_target(items, "lib.Book/author").unwrap().name,
        "Authors"
    );
    assert_eq!(model.entity_set_type("Librarian").unwrap().name, "Author");
}

#[test]
fn derived_types_for_casts() {
    let model = library();
    let derived = model.derived_types("lib.Item");
    let mut found: Vec<&str> = derived.iter().map(|(name, _)| name.as_str()).collect();
    found.sort_unstable();
    assert_eq!(
        found,
        ["org.example.library.Book", "org.example.library.Disc"]
    );
    assert!(model.derived_types("lib.Book").is_empty());
    assert!(model.has_derived_types("lib.Item"));
    assert!(!model.has_derived_types("lib.Book"));
    assert!(!model.has_derived_types("lib.Nowhere"));
    assert!(model.is_derived_from("lib.Book", "org.example.library.Item"));
    assert!(model.is_derived_from("lib.Item", "lib.Item"));
    assert!(!model.is_derived_from("lib.Item", "lib.Book"));
}

#[test]
fn enumerations_and_type_definitions() {
    let model = library();
    let genre = model.enum_type("lib.Genre").unwrap();
    assert_eq!(genre.underlying_type, Edm::Byte);
    assert_eq!(genre.member("Science").unwrap().value, 2);
    assert_eq!(genre.value_of("History"), Some(3));
    assert_eq!(genre.value_of("History,Science"), None, "not a flags type");
    let access = model.enum_type("lib.Access").unwrap();
    assert_eq!(access.value_of("Read,Reserve"), Some(5));
    assert_eq!(access.value_of("Read,Fly"), None);
    let book = model.entity_type("lib.Book").unwrap();
    let isbn = model.property(book, "isbn").unwrap();
    let TypeName::Named(name) = &isbn.type_ref.name else {
        panic!("a named type")
    };
    let Some(SchemaType::Definition(definition)) = model.resolve_type(name) else {
        panic!("a type definition")
    };
    assert_eq!(definition.underlying_type, Edm::String);
}

#[test]
fn policy_from_capabilities_merges_container_defaults() {
    let model = library();
    let authors = model.policy("Authors").unwrap();
    assert_eq!(authors.required_filter(), (true, &["name".to_owned()][..]));
    assert!(!authors.can_expand("books"));
    assert!(authors.filterable());
    // From the container: FilterFunctions names operators, so they are restricted too.
    assert!(authors.allows_function("contains") && !authors.allows_function("endswith"));
    assert!(authors.allows_operator("and") && !authors.allows_operator("add"));

    let items = model.policy("Items").unwrap();
    assert!(!items.can_sort("weight") && items.can_sort("title"));
    assert!(items.can_sort_direction("title", false) && !items.can_sort_direction("title", true));
    assert!(!items.can_select("price") && items.can_select("title"));

    let loans = model.policy("Loans").unwrap();
    assert!(!loans.can_top() && !loans.can_skip());
    assert_eq!(loans.max_top, Some(50));
    assert!(model.policy("Nothing").is_none());
}

#[test]
fn builder_models_check_and_read_well() {
    let model = Model::builder()
        .namespace("microsoft.graph")
        .alias("graph")
        .entity_type("uploadSession", |t| {
            t.key("id")
                .property("id", Edm::String)
                .property("createdDateTime", Edm::DateTimeOffset)
                .property("stats", "uploadSessionStats")
                .navigation_collection("files", "file")
        })
        .entity_type("file", |t| {
            t.key("id")
                .property("id", Edm::String)
                .required("size", Edm::Int64)
        })
        .complex_type("uploadSessionStats", |t| {
            t.property("filesUploaded", Edm::Int64)
        })
        .enum_type("status", ["pending", "complete"])
        .entity_set("uploadSessions", "uploadSession")
        .entity_set("files", "file")
        .bind("uploadSessions", "files", "files")
        .policy(
            "uploadSessions",
            odata_query::model::Policy::default().with_max_top(100),
        )
        .build()
        .expect("a consistent model");
    let session = model.entity_type("graph.uploadSession").unwrap();
    assert!(
        !model.property(session, "id").unwrap().nullable,
        "keys are not nullable"
    );
    assert_eq!(
        model.property(session, "stats").unwrap().type_ref.name,
        TypeName::Named("microsoft.graph.uploadSessionStats".into())
    );
    let sessions = model.entity_set("uploadSessions").unwrap();
    assert_eq!(
        model.binding_target(sessions, "files").unwrap().name,
        "files"
    );
    assert_eq!(model.policy("uploadSessions").unwrap().max_top, Some(100));
    assert_eq!(Model::from_csdl_json(&model.to_csdl_json()).unwrap(), model);

    let keyless = Model::builder()
        .entity_type("t", |t| t.property("a", Edm::Int32))
        .build()
        .unwrap_err();
    assert!(
        keyless.to_string().contains("Default.t has no key"),
        "{keyless}"
    );
    let cyclic = Model::builder()
        .complex_type("a", |t| t.base_type("b"))
        .complex_type("b", |t| t.base_type("a"))
        .build()
        .unwrap_err();
    assert!(cyclic.to_string().contains("cycle"), "{cyclic}");
}

#[test]
fn inferred_models_answer_lookups_and_check() {
    let sample: Value =
        serde_json::from_str(&read_case("src/sample/upload-sessions.json")).unwrap();
    let model = Model::infer(&sample, "uploadSessions").unwrap();
    model
        .check()
        .expect("an inferred model with ids is consistent");
    let session = model.entity_set_type("uploadSessions").unwrap();
    assert_eq!(session.name, "uploadSession");
    let files = model.navigation_property(session, "files").unwrap();
    assert!(files.collection && files.contains_target);
    let file = model.navigation_target(files).unwrap();
    assert_eq!(
        model.property(file, "size").unwrap().type_ref,
        Edm::Int64.into()
    );
    assert_eq!(
        model.property(file, "uploadedDateTime").unwrap().type_ref,
        Edm::DateTimeOffset.into()
    );
    let stats = model.property(session, "stats").unwrap();
    assert_eq!(
        model.structured_type_of(&stats.type_ref.name).unwrap().kind,
        TypeKind::Complex
    );
}

#[test]
fn inference_rejects_what_is_not_records() {
    for sample in ["42", "\"x\"", "[1, 2]", "[{}, 3]", "null"] {
        let value: Value = serde_json::from_str(sample).unwrap();
        let error = Model::infer(&value, "things").unwrap_err();
        assert!(
            error.to_string().starts_with("JSON sample:"),
            "{sample}: {error}"
        );
    }
    let mut deep = Value::from(1);
    for _ in 0..40 {
        deep = serde_json::json!({ "a": deep });
    }
    let error = Model::infer(&deep, "things").unwrap_err();
    assert!(error.to_string().contains("max_depth"), "{error}");
}

#[cfg(feature = "csdl")]
mod xml {
    use super::*;
    use odata_query::model::Policy;

    fn trippin() -> Model {
        Model::from_csdl_xml(&read_case("tests/cases/model/trippin.csdl.xml"))
            .expect("TripPin reads")
    }

    #[test]
    fn trippin_inheritance_and_casts() {
        let model = trippin();
        model.check().expect("TripPin is consistent");
        let manager = model.entity_type("tp.Manager").unwrap();
        let properties = model.properties(manager);
        assert_eq!(properties.len(), 11 + 2);
        assert_eq!(properties[0].name, "UserName");
        assert_eq!(names(&model.key(manager), |p| &p.name), ["UserName"]);
        assert!(model.is_open(manager), "Person is open");
        let navigations = model.navigation_properties(manager);
        assert_eq!(
            names(&navigations, |n| &n.name),
            ["Friends", "BestFriend", "Trips", "DirectReports"]
        );
        let derived: Vec<String> = model
            .derived_types("Trippin.Person")
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(derived, ["Trippin.Employee", "Trippin.Manager"]);
        let plan_items: Vec<String> = model
            .derived_types("Trippin.PlanItem")
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            plan_items,
            [
                "Trippin.Event",
                "Trippin.PublicTransportation",
                "Trippin.Flight"
            ]
        );
        let flight = model.entity_type("Trippin.Flight").unwrap();
        assert_eq!(names(&model.key(flight), |p| &p.name), ["PlanItemId"]);
    }

    #[test]
    fn trippin_complex_types_and_geography() {
        let model = trippin();
        let airport = model.entity_type("Trippin.Airport").unwrap();
        let location = model.property(airport, "Location").unwrap();
        let airport_location: &StructuredType =
            model.structured_type_of(&location.type_ref.name).unwrap();
        let loc = model.property(airport_location, "Loc").unwrap();
        assert_eq!(loc.type_ref, Edm::GeographyPoint.into());
        assert_eq!(loc.facets.srid, Some(odata_query::model::Srid::Id(4326)));
        let city = model.property_path(airport, "Location/City/Name").unwrap();
        assert_eq!(city.type_ref, Edm::String.into());
        assert!(model.complex_type("Trippin.City").is_some());
        assert!(model.entity_type("Trippin.City").is_none());
        let gender = model.enum_type("Trippin.PersonGender").unwrap();
        assert_eq!(gender.member_by_value(1).unwrap().name, "Female");
    }

    #[test]
    fn trippin_bindings_singleton_operations_and_policy() {
        let model = trippin();
        let people = model.entity_set("People").unwrap();
        assert_eq!(
            model.binding_target(people, "Friends").unwrap().name,
            "People"
        );
        assert_eq!(
            model
                .binding_target(people, "Trips/PlanItems/Trippin.Flight/Airline")
                .unwrap()
                .name,
            "Airlines"
        );
        assert_eq!(model.entity_set_type("Me").unwrap().name, "Person");
        let schema = model.schema("Trippin").unwrap();
        let bound: Vec<&str> = schema
            .operations
            .iter()
            .filter(|o| o.is_bound)
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(
            bound,
            [
                "GetFavoriteAirline",
                "GetInvolvedPeople",
                "GetFriendsTrips",
                "ShareTrip"
            ]
        );
        let favourite = &schema.operations[0];
        assert_eq!(
            favourite.binding_parameter().unwrap().type_ref.name,
            TypeName::Named("Trippin.Person".into())
        );

        let policy: Policy = model.policy("People").unwrap();
        assert!(!policy.can_filter("Emails") && policy.can_filter("FirstName"));
        assert!(!policy.can_sort("Features"));
        assert_eq!(policy.max_expand_depth(), Some(2));
        assert_eq!((policy.max_top, policy.page_size), (Some(100), Some(20)));
        // The container's search restriction applies to every set without its own.
        assert_eq!(
            policy.search.as_ref().unwrap().unsupported_expressions,
            ["NOT", "group"]
        );
        let airports = model.policy("Airports").unwrap();
        assert!(!airports.can_count() && !airports.can_search());
        assert!(airports.allows_function("geo.distance") && airports.allows_operator("eq"));
        assert!(!model.policy("Me").unwrap().can_top());
    }

    #[test]
    fn upload_sessions_example_describes_both_samples() {
        let model = Model::from_csdl_xml(&read_case("examples/upload-sessions.csdl.xml")).unwrap();
        model.check().expect("the example is consistent");
        for sample in [
            read_case("src/sample/upload-sessions.json"),
            read_case("tests/cases/model/infer/sessions.sample.json"),
        ] {
            let sample: Value = serde_json::from_str(&sample).unwrap();
            let session = model.entity_set_type("uploadSessions").unwrap();
            for record in sample["value"].as_array().unwrap() {
                conforms(&model, session, record, "uploadSessions");
            }
        }
    }

    /// Every member of `value` is declared on `ty` (or the type its `@odata.type` names)
    /// with a type its JSON value fits.
    fn conforms(model: &Model, ty: &StructuredType, value: &Value, at: &str) {
        let ty = match value["@odata.type"].as_str() {
            Some(cast) => {
                let cast = model.structured_type(cast.trim_start_matches('#')).unwrap();
                let base = model.qualified_name_of(ty).unwrap();
                let derived = model.qualified_name_of(cast).unwrap();
                assert!(
                    model.is_derived_from(&derived, &base),
                    "{at}: {derived} is not a {base}"
                );
                cast
            }
            None => ty,
        };
        for (name, member) in value.as_object().unwrap() {
            if name.contains('@') {
                continue;
            }
            let at = format!("{at}/{name}");
            if let Some(navigation) = model.navigation_property(ty, name) {
                let target = model.navigation_target(navigation).unwrap();
                let items = member
                    .as_array()
                    .unwrap_or_else(|| panic!("{at}: expected an array"));
                assert!(navigation.collection, "{at}");
                for item in items {
                    conforms(model, target, item, &at);
                }
                continue;
            }
            let property = model
                .property(ty, name)
                .unwrap_or_else(|| panic!("{at} is not declared on {}", ty.name));
            match (&property.type_ref.name, member) {
                (_, Value::Null) => assert!(property.nullable, "{at} is not nullable"),
                (TypeName::Primitive(Edm::String), Value::String(_)) => {}
                (TypeName::Primitive(Edm::Boolean), Value::Bool(_)) => {}
                (TypeName::Primitive(Edm::Int64), Value::Number(n)) => assert!(n.is_i64(), "{at}"),
                (TypeName::Primitive(Edm::DateTimeOffset), Value::String(text)) => {
                    assert!(
                        chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                        "{at}: {text}"
                    )
                }
                (TypeName::Named(complex), Value::Object(_)) => {
                    conforms(model, model.complex_type(complex).unwrap(), member, &at)
                }
                (declared, found) => panic!("{at}: {declared} does not fit {found}"),
            }
        }
    }
}

/// What the walk through a schema finds for `name`: the lookup the type index must agree
/// with.
fn walk<'m>(model: &'m Model, namespace: &str, name: &str) -> Option<SchemaType<'m>> {
    let schema = model.schemas.iter().find(|s| s.namespace == namespace)?;
    if let Some(t) = schema.types.iter().find(|t| t.name == name) {
        return Some(SchemaType::Structured(t));
    }
    if let Some(t) = schema.enum_types.iter().find(|t| t.name == name) {
        return Some(SchemaType::Enum(t));
    }
    schema
        .type_definitions
        .iter()
        .find(|t| t.name == name)
        .map(SchemaType::Definition)
}

/// A schema large enough to be looked up through the index answers as the walk does,
/// also after its public fields change under an index already built.
#[test]
fn large_schemas_resolve_as_the_walk_does_after_changes() {
    use odata_query::model::{EnumType, TypeDefinition};
    let mut model = Model::builder()
        .namespace("big.ns")
        .alias("b")
        .build()
        .expect("an empty schema builds");
    let schema = &mut model.schemas[0];
    for i in 0..300 {
        schema
            .types
            .push(StructuredType::new(TypeKind::Complex, format!("T{i}")));
    }
    for i in 0..20 {
        schema.enum_types.push(EnumType::new(format!("E{i}")));
        schema
            .type_definitions
            .push(TypeDefinition::new(format!("D{i}"), Edm::Int32));
    }
    let names: Vec<String> = (0..310)
        .map(|i| format!("T{i}"))
        .chain((0..22).map(|i| format!("E{i}")))
        .chain((0..22).map(|i| format!("D{i}")))
        .chain(["Renamed", "Added", "T299x", ""].map(String::from))
        .collect();
    let agree = |model: &Model, step: &str| {
        for name in &names {
            for qualifier in ["big.ns", "b"] {
                let found = model.resolve_type(&format!("{qualifier}.{name}"));
                assert_eq!(
                    found,
                    walk(model, "big.ns", name),
                    "{step}: {qualifier}.{name}"
                );
            }
        }
    };
    agree(&model, "built");
    assert!(matches!(
        model.resolve_type("b.T150"),
        Some(SchemaType::Structured(t)) if t.name == "T150"
    ));
    assert!(matches!(
        model.resolve_type("big.ns.E3"),
        Some(SchemaType::Enum(_))
    ));
    // The index is built now; change the schema under it.
    let schema = &mut model.schemas[0];
    schema.types[10].name = "Renamed".into();
    schema.types.remove(0);
    schema
        .types
        .push(StructuredType::new(TypeKind::Entity, "Added"));
    schema.enum_types.truncate(5);
    schema
        .type_definitions
        .insert(0, TypeDefinition::new("D99", Edm::String));
    agree(&model, "changed");
    assert!(model.resolve_type("b.T0").is_none());
    assert!(model.resolve_type("b.T10").is_none());
    assert!(matches!(
        model.resolve_type("b.Added"),
        Some(SchemaType::Structured(t)) if t.kind == TypeKind::Entity
    ));
    // A clone carries the index, and answers for its own schemas.
    let mut copy = model.clone();
    copy.schemas[0].types.retain(|t| t.name != "T200");
    agree(&copy, "cloned");
    assert!(copy.resolve_type("b.T200").is_none());
    assert!(model.resolve_type("b.T200").is_some());
}

/// `derived_types` and `is_derived_from` as they were first written, from the public
/// lookups: each type's ancestors, named by `qualified_name_of`.
fn derived_by_ancestors<'m>(
    model: &'m Model,
    qualified: &str,
) -> Vec<(String, &'m StructuredType)> {
    let Some(root) = model.canonical_name(qualified) else {
        return Vec::new();
    };
    model
        .structured_types()
        .filter(|(name, ty)| {
            name != &root
                && model
                    .ancestors(ty)
                    .iter()
                    .skip(1)
                    .filter_map(|t| model.qualified_name_of(t))
                    .any(|ancestor| ancestor == root)
        })
        .collect()
}

/// Inheritance answers as the ancestor walk does, over the case models and a schema with
/// chains, a cycle, an alias-qualified base, a base in another schema and a missing base.
#[test]
fn derived_types_answer_as_the_ancestor_walk() {
    use odata_query::model::Schema;
    let mut odd = Model::builder()
        .namespace("a.ns")
        .alias("A")
        .build()
        .expect("an empty schema builds");
    let base = |name: &str, base_type: Option<&str>| {
        let mut ty = StructuredType::new(TypeKind::Entity, name);
        ty.base_type = base_type.map(String::from);
        ty
    };
    odd.schemas[0].types = vec![
        base("Root", None),
        base("Mid", Some("a.ns.Root")),
        base("Leaf", Some("A.Mid")),
        base("Deeper", Some("a.ns.Leaf")),
        base("CycleX", Some("a.ns.CycleY")),
        base("CycleY", Some("A.CycleX")),
        base("Orphan", Some("a.ns.Missing")),
        base("Foreign", Some("other.Far")),
    ];
    let mut other = Schema::new("other".to_owned());
    other.types = vec![
        base("Far", Some("A.Mid")),
        base("Farther", Some("other.Far")),
        // Shares its simple name with `a.ns.Root`, and derives from nothing.
        base("Root", None),
    ];
    odd.schemas.push(other);
    let models = [
        ("odd", odd),
        ("library", library()),
        (
            "trippin",
            Model::from_csdl_json(&read_case("tests/cases/model/trippin-json.csdl.json"))
                .expect("trippin reads"),
        ),
    ];
    for (label, model) in &models {
        let mut names: Vec<String> = model.structured_types().map(|(name, _)| name).collect();
        names.extend(["a.ns.Missing", "A.Root", "A.Leaf", "nowhere.T", "NoDot"].map(String::from));
        let mut derived_somewhere = 0;
        for base_name in &names {
            let expected = derived_by_ancestors(model, base_name);
            let got = model.derived_types(base_name);
            let pairs = |list: &[(String, &StructuredType)]| {
                list.iter()
                    .map(|(name, ty)| (name.clone(), *ty as *const StructuredType))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                pairs(&got),
                pairs(&expected),
                "{label}: derived from {base_name}"
            );
            assert_eq!(
                model.has_derived_types(base_name),
                !expected.is_empty(),
                "{label}: has derived types of {base_name}"
            );
            derived_somewhere += got.len();
            for derived_name in &names {
                let expected = match (
                    model.canonical_name(derived_name),
                    model.canonical_name(base_name),
                ) {
                    (Some(d), Some(b)) => {
                        d == b || derived_by_ancestors(model, &b).iter().any(|(n, _)| *n == d)
                    }
                    _ => false,
                };
                assert_eq!(
                    model.is_derived_from(derived_name, base_name),
                    expected,
                    "{label}: {derived_name} from {base_name}"
                );
            }
        }
        assert!(derived_somewhere > 0, "{label} has derived types");
    }
}
