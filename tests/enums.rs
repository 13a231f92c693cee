//! Enums in the orchestrated schema, against a REST service on loopback that records what it
//! is sent: arguments go out in the service's spelling, answers come back as the enum's
//! names, an unknown value from the service is a DEPENDENCY error at its exact path with the
//! fixed public message, and an unknown value from the client is refused before any call.

use axum::http::Uri;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// The orders service: records each query string, answers two orders, the second with a
/// side no enum value stands for.
async fn orders_service() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/orders",
        axum::routing::get(move |uri: Uri| {
            let record = record.clone();
            async move {
                record
                    .lock()
                    .expect("lock")
                    .push(uri.query().unwrap_or("").to_owned());
                axum::Json(json!([
                    {"id": "1", "side": "buy", "status": 2},
                    {"id": "2", "side": "short-secret-spelling", "status": 1}
                ]))
                .into_response()
            }
        }),
    );
    (knot_tests::serve_on_loopback(app).await, seen)
}

fn runtime(url: &str) -> knot_runtime::Runtime {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "enums",
        "sources": {"orders": {
            "kind": "rest",
            "baseUrl": url,
            "operations": {"listOrders": {
                "method": "GET", "path": "/orders", "query": {"side": "{side}"},
                "inputs": {"side": "String"}
            }}
        }},
        "schema": {
            "types": {
                "Query": {"fields": {"orders": {
                    "type": "[Order!]!",
                    "arguments": {"side": {"type": "Side", "default": "SELL"}},
                    "binding": {"source": "orders", "operation": "listOrders", "args": {"side": {"argument": "side"}}}
                }}},
                "Order": {"fields": {
                    "id": {"type": "ID!"},
                    "side": {"type": "Side"},
                    "status": {"type": "Status"}
                }}
            },
            "enums": {
                "Side": {"values": {"BUY": {"from": "buy"}, "SELL": {"from": "sell"}}},
                "Status": {"values": {"OPEN": {"from": "1"}, "FILLED": {"from": "2", "deprecated": "use OPEN"}}}
            }
        }
    }))
    .expect("workspace");
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("loads")
}

#[tokio::test]
async fn enum_values_are_mapped_both_ways_and_unknown_ones_are_errors_at_their_path() {
    let (url, seen) = orders_service().await;
    let runtime = runtime(&url);
    let outcome = runtime
        .run(&knot_tests::request(
            "{ orders(side: BUY) { id side status } }",
            json!({}),
        ))
        .await;
    // Sent in the service's spelling.
    assert_eq!(seen.lock().expect("lock").as_slice(), ["side=buy"]);
    let response = &outcome.response;
    assert_eq!(
        response["data"],
        json!({"orders": [
            {"id": "1", "side": "BUY", "status": "FILLED"},
            {"id": "2", "side": null, "status": "OPEN"}
        ]}),
        "{response:#}"
    );
    let errors = response["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{response:#}");
    assert_eq!(errors[0]["path"], json!(["orders", 1, "side"]));
    assert_eq!(errors[0]["extensions"]["category"], "DEPENDENCY");
    assert!(
        !response.to_string().contains("short-secret-spelling"),
        "{response:#}"
    );
    // The trace keeps the detail, naming the enum but not quoting the value.
    let trace = outcome.trace.as_ref().expect("trace");
    assert!(
        trace.errors[0].detail.contains("enum Side"),
        "{:?}",
        trace.errors
    );
}

