//! Tables for a mapping and the rows of a JSON record, for `load`: `CREATE TABLE`
//! statements (with the indexes every query needs: the input order, and children by
//! parent), and each record split into its table's row and its children's rows, typed by
//! the model, with the members it lacked recorded.

use serde_json::Value;

use super::dialect::{quote_identifier, Dialect, StoredType};
use super::error::SqlError;
use super::mapping::{Mapping, Storage, Table};
use super::translate::instant_text;
use super::writer::SqlValue;
use crate::model::Edm;

/// The table where `load` keeps each entity set's `@odata.context`.
pub const CONTEXT_TABLE: &str = "_odq_context";

/// One row to insert: the index of its table in [`Table::flatten`] order and its values in
/// [`Table::columns`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRow {
    /// The table's position in `root.flatten()`.
    pub table: usize,
    /// The values, one per column.
    pub values: Vec<SqlValue>,
}

impl Table {
    /// This table and its child tables, depth first, parents before children.
    pub fn flatten(&self) -> Vec<&Table> {
        let mut out = vec![self];
        for navigation in &self.navigations {
            out.extend(navigation.table.flatten());
        }
        out
    }

    /// `INSERT INTO "t" ("a", ...) VALUES (...), ...` for `rows` rows.
    pub fn insert_statement(&self, dialect: Dialect, rows: usize) -> String {
        let columns = self.columns();
        let names: Vec<String> = columns
            .iter()
            .map(|(name, _)| quote_identifier(name))
            .collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote_identifier(&self.table),
            names.join(", ")
        );
        let mut n = 0;
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (i, (_, stored)) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&insert_placeholder(dialect, n, *stored));
            }
            sql.push(')');
        }
        sql
    }
}

fn insert_placeholder(dialect: Dialect, n: usize, stored: StoredType) -> String {
    use super::dialect::ParamType;
    match (dialect, stored) {
        (Dialect::Postgres, StoredType::Json) => format!("CAST(${n}::text AS jsonb)"),
        (_, StoredType::Integer) => dialect.param(n, ParamType::Integer),
        (_, StoredType::Double) => dialect.param(n, ParamType::Double),
        (_, StoredType::Boolean) => dialect.param(n, ParamType::Boolean),
        (_, StoredType::Text | StoredType::Json) => dialect.param(n, ParamType::Text),
    }
}

/// `CREATE TABLE` (and index) statements for every table of the mapping, parents first,
/// and the context table.
pub fn create_statements(mapping: &Mapping, dialect: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for root in &mapping.tables {
        for table in root.flatten() {
            let columns: Vec<String> = table
                .columns()
                .iter()
                .map(|(name, stored)| {
                    format!(
                        "{} {}",
                        quote_identifier(name),
                        dialect.column_type(*stored)
                    )
                })
                .collect();
            out.push(format!(
                "CREATE TABLE {} ({})",
                quote_identifier(&table.table),
                columns.join(", ")
            ));
            let mut index_columns: Vec<&str> =
                table.parent.iter().map(|(name, _)| name.as_str()).collect();
            if let Some(ordinal) = &table.ordinal {
                index_columns.push(ordinal);
            }
            if !index_columns.is_empty() {
                let quoted: Vec<String> =
                    index_columns.iter().map(|c| quote_identifier(c)).collect();
                out.push(format!(
                    "CREATE INDEX {} ON {} ({})",
                    quote_identifier(&format!("{}_order", table.table)),
                    quote_identifier(&table.table),
                    quoted.join(", ")
                ));
            }
        }
    }
    out.push(format!(
        "CREATE TABLE IF NOT EXISTS {} ({} {}, {} {})",
        quote_identifier(CONTEXT_TABLE),
        quote_identifier("entity_set"),
        dialect.column_type(StoredType::Text),
        quote_identifier("context"),
        dialect.column_type(StoredType::Text)
    ));
    out
}

/// The rows of one record of `root`'s entity set at input position `ordinal`: its own
/// row first, then its children's, depth first.
pub fn rows_of(root: &Table, record: &Value, ordinal: i64) -> Result<Vec<LoadRow>, SqlError> {
    let mut out = Vec::new();
    let mut next_table = 0;
    split(
        root,
        record,
        ordinal,
        &[],
        &mut next_table,
        &mut out,
        &format!("record {ordinal}"),
    )?;
    Ok(out)
}

