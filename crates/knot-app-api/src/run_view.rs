//! Plans, traces, calls and history rows as the UI's fan-out graph and explorer show them.
//!
//! The main design choice: a trace is converted from its *JSON form*, the one the executor
//! serialises and the store keeps in the history, so a live run and a run reopened from
//! history go through the same code and look the same. Reading that JSON is lenient: a
//! missing or odd field becomes a default, never a failed command. Every workspace, with
//! or without Federation subgraphs, has plans and traces of this one form (node `kind`
//! says which call a node is), so there is no second conversion for federation.

use crate::dto::*;
use crate::workspace_view::to_u32;
use knot_plan::{Dependency, FetchMode, NodeKind, Plan, PlanError};
use serde_json::Value;

pub fn plan_view(plan: &Plan) -> PlanView {
    let nodes = plan
        .graph
        .node_weights()
        .map(|n| PlanNodeView {
            id: to_u32(n.id),
            kind: match n.kind {
                NodeKind::Bound => NodeKindView::Bound,
                NodeKind::SubgraphRoot => NodeKindView::SubgraphRoot,
                NodeKind::Entity => NodeKindView::Entity,
            },
            label: n.label.clone(),
            path: n.path.clone(),
            source: n.source.clone(),
            source_kind: n.source_kind.clone(),
            operation: n.operation.clone(),
            mode: match n.mode {
                FetchMode::Single => FetchModeView::Single,
                FetchMode::Batch => FetchModeView::Batch,
            },
            hidden: n.hidden,
        })
        .collect();
    let edges = plan
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = plan.graph.edge_endpoints(e)?;
            Some(PlanEdgeView {
                from: to_u32(a.index()),
                to: to_u32(b.index()),
                kind: match plan.graph[e] {
                    Dependency::Parent => EdgeKind::Parent,
                    Dependency::Requires => EdgeKind::Requires,
                    Dependency::Sequence => EdgeKind::Sequence,
                },
            })
        })
        .collect();
    PlanView {
        nodes,
        edges,
        stages: stages_view(plan.stages()),
    }
}

fn stages_view(stages: Vec<Vec<usize>>) -> Vec<Vec<u32>> {
    stages
        .into_iter()
        .map(|s| s.into_iter().map(to_u32).collect())
        .collect()
}

pub fn query_error_view(e: &PlanError) -> QueryErrorView {
    let first = e.locations.first();
    QueryErrorView {
        message: e.message.clone(),
        line: first.map(|(l, _)| to_u32(*l)),
        column: first.map(|(_, c)| to_u32(*c)),
    }
}

pub fn plan_result(result: Result<Plan, Vec<PlanError>>) -> PlanResult {
    match result {
        Ok(plan) => PlanResult {
            plan: Some(plan_view(&plan)),
            errors: Vec::new(),
        },
        Err(errors) => PlanResult {
            plan: None,
            errors: errors.iter().map(query_error_view).collect(),
        },
    }
}

/// A trace of a run that just finished.
pub fn trace_view(trace: &knot_execute::Trace) -> TraceView {
    trace_view_from_json(&serde_json::to_value(trace).unwrap_or(Value::Null))
}

/// A trace in its JSON form (as recorded in the history); lenient.
pub fn trace_view_from_json(v: &Value) -> TraceView {
    TraceView {
        duration_ms: f64_of(v, "duration_ms"),
        plan: plan_view_from_json(&v["plan"]),
        nodes: list(v, "nodes")
            .map(|n| NodeRunView {
                node: u32_of(n, "node"),
                start_ms: f64_of(n, "start_ms"),
                end_ms: f64_of(n, "end_ms"),
                parents: u32_of(n, "parents"),
                keys: u32_of(n, "keys"),
                calls: u32_of(n, "calls"),
                failed_calls: u32_of(n, "failed_calls"),
            })
            .collect(),
        spans: list(v, "spans")
            .map(|s| SpanView {
                id: u32_of(s, "id"),
                node: u32_of(s, "node"),
                source: str_of(s, "source"),
                operation: str_of(s, "operation"),
                start_ms: f64_of(s, "start_ms"),
                end_ms: f64_of(s, "end_ms"),
                batch_size: u32_of(s, "batch_size"),
                status: opt_str(s, "status"),
                category: opt_str(s, "category"),
                error: opt_str(s, "error"),
                request: request_view_from_json(&s["request"]),
                bytes: u32_of(s, "bytes"),
                attempt: u32_of(s, "attempt"),
                response: opt_str(s, "response"),
                shared: s["shared"].as_bool().unwrap_or(false),
            })
            .collect(),
        errors: list(v, "errors")
            .map(|e| TraceErrorView {
                path: e["path"].as_array().cloned().unwrap_or_default(),
                category: str_of(e, "category"),
                detail: str_of(e, "detail"),
                node: e["node"].as_u64().map(clamp),
                span: e["span"].as_u64().map(clamp),
            })
            .collect(),
    }
}

