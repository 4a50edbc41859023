//! `odq apply`: evaluate a query over a JSON document and print the OData response.
//!
//! The document is read into memory once and evaluated by the streaming path
//! ([`StreamPlan::apply_bytes`]): records are scanned in place and only what the query reads
//! is parsed. `--pretty` re-formats the response.

use std::io::{self, Write};
use std::process::ExitCode;

use odata_query::eval::EvalOptions;
use odata_query::sample::UPLOAD_SESSIONS;
use odata_query::stream::StreamPlan;
use odata_query::{EvalError, Query};

/// Prints an OData JSON error body on stderr and returns `status`.
fn error_exit(body: &serde_json::Value, status: u8) -> ExitCode {
    eprintln!("{body}");
    ExitCode::from(status)
}

fn input_error(message: String) -> serde_json::Value {
    serde_json::json!({ "error": { "code": "BadRequest", "message": message } })
}

/// Runs `odq apply`.
pub(crate) fn run(query: &str, file: Option<&str>, pretty: bool) -> ExitCode {
    let parsed = match Query::parse(query) {
        Ok(parsed) => parsed,
        Err(error) => return error_exit(&error.to_odata_error(), 1),
    };
    let plan = match StreamPlan::new(&parsed, &EvalOptions::default()) {
        Ok(plan) => plan,
        Err(error) => return error_exit(&error.to_odata_error(), 1),
    };
    // The response is collected first so that a failure prints the error and nothing
    // else (the library streams; a half-written response is no use to a shell user).
    let mut out: Vec<u8> = Vec::new();
    let result = match file {
        Some("-") => evaluate(&plan, io::stdin().lock(), &mut out, pretty),
        Some(path) if !pretty => plan
            .apply_file(std::path::Path::new(path), &mut out)
            .map(|_| ()),
        Some(path) => match std::fs::File::open(path) {
            Ok(file) => evaluate(&plan, file, &mut out, pretty),
            Err(e) => return error_exit(&input_error(format!("cannot read {path}: {e}")), 2),
        },
        None => match super::read_piped_stdin() {
            Ok(Some(bytes)) if !bytes.iter().all(u8::is_ascii_whitespace) => {
                evaluate(&plan, bytes.as_slice(), &mut out, pretty)
            }
            Ok(_) => evaluate(&plan, UPLOAD_SESSIONS.as_bytes(), &mut out, pretty),
            Err(e) => return error_exit(&input_error(format!("cannot read stdin: {e}")), 2),
        },
    };
    if let Err(error) = result {
        return error_exit(&error.to_odata_error(), 1);
    }
    out.push(b'\n');
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    if stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Evaluates the plan over `input` and writes the response, re-formatted with `pretty`.
fn evaluate(
    plan: &StreamPlan,
    input: impl io::Read,
    out: &mut impl Write,
    pretty: bool,
) -> Result<(), EvalError> {
    if !pretty {
        return plan.apply_reader(input, out).map(|_| ());
    }
    let mut buffer = Vec::new();
    plan.apply_reader(input, &mut buffer)?;
    let value: serde_json::Value =
        serde_json::from_slice(&buffer).map_err(|e| EvalError::Input(format!("response: {e}")))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| EvalError::Input(format!("response: {e}")))?;
    out.write_all(text.as_bytes())
        .map_err(|e| EvalError::Input(format!("cannot write the response: {e}")))
}
