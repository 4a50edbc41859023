//! Unit tests of the `$apply` grammar: the shapes the case files cannot see.

use super::super::{parse_decoded, ParseOptions};
use super::parse_apply;
use crate::ast::{
    AggregateExpr, AggregateMethod, GroupByElement, HierarchyArg, PathSegment, Transformation,
};

fn parse(text: &str) -> Vec<Transformation> {
    parse_decoded(
        text,
        text,
        0,
        "$apply",
        &ParseOptions::strict(),
        parse_apply,
    )
    .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn property(name: &str) -> PathSegment {
    PathSegment::Property(name.into())
}

#[test]
fn aggregate_items_are_classified() {
    let transformations =
        parse("aggregate(Amount with sum as T,Sales/$count as N,Sales/Forecast,$count as C)");
    let Some(Transformation::Aggregate(items)) = transformations.first() else {
        panic!("one aggregate");
    };
    assert!(matches!(
        &items[0].expr,
        AggregateExpr::With {
            method: AggregateMethod::Sum,
            ..
        }
    ));
    assert_eq!(
        items[1].expr,
        AggregateExpr::PathCount(vec![property("Sales")])
    );
    assert_eq!(
        items[2].expr,
        AggregateExpr::Custom {
            path: vec![property("Sales")],
            name: "Forecast".into()
        }
    );
    assert_eq!(items[2].alias, None);
    assert_eq!(items[3].expr, AggregateExpr::Count);
}

#[test]
fn from_lists_are_greedy_over_commas() {
    let transformations =
        parse("aggregate(Amount with average from Time,Product/Name with max as X)");
    let Some(Transformation::Aggregate(items)) = transformations.first() else {
        panic!("aggregate");
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].from[0].groups.len(), 2);
    assert_eq!(items[0].from[0].method, Some(AggregateMethod::Max));
}

#[test]
fn groupby_and_hierarchies_keep_their_arguments() {
    let transformations =
        parse("groupby((rollup(A,B/C),D),topcount(1,T))/traverse($root/N,H,ID,preorder,Name desc)");
    let Some(Transformation::GroupBy { groups, apply }) = transformations.first() else {
        panic!("groupby");
    };
    assert_eq!(
        groups[0],
        GroupByElement::Rollup(vec![
            vec![property("A")],
            vec![property("B"), property("C")]
        ])
    );
    assert_eq!(apply.len(), 1);
    let Some(Transformation::Hierarchy { args, .. }) = transformations.get(1) else {
        panic!("traverse");
    };
    assert_eq!(args.len(), 5);
    assert!(matches!(args[4], HierarchyArg::OrderBy(_)));
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let text = format!(
        "{}identity{}",
        "concat(identity,".repeat(300),
        ")".repeat(300)
    );
    let error = parse_decoded(
        &text,
        &text,
        0,
        "$apply",
        &ParseOptions::strict(),
        parse_apply,
    )
    .unwrap_err();
    assert!(matches!(
        error.kind,
        crate::error::ParseErrorKind::LimitExceeded { .. }
    ));
}
