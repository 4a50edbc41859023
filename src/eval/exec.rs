//! Evaluation of compiled expressions against one item.

use std::cell::Cell;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::ast::BinaryOp;
use crate::error::EvalError;
use crate::limits::{Limit, Limits};

use super::compile::{Node, PathNode, Root, Step};
use super::search::{self, SearchMatcher};
use super::value::{self, Num, Val};
use super::{functions, temporal};

/// Per-`apply` state: the step, time and memory budgets, the fixed `now()`, the search
/// matcher.
pub(crate) struct Runtime<'p> {
    steps: Cell<u64>,
    /// The step count past which [`Runtime::tick`] looks at the limits again: the step
    /// limit, or the next reading of the clock when that comes first.
    checkpoint: Cell<u64>,
    /// Bytes charged against [`Limits::max_eval_bytes`] and not released.
    bytes: Cell<u64>,
    /// When [`Limits::max_eval_time`] runs out, if set.
    deadline: Option<Instant>,
    pub(crate) limits: &'p Limits,
    /// `now()`, read once per `apply` (URL §5.1.1.8.9; a choice).
    pub(crate) now: DateTime<FixedOffset>,
    pub(crate) search: &'p dyn SearchMatcher,
    /// [`super::EvalOptions::sql_null_semantics`].
    pub(crate) sql_nulls: bool,
    /// Calls of [`eval`] under way, and where the stack stood at the outermost one (see
    /// [`crate::limits::STACK_BUDGET`]): taken afresh at each outermost call, so that the
    /// runtime may move between threads between calls.
    frames: Cell<usize>,
    stack_base: Cell<usize>,
}

/// One call of [`eval`] under way (see [`Runtime::enter_frame`]).
pub(crate) struct Frame<'r> {
    frames: &'r Cell<usize>,
}

impl Drop for Frame<'_> {
    fn drop(&mut self) {
        self.frames.set(self.frames.get() - 1);
    }
}

impl std::fmt::Debug for Runtime<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("steps", &self.steps.get())
            .field("now", &self.now)
            .finish()
    }
}

/// How many steps pass between two readings of the clock for the deadline.
const DEADLINE_EVERY: u64 = 1024;

/// The checkpoint after `steps`: the step limit, or the last step before the next
/// multiple of [`DEADLINE_EVERY`] when there is a time limit (reading the clock costs
/// about as much as twenty steps, so it is read only every few microseconds of work).
fn checkpoint(steps: u64, max_steps: u64, time: Option<std::time::Duration>) -> u64 {
    match time {
        Some(_) => max_steps.min((steps / DEADLINE_EVERY + 1).saturating_mul(DEADLINE_EVERY) - 1),
        None => max_steps,
    }
}

impl<'p> Runtime<'p> {
    /// A runtime for one `apply`.
    pub(crate) fn new(
        limits: &'p Limits,
        now: DateTime<FixedOffset>,
        search: &'p dyn SearchMatcher,
    ) -> Self {
        Runtime {
            steps: Cell::new(0),
            checkpoint: Cell::new(checkpoint(0, limits.max_eval_steps, limits.max_eval_time)),
            bytes: Cell::new(0),
            deadline: limits.max_eval_time.map(|time| Instant::now() + time),
            limits,
            now,
            search,
            sql_nulls: false,
            frames: Cell::new(0),
            stack_base: Cell::new(0),
        }
    }

