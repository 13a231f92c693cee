//! The response tree the fetches build: finding the objects at a flatten path
//! (lists, type conditions), building representations from a `requires` selection,
//! the planner's rewrites, and merging answers into place.

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::ast::value::Value as AstValue;
use hive_router_query_planner::planner::plan_nodes::{
    FetchNodePathSegment, FetchRewrite, FlattenNodePathSegment,
};
use knot_execute::tree::{Node, Object, Str, Tree};
use serde_json::{Map, Value};

use crate::supergraph::Supergraph;

/// The response paths of the objects an entity call was built from, each with the index of
/// its representation. A path is kept as its list indices only (no field names, no
/// allocation per object): along one flatten path the field names are the path's own, and
/// whether a node is a list or an object does not change while a run adds data, so the
/// indices name one object ([`full_path`] spells the whole path out, for errors).
#[derive(Debug, Default)]
pub(crate) struct ObjectPaths {
    indices: Vec<u32>,
    /// Per object: where its indices end, which flatten path found it, its representation.
    ends: Vec<(u32, u32, u32)>,
}

/// One object of an [`ObjectPaths`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ObjectAt<'a> {
    /// The list indices on the way to the object.
    pub indices: &'a [u32],
    /// Which of the target's flatten paths found it.
    pub walk: usize,
    /// Its representation.
    pub slot: usize,
}

impl ObjectPaths {
    pub(crate) fn push(&mut self, indices: &[u32], walk: usize, slot: usize) {
        self.indices.extend_from_slice(indices);
        self.ends
            .push((self.indices.len() as u32, walk as u32, slot as u32));
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<ObjectAt<'_>> {
        let (end, walk, slot) = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(0, |(end, _, _)| *end),
        };
        Some(ObjectAt {
            indices: self.indices.get(start as usize..end as usize)?,
            walk: walk as usize,
            slot: slot as usize,
        })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = ObjectAt<'_>> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// A flatten path with each field name ready for lookups (a `Str`, compared word by word).
#[derive(Debug)]
pub(crate) enum SharedSegment {
    Field(Str),
    TypeCondition(Vec<String>),
    List,
}

pub(crate) fn shared_path(path: &[FlattenNodePathSegment]) -> Vec<SharedSegment> {
    path.iter()
        .map(|segment| match segment {
            FlattenNodePathSegment::Field(name) => SharedSegment::Field(Str::new(name)),
            FlattenNodePathSegment::TypeCondition(types) => {
                SharedSegment::TypeCondition(types.iter().cloned().collect())
            }
            FlattenNodePathSegment::List => SharedSegment::List,
        })
        .collect()
}

/// Whether `value` passes a type condition (an object without `__typename` does).
fn type_condition_holds(value: &Node, types: &[String], supergraph: &Supergraph) -> bool {
    match value {
        Node::Object(map) => match map.get("__typename").and_then(Node::as_str) {
            Some(typename) => types.iter().any(|t| supergraph.type_matches(typename, t)),
            None => true,
        },
        _ => false,
    }
}

/// Visits every object at a flatten path with the list indices on its way (the objects an
/// entity call is built from, and later the ones its answers are merged into).
pub(crate) fn walk_objects_mut(
    value: &mut Node,
    segments: &[SharedSegment],
    indices: &mut Vec<u32>,
    supergraph: &Supergraph,
    visit: &mut dyn FnMut(&[u32], &mut Node),
) {
    let mut hints = vec![0; segments.len()];
    walk_objects_mut_at(value, segments, &mut hints, indices, supergraph, visit)
}

/// `hints` has one place per segment: where its field was in the last object (objects met
/// along one path have the same shape, see `Object::get_str_near`).
fn walk_objects_mut_at(
    value: &mut Node,
    segments: &[SharedSegment],
    hints: &mut [usize],
    indices: &mut Vec<u32>,
    supergraph: &Supergraph,
    visit: &mut dyn FnMut(&[u32], &mut Node),
) {
    match (segments.first(), value) {
        (_, Node::Null) => {}
        (None, value @ Node::Object(_)) => visit(indices, value),
        (None, Node::Array(items)) | (Some(SharedSegment::List), Node::Array(items)) => {
            let rest = segments.get(1..).unwrap_or(segments);
            let hints_rest = if segments.is_empty() {
                &mut *hints
            } else {
                &mut hints[1..]
            };
            // The objects two places ahead are loaded while this one is walked: only the
            // field the walk goes on through, or all of an object the walk ends at (which
            // `visit` reads whole).
            let at = hints_rest.first().copied();
            let prefetch = |node: &Node| match at {
                Some(at) if !rest.is_empty() => node.prefetch(at),
                _ => node.prefetch_all(),
            };
            for item in items.iter().take(2) {
                prefetch(item);
            }
            for i in 0..items.len() {
                if let Some(ahead) = items.get(i + 2) {
                    prefetch(ahead);
                }
                let Some(item) = items.get_mut(i) else { break };
                indices.push(i as u32);
                walk_objects_mut_at(item, rest, hints_rest, indices, supergraph, visit);
                indices.pop();
            }
        }
        (None | Some(SharedSegment::List), _) => {}
        (Some(SharedSegment::Field(key)), Node::Object(map)) => {
            if let Some(child) = map.get_mut_str_near(key, &mut hints[0]) {
                walk_objects_mut_at(
                    child,
                    &segments[1..],
                    &mut hints[1..],
                    indices,
                    supergraph,
                    visit,
                );
            }
        }
        (Some(SharedSegment::Field(_)), Node::Array(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                indices.push(i as u32);
                walk_objects_mut_at(item, segments, hints, indices, supergraph, visit);
                indices.pop();
            }
        }
        (Some(SharedSegment::TypeCondition(types)), value) => {
            if type_condition_holds(value, types, supergraph) {
                walk_objects_mut_at(
                    value,
                    &segments[1..],
                    &mut hints[1..],
                    indices,
                    supergraph,
                    visit,
                );
            }
        }
        (Some(_), _) => {}
    }
}

/// The whole response path (field names and list indices) of the object the walk along
/// `segments` reached through `indices`; `None` when the data has no such object.
pub(crate) fn full_path(
    data: &Node,
    segments: &[SharedSegment],
    indices: &[u32],
) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    let mut value = data;
    let mut segments = segments;
    let mut indices = indices;
    loop {
        match (segments.first(), value) {
            (None, Node::Object(_)) if indices.is_empty() => return Some(out),
            (None | Some(SharedSegment::List | SharedSegment::Field(_)), Node::Array(items)) => {
                let (first, rest) = indices.split_first()?;
                out.push(Value::from(*first));
                value = items.get(*first as usize)?;
                indices = rest;
                if matches!(segments.first(), Some(SharedSegment::List)) {
                    segments = &segments[1..];
                }
            }
            (Some(SharedSegment::Field(key)), Node::Object(map)) => {
                out.push(Value::String(key.as_str().to_owned()));
                value = map.get_str(key)?;
                segments = &segments[1..];
            }
            (Some(SharedSegment::TypeCondition(_)), _) => segments = &segments[1..],
            _ => return None,
        }
    }
}

