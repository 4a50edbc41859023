//! Parser and printer benchmarks: `cargo bench --bench parse`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use odata_query::{parse_filter, Query};

/// (name, raw query string).
const QUERIES: &[(&str, &str)] = &[
    ("simple", "$top=10"),
    (
        "graph_seed",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ),
    (
        "filter_typical",
        "$filter=status eq 'complete' and createdDateTime ge 2026-01-01T00:00:00Z and contains(source,'Azure')&$orderby=createdDateTime desc&$select=id,status,source&$top=50",
    ),
    (
        "expand_heavy",
        "$expand=files($filter=size gt 1000 and (endswith(name,'.csv') or name eq 'x');$orderby=uploadedDateTime desc,name;$top=3;$skip=1;$count=true;$select=id,name,size;$expand=owner($select=id,displayName;$expand=manager($levels=max;$select=id))),data&$filter=files/any(f: f/size gt 10000000 and f/uploadedDateTime lt 2026-06-01T00:00:00+02:00)&$count=true",
    ),
];

fn corpus() -> Vec<&'static str> {
    include_str!("data/parse-corpus.txt")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect()
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, raw) in QUERIES {
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_function(*name, |b| b.iter(|| Query::parse(black_box(raw))));
    }
    let lines = corpus();
    let accepted: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| Query::parse(line).is_ok())
        .collect();
    group.throughput(Throughput::Elements(accepted.len() as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for line in &accepted {
                black_box(Query::parse(black_box(line)).ok());
            }
        })
    });
    group.finish();

    let mut filters = c.benchmark_group("parse_filter");
    let filter = "(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')";
    filters.bench_function("arithmetic_and_not", |b| {
        b.iter(|| parse_filter(black_box(filter)))
    });
    filters.finish();
}

fn bench_print(c: &mut Criterion) {
    let mut group = c.benchmark_group("print");
    for (name, raw) in QUERIES {
        let Ok(query) = Query::parse(raw) else {
            continue;
        };
        group.bench_function(*name, |b| b.iter(|| black_box(&query).to_string()));
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_print);
criterion_main!(benches);
