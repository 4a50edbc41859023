//! Specialised `$filter`s: the common shapes of a predicate (a property path of the item
//! compared with a constant, a string test of a path against a literal, `in` a list of
//! literals, `any` over a property path, and `and`/`or`/`not` of those) are compiled into
//! a small tree that reads the item's JSON directly. Every other expression stays a
//! general [`Node`], evaluated by [`exec`](super::exec) as before. A tree whose every
//! node has such a shape is compiled once more into closures ([`quick`]), which answer
//! the items whose values have the trivial types and hand the rest back to the tree.
//!
//! The answers are the general evaluator's by construction: a specialised leaf finds the
//! value the way the general path walk does (a missing member, or a member of anything
//! but an object, is null), then takes a shortcut only where the operands' types make the
//! rule trivial (an integer against an integer literal, a string against a string
//! literal, a Boolean against a Boolean); otherwise it calls the same rules
//! ([`value::compare_op`], [`value::equals`], [`functions::call`]). The step budget is
//! charged once per predicate with the number of specialised nodes (an upper bound of
//! what the general path charges), and per member of an `any` or `all`; general leaves charge as
//! they always do.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use crate::ast::{BinaryOp, Function};
use crate::error::EvalError;

use super::compile::{Node, PathNode, Root, Step};
use super::exec::{eval, Env, Runtime};
use super::value::{self, Num, Val};
use super::{functions, temporal};

mod quick;
use quick::Quick;

/// A compiled `$filter` (or other predicate): specialised where it can be.
#[derive(Debug)]
pub(crate) struct Filter {
    tree: Fast,
    /// The specialised nodes of `tree` outside lambdas (with what the closures charge up
    /// front, see [`quick::build`]), charged once per item.
    steps: u64,
    /// `tree` as closures, when every node of it has a trivial case (see [`quick`]).
    quick: Option<Closures>,
}

/// The closures of [`quick::build`].
struct Closures(quick::Pred);

impl std::fmt::Debug for Closures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Closures")
    }
}

/// A predicate node; evaluates to a truth value (`None` is null).
#[derive(Debug)]
enum Fast {
    /// Anything else: the general evaluator.
    General(Node),
    /// `not x`
    Not(Box<Fast>),
    /// `a and b`
    And(Box<Fast>, Box<Fast>),
    /// `a or b`
    Or(Box<Fast>, Box<Fast>),
    /// `path op literal` or `expr op literal`.
    Compare {
        left: Operand,
        op: BinaryOp,
        literal: Val<'static>,
        /// The instant of a DateTimeOffset literal, to compare with
        /// [`temporal::common_instant`] of the value.
        instant: Option<(i64, u32)>,
    },
    /// `contains`/`startswith`/`endswith(path, 'literal')`.
    Text {
        path: Path,
        function: Function,
        needle: String,
    },
    /// `path in (literal, ...)`
    In {
        path: Path,
        members: Vec<Val<'static>>,
        /// Every member is a string literal.
        strings: bool,
    },
    /// `tolower(path) eq 'literal'` (or `toupper`, or `ne`): compared without building
    /// the folded string when the value is ASCII (where Unicode case mapping is ASCII's);
    /// anything else through the general `node` (the call).
    Folded {
        path: Path,
        upper: bool,
        op: BinaryOp,
        literal: Val<'static>,
        node: Node,
    },
    /// `body` with `path` read once: its leaves read the value found as the variable
    /// (never inside a lambda, whose own variable that is).
    Shared {
        path: Path,
        body: Box<Fast>,
        /// More than one leaf compares the value with a DateTimeOffset (a range): a
        /// string value is read as an instant once, not once per leaf.
        instants: bool,
    },
    /// `path/any(x: body)` or `path/all(x: body)`, where the body's leaves read `x` or
    /// the item.
    Lambda {
        path: Path,
        all: bool,
        body: Box<Fast>,
        /// The specialised nodes of `body`, charged per member.
        body_steps: u64,
    },
}

/// The left side of a specialised comparison.
#[derive(Debug)]
enum Operand {
    /// A property path.
    Path(Path),
    /// `path op int op int ...` with `add`/`sub`/`mul` and integer literals, computed in
    /// integers when the path holds one; else (and on overflow) the general `node`.
    Arith {
        path: Path,
        steps: Vec<(BinaryOp, i128)>,
        node: Node,
    },
    /// A general expression (arithmetic, a function call); only outside lambdas.
    Node(Node),
}

/// A path of property names from the item (`$this`) or from the innermost lambda
/// variable (or of a shared value); empty only from a variable, which it then is.
#[derive(Debug)]
struct Path {
    variable: bool,
    names: Vec<String>,
}

/// Where paths start: the item, and the innermost lambda variable inside an `any` or `all`.
#[derive(Clone, Copy)]
struct Roots<'v> {
    item: &'v Value,
    variable: Option<&'v Value>,
    /// The variable's [`temporal::common_instant`], when a [`Fast::Shared`] read it
    /// already (a string that is not in the common form gives `Some(None)`).
    variable_instant: Option<Option<InstantKey>>,
}

impl<'v> Roots<'v> {
    /// The roots of a top-level item: as `holds` finds it through `Val::from_json`, paths
    /// on a scalar item are null.
    fn of_item(item: &'v Value) -> Roots<'v> {
        let item = match item {
            Value::Array(_) | Value::Object(_) => item,
            _ => &Value::Null,
        };
        Roots {
            item,
            variable: None,
            variable_instant: None,
        }
    }

    /// The same item, with `variable` (and its instant, when read) as the variable.
    #[inline]
    fn with_variable<'w>(
        &self,
        variable: &'w Value,
        variable_instant: Option<Option<InstantKey>>,
    ) -> Roots<'w>
    where
        'v: 'w,
    {
        Roots {
            item: self.item,
            variable: Some(variable),
            variable_instant,
        }
    }
}

