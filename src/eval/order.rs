//! `$orderby` (Prot §11.2.6.2): a total order over every operand, stable
//! sorting, and a partial sort for `$top`.
//!
//! Semantic choices:
//! - types rank `null < false < true < numbers < strings < Date < DateTimeOffset <
//!   TimeOfDay < Duration < Guid < Binary < enums < arrays < objects`; so nulls come first
//!   ascending and last descending (Prot §11.2.6.2);
//! - numbers compare exactly across integers, decimals and doubles; `NaN` sorts above
//!   `INF`;
//! - strings compare by code point (a choice; Prot §11.2.6.2). Plain JSON strings compare as
//!   strings, also when they hold dates; typed keys (`cast(d, Edm.DateTimeOffset)`, a
//!   date function) compare by instant;
//! - arrays compare element by element, objects by their sorted (key, value) pairs;
//!   structures deeper than `max_json_depth` compare equal below that depth;
//! - ties keep the input order (a choice; Prot §11.2.6.3).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::ast::SortDirection;

use super::value::{Num, Val};

fn rank(value: &Val<'_>) -> u8 {
    match value {
        Val::Null => 0,
        Val::Bool(_) => 1,
        Val::Num(_) => 2,
        Val::Str(_) => 3,
        Val::Date(_) => 4,
        Val::DateTimeOffset(_) => 5,
        Val::TimeOfDay(_) => 6,
        Val::Duration(_) => 7,
        Val::Guid(_) => 8,
        Val::Binary(_) => 9,
        Val::Enum(_) => 10,
        Val::List(_) => 11,
        Val::Json(v) => json_rank(v),
        Val::Owned(v) => json_rank(v),
    }
}

fn json_rank(value: &Value) -> u8 {
    match value {
        Value::Array(_) => 11,
        Value::Object(_) => 12,
        other => rank(&Val::from_json(other)),
    }
}

fn compare_numbers(a: Num, b: Num) -> Ordering {
    let nan = |n: Num| matches!(n, Num::Float(f) if f.is_nan());
    match (nan(a), nan(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.compare(b).unwrap_or(Ordering::Equal),
    }
}

/// The total order used by `$orderby`.
pub(crate) fn total_cmp(a: &Val<'_>, b: &Val<'_>, depth: usize, max_depth: usize) -> Ordering {
    let (rank_a, rank_b) = (rank(a), rank(b));
    if rank_a != rank_b {
        return rank_a.cmp(&rank_b);
    }
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Num(x), Val::Num(y)) => compare_numbers(*x, *y),
        (Val::Str(x), Val::Str(y)) | (Val::Enum(x), Val::Enum(y)) => x.cmp(y),
        (Val::Date(x), Val::Date(y)) => x.cmp(y),
        (Val::DateTimeOffset(x), Val::DateTimeOffset(y)) => x.cmp(y),
        (Val::TimeOfDay(x), Val::TimeOfDay(y)) => x.cmp(y),
        (Val::Duration(x), Val::Duration(y)) => x.cmp(y),
        (Val::Guid(x), Val::Guid(y)) => x.cmp(y),
        (Val::Binary(x), Val::Binary(y)) => x.cmp(y),
        _ if depth >= max_depth => Ordering::Equal,
        _ => {
            // Collections and objects: compare through JSON.
            let (x, y) = (a.to_json(), b.to_json());
            json_cmp(&x, &y, depth + 1, max_depth)
        }
    }
}

fn json_cmp(a: &Value, b: &Value, depth: usize, max_depth: usize) -> Ordering {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            for (left, right) in x.iter().zip(y) {
                let ordering = json_value_cmp(left, right, depth, max_depth);
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => object_cmp(x, y, depth, max_depth),
        _ => json_value_cmp(a, b, depth, max_depth),
    }
}

fn json_value_cmp(a: &Value, b: &Value, depth: usize, max_depth: usize) -> Ordering {
    if depth >= max_depth {
        return Ordering::Equal;
    }
    match (a, b) {
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            json_cmp(a, b, depth + 1, max_depth)
        }
        _ => total_cmp(&Val::from_json(a), &Val::from_json(b), depth + 1, max_depth),
    }
}

