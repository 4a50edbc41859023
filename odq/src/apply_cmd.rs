//! `odq apply`: answer a query over JSON inputs and print the OData JSON response.
//!
//! Inputs are streamed ([`StreamPlan`]): records are read one at a time, only what the
//! query reads is parsed, and the response is written while the input is read. Memory
//! grows only with what `$orderby` (the window with `$top`, else every match) and
//! `$count=true` (the response items, which follow the count) must hold. The first 4 MiB
//! of output are held back until the answer is complete, so an error (invalid input
//! halfway, a division by zero in some record) usually leaves stdout empty; after that,
//! output streams, and a later error leaves it incomplete, ended by a newline. Either way
//! the error goes to stderr (exit 1).

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use odata_query::check::CheckError;
use odata_query::eval::EvalOptions;
use odata_query::stream::StreamPlan;
use odata_query::{EvalError, ParseError, ParseOptions, Query};

use crate::input::{self, InputError, Prepared, ProgressChoice, ReadOptions, Source};
use crate::output::{Formatter, Style};
use crate::{fail, model_cmd, PrintArgs};

#[derive(Args, Debug)]
pub(crate) struct ApplyArgs {
    /// The query string ('$filter=size gt 1000000&$top=5'), or a path and query ending in
    /// '/$count' ('uploadSessions/$count?$filter=...') to print just the count.
    query: String,
    /// JSON inputs ('-' is stdin); several are read as one collection.
    files: Vec<String>,
    #[command(flatten)]
    print: PrintArgs,
    /// Print the items of the response's value one per line (JSON Lines); counts and
    /// links are dropped.
    #[arg(long)]
    ndjson: bool,
    /// Print a string result without quotes: the whole response, or with --ndjson each item
    /// that is a string or an object with one property.
    #[arg(short, long)]
    raw: bool,
    /// The inputs are JSON Lines (one record per line); otherwise detected per input
    /// (a .jsonl or .ndjson name, or the content).
    #[arg(long)]
    lines: bool,
    /// A parameter alias value, NAME=VALUE in URL syntax (`--alias p="'x'"` is `@p='x'`).
    #[arg(long = "alias", value_name = "NAME=VALUE")]
    aliases: Vec<String>,
    /// Answer from the embedded sample (eight upload sessions).
    #[arg(long, conflicts_with = "files")]
    sample: bool,
    /// Parse the query exactly as the ABNF says (a raw '+' is a plus sign).
    #[arg(long)]
    strict: bool,
    /// Server-driven paging: at most N items, then @odata.nextLink.
    #[arg(long, value_name = "N")]
    page_size: Option<usize>,
    /// Print errors as OData JSON error bodies.
    #[arg(long)]
    json_errors: bool,
    /// Check the query against this data model (CSDL XML or JSON) before answering, and
    /// read values by their declared types.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// The entity set (or resource path) the query is sent to (default: the model's only
    /// entity set; a PATH in QUERY also names it).
    #[arg(long, value_name = "NAME", requires = "model")]
    set: Option<String>,
    /// A progress line on stderr (auto: for inputs over 100 MB when stderr is a terminal).
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto)]
    progress: ProgressChoice,
    /// Answer from a database loaded by `odq load` (sqlite:PATH or postgres://...)
    /// through the SQL translation, with --model (and --set) naming what it holds.
    #[arg(long, value_name = "URL", conflicts_with_all = ["files", "sample"], requires = "model")]
    db: Option<String>,
    /// A mapping file for the --db database.
    #[arg(long, value_name = "FILE", requires = "db")]
    mapping: Option<String>,
}

/// Exit status for a rejected query or input.
const REJECTED: u8 = 1;

