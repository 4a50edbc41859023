//! Canonical functions (URL §5.1.1.5–§5.1.1.11), `cast` and `isof`.
//!
//! A null argument gives null (URL §5.1.1.4). An argument of a type the function does not
//! take, found in the data at run time, also gives null; the same mistake visible at
//! compile time (`contains(1,2)`) is a type error.
//!
//! Semantic choice (URL §5.1.1.5.4): a "character" is a Unicode scalar value, so
//! `length('😀')` is 1.

use std::borrow::Cow;

use chrono::{Datelike, Timelike};
use serde_json::Value;

use crate::ast::Function;
use crate::error::EvalError;

use super::compile::{kind, Kind, Node};
use super::exec::{temporal_arg, Runtime};
use super::temporal;
use super::value::{self, Decimal, Num, Val};

pub(crate) use super::pattern::Pattern;

/// Rejects arguments whose static kind the function cannot take.
pub(crate) fn check_argument_kinds(function: Function, args: &[Node]) -> Result<(), EvalError> {
    use Function::*;
    let textual = [Kind::String, Kind::Unknown, Kind::Null];
    let numeric = [Kind::Number, Kind::Unknown, Kind::Null];
    let temporal = [Kind::Temporal, Kind::String, Kind::Unknown, Kind::Null];
    for (index, arg) in args.iter().enumerate() {
        let allowed: &[Kind] = match (function, index) {
            (Concat | Contains | EndsWith | StartsWith | IndexOf | Length | Substring, 0)
            | (Concat | Contains | EndsWith | StartsWith | IndexOf, 1)
            | (ToLower | ToUpper | Trim | MatchesPattern, _) => &textual,
            (Substring, _) | (Round | Floor | Ceiling, _) => &numeric,
            (Year | Month | Day | Hour | Minute | Second | FractionalSeconds, _)
            | (TotalSeconds | Date | Time | TotalOffsetMinutes, _) => &temporal,
            _ => continue,
        };
        let found = kind(arg);
        if !allowed.contains(&found) {
            return Err(EvalError::Type(format!(
                "{} does not take a {found:?} argument",
                function.name()
            )));
        }
    }
    Ok(())
}

/// The static kind of a function's result.
pub(crate) fn return_kind(function: Function) -> Kind {
    use Function::*;
    match function {
        Contains | EndsWith | StartsWith | MatchesPattern | HasSubset | HasSubsequence
        | IsDefined | GeoIntersects => Kind::Bool,
        IndexOf | Length | Year | Month | Day | Hour | Minute | Second | FractionalSeconds
        | TotalSeconds | TotalOffsetMinutes | Round | Floor | Ceiling | GeoDistance | GeoLength => {
            Kind::Number
        }
        ToLower | ToUpper | Trim => Kind::String,
        Date | Time | MinDateTime | MaxDateTime | Now => Kind::Temporal,
        _ => Kind::Unknown,
    }
}

fn int<'a>(value: i128) -> Val<'a> {
    Val::Num(Num::Int(value))
}

