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
//! Design notes:
//! - Numeric and temporal literals keep their source text (validated), so nothing is lost
//!   to `f64` and offsets are never normalised; the evaluator converts them once at compile time.
//! - One [`Query`] struct serves the top level and every nested option list
//!   (`$expand=files(...)`, `$select=addresses(...)`, `$count(...)`); the parser sets only
//!   the fields the grammar allows in each place.
//! - Binary operators are one enum with [`BinaryOp::precedence`]; the parser and `Display`
//!   both use that table.

mod apply;
mod expr;
mod function;
mod literal;
mod query;

pub use apply::*;
pub use expr::*;
pub use function::*;
pub use literal::*;
pub use query::*;

use std::fmt::{self, Display, Formatter};

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
