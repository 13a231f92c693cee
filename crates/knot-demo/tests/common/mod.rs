//! Helpers shared by the integration tests: start a demo on ephemeral ports
//! and talk to it with reqwest (one client per test thread) or tonic.
#![allow(dead_code)]

use knot_demo::pb::product_service_client::ProductServiceClient;
use knot_demo::{Demo, DemoConfig, DemoPorts, Faults, Service};
use serde_json::{json, Value};

pub async fn start() -> Demo {
    start_with(Faults::default()).await
}

pub async fn start_with(faults: Faults) -> Demo {
    let config = DemoConfig {
        ports: DemoPorts::ephemeral(),
        faults,
        ..DemoConfig::default()
    };
    match Demo::start(config).await {
        Ok(demo) => demo,
        Err(err) => panic!("demo did not start: {err}"),
    }
}

thread_local! {
    // Each #[tokio::test] runs on its own thread and runtime: one client each,
    // so building it (TLS setup) happens once per test, not once per request.
    static CLIENT: reqwest::Client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client");
}

pub fn client() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

pub async fn get(demo: &Demo, service: Service, path: &str) -> (u16, String) {
    let response = client()
        .get(format!("{}{path}", demo.url(service)))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

pub async fn get_json(demo: &Demo, service: Service, path: &str) -> (u16, Value) {
    let (status, body) = get(demo, service, path).await;
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{body}: {e}"));
    (status, value)
}

pub async fn post_json(demo: &Demo, service: Service, path: &str, body: &str) -> (u16, String) {
    let response = client()
        .post(format!("{}{path}", demo.url(service)))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

pub async fn grpc(demo: &Demo) -> ProductServiceClient<tonic::transport::Channel> {
    ProductServiceClient::connect(demo.url(Service::Products))
        .await
        .expect("grpc connect")
}

pub async fn graphql(demo: &Demo, query: &str, variables: Value) -> (u16, String) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    post_json(demo, Service::Reviews, "/graphql", &body).await
}

pub fn ids(value: &Value, field: &str) -> Vec<String> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|item| item[field].as_str().expect("string field").to_owned())
        .collect()
}
