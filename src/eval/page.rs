//! Server-driven paging (Prot §11.2.6.7).
//!
//! Semantic choice: paging is a pure function of (query, page size, token). The
//! `$skiptoken` is `<offset>.<fingerprint>`: the offset into the result after
//! `$skip`/`$top` and ordering, and a 64-bit FNV-1a hash of the query's canonical text
//! without `$skiptoken`, so a token from another query is rejected. The next link is
//! [`super::EvalOptions::next_link_base`] + `?` + that canonical text in URL form +
//! `&$skiptoken=<token>`. Counts are not affected by paging. A token is honoured even when
//! no page size is configured (the rest of the result is returned).

use crate::ast::Query;
use crate::error::EvalError;

use super::EvalOptions;

/// The paging state of a plan.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    /// Where this page starts (from the query's `$skiptoken`).
    offset: usize,
    /// The canonical query text without `$skiptoken`, in URL form (valid in a link).
    text: String,
    fingerprint: u64,
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
    /// Reads the query's `$skiptoken`, if any.
    pub(crate) fn new(query: &Query, _options: &EvalOptions) -> Result<Paging, EvalError> {
        let mut without_token = query.clone();
        without_token.skiptoken = None;
        let text = without_token.to_url_string();
        let fingerprint = fnv1a(&text);
        let offset = match &query.skiptoken {
            None => 0,
            Some(token) => {
                let bad = || EvalError::Invalid(format!("invalid $skiptoken {token:?}"));
                let (offset, hash) = token.split_once('.').ok_or_else(bad)?;
                let offset: usize = offset.parse().map_err(|_| bad())?;
                let hash = u64::from_str_radix(hash, 16).map_err(|_| bad())?;
                if hash != fingerprint {
                    return Err(EvalError::Invalid(
                        "the $skiptoken belongs to a different query".into(),
                    ));
                }
                offset
            }
        };
        Ok(Paging {
            offset,
            text,
            fingerprint,
        })
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
        let token = format!("{offset}.{:016x}", self.fingerprint);
        let separator = if self.text.is_empty() { "" } else { "&" };
        format!(
            "{}?{}{separator}$skiptoken={token}",
            options.next_link_base, self.text
        )
    }
}
