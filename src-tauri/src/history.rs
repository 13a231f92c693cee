//! Runs into the store's history and back out as views.
//!
//! The main design choice: a history row is never worth a failed query, so recording
//! returns `None` on failure instead of an error (the run's answer still reaches the UI),
//! and redaction of secrets is left to the store (`Store::record_run` does it for every
//! row).

use knot_app_api::{trace_view_from_json, HistoryEntryView, HistoryRunView};
use knot_model::Workspace;
use knot_runtime::{Outcome, Request};
use knot_store::{NewRun, RunRecord, RunSummary, Store, WorkspaceId};
use serde_json::Value;

/// Records a run of any workspace: the answer and the trace in its one JSON form
/// (`Outcome::trace_json`, null when no plan ran), which [`run_view`] reads back.
pub async fn record(
    store: &Store,
    id: WorkspaceId,
    ws: &Workspace,
    environment: Option<String>,
    request: &Request,
    outcome: &Outcome,
    started_at: i64,
) -> Option<i64> {
    let environment = environment.or_else(|| {
        ws.environment(None)
            .ok()
            .flatten()
            .map(|(n, _)| n.to_string())
    });
    let run = NewRun {
        workspace_id: Some(id),
        workspace: ws.name.clone(),
        operation: request
            .operation_name
            .clone()
            .or_else(|| knot_plan::sole_operation_name(&request.document)),
        document: request.document.clone(),
        variables: Value::Object(request.variables.clone()),
        environment,
        response: outcome.response.value().clone(),
        trace: outcome.trace_json(),
        started_at,
        duration_ms: outcome.trace.as_ref().map(|t| t.duration_ms).unwrap_or(0.0),
    };
    store.record_run(&run, &[]).await.ok()
}

pub fn entry_view(r: &RunSummary) -> HistoryEntryView {
    HistoryEntryView {
        id: r.id,
        workspace: r.workspace.clone(),
        operation: r.operation.clone(),
        started_at: r.started_at,
        duration_ms: r.duration_ms,
        error_count: u32::try_from(r.errors).unwrap_or(u32::MAX),
        calls: u32::try_from(r.calls).unwrap_or(u32::MAX),
        document: r.document.clone(),
        variables: r.variables.clone(),
    }
}

pub fn run_view(r: &RunRecord) -> HistoryRunView {
    let errors = r.response["errors"].as_array().map(Vec::len).unwrap_or(0);
    let calls = r.trace["spans"].as_array().map(Vec::len).unwrap_or(0);
    HistoryRunView {
        entry: HistoryEntryView {
            id: r.id,
            workspace: r.workspace.clone(),
            operation: r.operation.clone(),
            started_at: r.started_at,
            duration_ms: r.duration_ms,
            error_count: u32::try_from(errors).unwrap_or(u32::MAX),
            calls: u32::try_from(calls).unwrap_or(u32::MAX),
            document: r.document.clone(),
            variables: r.variables.clone(),
        },
        document: r.document.clone(),
        variables: r.variables.clone(),
        response: r.response.clone(),
        trace: (!r.trace.is_null()).then(|| trace_view_from_json(&r.trace)),
    }
}
