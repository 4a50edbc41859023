//! [`ODataConfig`]: how requests are parsed, checked and evaluated, taken from the
//! application state by the extractor and the service.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::ast::Query;
use crate::check::Target;
use crate::eval::EvalOptions;
use crate::limits::Limits;
use crate::model::Model;
use crate::parse::ParseOptions;

use super::ODataError;

/// What a query is checked against: the entity set addressed and, for
/// `/set(key)/nav`, the navigation property the query applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckTarget {
    /// The entity set named in the resource path.
    pub entity_set: String,
    /// The navigation property after the key, if the request addresses one.
    pub navigation: Option<String>,
    /// The raw query string, to locate errors in (byte offsets).
    pub raw_query: String,
}

impl CheckTarget {
    /// A request to the entity set `name` (its collection or one of its entities).
    pub fn entity_set(name: impl Into<String>) -> CheckTarget {
        CheckTarget {
            entity_set: name.into(),
            navigation: None,
            raw_query: String::new(),
        }
    }

    /// A request to the navigation property `navigation` of an entity of the set `name`.
    pub fn navigation(name: impl Into<String>, navigation: impl Into<String>) -> CheckTarget {
        CheckTarget {
            entity_set: name.into(),
            navigation: Some(navigation.into()),
            raw_query: String::new(),
        }
    }

    /// Sets the raw query string errors are located in.
    pub fn with_raw_query(mut self, raw_query: impl Into<String>) -> CheckTarget {
        self.raw_query = raw_query.into();
        self
    }

    /// The resource path the query applies to: `set`, or `set(…)/navigation` (for
    /// [`Target::resolve`]; the key's value does not change the target).
    pub fn resource_path(&self) -> String {
        match &self.navigation {
            Some(navigation) => format!("{}(0)/{navigation}", self.entity_set),
            None => self.entity_set.clone(),
        }
    }
}

/// The default check: [`Query::check_target`] against the model (unknown properties and
/// types with the nearest existing name, operand types, the Capabilities policy), errors
/// located in the raw query.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelCheck;

impl QueryCheck for ModelCheck {
    fn check(&self, query: &Query, model: &Model, target: &CheckTarget) -> Result<(), ODataError> {
        let resolved = Target::resolve(model, &target.resource_path())
            .map_err(|error| ODataError::from(error.locate(&target.raw_query)))?;
        query
            .check_target(model, &resolved)
            .map_err(|error| ODataError::from(error.locate(&target.raw_query)))
    }
}

/// A check that runs after parsing and before evaluation: validation against the model
/// (unknown properties, restrictions of the policy). An error is answered as it says
/// (usually [`ODataError::Check`], 400).
///
/// Closures `Fn(&Query, &Model, &CheckTarget) -> Result<(), ODataError>` implement it.
pub trait QueryCheck: Send + Sync {
    /// Checks `query` for a request to `target` of the service described by `model`.
    fn check(&self, query: &Query, model: &Model, target: &CheckTarget) -> Result<(), ODataError>;
}

impl<F> QueryCheck for F
where
    F: Fn(&Query, &Model, &CheckTarget) -> Result<(), ODataError> + Send + Sync,
{
    fn check(&self, query: &Query, model: &Model, target: &CheckTarget) -> Result<(), ODataError> {
        self(query, model, target)
    }
}

