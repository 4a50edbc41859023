//! Property test: a generated AST, printed with `Display` and in its URL form, parses back
//! to an equal AST, in both lenient and strict mode. Names are drawn also from the words
//! the grammar gives a meaning (`sub`, `not`, `asc`, `null`, ...): a property may be called
//! so, and the printer must write what parses back.

use odata_query::ast::{
    AliasDefinition, BinaryOp, CaseArm, ComputeItem, CustomOption, ExpandItem, ExpandKind,
    ExpandPath, Expr, Function, Lambda, Literal, MemberPath, OrderByItem, PathRoot, PathSegment,
    Query, Search, Segment, SelectItem, SortDirection, UnaryOp,
};
use odata_query::ParseOptions;
use proptest::prelude::*;

/// Words that are keywords somewhere in the grammar; generated names avoid them.
const RESERVED: &[&str] = &[
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "add", "sub", "mul", "div", "divby",
    "mod", "has", "in", "true", "false", "null", "as", "asc", "desc", "any", "all", "cast", "isof",
    "case", "with", "from", "inf", "nan",
];

fn plain_name() -> impl Strategy<Value = String> {
    "[a-z][a-zA-Z0-9_]{0,6}".prop_filter("not a keyword", |s| {
        let lower = s.to_ascii_lowercase();
        !RESERVED.contains(&lower.as_str()) && Function::from_name(&lower).is_none()
    })
}

/// Words with a meaning in the grammar that can still name a property anywhere a path
/// starts: operators, `not`, directions, `as`, the aggregation keywords, `min`/`max`.
const KEYWORD_NAMES: &[&str] = &[
    "sub", "and", "eq", "not", "asc", "desc", "in", "has", "or", "as", "with", "from", "any",
    "all", "NOT", "Sub", "mod", "divby", "min", "max", "cast", "case", "isof", "contains",
];

/// Words that read as literals where an expression starts (`true`, `null`, `INF`): a
/// property may have those names only after a `/` (or before one: `null/x`).
const LITERAL_NAMES: &[&str] = &["true", "false", "null", "INF", "NaN", "True"];

/// A name for anything: plain, or one of the keywords above.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => plain_name(),
        1 => prop::sample::select(KEYWORD_NAMES).prop_map(str::to_owned),
    ]
}

/// A name for a segment after the first one: also the literal words.
fn later_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => name(),
        1 => prop::sample::select(LITERAL_NAMES).prop_map(str::to_owned),
    ]
}

fn string_content() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just(' '),
            Just('\''),
            Just('%'),
            Just('&'),
            Just('+'),
            Just('#'),
            Just(';'),
            Just('('),
            Just(')'),
            Just(','),
            Just('é'),
            Just('😀'),
            Just('"'),
        ],
        0..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Boolean),
        any::<i64>().prop_map(Literal::Int),
        (0u32..100_000, 0u32..1000).prop_map(|(a, b)| Literal::Decimal(format!("{a}.{b}").into())),
        (1u32..1000, -30i32..30).prop_map(|(a, e)| Literal::Double(format!("{a}e{e}").into())),
        Just(Literal::Double("INF".into())),
        Just(Literal::Double("-INF".into())),
        Just(Literal::Double("NaN".into())),
        string_content().prop_map(|text| Literal::String(text.into())),
        Just(Literal::Guid("01234567-89ab-cdef-0123-456789abcdef".into())),
        (1900u32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Literal::Date(format!("{y:04}-{m:02}-{d:02}").into())),
        (
            0u32..24,
            0u32..60,
            prop_oneof![Just("Z"), Just("+02:00"), Just("-05:30")]
        )
            .prop_map(|(h, m, zone)| Literal::DateTimeOffset(
                format!("2026-01-01T{h:02}:{m:02}:00.123{zone}").into()
            )),
        (0u32..24, 0u32..60)
            .prop_map(|(h, m)| Literal::TimeOfDay(format!("{h:02}:{m:02}:59").into())),
        (0u32..10, 0u32..24).prop_map(|(d, h)| Literal::Duration(format!("P{d}DT{h}H").into())),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Literal::Binary),
        Just(Literal::Enum {
            type_name: "Sales.Pattern".into(),
            value: "Yellow,Red".into(),
        }),
    ]
}

