//! [`SqlError`]: why a query could not be translated, or a database could not answer it.

/// Why translation, loading or execution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    /// Valid OData that this translation cannot express exactly in the dialect (HTTP 501);
    /// the message names the construct.
    #[error("not supported in SQL: {0}")]
    NotSupported(String),
    /// The query does not fit the model: an unknown property, a type mismatch between
    /// literals, an undefined alias (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// The mapping cannot serve the request: no table for the entity set, a malformed
    /// mapping file, a model the convention cannot map.
    #[error("mapping: {0}")]
    Mapping(String),
    /// A record that `load` cannot store: a value of the wrong type for its property,
    /// a DateTimeOffset text outside the stored shape.
    #[error("input: {0}")]
    Input(String),
    /// The database rejected a statement or the connection failed.
    #[error("database: {0}")]
    Database(String),
}

impl SqlError {
    /// The HTTP status a server should answer with: 501 for what SQL cannot express, 400
    /// for bad queries and input, 500 for mapping and database failures.
    pub fn http_status(&self) -> u16 {
        match self {
            SqlError::NotSupported(_) => 501,
            SqlError::Invalid(_) | SqlError::Input(_) => 400,
            SqlError::Mapping(_) | SqlError::Database(_) => 500,
        }
    }

    /// The OData JSON error body: `{"error":{"code","message"}}`.
    pub fn to_odata_error(&self) -> serde_json::Value {
        let code = match self {
            SqlError::NotSupported(_) => "NotImplemented",
            SqlError::Invalid(_) | SqlError::Input(_) => "BadRequest",
            SqlError::Mapping(_) | SqlError::Database(_) => "InternalServerError",
        };
        serde_json::json!({ "error": { "code": code, "message": self.to_string() } })
    }
}

/// Shorthand for a [`SqlError::NotSupported`].
pub(crate) fn unsupported<T>(what: impl Into<String>) -> Result<T, SqlError> {
    Err(SqlError::NotSupported(what.into()))
}

/// Shorthand for a [`SqlError::Invalid`].
pub(crate) fn invalid<T>(what: impl Into<String>) -> Result<T, SqlError> {
    Err(SqlError::Invalid(what.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SqlError>();
        assert!(std::mem::size_of::<SqlError>() <= 32);
    }

    #[test]
    fn statuses() {
        assert_eq!(SqlError::NotSupported("x".into()).http_status(), 501);
        assert_eq!(SqlError::Invalid("x".into()).http_status(), 400);
        let body = SqlError::NotSupported("geo.distance".into()).to_odata_error();
        assert_eq!(body["error"]["code"], "NotImplemented");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("geo.distance"));
    }
}