pub(crate) fn run(args: &ApplyArgs) -> ExitCode {
    let (path, query_text) = split_target(&args.query);
    let count_only =
        path.is_some_and(|p| p.trim_end_matches('/').ends_with("/$count") || p == "$count");
    let query_text = match with_aliases(query_text, &args.aliases) {
        Ok(text) => text,
        Err(message) => return fail(&message),
    };
    let mut options = ParseOptions::default();
    options.strict = args.strict;
    let mut query = match Query::parse_with(&query_text, &options) {
        Ok(query) => query,
        Err(error) => return parse_failure(&error, args.json_errors),
    };
    let mut typed: Option<(std::sync::Arc<odata_query::model::Model>, String)> = None;
    if let Some(model_path) = &args.model {
        let model = match model_cmd::load(model_path) {
            Ok(model) => model,
            Err(message) => return fail(&message),
        };
        let resource = match (&args.set, path) {
            (Some(set), _) => set.clone(),
            (None, Some(path)) => path.trim_end_matches("/$count").to_owned(),
            (None, None) => match model_cmd::resource(&model, None) {
                Ok(resource) => resource,
                Err(message) => return fail(&format!("apply: {message}")),
            },
        };
        if let Err(error) = query.check(&model, &resource) {
            return check_failure(&error.locate(&query_text), args.json_errors);
        }
        typed = Some((std::sync::Arc::new(model), resource));
    }
    if count_only {
        // `/$count` counts what $filter and $search keep, whatever $top, $skip, $orderby,
        // $expand and $select say (URL §4.8).
        query.count = Some(true);
        query.top = Some(0);
        query.skip = None;
        query.orderby.clear();
        query.expand.clear();
        query.select.clear();
    }
    if let Some(url) = &args.db {
        let set = args
            .set
            .clone()
            .or_else(|| path.map(|p| p.trim_end_matches("/$count").trim_matches('/').to_owned()));
        let source = crate::apply_db::Source {
            url,
            model: args.model.as_deref(),
            mapping: args.mapping.as_deref(),
            set: set.as_deref(),
        };
        return crate::apply_db::run(
            &query,
            source,
            count_only,
            args.page_size,
            args.print.pretty && !args.print.compact,
        );
    }
    // With a model, values are read by their declared types (as a database holds them).
    let mut eval_options = EvalOptions::default();
    eval_options.max_page_size = args.page_size;
    if let Some((model, resource)) = typed {
        eval_options = eval_options.with_model(model, resource);
    }
    let plan = match StreamPlan::new(&query, &eval_options) {
        Ok(plan) => plan,
        Err(error) => return eval_failure(&error, args.json_errors),
    };
    let sources = match sources(args) {
        Ok(sources) => sources,
        Err(code) => return code,
    };
    let read_options = ReadOptions {
        lines: args.lines,
        progress: args.progress,
    };
    let prepared = match input::prepare(&sources, read_options) {
        Ok(prepared) => prepared,
        Err(InputError::Io(message)) => return fail(&message),
        Err(InputError::Rejected(message)) => {
            return eval_failure(&EvalError::Input(message), args.json_errors)
        }
    };
    if count_only {
        return print_count(&plan, prepared, args);
    }
    let style = Style {
        pretty: args.print.pretty && !args.print.compact,
        color: args.print.color.enabled(),
        ndjson: args.ndjson,
        raw: args.raw,
    };
    let stdout = Watched::new(io::BufWriter::with_capacity(1 << 16, io::stdout().lock()));
    let mut formatter = Formatter::new(stdout, style);
    let result = evaluate(&plan, prepared, &mut formatter);
    if formatter.inner().broken_pipe {
        return ExitCode::SUCCESS;
    }
    if let Err(error) = result {
        // Nothing on stdout when the error comes before the first HOLD bytes of output
        // (the usual case: a type error or division by zero in an early record); past
        // them, the truncated output ends with a newline.
        let mut out = formatter.into_inner();
        if out.discard() {
            drop(out);
            println!();
        }
        return eval_failure(&error, args.json_errors);
    }
    match formatter.finish().and_then(|mut out| out.release()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("cannot write the response: {e}")),
    }
}