impl Path {
    /// A path of property steps from `$this` (or, in a lambda, the variable `x`).
    fn of(node: &Node, in_lambda: bool) -> Option<Path> {
        let Node::Path(path) = node else {
            return None;
        };
        Path::of_path(path, path.steps.len(), in_lambda)
    }

    /// The first `len` steps of `path`, when they are property names from a usable root.
    fn of_path(path: &PathNode, len: usize, in_lambda: bool) -> Option<Path> {
        let variable = match path.root {
            Root::This => false,
            Root::Variable(0) if in_lambda => true,
            _ => return None,
        };
        let steps = path.steps.get(..len)?;
        if steps.is_empty() {
            return None;
        }
        let mut names = Vec::with_capacity(steps.len());
        for step in steps {
            match step {
                Step::Property(name) => names.push(name.clone()),
                _ => return None,
            }
        }
        Some(Path { variable, names })
    }

    /// The value at the path, as the general walk finds it: null when a member is
    /// missing or a step meets anything but an object.
    fn find<'v>(&self, roots: Roots<'v>) -> &'v Value {
        let mut value = match (self.variable, roots.variable) {
            (false, _) => roots.item,
            (true, Some(variable)) => variable,
            (true, None) => return &Value::Null,
        };
        for name in &self.names {
            value = match value {
                Value::Object(map) => match map.get(name) {
                    Some(next) => next,
                    None => return &Value::Null,
                },
                _ => return &Value::Null,
            };
        }
        value
    }
}

impl Filter {
    /// Compiles a predicate, specialising what can be.
    pub(crate) fn new(node: Node, sql_nulls: bool) -> Filter {
        // The .NET/SQL null switch changes comparisons with null; keep them general.
        let tree = if sql_nulls {
            Fast::General(node)
        } else {
            specialise(node)
        };
        let (quick, upfront) = match quick::build(&tree) {
            Some((pred, upfront)) => (Some(Closures(pred)), upfront),
            None => (None, 0),
        };
        let steps = tree.steps().saturating_add(upfront);
        Filter { tree, steps, quick }
    }

    /// Whether the predicate holds for `roots`, when the closures can tell (they build
    /// nothing, so there is nothing to release).
    #[inline]
    fn quick_answer(&self, roots: &Roots<'_>, rt: &Runtime<'_>) -> Option<bool> {
        match (self.quick.as_ref()?.0)(roots, rt) {
            Quick::True => Some(true),
            Quick::False | Quick::Null => Some(false),
            Quick::Defer => None,
        }
    }

    /// Whether the predicate is true for `env.this` (URL §5.1.2: only `true` passes).
    pub(crate) fn holds<'a>(
        &'a self,
        env: &Env<'a, '_>,
        rt: &Runtime<'_>,
    ) -> Result<bool, EvalError> {
        if let Fast::General(node) = &self.tree {
            return super::exec::holds(node, env, rt);
        }
        rt.tick(self.steps)?;
        let item = match env.this {
            Val::Json(value) => value,
            Val::Owned(value) => value.as_ref(),
            // A scalar item: every property path on it is null.
            _ => &Value::Null,
        };
        let roots = Roots {
            item,
            variable: None,
            variable_instant: None,
        };
        if let Some(answer) = self.quick_answer(&roots, rt) {
            return Ok(answer);
        }
        Ok(self.tree.truth(roots, Source::Env(env), rt)? == Some(true))
    }

    /// [`Filter::holds`] for a top-level item without `$compute` values, charging
    /// `extra_steps` with the predicate's own: the same answer, but the environment of
    /// general leaves is built only when one runs (the common filter needs none).
    #[inline]
    pub(crate) fn holds_item(
        &self,
        item: &Value,
        extra_steps: u64,
        rt: &Runtime<'_>,
    ) -> Result<bool, EvalError> {
        if let Some(Closures(quick)) = &self.quick {
            rt.tick(extra_steps.saturating_add(self.steps))?;
            // Every path of the closures starts with a name, which a scalar or an array
            // item does not have: they need not see `of_item`'s null for one.
            let roots = Roots {
                item,
                variable: None,
                variable_instant: None,
            };
            return match quick(&roots, rt) {
                Quick::True => Ok(true),
                Quick::False | Quick::Null => Ok(false),
                Quick::Defer => self.holds_item_by_tree(item, Roots::of_item(item), rt),
            };
        }
        if let Fast::General(node) = &self.tree {
            return self.holds_item_general(node, item, extra_steps, rt);
        }
        rt.tick(extra_steps.saturating_add(self.steps))?;
        self.holds_item_by_tree(item, Roots::of_item(item), rt)
    }

    /// The tree's answer for a top-level item; what its general leaves build is released.
    #[inline(never)]
    fn holds_item_by_tree(
        &self,
        item: &Value,
        roots: Roots<'_>,
        rt: &Runtime<'_>,
    ) -> Result<bool, EvalError> {
        let mark = rt.bytes_mark();
        let kept = self.tree.truth(roots, Source::Item(item), rt);
        rt.release_to(mark);
        Ok(kept? == Some(true))
    }

    /// A predicate with no specialised part, over a top-level item.
    #[inline(never)]
    fn holds_item_general(
        &self,
        node: &Node,
        item: &Value,
        extra_steps: u64,
        rt: &Runtime<'_>,
    ) -> Result<bool, EvalError> {
        rt.tick(extra_steps)?;
        let mark = rt.bytes_mark();
        let this = Val::from_json(item);
        let kept = super::exec::holds(node, &Env::new(&this, &[]), rt);
        rt.release_to(mark);
        kept
    }
}

