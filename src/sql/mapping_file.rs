//! [`Overrides`] of the conventional mapping, built in Rust or read from a small JSON
//! mapping file:
//!
//! ```json
//! {
//!   "uploadSessions": {
//!     "table": "upload_sessions",
//!     "ordinal": null,
//!     "absent": null,
//!     "columns": {
//!       "createdDateTime": "created_text",
//!       "createdDateTime/$instant": "created_at",
//!       "stats/filesUploaded": "files_uploaded",
//!       "stats": "has_stats"
//!     },
//!     "json": ["data"],
//!     "navigations": {
//!       "files": {
//!         "table": "upload_session_files",
//!         "parent": ["session_id"],
//!         "presence": "has_files",
//!         "columns": { "size": "size_bytes" }
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! Each top-level member names an entity set. `columns` renames the column of a property
//! path (`/` between complex properties; `path/$instant` for a DateTimeOffset's instant
//! column; a complex path for its presence column). `ordinal`, `absent` and `presence`
//! rename a column or, given `null`, say the table has none. `json` stores the listed
//! complex properties as one JSON column. `navigations` holds the same members for child
//! tables, plus `parent` (the columns holding the parent's key). Unknown members are an
//! error, so a misspelt option does not silently leave the convention in place.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::SqlError;

/// Overrides for the tables of entity sets, by set name.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Overrides {
    /// By entity set name.
    pub sets: BTreeMap<String, TableOverrides>,
}

/// Overrides for one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableOverrides {
    /// The table name.
    pub table: Option<String>,
    /// `Some(None)`: no ordinal column; `Some(Some(name))`: its name.
    pub ordinal: Option<Option<String>>,
    /// `Some(None)`: no absent-members column; `Some(Some(name))`: its name.
    pub absent: Option<Option<String>>,
    /// For a child table: the parent's presence column (`Some(None)`: none).
    pub presence: Option<Option<String>>,
    /// For a child table: the columns holding the parent's key.
    pub parent: Option<Vec<String>>,
    /// Column names by property path.
    pub columns: BTreeMap<String, String>,
    /// Complex property paths stored as one JSON column.
    pub json: Vec<String>,
    /// Child tables by navigation property name.
    pub navigations: BTreeMap<String, TableOverrides>,
}

impl Overrides {
    /// Reads a mapping file (see the module docs).
    pub fn from_json(text: &str) -> Result<Overrides, SqlError> {
        let document: Value = serde_json::from_str(text)
            .map_err(|e| SqlError::Mapping(format!("the mapping file is not JSON: {e}")))?;
        let Value::Object(sets) = document else {
            return Err(SqlError::Mapping(
                "the mapping file must be an object of entity sets".into(),
            ));
        };
        let mut out = Overrides::default();
        for (name, value) in sets {
            let table = read_table(&value, &name, false)?;
            out.sets.insert(name, table);
        }
        Ok(out)
    }
}

fn read_table(value: &Value, at: &str, child: bool) -> Result<TableOverrides, SqlError> {
    let Value::Object(members) = value else {
        return Err(bad(at, "must be an object"));
    };
    let mut out = TableOverrides::default();
    for (key, member) in members {
        let here = format!("{at}.{key}");
        match key.as_str() {
            "table" => out.table = Some(text(member, &here)?),
            "ordinal" => out.ordinal = Some(optional_text(member, &here)?),
            "absent" => out.absent = Some(optional_text(member, &here)?),
            "presence" if child => out.presence = Some(optional_text(member, &here)?),
            "parent" if child => out.parent = Some(texts(member, &here)?),
            "columns" => out.columns = text_map(member, &here)?,
            "json" => out.json = texts(member, &here)?,
            "navigations" => {
                let Value::Object(children) = member else {
                    return Err(bad(&here, "must be an object"));
                };
                for (name, child_value) in children {
                    let table = read_table(child_value, &format!("{here}.{name}"), true)?;
                    out.navigations.insert(name.clone(), table);
                }
            }
            _ => return Err(bad(&here, "is not a mapping option")),
        }
    }
    Ok(out)
}

fn bad(at: &str, what: &str) -> SqlError {
    SqlError::Mapping(format!("mapping file: {at} {what}"))
}

fn text(value: &Value, at: &str) -> Result<String, SqlError> {
    match value {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(bad(at, "must be a non-empty string")),
    }
}

fn optional_text(value: &Value, at: &str) -> Result<Option<String>, SqlError> {
    match value {
        Value::Null => Ok(None),
        other => text(other, at).map(Some),
    }
}

fn texts(value: &Value, at: &str) -> Result<Vec<String>, SqlError> {
    match value {
        Value::Array(items) => items.iter().map(|item| text(item, at)).collect(),
        _ => Err(bad(at, "must be an array of strings")),
    }
}

fn text_map(value: &Value, at: &str) -> Result<BTreeMap<String, String>, SqlError> {
    let Value::Object(members) = value else {
        return Err(bad(at, "must be an object of strings"));
    };
    let members: &Map<String, Value> = members;
    members
        .iter()
        .map(|(key, item)| Ok((key.clone(), text(item, &format!("{at}.{key}"))?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_option() {
        let overrides = Overrides::from_json(
            r#"{"s":{"table":"t","ordinal":null,"absent":"gone","columns":{"a/b":"ab"},
                "json":["c"],"navigations":{"n":{"table":"k","parent":["p"],"presence":null}}}}"#,
        )
        .unwrap();
        let table = &overrides.sets["s"];
        assert_eq!(table.table.as_deref(), Some("t"));
        assert_eq!(table.ordinal, Some(None));
        assert_eq!(table.absent, Some(Some("gone".into())));
        assert_eq!(table.columns["a/b"], "ab");
        assert_eq!(table.json, vec!["c".to_owned()]);
        let child = &table.navigations["n"];
        assert_eq!(child.parent.as_deref(), Some(&["p".to_owned()][..]));
        assert_eq!(child.presence, Some(None));
    }

    #[test]
    fn misspelt_options_are_errors() {
        let error = Overrides::from_json(r#"{"s":{"tabel":"t"}}"#).unwrap_err();
        assert!(error.to_string().contains("s.tabel"), "{error}");
        assert!(Overrides::from_json(r#"{"s":{"parent":["p"]}}"#).is_err());
        assert!(Overrides::from_json("[]").is_err());
        assert!(Overrides::from_json("{").is_err());
    }
}
