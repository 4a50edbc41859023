//! `$apply` (OData Data Aggregation 4.0): the subset `filter`, `orderby`, `top`, `skip`,
//! `search`, `compute`, `identity`, `concat`, `aggregate` and `groupby`. Anything else
//! fails with [`EvalError::NotSupported`] naming the transformation.
//!
//! Semantic choices:
//! - `sum`, `min`, `max` and `average` of no values are null ("null if there are no
//!   values"); null values are skipped by every method; `countdistinct` counts distinct
//!   non-null values (0 when there are none);
//! - an aggregated property path that passes through collections (`orders/amount`,
//!   `info/orders/lines/qty`) aggregates the values of every related item, as Data
//!   Aggregation §3.2.1 defines it; so does `orders/lines/$count`. A collection-valued
//!   property at the end of the path contributes each of its members;
//! - `sum`/`average` are exact for integers and decimals (`average` is a decimal
//!   division); `min`/`max` use the `$orderby` total order;
//! - `groupby` and `countdistinct` compare values as `eq` does for numbers: `1`, `1.0`
//!   and `-0.0`/`0` are one value (Data Aggregation: `countdistinct` counts distinct
//!   values, `groupby` partitions by equal values); the first one seen is the group's;
//! - `groupby` keeps groups in order of first appearance; each output row holds the
//!   grouping properties (nested for paths: `a/b` → `{"a":{"b":...}}`) merged with the
//!   rows of the nested transformations (usually one `aggregate` row);
//! - `compute(...)` materialises its properties on (a copy of) each item.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::ast::{
    AggregateExpr, AggregateMethod, BinaryOp, Expr, GroupByElement, MemberPath, PathRoot,
    PathSegment, Search, Segment, SortDirection, Transformation,
};
use crate::error::EvalError;

use super::compile::{Compiler, Node};
use super::exec::{eval, holds, Env, Runtime};
use super::order;
use super::search;
use super::typing::{Coerce, Declared};
use super::value::{self, Num, Val};

/// A compiled transformation.
#[derive(Debug)]
pub(crate) enum Step {
    Filter(Node),
    OrderBy(Vec<(Node, SortDirection)>),
    Top(u64),
    Skip(u64),
    Search(Search),
    Compute(Vec<(String, Node)>),
    Identity,
    Concat(Vec<Vec<Step>>),
    GroupBy {
        groups: Vec<Vec<String>>,
        apply: Vec<Step>,
    },
    Aggregate(Vec<Aggregate>),
}

/// One `aggregate(...)` item.
#[derive(Debug)]
pub(crate) struct Aggregate {
    alias: String,
    kind: AggregateKind,
}

#[derive(Debug)]
enum AggregateKind {
    /// An expression evaluated once per input item.
    With(Node, AggregateMethod),
    /// A property path, gathered through collections.
    PathWith(Vec<String>, AggregateMethod, Option<Coerce>),
    Count,
    PathCount(Vec<String>),
}

/// The property names of `expr` when it is a plain property path (`a/b/c`).
fn property_path(expr: &Expr) -> Option<Vec<String>> {
    let Expr::Path(MemberPath {
        root: PathRoot::Implicit,
        segments,
    }) = expr
    else {
        return None;
    };
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Property(name) => Some(name.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// Gathers the values at `path` below `value`. A collection met on the way contributes
/// each of its members, so a path through collections reaches every related item; with
/// `flatten_end`, so does a collection at the end. Nulls and missing properties
/// contribute nothing.
fn gather<'v>(value: &'v Value, path: &[String], flatten_end: bool) -> Vec<&'v Value> {
    let mut current = vec![value];
    for (step, name) in path.iter().enumerate() {
        let flatten = flatten_end || step + 1 < path.len();
        let mut next = Vec::with_capacity(current.len());
        for child in current.into_iter().filter_map(|value| value.get(name)) {
            match child {
                Value::Array(members) if flatten => next.extend(members),
                Value::Null => {}
                other => next.push(other),
            }
        }
        current = next;
    }
    current.retain(|value| !value.is_null());
    current
}

fn path_names(segments: &[PathSegment]) -> Result<Vec<String>, EvalError> {
    segments
        .iter()
        .filter(|s| !matches!(s, PathSegment::TypeCast(_)))
        .map(|s| match s {
            PathSegment::Property(name) => Ok(name.as_str().to_owned()),
            other => Err(EvalError::NotSupported(format!(
                "the $apply path segment {other}"
            ))),
        })
        .collect()
}

fn transformation_name(t: &Transformation) -> String {
    let text = t.to_string();
    text.split('(').next().unwrap_or(&text).to_string()
}

