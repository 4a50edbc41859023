//! Evaluator benchmarks: `cargo bench --bench eval`.
//!
//! - `compile`: AST to plan;
//! - `apply/<query>/<n>`: `Plan::apply` over n generated upload sessions (1k, 10k, 100k);
//! - `filter_vs_closure`: the compiled `$filter` against a hand-written Rust closure over
//!   the same `Vec<Value>`;
//! - `stream/<query>`: bytes in, bytes out through `StreamPlan`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use odata_query::sample::{upload_session_records, upload_sessions};
use odata_query::{EvalOptions, Query, StreamPlan};
use serde_json::Value;

#[path = "common/filters.rs"]
mod filters;
use filters::FILTERS;

/// (name, query): every operator family, lambdas, functions, ordering with and without
/// `$top`, nested `$expand`, `$select`, `$count`.
const QUERIES: &[(&str, &str)] = &[
    ("gt_count", "$filter=stats/totalBytesUploaded gt 1000000&$count=true&$top=0"),
    ("eq_and", "$filter=status eq 'complete' and isUploadDone eq true&$count=true&$top=0"),
    ("any_lambda", "$filter=files/any(f: f/size gt 10000000)&$count=true&$top=0"),
    ("all_lambda", "$filter=files/all(f: f/size lt 50000000)&$count=true&$top=0"),
    ("string_functions", "$filter=startswith(source,'Azure') or contains(source,'Sap')&$count=true&$top=0"),
    ("tolower_eq", "$filter=tolower(status) eq 'failed'&$count=true&$top=0"),
    ("dates", "$filter=createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt 2026-04-01T00:00:00Z&$count=true&$top=0"),
    ("date_functions", "$filter=year(createdDateTime) eq 2025 and hour(createdDateTime) lt 12&$count=true&$top=0"),
    ("arithmetic_not", "$filter=(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')&$count=true&$top=0"),
    ("in_list", "$filter=source in ('Okta','Workday','ServiceNow')&$count=true&$top=0"),
    ("null_test", "$filter=source eq null or status ne null&$count=true&$top=0"),
    ("materialize", "$filter=status eq 'failed'"),
    ("orderby_all", "$orderby=createdDateTime desc"),
    ("orderby_top", "$orderby=stats/totalBytesUploaded desc&$top=10"),
    ("select", "$select=id,status,createdDateTime&$top=100"),
    ("expand_nested", "$filter=stats/totalBytesUploaded gt 1000000&$orderby=createdDateTime desc&$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z;$orderby=size desc;$top=3)&$top=10&$skip=5&$count=true"),
    ("search", "$search=users AND NOT groups&$count=true&$top=0"),
    ("compute", "$compute=stats/filesUploaded mul 2 as twice&$filter=twice gt 6&$count=true&$top=0"),
];

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for (name, raw) in QUERIES {
        let query = Query::parse(raw).expect("benchmark query parses");
        group.bench_function(*name, |b| {
            b.iter(|| black_box(&query).compile(&EvalOptions::default()))
        });
    }
    group.finish();
}

fn bench_apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    for n in [1_000usize, 10_000, 100_000] {
        let document = upload_sessions(n, 20260101);
        group.throughput(Throughput::Elements(n as u64));
        for (name, raw) in QUERIES {
            let plan = Query::parse(raw)
                .expect("parses")
                .compile(&EvalOptions::default())
                .expect("compiles");
            group.bench_with_input(BenchmarkId::new(*name, n), &document, |b, document| {
                b.iter(|| plan.apply(black_box(document)))
            });
        }
    }
    group.finish();
}

/// The compiled filter against the closure a Rust programmer would write by hand: the
/// bench's headline query (`compiled_filter`/`hand_written_closure`), then each of
/// [`FILTERS`] as `<name>/compiled` and `<name>/closure`, side by side.
fn bench_filter_vs_closure(c: &mut Criterion) {
    let items: Vec<Value> = upload_session_records(100_000, 20260101);
    let compile = |filter: &str| {
        Query::parse(&format!("$filter={filter}"))
            .expect("parses")
            .compile(&EvalOptions::default())
            .expect("compiles")
    };
    let plan = compile("stats/totalBytesUploaded gt 1000000");
    let closure = FILTERS[0].2;
    let expected = items.iter().filter(|item| closure(item)).count();
    assert_eq!(plan.filter_iter(&items).count(), expected);
    let mut group = c.benchmark_group("filter_vs_closure");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(items.len() as u64));
    group.bench_function("compiled_filter", |b| {
        b.iter(|| plan.filter_iter(black_box(&items)).count())
    });
    group.bench_function("hand_written_closure", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .filter(|item| {
                    item["stats"]["totalBytesUploaded"]
                        .as_u64()
                        .is_some_and(|n| n > 1_000_000)
                })
                .count()
        })
    });
    for (name, filter, closure) in FILTERS {
        let plan = compile(filter);
        let expected = items.iter().filter(|item| closure(item)).count();
        let got = plan
            .filter_iter(&items)
            .collect::<Result<Vec<_>, _>>()
            .expect("evaluates")
            .len();
        assert_eq!(got, expected, "{name}: the closure disagrees with the plan");
        group.bench_function(format!("{name}/compiled"), |b| {
            b.iter(|| plan.filter_iter(black_box(&items)).count())
        });
        group.bench_function(format!("{name}/closure"), |b| {
            b.iter(|| {
                black_box(&items)
                    .iter()
                    .filter(|item| closure(item))
                    .count()
            })
        });
    }
    group.finish();
}

fn bench_stream(c: &mut Criterion) {
    let bytes = serde_json::to_vec(&upload_sessions(100_000, 20260101)).expect("serialises");
    let mut group = c.benchmark_group("stream");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    for (name, raw) in QUERIES {
        let query = Query::parse(raw).expect("parses");
        let plan = StreamPlan::new(&query, &EvalOptions::default()).expect("compiles");
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut out = Vec::new();
                plan.apply_bytes(black_box(&bytes), &mut out)
                    .map(|_| out.len())
            })
        });
    }
    group.finish();
}

/// Which path a server should take for data it already holds: `Plan::apply` over the
/// `Value`, or `StreamPlan` over the same data serialised (what a proxy has).
fn bench_server_paths(c: &mut Criterion) {
    let document = upload_sessions(1_000, 20260101);
    let bytes = serde_json::to_vec(&document).expect("serialises");
    let raw = "$filter=stats/totalBytesUploaded gt 100000&$expand=files($filter=size gt 1000;$orderby=uploadedDateTime desc)&$top=50&$count=true";
    let query = Query::parse(raw).expect("parses");
    let plan = query.compile(&EvalOptions::default()).expect("compiles");
    let stream = StreamPlan::new(&query, &EvalOptions::default()).expect("compiles");
    let mut group = c.benchmark_group("server_paths");
    group.bench_function("plan_apply_value", |b| {
        b.iter(|| plan.apply(black_box(&document)))
    });
    group.bench_function("stream_apply_bytes", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            stream
                .apply_bytes(black_box(&bytes), &mut out)
                .map(|_| out.len())
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_compile,
    bench_apply,
    bench_filter_vs_closure,
    bench_stream,
    bench_server_paths
);
criterion_main!(benches);
