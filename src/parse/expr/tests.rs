//! Unit tests of the expression grammar: limits, trees the canonical text cannot show, and
//! robustness. The case files (`tests/cases/parse/{expr,filter,literal}.txt`) cover syntax.

use super::*;
use crate::ast::{Literal, MemberPath, PathRoot, Segment};
use crate::error::ParseError;
use crate::limits::Limits;
use crate::parse::{parse_rule, ParseOptions, Parsed, Rule};

fn parse_with(text: &str, options: &ParseOptions) -> Result<Expr, ParseError> {
    match parse_rule(Rule::Filter, text, options)? {
        Parsed::Expr(expr) => Ok(expr),
        other => panic!("unexpected result {other:?}"),
    }
}

fn parse(text: &str) -> Result<Expr, ParseError> {
    parse_with(text, &ParseOptions::default())
}

fn limit_of(error: &ParseError) -> Option<Limit> {
    match error.kind {
        ParseErrorKind::LimitExceeded { limit, .. } => Some(limit),
        _ => None,
    }
}

#[test]
fn operators_associate_to_the_left() {
    let expr = parse("a sub b sub c").unwrap();
    let Expr::Binary { operands, .. } = &expr else {
        panic!("binary expected")
    };
    let [left, right] = &**operands;
    assert!(matches!(
        left,
        Expr::Binary {
            op: BinaryOp::Sub,
            ..
        }
    ));
    assert!(matches!(right, Expr::Path(_)));
}

#[test]
fn not_binds_tighter_than_comparisons_but_looser_than_has() {
    let Expr::Binary { op, operands } = parse("not a eq b").unwrap() else {
        panic!("binary expected")
    };
    assert_eq!(op, BinaryOp::Eq);
    assert!(matches!(
        operands[0],
        Expr::Unary {
            op: UnaryOp::Not,
            ..
        }
    ));
    let Expr::Unary { operand, .. } = parse("not a has Ns.E'x'").unwrap() else {
        panic!("unary expected")
    };
    assert!(matches!(
        *operand,
        Expr::Binary {
            op: BinaryOp::Has,
            ..
        }
    ));
}

#[test]
fn negative_numbers_are_literals_and_other_minus_signs_negate() {
    assert_eq!(parse("-5").unwrap(), Expr::Literal(Literal::Int(-5)));
    assert_eq!(
        parse("-INF").unwrap(),
        Expr::Literal(Literal::Double("-INF".into()))
    );
    assert!(matches!(
        parse("-(5)").unwrap(),
        Expr::Unary {
            op: UnaryOp::Neg,
            ..
        }
    ));
    assert!(matches!(
        parse("-Price").unwrap(),
        Expr::Unary {
            op: UnaryOp::Neg,
            ..
        }
    ));
}

#[test]
fn lambda_variables_are_scoped_to_their_predicate() {
    let expr = parse("files/any(f:f/size gt 1) and f eq 1").unwrap();
    let Expr::Binary { operands, .. } = expr else {
        panic!("binary expected")
    };
    let [left, right] = *operands;
    let Expr::Path(MemberPath { segments, .. }) = left else {
        panic!("path expected")
    };
    let Some(Segment::Any(Some(lambda))) = segments.last() else {
        panic!("any expected")
    };
    let Expr::Binary { operands, .. } = &*lambda.predicate else {
        panic!("comparison expected")
    };
    assert!(matches!(
        &operands[0],
        Expr::Path(MemberPath {
            root: PathRoot::Variable(name),
            ..
        }) if name == "f"
    ));
    // Outside the lambda, `f` is a property again.
    let Expr::Binary { operands, .. } = right else {
        panic!("comparison expected")
    };
    assert!(matches!(
        operands[0],
        Expr::Path(MemberPath {
            root: PathRoot::Implicit,
            ..
        })
    ));
}

#[test]
fn lambda_variables_are_popped_after_errors() {
    let options = ParseOptions::default();
    let text = "files/any(f:f gt)";
    let ctx = Ctx::new(text, &[], &options);
    assert!(parse_common_expr(&ctx, text).is_err());
    assert!(ctx.lambda_variables.borrow().is_empty());
}

