//! `odq`: parse and evaluate OData query options from the command line.

fn main() {
    eprintln!("odq: not implemented yet");
    std::process::exit(2);
}
