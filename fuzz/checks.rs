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
