//! Property tests of the evaluator: `$filter` keeps an order-preserving subsequence,
//! `and` intersects, `not` complements never-null predicates, `$orderby` sorts a
//! permutation stably, `$top`/`$skip` give the right lengths, `@odata.count` ignores them.

use odata_query::ast::Query;
use odata_query::eval::{EvalOptions, Plan};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Items with ids 0..n in order and nullable fields of several types.
fn items() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        (
            prop::option::of(-5i64..5),
            prop::option::of(any::<bool>()),
            prop::option::of("[a-c]{0,2}"),
        ),
        0..12,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(id, (a, b, s))| {
                let mut item = json!({ "id": id });
                if let Some(a) = a {
                    item["a"] = json!(a);
                } else if id % 2 == 0 {
                    item["a"] = Value::Null;
                }
                if let Some(b) = b {
                    item["b"] = json!(b);
                }
                if let Some(s) = s {
                    item["s"] = json!(s);
                }
                item
            })
            .collect()
    })
}

/// Comparison predicates: never null (URL §5.1.1.1.1, §5.1.1.1.3).
fn comparison() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["eq", "ne", "gt", "ge", "lt", "le"]);
    prop_oneof![
        (op.clone(), -6i64..6).prop_map(|(op, n)| format!("a {op} {n}")),
        op.clone().prop_map(|op| format!("a {op} null")),
        (op.clone(), "[a-c]{0,2}").prop_map(|(op, s)| format!("s {op} '{s}'")),
        (op, -6i64..6).prop_map(|(op, n)| format!("a add 1 {op} {n}")),
        "[a-c]{1,2}".prop_map(|s| format!("contains(s,'{s}') eq true")),
        Just("b eq true".to_string()),
        Just("b ne false".to_string()),
    ]
}

/// Any predicate, possibly null-valued.
fn predicate() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        comparison(),
        Just("b".to_string()),
        Just("not b".to_string())
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l}) and ({r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l}) or ({r})")),
            inner.prop_map(|p| format!("not ({p})")),
        ]
    })
}

fn plan(query: &str) -> Plan {
    Query::parse(query)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .compile(&EvalOptions::default())
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn kept_ids(query: &str, input: &[Value]) -> Vec<u64> {
    plan(query)
        .select_refs(input)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|item| item["id"].as_u64().unwrap_or(u64::MAX))
        .collect()
}

proptest! {
    #[test]
    fn filter_keeps_an_ordered_subsequence(input in items(), p in predicate()) {
        let ids = kept_ids(&format!("$filter={p}"), &input);
        prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        prop_assert!(ids.iter().all(|id| (*id as usize) < input.len()));
    }

    #[test]
    fn and_keeps_what_both_keep(input in items(), p in predicate(), q in predicate()) {
        let left = kept_ids(&format!("$filter={p}"), &input);
        let right = kept_ids(&format!("$filter={q}"), &input);
        let both = kept_ids(&format!("$filter=({p}) and ({q})"), &input);
        let expected: Vec<u64> = left.iter().copied().filter(|id| right.contains(id)).collect();
        prop_assert_eq!(both, expected);
    }

    #[test]
    fn not_complements_never_null_predicates(input in items(), p in comparison()) {
        let kept = kept_ids(&format!("$filter={p}"), &input);
        let negated = kept_ids(&format!("$filter=not ({p})"), &input);
        let complement: Vec<u64> =
            (0..input.len() as u64).filter(|id| !kept.contains(id)).collect();
        prop_assert_eq!(negated, complement);
    }

    #[test]
    fn orderby_is_a_stable_sorted_permutation(input in items(), desc in any::<bool>()) {
        let query = if desc { "$orderby=a desc" } else { "$orderby=a" };
        let ids = kept_ids(query, &input);
        let mut sorted_ids = ids.clone();
        sorted_ids.sort_unstable();
        prop_assert_eq!(sorted_ids, (0..input.len() as u64).collect::<Vec<_>>());
        // Key: None (null or missing) lowest.
        let key = |id: u64| input[id as usize].get("a").and_then(Value::as_i64);
        for pair in ids.windows(2) {
            let (x, y) = (key(pair[0]), key(pair[1]));
            let ordered = if desc { x >= y } else { x <= y };
            prop_assert!(ordered, "{ids:?}");
            if x == y {
                prop_assert!(pair[0] < pair[1], "ties keep input order: {ids:?}");
            }
        }
    }

    #[test]
    fn top_and_skip_lengths(input in items(), top in 0u64..15, skip in 0u64..15, ordered in any::<bool>()) {
        let order = if ordered { "&$orderby=s desc" } else { "" };
        let ids = kept_ids(&format!("$top={top}&$skip={skip}{order}"), &input);
        let expected = (input.len() as u64).saturating_sub(skip).min(top);
        prop_assert_eq!(ids.len() as u64, expected);
        if !ordered {
            let want: Vec<u64> = (skip..skip + expected).collect();
            prop_assert_eq!(ids, want);
        }
    }

    #[test]
    fn count_ignores_top_and_skip(input in items(), p in predicate(), top in 0u64..15, skip in 0u64..15) {
        let document = Value::Array(input.clone());
        let full = plan(&format!("$filter={p}&$count=true")).apply(&document).unwrap();
        let paged = plan(&format!("$filter={p}&$count=true&$top={top}&$skip={skip}"))
            .apply(&document)
            .unwrap();
        prop_assert_eq!(&full["@odata.count"], &paged["@odata.count"]);
        let count = full["@odata.count"].as_u64().unwrap_or(0);
        prop_assert_eq!(full["value"].as_array().map(Vec::len), Some(count as usize));
    }

    #[test]
    fn paging_concatenates_to_the_whole(input in items(), page in 1usize..5) {
        let document = Value::Array(input.clone());
        let whole = plan("$orderby=s,id").apply(&document).unwrap();
        let mut options = EvalOptions::default();
        options.max_page_size = Some(page);
        let mut collected = Vec::new();
        let mut query = "$orderby=s,id".to_string();
        for _ in 0..20 {
            let response = Query::parse(&query).unwrap().compile(&options).unwrap().apply(&document).unwrap();
            collected.extend(response["value"].as_array().cloned().unwrap_or_default());
            match response.get("@odata.nextLink").and_then(Value::as_str) {
                Some(link) => query = link.trim_start_matches('?').to_string(),
                None => break,
            }
        }
        prop_assert_eq!(Value::Array(collected), whole["value"].clone());
    }
}

