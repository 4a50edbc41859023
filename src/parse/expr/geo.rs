//! Geo literals: `geography'SRID=4326;Point(1 2)'`, `geometry'Polygon((0 0,1 0,0 0))'`.
//!
//! Keywords (`SRID`, `Point`, ...) compare case-insensitively, as ABNF quoted strings do.
//! The `SRID=n;` prefix, which the ABNF requires, is optional here: clients often omit it.
//! Positions are two to four numbers separated by one space; a space that was a raw `+`
//! (lenient mode) before a number or in an exponent is read as a plus sign. Ring closure
//! (first position equal to the last) is a semantic rule and is not checked.

use super::super::lexical::identifier;
use super::super::{fail_expected, Ctx, PResult};
use crate::ast::{GeoLiteral, GeoShape, Position};
use crate::error::Expected;

const KIND: &str = "geo";

/// The text after `geography'` / `geometry'`, up to and including the closing quote.
pub(super) fn geo_literal<'a>(
    ctx: &Ctx<'a>,
    i: &'a str,
    geography: bool,
) -> PResult<'a, GeoLiteral> {
    let (rest, srid) = srid(i)?;
    let (rest, shape) = shape(ctx, rest)?;
    match rest.strip_prefix('\'') {
        Some(after) => Ok((
            after,
            GeoLiteral {
                geography,
                srid,
                shape,
            },
        )),
        None => fail_expected(rest, Expected::Token("'")),
    }
}

/// `[ "SRID" "=" 1*5DIGIT ";" ]`.
fn srid(i: &str) -> PResult<'_, Option<u32>> {
    let Some(head) = i.get(..5) else {
        return Ok((i, None));
    };
    if !head.eq_ignore_ascii_case("SRID=") {
        return Ok((i, None));
    }
    let after = &i[5..];
    let count = after.bytes().take_while(u8::is_ascii_digit).count();
    if count == 0 || count > 5 {
        return fail_expected(&after[count.min(5)..], Expected::Literal(KIND));
    }
    let value = after[..count].parse::<u32>().unwrap_or(0);
    match after[count..].strip_prefix(';') {
        Some(rest) => Ok((rest, Some(value))),
        None => fail_expected(&after[count..], Expected::Token(";")),
    }
}

/// Expects `c` at the start of `i` (after spaces in default mode), and skips spaces after
/// it in default mode.
fn token<'a>(ctx: &Ctx<'a>, i: &'a str, c: char) -> PResult<'a, ()> {
    let i = gap(ctx, i);
    match i.strip_prefix(c) {
        Some(rest) => Ok((gap(ctx, rest), ())),
        None => fail_expected(i, Expected::Token(super::super::lexical::token_name(c))),
    }
}

/// Spaces that default mode allows between the parts of a shape.
fn gap<'a>(ctx: &Ctx<'a>, i: &'a str) -> &'a str {
    if ctx.options.lenient() {
        super::super::lexical::bws(i)
    } else {
        i
    }
}

/// One shape: a keyword and its data.
fn shape<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, GeoShape> {
    let Ok((rest, word)) = identifier(i) else {
        return fail_expected(i, Expected::Literal(KIND));
    };
    let is = |name: &str| word.eq_ignore_ascii_case(name);
    if is("Point") {
        let (rest, position) = point_data(ctx, rest)?;
        Ok((rest, GeoShape::Point(position)))
    } else if is("LineString") {
        let (rest, positions) = line_string_data(ctx, rest)?;
        Ok((rest, GeoShape::LineString(positions)))
    } else if is("Polygon") {
        let (rest, rings) = polygon_data(ctx, rest)?;
        Ok((rest, GeoShape::Polygon(rings)))
    } else if is("MultiPoint") {
        let (rest, points) = optional_list(ctx, rest, point_data)?;
        Ok((rest, GeoShape::MultiPoint(points)))
    } else if is("MultiLineString") {
        let (rest, lines) = optional_list(ctx, rest, line_string_data)?;
        Ok((rest, GeoShape::MultiLineString(lines)))
    } else if is("MultiPolygon") {
        let (rest, polygons) = optional_list(ctx, rest, polygon_data)?;
        Ok((rest, GeoShape::MultiPolygon(polygons)))
    } else if is("GeometryCollection") {
        let _guard = ctx.enter(i)?;
        let (mut rest, ()) = token(ctx, rest, '(')?;
        let mut shapes = Vec::new();
        loop {
            let (after, item) = shape(ctx, rest)?;
            shapes.push(item);
            match gap(ctx, after).strip_prefix(',') {
                Some(next) => rest = gap(ctx, next),
                None => {
                    let (after, ()) = token(ctx, after, ')')?;
                    return Ok((after, GeoShape::Collection(shapes)));
                }
            }
        }
    } else {
        fail_expected(i, Expected::Literal(KIND))
    }
}

