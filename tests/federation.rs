//! `knot serve` as a Federation gateway over real HTTP: the fleet workspace
//! (subgraph sources composed at load) and a supergraph file served as is.

use knot_demo::{subgraph_sdl, Subgraph};
use knot_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const FLEET: &str = r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#;

async fn serve(
    path: &std::path::Path,
    vars: Vec<(String, String)>,
    supergraph: bool,
) -> knot_serve::Running {
    let mut options = knot_serve::ServeOptions::new(path);
    options.listen = "127.0.0.1:0".parse().expect("address");
    options.vars = vars;
    options
        .vars
        .push(("KNOT_TEST_TRACE_TOKEN".into(), TRACE_TOKEN.into()));
    options.supergraph = supergraph;
    options.trace_header = supergraph.then(|| "x-knot-trace".to_owned());
    options.trace_token = supergraph.then(|| TRACE_TOKEN.to_owned());
    knot_serve::start(options, std::future::pending())
        .await
        .expect("gateway starts")
}

async fn post(addr: std::net::SocketAddr, query: &str, trace: bool) -> Value {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut request = client
        .post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .json(&json!({ "query": query }));
    if trace {
        request = request.header("x-knot-trace", TRACE_TOKEN);
    }
    request
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn the_fleet_workspace_serves_the_stitched_answer() {
    let demo = start_fleet().await;
    // The example file as committed, its SDL files beside it, URLs from the environment.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fleet_copy(dir.path());
    let gw = serve(&path, demo.env_vars(), false).await;
    let body = post(gw.addr, FLEET, false).await;
    assert_eq!(
        body,
        json!({"data": {"device": {"name": "Front door", "camera": {"cameraLocation": {"street": "1 Harbour Street"}}}}})
    );
    let calls: Vec<(Subgraph, usize)> = demo
        .requests()
        .iter()
        .map(|r| (r.subgraph, r.representation_count()))
        .collect();
    assert_eq!(
        calls,
        vec![
            (Subgraph::Device, 0),
            (Subgraph::Safety, 1),
            (Subgraph::Device, 1)
        ]
    );
    // Errors keep Knot's rules: category and a fixed message, no subgraph named.
    let body = post(
        gw.addr,
        r#"{ device(id: "5") { camera { cameraLocation { street } } } }"#,
        false,
    )
    .await;
    assert_eq!(
        body["data"]["device"]["camera"]["cameraLocation"],
        Value::Null
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["device", "camera", "cameraLocation"])
    );
    assert_eq!(body["errors"][0]["extensions"]["category"], "DEPENDENCY");
    assert!(!body.to_string().contains("offline"), "{body}");
    // Introspection answers from the supergraph's public schema.
    let body = post(
        gw.addr,
        "{ __type(name: \"Camera\") { fields { name } } }",
        false,
    )
    .await;
    let fields: Vec<&str> = body["data"]["__type"]["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, vec!["cameraLocation", "id"], "{body}");
    // A request error is answered before any call.
    demo.clear_requests();
    let body = post(gw.addr, "{ device { name } }", false).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("id"),
        "{body}"
    );
    assert!(demo.requests().is_empty());
    gw.shutdown().await;
}

fn fleet_copy(dir: &std::path::Path) -> std::path::PathBuf {
    knot_tests::fleet_copy(dir, with_trace)
}