/// The representation of `object`: the `requires` selection applied to it.
/// `None` when the object lacks a field the representation needs.
pub(crate) fn build_representation(
    object: &Node,
    requires: &SelectionSet,
    supergraph: &Supergraph,
) -> Option<Node> {
    let map = object.as_object()?;
    let mut out = Object::new();
    select_into(map, requires, supergraph, &mut out)?;
    // No fragment of `requires` applies to this object's type: it is not asked for.
    if out.is_empty() {
        return None;
    }
    Some(Node::Object(out))
}

/// Why [`write_representation`] wrote nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotWritten {
    /// The object lacks a field the representation needs, or no fragment of `requires`
    /// applies to it ([`build_representation`] gives `None`).
    NotAsked,
    /// `requires` writes one key twice here (the two are merged): build the representation
    /// as a tree instead.
    RepeatedKey,
}

/// The representation of `object` written as JSON text at the end of `out`: the same text
/// [`build_representation`] serialises to, without building it (no copy of a key or a
/// value). On `Err`, `out` is as it was.
pub(crate) fn write_representation(
    object: &Node,
    requires: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Vec<u8>,
) -> Result<(), NotWritten> {
    let start = out.len();
    let written = match object.as_object() {
        Some(map) => write_object(map, requires, supergraph, out),
        None => Err(NotWritten::NotAsked),
    };
    match written {
        // No fragment of `requires` applies to this object's type: it is not asked for.
        Ok(0) => {
            out.truncate(start);
            Err(NotWritten::NotAsked)
        }
        Ok(_) => Ok(()),
        Err(why) => {
            out.truncate(start);
            Err(why)
        }
    }
}

