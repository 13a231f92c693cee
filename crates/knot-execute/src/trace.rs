//! The trace of a run: the plan that ran and one span per downstream call, with the detail
//! the explorer shows (sources, URLs, statuses) and the public answer never does.

use knot_connect::{Category, RequestSummary};
use serde::Serialize;
use serde_json::Value;

/// One downstream call.
#[derive(Clone, Debug, Serialize)]
pub struct Span {
    pub id: usize,
    /// The fetch node that made the call.
    pub node: usize,
    pub source: String,
    pub operation: String,
    /// Milliseconds from the start of the run.
    pub start_ms: f64,
    pub end_ms: f64,
    /// Keys the call carried (1 for a per-key call, 0 for a call without a key).
    pub batch_size: usize,
    /// `200`, `OK`, `INTERNAL`, …; null when no answer came.
    pub status: Option<String>,
    /// Null when the call succeeded.
    pub category: Option<Category>,
    /// What went wrong, in detail (explorer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub request: RequestSummary,
    pub bytes: usize,
    pub attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// How one fetch node went.
#[derive(Clone, Debug, Serialize)]
pub struct NodeRun {
    pub node: usize,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Parent objects the node served.
    pub parents: usize,
    /// Distinct keys it asked for.
    pub keys: usize,
    pub calls: usize,
    pub failed_calls: usize,
}

/// An error as the explorer sees it: where it landed and why, with the call that caused it.
#[derive(Clone, Debug, Serialize)]
pub struct TraceError {
    pub path: Vec<Value>,
    pub category: Category,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// The plan that ran (shared with the plan cache; computed once per distinct plan).
    pub plan: std::sync::Arc<Value>,
    pub nodes: Vec<NodeRun>,
    pub spans: Vec<Span>,
    pub errors: Vec<TraceError>,
    pub duration_ms: f64,
}