    /// Enters a call of [`eval`]; fails with the depth limit's error once the calls under
    /// way use more than [`crate::limits::STACK_BUDGET`] of stack.
    pub(crate) fn enter_frame(&self) -> Result<Frame<'_>, EvalError> {
        let frames = self.frames.get();
        let here = crate::limits::stack_position();
        if frames == 0 {
            self.stack_base.set(here);
        } else if self.stack_base.get().abs_diff(here) > crate::limits::STACK_BUDGET {
            return Err(EvalError::LimitExceeded {
                limit: Limit::Depth,
                max: self.limits.max_depth,
            });
        }
        self.frames.set(frames + 1);
        Ok(Frame {
            frames: &self.frames,
        })
    }

    /// Counts `n` evaluation steps against [`Limits::max_eval_steps`], and every
    /// [`DEADLINE_EVERY`] steps reads the clock against [`Limits::max_eval_time`].
    #[inline]
    pub(crate) fn tick(&self, n: u64) -> Result<(), EvalError> {
        let steps = self.steps.get().saturating_add(n);
        self.steps.set(steps);
        if steps > self.checkpoint.get() {
            return self.check_limits(steps);
        }
        Ok(())
    }

    /// [`Runtime::tick`] past the checkpoint: the step limit, then the clock.
    #[cold]
    #[inline(never)]
    fn check_limits(&self, steps: u64) -> Result<(), EvalError> {
        if steps > self.limits.max_eval_steps {
            return Err(EvalError::LimitExceeded {
                limit: Limit::EvalSteps,
                max: usize::try_from(self.limits.max_eval_steps).unwrap_or(usize::MAX),
            });
        }
        if let Some(deadline) = self.deadline {
            if Instant::now() >= deadline {
                let time = self.limits.max_eval_time.unwrap_or_default();
                return Err(EvalError::LimitExceeded {
                    limit: Limit::EvalTime,
                    max: usize::try_from(time.as_millis()).unwrap_or(usize::MAX),
                });
            }
        }
        self.checkpoint.set(checkpoint(
            steps,
            self.limits.max_eval_steps,
            self.limits.max_eval_time,
        ));
        Ok(())
    }

    /// Charges `bytes` of built values (strings, collections, kept records, groups)
    /// against [`Limits::max_eval_bytes`]; call it before building when the size is known.
    pub(crate) fn charge(&self, bytes: usize) -> Result<(), EvalError> {
        let total = self
            .bytes
            .get()
            .saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX));
        self.bytes.set(total);
        if total > self.limits.max_eval_bytes {
            return Err(EvalError::LimitExceeded {
                limit: Limit::EvalBytes,
                max: usize::try_from(self.limits.max_eval_bytes).unwrap_or(usize::MAX),
            });
        }
        Ok(())
    }

    /// The bytes charged so far, to release back to with [`Runtime::release_to`] once
    /// what was built since is dropped (the temporaries of an item that did not pass).
    pub(crate) fn bytes_mark(&self) -> u64 {
        self.bytes.get()
    }

    /// Releases the charges made since `mark`.
    pub(crate) fn release_to(&self, mark: u64) {
        self.bytes.set(self.bytes.get().min(mark));
    }

    /// Releases `bytes` charged earlier (values that were dropped).
    pub(crate) fn release(&self, bytes: u64) {
        self.bytes.set(self.bytes.get().saturating_sub(bytes));
    }

    /// The JSON depth limit.
    pub(crate) fn max_json_depth(&self) -> usize {
        self.limits.max_json_depth
    }
}

/// A lambda variable binding, linked to the enclosing ones.
#[derive(Debug)]
pub(crate) struct Scope<'a, 'r> {
    value: Val<'a>,
    parent: Option<&'r Scope<'a, 'r>>,
}

/// What paths are evaluated against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a, 'r> {
    /// `$it`: the outermost item.
    pub(crate) it: &'r Val<'a>,
    /// `$this` and implicit paths: the current instance.
    pub(crate) this: &'r Val<'a>,
    /// The `$compute` values of the current item.
    pub(crate) computed: &'r [Val<'a>],
    /// Lambda variables, innermost first.
    pub(crate) scope: Option<&'r Scope<'a, 'r>>,
}

impl<'a, 'r> Env<'a, 'r> {
    /// An environment for a top-level item (which is its own `$it`).
    pub(crate) fn new(item: &'r Val<'a>, computed: &'r [Val<'a>]) -> Self {
        Env {
            it: item,
            this: item,
            computed,
            scope: None,
        }
    }
}

/// Evaluates a predicate: true only when the result is `true` (URL §5.1.2).
pub(crate) fn holds<'a>(
    node: &'a Node,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<bool, EvalError> {
    Ok(matches!(eval(node, env, rt)?, Val::Bool(true)))
}

