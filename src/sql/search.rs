//! `$search` in SQL: the Boolean structure (`AND`, `OR`, `NOT`) is translated here; what
//! one term matches is up to an [`SqlSearch`] matcher.
//!
//! The default, [`DefaultSqlSearch`], is the evaluator's rule: a term matches when some
//! string value of the item (at any depth, annotations excluded) contains it,
//! case-insensitively. The item's string values are its text columns (strings, GUIDs,
//! dates, the texts of DateTimeOffsets), the string members of its JSON columns, and those
//! of its contained collections (child tables), which the evaluator sees inline.

use std::fmt;

use crate::ast::Search;

use super::dialect::{quote_identifier, Dialect};
use super::error::SqlError;
use super::mapping::{Storage, Table};
use super::operand::Kind;
use super::translate::{kind_of, Scope, Translator};
use super::writer::SqlValue;

/// Where an item's string values are, for a search matcher.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchText {
    /// A text column (`t0."name"`).
    Column(String),
    /// A JSON column: its string members, at any depth, annotations excluded.
    Json(String),
    /// A child table: `from` is `"table" AS alias WHERE <join>`, `texts` its own texts.
    Child {
        /// `"table" AS t1 WHERE t1."_parent_id" = t0."id"`.
        from: String,
        /// The child's string values.
        texts: Vec<SearchText>,
    },
}

/// Writes the SQL for one search term or phrase. Plug your own into
/// [`SqlOptions::search`](super::SqlOptions::search) (full-text index, chosen columns).
pub trait SqlSearch: fmt::Debug + Send + Sync {
    /// A SQL predicate, never null, true when the item whose string values are `texts`
    /// matches `term` (`phrase` for `"quoted phrases"`). `bind` binds a value and returns
    /// its placeholder: every value from the request must go through it.
    fn term(
        &self,
        dialect: Dialect,
        texts: &[SearchText],
        term: &str,
        phrase: bool,
        bind: &mut dyn FnMut(SqlValue) -> String,
    ) -> Result<String, SqlError>;
}

/// The evaluator's matcher: case-insensitive substring of any string value. Lower-casing
/// is Unicode in the request and the database's `lower()` on the data: ASCII-only in
/// SQLite, the database's `LC_CTYPE` in PostgreSQL (a documented divergence).
#[derive(Debug, Clone, Default)]
pub struct DefaultSqlSearch;

impl SqlSearch for DefaultSqlSearch {
    fn term(
        &self,
        dialect: Dialect,
        texts: &[SearchText],
        term: &str,
        _phrase: bool,
        bind: &mut dyn FnMut(SqlValue) -> String,
    ) -> Result<String, SqlError> {
        let needle = bind(SqlValue::Text(term.to_lowercase()));
        Ok(any_text(dialect, texts, &needle))
    }
}

fn any_text(dialect: Dialect, texts: &[SearchText], needle: &str) -> String {
    let mut alternatives = Vec::with_capacity(texts.len());
    for text in texts {
        alternatives.push(match text {
            SearchText::Column(column) => format!(
                "COALESCE({} > 0, FALSE)",
                dialect.position(&format!("lower({column})"), needle)
            ),
            SearchText::Json(column) => json_strings(dialect, column, needle),
            SearchText::Child { from, texts } => {
                format!(
                    "EXISTS (SELECT 1 FROM {from} AND ({}))",
                    any_text(dialect, texts, needle)
                )
            }
        });
    }
    if alternatives.is_empty() {
        "FALSE".into()
    } else {
        format!("({})", alternatives.join(" OR "))
    }
}

