//! Server-driven paging exactly as the evaluator pages, with the same `$skiptoken`s
//! (`crate::skiptoken`: an offset and a fingerprint of the query). A page asks the
//! database for one row more than it holds: when that row comes back, there is a next
//! page.

use crate::ast::Query;

use super::error::SqlError;
use super::select::Cut;
use crate::skiptoken::SkipToken;

/// Where the requested page starts, and how many rows it holds.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    size: Option<u64>,
    token: SkipToken,
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

impl Paging {
    /// Reads the query's `$skiptoken` against page size `size`; `None` when there is
    /// neither a token nor a page size.
    pub(crate) fn new(query: &Query, size: Option<usize>) -> Result<Option<Paging>, SqlError> {
        if query.skiptoken.is_none() && size.is_none() {
            return Ok(None);
        }
        let token = SkipToken::read(query).map_err(SqlError::Invalid)?;
        Ok(Some(Paging {
            size: size.map(|s| u64::try_from(s.max(1)).unwrap_or(u64::MAX)),
            token,
        }))
    }

    /// The window of the page within the query's own window: from the offset, the page
    /// and one row more.
    pub(crate) fn cut(&self, cut: Cut) -> Cut {
        let cut = cut.then_skip(self.token.offset);
        match self.size {
            Some(size) => cut.then_top(size.saturating_add(1)),
            None => cut,
        }
    }

    /// The page's size and next link, when a page size is set.
    pub(crate) fn page(&self, base: &str) -> Option<Page> {
        let size = self.size?;
        let next = self.token.offset.saturating_add(size);
        Some(Page {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            next_link: self.token.next_link(base, next),
        })
    }
}
