//! The federation planner front end: a document with variables against the benchmark
//! supergraph (`federation/bench-peers/supergraph.graphql`: accounts, inventory, products,
//! reviews) is parsed, validated, normalized and planned by `Supergraph::prepare`, then
//! admitted by the gateway (size limits, variables coerced, blank inputs refused, fetch
//! graph for the variables) and lowered into a `knot_plan::Plan`. Nothing is called.
//!
//! Input: `document \0 variables-json \0 operation-name`, the last two optional.
#![no_main]

use knot_federation::{Gateway, GatewayOptions, GatewayRequest, Limits, Supergraph};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

fn gateway() -> &'static Gateway {
    static GATEWAY: OnceLock<Gateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let sdl = include_str!("../../federation/bench-peers/supergraph.graphql");
        let supergraph = match Supergraph::parse(sdl) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("the benchmark supergraph does not parse: {e}"),
        };
        match Gateway::new(supergraph, GatewayOptions::default()) {
            Ok(g) => g.with_limits(Limits {
                max_depth: 15,
                max_aliases: 30,
                max_fields: 500,
            }),
            Err(e) => panic!("no gateway: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let Ok(query) = std::str::from_utf8(parts.next().unwrap_or_default()) else {
        return;
    };
    let variables = match parts.next().map(serde_json::from_slice::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(map))) => map,
        Some(_) => return,
    };
    let operation_name = parts
        .next()
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::to_owned);
    let gateway = gateway();
    // Straight to the planner (no size limits), then the gateway's own admission.
    let _ = gateway
        .supergraph()
        .prepare(query, operation_name.as_deref());
    let request = GatewayRequest {
        query: query.to_owned(),
        operation_name: operation_name.clone(),
        variables,
        headers: Vec::new(),
    };
    if let Ok((_, graph)) = gateway.plan(&request) {
        let _ = graph.to_plan(operation_name).to_json();
    }
});
