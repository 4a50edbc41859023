//! Server-driven paging (Prot §11.2.6.7).
//!
//! Semantic choice: paging is a pure function of (query, page size, token), with the
//! `$skiptoken` format of `crate::skiptoken` (an offset and a fingerprint of the query),
//! and next links on [`super::EvalOptions::next_link_base`]. Counts are not affected by
//! paging. A token is honoured even when no page size is configured (the rest of the
//! result is returned).

use crate::ast::Query;
use crate::error::EvalError;
use crate::skiptoken::SkipToken;

use super::EvalOptions;

/// The paging state of a plan.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    /// Where this page starts (from the query's `$skiptoken`).
    offset: usize,
    token: SkipToken,
}

impl Paging {
    /// Reads the query's `$skiptoken`, if any.
    pub(crate) fn new(query: &Query, _options: &EvalOptions) -> Result<Paging, EvalError> {
        let token = SkipToken::read(query).map_err(EvalError::Invalid)?;
        let offset = usize::try_from(token.offset)
            .map_err(|_| EvalError::Invalid(format!("invalid $skiptoken {:?}", query.skiptoken)))?;
        Ok(Paging { offset, token })
    }

    /// The (offset, page size) window of this page, if paging is in effect.
    pub(crate) fn window(&self, options: &EvalOptions) -> Option<(usize, usize)> {
        match options.max_page_size {
            Some(size) => Some((self.offset, size.max(1))),
            None if self.offset > 0 => Some((self.offset, usize::MAX)),
            None => None,
        }
    }

    /// The `@odata.nextLink` for the page starting at `offset`.
    pub(crate) fn next_link(&self, offset: usize, options: &EvalOptions) -> String {
        let offset = u64::try_from(offset).unwrap_or(u64::MAX);
        self.token.next_link(&options.next_link_base, offset)
    }
}