/// Evaluates a node.
pub(crate) fn eval<'a>(
    node: &'a Node,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    rt.tick(1)?;
    let _frame = rt.enter_frame()?;
    let max_depth = rt.max_json_depth();
    Ok(match node {
        Node::Const(value) => value.reborrow(),
        Node::Path(path) => eval_path(path, env, rt)?,
        Node::Not(inner) => value::from_truth(value::truth(&eval(inner, env, rt)?).map(|b| !b)),
        Node::Neg(inner) => value::negate(eval(inner, env, rt)?)?,
        Node::And(l, r) => {
            let left = value::truth(&eval(l, env, rt)?);
            if left == Some(false) {
                return Ok(Val::Bool(false));
            }
            value::from_truth(value::and3(left, value::truth(&eval(r, env, rt)?)))
        }
        Node::Or(l, r) => {
            let left = value::truth(&eval(l, env, rt)?);
            if left == Some(true) {
                return Ok(Val::Bool(true));
            }
            value::from_truth(value::or3(left, value::truth(&eval(r, env, rt)?)))
        }
        Node::Compare(op, l, r) => {
            let (a, b) = (eval(l, env, rt)?, eval(r, env, rt)?);
            let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
            if rt.sql_nulls && ordering && (a.is_null() || b.is_null()) {
                // The .NET/SQL compatibility switch: ordering with null is unknown.
                return Ok(Val::Null);
            }
            Val::Bool(value::compare_op(*op, &a, &b, max_depth)?)
        }
        Node::Arith(op, l, r) => value::arithmetic(*op, eval(l, env, rt)?, eval(r, env, rt)?)?,
        Node::In(l, r) => eval_in(l, r, env, rt)?,
        Node::List(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                values.push(eval(item, env, rt)?);
            }
            Val::List(values)
        }
        Node::Has(l, r) => eval_has(eval(l, env, rt)?, eval(r, env, rt)?),
        Node::Call(function, args) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval(arg, env, rt)?);
            }
            functions::call(*function, values, rt)?
        }
        Node::Geo(function, args, spherical) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval(arg, env, rt)?);
            }
            if values.iter().any(Val::is_null) {
                Val::Null
            } else {
                super::geo::call(*function, &values, *spherical)
            }
        }
        Node::Pattern(subject, pattern) => {
            let subject = eval(subject, env, rt)?;
            pattern.matches(subject, env, rt)?
        }
        Node::Now => Val::DateTimeOffset(rt.now),
        Node::Cast(inner, target) => {
            let value = match inner {
                Some(inner) => eval(inner, env, rt)?,
                None => env.this.clone(),
            };
            target.cast(value)
        }
        Node::IsOf(inner, target) => {
            let value = match inner {
                Some(inner) => eval(inner, env, rt)?,
                None => env.this.clone(),
            };
            Val::Bool(target.is_of(&value))
        }
        Node::Case(arms) => {
            for (condition, result) in arms {
                if holds(condition, env, rt)? {
                    return eval(result, env, rt);
                }
            }
            Val::Null
        }
        Node::IsDefined(path) => Val::Bool(is_defined(path, env, rt)?),
    })
}

/// `in` (URL §5.1.1.1.11; a choice): membership via `eq`, so `null in (1,null)`
/// is true. A null right side gives null.
fn eval_in<'a>(
    l: &'a Node,
    r: &'a Node,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    let needle = eval(l, env, rt)?;
    let haystack = eval(r, env, rt)?;
    if haystack.is_null() {
        return Ok(Val::Null);
    }
    // Semantic choice: a right operand that is not a collection (found in the data)
    // makes `in` null rather than failing the whole request.
    let Some(members) = haystack.members() else {
        return Ok(Val::Null);
    };
    rt.tick(members.len() as u64)?;
    for member in &members {
        if value::equals(&needle, member, rt.max_json_depth())? {
            return Ok(Val::Bool(true));
        }
    }
    Ok(Val::Bool(false))
}

/// `has` (URL §5.1.1.1.10, §5.1.1.14.1; a choice): flag enums held as comma-separated
/// strings; true when every flag of the right operand is set on the left. Null → null.
fn eval_has<'a>(left: Val<'a>, right: Val<'a>) -> Val<'a> {
    let flags = |value: &Val<'_>| -> Option<Vec<String>> {
        match value {
            Val::Str(s) | Val::Enum(s) => Some(
                s.split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect(),
            ),
            Val::Num(n) => n.as_integer().map(|i| vec![i.to_string()]),
            _ => None,
        }
    };
    match (flags(&left), flags(&right)) {
        (Some(have), Some(want)) => Val::Bool(want.iter().all(|f| have.contains(f))),
        _ => Val::Null,
    }
}

