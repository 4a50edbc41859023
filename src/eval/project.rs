//! `$select` and `$expand`: projection of each result item (URL §5.1.3, §5.1.4,
//! URL §5.1.3, §5.1.4).
//!
//! Semantic choices:
//! - with `$select`, the item keeps its `@odata.*` (all `@`) annotations, and `p@term`
//!   annotations of each selected property `p`; a selected property that the item lacks
//!   is `null` (open types, URL §5.1.4); a path through a null or missing complex
//!   value gives that value `null`;
//! - without `$select` (or with `*`) every property is kept, plus the `$compute` values;
//!   with `$select`, computed values appear only when selected; `*` is a union with the
//!   other select items (URL §5.1.4: the result holds every item's properties), so
//!   `$select=*,nope` gives `nope: null` when the item lacks it and
//!   `$select=*,tags($top=1)` applies the nested options;
//! - properties not named in `$expand` stay as the JSON has them; expanded ones are
//!   returned even when `$select` does not name them (URL §5.1.4);
//! - `$expand=*` applies its options to every property holding an object or an array of
//!   objects;
//! - `/$ref` keeps only `{"@odata.id": ...}` per member: the member's `@odata.id` if it
//!   has one, else its `id` value;
//! - `/$count` replaces the property with `name@odata.count` (after the nested
//!   `$filter`/`$search`) and omits the array;
//! - a single-valued navigation whose nested `$filter` fails becomes `null`
//!   (a choice; URL §5.1.3 is silent);
//! - `$levels=n` applies the same expand item again inside each member, n levels in all
//!   (`$levels=0` expands nothing);
//!   `max` means [`super::EvalOptions::max_levels`]; a missing property ends the recursion.

use serde_json::{Map, Value};

use crate::ast::{ExpandKind, ExpandPath, Levels, PathSegment, Query, SelectItem};
use crate::error::EvalError;
use crate::limits::Limit;

use super::compile::Compiler;
use super::exec::Runtime;
use super::functions::{object_declares_type, TypeNames};
use super::value::{check_depth, Val};
use super::{compile_list, select_rows, ListPlan, Row};

/// The projection of one list level.
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// `None`: every property (no `$select`, or `*` among the items).
    select: Option<Vec<SelectEntry>>,
    /// With `*`: the other select items, applied over the full item.
    beside_star: Vec<SelectEntry>,
    /// The computed property names, in order.
    computed: Vec<String>,
    /// Explicitly selected computed properties (by index).
    selected_computed: Vec<usize>,
    expand: Vec<ExpandEntry>,
}

#[derive(Debug)]
struct SelectEntry {
    path: Vec<String>,
    /// Type-cast segments: `(depth, types)` restricts the object whose member `path[depth]`
    /// is read (depth `path.len()`: the selected value itself) to those types; on an
    /// object of another type the path selects nothing.
    casts: Vec<(usize, TypeNames)>,
    nested: Option<Box<ListPlan>>,
}

#[derive(Debug)]
struct ExpandEntry {
    /// `None` for `*`.
    path: Option<Vec<String>>,
    /// Type-cast segments before the navigation property, as in [`SelectEntry`].
    casts: Vec<(usize, TypeNames)>,
    kind: ExpandKind,
    plan: Box<ListPlan>,
    levels: u32,
}

/// The type-cast segments of a select path, by the depth they restrict.
fn select_casts(c: &Compiler<'_>, segments: &[PathSegment]) -> Vec<(usize, TypeNames)> {
    let mut casts = Vec::new();
    let mut depth = 0;
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            PathSegment::TypeCast(name) => {
                let declared = if index == 0 {
                    c.level_type()
                } else {
                    c.declared_after(&segments[..index])
                };
                casts.push((depth, c.type_names(name, declared)));
            }
            _ => depth += 1,
        }
    }
    casts
}

/// Whether `object`, at `depth` of a select path, passes the path's type casts there.
fn passes_casts(casts: &[(usize, TypeNames)], depth: usize, object: &Map<String, Value>) -> bool {
    casts
        .iter()
        .filter(|(at, _)| *at == depth)
        .all(|(_, names)| object_declares_type(object, names))
}

/// The property names of a select/expand path (type casts are skipped).
fn property_names(segments: &[PathSegment]) -> Result<Vec<String>, EvalError> {
    let mut names = Vec::new();
    for segment in segments {
        match segment {
            PathSegment::Property(name) => names.push(name.as_str().to_owned()),
            PathSegment::TypeCast(_) => {}
            PathSegment::Annotation(annotation) => names.push(format!("@{}", annotation.term)),
            PathSegment::Operation { name, .. } => {
                return Err(EvalError::NotSupported(format!(
                    "selecting the operation {name}"
                )))
            }
        }
    }
    Ok(names)
}

