//! Model benchmarks: `cargo bench --bench model --features csdl`.
//!
//! Reading the TripPin-like test document and the Graph-shaped upload-sessions example in
//! both formats, writing them, a few lookups, and a size sweep of generated models (Microsoft
//! Graph's `$metadata` has a few thousand types).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use odata_query::model::{Edm, Model};

const TRIPPIN_JSON: &str = include_str!("../tests/cases/model/trippin-json.csdl.json");
#[cfg(feature = "csdl")]
const TRIPPIN_XML: &str = include_str!("../tests/cases/model/trippin.csdl.xml");
#[cfg(feature = "csdl")]
const GRAPH_EXAMPLE_XML: &str = include_str!("../examples/upload-sessions.csdl.xml");

/// A model of `types` entity types, each with ten properties and a navigation to the next.
fn generated(types: usize) -> Model {
    let mut builder = Model::builder().namespace("bench.graph");
    for index in 0..types {
        let next = format!("type{}", (index + 1) % types);
        builder = builder.entity_type(&format!("type{index}"), |t| {
            let mut t = t.key("id").property("id", Edm::String);
            for property in 0..9 {
                t = t.property(
                    &format!("p{property}"),
                    if property % 2 == 0 {
                        Edm::Int64
                    } else {
                        Edm::String
                    },
                );
            }
            t.navigation_collection("next", &next)
        });
        builder = builder.entity_set(&format!("set{index}"), &format!("type{index}"));
    }
    builder.build_unchecked()
}

/// A Graph-shaped model: `types` entity types that all derive from one `entity` type, and
/// one complex type nothing derives from.
fn derived_from_one_base(types: usize) -> Model {
    let mut builder = Model::builder()
        .namespace("bench.graph")
        .entity_type("entity", |t| t.key("id").property("id", Edm::String))
        .complex_type("address", |t| t.property("street", Edm::String));
    for index in 0..types {
        builder = builder.entity_type(&format!("type{index}"), |t| {
            t.base_type("bench.graph.entity").property("p0", Edm::Int64)
        });
    }
    builder.build_unchecked()
}

fn bench_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_read");
    group.throughput(Throughput::Bytes(TRIPPIN_JSON.len() as u64));
    group.bench_function("trippin_json", |b| {
        b.iter(|| Model::from_csdl_json(black_box(TRIPPIN_JSON)))
    });
    #[cfg(feature = "csdl")]
    for (name, text) in [
        ("trippin_xml", TRIPPIN_XML),
        ("graph_example_xml", GRAPH_EXAMPLE_XML),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| Model::from_csdl_xml(black_box(text))));
    }
    group.finish();

    let mut sweep = c.benchmark_group("model_read_generated");
    sweep.sample_size(20);
    for types in [10usize, 100, 1000] {
        let model = generated(types);
        let json = model.to_csdl_json();
        sweep.throughput(Throughput::Bytes(json.len() as u64));
        sweep.bench_with_input(BenchmarkId::new("json", types), &json, |b, text| {
            b.iter(|| Model::from_csdl_json(black_box(text)))
        });
        #[cfg(feature = "csdl")]
        {
            let xml = model.to_csdl_xml();
            sweep.throughput(Throughput::Bytes(xml.len() as u64));
            sweep.bench_with_input(BenchmarkId::new("xml", types), &xml, |b, text| {
                b.iter(|| Model::from_csdl_xml(black_box(text)))
            });
        }
    }
    sweep.finish();
}

fn bench_write_and_lookup(c: &mut Criterion) {
    let model = Model::from_csdl_json(TRIPPIN_JSON).unwrap();
    let mut group = c.benchmark_group("model_write");
    group.bench_function("trippin_json", |b| {
        b.iter(|| black_box(&model).to_csdl_json())
    });
    #[cfg(feature = "csdl")]
    group.bench_function("trippin_xml", |b| {
        b.iter(|| black_box(&model).to_csdl_xml())
    });
    group.finish();

    let mut lookups = c.benchmark_group("model_lookup");
    lookups.bench_function("set_type_inherited_property", |b| {
        b.iter(|| {
            let person = model.entity_set_type(black_box("People")).unwrap();
            let manager = model.entity_type(black_box("tp.Manager")).unwrap();
            (
                model.property(person, "LastName"),
                model.property(manager, "UserName"),
            )
        })
    });
    lookups.bench_function("derived_types", |b| {
        b.iter(|| model.derived_types(black_box("Trippin.PlanItem")).len())
    });
    let big = generated(1000);
    lookups.bench_function("set_type_in_1000_types", |b| {
        b.iter(|| model_set_lookup(&big, black_box("set999")))
    });
    let graph_like = derived_from_one_base(2000);
    lookups.bench_function("derived_types_of_base_of_2000", |b| {
        b.iter(|| {
            graph_like
                .derived_types(black_box("bench.graph.entity"))
                .len()
        })
    });
    lookups.bench_function("derived_types_of_leaf_among_2000", |b| {
        b.iter(|| {
            graph_like
                .derived_types(black_box("bench.graph.address"))
                .is_empty()
        })
    });
    lookups.finish();
}

fn model_set_lookup<'m>(model: &'m Model, set: &str) -> Option<&'m odata_query::model::Property> {
    let ty = model.entity_set_type(set)?;
    model.property(ty, "p8")
}

criterion_group!(benches, bench_read, bench_write_and_lookup);
criterion_main!(benches);
