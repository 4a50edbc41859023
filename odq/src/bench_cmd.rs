//! `odq bench-parse`: parse every line of a file in-process, once untimed to count what is
//! accepted, then in timed passes over the accepted lines. Each line is a query string,
//! read with [`Query::parse_with`] (the library's entry point for query strings, as in the
//! criterion benches) and dropped.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use odata_query::{ParseOptions, Query};

use crate::fail;

#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// One query string per line.
    file: String,
    /// Timed passes over the accepted lines.
    #[arg(long, default_value_t = 15)]
    runs: usize,
}

pub(crate) fn run(args: &BenchArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(e) => return fail(&format!("bench-parse: cannot read {}: {e}", args.file)),
    };
    let options = ParseOptions::default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let accepted: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| Query::parse_with(line, &options).is_ok())
        .collect();
    let runs = args.runs.max(1);
    let mut per_query_us = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        for line in &accepted {
            std::hint::black_box(Query::parse_with(std::hint::black_box(line), &options)).ok();
        }
        let elapsed = start.elapsed().as_secs_f64() * 1e6;
        per_query_us.push(elapsed / accepted.len().max(1) as f64);
    }
    per_query_us.sort_by(f64::total_cmp);
    let result = serde_json::json!({
        "unit": "us/query",
        "median": per_query_us[per_query_us.len() / 2],
        "min": per_query_us[0],
        "max": per_query_us[per_query_us.len() - 1],
        "runs": runs,
        "accepted": accepted.len(),
        "total": lines.len(),
    });
    crate::print_line(&result.to_string())
}
