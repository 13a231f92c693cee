//! The response tree the fetches build: finding the objects at a flatten path
//! (lists, type conditions), building representations from a `requires` selection,
//! the planner's rewrites, and merging answers into place.

use std::sync::Arc;

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::ast::value::Value as AstValue;
use hive_router_query_planner::planner::plan_nodes::{
    FetchNodePathSegment, FetchRewrite, FlattenNodePathSegment,
};
use knot_execute::tree::{Node, Object, Str, Tree};
use serde_json::{Map, Value};

use crate::supergraph::Supergraph;

/// A response path segment.
#[derive(Clone, Debug, Eq)]
pub(crate) enum PathKey {
    /// Shared with the flatten path it came from: cloning a path is cheap.
    Key(Arc<str>),
    Index(usize),
}

impl PartialEq for PathKey {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            // Keys of one walk share their text: the pointer usually decides.
            (PathKey::Key(a), PathKey::Key(b)) => Arc::ptr_eq(a, b) || a == b,
            (PathKey::Index(a), PathKey::Index(b)) => a == b,
            _ => false,
        }
    }
}

impl PathKey {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            PathKey::Key(k) => Value::String(k.to_string()),
            PathKey::Index(i) => Value::from(*i),
        }
    }
}

/// The response paths of the objects an entity call was built from, each with the index of
/// its representation; all paths in one buffer (no allocation per object).
#[derive(Debug, Default)]
pub(crate) struct ObjectPaths {
    keys: Vec<PathKey>,
    /// Per object: where its path ends in `keys`, and its representation.
    ends: Vec<(usize, usize)>,
}

impl ObjectPaths {
    pub(crate) fn push(&mut self, path: &[PathKey], slot: usize) {
        self.keys.extend_from_slice(path);
        self.ends.push((self.keys.len(), slot));
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<(&[PathKey], usize)> {
        let (end, slot) = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(0, |(end, _)| *end),
        };
        Some((self.keys.get(start..end)?, slot))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&[PathKey], usize)> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// A flatten path with its field names shared (see [`PathKey`]).
#[derive(Debug)]
pub(crate) enum SharedSegment {
    /// The name shared with paths, and as a `Str` for lookups (compared word by word).
    Field(Arc<str>, Str),
    TypeCondition(Vec<String>),
    List,
}

pub(crate) fn shared_path(path: &[FlattenNodePathSegment]) -> Vec<SharedSegment> {
    path.iter()
        .map(|segment| match segment {
            FlattenNodePathSegment::Field(name) => {
                SharedSegment::Field(Arc::from(name.as_str()), Str::new(name))
            }
            FlattenNodePathSegment::TypeCondition(types) => {
                SharedSegment::TypeCondition(types.iter().cloned().collect())
            }
            FlattenNodePathSegment::List => SharedSegment::List,
        })
        .collect()
}

/// [`collect_objects`] with write access.
pub(crate) fn walk_objects_mut(
    value: &mut Node,
    segments: &[SharedSegment],
    current: &mut Vec<PathKey>,
    supergraph: &Supergraph,
    visit: &mut dyn FnMut(&[PathKey], &mut Node),
) {
    match segments.first() {
        _ if value.is_null() => {}
        None => match value {
            Node::Object(_) => visit(current, value),
            Node::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    current.push(PathKey::Index(i));
                    walk_objects_mut(item, segments, current, supergraph, visit);
                    current.pop();
                }
            }
            _ => {}
        },
        Some(SharedSegment::List) => {
            if let Node::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    current.push(PathKey::Index(i));
                    walk_objects_mut(item, &segments[1..], current, supergraph, visit);
                    current.pop();
                }
            }
        }
        Some(SharedSegment::Field(name, key)) => match value {
            Node::Object(map) => {
                if let Some(child) = map.get_mut_str(key) {
                    current.push(PathKey::Key(name.clone()));
                    walk_objects_mut(child, &segments[1..], current, supergraph, visit);
                    current.pop();
                }
            }
            Node::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    current.push(PathKey::Index(i));
                    walk_objects_mut(item, segments, current, supergraph, visit);
                    current.pop();
                }
            }
            _ => {}
        },
        Some(SharedSegment::TypeCondition(types)) => {
            let matches = match value.typename() {
                Some(typename) => types.iter().any(|t| supergraph.type_matches(typename, t)),
                None => value.is_object(),
            };
            if matches {
                walk_objects_mut(value, &segments[1..], current, supergraph, visit);
            }
        }
    }
}

/// Visits every object at a flatten path with its response path.
pub(crate) fn collect_objects(
    value: &Node,
    segments: &[SharedSegment],
    current: &mut Vec<PathKey>,
    supergraph: &Supergraph,
    visit: &mut dyn FnMut(&[PathKey], &Node),
) {
    match (segments.first(), value) {
        (_, Node::Null) => {}
        (None, Node::Object(_)) => visit(current, value),
        (None, Node::Array(items)) | (Some(SharedSegment::List), Node::Array(items)) => {
            let rest = if segments.is_empty() {
                segments
            } else {
                &segments[1..]
            };
            for (i, item) in items.iter().enumerate() {
                current.push(PathKey::Index(i));
                collect_objects(item, rest, current, supergraph, visit);
                current.pop();
            }
        }
        (None, _) => {}
        (Some(SharedSegment::List), _) => {}
        (Some(SharedSegment::Field(name, key)), Node::Object(map)) => {
            if let Some(child) = map.get_str(key) {
                current.push(PathKey::Key(name.clone()));
                collect_objects(child, &segments[1..], current, supergraph, visit);
                current.pop();
            }
        }
        (Some(SharedSegment::Field(..)), Node::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                current.push(PathKey::Index(i));
                collect_objects(item, segments, current, supergraph, visit);
                current.pop();
            }
        }
        (Some(SharedSegment::TypeCondition(types)), Node::Object(map)) => {
            let matches = match map.get("__typename").and_then(Node::as_str) {
                Some(typename) => types.iter().any(|t| supergraph.type_matches(typename, t)),
                None => true,
            };
            if matches {
                collect_objects(value, &segments[1..], current, supergraph, visit);
            }
        }
        (Some(_), _) => {}
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
            for (key, value) in from {
                into.merge_field(key, value, deep_merge);
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
