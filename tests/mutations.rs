//! Mutations in the orchestrated schema, against a REST service on loopback: top-level
//! mutation fields run one after another in document order (the next one's call starts after
//! the previous one's calls, nested ones included, have ended), a failed mutation still lets
//! the next one run, nested selections fan out like queries, and the plan shows the order.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// `POST /orders` takes 80 ms and answers a new order (500 for user `fail`);
/// `GET /users/{id}` takes 40 ms.
async fn orders_service() -> String {
    orders_service_recording().await.0
}

/// [`orders_service`], also recording every order body it is sent.
async fn orders_service_recording() -> (String, Arc<std::sync::Mutex<Vec<Value>>>) {
    let next = Arc::new(AtomicUsize::new(1));
    let bodies: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let record = bodies.clone();
    let app = axum::Router::new()
        .route(
            "/orders",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let next = next.clone();
                record.lock().expect("lock").push(body.clone());
                async move {
                    tokio::time::sleep(Duration::from_millis(80)).await;
                    if body["userId"] == "fail" {
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({"id": format!("o-{n}"), "userId": body["userId"], "note": body["note"]}))
                        .into_response()
                }
            }),
        )
        .route(
            "/users/{id}",
            axum::routing::get(|Path(id): Path<String>| async move {
                tokio::time::sleep(Duration::from_millis(40)).await;
                axum::Json(json!({"id": id, "name": format!("User {id}")}))
            }),
        );
    (knot_tests::serve_on_loopback(app).await, bodies)
}

fn runtime(url: &str) -> knot_runtime::Runtime {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "mutations",
        "sources": {"shop": {
            "kind": "rest",
            "baseUrl": url,
            "operations": {
                "placeOrder": {
                    "method": "POST", "path": "/orders",
                    "body": {"userId": "{userId}", "note": "{note}"},
                    "inputs": {"userId": "ID!", "note": "String"}
                },
                "placeOrderBody": {
                    "method": "POST", "path": "/orders", "body": "{order}",
                    "inputs": {"order": "JSON!"}
                },
                "getUser": {"method": "GET", "path": "/users/{id}", "inputs": {"id": "ID!"}}
            }
        }},
        "schema": {"types": {
            "Query": {"fields": {"user": {
                "type": "User", "arguments": {"id": {"type": "ID!"}},
                "binding": {"source": "shop", "operation": "getUser", "args": {"id": {"argument": "id"}}}
            }}},
            "Mutation": {"fields": {"placeOrderWith": {
                "type": "Order",
                "arguments": {"input": {"type": "PlaceOrderInput!"}},
                "binding": {"source": "shop", "operation": "placeOrderBody", "args": {"order": {"argument": "input"}}}
            }, "placeOrder": {
                "type": "Order",
                "description": "Places an order for a user.",
                "arguments": {"userId": {"type": "ID!"}, "note": {"type": "String"}},
                "binding": {"source": "shop", "operation": "placeOrder", "args": {
                    "userId": {"argument": "userId"}, "note": {"argument": "note"}
                }}
            }}},
            "Order": {"fields": {
                "id": {"type": "ID!"},
                "userId": {"type": "ID!", "private": true},
                "note": {"type": "String"},
                "user": {"type": "User", "binding": {"source": "shop", "operation": "getUser", "args": {"id": {"parent": "userId"}}}}
            }},
            "User": {"fields": {"id": {"type": "ID!"}, "name": {"type": "String"}}}
        },
        "inputs": {
            "PlaceOrderInput": {"description": "What to order, for whom.", "fields": {
                "userId": {"type": "ID!"},
                "note": {"type": "String", "default": "none"},
                "priority": {"type": "Priority", "default": "NORMAL"},
                "lines": {"type": "[LineInput!]"}
            }},
            "LineInput": {"fields": {"productId": {"type": "ID!"}, "quantity": {"type": "Int!", "default": 1}}}
        },
        "enums": {"Priority": {"values": {"NORMAL": {"from": "normal"}, "RUSH": {"from": "rush"}}}}
        }
    }))
    .expect("workspace");
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("loads")
}

const TWO: &str = r#"mutation {
  z: placeOrder(userId: "1", note: "first") { id note user { name } }
  a: placeOrder(userId: "2") { id user { name } }
}"#;

