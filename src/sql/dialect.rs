//! The points where SQLite and PostgreSQL differ, one small method each, and the one
//! function that quotes identifiers.
//!
//! Everything else the translation writes is SQL both databases read the same way
//! (`CASE`, `COALESCE`, `EXISTS`, `substr`, `length`, `||`, `NULLS FIRST`).

/// The SQL dialect to translate into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite 3.38 or later (JSON functions built in, `NULLS FIRST`, `?NNN` parameters).
    Sqlite,
    /// PostgreSQL 12 or later (`$N` parameters with casts, `json_build_object`, `json_agg`).
    Postgres,
}

/// The SQL type of a bound parameter, written as a cast on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `bigint` / SQLite INTEGER.
    Integer,
    /// `double precision` / SQLite REAL.
    Double,
    /// `text` / SQLite TEXT.
    Text,
    /// `boolean` / SQLite INTEGER 0 or 1.
    Boolean,
}

/// Quotes an identifier from the mapping: `"name"`, with `"` doubled. The only place
/// identifiers enter SQL text; request text never does. Control characters (which the
/// mapping rejects) are dropped, so an identifier can never contain a parameter marker.
pub fn quote_identifier(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for c in name.chars() {
        if c.is_control() {
            continue;
        }
        if c == '"' {
            quoted.push('"');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

impl Dialect {
    /// Parameter number `n` (1-based) of `ty`: `?3` on SQLite, `$3::bigint` on PostgreSQL
    /// (the cast fixes the parameter's type for every driver).
    pub fn param(self, n: usize, ty: ParamType) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => {
                let cast = match ty {
                    ParamType::Integer => "bigint",
                    ParamType::Double => "float8",
                    ParamType::Text => "text",
                    ParamType::Boolean => "boolean",
                };
                format!("${n}::{cast}")
            }
        }
    }

    /// Null-safe equality, never null: SQLite `a IS b`, PostgreSQL `a IS NOT DISTINCT FROM b`.
    pub fn not_distinct(self, left: &str, right: &str) -> String {
        match self {
            Dialect::Sqlite => format!("({left} IS {right})"),
            Dialect::Postgres => format!("({left} IS NOT DISTINCT FROM {right})"),
        }
    }

    /// Null-safe inequality, never null: SQLite `a IS NOT b`, PostgreSQL
    /// `a IS DISTINCT FROM b`.
    pub fn distinct(self, left: &str, right: &str) -> String {
        match self {
            Dialect::Sqlite => format!("({left} IS NOT {right})"),
            Dialect::Postgres => format!("({left} IS DISTINCT FROM {right})"),
        }
    }

    /// A string operand of an ordering comparison or `ORDER BY`, in code-point order:
    /// PostgreSQL `x COLLATE "C"`; SQLite's default BINARY collation already is.
    pub fn code_point_order(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => expr.to_owned(),
            Dialect::Postgres => format!("({expr} COLLATE \"C\")"),
        }
    }

    /// The 1-based position of `needle` in `haystack`, 0 when absent (null when either
    /// is null): SQLite `instr`, PostgreSQL `strpos`. Neither treats any character
    /// specially, unlike `LIKE`.
    pub fn position(self, haystack: &str, needle: &str) -> String {
        match self {
            Dialect::Sqlite => format!("instr({haystack}, {needle})"),
            Dialect::Postgres => format!("strpos({haystack}, {needle})"),
        }
    }

    /// A JSON object from `(quoted name literal, JSON-ready value)` pairs: SQLite
    /// `json_object(...)`, PostgreSQL `json_build_object(...)`.
    pub fn json_object(self, pairs: &[(String, String)]) -> String {
        let function = match self {
            Dialect::Sqlite => "json_object",
            Dialect::Postgres => "json_build_object",
        };
        let mut out = format!("{function}(");
        for (i, (name, value)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push_str(", ");
            out.push_str(value);
        }
        out.push(')');
        out
    }

    /// A JSON array of `value` over the rows of `from` (a subquery alias) in `order`, `[]`
    /// when there are none: SQLite `json_group_array(json(v) ORDER BY ...)`, PostgreSQL
    /// `coalesce(json_agg(v ORDER BY ...), '[]')`.
    pub fn json_array_agg(self, value: &str, order: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_group_array(json({value}) ORDER BY {order})"),
            Dialect::Postgres => {
                format!("coalesce(json_agg({value} ORDER BY {order}), '[]'::json)")
            }
        }
    }

    /// A stored JSON text (a JSON-mapped property) as a JSON value inside a built object:
    /// SQLite `json(col)`, PostgreSQL `col::json`.
    pub fn json_value(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json({column})"),
            Dialect::Postgres => format!("({column})::json"),
        }
    }

    /// A JSON document built by [`Dialect::json_object`] as a JSON value inside another
    /// one: SQLite keeps the JSON subtype only through `json(...)`; PostgreSQL's `json`
    /// values nest as they are.
    pub fn nested_json(self, built: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json({built})"),
            Dialect::Postgres => built.to_owned(),
        }
    }

    /// A Boolean SQL value as a JSON `true`/`false`/`null`: SQLite has no Boolean type (its
    /// 1 and 0 would print as numbers), PostgreSQL's `boolean` prints as JSON.
    pub fn json_boolean(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => {
                format!("CASE WHEN {expr} THEN json('true') WHEN NOT {expr} THEN json('false') END")
            }
            Dialect::Postgres => expr.to_owned(),
        }
    }

    /// The built JSON of a result row as text for the driver: PostgreSQL `::text`; SQLite
    /// JSON already is text.
    pub fn json_text(self, built: &str) -> String {
        match self {
            Dialect::Sqlite => built.to_owned(),
            Dialect::Postgres => format!("({built})::text"),
        }
    }

    /// `LIMIT`/`OFFSET` for `$top`/`$skip`: SQLite needs a `LIMIT` before `OFFSET` (`-1`
    /// is none); PostgreSQL takes `OFFSET` alone.
    pub fn limit_offset(self, limit: Option<&str>, offset: Option<&str>) -> String {
        match (self, limit, offset) {
            (_, None, None) => String::new(),
            (_, Some(limit), None) => format!(" LIMIT {limit}"),
            (_, Some(limit), Some(offset)) => format!(" LIMIT {limit} OFFSET {offset}"),
            (Dialect::Sqlite, None, Some(offset)) => format!(" LIMIT -1 OFFSET {offset}"),
            (Dialect::Postgres, None, Some(offset)) => format!(" OFFSET {offset}"),
        }
    }

    /// Converts a numeric expression to a double: SQLite `CAST(x AS REAL)`, PostgreSQL
    /// `CAST(x AS double precision)`.
    pub fn to_double(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST({expr} AS REAL)"),
            Dialect::Postgres => format!("CAST({expr} AS double precision)"),
        }
    }

    /// Converts a text of digits to an integer: SQLite `CAST(x AS INTEGER)`, PostgreSQL
    /// `CAST(x AS bigint)`.
    pub fn to_integer(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST({expr} AS INTEGER)"),
            Dialect::Postgres => format!("CAST({expr} AS bigint)"),
        }
    }

    /// `round` half away from zero: SQLite's `round` already is (for doubles); PostgreSQL
    /// rounds `numeric` half away from zero but `double precision` half to even.
    pub fn round(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("round({expr})"),
            Dialect::Postgres => {
                format!("CAST(round(CAST({expr} AS numeric)) AS double precision)")
            }
        }
    }

    /// `ceiling`: SQLite `ceil`, PostgreSQL `ceiling`, both returning the operand's type
    /// class (SQLite REAL for REAL input).
    pub fn ceiling(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("ceil({expr})"),
            Dialect::Postgres => format!("ceiling({expr})"),
        }
    }

    /// The column type of a stored value of `kind` in `CREATE TABLE`.
    pub fn column_type(self, kind: StoredType) -> &'static str {
        match (self, kind) {
            (Dialect::Sqlite, StoredType::Integer | StoredType::Boolean) => "INTEGER",
            (Dialect::Sqlite, StoredType::Double) => "REAL",
            (Dialect::Sqlite, StoredType::Text | StoredType::Json) => "TEXT",
            (Dialect::Postgres, StoredType::Integer) => "bigint",
            (Dialect::Postgres, StoredType::Boolean) => "boolean",
            (Dialect::Postgres, StoredType::Double) => "double precision",
            (Dialect::Postgres, StoredType::Text) => "text COLLATE \"C\"",
            (Dialect::Postgres, StoredType::Json) => "jsonb",
        }
    }

    /// The dialect's name, as `--dialect` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// What a column stores, for `CREATE TABLE` and for binding loaded values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoredType {
    /// Integers (`Edm.Int64` and narrower, ordinals).
    Integer,
    /// Doubles (`Edm.Double`, `Edm.Single`, `Edm.Decimal`).
    Double,
    /// Booleans (`Edm.Boolean`, presence flags).
    Boolean,
    /// Text (strings, temporal texts, GUIDs, enum members, instants).
    Text,
    /// A JSON document (JSON-mapped properties, the list of absent members).
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_quotes_doubled() {
        assert_eq!(quote_identifier("files"), "\"files\"");
        assert_eq!(quote_identifier("a\"; DROP"), "\"a\"\"; DROP\"");
    }

    #[test]
    fn parameters_carry_their_type_on_postgres() {
        assert_eq!(Dialect::Sqlite.param(3, ParamType::Integer), "?3");
        assert_eq!(Dialect::Postgres.param(3, ParamType::Integer), "$3::bigint");
        assert_eq!(Dialect::Postgres.param(1, ParamType::Text), "$1::text");
    }

    #[test]
    fn limits() {
        assert_eq!(
            Dialect::Sqlite.limit_offset(None, Some("?1")),
            " LIMIT -1 OFFSET ?1"
        );
        assert_eq!(
            Dialect::Postgres.limit_offset(None, Some("$1")),
            " OFFSET $1"
        );
    }
}
