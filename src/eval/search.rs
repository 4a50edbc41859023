//! `$search` (URL §5.1.8): the Boolean structure (`AND`, `OR`, `NOT`) is
//! evaluated here; what a single term or phrase matches is up to a [`SearchMatcher`].

use std::fmt;

use serde_json::Value;

use crate::ast::Search;
use crate::error::EvalError;

use super::exec::Runtime;
use super::value::{check_depth, Val};

/// Decides whether an item matches one search term or phrase. Plug your own into
/// [`super::EvalOptions::search`] (full-text index, configured fields, collation, ...).
///
/// ```
/// use std::sync::Arc;
/// use odata_query::{EvalError, EvalOptions, Query, SearchMatcher};
/// use serde_json::{json, Value};
///
/// /// Matches the `tags` array only, exactly.
/// #[derive(Debug)]
/// struct Tags;
///
/// impl SearchMatcher for Tags {
///     fn matches(&self, item: &Value, term: &str, _phrase: bool, _depth: usize) -> Result<bool, EvalError> {
///         Ok(item["tags"].as_array().is_some_and(|tags| tags.iter().any(|t| t == term)))
///     }
/// }
///
/// let mut options = EvalOptions::default();
/// options.search = Some(Arc::new(Tags));
/// let plan = Query::parse("$search=red OR blue")?.compile(&options)?;
/// let items = json!([{"tags": ["red"]}, {"tags": ["green"], "note": "red"}]);
/// assert_eq!(plan.apply(&items)?["value"], json!([{"tags": ["red"]}]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SearchMatcher: fmt::Debug + Send + Sync {
    /// Whether `item` matches `term`. `phrase` is true for `"quoted phrases"`.
    /// `max_depth` is the JSON depth the matcher may walk
    /// ([`crate::Limits::max_json_depth`]).
    fn matches(
        &self,
        item: &Value,
        term: &str,
        phrase: bool,
        max_depth: usize,
    ) -> Result<bool, EvalError>;
}

/// The default matcher: a term matches when some string value of the item (at any depth,
/// property names and `@odata.*` annotations excluded) contains it; case-insensitive
/// unless `case_sensitive` is set. Phrases match as one substring, spaces included.
#[derive(Debug, Clone, Default)]
pub struct DefaultSearch {
    /// Compare exactly instead of after Unicode lower-casing.
    pub case_sensitive: bool,
}

impl DefaultSearch {
    fn walk(
        &self,
        value: &Value,
        needle: &str,
        depth: usize,
        max_depth: usize,
    ) -> Result<bool, EvalError> {
        check_depth(depth, max_depth)?;
        Ok(match value {
            Value::String(s) => {
                if self.case_sensitive {
                    s.contains(needle)
                } else {
                    s.to_lowercase().contains(needle)
                }
            }
            Value::Array(items) => {
                for item in items {
                    if self.walk(item, needle, depth + 1, max_depth)? {
                        return Ok(true);
                    }
                }
                false
            }
            Value::Object(map) => {
                for (key, item) in map {
                    if key.contains('@') {
                        continue;
                    }
                    if self.walk(item, needle, depth + 1, max_depth)? {
                        return Ok(true);
                    }
                }
                false
            }
            _ => false,
        })
    }
}

impl SearchMatcher for DefaultSearch {
    fn matches(
        &self,
        item: &Value,
        term: &str,
        _phrase: bool,
        max_depth: usize,
    ) -> Result<bool, EvalError> {
        if self.case_sensitive {
            self.walk(item, term, 0, max_depth)
        } else {
            self.walk(item, &term.to_lowercase(), 0, max_depth)
        }
    }
}

/// Evaluates a search expression against one item.
pub(crate) fn matches(search: &Search, item: &Value, rt: &Runtime<'_>) -> Result<bool, EvalError> {
    rt.tick(1)?;
    let max_depth = rt.max_json_depth();
    Ok(match search {
        Search::Term(term) | Search::Incomplete(term) => {
            rt.search.matches(item, term, false, max_depth)?
        }
        Search::Phrase(phrase) => rt.search.matches(item, phrase, true, max_depth)?,
        Search::Not(inner) => !matches(inner, item, rt)?,
        Search::And(left, right) => matches(left, item, rt)? && matches(right, item, rt)?,
        Search::Or(left, right) => matches(left, item, rt)? || matches(right, item, rt)?,
    })
}

/// Evaluates a search expression against an operand (members of `$count($search=...)`).
pub(crate) fn matches_value(
    search: &Search,
    value: &Val<'_>,
    rt: &Runtime<'_>,
) -> Result<bool, EvalError> {
    match value {
        Val::Json(v) => matches(search, v, rt),
        Val::Owned(v) => matches(search, v, rt),
        other => matches(search, &other.to_json(), rt),
    }
}