/// `{…}` of `selection` applied to `map`; how many fields it holds.
fn write_object(
    map: &Object,
    selection: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Vec<u8>,
) -> Result<usize, NotWritten> {
    out.push(b'{');
    let mut keys: Vec<&str> = Vec::new();
    write_fields(map, selection, supergraph, out, &mut keys)?;
    out.push(b'}');
    Ok(keys.len())
}

fn write_fields<'s>(
    map: &Object,
    selection: &'s SelectionSet,
    supergraph: &Supergraph,
    out: &mut Vec<u8>,
    keys: &mut Vec<&'s str>,
) -> Result<(), NotWritten> {
    for item in &selection.items {
        match item {
            SelectionItem::Field(field) => {
                // `alias: name` reads `name` and writes `alias` (see `select_into`).
                let value = map.get(&field.name).ok_or(NotWritten::NotAsked)?;
                let key = field.alias.as_deref().unwrap_or(&field.name);
                if keys.contains(&key) {
                    return Err(NotWritten::RepeatedKey);
                }
                if !keys.is_empty() {
                    out.push(b',');
                }
                keys.push(key);
                knot_execute::project::write_str(out, key);
                out.push(b':');
                if field.selections.items.is_empty() {
                    value.write_json(out);
                } else {
                    write_selected(value, &field.selections, supergraph, out)?;
                }
            }
            SelectionItem::InlineFragment(fragment) => {
                let applies = match map.get("__typename").and_then(Node::as_str) {
                    Some(typename) => supergraph.type_matches(typename, &fragment.type_condition),
                    None => false,
                };
                if applies {
                    write_fields(map, &fragment.selections, supergraph, out, keys)?;
                }
            }
            SelectionItem::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn write_selected(
    value: &Node,
    selection: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Vec<u8>,
) -> Result<(), NotWritten> {
    match value {
        Node::Object(map) => write_object(map, selection, supergraph, out).map(|_| ()),
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_selected(item, selection, supergraph, out)?;
            }
            out.push(b']');
            Ok(())
        }
        other => {
            other.write_json(out);
            Ok(())
        }
    }
}

fn select_into(
    map: &Object,
    selection: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Object,
) -> Option<()> {
    for item in &selection.items {
        match item {
            SelectionItem::Field(field) => {
                // In a `requires` selection `alias: name` reads `name` from the data
                // (an internal alias the planner fetched it under) and writes `alias`.
                let value = map.get(&field.name)?;
                let key = field.alias.as_deref().unwrap_or(&field.name);
                let selected = if field.selections.items.is_empty() {
                    value.clone()
                } else {
                    select_value(value, &field.selections, supergraph)?
                };
                out.merge_field(Str::new(key), selected, deep_merge);
            }
            SelectionItem::InlineFragment(fragment) => {
                let applies = match map.get("__typename").and_then(Node::as_str) {
                    Some(typename) => supergraph.type_matches(typename, &fragment.type_condition),
                    None => false,
                };
                if applies {
                    select_into(map, &fragment.selections, supergraph, out)?;
                }
            }
            SelectionItem::FragmentSpread(_) => {}
        }
    }
    Some(())
}

fn select_value(value: &Node, selection: &SelectionSet, supergraph: &Supergraph) -> Option<Node> {
    match value {
        Node::Object(map) => {
            let mut out = Object::new();
            select_into(map, selection, supergraph, &mut out)?;
            Some(Node::Object(out))
        }
        Node::Array(items) => items
            .iter()
            .map(|item| select_value(item, selection, supergraph))
            .collect::<Option<Vec<_>>>()
            .map(Node::Array),
        other => Some(other.clone()),
    }
}

/// Applies a planner rewrite (`ValueSetter` for interface objects' `__typename`,
/// `KeyRenamer` for aliased fields) to a representation or an entity.
pub(crate) fn apply_rewrite(value: &mut Node, rewrite: &FetchRewrite, supergraph: &Supergraph) {
    match rewrite {
        FetchRewrite::ValueSetter(setter) => {
            set_at(value, &setter.path, supergraph, &mut |slot, _| {
                *slot = Node::String(Str::new(&setter.set_value_to));
            })
        }
        FetchRewrite::KeyRenamer(renamer) => {
            let Some((last, parent)) = renamer.path.split_last() else {
                return;
            };
            let FetchNodePathSegment::Key(from) = last else {
                return;
            };
            walk_rewrite(value, parent, supergraph, &mut |object| {
                if let Some(map) = object.as_object_mut() {
                    if let Some(moved) = map.remove(from) {
                        map.insert(Str::new(&renamer.rename_key_to), moved);
                    }
                }
            });
        }
    }
}

fn set_at(
    value: &mut Node,
    path: &[FetchNodePathSegment],
    supergraph: &Supergraph,
    set: &mut dyn FnMut(&mut Node, &str),
) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let FetchNodePathSegment::Key(key) = last else {
        return;
    };
    walk_rewrite(value, parent, supergraph, &mut |object| {
        if let Some(map) = object.as_object_mut() {
            let slot = map.get_or_insert_with(key, || Node::Null);
            set(slot, key);
        }
    });
}

