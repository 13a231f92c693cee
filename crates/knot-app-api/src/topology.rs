//! The topology screen's DTOs and their conversions: the core's topology graph
//! (`knot_plan::topology`) as a view, and per-source call statistics computed from stored
//! run traces.
//!
//! The main design choice: the statistics are a pure function of trace JSON values (the
//! form the store keeps), so they are unit-tested here without a store, and the shell only
//! fetches the traces and passes them in. A span counts as an error when it carries an
//! error category or message; the median is the middle span duration (mean of the two
//! middle ones for an even count).

use knot_plan::topology::{TopoKind, Topology};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TopologyNodeKind {
    Source,
    Type,
    Operation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TopologyEdgeKind {
    Feeds,
    Holds,
    Reaches,
}

/// The text renderings of the core (the same text `knot topology --format …` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TopologyFormat {
    Dot,
    Mermaid,
    Svg,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TopologyNodeView {
    /// `source:orders`, `type:Order`, `operation:OrderDetails`.
    pub id: String,
    pub kind: TopologyNodeKind,
    pub label: String,
    /// A source's protocol (`rest`, `grpc`, `graphql`); an operation's REST endpoint.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TopologyEdgeView {
    pub from: String,
    pub to: String,
    pub kind: TopologyEdgeKind,
    pub label: String,
}

/// Calls to one source over the recorded runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceOverlay {
    pub source: String,
    pub calls: u32,
    /// Failed calls / calls, 0..1.
    pub error_rate: f64,
    pub median_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TopologyView {
    pub nodes: Vec<TopologyNodeView>,
    pub edges: Vec<TopologyEdgeView>,
    /// One entry per source that was called, sorted by source; empty unless asked for.
    pub overlays: Vec<SourceOverlay>,
    /// How many runs the overlays were computed from.
    pub runs: u32,
}

/// The core topology as a view (edges of an unknown kind are left out).
pub fn topology_view(t: &Topology, overlays: Vec<SourceOverlay>, runs: u32) -> TopologyView {
    TopologyView {
        nodes: t
            .nodes
            .iter()
            .map(|n| TopologyNodeView {
                id: n.id.clone(),
                kind: match n.kind {
                    TopoKind::Source => TopologyNodeKind::Source,
                    TopoKind::Type => TopologyNodeKind::Type,
                    TopoKind::Operation => TopologyNodeKind::Operation,
                },
                label: n.label.clone(),
                detail: n.detail.clone(),
            })
            .collect(),
        edges: t
            .edges
            .iter()
            .filter_map(|e| {
                let kind = match e.kind.as_str() {
                    "feeds" => TopologyEdgeKind::Feeds,
                    "holds" => TopologyEdgeKind::Holds,
                    "reaches" => TopologyEdgeKind::Reaches,
                    _ => return None,
                };
                Some(TopologyEdgeView {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    kind,
                    label: e.label.clone(),
                })
            })
            .collect(),
        overlays,
        runs,
    }
}

/// Per-source calls, error rate and median duration over the spans of these traces (the
/// trace JSON of `Outcome::trace_json`: `spans[]` with `source`, `start_ms`, `end_ms`,
/// `category`, `error`). Spans without a source are ignored.
pub fn source_overlays<'a>(traces: impl IntoIterator<Item = &'a Value>) -> Vec<SourceOverlay> {
    let mut by_source: BTreeMap<String, (Vec<f64>, u32)> = BTreeMap::new();
    for trace in traces {
        let Some(spans) = trace.get("spans").and_then(Value::as_array) else {
            continue;
        };
        for span in spans {
            let Some(source) = span.get("source").and_then(Value::as_str) else {
                continue;
            };
            if source.is_empty() {
                continue;
            }
            let start = span.get("start_ms").and_then(Value::as_f64).unwrap_or(0.0);
            let end = span.get("end_ms").and_then(Value::as_f64).unwrap_or(start);
            let failed = ["category", "error"]
                .iter()
                .any(|k| span.get(*k).is_some_and(|v| !v.is_null()));
            let entry = by_source.entry(source.to_string()).or_default();
            entry.0.push((end - start).max(0.0));
            if failed {
                entry.1 += 1;
            }
        }
    }
    by_source
        .into_iter()
        .map(|(source, (mut durations, failed))| {
            let calls = u32::try_from(durations.len()).unwrap_or(u32::MAX);
            SourceOverlay {
                source,
                calls,
                error_rate: if calls == 0 {
                    0.0
                } else {
                    f64::from(failed) / f64::from(calls)
                },
                median_ms: median(&mut durations),
            }
        })
        .collect()
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(source: &str, start: f64, end: f64, category: Option<&str>) -> Value {
        json!({"source": source, "start_ms": start, "end_ms": end, "category": category, "error": null})
    }

    #[test]
    fn overlays_count_calls_errors_and_medians_per_source() {
        let traces = [
            json!({"spans": [span("orders", 0.0, 10.0, None), span("users", 10.0, 14.0, None)]}),
            json!({"spans": [span("orders", 0.0, 30.0, Some("TIMEOUT")), span("users", 5.0, 7.0, None)]}),
            json!({"spans": [span("orders", 1.0, 21.0, None), {"source": "users", "start_ms": 0.0, "end_ms": 6.0, "error": "boom"}]}),
            json!({"spans": "damaged"}),
            json!(null),
        ];
        let o = source_overlays(traces.iter());
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].source, "orders");
        assert_eq!(o[0].calls, 3);
        assert!((o[0].error_rate - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(o[0].median_ms, 20.0);
        assert_eq!(o[1].source, "users");
        assert_eq!(o[1].calls, 3);
        assert_eq!(o[1].median_ms, 4.0);
        assert!((o[1].error_rate - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn an_even_count_takes_the_mean_of_the_middle_two_and_nothing_gives_nothing() {
        let traces = [json!({"spans": [span("a", 0.0, 2.0, None), span("a", 0.0, 4.0, None)]})];
        let o = source_overlays(traces.iter());
        assert_eq!(o[0].median_ms, 3.0);
        assert_eq!(o[0].error_rate, 0.0);
        assert!(source_overlays(std::iter::empty()).is_empty());
    }
}
