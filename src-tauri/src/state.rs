//! The app's state and every command's behaviour, without Tauri: the store, the open
//! workspace with its engine, the in-process demo and the runs in flight.
//!
//! The main design choice: the Tauri commands (`commands.rs`) are one-line forwards to the
//! methods here, and these methods only fetch core values (store, engine, importers) and
//! convert them with `knot-app-api`. So the whole command surface is testable with a temp
//! data folder and no window. The open workspace's [`Engine`] is rebuilt whenever the
//! workspace or its environment changes, and each run is a spawned task whose
//! `AbortHandle` is kept by run id: aborting drops the run's future, which cancels every
//! downstream call it had in flight. A workspace of Federation subgraph sources
//! (`Workspace::has_subgraphs`) is planned and run by a `knot_federation::Gateway` instead,
//! composed with the same variables as the engine and cached beside it (rebuilt with it).

use crate::errors::{engine_error, store_error};
use crate::firstrun::{self, DemoState};
use knot_app_api::*;
use knot_execute::{Engine, Request, Vars};
use knot_federation::{Gateway, GatewayRequest, StepEvent, StepObserver};
use knot_model::{Workspace, FORMAT_VERSION};
use knot_store::{HistoryQuery, Store, StoredWorkspace, WorkspaceId};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::AbortHandle;

/// Setting holding the id of the workspace open at the last exit.
const OPEN_SETTING: &str = "app.openWorkspace";
const IMPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The open workspace and what was built from it.
struct Open {
    id: WorkspaceId,
    environment: Option<String>,
    /// None when the engine could not be built (the reason is in `engine_error`).
    engine: Option<Engine>,
    engine_error: Option<String>,
    /// The federation gateway when the workspace has subgraph sources (then plans and
    /// runs go to it, not to the engine); `Err` holds why it could not be composed.
    federation: Option<Result<Arc<Gateway>, String>>,
}

/// Where run progress goes (the shell emits it as the `run-progress` event).
pub type ProgressSink = std::sync::Arc<dyn Fn(RunProgress) + Send + Sync>;

pub struct AppState {
    store: Store,
    demo: Option<DemoState>,
    open: tokio::sync::Mutex<Option<Open>>,
    runs: Mutex<HashMap<String, AbortHandle>>,
}

