//! Errors of each stage: [`ParseError`] (syntax and limits while parsing),
//! [`EvalError`] (compiling or applying a query).
//!
//! Every error maps to an OData JSON error body and an HTTP status through
//! [`ParseError::to_odata_error`] / [`EvalError::to_odata_error`].

use std::fmt;

use crate::limits::Limit;

/// What the parser expected where it stopped. Each variant's doc gives an input that
/// triggers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// `$filter=size gt` — an expression (operand) is missing.
    Expression,
    /// `$filter=(a eq 1` — a specific token such as `)`, `,`, `:`, `=` or `(`.
    Token(&'static str),
    /// `$filter=a eq 1 b` — the end of the option value, or an operator.
    EndOrOperator,
    /// `$top=1x` — nothing more after a complete value.
    End,
    /// `$filter=a/` — a property or segment name.
    Identifier,
    /// `$filter=2026-13-01T00:00:00Z gt a` — a valid literal of the type it starts like.
    Literal(&'static str),
    /// `$top=x` — a non-negative integer.
    Integer,
    /// `$count=yes` — `true` or `false`.
    Boolean,
    /// `$orderby=a up` — `asc` or `desc`.
    Direction,
    /// `$compute=a add 1` — `as` and a name.
    As,
    /// `$levels=x` — a non-negative integer or `max` (strict mode: `$levels=0`, a positive
    /// integer or `max`).
    Levels,
    /// `$search=` / `$search=NOT` — a search term, phrase or group.
    SearchTerm,
    /// `$apply=frobnicate(1)` — a transformation.
    Transformation,
    /// `$filter=isof(a,)` — a type name.
    TypeName,
    /// `$filter=files/any(f f/size gt 1)` — a lambda variable and `:`.
    LambdaVariable,
    /// `$expand=files($frob=1)` — an option allowed at that place.
    NestedOption,
    /// `$select=a,` — a select or expand item.
    Item,
    /// `$filter=` — a non-empty value.
    Value,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Expression => f.write_str("an expression"),
            Expected::Token(token) => write!(f, "'{token}'"),
            Expected::EndOrOperator => f.write_str("an operator or the end of the value"),
            Expected::End => f.write_str("the end of the value"),
            Expected::Identifier => f.write_str("a name"),
            Expected::Literal(kind) => write!(f, "a valid {kind} literal"),
            Expected::Integer => f.write_str("a non-negative integer"),
            Expected::Boolean => f.write_str("'true' or 'false'"),
            Expected::Direction => f.write_str("'asc' or 'desc'"),
            Expected::As => f.write_str("'as' and a name"),
            Expected::Levels => f.write_str("a positive integer or 'max'"),
            Expected::SearchTerm => f.write_str("a search term, phrase or group"),
            Expected::Transformation => f.write_str("a transformation"),
            Expected::TypeName => f.write_str("a type name"),
            Expected::LambdaVariable => f.write_str("a lambda variable and ':'"),
            Expected::NestedOption => f.write_str("an option allowed here"),
            Expected::Item => f.write_str("an item"),
            Expected::Value => f.write_str("a value"),
        }
    }
}

/// Why parsing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text does not follow the grammar.
    Syntax(Expected),
    /// `%G1`, `%4`, or escapes that decode to invalid UTF-8.
    BadEscape,
    /// `$top=1&top=2`: a system option given twice, in any spelling.
    DuplicateOption(String),
    /// `@p=1&@p=2`: an alias defined twice.
    DuplicateAlias(String),
    /// `$frobnicate=1`: a `$`-option that OData does not define.
    UnknownOption(String),
    /// `$levels=2` at the top level: an option not allowed at that place.
    OptionNotAllowed(String),
    /// `containz(a,'x')`: a name too close to a canonical function to be a custom one (see
    /// [`ParseError::suggestion`]), or, in strict mode, any unqualified name that is not a
    /// canonical function.
    UnknownFunction(String),
    /// `contains(a)`: a canonical function with the wrong number of arguments.
    WrongArity {
        /// The function's name.
        function: &'static str,
        /// The smallest number of arguments.
        min: usize,
        /// The largest number of arguments.
        max: usize,
        /// How many were given.
        found: usize,
    },
    /// `$top=99999999999999999999`, `2026-02-30`: a well-formed value out of range.
    OutOfRange(&'static str),
    /// A configured limit was exceeded.
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        max: usize,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Syntax(expected) => write!(f, "expected {expected}"),
            ParseErrorKind::BadEscape => f.write_str("invalid percent-encoding"),
            ParseErrorKind::DuplicateOption(name) => {
                write!(f, "the option {name} is given more than once")
            }
            ParseErrorKind::DuplicateAlias(name) => {
                write!(f, "the alias @{name} is defined more than once")
            }
            ParseErrorKind::UnknownOption(name) => write!(f, "unknown system query option {name}"),
            ParseErrorKind::OptionNotAllowed(name) => {
                write!(f, "the option {name} is not allowed here")
            }
            ParseErrorKind::UnknownFunction(name) => write!(f, "unknown function {name}"),
            ParseErrorKind::WrongArity {
                function,
                min,
                max,
                found,
            } => {
                // "given", not "found": the message goes on with what was found at the offset.
                if min == max {
                    write!(f, "{function} takes {min} argument(s), {found} given")
                } else {
                    write!(
                        f,
                        "{function} takes {min} to {max} arguments, {found} given"
                    )
                }
            }
            ParseErrorKind::OutOfRange(what) => write!(f, "{what} is out of range"),
            ParseErrorKind::LimitExceeded { limit, max } => {
                write!(
                    f,
                    "{} limit of {max} exceeded ({})",
                    limit.describe(),
                    limit.name()
                )
            }
        }
    }
}

