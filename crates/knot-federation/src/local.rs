//! Orchestrated fields on federated types: the workspace's own bindings served as
//! one more subgraph, in process.
//!
//! The main design choice: a field the unified schema adds to a federated type
//! (`Device.maintenance` bound to a REST operation, key from `Device.id`) becomes a
//! field of a generated subgraph (`bindings`) that declares the type as an entity
//! with the supergraph's key, the parent fields its bindings read as `@external`
//! plus `@requires`, and the result types as its own value types. Composed with
//! the real subgraphs, the planner then decides when the binding runs and with
//! which representations, exactly as for any subgraph; the executor answers that
//! subgraph's `_entities` call here, calling the bound operations through Knot's
//! connectors (one call for all keys of a batch binding, deduplicated, matched
//! back by field or order).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::{FieldSelection, SelectionSet};
use knot_connect::{Category, Connectors};
use knot_execute::Span;
use knot_plan::{FetchMode, FetchNode, InputSource, KeySpec, NodeKind};

use crate::tree::ast_to_json;
use knot_model::{ArgValue, Binding, FieldDef, ObjectType, TypeRef, Workspace};
use serde_json::{json, Map, Value};

/// Name and URL of the generated subgraph.
pub const LOCAL_SUBGRAPH: &str = "bindings";
pub const LOCAL_URL: &str = "knot-local://bindings";

/// The generated subgraph's SDL, or `None` when no federated type has bound fields.
/// `entity_keys`: for each type of the supergraph that is an entity, its key.
pub(crate) fn local_subgraph_sdl(
    ws: &Workspace,
    entity_keys: &HashMap<String, String>,
) -> Result<Option<String>, String> {
    let types = &ws.schema.types;
    let mut federated: Vec<(&String, &ObjectType)> = Vec::new();
    for (name, object) in types {
        if object.fields.values().any(|f| f.binding.is_some()) && entity_keys.contains_key(name) {
            federated.push((name, object));
        } else if name == knot_model::QUERY_TYPE && !object.fields.is_empty() {
            return Err(
                "schema.types.Query: in a workspace with subgraphs the root fields come from \
                 the subgraphs; bind fields on their types instead"
                    .into(),
            );
        }
    }
    if federated.is_empty() {
        return Ok(None);
    }
    let mut sdl = String::from(
        "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\", \"@external\", \"@requires\"])\n\n",
    );
    let mut value_types: BTreeSet<String> = BTreeSet::new();
    for (name, object) in &federated {
        let key = &entity_keys[*name];
        let key_fields: Vec<&str> = key.split_whitespace().collect();
        sdl.push_str(&format!("type {name} @key(fields: \"{key}\") {{\n"));
        // Key fields, then the other parent fields the bindings read (external).
        let mut declared: BTreeSet<String> = BTreeSet::new();
        for key_field in &key_fields {
            let ty = object
                .fields
                .get(*key_field)
                .map(|f| f.ty.clone())
                .ok_or_else(|| {
                    format!(
                        "schema.types.{name}: declare the key field `{key_field}` (the supergraph's key of {name} is `{key}`)"
                    )
                })?;
            sdl.push_str(&format!("  {key_field}: {ty}\n"));
            declared.insert((*key_field).to_owned());
        }
        for (field_name, field) in &object.fields {
            let Some(binding) = &field.binding else {
                continue;
            };
            let mut requires: Vec<String> = Vec::new();
            for parent in parent_fields(binding) {
                if key_fields.contains(&parent.as_str()) {
                    continue;
                }
                let Some(parent_def) = object.fields.get(&parent) else {
                    return Err(format!(
                        "schema.types.{name}.{field_name}: the binding reads `{parent}`, which {name} does not declare"
                    ));
                };
                if !declared.contains(&parent) {
                    sdl.push_str(&format!("  {parent}: {} @external\n", parent_def.ty));
                    declared.insert(parent.clone());
                }
                requires.push(parent);
            }
            let args = field_arguments(field);
            if requires.is_empty() {
                sdl.push_str(&format!("  {field_name}{args}: {}\n", field.ty));
            } else {
                sdl.push_str(&format!(
                    "  {field_name}{args}: {} @requires(fields: \"{}\")\n",
                    field.ty,
                    requires.join(" ")
                ));
            }
            collect_value_types(&field.ty, types, entity_keys, &mut value_types)?;
        }
        sdl.push_str("}\n\n");
    }
    for name in &value_types {
        let object = &types[name];
        sdl.push_str(&format!("type {name} {{\n"));
        for (field_name, field) in &object.fields {
            if field.private {
                continue;
            }
            if field.binding.is_some() {
                return Err(format!(
                    "schema.types.{name}.{field_name}: bound fields inside a type that only a binding returns are not supported in a workspace with subgraphs"
                ));
            }
            sdl.push_str(&format!("  {field_name}: {}\n", field.ty));
        }
        sdl.push_str("}\n\n");
    }
    Ok(Some(sdl))
}

