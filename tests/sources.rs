//! Sources of every protocol through the whole core: gRPC described by server reflection
//! instead of files, and a downstream GraphQL service asked only for what the query needs.

use knot_demo::Service;
use knot_model::{check_bytes, Workspace};
use knot_tests::*;
use serde_json::json;

fn workspace(text: &str) -> Workspace {
    let report = check_bytes(text.as_bytes());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.workspace.unwrap()
}

#[tokio::test]
async fn grpc_source_described_by_server_reflection() {
    let demo = start_demo().await;
    let ws = workspace(
        r#"{
      "version": 1, "name": "reflected",
      "sources": {"products": {"kind": "grpc", "endpoint": "{{env.PRODUCTS_URL}}", "reflection": true,
        "operations": {"GetProduct": {"method": "knot.demo.products.v1.ProductService/GetProduct"}}}},
      "schema": {"types": {
        "Query": {"fields": {"product": {"type": "Product", "arguments": {"id": {"type": "ID!"}},
          "binding": {"source": "products", "operation": "GetProduct", "args": {"id": {"argument": "id"}}}}}},
        "Product": {"fields": {"id": {"type": "ID!"}, "name": {"type": "String"}, "stock": {"type": "Int"}}}}},
      "environments": {"local": {"variables": {"PRODUCTS_URL": "http://127.0.0.1:1"}}}
    }"#,
    );
    let engine = engine(ws, &demo);
    let outcome = engine
        .run(&request(
            r#"{ a: product(id: "3") { name stock } b: product(id: "4") { id } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response,
        json!({"data": {"a": {"name": "4K Monitor", "stock": 21}, "b": {"id": "4"}}})
    );
    // A product that does not exist: NOT_FOUND is the dependency refusing, not failing.
    let outcome = engine
        .run(&request(r#"{ product(id: "5000") { name } }"#, json!({})))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"],
        "DEPENDENCY_VALIDATION"
    );
    assert_eq!(
        outcome.trace.as_ref().unwrap().spans[0].status.as_deref(),
        Some("NOT_FOUND")
    );
}

#[tokio::test]
async fn graphql_source_gets_only_the_fields_the_query_needs() {
    let demo = start_demo().await;
    let ws = workspace(
        r#"{
      "version": 1, "name": "reviews",
      "sources": {
        "reviews": {"kind": "graphql", "url": "{{env.REVIEWS_URL}}/graphql", "operations": {
          "reviews": {"field": "reviews", "inputs": {"productId": "ID!"}},
          "reviewsForProducts": {"field": "reviewsForProducts", "inputs": {"productIds": "[ID!]!"}}}}
      },
      "schema": {"types": {
        "Query": {"fields": {
          "productReviews": {"type": "[Review!]!", "arguments": {"productId": {"type": "ID!"}},
            "binding": {"source": "reviews", "operation": "reviews", "args": {"productId": {"argument": "productId"}}}},
          "summaries": {"type": "[Summary!]!", "arguments": {"ids": {"type": "[ID!]!"}},
            "binding": {"source": "reviews", "operation": "reviewsForProducts", "args": {"productIds": {"argument": "ids"}}}}}},
        "Summary": {"fields": {"productId": {"type": "ID!"}, "reviews": {"type": "[Review!]!"}}},
        "Review": {"fields": {"id": {"type": "ID!"}, "stars": {"type": "Int", "from": "rating"}, "body": {"type": "String"}, "author": {"type": "String"}}}}},
      "environments": {"local": {"variables": {"REVIEWS_URL": "http://127.0.0.1:1"}}}
    }"#,
    );
    let engine = engine(ws, &demo);
    let outcome = engine
        .run(&request(
            r#"{ productReviews(productId: "2") { id stars } }"#,
            json!({}),
        ))
        .await;
    let reviews = outcome.response["data"]["productReviews"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(reviews.len(), 3, "{}", outcome.response);
    assert!(reviews
        .iter()
        .all(|r| r["stars"].is_i64() && r.as_object().unwrap().len() == 2));
    let sent = outcome.trace.as_ref().unwrap().spans[0]
        .request
        .body
        .clone()
        .unwrap();
    assert_eq!(
        sent["query"],
        "query Knot($productId: ID!) { reviews(productId: $productId) { id rating } }"
    );
    let outcome = engine
        .run(&request(
            r#"{ summaries(ids: ["1", "2"]) { productId reviews { author } } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(outcome.response["data"]["summaries"][1]["productId"], "2");
    assert_eq!(demo.control.request_count(Service::Reviews), 2);
}

#[tokio::test]
async fn unreachable_source_is_a_dependency_error_naming_nothing() {
    let demo = start_demo().await;
    let ws = example("shop");
    let mut vars = knot_execute::Vars::from_workspace(&ws, None).unwrap();
    for (k, v) in demo.env_vars() {
        vars.set(k, v);
    }
    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    vars.set("USERS_URL", format!("http://{closed}"));
    let engine = knot_execute::Engine::new(ws, vars, &repo_root().join("examples")).unwrap();
    let outcome = engine
        .run(&request(
            r#"{ getOrderDetails(id: "1") { id user { name } } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(outcome.response["data"]["getOrderDetails"]["id"], "1");
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"],
        "DEPENDENCY"
    );
    assert_public_errors_are_safe(&outcome, &["users", &closed.port().to_string()]);
}
