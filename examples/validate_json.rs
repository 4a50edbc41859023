//! The floor for streaming: read a JSON file and validate it with serde_json without
//! building anything (`serde::de::IgnoredAny`). `scripts/stream-vs-serde.sh` times it
//! beside `odq apply`.
//!
//! ```sh
//! cargo run --release --example validate_json -- FILE.json
//! ```

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: validate_json FILE.json");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        eprintln!("invalid JSON: {e}");
        std::process::exit(1);
    }
}