#[tokio::test]
async fn an_unknown_enum_value_from_the_client_is_refused_before_any_call() {
    let (url, seen) = orders_service().await;
    let runtime = runtime(&url);
    let document = "query($s: Side!) { orders(side: $s) { id } }";
    let outcome = runtime
        .run(&knot_tests::request(document, json!({"s": "HOLD"})))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"], "VALIDATION",
        "{:#}",
        outcome.response
    );
    assert!(outcome.response["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("enum `Side`")));
    // A literal that is no value of the enum, likewise.
    let outcome = runtime
        .run(&knot_tests::request(
            "{ orders(side: HOLD) { id } }",
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"],
        "VALIDATION"
    );
    // An enum value in quotes is a string, not an enum value (GraphQL writes them bare).
    let outcome = runtime
        .run(&knot_tests::request(
            r#"{ orders(side: "BUY") { id } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"], "VALIDATION",
        "{:#}",
        outcome.response
    );
    assert!(outcome.response["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("without quotes")));
    assert!(seen.lock().expect("lock").is_empty(), "a call was made");
    // A known value by variable, and the argument's default, go out in the service's spelling.
    let outcome = runtime
        .run(&knot_tests::request(document, json!({"s": "SELL"})))
        .await;
    assert!(outcome.response["data"]["orders"].is_array());
    let outcome = runtime
        .run(&knot_tests::request("{ orders { id } }", json!({})))
        .await;
    assert!(outcome.response["data"]["orders"].is_array());
    assert_eq!(
        seen.lock().expect("lock").as_slice(),
        ["side=sell", "side=sell"]
    );
}

#[test]
fn the_public_schema_shows_enums_with_deprecation_and_enum_defaults() {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1, "name": "sdl", "sources": {},
        "schema": {
            "types": {"Query": {"fields": {"x": {
                "type": "Side", "deprecated": "gone soon",
                "arguments": {"side": {"type": "Side", "default": "SELL"}}
            }}}},
            "enums": {"Side": {"description": "Buy or sell.", "values": {
                "BUY": {"from": "buy"}, "SELL": {"description": "Sell it.", "deprecated": "say \"SHORT\""}
            }}}
        }
    }))
    .expect("workspace");
    let sdl = knot_model::public_sdl(&ws);
    assert!(
        sdl.contains("  x(side: Side = SELL): Side @deprecated(reason: \"gone soon\")"),
        "{sdl}"
    );
    assert!(sdl.contains("\"Buy or sell.\"\nenum Side {\n  BUY\n  \"Sell it.\"\n  SELL @deprecated(reason: \"say \\\"SHORT\\\"\")\n}"), "{sdl}");
    // The SDL parses as GraphQL.
    async_graphql_parser::parse_schema(&sdl).expect("the SDL parses");
    // No downstream spelling leaks into the public schema.
    assert!(!sdl.contains("buy"), "{sdl}");
}

/// Enums and input objects in a checked workspace: mistakes are reported with their JSON
/// path.
#[test]
fn knot_check_reports_enum_mistakes_at_their_path() {
    let text = serde_json::to_vec(&json!({
        "version": 1, "name": "bad", "sources": {},
        "schema": {
            "types": {"Query": {"fields": {"x": {"type": "Colour", "arguments": {"c": {"type": "Shade"}}}}}},
            "enums": {
                "Colour": {"values": {"RED": {"from": "r"}, "ROUGE": {"from": "r"}, "true": {}}},
                "Empty": {"values": {}}
            },
            "inputs": {
                "Filter": {"fields": {"colour": {"type": "Colour"}, "owner": {"type": "Query"}}},
                "Colour": {"fields": {"x": {"type": "Int"}}}
            }
        }
    }))
    .expect("json");
    let report = knot_model::check_bytes(&text);
    let at = |path: &str| {
        report
            .problems
            .iter()
            .find(|p| p.path.to_string() == path)
            .map(|p| p.message.clone())
            .unwrap_or_else(|| panic!("no problem at {path}: {:#?}", report.problems))
    };
    assert!(at("$.schema.enums.Colour.values.ROUGE.from").contains("`r`"));
    assert!(at("$.schema.enums.Colour.values.true").contains("not a valid enum value"));
    assert!(at("$.schema.enums.Empty.values").contains("at least one value"));
    assert!(at("$.schema.types.Query.fields.x.arguments.c.type").contains("Shade"));
    // Input objects: fields of input types only, one name per type.
    assert!(at("$.schema.inputs.Filter.fields.owner.type").contains("`Query`"));
    assert!(at("$.schema.inputs.Colour").contains("already the name"));
    let _ = Value::Null;
}
