//! Configurable limits on what a query may ask for, with documented defaults.
//!
//! Parsing is linear in the input and its stack depth is bounded by [`Limits::max_depth`];
//! evaluation is bounded by [`Limits::max_eval_steps`]. Each breach is an error that names
//! the limit ([`Limit`]) and its configured value.

use std::fmt;
use std::time::Duration;

/// The stack, in bytes, that parsing, checking or evaluating one query may use, whatever
/// the depth limits allow. [`Limits::max_depth`] bounds the recursion, but the stack each
/// level takes depends on the build: an unoptimised build needs several times what a
/// release build does (about 11 KB per level of the evaluator), and overflowed a 2 MiB
/// thread (the default for spawned threads and tokio's workers) well before `max_depth`.
/// Past this budget parsing and evaluation fail with the depth limit's error instead, and
/// checking with an invalid-query error that says so. A release build at the default
/// `max_depth` uses under 400 KB for the deepest queries we know of.
pub(crate) const STACK_BUDGET: usize = 1 << 20;

/// An address in the current stack frame, to measure how much stack a recursion has used
/// (compared with another, never dereferenced).
#[inline]
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Which limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_query_length`]
    QueryLength,
    /// [`Limits::max_depth`]
    Depth,
    /// [`Limits::max_nodes`]
    Nodes,
    /// [`Limits::max_expand_depth`]
    ExpandDepth,
    /// [`Limits::max_lambda_depth`]
    LambdaDepth,
    /// [`Limits::max_in_list`]
    InList,
    /// [`Limits::max_top`]
    Top,
    /// [`Limits::max_expand_items`]
    ExpandItems,
    /// [`Limits::max_regex_length`]
    RegexLength,
    /// [`Limits::max_eval_steps`]
    EvalSteps,
    /// [`Limits::max_json_depth`]
    JsonDepth,
    /// [`Limits::max_eval_time`]
    EvalTime,
    /// [`Limits::max_eval_bytes`]
    EvalBytes,
}

impl Limit {
    /// The field name in [`Limits`].
    pub fn name(self) -> &'static str {
        match self {
            Limit::QueryLength => "max_query_length",
            Limit::Depth => "max_depth",
            Limit::Nodes => "max_nodes",
            Limit::ExpandDepth => "max_expand_depth",
            Limit::LambdaDepth => "max_lambda_depth",
            Limit::InList => "max_in_list",
            Limit::Top => "max_top",
            Limit::ExpandItems => "max_expand_items",
            Limit::RegexLength => "max_regex_length",
            Limit::EvalSteps => "max_eval_steps",
            Limit::JsonDepth => "max_json_depth",
            Limit::EvalTime => "max_eval_time",
            Limit::EvalBytes => "max_eval_bytes",
        }
    }

    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            Limit::QueryLength => "query length (bytes)",
            Limit::Depth => "nesting depth",
            Limit::Nodes => "expression size (nodes)",
            Limit::ExpandDepth => "$expand/$select nesting depth",
            Limit::LambdaDepth => "any/all nesting depth",
            Limit::InList => "'in' list length",
            Limit::Top => "$top",
            Limit::ExpandItems => "number of $expand items",
            Limit::RegexLength => "matchesPattern pattern length",
            Limit::EvalSteps => "evaluation budget (steps)",
            Limit::JsonDepth => "JSON input nesting depth",
            Limit::EvalTime => "evaluation time (ms)",
            Limit::EvalBytes => "evaluation memory (bytes)",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The limits applied while parsing and evaluating. `Limits::default()` gives the
/// documented defaults; every field can be changed.
///
/// ```
/// use odata_query::limits::{Limit, Limits};
/// use odata_query::{EvalError, EvalOptions, ParseOptions, Query};
///
/// let mut limits = Limits::default();
/// limits.max_in_list = 3;
/// limits.max_eval_steps = 1_000;
/// let mut parse = ParseOptions::default();
/// parse.limits = limits.clone();
/// let error = Query::parse_with("$filter=n in (1,2,3,4)", &parse).unwrap_err();
/// assert!(error.to_string().contains("max_in_list"));
///
/// let mut eval = EvalOptions::default();
/// eval.limits = limits;
/// let plan = Query::parse("$filter=n gt 0")?.compile(&eval)?;
/// let many: Vec<_> = (0..10_000).map(|n| serde_json::json!({ "n": n })).collect();
/// let error = plan.apply(&serde_json::Value::from(many)).unwrap_err();
/// assert!(matches!(error, EvalError::LimitExceeded { limit: Limit::EvalSteps, max: 1_000 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest raw query string, in bytes. Default 262,144 (256 KiB).
    pub max_query_length: usize,
    /// Deepest nesting of the syntax tree: parentheses, operator chains, calls, lambdas and
    /// nested options all count. Bounds the stack used to parse, print, compile, evaluate
    /// and drop a query. Default 200.
    pub max_depth: usize,
    /// Most expression nodes in one query (an `in` list counts one per element). Default 10,000.
    pub max_nodes: usize,
    /// Deepest `$expand`/`$select` nesting (`a($expand=b($expand=c))` is 3). Default 16.
    pub max_expand_depth: usize,
    /// Deepest nesting of `any`/`all` lambdas. Default 8.
    pub max_lambda_depth: usize,
    /// Most elements in one `in (...)` list. Default 10,000.
    pub max_in_list: usize,
    /// Largest `$top` accepted; `None` for no limit. Default `None`.
    pub max_top: Option<u64>,
    /// Most items in one `$expand` list. Default 100.
    pub max_expand_items: usize,
    /// Longest `matchesPattern` pattern, in bytes. Default 1,000.
    pub max_regex_length: usize,
    /// Evaluation budget: the most expression steps one `apply` may take. Default 10^9.
    pub max_eval_steps: u64,
    /// Deepest JSON input nesting the evaluator walks. Default 128.
    pub max_json_depth: usize,
    /// Wall-clock deadline of one `apply`, counted from its start and checked every
    /// thousand or so steps; `None` for no deadline. Default `None`
    /// ([`Limits::server`]: 500 ms).
    pub max_eval_time: Option<Duration>,
    /// Memory budget of one `apply`, in bytes: strings built by `concat` and the string
    /// functions, collections built by `concat` and lists, records kept for `$orderby`
    /// while streaming, `$apply` groups. The temporaries of an item that fails
    /// `$filter`/`$search` are released when it is dropped. Default 1 GiB
    /// ([`Limits::server`]: 64 MiB).
    pub max_eval_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_query_length: 256 * 1024,
            max_depth: 200,
            max_nodes: 10_000,
            max_expand_depth: 16,
            max_lambda_depth: 8,
            max_in_list: 10_000,
            max_top: None,
            max_expand_items: 100,
            max_regex_length: 1_000,
            max_eval_steps: 1_000_000_000,
            max_json_depth: 128,
            max_eval_time: None,
            max_eval_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// The defaults for a server answering requests from clients it does not trust: the
    /// [`Limits::default`] values, with a 500 ms evaluation deadline and a 64 MiB
    /// evaluation memory budget. One request then cannot hold a core for seconds or
    /// build gigabytes of strings (three nested `any` over arrays of 30 stop at the
    /// deadline; nested `concat` over a large input stops at the memory budget).
    pub fn server() -> Limits {
        Limits {
            max_eval_time: Some(Duration::from_millis(500)),
            max_eval_bytes: 64 << 20,
            ..Limits::default()
        }
    }
}