/// The declared type at the end of a property path that may pass through collections.
fn declared_through<'q>(c: &Compiler<'q>, path: &[String]) -> Declared<'q> {
    let Some(model) = c.model() else {
        return Declared::Unknown;
    };
    path.iter()
        .fold(c.level_type(), |declared, name| {
            declared.element().property(model, name)
        })
        .element()
}

/// Whether the transformations change the shape of the items (so that their properties
/// are no longer those the model declares).
pub(crate) fn reshapes(steps: &[Transformation]) -> bool {
    steps.iter().any(|step| {
        !matches!(
            step,
            Transformation::Filter(_)
                | Transformation::OrderBy(_)
                | Transformation::Top(_)
                | Transformation::Skip(_)
                | Transformation::Search(_)
                | Transformation::Compute(_)
                | Transformation::Identity
        )
    })
}

/// Compiles a transformation sequence.
pub(crate) fn compile<'q>(
    c: &mut Compiler<'q>,
    steps: &'q [Transformation],
) -> Result<Vec<Step>, EvalError> {
    let mut compiled = Vec::with_capacity(steps.len());
    for step in steps {
        compiled.push(c.nested(|c| compile_one(c, step))?);
    }
    Ok(compiled)
}

fn compile_one<'q>(c: &mut Compiler<'q>, step: &'q Transformation) -> Result<Step, EvalError> {
    Ok(match step {
        Transformation::Filter(expr) => Step::Filter(c.predicate(expr, "filter(...)")?),
        Transformation::OrderBy(items) => {
            let mut keys = Vec::with_capacity(items.len());
            for item in items {
                keys.push((c.expr(&item.expr)?, item.direction));
            }
            Step::OrderBy(keys)
        }
        Transformation::Top(n) => Step::Top(*n),
        Transformation::Skip(n) => Step::Skip(*n),
        Transformation::Search(search) => Step::Search(search.clone()),
        Transformation::Compute(items) => {
            let mut compiled = Vec::with_capacity(items.len());
            for item in items {
                compiled.push((item.alias.clone(), c.expr(&item.expr)?));
            }
            Step::Compute(compiled)
        }
        Transformation::Identity => Step::Identity,
        Transformation::Concat(sequences) => {
            let mut compiled = Vec::with_capacity(sequences.len());
            for sequence in sequences {
                compiled.push(compile(c, sequence)?);
            }
            Step::Concat(compiled)
        }
        Transformation::GroupBy { groups, apply } => {
            let mut paths = Vec::with_capacity(groups.len());
            for group in groups {
                match group {
                    GroupByElement::Property(path) => paths.push(path_names(path)?),
                    _ => return Err(EvalError::NotSupported("rollup in groupby".into())),
                }
            }
            Step::GroupBy {
                groups: paths,
                apply: compile(c, apply)?,
            }
        }
        Transformation::Aggregate(items) => {
            let mut compiled = Vec::with_capacity(items.len());
            for item in items {
                if !item.from.is_empty() {
                    return Err(EvalError::NotSupported("aggregate ... from ...".into()));
                }
                let kind = match &item.expr {
                    AggregateExpr::With { expr, method } => {
                        if let AggregateMethod::Custom(name) = method {
                            return Err(EvalError::NotSupported(format!(
                                "the aggregation method {name}"
                            )));
                        }
                        match property_path(expr) {
                            Some(path) => {
                                let coercion = declared_through(c, &path).coercion();
                                AggregateKind::PathWith(path, method.clone(), coercion)
                            }
                            None => AggregateKind::With(c.expr(expr)?, method.clone()),
                        }
                    }
                    AggregateExpr::Count => AggregateKind::Count,
                    AggregateExpr::PathCount(path) => AggregateKind::PathCount(path_names(path)?),
                    AggregateExpr::Custom { name, .. } => {
                        return Err(EvalError::NotSupported(format!(
                            "the custom aggregate {name}"
                        )))
                    }
                    AggregateExpr::Path { .. } => {
                        return Err(EvalError::NotSupported(format!(
                            "the aggregate over a navigation path {}",
                            item.expr
                        )))
                    }
                };
                let alias = item.alias.clone().ok_or_else(|| {
                    EvalError::Invalid(format!("the aggregate {} needs an alias", item.expr))
                })?;
                compiled.push(Aggregate { alias, kind });
            }
            Step::Aggregate(compiled)
        }
        other => {
            return Err(EvalError::NotSupported(format!(
                "the $apply transformation {}",
                transformation_name(other)
            )))
        }
    })
}

fn env_for<'a, 'r>(value: &'r Val<'a>) -> Env<'a, 'r> {
    Env::new(value, &[])
}

