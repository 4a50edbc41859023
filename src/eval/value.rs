//! Typed operands and the OData null, comparison and arithmetic rules (URL §5.1.1.1, §5.1.1.2, §5.1.1.8).
//!
//! An operand ([`Val`]) is borrowed from the document or the plan where it can be (strings,
//! arrays, objects) and owned only when computed. JSON input is never converted into a
//! private tree: arrays and objects stay `&Value`.
//!
//! Numbers ([`Num`]) are exact: JSON integers (`i64`/`u64`) and decimal literals are held as
//! `i128` / scaled `i128` and compared without going through `f64`. Only JSON numbers with a
//! fraction or an exponent (which serde_json already holds as `f64`) and `Edm.Double`
//! literals are floating point.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde_json::Value;

use crate::ast::BinaryOp;
use crate::error::EvalError;
use crate::limits::Limit;

use super::temporal::{self, Duration};

pub(crate) use super::decimal::Decimal;

/// A number: exact integer, exact decimal, or IEEE double.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// An integer (JSON `i64`/`u64`, `Int` literals, exact integer arithmetic).
    Int(i128),
    /// An exact decimal (decimal literals, `divby`, decimal arithmetic).
    Dec(Decimal),
    /// A double (JSON numbers with a fraction or exponent, `Edm.Double` literals).
    Float(f64),
}