/// Where the general leaves of a specialised tree find their environment.
#[derive(Clone, Copy)]
enum Source<'e, 'a, 'r> {
    /// The caller's environment.
    Env(&'e Env<'a, 'r>),
    /// A top-level item alone (`Env::new(item, &[])`), built when a general leaf runs.
    Item(&'a Value),
}

impl<'a> Source<'_, 'a, '_> {
    /// Evaluates the general `node` in this environment and hands the value to `then`.
    fn eval<T>(
        self,
        node: &'a Node,
        rt: &Runtime<'_>,
        then: impl FnOnce(&Val<'_>) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        match self {
            Source::Env(env) => then(&eval(node, env, rt)?),
            Source::Item(item) => {
                let this = Val::from_json(item);
                then(&eval(node, &Env::new(&this, &[]), rt)?)
            }
        }
    }
}

/// Rewrites a node into a specialised tree where its shape allows.
fn specialise(node: Node) -> Fast {
    match node {
        Node::Not(inner) => Fast::Not(Box::new(specialise(*inner))),
        Node::And(l, r) => share(Fast::And(
            Box::new(specialise(*l)),
            Box::new(specialise(*r)),
        )),
        Node::Or(l, r) => share(Fast::Or(Box::new(specialise(*l)), Box::new(specialise(*r)))),
        other => leaf(other, false).unwrap_or_else(Fast::General),
    }
}

/// `a and b` / `a or b` whose leaves all read one property path from the item (a range,
/// `startswith(p,..) or contains(p,..)`): the path is read once, as a lambda variable.
fn share(fast: Fast) -> Fast {
    let (Fast::And(l, r) | Fast::Or(l, r)) = &fast else {
        return fast;
    };
    let names = match (shared_path(l), shared_path(r)) {
        (Some(a), Some(b)) if a.names == b.names => a.names.clone(),
        _ => return fast,
    };
    let path = Path {
        variable: false,
        names,
    };
    let body = rebase(fast);
    let instants = body.instant_leaves() > 1;
    Fast::Shared {
        path,
        body: Box::new(body),
        instants,
    }
}

/// The item's path every leaf of `fast` reads, when there is one (leaves, `not` of
/// them, and shared nodes).
fn shared_path(fast: &Fast) -> Option<&Path> {
    let path = match fast {
        Fast::Compare {
            left: Operand::Path(path),
            ..
        }
        | Fast::Text { path, .. }
        | Fast::In { path, .. }
        | Fast::Folded { path, .. }
        | Fast::Shared { path, .. } => path,
        Fast::Not(inner) => return shared_path(inner),
        _ => return None,
    };
    (!path.variable).then_some(path)
}

/// `fast` (whose leaves read one path, see [`shared_path`]) reading the value found
/// instead: its leaves' paths become the variable itself.
fn rebase(fast: Fast) -> Fast {
    let variable = || Path {
        variable: true,
        names: Vec::new(),
    };
    match fast {
        Fast::Compare {
            left: Operand::Path(_),
            op,
            literal,
            instant,
        } => Fast::Compare {
            left: Operand::Path(variable()),
            op,
            literal,
            instant,
        },
        Fast::Text {
            function, needle, ..
        } => Fast::Text {
            path: variable(),
            function,
            needle,
        },
        Fast::In {
            members, strings, ..
        } => Fast::In {
            path: variable(),
            members,
            strings,
        },
        Fast::Folded {
            upper,
            op,
            literal,
            node,
            ..
        } => Fast::Folded {
            path: variable(),
            upper,
            op,
            literal,
            node,
        },
        Fast::Shared { body, .. } => *body,
        Fast::Not(inner) => Fast::Not(Box::new(rebase(*inner))),
        Fast::And(l, r) => Fast::And(Box::new(rebase(*l)), Box::new(rebase(*r))),
        Fast::Or(l, r) => Fast::Or(Box::new(rebase(*l)), Box::new(rebase(*r))),
        other => other,
    }
}

/// The specialised form of a lambda body, when every part of it has one.
fn specialise_lambda(node: &Node) -> Option<Fast> {
    Some(match node {
        Node::Not(inner) => Fast::Not(Box::new(specialise_lambda(inner)?)),
        Node::And(l, r) => Fast::And(
            Box::new(specialise_lambda(l)?),
            Box::new(specialise_lambda(r)?),
        ),
        Node::Or(l, r) => Fast::Or(
            Box::new(specialise_lambda(l)?),
            Box::new(specialise_lambda(r)?),
        ),
        _ => leaf_shape(node, true)?,
    })
}

/// A specialised leaf, or the node back.
fn leaf(node: Node, in_lambda: bool) -> Result<Fast, Node> {
    if let Some(fast) = leaf_shape(&node, in_lambda) {
        return Ok(fast);
    }
    // `expr op literal` with a general left side (arithmetic, functions).
    if !in_lambda {
        if let Node::Compare(op, left, right) = node {
            return match *right {
                Node::Const(literal @ Val::Str(_)) if matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
                    match folded_path(&left) {
                        Some((path, upper)) => Ok(Fast::Folded {
                            path,
                            upper,
                            op,
                            literal,
                            node: *left,
                        }),
                        None => Ok(Fast::compare(Operand::Node(*left), op, literal)),
                    }
                }
                Node::Const(literal) if is_comparison(op) && !matches!(*left, Node::Const(_)) => {
                    let left = match arith_chain(&left) {
                        Some((path, mut steps)) => {
                            steps.reverse();
                            Operand::Arith {
                                path,
                                steps,
                                node: *left,
                            }
                        }
                        None => Operand::Node(*left),
                    };
                    Ok(Fast::compare(left, op, literal))
                }
                right => Err(Node::Compare(op, left, Box::new(right))),
            };
        }
    }
    Err(node)
}

