//! Streaming evaluation over JSON bytes: the records of a collection are found without
//! building the document, each is parsed only as far as the query reads it, and records that
//! pass are written out as their original bytes.

// Scaffolding: wired into the evaluator once its record-level API lands.
#![allow(dead_code)]

pub(crate) mod needs;
pub(crate) mod prune;
pub(crate) mod scan;
