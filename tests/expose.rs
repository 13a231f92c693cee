//! The gateway describes itself to callers that do not speak GraphQL: `/openapi.json` is a
//! valid OpenAPI 3.1 document of the REST composite endpoints, Knot's own OpenAPI importer
//! pointed at it makes calls that answer what the endpoints answer, and it follows the file
//! on hot reload.

use knot_model::{HttpMethod, RestEndpoint, SavedOperation, Workspace};
use knot_tests::*;
use serde_json::{json, Map, Value};
use std::time::Duration;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn fetch(base: &str, path: &str) -> (u16, String) {
    let r = client()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("answer");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// Validates an OpenAPI document with the `openapi-spec-validator` of PyPI (`make setup`
/// installs it). Returns false, saying why, only where there is no Python at all.
fn validate_openapi(text: &str, what: &str) -> bool {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED the OpenAPI 3.1 schema validation of {what}: no python3 on this machine (make setup installs openapi-spec-validator)");
        return false;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, text).expect("write document");
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3 runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !said.contains("No module named"),
        "openapi-spec-validator is not installed for python3: run `make setup` ({said})"
    );
    assert!(
        out.status.success(),
        "{what} is not a valid OpenAPI 3.1 document:\n{said}"
    );
    true
}

/// A workspace of one REST source: what Knot's OpenAPI importer made of `document`, its
/// base URL the gateway's.
fn imported(document: &str, base: &str) -> knot_runtime::Runtime {
    let source = knot_connect::openapi::import_openapi(document, "/openapi.json", Some(base))
        .expect("the gateway's document imports");
    let mut ws: Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "client",
        "sources": {},
        "schema": {"types": {}},
    }))
    .expect("workspace");
    ws.sources
        .insert("gateway".into(), knot_model::Source::Rest(source));
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("runtime")
}

fn inputs(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// For each example's REST endpoint: the operation the importer names after it, the inputs
/// to call it with, and the request that calls the endpoint directly.
fn calls(name: &str) -> Vec<(&'static str, Value, &'static str, Option<Value>)> {
    match name {
        "shop" => vec![
            (
                "OrderDetails",
                json!({"id": "1"}),
                "/composite-order-details/1",
                None,
            ),
            (
                "PlaceOrder",
                json!({"input": {"userId": "3", "productIds": ["4"]}}),
                "/place-order",
                Some(json!({"input": {"userId": "3", "productIds": ["4"]}})),
            ),
        ],
        "trading" => vec![(
            "DayEvents",
            json!({"date": "2024-05-01"}),
            "/day-events/2024-05-01",
            None,
        )],
        "fleet" => vec![(
            "DeviceLocation",
            json!({"id": "3"}),
            "/device-location/3",
            None,
        )],
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn every_examples_endpoints_round_trip_through_the_openapi_document_the_gateway_serves() {
    let demo = start_demo().await;
    let fleet = start_fleet().await;
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["shop", "trading", "fleet"] {
        let (path, vars) = if name == "fleet" {
            (fleet_copy(dir.path(), |_| {}), fleet.env_vars())
        } else {
            (example_copy(name, dir.path(), |_| {}), demo.env_vars())
        };
        let mut options = knot_serve::ServeOptions::new(&path);
        options.listen = "127.0.0.1:0".parse().expect("address");
        options.vars = vars;
        let gw = knot_serve::start(options, std::future::pending())
            .await
            .expect("gateway starts");
        let base = format!("http://{}", gw.addr);
        let (status, document) = fetch(&base, "/openapi.json").await;
        assert_eq!(status, 200, "{name}: {document}");
        validate_openapi(&document, name);
        let (_, again) = fetch(&base, "/openapi.json").await;
        assert_eq!(document, again, "{name}: the same bytes every time");

        let client_rt = imported(&document, &base);
        for (operation, given, path, body) in calls(name) {
            let through_openapi = client_rt
                .call_operation("gateway", operation, &inputs(given))
                .await;
            let through_openapi = through_openapi
                .outcome
                .unwrap_or_else(|e| panic!("{name} {operation}: {e:?}"));
            let direct = match &body {
                None => client().get(format!("{base}{path}")).send().await,
                Some(b) => client().post(format!("{base}{path}")).json(b).send().await,
            }
            .expect("direct call");
            assert_eq!(direct.status().as_u16(), 200, "{name} {path}");
            let direct: Value = direct.json().await.expect("json");
            if body.is_none() {
                assert_eq!(through_openapi, direct, "{name} {operation}");
            } else {
                // A write places a new order each time: the same shape, not the same id.
                assert_eq!(
                    through_openapi["status"], direct["status"],
                    "{name} {operation}"
                );
                assert_eq!(
                    through_openapi["user"], direct["user"],
                    "{name} {operation}"
                );
            }
        }
        gw.shutdown().await;
    }
}

#[tokio::test]
async fn the_openapi_document_follows_the_file_on_hot_reload_and_introspection_off_hides_it() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = example_copy("shop", dir.path(), |_| {});
    let gw = start_gateway(&path, &demo).await;
    let base = format!("http://{}", gw.addr);
    let (_, before) = fetch(&base, "/openapi.json").await;
    assert!(!before.contains("/order-status/{id}"));

    let added = |ws: &mut Workspace| {
        ws.operations.insert(
        "OrderStatus".into(),
        SavedOperation {
            description: "Where an order is.".into(),
            document: "query OrderStatus($id: ID!, $full: Boolean = false) { getOrderDetails(id: $id) { status user @include(if: $full) { name } } }".into(),
            operation_name: None,
            rest: Some(RestEndpoint {
                method: HttpMethod::Get,
                path: "/order-status/{id}".into(),
            }),
            grpc: None,
        },
    );
    };
    let written = example_copy("shop", dir.path(), added);
    assert_eq!(written, path);
    let mut after = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = fetch(&base, "/openapi.json").await.1;
        if after.contains("/order-status/{id}") {
            break;
        }
    }
    assert!(after.contains("/order-status/{id}"), "reloaded: {after}");
    let doc: Value = serde_json::from_str(&after).expect("json");
    let get = &doc["paths"]["/order-status/{id}"]["get"];
    assert_eq!(
        get["parameters"][1],
        json!({"name": "full", "in": "query", "required": false, "schema": {"type": ["boolean", "null"], "default": false}})
    );
    let answer = &get["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(
        answer["required"],
        json!(["status"]),
        "a field under @include may be absent"
    );
    validate_openapi(&after, "the reloaded shop");
    let (status, body) = fetch(&base, "/order-status/1?full=true").await;
    assert_eq!(status, 200, "{body}");
    gw.shutdown().await;

    // Introspection off: the document describes the schema as much as introspection does.
    let path = example_copy("shop", dir.path(), |w| {
        w.gateway.introspection = Some(false)
    });
    let gw = start_gateway(&path, &demo).await;
    let (status, _) = fetch(&format!("http://{}", gw.addr), "/openapi.json").await;
    assert_eq!(status, 404);
    gw.shutdown().await;
}
