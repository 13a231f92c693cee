//! The Tauri commands of `src-tauri/API.md`, each a one-line forward to [`AppState`].
//!
//! The main design choice: no behaviour lives here (see `state.rs`), so the IPC layer is
//! only argument names and types: Tauri maps the UI's camelCase arguments (`runId`,
//! `baseUrl`) to these snake_case parameters, and every error is an [`ApiError`] with a code.
//! No command takes a file path from the page: the ones that read or write a file open a
//! native dialog here (`paths.rs`) and use what the person chose.

use crate::paths::{self, Ask};
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

/// Opens the native Open dialog and imports the chosen `*.knot.json`.
#[tauri::command]
pub async fn workspace_open_file(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Res<WorkspaceView> {
    let path = paths::choose(&app, Ask::OpenWorkspace).await?;
    state.workspace_open_file(&path).await
}

/// Opens a file of the recent-files list (refused when `path` is not on it).
#[tauri::command]
pub async fn workspace_open_recent(state: State<'_, AppState>, path: String) -> Res<WorkspaceView> {
    state.workspace_open_recent(&path).await
}

#[tauri::command]
pub async fn workspace_create(state: State<'_, AppState>, name: String) -> Res<WorkspaceView> {
    state.workspace_create(&name).await
}

/// Opens the native Save dialog and links the open workspace to the chosen file.
#[tauri::command]
pub async fn workspace_save_as(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Res<WorkspaceView> {
    let file_name = state.suggested_file_name().await?;
    let path = paths::choose(&app, Ask::SaveWorkspace { file_name }).await?;
    let path = paths::with_suffix(path, paths::WORKSPACE_SUFFIX);
    state.workspace_save_as(&path).await
}

#[tauri::command]
pub async fn workspace_update(state: State<'_, AppState>, document: Value) -> Res<WorkspaceView> {
    state.workspace_update(&document).await
}

/// Confirms the open workspace's source URLs as they are now (stored secrets used again).
#[tauri::command]
pub async fn workspace_confirm_sources(state: State<'_, AppState>) -> Res<WorkspaceView> {
    state.workspace_confirm_sources().await
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

/// Asks for the folder of .proto files with the native dialog, then imports.
#[tauri::command]
pub async fn source_import_proto(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    name: String,
    endpoint: String,
) -> Res<WorkspaceView> {
    let folder = paths::choose(&app, Ask::ProtoFolder).await?;
    state.source_import_proto(&name, &endpoint, &folder).await
}

#[tauri::command]
pub async fn operation_send(
    state: State<'_, AppState>,
    source: String,
    operation: String,
    inputs: Map<String, Value>,
    options: Option<SendOptionsView>,
) -> Res<CallView> {
    state
        .operation_send(&source, &operation, &inputs, &options.unwrap_or_default())
        .await
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
pub async fn history_delete(state: State<'_, AppState>, id: i64) -> Res<bool> {
    state.history_delete(id).await
}

#[tauri::command]
pub async fn topology_view(state: State<'_, AppState>, with_overlay: bool) -> Res<TopologyView> {
    state.topology_view(with_overlay).await
}

#[tauri::command]
pub async fn topology_text(state: State<'_, AppState>, format: TopologyFormat) -> Res<String> {
    state.topology_text(format).await
}

/// A saved operation as `knot serve` exposes it: GraphQL, REST and gRPC side by side, with
/// `curl` and `grpcurl` commands carrying `variables` (examples for the ones not given).
#[tauri::command]
pub async fn operation_calls(
    state: State<'_, AppState>,
    name: String,
    variables: Option<Map<String, Value>>,
) -> Res<OperationCallsView> {
    state
        .operation_calls(&name, &variables.unwrap_or_default())
        .await
}

/// Saves a picture the page drew (the topology as SVG or PNG) where the person chooses in
/// the native Save dialog; `file_name` only suggests a name. Returns the path written.
#[tauri::command]
pub async fn export_save(app: tauri::AppHandle, file_name: String, bytes: Vec<u8>) -> Res<String> {
    let extension = paths::export_extension(&file_name)?;
    let file_name = paths::bare_name(&file_name);
    let suffix = format!(".{extension}");
    let path = paths::choose(
        &app,
        Ask::SaveExport {
            file_name,
            extension,
        },
    )
    .await?;
    let path = paths::with_suffix(path, &suffix);
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| ApiError::invalid_input(format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}
