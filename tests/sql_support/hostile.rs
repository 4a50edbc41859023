//! Hostile literals for the SQL tests: texts that would break or change a statement if
//! they reached its text (quotes, comment and statement breaks, `LIKE` wildcards,
//! backslashes, NUL, the translation's own parameter marker, Unicode controls), in every
//! position a literal can take.

use odata_query::sql::{Dialect, Mapping};
use odata_query::Query;
use serde_json::Value;

/// The hostile texts.
pub const HOSTILE: [&str; 12] = [
    "'); DROP TABLE \"uploadSessions\"; --",
    "%",
    "_",
    "\\",
    "a%b_c\\d",
    "\0",
    "\"quoted\"",
    "''",
    "Robert'); DELETE FROM uploadSessions_files; --",
    "\u{1}0\u{1}",
    "ß😀\u{202e}",
    "*/ OR 1=1 /*",
];

/// Puts the hostile texts into the records' `source` (and file names), except NUL when
/// the database cannot store it.
pub fn plant(records: &mut [Value], with_nul: bool) {
    let n = records.len();
    for (i, text) in HOSTILE.iter().enumerate() {
        if text.contains('\0') && !with_nul {
            continue;
        }
        records[i % n]["source"] = Value::from(*text);
        if let Some(Value::Array(files)) = records[(i + 1) % n].get_mut("files") {
            if let Some(file) = files.first_mut() {
                file["name"] = Value::from(*text);
            }
        }
    }
}

/// The text as an OData string literal, percent-encoded for a query string.
pub fn literal(text: &str) -> String {
    encode(&text.replace('\'', "''"))
}

/// The text percent-encoded for a query string (every byte but ASCII letters and digits).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Queries that carry `text` in every position a literal can take, each with the text a
/// parameter must hold.
pub fn queries(text: &str) -> Vec<(String, String)> {
    let l = literal(text);
    let plain = text.to_owned();
    let mut out: Vec<(String, String)> = [
        format!("$filter=source eq '{l}'"),
        format!("$filter=contains(source,'{l}')"),
        format!("$filter=startswith(source,'{l}') or endswith(source,'{l}')"),
        format!("$filter=not (source in ('{l}','x'))&$count=true"),
        format!("$compute=concat(source,'{l}') as c&$select=c"),
        format!("$filter=indexof(source,'{l}') ge 0 and length('{l}') gt 0"),
        format!("$filter=source eq @p&@p='{l}'"),
        format!(
            "$filter=matchesPattern(source,'^{}')",
            literal(&escape_pattern(text))
        ),
        format!("$filter=files/any(f: f/name eq '{l}')&$expand=files($filter=name ne '{l}')"),
        format!("$apply=filter(source ne '{l}')/groupby((source),aggregate($count as n))"),
        format!("$filter=tolower(source) eq tolower('{l}')&$orderby=source"),
    ]
    .into_iter()
    .map(|query| (query, plain.clone()))
    .collect();
    let term = text.replace('"', "");
    if !term.is_empty() {
        // A `$search` phrase is not a string literal: its quotes are not doubled.
        out.push((
            format!("$search=\"{}\"", encode(&term)),
            term.to_lowercase(),
        ));
    }
    out
}

/// `text` with ECMAScript syntax characters escaped.
fn escape_pattern(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "^$\\.*+?()[]{}|/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether the SQL text of every translation of `query` is free of `text` (texts of one
/// character that SQL itself writes, such as `%`, are skipped) and a parameter holds
/// `carried`, in both dialects.
pub fn check_text(query: &str, text: &str, carried: &str, mapping: &Mapping) -> Result<(), String> {
    let parsed = Query::parse(query).map_err(|e| format!("{query}: {e}"))?;
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let sql = match parsed.to_sql(mapping, dialect) {
            Ok(sql) => sql,
            // A construct the dialect cannot express (NUL on PostgreSQL, patterns on
            // SQLite): no SQL text to check.
            Err(odata_query::sql::SqlError::NotSupported(_)) => continue,
            Err(e) => return Err(format!("{query}: {e}")),
        };
        let short = text.chars().count() <= 2 && !text.contains(['\'', '"', '\0', '\u{1}']);
        let statements = std::iter::once(&sql.sql).chain(sql.count.as_ref().map(|c| &c.sql));
        for statement in statements {
            if !short && statement.contains(text) {
                return Err(format!("{query} leaks {text:?} into {statement}"));
            }
            if text.contains('\0') && statement.contains('\0') {
                return Err(format!("{query} leaks a NUL into {statement}"));
            }
        }
        let carries = sql.params.iter().any(|p| match p {
            odata_query::sql::SqlValue::Text(t) => t.contains(carried),
            _ => false,
        });
        if !carries {
            return Err(format!("{query}: no parameter carries {carried:?}"));
        }
    }
    Ok(())
}