#[tokio::test]
async fn mutation_fields_run_one_after_another_in_document_order() {
    let runtime = runtime(&orders_service().await);
    let outcome = runtime.run(&knot_tests::request(TWO, json!({}))).await;
    assert_eq!(
        outcome.response,
        json!({"data": {
            "z": {"id": "o-1", "note": "first", "user": {"name": "User 1"}},
            "a": {"id": "o-2", "user": {"name": "User 2"}}
        }}),
        "{:#}",
        outcome.response
    );
    // Answers in document order: `z` before `a`.
    let text = outcome.response.to_string();
    assert!(text.find("\"z\"") < text.find("\"a\""), "{text}");
    let trace = outcome.trace.as_ref().expect("trace");
    let spans: Vec<&knot_runtime::Span> = trace.spans.iter().collect();
    let orders: Vec<_> = spans
        .iter()
        .filter(|s| s.operation == "placeOrder")
        .collect();
    let users: Vec<_> = spans.iter().filter(|s| s.operation == "getUser").collect();
    assert_eq!((orders.len(), users.len()), (2, 2), "{spans:#?}");
    let (first, second) = (orders[0], orders[1]);
    assert!(first.start_ms < second.start_ms);
    // The second mutation starts after the first one and its nested user call ended.
    let first_user = users
        .iter()
        .find(|u| u.start_ms < second.start_ms)
        .expect("the first order's user call");
    assert!(
        second.start_ms >= first.end_ms && second.start_ms >= first_user.end_ms,
        "the second mutation started at {} ms, before the first finished ({} ms, user {} ms)",
        second.start_ms,
        first.end_ms,
        first_user.end_ms
    );
}

