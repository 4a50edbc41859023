//! `odq parse`: print the AST of a query (or of one option's value) as JSON, or its
//! canonical text; one result per line with `--lines`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use odata_query::{parse_rule, ParseError, ParseOptions, Parsed, Query, Rule};

use crate::{fail, model_cmd};

#[derive(Args, Debug)]
pub(crate) struct ParseArgs {
    /// The grammar rule TEXT is parsed with.
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
    /// Check the query (rule `query`) against this data model (CSDL XML or JSON).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// The entity set (or resource path) the query is checked against (default: the
    /// model's only entity set).
    #[arg(long, value_name = "NAME", requires = "model")]
    set: Option<String>,
    /// Raw URL text (percent-encoding allowed); for option rules, the option's value.
    text: Option<String>,
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

pub(crate) fn run(args: &ParseArgs) -> ExitCode {
    let options = if args.strict {
        ParseOptions::strict()
    } else {
        ParseOptions::default()
    };
    if args.lines {
        return parse_lines(args.rule.rule(), &options, args.canonical);
    }
    let Some(text) = &args.text else {
        return fail("parse: give TEXT, or --lines to read stdin");
    };
    match parse_text(args.rule.rule(), text, &options) {
        Ok(parsed) => {
            if let Some(code) = check(args, &parsed, text) {
                return code;
            }
            match render(&parsed, args.canonical) {
                Ok(out) => crate::print_line(&out),
                Err(message) => fail(&message),
            }
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

/// With `--model`: checks a parsed query; `Some(exit code)` when it does not fit.
fn check(args: &ParseArgs, parsed: &Parsed, raw: &str) -> Option<ExitCode> {
    let path = args.model.as_deref()?;
    let Parsed::Query(query) = parsed else {
        return Some(fail("parse: --model checks whole queries (--rule query)"));
    };
    let model = match model_cmd::load(path) {
        Ok(model) => model,
        Err(message) => return Some(fail(&message)),
    };
    let resource = match model_cmd::resource(&model, args.set.as_deref()) {
        Ok(resource) => resource,
        Err(message) => return Some(fail(&format!("parse: {message}"))),
    };
    match query.check(&model, &resource) {
        Ok(()) => None,
        Err(error) => {
            eprintln!("{}", error.locate(raw));
            Some(ExitCode::from(1))
        }
    }
}

fn render(parsed: &Parsed, canonical: bool) -> Result<String, String> {
    if canonical {
        Ok(parsed.to_string())
    } else {
        serde_json::to_string(parsed).map_err(|e| format!("cannot print the AST: {e}"))
    }
}

/// The JSON line printed for a rejected input in `--lines` mode.
fn error_line(error: &ParseError) -> String {
    let mut body = error.to_odata_error();
    body["error"]["offset"] = serde_json::Value::from(error.offset);
    body.to_string()
}

/// Parses `text` with `rule`; the query rule also takes a whole URL or request line.
fn parse_text(rule: Rule, text: &str, options: &ParseOptions) -> Result<Parsed, ParseError> {
    if rule == Rule::Query {
        return Query::parse_url_with(text, options).map(|query| Parsed::Query(Box::new(query)));
    }
    parse_rule(rule, text, options)
}

fn parse_lines(rule: Rule, options: &ParseOptions, canonical: bool) -> ExitCode {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut rejected = false;
    for line in io::stdin().lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) => return fail(&format!("cannot read stdin: {e}")),
        };
        let printed = match parse_text(rule, &line, options) {
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
