//! The shop example (first founding document): Orders (REST), then Users (REST) and
//! Products (gRPC, batched) in parallel, against the real demo services.

use knot_demo::{Faults, Service};
use knot_model::{MatchBy, Source};
use knot_tests::*;
use serde_json::json;

const SHOP_QUERY: &str =
    r#"{ getOrderDetails(id: "1") { user { name } products { name price } } }"#;

#[tokio::test]
async fn stitches_order_user_and_products_with_users_and_products_in_parallel() {
    let demo = start_demo().await;
    // A little latency makes the overlap of the two parallel calls unmistakable.
    for s in [Service::Orders, Service::Users, Service::Products] {
        demo.control.set_faults(
            s,
            Faults {
                latency_ms: 25,
                ..Faults::default()
            },
        );
    }
    let engine = engine(example("shop"), &demo);
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;

    assert_eq!(
        outcome.response,
        json!({"data": {"getOrderDetails": {
            "user": {"name": "Ada Lovelace"},
            "products": [
                {"name": "Mechanical Keyboard", "price": 46.99},
                {"name": "Ergonomic Mouse", "price": 83.99},
                {"name": "4K Monitor", "price": 120.99}
            ]
        }}})
    );
    let orders = spans_of(&outcome, "orders");
    let users = spans_of(&outcome, "users");
    let products = spans_of(&outcome, "products");
    assert_eq!((orders.len(), users.len(), products.len()), (1, 1, 1));
    assert!(
        users[0].start_ms >= orders[0].end_ms && products[0].start_ms >= orders[0].end_ms,
        "users and products wait for the order"
    );
    assert!(
        overlap(users[0], products[0]),
        "users {:?} and products {:?} must overlap",
        (users[0].start_ms, users[0].end_ms),
        (products[0].start_ms, products[0].end_ms)
    );
    assert_eq!(products[0].batch_size, 3);
    assert_eq!(
        demo.control.requests(Service::Products)[0].keys,
        vec!["1", "2", "3"]
    );
    // The trace carries the plan it ran: three fetch nodes in two stages.
    let trace = outcome.trace.as_ref().unwrap();
    assert_eq!(trace.plan["stages"], json!([[0], [1, 2]]));
    assert!(trace
        .spans
        .iter()
        .all(|s| s.category.is_none() && s.end_ms >= s.start_ms));
}

#[tokio::test]
async fn asking_only_for_the_user_makes_no_products_call() {
    let demo = start_demo().await;
    let engine = engine(example("shop"), &demo);
    let outcome = engine
        .run(&request(
            r#"{ getOrderDetails(id: "1") { user { name } } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response,
        json!({"data": {"getOrderDetails": {"user": {"name": "Ada Lovelace"}}}})
    );
    assert!(spans_of(&outcome, "products").is_empty());
    assert_eq!(demo.control.request_count(Service::Products), 0);
    assert_eq!(demo.control.request_count(Service::Users), 1);
}

#[tokio::test]
async fn blank_id_is_refused_before_any_call() {
    let demo = start_demo().await;
    let engine = engine(example("shop"), &demo);
    for doc in [
        r#"{ getOrderDetails(id: "  ") { user { name } } }"#,
        r#"{ getOrderDetails(id: "") { user { name } } }"#,
    ] {
        let outcome = engine.run(&request(doc, json!({}))).await;
        let errs = errors(&outcome);
        assert_eq!(errs.len(), 1, "{}", outcome.response);
        assert_eq!(errs[0]["extensions"]["category"], "VALIDATION");
        assert!(outcome.response.get("data").is_none());
    }
    // Through a variable as well, and a missing required variable.
    let outcome = engine
        .run(&request(
            "query($id: ID!) { getOrderDetails(id: $id) { user { name } } }",
            json!({"id": "\t"}),
        ))
        .await;
    assert_eq!(errors(&outcome)[0]["extensions"]["category"], "VALIDATION");
    let outcome = engine
        .run(&request(
            "query($id: ID!) { getOrderDetails(id: $id) { user { name } } }",
            json!({}),
        ))
        .await;
    assert_eq!(errors(&outcome)[0]["extensions"]["category"], "VALIDATION");
    for s in knot_demo::Service::ALL {
        assert_eq!(demo.control.request_count(s), 0, "{s} was called");
    }
}

#[tokio::test]
async fn failing_products_batch_gives_partial_data_and_safe_errors() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Products,
        Faults {
            fail_ids: vec!["2".into()],
            ..Faults::default()
        },
    );
    let engine = engine(example("shop"), &demo);
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;
    // The user still arrives; each product of the failed batch is null with its own error.
    assert_eq!(
        outcome.response["data"]["getOrderDetails"]["user"],
        json!({"name": "Ada Lovelace"})
    );
    assert_eq!(
        outcome.response["data"]["getOrderDetails"]["products"],
        json!([null, null, null])
    );
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 3);
    for (i, e) in errs.iter().enumerate() {
        assert_eq!(e["path"], json!(["getOrderDetails", "products", i]));
        assert_eq!(e["extensions"]["category"], "DEPENDENCY");
    }
    assert_public_errors_are_safe(&outcome, &["products", "GetProducts", "INTERNAL", "grpc"]);
    // The explorer sees the detail.
    let trace = outcome.trace.as_ref().unwrap();
    assert_eq!(trace.errors.len(), 3);
    assert!(
        trace.errors[0].detail.contains("GetProducts"),
        "{}",
        trace.errors[0].detail
    );
    assert_eq!(
        spans_of(&outcome, "products")[0].status.as_deref(),
        Some("INTERNAL")
    );
}