/// A parse failure: where (0-based byte offset into the raw input), in which option,
/// what was expected and what was found.
///
/// `Display` prints the message and, below it, the input with a caret under the offset.
///
/// ```
/// use odata_query::{Expected, ParseErrorKind, Query};
///
/// let error = Query::parse("$top=5&$filter=size gt").unwrap_err();
/// assert_eq!(error.offset, 22);
/// assert_eq!(error.option.as_deref(), Some("$filter"));
/// assert_eq!(error.kind, ParseErrorKind::Syntax(Expected::Expression));
/// assert_eq!(error.http_status(), 400);
/// assert_eq!(error.to_odata_error()["error"]["target"], "$filter");
/// let picture = error.to_string();
/// assert!(picture.lines().nth(2).unwrap().ends_with('^'));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// The option being parsed (`$filter`, `@p`, ...), if any.
    pub option: Option<Box<str>>,
    /// 0-based byte offset into the raw (undecoded) input where the error was found.
    pub offset: usize,
    /// The raw text found at `offset` (up to 24 characters), cut at the end of the option
    /// being parsed (so it never runs into the next option); empty at the end of the value.
    pub found: Box<str>,
    /// A close match for a misspelled name (`gt` for `gtt`, `contains` for `containz`,
    /// `$filter` for `$filtr`), if there is one; shown in the message.
    pub suggestion: Option<Box<str>>,
    /// A window of the raw input around `offset`, the caret's column within it, and
    /// whether `found` reaches the end of the whole input (boxed to keep the error small).
    context: Box<(String, usize, bool)>,
}

impl std::error::Error for ParseError {}

/// How many characters of context `Display` shows on each side of the offset.
const CONTEXT_CHARS: usize = 40;
/// How many characters `found` keeps.
const FOUND_CHARS: usize = 24;

