//! `odq`: parse, check and answer OData v4.01 queries over JSON from the command line.
//!
//! Exit status: 0 success; 1 the query or the input was rejected (syntax, type, invalid
//! or empty JSON); 2 usage errors and I/O failures (a missing file, an unwritable output).

use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

mod apply_cmd;
mod apply_db;
mod bench_cmd;
mod db;
mod gen_cmd;
mod input;
mod load_cmd;
mod model_cmd;
mod output;
mod parse_cmd;
mod serve_cmd;
mod splice;
mod sql_cmd;

#[derive(Parser, Debug)]
#[command(
    name = "odq",
    version,
    about = "Parse and answer OData v4.01 queries over JSON",
    after_help = "Examples:\n  \
        odq apply '$filter=size gt 1000000&$top=5&$count=true' sessions.json\n  \
        odq parse --canonical '$FILTER=name+eq+%27a%27'\n  \
        odq gen 10000 > sessions.json\n  \
        odq model infer sessions.json --name uploadSessions\n\n\
        Exit status: 0 success; 1 the query or the input was rejected; 2 usage or I/O errors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse TEXT and print the AST as JSON, or its canonical text.
    #[command(after_help = "Examples:\n  \
        odq parse '$filter=size gt 1000000&$orderby=name desc'\n  \
        odq parse --canonical '$FILTER=a+EQ+1&top=2'      # $filter=a eq 1&$top=2\n  \
        odq parse --rule filter \"contains(name,'csv')\"\n  \
        printf '%s\\n' 'a eq 1' 'b gt' | odq parse --lines --rule filter")]
    Parse(parse_cmd::ParseArgs),
    /// Answer QUERY over JSON collections and print the OData JSON response.
    #[command(
        after_help = "Inputs: FILE arguments ('-' is stdin) are JSON arrays, OData responses \
        with \"value\", single entities, or JSON Lines (detected, or --lines); several inputs \
        are read as one collection. With no FILE, stdin is read; when stdin is a terminal the \
        embedded sample (eight upload sessions) is used, with a note on stderr.\n\n\
        Examples:\n  \
        odq apply '$filter=status eq '\\''failed'\\''&$select=id,status' sessions.json\n  \
        odq apply --pretty '$expand=files($filter=size gt 1000000)&$top=2' --sample\n  \
        odq apply --ndjson -r '$select=name' page1.json page2.json\n  \
        odq apply 'uploadSessions/$count?$filter=isUploadDone eq false' sessions.json\n  \
        odq apply --alias status=\"'failed'\" '$filter=status eq @status' < sessions.json"
    )]
    Apply(apply_cmd::ApplyArgs),
    /// Write N generated upload sessions (an OData response, one record per line).
    #[command(after_help = "Example:\n  odq gen 100000 --seed 7 > sessions.json")]
    Gen(gen_cmd::GenArgs),
    /// Print the parameterized SQL a query translates to: {"sql": ..., "params": [...]}.
    #[command(after_help = "Example:\n  \
        odq sql --model sessions.csdl.xml --dialect postgres '$filter=size gt 1000000&$top=5'")]
    Sql(sql_cmd::SqlArgs),
    /// Create the model's tables in a database and load a JSON collection into them.
    #[command(after_help = "Examples:\n  \
        odq load --model sessions.csdl.xml --db sqlite:sessions.db sessions.json\n  \
        odq load --model sessions.csdl.xml --db postgres://odq@%2Ftmp%2Fpg:5432/odq --replace sessions.json")]
    Load(load_cmd::LoadArgs),
    /// Data models: infer one from a JSON sample and print it as CSDL.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Serve a JSON file as an OData entity set over HTTP (loopback by default).
    #[command(after_help = "Examples:\n  \
        odq serve sessions.json --name uploadSessions --port 8080\n  \
        curl 'http://127.0.0.1:8080/uploadSessions?$filter=size%20gt%201000000&$top=5'\n  \
        curl 'http://127.0.0.1:8080/$metadata'")]
    Serve(serve_cmd::ServeArgs),
    /// Time the parser over every line of FILE (query rule), in-process.
    #[command(after_help = "Example:\n  odq bench-parse queries.txt --runs 15")]
    BenchParse(bench_cmd::BenchArgs),
}

#[derive(Subcommand, Debug)]
enum ModelCommand {
    /// Infer a model from a JSON sample (an array, {"value": [...]}, or one record) and
    /// print it as CSDL XML, or CSDL JSON with --json.
    #[command(after_help = "Examples:\n  \
        odq model infer sessions.json --name uploadSessions\n  \
        odq gen 100 | odq model infer - --json")]
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

/// When to colour output.
#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub(crate) enum ColorChoice {
    /// When stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub(crate) fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                // NO_COLOR set to anything but the empty string turns colour off.
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                std::io::stdout().is_terminal() && !no_color
            }
        }
    }
}

/// Flags shared by the subcommands that print JSON.
#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct PrintArgs {
    /// Indent the output (member order and number spelling are kept).
    #[arg(short, long, action = ArgAction::SetTrue, overrides_with = "compact")]
    pub(crate) pretty: bool,
    /// Compact output (the default).
    #[arg(short, long, action = ArgAction::SetTrue, overrides_with = "pretty")]
    pub(crate) compact: bool,
    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse_cmd::run(&args),
        Command::Apply(args) => apply_cmd::run(&args),
        Command::Gen(args) => gen_cmd::run(&args),
        Command::Model(ModelCommand::Infer { file, name, json }) => {
            model_cmd::infer(&file, name.as_deref(), json)
        }
        Command::Serve(args) => serve_cmd::run(&args),
        Command::BenchParse(args) => bench_cmd::run(&args),
        Command::Sql(args) => sql_cmd::run(&args),
        Command::Load(args) => load_cmd::run(&args),
    }
}

/// Prints `odq: message` on stderr and returns exit status 2 (usage and I/O errors).
pub(crate) fn fail(message: &str) -> ExitCode {
    eprintln!("odq: {message}");
    ExitCode::from(2)
}

/// Prints `text` and a newline on stdout: success, also when the reader has gone (a
/// closed pipe, as with `| head`), where `println!` would panic.
pub(crate) fn print_line(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("cannot write the response: {e}")),
    }
}