/// The same composition with a per-key binding: one product failing with 500-like INTERNAL
/// leaves the other two in place.
#[tokio::test]
async fn one_failing_product_of_per_key_calls_nulls_only_its_own_slot() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Products,
        Faults {
            fail_ids: vec!["2".into()],
            ..Faults::default()
        },
    );
    let mut ws = example("shop");
    let products = ws
        .schema
        .types
        .get_mut("Order")
        .unwrap()
        .fields
        .get_mut("products")
        .unwrap();
    let binding = products.binding.as_mut().unwrap();
    binding.operation = "GetProduct".into();
    binding.key.as_mut().unwrap().input = "id".into();
    binding.batch = None;
    binding.result = None;
    let engine = engine(ws, &demo);
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;
    let products = &outcome.response["data"]["getOrderDetails"]["products"];
    assert_eq!(products[0]["name"], "Mechanical Keyboard");
    assert!(products[1].is_null());
    assert_eq!(products[2]["name"], "4K Monitor");
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["path"], json!(["getOrderDetails", "products", 1]));
    assert_eq!(errs[0]["extensions"]["category"], "DEPENDENCY");
    // Three per-key calls, one per product, all in flight together.
    let spans = spans_of(&outcome, "products");
    assert_eq!(spans.len(), 3);
    assert!(spans.iter().all(|s| s.batch_size == 1));
    assert_public_errors_are_safe(&outcome, &["products", "GetProduct", "INTERNAL"]);
}

#[tokio::test]
async fn slow_user_call_times_out_within_its_timeout() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Users,
        Faults {
            slow_ids: vec!["1".into()],
            hang_ms: 10_000,
            ..Faults::default()
        },
    );
    let mut ws = example("shop");
    if let Some(Source::Rest(users)) = ws.sources.get_mut("users") {
        users.timeout_ms = Some(300);
    }
    let engine = engine(ws, &demo);
    let started = std::time::Instant::now();
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "the run waited for the hanging call: {elapsed:?}"
    );
    assert!(outcome.response["data"]["getOrderDetails"]["user"].is_null());
    assert_eq!(
        outcome.response["data"]["getOrderDetails"]["products"][0]["name"],
        "Mechanical Keyboard"
    );
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["path"], json!(["getOrderDetails", "user"]));
    assert_eq!(errs[0]["extensions"]["category"], "TIMEOUT");
    let span = spans_of(&outcome, "users")[0];
    assert!(
        span.end_ms - span.start_ms >= 299.0,
        "timed out too early: {span:?}"
    );
    assert_public_errors_are_safe(&outcome, &["users", "getUser"]);
}

#[tokio::test]
async fn a_missing_batch_result_is_an_error_never_a_shift() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Products,
        Faults {
            wrong_batch_count: true,
            ..Faults::default()
        },
    );
    // Matched by id: the two results that came back land on their own keys.
    let engine_by_id = engine(example("shop"), &demo);
    let outcome = engine_by_id
        .run(&request(
            r#"{ getOrderDetails(id: "1") { products { id name } } }"#,
            json!({}),
        ))
        .await;
    let products = &outcome.response["data"]["getOrderDetails"]["products"];
    assert_eq!(
        products[0],
        json!({"id": "1", "name": "Mechanical Keyboard"})
    );
    assert_eq!(products[1], json!({"id": "2", "name": "Ergonomic Mouse"}));
    assert!(products[2].is_null());
    assert_eq!(
        errors(&outcome)[0]["path"],
        json!(["getOrderDetails", "products", 2])
    );
    // Matched by order: a short answer fails every key of the call.
    let mut ws = example("shop");
    let b = ws
        .schema
        .types
        .get_mut("Order")
        .unwrap()
        .fields
        .get_mut("products")
        .unwrap()
        .binding
        .as_mut()
        .unwrap();
    b.batch.as_mut().unwrap().match_by = MatchBy::Order;
    let engine_by_order = engine(ws, &demo);
    let outcome = engine_by_order
        .run(&request(
            r#"{ getOrderDetails(id: "1") { products { id name } } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response["data"]["getOrderDetails"]["products"],
        json!([null, null, null])
    );
    assert_eq!(errors(&outcome).len(), 3);
    let detail = &outcome.trace.as_ref().unwrap().errors[0].detail;
    assert!(detail.contains("sent 3 keys, got 2 results"), "{detail}");
}

