//! The federation front end behind [`crate::Runtime`]: a workspace's subgraph sources (or
//! a supergraph SDL) composed and planned by `knot-federation`, with its plans lowered into
//! `knot_plan::Plan` and its runs reported in `knot-execute`'s one trace format.

use crate::{Limits, Observer, Outcome, Plan, PlanError, Request, RuntimeError};
use knot_connect::{Category, RequestSummary, Vars};
use knot_execute::{NodeRun, Span, Trace, TraceError};
use knot_federation::{
    FederationError, Gateway, GatewayOptions, GatewayRequest, GatewayResponse, Supergraph,
    WorkspaceFederationError, LOCAL_SUBGRAPH,
};
use knot_model::Workspace;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub(crate) struct Federated {
    gateway: Gateway,
}

impl Federated {
    pub(crate) fn from_workspace(
        ws: &Workspace,
        vars: &Vars,
        base: &Path,
        connectors: Arc<knot_connect::Connectors>,
    ) -> Result<Option<Federated>, RuntimeError> {
        match knot_federation::workspace_gateway(ws, vars, base, connectors) {
            Ok(gateway) => Ok(gateway.map(|gateway| Federated { gateway })),
            Err(WorkspaceFederationError::Source {
                source_name,
                message,
            }) => Err(RuntimeError::Source {
                source_name,
                message,
            }),
            Err(WorkspaceFederationError::Composition(e)) => {
                Err(RuntimeError::Composition(e.problems))
            }
            Err(e) => Err(RuntimeError::Invalid(e.to_string())),
        }
    }

    pub(crate) fn from_supergraph_sdl(
        sdl: &str,
        subgraph_h2c: bool,
    ) -> Result<Federated, RuntimeError> {
        let supergraph =
            Supergraph::parse(sdl).map_err(|e| RuntimeError::Invalid(e.to_string()))?;
        let options = GatewayOptions {
            subgraph_h2c,
            ..GatewayOptions::default()
        };
        let gateway = Gateway::new(Arc::new(supergraph), options)
            .map_err(|e| RuntimeError::Invalid(e.to_string()))?;
        Ok(Federated { gateway })
    }

    pub(crate) fn with_limits(self, limits: Limits) -> Federated {
        Federated {
            gateway: self.gateway.with_limits(limits),
        }
    }

    pub(crate) fn with_detailed_trace(self, on: bool) -> Federated {
        Federated {
            gateway: self.gateway.with_detailed_trace(on),
        }
    }

    pub(crate) fn public_sdl(&self) -> &str {
        self.gateway.supergraph().public_sdl()
    }

    pub(crate) fn supergraph_sdl(&self) -> &str {
        self.gateway.supergraph().sdl()
    }

    /// `ws`: the workspace whose own bindings on federated types are named by their source
    /// and operation.
    pub(crate) fn plan(&self, ws: &Workspace, request: &Request) -> Result<Plan, Vec<PlanError>> {
        match self.gateway.plan(&gateway_request(request)) {
            Ok((_, graph)) => Ok(self.lower(ws, &graph, request)),
            Err(e) => Err(plan_errors(&e)),
        }
    }

    pub(crate) async fn run(
        &self,
        ws: &Workspace,
        request: &Request,
        observer: Option<Observer>,
    ) -> Outcome {
        match self
            .gateway
            .execute_observed(&gateway_request(request), observer)
            .await
        {
            Ok(answer) => {
                // From the start of execution, like every trace (admission is not counted).
                let duration_ms = answer.started.elapsed().as_secs_f64() * 1000.0;
                let trace = self.trace(ws, &answer, request, duration_ms);
                Outcome {
                    response: answer.body,
                    trace: Some(trace),
                }
            }
            Err(e) => Outcome {
                response: knot_execute::validation_response(&plan_errors(&e)).into(),
                trace: None,
            },
        }
    }

    /// The federation graph as Knot's plan. Fetches of the workspace's own bindings (the
    /// generated subgraph the planner schedules them through) become `bound` nodes named
    /// by the binding's source and operation, like in every other workspace.
    fn lower(
        &self,
        ws: &Workspace,
        graph: &knot_federation::FetchGraph,
        request: &Request,
    ) -> Plan {
        let mut plan = graph.to_plan(request.operation_name.clone());
        for step in graph.graph.node_weights() {
            if step.subgraph != LOCAL_SUBGRAPH {
                continue;
            }
            let bound: Vec<(String, String, &knot_model::Binding)> = step
                .entity_fields()
                .into_iter()
                .filter_map(|(ty, field)| {
                    let binding = ws
                        .schema
                        .types
                        .get(&ty)?
                        .fields
                        .get(&field)?
                        .binding
                        .as_ref()?;
                    Some((ty, field, binding))
                })
                .collect();
            let Some((ty, field, binding)) = bound.first() else {
                continue;
            };
            let Some(node) = plan
                .graph
                .node_weight_mut(petgraph::graph::NodeIndex::new(step.id))
            else {
                continue;
            };
            node.kind = knot_plan::NodeKind::Bound;
            node.label = bound
                .iter()
                .map(|(t, f, _)| format!("{t}.{f}"))
                .collect::<Vec<_>>()
                .join(", ");
            node.parent_type = ty.clone();
            node.field = field.clone();
            // One step can carry several bound fields: every source and operation is named
            // (the trace has one span per call, each of its own source).
            let mut sources: Vec<&str> = Vec::new();
            let mut operations: Vec<&str> = Vec::new();
            for (_, _, b) in &bound {
                if !sources.contains(&b.source.as_str()) {
                    sources.push(&b.source);
                }
                if !operations.contains(&b.operation.as_str()) {
                    operations.push(&b.operation);
                }
            }
            node.source = sources.join(", ");
            node.source_kind = ws
                .sources
                .get(&binding.source)
                .map(|s| s.kind_name().to_string())
                .unwrap_or_default();
            node.operation = operations.join(", ");
            node.mode = if binding.batch.is_some() {
                knot_plan::FetchMode::Batch
            } else {
                knot_plan::FetchMode::Single
            };
            node.match_by = binding.batch.as_ref().map(|b| b.match_by.clone());
            node.max_batch_size = binding.batch.as_ref().and_then(|b| b.max_batch_size);
            node.selection = None;
        }
        plan
    }

