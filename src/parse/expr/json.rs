//! JSON arrays and objects in URLs (ABNF section 5): `[1,2]`, `{"a":"x"}`, `["a",'b']`.
//!
//! A small reader of our own, so that nesting counts against the depth limit. Strings are
//! JSON strings in double quotes; any other value is a `commonExpr`. When every member is a
//! constant (a literal: `'single-quoted'` strings, numbers, `true`, `null`, dates as their
//! text), the whole is a [`Literal::Json`]; otherwise it is an [`Expr::Array`] or
//! [`Expr::Object`] of expressions (`[FirstName,LastName]`, `{"c":$root/Countries('DE')}`).
//! Whitespace is allowed around brackets, braces, commas and colons.

use serde_json::{Map, Number, Value};

use super::super::lexical::bws;
use super::super::{fail_expected, Ctx, PResult};
use super::{check_height, node, Node};
use crate::ast::{Expr, JsonMember, Literal, Name};
use crate::error::Expected;

/// A JSON array or object: a [`Literal::Json`] when constant, else an [`Expr::Array`] or
/// [`Expr::Object`].
pub(super) fn array_or_object<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Node> {
    let (rest, (item, height)) = value(ctx, i)?;
    Ok((rest, node(ctx, item.expr, height, i)?))
}

/// One member of a JSON array or object: its expression, and its JSON value when it is a
/// constant.
struct Item {
    expr: Expr,
    constant: Option<Value>,
}

/// Any JSON value (`valueInUrl`) and its nesting height.
fn value<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Item, usize)> {
    match i.chars().next() {
        Some('[') => array(ctx, i),
        Some('{') => object(ctx, i),
        Some('"') => {
            let (rest, text) = string(i)?;
            let item = Item {
                expr: Expr::Literal(Literal::String(Name::from(text.as_str()))),
                constant: Some(Value::String(text)),
            };
            Ok((rest, (item, 1)))
        }
        _ => {
            let (rest, (expr, height)) = super::expression(ctx, i, 0)?;
            let constant = constant(&expr);
            Ok((rest, (Item { expr, constant }, height.max(1))))
        }
    }
}

/// The JSON value of a constant expression, if it is one.
fn constant(expr: &Expr) -> Option<Value> {
    let Expr::Literal(literal) = expr else {
        return None;
    };
    Some(match literal {
        Literal::Null => Value::Null,
        Literal::Boolean(value) => Value::Bool(*value),
        Literal::Int(value) => Value::Number((*value).into()),
        Literal::Decimal(text) | Literal::Double(text) => {
            Value::Number(Number::from_f64(text.parse::<f64>().ok()?)?)
        }
        Literal::String(text)
        | Literal::Guid(text)
        | Literal::Date(text)
        | Literal::DateTimeOffset(text)
        | Literal::TimeOfDay(text)
        | Literal::Duration(text) => Value::String(text.to_string()),
        Literal::Enum { value, .. } => Value::String(value.clone()),
        Literal::Json(value) => value.clone(),
        Literal::Binary(_) | Literal::Geo(_) => return None,
    })
}

/// Builds an array from its items: a JSON constant when every item is one.
fn finish_array(items: Vec<Item>) -> Item {
    if items.iter().all(|item| item.constant.is_some()) {
        let values: Vec<Value> = items.into_iter().filter_map(|item| item.constant).collect();
        let value = Value::Array(values);
        Item {
            expr: Expr::Literal(Literal::Json(value.clone())),
            constant: Some(value),
        }
    } else {
        Item {
            expr: Expr::Array(items.into_iter().map(|item| item.expr).collect()),
            constant: None,
        }
    }
}

/// Builds an object from its members: a JSON constant when every member is one.
fn finish_object(members: Vec<(String, Item)>) -> Item {
    if members.iter().all(|(_, item)| item.constant.is_some()) {
        let mut map = Map::new();
        for (name, item) in members {
            if let Some(value) = item.constant {
                map.insert(name, value);
            }
        }
        let value = Value::Object(map);
        Item {
            expr: Expr::Literal(Literal::Json(value.clone())),
            constant: Some(value),
        }
    } else {
        Item {
            expr: Expr::Object(
                members
                    .into_iter()
                    .map(|(name, item)| JsonMember {
                        name,
                        value: item.expr,
                    })
                    .collect(),
            ),
            constant: None,
        }
    }
}

