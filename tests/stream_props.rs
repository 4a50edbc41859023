//! Property test: the streaming path (`StreamPlan::apply_bytes`) gives the same response as
//! the `Value` path (`Plan::apply`), after JSON normalisation, for generated data and queries.

use odata_query::eval::EvalOptions;
use odata_query::sample::upload_session_records;
use odata_query::stream::StreamPlan;
use odata_query::Query;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Queries covering every option the streaming path handles itself, and some it hands to
/// the `Value` path.
const QUERIES: &[&str] = &[
    "$top=3",
    "$filter=stats/totalBytesUploaded gt 1000000&$count=true&$top=0",
    "$filter=status eq 'complete' and isUploadDone eq true&$count=true",
    "$filter=files/any(f: f/size gt 10000000)",
    "$filter=startswith(source,'Azure') or contains(source,'Sap')&$count=true&$top=2&$skip=1",
    "$filter=createdDateTime ge 2025-01-01T00:00:00Z and createdDateTime lt 2025-07-01T00:00:00+02:00",
    "$filter=(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')",
    "$filter=status eq 'failed'",
    "$filter=status eq null or source eq null",
    "$filter=files/$count gt 2&$orderby=files/$count desc,id",
    "$orderby=createdDateTime desc&$top=5&$skip=2&$count=true",
    "$orderby=status,stats/totalBytesUploaded desc",
    "$orderby=source&$top=1",
    "$filter=stats/totalBytesUploaded gt 1000000&$orderby=createdDateTime desc&$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z;$orderby=size desc;$top=3)&$top=10&$skip=5&$count=true",
    "$select=id,status&$top=4",
    "$select=id,stats/filesUploaded&$filter=isUploadDone eq false",
    "$expand=files($select=name;$count=true)&$top=2",
    "$compute=stats/filesUploaded mul 2 as twice&$filter=twice gt 4&$select=id,twice",
    "$search=users&$count=true",
    "$search=Workday OR Okta&$top=3",
    "$apply=groupby((status),aggregate($count as n))",
    "$filter=@s eq source&@s='Okta'",
    "$skip=100",
    "$top=0",
];

fn normalise(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("the response is JSON")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn streaming_equals_value_path(
        n in 0usize..60,
        seed in any::<u64>(),
        query_index in 0..QUERIES.len(),
        wrapped in any::<bool>(),
        page_size in prop::option::of(1usize..5),
        read_size in prop_oneof![Just(1usize << 20), 1usize..300],
    ) {
        let records = upload_session_records(n, seed);
        let document = if wrapped {
            json!({"@odata.context": "ctx", "value": records})
        } else {
            Value::Array(records)
        };
        let query = Query::parse(QUERIES[query_index]).expect("query parses");
        let mut options = EvalOptions::default();
        options.max_page_size = page_size;
        let stream = StreamPlan::new(&query, &options).expect("compiles").with_read_size(read_size);
        let expected = stream.plan().apply(&document).expect("value path");
        let text = if seed % 2 == 0 {
            serde_json::to_vec(&document).unwrap()
        } else {
            serde_json::to_vec_pretty(&document).unwrap()
        };
        let mut out = Vec::new();
        stream.apply_bytes(&text, &mut out).expect("streaming path");
        prop_assert_eq!(normalise(&out), expected, "query {}", QUERIES[query_index]);
    }
}

#[test]
fn malformed_documents_are_errors_on_both_paths() {
    let query = Query::parse("$filter=a eq 1&$count=true").unwrap();
    let stream = StreamPlan::new(&query, &EvalOptions::default()).unwrap();
    for text in [
        "[{\"a\":1},]",
        "[{\"a\":1}",
        "[{\"a\":1}] x",
        "{\"value\":[1],\"b\":}",
        "{\"value\":[{\"a\":\"\\q\"}]}",
        "[{\"a\":tru}]",
        "",
    ] {
        let mut out = Vec::new();
        assert!(
            stream.apply_bytes(text.as_bytes(), &mut out).is_err(),
            "{text:?} was accepted"
        );
    }
}

#[test]
fn single_entities_use_the_value_path() {
    let query = Query::parse("$select=id").unwrap();
    let stream = StreamPlan::new(&query, &EvalOptions::default()).unwrap();
    let mut out = Vec::new();
    stream
        .apply_bytes(br#"{"id":1,"name":"x"}"#, &mut out)
        .unwrap();
    assert_eq!(normalise(&out), json!({"id": 1}));
}

/// Enough matching records to cut the kept set back to the window several times.
#[test]
fn ordered_windows_over_many_records() {
    let records = upload_session_records(40_000, 99);
    let document = json!({"value": records});
    let text = serde_json::to_vec(&document).unwrap();
    for raw in [
        "$orderby=createdDateTime desc&$top=7&$skip=3&$count=true",
        "$orderby=status,source desc&$top=50",
        "$filter=isUploadDone eq true&$orderby=stats/filesUploaded&$top=20",
        "$orderby=stats/filesUploaded desc&$skip=39990",
    ] {
        let query = Query::parse(raw).unwrap();
        let stream = StreamPlan::new(&query, &EvalOptions::default()).unwrap();
        let expected = stream.plan().apply(&document).unwrap();
        let mut out = Vec::new();
        stream.apply_bytes(&text, &mut out).unwrap();
        assert_eq!(normalise(&out), expected, "{raw}");
    }
}
