//! `$apply` transformations (OData Data Aggregation).

use std::fmt::{self, Display, Formatter};

#[cfg(feature = "serde")]
use serde::Serialize;

use super::write_list;
use super::{ComputeItem, Expr, NamedArg, OrderByItem, PathSegment, Search};

/// One `$apply` transformation (OData Data Aggregation 4.0).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Transformation {
    /// `aggregate(amount with sum as total, $count as n)`
    Aggregate(Vec<AggregateItem>),
    /// `groupby((a,b),aggregate(...))`: grouping properties and the transformations applied
    /// to each group.
    GroupBy {
        /// The grouping elements.
        groups: Vec<GroupByElement>,
        /// The transformations applied per group (may be empty).
        apply: Vec<Transformation>,
    },
    /// `filter(expr)`
    Filter(Expr),
    /// `orderby(a desc,b)`
    OrderBy(Vec<OrderByItem>),
    /// `top(5)`
    Top(u64),
    /// `skip(5)`
    Skip(u64),
    /// `search(term)`
    Search(Search),
    /// `compute(expr as name,...)`
    Compute(Vec<ComputeItem>),
    /// `concat(seq1,seq2,...)`: the union of several transformation sequences.
    Concat(Vec<Vec<Transformation>>),
    /// `identity`
    Identity,
    /// `topcount(n,expr)`, `bottomsum(n,expr)`, ...
    Bounded {
        /// Which of the six functions.
        kind: BoundedKind,
        /// The bound (count, sum or percentage).
        bound: Expr,
        /// The value ranked by.
        value: Expr,
    },
    /// `nest(apply as name,...)` and `addnested(path,apply as name,...)`.
    Nest {
        /// The path for `addnested`; `None` for `nest`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        path: Option<Vec<PathSegment>>,
        /// Each nested sequence and its alias.
        items: Vec<(Vec<Transformation>, String)>,
    },
    /// `join(path as alias[,apply])` (`outer` = false) and `outerjoin(...)`.
    Join {
        /// `outerjoin` when true.
        outer: bool,
        /// The collection-valued property joined.
        path: Vec<PathSegment>,
        /// The alias for the joined member.
        alias: String,
        /// Transformations applied to the joined collection.
        apply: Vec<Transformation>,
    },
    /// `ancestors(...)`, `descendants(...)`, `traverse(...)`: hierarchy transformations,
    /// kept as their arguments.
    Hierarchy {
        /// Which one.
        kind: HierarchyKind,
        /// The arguments as expressions or nested transformation sequences.
        args: Vec<HierarchyArg>,
    },
    /// `expand(MyPaintings,filter(FrameColor eq 'Red'),expand(Owner))`: expands a
    /// navigation property for the transformations that follow (aggregation extension).
    Expand(ApplyExpand),
    /// `Namespace.Function(p=1)`: a custom set-transforming function.
    Custom {
        /// The qualified name.
        name: String,
        /// The named arguments.
        args: Vec<NamedArg>,
    },
}

/// The arguments of the `expand(...)` transformation: a navigation path, an optional
/// `filter(...)` of the related entities, and nested `expand(...)`s.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ApplyExpand {
    /// The navigation path (names and type casts).
    pub path: Vec<PathSegment>,
    /// `filter(expr)`: which related entities to keep.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub filter: Option<Expr>,
    /// Nested `expand(...)` arguments, in order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub expand: Vec<ApplyExpand>,
}

/// `topcount`, `topsum`, `toppercent`, `bottomcount`, `bottomsum`, `bottompercent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum BoundedKind {
    /// `topcount`
    TopCount,
    /// `topsum`
    TopSum,
    /// `toppercent`
    TopPercent,
    /// `bottomcount`
    BottomCount,
    /// `bottomsum`
    BottomSum,
    /// `bottompercent`
    BottomPercent,
}

impl BoundedKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            BoundedKind::TopCount => "topcount",
            BoundedKind::TopSum => "topsum",
            BoundedKind::TopPercent => "toppercent",
            BoundedKind::BottomCount => "bottomcount",
            BoundedKind::BottomSum => "bottomsum",
            BoundedKind::BottomPercent => "bottompercent",
        }
    }
}