#[test]
fn parse_common_expr_stops_before_what_callers_continue_with() {
    let options = ParseOptions::default();
    for (text, rest) in [
        ("a desc", " desc"),
        ("a add 1 as total", " as total"),
        ("a eq 1;$top=2", ";$top=2"),
        ("a eq 1,b", ",b"),
        ("a eq 1)", ")"),
        ("name asc", " asc"),
    ] {
        let ctx = Ctx::new(text, &[], &options);
        let (after, _) = parse_common_expr(&ctx, text).unwrap();
        assert_eq!(after, rest, "{text}");
    }
}

#[test]
fn parse_literal_reads_one_primitive_literal() {
    let options = ParseOptions::default();
    let ctx = Ctx::new("'x'", &[], &options);
    assert_eq!(
        parse_literal(&ctx, "'x',1").unwrap(),
        (",1", Literal::String("x".into()))
    );
    assert!(matches!(
        parse_literal(&ctx, "name"),
        Err(nom::Err::Error(_))
    ));
}

#[test]
fn long_operator_chains_count_against_the_depth_limit() {
    let chain = vec!["a eq 1"; 150].join(" or ");
    assert!(parse(&chain).is_ok());
    let chain = vec!["a eq 1"; 250].join(" or ");
    let error = parse(&chain).unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Depth));
}

#[test]
fn deep_nesting_fails_with_a_limit_not_a_stack_overflow() {
    let hostile = [
        format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}a", "not ".repeat(50_000)),
        format!("{}a", "-".repeat(100_000)),
        format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)),
        "contains(".repeat(50_000),
        format!("x in {}", "(".repeat(100_000)),
        format!("geometry'{}", "GeometryCollection(".repeat(50_000)),
        format!("{}true", "a/any(x:".repeat(1_000)),
        format!("{}1", "case(true:".repeat(50_000)),
        format!("{}a", "files/$count($filter=".repeat(10_000)),
    ];
    for text in &hostile {
        let error = parse(text).unwrap_err();
        assert!(limit_of(&error).is_some(), "{error}");
    }
}