/// Calls a canonical function on evaluated arguments.
pub(crate) fn call<'a>(
    function: Function,
    args: Vec<Val<'a>>,
    rt: &Runtime<'_>,
) -> Result<Val<'a>, EvalError> {
    use Function::*;
    if args.iter().any(Val::is_null) {
        return Ok(Val::Null);
    }
    let depth = rt.max_json_depth();
    let mut args = args.into_iter();
    let mut next = || args.next().unwrap_or(Val::Null);
    let first = next();
    Ok(match function {
        Concat => match (first, next()) {
            (Val::Str(a), Val::Str(b)) => {
                // Charged before building: nested concats double the length at each level.
                rt.charge(a.len() + b.len())?;
                Val::Str(Cow::Owned(format!("{a}{b}")))
            }
            (a, b) => match (a.into_members(), b.into_members()) {
                (Some(mut x), Some(y)) => {
                    rt.tick((x.len() + y.len()) as u64)?;
                    rt.charge((x.len() + y.len()).saturating_mul(std::mem::size_of::<Val<'_>>()))?;
                    x.extend(y);
                    Val::List(x)
                }
                _ => Val::Null,
            },
        },
        Contains | StartsWith | EndsWith | IndexOf => {
            let second = next();
            match (&first, &second) {
                (Val::Str(haystack), Val::Str(needle)) => string_search(function, haystack, needle),
                _ => match (first.into_members(), second.into_members()) {
                    (Some(haystack), Some(needle)) => {
                        rt.tick(haystack.len() as u64)?;
                        sequence_search(function, &haystack, &needle, depth)?
                    }
                    _ => Val::Null,
                },
            }
        }
        Length => match first {
            Val::Str(s) => int(s.chars().count() as i128),
            other => other
                .into_members()
                .map_or(Val::Null, |m| int(m.len() as i128)),
        },
        Substring => charged(substring(first, next(), args_rest(&mut next))?, rt)?,
        ToLower => charged(map_string(first, |s| s.to_lowercase()), rt)?,
        ToUpper => charged(map_string(first, |s| s.to_uppercase()), rt)?,
        Trim => charged(map_string(first, |s| s.trim().to_string()), rt)?,
        Year | Month | Day | Hour | Minute | Second | FractionalSeconds | Date | Time
        | TotalOffsetMinutes | TotalSeconds => date_part(function, temporal_arg(first)),
        MinDateTime => temporal::min_datetime().map_or(Val::Null, Val::DateTimeOffset),
        MaxDateTime => temporal::max_datetime().map_or(Val::Null, Val::DateTimeOffset),
        Now => Val::DateTimeOffset(rt.now),
        Round | Floor | Ceiling => match first {
            Val::Num(n) => Val::Num(round(function, n)),
            _ => Val::Null,
        },
        HasSubset | HasSubsequence => match (first.into_members(), next().into_members()) {
            (Some(set), Some(subset)) => {
                rt.tick((set.len() * subset.len().max(1)) as u64)?;
                Val::Bool(if function == HasSubset {
                    has_subset(&set, &subset, depth)?
                } else {
                    has_subsequence(&set, &subset, depth)?
                })
            }
            _ => Val::Null,
        },
        // Compiled to their own nodes, or rejected at compile time.
        MatchesPattern | IsDefined | GeoDistance | GeoLength | GeoIntersects => {
            return Err(EvalError::NotSupported(format!(
                "the function {}",
                function.name()
            )))
        }
    })
}

/// Charges a built string or collection against the memory budget.
fn charged<'a>(value: Val<'a>, rt: &Runtime<'_>) -> Result<Val<'a>, EvalError> {
    match &value {
        Val::Str(Cow::Owned(text)) => rt.charge(text.len())?,
        Val::List(members) => rt.charge(members.len() * std::mem::size_of::<Val<'_>>())?,
        _ => {}
    }
    Ok(value)
}

fn args_rest<'a>(next: &mut impl FnMut() -> Val<'a>) -> Option<Val<'a>> {
    match next() {
        Val::Null => None,
        other => Some(other),
    }
}

fn map_string<'a>(value: Val<'a>, f: impl Fn(&str) -> String) -> Val<'a> {
    match value {
        Val::Str(s) => Val::Str(Cow::Owned(f(&s))),
        _ => Val::Null,
    }
}

/// `contains`, `startswith`, `endswith`, `indexof` on strings (case-sensitive, URL §5.1.1.5);
/// `indexof` counts characters.
fn string_search<'a>(function: Function, haystack: &str, needle: &str) -> Val<'a> {
    match function {
        Function::Contains => Val::Bool(haystack.contains(needle)),
        Function::StartsWith => Val::Bool(haystack.starts_with(needle)),
        Function::EndsWith => Val::Bool(haystack.ends_with(needle)),
        _ => int(match haystack.find(needle) {
            Some(byte) => haystack.get(..byte).map_or(0, |s| s.chars().count()) as i128,
            None => -1,
        }),
    }
}