impl Shape {
    /// Whether the projection changes items (`$select` without `*`, or `$expand`).
    pub(crate) fn is_projecting(&self) -> bool {
        self.select.is_some() || !self.beside_star.is_empty() || !self.expand.is_empty()
    }
}

/// Compiles `$select`/`$expand` of one list level.
pub(crate) fn compile_shape<'q>(
    c: &mut Compiler<'q>,
    query: &'q Query,
    computed: &[String],
) -> Result<Shape, EvalError> {
    let mut shape = Shape {
        computed: computed.to_vec(),
        ..Shape::default()
    };
    if !query.select.is_empty() {
        let mut entries = Vec::new();
        let mut star = false;
        for item in &query.select {
            match item {
                SelectItem::Star => star = true,
                SelectItem::AllOperations(_) => {}
                SelectItem::Path { segments, options } => {
                    let path = property_names(segments)?;
                    if path.is_empty() {
                        continue;
                    }
                    if let (1, Some(index)) = (
                        path.len(),
                        computed.iter().position(|c| Some(c) == path.first()),
                    ) {
                        shape.selected_computed.push(index);
                        continue;
                    }
                    let nested = match options {
                        Some(options) => {
                            let declared = c.declared_after(segments).element();
                            Some(Box::new(c.nested(|c| {
                                c.with_level(declared, |c| compile_list(c, options))
                            })?))
                        }
                        None => None,
                    };
                    let casts = select_casts(c, segments);
                    entries.push(SelectEntry {
                        path,
                        casts,
                        nested,
                    });
                }
            }
        }
        if star {
            shape.beside_star = entries;
        } else {
            shape.select = Some(entries);
        }
    }
    let max_items = c.limits().max_expand_items;
    if query.expand.len() > max_items {
        return Err(EvalError::LimitExceeded {
            limit: Limit::ExpandItems,
            max: max_items,
        });
    }
    for item in &query.expand {
        let path = match &item.path {
            ExpandPath::Star => None,
            ExpandPath::Value => {
                return Err(EvalError::NotSupported("$expand=$value".into()));
            }
            ExpandPath::Path(segments) => Some(property_names(segments)?),
        };
        let levels = match item.options.levels {
            None => 1,
            // `$levels=0` expands nothing: the item stays as it is (the default mode
            // accepts it; the ABNF starts at 1).
            Some(Levels::Number(0)) => continue,
            Some(Levels::Number(n)) => n,
            Some(Levels::Max) => c.options.max_levels.max(1),
        };
        let declared = match &item.path {
            ExpandPath::Path(segments) => c.declared_after(segments).element(),
            _ => super::typing::Declared::Unknown,
        };
        let casts = match &item.path {
            ExpandPath::Path(segments) => select_casts(c, segments),
            _ => Vec::new(),
        };
        if let (Some(path), Some((depth, _))) = (&path, casts.last()) {
            if *depth >= path.len() {
                return Err(EvalError::NotSupported(
                    "a type cast after the expanded navigation property (filter the \
                     related entities with isof in a nested $filter)"
                        .into(),
                ));
            }
        }
        let plan = c.nested(|c| c.with_level(declared, |c| compile_list(c, &item.options)))?;
        shape.expand.push(ExpandEntry {
            path,
            casts,
            kind: item.kind,
            plan: Box::new(plan),
            levels,
        });
    }
    Ok(shape)
}

/// Where `$it` points and how deep the projection is.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a, 'r> {
    pub(crate) it: Option<&'r Val<'a>>,
    pub(crate) depth: usize,
}

/// Projects one row.
pub(crate) fn project<'a>(
    shape: &'a Shape,
    row: &Row<'a>,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<Value, EvalError> {
    project_with(shape, row, ctx, rt, None)
}

fn project_with<'a>(
    shape: &'a Shape,
    row: &Row<'a>,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
    again: Option<(&'a ExpandEntry, u32)>,
) -> Result<Value, EvalError> {
    check_depth(ctx.depth, rt.max_json_depth())?;
    rt.tick(1)?;
    let Value::Object(source) = row.item else {
        return Ok(row.item.clone());
    };
    let it = ctx.it.unwrap_or(&row.value);
    let inner = Context {
        it: Some(it),
        depth: ctx.depth + 1,
    };
    let mut out = match &shape.select {
        None => {
            let mut all = source.clone();
            for (name, value) in shape.computed.iter().zip(&row.computed) {
                all.insert(name.clone(), value.to_json());
            }
            for entry in &shape.beside_star {
                select_path(
                    &mut all,
                    source,
                    &entry.path,
                    (&entry.casts, 0),
                    entry.nested.as_deref(),
                    inner,
                    rt,
                )?;
            }
            all
        }
        Some(entries) => {
            let mut selected = instance_annotations(source);
            for &index in &shape.selected_computed {
                if let (Some(name), Some(value)) =
                    (shape.computed.get(index), row.computed.get(index))
                {
                    selected.insert(name.clone(), value.to_json());
                }
            }
            for entry in entries {
                select_path(
                    &mut selected,
                    source,
                    &entry.path,
                    (&entry.casts, 0),
                    entry.nested.as_deref(),
                    inner,
                    rt,
                )?;
            }
            selected
        }
    };
    for entry in &shape.expand {
        expand_entry(&mut out, source, entry, entry.levels, inner, rt)?;
    }
    if let Some((entry, levels)) = again {
        expand_entry(&mut out, source, entry, levels, inner, rt)?;
    }
    Ok(Value::Object(out))
}

