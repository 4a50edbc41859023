//! The checks behind every fuzz target. Shared by the targets (`fuzz_targets/*.rs`) and by
//! the regression replay in the main crate (`tests/fuzz_replay.rs`), so a normal
//! `cargo test` guards every finding.

use odata_query::{parse_rule, ParseOptions, Rule};

/// Both parsing modes.
fn modes() -> [ParseOptions; 2] {
    [ParseOptions::default(), ParseOptions::strict()]
}

/// True for text that may stand in a URL's query as it is (RFC 3986 `query`).
fn is_url_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b))
}

/// Parses `text` with `rule` in both modes; on success, the canonical text must parse back
/// to an equal AST and print the same text again, and the URL form must be URL text that
/// parses back to an equal AST.
pub fn check_rule(rule: Rule, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for options in modes() {
        let Ok(parsed) = parse_rule(rule, text, &options) else {
            continue;
        };
        let printed = parsed.to_string();
        match parse_rule(rule, &printed, &options) {
            Ok(again) => {
                assert_eq!(
                    again, parsed,
                    "round trip changed the AST; canonical text {printed:?} of {text:?}"
                );
                assert_eq!(again.to_string(), printed, "canonical text is not stable");
            }
            Err(error) => panic!("canonical text {printed:?} of {text:?} does not parse:\n{error}"),
        }
        let url = parsed.url().to_string();
        assert!(
            is_url_text(&url),
            "URL form {url:?} of {text:?} is not URL text"
        );
        match parse_rule(rule, &url, &options) {
            Ok(again) => assert_eq!(
                again, parsed,
                "the URL form {url:?} of {text:?} parses to another AST"
            ),
            Err(error) => panic!("URL form {url:?} of {text:?} does not parse:\n{error}"),
        }
    }
}

/// Target `parse_query`: the whole query string.
pub fn check_query(data: &[u8]) {
    check_rule(Rule::Query, data);
}

/// Target `parse_filter`: a `$filter` value.
pub fn check_filter(data: &[u8]) {
    check_rule(Rule::Filter, data);
}

/// Target `parse_eval`: `QUERY \0 JSON`. Parses the query, compiles it and applies it to
/// the document on both the `Value` path and the streaming path; they must agree (same
/// response after normalisation, or both an error). Documents that serde_json rejects are
/// still run through the streaming path, which must not panic.
pub fn check_eval(data: &[u8]) {
    use odata_query::eval::EvalOptions;
    use odata_query::stream::StreamPlan;
    use odata_query::Query;

    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(query_text) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let document = data.get(split + 1..).unwrap_or_default();
    let Ok(query) = Query::parse(query_text) else {
        return;
    };
    let mut options = EvalOptions::default();
    options.limits.max_eval_steps = 100_000;
    let Ok(stream) = StreamPlan::new(&query, &options) else {
        return;
    };
    let mut out = Vec::new();
    let streamed = stream.with_read_size(7).apply_bytes(document, &mut out);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(document) else {
        return;
    };
    let stream = StreamPlan::new(&query, &options).expect("compiled once already");
    let expected = stream.plan().apply(&value);
    match (expected, streamed) {
        (Ok(expected), Ok(_)) => {
            let got: serde_json::Value =
                serde_json::from_slice(&out).expect("the streaming response is JSON");
            assert_eq!(got, expected, "paths disagree for {query_text:?}");
        }
        (Err(_), Err(_)) => {}
        (Ok(expected), Err(e)) => panic!(
            "only the streaming path failed for {query_text:?}: {e} (value path: {expected})"
        ),
        (Err(e), Ok(_)) => panic!("only the value path failed for {query_text:?}: {e}"),
    }
}

