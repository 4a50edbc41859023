//! The `$skiptoken` of server-driven paging (Prot §11.2.6.7), one format for every backend
//! (the evaluator and the SQL translation write and read the same tokens).
//!
//! A token is `<offset>.<fingerprint>`: the offset into the result after `$skip`/`$top`
//! and ordering, and a 64-bit FNV-1a hash of the query's URL form without `$skiptoken`, so
//! a token from another query is rejected. The next link is the base, `?`, that URL form
//! and `&$skiptoken=<token>`.

use crate::ast::Query;

/// A query's paging position: where its page starts and how its links continue it.
#[derive(Debug, Clone)]
pub(crate) struct SkipToken {
    /// Where the page starts (0 without a `$skiptoken`).
    pub(crate) offset: u64,
    /// The query's URL form without `$skiptoken` (valid in a link).
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

impl SkipToken {
    /// Reads the query's `$skiptoken`; the error is the message of a 400.
    pub(crate) fn read(query: &Query) -> Result<SkipToken, String> {
        let mut without_token = query.clone();
        without_token.skiptoken = None;
        let text = without_token.to_url_string();
        let fingerprint = fnv1a(&text);
        let offset = match &query.skiptoken {
            None => 0,
            Some(token) => {
                let bad = || format!("invalid $skiptoken {token:?}");
                let (offset, hash) = token.split_once('.').ok_or_else(bad)?;
                let offset: u64 = offset.parse().map_err(|_| bad())?;
                let hash = u64::from_str_radix(hash, 16).map_err(|_| bad())?;
                if hash != fingerprint {
                    return Err("the $skiptoken belongs to a different query".into());
                }
                offset
            }
        };
        Ok(SkipToken {
            offset,
            text,
            fingerprint,
        })
    }

    /// The `@odata.nextLink` for the page starting at `offset`.
    pub(crate) fn next_link(&self, base: &str, offset: u64) -> String {
        let separator = if self.text.is_empty() { "" } else { "&" };
        format!(
            "{base}?{}{separator}$skiptoken={offset}.{:016x}",
            self.text, self.fingerprint
        )
    }
}
