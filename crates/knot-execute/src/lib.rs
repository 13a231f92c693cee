//! The Knot executor: runs a plan on tokio, stitches one response and records a trace.
//!
//! The main design choice: the executor runs the planner's petgraph DAG as it is (a node
//! starts the moment its dependencies are done, its calls go out together), writes every
//! answer into one raw data tree, and only then projects that tree into the shape the
//! document asked for. Failures are stored in the tree where their value would be, so each
//! one surfaces as one GraphQL error at its exact response path, with a public category and
//! message; the detail (source, URL, status) goes to the trace only. Nothing here knows
//! about Tauri, terminals, HTTP servers or storage.

pub mod cache;
pub mod drive;
pub mod project;
pub mod response;
pub mod run;
pub mod trace;
pub mod tree;

pub use knot_connect::{Category, Connectors, Vars};
pub use knot_plan::{Plan, PlanError};
pub use response::Response;
pub use trace::{trace_json_schema, NodeRun, Span, Trace, TraceError};

use cache::PlanCache;
use knot_model::Workspace;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// What the executor reports while a run is in flight: each fetch node's start and end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeEvent {
    Started {
        node: usize,
        at_ms: f64,
    },
    Finished {
        node: usize,
        at_ms: f64,
        failed_calls: usize,
    },
}

/// Receives [`NodeEvent`]s, synchronously, from the run's own task: keep it cheap.
pub type Observer = Arc<dyn Fn(NodeEvent) + Send + Sync>;

/// A GraphQL request against the unified schema.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub document: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    /// Inbound request headers; each source forwards only those it allows.
    pub headers: Vec<(String, String)>,
}

/// The answer and what happened to produce it.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `{"data": …, "errors": […]}` as a client receives it.
    pub response: Response,
    /// Present when a plan ran (absent for requests refused before planning finished).
    pub trace: Option<Trace>,
}

impl Outcome {
    /// The trace as JSON (null when no plan ran).
    pub fn trace_json(&self) -> Value {
        self.trace
            .as_ref()
            .and_then(|t| serde_json::to_value(t).ok())
            .unwrap_or(Value::Null)
    }
}

/// A loaded workspace with connectors, ready to plan and run requests. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    workspace: Arc<Workspace>,
    connectors: Arc<Connectors>,
    plans: Arc<Plans>,
}

/// Plans already made, by document, operation name, variables and limits: repeated
/// requests skip parsing and planning. Bounded by bytes (see [`cache`]).
type Plans = PlanCache<PlanKey, CachedPlan>;

#[derive(Hash, PartialEq, Eq)]
struct PlanKey {
    document: String,
    operation_name: Option<String>,
    variables: String,
    limits: (usize, usize, usize),
}

impl cache::Weigh for PlanKey {
    fn text_bytes(&self) -> usize {
        self.document.len()
            + self.operation_name.as_ref().map_or(0, String::len)
            + self.variables.len()
    }
}

struct CachedPlan {
    plan: Plan,
    json: Arc<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("source `{source_name}`: {message}")]
    Source {
        source_name: String,
        message: String,
    },
}

impl Engine {
    /// Prepares connectors for every source; `base_dir` resolves relative paths (.proto).
    pub fn new(workspace: Workspace, vars: Vars, base_dir: &Path) -> Result<Engine, EngineError> {
        let connectors =
            Connectors::new(&workspace, vars, base_dir).map_err(|(source_name, e)| {
                EngineError::Source {
                    source_name,
                    message: e.to_string(),
                }
            })?;
        Ok(Engine {
            workspace: Arc::new(workspace),
            connectors: Arc::new(connectors),
            plans: Arc::new(PlanCache::new(cache::DEFAULT_PLAN_CACHE_BYTES)),
        })
    }