/// Copies `path` from `source` into `target`, creating intermediate objects.
fn select_path<'a>(
    target: &mut Map<String, Value>,
    source: &'a Map<String, Value>,
    path: &'a [String],
    (casts, depth): (&'a [(usize, TypeNames)], usize),
    nested: Option<&'a ListPlan>,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<(), EvalError> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    if !passes_casts(casts, depth, source) {
        return Ok(());
    }
    let value = source.get(first);
    if rest.is_empty() {
        if let Some(Value::Object(object)) = value {
            if !passes_casts(casts, depth + 1, object) {
                return Ok(());
            }
        }
        let projected = match (value, nested) {
            (Some(value), Some(plan)) => apply_nested(plan, value, ctx, rt)?.0,
            (Some(value), None) => value.clone(),
            (None, _) => Value::Null,
        };
        // `$select=stats/a,stats`: the whole value joins what an earlier path selected
        // into it (a member selected but missing stays null), whatever the order.
        match (target.get_mut(first.as_str()), projected) {
            (Some(Value::Object(earlier)), Value::Object(whole)) => earlier.extend(whole),
            (_, projected) => {
                target.insert(first.clone(), projected);
            }
        }
        copy_property_annotations(target, source, first);
        return Ok(());
    }
    copy_property_annotations(target, source, first);
    match value {
        Some(Value::Object(inner_source)) if !passes_casts(casts, depth + 1, inner_source) => {}
        Some(Value::Object(inner_source)) => {
            // A complex value keeps its control information (`@odata.type`, ...) whichever
            // of its members are selected.
            let slot = target
                .entry(first.clone())
                .or_insert_with(|| Value::Object(instance_annotations(inner_source)));
            if let Value::Object(inner_target) = slot {
                let at = (casts, depth + 1);
                select_path(inner_target, inner_source, rest, at, nested, ctx, rt)?;
            }
        }
        // A path through a collection of complex values (`$select=addresses/city`): each
        // member keeps what the rest of the path selects (and its control information).
        Some(Value::Array(members)) => {
            rt.tick(members.len() as u64)?;
            let mut projected = match target.remove(first.as_str()) {
                // `$select=files/name,files/size`: the second path adds to the first.
                Some(Value::Array(earlier)) if earlier.len() == members.len() => earlier,
                _ => members
                    .iter()
                    .map(|member| match member {
                        Value::Object(object) => Value::Object(instance_annotations(object)),
                        _ => Value::Null,
                    })
                    .collect(),
            };
            for (slot, member) in projected.iter_mut().zip(members) {
                if let (Value::Object(inner_target), Value::Object(inner_source)) = (slot, member) {
                    let at = (casts, depth + 1);
                    select_path(inner_target, inner_source, rest, at, nested, ctx, rt)?;
                }
            }
            target.insert(first.clone(), Value::Array(projected));
        }
        _ => {
            target.insert(first.clone(), Value::Null);
        }
    }
    Ok(())
}

/// The instance annotations (`@term` members) of an object.
fn instance_annotations(source: &Map<String, Value>) -> Map<String, Value> {
    source
        .iter()
        .filter(|(key, _)| key.starts_with('@'))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Copies the annotations of property `name` (`name@term` members) from `source`.
fn copy_property_annotations(
    target: &mut Map<String, Value>,
    source: &Map<String, Value>,
    name: &str,
) {
    for (key, annotation) in source {
        if key
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('@'))
        {
            target.insert(key.clone(), annotation.clone());
        }
    }
}

/// Applies a nested option list to a collection (or a single object): the projected
/// value and the count after `$filter`/`$search`.
fn apply_nested<'a>(
    plan: &'a ListPlan,
    value: &'a Value,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<(Value, usize), EvalError> {
    apply_nested_with(plan, value, ctx, rt, None)
}

