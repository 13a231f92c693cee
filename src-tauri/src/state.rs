//! The app's state and every command's behaviour, without Tauri: the store, the open
//! workspace with its runtime, the in-process demo and the runs in flight.
//!
//! The main design choice: the Tauri commands (`commands.rs`) are one-line forwards to the
//! methods here, and these methods only fetch core values (store, engine, importers) and
//! convert them with `knot-app-api`. So the whole command surface is testable with a temp
//! data folder and no window. The open workspace's [`Runtime`] (one for every kind of
//! workspace: plans, runs, traces and the public schema never depend on what the workspace
//! holds) is rebuilt whenever the workspace or its environment changes, together with the
//! deep check problems `knot check` prints; each run is a spawned task whose `AbortHandle`
//! is kept by run id: aborting drops the run's future, which cancels every downstream call
//! it had in flight.

use crate::errors::{runtime_error, store_error};
use crate::firstrun::{self, DemoState};
use knot_app_api::*;
use knot_model::{Problem, Workspace, FORMAT_VERSION};
use knot_runtime::{NodeEvent, Observer, Request, Runtime, Vars};
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
    /// The workspace ready to plan and run, or why it cannot be.
    runtime: Result<Runtime, ApiError>,
    /// The checks that need more than the model (`knot_runtime::check`: composition,
    /// saved operations planned, gRPC methods), made when the workspace was opened or
    /// changed; positions are in its canonical JSON.
    deep_problems: Vec<Problem>,
    /// Its sources' URLs as built (`trust.rs`).
    targets: crate::trust::Targets,
    /// Sources whose URL changed on disk since confirmed: stored secrets are withheld.
    withheld: Vec<UnconfirmedSourceView>,
    /// Why the stored secrets could not be read (their key is missing or wrong): runs are
    /// refused with it rather than sent without the secrets.
    secrets_unreadable: Option<ApiError>,
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

    /// Imports and links a `*.knot.json` file. The path comes from a dialog opened in Rust,
    /// the command line at launch or the recent files (`paths.rs`), never from the page.
    pub async fn workspace_open_file(&self, path: &Path) -> Result<WorkspaceView, ApiError> {
        let path = crate::paths::workspace_file(path)?;
        let imported = self.store.import_file(path).await.map_err(store_error)?;
        // A recent-files entry is a convenience: failing to record it fails nothing.
        let _ = self.store.touch_recent_file(path).await;
        self.workspace_open(imported.id).await
    }

    /// Opens a file of the recent-files list. The page names it, so anything not on the
    /// list (which only dialogs and the command line fill) is refused.
    pub async fn workspace_open_recent(&self, path: &str) -> Result<WorkspaceView, ApiError> {
        let recent = self.store.recent_files().await.map_err(store_error)?;
        let Some(path) = recent.into_iter().find(|f| f.as_os_str() == path) else {
            return Err(ApiError::invalid_input(format!(
                "`{path}` is not a recent file: choose it with Open…"
            )));
        };
        self.workspace_open_file(&path).await
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

    /// The name the Save dialog suggests: the linked file's, else the workspace's name.
    pub async fn suggested_file_name(&self) -> Result<String, ApiError> {
        let view = self.workspace_current().await?;
        let linked = view
            .file
            .as_deref()
            .and_then(|f| Path::new(f).file_name())
            .and_then(|n| n.to_str())
            .map(str::to_string);
        Ok(linked.unwrap_or_else(|| {
            let name: String = view
                .name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{name}{}", crate::paths::WORKSPACE_SUFFIX)
        }))
    }

    /// Links the open workspace to a `*.knot.json` file and writes it (the path as for
    /// [`AppState::workspace_open_file`]).
    pub async fn workspace_save_as(&self, path: &Path) -> Result<WorkspaceView, ApiError> {
        let path = crate::paths::workspace_file(path)?;
        let id = self.open_workspace_id().await?;
        self.store.link_file(id, path).await.map_err(store_error)?;
        let _ = self.store.touch_recent_file(path).await;
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
                // Positions in the submitted text: the model's, then the deep checks'.
                let text = String::from_utf8_lossy(&bytes);
                view.problems = report.problems.iter().map(problem_view).collect();
                view.problems.extend(self.deep_problems_in(id, &text).await);
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
    /// relative to the workspace file); the folder comes from a dialog opened in Rust.
    pub async fn source_import_proto(
        &self,
        name: &str,
        endpoint: &str,
        folder: &Path,
    ) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let (name, endpoint) = (non_blank(name, "name")?, non_blank(endpoint, "endpoint")?);
        self.store
            .add_proto_source(id, name, endpoint, folder)
            .await
            .map_err(store_error)?;
        self.after_source_change(id).await
    }

    pub async fn operation_send(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        options: &SendOptionsView,
    ) -> Result<CallView, ApiError> {
        let extras =
            knot_app_api::run_view::send_extras(options).map_err(ApiError::invalid_input)?;
        self.secrets_confirmed().await?;
        let runtime = self.runtime().await?;
        let ws = runtime.workspace();
        let known = ws.sources.get(source).ok_or_else(|| {
            ApiError::not_found(format!("the workspace has no source `{source}`"))
        })?;
        if !known.has_operation(operation) {
            return Err(ApiError::not_found(format!(
                "source `{source}` has no operation `{operation}`"
            )));
        }
        let result = runtime
            .send_operation(source, operation, inputs, &extras)
            .await;
        Ok(call_view(&result))
    }

    pub async fn query_plan(&self, request: &QueryRequest) -> Result<PlanResult, ApiError> {
        let runtime = self.runtime().await?;
        Ok(plan_result(runtime.plan(&core_request(request))))
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
        self.secrets_confirmed().await?;
        // Each fetch node's start and end, as `RunProgress`, while the run is in flight.
        let observer: Option<Observer> = progress.map(|sink| {
            let rid = run_id.clone();
            let observer: Observer = Arc::new(move |e: NodeEvent| {
                let (node, state, at_ms) = match e {
                    NodeEvent::Started { node, at_ms } => (node, ProgressState::Started, at_ms),
                    NodeEvent::Finished {
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
        let runtime = self.runtime().await?;
        let environment = self.open_environment().await;
        let id = self.open_workspace_id().await?;
        let req = core_request(request);
        let started_at = knot_store::db::now_ms();
        let task = {
            let runtime = runtime.clone();
            let req = req.clone();
            tokio::spawn(async move { runtime.run_observed(&req, observer).await })
        };
        let outcome = self.join_run(&run_id, task).await?;
        let history_id = crate::history::record(
            &self.store,
            id,
            runtime.workspace(),
            environment,
            &req,
            &outcome,
            started_at,
        )
        .await;
        Ok(RunResult {
            run_id,
            response: outcome.response.value().clone(),
            trace: outcome.trace.as_ref().map(trace_view),
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

    /// Deletes one run of the history; false when there was no such run.
    pub async fn history_delete(&self, id: i64) -> Result<bool, ApiError> {
        self.store.delete_run(id).await.map_err(store_error)
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

    /// The open workspace's runtime, or why it cannot run.
    pub(crate) async fn runtime(&self) -> Result<Runtime, ApiError> {
        let open = self.open.lock().await;
        let open = open
            .as_ref()
            .ok_or_else(|| ApiError::not_found("no workspace is open"))?;
        open.runtime.clone()
    }

    async fn open_id(&self, id: WorkspaceId) -> Result<(), ApiError> {
        // Opening is not an edit: URLs that changed in the file wait for confirmation.
        self.rebuild_as(id, Some(None), false).await?;
        let _ = self.store.set_setting(OPEN_SETTING, &Value::from(id)).await;
        Ok(())
    }

    /// Rebuilds the runtime (and the deep check problems) of workspace `id`. `environment`: None keeps the current choice
    /// (when `id` is already open), Some(x) sets it.
    /// After an edit made in the app: a URL the edit changed is the person's own, confirmed.
    pub(crate) async fn rebuild(
        &self,
        id: WorkspaceId,
        environment: Option<Option<String>>,
    ) -> Result<(), ApiError> {
        self.rebuild_as(id, environment, true).await
    }

    /// `own_edit`: the change since the last build was made in the app (see `trust.rs`).
    async fn rebuild_as(
        &self,
        id: WorkspaceId,
        environment: Option<Option<String>>,
        own_edit: bool,
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
        // The URLs the app built before this change, when it is an edit of the same
        // workspace in the same environment.
        let before = open
            .as_ref()
            .filter(|o| own_edit && o.id == id && o.environment == environment)
            .map(|o| o.targets.clone());
        let built = build_runtime(&self.store, &stored, environment.as_deref(), before).await;
        *open = Some(Open {
            id,
            environment,
            runtime: built.runtime,
            deep_problems: built.problems,
            targets: built.targets,
            withheld: built.withheld,
            secrets_unreadable: built.secrets_unreadable,
        });
        Ok(())
    }

    /// The person confirms the open workspace's source URLs as they are now: stored secrets
    /// are used again.
    pub async fn workspace_confirm_sources(&self) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let (environment, targets) = {
            let open = self.open.lock().await;
            let open = open
                .as_ref()
                .ok_or_else(|| ApiError::not_found("no workspace is open"))?;
            (open.environment.clone(), open.targets.clone())
        };
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        if let Ok(Some((env_name, _))) = stored.workspace.environment(environment.as_deref()) {
            let value = serde_json::to_value(&targets)
                .map_err(|e| ApiError::internal(format!("cannot record the URLs: {e}")))?;
            self.store
                .set_setting(&crate::trust::setting_key(id, env_name), &value)
                .await
                .map_err(store_error)?;
        }
        self.rebuild_as(id, None, false).await?;
        self.view(id).await
    }

    /// Fails, naming them, while stored secrets are withheld from sources whose URL changed.
    async fn secrets_confirmed(&self) -> Result<(), ApiError> {
        let open = self.open.lock().await;
        if let Some(e) = open.as_ref().and_then(|o| o.secrets_unreadable.clone()) {
            return Err(e);
        }
        match open.as_ref().map(|o| &o.withheld) {
            Some(w) if !w.is_empty() => Err(ApiError::new(
                ApiErrorCode::Workspace,
                format!(
                    "stored secrets are withheld: the URL of {} changed in the linked file since \
                     you last confirmed it; check the URL and confirm it in the app",
                    w.iter()
                        .map(|u| format!("`{}`", u.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    async fn after_source_change(&self, id: WorkspaceId) -> Result<WorkspaceView, ApiError> {
        self.rebuild(id, None).await?;
        self.view(id).await
    }

    /// The view of workspace `id`: its one public schema from the runtime (the model's own
    /// when the runtime could not be built), its model and deep check problems.
    pub(crate) async fn view(&self, id: WorkspaceId) -> Result<WorkspaceView, ApiError> {
        let stored = self.store.workspace(id).await.map_err(store_error)?;
        let (environment, public_sdl, mut problems, withheld) =
            match self.open.lock().await.as_ref().filter(|o| o.id == id) {
                Some(open) => (
                    open.environment.clone(),
                    open.runtime
                        .as_ref()
                        .ok()
                        .map(|r| r.public_sdl().to_string()),
                    open.deep_problems.clone(),
                    open.withheld.clone(),
                ),
                None => (None, None, Vec::new(), Vec::new()),
            };
        let public_sdl = public_sdl.unwrap_or_else(|| knot_model::public_sdl(&stored.workspace));
        let meta = WorkspaceMeta {
            id,
            name: stored.info.name.clone(),
            file: stored.info.file.as_ref().map(|f| f.display().to_string()),
            environment,
        };
        problems.splice(0..0, check_problems(&stored.workspace));
        let mut view = workspace_view(&meta, &stored.workspace, &public_sdl, &problems);
        view.unconfirmed_sources = withheld;
        if self
            .store
            .secret_names(id)
            .await
            .is_ok_and(|names| !names.is_empty())
        {
            view.secrets_key = match self.store.secret_key_home().await {
                Ok(knot_store::KeyHome::Keyring { .. }) => Some(SecretsKeyView::Keyring),
                Ok(knot_store::KeyHome::File { .. }) => Some(SecretsKeyView::File),
                Err(_) => None,
            };
        }
        Ok(view)
    }

    /// The deep check problems of the open workspace `id`, positioned in `text`.
    async fn deep_problems_in(&self, id: WorkspaceId, text: &str) -> Vec<ProblemView> {
        let open = self.open.lock().await;
        let Some(open) = open.as_ref().filter(|o| o.id == id) else {
            return Vec::new();
        };
        open.deep_problems
            .iter()
            .map(|p| {
                let mut p = p.clone();
                let at = knot_model::locate::line_col(text, &p.path.0);
                p.line = at.map(|(l, _)| l);
                p.column = at.map(|(_, c)| c);
                problem_view(&p)
            })
            .collect()
    }
}

/// The runtime of a stored workspace: its environment's variables (`KNOT_VAR_*` override),
/// its stored secrets, relative paths resolved from its linked file's folder, subgraph
/// traces with request and response bodies (the explorer's view). With it, the deep check
/// problems of the workspace. Both are made off the async workers: loading may read SDL
/// and .proto files and ask a subgraph for its SDL over the network.
struct Built {
    runtime: Result<Runtime, ApiError>,
    problems: Vec<Problem>,
    targets: crate::trust::Targets,
    withheld: Vec<UnconfirmedSourceView>,
    secrets_unreadable: Option<ApiError>,
}

/// `before`: the URLs built before an edit made in the app (confirmed as the person's own).
async fn build_runtime(
    store: &Store,
    stored: &StoredWorkspace,
    env: Option<&str>,
    before: Option<crate::trust::Targets>,
) -> Built {
    use crate::trust;
    let ws = stored.workspace.clone();
    let mut targets = trust::Targets::new();
    let mut withheld = Vec::new();
    let mut secrets_unreadable = None;
    let vars = match Vars::from_workspace(&ws, env) {
        Ok(mut vars) => {
            targets = trust::targets(&ws, &vars);
            if let Ok(Some((env_name, _))) = ws.environment(env) {
                let secrets = store
                    .secrets(stored.info.id, Some(env_name))
                    .await
                    .map_err(|e| secrets_unreadable = Some(store_error(e)));
                if let Ok(secrets) = secrets {
                    // Only a linked file changes behind the app's back.
                    if stored.info.file.is_some() && !secrets.is_empty() {
                        withheld =
                            unconfirmed_sources(store, stored.info.id, env_name, &targets, before)
                                .await;
                    }
                    if withheld.is_empty() {
                        for s in secrets {
                            if vars.get(&s.name).is_none() {
                                vars.set_secret(s.name, s.value);
                            }
                        }
                    }
                }
            }
            Ok(vars)
        }
        Err(m) => Err(ApiError::new(ApiErrorCode::Workspace, m)),
    };
    let base: PathBuf = match stored.info.file.as_deref().and_then(Path::parent) {
        Some(dir) => dir.to_path_buf(),
        None => store.dir().to_path_buf(),
    };
    let built = tokio::task::spawn_blocking(move || {
        let text = knot_model::to_canonical_json(&ws);
        let problems = knot_runtime::check(&ws, &base, &text);
        let runtime = vars.and_then(|vars| {
            Runtime::load(ws, vars, &base)
                .map(|r| r.with_detailed_trace(true))
                .map_err(|e| runtime_error(&e))
        });
        (runtime, problems)
    })
    .await;
    let (runtime, problems) = match built {
        Ok(built) => built,
        Err(e) => (
            Err(ApiError::internal(format!(
                "loading the workspace failed: {e}"
            ))),
            Vec::new(),
        ),
    };
    Built {
        runtime,
        problems,
        targets,
        withheld,
        secrets_unreadable,
    }
}

/// The sources of a linked workspace whose URL is not the one last confirmed (recording the
/// current URLs when nothing was recorded yet, and the app's own edits).
async fn unconfirmed_sources(
    store: &Store,
    id: WorkspaceId,
    env: &str,
    current: &crate::trust::Targets,
    before: Option<crate::trust::Targets>,
) -> Vec<UnconfirmedSourceView> {
    use crate::trust;
    let key = trust::setting_key(id, env);
    let recorded: Option<trust::Targets> = store
        .setting(&key)
        .await
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_value(v).ok());
    let confirmed = match (recorded, before) {
        (None, _) => current.clone(),
        (Some(c), Some(before)) => trust::with_own_edits(c, &before, current),
        (Some(c), None) => c,
    };
    if let Ok(value) = serde_json::to_value(&confirmed) {
        // Failing to record leaves the previous record: nothing is trusted by accident.
        let _ = store.set_setting(&key, &value).await;
    }
    trust::unconfirmed(&confirmed, current)
}

/// The core's form of a query request (the app sends no inbound headers).
fn core_request(request: &QueryRequest) -> Request {
    Request {
        document: request.document.clone(),
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