/// `ancestors`, `descendants`, `traverse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub enum HierarchyKind {
    /// `ancestors(...)`
    Ancestors,
    /// `descendants(...)`
    Descendants,
    /// `traverse(...)`
    Traverse,
}

impl HierarchyKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            HierarchyKind::Ancestors => "ancestors",
            HierarchyKind::Descendants => "descendants",
            HierarchyKind::Traverse => "traverse",
        }
    }
}

/// One argument of a hierarchy transformation.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum HierarchyArg {
    /// An expression, path, name or number (`$root/Nodes`, `Hier`, `ID`, `1`, `preorder`).
    Expr(Expr),
    /// A transformation sequence (`filter(...)/skip(1)`).
    Apply(Vec<Transformation>),
    /// `keep start`
    KeepStart,
    /// An order-by list (last argument of `traverse`).
    OrderBy(Vec<OrderByItem>),
}

/// One item of `aggregate(...)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct AggregateItem {
    /// What is aggregated.
    pub expr: AggregateExpr,
    /// `from a with sum from b with max`: grouping for nested aggregation, outermost last.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub from: Vec<AggregateFrom>,
    /// `as name`: required except for custom aggregates.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub alias: Option<String>,
}

/// The aggregated value of an [`AggregateItem`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum AggregateExpr {
    /// `expr with method`: `amount with sum`, `customer with countdistinct`.
    With {
        /// The aggregated expression (often a property path).
        expr: Expr,
        /// The aggregation method.
        method: AggregateMethod,
    },
    /// `$count`: the number of instances.
    Count,
    /// `path/$count`: the number of values of a collection path.
    PathCount(Vec<PathSegment>),
    /// `Sales(Amount with sum as Total)`, `MyPaintings($count as Count)`: aggregates of the
    /// entities related along a navigation path, each with its own alias.
    Path {
        /// The navigation path (names and type casts).
        path: Vec<PathSegment>,
        /// The aggregates, at least one.
        items: Vec<AggregateItem>,
    },
    /// `Forecast` or `path/Forecast`: a custom aggregate, optionally after a path.
    Custom {
        /// Path segments before the custom aggregate (may be empty).
        path: Vec<PathSegment>,
        /// The custom aggregate's name.
        name: String,
    },
}

/// `from grouping-properties with method` in an aggregate item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct AggregateFrom {
    /// The grouping properties.
    pub groups: Vec<Vec<PathSegment>>,
    /// The method applied after grouping (optional only for custom aggregates).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub method: Option<AggregateMethod>,
}

/// `sum`, `min`, `max`, `average`, `countdistinct`, or a custom `Ns.method`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum AggregateMethod {
    /// `sum`
    Sum,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `average`
    Average,
    /// `countdistinct`
    CountDistinct,
    /// `Namespace.method`
    Custom(String),
}

impl AggregateMethod {
    /// The keyword or custom name.
    pub fn keyword(&self) -> &str {
        match self {
            AggregateMethod::Sum => "sum",
            AggregateMethod::Min => "min",
            AggregateMethod::Max => "max",
            AggregateMethod::Average => "average",
            AggregateMethod::CountDistinct => "countdistinct",
            AggregateMethod::Custom(name) => name,
        }
    }
}

/// One element of the `groupby((...))` list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum GroupByElement {
    /// `address/city`: a grouping property path.
    Property(Vec<PathSegment>),
    /// `rollup(a,b,c)` or `rollup(HierarchyName)`: the paths, or one hierarchy name.
    Rollup(Vec<Vec<PathSegment>>),
    /// `rolluprecursive(...)`: kept as hierarchy arguments.
    RollupRecursive(Vec<HierarchyArg>),
}

