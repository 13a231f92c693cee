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

use futures::future::join_all;
use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::{FieldSelection, SelectionSet};
use knot_connect::{Category, Connectors, Vars};

use crate::tree::ast_to_json;
use knot_model::{ArgValue, Binding, FieldDef, MatchBy, ObjectType, TypeRef, Workspace};
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
    vars: Vars,
    types: indexmap::IndexMap<String, ObjectType>,
}

impl std::fmt::Debug for LocalSubgraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSubgraph").finish_non_exhaustive()
    }
}

/// One call a binding made: a downstream call of its own source and operation, which the
/// trace shows as its own span (never as the generated subgraph).
#[derive(Clone, Debug)]
pub struct BoundCall {
    pub source: String,
    pub operation: String,
    pub request: knot_connect::RequestSummary,
    pub status: Option<String>,
    pub category: Option<Category>,
    pub error: Option<String>,
    /// Keys the call carried.
    pub keys: usize,
    pub started: Instant,
    pub ended: Instant,
    pub bytes: usize,
    pub response: Option<String>,
}

impl BoundCall {
    fn of(binding: &Binding, answer: &knot_connect::CallResult, keys: usize) -> Self {
        BoundCall {
            source: binding.source.clone(),
            operation: binding.operation.clone(),
            request: answer.request.clone(),
            status: answer.status.clone(),
            category: answer.outcome.as_ref().err().map(|e| e.category()),
            error: answer.outcome.as_ref().err().map(|e| e.to_string()),
            keys,
            started: answer.started,
            ended: answer.ended,
            bytes: answer.bytes,
            response: answer.response_preview.clone(),
        }
    }
}

impl LocalSubgraph {
    pub(crate) fn new(ws: &Workspace, vars: Vars, connectors: std::sync::Arc<Connectors>) -> Self {
        Self {
            connectors,
            vars,
            types: ws.schema.types.clone(),
        }
    }