/// Target `csdl`: the bytes as a CSDL JSON document and (feature `csdl`) as a CSDL XML
/// document. Readers never panic; a model that was read is written in the same format,
/// and reading that back gives an equal model whose text is stable.
pub fn check_csdl(data: &[u8]) {
    use odata_query::model::{Model, ReadOptions};

    let options = ReadOptions::default();
    if let Ok(model) = Model::from_csdl_json_bytes(data, &options) {
        let written = model.to_csdl_json();
        let again = Model::from_csdl_json(&written)
            .unwrap_or_else(|e| panic!("written CSDL JSON does not read: {e}\n{written}"));
        assert_eq!(
            again, model,
            "CSDL JSON round trip changed the model\n{written}"
        );
        assert_eq!(
            again.to_csdl_json(),
            written,
            "CSDL JSON text is not stable"
        );
        #[cfg(feature = "csdl")]
        {
            // Across formats only the absence of panics is checked: deep JSON values nest
            // deeper in XML, and typed constants become strings in JSON.
            let _ = Model::from_csdl_xml(&model.to_csdl_xml());
        }
    }
    #[cfg(feature = "csdl")]
    if let Ok(model) = Model::from_csdl_xml_bytes(data, &options) {
        let written = model.to_csdl_xml();
        let again = Model::from_csdl_xml(&written)
            .unwrap_or_else(|e| panic!("written CSDL XML does not read: {e}\n{written}"));
        assert_eq!(
            again, model,
            "CSDL XML round trip changed the model\n{written}"
        );
        assert_eq!(again.to_csdl_xml(), written, "CSDL XML text is not stable");
        let _ = Model::from_csdl_json(&model.to_csdl_json());
    }
}

/// Target `parse_check`: the bytes as a query string checked against two models (a
/// TripPin-like CSDL JSON document, with its policy, and the model inferred from the
/// embedded sample), at entity sets, singletons and paths. Checking never panics; an error
/// is located within the raw query; a query the model accepts is then evaluated with that
/// model's types over the sample (an answer or an error, never a panic).
pub fn check_model(data: &[u8]) {
    use odata_query::eval::EvalOptions;
    use odata_query::model::Model;
    use odata_query::Query;
    use std::sync::{Arc, OnceLock};

    struct Models {
        trippin: Arc<Model>,
        sessions: Arc<Model>,
        sample: serde_json::Value,
    }
    static MODELS: OnceLock<Models> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        let sample: serde_json::Value =
            serde_json::from_str(include_str!("../src/sample/upload-sessions.json"))
                .expect("the sample is JSON");
        Models {
            trippin: Arc::new(
                Model::from_csdl_json(include_str!("../tests/cases/model/trippin-json.csdl.json"))
                    .expect("the TripPin document reads"),
            ),
            sessions: Arc::new(Model::infer(&sample, "uploadSessions").expect("inferred")),
            sample,
        }
    });
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(query) = Query::parse(raw) else {
        return;
    };
    let targets: [(&Arc<Model>, &str); 6] = [
        (&models.trippin, "People"),
        (&models.trippin, "Airports"),
        (&models.trippin, "Me"),
        (&models.trippin, "People('russellwhyte')/Trips"),
        (&models.trippin, "People/Trippin.Employee"),
        (&models.sessions, "uploadSessions"),
    ];
    for (model, resource) in targets {
        match query.check(model, resource) {
            Err(error) => {
                let located = error.locate(raw);
                if let Some(offset) = located.offset {
                    assert!(
                        offset <= raw.len(),
                        "offset {offset} past the end of {raw:?}"
                    );
                }
                let _ = located.to_string();
            }
            Ok(()) if resource == "uploadSessions" => {
                let mut options = EvalOptions::default().with_model(Arc::clone(model), resource);
                options.limits.max_eval_steps = 100_000;
                if let Ok(plan) = query.compile(&options) {
                    let _ = plan.apply(&models.sample);
                }
            }
            Ok(()) => {}
        }
    }
}