/// Query fragments that glue into (mostly) valid or almost valid queries.
fn fragments() -> impl Strategy<Value = String> {
    let tokens = vec![
        "$filter=",
        "$orderby=",
        "$expand=",
        "$select=",
        "$compute=",
        "$apply=",
        "$search=",
        "$top=",
        "$skip=",
        "$count=true",
        "&",
        ";",
        ",",
        "(",
        ")",
        "/",
        " ",
        "files",
        "size",
        "name",
        "stats",
        "id",
        "gt ",
        "eq ",
        " add ",
        " div ",
        " mod ",
        " divby ",
        " mul ",
        "0",
        "1",
        "-1",
        "2.5",
        "1e308",
        "9223372036854775807",
        "'a'",
        "null",
        "true",
        "not ",
        " and ",
        " or ",
        "any(f:f/size gt 1)",
        "all(f:f/name ne null)",
        "$count",
        "$levels=",
        "max",
        "substring(name,",
        "length(",
        "round(",
        "matchesPattern(name,'a+')",
        "2026-01-01T00:00:00Z",
        "duration'P1D'",
        "cast(",
        "Edm.Int32",
        "isof(",
        " in ",
        " has ",
        "*",
        "groupby((",
        "aggregate(",
        "size with sum as t",
        "$it",
        "$this",
        "@p",
        "@p=1",
        " desc",
        " as c",
        "concat(",
        "filter(",
        "$ref",
        "case(",
        "true:1",
        "tolower(",
        "now()",
        "year(",
        "hour(",
        "date(",
        "fractionalseconds(",
        "INF",
        "NaN",
    ];
    let option = prop::sample::select(vec![
        "$filter=",
        "$orderby=",
        "$expand=",
        "$select=",
        "$compute=",
        "$apply=",
        "$search=",
    ]);
    (
        option,
        prop::collection::vec(prop::sample::select(tokens), 1..14),
    )
        .prop_map(|(option, parts)| format!("{option}{}", parts.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn evaluation_never_panics(query in fragments()) {
        let document = json!({"value": [
            {"id": 1, "name": "a", "size": 10, "stats": {"n": 1},
             "files": [{"id": "x", "name": "b", "size": 3}, {"id": "y", "name": "a", "size": 30}]},
            {"id": 2, "name": null, "size": 2.5, "files": []},
            {"id": 3, "size": "7", "files": null, "stats": [1, 2]}
        ]});
        if let Ok(parsed) = Query::parse(&query) {
            if let Ok(plan) = parsed.compile(&EvalOptions::default()) {
                let _ = plan.apply(&document);
                let _ = plan.apply(&document["value"][0]);
            }
        }
    }
}

/// Numeric literal text: integers at the Int64 edges, long decimals, doubles.
fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("0".to_string()),
        "-?[0-9]{1,20}\\.[0-9]{1,19}",
        "-?0\\.[0-9]{30,38}",
        "-?[1-9][0-9]{20,37}",
        (-300i32..300, 1u8..10).prop_map(|(e, m)| format!("{m}e{e}")),
        Just("INF".to_string()),
        Just("-INF".to_string()),
        Just("NaN".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn numeric_evaluation_never_panics(
        x in number_literal(),
        y in number_literal(),
        op in prop::sample::select(vec![
            "add", "sub", "mul", "div", "divby", "mod", "eq", "ne", "gt", "ge", "lt", "le",
        ]),
        function in prop::sample::select(vec!["round", "floor", "ceiling", "-"]),
    ) {
        let entity = json!({"n": 1});
        let query = format!(
            "$compute=({x}) {op} ({y}) as r,{function}({x}) as s,cast({x},Edm.Int32) as t,\
             cast({x},Edm.Decimal) as u&$select=r,s,t,u"
        );
        if let Ok(parsed) = Query::parse(&query) {
            if let Ok(plan) = parsed.compile(&EvalOptions::default()) {
                let _ = plan.apply(&entity);
            }
        }
    }
}
