//! The parameter list a translation fills: every value from the request goes here, typed,
//! and the SQL text gets only its placeholder.

use super::dialect::{Dialect, ParamType};

/// A value bound to a statement parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SqlValue {
    /// SQL `NULL` (of the parameter's declared type).
    Null,
    /// A Boolean (SQLite binds 1 or 0).
    Boolean(bool),
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Double(f64),
    /// A text.
    Text(String),
}

impl SqlValue {
    /// The parameter type this value binds as (`Text` for null).
    pub fn param_type(&self) -> ParamType {
        match self {
            SqlValue::Boolean(_) => ParamType::Boolean,
            SqlValue::Integer(_) => ParamType::Integer,
            SqlValue::Double(_) => ParamType::Double,
            SqlValue::Null | SqlValue::Text(_) => ParamType::Text,
        }
    }

    /// The value as JSON, for `odq sql` and logs.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SqlValue::Null => serde_json::Value::Null,
            SqlValue::Boolean(b) => serde_json::Value::Bool(*b),
            SqlValue::Integer(i) => serde_json::Value::from(*i),
            SqlValue::Double(d) => serde_json::Number::from_f64(*d)
                .map_or_else(|| serde_json::Value::from(d.to_string()), Into::into),
            SqlValue::Text(t) => serde_json::Value::from(t.as_str()),
        }
    }
}

/// The parameters bound while translating. Placeholders are written as markers
/// (`\u{1}N\u{1}`) and numbered by [`finish`] per statement, in order of appearance, so
/// that a statement binds exactly the parameters its text uses (a value bound and then
/// folded away, or used only by the count statement, is not sent).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pub(crate) values: Vec<(SqlValue, ParamType)>,
}

/// The marker character around a parameter index; the mapping rejects identifiers with
/// control characters, so it appears nowhere else in the SQL text.
pub(crate) const MARK: char = '\u{1}';

impl Params {
    /// Binds `value` and returns its placeholder marker.
    pub(crate) fn push(&mut self, value: SqlValue) -> String {
        let ty = value.param_type();
        self.push_as(value, ty)
    }

    /// Binds `value` as a parameter of type `ty` (nulls of a typed column).
    pub(crate) fn push_as(&mut self, value: SqlValue, ty: ParamType) -> String {
        self.values.push((value, ty));
        format!("{MARK}{}{MARK}", self.values.len() - 1)
    }
}

/// Numbers the placeholders of `sql` in order of appearance and returns the text and the
/// values it binds.
pub(crate) fn finish(sql: &str, params: &Params, dialect: Dialect) -> (String, Vec<SqlValue>) {
    let mut out = String::with_capacity(sql.len());
    let mut values = Vec::new();
    let mut numbers: Vec<Option<usize>> = vec![None; params.values.len()];
    let mut rest = sql;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.len_utf8()..];
        let Some(end) = after.find(MARK) else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let index: usize = after[..end].parse().unwrap_or(usize::MAX);
        match params.values.get(index) {
            Some((value, ty)) => {
                let number = match numbers[index] {
                    Some(number) => number,
                    None => {
                        values.push(value.clone());
                        numbers[index] = Some(values.len());
                        values.len()
                    }
                };
                out.push_str(&dialect.param(number, *ty));
            }
            None => out.push_str("NULL"),
        }
        rest = &after[end + MARK.len_utf8()..];
    }
    out.push_str(rest);
    (out, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_by_appearance_and_unused_ones_dropped() {
        let mut params = Params::default();
        let a = params.push(SqlValue::Integer(1));
        let b = params.push(SqlValue::Text("x".into()));
        let c = params.push(SqlValue::Integer(3));
        let sql = format!("{c} {a} {c}");
        let _ = b;
        let (text, values) = finish(&sql, &params, Dialect::Postgres);
        assert_eq!(text, "$1::bigint $2::bigint $1::bigint");
        assert_eq!(values, vec![SqlValue::Integer(3), SqlValue::Integer(1)]);
        let (text, _) = finish(&sql, &params, Dialect::Sqlite);
        assert_eq!(text, "?1 ?2 ?1");
    }
}