/// The resource path (if any) and the query string of QUERY: `set/$count?$filter=...`
/// gives both; `$filter=...` or `?$filter=...` only the query.
fn split_target(target: &str) -> (Option<&str>, &str) {
    let mut target = target.trim();
    // An HTTP request line: `GET /path?query HTTP/1.1`.
    if let Some((method, rest)) = target.split_once(' ') {
        if method.chars().all(|c| c.is_ascii_uppercase()) && !method.is_empty() {
            target = rest.trim();
            if let Some((resource, version)) = target.rsplit_once(' ') {
                if version.starts_with("HTTP/") {
                    target = resource;
                }
            }
        }
    }
    // A fragment is not part of the query.
    if let Some((before, _)) = target.split_once('#') {
        if before.contains('?') {
            target = before;
        }
    }
    if let Some(query) = target.strip_prefix('?') {
        return (None, query);
    }
    match target.split_once('?') {
        Some((path, query)) if !path.contains('=') && !path.contains('&') => (Some(path), query),
        _ if !target.contains('=') && (target.ends_with("/$count") || target == "$count") => {
            (Some(target), "")
        }
        _ => (None, target),
    }
}

/// Appends `--alias` values as `@name=value` options, percent-encoding what would end or
/// change an option (`%`, `&`, `#`, `+`).
fn with_aliases(query: &str, aliases: &[String]) -> Result<String, String> {
    let mut text = query.to_owned();
    for alias in aliases {
        let Some((name, value)) = alias.split_once('=') else {
            return Err(format!("apply: --alias takes NAME=VALUE, not {alias:?}"));
        };
        let name = name.trim_start_matches('@');
        if name.is_empty() {
            return Err(format!("apply: --alias {alias:?} has no name"));
        }
        if !text.is_empty() {
            text.push('&');
        }
        text.push('@');
        text.push_str(name);
        text.push('=');
        for c in value.chars() {
            match c {
                '%' => text.push_str("%25"),
                '&' => text.push_str("%26"),
                '#' => text.push_str("%23"),
                '+' => text.push_str("%2B"),
                other => text.push(other),
            }
        }
    }
    Ok(text)
}

/// The inputs: the FILE arguments, the sample, or stdin (the sample when stdin is a
/// terminal and nothing was given).
fn sources(args: &ApplyArgs) -> Result<Vec<Source>, ExitCode> {
    if args.sample {
        return Ok(vec![Source::Sample]);
    }
    if args.files.is_empty() {
        if io::stdin().is_terminal() {
            eprintln!(
                "odq: no input given and stdin is a terminal: answering from the embedded sample \
                 (eight upload sessions); give a FILE or pipe JSON in (--sample says this on purpose)"
            );
            return Ok(vec![Source::Sample]);
        }
        return Ok(vec![Source::Stdin]);
    }
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(fail("apply: stdin ('-') can be given once"));
    }
    Ok(args
        .files
        .iter()
        .map(|file| match file.as_str() {
            "-" => Source::Stdin,
            path => Source::File(Path::new(path).to_path_buf()),
        })
        .collect())
}

fn evaluate<W: Write>(plan: &StreamPlan, prepared: Prepared, out: &mut W) -> Result<(), EvalError> {
    match prepared {
        Prepared::File(path) => plan.apply_file(&path, out).map(|_| ()),
        Prepared::Reader { reader, map } => {
            plan.apply_reader(reader, out)
                .map(|_| ())
                .map_err(|error| match map {
                    Some(map) => match map.lock() {
                        Ok(map) => map.locate(error),
                        Err(_) => error,
                    },
                    None => error,
                })
        }
    }
}

/// `/$count`: prints the number alone, as a service answers `text/plain`.
fn print_count(plan: &StreamPlan, prepared: Prepared, args: &ApplyArgs) -> ExitCode {
    let mut response = Vec::new();
    if let Err(error) = evaluate(plan, prepared, &mut response) {
        return eval_failure(&error, args.json_errors);
    }
    let count = serde_json::from_slice::<serde_json::Value>(&response)
        .ok()
        .and_then(|value| value.get("@odata.count").cloned());
    match count {
        Some(count) => crate::print_line(&count.to_string()),
        None => fail("apply: the response has no count"),
    }
}