/// `tolower(path)` / `toupper(path)`: the path and whether it is `toupper`.
fn folded_path(node: &Node) -> Option<(Path, bool)> {
    let Node::Call(function @ (Function::ToLower | Function::ToUpper), args) = node else {
        return None;
    };
    let [subject] = args.as_slice() else {
        return None;
    };
    Some((Path::of(subject, false)?, *function == Function::ToUpper))
}

/// `path op int op int ...` (innermost last): a property path, then `add`/`sub`/`mul`
/// of integer literals on the right.
fn arith_chain(node: &Node) -> Option<(Path, Vec<(BinaryOp, i128)>)> {
    let Node::Arith(op @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul), left, right) = node
    else {
        return None;
    };
    let Node::Const(Val::Num(Num::Int(literal))) = right.as_ref() else {
        return None;
    };
    let (path, mut steps) = match Path::of(left, false) {
        Some(path) => (path, Vec::new()),
        None => arith_chain(left)?,
    };
    steps.insert(0, (*op, *literal));
    Some((path, steps))
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le
    )
}

/// The leaves whose parts are all paths and literals (they are rebuilt from borrowed
/// parts, so the node is left whole when it has no specialised form).
fn leaf_shape(node: &Node, in_lambda: bool) -> Option<Fast> {
    match node {
        Node::Compare(op, left, right) if is_comparison(*op) => {
            let path = Path::of(left, in_lambda)?;
            let Node::Const(literal) = right.as_ref() else {
                return None;
            };
            Some(Fast::compare(Operand::Path(path), *op, literal.clone()))
        }
        Node::Call(
            function @ (Function::Contains | Function::StartsWith | Function::EndsWith),
            args,
        ) => {
            let [subject, Node::Const(Val::Str(needle))] = args.as_slice() else {
                return None;
            };
            Some(Fast::Text {
                path: Path::of(subject, in_lambda)?,
                function: *function,
                needle: needle.to_string(),
            })
        }
        Node::In(left, right) => {
            let path = Path::of(left, in_lambda)?;
            let Node::List(items) = right.as_ref() else {
                return None;
            };
            let mut members = Vec::with_capacity(items.len());
            for item in items {
                let Node::Const(literal) = item else {
                    return None;
                };
                members.push(literal.clone());
            }
            let strings = members.iter().all(|m| matches!(m, Val::Str(_)));
            Some(Fast::In {
                path,
                members,
                strings,
            })
        }
        Node::Path(path) if !in_lambda => {
            let (body, all) = match path.steps.last()? {
                Step::Any(Some(body)) => (body, false),
                Step::All(body) => (body, true),
                _ => return None,
            };
            let collection = Path::of_path(path, path.steps.len() - 1, false)?;
            let body = specialise_lambda(body)?;
            let body_steps = body.steps();
            Some(Fast::Lambda {
                path: collection,
                all,
                body: Box::new(body),
                body_steps,
            })
        }
        _ => None,
    }
}

impl Fast {
    /// `left op literal`.
    fn compare(left: Operand, op: BinaryOp, literal: Val<'static>) -> Fast {
        let instant = match &literal {
            Val::DateTimeOffset(value) => Some(temporal::instant_key(value)),
            _ => None,
        };
        Fast::Compare {
            left,
            op,
            literal,
            instant,
        }
    }

    /// The specialised nodes (general ones charge for themselves; lambda bodies per member).
    fn steps(&self) -> u64 {
        match self {
            Fast::General(_) => 0,
            Fast::Not(inner) => 1 + inner.steps(),
            Fast::And(l, r) | Fast::Or(l, r) => 1 + l.steps() + r.steps(),
            Fast::Compare { left, .. } => match left {
                Operand::Path(path) => 3 + path.names.len() as u64,
                Operand::Arith { path, steps, .. } => {
                    3 + path.names.len() as u64 + 2 * steps.len() as u64
                }
                Operand::Node(_) => 2,
            },
            Fast::Text { path, .. } | Fast::In { path, .. } | Fast::Folded { path, .. } => {
                3 + path.names.len() as u64
            }
            Fast::Lambda { path, .. } => 1 + path.names.len() as u64,
            Fast::Shared { path, body, .. } => path.names.len() as u64 + body.steps(),
        }
    }

    /// The comparisons with a DateTimeOffset literal among the leaves.
    fn instant_leaves(&self) -> usize {
        match self {
            Fast::Compare {
                instant: Some(_), ..
            } => 1,
            Fast::Not(inner) => inner.instant_leaves(),
            Fast::And(l, r) | Fast::Or(l, r) => l.instant_leaves() + r.instant_leaves(),
            _ => 0,
        }
    }