#[tokio::test]
async fn a_rest_binding_on_a_federated_type_is_one_batched_call_beside_the_subgraphs() {
    let demo = start_fleet().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let gw = serve(&fleet_copy(dir.path()), demo.env_vars(), false).await;
    let query =
        "{ devices { id maintenance { technician } camera { cameraLocation { street } } } }";
    let body = post(gw.addr, query, true).await;
    let devices = body["data"]["devices"].as_array().expect("devices").clone();
    assert_eq!(devices.len(), 8);
    assert_eq!(devices[0]["maintenance"], json!({"technician": "Rosa"}));
    assert_eq!(devices[2]["maintenance"], json!({"technician": "Malik"}));
    assert_eq!(
        devices[0]["camera"]["cameraLocation"]["street"],
        "1 Harbour Street"
    );
    // Devices 6 and 8 have no record: a missing key is an error at that device, never a
    // shifted result.
    assert_eq!(devices[5]["maintenance"], Value::Null);
    assert_eq!(devices[7]["maintenance"], Value::Null);
    let paths: Vec<Value> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].clone())
        .collect();
    assert!(
        paths.contains(&json!(["devices", 5, "maintenance"])),
        "{paths:?}"
    );
    assert!(
        paths.contains(&json!(["devices", 7, "maintenance"])),
        "{paths:?}"
    );
    // The binding is a fetch of the plan like the subgraph fetches: it waits only for the
    // root fetch, beside the safety `_entities` fetch, and makes one REST call of source
    // `maintenance` carrying the 8 ids, a span of its own (one trace format for all).
    let knot = &body["extensions"]["knot"];
    let nodes = knot["plan"]["nodes"].as_array().expect("nodes");
    let maintenance = nodes
        .iter()
        .position(|n| n["source"] == "maintenance")
        .expect("a node of the maintenance source");
    assert_eq!(nodes[maintenance]["kind"], "bound");
    assert_eq!(nodes[maintenance]["operation"], "byDevices");
    assert_eq!(nodes[maintenance]["label"], "Device.maintenance");
    let safety = nodes
        .iter()
        .position(|n| n["source"] == "safety")
        .expect("a safety fetch");
    assert_eq!(nodes[safety]["kind"], "entity");
    assert!(
        nodes.iter().all(|n| n["source"] != "bindings"),
        "the generated subgraph never shows: {nodes:?}"
    );
    let stages = knot["plan"]["stages"].as_array().expect("stages");
    let stage_of = |id: usize| {
        stages
            .iter()
            .position(|s| s.as_array().is_some_and(|s| s.contains(&json!(id))))
    };
    assert_eq!(stage_of(maintenance), Some(1));
    assert_eq!(stage_of(safety), Some(1));
    // Only data makes a fetch wait: the camera location's fetch reads the cameras the
    // safety fetch wrote, never the maintenance records, so nothing waits for the
    // maintenance call (the planner's Sequence alone would make the location wait for it).
    let edges = knot["plan"]["edges"].as_array().expect("edges");
    assert!(
        edges.iter().all(|e| e["from"] != json!(maintenance)),
        "something waits for the maintenance call: {edges:?}"
    );
    let path_ends = |n: &Value, key: &str| {
        n["path"]
            .as_array()
            .is_some_and(|p| p.last() == Some(&json!(key)))
    };
    let cameras = nodes
        .iter()
        .position(|n| path_ends(n, "camera"))
        .expect("a fetch into the cameras");
    let location = nodes
        .iter()
        .position(|n| path_ends(n, "cameraLocation"))
        .expect("a fetch into the camera locations");
    let waits_for: Vec<&Value> = edges
        .iter()
        .filter(|e| e["to"] == json!(location))
        .map(|e| &e["from"])
        .collect();
    assert_eq!(waits_for, vec![&json!(cameras)], "{nodes:?} {edges:?}");
    let spans: Vec<&Value> = knot["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .filter(|s| s["source"] == "maintenance")
        .collect();
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0]["batch_size"], 8);
    assert_eq!(spans[0]["operation"], "byDevices");
    assert_eq!(spans[0]["node"], json!(maintenance));
    assert_eq!(spans[0]["request"]["method"], "GET");
    gw.shutdown().await;
}

#[tokio::test]
async fn a_rest_endpoint_serves_a_federated_query() {
    let demo = start_fleet().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let gw = serve(&fleet_copy(dir.path()), demo.env_vars(), false).await;
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("http://{}{path}", gw.addr)).send();
    // Ready like any workspace: its public schema has a Query root.
    let ready = get("/ready").await.expect("answer");
    assert_eq!(ready.status().as_u16(), 200);
    let r = get("/device-location/3").await.expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"name": "Loading bay", "maintenance": {"lastService": "2026-08-21"}, "camera": {"cameraLocation": {"street": "1 Harbour Street"}}})
    );
    // A blank id is refused before any call.
    demo.clear_requests();
    let r = get("/device-location/%20").await.expect("answer");
    assert_eq!(r.status().as_u16(), 400);
    assert!(demo.requests().is_empty());
    gw.shutdown().await;
}