fn walk_rewrite(
    value: &mut Node,
    path: &[FetchNodePathSegment],
    supergraph: &Supergraph,
    apply: &mut dyn FnMut(&mut Node),
) {
    if let Node::Array(items) = value {
        for item in items {
            walk_rewrite(item, path, supergraph, apply);
        }
        return;
    }
    match path.first() {
        None => apply(value),
        Some(FetchNodePathSegment::TypenameEquals(types)) => {
            let matches = value
                .typename()
                .is_some_and(|t| types.iter().any(|c| supergraph.type_matches(t, c)));
            if matches {
                walk_rewrite(value, &path[1..], supergraph, apply);
            }
        }
        Some(FetchNodePathSegment::Key(key)) => {
            if let Some(child) = value.get_mut(key) {
                walk_rewrite(child, &path[1..], supergraph, apply);
            }
        }
    }
}

/// Merges `source` into `target`: objects field by field, lists item by item.
pub(crate) fn deep_merge(target: &mut Node, source: Node) {
    match (target, source) {
        (Node::Object(into), Node::Object(from)) => {
            let total = from.len();
            let mut reserved = false;
            for (i, (key, value)) in from.into_iter().enumerate() {
                match into.get_mut_str(&key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        // The first field the target lacks makes room for the rest at once
                        // (an entity's fields are mostly new to the object they join).
                        if !reserved {
                            into.reserve_exact(total - i);
                            reserved = true;
                        }
                        into.push_new(key, value);
                    }
                }
            }
        }
        (Node::Array(into), Node::Array(from)) if into.len() == from.len() => {
            for (existing, value) in into.iter_mut().zip(from) {
                deep_merge(existing, value);
            }
        }
        (target, source) => {
            if !(source.is_null() && target.is_object()) {
                *target = source;
            }
        }
    }
}

/// [`deep_merge`] of a borrowed `source`: only what `target` lacks or replaces is copied
/// (an entity answering several objects is merged into all but the last this way).
pub(crate) fn deep_merge_from(target: &mut Node, source: &Node) {
    match (target, source) {
        (Node::Object(into), Node::Object(from)) => {
            let mut reserved = false;
            for (i, (key, value)) in from.entries().enumerate() {
                match into.get_mut_str(key) {
                    Some(existing) => deep_merge_from(existing, value),
                    None => {
                        if !reserved {
                            into.reserve_exact(from.len() - i);
                            reserved = true;
                        }
                        into.push_new(key.clone(), value.clone());
                    }
                }
            }
        }
        (Node::Array(into), Node::Array(from)) if into.len() == from.len() => {
            for (existing, value) in into.iter_mut().zip(from) {
                deep_merge_from(existing, value);
            }
        }
        (target, source) => {
            if !(source.is_null() && target.is_object()) {
                *target = source.clone();
            }
        }
    }
}

/// A GraphQL literal as JSON, variables taken from `variables` (absent ones are null).
pub(crate) fn ast_to_json(value: &AstValue, variables: &Map<String, Value>) -> Value {
    match value {
        AstValue::Variable(name) => variables.get(name).cloned().unwrap_or(Value::Null),
        AstValue::Null => Value::Null,
        AstValue::Int(i) => Value::from(*i),
        AstValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        AstValue::String(s) | AstValue::Enum(s) => Value::String(s.clone()),
        AstValue::Boolean(b) => Value::Bool(*b),
        AstValue::List(items) => {
            Value::Array(items.iter().map(|v| ast_to_json(v, variables)).collect())
        }
        AstValue::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), ast_to_json(v, variables)))
                .collect(),
        ),
    }
}
