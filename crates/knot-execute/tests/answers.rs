//! Matching downstream answers to keys without a network (`run_node_over_answers`, the code
//! the `answers` fuzz target drives): keys deduplicated and chunked by `maxBatchSize`, each
//! answer matched by its field whatever its order, a missing key an error at its parent only.

use knot_connect::{CallResult, RequestSummary, Vars};
use knot_execute::run::run_node_over_answers;
use knot_plan::FetchNode;
use serde_json::{json, Map, Value};
use std::time::Instant;

fn instrument_node() -> FetchNode {
    let bytes = include_bytes!("../../../examples/trading.knot.json");
    let Some(ws) = knot_model::check_bytes(bytes).workspace else {
        panic!("the trading example does not load");
    };
    let doc = r#"{ events(date: "2024-01-02") { id instrument { symbol } } }"#;
    let plan = match knot_plan::plan(&ws, doc, None, &Map::new()) {
        Ok(plan) => plan,
        Err(e) => panic!("{e:?}"),
    };
    match plan.graph.node_weights().find(|n| n.field == "instrument") {
        Some(node) => node.clone(),
        None => panic!("no instrument node"),
    }
}

fn answer(value: Value) -> CallResult {
    let now = Instant::now();
    CallResult {
        outcome: Ok(value),
        request: RequestSummary::default(),
        status: Some("200".into()),
        bytes: 0,
        started: now,
        ended: now,
        response_preview: None,
        shared: false,
        raw_headers: Default::default(),
        response_headers: Vec::new(),
    }
}

#[test]
fn batch_answers_are_matched_by_field_in_chunks() {
    let mut node = instrument_node();
    node.max_batch_size = Some(2);
    let parents = ["i1", "i2", "i1", "i3"]
        .iter()
        .map(|k| json!({ "instrumentIdentifier": k }))
        .collect();
    let mut sent = Vec::new();
    let out = run_node_over_answers(&node, parents, &Vars::default(), |inputs| {
        let ids = inputs.get("ids").cloned().unwrap_or(Value::Null);
        sent.push(ids.clone());
        // Answers in reverse order, and none for i3.
        let mut items: Vec<Value> = ids
            .as_array()
            .into_iter()
            .flatten()
            .filter(|id| *id != "i3")
            .map(|id| json!({ "identifier": id, "symbol": format!("S-{}", id.as_str().unwrap_or("")) }))
            .collect();
        items.reverse();
        answer(Value::Array(items))
    });
    assert_eq!(sent, vec![json!(["i1", "i2"]), json!(["i3"])]);
    let symbols: Vec<Option<String>> = out
        .values
        .iter()
        .map(|v| {
            v.as_ref()
                .ok()
                .and_then(|v| v["symbol"].as_str().map(str::to_string))
        })
        .collect();
    assert_eq!(
        symbols,
        vec![
            Some("S-i1".into()),
            Some("S-i2".into()),
            Some("S-i1".into()),
            None
        ]
    );
    let Err(missing) = &out.values[3] else {
        panic!("the key without an answer is not an error");
    };
    assert!(
        missing.detail.contains("no result for key `i3`"),
        "{missing:?}"
    );
    assert_eq!((out.node.keys, out.node.calls), (3, 2));
}
