//! The trace of a run: the plan that ran and one span per downstream call, with the detail
//! the explorer shows (sources, URLs, statuses) and the public answer never does.
//!
//! This is the one trace format of every workspace, with or without Federation subgraphs:
//! `knot run --trace`, the gateway's `extensions.knot`, the store's history and the app all
//! read and write it. Its JSON Schema is committed as `schema/knot-trace.schema.json`.

use knot_connect::{Category, RequestSummary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One downstream call. Every field is always present (null when empty).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
    pub error: Option<String>,
    pub request: RequestSummary,
    pub bytes: usize,
    pub attempt: u32,
    /// The start of the raw response (explorer only).
    pub response: Option<String>,
    /// The answer of an identical request already in flight: no call of its own was made
    /// (in-flight deduplication of reads). Absent in traces recorded before it existed.
    #[serde(default)]
    pub shared: bool,
}

/// How one fetch node went.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceError {
    pub path: Vec<Value>,
    pub category: Category,
    pub detail: String,
    pub node: Option<usize>,
    pub span: Option<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// The plan that ran (shared with the plan cache; computed once per distinct plan).
    #[schemars(with = "knot_plan::PlanDoc")]
    pub plan: std::sync::Arc<Value>,
    pub nodes: Vec<NodeRun>,
    pub spans: Vec<Span>,
    pub errors: Vec<TraceError>,
    pub duration_ms: f64,
}

/// The JSON Schema of [`Trace`] (committed as `schema/knot-trace.schema.json`).
pub fn trace_json_schema() -> Value {
    let schema = schemars::schema_for!(Trace);
    let mut value = serde_json::to_value(&schema).unwrap_or(Value::Null);
    // Every field of these is always written (null when empty), so all are required.
    for def in ["Span", "TraceError", "PlanDoc"] {
        if let Some(Value::Object(object)) = value.pointer_mut(&format!("/$defs/{def}")) {
            knot_plan::require_every_property(object);
        }
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), "https://knot.dev/schema/trace.json".into());
        obj.insert("title".into(), "Knot trace (one run)".into());
    }
    value
}