/// Runs a transformation sequence.
pub(crate) fn run(
    steps: &[Step],
    mut items: Vec<Value>,
    rt: &Runtime<'_>,
) -> Result<Vec<Value>, EvalError> {
    for step in steps {
        rt.tick(items.len() as u64 + 1)?;
        items = match step {
            Step::Filter(node) => {
                let mut kept = Vec::with_capacity(items.len());
                for item in items {
                    let value = Val::from_json(&item);
                    if holds(node, &env_for(&value), rt)? {
                        kept.push(item);
                    }
                }
                kept
            }
            Step::OrderBy(keys) => {
                let mut all_keys = Vec::with_capacity(items.len());
                for item in &items {
                    let value = Val::from_json(item);
                    let mut row = Vec::with_capacity(keys.len());
                    for (node, _) in keys {
                        row.push(eval(node, &env_for(&value), rt)?.to_json());
                    }
                    all_keys.push(row);
                }
                let key_values: Vec<Vec<Val<'_>>> = all_keys
                    .iter()
                    .map(|row| row.iter().map(Val::from_json).collect())
                    .collect();
                let directions: Vec<SortDirection> = keys.iter().map(|(_, d)| *d).collect();
                order::sort_rows(items, key_values, &directions, None, rt.max_json_depth())
            }
            Step::Top(n) => {
                items.truncate(usize::try_from(*n).unwrap_or(usize::MAX));
                items
            }
            Step::Skip(n) => items
                .into_iter()
                .skip(usize::try_from(*n).unwrap_or(usize::MAX))
                .collect(),
            Step::Search(search_expr) => {
                let mut kept = Vec::with_capacity(items.len());
                for item in items {
                    if search::matches(search_expr, &item, rt)? {
                        kept.push(item);
                    }
                }
                kept
            }
            Step::Compute(computed) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let mut additions = Vec::with_capacity(computed.len());
                    {
                        let value = Val::from_json(&item);
                        for (name, node) in computed {
                            additions
                                .push((name.clone(), eval(node, &env_for(&value), rt)?.to_json()));
                        }
                    }
                    let mut item = item;
                    if let Value::Object(map) = &mut item {
                        map.extend(additions);
                    }
                    out.push(item);
                }
                out
            }
            Step::Identity => items,
            Step::Concat(sequences) => {
                let mut out = Vec::new();
                for sequence in sequences {
                    out.extend(run(sequence, items.clone(), rt)?);
                }
                out
            }
            Step::GroupBy { groups, apply } => group_by(groups, apply, items, rt)?,
            Step::Aggregate(aggregates) => vec![aggregate(aggregates, &items, rt)?],
        };
    }
    Ok(items)
}