fn property_path() -> impl Strategy<Value = Expr> {
    (
        prop_oneof![
            Just(PathRoot::Implicit),
            Just(PathRoot::It),
            Just(PathRoot::This)
        ],
        prop_oneof![3 => name(), 1 => prop::sample::select(LITERAL_NAMES).prop_map(str::to_owned)],
        prop::collection::vec(later_name().prop_map(|n| Segment::Property(n.into())), 0..2),
    )
        .prop_map(|(root, first, rest)| {
            // A literal word alone where a path starts would read as the literal.
            let literal_first = LITERAL_NAMES.contains(&first.as_str());
            let first = if literal_first && root == PathRoot::Implicit && rest.is_empty() {
                format!("{first}_")
            } else {
                first
            };
            let mut segments = vec![Segment::Property(first.into())];
            segments.extend(rest);
            Expr::Path(MemberPath { root, segments })
        })
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(Expr::Literal),
        property_path(),
        name().prop_map(Expr::Alias),
    ];
    leaf.prop_recursive(4, 48, 3, |inner| {
        prop_oneof![
            (
                prop::sample::select(&BinaryOp::ALL[..14]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(op, left, right)| Expr::binary(op, left, right)),
            (
                inner.clone(),
                prop::collection::vec(literal().prop_map(Expr::Literal), 1..4)
            )
                .prop_map(|(operand, items)| Expr::binary(
                    BinaryOp::In,
                    operand,
                    Expr::List(items)
                )),
            (
                prop_oneof![Just(UnaryOp::Not), Just(UnaryOp::Neg)],
                inner.clone()
            )
                .prop_map(|(op, operand)| Expr::Unary {
                    op,
                    operand: Box::new(operand),
                }),
            (
                prop::sample::select(
                    &[
                        Function::Contains,
                        Function::StartsWith,
                        Function::Concat,
                        Function::IndexOf
                    ][..]
                ),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(function, a, b)| Expr::Call {
                    function,
                    args: vec![a, b],
                }),
            (
                prop::sample::select(
                    &[
                        Function::ToLower,
                        Function::Length,
                        Function::Year,
                        Function::Round
                    ][..]
                ),
                inner.clone()
            )
                .prop_map(|(function, a)| Expr::Call {
                    function,
                    args: vec![a],
                }),
            Just(Expr::Call {
                function: Function::Now,
                args: vec![],
            }),
            (name(), "V[0-9]", inner.clone()).prop_map(|(collection, variable, body)| {
                Expr::Path(MemberPath {
                    root: PathRoot::Implicit,
                    segments: vec![
                        Segment::Property(collection.into()),
                        Segment::Any(Some(Lambda {
                            variable: variable.into(),
                            predicate: Box::new(body),
                        })),
                    ],
                })
            }),
            (name(), inner.clone()).prop_map(|(collection, body)| Expr::Path(MemberPath {
                root: PathRoot::Implicit,
                segments: vec![
                    Segment::Property(collection.into()),
                    Segment::Count(Some(Box::new(Query {
                        filter: Some(body),
                        ..Query::default()
                    }))),
                ],
            })),
            (inner.clone(), inner.clone()).prop_map(|(condition, value)| Expr::Case(vec![
                CaseArm { condition, value },
                CaseArm {
                    condition: Expr::Literal(Literal::Boolean(true)),
                    value: Expr::Literal(Literal::Null),
                },
            ])),
            inner.clone().prop_map(|e| Expr::Cast {
                expr: Some(Box::new(e)),
                type_name: "Edm.String".into(),
            }),
        ]
    })
}