    /// The truth value (three-valued logic of URL §5.1.1.1.7-9, as in `exec`).
    fn truth<'a>(
        &'a self,
        roots: Roots<'_>,
        env: Source<'_, 'a, '_>,
        rt: &Runtime<'_>,
    ) -> Result<Option<bool>, EvalError> {
        Ok(match self {
            Fast::General(node) => env.eval(node, rt, |value| Ok(value::truth(value)))?,
            Fast::Not(inner) => inner.truth(roots, env, rt)?.map(|b| !b),
            Fast::And(l, r) => {
                let left = l.truth(roots, env, rt)?;
                if left == Some(false) {
                    return Ok(Some(false));
                }
                value::and3(left, r.truth(roots, env, rt)?)
            }
            Fast::Or(l, r) => {
                let left = l.truth(roots, env, rt)?;
                if left == Some(true) {
                    return Ok(Some(true));
                }
                value::or3(left, r.truth(roots, env, rt)?)
            }
            Fast::Compare {
                left,
                op,
                literal,
                instant,
            } => match left {
                Operand::Path(path) => {
                    // A shared value's instant, read once (see `Fast::Shared`).
                    let known = if path.names.is_empty() {
                        roots.variable_instant
                    } else {
                        None
                    };
                    let instants = (*instant, known);
                    compare_json(*op, path.find(roots), literal, instants, rt)?
                }
                Operand::Arith { path, steps, node } => {
                    match integer_chain(path.find(roots), steps) {
                        Some(result) => match literal {
                            Val::Num(Num::Int(want)) => Some(holds_ordering(*op, result.cmp(want))),
                            _ => compare_val(*op, &Val::Num(Num::Int(result)), literal, rt)?,
                        },
                        None => env.eval(node, rt, |value| compare_val(*op, value, literal, rt))?,
                    }
                }
                Operand::Node(node) => {
                    env.eval(node, rt, |value| compare_val(*op, value, literal, rt))?
                }
            },
            Fast::Text {
                path,
                function,
                needle,
            } => match path.find(roots) {
                Value::String(text) => Some(match function {
                    Function::StartsWith => text.starts_with(needle.as_str()),
                    Function::EndsWith => text.ends_with(needle.as_str()),
                    _ => text.contains(needle.as_str()),
                }),
                Value::Null => None,
                other => {
                    let args = vec![
                        Val::from_json(other),
                        Val::Str(Cow::Borrowed(needle.as_str())),
                    ];
                    value::truth(&functions::call(*function, args, rt)?)
                }
            },
            Fast::Shared {
                path,
                body,
                instants,
            } => {
                let value = path.find(roots);
                let variable_instant = match (instants, value) {
                    (true, Value::String(text)) => Some(temporal::common_instant(text)),
                    _ => None,
                };
                body.truth(roots.with_variable(value, variable_instant), env, rt)?
            }
            Fast::Folded {
                path,
                upper,
                op,
                literal,
                node,
            } => match (path.find(roots), literal) {
                (Value::String(text), Val::Str(want)) if text.is_ascii() => {
                    Some(ascii_folded_eq(text, want, *upper) == (*op == BinaryOp::Eq))
                }
                _ => env.eval(node, rt, |value| compare_val(*op, value, literal, rt))?,
            },
            Fast::In {
                path,
                members,
                strings,
            } => {
                rt.tick(members.len() as u64)?;
                let found = path.find(roots);
                if let (true, Value::String(text)) = (strings, found) {
                    // String against string literals: `eq` is byte equality.
                    let hit = members
                        .iter()
                        .any(|m| matches!(m, Val::Str(want) if want.as_ref() == text.as_str()));
                    return Ok(Some(hit));
                }
                let needle = Val::from_json(found);
                let mut found = false;
                for member in members {
                    if value::equals(&needle, member, rt.max_json_depth())? {
                        found = true;
                        break;
                    }
                }
                Some(found)
            }
            Fast::Lambda {
                path,
                all,
                body,
                body_steps,
            } => match path.find(roots) {
                Value::Array(members) => {
                    rt.tick((members.len() as u64).saturating_mul(body_steps + 1))?;
                    // `any` stops at the first member that gives true, `all` at the first
                    // that does not (null is not true); neither looks further.
                    for member in members {
                        let holds = body.truth(roots.with_variable(member, None), env, rt)?;
                        if (holds == Some(true)) != *all {
                            return Ok(Some(!*all));
                        }
                    }
                    Some(*all)
                }
                // A choice (URL §5.1.1.13 is silent): a null or missing collection is
                // empty; so is anything else that is not a collection.
                _ => Some(*all),
            },
        })
    }
}

/// Whether the ASCII `text`, upper- or lower-cased, is `want`.
#[inline]
fn ascii_folded_eq(text: &str, want: &str, upper: bool) -> bool {
    // One loop per case: the choice is made once, not per byte.
    text.len() == want.len()
        && if upper {
            text.bytes()
                .map(|b| b.to_ascii_uppercase())
                .eq(want.bytes())
        } else {
            text.bytes()
                .map(|b| b.to_ascii_lowercase())
                .eq(want.bytes())
        }
}

/// Seconds since the Unix epoch and nanoseconds (see [`temporal::common_instant`]).
type InstantKey = (i64, u32);

/// `value op literal` for a value read from the JSON: shortcuts for the trivial cases,
/// else the general rule.
///
/// `instants` holds the literal's instant (for a DateTimeOffset literal) and, when it was
/// read already, the value's [`temporal::common_instant`].
fn compare_json(
    op: BinaryOp,
    value: &Value,
    literal: &Val<'static>,
    (instant, known): (Option<InstantKey>, Option<Option<InstantKey>>),
    rt: &Runtime<'_>,
) -> Result<Option<bool>, EvalError> {
    if let (Val::Null, BinaryOp::Eq | BinaryOp::Ne) = (literal, op) {
        // `eq null` is true exactly for null (a missing member reads as null).
        return Ok(Some(value.is_null() == (op == BinaryOp::Eq)));
    }
    let ordering = match (value, literal) {
        (Value::Number(n), Val::Num(Num::Int(want))) => {
            n.as_i64().map(|have| i128::from(have).cmp(want))
        }
        (Value::String(have), Val::Str(want)) => Some(have.as_bytes().cmp(want.as_bytes())),
        (Value::Bool(have), Val::Bool(want)) => Some(have.cmp(want)),
        // A string read as a DateTimeOffset once (the general rule reads it again for
        // the `eq` half of `ge`/`le`); instants compare as the general rule does.
        (Value::String(text), Val::DateTimeOffset(want)) => {
            let have = match known {
                Some(have) => have,
                None => temporal::common_instant(text),
            };
            match (have, instant) {
                (Some(have), Some(want)) => Some(have.cmp(&want)),
                _ => temporal::parse_datetime_lenient(text).map(|have| have.cmp(want)),
            }
        }
        _ => None,
    };
    match ordering {
        Some(ordering) => Ok(Some(holds_ordering(op, ordering))),
        None => compare_val(op, &Val::from_json(value), literal, rt),
    }
}