/// A plan in the JSON form of `Plan::to_json` (camelCase nodes).
pub fn plan_view_from_json(v: &Value) -> PlanView {
    PlanView {
        nodes: list(v, "nodes")
            .map(|n| PlanNodeView {
                id: u32_of(n, "id"),
                // Plans recorded before node kinds existed were all bound fields.
                kind: serde_json::from_value(n["kind"].clone()).unwrap_or_default(),
                label: str_of(n, "label"),
                path: list(n, "path")
                    .filter_map(|p| p.as_str().map(String::from))
                    .collect(),
                source: str_of(n, "source"),
                source_kind: str_of(n, "sourceKind"),
                operation: str_of(n, "operation"),
                mode: if n["mode"] == "batch" {
                    FetchModeView::Batch
                } else {
                    FetchModeView::Single
                },
                hidden: n["hidden"].as_bool().unwrap_or(false),
            })
            .collect(),
        edges: list(v, "edges")
            .map(|e| PlanEdgeView {
                from: u32_of(e, "from"),
                to: u32_of(e, "to"),
                kind: if e["kind"] == "requires" {
                    EdgeKind::Requires
                } else {
                    EdgeKind::Parent
                },
            })
            .collect(),
        stages: list(v, "stages")
            .map(|s| {
                s.as_array()
                    .map(|ids| ids.iter().filter_map(Value::as_u64).map(clamp).collect())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

pub fn request_view(r: &knot_connect::RequestSummary) -> RequestView {
    RequestView {
        method: r.method.clone(),
        target: r.target.clone(),
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}

fn request_view_from_json(v: &Value) -> RequestView {
    RequestView {
        method: str_of(v, "method"),
        target: str_of(v, "target"),
        headers: list(v, "headers")
            .filter_map(|h| Some((h[0].as_str()?.to_string(), h[1].as_str()?.to_string())))
            .collect(),
        body: v.get("body").filter(|b| !b.is_null()).cloned(),
    }
}

/// One raw call (the API client's Send).
pub fn call_view(result: &knot_connect::CallResult) -> CallView {
    let (error, category) = match &result.outcome {
        Ok(_) => (None, None),
        Err(e) => (Some(e.to_string()), Some(e.category().as_str().to_string())),
    };
    let response = result.response_preview.clone().or_else(|| {
        result
            .outcome
            .as_ref()
            .ok()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
    });
    CallView {
        status: result.status.clone(),
        duration_ms: result
            .ended
            .saturating_duration_since(result.started)
            .as_secs_f64()
            * 1000.0,
        bytes: crate::workspace_view::to_u32(result.bytes),
        request: request_view(&result.request),
        response,
        error,
        category,
        response_headers: result.response_headers.clone(),
    }
}

/// The connector's form of Send's options. A body that is not JSON is refused here, naming
/// where it breaks; nothing is sent then.
pub fn send_extras(options: &SendOptionsView) -> Result<knot_connect::SendExtras, String> {
    let body = match options.body.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(serde_json::from_str::<Value>(text).map_err(|e| {
            format!(
                "the body is not JSON: {} (line {}, column {})",
                e.to_string()
                    .split(" at line")
                    .next()
                    .unwrap_or("cannot be read"),
                e.line(),
                e.column()
            )
        })?),
    };
    let auth = match &options.auth {
        AuthView::None => knot_connect::Auth::None,
        AuthView::Bearer { token } => knot_connect::Auth::Bearer {
            token: token.clone(),
        },
        AuthView::Basic { username, password } => knot_connect::Auth::Basic {
            username: username.clone(),
            password: password.clone(),
        },
        AuthView::ApiKey { header, value } => knot_connect::Auth::ApiKey {
            header: header.clone(),
            value: value.clone(),
        },
    };
    Ok(knot_connect::SendExtras {
        // A row left with neither name nor value is not a header.
        headers: options
            .headers
            .iter()
            .filter(|(k, v)| !(k.trim().is_empty() && v.trim().is_empty()))
            .cloned()
            .collect(),
        auth,
        body,
    })
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(String::from)
}

fn f64_of(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

fn u32_of(v: &Value, key: &str) -> u32 {
    v[key].as_u64().map(clamp).unwrap_or(0)
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