fn field_arguments(field: &FieldDef) -> String {
    if field.arguments.is_empty() {
        return String::new();
    }
    let list: Vec<String> = field
        .arguments
        .iter()
        .map(|(name, arg)| format!("{name}: {}", arg.ty))
        .collect();
    format!("({})", list.join(", "))
}

/// Parent fields a binding reads (its key and `parent` arguments).
fn parent_fields(binding: &Binding) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(key) = &binding.key {
        out.push(key.parent.clone());
    }
    for arg in binding.args.values() {
        if let ArgValue::Parent(p) = arg {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
    }
    out
}

/// Workspace types reachable from a bound field's type: they become value types of
/// the generated subgraph.
fn collect_value_types(
    ty: &str,
    types: &indexmap::IndexMap<String, ObjectType>,
    entity_keys: &HashMap<String, String>,
    out: &mut BTreeSet<String>,
) -> Result<(), String> {
    let Ok(parsed) = TypeRef::parse(ty) else {
        return Err(format!("`{ty}` is not a GraphQL type"));
    };
    let name = parsed.named().to_owned();
    if entity_keys.contains_key(&name) {
        return Err(format!(
            "a binding returns `{name}`, a type of the supergraph: return a type of the workspace instead"
        ));
    }
    if let Some(object) = types.get(&name) {
        if out.insert(name.clone()) {
            for field in object.fields.values() {
                collect_value_types(&field.ty, types, entity_keys, out)?;
            }
        }
    }
    Ok(())
}

/// The generated subgraph at run time.
pub(crate) struct LocalSubgraph {
    connectors: std::sync::Arc<Connectors>,
    types: indexmap::IndexMap<String, ObjectType>,
}

impl std::fmt::Debug for LocalSubgraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSubgraph").finish_non_exhaustive()
    }
}

impl LocalSubgraph {
    pub(crate) fn new(ws: &Workspace, connectors: std::sync::Arc<Connectors>) -> Self {
        Self {
            connectors,
            types: ws.schema.types.clone(),
        }
    }