/// Appends a text that is equal for two JSON values exactly when they are the same value:
/// numbers by value (an integral double is written as the integer, so `1`, `1.0` and
/// `1e0` agree, and `-0.0` is `0`), objects with their members in key order (serde_json
/// maps are sorted), everything else as JSON.
fn distinct_key(value: &Value, out: &mut String) {
    match value {
        Value::Number(number) => {
            let integral = number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e19);
            match (number.is_f64(), integral) {
                // Exact below 2^64 in magnitude: the cast keeps the value.
                (true, Some(f)) => out.push_str(&(f as i128).to_string()),
                _ => out.push_str(&number.to_string()),
            }
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                distinct_key(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (key, item) in map {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                distinct_key(item, out);
                out.push(',');
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The value of a grouping property of `item` (null where the path is missing). Grouping
/// properties are single-valued paths (Data Aggregation §3.10.1): an array on the way, or
/// at the end, is an error rather than a group keyed by null or by a whole collection.
fn grouping_value(item: &Value, path: &[String]) -> Result<Value, EvalError> {
    let mut current = item;
    for (depth, name) in path.iter().enumerate() {
        match current.get(name) {
            None => return Ok(Value::Null),
            Some(Value::Array(_)) => {
                return Err(EvalError::Invalid(format!(
                    "groupby: '{}' is a collection; grouping properties are single-valued paths",
                    path[..=depth].join("/")
                )))
            }
            Some(next) => current = next,
        }
    }
    Ok(current.clone())
}

/// Sets `value` at `path` inside `target`, creating objects on the way.
fn insert_path(target: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        target.insert(first.clone(), value);
        return;
    }
    let slot = target
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        insert_path(inner, rest, value);
    }
}

fn group_by(
    groups: &[Vec<String>],
    apply: &[Step],
    items: Vec<Value>,
    rt: &Runtime<'_>,
) -> Result<Vec<Value>, EvalError> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut buckets: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for item in items {
        let key = groups
            .iter()
            .map(|path| grouping_value(&item, path))
            .collect::<Result<Vec<Value>, EvalError>>()?;
        let mut text = String::new();
        for value in &key {
            distinct_key(value, &mut text);
            text.push('\u{1f}');
        }
        if !index.contains_key(&text) {
            // A new group holds its key twice (the index and the bucket).
            rt.charge(text.len().saturating_mul(2))?;
        }
        let slot = *index.entry(text).or_insert_with(|| {
            buckets.push((key, Vec::new()));
            buckets.len() - 1
        });
        if let Some((_, members)) = buckets.get_mut(slot) {
            members.push(item);
        }
    }
    let mut out = Vec::with_capacity(buckets.len());
    for (key, members) in buckets {
        let mut grouped = Map::new();
        for (path, value) in groups.iter().zip(key) {
            insert_path(&mut grouped, path, value);
        }
        if apply.is_empty() {
            out.push(Value::Object(grouped));
            continue;
        }
        for row in run(apply, members, rt)? {
            let mut merged = match row {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            for (key, value) in &grouped {
                merged.entry(key.clone()).or_insert_with(|| value.clone());
            }
            out.push(Value::Object(merged));
        }
    }
    Ok(out)
}

fn aggregate(
    aggregates: &[Aggregate],
    items: &[Value],
    rt: &Runtime<'_>,
) -> Result<Value, EvalError> {
    let mut out = Map::new();
    for aggregate in aggregates {
        let result = match &aggregate.kind {
            AggregateKind::Count => Value::from(items.len()),
            AggregateKind::PathCount(path) => Value::from(
                items
                    .iter()
                    .flat_map(|item| gather(item, path, false))
                    .map(|value| value.as_array().map_or(0, Vec::len))
                    .sum::<usize>(),
            ),
            AggregateKind::PathWith(path, method, coercion) => {
                let mut values = Vec::new();
                for item in items {
                    let gathered = gather(item, path, true);
                    rt.tick(gathered.len() as u64)?;
                    values.extend(gathered.into_iter().map(|value| match coercion {
                        // With a model: the declared type (a number held as a string, ...).
                        Some(coercion) => {
                            super::typing::coerce(coercion, Val::from_json(value)).to_json()
                        }
                        None => value.clone(),
                    }));
                }
                aggregate_values(method, &values, rt)?
            }
            AggregateKind::With(node, method) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let value = Val::from_json(item);
                    let result = eval(node, &env_for(&value), rt)?.to_json();
                    if !result.is_null() {
                        values.push(result);
                    }
                }
                aggregate_values(method, &values, rt)?
            }
        };
        out.insert(aggregate.alias.clone(), result);
    }
    Ok(Value::Object(out))
}

fn aggregate_values(
    method: &AggregateMethod,
    values: &[Value],
    rt: &Runtime<'_>,
) -> Result<Value, EvalError> {
    let max_depth = rt.max_json_depth();
    let operands: Vec<Val<'_>> = values.iter().map(Val::from_json).collect();
    Ok(match method {
        AggregateMethod::Sum | AggregateMethod::Average => {
            let mut total = Val::Num(Num::Int(0));
            for operand in &operands {
                if !matches!(operand, Val::Num(_)) {
                    return Err(EvalError::Type(format!(
                        "{} needs numbers, found {}",
                        method.keyword(),
                        operand.type_name()
                    )));
                }
                total = value::arithmetic(BinaryOp::Add, total, operand.clone())?;
            }
            if operands.is_empty() {
                Value::Null
            } else if *method == AggregateMethod::Sum {
                total.to_json()
            } else {
                let count = Val::Num(Num::Int(operands.len() as i128));
                value::arithmetic(BinaryOp::DivBy, total, count)?.to_json()
            }
        }
        AggregateMethod::Min | AggregateMethod::Max => {
            let best = operands.iter().reduce(|best, candidate| {
                let ordering = order::total_cmp(candidate, best, 0, max_depth);
                let better = if *method == AggregateMethod::Min {
                    ordering.is_lt()
                } else {
                    ordering.is_gt()
                };
                if better {
                    candidate
                } else {
                    best
                }
            });
            best.map_or(Value::Null, Val::to_json)
        }
        AggregateMethod::CountDistinct => {
            let distinct: HashSet<String> = values
                .iter()
                .map(|value| {
                    let mut text = String::new();
                    distinct_key(value, &mut text);
                    text
                })
                .collect();
            Value::from(distinct.len())
        }
        AggregateMethod::Custom(name) => {
            return Err(EvalError::NotSupported(format!(
                "the aggregation method {name}"
            )))
        }
    })
}