#[test]
fn node_and_list_limits_apply() {
    let options = ParseOptions {
        limits: Limits {
            max_nodes: 50,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let path = vec!["a"; 100].join("/");
    assert_eq!(
        limit_of(&parse_with(&path, &options).unwrap_err()),
        Some(Limit::Nodes)
    );
    let options = ParseOptions {
        limits: Limits {
            max_in_list: 3,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    assert!(parse_with("a in (1,2,3)", &options).is_ok());
    assert_eq!(
        limit_of(&parse_with("a in (1,2,3,4)", &options).unwrap_err()),
        Some(Limit::InList)
    );
}

#[test]
fn binary_literals_decode_to_bytes() {
    assert_eq!(
        parse("binary'Zm9vYmE='").unwrap(),
        Expr::Literal(Literal::Binary(b"fooba".to_vec()))
    );
    assert_eq!(
        parse("binary'Zg'").unwrap(),
        Expr::Literal(Literal::Binary(b"f".to_vec()))
    );
}

#[test]
fn raw_plus_reads_as_a_sign_only_where_a_sign_can_stand() {
    assert_eq!(
        parse("d eq 2026-01-01T10:00:00+02:00").unwrap().to_string(),
        "d eq 2026-01-01T10:00:00+02:00"
    );
    assert_eq!(parse("x eq 1e+5").unwrap(), parse("x eq 1e%2B5").unwrap());
    assert_eq!(
        parse("name+eq+'a+b'").unwrap(),
        parse("name eq 'a b'").unwrap()
    );
}

#[test]
fn no_input_prefix_panics() {
    let samples = [
        "files/any(f:f/size gt 1 and contains(f/name,'x')) or not (a in (1,2))",
        "geography'SRID=4326;MultiPolygon(((1 1,2 2,1 1)),((3 3,4 4,3 3)))' eq @p",
        "cast(a,Collection(Edm.String)) eq [\"a\\u00e9\",{\"k\":[1,2]}]",
        "$root/People('x')/Friends/$count($filter=a eq 2026-01-01T10:00:00.5+02:00;$search=x)",
        "case(a:binary'Zm9v',true:duration'P1DT2H') has Ns.E'A,1' and 01234567-89ab-cdef-0123-456789abcdef ne b",
        "-INF lt -(5) mul 1.5e-3 sub 10:00:00.123 divby 2026-02-28",
    ];
    for sample in samples {
        for end in 0..=sample.len() {
            if let Some(prefix) = sample.get(..end) {
                let _ = parse(prefix);
                let _ = parse_with(prefix, &ParseOptions::strict());
            }
            if let Some(suffix) = sample.get(end..) {
                let _ = parse(suffix);
            }
        }
    }
}

/// A small deterministic generator (xorshift), so the test needs no extra crates.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        let index = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items[index]
    }
}

#[test]
fn random_token_soup_never_panics_and_accepted_text_round_trips() {
    const TOKENS: &[&str] = &[
        "a",
        "b",
        "x",
        "f",
        "$it",
        "$this",
        "$root/",
        "@p",
        "@Ns.t",
        "%23q",
        "/",
        "(",
        ")",
        ",",
        ":",
        ";",
        " ",
        "  ",
        "eq",
        "and",
        "or",
        "not",
        "-",
        "add",
        "in",
        "has",
        "1",
        "-2",
        "3.5",
        "1e+3",
        "'s'",
        "''",
        "null",
        "true",
        "INF",
        "NaN",
        "2026-01-01",
        "T10:00Z",
        "10:00:00",
        "01234567-89ab-cdef-0123-456789abcdef",
        "binary'Zg'",
        "duration'P1D'",
        "Ns.E'A'",
        "geography'Point(1 2)'",
        "[",
        "]",
        "{",
        "}",
        "\"k\"",
        "any(",
        "all(",
        "$count",
        "($filter=",
        "$filter(",
        "contains(",
        "substring(",
        "now()",
        "cast(",
        "isof(",
        "Edm.Int32",
        "case(",
        "Ns.F(",
        "=",
        "+",
        "#",
    ];
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let length = 1 + random.next() % 12;
        let text: String = (0..length).map(|_| random.pick(TOKENS)).collect();
        let _ = parse_with(&text, &ParseOptions::strict());
        if let Ok(expr) = parse(&text) {
            accepted += 1;
            let printed = expr.to_string();
            let again = parse(&printed).unwrap_or_else(|e| panic!("{text} -> {printed}: {e}"));
            assert_eq!(again, expr, "{text} -> {printed}");
        }
    }
    assert!(accepted > 100, "only {accepted} accepted");
}

#[test]
fn operator_keywords_match_the_ast_table() {
    for op in BinaryOp::ALL {
        assert_eq!(super::operator_keyword(op.keyword()), Some(op));
        let upper = op.keyword().to_ascii_uppercase();
        assert_eq!(
            super::operator_keyword(&upper),
            BinaryOp::from_keyword(&upper)
        );
    }
    for word in ["", "o", "andx", "divbyy", "x", "Eq", "DivBy", "\u{e9}q"] {
        assert_eq!(super::operator_keyword(word), BinaryOp::from_keyword(word));
    }
}

#[test]
fn operator_word_agrees_with_reading_the_whole_identifier() {
    fn general(i: &str) -> Option<(&str, BinaryOp)> {
        let (after_word, word) = identifier(i).ok()?;
        Some((after_word, operator_keyword(word)?))
    }
    let mut words: Vec<String> = BinaryOp::ALL
        .iter()
        .flat_map(|op| [op.keyword().to_owned(), op.keyword().to_ascii_uppercase()])
        .collect();
    words.extend(
        [
            "Eq", "aNd", "x", "e", "divb", "divbyx", "andor", "modulo", "",
        ]
        .map(String::from),
    );
    let mut checked = 0;
    for word in &words {
        for tail in [
            "", " 1", "1", "_", "x", "é", "\u{a0}1", "(", ")", "'a'", "/", ".", "-", "9x", "ö x",
        ] {
            let text = format!("{word}{tail}");
            assert_eq!(operator_word(&text), general(&text), "{text:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, words.len() * 15);
}