fn object_cmp(
    x: &Map<String, Value>,
    y: &Map<String, Value>,
    depth: usize,
    max_depth: usize,
) -> Ordering {
    let mut left: Vec<(&String, &Value)> = x.iter().collect();
    let mut right: Vec<(&String, &Value)> = y.iter().collect();
    left.sort_by(|p, q| p.0.cmp(q.0));
    right.sort_by(|p, q| p.0.cmp(q.0));
    for ((key_a, value_a), (key_b, value_b)) in left.iter().zip(&right) {
        let ordering = key_a
            .cmp(key_b)
            .then_with(|| json_value_cmp(value_a, value_b, depth, max_depth));
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    left.len().cmp(&right.len())
}

/// Compares two key vectors by the sort directions (ties are `Equal`).
pub(crate) fn compare_key_values(
    a: &[Val<'_>],
    b: &[Val<'_>],
    directions: &[SortDirection],
    max_depth: usize,
) -> Ordering {
    for ((x, y), direction) in a.iter().zip(b).zip(directions) {
        let ordering = total_cmp(x, y, 0, max_depth);
        let ordering = match direction {
            SortDirection::Asc => ordering,
            SortDirection::Desc => ordering.reverse(),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Compares two rows' keys, then their input positions (stability).
fn compare_keys(
    a: &(usize, Vec<Val<'_>>),
    b: &(usize, Vec<Val<'_>>),
    directions: &[SortDirection],
    max_depth: usize,
) -> Ordering {
    compare_key_values(&a.1, &b.1, directions, max_depth).then(a.0.cmp(&b.0))
}

/// Sorts `rows` by their `keys` (one vector per row), keeping only the first `limit`
/// when given: a partial selection then a sort of the kept part, O(n + k log k).
pub(crate) fn sort_rows<T>(
    rows: Vec<T>,
    keys: Vec<Vec<Val<'_>>>,
    directions: &[SortDirection],
    limit: Option<usize>,
    max_depth: usize,
) -> Vec<T> {
    let mut keyed: Vec<(usize, Vec<Val<'_>>)> = keys.into_iter().enumerate().collect();
    let compare = |a: &(usize, Vec<Val<'_>>), b: &(usize, Vec<Val<'_>>)| {
        compare_keys(a, b, directions, max_depth)
    };
    match limit {
        Some(0) => keyed.clear(),
        Some(k) if k < keyed.len() => {
            keyed.select_nth_unstable_by(k - 1, compare);
            keyed.truncate(k);
            keyed.sort_unstable_by(compare);
        }
        _ => keyed.sort_unstable_by(compare),
    }
    let mut slots: Vec<Option<T>> = rows.into_iter().map(Some).collect();
    keyed
        .into_iter()
        .filter_map(|(index, _)| slots.get_mut(index).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn total_order_across_types() {
        let values = [
            Val::Null,
            Val::Bool(false),
            Val::Bool(true),
            Val::Num(Num::Int(-5)),
            Val::Num(Num::Float(2.5)),
            Val::Num(Num::Float(f64::NAN)),
            Val::Str(Cow::Borrowed("a")),
        ];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(total_cmp(a, b, 0, 8), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn partial_sort_keeps_stability() {
        let rows = vec!["a", "b", "c", "d", "e"];
        let keys = vec![
            vec![Val::Num(Num::Int(2))],
            vec![Val::Num(Num::Int(1))],
            vec![Val::Num(Num::Int(2))],
            vec![Val::Num(Num::Int(1))],
            vec![Val::Null],
        ];
        let all = sort_rows(rows.clone(), keys.clone(), &[SortDirection::Asc], None, 8);
        assert_eq!(all, vec!["e", "b", "d", "a", "c"]);
        let top = sort_rows(
            rows.clone(),
            keys.clone(),
            &[SortDirection::Desc],
            Some(3),
            8,
        );
        assert_eq!(top, vec!["a", "c", "b"]);
    }
}