    /// A federation run in the one trace format: the lowered plan, one node run and one
    /// span per subgraph call (named by its subgraph and operation), the detailed errors.
    fn trace(
        &self,
        ws: &Workspace,
        answer: &GatewayResponse,
        request: &Request,
        duration_ms: f64,
    ) -> Trace {
        let graph = &answer.graph;
        let mut nodes = Vec::with_capacity(answer.spans.len());
        let mut spans = Vec::with_capacity(answer.spans.len());
        for s in &answer.spans {
            if s.subgraph == LOCAL_SUBGRAPH {
                // The bindings' own calls, one span each, named by their source.
                let calls = &s.bound_calls;
                nodes.push(NodeRun {
                    node: s.step,
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    parents: s.objects,
                    keys: calls.iter().map(|c| c.batch_size).sum(),
                    calls: calls.len(),
                    failed_calls: calls.iter().filter(|c| c.category.is_some()).count(),
                });
                for c in calls {
                    spans.push(Span {
                        id: spans.len(),
                        node: s.step,
                        ..c.clone()
                    });
                }
                continue;
            }
            let failed = usize::from(s.category.is_some());
            nodes.push(NodeRun {
                node: s.step,
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                parents: s.objects,
                keys: s.representations,
                calls: 1,
                failed_calls: failed,
            });
            let response = s
                .response
                .as_ref()
                .and_then(|r| serde_json::to_string_pretty(r).ok());
            spans.push(Span {
                id: spans.len(),
                node: s.step,
                source: s.subgraph.clone(),
                operation: graph
                    .graph
                    .node_weight(petgraph::graph::NodeIndex::new(s.step))
                    .map(|step| step.operation_name())
                    .unwrap_or_default(),
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                batch_size: s.representations,
                status: s.status.map(|n| n.to_string()),
                category: s.category,
                error: s.error.clone(),
                // What the connector recorded: secrets masked, forwarded headers by name.
                request: RequestSummary {
                    body: s.request.clone(),
                    ..s.sent.clone().unwrap_or_else(|| RequestSummary {
                        method: "POST".into(),
                        target: s.subgraph.clone(),
                        ..RequestSummary::default()
                    })
                },
                bytes: s.bytes,
                attempt: 1,
                response,
                shared: s.shared,
            });
        }
        // A step with nothing to ask (no object at its path) ran no call.
        for id in 0..graph.graph.node_count() {
            if !nodes.iter().any(|n| n.node == id) {
                nodes.push(NodeRun {
                    node: id,
                    start_ms: 0.0,
                    end_ms: 0.0,
                    parents: 0,
                    keys: 0,
                    calls: 0,
                    failed_calls: 0,
                });
            }
        }
        let errors = answer
            .detailed_errors
            .iter()
            .map(|e| TraceError {
                path: e
                    .get("path")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                category: category(e.get("category").and_then(Value::as_str)),
                detail: match (
                    e.get("subgraph").and_then(Value::as_str),
                    e.get("message").and_then(Value::as_str),
                ) {
                    (Some(sub), Some(m)) => format!("{sub}: {m}"),
                    (None, Some(m)) => m.to_string(),
                    _ => String::new(),
                },
                node: None,
                span: None,
            })
            .collect();
        Trace {
            plan: graph
                .plan_json
                .get_or_init(|| Arc::new(self.lower(ws, graph, request).to_json()))
                .clone(),
            nodes,
            spans,
            errors,
            duration_ms,
        }
    }
}

fn category(name: Option<&str>) -> Category {
    match name {
        Some("VALIDATION") => Category::Validation,
        Some("DEPENDENCY_VALIDATION") => Category::DependencyValidation,
        Some("TIMEOUT") => Category::Timeout,
        _ => Category::Dependency,
    }
}

fn plan_errors(e: &FederationError) -> Vec<PlanError> {
    e.messages().into_iter().map(PlanError::plain).collect()
}

fn gateway_request(request: &Request) -> GatewayRequest {
    GatewayRequest {
        query: request.document.clone(),
        operation_name: request.operation_name.clone(),
        variables: request.variables.clone(),
        headers: request.headers.clone(),
    }
}
