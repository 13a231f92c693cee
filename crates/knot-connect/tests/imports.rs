//! The importers against real servers on loopback (the knot-demo services, and small
//! tonic reflection servers started here) and against fixture files. No mocks.

use std::error::Error;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use knot_connect::error::ImportError;
use knot_connect::introspect::{introspect, source_from_introspection, INTROSPECTION_QUERY};
use knot_connect::openapi::import_openapi;
use knot_connect::reflect::{fetch_descriptors, operations_from_pool, ReflectionVersion};
use knot_demo::{Demo, DemoConfig, DemoPorts, Service};
use knot_model::{GraphqlOperationType, RestSource};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn Error>>;

const TIMEOUT: Duration = Duration::from_secs(10);

async fn demo() -> Result<Demo, Box<dyn Error>> {
    let ports = DemoPorts::ephemeral();
    Ok(Demo::start(DemoConfig {
        ports,
        ..Default::default()
    })
    .await?)
}

/// A loopback port nothing listens on.
async fn closed_port() -> Result<u16, Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(listener.local_addr()?.port())
}

fn inputs(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fixtures() -> String {
    format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Result<String, Box<dyn Error>> {
    Ok(std::fs::read_to_string(format!("{}/{name}", fixtures()))?)
}

/// The `what` and `message` of an Invalid error; panics on anything else.
fn invalid<T: std::fmt::Debug>(result: Result<T, ImportError>) -> (String, String) {
    match result {
        Err(ImportError::Invalid { what, message }) => (what, message),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

/// The `target` and `message` of a Network error; panics on anything else.
fn network<T: std::fmt::Debug>(result: Result<T, ImportError>) -> (String, String) {
    match result {
        Err(ImportError::Network { target, message }) => (target, message),
        other => panic!("expected a Network error, got {other:?}"),
    }
}

fn keys<V>(map: &IndexMap<String, V>) -> Vec<&str> {
    map.keys().map(String::as_str).collect()
}

fn assert_quick(started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- gRPC reflection

#[tokio::test]
async fn reflection_v1_lists_product_service() -> TestResult {
    let demo = demo().await?;
    let endpoint = demo.url(Service::Products);
    let (pool, version) = fetch_descriptors(&endpoint, &[], TIMEOUT, None).await?;
    assert_eq!(version, ReflectionVersion::V1);
    assert!(pool
        .get_service_by_name("knot.demo.products.v1.ProductService")
        .is_some());

    let ops = operations_from_pool(&pool);
    assert_eq!(keys(&ops), ["GetProduct", "GetProducts"]);
    let service = "knot.demo.products.v1.ProductService";
    assert_eq!(ops["GetProduct"].method, format!("{service}/GetProduct"));
    assert_eq!(ops["GetProduct"].inputs, inputs(&[("id", "String")]));
    assert_eq!(ops["GetProducts"].method, format!("{service}/GetProducts"));
    assert_eq!(ops["GetProducts"].inputs, inputs(&[("ids", "[String!]")]));
    Ok(())
}

#[tokio::test]
async fn reflection_v1alpha_when_asked() -> TestResult {
    let demo = demo().await?;
    let endpoint = demo.url(Service::Products);
    let metadata = [("x-knot-test".to_string(), "1".to_string())];
    let prefer = Some(ReflectionVersion::V1Alpha);
    let (pool, version) = fetch_descriptors(&endpoint, &metadata, TIMEOUT, prefer).await?;
    assert_eq!(version, ReflectionVersion::V1Alpha);
    let ops = operations_from_pool(&pool);
    assert_eq!(keys(&ops), ["GetProduct", "GetProducts"]);
    assert_eq!(ops["GetProducts"].inputs, inputs(&[("ids", "[String!]")]));
    Ok(())
}

#[tokio::test]
async fn reflection_closed_port_is_a_quick_network_error() -> TestResult {
    let endpoint = format!("http://127.0.0.1:{}", closed_port().await?);
    let started = Instant::now();
    let result = fetch_descriptors(&endpoint, &[], TIMEOUT, None).await;
    assert_quick(started);
    let (target, message) = network(result);
    assert_eq!(target, endpoint, "{message}");
    Ok(())
}

#[tokio::test]
async fn reflection_bad_endpoint_or_metadata_is_invalid() {
    let (what, _) = invalid(fetch_descriptors("not a url", &[], TIMEOUT, None).await);
    assert!(what.contains("not a url"), "{what}");
    let metadata = [("bad header".to_string(), "x".to_string())];
    let (what, _) =
        invalid(fetch_descriptors("http://127.0.0.1:1", &metadata, TIMEOUT, None).await);
    assert!(what.contains("bad header"), "{what}");
}

/// A gRPC server offering only reflection (one version) over the given files.
async fn reflection_server(
    files: prost_types::FileDescriptorSet,
    version: ReflectionVersion,
) -> Result<String, Box<dyn Error>> {
    let builder =
        tonic_reflection::server::Builder::configure().register_file_descriptor_set(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let mut server = tonic::transport::Server::builder();
    match version {
        ReflectionVersion::V1 => {
            let router = server.add_service(builder.build_v1()?);
            tokio::spawn(router.serve_with_incoming(incoming));
        }
        ReflectionVersion::V1Alpha => {
            let router = server.add_service(builder.build_v1alpha()?);
            tokio::spawn(router.serve_with_incoming(incoming));
        }
    }
    Ok(endpoint)
}

/// fixtures/shop: orders.proto imports common.proto, which imports a well-known type. The
/// well-known file is left out, so the server cannot send it.
fn shop_files() -> Result<prost_types::FileDescriptorSet, Box<dyn Error>> {
    let mut set = protox::compile(["orders.proto"], [format!("{}/shop", fixtures())])?;
    set.file.retain(|f| !f.name().starts_with("google/"));
    assert_eq!(set.file.len(), 2);
    Ok(set)
}

#[tokio::test]
async fn reflection_falls_back_to_v1alpha_and_chases_dependencies() -> TestResult {
    let endpoint = reflection_server(shop_files()?, ReflectionVersion::V1Alpha).await?;
    let (pool, version) = fetch_descriptors(&endpoint, &[], TIMEOUT, None).await?;
    assert_eq!(version, ReflectionVersion::V1Alpha);
    assert!(pool.get_file_by_name("common.proto").is_some());
    assert!(pool
        .get_file_by_name("google/protobuf/timestamp.proto")
        .is_some());

    let ops = operations_from_pool(&pool);
    let names = [
        "OrderService.GetOrder",
        "Describe",
        "ArchiveService.GetOrder",
    ];
    assert_eq!(keys(&ops), names);
    assert_eq!(
        ops["OrderService.GetOrder"].method,
        "shop.orders.OrderService/GetOrder"
    );
    assert_eq!(
        ops["ArchiveService.GetOrder"].method,
        "shop.orders.ArchiveService/GetOrder"
    );
    let expected = json!({
        "order_id": "String", "rush": "Boolean", "page": "Int", "serial": "String",
        "ratio": "Float", "kind": "String", "blob": "String", "price": "JSON", "labels": "JSON",
        "quantities": "[Int!]", "prices": "[JSON!]"
    });
    assert_eq!(
        serde_json::to_value(&ops["OrderService.GetOrder"].inputs)?,
        expected
    );
    assert_eq!(ops["Describe"].inputs, inputs(&[("id", "String")]));
    Ok(())
}

#[tokio::test]
async fn reflection_forced_version_the_server_lacks_is_unsupported() -> TestResult {
    let endpoint = reflection_server(shop_files()?, ReflectionVersion::V1).await?;
    let (_, version) = fetch_descriptors(&endpoint, &[], TIMEOUT, None).await?;
    assert_eq!(version, ReflectionVersion::V1);
    let prefer = Some(ReflectionVersion::V1Alpha);
    match fetch_descriptors(&endpoint, &[], TIMEOUT, prefer).await {
        Err(ImportError::Unsupported { target, what }) => {
            assert_eq!(target, endpoint);
            assert!(what.contains("reflection"), "{what}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn reflection_missing_dependency_names_the_file() -> TestResult {
    let mut files = shop_files()?;
    files.file.retain(|f| f.name() == "orders.proto");
    let endpoint = reflection_server(files, ReflectionVersion::V1).await?;
    let (what, _) = invalid(fetch_descriptors(&endpoint, &[], TIMEOUT, None).await);
    assert!(
        what.contains(&endpoint) && what.contains("common.proto"),
        "{what}"
    );
    Ok(())
}

#[tokio::test]
async fn silent_servers_time_out() -> TestResult {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = fetch_descriptors(&endpoint, &[], timeout, None).await;
    assert_quick(started);
    assert_eq!(network(result).0, endpoint);

    let url = format!("{endpoint}/graphql");
    let started = Instant::now();
    let (target, message) = network(introspect(&url, &[], timeout).await);
    assert_quick(started);
    assert_eq!(target, url);
    assert!(message.contains("300 ms"), "{message}");
    task.abort();
    Ok(())
}

// ---------------------------------------------------------------- GraphQL introspection

#[tokio::test]
async fn introspection_of_reviews() -> TestResult {
    let demo = demo().await?;
    let url = format!("{}/graphql", demo.url(Service::Reviews));
    let headers = [("x-knot-test".to_string(), "1".to_string())];
    let source = introspect(&url, &headers, TIMEOUT).await?;
    assert_eq!(source.url, url);
    let ops = &source.operations;
    assert_eq!(
        keys(ops),
        ["reviews", "reviewsForProducts", "activity", "review"]
    );
    // A field of a union type imports like any other.
    assert_eq!(ops["activity"].inputs, inputs(&[("productId", "ID!")]));
    assert_eq!(ops["reviews"].inputs, inputs(&[("productId", "ID!")]));
    assert_eq!(
        ops["reviewsForProducts"].inputs,
        inputs(&[("productIds", "[ID!]!")])
    );
    assert_eq!(ops["review"].inputs, inputs(&[("id", "ID!")]));
    assert_eq!(ops["review"].field, "review");
    assert!(ops
        .values()
        .all(|o| o.operation_type == GraphqlOperationType::Query));
    Ok(())
}

#[tokio::test]
async fn introspection_network_and_http_errors() -> TestResult {
    let url = format!("http://127.0.0.1:{}/graphql", closed_port().await?);
    assert_eq!(network(introspect(&url, &[], TIMEOUT).await).0, url);
    // A REST service has no /graphql: an HTTP error naming the URL.
    let demo = demo().await?;
    let url = format!("{}/graphql", demo.url(Service::Orders));
    let (target, message) = network(introspect(&url, &[], TIMEOUT).await);
    assert_eq!(target, url);
    assert!(message.starts_with("HTTP 4"), "{message}");
    let bad = [("x-knot".to_string(), "line\nbreak".to_string())];
    let (what, _) = invalid(introspect(&url, &bad, TIMEOUT).await);
    assert!(what.contains("x-knot") && what.contains(&url), "{what}");
    Ok(())
}

#[test]
fn introspection_query_is_deep_enough() {
    assert_eq!(INTROSPECTION_QUERY.matches("ofType").count(), 7);
    assert!(INTROSPECTION_QUERY.contains("__schema"));
}

#[test]
fn introspection_answer_converts_types_and_mutations() -> TestResult {
    let answer: Value = serde_json::from_str(&fixture("introspection-sample.json")?)?;
    let source = source_from_introspection("http://svc/graphql", &answer)?;
    let ops = &source.operations;
    assert_eq!(keys(ops), ["search", "save", "mutation_save", "reset"]);
    assert_eq!(ops["search"].description, "Find things");
    let expected = [
        ("filter", "JSON!"),
        ("order", "JSON"),
        ("at", "[JSON!]"),
        ("first", "Int"),
    ];
    assert_eq!(ops["search"].inputs, inputs(&expected));
    let save = &ops["mutation_save"];
    assert_eq!(save.operation_type, GraphqlOperationType::Mutation);
    assert_eq!(save.field, "save");
    assert_eq!(save.inputs, inputs(&[("ids", "[ID!]!")]));
    assert_eq!(ops["reset"].operation_type, GraphqlOperationType::Mutation);

    // The bare `__schema` object is accepted too.
    let bare = json!({ "__schema": answer["data"]["__schema"].clone() });
    assert_eq!(
        source_from_introspection("http://svc/graphql", &bare)?.operations,
        *ops
    );
    Ok(())
}

#[test]
fn introspection_malformed_answers_are_invalid() -> TestResult {
    let url = "http://svc/graphql";
    let cases: Vec<Value> = serde_json::from_str(&fixture("introspection-malformed.json")?)?;
    for case in cases {
        let (what, message) = invalid(source_from_introspection(url, &case["answer"]));
        match case["at"].as_str().unwrap_or_default() {
            "" => assert_eq!(what, format!("introspection answer of {url}")),
            at => assert_eq!(
                what,
                format!("introspection answer of {url} at `{at}`"),
                "{message}"
            ),
        }
    }
    // Deeply nested wrappers stop at a bound.
    let mut deep = json!({ "kind": "SCALAR", "name": "Int" });
    for _ in 0..100 {
        deep = json!({ "kind": "LIST", "ofType": deep });
    }
    let field = json!({ "name": "a", "args": [{ "name": "x", "type": deep }] });
    let query = json!({ "name": "Query", "fields": [field] });
    let answer = json!({ "__schema": { "queryType": { "name": "Query" }, "types": [query] } });
    invalid(source_from_introspection(url, &answer));
    Ok(())
}

// ---------------------------------------------------------------- OpenAPI

/// Each fixture document imports to exactly its `.expected.json` source (operation order,
/// names, templates, input types).
#[test]
fn openapi_fixtures_import_as_expected() -> TestResult {
    for (document, expected) in [
        ("petstore.yaml", "petstore.expected.json"),
        ("orders.json", "orders.expected.json"),
    ] {
        let source = import_openapi(&fixture(document)?, document, None)?;
        let expected: RestSource = serde_json::from_str(&fixture(expected)?)?;
        let pretty = serde_json::to_string_pretty(&source)?;
        assert_eq!(source, expected, "{document} imported as:\n{pretty}");
    }
    Ok(())
}

#[test]
fn openapi_base_url_override_and_missing_servers() -> TestResult {
    let doc = r#"{"openapi": "3.0.0", "info": {"title": "t"}, "paths": {"/a": {"get": {}}}}"#;
    let (what, _) = invalid(import_openapi(doc, "a.json", None));
    assert_eq!(what, "a.json at `servers`");
    let source = import_openapi(doc, "a.json", Some("http://override.test"))?;
    assert_eq!(source.base_url, "http://override.test");
    assert_eq!(source.operations["getA"].path, "/a");
    Ok(())
}

#[test]
fn openapi_refuses_swagger_2() {
    let doc = "swagger: \"2.0\"\ninfo: {title: old}\npaths: {}\n";
    let (what, message) = invalid(import_openapi(doc, "old.yaml", None));
    assert_eq!(what, "old.yaml at `swagger`");
    assert!(
        message.contains("Swagger 2.0") && message.contains("OpenAPI 3"),
        "{message}"
    );
    let doc = r#"{"openapi": "4.0.0", "paths": {}}"#;
    let (what, _) = invalid(import_openapi(doc, "new.json", None));
    assert_eq!(what, "new.json at `openapi`");
}

#[test]
fn openapi_truncated_documents_name_the_origin() -> TestResult {
    let yaml = fixture("petstore.yaml")?;
    let cut = yaml
        .find("\"#/components/parameters/Limit")
        .ok_or("fixture changed")?
        + 5;
    let (what, message) = invalid(import_openapi(&yaml[..cut], "petstore.yaml", None));
    assert_eq!(what, "petstore.yaml");
    assert!(message.contains("YAML"), "{message}");

    let text = fixture("orders.json")?;
    let (what, message) = invalid(import_openapi(&text[..text.len() / 2], "orders.json", None));
    assert_eq!(what, "orders.json");
    assert!(
        message.contains("JSON") && message.contains("line"),
        "{message}"
    );

    let (what, _) = invalid(import_openapi("", "empty.yaml", None));
    assert_eq!(what, "empty.yaml");
    Ok(())
}

fn document(paths: Value, components: Value) -> String {
    let servers = json!([{ "url": "http://x" }]);
    json!({ "openapi": "3.0.0", "servers": servers, "paths": paths, "components": components })
        .to_string()
}

#[test]
fn openapi_errors_name_the_json_location() {
    let cases = [
        (json!({ "in": "path" }), "`name`"),
        (
            json!({ "$ref": "#/components/parameters/Nope" }),
            "#/components/parameters/Nope",
        ),
        (json!({ "$ref": "other.yaml#/P" }), "other.yaml#/P"),
        (
            json!({ "name": "x", "in": "path", "required": true }),
            "`x`",
        ),
        (json!({ "name": "x", "in": "body" }), "`body`"),
    ];
    for (parameter, fragment) in cases {
        let paths = json!({ "/orders/{id}": { "get": { "parameters": [parameter] } } });
        let (what, message) = invalid(import_openapi(&document(paths, json!({})), "o.json", None));
        assert!(
            what.starts_with("o.json at `paths./orders/{id}.get.parameters[0]"),
            "{what}"
        );
        assert!(message.contains(fragment), "{message}");
    }
}

#[test]
fn openapi_circular_refs_terminate() {
    let components = json!({
        "parameters": {
            "P": { "$ref": "#/components/parameters/Q" },
            "Q": { "$ref": "#/components/parameters/P" }
        },
        "schemas": { "Loop": { "$ref": "#/components/schemas/Loop" } }
    });
    let schema = json!({ "$ref": "#/components/schemas/Loop" });
    let body = json!({ "content": { "application/json": { "schema": schema } } });
    let parameters = json!([{ "$ref": "#/components/parameters/P" }]);
    let op = json!({ "parameters": parameters, "requestBody": body });
    let doc = document(json!({ "/a": { "post": op } }), components.clone());
    let (what, message) = invalid(import_openapi(&doc, "loop.json", None));
    assert_eq!(what, "loop.json at `paths./a.post.parameters[0]`");
    assert!(message.contains("circular"), "{message}");

    // Only the body's schema loops.
    let doc = document(
        json!({ "/a": { "post": { "requestBody": body } } }),
        components,
    );
    let (what, message) = invalid(import_openapi(&doc, "loop.json", None));
    assert_eq!(
        what,
        "loop.json at `paths./a.post.requestBody.content.application/json.schema`"
    );
    assert!(message.contains("circular"), "{message}");
}

/// OpenAPI and .proto documents using the whole type system (enums, `oneOf`/`anyOf` with a
/// discriminator, nested request bodies, POST/PUT/PATCH/DELETE; proto enums, `oneof`, nested
/// and repeated fields) import, and the imported sources make workspaces `knot check`
/// passes, with enums, input objects, a union and mutations bound to them.
#[test]
fn type_system_fixtures_import_into_workspaces_that_check() -> TestResult {
    let dir = format!("{}/typesystem", fixtures());
    let rest = import_openapi(&fixture("typesystem/store.yaml")?, "store.yaml", None)?;
    let methods: Vec<(&str, &str)> = rest
        .operations
        .iter()
        .map(|(n, o)| (n.as_str(), o.method.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("listOrders", "GET"),
            ("placeOrder", "POST"),
            ("replaceOrder", "PUT"),
            ("setStatus", "PATCH"),
            ("cancelOrder", "DELETE"),
            ("search", "GET")
        ]
    );
    // A nested request body becomes one input per property; what has no GraphQL scalar
    // (objects, `oneOf`) travels as JSON; a string enum as a String.
    let place = &rest.operations["placeOrder"];
    assert_eq!(
        place.inputs,
        inputs(&[
            ("userId", "String!"),
            ("lines", "[JSON!]!"),
            ("payment", "JSON")
        ])
    );
    assert_eq!(rest.operations["setStatus"].inputs["status"], "String!");
    let set = protox::compile(["trading.proto"], [dir.as_str()])?;
    let pool = prost_reflect::DescriptorPool::from_file_descriptor_set(set)?;
    let grpc_ops = knot_connect::reflect::operations_from_pool(&pool);
    assert_eq!(keys(&grpc_ops), ["PlaceOrder", "GetOrder"]);
    // A proto enum is sent by its value name, a `oneof` member is an optional input each.
    assert_eq!(
        grpc_ops["PlaceOrder"].inputs,
        inputs(&[
            ("instrument_id", "String"),
            ("side", "String"),
            ("quantity", "Int"),
            ("limit", "JSON"),
            ("market", "Boolean"),
            ("tags", "[String!]")
        ])
    );
    let mut store = serde_json::to_value(&rest)?;
    store["kind"] = "rest".into();
    let ws = serde_json::json!({
        "version": 1, "name": "typesystem",
        "sources": {
            "store": store,
            "trading": {"kind": "grpc", "endpoint": "http://127.0.0.1:1",
                        "protoFiles": [format!("{dir}/trading.proto")],
                        "operations": serde_json::to_value(&grpc_ops)?}
        },
        "schema": {
            "types": {
                "Query": {"fields": {
                    "orders": {"type": "[Order!]!", "arguments": {"status": {"type": "OrderStatus"}},
                        "binding": {"source": "store", "operation": "listOrders", "args": {"status": {"argument": "status"}}}},
                    "search": {"type": "[SearchResult!]!", "arguments": {"text": {"type": "String!"}},
                        "binding": {"source": "store", "operation": "search", "args": {"text": {"argument": "text"}}}}
                }},
                "Mutation": {"fields": {
                    "placeOrder": {"type": "Order", "arguments": {"input": {"type": "NewOrderInput!"}},
                        "binding": {"source": "store", "operation": "placeOrder", "args": {
                            "userId": {"argument": "input.userId"}, "lines": {"argument": "input.lines"},
                            "payment": {"argument": "input.payment"}}}},
                    "setStatus": {"type": "Order", "arguments": {"id": {"type": "ID!"}, "status": {"type": "OrderStatus!"}},
                        "binding": {"source": "store", "operation": "setStatus", "args": {
                            "id": {"argument": "id"}, "status": {"argument": "status"}}}},
                    "cancelOrder": {"type": "Boolean", "arguments": {"id": {"type": "ID!"}},
                        "binding": {"source": "store", "operation": "cancelOrder", "args": {"id": {"argument": "id"}}}},
                    "trade": {"type": "Trade", "arguments": {
                            "instrument": {"type": "ID!"}, "side": {"type": "Side!"}, "quantity": {"type": "Int!"}},
                        "binding": {"source": "trading", "operation": "PlaceOrder", "args": {
                            "instrument_id": {"argument": "instrument"}, "side": {"argument": "side"},
                            "quantity": {"argument": "quantity"}}}}
                }},
                "Order": {"fields": {"id": {"type": "ID!"}, "status": {"type": "OrderStatus"}}},
                "Trade": {"fields": {"id": {"type": "ID!"}, "side": {"type": "Side"},
                                     "filledPrice": {"type": "Float", "from": "filled_price"}}},
                "User": {"fields": {"id": {"type": "ID!"}, "name": {"type": "String"}}},
                "Product": {"fields": {"id": {"type": "ID!"}, "title": {"type": "String"}}}
            },
            "enums": {
                "OrderStatus": {"values": {"PLACED": {"from": "placed"}, "SHIPPED": {"from": "shipped"}, "DELIVERED": {"from": "delivered"}}},
                "Side": {"values": {"BUY": {"from": "SIDE_BUY"}, "SELL": {"from": "SIDE_SELL"}}}
            },
            "inputs": {
                "LineInput": {"fields": {"productId": {"type": "ID!"}, "quantity": {"type": "Int!"}}},
                "NewOrderInput": {"fields": {"userId": {"type": "ID!"}, "lines": {"type": "[LineInput!]!"}, "payment": {"type": "JSON"}}}
            },
            "unions": {"SearchResult": {"types": ["User", "Product"],
                "discriminator": {"field": "kind", "values": {"User": "user", "Product": "product"}}}}
        }
    });
    let report = knot_model::check_bytes(&serde_json::to_vec_pretty(&ws)?);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    Ok(())
}

/// The OpenAPI document's types come in too: enums with the document's spelling kept,
/// objects, discriminated unions, request bodies as input objects.
#[test]
fn openapi_types_import_as_enums_objects_unions_and_inputs() -> TestResult {
    let text = fixture("typesystem/store.yaml")?;
    let schema = knot_connect::openapi_types::import_openapi_types(&text, "store.yaml")?;
    let status = &schema.enums["OrderStatus"];
    assert_eq!(keys(&status.values), ["PLACED", "SHIPPED", "DELIVERED"]);
    assert_eq!(status.values["PLACED"].from.as_deref(), Some("placed"));
    assert_eq!(
        keys(&schema.types),
        ["Line", "Card", "Transfer", "NewOrder", "Order", "User", "Product"]
    );
    assert_eq!(schema.types["Order"].fields["status"].ty, "OrderStatus");
    assert_eq!(schema.types["NewOrder"].fields["lines"].ty, "[Line!]!");
    // A renamed field keeps the document's name as `from`; date-times are DateTime.
    let signed_up = &schema.types["User"].fields["signed_up"];
    assert_eq!(
        (signed_up.ty.as_str(), signed_up.from.as_deref()),
        ("DateTime", Some("signed-up"))
    );
    assert!(schema.scalars.contains_key("DateTime"));
    let search = &schema.unions["SearchResult"];
    assert_eq!(search.types, ["User", "Product"]);
    let d = search.discriminator.as_ref().expect("discriminator");
    assert_eq!(d.field, "kind");
    assert_eq!(
        (d.value_for("User"), d.value_for("Product")),
        ("user", "product")
    );
    // Without a mapping, a member's value is its schema name.
    let payment = schema.unions["Payment"].discriminator.as_ref().expect("d");
    assert_eq!(payment.value_for("Card"), "Card");
    assert_eq!(keys(&schema.inputs), ["NewOrderInput", "LineInput"]);
    let new_order = &schema.inputs["NewOrderInput"].fields;
    assert_eq!(new_order["lines"].ty, "[LineInput!]!");
    assert_eq!(new_order["payment"].ty, "JSON");
    // With the imported source and two root fields, it is a workspace knot check passes.
    let mut store = serde_json::to_value(import_openapi(&text, "store.yaml", None)?)?;
    store["kind"] = "rest".into();
    let mut schema_json = serde_json::to_value(&schema)?;
    schema_json["types"]["Query"] = serde_json::json!({"fields": {"search": {
        "type": "[SearchResult!]!", "arguments": {"text": {"type": "String!"}},
        "binding": {"source": "store", "operation": "search", "args": {"text": {"argument": "text"}}}}}});
    schema_json["types"]["Mutation"] = serde_json::json!({"fields": {"placeOrder": {
        "type": "Order", "arguments": {"input": {"type": "NewOrderInput!"}},
        "binding": {"source": "store", "operation": "placeOrder", "args": {
            "userId": {"argument": "input.userId"}, "lines": {"argument": "input.lines"},
            "payment": {"argument": "input.payment"}}}}}});
    let ws = serde_json::json!({"version": 1, "name": "store", "sources": {"store": store}, "schema": schema_json});
    let report = knot_model::check_bytes(&serde_json::to_vec_pretty(&ws)?);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    Ok(())
}

/// A .proto's types come in too: answers as object types (proto3 JSON names), enums by
/// value name, request messages as input objects, `oneof` members as nullable fields.
#[test]
fn proto_types_import_as_objects_enums_and_inputs() -> TestResult {
    let dir = format!("{}/typesystem", fixtures());
    let set = protox::compile(["trading.proto"], [dir.as_str()])?;
    let pool = prost_reflect::DescriptorPool::from_file_descriptor_set(set)?;
    let schema = knot_connect::proto_types::types_from_pool(&pool);
    assert_eq!(
        keys(&schema.enums["Side"].values),
        ["SIDE_UNSPECIFIED", "SIDE_BUY", "SIDE_SELL"]
    );
    assert_eq!(keys(&schema.types), ["Order"]);
    let order = &schema.types["Order"].fields;
    assert_eq!(keys(order), ["id", "side", "filledPrice", "rejection"]);
    assert_eq!(order["side"].ty, "Side");
    assert_eq!(order["filledPrice"].ty, "Float");
    assert_eq!(keys(&schema.inputs), ["LimitInput"]);
    assert_eq!(schema.inputs["LimitInput"].fields["price"].ty, "Float");
    // Bound to the imported operations, the types make a workspace knot check passes.
    let ops = knot_connect::reflect::operations_from_pool(&pool);
    let mut schema_json = serde_json::to_value(&schema)?;
    schema_json["types"]["Query"] = serde_json::json!({"fields": {"order": {
        "type": "Order", "arguments": {"id": {"type": "ID!"}},
        "binding": {"source": "trading", "operation": "GetOrder", "args": {"id": {"argument": "id"}}}}}});
    schema_json["types"]["Mutation"] = serde_json::json!({"fields": {"trade": {
        "type": "Order",
        "arguments": {"instrument": {"type": "ID!"}, "side": {"type": "Side!"}, "limit": {"type": "LimitInput"}},
        "binding": {"source": "trading", "operation": "PlaceOrder", "args": {
            "instrument_id": {"argument": "instrument"}, "side": {"argument": "side"},
            "limit": {"argument": "limit"}}}}}});
    let ws = serde_json::json!({
        "version": 1, "name": "trading",
        "sources": {"trading": {"kind": "grpc", "endpoint": "http://127.0.0.1:1",
            "protoFiles": [format!("{dir}/trading.proto")], "operations": ops}},
        "schema": schema_json
    });
    let report = knot_model::check_bytes(&serde_json::to_vec_pretty(&ws)?);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    Ok(())
}