fn slices_equal(a: &[Val<'_>], b: &[Val<'_>], depth: usize) -> Result<bool, EvalError> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter().zip(b) {
        if !value::equals(x, y, depth)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The collection overloads (URL §5.1.1.5): the second collection as a contiguous
/// subsequence of the first.
fn sequence_search<'a>(
    function: Function,
    haystack: &[Val<'_>],
    needle: &[Val<'_>],
    depth: usize,
) -> Result<Val<'a>, EvalError> {
    Ok(match function {
        Function::StartsWith => Val::Bool(
            haystack.len() >= needle.len()
                && slices_equal(
                    haystack.get(..needle.len()).unwrap_or_default(),
                    needle,
                    depth,
                )?,
        ),
        Function::EndsWith => Val::Bool(
            haystack.len() >= needle.len()
                && slices_equal(
                    haystack
                        .get(haystack.len() - needle.len()..)
                        .unwrap_or_default(),
                    needle,
                    depth,
                )?,
        ),
        _ => {
            let mut found = None;
            if needle.len() <= haystack.len() {
                for start in 0..=haystack.len() - needle.len() {
                    let window = haystack
                        .get(start..start + needle.len())
                        .unwrap_or_default();
                    if slices_equal(window, needle, depth)? {
                        found = Some(start);
                        break;
                    }
                }
            }
            if function == Function::Contains {
                Val::Bool(found.is_some())
            } else {
                int(found.map_or(-1, |i| i as i128))
            }
        }
    })
}

/// `substring(s, start[, length])` (URL §5.1.1.5.7): zero-based; a start
/// past the end gives an empty result; a length past the end gives what is there; a
/// negative length is an error. Semantic choice: a negative start counts from the end
/// (clamped at the beginning). Collections are sliced the same way.
fn substring<'a>(
    value: Val<'a>,
    start: Val<'a>,
    length: Option<Val<'a>>,
) -> Result<Val<'a>, EvalError> {
    let integer = |v: &Val<'_>| match v {
        Val::Num(n) => n.as_integer(),
        _ => None,
    };
    let Some(start) = integer(&start) else {
        return Ok(Val::Null);
    };
    let length = match &length {
        None => None,
        Some(l) => match integer(l) {
            Some(l) if l < 0 => {
                return Err(EvalError::Invalid(
                    "substring: the length must not be negative".into(),
                ))
            }
            Some(l) => Some(l),
            None => return Ok(Val::Null),
        },
    };
    let range = |total: usize| -> (usize, usize) {
        let total_i = total as i128;
        let from = if start < 0 {
            (total_i + start).max(0)
        } else {
            start.min(total_i)
        };
        let to = match length {
            Some(l) => from.saturating_add(l).min(total_i),
            None => total_i,
        };
        (from as usize, to as usize)
    };
    Ok(match value {
        Val::Str(s) => {
            let (from, to) = range(s.chars().count());
            Val::Str(Cow::Owned(s.chars().skip(from).take(to - from).collect()))
        }
        other => match other.into_members() {
            Some(members) => {
                let (from, to) = range(members.len());
                Val::List(members.into_iter().skip(from).take(to - from).collect())
            }
            None => Val::Null,
        },
    })
}

/// Date and time parts, evaluated in the value's own offset (URL §5.1.1.8).
fn date_part<'a>(function: Function, value: Val<'a>) -> Val<'a> {
    use Function::*;
    let (date, time, offset) = match &value {
        Val::DateTimeOffset(dt) => {
            let local = dt.naive_local();
            (
                Some(local.date()),
                Some(local.time()),
                Some(dt.offset().local_minus_utc()),
            )
        }
        Val::Date(d) => (Some(*d), None, None),
        Val::TimeOfDay(t) => (None, Some(*t), None),
        Val::Duration(d) if function == TotalSeconds => {
            return Val::Num(Num::Dec(
                Decimal {
                    mantissa: d.0,
                    scale: 9,
                }
                .normalize(),
            ))
        }
        _ => return Val::Null,
    };
    let leap = time.is_some_and(|t| t.nanosecond() >= 1_000_000_000);
    match (function, date, time) {
        (Year, Some(d), _) => int(i128::from(d.year())),
        (Month, Some(d), _) => int(i128::from(d.month())),
        (Day, Some(d), _) => int(i128::from(d.day())),
        (Hour, _, Some(t)) => int(i128::from(t.hour())),
        (Minute, _, Some(t)) => int(i128::from(t.minute())),
        (Second, _, Some(t)) => int(i128::from(t.second()) + i128::from(leap)),
        (FractionalSeconds, _, Some(t)) => Val::Num(Num::Dec(
            Decimal {
                mantissa: i128::from(t.nanosecond() % 1_000_000_000),
                scale: 9,
            }
            .normalize(),
        )),
        (Date, Some(d), Some(_)) => Val::Date(d),
        (Time, Some(_), Some(t)) => Val::TimeOfDay(t),
        (TotalOffsetMinutes, _, _) => offset.map_or(Val::Null, |o| int(i128::from(o / 60))),
        _ => Val::Null,
    }
}

