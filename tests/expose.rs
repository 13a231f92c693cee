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

/// A gateway over a copy of the shop with its gRPC methods on an ephemeral port.
async fn shop_with_grpc(
    demo: &knot_demo::Demo,
    dir: &std::path::Path,
    edit: impl FnOnce(&mut Workspace),
) -> (knot_serve::Running, String) {
    let path = example_copy("shop", dir, edit);
    let mut options = knot_serve::ServeOptions::new(&path);
    options.listen = "127.0.0.1:0".parse().expect("address");
    options.grpc_listen = Some("127.0.0.1:0".parse().expect("address"));
    options.vars = demo.env_vars();
    options.reload_interval = Duration::from_millis(50);
    let gw = knot_serve::start(options, std::future::pending())
        .await
        .expect("gateway starts");
    let endpoint = format!("http://{}", gw.grpc_addr.expect("gRPC address"));
    (gw, endpoint)
}

/// A client that knows the gateway only through server reflection: one gRPC source with
/// `reflection: true` and the method it is told about.
fn reflection_client(endpoint: &str, method: &str) -> knot_runtime::Runtime {
    let ws: Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "client",
        "sources": {"gateway": {
            "kind": "grpc",
            "endpoint": endpoint,
            "reflection": true,
            "timeoutMs": 10000,
            "operations": {method: {"method": format!("knot.shop.ShopService/{method}"), "inputs": {"id": "ID!"}}},
        }},
        "schema": {"types": {}},
    }))
    .expect("workspace");
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("runtime")
}

/// A `.proto` text compiled with protox from a file, as a client of the gateway would.
fn compiled(proto_text: &str) -> prost_reflect::DescriptorPool {
    let files = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(files.path().join("knot")).expect("dir");
    std::fs::write(files.path().join("knot/shop.proto"), proto_text).expect("write");
    let set = protox::compile(["knot/shop.proto"], [files.path()]).expect("compiles");
    prost_reflect::DescriptorPool::from_file_descriptor_set(set).expect("pool")
}

