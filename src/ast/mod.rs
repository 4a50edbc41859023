//! The abstract syntax tree: the contract between the parser and the evaluator.
//!
//! Every node is owned (no lifetimes) and documented with the syntax it stands for.
//! [`std::fmt::Display`] prints the canonical query text; parsing that text gives back an
//! equal tree (a property test pins this). Canonical text:
//! - system options print with `$`, lower case, in the order of [`Query`]'s fields;
//! - operators and keywords print in lower case, with the fewest parentheses the
//!   precedence table allows;
//! - characters that would be misread when the text is parsed again as raw URL text
//!   (`%`, `&`, `#`, `+`) are percent-encoded inside literals; everything else prints as is.
//!
//! That readable text may hold spaces, quotes and non-ASCII letters, which are not valid in
//! a URL. [`UrlForm`] (`query.url()`, [`Query::to_url_string`]) prints the same text with
//! every byte that RFC 3986 does not allow in a query percent-encoded (a space is `%20`,
//! never `+`): use it for links. Both forms parse back to an equal tree.
//!
//! Design notes:
//! - Numeric and temporal literals keep their source text (validated), so nothing is lost
//!   to `f64` and offsets are never normalised; the evaluator converts them once at compile time.
//! - One [`Query`] struct serves the top level and every nested option list
//!   (`$expand=files(...)`, `$select=addresses(...)`, `$count(...)`); the parser sets only
//!   the fields the grammar allows in each place.
//! - Binary operators are one enum with [`BinaryOp::precedence`]; the parser and `Display`
//!   both use that table.
//! - Names in paths ([`Segment`], [`PathSegment`], [`PathRoot`], [`Lambda`]) are [`Name`]s:
//!   slices of one shared copy of the option text they were read from, so that parsing
//!   `a eq 1 and b eq 2` allocates one block for the names, not one per name. A name keeps
//!   that text alive while it lives.
//! - A binary node keeps both operands in one block (`operands: Box<[Expr; 2]>`).

mod apply;
mod expr;
mod function;
mod literal;
mod name;
mod query;

pub use apply::*;
pub use expr::*;
pub use function::*;
pub use literal::*;
pub use name::Name;
pub use query::*;

use std::fmt::{self, Display, Formatter};

/// The URL form of a node: its canonical text with every byte that may not stand in the
/// query of a URL (RFC 3986 `query = *( pchar / "/" / "?" )`) percent-encoded: spaces,
/// `"`, `<`, `>`, `[`, `\\`, `]`, `^`, `` ` ``, `{`, `|`, `}`, control characters and every
/// byte of a non-ASCII character. A `%` is always the start of an escape in canonical text,
/// so it stays; a space is written `%20`, never `+`.
///
/// ```
/// let query = odata_query::Query::parse("$filter=status eq 'failed'&$search=\"a b\"")?;
/// assert_eq!(query.url().to_string(), "$search=%22a%20b%22&$filter=status%20eq%20'failed'");
/// # Ok::<(), odata_query::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct UrlForm<T>(pub T);

impl<T: Display> Display for UrlForm<T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        /// Percent-encodes what it is given, passing on URL characters in runs.
        struct Encoder<'f, 'g>(&'f mut Formatter<'g>);
        impl fmt::Write for Encoder<'_, '_> {
            fn write_str(&mut self, text: &str) -> fmt::Result {
                let mut start = 0;
                for (i, byte) in text.bytes().enumerate() {
                    if is_url_byte(byte) {
                        continue;
                    }
                    // A run of URL bytes is ASCII, so it starts and ends on char boundaries;
                    // between two bytes of one character the run is empty.
                    if start < i {
                        self.0.write_str(&text[start..i])?;
                    }
                    write!(self.0, "%{byte:02X}")?;
                    start = i + 1;
                }
                match text.get(start..) {
                    Some(rest) => self.0.write_str(rest),
                    None => Ok(()),
                }
            }
        }
        write!(Encoder(f), "{}", self.0)
    }
}

/// True for the bytes RFC 3986 allows as they are in a query (unreserved, sub-delims,
/// `:`, `@`, `/`, `?`), and `%`, which canonical text only writes as an escape.
fn is_url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&byte)
}

impl Query {
    /// The URL form of the canonical text (see [`UrlForm`]).
    pub fn url(&self) -> UrlForm<&Query> {
        UrlForm(self)
    }

    /// The URL form as a string: valid URL query text, for links (`@odata.nextLink`).
    pub fn to_url_string(&self) -> String {
        self.url().to_string()
    }
}

impl Expr {
    /// The URL form of the canonical text (see [`UrlForm`]).
    pub fn url(&self) -> UrlForm<&Expr> {
        UrlForm(self)
    }
}

/// Writes text that sits inside a literal, percent-encoding the characters that would be
/// misread when the canonical text is parsed again as raw URL text.
pub(crate) fn write_url_text(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '%' => "%25",
            '&' => "%26",
            '#' => "%23",
            '+' => "%2B",
            _ => continue,
        };
        f.write_str(&text[start..i])?;
        f.write_str(escaped)?;
        start = i + 1;
    }
    f.write_str(&text[start..])
}

/// Writes items with a separator.
pub(crate) fn write_list<T: Display>(
    f: &mut Formatter<'_>,
    items: &[T],
    separator: &str,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        item.fmt(f)?;
    }
    Ok(())
}
