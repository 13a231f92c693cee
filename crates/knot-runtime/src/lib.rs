//! One runtime API over Knot's core: load a workspace, plan, run (observed and
//! cancellable), check, and read its public schema, whatever the workspace holds.
//!
//! The main design choice: hosts (the CLI, `knot serve`, the desktop app) never ask what
//! kind of workspace they hold. A workspace with Federation subgraph sources is composed
//! into a supergraph here and planned by the federation front end; every other one is
//! planned by `knot-plan`. Either way the host gets the same things back: a
//! [`knot_plan::Plan`] to draw (the fan-out graph, with each node's `kind`), an
//! [`Outcome`] whose trace has the one format of `schema/knot-trace.schema.json`, node
//! events in the same shape while a run is in flight, one public SDL and one list of
//! problems for `knot check` and the app alike.
//!
//! What is not one yet (see ARCHITECTURE.md, "Still to come"): subgraph root and entity
//! steps run through `knot-execute`'s driver and `knot-connect`, but keep their own data
//! tree and projection in `knot-federation`; this crate is the seam behind which they merge.

mod check;
mod federated;

pub use check::check;
pub use knot_connect::inflight::Inflight;
pub use knot_connect::{CallResult, Vars};
pub use knot_execute::{
    trace_json_schema, NodeEvent, NodeRun, Observer, Outcome, Request, Response, Span, Trace,
    TraceError,
};
pub use knot_plan::{plan_json_schema, Limits, Plan, PlanError, Size};

use knot_execute::Engine;
use knot_model::Workspace;
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;

/// Why a workspace could not be made ready to run.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    /// One source is unusable (`sources.NAME: …`).
    #[error("source `{source_name}`: {message}")]
    Source {
        source_name: String,
        message: String,
    },
    /// The subgraph sources do not compose (each problem on its own line).
    #[error("the subgraphs do not compose:\n{}", .0.join("\n"))]
    Composition(Vec<String>),
    /// Anything else about the workspace or supergraph.
    #[error("{0}")]
    Invalid(String),
}

/// A workspace ready to plan and run requests. Cheap to clone; shareable between tasks.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    engine: Engine,
    /// The planner front end and driver of a workspace with subgraph sources.
    federation: Option<federated::Federated>,
    public_sdl: String,
    limits: Limits,
}

