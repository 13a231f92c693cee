//! Run history: one row per run (document, variables, environment, response, trace,
//! start, duration, operation name), newest first, searchable, prunable.
//!
//! The main design choice: redaction happens *inside* [`Store::record_run`], not in the
//! hosts. The store gathers every secret value it holds for the workspace, adds the ones
//! the host resolved from elsewhere (`KNOT_SECRET_*`), and replaces each with its
//! `{{secret.NAME}}` reference in every column before the row is written, so no caller can
//! forget and a secret value never reaches `knot.db`. Listing returns summaries (no
//! response or trace bodies) so a history view stays cheap; [`Store::run`] returns one run
//! in full.

use crate::error::{db_error, Result, StoreError};
use crate::secrets::{Redactor, SecretRef};
use crate::workspaces::WorkspaceId;
use crate::Store;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use std::time::Duration;

pub type RunId = i64;

/// A run to record. JSON values are stored as text.
#[derive(Clone, Debug, Default)]
pub struct NewRun {
    /// The store workspace that ran, when the run came from one (its secrets are redacted).
    pub workspace_id: Option<WorkspaceId>,
    /// The workspace's name (kept even when the workspace is deleted later).
    pub workspace: String,
    pub operation: Option<String>,
    pub document: String,
    pub variables: Value,
    pub environment: Option<String>,
    pub response: Value,
    /// Null when no plan ran.
    pub trace: Value,
    /// Unix milliseconds.
    pub started_at: i64,
    pub duration_ms: f64,
}

/// A run as listed (without response and trace).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: RunId,
    pub workspace: String,
    pub operation: Option<String>,
    pub environment: Option<String>,
    pub started_at: i64,
    pub duration_ms: f64,
    /// Number of entries in the response's `errors`.
    pub errors: usize,
    /// The GraphQL document that ran and its variables (as recorded: secrets redacted), so a
    /// list can say what ran without reading each run whole.
    pub document: String,
    pub variables: Value,
    /// Number of downstream calls (the trace's spans; 0 when no plan ran).
    pub calls: usize,
}

/// A run in full.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: RunId,
    pub workspace_id: Option<WorkspaceId>,
    pub workspace: String,
    pub operation: Option<String>,
    pub document: String,
    pub variables: Value,
    pub environment: Option<String>,
    pub response: Value,
    pub trace: Value,
    pub started_at: i64,
    pub duration_ms: f64,
}

/// Which runs to list.
#[derive(Clone, Debug)]
pub struct HistoryQuery {
    /// Only runs of this workspace (by name).
    pub workspace: Option<String>,
    /// Only runs whose operation name contains this text (case-insensitive).
    pub operation: Option<String>,
    pub limit: u32,
}

impl Default for HistoryQuery {
    fn default() -> Self {
        HistoryQuery {
            workspace: None,
            operation: None,
            limit: 50,
        }
    }
}

/// Which runs to delete.
#[derive(Clone, Copy, Debug)]
pub enum Prune {
    /// Runs that started longer ago than this.
    OlderThan(Duration),
    /// All but the newest N runs.
    KeepNewest(u32),
}