/// The largest char boundary of `text` at or below `index`.
fn floor_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl ParseError {
    /// Builds an error at `offset` into `raw_input` (clamped to the input).
    pub(crate) fn new(kind: ParseErrorKind, raw_input: &str, offset: usize) -> ParseError {
        ParseError::new_within(kind, raw_input, offset, raw_input.len())
    }

    /// Builds an error at `offset` into `raw_input` for an option whose text ends at byte
    /// `end`: [`ParseError::found`] stops there.
    pub(crate) fn new_within(
        kind: ParseErrorKind,
        raw_input: &str,
        offset: usize,
        end: usize,
    ) -> ParseError {
        let offset = floor_boundary(raw_input, offset);
        let found_end = floor_boundary(raw_input, end.max(offset));
        let rest = &raw_input[offset..];
        let found: Box<str> = raw_input[offset..found_end]
            .chars()
            .take(FOUND_CHARS)
            .collect::<String>()
            .into();
        let start = raw_input[..offset]
            .char_indices()
            .rev()
            .nth(CONTEXT_CHARS - 1)
            .map_or(0, |(i, _)| i);
        let window_end = rest
            .char_indices()
            .nth(CONTEXT_CHARS)
            .map_or(raw_input.len(), |(i, _)| offset + i);
        let window: String = raw_input[start..window_end]
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let caret = raw_input[start..offset].chars().count();
        ParseError {
            kind,
            option: None,
            offset,
            found,
            suggestion: None,
            context: Box::new((window, caret, found_end == raw_input.len())),
        }
    }

    /// Adds a did-you-mean suggestion.
    pub(crate) fn with_suggestion(mut self, suggestion: Option<impl Into<String>>) -> ParseError {
        if let Some(suggestion) = suggestion {
            self.suggestion = Some(suggestion.into().into_boxed_str());
        }
        self
    }

    /// Cuts [`ParseError::found`] at raw byte `end` (the end of the option the error is in).
    pub(crate) fn found_within(mut self, end: usize) -> ParseError {
        if end >= self.offset {
            let limit = end - self.offset;
            if self.found.len() > limit {
                let cut = floor_boundary(&self.found, limit);
                self.found = self.found[..cut].into();
                self.context.2 = false;
            }
        }
        self
    }

    /// Names the option the error belongs to.
    pub(crate) fn in_option(mut self, option: impl Into<String>) -> ParseError {
        if self.option.is_none() {
            self.option = Some(option.into().into_boxed_str());
        }
        self
    }

    /// The HTTP status a server should answer with: 400 for every parse error.
    pub fn http_status(&self) -> u16 {
        400
    }

    /// The OData JSON error body: `{"error":{"code","message","target"}}`.
    pub fn to_odata_error(&self) -> serde_json::Value {
        let code = match &self.kind {
            ParseErrorKind::LimitExceeded { .. } => "LimitExceeded",
            ParseErrorKind::UnknownOption(_) | ParseErrorKind::OptionNotAllowed(_) => {
                "InvalidQueryOption"
            }
            _ => "BadRequest",
        };
        let mut error = serde_json::json!({
            "code": code,
            "message": self.message(),
        });
        if let Some(option) = &self.option {
            error["target"] = serde_json::Value::from(option.as_ref());
        }
        serde_json::json!({ "error": error })
    }

    /// The one-line message, without the caret picture.
    pub fn message(&self) -> String {
        let mut message = String::new();
        if let Some(option) = &self.option {
            message.push_str(option);
            message.push_str(": ");
        }
        message.push_str(&format!("{} at byte {}", self.kind, self.offset));
        if self.found.is_empty() && self.context.2 {
            message.push_str(", found the end of the input");
        } else if self.found.is_empty() {
            message.push_str(", found the end of the value");
        } else {
            message.push_str(&format!(", found '{}'", self.found));
        }
        if let Some(suggestion) = &self.suggestion {
            message.push_str(&format!("; did you mean '{suggestion}'?"));
        }
        message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message())?;
        writeln!(f, "  {}", self.context.0)?;
        write!(f, "  {}^", " ".repeat(self.context.1))
    }
}

/// A position in a JSON input: the 0-based byte offset, and the 1-based line and column
/// (in bytes) when known. Displays as `line 3, column 17 (byte 245)`, or `byte 245`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonPosition {
    /// 0-based byte offset from the start of the input.
    pub byte: u64,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column in bytes, when known.
    pub column: Option<u64>,
}

impl JsonPosition {
    /// The position of byte `byte` of `input`, with its line and column.
    pub fn in_bytes(input: &[u8], byte: u64) -> JsonPosition {
        let end = usize::try_from(byte).map_or(input.len(), |b| b.min(input.len()));
        let before = &input[..end];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        JsonPosition {
            byte,
            line: Some(line),
            column: Some((end - line_start) as u64 + 1),
        }
    }
}

impl fmt::Display for JsonPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "line {line}, column {column} (byte {})", self.byte)
            }
            _ => write!(f, "byte {}", self.byte),
        }
    }
}

/// An error while compiling or applying a query.
///
/// ```
/// use odata_query::{EvalError, EvalOptions, Query};
/// use serde_json::json;
///
/// let plan = Query::parse("$filter=n div 0 eq 1")?.compile(&EvalOptions::default())?;
/// let error = plan.apply(&json!([{"n": 1}])).unwrap_err();
/// assert_eq!(error, EvalError::DivisionByZero);
/// assert_eq!(error.http_status(), 400);
/// assert_eq!(error.to_odata_error()["error"]["message"], "division by zero");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A feature the evaluator does not implement (HTTP 501).
    #[error("not supported: {0}")]
    NotSupported(String),
    /// The query is well-formed but meaningless, e.g. `'a' add 1` or `contains(1,2)` (HTTP 400).
    #[error("type error: {0}")]
    Type(String),
    /// `1 div 0`, `5 mod 0` on integers (HTTP 400).
    #[error("division by zero")]
    DivisionByZero,
    /// Integer arithmetic that does not fit Int64 (HTTP 400).
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// An alias used but not defined, or similar naming problems (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// The input document is not a collection, an OData response or an entity, or it
    /// cannot be read (HTTP 400).
    #[error("input: {0}")]
    Input(String),
    /// The input is not valid JSON (HTTP 400): what is wrong, and where.
    #[error("invalid JSON at {at}: {message}")]
    Json {
        /// What is wrong (`expected ',' or ']'`).
        message: String,
        /// Where.
        at: JsonPosition,
    },
    /// A configured limit was exceeded (HTTP 400).
    #[error("{} limit of {max} exceeded ({})", limit.describe(), limit.name())]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        max: usize,
    },
}