/// `round` (half away from zero, URL §5.1.1.9.3), `floor`, `ceiling`.
fn round(function: Function, n: Num) -> Num {
    match n {
        Num::Int(_) => n,
        Num::Float(f) => Num::Float(match function {
            Function::Round => f.round(),
            Function::Floor => f.floor(),
            _ => f.ceil(),
        }),
        // `round(Edm.Decimal)` is an `Edm.Decimal` (URL §5.1.1.9): the result stays a
        // decimal, so `7 div round(2.5)` divides decimals, not integers.
        Num::Dec(d) => {
            let unit = 10i128.pow(d.scale);
            let floor = d.mantissa.div_euclid(unit);
            let remainder = d.mantissa.rem_euclid(unit);
            let integral = |mantissa: i128| Num::Dec(Decimal { mantissa, scale: 0 });
            integral(match function {
                Function::Floor => floor,
                Function::Ceiling => floor + i128::from(remainder != 0),
                _ => {
                    let truncated = d.mantissa / unit;
                    let rest = (d.mantissa % unit).abs();
                    if rest >= unit - rest {
                        truncated + d.mantissa.signum()
                    } else {
                        truncated
                    }
                }
            })
        }
    }
}

fn has_subset(set: &[Val<'_>], subset: &[Val<'_>], depth: usize) -> Result<bool, EvalError> {
    for wanted in subset {
        let mut found = false;
        for member in set {
            if value::equals(member, wanted, depth)? {
                found = true;
                break;
            }
        }
        if !found {
            return Ok(false);
        }
    }
    Ok(true)
}

fn has_subsequence(
    sequence: &[Val<'_>],
    wanted: &[Val<'_>],
    depth: usize,
) -> Result<bool, EvalError> {
    let mut wanted_iter = wanted.iter().peekable();
    for member in sequence {
        if let Some(next) = wanted_iter.peek() {
            if value::equals(member, next, depth)? {
                wanted_iter.next();
            }
        }
    }
    Ok(wanted_iter.peek().is_none())
}

/// An `Edm` primitive type named in `cast`/`isof`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdmType {
    String,
    Boolean,
    Byte,
    SByte,
    Int16,
    Int32,
    Int64,
    Decimal,
    Double,
    Single,
    Date,
    DateTimeOffset,
    TimeOfDay,
    Duration,
    Guid,
    Binary,
}

/// The target of `cast`/`isof`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeTarget {
    /// `Edm.Int32`, ...
    Primitive(EdmType),
    /// `Ns.Type`: matched against the object's `@odata.type`.
    Structured(TypeNames),
    /// `Collection(T)`
    Collection(Box<TypeTarget>),
}

impl TypeTarget {
    /// Reads a type name.
    pub(crate) fn parse(name: &str) -> Result<TypeTarget, EvalError> {
        if let Some(inner) = name
            .strip_prefix("Collection(")
            .and_then(|n| n.strip_suffix(')'))
        {
            return Ok(TypeTarget::Collection(Box::new(TypeTarget::parse(inner)?)));
        }
        let Some(edm) = name.strip_prefix("Edm.") else {
            return Ok(TypeTarget::Structured(TypeNames::exactly(name)));
        };
        use EdmType::*;
        Ok(TypeTarget::Primitive(match edm {
            "String" => String,
            "Boolean" => Boolean,
            "Byte" => Byte,
            "SByte" => SByte,
            "Int16" => Int16,
            "Int32" => Int32,
            "Int64" => Int64,
            "Decimal" => Decimal,
            "Double" => Double,
            "Single" => Single,
            "Date" => Date,
            "DateTimeOffset" => DateTimeOffset,
            "TimeOfDay" => TimeOfDay,
            "Duration" => Duration,
            "Guid" => Guid,
            "Binary" => Binary,
            _ => return Err(EvalError::NotSupported(format!("cast/isof to {name}"))),
        }))
    }