/// `( [ item *( "," item ) ] )`: the lists of `MultiPoint`, `MultiLineString`, `MultiPolygon`.
fn optional_list<'a, T>(
    ctx: &Ctx<'a>,
    i: &'a str,
    item: fn(&Ctx<'a>, &'a str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (rest, ()) = token(ctx, i, '(')?;
    if let Some(after) = rest.strip_prefix(')') {
        return Ok((after, Vec::new()));
    }
    separated(ctx, rest, item, 1)
}

/// `item *( "," item ) ")"` with at least `min` items.
fn separated<'a, T>(
    ctx: &Ctx<'a>,
    i: &'a str,
    item: fn(&Ctx<'a>, &'a str) -> PResult<'a, T>,
    min: usize,
) -> PResult<'a, Vec<T>> {
    let mut rest = i;
    let mut items = Vec::new();
    loop {
        let (after, value) = item(ctx, rest)?;
        items.push(value);
        match gap(ctx, after).strip_prefix(',') {
            Some(next) => rest = gap(ctx, next),
            None if items.len() < min => return fail_expected(after, Expected::Token(",")),
            None => {
                let (after, ()) = token(ctx, after, ')')?;
                return Ok((after, items));
            }
        }
    }
}

/// `pointData`: `( position )`.
fn point_data<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Position> {
    let (rest, ()) = token(ctx, i, '(')?;
    let (rest, position) = position(ctx, rest)?;
    let (rest, ()) = token(ctx, rest, ')')?;
    Ok((rest, position))
}

/// `lineStringData`: `( position 1*( "," position ) )`.
fn line_string_data<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Position>> {
    let (rest, ()) = token(ctx, i, '(')?;
    separated(ctx, rest, position, 2)
}

/// `ringLiteral`: `( position *( "," position ) )`.
fn ring<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Position>> {
    let (rest, ()) = token(ctx, i, '(')?;
    separated(ctx, rest, position, 1)
}

/// `polygonData`: `( ring *( "," ring ) )`.
fn polygon_data<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Vec<Position>>> {
    let (rest, ()) = token(ctx, i, '(')?;
    separated(ctx, rest, ring, 1)
}

/// `positionLiteral`: 2 to 4 numbers separated by single spaces.
fn position<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, Position> {
    let (mut rest, first) = coordinate(ctx, i)?;
    let mut coordinates = vec![first];
    while coordinates.len() < 4 {
        let Some(after_space) = rest.strip_prefix(' ') else {
            break;
        };
        // Default mode: more spaces between coordinates, or before `,` and `)`.
        let after_space = if ctx.options.lenient() {
            let spaced = gap(ctx, after_space);
            if spaced.starts_with([',', ')']) {
                rest = spaced;
                break;
            }
            spaced
        } else {
            after_space
        };
        let (after, value) = coordinate(ctx, after_space)?;
        coordinates.push(value);
        rest = after;
    }
    if coordinates.len() < 2 {
        return fail_expected(rest, Expected::Token(" "));
    }
    Ok((rest, Position(coordinates)))
}

/// `doubleValue`: `["+"/"-"] 1*DIGIT ["." 1*DIGIT] ["e" ["+"/"-"] 1*DIGIT]`, `NaN`, `INF`,
/// `-INF`. Returns the text without a leading `+`.
fn coordinate<'a>(ctx: &Ctx<'a>, i: &'a str) -> PResult<'a, String> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    for special in ["NaN", "INF", "-INF"] {
        if let Some(rest) = i.strip_prefix(special) {
            return Ok((rest, special.to_owned()));
        }
    }
    let (negative, unsigned) = match i.chars().next() {
        Some('-') => (true, &i[1..]),
        Some('+') => (false, &i[1..]),
        Some(' ') if ctx.is_raw_plus(i) => (false, &i[1..]),
        _ => (false, i),
    };
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    let count = digits(unsigned);
    if count == 0 {
        return fail_expected(unsigned, Expected::Literal(KIND));
    }
    text.push_str(&unsigned[..count]);
    let mut rest = &unsigned[count..];
    if let Some(after_dot) = rest.strip_prefix('.') {
        let count = digits(after_dot);
        if count == 0 {
            return fail_expected(after_dot, Expected::Literal(KIND));
        }
        text.push_str(&rest[..count + 1]);
        rest = &after_dot[count..];
    }
    if let Some(after_e) = rest.strip_prefix(['e', 'E']) {
        text.push_str(&rest[..1]);
        let unsigned_exponent = match after_e.chars().next() {
            Some(c @ ('+' | '-')) => {
                text.push(c);
                &after_e[1..]
            }
            Some(' ') if ctx.is_raw_plus(after_e) => {
                text.push('+');
                &after_e[1..]
            }
            _ => after_e,
        };
        let count = digits(unsigned_exponent);
        if count == 0 {
            return fail_expected(unsigned_exponent, Expected::Literal(KIND));
        }
        text.push_str(&unsigned_exponent[..count]);
        rest = &unsigned_exponent[count..];
    }
    Ok((rest, text))
}
