//! `odq gen`: deterministic generated upload sessions, for trying queries on data of any
//! size (the benchmarks use the same generator).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Args;
use odata_query::sample::{upload_session_iter, GENERATED_CONTEXT};

use crate::fail;

#[derive(Args, Debug)]
pub(crate) struct GenArgs {
    /// How many upload sessions.
    count: usize,
    /// The generator's seed: the same seed gives the same data on every platform.
    #[arg(long, default_value_t = 20260101)]
    seed: u64,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<String>,
    /// JSON Lines (one session per line) instead of an OData response.
    #[arg(long)]
    lines: bool,
}

pub(crate) fn run(args: &GenArgs) -> ExitCode {
    let result = match &args.output {
        Some(path) => match File::create(path) {
            Ok(file) => write(args, BufWriter::new(file)),
            Err(e) => return fail(&format!("gen: cannot create {path}: {e}")),
        },
        None => write(args, BufWriter::new(io::stdout().lock())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("gen: cannot write: {e}")),
    }
}

/// One record per line inside `value`, so the output is one JSON document that line
/// tools can still handle.
fn write(args: &GenArgs, mut out: impl Write) -> io::Result<()> {
    if args.lines {
        for record in upload_session_iter(args.seed).take(args.count) {
            writeln!(out, "{record}")?;
        }
        return out.flush();
    }
    write!(
        out,
        "{{\"@odata.context\":{},\"value\":[",
        serde_json::Value::from(GENERATED_CONTEXT)
    )?;
    for (i, record) in upload_session_iter(args.seed).take(args.count).enumerate() {
        let separator = if i == 0 { "\n" } else { ",\n" };
        write!(out, "{separator}{record}")?;
    }
    writeln!(out, "\n]}}")?;
    out.flush()
}