/// `value op c op c ...` in integers, when `value` is an integer and nothing overflows
/// (the general rule computes the same in `i128` and fails on overflow).
fn integer_chain(value: &Value, steps: &[(BinaryOp, i128)]) -> Option<i128> {
    let Value::Number(number) = value else {
        return None;
    };
    let start = number.as_i64()?;
    // In `i64` while nothing overflows it (the common case, and cheaper than `i128`), in
    // `i128` from the step that would.
    let mut narrow = Some(start);
    for (op, literal) in steps {
        let (Some(value), Ok(literal)) = (narrow, i64::try_from(*literal)) else {
            narrow = None;
            break;
        };
        narrow = match op {
            BinaryOp::Add => value.checked_add(literal),
            BinaryOp::Sub => value.checked_sub(literal),
            _ => value.checked_mul(literal),
        };
        if narrow.is_none() {
            break;
        }
    }
    if let Some(result) = narrow {
        return Some(i128::from(result));
    }
    let mut result = i128::from(start);
    for (op, literal) in steps {
        result = match op {
            BinaryOp::Add => result.checked_add(*literal)?,
            BinaryOp::Sub => result.checked_sub(*literal)?,
            _ => result.checked_mul(*literal)?,
        };
    }
    Some(result)
}

/// What `op` says of two values of one type that compare as `ordering`.
fn holds_ordering(op: BinaryOp, ordering: Ordering) -> bool {
    match op {
        BinaryOp::Eq => ordering.is_eq(),
        BinaryOp::Ne => ordering.is_ne(),
        BinaryOp::Gt => ordering.is_gt(),
        BinaryOp::Ge => ordering.is_ge(),
        BinaryOp::Lt => ordering.is_lt(),
        _ => ordering.is_le(),
    }
}