/// The method names and message fields of a descriptor pool's shop service.
fn described(pool: &prost_reflect::DescriptorPool) -> Vec<String> {
    let Some(service) = pool.get_service_by_name("knot.shop.ShopService") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in service.methods() {
        out.push(format!("rpc {}", m.name()));
        for msg in [m.input(), m.output()] {
            for f in msg.fields() {
                out.push(format!(
                    "{}.{}={}:{:?}",
                    msg.name(),
                    f.name(),
                    f.number(),
                    f.kind()
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn order_details_over_grpc_from_reflection_alone_answers_what_rest_and_graphql_answer() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (gw, endpoint) = shop_with_grpc(&demo, dir.path(), |_| {}).await;
    let base = format!("http://{}", gw.addr);

    // Reflection v1 and v1alpha describe exactly what /knot.proto says.
    let exported = compiled(&fetch(&base, "/knot.proto").await.1);
    for version in [
        knot_connect::reflect::ReflectionVersion::V1,
        knot_connect::reflect::ReflectionVersion::V1Alpha,
    ] {
        let (pool, answered) = knot_connect::reflect::fetch_descriptors(
            &endpoint,
            &[],
            Duration::from_secs(10),
            Some(version),
        )
        .await
        .expect("reflection answers");
        assert_eq!(answered, version);
        assert_eq!(described(&pool), described(&exported), "{version:?}");
        assert!(described(&pool).contains(&"rpc OrderDetails".to_string()));
    }

    let client = reflection_client(&endpoint, "OrderDetails");
    let over_grpc = client
        .call_operation("gateway", "OrderDetails", &inputs(json!({"id": "1"})))
        .await
        .outcome
        .expect("OrderDetails answers over gRPC");
    let (status, rest) = fetch(&base, "/composite-order-details/1").await;
    assert_eq!(status, 200);
    let rest: Value = serde_json::from_str(&rest).expect("json");
    assert_eq!(over_grpc, rest);
    let graphql: Value = client_post_graphql(&base, "query($id: ID!) { getOrderDetails(id: $id) { orderId: id user { id name email } products { id name price } } }", json!({"id": "1"})).await;
    assert_eq!(over_grpc, graphql["data"]["getOrderDetails"]);

    // A blank id is refused before anything is called.
    demo.control.reset();
    let blank = client
        .call_operation("gateway", "OrderDetails", &inputs(json!({"id": "  "})))
        .await
        .outcome;
    match blank {
        Err(knot_connect::CallError::Status {
            status, message, ..
        }) => {
            assert_eq!(status, "INVALID_ARGUMENT", "{message}");
            assert!(!message.contains("127.0.0.1"), "{message}");
        }
        other => panic!("a blank id must be INVALID_ARGUMENT: {other:?}"),
    }
    assert_eq!(demo.control.request_count(knot_demo::Service::Orders), 0);

    // A reload that adds a method: reflection and /knot.proto both say so.
    example_copy("shop", dir.path(), |ws| {
        let mut op = ws.operations["OrderDetails"].clone();
        op.document = "query OrderStatus($id: ID!) { getOrderDetails(id: $id) { status } }".into();
        op.rest = None;
        op.grpc = Some(knot_model::GrpcMethod::default());
        ws.operations.insert("OrderStatus".into(), op);
    });
    let mut listed = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (pool, _) =
            knot_connect::reflect::fetch_descriptors(&endpoint, &[], Duration::from_secs(10), None)
                .await
                .expect("reflection answers");
        listed = described(&pool);
        if listed.contains(&"rpc OrderStatus".to_string()) {
            break;
        }
    }
    assert!(
        listed.contains(&"rpc OrderStatus".to_string()),
        "{listed:?}"
    );
    let proto_text = fetch(&base, "/knot.proto").await.1;
    assert!(proto_text.contains("rpc OrderStatus(OrderStatusRequest)"));
    assert_eq!(
        listed,
        described(&compiled(&proto_text)),
        "reflection after the reload"
    );
    let status_client = reflection_client(&endpoint, "OrderStatus");
    let answer = status_client
        .call_operation("gateway", "OrderStatus", &inputs(json!({"id": "1"})))
        .await
        .outcome
        .expect("the new method answers");
    assert!(
        answer["status"]
            .as_str()
            .is_some_and(|s| s.starts_with("ORDER_STATUS_")),
        "{answer}"
    );
    gw.shutdown().await;
}

async fn client_post_graphql(base: &str, query: &str, variables: Value) -> Value {
    client()
        .post(format!("{base}/graphql"))
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json")
}

/// A raw tonic call with a codec over prost-reflect messages: the answer, its status code
/// and its metadata (tonic merges a unary call's trailers into it).
async fn raw_call(
    endpoint: &str,
    pool: &prost_reflect::DescriptorPool,
    method: &str,
    request: Value,
) -> Result<(Value, tonic::metadata::MetadataMap), tonic::Status> {
    raw_call_to(
        endpoint,
        pool,
        "knot.shop.ShopService",
        method,
        request,
        &[],
    )
    .await
}

/// [`raw_call`] to any service, with request metadata.
async fn raw_call_to(
    endpoint: &str,
    pool: &prost_reflect::DescriptorPool,
    service_name: &str,
    method: &str,
    request: Value,
    metadata: &[(&'static str, &str)],
) -> Result<(Value, tonic::metadata::MetadataMap), tonic::Status> {
    let service = pool.get_service_by_name(service_name).expect("service");
    let m = service
        .methods()
        .find(|m| m.name() == method)
        .expect("method");
    let message = prost_reflect::DynamicMessage::deserialize(m.input(), request).expect("request");
    let channel = tonic::transport::Endpoint::from_shared(endpoint.to_string())
        .expect("endpoint")
        .connect()
        .await
        .expect("connects");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path =
        http::uri::PathAndQuery::try_from(format!("/{service_name}/{method}")).expect("path");
    let mut request = tonic::Request::new(message);
    for (name, value) in metadata {
        request
            .metadata_mut()
            .insert(*name, value.parse().expect("metadata value"));
    }
    let response = grpc
        .unary(request, path, test_codec::Dynamic(m.output()))
        .await?;
    let metadata = response.metadata().clone();
    let json = serde_json::to_value(response.into_inner()).expect("json");
    Ok((json, metadata))
}

mod test_codec {
    use prost::Message as _;
    use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

    pub struct Dynamic(pub prost_reflect::MessageDescriptor);
    pub struct Enc;
    pub struct Dec(prost_reflect::MessageDescriptor);

    impl Codec for Dynamic {
        type Encode = prost_reflect::DynamicMessage;
        type Decode = prost_reflect::DynamicMessage;
        type Encoder = Enc;
        type Decoder = Dec;
        fn encoder(&mut self) -> Enc {
            Enc
        }
        fn decoder(&mut self) -> Dec {
            Dec(self.0.clone())
        }
    }
    impl Encoder for Enc {
        type Item = prost_reflect::DynamicMessage;
        type Error = tonic::Status;
        fn encode(
            &mut self,
            item: Self::Item,
            dst: &mut EncodeBuf<'_>,
        ) -> Result<(), tonic::Status> {
            item.encode(dst)
                .map_err(|e| tonic::Status::internal(e.to_string()))
        }
    }
    impl Decoder for Dec {
        type Item = prost_reflect::DynamicMessage;
        type Error = tonic::Status;
        fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, tonic::Status> {
            prost_reflect::DynamicMessage::decode(self.0.clone(), src)
                .map(Some)
                .map_err(|e| tonic::Status::internal(e.to_string()))
        }
    }
}

#[tokio::test]
async fn failures_over_grpc_map_to_status_codes_or_a_partial_answer_with_knot_errors() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (gw, endpoint) = shop_with_grpc(&demo, dir.path(), |_| {}).await;
    let (pool, _) =
        knot_connect::reflect::fetch_descriptors(&endpoint, &[], Duration::from_secs(10), None)
            .await
            .expect("reflection");

    // Products fail: the order and its buyer still come, with the error in `knot-errors`.
    demo.control.set_faults(
        knot_demo::Service::Products,
        knot_demo::Faults {
            error_rate: 1.0,
            ..Default::default()
        },
    );
    let (answer, metadata) = raw_call(&endpoint, &pool, "OrderDetails", json!({"id": "1"}))
        .await
        .expect("a partial answer is OK");
    assert_eq!(answer["orderId"], "1");
    assert!(answer["user"]["name"].is_string(), "{answer}");
    assert!(
        answer.get("products").is_none() || answer["products"] == json!([]),
        "{answer}"
    );
    let errors: Value = serde_json::from_str(
        metadata
            .get(knot_serve::grpc::ERRORS_TRAILER)
            .and_then(|v| v.to_str().ok())
            .expect("knot-errors trailer"),
    )
    .expect("JSON");
    assert_eq!(
        errors[0]["extensions"]["category"], "DEPENDENCY",
        "{errors}"
    );
    let path = errors[0]["path"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        path[..2],
        [json!("getOrderDetails"), json!("products")],
        "{errors}"
    );

    // A mutation over gRPC: the input object is a message, the enum answer has its prefix.
    let (placed, _) = raw_call(
        &endpoint,
        &pool,
        "PlaceOrder",
        json!({"input": {"userId": "3", "productIds": ["4"]}}),
    )
    .await
    .expect("PlaceOrder answers");
    assert_eq!(placed["status"], "ORDER_STATUS_PLACED", "{placed}");

    // The orders service failing leaves nothing: UNAVAILABLE, with the safe message.
    demo.control.set_faults(
        knot_demo::Service::Orders,
        knot_demo::Faults {
            error_rate: 1.0,
            ..Default::default()
        },
    );
    let status = raw_call(&endpoint, &pool, "OrderDetails", json!({"id": "1"}))
        .await
        .expect_err("no data");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(!status.message().contains("127.0.0.1"), "{status:?}");
    demo.control.reset();
    demo.control.set_all_faults(knot_demo::Faults::default());

    // An order that does not exist: the orders service refuses it (FAILED_PRECONDITION).
    let status = raw_call(&endpoint, &pool, "OrderDetails", json!({"id": "999999"}))
        .await
        .expect_err("no such order");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");

    let (_, metrics) = fetch(&format!("http://{}", gw.addr), "/metrics").await;
    assert!(
        metrics.contains("route=\"gRPC /knot.shop.ShopService/OrderDetails\""),
        "{metrics}"
    );
    gw.shutdown().await;

    // Introspection off: no reflection (nor /knot.proto), but the methods still answer.
    let (gw, endpoint) = shop_with_grpc(&demo, dir.path(), |ws| {
        ws.gateway.introspection = Some(false)
    })
    .await;
    let refused =
        knot_connect::reflect::fetch_descriptors(&endpoint, &[], Duration::from_secs(10), None)
            .await;
    assert!(
        refused.is_err(),
        "reflection follows the introspection setting"
    );
    let (answer, _) = raw_call(&endpoint, &pool, "OrderDetails", json!({"id": "1"}))
        .await
        .expect("the method answers without reflection");
    assert_eq!(answer["orderId"], "1");
    let (status, _) = fetch(&format!("http://{}", gw.addr), "/knot.proto").await;
    assert_eq!(status, 404);
    gw.shutdown().await;
}

/// A saved operation over a union (the shop's `search`): its REST answer is described with
/// every member's fields, and over gRPC the hits are one message with `__typename` and the
/// members' fields.
#[tokio::test]
async fn a_search_over_a_union_is_described_and_served_over_rest_and_grpc() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (gw, endpoint) = shop_with_grpc(&demo, dir.path(), |ws| {
        ws.operations.insert(
            "Search".into(),
            SavedOperation {
                description: "Users and products by name.".into(),
                document: "query Search($text: String!) { search(text: $text) { __typename ... on User { id name } ... on Product { id name price } } }".into(),
                operation_name: None,
                rest: Some(RestEndpoint {
                    method: HttpMethod::Get,
                    path: "/search".into(),
                }),
                grpc: Some(knot_model::GrpcMethod::default()),
            },
        );
    })
    .await;
    let base = format!("http://{}", gw.addr);
    let (_, document) = fetch(&base, "/openapi.json").await;
    validate_openapi(&document, "the shop with a union endpoint");
    let doc: Value = serde_json::from_str(&document).expect("json");
    let hit = &doc["paths"]["/search"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["items"];
    assert_eq!(hit["required"], json!(["__typename"]), "{hit}");
    assert!(hit["properties"]["price"].is_object(), "{hit}");

    let (status, rest) = fetch(&base, "/search?text=a").await;
    assert_eq!(status, 200, "{rest}");
    let rest: Value = serde_json::from_str(&rest).expect("json");
    assert!(
        !rest.as_array().map(Vec::is_empty).unwrap_or(true),
        "{rest}"
    );
    let (pool, _) =
        knot_connect::reflect::fetch_descriptors(&endpoint, &[], Duration::from_secs(10), None)
            .await
            .expect("reflection");
    let (answer, _) = raw_call(&endpoint, &pool, "Search", json!({"text": "a"}))
        .await
        .expect("Search answers over gRPC");
    let hits = answer["search"].as_array().cloned().unwrap_or_default();
    assert_eq!(hits.len(), rest.as_array().map_or(0, Vec::len), "{answer}");
    for (g, r) in hits.iter().zip(rest.as_array().into_iter().flatten()) {
        assert_eq!(g["__typename"], r["__typename"]);
        assert_eq!(g["name"], r["name"]);
    }
    gw.shutdown().await;
}

/// Runs a command the app offers to copy (`curl …`) in a shell, as a person pasting it would
/// (a child process awaited, so the gateway in this test's runtime keeps answering).
async fn pasted(command: &str) -> Value {
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -sS --max-time 20"))
        .output()
        .await
        .expect("sh and curl run (make setup installs curl)");
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{command}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[tokio::test]
async fn the_apps_curl_and_grpcurl_commands_answer_what_the_gateway_answers() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (gw, endpoint) = shop_with_grpc(&demo, dir.path(), |_| {}).await;
    let base = format!("http://{}", gw.addr);
    let ws = example("shop");
    let sdl = knot_model::public_sdl(&ws);
    let at = knot_expose::calls::Addresses {
        http: base.clone(),
        grpc: endpoint.trim_start_matches("http://").to_string(),
    };

    // A read with the variable the person gave: the three calls answer the same order.
    let order =
        knot_expose::calls::calls(&ws, &sdl, "OrderDetails", &inputs(json!({"id": "2"})), &at)
            .expect("OrderDetails is described");
    assert!(order.examples.is_empty());
    let rest = order
        .rest
        .as_ref()
        .expect("OrderDetails has a REST endpoint");
    assert_eq!(rest.url, format!("{base}/composite-order-details/2"));
    assert_eq!(rest.curl, format!("curl {base}/composite-order-details/2"));
    let over_rest = pasted(&rest.curl).await;
    assert_eq!(over_rest["orderId"], "2", "{over_rest}");
    let over_graphql = pasted(&order.graphql.curl).await;
    assert_eq!(over_graphql["data"]["getOrderDetails"], over_rest);
    let grpc = order.grpc.as_ref().expect("OrderDetails is a gRPC method");
    assert_eq!(grpc.service, "knot.shop.ShopService");
    assert_eq!(grpc.request, json!({"id": "2"}));
    assert!(
        grpc.grpcurl
            .ends_with(&format!("{} knot.shop.ShopService/OrderDetails", at.grpc)),
        "{}",
        grpc.grpcurl
    );
    assert!(
        grpc.messages
            .starts_with("rpc OrderDetails(OrderDetailsRequest) returns (OrderDetailsResponse);"),
        "{}",
        grpc.messages
    );
    assert!(
        grpc.messages.contains("message OrderDetailsRequest {"),
        "{}",
        grpc.messages
    );
    let over_grpc = reflection_client(&endpoint, "OrderDetails")
        .call_operation(
            "gateway",
            "OrderDetails",
            grpc.request.as_object().expect("object"),
        )
        .await
        .outcome
        .expect("the request the app shows answers over gRPC");
    assert_eq!(over_grpc, over_rest);

    // A write with nothing given: examples of each type that the demo accepts, in the body
    // of a POST and in the gRPC request.
    let place = knot_expose::calls::calls(&ws, &sdl, "PlaceOrder", &Map::new(), &at)
        .expect("PlaceOrder is described");
    assert!(place.mutation);
    assert_eq!(place.examples, vec!["input".to_string()]);
    let rest = place.rest.as_ref().expect("PlaceOrder has a REST endpoint");
    assert_eq!(rest.method, "POST");
    assert_eq!(
        rest.body,
        Some(json!({"input": {"userId": "1", "productIds": ["1"]}}))
    );
    let placed = pasted(&rest.curl).await;
    assert!(
        placed["id"].is_string() && placed["user"]["name"].is_string(),
        "{placed}"
    );
    let placed_graphql = pasted(&place.graphql.curl).await;
    assert!(
        placed_graphql["data"]["placeOrder"]["id"].is_string(),
        "{placed_graphql}"
    );
    let grpc = place.grpc.as_ref().expect("PlaceOrder is a gRPC method");
    let pool = compiled(&fetch(&base, "/knot.proto").await.1);
    let (answer, _) = raw_call(&endpoint, &pool, "PlaceOrder", grpc.request.clone())
        .await
        .expect("the request the app shows answers over gRPC");
    assert!(answer["id"].is_string(), "{answer}");

    // Query parameters and values that need escaping, on an endpoint added for the test.
    let mut ws = ws;
    let mut search = ws.operations["OrderDetails"].clone();
    search.document =
        "query Search($id: ID!, $note: String) { getOrderDetails(id: $id) { status } }".into();
    search.rest = Some(RestEndpoint {
        method: HttpMethod::Get,
        path: "/orders/{id}/status".into(),
    });
    search.grpc = None;
    ws.operations.insert("Search".into(), search);
    let sdl = knot_model::public_sdl(&ws);
    let described = knot_expose::calls::calls(
        &ws,
        &sdl,
        "Search",
        &inputs(json!({"id": "a b/c", "note": "it's"})),
        &at,
    )
    .expect("described");
    let rest = described.rest.expect("REST");
    assert_eq!(
        rest.url,
        format!("{base}/orders/a%20b%2Fc/status?note=it%27s")
    );
    assert!(described.grpc.is_none());
    assert!(
        described.graphql.curl.contains(r#""note":"it'\''s""#),
        "{}",
        described.graphql.curl
    );
    let missing = knot_expose::calls::calls(&ws, &sdl, "Nope", &Map::new(), &at)
        .expect_err("no such operation");
    assert!(missing.to_string().contains("`Nope`"), "{missing}");
    gw.shutdown().await;
}

/// Over gRPC as over HTTP: only allowlisted request metadata reaches a source (as headers),
/// and a source slower than its timeout is DEADLINE_EXCEEDED with the safe message.
#[tokio::test]
async fn grpc_metadata_is_forwarded_by_the_allowlist_and_a_timeout_is_deadline_exceeded() {
    use axum::{http::HeaderMap, routing::get, Json, Router};
    // A real REST service: /whoami answers with the headers it received, /slow takes 5 s.
    let app = Router::new()
        .route(
            "/whoami",
            get(|headers: HeaderMap| async move {
                let names: Vec<String> = headers.keys().map(|k| k.as_str().to_string()).collect();
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                Json(json!({"headers": names, "authorization": auth}))
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Json(json!({"headers": [], "authorization": ""}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let ws = json!({
        "version": 1, "name": "echo",
        "sources": {"echo": {"kind": "rest", "baseUrl": format!("http://{addr}"), "timeoutMs": 300,
            "forwardHeaders": ["Authorization"],
            "operations": {"whoami": {"method": "GET", "path": "/whoami"}, "slow": {"method": "GET", "path": "/slow"}}}},
        "schema": {"types": {
            "Query": {"fields": {
                "me": {"type": "Me", "binding": {"source": "echo", "operation": "whoami"}},
                "slowMe": {"type": "Me", "binding": {"source": "echo", "operation": "slow"}}}},
            "Me": {"fields": {"headers": {"type": "[String]"}, "authorization": {"type": "String"}}}}},
        "operations": {
            "Me": {"document": "query Me { me { headers authorization } }", "grpc": {}},
            "SlowMe": {"document": "query SlowMe { slowMe { authorization } }", "grpc": {}}}
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("echo.knot.json");
    std::fs::write(&path, ws.to_string()).expect("write");
    let mut options = knot_serve::ServeOptions::new(&path);
    options.listen = "127.0.0.1:0".parse().expect("address");
    options.grpc_listen = Some("127.0.0.1:0".parse().expect("address"));
    let gw = knot_serve::start(options, std::future::pending())
        .await
        .expect("gateway starts");
    let endpoint = format!("http://{}", gw.grpc_addr.expect("gRPC address"));
    let (pool, _) =
        knot_connect::reflect::fetch_descriptors(&endpoint, &[], Duration::from_secs(10), None)
            .await
            .expect("reflection");

    let (me, _) = raw_call_to(
        &endpoint,
        &pool,
        "knot.echo.EchoService",
        "Me",
        json!({}),
        &[
            ("authorization", "Bearer t0ken"),
            ("x-internal-secret", "nope"),
        ],
    )
    .await
    .expect("Me answers");
    assert_eq!(me["authorization"], "Bearer t0ken", "{me}");
    let seen: Vec<&str> = me["headers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        !seen.is_empty() && !seen.contains(&"x-internal-secret"),
        "{seen:?}"
    );

    let started = std::time::Instant::now();
    let status = raw_call_to(
        &endpoint,
        &pool,
        "knot.echo.EchoService",
        "SlowMe",
        json!({}),
        &[],
    )
    .await
    .expect_err("the source is slower than its timeout");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(
        !status.message().contains(&addr.to_string()) && !status.message().contains("echo"),
        "the message names nothing internal: {status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    gw.shutdown().await;
}