/// How the HTTP layer parses, checks and evaluates requests. Cheap to clone (the model and
/// the check are shared); put it in the application state and implement
/// `FromRef<State> for ODataConfig` (or use it as the state) so that the
/// [`ODataQuery`](super::ODataQuery) extractor finds it.
///
/// ```
/// use std::time::Duration;
/// use odata_query::http::ODataConfig;
///
/// let config = ODataConfig::new()
///     .with_max_page_size(100)
///     .with_deadline(Duration::from_millis(250))
///     .with_memory_budget(32 << 20);
/// assert_eq!(config.eval.max_page_size, Some(100));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ODataConfig {
    /// How query strings are parsed: strict or lenient, and the limits.
    pub parse: ParseOptions,
    /// How queries are evaluated: the limits and budgets ([`Limits::server`] by default),
    /// the server's page size. The next link's base is set per request.
    pub eval: EvalOptions,
    /// The data model, for `$metadata`, typed keys, `odata.metadata=full` and the check.
    pub model: Option<Arc<Model>>,
    /// The service root as clients reach it (`https://api.example.com/odata/`), for
    /// context URLs and next links; `None` derives it from the `Host` header and the path
    /// the service is mounted at (`http://{Host}/...`).
    pub service_root: Option<String>,
    /// The check run after parsing, when there is a model: [`ModelCheck`] by default.
    pub check: Option<Arc<dyn QueryCheck>>,
}

impl fmt::Debug for ODataConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ODataConfig")
            .field("parse", &self.parse)
            .field("eval", &self.eval)
            .field("model", &self.model.is_some())
            .field("service_root", &self.service_root)
            .field("check", &self.check.is_some())
            .finish()
    }
}

impl Default for ODataConfig {
    fn default() -> ODataConfig {
        ODataConfig {
            parse: ParseOptions::default(),
            eval: EvalOptions {
                limits: Limits::server(),
                ..EvalOptions::default()
            },
            model: None,
            service_root: None,
            check: Some(Arc::new(ModelCheck)),
        }
    }
}

impl ODataConfig {
    /// Lenient parsing, [`Limits::server`], no model, no server page size, the
    /// [`ModelCheck`] once a model is given.
    pub fn new() -> ODataConfig {
        ODataConfig::default()
    }

    /// Serves `model` (`$metadata`, typed keys, the check).
    pub fn with_model(mut self, model: impl Into<Arc<Model>>) -> ODataConfig {
        self.model = Some(model.into());
        self
    }

    /// Sets the service root clients reach the service at (absolute URL).
    pub fn with_service_root(mut self, root: impl Into<String>) -> ODataConfig {
        self.service_root = Some(root.into());
        self
    }

    /// Uses `limits` for parsing and evaluation.
    pub fn with_limits(mut self, limits: Limits) -> ODataConfig {
        self.parse.limits = limits.clone();
        self.eval.limits = limits;
        self
    }

    /// Sets the evaluation deadline of one request ([`Limits::max_eval_time`]).
    pub fn with_deadline(mut self, deadline: Duration) -> ODataConfig {
        self.eval.limits.max_eval_time = Some(deadline);
        self
    }

    /// Sets the evaluation memory budget of one request in bytes
    /// ([`Limits::max_eval_bytes`]).
    pub fn with_memory_budget(mut self, bytes: u64) -> ODataConfig {
        self.eval.limits.max_eval_bytes = bytes;
        self
    }

    /// Pages responses at `size` items (server-driven paging with `@odata.nextLink`); a
    /// client's `Prefer: odata.maxpagesize` may ask for smaller pages.
    pub fn with_max_page_size(mut self, size: usize) -> ODataConfig {
        self.eval.max_page_size = Some(size.max(1));
        self
    }

    /// Parses query strings strictly by the ABNF (a raw `+` is a plus sign).
    pub fn strict(mut self) -> ODataConfig {
        self.parse.strict = true;
        self
    }

    /// Runs `check` on every query after parsing, when there is a model, instead of
    /// [`ModelCheck`].
    pub fn with_check(mut self, check: impl QueryCheck + 'static) -> ODataConfig {
        self.check = Some(Arc::new(check));
        self
    }

    /// Runs no check: queries go to the evaluator as parsed (schemaless JSON semantics).
    pub fn without_check(mut self) -> ODataConfig {
        self.check = None;
        self
    }

    /// Runs the check, if there is one and a model, on `query` for `target`.
    pub fn run_check(&self, query: &Query, target: &CheckTarget) -> Result<(), ODataError> {
        match (&self.check, &self.model) {
            (Some(check), Some(model)) => check.check(query, model, target),
            _ => Ok(()),
        }
    }
}
