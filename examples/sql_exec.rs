//! Runs SQL on a SQLite database file with the SQLite that the `sqlite` feature compiles
//! in (the one `odq apply --db` uses), or on PostgreSQL through the same client library,
//! and prints every row on its own line, columns separated by `|`. `scripts/sql-bench.sh`
//! times hand-written SQL with it (so both sides of a ratio are one small process with one
//! connection) and reads `EXPLAIN QUERY PLAN` of the generated SQL on SQLite.
//!
//! ```sh
//! cargo run --release --features sqlite,postgres --example sql_exec -- sessions.db query.sql
//! cargo run --release --features sqlite,postgres --example sql_exec -- sessions.db query.sql '[1000000, 0]'
//! cargo run --release --features sqlite,postgres --example sql_exec -- postgres://odq@%2Ftmp%2Fpg/odq query.sql
//! ```
//!
//! Statements in FILE end with `;` at the end of a line. On SQLite the optional third
//! argument is a JSON array of parameter values (numbers, strings, booleans, null), bound
//! to `?1`, `?2`, ... in order in each statement.
//! On PostgreSQL (a `postgres://` first argument) they run with the simple query protocol,
//! without parameters.

use std::io::Write;

use odata_query::sql::sqlite;
use rusqlite::types::Value as SqliteValue;
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: sql_exec DB.sqlite FILE.sql [PARAMS.json]".into());
    };
    let params: Vec<Value> = match args.next() {
        Some(text) => serde_json::from_str(&text)?,
        None => Vec::new(),
    };
    let params: Vec<SqliteValue> = params
        .into_iter()
        .map(|value| match value {
            Value::Null => SqliteValue::Null,
            Value::Bool(b) => SqliteValue::Integer(i64::from(b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => SqliteValue::Integer(i),
                None => SqliteValue::Real(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => SqliteValue::Text(s),
            other => SqliteValue::Text(other.to_string()),
        })
        .collect();
    let sql = std::fs::read_to_string(&file)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if path.starts_with("postgres://") || path.starts_with("postgresql://") {
        let client = odata_query::sql::postgres::Blocking::connect(&path)?;
        let messages = client.block_on(client.client().simple_query(&sql))?;
        for message in messages {
            if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
                let cells: Vec<&str> = (0..row.len()).map(|i| row.get(i).unwrap_or("")).collect();
                writeln!(out, "{}", cells.join("|"))?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    let connection = sqlite::open(&path)?;
    // The functions the generated SQL may call (odq_lower, odq_upper).
    sqlite::register_functions(&connection)?;
    // Statements end with `;` at the end of a line; parameters go to each of them.
    for sql in sql.split(";\n").filter(|s| !s.trim().is_empty()) {
        let mut statement = connection.prepare(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(row) = rows.next()? {
            let cells: Vec<String> = (0..columns)
                .map(|i| match row.get_ref(i) {
                    Ok(rusqlite::types::ValueRef::Integer(i)) => i.to_string(),
                    Ok(rusqlite::types::ValueRef::Real(r)) => r.to_string(),
                    Ok(rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t)) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                    Ok(rusqlite::types::ValueRef::Null) | Err(_) => String::new(),
                })
                .collect();
            writeln!(out, "{}", cells.join("|"))?;
        }
    }
    out.flush()?;
    Ok(())
}