/// An operand during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    /// `null`, a JSON null or an absent property.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Any number.
    Num(Num),
    /// A string. JSON strings are untyped: compared with a typed value (date, GUID, ...)
    /// they are read as that type.
    Str(Cow<'a, str>),
    /// `Edm.DateTimeOffset`: the instant with its own offset.
    DateTimeOffset(DateTime<FixedOffset>),
    /// `Edm.Date`.
    Date(NaiveDate),
    /// `Edm.TimeOfDay`.
    TimeOfDay(NaiveTime),
    /// `Edm.Duration`.
    Duration(Duration),
    /// `Edm.Guid`.
    Guid(u128),
    /// `Edm.Binary`.
    Binary(Cow<'a, [u8]>),
    /// An enum value: its flag names, comma-separated (the type name is dropped).
    Enum(Cow<'a, str>),
    /// A JSON array or object (from the document or a JSON literal in the query).
    Json(&'a Value),
    /// A computed collection (`concat` of arrays, `$filter(...)` path segments, lists).
    List(Vec<Val<'a>>),
    /// A computed JSON value (array/object results of functions).
    Owned(Box<Value>),
}

impl Num {
    /// A JSON number, exactly.
    pub(crate) fn from_json(number: &serde_json::Number) -> Num {
        if let Some(i) = number.as_i64() {
            Num::Int(i128::from(i))
        } else if let Some(u) = number.as_u64() {
            Num::Int(i128::from(u))
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// The value as a double (possibly rounded).
    pub(crate) fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec(d) => d.to_f64(),
            Num::Float(f) => f,
        }
    }

    /// The value as a decimal, for `Int` and `Dec`.
    fn to_decimal(self) -> Option<Decimal> {
        match self {
            Num::Int(i) => Some(Decimal::from_int(i)),
            Num::Dec(d) => Some(d),
            Num::Float(_) => None,
        }
    }

    /// An integer value, if the number is integral and fits.
    pub(crate) fn as_integer(self) -> Option<i128> {
        match self {
            Num::Int(i) => Some(i),
            Num::Dec(d) => d.as_integer(),
            Num::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 => {
                Some(f as i128)
            }
            Num::Float(_) => None,
        }
    }

    /// Exact numeric comparison (URL §5.1.1.18); `None` when NaN is involved.
    ///
    /// Integers and decimals compare exactly. A double against an integer compares exactly
    /// too. A decimal against a double converts the decimal (a literal, usually) to the
    /// nearest double, so `Price eq 2.55` matches the JSON number `2.55`.
    pub(crate) fn compare(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Int(i), Num::Float(f)) => compare_int_float(i, f),
            (Num::Float(f), Num::Int(i)) => compare_int_float(i, f).map(Ordering::reverse),
            (Num::Dec(d), Num::Float(f)) => d.to_f64().partial_cmp(&f),
            (Num::Float(f), Num::Dec(d)) => f.partial_cmp(&d.to_f64()),
            (a, b) => Some(a.to_decimal()?.cmp_exact(b.to_decimal()?)),
        }
    }

    /// The JSON number (integers beyond 64 bits and decimals become doubles; non-finite
    /// doubles become the OData strings `INF`, `-INF`, `NaN`).
    pub(crate) fn to_json(self) -> Value {
        match self {
            Num::Int(i) => int_to_json(i),
            Num::Dec(d) => match d.as_integer() {
                Some(i) => int_to_json(i),
                None => float_to_json(d.to_f64()),
            },
            Num::Float(f) => float_to_json(f),
        }
    }
}

fn int_to_json(i: i128) -> Value {
    if let Ok(small) = i64::try_from(i) {
        Value::from(small)
    } else if let Ok(large) = u64::try_from(i) {
        Value::from(large)
    } else {
        float_to_json(i as f64)
    }
}

fn float_to_json(f: f64) -> Value {
    match serde_json::Number::from_f64(f) {
        Some(number) => Value::Number(number),
        None if f.is_nan() => Value::from("NaN"),
        None if f > 0.0 => Value::from("INF"),
        None => Value::from("-INF"),
    }
}

/// Exact comparison of an integer with a double.
fn compare_int_float(i: i128, f: f64) -> Option<Ordering> {
    const LIMIT: f64 = 1.7e38;
    if f.is_nan() {
        return None;
    }
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f <= -LIMIT {
        return Some(Ordering::Greater);
    }
    let truncated = f.trunc();
    Some(i.cmp(&(truncated as i128)).then_with(|| {
        if f > truncated {
            Ordering::Less
        } else if f < truncated {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

impl<'a> Val<'a> {
    /// The operand for a JSON value of the document (or of the plan).
    pub(crate) fn from_json(value: &'a Value) -> Val<'a> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(Num::from_json(n)),
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Val::Json(value),
        }
    }

    /// A cheap copy that borrows from `self` (constants of the plan).
    pub(crate) fn reborrow(&'a self) -> Val<'a> {
        match self {
            Val::Str(s) => Val::Str(Cow::Borrowed(s)),
            Val::Binary(b) => Val::Binary(Cow::Borrowed(b)),
            Val::Enum(e) => Val::Enum(Cow::Borrowed(e)),
            Val::List(items) => Val::List(items.iter().map(Val::reborrow).collect()),
            Val::Owned(value) => Val::from_json(value),
            other => other.clone(),
        }
    }

    /// True for `null`.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The members when the value is a collection (JSON array or computed list).
    pub(crate) fn members(&self) -> Option<Vec<Val<'_>>> {
        match self {
            Val::Json(Value::Array(items)) => Some(items.iter().map(Val::from_json).collect()),
            Val::Owned(value) => match value.as_ref() {
                Value::Array(items) => Some(items.iter().map(Val::from_json).collect()),
                _ => None,
            },
            Val::List(items) => Some(items.iter().map(Val::reborrow).collect()),
            _ => None,
        }
    }

    /// The members when the value is a collection, keeping the borrow of the document.
    pub(crate) fn into_members(self) -> Option<Vec<Val<'a>>> {
        match self {
            Val::Json(Value::Array(items)) => Some(items.iter().map(Val::from_json).collect()),
            Val::List(items) => Some(items),
            Val::Owned(value) => match *value {
                Value::Array(items) => Some(items.into_iter().map(Val::from_owned_json).collect()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The operand for a computed (owned) JSON value.
    pub(crate) fn from_owned_json(value: Value) -> Val<'a> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(Num::from_json(&n)),
            Value::String(s) => Val::Str(Cow::Owned(s)),
            other => Val::Owned(Box::new(other)),
        }
    }

    /// The value as JSON for the response.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => n.to_json(),
            Val::Str(s) | Val::Enum(s) => Value::String(s.to_string()),
            Val::DateTimeOffset(dt) => Value::String(temporal::format_datetime(dt)),
            Val::Date(d) => Value::String(temporal::format_date(d)),
            Val::TimeOfDay(t) => Value::String(temporal::format_time(t)),
            Val::Duration(d) => Value::String(d.to_string()),
            Val::Guid(g) => Value::String(temporal::format_guid(*g)),
            Val::Binary(bytes) => Value::String(temporal::base64url(bytes)),
            Val::Json(value) => (*value).clone(),
            Val::List(items) => Value::Array(items.iter().map(Val::to_json).collect()),
            Val::Owned(value) => value.as_ref().clone(),
        }
    }

    /// A short type name for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "Edm.Boolean",
            Val::Num(_) => "a number",
            Val::Str(_) => "Edm.String",
            Val::DateTimeOffset(_) => "Edm.DateTimeOffset",
            Val::Date(_) => "Edm.Date",
            Val::TimeOfDay(_) => "Edm.TimeOfDay",
            Val::Duration(_) => "Edm.Duration",
            Val::Guid(_) => "Edm.Guid",
            Val::Binary(_) => "Edm.Binary",
            Val::Enum(_) => "an enum",
            Val::Json(Value::Array(_)) | Val::List(_) => "a collection",
            Val::Json(_) | Val::Owned(_) => "a structured value",
        }
    }
}

/// Fails with [`Limit::JsonDepth`] when `depth` passes the limit.
pub(crate) fn check_depth(depth: usize, max: usize) -> Result<(), EvalError> {
    if depth > max {
        Err(EvalError::LimitExceeded {
            limit: Limit::JsonDepth,
            max,
        })
    } else {
        Ok(())
    }
}

/// The set of flag names of an enum value held as text (`'Red, Blue'`).
fn flag_set(text: &str) -> Vec<&str> {
    let mut flags: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    flags.sort_unstable();
    flags.dedup();
    flags
}

/// Compares two non-null operands of the same (or coercible) type; `None` when they are
/// incomparable (different types, NaN, a JSON string that does not parse as the typed
/// side's type).
///
/// Semantic choice (URL §5.1.1.10.1): a string compared with a DateTimeOffset, Date,
/// TimeOfDay, Duration, GUID, binary or enum value is read as that type; a string that does
/// not parse makes the comparison unknown (`eq` false, `gt` false). Values of unrelated
/// types (`'5'` and `5`) are likewise incomparable, never converted.
pub(crate) fn compare(
    a: &Val<'_>,
    b: &Val<'_>,
    depth: usize,
    max_depth: usize,
) -> Result<Option<Ordering>, EvalError> {
    use Val::*;
    Ok(match (a, b) {
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Num(x), Num(y)) => x.compare(*y),
        (Str(x), Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (DateTimeOffset(x), DateTimeOffset(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (TimeOfDay(x), TimeOfDay(y)) => Some(x.cmp(y)),
        (Duration(x), Duration(y)) => Some(x.cmp(y)),
        (Guid(x), Guid(y)) => Some(x.cmp(y)),
        (Binary(x), Binary(y)) => Some(x.cmp(y)),
        (Enum(x), Enum(y)) | (Enum(x), Str(y)) | (Str(x), Enum(y)) => {
            (flag_set(x) == flag_set(y)).then_some(Ordering::Equal)
        }
        (Str(s), typed) => {
            return Ok(match coerce_str(s, typed) {
                Some(parsed) => compare(&parsed, typed, depth, max_depth)?,
                None => None,
            })
        }
        (typed, Str(s)) => {
            return Ok(match coerce_str(s, typed) {
                Some(parsed) => compare(typed, &parsed, depth, max_depth)?,
                None => None,
            })
        }
        _ => {
            // Collections and structured values: equality only (URL §5.1.1.1.1).
            let (Some(x), Some(y)) = (structured(a), structured(b)) else {
                return Ok(None);
            };
            json_eq(&x, &y, depth, max_depth)?.then_some(Ordering::Equal)
        }
    })
}

/// A collection or structured operand as a JSON value, for structural equality.
fn structured<'v>(value: &'v Val<'_>) -> Option<Cow<'v, Value>> {
    match value {
        Val::Json(v) => Some(Cow::Borrowed(*v)),
        Val::Owned(v) => Some(Cow::Borrowed(v.as_ref())),
        Val::List(_) => Some(Cow::Owned(value.to_json())),
        _ => None,
    }
}

/// Reads a JSON string as the type of `typed` (URL §5.1.1.10.1).
fn coerce_str<'a>(text: &str, typed: &Val<'_>) -> Option<Val<'a>> {
    match typed {
        Val::DateTimeOffset(_) => temporal::parse_datetime_lenient(text).map(Val::DateTimeOffset),
        Val::Date(_) => temporal::parse_date(text).map(Val::Date),
        Val::TimeOfDay(_) => temporal::parse_time(text).map(Val::TimeOfDay),
        Val::Duration(_) => temporal::parse_duration(text).map(Val::Duration),
        Val::Guid(_) => temporal::parse_guid(text).map(Val::Guid),
        Val::Binary(_) => temporal::decode_base64(text).map(|b| Val::Binary(Cow::Owned(b))),
        _ => None,
    }
}

/// Structural JSON equality with exact number comparison (`1` equals `1.0`).
pub(crate) fn json_eq(
    a: &Value,
    b: &Value,
    depth: usize,
    max_depth: usize,
) -> Result<bool, EvalError> {
    check_depth(depth, max_depth)?;
    Ok(match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            Num::from_json(x).compare(Num::from_json(y)) == Some(Ordering::Equal)
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (left, right) in x.iter().zip(y) {
                if !json_eq(left, right, depth + 1, max_depth)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (key, left) in x {
                match y.get(key) {
                    Some(right) if json_eq(left, right, depth + 1, max_depth)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        _ => a == b,
    })
}

/// `eq` (URL §5.1.1.1.1): never null; `null eq null` is true, NaN equals
/// nothing.
pub(crate) fn equals(a: &Val<'_>, b: &Val<'_>, max_depth: usize) -> Result<bool, EvalError> {
    Ok(match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (true, false) | (false, true) => false,
        (false, false) => compare(a, b, 0, max_depth)? == Some(Ordering::Equal),
    })
}

/// `eq ne gt ge lt le` (URL §5.1.1.1.1, §5.1.1.1.3). `gt`/`lt` with a null operand are false;
/// `ge`/`le` are `gt or eq` / `lt or eq`, so `null ge null` is true (the Rec of §2.6).
pub(crate) fn compare_op(
    op: BinaryOp,
    a: &Val<'_>,
    b: &Val<'_>,
    max_depth: usize,
) -> Result<bool, EvalError> {
    let ordering = |want: fn(Ordering) -> bool| -> Result<bool, EvalError> {
        if a.is_null() || b.is_null() {
            return Ok(false);
        }
        if !orderable(a) || !orderable(b) {
            return Ok(false);
        }
        Ok(compare(a, b, 0, max_depth)?.is_some_and(want))
    };
    match op {
        BinaryOp::Eq => equals(a, b, max_depth),
        BinaryOp::Ne => Ok(!equals(a, b, max_depth)?),
        BinaryOp::Gt => ordering(Ordering::is_gt),
        BinaryOp::Lt => ordering(Ordering::is_lt),
        BinaryOp::Ge => Ok(ordering(Ordering::is_gt)? || equals(a, b, max_depth)?),
        BinaryOp::Le => Ok(ordering(Ordering::is_lt)? || equals(a, b, max_depth)?),
        _ => Err(EvalError::Type(format!(
            "{} is not a comparison",
            op.keyword()
        ))),
    }
}

/// Values the ordering operators apply to (not collections, structured values, enums).
fn orderable(value: &Val<'_>) -> bool {
    !matches!(
        value,
        Val::Json(_) | Val::List(_) | Val::Owned(_) | Val::Enum(_)
    )
}

/// Three-valued `and` (URL §5.1.1.1.7): false wins over null. Non-Boolean operands count
/// as null.
pub(crate) fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued `or` (URL §5.1.1.1.8): true wins over null.
pub(crate) fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// The truth value of an operand: `Some(b)` for Booleans, `None` for null and anything else.
pub(crate) fn truth(value: &Val<'_>) -> Option<bool> {
    match value {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

/// A truth value as an operand.
pub(crate) fn from_truth<'a>(value: Option<bool>) -> Val<'a> {
    value.map_or(Val::Null, Val::Bool)
}

/// Unary minus: numbers (checked) and durations.
pub(crate) fn negate<'a>(value: Val<'a>) -> Result<Val<'a>, EvalError> {
    Ok(match value {
        Val::Null => Val::Null,
        Val::Num(Num::Int(i)) => {
            Val::Num(Num::Int(i.checked_neg().ok_or(EvalError::Overflow("-"))?))
        }
        Val::Num(Num::Dec(d)) => Val::Num(Num::Dec(Decimal {
            mantissa: d.mantissa.checked_neg().ok_or(EvalError::Overflow("-"))?,
            scale: d.scale,
        })),
        Val::Num(Num::Float(f)) => Val::Num(Num::Float(-f)),
        Val::Duration(d) => Val::Duration(d.checked_neg().ok_or(EvalError::Overflow("-"))?),
        Val::Str(s) => match temporal::parse_duration(&s) {
            Some(d) => Val::Duration(d.checked_neg().ok_or(EvalError::Overflow("-"))?),
            None => Val::Null,
        },
        _ => Val::Null,
    })
}

/// Arithmetic (`add sub mul div divby mod`, URL §5.1.1.2, §5.3).
///
/// Semantic choices:
/// - a null operand gives null; operands of types the operator does not apply to (found
///   in the data at run time) also give null;
/// - integers are exact 128-bit values: results beyond Int64 are promoted (URL §5.1.1.2
///   allows promotion instead of failure), and only results beyond ±1.7e38 fail with
///   [`EvalError::Overflow`]; nothing wraps;
/// - `div` of integers truncates toward zero (`-7 div 2` is -3); `mod` takes the sign of
///   the left operand; both fail with [`EvalError::DivisionByZero`] on a zero integer or
///   decimal divisor (`mod` also for decimals);
/// - `div` of a decimal by zero, and `divby` by zero, give `INF`/`-INF`/`NaN` like doubles
///   (decimals here have floating scale, URL §5.1.1.2.5); double `mod 0` is `NaN`;
/// - `divby` and `div` with a decimal operand give a decimal truncated after 28 digits.
pub(crate) fn arithmetic<'a>(op: BinaryOp, a: Val<'a>, b: Val<'a>) -> Result<Val<'a>, EvalError> {
    if a.is_null() || b.is_null() {
        return Ok(Val::Null);
    }
    match (&a, &b) {
        (Val::Num(x), Val::Num(y)) => numeric(op, *x, *y).map(Val::Num),
        _ => temporal::arithmetic(op, &a, &b),
    }
}

fn numeric(op: BinaryOp, a: Num, b: Num) -> Result<Num, EvalError> {
    let name = op.keyword();
    let overflow = || EvalError::Overflow(name_static(op));
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        return match op {
            BinaryOp::Add => x.checked_add(y).map(Num::Int).ok_or_else(overflow),
            BinaryOp::Sub => x.checked_sub(y).map(Num::Int).ok_or_else(overflow),
            BinaryOp::Mul => x.checked_mul(y).map(Num::Int).ok_or_else(overflow),
            BinaryOp::Div | BinaryOp::Mod if y == 0 => Err(EvalError::DivisionByZero),
            BinaryOp::Div => x.checked_div(y).map(Num::Int).ok_or_else(overflow),
            BinaryOp::Mod => x.checked_rem(y).map(Num::Int).ok_or_else(overflow),
            BinaryOp::DivBy => decimal_divide(Decimal::from_int(x), Decimal::from_int(y)),
            _ => Err(EvalError::Type(format!("{name} is not arithmetic"))),
        };
    }
    if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
        return match op {
            BinaryOp::Add => x.checked_add(y).map(Num::Dec).ok_or_else(overflow),
            BinaryOp::Sub => x
                .checked_add(Decimal {
                    mantissa: y.mantissa.checked_neg().ok_or_else(overflow)?,
                    scale: y.scale,
                })
                .map(Num::Dec)
                .ok_or_else(overflow),
            BinaryOp::Mul => x.checked_mul(y).map(Num::Dec).ok_or_else(overflow),
            BinaryOp::Mod if y.mantissa == 0 => Err(EvalError::DivisionByZero),
            BinaryOp::Mod => x.checked_rem(y).map(Num::Dec).ok_or_else(overflow),
            BinaryOp::Div | BinaryOp::DivBy => decimal_divide(x, y),
            _ => Err(EvalError::Type(format!("{name} is not arithmetic"))),
        };
    }
    let (x, y) = (a.to_f64(), b.to_f64());
    Ok(Num::Float(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div | BinaryOp::DivBy => x / y,
        BinaryOp::Mod => x % y,
        _ => return Err(EvalError::Type(format!("{name} is not arithmetic"))),
    }))
}

/// Decimal division; a zero divisor gives `INF`/`-INF`/`NaN` (URL §5.1.1.2.5).
fn decimal_divide(x: Decimal, y: Decimal) -> Result<Num, EvalError> {
    if y.mantissa == 0 {
        return Ok(Num::Float(x.to_f64() / 0.0));
    }
    x.checked_div(y)
        .map(Num::Dec)
        .ok_or(EvalError::Overflow("div"))
}

/// The operator keyword with a static lifetime, for [`EvalError::Overflow`].
pub(crate) fn name_static(op: BinaryOp) -> &'static str {
    op.keyword()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Num {
        Num::Dec(Decimal::parse(text).unwrap())
    }

    #[test]
    fn decimals_parse_and_print() {
        assert_eq!(Decimal::parse("-12.50").unwrap().to_string(), "-12.5");
        assert_eq!(Decimal::parse("0.05").unwrap().to_string(), "0.05");
        assert_eq!(Decimal::parse("7").unwrap().to_string(), "7");
        assert!(Decimal::parse("1.2.3").is_none());
        assert!(Decimal::parse(&"9".repeat(40)).is_none());
    }

    #[test]
    fn numbers_compare_exactly() {
        assert_eq!(Num::Int(3).compare(Num::Float(3.0)), Some(Ordering::Equal));
        assert_eq!(
            Num::Int(9_007_199_254_740_993).compare(Num::Float(9_007_199_254_740_992.0)),
            Some(Ordering::Greater)
        );
        assert_eq!(dec("2.55").compare(Num::Float(2.55)), Some(Ordering::Equal));
        assert_eq!(dec("0.3").compare(dec("0.30")), Some(Ordering::Equal));
        assert_eq!(Num::Int(-1).compare(Num::Float(-0.5)), Some(Ordering::Less));
        assert_eq!(Num::Float(f64::NAN).compare(Num::Int(1)), None);
        let huge = Decimal {
            mantissa: i128::MAX / 10,
            scale: 0,
        };
        let tiny = Decimal {
            mantissa: 5,
            scale: 38,
        };
        assert_eq!(huge.cmp_exact(tiny), Ordering::Greater);
    }

    #[test]
    fn arithmetic_follows_the_rules() {
        let int = |i| Val::Num(Num::Int(i));
        assert_eq!(arithmetic(BinaryOp::Div, int(-7), int(2)).unwrap(), int(-3));
        assert_eq!(arithmetic(BinaryOp::Mod, int(-7), int(2)).unwrap(), int(-1));
        assert_eq!(
            arithmetic(BinaryOp::Mod, int(5), int(0)),
            Err(EvalError::DivisionByZero)
        );
        assert_eq!(
            arithmetic(BinaryOp::DivBy, int(7), int(2)).unwrap(),
            Val::Num(dec("3.5"))
        );
        assert_eq!(
            arithmetic(BinaryOp::Add, Val::Num(dec("0.1")), Val::Num(dec("0.2"))).unwrap(),
            Val::Num(dec("0.3"))
        );
        assert!(matches!(
            arithmetic(BinaryOp::Mul, int(i128::MAX), int(2)),
            Err(EvalError::Overflow(_))
        ));
        assert_eq!(
            arithmetic(BinaryOp::Div, Val::Num(Num::Float(1.0)), int(0)).unwrap(),
            Val::Num(Num::Float(f64::INFINITY))
        );
        assert_eq!(
            arithmetic(BinaryOp::Add, Val::Null, int(1)).unwrap(),
            Val::Null
        );
    }

    #[test]
    fn three_valued_logic() {
        assert_eq!(and3(Some(false), None), Some(false));
        assert_eq!(and3(Some(true), None), None);
        assert_eq!(or3(Some(true), None), Some(true));
        assert_eq!(or3(Some(false), None), None);
        let null = Val::Null;
        let one = Val::Num(Num::Int(1));
        assert!(compare_op(BinaryOp::Ge, &null, &null, 8).unwrap());
        assert!(!compare_op(BinaryOp::Gt, &null, &one, 8).unwrap());
        assert!(!compare_op(BinaryOp::Ge, &null, &one, 8).unwrap());
        assert!(compare_op(BinaryOp::Ne, &null, &one, 8).unwrap());
        let nan = Val::Num(Num::Float(f64::NAN));
        assert!(!compare_op(BinaryOp::Eq, &nan, &nan, 8).unwrap());
    }
}