    /// Answers one `_entities` operation of the generated subgraph like a subgraph
    /// would: `{"data": {"_entities": [...]}, "errors": [...]}`.
    pub(crate) async fn resolve(
        &self,
        selection: &SelectionSet,
        variables: &Map<String, Value>,
        headers: &[(String, String)],
        started: Instant,
    ) -> (Value, Vec<Span>) {
        let mut data = Map::new();
        let mut errors = Vec::new();
        let mut calls = Vec::new();
        for item in &selection.items {
            let SelectionItem::Field(entities) = item else {
                continue;
            };
            let response_key = entities
                .alias
                .clone()
                .unwrap_or_else(|| entities.name.clone());
            let representations = entities
                .arguments
                .as_ref()
                .and_then(|args| args.get_argument("representations"))
                .map(|v| ast_to_json(v, variables))
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            let mut results: Vec<Map<String, Value>> = vec![Map::new(); representations.len()];
            for fragment in &entities.selections.items {
                let SelectionItem::InlineFragment(fragment) = fragment else {
                    continue;
                };
                let type_name = &fragment.type_condition;
                let members: Vec<usize> = representations
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.get("__typename").and_then(Value::as_str) == Some(type_name))
                    .map(|(i, _)| i)
                    .collect();
                for field_item in &fragment.selections.items {
                    let SelectionItem::Field(field) = field_item else {
                        continue;
                    };
                    let key = field.alias.clone().unwrap_or_else(|| field.name.clone());
                    if field.name == "__typename" {
                        for i in &members {
                            results[*i].insert(key.clone(), Value::String(type_name.clone()));
                        }
                        continue;
                    }
                    let def = self
                        .types
                        .get(type_name)
                        .and_then(|t| t.fields.get(&field.name));
                    let Some(binding) = def.and_then(|d| d.binding.as_ref()) else {
                        for i in &members {
                            let value = representations[*i]
                                .get(&field.name)
                                .cloned()
                                .unwrap_or(Value::Null);
                            results[*i].insert(key.clone(), value);
                        }
                        continue;
                    };
                    let parents: Vec<Value> = members
                        .iter()
                        .map(|i| representations[*i].clone())
                        .collect();
                    let ran = self
                        .bind(
                            type_name,
                            &field.name,
                            binding,
                            field,
                            &parents,
                            variables,
                            headers,
                            started,
                        )
                        .await;
                    calls.extend(ran.spans);
                    let (values, field_errors): (Vec<Value>, Vec<Option<(Category, String)>>) = ran
                        .values
                        .into_iter()
                        .map(|r| match r {
                            Ok(v) => (v, None),
                            Err(e) => (Value::Null, Some((e.category, e.detail))),
                        })
                        .unzip();
                    // The raw value, as the downstream gave it: the one projection reads
                    // it through the workspace types' `from` paths like in any plan.
                    for ((i, value), error) in members.iter().zip(values).zip(field_errors) {
                        results[*i].insert(key.clone(), value);
                        if let Some((category, message)) = error {
                            errors.push(json!({
                                "message": message,
                                "path": [response_key.clone(), i, key.clone()],
                                "extensions": {"category": category.as_str()},
                            }));
                        }
                    }
                }
            }
            data.insert(
                response_key,
                Value::Array(results.into_iter().map(Value::Object).collect()),
            );
        }
        let mut body = Map::new();
        body.insert("data".into(), Value::Object(data));
        if !errors.is_empty() {
            body.insert("errors".into(), Value::Array(errors));
        }
        (Value::Object(body), calls)
    }

    /// The value of a bound field for each parent, or the error in its place: the binding
    /// becomes an ordinary bound fetch node run by `knot-execute` over these parents (the
    /// same keys, grouping, batching, matching and errors as in any plan).
    #[allow(clippy::too_many_arguments)]
    async fn bind(
        &self,
        type_name: &str,
        field_name: &str,
        binding: &Binding,
        field: &FieldSelection,
        parents: &[Value],
        variables: &Map<String, Value>,
        headers: &[(String, String)],
        started: Instant,
    ) -> knot_execute::run::NodeOverParents {
        let path = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
        let inputs = binding
            .args
            .iter()
            .map(|(name, arg)| {
                let source = match arg {
                    ArgValue::Parent(p) => InputSource::Parent(path(p)),
                    ArgValue::Argument(a) => InputSource::Value(
                        field
                            .arguments
                            .as_ref()
                            .and_then(|args| args.get_argument(a))
                            .map(|v| ast_to_json(v, variables))
                            .unwrap_or(Value::Null),
                    ),
                    ArgValue::Env(e) => InputSource::Env(e.clone()),
                    ArgValue::Value(v) => InputSource::Value(v.clone()),
                };
                (name.clone(), source)
            })
            .collect();
        let node = FetchNode {
            id: 0,
            kind: NodeKind::Bound,
            label: format!("{type_name}.{field_name}"),
            path: Vec::new(),
            parent_type: type_name.to_owned(),
            field: field_name.to_owned(),
            source: binding.source.clone(),
            source_kind: self
                .connectors
                .kind(&binding.source)
                .unwrap_or_default()
                .to_owned(),
            operation: binding.operation.clone(),
            mode: if binding.batch.is_some() {
                FetchMode::Batch
            } else {
                FetchMode::Single
            },
            parent_locator: Vec::new(),
            storage_key: String::new(),
            key: binding.key.as_ref().map(|k| KeySpec {
                parent: path(&k.parent),
                input: k.input.clone(),
            }),
            inputs,
            match_by: binding.batch.as_ref().map(|b| b.match_by.clone()),
            max_batch_size: binding.batch.as_ref().and_then(|b| b.max_batch_size),
            result_path: binding.result.as_deref().map(path).unwrap_or_default(),
            selection: None,
            hidden: false,
            only: Vec::new(),
            timeout_ms: None,
            idempotency_key: false,
        };
        knot_execute::run::run_node_over(
            &node,
            parents.to_vec(),
            &self.connectors,
            headers,
            started,
        )
        .await
    }
}