impl AppState {
    /// Opens the store in `data_dir`, starts the demo services (when `with_demo`), imports
    /// the demo workspace on first launch, and opens the last (or the demo) workspace.
    pub async fn init(data_dir: &Path, with_demo: bool) -> Result<AppState, ApiError> {
        let store = Store::open(data_dir).await.map_err(store_error)?;
        let demo = if with_demo {
            Some(firstrun::start_demo(&store).await?)
        } else {
            None
        };
        let state = AppState {
            store,
            demo,
            open: tokio::sync::Mutex::new(None),
            runs: Mutex::new(HashMap::new()),
        };
        let last = match state.store.setting(OPEN_SETTING).await {
            Ok(Some(v)) => v.as_i64(),
            _ => None,
        };
        let first = state.demo.as_ref().map(|d| d.workspace_id).or(last);
        let candidates = [last, first];
        for id in candidates.into_iter().flatten() {
            if state.open_id(id).await.is_ok() {
                break;
            }
        }
        Ok(state)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The demo services' controls (faults, recorded requests), when the demo runs.
    pub fn demo_control(&self) -> Option<&knot_demo::DemoControl> {
        self.demo.as_ref().map(|d| &d.demo.control)
    }

    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.store.dir().display().to_string(),
            demo: self.demo.as_ref().map(|d| d.info.clone()),
        }
    }

    pub async fn workspace_current(&self) -> Result<WorkspaceView, ApiError> {
        let id = self.open.lock().await.as_ref().map(|o| o.id);
        match id {
            Some(id) => self.view(id).await,
            None => {
                let list = self.store.list_workspaces().await.map_err(store_error)?;
                let first = list.first().ok_or_else(|| {
                    ApiError::not_found("no workspace yet: create one or open a file")
                })?;
                self.workspace_open(first.id).await
            }
        }
    }

    pub async fn workspace_list(&self) -> Result<Vec<WorkspaceSummary>, ApiError> {
        let list = self.store.list_workspaces().await.map_err(store_error)?;
        Ok(list
            .into_iter()
            .map(|w| WorkspaceSummary {
                id: w.id,
                name: w.name,
                file: w.file.map(|f| f.display().to_string()),
                updated_at: w.updated_at,
            })
            .collect())
    }

    pub async fn workspace_open(&self, id: i64) -> Result<WorkspaceView, ApiError> {
        self.open_id(id).await?;
        self.view(id).await
    }

    pub async fn workspace_open_file(&self, path: &str) -> Result<WorkspaceView, ApiError> {
        let path = non_blank(path, "path")?;
        let imported = self
            .store
            .import_file(Path::new(path))
            .await
            .map_err(store_error)?;
        // A recent-files entry is a convenience: failing to record it fails nothing.
        let _ = self.store.touch_recent_file(Path::new(path)).await;
        self.workspace_open(imported.id).await
    }

    pub async fn workspace_create(&self, name: &str) -> Result<WorkspaceView, ApiError> {
        let name = non_blank(name, "name")?;
        let taken = self.store.list_workspaces().await.map_err(store_error)?;
        if taken.iter().any(|w| w.name == name) {
            return Err(ApiError::invalid_input(format!(
                "a workspace named `{name}` already exists"
            )));
        }
        let ws: Workspace = serde_json::from_value(serde_json::json!({
            "version": FORMAT_VERSION,
            "name": name,
            "schema": { "types": { "Query": { "fields": {} } } }
        }))
        .map_err(|e| ApiError::internal(format!("cannot build an empty workspace: {e}")))?;
        let saved = self.store.save_workspace(&ws).await.map_err(store_error)?;
        self.workspace_open(saved.id).await
    }

    pub async fn workspace_save_as(&self, path: &str) -> Result<WorkspaceView, ApiError> {
        let path = non_blank(path, "path")?;
        let id = self.open_workspace_id().await?;
        self.store
            .link_file(id, Path::new(path))
            .await
            .map_err(store_error)?;
        let _ = self.store.touch_recent_file(Path::new(path)).await;
        self.workspace_open(id).await
    }

    /// Saves the document when it parses as a workspace (even with check problems, which
    /// the view lists). When it does not parse, nothing is saved: the answer is the stored
    /// workspace with the submitted document and the problems that stopped it.
    pub async fn workspace_update(&self, document: &Value) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let bytes = serde_json::to_vec_pretty(document)
            .map_err(|e| ApiError::invalid_input(format!("the document is not JSON: {e}")))?;
        let report = knot_model::check_bytes(&bytes);
        match report.workspace {
            Some(ws) => {
                self.store
                    .update_workspace(id, &ws)
                    .await
                    .map_err(store_error)?;
                self.rebuild(id, None).await?;
                let mut view = self.view(id).await?;
                view.problems = report.problems.iter().map(problem_view).collect();
                Ok(view)
            }
            None => {
                let mut view = self.view(id).await?;
                view.document = document.clone();
                view.problems = report.problems.iter().map(problem_view).collect();
                Ok(view)
            }
        }
    }

    pub async fn environment_select(&self, name: &str) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        if !stored.workspace.environments.contains_key(name) {
            return Err(ApiError::invalid_input(format!(
                "the workspace has no environment `{name}`"
            )));
        }
        self.rebuild(id, Some(Some(name.to_string()))).await?;
        self.view(id).await
    }

    pub async fn recent_files(&self) -> Result<Vec<String>, ApiError> {
        let files = self.store.recent_files().await.map_err(store_error)?;
        Ok(files.into_iter().map(|f| f.display().to_string()).collect())
    }

    pub async fn source_add_rest(
        &self,
        input: &RestSourceInput,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let source = crate::sources::rest_source(input)?;
        self.store
            .add_source(id, non_blank(&input.name, "name")?, source)
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    pub async fn source_import_openapi(
        &self,
        name: &str,
        text: &str,
        base_url: Option<&str>,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let name = non_blank(name, "name")?;
        let base_url = base_url.filter(|u| !u.trim().is_empty());
        self.store
            .add_openapi_source(id, name, text, "the OpenAPI document", base_url)
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    pub async fn source_import_graphql(
        &self,
        name: &str,
        url: &str,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let (name, url) = (non_blank(name, "name")?, non_blank(url, "url")?);
        self.store
            .add_graphql_source(id, name, url, &[], IMPORT_TIMEOUT)
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    pub async fn source_import_grpc(
        &self,
        name: &str,
        endpoint: &str,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let (name, endpoint) = (non_blank(name, "name")?, non_blank(endpoint, "endpoint")?);
        self.store
            .add_reflected_source(id, name, endpoint, IMPORT_TIMEOUT)
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    /// A gRPC source described by a folder of .proto files (compiled here, paths kept
    /// relative to the workspace file).
    pub async fn source_import_proto(
        &self,
        name: &str,
        endpoint: &str,
        folder: &str,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let (name, endpoint, folder) = (
            non_blank(name, "name")?,
            non_blank(endpoint, "endpoint")?,
            non_blank(folder, "folder")?,
        );
        self.store
            .add_proto_source(id, name, endpoint, Path::new(folder))
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    pub async fn operation_send(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
    ) -> Result<CallView, ApiError> {
        let engine = self.engine().await?;
        let ws = engine.workspace();
        let known = ws.sources.get(source).ok_or_else(|| {
            ApiError::not_found(format!("the workspace has no source `{source}`"))
        })?;
        if !known.has_operation(operation) {
            return Err(ApiError::not_found(format!(
                "source `{source}` has no operation `{operation}`"
            )));
        }
        let result = engine.call_operation(source, operation, inputs).await;
        Ok(call_view(&result))
    }

    pub async fn query_plan(&self, request: &QueryRequest) -> Result<PlanResult, ApiError> {
        if let Some(gateway) = self.federation().await? {
            return Ok(match gateway.plan(&gateway_request(request)) {
                Ok((_, graph)) => PlanResult {
                    plan: Some(federation_plan_view(&graph)),
                    errors: Vec::new(),
                },
                Err(e) => PlanResult {
                    plan: None,
                    errors: e
                        .messages()
                        .into_iter()
                        .map(|message| QueryErrorView {
                            message,
                            line: None,
                            column: None,
                        })
                        .collect(),
                },
            });
        }
        let id = self.open_workspace_id().await?;
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        Ok(plan_result(knot_plan::plan(
            &stored.workspace,
            &request.document,
            request.operation_name.as_deref(),
            &request.variables,
        )))
    }

    /// Runs the request as a task registered under `run_id` (so [`AppState::query_cancel`]
    /// can abort it) and records it in the history.
    pub async fn query_run(
        &self,
        run_id: &str,
        request: &QueryRequest,
        progress: Option<ProgressSink>,
    ) -> Result<RunResult, ApiError> {
        let run_id = non_blank(run_id, "runId")?.to_string();
        if let Some(gateway) = self.federation().await? {
            return self
                .federation_run(run_id, request, progress, gateway)
                .await;
        }
        // Each fetch node's start and end, as `RunProgress`, while the run is in flight.
        let observer: Option<knot_execute::Observer> = progress.map(|sink| {
            let rid = run_id.clone();
            let observer: knot_execute::Observer =
                std::sync::Arc::new(move |e: knot_execute::NodeEvent| {
                    let (node, state, at_ms) = match e {
                        knot_execute::NodeEvent::Started { node, at_ms } => {
                            (node, ProgressState::Started, at_ms)
                        }
                        knot_execute::NodeEvent::Finished {
                            node,
                            at_ms,
                            failed_calls,
                        } => (
                            node,
                            if failed_calls > 0 {
                                ProgressState::Failed
                            } else {
                                ProgressState::Done
                            },
                            at_ms,
                        ),
                    };
                    sink(RunProgress {
                        run_id: rid.clone(),
                        node: u32::try_from(node).unwrap_or(u32::MAX),
                        state,
                        at_ms,
                    });
                });
            observer
        });
        let engine = self.engine().await?;
        let environment = self.open_environment().await;
        let id = self.open_workspace_id().await?;
        let req = Request {
            document: request.document.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            headers: Vec::new(),
        };
        let started_at = knot_store::db::now_ms();
        let task = {
            let engine = engine.clone();
            let req = req.clone();
            tokio::spawn(async move {
                engine
                    .run_observed(&req, knot_plan::Limits::default(), observer)
                    .await
            })
        };
        let outcome = self.join_run(&run_id, task).await?;
        let history_id = crate::history::record(
            &self.store,
            id,
            engine.workspace(),
            environment,
            &req,
            &outcome,
            started_at,
        )
        .await;
        Ok(RunResult {
            run_id,
            response: outcome.response.clone(),
            trace: outcome.trace.as_ref().map(trace_view),
            history_id,
        })
    }

    /// A run of a federation workspace: the gateway's fan-out graph, one `run-progress`
    /// event per fetch step start and end, the trace in the executor's JSON form (so the
    /// history reopens it like any run).
    async fn federation_run(
        &self,
        run_id: String,
        request: &QueryRequest,
        progress: Option<ProgressSink>,
        gateway: Arc<Gateway>,
    ) -> Result<RunResult, ApiError> {
        let observer: Option<StepObserver> = progress.map(|sink| {
            let rid = run_id.clone();
            let observer: StepObserver = Arc::new(move |e: StepEvent| {
                let (step, state, at_ms) = match e {
                    StepEvent::Started { step, at_ms } => (step, ProgressState::Started, at_ms),
                    StepEvent::Finished {
                        step,
                        at_ms,
                        failed,
                    } => (
                        step,
                        if failed {
                            ProgressState::Failed
                        } else {
                            ProgressState::Done
                        },
                        at_ms,
                    ),
                };
                sink(RunProgress {
                    run_id: rid.clone(),
                    node: u32::try_from(step).unwrap_or(u32::MAX),
                    state,
                    at_ms,
                });
            });
            observer
        });
        let id = self.open_workspace_id().await?;
        let environment = self.open_environment().await;
        let req = Request {
            document: request.document.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            headers: Vec::new(),
        };
        let started_at = knot_store::db::now_ms();
        let task = {
            let gateway = gateway.clone();
            let fed = gateway_request(request);
            tokio::spawn(async move {
                let started = std::time::Instant::now();
                let answer = gateway.execute_observed(&fed, observer).await;
                (answer, started.elapsed().as_secs_f64() * 1000.0)
            })
        };
        let (answer, duration_ms) = self.join_run(&run_id, task).await?;
        let (response, trace) = match answer {
            Ok(answer) => {
                let trace =
                    federation_trace_json(&answer, duration_ms, gateway.supergraph().subgraphs());
                (answer.body, trace)
            }
            // Parse, validation and planning errors: no call was made, no trace.
            Err(e) => {
                let errors: Vec<Value> = e
                    .messages()
                    .into_iter()
                    .map(|m| serde_json::json!({"message": m, "extensions": {"category": "VALIDATION"}}))
                    .collect();
                (serde_json::json!({ "errors": errors }), Value::Null)
            }
        };
        let ws = self
            .store
            .workspace(id)
            .await
            .map_err(store_error)?
            .workspace;
        let history_id = crate::history::record_json(
            &self.store,
            id,
            &ws,
            environment,
            &req,
            crate::history::Recorded {
                response: response.clone(),
                trace: trace.clone(),
                duration_ms,
            },
            started_at,
        )
        .await;
        Ok(RunResult {
            run_id,
            response,
            trace: (!trace.is_null()).then(|| trace_view_from_json(&trace)),
            history_id,
        })
    }

    /// Registers `task` under `run_id` (so [`AppState::query_cancel`] can abort it) and
    /// waits for it.
    async fn join_run<T>(
        &self,
        run_id: &str,
        task: tokio::task::JoinHandle<T>,
    ) -> Result<T, ApiError> {
        {
            let mut runs = self
                .runs
                .lock()
                .map_err(|_| ApiError::internal("run table poisoned"))?;
            if runs.contains_key(run_id) {
                task.abort();
                return Err(ApiError::invalid_input(format!(
                    "run `{run_id}` is already in flight"
                )));
            }
            runs.insert(run_id.to_string(), task.abort_handle());
        }
        let joined = task.await;
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(run_id);
        }
        match joined {
            Ok(o) => Ok(o),
            Err(e) if e.is_cancelled() => Err(ApiError::new(
                ApiErrorCode::Cancelled,
                format!("run `{run_id}` was cancelled"),
            )),
            Err(e) => Err(ApiError::internal(format!("the run failed: {e}"))),
        }
    }

    pub fn query_cancel(&self, run_id: &str) -> bool {
        let handle = self
            .runs
            .lock()
            .ok()
            .and_then(|mut runs| runs.remove(run_id));
        match handle {
            Some(h) => {
                h.abort();
                true
            }
            None => false,
        }
    }

    pub async fn history_list(&self, limit: u32) -> Result<Vec<HistoryEntryView>, ApiError> {
        let id = self.open_workspace_id().await?;
        let name = self
            .store
            .workspace(id)
            .await
            .map_err(store_error)?
            .info
            .name;
        let rows = self
            .store
            .history(&HistoryQuery {
                workspace: Some(name),
                operation: None,
                limit: limit.clamp(1, 1000),
            })
            .await
            .map_err(store_error)?;
        Ok(rows.iter().map(crate::history::entry_view).collect())
    }

    pub async fn history_get(&self, id: i64) -> Result<HistoryRunView, ApiError> {
        let run = self.store.run(id).await.map_err(store_error)?;
        let run = run.ok_or_else(|| ApiError::not_found(format!("no run with id {id}")))?;
        Ok(crate::history::run_view(&run))
    }

    // ---- helpers ----

    pub(crate) async fn open_workspace_id(&self) -> Result<WorkspaceId, ApiError> {
        self.open
            .lock()
            .await
            .as_ref()
            .map(|o| o.id)
            .ok_or_else(|| ApiError::not_found("no workspace is open"))
    }

    /// The chosen environment of the open workspace (None: its default).
    pub(crate) async fn open_environment(&self) -> Option<String> {
        self.open
            .lock()
            .await
            .as_ref()
            .and_then(|o| o.environment.clone())
    }

    async fn engine(&self) -> Result<Engine, ApiError> {
        let open = self.open.lock().await;
        let open = open
            .as_ref()
            .ok_or_else(|| ApiError::not_found("no workspace is open"))?;
        open.engine.clone().ok_or_else(|| {
            ApiError::new(
                ApiErrorCode::Workspace,
                open.engine_error
                    .clone()
                    .unwrap_or_else(|| "the workspace cannot run".into()),
            )
        })
    }

    /// The open workspace's federation gateway; `None` when it has no subgraph sources.
    async fn federation(&self) -> Result<Option<Arc<Gateway>>, ApiError> {
        let open = self.open.lock().await;
        let open = open
            .as_ref()
            .ok_or_else(|| ApiError::not_found("no workspace is open"))?;
        match &open.federation {
            None => Ok(None),
            Some(Ok(gateway)) => Ok(Some(gateway.clone())),
            Some(Err(message)) => Err(ApiError::new(ApiErrorCode::Workspace, message.clone())),
        }
    }

    async fn open_id(&self, id: WorkspaceId) -> Result<(), ApiError> {
        self.rebuild(id, Some(None)).await?;
        let _ = self.store.set_setting(OPEN_SETTING, &Value::from(id)).await;
        Ok(())
    }

    /// Rebuilds the engine of workspace `id`. `environment`: None keeps the current choice
    /// (when `id` is already open), Some(x) sets it.
    pub(crate) async fn rebuild(
        &self,
        id: WorkspaceId,
        environment: Option<Option<String>>,
    ) -> Result<(), ApiError> {
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        let mut open = self.open.lock().await;
        let environment = match environment {
            Some(e) => e,
            None => open
                .as_ref()
                .filter(|o| o.id == id)
                .and_then(|o| o.environment.clone()),
        };
        let (engine, federation) = build_engine(&self.store, &stored, environment.as_deref()).await;
        let (engine, engine_error) = match engine {
            Ok(e) => (Some(e), None),
            Err(e) => (None, Some(e.message)),
        };
        *open = Some(Open {
            id,
            environment,
            engine,
            engine_error,
            federation,
        });
        Ok(())
    }

    async fn after_source_change(&self, id: WorkspaceId) -> Result<WorkspaceView, ApiError> {
        self.rebuild(id, None).await?;
        self.view(id).await
    }

    pub(crate) async fn view(&self, id: WorkspaceId) -> Result<WorkspaceView, ApiError> {
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        let (environment, gateway) = match self.open.lock().await.as_ref().filter(|o| o.id == id) {
            Some(open) => (
                open.environment.clone(),
                open.federation
                    .as_ref()
                    .and_then(|f| f.as_ref().ok().cloned()),
            ),
            None => (None, None),
        };
        let meta = WorkspaceMeta {
            id,
            name: stored.info.name.clone(),
            file: stored.info.file.as_ref().map(|f| f.display().to_string()),
            environment,
        };
        let mut view = workspace_view(&meta, &stored.workspace, &check_problems(&stored.workspace));
        // A federation workspace's explorer shows the supergraph's public schema.
        if let Some(gateway) = gateway {
            view.schema = knot_app_api::federation_schema_tree(
                gateway.supergraph().public_sdl(),
                &stored.workspace,
            );
        }
        Ok(view)
    }
}

/// An engine for a stored workspace: its environment's variables (`KNOT_VAR_*` override),
/// its stored secrets, relative paths resolved from its linked file's folder. With it, when
/// the workspace has subgraph sources, the federation gateway composed from the same
/// variables and folder (with the explorer's detailed trace), or why it could not be.
async fn build_engine(
    store: &Store,
    stored: &StoredWorkspace,
    env: Option<&str>,
) -> (
    Result<Engine, ApiError>,
    Option<Result<Arc<Gateway>, String>>,
) {
    let ws = &stored.workspace;
    let mut vars = match Vars::from_workspace(ws, env) {
        Ok(vars) => vars,
        Err(m) => {
            let federation = ws.has_subgraphs().then(|| Err(m.clone()));
            return (Err(ApiError::new(ApiErrorCode::Workspace, m)), federation);
        }
    };
    if let Ok(Some((env_name, _))) = ws.environment(env) {
        if let Ok(secrets) = store.secrets(stored.info.id, Some(env_name)).await {
            for s in secrets {
                if vars.get(&s.name).is_none() {
                    vars.set_secret(s.name, s.value);
                }
            }
        }
    }
    let base: PathBuf = match stored.info.file.as_deref().and_then(Path::parent) {
        Some(dir) => dir.to_path_buf(),
        None => store.dir().to_path_buf(),
    };
    let federation = if ws.has_subgraphs() {
        Some(build_gateway(ws.clone(), vars.clone(), base.clone()).await)
    } else {
        None
    };
    let engine = Engine::new(ws.clone(), vars, &base).map_err(engine_error);
    (engine, federation)
}

/// Composes the gateway off the async workers (it reads SDL files and may ask a subgraph
/// for its SDL over the network).
async fn build_gateway(ws: Workspace, vars: Vars, base: PathBuf) -> Result<Arc<Gateway>, String> {
    let built =
        tokio::task::spawn_blocking(move || knot_federation::workspace_gateway(&ws, &vars, &base))
            .await
            .map_err(|e| format!("composing the supergraph failed: {e}"))?;
    match built {
        Ok(Some(gateway)) => Ok(Arc::new(gateway.with_detailed_trace(true))),
        Ok(None) => Err("the workspace has no subgraph sources".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The gateway's form of a query request.
fn gateway_request(request: &QueryRequest) -> GatewayRequest {
    GatewayRequest {
        query: request.document.clone(),
        operation_name: request.operation_name.clone(),
        variables: request.variables.clone(),
        headers: Vec::new(),
    }
}

pub(crate) fn non_blank<'a>(value: &'a str, what: &str) -> Result<&'a str, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid_input(format!(
            "`{what}` must not be blank"
        )));
    }
    Ok(trimmed)
}
