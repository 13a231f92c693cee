//! The one plan format and the one trace format have JSON Schemas committed in `schema/`;
//! they are generated from the types, and these tests fail when the files are stale
//! (`KNOT_BLESS=1 cargo test -p knot-runtime --test schemas` rewrites them).

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn matches_committed(file: &str, schema: serde_json::Value) {
    let path = root().join("schema").join(file);
    let mut generated = serde_json::to_string_pretty(&schema).unwrap();
    generated.push('\n');
    if std::env::var_os("KNOT_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, generated,
        "schema/{file} is stale: run `KNOT_BLESS=1 cargo test -p knot-runtime --test schemas`"
    );
}

#[test]
fn committed_trace_schema_matches_the_types() {
    matches_committed("knot-trace.schema.json", knot_runtime::trace_json_schema());
}

#[test]
fn committed_plan_schema_matches_the_types() {
    matches_committed("knot-plan.schema.json", knot_runtime::plan_json_schema());
}

#[test]
fn trace_and_plan_objects_admit_no_unknown_property() {
    let trace = knot_runtime::trace_json_schema();
    let text = trace.to_string();
    // Every object of the format is closed: a renamed or extra field is a schema change.
    for def in [
        "Trace",
        "Span",
        "NodeRun",
        "TraceError",
        "FetchNode",
        "PlanDoc",
    ] {
        let schema = if def == "Trace" {
            &trace
        } else {
            &trace["$defs"][def]
        };
        assert_eq!(
            schema["additionalProperties"],
            serde_json::Value::Bool(false),
            "{def} in {text}"
        );
    }
    for key in [
        "node",
        "source",
        "operation",
        "start_ms",
        "end_ms",
        "batch_size",
        "status",
        "category",
        "request",
        "bytes",
        "attempt",
        "response",
        "error",
    ] {
        assert!(
            trace["$defs"]["Span"]["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|k| k == key)),
            "span field `{key}` must always be present"
        );
    }
    assert!(trace["$defs"]["FetchNode"]["properties"]["kind"].is_object());
}
