//! Server-driven paging exactly as the evaluator pages (`src/eval/page.rs`): the
//! `$skiptoken` is `<offset>.<fingerprint>`, the offset into the result after
//! `$skip`/`$top` and ordering, the fingerprint a 64-bit FNV-1a hash of the query's
//! URL form without `$skiptoken` (a token from another query is rejected); the next
//! link is the base, `?`, that URL form and `&$skiptoken=<token>`. A page asks the database
//! for one row more than it holds: when that row comes back, there is a next page.

use crate::ast::Query;

use super::error::{invalid, SqlError};
use super::select::Cut;

/// Where the requested page starts, and how many rows it holds.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    offset: u64,
    size: Option<u64>,
    text: String,
    fingerprint: u64,
}

/// The page a translated query fetches: more than `size` rows back means that `next_link`
/// continues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The rows the page holds; the statement returns up to one more.
    pub size: usize,
    /// The `@odata.nextLink` of the response when the statement returned more.
    pub next_link: String,
}

fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl Paging {
    /// Reads the query's `$skiptoken` against page size `size`; `None` when there is
    /// neither a token nor a page size.
    pub(crate) fn new(query: &Query, size: Option<usize>) -> Result<Option<Paging>, SqlError> {
        if query.skiptoken.is_none() && size.is_none() {
            return Ok(None);
        }
        let mut without_token = query.clone();
        without_token.skiptoken = None;
        let text = without_token.to_url_string();
        let fingerprint = fnv1a(&text);
        let offset = match &query.skiptoken {
            None => 0,
            Some(token) => {
                let bad = || SqlError::Invalid(format!("invalid $skiptoken {token:?}"));
                let (offset, hash) = token.split_once('.').ok_or_else(bad)?;
                let offset: u64 = offset.parse().map_err(|_| bad())?;
                let hash = u64::from_str_radix(hash, 16).map_err(|_| bad())?;
                if hash != fingerprint {
                    return invalid("the $skiptoken belongs to a different query");
                }
                offset
            }
        };
        Ok(Some(Paging {
            offset,
            size: size.map(|s| u64::try_from(s.max(1)).unwrap_or(u64::MAX)),
            text,
            fingerprint,
        }))
    }

    /// The window of the page within the query's own window: from the offset, the page
    /// and one row more.
    pub(crate) fn cut(&self, cut: Cut) -> Cut {
        let cut = cut.then_skip(self.offset);
        match self.size {
            Some(size) => cut.then_top(size.saturating_add(1)),
            None => cut,
        }
    }

    /// The page's size and next link, when a page size is set.
    pub(crate) fn page(&self, base: &str) -> Option<Page> {
        let size = self.size?;
        let next = self.offset.saturating_add(size);
        let token = format!("{next}.{:016x}", self.fingerprint);
        let separator = if self.text.is_empty() { "" } else { "&" };
        Some(Page {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            next_link: format!("{base}?{}{separator}$skiptoken={token}", self.text),
        })
    }
}
