//! The points where SQLite and PostgreSQL differ, one small method each, and the one
//! function that quotes identifiers.
//!
//! Everything else the translation writes is SQL both databases read the same way
//! (`CASE`, `COALESCE`, `EXISTS`, `substr`, `length`, `||`, `NULLS FIRST`).

/// A comment in the SQL of an expression that can fail the statement (integer `div` or
/// `mod` by zero): where the evaluator computes a value and then discards it (`x div 0
/// add null`), the translation still evaluates it, so the error is not lost.
pub(crate) const MAY_FAIL: &str = "/*may fail*/";

/// Keeps the evaluation of `dropped` (which may fail) in front of `result`.
pub(crate) fn keep_failures(result: String, dropped: &[&str]) -> String {
    let mut out = result;
    for sql in dropped {
        if sql.contains(MAY_FAIL) {
            out = format!("(CASE WHEN ({sql}) IS NULL THEN {out} ELSE {out} END)");
        }
    }
    out
}

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

/// The most name/value pairs one `json_build_object` call takes (PostgreSQL functions take
/// at most 100 arguments).
const POSTGRES_MAX_PAIRS: usize = 50;

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

    /// Unicode lower-casing, as Rust's `to_lowercase` (the evaluator's): SQLite's `lower` is
    /// ASCII-only, so the SQLite executor registers `odq_lower`
    /// ([`sqlite::register_functions`](super::sqlite::register_functions)); PostgreSQL's
    /// follows the collation, so the ICU root collation is named (full case mapping).
    pub fn lower(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("odq_lower({expr})"),
            // The result back in "C", which the translation compares and sorts in.
            Dialect::Postgres => format!("(lower(({expr}) COLLATE \"und-x-icu\") COLLATE \"C\")"),
        }
    }

    /// Unicode upper-casing (`straße` is `STRASSE`), as [`Dialect::lower`].
    pub fn upper(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("odq_upper({expr})"),
            Dialect::Postgres => format!("(upper(({expr}) COLLATE \"und-x-icu\") COLLATE \"C\")"),
        }
    }

    /// `trim` of the characters in the text `characters` (a bound parameter): SQLite
    /// `trim(x, y)`, PostgreSQL `btrim(x, y)`.
    pub(crate) fn trim(self, expr: &str, characters: &str) -> String {
        match self {
            Dialect::Sqlite => format!("trim({expr}, {characters})"),
            Dialect::Postgres => format!("btrim({expr}, {characters})"),
        }
    }

    /// A JSON object from `(quoted name literal, JSON-ready value)` pairs: SQLite
    /// `json_object(...)`, PostgreSQL `json_build_object(...)`. A PostgreSQL function
    /// takes at most 100 arguments, so a wider object is aggregated from its members in
    /// order: `(SELECT json_object_agg(k, v ORDER BY i) FROM (VALUES (1, 'id', to_json(..)),
    /// ...) AS kv(i, k, v))`.
    pub fn json_object(self, pairs: &[(String, String)]) -> String {
        if self == Dialect::Postgres && pairs.len() > POSTGRES_MAX_PAIRS {
            let rows: Vec<String> = pairs
                .iter()
                .enumerate()
                .map(|(i, (name, value))| format!("({}, {name}::text, to_json({value}))", i + 1))
                .collect();
            return format!(
                "(SELECT json_object_agg(kv.k, kv.v ORDER BY kv.i) FROM (VALUES {}) AS kv(i, k, v))",
                rows.join(", ")
            );
        }
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
    /// when there are none: SQLite `json_group_array(json(v) ORDER BY ...)` (no `json()`
    /// around a `json_object(...)`), PostgreSQL `coalesce(json_agg(v ORDER BY ...), '[]')`.
    pub fn json_array_agg(self, value: &str, order: &str) -> String {
        match self {
            // A built object keeps its JSON subtype; a subquery's column needs json().
            Dialect::Sqlite if value.starts_with("json_object(") => {
                format!("json_group_array({value} ORDER BY {order})")
            }
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

    /// A number as a JSON value that keeps every digit: SQLite writes a REAL with 15
    /// significant digits, so it is printed with 17 (which read back as the same double);
    /// infinities are the evaluator's `"INF"`/`"-INF"` (PostgreSQL's NaN its `"NaN"`).
    pub(crate) fn json_number(self, expr: &str, kind: super::operand::Kind) -> String {
        match (self, kind) {
            (Dialect::Sqlite, _) => format!(
                "CASE WHEN typeof({expr}) = 'real' THEN (CASE WHEN {expr} > 1.7976931348623157e308 \
                 THEN 'INF' WHEN {expr} < -1.7976931348623157e308 THEN '-INF' \
                 ELSE json(printf('%!.17g', {expr})) END) ELSE {expr} END"
            ),
            (Dialect::Postgres, super::operand::Kind::Double) => format!(
                "CASE WHEN {expr} = 'Infinity'::float8 THEN to_json('INF'::text) \
                 WHEN {expr} = '-Infinity'::float8 THEN to_json('-INF'::text) \
                 WHEN {expr} = 'NaN'::float8 THEN to_json('NaN'::text) ELSE to_json({expr}) END"
            ),
            (Dialect::Postgres, _) => expr.to_owned(),
        }
    }

    /// Whether the JSON array in `column` (a stored absent-members list) holds the text
    /// `name` (a mapping name: no quotes or backslashes); false for null.
    pub(crate) fn json_has(self, column: &str, name: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "COALESCE(instr({column}, {}) > 0, FALSE)",
                super::select::string_literal(&format!("\"{name}\""))
            ),
            Dialect::Postgres => format!(
                "COALESCE({column} ? {}, FALSE)",
                super::select::string_literal(name)
            ),
        }
    }

    /// Whether a JSON column holds what `$expand=*` expands: an object, or a non-empty
    /// array of objects; false for null.
    pub(crate) fn json_navigable(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "COALESCE(json_type({column}) = 'object' OR (json_type({column}) = 'array' \
                 AND json_array_length({column}) > 0 AND NOT EXISTS (SELECT 1 FROM \
                 json_each({column}) WHERE type <> 'object')), FALSE)"
            ),
            Dialect::Postgres => format!(
                "CASE jsonb_typeof({column}) WHEN 'object' THEN TRUE WHEN 'array' THEN \
                 (jsonb_array_length({column}) > 0 AND NOT EXISTS (SELECT 1 FROM \
                 jsonb_array_elements({column}) AS e(v) WHERE jsonb_typeof(e.v) <> 'object')) \
                 ELSE FALSE END"
            ),
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

    /// `round` of a double, half away from zero (PostgreSQL's own rounds doubles half to
    /// even; SQLite's adds 0.5 first, which rounds 0.49999999999999994 up).
    pub fn round(self, expr: &str) -> String {
        let truncated = self.trunc_double(expr);
        let sign = match self {
            Dialect::Sqlite => format!("(CASE WHEN {expr} > 0 THEN 1.0 ELSE -1.0 END)"),
            Dialect::Postgres => format!("sign({expr})"),
        };
        // `x - trunc(x)` is exact, so the half is decided on the double itself.
        format!(
            "({truncated} + CASE WHEN abs({expr} - {truncated}) >= 0.5 THEN {sign} ELSE 0.0 END)"
        )
    }

    /// `ceiling` of a double (SQLite has no math functions built in).
    pub fn ceiling(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => {
                let t = self.trunc_double(expr);
                format!("({t} + CASE WHEN {expr} > {t} THEN 1.0 ELSE 0.0 END)")
            }
            Dialect::Postgres => format!("ceiling({expr})"),
        }
    }

    /// `floor` of a double.
    pub(crate) fn floor(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => {
                let t = self.trunc_double(expr);
                format!("({t} - CASE WHEN {expr} < {t} THEN 1.0 ELSE 0.0 END)")
            }
            Dialect::Postgres => format!("floor({expr})"),
        }
    }

    /// A double truncated toward zero, still a double (from 2^52 on, doubles are whole).
    fn trunc_double(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "(CASE WHEN abs({expr}) >= 4503599627370496.0 THEN {expr} \
                 ELSE CAST(CAST({expr} AS INTEGER) AS REAL) END)"
            ),
            Dialect::Postgres => format!("trunc({expr})"),
        }
    }

    /// An integer operand of arithmetic, exact past 64 bits: PostgreSQL `numeric` (its
    /// `bigint` arithmetic fails on overflow; the evaluator promotes); SQLite as it is.
    pub(crate) fn exact_integer(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => expr.to_owned(),
            Dialect::Postgres => format!("CAST({expr} AS numeric)"),
        }
    }

    /// Integer `div`: truncated toward zero; a zero divisor fails the statement, as the
    /// evaluator fails the request (PostgreSQL's own error; on SQLite `abs` of the least
    /// integer, the one error its arithmetic can raise, which the executor reports as a
    /// division by zero).
    pub(crate) fn integer_div(self, left: &str, right: &str) -> String {
        match self {
            Dialect::Sqlite => format!("({left} / {}{MAY_FAIL})", self.nonzero(right)),
            Dialect::Postgres => format!("div({left}, {right}{MAY_FAIL})"),
        }
    }

    /// Integer `mod`: the sign of the dividend; a zero divisor fails as for `div`.
    pub(crate) fn integer_mod(self, left: &str, right: &str) -> String {
        match self {
            Dialect::Sqlite => format!("({left} % {}{MAY_FAIL})", self.nonzero(right)),
            Dialect::Postgres => format!("mod({left}, {right}{MAY_FAIL})"),
        }
    }

    /// An expression that fails the statement when evaluated (it depends on `column`, so
    /// no database folds it ahead of time): SQLite's `abs` of the least integer,
    /// PostgreSQL's division by zero; the executors report both as the evaluator's error.
    pub(crate) fn failure(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("abs(-9223372036854775807 - 1 + 0 * ({column})){MAY_FAIL}"),
            Dialect::Postgres => format!("(1 / (0 * ({column})){MAY_FAIL})"),
        }
    }

    /// SQLite: `divisor`, or an error when it is zero.
    fn nonzero(self, divisor: &str) -> String {
        format!(
            "CASE WHEN {divisor} = 0 THEN abs(-9223372036854775807 - 1 + 0 * {divisor}) \
             ELSE {divisor} END"
        )
    }

    /// Division of doubles: a zero divisor gives INF, -INF or NaN (SQLite has no NaN:
    /// `0 div 0` is null there, a documented divergence).
    pub(crate) fn double_div(self, left: &str, right: &str) -> String {
        let l = self.to_double(left);
        match self {
            Dialect::Sqlite => format!(
                "CASE WHEN {right} = 0 THEN (CASE WHEN {l} > 0 THEN 9e999 WHEN {l} < 0 \
                 THEN -9e999 END) ELSE {l} / {right} END"
            ),
            Dialect::Postgres => format!(
                "CASE WHEN {right} = 0 THEN (CASE WHEN {l} > 0 THEN 'Infinity'::float8 \
                 WHEN {l} < 0 THEN '-Infinity'::float8 WHEN {l} = 0 THEN 'NaN'::float8 END) \
                 ELSE {l} / {right} END"
            ),
        }
    }

    /// A string position or length from a 64-bit integer, clamped to
    /// `[-2147483647, 2147483646]` on PostgreSQL (no string is that long, so no answer
    /// changes, and `+ 1` cannot overflow).
    pub(crate) fn clamp_position(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => expr.to_owned(),
            // Not LEAST/GREATEST, which skip nulls.
            Dialect::Postgres => format!(
                "CASE WHEN {expr} < -2147483647 THEN -2147483647 WHEN {expr} > 2147483646 \
                 THEN 2147483646 ELSE {expr} END"
            ),
        }
    }

    /// A clamped position as the `integer` PostgreSQL's `substr` takes.
    pub(crate) fn position_argument(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => expr.to_owned(),
            Dialect::Postgres => format!("CAST({expr} AS integer)"),
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
