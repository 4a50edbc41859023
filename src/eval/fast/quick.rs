//! A specialised tree whose every node has a trivial case, compiled once more into
//! closures: each node becomes one small function that knows its operator, its literal's
//! type and its path's length when it is built, so that evaluating an item runs no
//! `match` over node kinds, operators or literal types.
//!
//! A closure answers only the cases whose rule is trivial (an integer against an integer
//! literal, a string against a string literal, a Boolean, null, a DateTimeOffset in the
//! common written form). For anything else it answers [`Quick::Defer`], and the caller
//! evaluates the item with the specialised tree as before, so the answers are the tree's
//! by construction; a unit test in the parent module checks them over awkward values.
//! A closure never fails: where a budget charge fails, it defers too, and the tree then
//! meets the same limit.

use std::cmp::Ordering;

use memchr::memmem::Finder;
use serde_json::Value;

use crate::ast::{BinaryOp, Function};
use crate::eval::exec::Runtime;
use crate::eval::temporal;
use crate::eval::value::{Num, Val};

use super::{ascii_folded_eq, integer_chain, Fast, Operand, Path, Roots};

/// A truth value, or `Defer`: this item needs the full tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quick {
    False,
    True,
    Null,
    Defer,
}

impl Quick {
    fn of(b: bool) -> Quick {
        if b {
            Quick::True
        } else {
            Quick::False
        }
    }
}

/// A compiled node.
pub(super) type Pred = Box<dyn Fn(&Roots<'_>, &Runtime<'_>) -> Quick + Send + Sync>;

/// The outcomes of `op` for the three orderings, as bits 0 (less), 1 (equal), 2
/// (greater): one shift and a mask decide a comparison.
#[derive(Clone, Copy)]
struct Outcomes(u8);

impl Outcomes {
    fn of(op: BinaryOp) -> Option<Outcomes> {
        Some(Outcomes(match op {
            BinaryOp::Eq => 0b010,
            BinaryOp::Ne => 0b101,
            BinaryOp::Gt => 0b100,
            BinaryOp::Ge => 0b110,
            BinaryOp::Lt => 0b001,
            BinaryOp::Le => 0b011,
            _ => return None,
        }))
    }

    fn holds(self, ordering: Ordering) -> Quick {
        Quick::of(self.0 >> (ordering as i8 + 1) & 1 == 1)
    }

    /// A null value against a non-null literal: only `ne` holds (`ge`/`le` are `gt or
    /// eq`, both false with one null operand).
    fn against_null(self) -> Quick {
        Quick::of(self.0 == 0b101)
    }
}

/// The closures for `fast`, when every node of it has them, and the steps they charge
/// the item up front (the members of each `in` outside lambdas, which the tree charges
/// when it reaches one: charged once for all, an upper bound of the tree's charge).
pub(super) fn build(fast: &Fast) -> Option<(Pred, u64)> {
    let mut upfront = 0;
    let pred = node(fast, &mut Some(&mut upfront))?;
    Some((pred, upfront))
}

