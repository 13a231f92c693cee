//! New sources for a stored workspace: from an OpenAPI document, a folder of .proto files
//! (paths written relative to the linked file, descriptors cached), and a GraphQL endpoint
//! by introspection (cached, and the cache used when the endpoint is down).

mod common;

use common::{root, workspace};
use knot_model::{to_canonical_json, Source};
use knot_store::{CacheKind, FileWrite, Store};
use std::time::Duration;

#[tokio::test]
async fn an_openapi_document_becomes_a_rest_source_and_the_linked_file_follows() {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::open(data.path()).await.unwrap();
    let path = files.path().join("w.knot.json");
    std::fs::write(&path, to_canonical_json(&workspace("w"))).unwrap();
    let id = store.import_file(&path).await.unwrap().id;
    let doc_path = root().join("crates/knot-connect/tests/fixtures/orders.json");
    let text = std::fs::read_to_string(&doc_path).unwrap();
    let saved = store
        .add_openapi_source(id, "orders", &text, "orders.json", None)
        .await
        .unwrap();
    assert!(
        matches!(saved.file, FileWrite::Written { .. }),
        "{:?}",
        saved.file
    );
    let ws = store.workspace(id).await.unwrap().workspace;
    let Some(Source::Rest(rest)) = ws.sources.get("orders") else {
        panic!("no REST source")
    };
    assert_eq!(rest.base_url, "http://127.0.0.1:7101");
    assert!(
        rest.operations.contains_key("updateOrder"),
        "{:?}",
        rest.operations.keys()
    );
    let report = knot_model::check_bytes(&std::fs::read(&path).unwrap());
    assert!(report
        .workspace
        .is_some_and(|w| w.sources.contains_key("orders")));
    // The same name twice is refused; a broken document names itself.
    let err = store
        .add_openapi_source(id, "orders", &text, "orders.json", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "source-taken");
    let err = store
        .add_openapi_source(id, "bad", "{\"openapi\": 3", "bad.json", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "import");
    assert!(err.to_string().contains("bad.json"), "{err}");
}

#[tokio::test]
async fn a_proto_folder_becomes_a_grpc_source_with_paths_relative_to_the_file() {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let protos = files.path().join("protos/v1");
    std::fs::create_dir_all(&protos).unwrap();
    std::fs::copy(
        root().join("proto/products.proto"),
        protos.join("products.proto"),
    )
    .unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    let path = files.path().join("w.knot.json");
    store.link_file(id, &path).await.unwrap();

    store
        .add_proto_source(id, "products", "{{env.PRODUCTS_URL}}", &protos)
        .await
        .unwrap();
    let ws = store.workspace(id).await.unwrap().workspace;
    let Some(Source::Grpc(g)) = ws.sources.get("products") else {
        panic!("no gRPC source")
    };
    assert_eq!(g.proto_files, vec!["protos/v1/products.proto".to_string()]);
    let mut ops: Vec<_> = g.operations.keys().cloned().collect();
    ops.sort();
    assert_eq!(ops, vec!["GetProduct", "GetProducts"]);
    assert_eq!(
        g.operations["GetProduct"].method,
        "knot.demo.products.v1.ProductService/GetProduct"
    );
    // The file's paths compile from the file's folder, as the engine will compile them.
    knot_connect::grpc::compile_protos(&g.proto_files, &g.import_paths, files.path()).unwrap();
    // The compiled descriptors were cached under the files' content hash.
    let key = knot_store::cache::proto_key(&[(
        "protos/v1/products.proto".into(),
        std::fs::read(protos.join("products.proto")).unwrap(),
    )]);
    assert!(store
        .cache_get(CacheKind::ProtoDescriptors, &key)
        .await
        .unwrap()
        .is_some());
    // A folder with a broken file is an error naming it; nothing is added.
    std::fs::write(
        protos.join("broken.proto"),
        "syntax = \"proto3\"; message {",
    )
    .unwrap();
    let err = store
        .add_proto_source(id, "more", "http://x", &protos)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("broken.proto"), "{err}");
    assert!(!store
        .workspace(id)
        .await
        .unwrap()
        .workspace
        .sources
        .contains_key("more"));
}

#[tokio::test]
async fn a_graphql_endpoint_is_introspected_and_its_cache_serves_when_it_is_down() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    let demo = knot_demo::Demo::start(knot_demo::DemoConfig {
        ports: knot_demo::DemoPorts::ephemeral(),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("{}/graphql", demo.url(knot_demo::Service::Reviews));
    let timeout = Duration::from_secs(5);
    store
        .add_graphql_source(id, "reviews", &url, &[], timeout)
        .await
        .unwrap();
    let ws = store.workspace(id).await.unwrap().workspace;
    let Some(Source::Graphql(g)) = ws.sources.get("reviews") else {
        panic!("no GraphQL source")
    };
    assert!(
        g.operations.contains_key("reviews"),
        "{:?}",
        g.operations.keys()
    );
    assert!(store
        .cache_get(CacheKind::Introspection, &url)
        .await
        .unwrap()
        .is_some());

    demo.shutdown().await;
    store
        .add_graphql_source(id, "reviews2", &url, &[], timeout)
        .await
        .unwrap();
    let ws = store.workspace(id).await.unwrap().workspace;
    assert_eq!(
        ws.sources.get("reviews2"),
        ws.sources.get("reviews"),
        "served from the cache"
    );
    // An endpoint never seen and not reachable is an error naming it.
    let err = store
        .add_graphql_source(
            id,
            "nowhere",
            "http://127.0.0.1:9/graphql",
            &[],
            Duration::from_millis(500),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
}