impl Store {
    /// Records a run, durable when it returns. Every secret value of the workspace, and
    /// each of `extra_secrets`, is replaced with its reference first.
    pub async fn record_run(&self, run: &NewRun, extra_secrets: &[SecretRef]) -> Result<RunId> {
        let mut secrets = match run.workspace_id {
            Some(id) => self.secrets(id, None).await?,
            None => Vec::new(),
        };
        secrets.extend(extra_secrets.iter().cloned());
        let r = Redactor::new(secrets.iter().map(|s| (s.name.as_str(), s.value.as_str())));
        let trace = (!run.trace.is_null()).then(|| r.json_text(&run.trace));
        sqlx::query_scalar(
            "INSERT INTO runs (workspace_id, workspace, operation, document, variables, environment, response, trace, started_at, duration_ms)
             VALUES ((SELECT id FROM workspaces WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(run.workspace_id)
        .bind(r.text(&run.workspace))
        .bind(run.operation.as_deref().map(|o| r.text(o)))
        .bind(r.text(&run.document))
        .bind(r.json_text(&run.variables))
        .bind(run.environment.as_deref().map(|e| r.text(e)))
        .bind(r.json_text(&run.response))
        .bind(trace)
        .bind(run.started_at)
        .bind(if run.duration_ms.is_finite() { run.duration_ms.max(0.0) } else { 0.0 })
        .fetch_one(&self.db)
        .await
        .map_err(db_error(&self.db_path, "recording a run"))
    }

    /// Runs, newest first.
    pub async fn history(&self, q: &HistoryQuery) -> Result<Vec<RunSummary>> {
        let pattern = q
            .operation
            .as_ref()
            .map(|o| format!("%{}%", escape_like(o)));
        let rows = sqlx::query(
            "SELECT id, workspace, operation, environment, started_at, duration_ms, document, variables,
                    CASE WHEN json_valid(response) THEN json_array_length(response, '$.errors') END AS errors,
                    CASE WHEN json_valid(trace) THEN json_array_length(trace, '$.spans') END AS calls
             FROM runs
             WHERE (? IS NULL OR workspace = ?)
               AND (? IS NULL OR operation LIKE ? ESCAPE '\\')
             ORDER BY started_at DESC, id DESC
             LIMIT ?",
        )
        .bind(&q.workspace)
        .bind(&q.workspace)
        .bind(&pattern)
        .bind(&pattern)
        .bind(i64::from(q.limit))
        .fetch_all(&self.db)
        .await
        .map_err(db_error(&self.db_path, "listing the history"))?;
        rows.iter()
            .map(|row| {
                Ok(RunSummary {
                    id: row.try_get("id")?,
                    workspace: row.try_get("workspace")?,
                    operation: row.try_get("operation")?,
                    environment: row.try_get("environment")?,
                    started_at: row.try_get("started_at")?,
                    duration_ms: row.try_get("duration_ms")?,
                    errors: row
                        .try_get::<Option<i64>, _>("errors")?
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0),
                    document: row.try_get("document")?,
                    variables: parse(row.try_get("variables")?),
                    calls: row
                        .try_get::<Option<i64>, _>("calls")?
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0),
                })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(db_error(&self.db_path, "reading the history"))
    }

    /// The traces of a workspace's last `limit` runs (by name, newest first), for
    /// aggregate views; runs without a trace are skipped, a damaged one is left out.
    pub async fn recent_traces(&self, workspace: &str, limit: u32) -> Result<Vec<Value>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT trace FROM runs WHERE workspace = ? AND trace IS NOT NULL
             ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(db_error(&self.db_path, "reading traces"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(text,)| serde_json::from_str::<Value>(&text).ok())
            .filter(Value::is_object)
            .collect())
    }

    /// One run in full; `None` when there is no such run. A damaged JSON column is read
    /// back as a string rather than failing the whole run.
    pub async fn run(&self, id: RunId) -> Result<Option<RunRecord>> {
        let row = sqlx::query(
            "SELECT id, workspace_id, workspace, operation, document, variables, environment,
                    response, trace, started_at, duration_ms
             FROM runs WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await
        .map_err(db_error(&self.db_path, "reading a run"))?;
        let Some(row) = row else { return Ok(None) };
        let record = || -> std::result::Result<RunRecord, sqlx::Error> {
            Ok(RunRecord {
                id: row.try_get("id")?,
                workspace_id: row.try_get("workspace_id")?,
                workspace: row.try_get("workspace")?,
                operation: row.try_get("operation")?,
                document: row.try_get("document")?,
                variables: parse(row.try_get("variables")?),
                environment: row.try_get("environment")?,
                response: parse(row.try_get("response")?),
                trace: row
                    .try_get::<Option<String>, _>("trace")?
                    .map(parse)
                    .unwrap_or(Value::Null),
                started_at: row.try_get("started_at")?,
                duration_ms: row.try_get("duration_ms")?,
            })
        };
        record().map(Some).map_err(|e| StoreError::CorruptRow {
            path: self.db_path.clone(),
            table: "runs",
            row: id.to_string(),
            message: e.to_string(),
        })
    }

    /// Deletes one run; false when there was no such run.
    pub async fn delete_run(&self, id: RunId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM runs WHERE id = ?")
            .bind(id)
            .execute(&self.db)
            .await
            .map_err(db_error(&self.db_path, "deleting a run"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Number of runs stored.
    pub async fn run_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM runs")
            .fetch_one(&self.db)
            .await
            .map_err(db_error(&self.db_path, "counting runs"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Deletes old runs; returns how many were deleted.
    pub async fn prune_history(&self, prune: Prune) -> Result<u64> {
        let query = match prune {
            Prune::OlderThan(age) => {
                let cutoff = crate::db::now_ms().saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX));
                sqlx::query("DELETE FROM runs WHERE started_at < ?").bind(cutoff)
            }
            Prune::KeepNewest(n) => sqlx::query(
                "DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT ?)",
            )
            .bind(i64::from(n)),
        };
        query
            .execute(&self.db)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_error(&self.db_path, "pruning the history"))
    }
}

fn parse(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