fn parse_failure(error: &ParseError, json: bool) -> ExitCode {
    if json {
        eprintln!("{}", error.to_odata_error());
    } else {
        eprintln!("{error}");
    }
    ExitCode::from(REJECTED)
}

fn check_failure(error: &CheckError, json: bool) -> ExitCode {
    if json {
        eprintln!("{}", error.to_odata_error());
    } else {
        eprintln!("odq: {error}");
    }
    ExitCode::from(REJECTED)
}

fn eval_failure(error: &EvalError, json: bool) -> ExitCode {
    if json {
        eprintln!("{}", error.to_odata_error());
    } else {
        eprintln!("odq: {error}");
    }
    ExitCode::from(REJECTED)
}

/// A writer that remembers whether the reader of its output went away (`| head`), so
/// that ends quietly.
pub(crate) struct Watched<W> {
    inner: W,
    /// The first bytes of output, held back until there are HOLD of them or the answer is
    /// complete, so that an evaluation error leaves stdout empty; `None` once released.
    held: Option<Vec<u8>>,
    pub(crate) broken_pipe: bool,
}

/// How much output is held back before it starts going to stdout.
const HOLD: usize = 4 << 20;

impl<W: Write> Watched<W> {
    fn new(inner: W) -> Watched<W> {
        Watched {
            inner,
            held: Some(Vec::new()),
            broken_pipe: false,
        }
    }

    /// Writes what is held and flushes: the answer is complete.
    fn release(&mut self) -> io::Result<()> {
        if let Some(held) = self.held.take() {
            self.watch(|inner| inner.write_all(&held))?;
        }
        self.watch(W::flush)
    }

    /// Drops what is held after an error; true when some output had already gone out.
    fn discard(&mut self) -> bool {
        self.held.take().is_none()
    }

    fn watch<T>(&mut self, op: impl FnOnce(&mut W) -> io::Result<T>) -> io::Result<T> {
        op(&mut self.inner).inspect_err(|e| {
            self.broken_pipe |= e.kind() == io::ErrorKind::BrokenPipe;
        })
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(held) = &mut self.held {
            held.extend_from_slice(bytes);
            if held.len() >= HOLD {
                let held = self.held.take().unwrap_or_default();
                self.watch(|inner| inner.write_all(&held))?;
            }
            return Ok(bytes.len());
        }
        self.watch(|inner| inner.write(bytes))
    }

    fn flush(&mut self) -> io::Result<()> {
        // Held output stays held until it is released or grows past HOLD.
        if self.held.is_some() {
            return Ok(());
        }
        self.watch(W::flush)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_path_and_query() {
        assert_eq!(split_target("$top=1"), (None, "$top=1"));
        assert_eq!(split_target("?$top=1"), (None, "$top=1"));
        assert_eq!(
            split_target("uploadSessions/$count?$filter=a eq 1"),
            (Some("uploadSessions/$count"), "$filter=a eq 1")
        );
        assert_eq!(
            split_target("sessions/$count"),
            (Some("sessions/$count"), "")
        );
        assert_eq!(split_target("$filter=a eq '?'"), (None, "$filter=a eq '?'"));
        assert_eq!(
            split_target("GET /svc/uploadSessions/$count?$filter=a eq 1 HTTP/1.1"),
            (Some("/svc/uploadSessions/$count"), "$filter=a eq 1")
        );
        assert_eq!(
            split_target("https://host/svc/items?$top=2#section"),
            (Some("https://host/svc/items"), "$top=2")
        );
    }

    #[test]
    fn aliases_are_appended_encoded() {
        assert_eq!(
            with_aliases("$filter=a eq @p", &["p='x&y+z'".into()]).unwrap(),
            "$filter=a eq @p&@p='x%26y%2Bz'"
        );
        assert!(with_aliases("", &["novalue".into()]).is_err());
    }
}