/// Target `sql_literals` (feature `sql`): the bytes (read as UTF-8, lossily) are one
/// string, embedded as a literal in every position a literal can take in a query over the
/// upload-sessions model (examples/upload-sessions.csdl.xml). Translated for SQLite and
/// PostgreSQL, the SQL text of every statement must be the same as for a stand-in literal
/// (`x`, or the empty string for an empty input), so nothing of the literal reaches the
/// text, and a parameter must carry the literal. The one literal a dialect may refuse is
/// one with a NUL character on PostgreSQL (a 501).
#[cfg(feature = "sql")]
pub fn check_sql_literals(data: &[u8]) {
    use odata_query::sql::{Dialect, SqlError, SqlValue};
    use odata_query::Query;

    let text = String::from_utf8_lossy(data);
    if text.chars().count() > 200 {
        return;
    }
    let stand_in = if text.is_empty() { "" } else { "x" };
    let mapping = sql_mapping();
    for (template, carried) in sql_literal_positions() {
        let build = |literal: &str| {
            let query = template
                .replace("{L}", &odata_literal(literal))
                .replace("{P}", &odata_literal(&escape_pattern(literal)));
            let query = query.replace("{S}", &percent_encode(&search_phrase(literal)));
            Query::parse(&query).unwrap_or_else(|e| panic!("{query:?} does not parse: {e}"))
        };
        let hostile = build(&text);
        let plain = build(stand_in);
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let expected = plain
                .to_sql(mapping, dialect)
                .unwrap_or_else(|e| panic!("{template} with {stand_in:?} on {dialect:?}: {e}"));
            let actual = match hostile.to_sql(mapping, dialect) {
                Ok(sql) => sql,
                Err(SqlError::NotSupported(_))
                    if dialect == Dialect::Postgres && text.contains('\0') =>
                {
                    continue
                }
                Err(e) => panic!("{template} with {text:?} on {dialect:?}: {e}"),
            };
            let statements = |sql: &odata_query::sql::SqlQuery| {
                let mut all = vec![sql.sql.clone()];
                all.extend(sql.count.iter().map(|c| c.sql.clone()));
                all.extend(sql.check.iter().map(|c| c.sql.clone()));
                all
            };
            assert_eq!(
                statements(&actual),
                statements(&expected),
                "{template} with {text:?} on {dialect:?}: the SQL text depends on the literal"
            );
            let wanted = carried(&text);
            assert!(
                actual
                    .params
                    .iter()
                    .any(|p| matches!(p, SqlValue::Text(t) if t.contains(wanted.as_str()))),
                "{template} with {text:?} on {dialect:?}: no parameter carries {wanted:?}"
            );
        }
    }
}

/// The upload-sessions mapping, read once.
#[cfg(feature = "sql")]
fn sql_mapping() -> &'static odata_query::sql::Mapping {
    static MAPPING: std::sync::OnceLock<odata_query::sql::Mapping> = std::sync::OnceLock::new();
    MAPPING.get_or_init(|| {
        let model = odata_query::model::Model::from_csdl_xml(include_str!(
            "../examples/upload-sessions.csdl.xml"
        ))
        .expect("the example model reads");
        odata_query::sql::Mapping::from_model(&model).expect("the example model maps")
    })
}

/// The text a parameter must carry for a given literal.
#[cfg(feature = "sql")]
type Carried = fn(&str) -> String;

/// Query templates with a literal at `{L}` (a string literal), `{P}` (a pattern that
/// matches the literal text) or `{S}` (a `$search` phrase), each with the text a parameter
/// must then carry.
#[cfg(feature = "sql")]
fn sql_literal_positions() -> Vec<(&'static str, Carried)> {
    fn same(text: &str) -> String {
        text.to_owned()
    }
    fn searched(text: &str) -> String {
        search_phrase(text).to_lowercase()
    }
    vec![
        ("$filter=source eq {L}", same),
        ("$filter=source gt {L} or source le {L}", same),
        ("$filter=contains(source,{L})", same),
        (
            "$filter=startswith(source,{L}) or endswith(source,{L})",
            same,
        ),
        ("$filter=not (source in ({L},'x'))&$count=true", same),
        ("$compute=concat(source,{L}) as c&$select=c", same),
        (
            "$filter=indexof(source,{L}) ge 0 and length({L}) gt 0",
            same,
        ),
        ("$filter=source eq @p&@p={L}", same),
        ("$filter=matchesPattern(source,{P})", same),
        (
            "$filter=files/any(f: f/name eq {L})&$expand=files($filter=name ne {L})",
            same,
        ),
        (
            "$apply=filter(source ne {L})/groupby((source),aggregate($count as n))",
            same,
        ),
        (
            "$filter=tolower(source) eq tolower({L})&$orderby=source",
            same,
        ),
        ("$orderby=concat({L},source) desc&$top=3", same),
        ("$search=\"{S}\"", searched),
    ]
}

/// `text` as an OData string literal in a query string: quotes doubled, every byte but
/// ASCII letters and digits percent-encoded.
#[cfg(feature = "sql")]
fn odata_literal(text: &str) -> String {
    format!("'{}'", percent_encode(&text.replace('\'', "''")))
}

#[cfg(feature = "sql")]
fn percent_encode(text: &str) -> String {
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

/// `text` with ECMAScript syntax characters escaped, so the pattern matches it exactly.
#[cfg(feature = "sql")]
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

/// `text` as the words of a `$search` phrase: without `"` and `\` (the phrase's own
/// syntax), `x` when nothing is left.
#[cfg(feature = "sql")]
fn search_phrase(text: &str) -> String {
    let phrase: String = text.chars().filter(|c| !matches!(c, '"' | '\\')).collect();
    if phrase.trim().is_empty() {
        "x".to_owned()
    } else {
        phrase
    }
}
