//! The cost of checking a query against a model, beside the cost of parsing it, and
//! against a model with a large schema: `cargo bench --bench check`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use odata_query::model::Model;
use odata_query::Query;

/// (name, resource, raw query string) against the seed's service model.
const QUERIES: &[(&str, &str, &str)] = &[
    ("top", "uploadSessions", "$top=10"),
    (
        "graph_seed",
        "uploadSessions",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ),
    (
        "filter_typical",
        "uploadSessions",
        "$filter=status eq 'complete' and createdDateTime ge 2026-01-01T00:00:00Z and contains(source,'Azure')&$orderby=createdDateTime desc&$select=id,status,source&$top=50",
    ),
    (
        "lambda_and_cast",
        "uploadSessions",
        "$filter=files/any(f: f/size gt 10000000 and endswith(f/name,'.csv')) and data/microsoft.graph.accessReviewResourceDataUploadSessionContextData/accessReviewId ne null&$compute=stats/totalBytesUploaded div 1024 as kb&$orderby=kb desc",
    ),
];

fn model() -> Model {
    Model::from_csdl_xml(include_str!("../examples/upload-sessions.csdl.xml"))
        .expect("the example model loads")
}

fn bench_check(c: &mut Criterion) {
    let model = model();
    let mut group = c.benchmark_group("check");
    for (name, resource, raw) in QUERIES {
        let query = Query::parse(raw).expect("valid query");
        query
            .check(&model, resource)
            .expect("the query fits the model");
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| Query::parse(black_box(raw)))
        });
        group.bench_function(format!("check/{name}"), |b| {
            b.iter(|| black_box(&query).check(black_box(&model), resource))
        });
    }
    group.finish();
}

/// The same queries against the model with 2,000 more complex types declared before the
/// service's own (Microsoft Graph's schema declares about that many): name lookups in a
/// large schema.
fn bench_check_large_model(c: &mut Criterion) {
    let mut model = model();
    let schema = &mut model.schemas[0];
    let template = schema.types[0].clone();
    let mut types: Vec<_> = (0..2000)
        .map(|i| {
            let mut extra = template.clone();
            extra.name = format!("extraType{i}");
            extra
        })
        .collect();
    types.append(&mut schema.types);
    schema.types = types;
    let mut group = c.benchmark_group("check_large_model");
    for (name, resource, raw) in QUERIES {
        let query = Query::parse(raw).expect("valid query");
        query
            .check(&model, resource)
            .expect("the query fits the model");
        group.bench_function(format!("check/{name}"), |b| {
            b.iter(|| black_box(&query).check(black_box(&model), resource))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_check, bench_check_large_model);
criterion_main!(benches);