fn split(
    table: &Table,
    record: &Value,
    ordinal: i64,
    parent_key: &[SqlValue],
    next_table: &mut usize,
    out: &mut Vec<LoadRow>,
    at: &str,
) -> Result<(), SqlError> {
    let Value::Object(members) = record else {
        return Err(SqlError::Input(format!("{at} is not a JSON object")));
    };
    let index = *next_table;
    *next_table += 1;
    let mut values: Vec<SqlValue> = parent_key.to_vec();
    if table.ordinal.is_some() {
        values.push(SqlValue::Integer(ordinal));
    }
    let mut absent = Vec::new();
    for property in &table.properties {
        let member = members.get(&property.name);
        if member.is_none() {
            absent.push(property.name.clone());
        }
        store(
            &property.storage,
            member,
            &mut values,
            &mut absent,
            &property.name,
            at,
        )?;
    }
    for navigation in &table.navigations {
        let member = members.get(&navigation.name);
        if navigation.presence.is_some() {
            values.push(match member {
                Some(Value::Array(_)) => SqlValue::Boolean(true),
                _ => SqlValue::Null,
            });
        }
        if member.is_none() {
            absent.push(navigation.name.clone());
        }
    }
    if table.absent.is_some() {
        values.push(if absent.is_empty() {
            SqlValue::Null
        } else {
            SqlValue::Text(Value::from(absent).to_string())
        });
    }
    let key: Vec<SqlValue> = table
        .key
        .iter()
        .map(|key| {
            let position = table.columns().iter().position(|(name, _)| name == key);
            position
                .and_then(|p| values.get(p).cloned())
                .unwrap_or(SqlValue::Null)
        })
        .collect();
    out.push(LoadRow {
        table: index,
        values,
    });
    for navigation in &table.navigations {
        match members.get(&navigation.name) {
            Some(Value::Array(items)) => {
                let first_child_table = *next_table;
                for (position, item) in items.iter().enumerate() {
                    *next_table = first_child_table;
                    let position = i64::try_from(position).unwrap_or(i64::MAX);
                    split(
                        &navigation.table,
                        item,
                        position,
                        &key,
                        next_table,
                        out,
                        &format!("{at}, {}[{position}]", navigation.name),
                    )?;
                }
                *next_table = first_child_table + navigation.table.flatten().len();
            }
            None | Some(Value::Null) => *next_table += navigation.table.flatten().len(),
            Some(_) => {
                return Err(SqlError::Input(format!(
                    "{at}: {} is not an array",
                    navigation.name
                )));
            }
        }
    }
    Ok(())
}

fn store(
    storage: &Storage,
    member: Option<&Value>,
    values: &mut Vec<SqlValue>,
    absent: &mut Vec<String>,
    path: &str,
    at: &str,
) -> Result<(), SqlError> {
    let value = member.filter(|v| !v.is_null());
    let wrong = |expected: &str| SqlError::Input(format!("{at}: {path} is not {expected}"));
    match storage {
        Storage::Column { edm, .. } => values.push(match value {
            None => SqlValue::Null,
            Some(value) => primitive(*edm, value).ok_or_else(|| wrong(&format!("an {edm}")))?,
        }),
        Storage::DateTimeOffset { .. } => match value {
            None => {
                values.push(SqlValue::Null);
                values.push(SqlValue::Null);
            }
            Some(Value::String(text)) => {
                let instant = date_time_instant(text).ok_or_else(|| {
                    wrong("a DateTimeOffset of the form YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)")
                })?;
                values.push(SqlValue::Text(text.clone()));
                values.push(SqlValue::Text(instant));
            }
            Some(_) => return Err(wrong("a DateTimeOffset text")),
        },
        Storage::Complex {
            presence,
            properties,
        } => {
            let object = match value {
                None => None,
                Some(Value::Object(object)) => Some(object),
                Some(_) => return Err(wrong("an object")),
            };
            if presence.is_some() {
                values.push(if object.is_some() {
                    SqlValue::Boolean(true)
                } else {
                    SqlValue::Null
                });
            }
            for property in properties {
                let inner_path = format!("{path}/{}", property.name);
                let inner = object.and_then(|o| o.get(&property.name));
                if object.is_some() && inner.is_none() {
                    absent.push(inner_path.clone());
                }
                store(&property.storage, inner, values, absent, &inner_path, at)?;
            }
        }
        Storage::Json { .. } => values.push(match value {
            None => SqlValue::Null,
            Some(value) => SqlValue::Text(value.to_string()),
        }),
    }
    Ok(())
}

fn primitive(edm: Edm, value: &Value) -> Option<SqlValue> {
    match edm {
        Edm::Boolean => value.as_bool().map(SqlValue::Boolean),
        Edm::Byte | Edm::SByte | Edm::Int16 | Edm::Int32 | Edm::Int64 => {
            value.as_i64().map(SqlValue::Integer)
        }
        Edm::Single | Edm::Double | Edm::Decimal => value.as_f64().map(SqlValue::Double),
        Edm::Date => {
            let text = value.as_str()?;
            (text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
                .then(|| SqlValue::Text(text.to_owned()))
        }
        _ => value.as_str().map(|s| SqlValue::Text(s.to_owned())),
    }
}

/// The instant of a DateTimeOffset text in the shape the date-part functions read
/// (`YYYY-MM-DDTHH:MM:SS`, then an optional fraction and `Z` or an offset).
pub(crate) fn date_time_instant(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| bytes[i].is_ascii_digit())
        && (text.ends_with('Z')
            || bytes[bytes.len() - 6] == b'+'
            || bytes[bytes.len() - 6] == b'-');
    if !shaped {
        return None;
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    instant_text(&parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_shapes() {
        assert_eq!(
            date_time_instant("2026-01-01T10:00:00.5+02:00").as_deref(),
            Some("2026-01-01T08:00:00.500000000Z")
        );
        assert!(date_time_instant("2026-01-01T10:00Z").is_none());
        assert!(date_time_instant("2026-01-01t10:00:00z").is_none());
        assert!(date_time_instant("garbage").is_none());
    }
}