    /// An engine over connectors made elsewhere (shared with another part of the same
    /// runtime, so each source keeps one semaphore).
    pub fn with_connectors(workspace: Workspace, connectors: Arc<Connectors>) -> Engine {
        Engine {
            workspace: Arc::new(workspace),
            connectors,
            plans: Arc::new(PlanCache::new(cache::DEFAULT_PLAN_CACHE_BYTES)),
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The connectors every call of this engine goes through.
    pub fn connectors(&self) -> &Arc<Connectors> {
        &self.connectors
    }

    /// One raw call to one operation of a source, outside any plan (an API client's
    /// "Send"). Dropping the future cancels the call.
    pub async fn call_operation(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
    ) -> knot_connect::CallResult {
        self.connectors
            .call(source, operation, inputs, None, &[])
            .await
    }

    /// [`Engine::call_operation`] as the app's Send makes it: with the headers, credentials
    /// and (REST) body of `extras`, the answer's headers kept.
    pub async fn send_operation(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        extras: &knot_connect::SendExtras,
    ) -> knot_connect::CallResult {
        self.connectors
            .send(source, operation, inputs, extras)
            .await
    }

    /// Plans without calling anything.
    pub fn plan(&self, request: &Request) -> Result<Plan, Vec<PlanError>> {
        knot_plan::plan(
            &self.workspace,
            &request.document,
            request.operation_name.as_deref(),
            &request.variables,
        )
    }

    /// Plans and runs one request. Refused requests (syntax, validation, blank inputs) make
    /// no downstream call. Dropping the returned future cancels every call in flight.
    pub async fn run(&self, request: &Request) -> Outcome {
        self.run_with_limits(request, knot_plan::Limits::default())
            .await
    }

    /// [`Engine::run`] with document size limits (the gateway's).
    pub async fn run_with_limits(&self, request: &Request, limits: knot_plan::Limits) -> Outcome {
        self.run_observed(request, limits, None).await
    }

    /// [`Engine::run_with_limits`], reporting each fetch node's start and end to `observer`
    /// while the run is in flight (the desktop app colours its fan-out graph live).
    pub async fn run_observed(
        &self,
        request: &Request,
        limits: knot_plan::Limits,
        observer: Option<Observer>,
    ) -> Outcome {
        let key = PlanKey {
            document: request.document.clone(),
            operation_name: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).unwrap_or_default(),
            limits: (limits.max_depth, limits.max_aliases, limits.max_fields),
        };
        let cached = self.plans.get(&key);
        if let Some(c) = cached {
            return self
                .execute_inner(&c.plan, c.json.clone(), &request.headers, observer.as_ref())
                .await;
        }
        let plan = match knot_plan::plan_with_limits(
            &self.workspace,
            &request.document,
            request.operation_name.as_deref(),
            &request.variables,
            limits,
        ) {
            Ok(p) => p,
            Err(errors) => {
                return Outcome {
                    response: validation_response(&errors).into(),
                    trace: None,
                }
            }
        };
        let json = Arc::new(plan.to_json());
        let entry = Arc::new(CachedPlan { plan, json });
        self.plans.insert(key, entry.clone());
        self.execute_inner(
            &entry.plan,
            entry.json.clone(),
            &request.headers,
            observer.as_ref(),
        )
        .await
    }

    /// Runs a plan made by [`Engine::plan`].
    pub async fn execute(&self, plan: &Plan) -> Outcome {
        self.execute_with_headers(plan, &[]).await
    }

    /// Runs a plan; each source receives the inbound headers it allows.
    pub async fn execute_with_headers(&self, plan: &Plan, headers: &[(String, String)]) -> Outcome {
        self.execute_inner(plan, Arc::new(plan.to_json()), headers, None)
            .await
    }

    async fn execute_inner(
        &self,
        plan: &Plan,
        plan_json: Arc<Value>,
        headers: &[(String, String)],
        observer: Option<&Observer>,
    ) -> Outcome {
        let started = Instant::now();
        let raw = run::run_plan(plan, &self.connectors, headers, started, observer).await;
        let types = project::WorkspaceTypes(&self.workspace);
        let mut projection = project::Projection::new(&raw.errors, &types);
        let mut data = Vec::with_capacity(4096);
        projection.root_into(&plan.selections, &raw.data, &plan.root_type, &mut data);
        let response = Response::from_parts(&projection.public_errors, &data, false);
        let trace = Trace {
            plan: plan_json,
            nodes: raw.nodes,
            spans: raw.spans,
            errors: projection.trace_errors,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        Outcome {
            response,
            trace: Some(trace),
        }
    }
}

/// The answer to a request refused before execution: no `data`, category VALIDATION.
pub fn validation_response(errors: &[PlanError]) -> Value {
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| {
            let mut obj =
                json!({ "message": e.message, "extensions": { "category": "VALIDATION" } });
            if !e.locations.is_empty() {
                obj["locations"] = e
                    .locations
                    .iter()
                    .map(|(l, c)| json!({"line": l, "column": c}))
                    .collect();
            }
            obj
        })
        .collect();
    json!({ "errors": errors })
}