/// The closures for one node; `upfront` is `None` inside a lambda, where `in` charges per
/// evaluation.
fn node(fast: &Fast, upfront: &mut Option<&mut u64>) -> Option<Pred> {
    Some(match fast {
        Fast::General(_) => return None,
        Fast::Not(inner) => {
            // `not (a eq b)` is `a ne b`, null operands included (both are then true, and
            // `eq` is never null); the other comparisons are not each other's negation on
            // null.
            if let Fast::Compare {
                left,
                op: op @ (BinaryOp::Eq | BinaryOp::Ne),
                literal,
                instant,
            } = &**inner
            {
                let negated = if *op == BinaryOp::Eq {
                    BinaryOp::Ne
                } else {
                    BinaryOp::Eq
                };
                return compare(left, negated, literal, *instant, AtPath);
            }
            let inner = node(inner, upfront)?;
            Box::new(move |roots, rt| match inner(roots, rt) {
                Quick::True => Quick::False,
                Quick::False => Quick::True,
                other => other,
            })
        }
        Fast::And(l, r) => {
            let (l, r) = (node(l, upfront)?, node(r, upfront)?);
            Box::new(move |roots, rt| match l(roots, rt) {
                Quick::False => Quick::False,
                Quick::Defer => Quick::Defer,
                left => match r(roots, rt) {
                    Quick::True if left == Quick::True => Quick::True,
                    Quick::True | Quick::Null => Quick::Null,
                    right => right,
                },
            })
        }
        Fast::Or(l, r) => {
            let (l, r) = (node(l, upfront)?, node(r, upfront)?);
            Box::new(move |roots, rt| match l(roots, rt) {
                Quick::True => Quick::True,
                Quick::Defer => Quick::Defer,
                left => match r(roots, rt) {
                    Quick::False if left == Quick::False => Quick::False,
                    Quick::False | Quick::Null => Quick::Null,
                    right => right,
                },
            })
        }
        Fast::Compare {
            left,
            op,
            literal,
            instant,
        } => compare(left, *op, literal, *instant, AtPath)?,
        Fast::Text {
            path,
            function,
            needle,
        } => {
            let needle = needle.clone();
            match function {
                Function::StartsWith => text(path, needle, |t, n| t.starts_with(n)),
                Function::EndsWith => text(path, needle, |t, n| t.ends_with(n)),
                _ => {
                    let finder = Finder::new(&needle).into_owned();
                    text(path, needle, move |t, _| {
                        finder.find(t.as_bytes()).is_some()
                    })
                }
            }
        }
        Fast::In {
            path,
            members,
            strings: true,
        } => {
            let members: Vec<String> = members
                .iter()
                .filter_map(|m| match m {
                    Val::Str(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect();
            let charge = members.len() as u64;
            let members_in = move |value: &Value| match value {
                Value::String(text) => Quick::of(members.iter().any(|m| m == text)),
                // No string member equals null.
                Value::Null => Quick::False,
                _ => Quick::Defer,
            };
            match upfront {
                Some(upfront) => {
                    **upfront = upfront.saturating_add(charge);
                    on_path(path, move |value, _, _| members_in(value))
                }
                None => on_path(path, move |value, _, rt| {
                    if rt.tick(charge).is_err() {
                        return Quick::Defer;
                    }
                    members_in(value)
                }),
            }
        }
        Fast::In { .. } => return None,
        Fast::Folded {
            path,
            upper,
            op: op @ (BinaryOp::Eq | BinaryOp::Ne),
            literal: Val::Str(want),
            ..
        } => {
            let (upper, eq, want) = (*upper, *op == BinaryOp::Eq, want.to_string());
            on_path(path, move |value, _, _| match value {
                Value::String(text) if text.is_ascii() => {
                    Quick::of(ascii_folded_eq(text, &want, upper) == eq)
                }
                _ => Quick::Defer,
            })
        }
        Fast::Folded { .. } => return None,
        Fast::Shared {
            path,
            body,
            instants,
        } => {
            if let Some(tests) = TextTests::of(body) {
                return Some(text_tests(path, tests));
            }
            let body = node(body, upfront)?;
            let instants = *instants;
            on_path(path, move |value, roots, rt| {
                let variable_instant = match (instants, value) {
                    (true, Value::String(text)) => Some(temporal::common_instant(text)),
                    _ => None,
                };
                body(&roots.with_variable(value, variable_instant), rt)
            })
        }
        Fast::Lambda {
            path,
            all,
            body,
            body_steps,
        } => {
            let (per_member, all) = (body_steps.saturating_add(1), *all);
            if let Fast::Compare {
                left,
                op,
                literal,
                instant,
            } = &**body
            {
                let members = EachMember {
                    collection: path,
                    all,
                    per_member,
                };
                if let Some(pred) = compare(left, *op, literal, *instant, members) {
                    return Some(pred);
                }
            }
            let body = node(body, &mut None)?;
            on_path(path, move |value, roots, rt| match value {
                Value::Array(members) => {
                    each_member(members, roots, rt, per_member, all, |roots| body(roots, rt))
                }
                // As the tree: anything that is not a collection is empty.
                _ => Quick::of(all),
            })
        }
    })
}

/// `and`/`or`/`not` of `contains`/`startswith`/`endswith` of one shared value
/// (`startswith(source,'Azure') or contains(source,'Sap')`): on a string every test is
/// true or false, so they combine as plain Booleans in one closure, with no call per
/// node. A chain of `or`s (or of `and`s) of plain tests, the common shape, is one loop.
// A few nodes built once per filter: their size does not matter, an indirection per test
// would.
#[allow(clippy::large_enum_variant)]
enum TextTests {
    Test(TextTest),
    /// `a or b or ...` of plain tests.
    AnyOf(Vec<TextTest>),
    /// `a and b and ...` of plain tests.
    AllOf(Vec<TextTest>),
    Not(Box<TextTests>),
    And(Box<TextTests>, Box<TextTests>),
    Or(Box<TextTests>, Box<TextTests>),
}

/// One `contains`/`startswith`/`endswith` with its needle.
// A few nodes built once per filter: their size does not matter, an indirection per test
// would.
#[allow(clippy::large_enum_variant)]
enum TextTest {
    StartsWith(String),
    EndsWith(String),
    /// The needle's searcher, built once.
    Contains(Finder<'static>),
}

impl TextTest {
    #[inline(always)]
    fn holds(&self, text: &str) -> bool {
        match self {
            TextTest::StartsWith(needle) => text.starts_with(needle.as_str()),
            TextTest::EndsWith(needle) => text.ends_with(needle.as_str()),
            TextTest::Contains(finder) => finder.find(text.as_bytes()).is_some(),
        }
    }
}

impl TextTests {
    /// The tests of `body`, when it is made of nothing else and reads the shared value
    /// itself.
    fn of(body: &Fast) -> Option<TextTests> {
        if let Some(tests) = Self::chain(body, true) {
            return Some(TextTests::AnyOf(tests));
        }
        if let Some(tests) = Self::chain(body, false) {
            return Some(TextTests::AllOf(tests));
        }
        let both = |l: &Fast, r: &Fast| Some((Box::new(Self::of(l)?), Box::new(Self::of(r)?)));
        Some(match body {
            Fast::Not(inner) => TextTests::Not(Box::new(Self::of(inner)?)),
            Fast::And(l, r) => {
                let (l, r) = both(l, r)?;
                TextTests::And(l, r)
            }
            Fast::Or(l, r) => {
                let (l, r) = both(l, r)?;
                TextTests::Or(l, r)
            }
            _ => TextTests::Test(Self::test(body)?),
        })
    }

    /// The plain tests of a chain of at least two `or`s (`any`) or `and`s.
    fn chain(body: &Fast, any: bool) -> Option<Vec<TextTest>> {
        fn gather(body: &Fast, any: bool, out: &mut Vec<TextTest>) -> Option<()> {
            match (body, any) {
                (Fast::Or(l, r), true) | (Fast::And(l, r), false) => {
                    gather(l, any, out)?;
                    gather(r, any, out)
                }
                _ => {
                    out.push(TextTests::test(body)?);
                    Some(())
                }
            }
        }
        let mut tests = Vec::new();
        gather(body, any, &mut tests)?;
        (tests.len() > 1).then_some(tests)
    }

    /// A plain test of the shared value itself.
    fn test(body: &Fast) -> Option<TextTest> {
        match body {
            Fast::Text {
                path,
                function,
                needle,
            } if path.variable && path.names.is_empty() => Some(match function {
                Function::StartsWith => TextTest::StartsWith(needle.clone()),
                Function::EndsWith => TextTest::EndsWith(needle.clone()),
                _ => TextTest::Contains(Finder::new(needle).into_owned()),
            }),
            _ => None,
        }
    }

    fn hold(&self, text: &str) -> bool {
        match self {
            TextTests::Test(test) => test.holds(text),
            TextTests::AnyOf(tests) => tests.iter().any(|test| test.holds(text)),
            TextTests::AllOf(tests) => tests.iter().all(|test| test.holds(text)),
            TextTests::Not(inner) => !inner.hold(text),
            TextTests::And(l, r) => l.hold(text) && r.hold(text),
            TextTests::Or(l, r) => l.hold(text) || r.hold(text),
        }
    }
}

/// The closure for [`TextTests`] of the value at `path`. On null every test is null, and
/// `not`, `and` and `or` of nulls are null.
fn text_tests(path: &Path, tests: TextTests) -> Pred {
    on_path(path, move |value, _, _| match value {
        Value::String(text) => Quick::of(tests.hold(text)),
        Value::Null => Quick::Null,
        _ => Quick::Defer,
    })
}

/// `contains`/`startswith`/`endswith` of a string value and `needle`.
fn text<F>(path: &Path, needle: String, test: F) -> Pred
where
    F: Fn(&str, &str) -> bool + Send + Sync + 'static,
{
    on_path(path, move |value, _, _| match value {
        Value::String(text) => Quick::of(test(text, &needle)),
        Value::Null => Quick::Null,
        _ => Quick::Defer,
    })
}

/// `left op literal`, for the literal types with a trivial rule.
fn compare(
    left: &Operand,
    op: BinaryOp,
    literal: &Val<'static>,
    instant: Option<(i64, u32)>,
    leaf: impl Leaf,
) -> Option<Pred> {
    let outcomes = Outcomes::of(op)?;
    if let Operand::Arith { path, steps, .. } = left {
        let Val::Num(Num::Int(want)) = *literal else {
            return None;
        };
        if let Some(affine) = Affine::of(steps) {
            return Some(leaf.with(path, move |value, _, _| match value {
                Value::Number(n) => match n.as_i64() {
                    Some(have) => outcomes.holds(affine.at(have).cmp(&want)),
                    None => Quick::Defer,
                },
                Value::Null => outcomes.against_null(),
                _ => Quick::Defer,
            }));
        }
        let steps = steps.clone();
        return Some(leaf.with(path, move |value, _, _| {
            match integer_chain(value, &steps) {
                Some(result) => outcomes.holds(result.cmp(&want)),
                // Arithmetic on null is null, compared as null.
                None if value.is_null() => outcomes.against_null(),
                None => Quick::Defer,
            }
        }));
    }
    let Operand::Path(path) = left else {
        return None;
    };
    Some(match literal {
        Val::Null => {
            let eq = match op {
                BinaryOp::Eq => true,
                BinaryOp::Ne => false,
                // `null ge null` is true: leave the rarer forms to the tree.
                _ => return None,
            };
            leaf.with(path, move |value, _, _| Quick::of(value.is_null() == eq))
        }
        Val::Num(Num::Int(want)) => {
            let want = *want;
            leaf.with(path, move |value, _, _| match value {
                Value::Number(n) => match n.as_i64() {
                    Some(have) => outcomes.holds(i128::from(have).cmp(&want)),
                    None => Quick::Defer,
                },
                Value::Null => outcomes.against_null(),
                _ => Quick::Defer,
            })
        }
        Val::Str(want) => {
            let want = want.to_string();
            match op {
                BinaryOp::Eq | BinaryOp::Ne => {
                    let eq = op == BinaryOp::Eq;
                    leaf.with(path, move |value, _, _| match value {
                        Value::String(have) => Quick::of((*have == want) == eq),
                        Value::Null => Quick::of(!eq),
                        _ => Quick::Defer,
                    })
                }
                _ => leaf.with(path, move |value, _, _| match value {
                    Value::String(have) => outcomes.holds(have.as_bytes().cmp(want.as_bytes())),
                    Value::Null => outcomes.against_null(),
                    _ => Quick::Defer,
                }),
            }
        }
        Val::Bool(want) => {
            let want = *want;
            leaf.with(path, move |value, _, _| match value {
                Value::Bool(have) => outcomes.holds(have.cmp(&want)),
                Value::Null => outcomes.against_null(),
                _ => Quick::Defer,
            })
        }
        Val::DateTimeOffset(_) => {
            let want = instant?;
            let shared = path.names.is_empty();
            leaf.with(path, move |value, roots, _| match value {
                Value::String(text) => {
                    let have = match roots.variable_instant {
                        Some(known) if shared => known,
                        _ => temporal::common_instant(text),
                    };
                    match have {
                        Some(have) => outcomes.holds(have.cmp(&want)),
                        None => Quick::Defer,
                    }
                }
                Value::Null => outcomes.against_null(),
                _ => Quick::Defer,
            })
        }
        _ => return None,
    })
}

/// A chain of `add`/`sub`/`mul` of integer literals as one `scale * x + offset`, when
/// the coefficients are small enough that no step of the chain can leave `i128` for any
/// `i64` value: the result is then exactly the chain's, in one multiplication.
#[derive(Clone, Copy)]
struct Affine {
    scale: i128,
    offset: i128,
}

impl Affine {
    fn of(steps: &[(BinaryOp, i128)]) -> Option<Affine> {
        // |scale * x + offset| <= 2^60 * 2^63 + 2^120 < 2^127 at every step.
        const MAX_SCALE: u128 = 1 << 60;
        const MAX_OFFSET: u128 = 1 << 120;
        let (mut scale, mut offset) = (1i128, 0i128);
        for &(op, literal) in steps {
            match op {
                BinaryOp::Add => offset = offset.checked_add(literal)?,
                BinaryOp::Sub => offset = offset.checked_sub(literal)?,
                _ => {
                    scale = scale.checked_mul(literal)?;
                    offset = offset.checked_mul(literal)?;
                }
            }
            if scale.unsigned_abs() > MAX_SCALE || offset.unsigned_abs() > MAX_OFFSET {
                return None;
            }
        }
        Some(Affine { scale, offset })
    }

    #[inline]
    fn at(self, x: i64) -> i128 {
        i128::from(x) * self.scale + self.offset
    }
}

/// How a leaf's test becomes a closure.
trait Leaf {
    fn with<T>(self, path: &Path, test: T) -> Pred
    where
        T: Fn(&Value, &Roots<'_>, &Runtime<'_>) -> Quick + Send + Sync + 'static;
}

/// The test of the value at the path ([`on_path`]).
struct AtPath;

impl Leaf for AtPath {
    fn with<T>(self, path: &Path, test: T) -> Pred
    where
        T: Fn(&Value, &Roots<'_>, &Runtime<'_>) -> Quick + Send + Sync + 'static,
    {
        on_path(path, test)
    }
}

/// A lambda whose body is one comparison: the test runs on each member inside the
/// lambda's own closure, with no call per member. The answers are those of the lambda
/// closure over a compiled body: the same charge, the same stops.
struct EachMember<'p> {
    collection: &'p Path,
    all: bool,
    per_member: u64,
}

impl Leaf for EachMember<'_> {
    fn with<T>(self, path: &Path, test: T) -> Pred
    where
        T: Fn(&Value, &Roots<'_>, &Runtime<'_>) -> Quick + Send + Sync + 'static,
    {
        let (all, per_member) = (self.all, self.per_member);
        let inner = Path {
            variable: path.variable,
            names: path.names.clone(),
        };
        on_path(self.collection, move |value, roots, rt| match value {
            Value::Array(members) => each_member(members, roots, rt, per_member, all, |roots| {
                test(inner.find(*roots), roots, rt)
            }),
            _ => Quick::of(all),
        })
    }
}

/// `any` (or `all`) of `test` over `members`, as the tree: every member charged up front,
/// `any` stopping at a true member, `all` at one that is not.
#[inline]
fn each_member(
    members: &[Value],
    roots: &Roots<'_>,
    rt: &Runtime<'_>,
    per_member: u64,
    all: bool,
    test: impl Fn(&Roots<'_>) -> Quick,
) -> Quick {
    if rt
        .tick((members.len() as u64).saturating_mul(per_member))
        .is_err()
    {
        return Quick::Defer;
    }
    for member in members {
        match test(&roots.with_variable(member, None)) {
            Quick::Defer => return Quick::Defer,
            answer if (answer == Quick::True) != all => return Quick::of(!all),
            _ => {}
        }
    }
    Quick::of(all)
}

/// A closure that finds the value at `path` and hands it to `test`; specialised for the
/// common lengths, and finding what [`Path::find`] finds.
fn on_path<T>(path: &Path, test: T) -> Pred
where
    T: Fn(&Value, &Roots<'_>, &Runtime<'_>) -> Quick + Send + Sync + 'static,
{
    let from_variable = path.variable;
    fn start<'v>(from_variable: bool, roots: &Roots<'v>) -> Option<&'v Value> {
        if from_variable {
            roots.variable
        } else {
            Some(roots.item)
        }
    }
    match path.names.as_slice() {
        [] => Box::new(move |roots, rt| {
            test(
                start(from_variable, roots).unwrap_or(&Value::Null),
                roots,
                rt,
            )
        }),
        [name] => {
            let name = name.clone();
            Box::new(move |roots, rt| {
                let value = match start(from_variable, roots) {
                    Some(Value::Object(map)) => map.get(&name).unwrap_or(&Value::Null),
                    _ => &Value::Null,
                };
                test(value, roots, rt)
            })
        }
        [first, second] => {
            let (first, second) = (first.clone(), second.clone());
            Box::new(move |roots, rt| {
                let value = match start(from_variable, roots) {
                    Some(Value::Object(map)) => match map.get(&first) {
                        Some(Value::Object(inner)) => inner.get(&second).unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    },
                    _ => &Value::Null,
                };
                test(value, roots, rt)
            })
        }
        _ => {
            let path = Path {
                variable: from_variable,
                names: path.names.clone(),
            };
            Box::new(move |roots, rt| test(path.find(*roots), roots, rt))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_chains_are_the_chains_in_i128() {
        let exact = |start: i64, steps: &[(BinaryOp, i128)]| {
            steps
                .iter()
                .try_fold(i128::from(start), |value, &(op, literal)| match op {
                    BinaryOp::Add => value.checked_add(literal),
                    BinaryOp::Sub => value.checked_sub(literal),
                    _ => value.checked_mul(literal),
                })
        };
        let starts = [0, 1, -1, 7, -12, i64::MAX, i64::MIN, i64::MAX - 1];
        let literals = [
            0,
            1,
            -1,
            2,
            -3,
            1 << 40,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            1 << 119,
            i128::MAX,
            i128::MIN,
        ];
        let ops = [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul];
        let (mut affine, mut declined) = (0, 0);
        for &first in &literals {
            for &second in &literals {
                for op1 in ops {
                    for op2 in ops {
                        let steps = [(op1, first), (op2, second)];
                        let Some(chain) = Affine::of(&steps) else {
                            declined += 1;
                            continue;
                        };
                        affine += 1;
                        for start in starts {
                            let want = exact(start, &steps);
                            assert_eq!(Some(chain.at(start)), want, "{start} {steps:?}");
                        }
                    }
                }
            }
        }
        // Small coefficients are the common case; huge ones go to the exact chain.
        assert!(affine > declined, "{affine} affine, {declined} declined");
    }
}
