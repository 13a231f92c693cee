//! The final shape: walks the client's (normalized) operation over the merged
//! data, keeping exactly the fields asked for under their response keys,
//! resolving inline fragments on abstract types by `__typename`, applying
//! `@skip`/`@include` from the variables and propagating nulls of non-null
//! fields to the nearest nullable parent, as GraphQL execution does.

use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::state::supergraph_state::{SupergraphDefinition, TypeNode};
use knot_connect::call::Category;
use serde_json::{Map, Value};

use crate::run::RunError;
use crate::supergraph::Supergraph;

/// Projects `data` to the shape of `operation`; returns the data and the
/// errors the projection itself found (nulls in non-null positions, bad enums).
pub(crate) fn project(
    supergraph: &Supergraph,
    operation: &OperationDefinition,
    root_type: &str,
    data: &Value,
    variables: &Map<String, Value>,
    errors: &[RunError],
) -> (Value, Vec<RunError>) {
    let mut walk = Projection {
        supergraph,
        variables,
        existing: errors,
        new_errors: Vec::new(),
        path: Vec::new(),
    };
    let empty = Map::new();
    let map = data.as_object().unwrap_or(&empty);
    let projected = match walk.object(map, root_type, &operation.selection_set) {
        Some(object) => Value::Object(object),
        None => Value::Null,
    };
    (projected, walk.new_errors)
}

struct Projection<'a> {
    supergraph: &'a Supergraph,
    variables: &'a Map<String, Value>,
    existing: &'a [RunError],
    new_errors: Vec<RunError>,
    /// Where the walk is; turned into JSON only for an error.
    path: Vec<Segment<'a>>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

impl Segment<'_> {
    fn to_value(self) -> Value {
        match self {
            Segment::Key(k) => Value::String(k.to_owned()),
            Segment::Index(i) => Value::from(i),
        }
    }

    fn matches(self, value: &Value) -> bool {
        match (self, value) {
            (Segment::Key(k), Value::String(s)) => k == s,
            (Segment::Index(i), Value::Number(n)) => n.as_u64() == Some(i as u64),
            _ => false,
        }
    }
}

impl<'a> Projection<'a> {
    fn included(&self, skip_if: &Option<String>, include_if: &Option<String>) -> bool {
        let flag = |name: &String| matches!(self.variables.get(name), Some(Value::Bool(true)));
        if skip_if.as_ref().is_some_and(flag) {
            return false;
        }
        if let Some(include) = include_if {
            return flag(include);
        }
        true
    }

    /// `None` = a non-null field inside was null: the object itself becomes null.
    fn object(
        &mut self,
        map: &Map<String, Value>,
        type_name: &str,
        selection: &'a SelectionSet,
    ) -> Option<Map<String, Value>> {
        let mut out = Map::with_capacity(selection.items.len());
        self.object_into(map, type_name, selection, &mut out)?;
        Some(out)
    }

    fn object_into(
        &mut self,
        map: &Map<String, Value>,
        type_name: &str,
        selection: &'a SelectionSet,
        out: &mut Map<String, Value>,
    ) -> Option<()> {
        let supergraph = self.supergraph;
        let definition = supergraph.state().definitions.get(type_name);
        for item in &selection.items {
            match item {
                SelectionItem::Field(field) => {
                    if field.omit_from_response || !self.included(&field.skip_if, &field.include_if)
                    {
                        continue;
                    }
                    let key = field.alias.as_deref().unwrap_or(&field.name);
                    if field.name == "__typename" {
                        out.insert(key.to_owned(), Value::String(type_name.to_owned()));
                        continue;
                    }
                    let field_type = definition
                        .and_then(|d| d.fields().get(&field.name))
                        .map(|f| &f.field_type);
                    let raw = map.get(key).unwrap_or(&Value::Null);
                    self.path.push(Segment::Key(key));
                    let completed = match field_type {
                        Some(ty) => self.value(raw, ty, &field.selections, type_name, &field.name),
                        // Not in the schema (introspection fields): passed through.
                        None => Some(raw.clone()),
                    };
                    self.path.pop();
                    match completed {
                        Some(value) => match out.entry(key) {
                            serde_json::map::Entry::Occupied(existing) => {
                                crate::tree::deep_merge(existing.into_mut(), value)
                            }
                            serde_json::map::Entry::Vacant(slot) => {
                                slot.insert(value);
                            }
                        },
                        None => return None,
                    }
                }
                SelectionItem::InlineFragment(fragment) => {
                    if !self.included(&fragment.skip_if, &fragment.include_if) {
                        continue;
                    }
                    if self
                        .supergraph
                        .type_matches(type_name, &fragment.type_condition)
                    {
                        self.object_into(map, type_name, &fragment.selections, out)?;
                    }
                }
                SelectionItem::FragmentSpread(_) => {}
            }
        }
        Some(())
    }

