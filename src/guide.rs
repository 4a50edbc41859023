//! Guides: which part of the crate to use for which job, and the rules the evaluator
//! follows. Pages only; nothing here is code.

#[doc = include_str!("../docs/choosing.md")]
pub mod choosing {}

#[doc = include_str!("../docs/semantics.md")]
pub mod semantics {}

#[doc = include_str!("../docs/benchmarks.md")]
pub mod benchmarks {}
