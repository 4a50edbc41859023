//! [`CheckError`]: why a query does not fit the model or its policy.

use std::fmt;

/// What kind of problem [`Query::check`](crate::Query::check) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckErrorKind {
    /// `$filter=stauts eq 'x'`: no such property (or navigation) on the type.
    UnknownProperty,
    /// `$filter=isof(NS.Nope)`: no such type, or not one derived from the value's type.
    UnknownType,
    /// `$select=x` on a set the model does not have, or a navigation with no target.
    UnknownEntitySet,
    /// `$filter=size eq 'x'`: operand types that do not fit the operator or function.
    TypeMismatch,
    /// `$filter=name/any(...)`, `files/name`: a collection where a single value is needed,
    /// or the other way round.
    NotACollection,
    /// `$expand=status`: expanding what is not a navigation property.
    NotANavigation,
    /// `$filter=sale($it,2022)`, `Ns.Nope()`: a function the model does not define.
    UnknownFunction,
    /// A use the service's policy (Capabilities annotations) does not allow.
    PolicyViolation,
    /// Anything else that makes the query meaningless against the model.
    Invalid,
}

/// A query that does not fit the model: what is wrong, in which option, at which byte of
/// the raw query (once [`CheckError::locate`]d), and the nearest existing name.
///
/// Every check error is an HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    /// What kind of problem.
    pub kind: CheckErrorKind,
    /// The message, without the position:
    /// `could not find a property named 'stauts' on 'microsoft.graph.uploadSession'`.
    pub message: String,
    /// The option it is in (`$filter`, `$expand`, ...).
    pub option: Option<String>,
    /// The name or text the error is about, used to find its position.
    pub token: Option<String>,
    /// The nearest existing name, when there is one close enough.
    pub suggestion: Option<String>,
    /// 0-based byte offset into the raw query string, when located.
    pub offset: Option<usize>,
}

impl CheckError {
    pub(crate) fn new(kind: CheckErrorKind, message: impl Into<String>) -> CheckError {
        CheckError {
            kind,
            message: message.into(),
            option: None,
            token: None,
            suggestion: None,
            offset: None,
        }
    }

    pub(crate) fn token(mut self, token: impl Into<String>) -> CheckError {
        self.token = Some(token.into());
        self
    }

    pub(crate) fn suggest(mut self, suggestion: Option<String>) -> CheckError {
        self.suggestion = suggestion;
        self
    }

    pub(crate) fn in_option(mut self, option: &str) -> CheckError {
        if self.option.is_none() {
            self.option = Some(option.to_owned());
        }
        self
    }

    /// Finds where the error is in the raw query string it was parsed from: the first
    /// occurrence of its name as a whole token inside its option's value (the AST keeps no
    /// positions; a name that appears twice is reported at its first occurrence).
    ///
    /// ```
    /// use odata_query::model::{Edm, Model};
    /// use odata_query::Query;
    ///
    /// let model = Model::builder()
    ///     .namespace("ns")
    ///     .entity_type("item", |t| t.key("id").property("id", Edm::Int64).property("status", Edm::String))
    ///     .entity_set("items", "item")
    ///     .build()?;
    /// let raw = "$top=5&$filter=stauts eq 'failed'";
    /// let error = Query::parse(raw)?.check(&model, "items").unwrap_err().locate(raw);
    /// assert_eq!(error.offset, Some(15));
    /// assert_eq!(error.suggestion.as_deref(), Some("status"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locate(mut self, raw_query: &str) -> CheckError {
        if let (Some(option), Some(token)) = (&self.option, &self.token) {
            self.offset = locate_token(raw_query, option, token);
        }
        self
    }

    /// The HTTP status a server should answer with: 400.
    ///
    /// ```
    /// use odata_query::model::{Edm, Model};
    /// use odata_query::Query;
    ///
    /// let model = Model::builder()
    ///     .namespace("ns")
    ///     .entity_type("item", |t| t.key("id").property("id", Edm::Int64))
    ///     .entity_set("items", "item")
    ///     .build()?;
    /// let error = Query::parse("$filter=id eq 'x'")?.check(&model, "items").unwrap_err();
    /// assert_eq!(error.http_status(), 400);
    /// assert_eq!(error.to_odata_error()["error"]["target"], "$filter");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_status(&self) -> u16 {
        400
    }

    /// The OData JSON error body: `{"error":{"code","message","target","details"}}`.
    pub fn to_odata_error(&self) -> serde_json::Value {
        let code = match self.kind {
            CheckErrorKind::PolicyViolation => "QueryNotAllowed",
            _ => "BadRequest",
        };
        let mut error = serde_json::json!({ "code": code, "message": self.to_string() });
        if let Some(option) = &self.option {
            error["target"] = serde_json::Value::from(option.as_str());
        }
        if let Some(offset) = self.offset {
            error["details"] = serde_json::json!([{
                "code": "Position",
                "message": format!("at byte {offset}"),
                "target": self.token.clone().unwrap_or_default(),
            }]);
        }
        serde_json::json!({ "error": error })
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(option) = &self.option {
            write!(f, "{option}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(offset) = self.offset {
            write!(f, " at byte {offset}")?;
        }
        if let Some(suggestion) = &self.suggestion {
            write!(f, "; did you mean '{suggestion}'?")?;
        }
        Ok(())
    }
}

impl std::error::Error for CheckError {}

/// The byte offset of `token` as a whole token in the value of the top-level option
/// `option` (`$filter`, or the first component of a nested name such as `$expand/...`).
/// A token naming an option (`$count`) that is not found points at the option itself.
fn locate_token(raw: &str, option: &str, token: &str) -> Option<usize> {
    let top = option.split('/').next().unwrap_or(option);
    let wanted = top.trim_start_matches('$').to_ascii_lowercase();
    let mut start = 0;
    let part = raw.split('&').find_map(|part| {
        let here = start;
        start += part.len() + 1;
        let (name, _) = part.split_once('=')?;
        let name = name.trim().trim_start_matches('$').to_ascii_lowercase();
        (name == wanted).then_some((here, here + part.len()))
    });
    let (from, to) = part.unwrap_or((0, raw.len()));
    find_whole(&raw[from..to], token)
        .map(|at| from + at)
        .or_else(|| (part.is_some() && token.starts_with('$')).then_some(from))
}

/// The first occurrence of `token` in `haystack` that is not part of a longer name.
fn find_whole(haystack: &str, token: &str) -> Option<usize> {
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
    let mut at = 0;
    while let Some(found) = haystack[at..].find(token) {
        let begin = at + found;
        let end = begin + token.len();
        let before_ok = begin == 0 || !is_name_byte(haystack.as_bytes()[begin - 1]);
        let after_ok = end == haystack.len() || !is_name_byte(haystack.as_bytes()[end]);
        if before_ok && after_ok {
            return Some(begin);
        }
        at = begin + 1;
        while !haystack.is_char_boundary(at) {
            at += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_whole_inside_their_option() {
        let raw = "$select=status&$filter=statuses eq 1 or status eq 2";
        assert_eq!(locate_token(raw, "$filter", "status"), Some(40));
        assert_eq!(locate_token(raw, "$select", "status"), Some(8));
        assert_eq!(locate_token(raw, "$expand/files/$filter", "x"), None);
        assert_eq!(locate_token("filter=a eq 1", "$filter", "a"), Some(7));
    }

    #[test]
    fn errors_are_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CheckError>();
    }
}