impl EvalError {
    /// The HTTP status a server should answer with: 501 for unsupported features, else 400.
    pub fn http_status(&self) -> u16 {
        match self {
            EvalError::NotSupported(_) => 501,
            _ => 400,
        }
    }

    /// The OData JSON error body: `{"error":{"code","message"}}`.
    pub fn to_odata_error(&self) -> serde_json::Value {
        let code = match self {
            EvalError::NotSupported(_) => "NotImplemented",
            EvalError::LimitExceeded { .. } => "LimitExceeded",
            _ => "BadRequest",
        };
        serde_json::json!({ "error": { "code": code, "message": self.to_string() } })
    }
}

/// Any error of the crate, for code that handles every stage in one place (a request
/// handler that parses, checks, evaluates and maybe queries a database). Each stage's
/// error converts into it with `?`.
///
/// ```
/// use odata_query::{EvalOptions, Query};
///
/// fn answer(raw: &str, data: &serde_json::Value) -> Result<serde_json::Value, odata_query::Error> {
///     let plan = Query::parse(raw)?.compile(&EvalOptions::default())?;
///     Ok(plan.apply(data)?)
/// }
///
/// let error = answer("$top=x", &serde_json::json!([])).unwrap_err();
/// assert_eq!(error.http_status(), 400);
/// assert_eq!(error.to_odata_error()["error"]["target"], "$top");
/// let error = answer("$filter=a eq 1&$deltatoken=x", &serde_json::json!([])).unwrap_err();
/// assert_eq!(error.http_status(), 501);
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query string does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The query does not fit the data model.
    #[error(transparent)]
    Check(#[from] crate::check::CheckError),
    /// Compiling or evaluating the query failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A data model could not be read or built.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// Translating to SQL or running it failed.
    #[cfg(feature = "sql")]
    #[error(transparent)]
    Sql(#[from] crate::sql::SqlError),
}

impl Error {
    /// The HTTP status a server should answer with (400, 501, or 500 for a database
    /// failure).
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Parse(e) => e.http_status(),
            Error::Check(e) => e.http_status(),
            Error::Eval(e) => e.http_status(),
            Error::Model(_) => 400,
            #[cfg(feature = "sql")]
            Error::Sql(e) => e.http_status(),
        }
    }

    /// The OData JSON error body.
    pub fn to_odata_error(&self) -> serde_json::Value {
        match self {
            Error::Parse(e) => e.to_odata_error(),
            Error::Check(e) => e.to_odata_error(),
            Error::Eval(e) => e.to_odata_error(),
            Error::Model(e) => {
                serde_json::json!({ "error": { "code": "BadRequest", "message": e.to_string() } })
            }
            #[cfg(feature = "sql")]
            Error::Sql(e) => e.to_odata_error(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ParseError>();
        assert_send_sync::<EvalError>();
        // The suggestion is a field of its own (it is part of the public error), the rest is
        // as small as it was: the picture and the rarely read parts live in one box.
        assert!(std::mem::size_of::<ParseError>() <= 112);
    }

    #[test]
    fn display_puts_a_caret_under_the_offset() {
        let error = ParseError::new(
            ParseErrorKind::Syntax(Expected::Expression),
            "$filter=size gt",
            15,
        )
        .in_option("$filter");
        let text = error.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "$filter: expected an expression at byte 15, found the end of the input"
        );
        assert_eq!(lines[1], "  $filter=size gt");
        assert_eq!(lines[2], format!("  {}^", " ".repeat(15)));
    }

    #[test]
    fn context_window_handles_multibyte_text() {
        let raw = format!("{}é{}", "a".repeat(50), "b".repeat(50));
        let error = ParseError::new(ParseErrorKind::BadEscape, &raw, 51);
        assert_eq!(error.offset, 50);
        assert!(error.found.starts_with('é'));
    }

    #[test]
    fn found_stops_at_the_end_of_the_option() {
        let raw = "$top=x&$skip=2";
        let error = ParseError::new_within(ParseErrorKind::Syntax(Expected::Integer), raw, 5, 6);
        assert_eq!(&*error.found, "x");
        let error =
            ParseError::new(ParseErrorKind::Syntax(Expected::Value), raw, 7).found_within(7);
        assert_eq!(
            error.message(),
            "expected a value at byte 7, found the end of the value"
        );
    }

    #[test]
    fn suggestions_are_part_of_the_message() {
        let error = ParseError::new(
            ParseErrorKind::UnknownFunction("containz".into()),
            "containz(a,'x')",
            0,
        )
        .with_suggestion(Some("contains"));
        assert!(error.message().ends_with("; did you mean 'contains'?"));
        assert_eq!(error.suggestion.as_deref(), Some("contains"));
        assert!(error.to_odata_error()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean 'contains'")));
    }
}
