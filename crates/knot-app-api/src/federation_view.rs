//! Federation plans and runs (`knot_federation`) as the same views as every other plan
//! and trace, so the fan-out graph and the explorer need nothing of their own.
//!
//! The main design choice, as in [`crate::run_view`]: a federation run is first written in
//! the executor's trace *JSON form* ([`federation_trace_json`]: `plan` as `Plan::to_json`,
//! `nodes`, `spans`, `errors`, `duration_ms`), which is what the history keeps, and the view
//! is read back from it with [`trace_view_from_json`]. A live federation run and one
//! reopened from history therefore go through the same reader and look the same.

use std::collections::BTreeMap;

use crate::dto::*;
use crate::run_view::trace_view_from_json;
use crate::workspace_view::to_u32;
use knot_federation::{FetchGraph, FetchStep, GatewayResponse};
use serde_json::{json, Value};

/// `sourceKind` of every federation fetch step.
pub const FEDERATION_SOURCE_KIND: &str = "federation";

/// The fan-out graph of a federation plan: one node per fetch step, "waits for" edges.
pub fn federation_plan_view(graph: &FetchGraph) -> PlanView {
    let nodes = graph
        .graph
        .node_weights()
        .map(|step| PlanNodeView {
            id: to_u32(step.id),
            label: step.label(),
            path: step.path(),
            source: step.subgraph.clone(),
            source_kind: FEDERATION_SOURCE_KIND.to_string(),
            operation: step_operation(step),
            mode: if step.entities.is_empty() {
                FetchModeView::Single
            } else {
                FetchModeView::Batch
            },
            hidden: false,
        })
        .collect();
    let edges = graph
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (from, to) = graph.graph.edge_endpoints(e)?;
            Some(PlanEdgeView {
                from: to_u32(from.index()),
                to: to_u32(to.index()),
                kind: EdgeKind::Requires,
            })
        })
        .collect();
    PlanView {
        nodes,
        edges,
        stages: graph
            .stages()
            .into_iter()
            .map(|s| s.into_iter().map(to_u32).collect())
            .collect(),
    }
}

/// `_entities` for an entity fetch, else the root fields it answers (`device, fleet`).
fn step_operation(step: &FetchStep) -> String {
    if step.entities.is_empty() {
        step.root_keys.join(", ")
    } else {
        "_entities".to_string()
    }
}