/// The string members of a JSON column, at any depth, outside `@` members.
fn json_strings(dialect: Dialect, column: &str, needle: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "EXISTS (SELECT 1 FROM json_tree({column}) AS j WHERE j.type = 'text' \
             AND instr(j.fullkey, '@') = 0 AND instr(lower(j.value), {needle}) > 0)"
        ),
        // Members of objects (outside `@` members), strings directly in arrays, and a
        // string that is the whole value; strings nested under an `@` member are searched
        // too (a documented divergence).
        Dialect::Postgres => format!(
            "(EXISTS (SELECT 1 FROM jsonb_path_query({column}, \
             'strict $.** ? (@.type() == \"object\").keyvalue()') AS j(kv) \
             WHERE strpos(j.kv->>'key', '@') = 0 AND jsonb_typeof(j.kv->'value') = 'string' \
             AND strpos(lower(j.kv->>'value'), {needle}) > 0) \
             OR EXISTS (SELECT 1 FROM jsonb_path_query({column}, \
             'strict $.** ? (@.type() == \"array\")[*] ? (@.type() == \"string\")') AS j(v) \
             WHERE strpos(lower(j.v #>> '{{}}'), {needle}) > 0) \
             OR COALESCE(jsonb_typeof({column}) = 'string' \
             AND strpos(lower({column} #>> '{{}}'), {needle}) > 0, FALSE))"
        ),
    }
}

impl<'m> Translator<'m> {
    /// A `$search` expression over the item in `scope`: two-valued.
    pub(crate) fn search_predicate(
        &mut self,
        search: &Search,
        scope: &Scope<'m>,
    ) -> Result<String, SqlError> {
        let mut texts = Vec::new();
        self.search_texts(scope.table, scope, &mut texts, 0);
        self.search_expression(search, &texts)
    }

    fn search_expression(
        &mut self,
        search: &Search,
        texts: &[SearchText],
    ) -> Result<String, SqlError> {
        self.enter()?;
        let result = match search {
            Search::Term(term) | Search::Incomplete(term) => self.search_term(texts, term, false),
            Search::Phrase(phrase) => self.search_term(texts, phrase, true),
            Search::Not(inner) => Ok(format!("(NOT {})", self.search_expression(inner, texts)?)),
            Search::And(a, b) => Ok(format!(
                "({} AND {})",
                self.search_expression(a, texts)?,
                self.search_expression(b, texts)?
            )),
            Search::Or(a, b) => Ok(format!(
                "({} OR {})",
                self.search_expression(a, texts)?,
                self.search_expression(b, texts)?
            )),
        };
        self.leave();
        result
    }

    fn search_term(
        &mut self,
        texts: &[SearchText],
        term: &str,
        phrase: bool,
    ) -> Result<String, SqlError> {
        let dialect = self.dialect;
        let search = self.search;
        let params = &mut self.params;
        let mut bind = |value: SqlValue| params.push(value);
        search.term(dialect, texts, term, phrase, &mut bind)
    }

    fn search_texts(
        &mut self,
        table: &'m Table,
        scope: &Scope<'m>,
        out: &mut Vec<SearchText>,
        depth: usize,
    ) {
        fn storage_texts(storage: &Storage, scope: &Scope<'_>, out: &mut Vec<SearchText>) {
            match storage {
                Storage::Column { column, edm, .. } => {
                    if !matches!(kind_of(*edm), Kind::Boolean | Kind::Integer | Kind::Double) {
                        out.push(SearchText::Column(scope.column(column)));
                    }
                }
                Storage::DateTimeOffset { text, .. } => {
                    out.push(SearchText::Column(scope.column(text)))
                }
                Storage::Complex { properties, .. } => {
                    for property in properties {
                        storage_texts(&property.storage, scope, out);
                    }
                }
                Storage::Json { column } => out.push(SearchText::Json(scope.column(column))),
            }
        }
        for property in &table.properties {
            storage_texts(&property.storage, scope, out);
        }
        if depth >= 8 {
            return;
        }
        for navigation in &table.navigations {
            let child = self.scope(&navigation.table);
            let mut texts = Vec::new();
            self.search_texts(&navigation.table, &child, &mut texts, depth + 1);
            if texts.is_empty() {
                continue;
            }
            out.push(SearchText::Child {
                from: format!(
                    "{} AS {} WHERE {}",
                    quote_identifier(&navigation.table.table),
                    child.alias,
                    child.parent_join(scope)
                ),
                texts,
            });
        }
    }
}