/// Whether a path exists in the JSON (the last key is present, even when null).
fn is_defined<'a>(
    path: &'a PathNode,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<bool, EvalError> {
    let Some((last, init)) = path.steps.split_last() else {
        return Ok(!root_value(&path.root, env, rt)?.is_null());
    };
    let parent = walk(root_value(&path.root, env, rt)?, init, env, rt)?;
    Ok(match (last, parent) {
        (Step::Property(name), Val::Json(Value::Object(map))) => map.contains_key(name),
        (Step::Annotation(key), Val::Json(Value::Object(map))) => map.contains_key(key),
        _ => false,
    })
}

fn root_value<'a>(
    root: &'a Root,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    Ok(match root {
        Root::This => env.this.clone(),
        Root::It => env.it.clone(),
        Root::Variable(index) => {
            let mut scope = env.scope;
            for _ in 0..*index {
                scope = scope.and_then(|s| s.parent);
            }
            scope.map_or(Val::Null, |s| s.value.clone())
        }
        Root::Computed(index) => env.computed.get(*index).cloned().unwrap_or(Val::Null),
        Root::Value(node) => eval(node, env, rt)?,
    })
}

/// Evaluates a member path (URL §5.1.1.15): absent keys and paths through null are null.
pub(crate) fn eval_path<'a>(
    path: &'a PathNode,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    let start = root_value(&path.root, env, rt)?;
    walk(start, &path.steps, env, rt)
}

fn walk<'a>(
    start: Val<'a>,
    steps: &'a [Step],
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    let mut current = start;
    // The object holding the last property, for `prop@term` annotations.
    let mut holder: Option<(&'a Value, &'a str)> = None;
    // Fast path: leading property steps over borrowed JSON objects (most paths) walk the
    // `Value`s directly, converting only the result.
    let mut leading = 0;
    if let Val::Json(mut value) = current {
        while let Some(Step::Property(name)) = steps.get(leading) {
            let Value::Object(map) = value else {
                break;
            };
            holder = Some((value, name.as_str()));
            leading += 1;
            match map.get(name) {
                Some(next) => value = next,
                None => {
                    value = &Value::Null;
                    break;
                }
            }
        }
        rt.tick(leading as u64)?;
        current = if leading > 0 {
            Val::from_json(value)
        } else {
            Val::Json(value)
        };
    }
    for step in &steps[leading..] {
        rt.tick(1)?;
        let next_holder;
        current = match step {
            Step::Property(name) => {
                next_holder = match &current {
                    Val::Json(object @ Value::Object(_)) => Some((*object, name.as_str())),
                    _ => None,
                };
                match current {
                    Val::Json(Value::Object(map)) => {
                        map.get(name).map_or(Val::Null, Val::from_json)
                    }
                    Val::Owned(boxed) => match *boxed {
                        Value::Object(mut map) => {
                            map.remove(name).map_or(Val::Null, Val::from_owned_json)
                        }
                        _ => Val::Null,
                    },
                    _ => Val::Null,
                }
            }
            Step::TypeCast(names) => {
                next_holder = holder;
                type_cast(current, names)
            }
            Step::Coerce(coercion) => {
                next_holder = holder;
                super::typing::coerce(coercion, current)
            }
            Step::Annotation(key) => {
                next_holder = None;
                let on_property =
                    holder.and_then(|(object, property)| object.get(format!("{property}{key}")));
                match (on_property, &current) {
                    (Some(value), _) => Val::from_json(value),
                    (None, Val::Json(Value::Object(map))) => {
                        map.get(key.as_str()).map_or(Val::Null, Val::from_json)
                    }
                    _ => Val::Null,
                }
            }
            Step::Key(keys) => {
                next_holder = None;
                find_by_key(current, keys, env, rt)?
            }
            Step::Filter(predicate) => {
                next_holder = None;
                let members = current.into_members().unwrap_or_default();
                let mut kept = Vec::new();
                for member in members {
                    if holds(predicate, &member_env(env, &member), rt)? {
                        kept.push(member);
                    }
                }
                Val::List(kept)
            }
            Step::Count(filter, search_expr) => {
                next_holder = None;
                // A choice (URL §4.8 is silent): a null or missing collection counts 0.
                let members = current.into_members().unwrap_or_default();
                let mut count: i128 = 0;
                for member in members {
                    let env = member_env(env, &member);
                    let keep = match filter {
                        Some(f) => holds(f, &env, rt)?,
                        None => true,
                    } && match search_expr {
                        Some(s) => search::matches_value(s, &member, rt)?,
                        None => true,
                    };
                    count += i128::from(keep);
                }
                Val::Num(Num::Int(count))
            }
            Step::Any(predicate) => {
                next_holder = None;
                // A choice (URL §5.1.1.13 is silent): a null or missing collection is empty.
                let members = current.into_members().unwrap_or_default();
                match predicate {
                    None => Val::Bool(!members.is_empty()),
                    Some(p) => {
                        let mut found = false;
                        for member in members {
                            if lambda_holds(p, member, env, rt)? {
                                found = true;
                                break;
                            }
                        }
                        Val::Bool(found)
                    }
                }
            }
            Step::All(predicate) => {
                next_holder = None;
                let members = current.into_members().unwrap_or_default();
                let mut all = true;
                for member in members {
                    // True only if every member gives true (null counts as not true).
                    if !lambda_holds(predicate, member, env, rt)? {
                        all = false;
                        break;
                    }
                }
                Val::Bool(all)
            }
        };
        holder = next_holder;
    }
    Ok(current)
}

