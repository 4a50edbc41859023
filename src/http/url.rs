//! URL text: the percent-encoding of entity ids, and the service root a request was
//! addressed to. (Next links are valid URLs as the evaluator writes them: the URL form of
//! the canonical query.)

use std::fmt::Write as _;

use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

/// Percent-encodes a key predicate for a URL path segment (`@odata.id`): every byte RFC
/// 3986 does not allow in a segment (spaces as `%20`, quotes, non-ASCII), and `%`, `?`,
/// `#` and `/`.
pub(crate) fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
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
    fn path_segments_encode_question_marks() {
        assert_eq!(encode_path_segment("'a b?c/d%'"), "'a%20b%3Fc%2Fd%25'");
    }
}
