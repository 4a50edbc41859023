//! Writes a deterministic upload-session collection of N records:
//! `cargo run --release --example gen_data -- N OUT.json [SEED]`.
//! One record per line inside `value`, so the output is one JSON document that line tools
//! can still handle.

use std::fs::File;
use std::io::{BufWriter, Write};

use odata_query::sample::{upload_session_iter, GENERATED_CONTEXT};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: gen_data N OUT.json [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20260101);
    let mut file = BufWriter::new(File::create(out)?);
    write!(
        file,
        "{{\"@odata.context\":{},\"value\":[",
        serde_json::Value::from(GENERATED_CONTEXT)
    )?;
    for (i, record) in upload_session_iter(seed).take(n).enumerate() {
        let separator = if i == 0 { "\n" } else { ",\n" };
        write!(file, "{separator}{record}")?;
    }
    writeln!(file, "\n]}}")?;
    file.flush()
}
