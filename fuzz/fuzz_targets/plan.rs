//! The GraphQL request path of a workspace: parse, select the operation, coerce the
//! variables, validate and plan, against the shop and trading examples, with the gateway's
//! default limits and with none; a plan is then rendered (JSON, DOT, Mermaid, stages).
//!
//! Input: `document \0 variables-json \0 operation-name`, the last two optional.
#![no_main]

use knot_model::Workspace;
use knot_plan::Limits;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::OnceLock;

fn load(bytes: &[u8]) -> Workspace {
    match knot_model::check_bytes(bytes).workspace {
        Some(ws) => ws,
        None => panic!("an example workspace does not load"),
    }
}

fn workspaces() -> &'static [Workspace] {
    static WS: OnceLock<Vec<Workspace>> = OnceLock::new();
    WS.get_or_init(|| {
        vec![
            load(include_bytes!("../../examples/shop.knot.json")),
            load(include_bytes!("../../examples/trading.knot.json")),
        ]
    })
}

/// `gateway.maxDepth`, `maxAliases` and `maxFields` by default.
const GATEWAY: Limits = Limits {
    max_depth: 15,
    max_aliases: 30,
    max_fields: 500,
};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let Ok(document) = std::str::from_utf8(parts.next().unwrap_or_default()) else {
        return;
    };
    let variables = match parts.next().map(serde_json::from_slice::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(map))) => map,
        Some(_) => return,
    };
    let operation = parts.next().and_then(|b| std::str::from_utf8(b).ok());
    for ws in workspaces() {
        for limits in [GATEWAY, Limits::default()] {
            match knot_plan::plan_with_limits(ws, document, operation, &variables, limits) {
                Ok(plan) => {
                    let _ = plan.to_json();
                    let _ = plan.to_dot();
                    let _ = plan.to_mermaid();
                    for id in 0..plan.graph.node_count() {
                        let _ = plan.dependencies(id);
                    }
                }
                Err(errors) => {
                    assert!(!errors.is_empty(), "a refused document has no error");
                }
            }
        }
    }
    let _ = knot_plan::sole_operation_name(document);
});
