//! `odq apply`: evaluate a query over a JSON document and print the OData response.

use std::process::ExitCode;

/// Runs `odq apply`.
pub(crate) fn run(query: &str, file: Option<&str>, pretty: bool) -> ExitCode {
    let _ = (query, file, pretty, super::read_piped_stdin);
    eprintln!("odq apply: not implemented yet");
    ExitCode::from(2)
}