    /// Answers one `_entities` operation of the generated subgraph like a subgraph
    /// would: `{"data": {"_entities": [...]}, "errors": [...]}`.
    pub(crate) async fn resolve(
        &self,
        selection: &SelectionSet,
        variables: &Map<String, Value>,
    ) -> (Value, Vec<BoundCall>) {
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
                    let parents: Vec<&Value> =
                        members.iter().map(|i| &representations[*i]).collect();
                    let (values, field_errors, field_calls) =
                        self.bind(binding, field, &parents, variables).await;
                    calls.extend(field_calls);
                    let result_type = def.map(|d| d.ty.clone()).unwrap_or_default();
                    for ((i, value), error) in members.iter().zip(values).zip(field_errors) {
                        let shaped = self.shape(&value, &result_type, &field.selections);
                        results[*i].insert(key.clone(), shaped);
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

    /// The value of a bound field for each parent, with an error per parent that
    /// has none.
    #[allow(clippy::type_complexity)]
    async fn bind(
        &self,
        binding: &Binding,
        field: &FieldSelection,
        parents: &[&Value],
        variables: &Map<String, Value>,
    ) -> (Vec<Value>, Vec<Option<(Category, String)>>, Vec<BoundCall>) {
        let mut values = vec![Value::Null; parents.len()];
        let mut errors: Vec<Option<(Category, String)>> = vec![None; parents.len()];
        let mut calls = Vec::new();
        // The inputs of one parent's call, or why there are none (a missing environment
        // variable is an error, as in every other plan).
        let inputs_of = |parent: &Value| -> Result<Map<String, Value>, (Category, String)> {
            let mut inputs = Map::new();
            for (name, arg) in &binding.args {
                let value = match arg {
                    ArgValue::Parent(p) => parent.get(p).cloned().unwrap_or(Value::Null),
                    ArgValue::Argument(a) => field
                        .arguments
                        .as_ref()
                        .and_then(|args| args.get_argument(a))
                        .map(|v| ast_to_json(v, variables))
                        .unwrap_or(Value::Null),
                    ArgValue::Env(e) => match self.vars.get(e) {
                        Some(v) => Value::String(v.to_owned()),
                        None => {
                            return Err((
                                Category::Dependency,
                                format!("environment variable `{e}` is not set"),
                            ))
                        }
                    },
                    ArgValue::Value(v) => v.clone(),
                };
                inputs.insert(name.clone(), value);
            }
            Ok(inputs)
        };
        match (&binding.batch, &binding.key) {
            (Some(batch), Some(key)) => {
                // Parents are grouped by their other inputs; each group makes one call per
                // chunk of its distinct keys (compared as text: `1` and `"1"` are one key),
                // and the answers are matched back.
                let mut groups: Vec<(Map<String, Value>, Vec<Value>)> = Vec::new();
                let mut group_of: HashMap<String, usize> = HashMap::new();
                let mut slot_of: Vec<Option<(usize, usize)>> = Vec::with_capacity(parents.len());
                for (i, parent) in parents.iter().enumerate() {
                    let inputs = match inputs_of(parent) {
                        Ok(inputs) => inputs,
                        Err(e) => {
                            errors[i] = Some(e);
                            slot_of.push(None);
                            continue;
                        }
                    };
                    match parent.get(&key.parent) {
                        Some(k) if !k.is_null() => {
                            let signature = Value::Object(inputs.clone()).to_string();
                            let g = *group_of.entry(signature).or_insert_with(|| {
                                groups.push((inputs, Vec::new()));
                                groups.len() - 1
                            });
                            let keys = &mut groups[g].1;
                            let at =
                                keys.iter().position(|d| same_key(d, k)).unwrap_or_else(|| {
                                    keys.push(k.clone());
                                    keys.len() - 1
                                });
                            slot_of.push(Some((g, at)));
                        }
                        _ => slot_of.push(None),
                    }
                }
                let chunk = batch.max_batch_size.unwrap_or(usize::MAX).max(1);
                let mut by_key: Vec<Vec<Matched>> = groups
                    .iter()
                    .map(|(_, keys)| vec![Ok(Value::Null); keys.len()])
                    .collect();
                let chunks: Vec<(usize, usize, &[Value])> = groups
                    .iter()
                    .enumerate()
                    .flat_map(|(g, (_, keys))| {
                        keys.chunks(chunk)
                            .enumerate()
                            .map(move |(n, keys)| (g, n * chunk, keys))
                    })
                    .collect();
                let answers = join_all(chunks.iter().map(|(g, _, keys)| {
                    let mut inputs = groups[*g].0.clone();
                    inputs.insert(key.input.clone(), Value::Array(keys.to_vec()));
                    async move {
                        self.connectors
                            .call(&binding.source, &binding.operation, &inputs, None, &[])
                            .await
                    }
                }))
                .await;
                for ((g, offset, keys), answer) in chunks.iter().zip(answers) {
                    calls.push(BoundCall::of(binding, &answer, keys.len()));
                    let list = answer
                        .outcome
                        .map_err(|e| (e.category(), e.to_string()))
                        .map(|v| {
                            at_path(&v, binding.result.as_deref())
                                .cloned()
                                .unwrap_or(Value::Null)
                        });
                    let matched = list.and_then(|list| match_batch(&list, keys, &batch.match_by));
                    for (n, result) in match matched {
                        Ok(items) => items,
                        Err(e) => vec![Err(e); keys.len()],
                    }
                    .into_iter()
                    .enumerate()
                    {
                        by_key[*g][offset + n] = result;
                    }
                }
                for (i, slot) in slot_of.iter().enumerate() {
                    if let Some((g, at)) = slot {
                        match &by_key[*g][*at] {
                            Ok(v) => values[i] = v.clone(),
                            Err(e) => errors[i] = Some(e.clone()),
                        }
                    }
                }
            }
            _ => {
                let mut called: Vec<(usize, Map<String, Value>)> = Vec::new();
                for (i, parent) in parents.iter().enumerate() {
                    match inputs_of(parent) {
                        Ok(mut inputs) => {
                            if let Some(key) = &binding.key {
                                inputs.insert(
                                    key.input.clone(),
                                    parent.get(&key.parent).cloned().unwrap_or(Value::Null),
                                );
                            }
                            called.push((i, inputs));
                        }
                        Err(e) => errors[i] = Some(e),
                    }
                }
                let answers = join_all(called.iter().map(|(_, inputs)| async move {
                    self.connectors
                        .call(&binding.source, &binding.operation, inputs, None, &[])
                        .await
                }))
                .await;
                for ((i, _), answer) in called.iter().zip(answers) {
                    let i = *i;
                    calls.push(BoundCall::of(binding, &answer, 1));
                    match answer.outcome {
                        Ok(v) => {
                            values[i] = at_path(&v, binding.result.as_deref())
                                .cloned()
                                .unwrap_or(Value::Null)
                        }
                        Err(e) => errors[i] = Some((e.category(), e.to_string())),
                    }
                }
            }
        }
        (values, errors, calls)
    }

    /// A binding's raw result shaped by the field's selection and the workspace type
    /// (`from` paths), like a subgraph answers only what was asked.
    fn shape(&self, value: &Value, ty: &str, selection: &SelectionSet) -> Value {
        match value {
            Value::Null => Value::Null,
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.shape(v, ty, selection)).collect())
            }
            Value::Object(map) if !selection.items.is_empty() => {
                let type_name = TypeRef::parse(ty)
                    .map(|t| t.named().to_owned())
                    .unwrap_or_default();
                let object = self.types.get(&type_name);
                let mut out = Map::new();
                for item in &selection.items {
                    let SelectionItem::Field(field) = item else {
                        continue;
                    };
                    let key = field.alias.clone().unwrap_or_else(|| field.name.clone());
                    if field.name == "__typename" {
                        out.insert(key, Value::String(type_name.clone()));
                        continue;
                    }
                    let def = object.and_then(|o| o.fields.get(&field.name));
                    let from = def
                        .and_then(|d| d.from.clone())
                        .unwrap_or_else(|| field.name.clone());
                    let (first, rest) = match from.split_once('.') {
                        Some((first, rest)) => (first, Some(rest)),
                        None => (from.as_str(), None),
                    };
                    let raw = map
                        .get(first)
                        .and_then(|v| at_path(v, rest))
                        .cloned()
                        .unwrap_or(Value::Null);
                    let child_ty = def.map(|d| d.ty.clone()).unwrap_or_default();
                    out.insert(key, self.shape(&raw, &child_ty, &field.selections));
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// One key's result, or why it has none.
type Matched = Result<Value, (Category, String)>;

/// Matches a batch answer to its keys: by a field of each result, or by order.
fn match_batch(
    list: &Value,
    keys: &[Value],
    match_by: &MatchBy,
) -> Result<Vec<Matched>, (Category, String)> {
    let Value::Array(items) = list else {
        return Err((
            Category::Dependency,
            "the batch answer is not a list".into(),
        ));
    };
    match match_by {
        MatchBy::Order => {
            if items.len() != keys.len() {
                return Err((
                    Category::Dependency,
                    format!("{} results for {} keys", items.len(), keys.len()),
                ));
            }
            Ok(items.iter().cloned().map(Ok).collect())
        }
        MatchBy::Field(path) => Ok(keys
            .iter()
            .map(|k| {
                items
                    .iter()
                    .find(|item| at_path(item, Some(path)).is_some_and(|v| same_key(v, k)))
                    .cloned()
                    .ok_or_else(|| (Category::Dependency, format!("no result for key {k}")))
            })
            .collect()),
    }
}

/// Keys compare as text, so `1` and `"1"` match (IDs travel as both).
fn same_key(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

fn at_path<'v>(value: &'v Value, path: Option<&str>) -> Option<&'v Value> {
    match path {
        None | Some("") => Some(value),
        Some(path) => path.split('.').try_fold(value, |v, key| v.get(key)),
    }
}
