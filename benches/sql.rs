//! SQL translation benchmarks: `cargo bench --features sql,csdl --bench sql`. The time to
//! turn a parsed query into parameterized SQL (`Query::to_sql`) for each dialect, over the
//! upload-sessions model (examples/upload-sessions.csdl.xml): the seed's requests, the
//! eight evaluator workloads and a few heavier shapes. Queries are parsed and the mapping
//! built outside the timed loop. A size sweep grows an `in` list and an `or` chain.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use odata_query::model::Model;
use odata_query::sql::{Dialect, Mapping, SqlOptions};
use odata_query::Query;

/// (name, query string).
const QUERIES: &[(&str, &str)] = &[
    ("plain", ""),
    (
        "seed_expand",
        "$expand=files($filter=size gt 1000000;$orderby=uploadedDateTime desc)&$top=5&$count=true",
    ),
    ("q10_count_gt", "$filter=stats/totalBytesUploaded gt 1000000&$count=true&$top=0"),
    (
        "q12_any",
        "$filter=files/any(f: f/size gt 10000000)&$count=true&$top=0",
    ),
    (
        "q15_strings",
        "$filter=startswith(source,'Azure') or contains(source,'Sap')&$count=true&$top=0",
    ),
    (
        "q26_arith_not",
        "$filter=(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')&$count=true&$top=0",
    ),
    (
        "q32_page",
        "$filter=stats/totalBytesUploaded gt 1000000&$orderby=createdDateTime desc&$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z;$orderby=size desc;$top=3)&$top=10&$skip=5&$count=true",
    ),
    (
        "select_search_compute",
        "$search=azure OR \"sap success\"&$compute=stats/filesUploaded mul 2 as twice&$select=id,status,twice&$orderby=twice desc,id",
    ),
    (
        "apply_groupby",
        "$apply=filter(status ne 'failed')/groupby((source,isUploadDone),aggregate($count as n,files/size with sum as bytes,createdDateTime with max as latest))",
    ),
    (
        "functions",
        "$filter=year(createdDateTime) eq 2026 and tolower(substring(source,0,5)) eq 'azure' and length(trim(status)) gt 3 and (createdDateTime add duration'P1D') lt now()",
    ),
];

fn mapping() -> Mapping {
    let model = Model::from_csdl_xml(include_str!("../examples/upload-sessions.csdl.xml"))
        .expect("the example model reads");
    Mapping::from_model(&model).expect("the example model maps")
}

fn bench_translate(c: &mut Criterion) {
    let mapping = mapping();
    let mut group = c.benchmark_group("to_sql");
    for (name, text) in QUERIES {
        let query = Query::parse(text).expect("the benchmark queries parse");
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let options = SqlOptions::new(dialect);
            // Translate once untimed, so a query the translation refuses fails loudly.
            query
                .to_sql_with(&mapping, &options)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            group.bench_function(BenchmarkId::new(*name, format!("{dialect:?}")), |b| {
                b.iter(|| black_box(&query).to_sql_with(&mapping, &options))
            });
        }
    }
    group.finish();
}

fn bench_sizes(c: &mut Criterion) {
    let mapping = mapping();
    let mut group = c.benchmark_group("to_sql_size");
    let options = SqlOptions::new(Dialect::Postgres);
    for n in [10usize, 100, 1000] {
        let list: Vec<String> = (0..n).map(|i| format!("'s{i}'")).collect();
        let in_list = Query::parse(&format!("$filter=source in ({})", list.join(",")))
            .expect("the in list parses");
        group.bench_with_input(BenchmarkId::new("in_list", n), &in_list, |b, query| {
            b.iter(|| query.to_sql_with(&mapping, &options))
        });
    }
    // An `or` chain nests one level per term: the parser's depth limit (200) bounds it.
    for n in [10usize, 50, 150] {
        let terms: Vec<String> = (0..n)
            .map(|i| format!("stats/filesUploaded eq {i}"))
            .collect();
        let or_chain =
            Query::parse(&format!("$filter={}", terms.join(" or "))).expect("the or chain parses");
        group.bench_with_input(BenchmarkId::new("or_chain", n), &or_chain, |b, query| {
            b.iter(|| query.to_sql_with(&mapping, &options))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_translate, bench_sizes);
criterion_main!(benches);