/// The general comparison rule, as `exec` applies it.
fn compare_val(
    op: BinaryOp,
    value: &Val<'_>,
    literal: &Val<'static>,
    rt: &Runtime<'_>,
) -> Result<Option<bool>, EvalError> {
    Ok(Some(value::compare_op(
        op,
        value,
        literal,
        rt.max_json_depth(),
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    use crate::ast::Query;
    use crate::eval::compile::Compiler;
    use crate::eval::{DefaultSearch, EvalOptions};
    use crate::limits::Limits;

    /// Compiles `filter` twice: specialised, and left general.
    fn both(filter: &str, options: &EvalOptions) -> (Filter, Filter) {
        let query = Query::parse(&format!("$filter={filter}")).unwrap();
        let expr = query.filter.as_ref().unwrap();
        let fast = Filter::new(
            Compiler::new(options).predicate(expr, "$filter").unwrap(),
            false,
        );
        let node = Compiler::new(options).predicate(expr, "$filter").unwrap();
        let general = Filter {
            tree: Fast::General(node),
            steps: 0,
            quick: None,
        };
        (fast, general)
    }

    #[test]
    fn specialised_filters_answer_as_the_general_evaluator() {
        let filters = [
            "n gt 5",
            "n ge 5",
            "n lt 5.5",
            "n le 5",
            "n eq 5",
            "n ne 5",
            "n eq null",
            "n ne null",
            "s eq 'b'",
            "s gt 'b'",
            "s le 'b'",
            "b eq true",
            "b gt false",
            "a/b/c eq 1",
            "a/b ne null",
            "a/b eq 3",
            "xs/any(x: x/v/w eq null)",
            "t ge 2026-01-01T00:00:00Z and t lt 2026-04-01T00:00:00+02:00",
            "t eq 2026-01-01",
            "contains(s,'b') or startswith(s,'a') or endswith(s,'c')",
            "not (contains(s,'b') and startswith(s,'a')) or endswith(s,'c')",
            "startswith(s,'a') and not endswith(s,'c')",
            "contains(s,'b') and startswith(s,'a') and endswith(s,'c')",
            "(contains(s,'') or startswith(s,'a')) and endswith(s,'c') or contains(s,'bc')",
            "contains(arr,'b')",
            "startswith(arr,'x') and not endswith(arr,'b')",
            "not (s in ('a','b',null))",
            "not (s eq 'b') and not (n ne 3) or not (b eq true)",
            "not (n eq null) and not (t eq 2026-01-01T00:00:00Z)",
            "not ((n add 1) mul 2 eq 8) or not (a/b/c ne 1)",
            "(n sub 3) mul -2 gt -4 and (n add 9223372036854775807) mul 3 ne 0",
            "n in (1, 5.0, 9)",
            "xs/any(x: x/v gt 2 and not (x/w eq 'q'))",
            "xs/any(x: x/v eq n)",
            "xs/any(x: x/v in (1, 2))",
            "(n add 1) mul 2 gt 10 and not (s eq 'failed')",
            "tolower(s) eq 'b'",
            "tolower(s) ne 'abc' and toupper(s) eq 'B'",
            "toupper(s) eq 'ÉTÉ' or tolower(s) eq 'σας' or tolower(s) ne 'b'",
            "tolower(a/b/c) eq '1'",
            "not (s eq 'b') and s ne null",
            "a/b/c gt 0 and a/b/c lt 5 or a/b/c eq null",
            "(tolower(s) eq 'b' or s in ('abc', 5)) and not startswith(s, 'a')",
            "xs/any(x: x/v gt 0 and x/v lt 3) and n ge 1 and n le 2",
            "xs/all(x: x/v gt 2)",
            "xs/any(x: x/w eq 'q')",
            "xs/all(x: x/v ne null)",
            "xs/any(x: n gt 2)",
            "xs/any(x: x eq 1)",
            "xs/all(x: (x/v add 1) mul 2 gt 5)",
            "xs/any(x: x/w ge 2026-01-01T00:00:00Z)",
            "xs/all(x: x/v/w eq true)",
            "xs/all(x: x/v lt 3 or x/w eq 'q') or n eq 2",
            "not xs/all(x: x/v ne null and x/v in (1, 3))",
            "xs/all(x: x/v eq n)",
            "xs/all(x: x/v gt 2 or contains(x/w, 'q'))",
            "(n sub 2) mul 3 ge 9",
            "n mul 3 eq 16.5",
            "n mul 9223372036854775807 mul 9223372036854775807 mul 4 gt 0",
            "a/b/c add 1 eq 2 or t le 2026-03-31T23:30:00+01:00",
            "t ne 2026-02-01T12:00:00+02:00",
            "n eq 5 or n gt 'x'",
            "not (n gt 5) or (b eq null and s ne 'z')",
            "length(s) gt 2 and n eq 5",
            "n eq 5 or (s eq 'b' and $it/n eq 5) or concat(s,'x') eq 'bx'",
        ];
        let items = [
            json!({}),
            json!(null),
            json!(7),
            json!("b"),
            json!([{"n": 5, "s": "b"}]),
            json!({"n": 5, "s": "b", "b": true}),
            json!({"n": 5.0, "s": "B", "b": false}),
            json!({"n": 5.5, "s": "abc", "b": null}),
            json!({"n": 18446744073709551615u64, "s": 5, "b": "true"}),
            json!({"n": -3, "s": null, "arr": ["a", "b"]}),
            json!({"n": "5", "s": ["b"], "arr": "xbx"}),
            json!({"n": null, "s": {"x": 1}, "arr": null}),
            json!({"a": {"b": {"c": 1}}, "t": "2026-02-01T10:00:00Z"}),
            json!({"a": {"b": {"c": 1.0}}, "t": "2026-01-01T00:00:00.0000000Z"}),
            json!({"a": {"b": 3}, "t": "2026-03-31T23:30:00+01:00"}),
            json!({"a": [1], "t": "not a date"}),
            json!({"a": null, "t": 20260101}),
            json!({"xs": [{"v": 1}, {"v": 3, "w": "q"}], "n": 1}),
            json!({"xs": [{"v": 1}, {"v": 3, "w": "r"}], "n": 3}),
            json!({"xs": {"v": 3}, "n": 3}),
            json!({"xs": [1, null, {"v": "3"}], "n": 3}),
            json!({"xs": null, "n": 2}),
            json!({"xs": [], "n": 2}),
            json!({"xs": [{"v": 3}, {"v": null}], "n": 3}),
            json!({"xs": "abc", "n": 3}),
            json!({"s": "été"}),
            json!({"s": "ΣΑΣ"}),
            json!({"s": "Abc"}),
        ];
        for sql_nulls in [false, true] {
            let options = EvalOptions {
                sql_null_semantics: sql_nulls,
                ..EvalOptions::default()
            };
            let limits = Limits::default();
            let search = DefaultSearch::default();
            let mut rt = Runtime::new(
                &limits,
                chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).fixed_offset(),
                &search,
            );
            rt.sql_nulls = sql_nulls;
            for filter in filters {
                let (fast, general) = both(filter, &options);
                for item in &items {
                    let value = Val::from_json(item);
                    let env = Env::new(&value, &[]);
                    let expected = general.holds(&env, &rt);
                    assert_eq!(
                        fast.holds(&env, &rt),
                        expected,
                        "{filter} over {item} (SQL nulls: {sql_nulls})"
                    );
                    assert_eq!(
                        fast.holds_item(item, 0, &rt),
                        expected,
                        "{filter} over {item}, item alone (SQL nulls: {sql_nulls})"
                    );
                }
            }
        }
    }

    /// The closures answer exactly as the tree (three-valued) wherever they do not defer.
    #[test]
    fn closures_answer_as_the_tree() {
        let filters = [
            "n gt 5 and not (n eq 7)",
            "n ge 5 or n le -3 or n ne 4",
            "s eq 'b' or s ne 'abc' and s gt 'a' and s lt 'c'",
            "b eq true or b gt false",
            "n eq null or s ne null",
            "a/b/c eq 1 and a/b ne null",
            "t ge 2026-01-01T00:00:00Z and t lt 2026-04-01T00:00:00+02:00",
            "t gt 2026-02-01T10:00:00Z or t le 2026-01-01T00:00:00Z",
            "contains(s,'b') or startswith(s,'a') or endswith(s,'c')",
            "not (contains(s,'b') and startswith(s,'a')) or endswith(s,'c')",
            "startswith(s,'a') and not endswith(s,'c')",
            "contains(s,'b') and startswith(s,'a') and endswith(s,'c')",
            "(contains(s,'') or startswith(s,'a')) and endswith(s,'c') or contains(s,'bc')",
            "s in ('a','b','abc')",
            "not (s eq 'b') and not (n ne 3) or not (b eq true)",
            "not (n eq null) and not (t eq 2026-01-01T00:00:00Z)",
            "not ((n add 1) mul 2 eq 8) or not (a/b/c ne 1)",
            "(n sub 3) mul -2 gt -4 and (n add 9223372036854775807) mul 3 ne 0",
            "xs/any(x: x/v gt 2 and not (x/w eq 'q'))",
            "xs/all(x: x/v gt 2 or x/w eq 'q')",
            "xs/all(x: x/v gt 2 or contains(x/w, 'q'))",
            "not xs/all(x: x/v ne null) or s eq 'b'",
            "xs/any(x: x/v gt 3)",
            "xs/all(x: x/v lt 5)",
            "xs/any(x: x/w eq 'q') or xs/all(x: x/v ne null)",
            "xs/any(x: n gt 2)",
            "(n add 1) mul 2 gt 10 and not (s eq 'failed')",
            "(a/b/c sub 2) mul 3 le 9",
            "tolower(s) eq 'b' or toupper(s) ne 'ABC'",
        ];
        let items = [
            json!({}),
            json!(null),
            json!({"n": 5, "s": "b", "b": true}),
            json!({"n": 7, "s": "abc", "b": false}),
            json!({"n": -3, "s": null, "b": null}),
            json!({"n": 5.5, "s": 5, "b": "true"}),
            json!({"n": 18446744073709551615u64, "s": "B"}),
            json!({"n": null, "s": ["b"]}),
            json!({"a": {"b": {"c": 1}}, "t": "2026-02-01T10:00:00Z"}),
            json!({"a": {"b": {"c": 4}}, "t": "2026-01-01T00:00:00.0000000Z"}),
            json!({"a": {"b": null}, "t": "2026-03-31T23:30:00+01:00"}),
            json!({"a": [1], "t": "not a date"}),
            json!({"t": null, "xs": [{"v": 1}, {"v": 3, "w": "q"}]}),
            json!({"t": 5, "xs": [{"v": 3, "w": "r"}]}),
            json!({"xs": [1, null, {"v": "3"}]}),
            json!({"xs": [{"v": 4}, {"v": 1, "w": "q"}, {"v": 5}]}),
            json!({"xs": [{"v": 4}, {"v": null}], "s": "b"}),
            json!({"xs": [], "s": "a"}),
            json!({"s": "été", "xs": null}),
        ];
        let limits = Limits::default();
        let search = DefaultSearch::default();
        let rt = Runtime::new(
            &limits,
            chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).fixed_offset(),
            &search,
        );
        let (mut answered, mut deferred) = (0, 0);
        for filter in filters {
            let (fast, _) = both(filter, &EvalOptions::default());
            let Some(Closures(quick)) = &fast.quick else {
                panic!("{filter}: no closures");
            };
            for item in &items {
                let roots = Roots::of_item(item);
                let tree = fast.tree.truth(roots, Source::Item(item), &rt).unwrap();
                let expected = match tree {
                    Some(true) => Quick::True,
                    Some(false) => Quick::False,
                    None => Quick::Null,
                };
                match quick(&roots, &rt) {
                    Quick::Defer => deferred += 1,
                    got => {
                        answered += 1;
                        assert_eq!(got, expected, "{filter} over {item}");
                    }
                }
            }
        }
        // Most of these items have the trivial types: the closures must answer them.
        assert!(
            answered > 3 * deferred,
            "{answered} answered, {deferred} deferred"
        );
    }

    #[test]
    fn integer_chains_are_exact_across_the_i64_range() {
        // The definition: the chain in `i128`, `None` where even that overflows.
        let exact = |start: i64, steps: &[(BinaryOp, i128)]| {
            steps
                .iter()
                .try_fold(i128::from(start), |value, &(op, literal)| match op {
                    BinaryOp::Add => value.checked_add(literal),
                    BinaryOp::Sub => value.checked_sub(literal),
                    _ => value.checked_mul(literal),
                })
        };
        let starts = [0, 1, -1, 7, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1];
        let literals = [
            0,
            1,
            -1,
            2,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            i128::from(i64::MAX) + 1,
            i128::MAX,
            i128::MIN,
        ];
        let ops = [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul];
        let mut checked = 0;
        for start in starts {
            for &first in &literals {
                for &second in &literals {
                    for op1 in ops {
                        for op2 in ops {
                            let steps = [(op1, first), (op2, second)];
                            let value = Value::from(start);
                            assert_eq!(
                                integer_chain(&value, &steps),
                                exact(start, &steps),
                                "{start} {steps:?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 8 * 9 * 9 * 9);
        assert_eq!(integer_chain(&Value::from(1.5), &[]), None);
    }

    #[test]
    fn common_shapes_are_specialised() {
        let options = EvalOptions::default();
        for filter in [
            "stats/totalBytesUploaded gt 1000000",
            "files/any(f: f/size gt 10000000)",
            "files/all(f: f/size lt 50000000)",
            "source in ('Okta','Workday')",
            "contains(source,'Sap')",
            "(stats/filesUploaded add 1) mul 2 gt 10",
            "tolower(status) eq 'failed'",
        ] {
            let (fast, _) = both(filter, &options);
            assert!(!matches!(fast.tree, Fast::General(_)), "{filter}: {fast:?}");
            assert!(fast.quick.is_some(), "{filter}: no closures");
        }
        // Leaves of one path read it once.
        for filter in [
            "startswith(source,'Azure') or contains(source,'Sap')",
            "createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt 2026-04-01T00:00:00Z",
        ] {
            let (fast, _) = both(filter, &options);
            assert!(
                matches!(fast.tree, Fast::Shared { .. }),
                "{filter}: {fast:?}"
            );
            assert!(fast.quick.is_some(), "{filter}: no closures");
        }
    }
}
