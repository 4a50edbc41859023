//! The text response of the SQL executors (`sql::response_text`, which copies rows and
//! cuts inert bookkeeping members out of the text) parses to the value response
//! (`sql::response`, which parses every row), for rows of any shape: bookkeeping members
//! anywhere, with inert and active values, compact or spaced printing, escapes.

use odata_query::sql::{
    response, response_text, ABSENT_MEMBER, DROP_MEMBER, KEEP_MEMBER, ONLY_MEMBER,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "a",
            "x\"y",
            "back\\slash",
            "@odq.absent",
            "\u{e9}",
            "\n"
        ])
        .prop_map(Value::from),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "s",
        "x\"y",
        "@odq.other",
        ABSENT_MEMBER,
        DROP_MEMBER,
        ONLY_MEMBER,
        KEEP_MEMBER,
    ])
    .prop_map(str::to_owned)
}

fn marker_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(serde_json::json!([])),
        Just(serde_json::json!([null, null])),
        Just(serde_json::json!(["a"])),
        Just(serde_json::json!(["s/a", null])),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((name(), inner, marker_value(), any::<bool>()), 0..5).prop_map(
                |members| {
                    let mut map = Map::new();
                    for (name, value, marker, use_marker) in members {
                        let is_marker = name.starts_with("@odq.") && name != "@odq.other";
                        map.insert(
                            name,
                            if is_marker && use_marker {
                                marker
                            } else {
                                value
                            },
                        );
                    }
                    Value::Object(map)
                }
            ),
        ]
    })
}

fn rows() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec((value(), any::<bool>()), 0..4).prop_map(|rows| {
        rows.into_iter()
            .map(|(row, pretty)| {
                if pretty {
                    serde_json::to_string_pretty(&row).unwrap()
                } else {
                    row.to_string()
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn text_response_parses_to_the_value_response(rows in rows(), count in proptest::option::of(0i64..10)) {
        let value = response(rows.clone(), count, Some("ctx"));
        let text = response_text(rows, count, Some("ctx"), None);
        match (value, text) {
            (Ok(value), Ok(text)) => {
                let reparsed: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(reparsed, value);
            }
            (Err(_), Err(_)) => {}
            (value, text) => prop_assert!(false, "value {:?} but text {:?}", value, text),
        }
    }
}
