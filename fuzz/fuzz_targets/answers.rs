//! Downstream answers: how a bound node's calls are built from its parents (keys
//! deduplicated, grouped, batches chunked by `maxBatchSize`) and how the answers are read
//! (a REST body, `rest::read_answer`, or a GraphQL response, `graphql::interpret`) and
//! matched back to the keys, by field or by position, with
//! `knot_execute::run::run_node_over_answers` (the code of every run, without a network).
//!
//! The nodes are those of real plans of the shop and trading examples.
//! Input: four bytes (node, match override, `maxBatchSize` override, status and reader),
//! then `parents-json \0 match-field \0 body \0 body ...`: call i is answered with body i
//! (a transport error when there are fewer bodies than calls).
//!
//! Checked: one value per parent; no batch call carries more keys than its limit; a value
//! matched by field is the answer whose field equals the parent's key (never a shift).
//! And every segment read as the federation executor's data tree (`knot_execute::tree::Node`,
//! what subgraph answers are parsed into) gives what `serde_json::Value` gives: the same
//! success or failure, the same value in the same field order, and the same text written back.
#![no_main]

use knot_connect::{graphql, rest, CallError, CallResult, RequestSummary};
use knot_model::MatchBy;
use knot_plan::{FetchMode, FetchNode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::OnceLock;
use std::time::Instant;

fn nodes() -> &'static [FetchNode] {
    static NODES: OnceLock<Vec<FetchNode>> = OnceLock::new();
    NODES.get_or_init(|| {
        let plans = [
            (
                &include_bytes!("../../examples/trading.knot.json")[..],
                r#"{ events(date: "2024-01-02") { id instrument { symbol } order { side } } }"#,
            ),
            (
                &include_bytes!("../../examples/shop.knot.json")[..],
                r#"{ getOrderDetails(id: "1") { id user { name } products { name } } }"#,
            ),
        ];
        let mut nodes = Vec::new();
        for (bytes, document) in plans {
            let Some(ws) = knot_model::check_bytes(bytes).workspace else {
                panic!("an example workspace does not load");
            };
            match knot_plan::plan(&ws, document, None, &Map::new()) {
                Ok(plan) => nodes.extend(plan.graph.node_weights().cloned()),
                Err(e) => panic!("an example document does not plan: {e:?}"),
            }
        }
        nodes
    })
}

const STATUSES: [u16; 8] = [200, 200, 200, 204, 400, 404, 500, 502];

fn key_id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn get_path<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, k| cur.as_object()?.get(k))
}

/// The data tree against `serde_json` on the same bytes.
fn check_tree(bytes: &[u8]) {
    use knot_execute::tree::Node;
    let value = serde_json::from_slice::<Value>(bytes);
    let node = serde_json::from_slice::<Node>(bytes);
    match (value, node) {
        (Ok(value), Ok(node)) => {
            let written = serde_json::to_string(&node).expect("a tree is written");
            assert_eq!(written, value.to_string(), "the tree writes other JSON");
            assert_eq!(node.into_value(), value, "the tree reads another value");
        }
        (Err(_), Err(_)) => {}
        (value, node) => panic!(
            "serde_json and the tree disagree: {:?} vs {:?}",
            value.map(|_| ()),
            node.map(|_| ())
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, matching, batch, reading, rest @ ..] = data else {
        return;
    };
    for segment in rest.split(|b| *b == 0) {
        check_tree(segment);
    }
    let nodes = nodes();
    let mut node = nodes[*which as usize % nodes.len()].clone();
    let mut segments = rest.split(|b| *b == 0);
    let parents = match segments.next().map(serde_json::from_slice::<Value>) {
        Some(Ok(Value::Array(items))) => items,
        Some(Ok(one)) => vec![one],
        _ => return,
    };
    let field = segments
        .next()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default();
    match matching % 4 {
        1 => node.match_by = Some(MatchBy::Order),
        2 => node.match_by = Some(MatchBy::Field(field.to_owned())),
        3 => node.match_by = None,
        _ => {}
    }
    if *batch != 0 {
        node.max_batch_size = Some(usize::from(*batch % 8));
    }
    let bodies: Vec<&[u8]> = segments.collect();
    let status = STATUSES[usize::from(reading % 8)];
    let as_graphql = reading & 0x80 != 0;
    let limit = node.max_batch_size.unwrap_or(usize::MAX).max(1);
    let key_input = node.key.as_ref().map(|k| k.input.clone());
    let mut calls = 0;
    let count = parents.len();
    let out = knot_execute::run::run_node_over_answers(
        &node,
        parents.clone(),
        &knot_connect::Vars::default(),
        |inputs| {
            if node.mode == FetchMode::Batch {
                if let Some(Value::Array(keys)) = key_input.as_ref().and_then(|k| inputs.get(k)) {
                    assert!(
                        keys.len() <= limit,
                        "a batch call carries {} keys",
                        keys.len()
                    );
                }
            }
            let outcome = match bodies.get(calls) {
                None => Err(CallError::Transport("no answer".into())),
                Some(body) if as_graphql => graphql::interpret(status, body, &node.operation),
                Some(body) => rest::read_answer(status, body),
            };
            calls += 1;
            let now = Instant::now();
            CallResult {
                outcome,
                request: RequestSummary::default(),
                status: Some(status.to_string()),
                bytes: 0,
                started: now,
                ended: now,
                response_preview: None,
                shared: false,
                raw_headers: Default::default(),
                response_headers: Vec::new(),
            }
        },
    );
    assert_eq!(out.values.len(), count, "not one value per parent");
    assert_eq!(out.node.calls, calls, "calls counted wrong");
    assert_eq!(out.spans.len(), calls, "not one span per call");
    // Matching by field never gives a parent another key's answer.
    let (Some(MatchBy::Field(f)), FetchMode::Batch, Some(key)) =
        (&node.match_by, &node.mode, &node.key)
    else {
        return;
    };
    let fpath: Vec<String> = f.split('.').map(str::to_string).collect();
    for (parent, value) in parents.iter().zip(&out.values) {
        let (Some(k), Ok(v)) = (get_path(parent, &key.parent), value) else {
            continue;
        };
        let pairs: Vec<(&Value, &Value)> = match (k, v) {
            (Value::Array(ks), Value::Array(vs)) => ks.iter().zip(vs).collect(),
            (Value::Array(_), _) => continue,
            _ => vec![(k, v)],
        };
        for (k, v) in pairs {
            if k.is_null() || v.is_null() {
                continue;
            }
            let got = get_path(v, &fpath).map(key_id);
            assert_eq!(got, Some(key_id(k)), "an answer matched to another key");
        }
    }
});
