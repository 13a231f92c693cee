//! The Tauri commands of `src-tauri/API.md`, each a one-line forward to [`AppState`].
//!
//! The main design choice: no behaviour lives here (see `state.rs`), so the IPC layer is
//! only argument names and types: Tauri maps the UI's camelCase arguments (`runId`,
//! `baseUrl`) to these snake_case parameters, and every error is an [`ApiError`] with a code.

use crate::state::AppState;
use knot_app_api::*;
use serde_json::{Map, Value};
use tauri::State;

type Res<T> = Result<T, ApiError>;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    Ok(state.app_info())
}

#[tauri::command]
pub async fn workspace_current(state: State<'_, AppState>) -> Res<WorkspaceView> {
    state.workspace_current().await
}

#[tauri::command]
pub async fn workspace_list(state: State<'_, AppState>) -> Res<Vec<WorkspaceSummary>> {
    state.workspace_list().await
}

#[tauri::command]
pub async fn workspace_open(state: State<'_, AppState>, id: i64) -> Res<WorkspaceView> {
    state.workspace_open(id).await
}

#[tauri::command]
pub async fn workspace_open_file(state: State<'_, AppState>, path: String) -> Res<WorkspaceView> {
    state.workspace_open_file(&path).await
}

#[tauri::command]
pub async fn workspace_create(state: State<'_, AppState>, name: String) -> Res<WorkspaceView> {
    state.workspace_create(&name).await
}

#[tauri::command]
pub async fn workspace_save_as(state: State<'_, AppState>, path: String) -> Res<WorkspaceView> {
    state.workspace_save_as(&path).await
}

#[tauri::command]
pub async fn workspace_update(state: State<'_, AppState>, document: Value) -> Res<WorkspaceView> {
    state.workspace_update(&document).await
}

#[tauri::command]
pub async fn environment_select(state: State<'_, AppState>, name: String) -> Res<WorkspaceView> {
    state.environment_select(&name).await
}

#[tauri::command]
pub async fn environment_list(state: State<'_, AppState>) -> Res<Vec<EnvironmentView>> {
    state.environment_list().await
}

#[tauri::command]
pub async fn environment_save(
    state: State<'_, AppState>,
    name: String,
    variables: Vec<EnvVariableInput>,
) -> Res<WorkspaceView> {
    state.environment_save(&name, &variables).await
}

#[tauri::command]
pub async fn environment_delete(state: State<'_, AppState>, name: String) -> Res<WorkspaceView> {
    state.environment_delete(&name).await
}

#[tauri::command]
pub async fn recent_files(state: State<'_, AppState>) -> Res<Vec<String>> {
    state.recent_files().await
}

#[tauri::command]
pub async fn source_add_rest(
    state: State<'_, AppState>,
    input: RestSourceInput,
) -> Res<WorkspaceView> {
    state.source_add_rest(&input).await
}

#[tauri::command]
pub async fn source_import_openapi(
    state: State<'_, AppState>,
    name: String,
    text: String,
    base_url: Option<String>,
) -> Res<WorkspaceView> {
    state
        .source_import_openapi(&name, &text, base_url.as_deref())
        .await
}

#[tauri::command]
pub async fn source_import_graphql(
    state: State<'_, AppState>,
    name: String,
    url: String,
) -> Res<WorkspaceView> {
    state.source_import_graphql(&name, &url).await
}

#[tauri::command]
pub async fn source_import_grpc(
    state: State<'_, AppState>,
    name: String,
    endpoint: String,
) -> Res<WorkspaceView> {
    state.source_import_grpc(&name, &endpoint).await
}

#[tauri::command]
pub async fn source_import_proto(
    state: State<'_, AppState>,
    name: String,
    endpoint: String,
    folder: String,
) -> Res<WorkspaceView> {
    state.source_import_proto(&name, &endpoint, &folder).await
}

#[tauri::command]
pub async fn operation_send(
    state: State<'_, AppState>,
    source: String,
    operation: String,
    inputs: Map<String, Value>,
) -> Res<CallView> {
    state.operation_send(&source, &operation, &inputs).await
}

#[tauri::command]
pub async fn query_plan(state: State<'_, AppState>, request: QueryRequest) -> Res<PlanResult> {
    state.query_plan(&request).await
}

#[tauri::command]
pub async fn query_run(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    run_id: String,
    request: QueryRequest,
) -> Res<RunResult> {
    use tauri::Emitter;
    let progress: crate::state::ProgressSink = std::sync::Arc::new(move |p| {
        let _ = app.emit("run-progress", p);
    });
    state.query_run(&run_id, &request, Some(progress)).await
}

#[tauri::command]
pub async fn query_cancel(state: State<'_, AppState>, run_id: String) -> Res<bool> {
    Ok(state.query_cancel(&run_id))
}

#[tauri::command]
pub async fn history_list(state: State<'_, AppState>, limit: u32) -> Res<Vec<HistoryEntryView>> {
    state.history_list(limit).await
}

#[tauri::command]
pub async fn history_get(state: State<'_, AppState>, id: i64) -> Res<HistoryRunView> {
    state.history_get(id).await
}

#[tauri::command]
pub async fn topology_view(state: State<'_, AppState>, with_overlay: bool) -> Res<TopologyView> {
    state.topology_view(with_overlay).await
}

#[tauri::command]
pub async fn topology_text(state: State<'_, AppState>, format: TopologyFormat) -> Res<String> {
    state.topology_text(format).await
}
