//! Evaluation of a parsed [`crate::ast::Query`] over JSON.
