//! The compiled `$filter` against hand-written closures, measured so that a shared,
//! noisy machine disturbs the ratio as little as possible: `cargo bench --bench
//! filter_ratio [-- ROUNDS] [NAME ...]`: only the rows whose name contains one of the NAMEs
//! when any are given (`nested_eq`, `datetime`, ...).
//!
//! For each filter of the table, the two sides run alternately, one pass over 100k
//! generated records at a time, for ROUNDS rounds (default 15); the table gives the
//! fastest and the median pass of each and the ratio of the fastest passes (the pass
//! least disturbed by other load). The answers are asserted equal first.
//!
//! `ODQ_BENCH_RECORDS=N` generates N records instead (each pass then repeats the filter
//! about 100k / N times): 2,000 records fit in the cache, where the plan's own dispatch
//! counts for more than with 100k, whose passes wait on memory.

use std::hint::black_box;
use std::time::{Duration, Instant};

use odata_query::sample::upload_session_records;
use odata_query::{EvalOptions, Query};
use serde_json::Value;

#[path = "common/filters.rs"]
mod filters;
use filters::FILTERS;

fn time(f: impl FnOnce() -> usize) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let names: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<usize>().is_err())
        .collect();
    // `ODQ_BENCH_RECORDS=2000` measures data that fits in the cache; each pass then
    // repeats the filter so that it still makes about 100k evaluations.
    let records: usize = std::env::var("ODQ_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
        .max(1);
    let repeat = (100_000 / records).max(1);
    let items: Vec<Value> = upload_session_records(records, 20260101);
    println!("| filter | compiled min (median) ms | closure min (median) ms | ratio of mins |");
    println!("|---|---|---|---|");
    let mut ratios = Vec::new();
    for (name, filter, closure) in FILTERS {
        if !names.is_empty() && !names.iter().any(|n| name.contains(n.as_str())) {
            continue;
        }
        let plan = Query::parse(&format!("$filter={filter}"))
            .expect("parses")
            .compile(&EvalOptions::default())
            .expect("compiles");
        let expected = items.iter().filter(|item| closure(item)).count();
        let got = plan
            .filter_iter(&items)
            .collect::<Result<Vec<_>, _>>()
            .expect("evaluates")
            .len();
        assert_eq!(got, expected, "{name}: the closure disagrees with the plan");
        let (mut compiled, mut hand) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            compiled.push(time(|| {
                (0..repeat)
                    .map(|_| plan.filter_iter(black_box(&items)).count())
                    .sum()
            }));
            hand.push(time(|| {
                (0..repeat)
                    .map(|_| {
                        black_box(&items)
                            .iter()
                            .filter(|item| closure(item))
                            .count()
                    })
                    .sum()
            }));
        }
        compiled.sort();
        hand.sort();
        let ratio = ms(compiled[0]) / ms(hand[0]);
        ratios.push(ratio);
        println!(
            "| `{filter}` | {:.1} ({:.1}) | {:.1} ({:.1}) | {ratio:.2}× |",
            ms(compiled[0]),
            ms(compiled[rounds / 2]),
            ms(hand[0]),
            ms(hand[rounds / 2]),
        );
    }
    let geomean = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    println!("\ngeometric mean of the ratios: {geomean:.2}×");
}