    /// `cast` (URL §5.1.1.10.1): a failed cast is null, never an error.
    ///
    /// Semantic choices: numbers cast to integer types truncate toward zero and give null
    /// when out of range; strings cast to a type when they hold its literal form; a JSON
    /// string without offset cast to DateTimeOffset is UTC (rule 11).
    pub(crate) fn cast<'a>(&self, value: Val<'a>) -> Val<'a> {
        if value.is_null() {
            return Val::Null;
        }
        match self {
            TypeTarget::Primitive(edm) => cast_primitive(*edm, value),
            TypeTarget::Structured(names) => {
                if declares_type(&value, names) {
                    value
                } else {
                    Val::Null
                }
            }
            TypeTarget::Collection(inner) => match value.into_members() {
                Some(members) => {
                    let cast: Vec<Val<'a>> = members.into_iter().map(|m| inner.cast(m)).collect();
                    if cast.iter().any(Val::is_null) {
                        Val::Null
                    } else {
                        Val::List(cast)
                    }
                }
                None => Val::Null,
            },
        }
    }

    /// `isof` (URL §5.1.1.10.2, §5.1.1.10.1). Semantic choice: over JSON a Boolean
    /// is `Edm.Boolean`; an integer is every integer type whose range holds it and also
    /// Decimal/Double/Single; a number with a fraction is Decimal/Double/Single; a string
    /// is `Edm.String` only; typed values (from literals and functions) have their own
    /// type; an object is `Ns.Type` when its `@odata.type` names it. Null is of no type.
    pub(crate) fn is_of(&self, value: &Val<'_>) -> bool {
        use EdmType::*;
        match (self, value) {
            (_, Val::Null) => false,
            (TypeTarget::Structured(names), _) => declares_type(value, names),
            (TypeTarget::Collection(inner), _) => value
                .members()
                .is_some_and(|members| members.iter().all(|m| inner.is_of(m))),
            (TypeTarget::Primitive(edm), value) => match (edm, value) {
                (String, Val::Str(_)) | (Boolean, Val::Bool(_)) => true,
                (Decimal | Double | Single, Val::Num(_)) => true,
                (Byte | SByte | Int16 | Int32 | Int64, Val::Num(Num::Int(i))) => {
                    integer_range(*edm).contains(i)
                }
                (DateTimeOffset, Val::DateTimeOffset(_))
                | (Date, Val::Date(_))
                | (TimeOfDay, Val::TimeOfDay(_))
                | (Duration, Val::Duration(_))
                | (Guid, Val::Guid(_))
                | (Binary, Val::Binary(_)) => true,
                _ => false,
            },
        }
    }
}

/// The structured types a cast or `isof` accepts, by the names `@odata.type` may give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeNames {
    /// Qualified names, without `#`.
    pub(crate) names: Vec<String>,
    /// Whether an object without `@odata.type` is accepted (with a model: its declared
    /// type is, or derives from, the target).
    pub(crate) untyped: bool,
}

impl TypeNames {
    /// Exactly this name (without a model).
    pub(crate) fn exactly(name: &str) -> TypeNames {
        TypeNames {
            names: vec![name.to_owned()],
            untyped: false,
        }
    }
}

/// Whether an object's `@odata.type` (with or without `#`) is one of `names`; an object
/// without one is accepted when `names.untyped`.
pub(crate) fn declares_type(value: &Val<'_>, names: &TypeNames) -> bool {
    let object = match value {
        Val::Json(v) => *v,
        Val::Owned(v) => v.as_ref(),
        _ => return false,
    };
    match object {
        Value::Object(members) => object_declares_type(members, names),
        _ => false,
    }
}

/// [`declares_type`] for an object's members.
pub(crate) fn object_declares_type(
    object: &serde_json::Map<String, Value>,
    names: &TypeNames,
) -> bool {
    match object.get("@odata.type").and_then(Value::as_str) {
        Some(declared) => {
            let declared = declared.trim_start_matches('#');
            names.names.iter().any(|name| name == declared)
        }
        None => names.untyped,
    }
}

fn integer_range(edm: EdmType) -> std::ops::RangeInclusive<i128> {
    match edm {
        EdmType::Byte => 0..=255,
        EdmType::SByte => -128..=127,
        EdmType::Int16 => i128::from(i16::MIN)..=i128::from(i16::MAX),
        EdmType::Int32 => i128::from(i32::MIN)..=i128::from(i32::MAX),
        _ => i128::from(i64::MIN)..=i128::from(i64::MAX),
    }
}

/// A number as text for `cast(x, Edm.String)`: "the literal representation used in
/// payloads" (URL §5.1.1.10.1 rule 2), so a double is written as JSON writes it (`1e+308`,
/// `0.1`, `2.0`), never as its full positional expansion.
fn number_text(n: Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Dec(d) => d.to_string(),
        Num::Float(f) if f.is_nan() => "NaN".into(),
        Num::Float(f) if f.is_infinite() => if f > 0.0 { "INF" } else { "-INF" }.into(),
        Num::Float(f) => {
            serde_json::Number::from_f64(f).map_or_else(|| f.to_string(), |n| n.to_string())
        }
    }
}