fn apply_nested_with<'a>(
    plan: &'a ListPlan,
    value: &'a Value,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
    again: Option<(&'a ExpandEntry, u32)>,
) -> Result<(Value, usize), EvalError> {
    check_depth(ctx.depth, rt.max_json_depth())?;
    match value {
        Value::Array(items) => {
            let selected = select_rows(plan, items, ctx.it, None, rt)?;
            let mut out = Vec::with_capacity(selected.rows.len());
            for row in &selected.rows {
                out.push(project_with(&plan.shape, row, ctx, rt, again)?);
            }
            Ok((Value::Array(out), selected.count))
        }
        Value::Object(_) => {
            let selected = select_rows(plan, std::slice::from_ref(value), ctx.it, None, rt)?;
            match selected.rows.first() {
                Some(row) => Ok((project_with(&plan.shape, row, ctx, rt, again)?, 1)),
                None => Ok((Value::Null, 0)),
            }
        }
        other => Ok((other.clone(), usize::from(!other.is_null()))),
    }
}

/// The reference of one member (`/$ref`).
fn reference(member: &Value) -> Value {
    let id = member
        .get("@odata.id")
        .or_else(|| member.get("id"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut map = Map::new();
    map.insert("@odata.id".into(), id);
    Value::Object(map)
}

fn expand_entry<'a>(
    target: &mut Map<String, Value>,
    source: &'a Map<String, Value>,
    entry: &'a ExpandEntry,
    levels: u32,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<(), EvalError> {
    match &entry.path {
        None => {
            for (key, value) in source {
                let navigable = match value {
                    Value::Object(_) => true,
                    Value::Array(items) => items.iter().all(Value::is_object) && !items.is_empty(),
                    _ => false,
                };
                if !key.contains('@') && navigable {
                    expand_one(target, key, value, entry, levels, ctx, rt)?;
                }
            }
            Ok(())
        }
        Some(path) => expand_path(target, source, path, 0, entry, levels, ctx, rt),
    }
}

#[allow(clippy::too_many_arguments)] // the recursion's state, passed down as it is
fn expand_path<'a>(
    target: &mut Map<String, Value>,
    source: &'a Map<String, Value>,
    path: &'a [String],
    depth: usize,
    entry: &'a ExpandEntry,
    levels: u32,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<(), EvalError> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    if !passes_casts(&entry.casts, depth, source) {
        return Ok(());
    }
    let Some(value) = source.get(first) else {
        // A missing collection has no members: its count is 0, as `files/$count` is.
        if rest.is_empty() && (entry.plan.count || entry.kind == ExpandKind::Count) {
            target.insert(format!("{first}@odata.count"), Value::from(0));
        }
        return Ok(());
    };
    if rest.is_empty() {
        return expand_one(target, first, value, entry, levels, ctx, rt);
    }
    // A path through a complex property: expand inside it.
    if let Value::Object(inner_source) = value {
        let slot = target
            .entry(first.clone())
            .or_insert_with(|| Value::Object(inner_source.clone()));
        if let Value::Object(inner_target) = slot {
            let depth = depth + 1;
            expand_path(
                inner_target,
                inner_source,
                rest,
                depth,
                entry,
                levels,
                ctx,
                rt,
            )?;
        }
    }
    Ok(())
}

fn expand_one<'a>(
    target: &mut Map<String, Value>,
    key: &str,
    value: &'a Value,
    entry: &'a ExpandEntry,
    levels: u32,
    ctx: Context<'a, '_>,
    rt: &Runtime<'_>,
) -> Result<(), EvalError> {
    let plan = &entry.plan;
    let count_key = format!("{key}@odata.count");
    match entry.kind {
        ExpandKind::Entities => {
            let again = (levels > 1).then_some((entry, levels - 1));
            let (projected, count) = apply_nested_with(plan, value, ctx, rt, again)?;
            target.insert(key.to_string(), projected);
            // A null collection has no members (count 0); a single entity has no count.
            if plan.count && (value.is_array() || value.is_null()) {
                target.insert(count_key, Value::from(count));
            }
        }
        ExpandKind::Ref => {
            let (projected, count) = match value {
                Value::Array(items) => {
                    let selected = select_rows(plan, items, ctx.it, None, rt)?;
                    let refs = selected
                        .rows
                        .iter()
                        .map(|row| reference(row.item))
                        .collect();
                    (Value::Array(refs), selected.count)
                }
                Value::Object(_) => (reference(value), 1),
                other => (other.clone(), 0),
            };
            target.insert(key.to_string(), projected);
            // A null collection has no members (count 0); a single entity has no count.
            if plan.count && (value.is_array() || value.is_null()) {
                target.insert(count_key, Value::from(count));
            }
        }
        ExpandKind::Count => {
            let count = match value {
                Value::Array(items) => select_rows(plan, items, ctx.it, Some((0, 0)), rt)?.count,
                Value::Object(_) => {
                    select_rows(plan, std::slice::from_ref(value), ctx.it, Some((0, 0)), rt)?.count
                }
                _ => 0,
            };
            target.remove(key);
            target.insert(count_key, Value::from(count));
        }
    }
    Ok(())
}
