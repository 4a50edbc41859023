//! Geo functions over GeoJSON (URL §5.1.1.11): `geo.distance`, `geo.length`,
//! `geo.intersects`.
//!
//! Semantic choices:
//! - JSON values are GeoJSON objects (`{"type":"Point","coordinates":[x,y]}`); geo
//!   literals (`geography'Point(1 2)'`) are converted to GeoJSON at compile time;
//! - when any literal argument is `geometry'...'` distances are planar (Euclidean in the
//!   coordinate units); otherwise (`geography'...'` or no literal, GeoJSON being WGS 84
//!   longitude/latitude, RFC 7946) they are great-circle distances in metres on a sphere
//!   of radius 6,371,008.8 m (haversine);
//! - `geo.distance` takes two points; `geo.length` a LineString or MultiLineString;
//!   `geo.intersects` a point and a Polygon or MultiPolygon (holes respected; the test is
//!   planar on the coordinates, also for geography). Other shapes give null.

use serde_json::{json, Value};

use crate::ast::{Function, GeoLiteral, GeoShape, Position};
use crate::error::EvalError;

use super::value::{Num, Val};

const EARTH_RADIUS_METRES: f64 = 6_371_008.8;

fn position(position: &Position) -> Result<Value, EvalError> {
    let mut coordinates = Vec::with_capacity(position.0.len());
    for text in &position.0 {
        let number: f64 = text
            .parse()
            .map_err(|_| EvalError::Invalid(format!("invalid coordinate {text}")))?;
        coordinates.push(json!(number));
    }
    Ok(Value::Array(coordinates))
}

fn positions(list: &[Position]) -> Result<Value, EvalError> {
    list.iter()
        .map(position)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn rings(list: &[Vec<Position>]) -> Result<Value, EvalError> {
    list.iter()
        .map(|r| positions(r))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn geo_shape(shape: &GeoShape) -> Result<Value, EvalError> {
    Ok(match shape {
        GeoShape::Point(p) => json!({"type": "Point", "coordinates": position(p)?}),
        GeoShape::LineString(list) => {
            json!({"type": "LineString", "coordinates": positions(list)?})
        }
        GeoShape::Polygon(list) => json!({"type": "Polygon", "coordinates": rings(list)?}),
        GeoShape::MultiPoint(list) => {
            json!({"type": "MultiPoint", "coordinates": positions(list)?})
        }
        GeoShape::MultiLineString(list) => {
            json!({"type": "MultiLineString", "coordinates": rings(list)?})
        }
        GeoShape::MultiPolygon(list) => {
            let polygons = list
                .iter()
                .map(|p| rings(p))
                .collect::<Result<Vec<_>, _>>()?;
            json!({"type": "MultiPolygon", "coordinates": polygons})
        }
        GeoShape::Collection(shapes) => {
            let geometries = shapes
                .iter()
                .map(geo_shape)
                .collect::<Result<Vec<_>, _>>()?;
            json!({"type": "GeometryCollection", "geometries": geometries})
        }
    })
}

/// A geo literal as GeoJSON.
pub(crate) fn literal(geo: &GeoLiteral) -> Result<Value, EvalError> {
    geo_shape(&geo.shape)
}

fn point(value: &Value) -> Option<(f64, f64)> {
    let coordinates = value.as_array()?;
    Some((
        coordinates.first()?.as_f64()?,
        coordinates.get(1)?.as_f64()?,
    ))
}

fn points(value: &Value) -> Option<Vec<(f64, f64)>> {
    value.as_array()?.iter().map(point).collect()
}

fn geometry<'v>(value: &'v Val<'_>) -> Option<(&'v str, &'v Value)> {
    let object = match value {
        Val::Json(v) => *v,
        Val::Owned(v) => v.as_ref(),
        _ => return None,
    };
    Some((object.get("type")?.as_str()?, object.get("coordinates")?))
}

fn distance(a: (f64, f64), b: (f64, f64), spherical: bool) -> f64 {
    if !spherical {
        return ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    }
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_METRES * h.sqrt().min(1.0).asin()
}

fn line_length(line: &[(f64, f64)], spherical: bool) -> f64 {
    line.windows(2)
        .map(|pair| match pair {
            [a, b] => distance(*a, *b, spherical),
            _ => 0.0,
        })
        .sum()
}

/// Ray casting: whether `p` is inside the closed ring.
fn in_ring(p: (f64, f64), ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let mut previous = match ring.last() {
        Some(last) => *last,
        None => return false,
    };
    for &current in ring {
        let crosses = (current.1 > p.1) != (previous.1 > p.1)
            && p.0
                < (previous.0 - current.0) * (p.1 - current.1) / (previous.1 - current.1)
                    + current.0;
        if crosses {
            inside = !inside;
        }
        previous = current;
    }
    inside
}

fn in_polygon(p: (f64, f64), polygon: &Value) -> Option<bool> {
    let rings: Vec<Vec<(f64, f64)>> = polygon
        .as_array()?
        .iter()
        .map(points)
        .collect::<Option<_>>()?;
    let (outer, holes) = rings.split_first()?;
    Some(in_ring(p, outer) && !holes.iter().any(|hole| in_ring(p, hole)))
}

/// Evaluates a geo function; null for null arguments or unsupported shapes.
pub(crate) fn call<'a>(function: Function, args: &[Val<'a>], spherical: bool) -> Val<'a> {
    let number = |f: f64| Val::Num(Num::Float(f));
    let result = match function {
        Function::GeoDistance => match (
            args.first().and_then(geometry),
            args.get(1).and_then(geometry),
        ) {
            (Some(("Point", a)), Some(("Point", b))) => point(a)
                .zip(point(b))
                .map(|(a, b)| number(distance(a, b, spherical))),
            _ => None,
        },
        Function::GeoLength => match args.first().and_then(geometry) {
            Some(("LineString", line)) => points(line).map(|l| number(line_length(&l, spherical))),
            Some(("MultiLineString", lines)) => lines.as_array().and_then(|lines| {
                let mut total = 0.0;
                for line in lines {
                    total += line_length(&points(line)?, spherical);
                }
                Some(number(total))
            }),
            _ => None,
        },
        Function::GeoIntersects => {
            match (
                args.first().and_then(geometry),
                args.get(1).and_then(geometry),
            ) {
                (Some(("Point", p)), Some(("Polygon", polygon))) => {
                    point(p).and_then(|p| in_polygon(p, polygon)).map(Val::Bool)
                }
                (Some(("Point", p)), Some(("MultiPolygon", polygons))) => point(p).and_then(|p| {
                    let mut any = false;
                    for polygon in polygons.as_array()? {
                        any |= in_polygon(p, polygon)?;
                    }
                    Some(Val::Bool(any))
                }),
                _ => None,
            }
        }
        _ => None,
    };
    result.unwrap_or(Val::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        let paris = (2.3522, 48.8566);
        let london = (-0.1276, 51.5072);
        let metres = distance(paris, london, true);
        assert!((metres - 343_900.0).abs() < 2_000.0, "{metres}");
        assert_eq!(distance((0.0, 0.0), (3.0, 4.0), false), 5.0);
    }

    #[test]
    fn point_in_polygon_with_hole() {
        let polygon = json!([
            [
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ],
            [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
        ]);
        assert_eq!(in_polygon((1.0, 1.0), &polygon), Some(true));
        assert_eq!(in_polygon((5.0, 5.0), &polygon), Some(false));
        assert_eq!(in_polygon((11.0, 5.0), &polygon), Some(false));
    }
}