impl Display for Transformation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Transformation::Aggregate(items) => {
                f.write_str("aggregate(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::GroupBy { groups, apply } => {
                f.write_str("groupby((")?;
                write_list(f, groups, ",")?;
                f.write_str(")")?;
                if !apply.is_empty() {
                    f.write_str(",")?;
                    write_list(f, apply, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Filter(expr) => write!(f, "filter({expr})"),
            Transformation::OrderBy(items) => {
                f.write_str("orderby(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::Top(n) => write!(f, "top({n})"),
            Transformation::Skip(n) => write!(f, "skip({n})"),
            Transformation::Search(search) => write!(f, "search({search})"),
            Transformation::Compute(items) => {
                f.write_str("compute(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            Transformation::Concat(sequences) => {
                f.write_str("concat(")?;
                for (i, sequence) in sequences.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, sequence, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Identity => f.write_str("identity"),
            Transformation::Bounded { kind, bound, value } => {
                write!(f, "{}({bound},{value})", kind.keyword())
            }
            Transformation::Nest { path, items } => {
                match path {
                    None => f.write_str("nest(")?,
                    Some(path) => {
                        f.write_str("addnested(")?;
                        write_list(f, path, "/")?;
                        f.write_str(",")?;
                    }
                }
                for (i, (sequence, alias)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, sequence, "/")?;
                    write!(f, " as {alias}")?;
                }
                f.write_str(")")
            }
            Transformation::Join {
                outer,
                path,
                alias,
                apply,
            } => {
                f.write_str(if *outer { "outerjoin(" } else { "join(" })?;
                write_list(f, path, "/")?;
                write!(f, " as {alias}")?;
                if !apply.is_empty() {
                    f.write_str(",")?;
                    write_list(f, apply, "/")?;
                }
                f.write_str(")")
            }
            Transformation::Hierarchy { kind, args } => {
                write!(f, "{}(", kind.keyword())?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
            Transformation::Expand(expand) => expand.fmt(f),
            Transformation::Custom { name, args } => {
                write!(f, "{name}(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
        }
    }
}

impl Display for ApplyExpand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("expand(")?;
        write_list(f, &self.path, "/")?;
        if let Some(filter) = &self.filter {
            write!(f, ",filter({filter})")?;
        }
        for nested in &self.expand {
            write!(f, ",{nested}")?;
        }
        f.write_str(")")
    }
}

impl Display for HierarchyArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            HierarchyArg::Expr(expr) => expr.fmt(f),
            HierarchyArg::Apply(sequence) => write_list(f, sequence, "/"),
            HierarchyArg::KeepStart => f.write_str("keep start"),
            HierarchyArg::OrderBy(items) => write_list(f, items, ","),
        }
    }
}

impl Display for AggregateItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        for from in &self.from {
            f.write_str(" from ")?;
            for (i, group) in from.groups.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write_list(f, group, "/")?;
            }
            if let Some(method) = &from.method {
                write!(f, " with {}", method.keyword())?;
            }
        }
        if let Some(alias) = &self.alias {
            write!(f, " as {alias}")?;
        }
        Ok(())
    }
}

impl Display for AggregateExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AggregateExpr::With { expr, method } => write!(f, "{expr} with {}", method.keyword()),
            AggregateExpr::Count => f.write_str("$count"),
            AggregateExpr::Path { path, items } => {
                write_list(f, path, "/")?;
                f.write_str("(")?;
                write_list(f, items, ",")?;
                f.write_str(")")
            }
            AggregateExpr::PathCount(path) => {
                write_list(f, path, "/")?;
                f.write_str("/$count")
            }
            AggregateExpr::Custom { path, name } => {
                for segment in path {
                    write!(f, "{segment}/")?;
                }
                f.write_str(name)
            }
        }
    }
}

impl Display for GroupByElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GroupByElement::Property(path) => write_list(f, path, "/"),
            GroupByElement::Rollup(paths) => {
                f.write_str("rollup(")?;
                for (i, path) in paths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_list(f, path, "/")?;
                }
                f.write_str(")")
            }
            GroupByElement::RollupRecursive(args) => {
                f.write_str("rolluprecursive(")?;
                write_list(f, args, ",")?;
                f.write_str(")")
            }
        }
    }
}
