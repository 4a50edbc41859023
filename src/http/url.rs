//! URL text: the percent-encoding that makes links valid, and the service root a request
//! was addressed to.

use std::fmt::Write as _;

use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

/// Percent-encodes every byte that RFC 3986 does not allow in a query (`pchar`, `/`, `?`):
/// spaces (as `%20`), `"`, `<`, `>`, `[`, `\`, `]`, `^`, `` ` ``, `{`, `|`, `}`, control
/// characters and the bytes of non-ASCII characters. A `%` is left as it is: the text comes
/// from the canonical query, where a `%` always starts an escape, so encoding it again
/// would change the link. Applying it twice gives the same text as applying it once.
pub(crate) fn encode_query_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if is_query_byte(byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Percent-encodes a path segment: what [`encode_query_text`] encodes, and `?` and `#`.
pub(crate) fn encode_path_segment(text: &str) -> String {
    encode_query_text(text).replace('?', "%3F")
}

/// True for the bytes a URL query may hold as they are (RFC 3986 unreserved, sub-delims,
/// `:`, `@`, `/`, `?`), and `%` (see [`encode_query_text`]).
fn is_query_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&byte)
}

/// A valid absolute link: the next link the evaluator wrote (`base?canonical query`),
/// percent-encoded where RFC 3986 requires.
pub(crate) fn encode_link(link: &str) -> String {
    encode_query_text(link)
}

/// The service root a request was addressed to, ending in `/`: the configured root when
/// there is one, else `http://{Host}` and the path the service is mounted at (the part of
/// the original path in front of `path_in_service`).
pub(crate) fn service_root(
    configured: Option<&str>,
    parts: &Parts,
    path_in_service: &str,
) -> String {
    if let Some(root) = configured {
        return with_slash(root);
    }
    let original = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path().to_owned(), |uri| uri.path().to_owned());
    let mount = original
        .strip_suffix(path_in_service)
        .unwrap_or("")
        .trim_end_matches('/');
    format!(
        "{}{mount}/",
        origin(&parts.headers, parts.uri.authority().map(|a| a.as_str()))
    )
}

/// `http://host:port` from the `Host` header (or the URI's authority); `http://localhost`
/// when neither is there.
fn origin(headers: &HeaderMap, authority: Option<&str>) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| host.bytes().all(|b| b.is_ascii_graphic()) && !host.is_empty())
        .or(authority)
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn with_slash(root: &str) -> String {
    if root.ends_with('/') {
        root.to_owned()
    } else {
        format!("{root}/")
    }
}

/// The request's path as the client wrote it (before any `Router::nest` stripped a prefix).
pub(crate) fn original_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path().to_owned(), |uri| uri.path().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_idempotent_and_leaves_url_characters() {
        let link = "http://h/s?$filter=name eq 'a b' and x in (\"é\")&$skiptoken=1.ab";
        let once = encode_link(link);
        assert_eq!(
            once,
            "http://h/s?$filter=name%20eq%20'a%20b'%20and%20x%20in%20(%22%C3%A9%22)&$skiptoken=1.ab"
        );
        assert_eq!(encode_link(&once), once);
        assert_eq!(encode_link("a%20b%25"), "a%20b%25");
    }

    #[test]
    fn path_segments_encode_question_marks() {
        assert_eq!(encode_path_segment("a b?c"), "a%20b%3Fc");
    }
}