fn cast_primitive<'a>(edm: EdmType, value: Val<'a>) -> Val<'a> {
    use EdmType::*;
    let text = |v: &Val<'_>| -> Option<std::string::String> {
        match v {
            Val::Str(s) => Some(s.to_string()),
            _ => None,
        }
    };
    match edm {
        String => match value {
            Val::Str(_) => value,
            Val::Num(n) => Val::Str(Cow::Owned(number_text(n))),
            Val::Bool(b) => Val::Str(Cow::Owned(b.to_string())),
            Val::Enum(e) => Val::Str(e),
            Val::Json(_) | Val::List(_) | Val::Owned(_) => Val::Null,
            other => match other.to_json() {
                Value::String(s) => Val::Str(Cow::Owned(s)),
                _ => Val::Null,
            },
        },
        Boolean => match value {
            Val::Bool(_) => value,
            Val::Str(s) if s.eq_ignore_ascii_case("true") => Val::Bool(true),
            Val::Str(s) if s.eq_ignore_ascii_case("false") => Val::Bool(false),
            _ => Val::Null,
        },
        Byte | SByte | Int16 | Int32 | Int64 => {
            let number = match &value {
                Val::Num(n) => Some(*n),
                Val::Str(s) => parse_number(s),
                _ => None,
            };
            let truncated = number.and_then(|n| match n {
                Num::Int(i) => Some(i),
                Num::Dec(d) => Some(d.mantissa / 10i128.pow(d.scale)),
                Num::Float(f) if f.is_finite() && f.abs() < 1.7e38 => Some(f.trunc() as i128),
                Num::Float(_) => None,
            });
            match truncated {
                Some(i) if integer_range(edm).contains(&i) => int(i),
                _ => Val::Null,
            }
        }
        Decimal => match &value {
            Val::Num(Num::Float(f)) => {
                value::Decimal::parse(&f.to_string()).map_or(Val::Null, |d| Val::Num(Num::Dec(d)))
            }
            Val::Num(_) => value,
            Val::Str(s) => value::Decimal::parse(s).map_or(Val::Null, |d| Val::Num(Num::Dec(d))),
            _ => Val::Null,
        },
        Double | Single => {
            let number = match &value {
                Val::Num(n) => Some(n.to_f64()),
                Val::Str(s) => parse_number(s).map(Num::to_f64),
                _ => None,
            };
            match number {
                Some(f) if edm == Single => Val::Num(Num::Float(f64::from(f as f32))),
                Some(f) => Val::Num(Num::Float(f)),
                None => Val::Null,
            }
        }
        Date => match value {
            Val::Date(_) => value,
            Val::DateTimeOffset(dt) => Val::Date(dt.naive_local().date()),
            other => text(&other)
                .and_then(|s| temporal::parse_date(&s))
                .map_or(Val::Null, Val::Date),
        },
        DateTimeOffset => match value {
            Val::DateTimeOffset(_) => value,
            Val::Date(d) => d
                .and_hms_opt(0, 0, 0)
                .map(|naive| naive.and_utc().fixed_offset())
                .map_or(Val::Null, Val::DateTimeOffset),
            other => text(&other)
                .and_then(|s| temporal::parse_datetime_lenient(&s))
                .map_or(Val::Null, Val::DateTimeOffset),
        },
        TimeOfDay => match value {
            Val::TimeOfDay(_) => value,
            Val::DateTimeOffset(dt) => Val::TimeOfDay(dt.naive_local().time()),
            other => text(&other)
                .and_then(|s| temporal::parse_time(&s))
                .map_or(Val::Null, Val::TimeOfDay),
        },
        Duration => match value {
            Val::Duration(_) => value,
            other => text(&other)
                .and_then(|s| temporal::parse_duration(&s))
                .map_or(Val::Null, Val::Duration),
        },
        Guid => match value {
            Val::Guid(_) => value,
            other => text(&other)
                .and_then(|s| temporal::parse_guid(&s))
                .map_or(Val::Null, Val::Guid),
        },
        Binary => match value {
            Val::Binary(_) => value,
            other => text(&other)
                .and_then(|s| temporal::decode_base64(&s))
                .map_or(Val::Null, |b| Val::Binary(Cow::Owned(b))),
        },
    }
}

/// A number written as an OData literal inside a string (`'42'`, `'2.5'`, `'1e3'`).
fn parse_number(text: &str) -> Option<Num> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i128>() {
        return Some(Num::Int(i));
    }
    if let Some(d) = Decimal::parse(text) {
        return Some(Num::Dec(d));
    }
    match text {
        "INF" => Some(Num::Float(f64::INFINITY)),
        "-INF" => Some(Num::Float(f64::NEG_INFINITY)),
        "NaN" => Some(Num::Float(f64::NAN)),
        _ if text.contains(['e', 'E']) => text.parse().ok().map(Num::Float),
        _ => None,
    }
}