/// The supergraph of the demo's device and safety subgraphs, written into `dir`.
fn device_safety_supergraph(
    demo: &knot_demo::FederationDemo,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    let subgraphs: Vec<knot_federation::SubgraphSdl> = [Subgraph::Device, Subgraph::Safety]
        .into_iter()
        .map(|s| knot_federation::SubgraphSdl {
            name: s.name().to_owned(),
            url: demo.url(s),
            sdl: subgraph_sdl(s),
        })
        .collect();
    let path = dir.join("supergraph.graphql");
    std::fs::write(
        &path,
        knot_federation::compose(&subgraphs).expect("composes"),
    )
    .expect("write");
    path
}

#[tokio::test]
async fn a_supergraph_file_is_served_with_its_plan_on_request() {
    let demo = start_fleet().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = device_safety_supergraph(&demo, dir.path());
    let gw = serve(&path, Vec::new(), true).await;
    let body = post(gw.addr, "query ping { __typename }", false).await;
    assert_eq!(body, json!({"data": {"__typename": "Query"}}));
    let body = post(gw.addr, FLEET, true).await;
    assert_eq!(
        body["data"]["device"]["camera"]["cameraLocation"]["street"],
        "1 Harbour Street"
    );
    let plan = &body["extensions"]["knot"]["plan"];
    assert_eq!(plan["stages"], json!([[0], [1], [2]]));
    let spans = body["extensions"]["knot"]["spans"]
        .as_array()
        .expect("spans");
    assert_eq!(spans.len(), 3);
    assert_eq!(spans[1]["source"], "safety");
    assert_eq!(spans[1]["operation"], "_entities");
    assert_eq!(spans[1]["batch_size"], 1);
    // The gateway's size limits apply to federation requests too, before any call.
    demo.clear_requests();
    let many: String = (0..31)
        .map(|i| format!("a{i}: device(id: \"1\") {{ id }} "))
        .collect();
    let body = post(gw.addr, &format!("{{ {many} }}"), false).await;
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("31 aliases"), "{body}");
    assert!(demo.requests().is_empty());
    gw.shutdown().await;
}

#[tokio::test]
async fn a_supergraph_gateway_speaks_h2c_to_its_subgraphs_only_when_asked() {
    let demo = start_fleet().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = device_safety_supergraph(&demo, dir.path());
    for (h2c, version) in [(false, "HTTP/1.1"), (true, "HTTP/2.0")] {
        demo.clear_requests();
        let mut options = knot_serve::ServeOptions::new(&path);
        options.listen = "127.0.0.1:0".parse().expect("address");
        options.supergraph = true;
        options.subgraph_h2c = h2c;
        let gw = knot_serve::start(options, std::future::pending())
            .await
            .expect("gateway starts");
        let body = post(gw.addr, FLEET, false).await;
        assert_eq!(
            body["data"]["device"]["camera"]["cameraLocation"]["street"], "1 Harbour Street",
            "h2c {h2c}: {body}"
        );
        let requests = demo.requests();
        assert_eq!(requests.len(), 3, "h2c {h2c}");
        for request in &requests {
            assert_eq!(request.http_version, version, "h2c {h2c}");
        }
        gw.shutdown().await;
    }
}

#[test]
fn the_fleet_example_sdl_files_are_what_the_demo_subgraphs_serve() {
    for s in [Subgraph::Device, Subgraph::Safety] {
        let file = repo_root().join(format!("examples/fleet/{}.graphql", s.name()));
        // `KNOT_BLESS=1 cargo test -p knot-tests --test federation` rewrites the files.
        if std::env::var_os("KNOT_BLESS").is_some() {
            std::fs::write(&file, subgraph_sdl(s)).expect("write SDL file");
        }
        let committed = std::fs::read_to_string(&file).expect("SDL file");
        assert_eq!(
            committed.trim_end(),
            subgraph_sdl(s).trim_end(),
            "{} is stale: regenerate it from knot_demo::subgraph_sdl",
            file.display()
        );
    }
}