    /// Completes one value of type `ty`; `None` = null where null is not allowed.
    fn value(
        &mut self,
        raw: &Value,
        ty: &TypeNode,
        selection: &'a SelectionSet,
        parent: &str,
        field: &str,
    ) -> Option<Value> {
        match ty {
            TypeNode::NonNull(inner) => {
                let value = self.value(raw, inner, selection, parent, field)?;
                if value.is_null() {
                    self.null_error(parent, field);
                    return None;
                }
                Some(value)
            }
            _ if raw.is_null() => Some(Value::Null),
            TypeNode::List(inner) => {
                let Value::Array(items) = raw else {
                    self.error(format!("{parent}.{field} should be a list"));
                    return Some(Value::Null);
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Segment::Index(i));
                    let completed = self.value(item, inner, selection, parent, field);
                    self.path.pop();
                    match completed {
                        Some(value) => out.push(value),
                        // A null in a non-null item makes the list null.
                        None => {
                            return if ty.is_non_null() {
                                None
                            } else {
                                Some(Value::Null)
                            }
                        }
                    }
                }
                Some(Value::Array(out))
            }
            // Built-in scalars are coerced and checked, by the same rule as every
            // projection (no schema lookup needed).
            TypeNode::Named(name) if knot_model::typeref::is_builtin_scalar(name) => {
                if raw.is_null() {
                    return Some(Value::Null);
                }
                match knot_execute::project::coerce_scalar(name, raw) {
                    Some(value) => Some(value),
                    None => {
                        self.error(format!(
                            "{parent}.{field} expects {name}, the subgraph gave {}",
                            kind_of(raw)
                        ));
                        Some(Value::Null)
                    }
                }
            }
            TypeNode::Named(name) => {
                let definition = self.supergraph.state().definitions.get(name);
                match definition {
                    Some(def) if def.is_composite_type() => {
                        let Value::Object(map) = raw else {
                            self.error(format!("{parent}.{field} should be an object"));
                            return Some(Value::Null);
                        };
                        let concrete = match (def, map.get("__typename").and_then(Value::as_str)) {
                            (_, Some(typename)) => typename.to_owned(),
                            (SupergraphDefinition::Object(_), None) => name.clone(),
                            // An interface object (or a subgraph that left __typename out):
                            // project with the abstract type's own fields.
                            (_, None) => name.clone(),
                        };
                        // An object of a type the public schema hides is not shown.
                        // The field's own type is public; only a `__typename` naming
                        // another type can be hidden.
                        if concrete != *name && !self.supergraph.type_is_public(&concrete) {
                            return Some(Value::Null);
                        }
                        Some(match self.object(map, &concrete, selection) {
                            Some(object) => Value::Object(object),
                            None => Value::Null,
                        })
                    }
                    Some(SupergraphDefinition::Enum(enum_type)) => {
                        let known = raw.as_str().is_some_and(|v| {
                            enum_type.values.iter().any(|e| e.name == v)
                                && self.supergraph.enum_value_is_public(name, v)
                        });
                        if known {
                            Some(raw.clone())
                        } else {
                            self.error(format!(
                                "{parent}.{field}: `{raw}` is not a value of enum {name}"
                            ));
                            Some(Value::Null)
                        }
                    }
                    _ => Some(raw.clone()),
                }
            }
        }
    }

    fn covered(&self) -> bool {
        let here = &self.path;
        self.existing
            .iter()
            .chain(self.new_errors.iter())
            .any(|e| match &e.path {
                Some(p) => p.iter().zip(here.iter()).all(|(v, seg)| seg.matches(v)),
                None => true,
            })
    }

    fn null_error(&mut self, parent: &str, field: &str) {
        if self.covered() {
            return;
        }
        self.error(format!(
            "Cannot return null for non-nullable field {parent}.{field}."
        ));
    }

    fn error(&mut self, message: String) {
        self.new_errors.push(RunError {
            category: Category::Dependency,
            message,
            path: Some(self.path.iter().map(|s| s.to_value()).collect()),
            extensions: None,
            subgraph: None,
        });
    }
}

/// What kind of JSON value `v` is, for an error message (never the value itself).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_scalars_are_coerced_and_checked_like_every_projection() {
        let supergraph = crate::fleet_supergraph();
        let run = |query: &str, data: Value| {
            let prepared = supergraph.prepare(query, None).expect("prepares");
            project(
                &supergraph,
                &prepared.operation,
                "Query",
                &data,
                &Map::new(),
                &[],
            )
        };
        // An ID from a number is its text; a String from a boolean likewise.
        let (projected, errors) = run(
            r#"{ device(id: "1") { id name } }"#,
            serde_json::json!({"device": {"id": 7, "name": true}}),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            projected["device"],
            serde_json::json!({"id": "7", "name": "true"})
        );
        // An object is no ID: an error at its path, and the null bubbles up through the
        // non-null element and list (`devices: [Device!]!`) to `data`.
        let (projected, errors) = run(
            "{ devices { id } }",
            serde_json::json!({"devices": [{"id": "1"}, {"id": {"secret": "not an id"}}]}),
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].path,
            Some(vec![
                Value::from("devices"),
                Value::from(1),
                Value::from("id")
            ])
        );
        assert!(
            !errors[0].message.contains("secret"),
            "{}",
            errors[0].message
        );
        assert_eq!(projected, Value::Null);
    }
}