impl Runtime {
    /// Prepares connectors for every source and, when the workspace has Federation
    /// subgraph sources, composes them (reading `sdlFile`s, or asking each subgraph for
    /// `_service { sdl }`: this may block on the network, so call it off async workers).
    /// `base_dir` resolves relative paths (.proto and SDL files).
    pub fn load(ws: Workspace, vars: Vars, base_dir: &Path) -> Result<Runtime, RuntimeError> {
        let connectors = knot_connect::Connectors::new(&ws, vars.clone(), base_dir).map_err(
            |(source_name, e)| RuntimeError::Source {
                source_name,
                message: e.to_string(),
            },
        )?;
        let connectors = Arc::new(connectors);
        let federation =
            federated::Federated::from_workspace(&ws, &vars, base_dir, connectors.clone())?;
        let public_sdl = match &federation {
            Some(f) => f.public_sdl().to_string(),
            None => knot_model::public_sdl(&ws),
        };
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine: Engine::with_connectors(ws, connectors),
                federation,
                public_sdl,
                limits: Limits::default(),
            }),
        })
    }

    /// A Federation supergraph SDL served as it is (no workspace of its own).
    pub fn from_supergraph_sdl(sdl: &str) -> Result<Runtime, RuntimeError> {
        Self::from_supergraph_sdl_with(sdl, false)
    }

    /// [`Runtime::from_supergraph_sdl`], speaking cleartext HTTP/2 (h2c) to every subgraph
    /// when `subgraph_h2c`.
    pub fn from_supergraph_sdl_with(
        sdl: &str,
        subgraph_h2c: bool,
    ) -> Result<Runtime, RuntimeError> {
        let federation = federated::Federated::from_supergraph_sdl(sdl, subgraph_h2c)?;
        let ws = empty_workspace("supergraph");
        let vars = Vars::from_workspace(&ws, None).map_err(RuntimeError::Invalid)?;
        let engine = Engine::new(ws, vars, Path::new("."))
            .map_err(|e| RuntimeError::Invalid(e.to_string()))?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                public_sdl: federation.public_sdl().to_string(),
                federation: Some(federation),
                limits: Limits::default(),
            }),
        })
    }

    /// The same runtime with document size limits on every request (the gateway's).
    pub fn with_limits(self, limits: Limits) -> Runtime {
        self.changed(|inner| Inner {
            federation: inner.federation.map(|f| f.with_limits(limits)),
            limits,
            ..inner
        })
    }

    /// Keep request and response bodies of subgraph calls in traces (the explorer's view).
    pub fn with_detailed_trace(self, on: bool) -> Runtime {
        self.changed(|inner| Inner {
            federation: inner.federation.map(|f| f.with_detailed_trace(on)),
            ..inner
        })
    }

    fn changed(self, change: impl FnOnce(Inner) -> Inner) -> Runtime {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| (*shared).clone());
        Runtime {
            inner: Arc::new(change(inner)),
        }
    }

    pub fn workspace(&self) -> &Workspace {
        self.inner.engine.workspace()
    }

    /// The one public schema of the workspace (what `knot schema` prints, introspection
    /// answers and the app's explorer, editor and designer read): the workspace's own
    /// unified schema, or the composed supergraph's public schema, with the fields the
    /// workspace binds on federated types.
    pub fn public_sdl(&self) -> &str {
        &self.inner.public_sdl
    }

    /// Whether the runtime can answer queries: its public schema has a `Query` root with at
    /// least one field, and something to call (sources, or composed subgraphs).
    pub fn is_ready(&self) -> bool {
        let ws = self.workspace();
        match &self.inner.federation {
            Some(_) => self.inner.public_sdl.contains("type Query {"),
            None => !ws.sources.is_empty() && ws.query_type().is_some(),
        }
    }

    /// Plans without calling anything: the fan-out graph a run of `request` would execute.
    pub fn plan(&self, request: &Request) -> Result<Plan, Vec<PlanError>> {
        match &self.inner.federation {
            Some(f) => f.plan(self.workspace(), request),
            None => knot_plan::plan_with_limits(
                self.workspace(),
                &request.document,
                request.operation_name.as_deref(),
                &request.variables,
                self.inner.limits,
            ),
        }
    }

    /// Plans and runs one request. Refused requests (syntax, validation, blank inputs,
    /// limits) make no downstream call. Dropping the future cancels every call in flight.
    pub async fn run(&self, request: &Request) -> Outcome {
        self.run_observed(request, None).await
    }

    /// [`Runtime::run`], reporting each fetch node's start and end to `observer`.
    pub async fn run_observed(&self, request: &Request, observer: Option<Observer>) -> Outcome {
        match &self.inner.federation {
            Some(f) => f.run(self.workspace(), request, observer).await,
            None => {
                self.inner
                    .engine
                    .run_observed(request, self.inner.limits, observer)
                    .await
            }
        }
    }

    /// The workspace's topology (what `knot topology` prints and the app draws): its sources,
    /// the public schema's types and saved operations, and what connects them; a saved
    /// operation reaches the sources of the plan this runtime makes of it.
    pub fn topology(&self) -> knot_plan::topology::Topology {
        let ws = self.workspace();
        let mut t = knot_plan::topology::topology(ws);
        let Some(f) = &self.inner.federation else {
            return t;
        };
        knot_plan::topology::add_supergraph(&mut t, f.public_sdl(), f.supergraph_sdl());
        for (name, op) in &ws.operations {
            let id = format!("operation:{name}");
            if t.edges.iter().any(|e| e.from == id) {
                continue;
            }
            let request = Request {
                document: op.document.clone(),
                operation_name: op.operation_name.clone(),
                variables: knot_plan::topology::placeholder_variables(
                    ws,
                    &op.document,
                    op.operation_name.as_deref(),
                ),
                headers: Vec::new(),
            };
            let Ok(plan) = self.plan(&request) else {
                continue;
            };
            // A node of several bindings names each source ("a, b"); only sources the
            // topology shows get an edge.
            let sources: std::collections::BTreeSet<String> = plan
                .graph
                .node_weights()
                .flat_map(|n| n.source.split(", ").map(str::to_owned).collect::<Vec<_>>())
                .filter(|s| t.nodes.iter().any(|n| n.id == format!("source:{s}")))
                .collect();
            for source in sources {
                t.edges.push(knot_plan::topology::TopoEdge {
                    from: id.clone(),
                    to: format!("source:{source}"),
                    kind: "reaches".into(),
                    label: String::new(),
                });
            }
        }
        t
    }

    /// One raw call to one operation of a source, outside any plan (an API client's
    /// "Send"). Dropping the future cancels the call.
    pub async fn call_operation(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
    ) -> CallResult {
        self.inner
            .engine
            .call_operation(source, operation, inputs)
            .await
    }

    /// One raw call as the app's Send makes it (headers, credentials and a REST body of its
    /// own; the answer's headers kept). Dropping the future cancels the call.
    pub async fn send_operation(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        extras: &knot_connect::SendExtras,
    ) -> CallResult {
        self.inner
            .engine
            .send_operation(source, operation, inputs, extras)
            .await
    }
}

fn empty_workspace(name: &str) -> Workspace {
    Workspace {
        json_schema: None,
        version: 1,
        name: name.into(),
        description: String::new(),
        sources: Default::default(),
        schema: knot_model::UnifiedSchema::default(),
        operations: Default::default(),
        environments: Default::default(),
        default_environment: None,
        gateway: knot_model::GatewaySettings::default(),
    }
}
