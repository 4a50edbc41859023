//! Literal values, including geography and geometry shapes.

use std::fmt::{self, Display, Formatter, Write as _};

#[cfg(feature = "serde")]
use serde::Serialize;

use super::{write_list, write_url_text, Name};

/// A literal value. Numbers and temporal values keep their (validated) source text; text is
/// a [`Name`], which shares the parsed query's copy of it where it can (see [`Name`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Literal {
    /// `null`
    Null,
    /// `true`, `false` (case-insensitive).
    Boolean(bool),
    /// `42`, `-7`: an integer that fits Int64 (no fraction, no exponent).
    Int(i64),
    /// `2.55`, `-0.5`, or an integer too large for Int64: exact decimal text
    /// (no exponent, no leading `+`).
    Decimal(Name),
    /// `1e7`, `-2.5E-3`, `INF`, `-INF`, `NaN`: a number with an exponent, or a special value;
    /// the text without a leading `+`.
    Double(Name),
    /// `'O''Neil'`: the decoded content (`''` undoubled).
    String(Name),
    /// `01234567-89ab-cdef-0123-456789abcdef`
    Guid(Name),
    /// `2026-01-01`
    Date(Name),
    /// `2026-01-01T10:00:00.1234567+02:00`: the text as written (offset kept).
    DateTimeOffset(Name),
    /// `10:00:00.5`
    TimeOfDay(Name),
    /// `duration'P1DT2H'` or `'P1DT2H'`: the text between the quotes.
    Duration(Name),
    /// `binary'Zm9v'`: the decoded bytes.
    Binary(Vec<u8>),
    /// `Sales.Pattern'Yellow,Red'`: a qualified enum literal.
    Enum {
        /// The qualified enum type name.
        type_name: String,
        /// The members (names or integers) between the quotes, comma-separated.
        value: String,
    },
    /// `geography'SRID=4326;Point(1 2)'`
    Geo(GeoLiteral),
    /// `[1,2]`, `{"a":1}`: a JSON array or object.
    Json(serde_json::Value),
}

/// `geography'SRID=4326;Point(-122 47)'` or `geometry'...'`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct GeoLiteral {
    /// `geography` (true) or `geometry` (false).
    pub geography: bool,
    /// The `SRID=n;` prefix, if given.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub srid: Option<u32>,
    /// The shape.
    pub shape: GeoShape,
}

/// A well-known-text shape inside a geo literal.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum GeoShape {
    /// `Point(x y)`
    Point(Position),
    /// `LineString(x y,x y,...)`
    LineString(Vec<Position>),
    /// `Polygon((x y,...),(x y,...))`: rings.
    Polygon(Vec<Vec<Position>>),
    /// `MultiPoint((x y),(x y))`
    MultiPoint(Vec<Position>),
    /// `MultiLineString((x y,...),(...))`
    MultiLineString(Vec<Vec<Position>>),
    /// `MultiPolygon(((x y,...)),(...))`
    MultiPolygon(Vec<Vec<Vec<Position>>>),
    /// `GeometryCollection(Point(1 2),LineString(...))`
    Collection(Vec<GeoShape>),
}

/// `x y [z [m]]`: 2 to 4 coordinates, each kept as its number text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Position(pub Vec<String>);

/// Writes bytes as base64url with padding (the canonical form of `binary'...'`).
pub(super) fn write_base64url(f: &mut Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                f.write_char(char::from(ALPHABET[index]))?;
            } else {
                f.write_char('=')?;
            }
        }
    }
    Ok(())
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Boolean(value) => f.write_str(if *value { "true" } else { "false" }),
            Literal::Int(value) => Display::fmt(value, f),
            Literal::Decimal(text)
            | Literal::Double(text)
            | Literal::Guid(text)
            | Literal::Date(text)
            | Literal::TimeOfDay(text)
            | Literal::DateTimeOffset(text) => f.write_str(text),
            Literal::String(text) => {
                f.write_str("'")?;
                write_url_text(f, &text.replace('\'', "''"))?;
                f.write_str("'")
            }
            Literal::Duration(text) => write!(f, "duration'{text}'"),
            Literal::Binary(bytes) => {
                f.write_str("binary'")?;
                write_base64url(f, bytes)?;
                f.write_str("'")
            }
            Literal::Enum { type_name, value } => {
                write!(f, "{type_name}'")?;
                write_url_text(f, value)?;
                f.write_str("'")
            }
            Literal::Geo(geo) => geo.fmt(f),
            Literal::Json(value) => write_url_text(f, &value.to_string()),
        }
    }
}

impl Display for GeoLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.geography {
            "geography'"
        } else {
            "geometry'"
        })?;
        if let Some(srid) = self.srid {
            write!(f, "SRID={srid};")?;
        }
        write!(f, "{}'", self.shape)
    }
}

/// Writes `(a,b,...)` where each item is written by `write_item`.
pub(super) fn write_group<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    write_item: impl Fn(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str("(")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write_item(f, item)?;
    }
    f.write_str(")")
}

pub(super) fn write_positions(f: &mut Formatter<'_>, positions: &[Position]) -> fmt::Result {
    write_group(f, positions, |f, p| p.fmt(f))
}

pub(super) fn write_rings(f: &mut Formatter<'_>, rings: &[Vec<Position>]) -> fmt::Result {
    write_group(f, rings, |f, ring| write_positions(f, ring))
}

impl Display for GeoShape {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GeoShape::Point(position) => write!(f, "Point({position})"),
            GeoShape::LineString(positions) => {
                f.write_str("LineString")?;
                write_positions(f, positions)
            }
            GeoShape::Polygon(rings) => {
                f.write_str("Polygon")?;
                write_rings(f, rings)
            }
            GeoShape::MultiPoint(points) => {
                f.write_str("MultiPoint")?;
                write_group(f, points, |f, p| write!(f, "({p})"))
            }
            GeoShape::MultiLineString(lines) => {
                f.write_str("MultiLineString")?;
                write_rings(f, lines)
            }
            GeoShape::MultiPolygon(polygons) => {
                f.write_str("MultiPolygon")?;
                write_group(f, polygons, |f, rings| write_rings(f, rings))
            }
            GeoShape::Collection(shapes) => {
                f.write_str("GeometryCollection")?;
                write_group(f, shapes, |f, shape| shape.fmt(f))
            }
        }
    }
}

impl Display for Position {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_list(f, &self.0, " ")
    }
}