/// The trace of a federation run in the executor's trace JSON form (what the history
/// records). `targets`: each subgraph's URL (`Supergraph::subgraphs`), shown as the
/// span's request target; a subgraph missing from it shows its name.
pub fn federation_trace_json(
    response: &GatewayResponse,
    duration_ms: f64,
    targets: &BTreeMap<String, String>,
) -> Value {
    let plan = federation_plan_view(&response.graph);
    let operation_of = |step: usize| {
        plan.nodes
            .iter()
            .find(|n| n.id as usize == step)
            .map(|n| n.operation.clone())
            .unwrap_or_default()
    };
    let nodes: Vec<Value> = response
        .spans
        .iter()
        .map(|s| {
            json!({
                "node": s.step,
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "parents": s.objects,
                "keys": s.representations,
                "calls": 1,
                "failed_calls": u32::from(s.category.is_some()),
            })
        })
        .collect();
    let spans: Vec<Value> = response
        .spans
        .iter()
        .enumerate()
        .map(|(id, s)| {
            let response_text = s
                .response
                .as_ref()
                .and_then(|r| serde_json::to_string_pretty(r).ok());
            let bytes = s
                .response
                .as_ref()
                .and_then(|r| serde_json::to_vec(r).ok())
                .map_or(0, |b| b.len());
            json!({
                "id": id,
                "node": s.step,
                "source": s.subgraph,
                "operation": operation_of(s.step),
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "batch_size": s.representations,
                "status": s.status.map(|n| n.to_string()),
                "category": s.category.map(|c| c.as_str()),
                "error": s.error,
                "request": {
                    "method": "POST",
                    "target": targets.get(&s.subgraph).unwrap_or(&s.subgraph),
                    "headers": [["content-type", "application/json"]],
                    "body": s.request,
                },
                "bytes": bytes,
                "attempt": 1,
                "response": response_text,
            })
        })
        .collect();
    let errors: Vec<Value> = response
        .detailed_errors
        .iter()
        .map(|e| {
            json!({
                "path": e.get("path").filter(|p| p.is_array()).cloned().unwrap_or_else(|| json!([])),
                "category": e.get("category").cloned().unwrap_or(Value::Null),
                "detail": e.get("message").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({
        "plan": serde_json::to_value(&plan).unwrap_or(Value::Null),
        "nodes": nodes,
        "spans": spans,
        "errors": errors,
        "duration_ms": duration_ms,
    })
}

/// The trace view of a federation run (request targets show the subgraph names; use
/// [`federation_trace_json`] with the supergraph's URLs to show those).
pub fn federation_trace_view(response: &GatewayResponse, duration_ms: f64) -> TraceView {
    trace_view_from_json(&federation_trace_json(
        response,
        duration_ms,
        &BTreeMap::new(),
    ))
}

/// The explorer's schema tree of a federation workspace: the supergraph's public schema
/// (types reachable from `Query`, `Query` first), with the workspace's own bindings shown
/// on the fields it binds. Interfaces and unions are listed as types; a union has no
/// fields of its own.
pub fn federation_schema_tree(public_sdl: &str, ws: &knot_model::Workspace) -> SchemaTree {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    use std::collections::{HashMap, HashSet};
    let Ok(document) = async_graphql_parser::parse_schema(public_sdl) else {
        return SchemaTree { types: Vec::new() };
    };
    let mut types: Vec<(
        String,
        String,
        Vec<&async_graphql_parser::types::FieldDefinition>,
        bool,
    )> = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let t = &t.node;
        let name = t.name.node.to_string();
        if name.starts_with("__") {
            continue;
        }
        let description = t
            .description
            .as_ref()
            .map(|d| d.node.clone())
            .unwrap_or_default();
        match &t.kind {
            TypeKind::Object(o) => types.push((
                name,
                description,
                o.fields.iter().map(|f| &f.node).collect(),
                true,
            )),
            TypeKind::Interface(i) => types.push((
                name,
                description,
                i.fields.iter().map(|f| &f.node).collect(),
                true,
            )),
            TypeKind::Union(_) => types.push((name, description, Vec::new(), true)),
            _ => {}
        }
    }
    let composite: HashSet<String> = types.iter().map(|(n, ..)| n.clone()).collect();
    let by_name: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, (n, ..))| (n.as_str(), i))
        .collect();
    // Reachable from Query, in declaration order with Query first.
    let mut reachable: HashSet<String> = HashSet::new();
    let mut queue = vec![knot_model::QUERY_TYPE.to_owned()];
    reachable.insert(knot_model::QUERY_TYPE.to_owned());
    while let Some(name) = queue.pop() {
        let Some(index) = by_name.get(name.as_str()) else {
            continue;
        };
        for field in &types[*index].2 {
            let named = base_name(&field.ty.node);
            if composite.contains(&named) && reachable.insert(named.clone()) {
                queue.push(named);
            }
        }
    }
    let ordered = types
        .iter()
        .filter(|(n, ..)| n == knot_model::QUERY_TYPE)
        .chain(types.iter().filter(|(n, ..)| n != knot_model::QUERY_TYPE))
        .filter(|(n, ..)| reachable.contains(n));
    SchemaTree {
        types: ordered
            .map(|(name, description, fields, _)| TypeView {
                name: name.clone(),
                description: description.clone(),
                fields: fields
                    .iter()
                    .filter(|f| !f.name.node.starts_with("__"))
                    .map(|f| {
                        let ty = f.ty.node.to_string();
                        let named = base_name(&f.ty.node);
                        let binding = ws
                            .schema
                            .types
                            .get(name)
                            .and_then(|t| t.fields.get(f.name.node.as_str()))
                            .and_then(|d| d.binding.as_ref())
                            .map(|b| BindingView {
                                source: b.source.clone(),
                                operation: b.operation.clone(),
                                batch: b.batch.is_some(),
                            });
                        FieldView {
                            name: f.name.node.to_string(),
                            is_object: composite.contains(&named),
                            is_list: matches!(
                                f.ty.node.base,
                                async_graphql_parser::types::BaseType::List(_)
                            ),
                            named_type: named,
                            ty,
                            description: f
                                .description
                                .as_ref()
                                .map(|d| d.node.clone())
                                .unwrap_or_default(),
                            arguments: f
                                .arguments
                                .iter()
                                .map(|a| ArgumentView {
                                    name: a.node.name.node.to_string(),
                                    ty: a.node.ty.node.to_string(),
                                    required: !a.node.ty.node.nullable
                                        && a.node.default_value.is_none(),
                                })
                                .collect(),
                            binding,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn base_name(ty: &async_graphql_parser::types::Type) -> String {
    match &ty.base {
        async_graphql_parser::types::BaseType::Named(n) => n.to_string(),
        async_graphql_parser::types::BaseType::List(inner) => base_name(inner),
    }
}