fn member_env<'a, 'r>(env: &Env<'a, 'r>, member: &'r Val<'a>) -> Env<'a, 'r> {
    Env {
        it: env.it,
        this: member,
        computed: &[],
        scope: env.scope,
    }
}

fn lambda_holds<'a>(
    predicate: &'a Node,
    member: Val<'a>,
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<bool, EvalError> {
    let scope = Scope {
        value: member,
        parent: env.scope,
    };
    let inner = Env {
        it: env.it,
        this: env.this,
        computed: env.computed,
        scope: Some(&scope),
    };
    holds(predicate, &inner, rt)
}

/// A type-cast segment (URL §4.11): an object passes when its `@odata.type` names the
/// type (with or without `#`), else the result is null. Semantic choice: an object without
/// `@odata.type` matches no type (schemaless JSON cannot tell), the same rule as
/// `cast`/`isof`. Primitive values pass unchanged.
fn type_cast<'a>(value: Val<'a>, name: &functions::TypeNames) -> Val<'a> {
    match &value {
        Val::Json(Value::Object(_)) | Val::Owned(_) => {
            if functions::declares_type(&value, name) {
                value
            } else {
                Val::Null
            }
        }
        Val::Json(Value::Array(items)) => {
            let kept = items
                .iter()
                .map(Val::from_json)
                .map(|member| type_cast(member, name))
                .filter(|member| !member.is_null())
                .collect();
            Val::List(kept)
        }
        _ => value,
    }
}

fn find_by_key<'a>(
    collection: Val<'a>,
    keys: &'a [(String, Node)],
    env: &Env<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    let mut wanted = Vec::with_capacity(keys.len());
    for (name, node) in keys {
        wanted.push((name, eval(node, env, rt)?));
    }
    let Some(members) = collection.into_members() else {
        return Ok(Val::Null);
    };
    for member in members {
        rt.tick(1)?;
        let mut matches = true;
        if let Val::Json(Value::Object(map)) = &member {
            for (name, value) in &wanted {
                let actual = map.get(name.as_str()).map_or(Val::Null, Val::from_json);
                if !value::equals(&actual, value, rt.max_json_depth())? {
                    matches = false;
                    break;
                }
            }
        } else {
            matches = false;
        }
        if matches {
            return Ok(member);
        }
    }
    Ok(Val::Null)
}

/// Reads a JSON string argument of a date/time function as a temporal value.
pub(crate) fn temporal_arg<'a>(value: Val<'a>) -> Val<'a> {
    match value {
        Val::Str(s) => temporal::coerce_temporal(&s),
        other => other,
    }
}