/// `[ value *( , value ) ]` with whitespace around the punctuation.
fn array<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Item, usize)> {
    let _guard = ctx.enter(i)?;
    let mut rest = bws(&i[1..]);
    let mut items = Vec::new();
    let mut height = 1;
    if let Some(after) = rest.strip_prefix(']') {
        return Ok((after, (finish_array(items), height)));
    }
    loop {
        let (after, (item, item_height)) = value(ctx, rest)?;
        ctx.count_nodes(1, rest)?;
        items.push(item);
        height = height.max(item_height + 1);
        check_height(ctx, height, rest)?;
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix(']') {
            return Ok((next, (finish_array(items), height)));
        } else {
            return fail_expected(after, Expected::Token("]"));
        }
    }
}

/// `{ "name" : value *( , "name" : value ) }` with whitespace around the punctuation.
fn object<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, (Item, usize)> {
    let _guard = ctx.enter(i)?;
    let mut rest = bws(&i[1..]);
    let mut members = Vec::new();
    let mut height = 1;
    if let Some(after) = rest.strip_prefix('}') {
        return Ok((after, (finish_object(members), height)));
    }
    loop {
        if !rest.starts_with('"') {
            return fail_expected(rest, Expected::Token("\""));
        }
        let (after_name, name) = string(rest)?;
        let after_name = bws(after_name);
        let Some(after_colon) = after_name.strip_prefix(':') else {
            return fail_expected(after_name, Expected::Token(":"));
        };
        let at = bws(after_colon);
        let (after, (item, item_height)) = value(ctx, at)?;
        ctx.count_nodes(1, at)?;
        members.push((name, item));
        height = height.max(item_height + 1);
        check_height(ctx, height, at)?;
        let after = bws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = bws(next);
        } else if let Some(next) = after.strip_prefix('}') {
            return Ok((next, (finish_object(members), height)));
        } else {
            return fail_expected(after, Expected::Token("}"));
        }
    }
}

/// A JSON string in double quotes (`stringInUrl`), unescaped.
fn string(i: &str) -> PResult<'_, String> {
    const KIND: &str = "JSON string";
    let mut text = String::new();
    let mut rest = &i[1..];
    loop {
        let Some(c) = rest.chars().next() else {
            return fail_expected(rest, Expected::Token("\""));
        };
        if c == '"' {
            return Ok((&rest[1..], text));
        }
        if u32::from(c) < 0x20 {
            return fail_expected(rest, Expected::Literal(KIND));
        }
        if c != '\\' {
            text.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let escape_at = &rest[1..];
        let Some(escape) = escape_at.chars().next() else {
            return fail_expected(escape_at, Expected::Literal(KIND));
        };
        rest = &escape_at[escape.len_utf8()..];
        let decoded = match escape {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let (after, decoded) = unicode_escape(rest, escape_at)?;
                rest = after;
                decoded
            }
            _ => return fail_expected(escape_at, Expected::Literal(KIND)),
        };
        text.push(decoded);
    }
}

/// Four hex digits.
fn hex4(i: &str) -> Option<u32> {
    let digits = i.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// The rest of `\uXXXX` (after the `u`), with a following `\uXXXX` low surrogate when the
/// first is a high surrogate. `escape_at` is where the escape began, for errors.
fn unicode_escape<'a>(i: &'a str, escape_at: &'a str) -> PResult<'a, char> {
    const KIND: &str = "JSON string";
    let Some(unit) = hex4(i) else {
        return fail_expected(escape_at, Expected::Literal(KIND));
    };
    let rest = &i[4..];
    if !(0xD800..0xDC00).contains(&unit) {
        return match char::from_u32(unit) {
            Some(c) => Ok((rest, c)),
            None => fail_expected(escape_at, Expected::Literal(KIND)),
        };
    }
    let low = rest.strip_prefix("\\u").and_then(hex4);
    match low {
        Some(low) if (0xDC00..0xE000).contains(&low) => {
            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            match char::from_u32(code) {
                Some(c) => Ok((&rest[6..], c)),
                None => fail_expected(escape_at, Expected::Literal(KIND)),
            }
        }
        _ => fail_expected(escape_at, Expected::Literal(KIND)),
    }
}