fn search() -> impl Strategy<Value = Search> {
    let leaf = prop_oneof![
        "[a-z]{1,6}"
            .prop_filter("not a keyword", |s| !["and", "or", "not"]
                .contains(&s.as_str()))
            .prop_map(Search::Term),
        "[a-z ]{1,8}".prop_map(Search::Phrase),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|s| Search::Not(Box::new(s))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Search::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Search::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn orderby() -> impl Strategy<Value = Vec<OrderByItem>> {
    prop::collection::vec(
        (
            expr(),
            prop_oneof![Just(SortDirection::Asc), Just(SortDirection::Desc)],
        )
            .prop_map(|(expr, direction)| OrderByItem { expr, direction }),
        0..3,
    )
}

fn nested_options() -> impl Strategy<Value = Query> {
    (
        prop::option::of(expr()),
        orderby(),
        prop::option::of(0u64..100),
        prop::option::of(0u64..100),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(filter, orderby, top, skip, count)| Query {
            filter,
            orderby,
            top,
            skip,
            count,
            ..Query::default()
        })
}

fn expand_item() -> impl Strategy<Value = ExpandItem> {
    (name(), nested_options()).prop_map(|(name, options)| ExpandItem {
        path: ExpandPath::Path(vec![PathSegment::Property(name.into())]),
        kind: ExpandKind::Entities,
        options: Box::new(options),
    })
}

fn query() -> impl Strategy<Value = Query> {
    (
        (
            prop::option::of(expr()),
            orderby(),
            prop::option::of(0u64..1_000_000),
            prop::option::of(0u64..1_000_000),
            prop::option::of(any::<bool>()),
        ),
        (
            prop::collection::vec(expand_item(), 0..3),
            prop::collection::vec(
                later_name().prop_map(|n| SelectItem::Path {
                    segments: vec![PathSegment::Property(n.into())],
                    options: None,
                }),
                0..3,
            ),
            prop::option::of(search()),
            prop::collection::vec(
                (expr(), later_name()).prop_map(|(expr, alias)| ComputeItem { expr, alias }),
                0..2,
            ),
            prop::collection::vec(
                (name(), literal()).prop_map(|(name, value)| AliasDefinition {
                    name,
                    value: Expr::Literal(value),
                }),
                0..2,
            ),
            prop::collection::vec(
                (name(), prop::option::of(string_content())).prop_map(|(name, value)| {
                    CustomOption {
                        name: format!("x{name}"),
                        value,
                    }
                }),
                0..2,
            ),
        ),
    )
        .prop_map(
            |(
                (filter, orderby, top, skip, count),
                (expand, select, search, compute, aliases, custom),
            )| {
                let mut seen = std::collections::HashSet::new();
                let aliases = aliases
                    .into_iter()
                    .filter(|a| seen.insert(a.name.clone()))
                    .collect();
                Query {
                    filter,
                    orderby,
                    top,
                    skip,
                    count,
                    expand,
                    select,
                    search,
                    compute,
                    aliases,
                    custom,
                    ..Query::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn expression_round_trips(expr in expr()) {
        for text in [expr.to_string(), expr.url().to_string()] {
            for options in [ParseOptions::default(), ParseOptions::strict()] {
                let parsed = odata_query::parse_rule(odata_query::Rule::Filter, &text, &options);
                match parsed {
                    Ok(odata_query::Parsed::Expr(again)) => prop_assert_eq!(&again, &expr, "text: {}", text),
                    other => prop_assert!(false, "{text:?} did not parse back: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn query_round_trips(query in query()) {
        let url = query.to_url_string();
        prop_assert!(
            url.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)),
            "URL form {url:?} is not URL text"
        );
        for text in [query.to_string(), url] {
            for options in [ParseOptions::default(), ParseOptions::strict()] {
                match Query::parse_with(&text, &options) {
                    Ok(again) => prop_assert_eq!(&again, &query, "text: {}", text),
                    Err(e) => prop_assert!(false, "{text:?} did not parse back:\n{e}"),
                }
            }
        }
    }
}