#[tokio::test]
async fn malformed_and_rejected_answers_map_to_their_categories() {
    let demo = start_demo().await;
    let engine = engine(example("shop"), &demo);
    demo.control.set_faults(
        Service::Users,
        Faults {
            malformed: true,
            ..Faults::default()
        },
    );
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;
    assert_eq!(errors(&outcome)[0]["extensions"]["category"], "DEPENDENCY");
    demo.control.set_faults(
        Service::Users,
        Faults {
            reject_ids: vec!["1".into()],
            ..Faults::default()
        },
    );
    let outcome = engine.run(&request(SHOP_QUERY, json!({}))).await;
    assert_eq!(
        errors(&outcome)[0]["extensions"]["category"],
        "DEPENDENCY_VALIDATION"
    );
    // An order that does not exist: the root field is null with a dependency-validation error.
    demo.control.reset();
    let outcome = engine
        .run(&request(
            r#"{ getOrderDetails(id: "999999") { user { name } } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(outcome.response["data"]["getOrderDetails"], json!(null));
    assert_eq!(
        errors(&outcome)[0]["extensions"]["category"],
        "DEPENDENCY_VALIDATION"
    );
    assert_eq!(
        demo.control.request_count(Service::Users),
        0,
        "no user lookup without an order"
    );
}

#[tokio::test]
async fn aliases_fragments_typename_and_skip_shape_the_answer() {
    let demo = start_demo().await;
    let engine = engine(example("shop"), &demo);
    let doc = r#"
        query Q($withEmail: Boolean!) {
          first: getOrderDetails(id: "1") { ...O }
          second: getOrderDetails(id: 2) { orderId: id buyer: user { __typename name } }
        }
        fragment O on Order { id user { name email @include(if: $withEmail) } products @skip(if: true) { id } }
    "#;
    let outcome = engine.run(&request(doc, json!({"withEmail": false}))).await;
    assert_eq!(
        outcome.response,
        json!({"data": {
            "first": {"id": "1", "user": {"name": "Ada Lovelace"}},
            "second": {"orderId": "2", "buyer": {"__typename": "User", "name": "Grace Hopper"}}
        }})
    );
    assert!(spans_of(&outcome, "products").is_empty());
    assert_eq!(spans_of(&outcome, "orders").len(), 2);
}

#[tokio::test]
async fn invalid_documents_name_the_problem_and_call_nothing() {
    let demo = start_demo().await;
    let engine = engine(example("shop"), &demo);
    let cases = [
        (
            "{ getOrderDetails(id: \"1\") { userId } }",
            "no field `userId`",
        ),
        (
            "{ getOrderDetails(id: \"1\") { user } }",
            "select its fields",
        ),
        ("{ getOrderDetails { id } }", "required"),
        (
            "{ getOrderDetails(id: \"1\", extra: 1) { id } }",
            "no argument `extra`",
        ),
        (
            "{ getOrderDetails(id: \"1\") { id { x } } }",
            "no fields to select",
        ),
        ("{ getOrderDetails(id: \"1\") { id ", "syntax error"),
        (
            "mutation { getOrderDetails(id: \"1\") { id } }",
            "`Mutation` has no field `getOrderDetails`",
        ),
    ];
    for (doc, expected) in cases {
        let outcome = engine.run(&request(doc, json!({}))).await;
        let errs = errors(&outcome);
        assert!(!errs.is_empty(), "{doc}");
        let msg = errs[0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(expected), "{doc}: {msg}");
        assert_eq!(errs[0]["extensions"]["category"], "VALIDATION");
    }
    for s in knot_demo::Service::ALL {
        assert_eq!(demo.control.request_count(s), 0);
    }
}

#[tokio::test]
async fn dropping_a_run_cancels_its_calls() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Users,
        Faults {
            slow_ids: vec!["1".into()],
            hang_ms: 10_000,
            ..Faults::default()
        },
    );
    let engine = engine(example("shop"), &demo);
    let req = request(SHOP_QUERY, json!({}));
    let run = engine.run(&req);
    // The client goes away after 300 ms: the run future is dropped mid-flight.
    let r = tokio::time::timeout(std::time::Duration::from_millis(300), run).await;
    assert!(
        r.is_err(),
        "the run should still be waiting on the hanging call"
    );
    // The connection to the users service was dropped, not left hanging: a new run works at once.
    demo.control.reset();
    let outcome = engine.run(&req).await;
    assert_eq!(
        outcome.response["data"]["getOrderDetails"]["user"]["name"],
        "Ada Lovelace"
    );
}