#[tokio::test]
async fn a_failed_mutation_still_lets_the_next_one_run() {
    let runtime = runtime(&orders_service().await);
    let outcome = runtime
        .run(&knot_tests::request(
            r#"mutation { first: placeOrder(userId: "fail") { id } second: placeOrder(userId: "3") { id } }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert_eq!(response["data"]["first"], Value::Null, "{response:#}");
    assert_eq!(response["data"]["second"]["id"], "o-1", "{response:#}");
    assert_eq!(response["errors"][0]["path"], json!(["first"]));
    assert_eq!(
        response["errors"][0]["extensions"]["category"],
        "DEPENDENCY"
    );
}

#[tokio::test]
async fn the_plan_orders_mutation_fields_with_sequence_edges() {
    let runtime = runtime(&orders_service().await);
    let plan = runtime
        .plan(&knot_tests::request(TWO, json!({})))
        .expect("plans");
    let json = plan.to_json();
    let nodes = json["nodes"].as_array().expect("nodes");
    let id_of = |path: &[&str]| {
        nodes
            .iter()
            .find(|n| n["path"] == json!(path))
            .and_then(|n| n["id"].as_u64())
            .unwrap_or_else(|| panic!("no node at {path:?}: {json:#}"))
    };
    let (z, z_user, a) = (id_of(&["z"]), id_of(&["z", "user"]), id_of(&["a"]));
    let edges = json["edges"].as_array().expect("edges");
    let has = |from: u64, to: u64, kind: &str| {
        edges
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    assert!(
        has(z, a, "sequence") && has(z_user, a, "sequence"),
        "{json:#}"
    );
    // Four stages: z, then z.user, then a, then a.user.
    let stages = json["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 4, "{json:#}");
    // A query document on the same workspace has no sequence edge.
    let plan = runtime
        .plan(&knot_tests::request(
            r#"{ user(id: "1") { name } }"#,
            json!({}),
        ))
        .expect("plans");
    assert!(!plan.to_json().to_string().contains("sequence"));
}

#[tokio::test]
async fn a_mutation_on_a_workspace_without_a_mutation_type_is_refused_before_any_call() {
    let url = orders_service().await;
    let runtime = {
        let mut json: Value = serde_json::from_str(include_str!("../examples/trading.knot.json"))
            .expect("the trading example");
        json["sources"]["events"]["baseUrl"] = json!(url);
        let ws: knot_model::Workspace = serde_json::from_value(json).expect("workspace");
        let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
        knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("loads")
    };
    let outcome = runtime
        .run(&knot_tests::request(
            r#"mutation { events(date: "2024-05-01") { id } }"#,
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
        .is_some_and(|m| m.contains("no `Mutation` type")));
}

#[tokio::test]
async fn an_input_object_is_checked_defaulted_and_sent_as_one_json_value() {
    let (url, bodies) = orders_service_recording().await;
    let runtime = runtime(&url);
    let outcome = runtime
        .run(&knot_tests::request(
            r#"mutation($lines: [LineInput!]) {
                placeOrderWith(input: {userId: "7", priority: RUSH, lines: $lines}) { id note user { name } }
            }"#,
            json!({"lines": [{"productId": "p1"}, {"productId": "p2", "quantity": 3}]}),
        ))
        .await;
    assert_eq!(
        outcome.response,
        json!({"data": {"placeOrderWith": {"id": "o-1", "note": "none", "user": {"name": "User 7"}}}}),
        "{:#}",
        outcome.response
    );
    // Defaults filled in, the enum in the service's spelling, nested lists of input objects.
    assert_eq!(
        bodies.lock().expect("lock").as_slice(),
        [json!({
            "userId": "7", "note": "none", "priority": "rush",
            "lines": [{"productId": "p1", "quantity": 1}, {"productId": "p2", "quantity": 3}]
        })]
    );
    // A blank required ID inside the input, a field the input type does not have, a missing
    // required field: each refused before any call, naming where.
    for (input, expected) in [
        (
            r#"{userId: "  "}"#,
            "field `userId` must not be empty or blank",
        ),
        (r#"{userId: "1", colour: "red"}"#, "has no field `colour`"),
        (r#"{note: "x"}"#, "field `userId` is required"),
        (
            r#"{userId: "1", lines: [{productId: ""}]}"#,
            "field `lines`[0], field `productId` must not be empty",
        ),
    ] {
        let document = format!("mutation {{ placeOrderWith(input: {input}) {{ id }} }}");
        let outcome = runtime
            .run(&knot_tests::request(&document, json!({})))
            .await;
        let error = &outcome.response["errors"][0];
        assert_eq!(
            error["extensions"]["category"], "VALIDATION",
            "{document}: {error}"
        );
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains(expected)),
            "{document}: {error}"
        );
    }
    assert_eq!(
        bodies.lock().expect("lock").len(),
        1,
        "a refused input made a call"
    );
    // The public schema declares the input types.
    let sdl = runtime.public_sdl();
    assert!(
        sdl.contains("input PlaceOrderInput {") && sdl.contains("  priority: Priority = NORMAL"),
        "{sdl}"
    );
    assert!(
        sdl.contains("  placeOrderWith(input: PlaceOrderInput!): Order"),
        "{sdl}"
    );
}

/// Against the demo services: two placeOrder mutations of the shop example run one after
/// the other, each order's status is an enum value mapped from the service's `placed`, and
/// each order's buyer and products are stitched in (products in one batched call).
#[tokio::test]
async fn the_shop_examples_place_order_mutations_run_in_order_against_the_demo() {
    use knot_tests::*;
    let demo = start_demo().await;
    let runtime = runtime(example("shop"), &demo);
    let outcome = runtime
        .run(&request(
            r#"mutation {
                a: placeOrder(input: {userId: "1", productIds: ["1", "2"]}) { id status user { name } products { name } }
                b: placeOrder(input: {userId: "2", productIds: ["3"]}) { id status }
            }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    assert_eq!(response["data"]["a"]["status"], "PLACED", "{response:#}");
    assert_eq!(response["data"]["b"]["status"], "PLACED");
    assert_eq!(response["data"]["a"]["user"]["name"], "Ada Lovelace");
    assert_eq!(
        response["data"]["a"]["products"].as_array().map(Vec::len),
        Some(2)
    );
    let orders = spans_of(&outcome, "orders");
    assert_eq!(orders.len(), 2, "{orders:#?}");
    let products = spans_of(&outcome, "products");
    assert_eq!(
        products.len(),
        1,
        "one batched products call: {products:#?}"
    );
    assert_eq!(products[0].batch_size, 2);
    let last_of_a = spans_of(&outcome, "users")
        .iter()
        .chain(products.iter())
        .map(|s| s.end_ms)
        .fold(orders[0].end_ms, f64::max);
    assert!(
        orders[1].start_ms >= last_of_a,
        "b started at {} ms, before a and its nested calls ended ({last_of_a} ms)",
        orders[1].start_ms
    );
}

/// The saved PlaceOrder mutation is a REST composite endpoint of `knot serve`: POST with a
/// JSON body places the order and answers it stitched; GET is 405.
#[tokio::test]
async fn place_order_is_a_post_endpoint_of_the_gateway() {
    use knot_tests::*;
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |_| {});
    let gw = start_gateway(&path, &demo).await;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("http://{}/place-order", gw.addr))
        .json(&json!({"input": {"userId": "3", "productIds": ["4"]}}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["status"], "PLACED", "{body:#}");
    assert_eq!(body["user"]["name"], "Alan Turing", "{body:#}");
    assert_eq!(
        body["products"][0]["name"].as_str().map(str::is_empty),
        Some(false)
    );
    let r = client
        .get(format!("http://{}/place-order", gw.addr))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 405);
}
