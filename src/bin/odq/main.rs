//! `odq`: parse and evaluate OData query options from the command line.
//!
//! - `odq parse [--rule R] [--strict] [--canonical] [--lines] [--] TEXT`
//! - `odq apply [--pretty] QUERY [FILE|-]`
//! - `odq bench-parse FILE [--runs N]`
//! - `odq model infer FILE.json [--name SET] [--json]`
//!
//! Exit status: 0 success, 1 the query (or input) was rejected, 2 any other failure.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use odata_query::{parse_rule, ParseError, ParseOptions, Parsed, Rule};

mod apply_cmd;
mod model_cmd;

#[derive(Parser, Debug)]
#[command(
    name = "odq",
    version,
    about = "Parse and evaluate OData v4.01 query options"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse TEXT (raw URL text; for option rules, the option's value) and print the AST
    /// as JSON, or the canonical text with --canonical.
    Parse {
        /// The grammar rule.
        #[arg(long, value_enum, default_value_t = RuleArg::Query)]
        rule: RuleArg,
        /// Follow the ABNF exactly: a raw '+' is a plus sign, never a space.
        #[arg(long)]
        strict: bool,
        /// Print the canonical query text instead of JSON.
        #[arg(long)]
        canonical: bool,
        /// Read one input per line from stdin; print one JSON result per line.
        #[arg(long)]
        lines: bool,
        /// The text to parse (omit with --lines).
        text: Option<String>,
    },
    /// Evaluate QUERY over a JSON collection and print the OData JSON response.
    /// Without FILE, reads piped stdin; with no piped input, uses the embedded sample.
    Apply {
        /// Pretty-print the response.
        #[arg(long)]
        pretty: bool,
        /// The query string (raw URL text, e.g. '$filter=size gt 1000000&$top=5').
        query: String,
        /// A JSON file, or '-' for stdin.
        file: Option<String>,
    },
    /// Time the parser: parse every line of FILE (query rule) in-process.
    BenchParse {
        /// One query string per line.
        file: String,
        /// Timed passes over the accepted lines.
        #[arg(long, default_value_t = 15)]
        runs: usize,
    },
    /// Data models: `odq model infer FILE.json`.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ModelCommand {
    /// Infer a model from a JSON sample (an array, {"value": [...]}, or one record) and
    /// print it as CSDL XML, or CSDL JSON with --json.
    Infer {
        /// The sample, or '-' for stdin.
        file: String,
        /// The entity set name (default: from @odata.context, else the file name).
        #[arg(long)]
        name: Option<String>,
        /// Print CSDL JSON instead of CSDL XML.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RuleArg {
    Query,
    Filter,
    Orderby,
    Expand,
    Select,
    Search,
    Compute,
    Apply,
    Expr,
}

impl RuleArg {
    fn rule(self) -> Rule {
        match self {
            RuleArg::Query => Rule::Query,
            RuleArg::Filter => Rule::Filter,
            RuleArg::Orderby => Rule::OrderBy,
            RuleArg::Expand => Rule::Expand,
            RuleArg::Select => Rule::Select,
            RuleArg::Search => Rule::Search,
            RuleArg::Compute => Rule::Compute,
            RuleArg::Apply => Rule::Apply,
            RuleArg::Expr => Rule::Expr,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse {
            rule,
            strict,
            canonical,
            lines,
            text,
        } => {
            let options = ParseOptions {
                strict,
                ..ParseOptions::default()
            };
            if lines {
                parse_lines(rule.rule(), &options, canonical)
            } else {
                match text {
                    Some(text) => parse_one(rule.rule(), &text, &options, canonical),
                    None => fail("odq parse: give TEXT, or --lines to read stdin"),
                }
            }
        }
        Command::Apply {
            pretty,
            query,
            file,
        } => apply_cmd::run(&query, file.as_deref(), pretty),
        Command::BenchParse { file, runs } => bench_parse(&file, runs),
        Command::Model {
            command: ModelCommand::Infer { file, name, json },
        } => model_cmd::infer(&file, name.as_deref(), json),
    }
}

/// Prints a message on stderr and returns exit status 2.
fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn render(parsed: &Parsed, canonical: bool) -> Result<String, String> {
    if canonical {
        Ok(parsed.to_string())
    } else {
        serde_json::to_string(parsed).map_err(|e| format!("odq: cannot print the AST: {e}"))
    }
}

fn parse_one(rule: Rule, text: &str, options: &ParseOptions, canonical: bool) -> ExitCode {
    match parse_rule(rule, text, options) {
        Ok(parsed) => match render(&parsed, canonical) {
            Ok(out) => {
                println!("{out}");
                ExitCode::SUCCESS
            }
            Err(message) => fail(&message),
        },
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

/// The JSON line printed for a rejected input in `--lines` mode.
fn error_line(error: &ParseError) -> String {
    let mut body = error.to_odata_error();
    body["error"]["offset"] = serde_json::Value::from(error.offset);
    body.to_string()
}

fn parse_lines(rule: Rule, options: &ParseOptions, canonical: bool) -> ExitCode {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut rejected = false;
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) => return fail(&format!("odq: cannot read stdin: {e}")),
        };
        let printed = match parse_rule(rule, &line, options) {
            Ok(parsed) => match render(&parsed, canonical) {
                Ok(text) if canonical => serde_json::Value::String(text).to_string(),
                Ok(text) => text,
                Err(message) => return fail(&message),
            },
            Err(error) => {
                rejected = true;
                error_line(&error)
            }
        };
        if writeln!(out, "{printed}").is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    if rejected {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn bench_parse(file: &str, runs: usize) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => return fail(&format!("odq bench-parse: cannot read {file}: {e}")),
    };
    let options = ParseOptions::default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let accepted: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| parse_rule(Rule::Query, line, &options).is_ok())
        .collect();
    let runs = runs.max(1);
    let mut per_query_us = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        for line in &accepted {
            std::hint::black_box(parse_rule(
                Rule::Query,
                std::hint::black_box(line),
                &options,
            ))
            .ok();
        }
        let elapsed = start.elapsed().as_secs_f64() * 1e6;
        per_query_us.push(elapsed / accepted.len().max(1) as f64);
    }
    per_query_us.sort_by(f64::total_cmp);
    let median = per_query_us[per_query_us.len() / 2];
    let result = serde_json::json!({
        "unit": "us/query",
        "median": median,
        "min": per_query_us[0],
        "max": per_query_us[per_query_us.len() - 1],
        "runs": runs,
        "accepted": accepted.len(),
        "total": lines.len(),
    });
    println!("{result}");
    ExitCode::SUCCESS
}

/// Reads the whole of stdin, or `None` when it is a terminal (nothing piped).
fn read_piped_stdin() -> io::Result<Option<Vec<u8>>> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    stdin.lock().read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}
