//! One engine, seen from the command line: a workspace of Federation subgraphs and one of
//! bound REST/gRPC/GraphQL fields give the same kinds of answers: one public schema,
//! plans of the same shape (with each node's `kind`), and traces that validate against
//! the one trace schema committed in `schema/`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn knot(args: &[String]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_knot"))
        .args(args)
        .current_dir(root())
        .env(
            "KNOT_DATA_DIR",
            std::env::temp_dir().join("knot-one-engine-tests"),
        )
        .env_remove("KNOT_LOG")
        .output()
        .expect("knot runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn trace_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(root().join("schema/knot-trace.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the trace schema is a valid JSON Schema")
}

fn assert_valid(validator: &jsonschema::Validator, trace: &Value, what: &str) {
    let problems: Vec<String> = validator
        .iter_errors(trace)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

#[test]
fn the_fleet_schema_is_the_supergraphs_public_schema() {
    let (status, sdl, stderr) = knot(&args(&["schema", "examples/fleet.knot.json"]));
    assert_eq!(status, 0, "{stderr}");
    for expected in [
        "device(id: ID!): Device",
        "devices: [Device!]!",
        "camera: Camera",
        "maintenance: Maintenance",
        "cameraLocation: Location",
        "street: String!",
        "type Query {",
    ] {
        assert!(sdl.contains(expected), "`{expected}` missing from:\n{sdl}");
    }
    for internal in [
        "@join__",
        "@key",
        "_entities",
        "__schema",
        "_Any",
        "scalar String",
    ] {
        assert!(!sdl.contains(internal), "`{internal}` leaked into:\n{sdl}");
    }
}

#[test]
fn plans_of_both_kinds_of_workspace_have_one_shape_with_node_kinds() {
    let (status, shop, stderr) = knot(&args(&[
        "plan",
        "examples/shop.knot.json",
        "--operation",
        "OrderDetails",
        "--variables",
        r#"{"id": "1"}"#,
    ]));
    assert_eq!(status, 0, "{stderr}");
    let shop: Value = serde_json::from_str(&shop).unwrap();
    let (status, fleet, stderr) = knot(&args(&[
        "plan",
        "examples/fleet.knot.json",
        "--query",
        r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#,
    ]));
    assert_eq!(status, 0, "{stderr}");
    let fleet: Value = serde_json::from_str(&fleet).unwrap();
    let kinds = |plan: &Value| -> Vec<String> {
        plan["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(kinds(&shop).iter().all(|k| k == "bound"), "{shop}");
    assert_eq!(
        kinds(&fleet),
        ["subgraphRoot", "entity", "entity"],
        "{fleet}"
    );
    assert_eq!(fleet["stages"], serde_json::json!([[0], [1], [2]]));
    for plan in [&shop, &fleet] {
        for node in plan["nodes"].as_array().unwrap() {
            for key in ["id", "label", "path", "source", "operation", "mode"] {
                assert!(node.get(key).is_some(), "`{key}` missing in {node}");
            }
        }
    }
    // The same renderings serve both.
    let (_, dot, _) = knot(&args(&[
        "plan",
        "examples/fleet.knot.json",
        "--query",
        r#"{ device(id: "1") { name } }"#,
        "--format",
        "dot",
    ]));
    assert!(dot.starts_with("digraph plan {"), "{dot}");
    assert!(
        dot.contains("graphql device.devices") || dot.contains("graphql device.device"),
        "{dot}"
    );
}

#[test]
fn run_traces_of_shop_and_fleet_validate_against_the_one_trace_schema() {
    let validator = trace_validator();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt
        .block_on(knot_demo::Demo::start(knot_demo::DemoConfig {
            ports: knot_demo::DemoPorts::ephemeral(),
            ..Default::default()
        }))
        .unwrap();
    let fleet = rt
        .block_on(knot_demo::FederationDemo::start(
            knot_demo::FederationConfig {
                ports: knot_demo::FederationPorts::ephemeral(),
                ..Default::default()
            },
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |workspace: &str, query: &[&str], vars: Vec<(String, String)>, name: &str| {
        let trace = dir.path().join(name);
        let mut a = args(&["run", workspace, "--no-history", "--trace"]);
        a.push(trace.display().to_string());
        a.extend(query.iter().map(|s| s.to_string()));
        for (k, v) in vars {
            a.push("--var".into());
            a.push(format!("{k}={v}"));
        }
        let (status, stdout, stderr) = knot(&a);
        assert_eq!(status, 0, "{stderr}");
        let response: Value = serde_json::from_str(&stdout).unwrap();
        let trace: Value = serde_json::from_slice(&std::fs::read(trace).unwrap()).unwrap();
        (response, trace)
    };
    let (shop_answer, shop_trace) = run(
        "examples/shop.knot.json",
        &[
            "--operation",
            "OrderDetails",
            "--variables",
            r#"{"id": "1"}"#,
        ],
        demo.env_vars(),
        "shop.json",
    );
    assert_eq!(
        shop_answer["data"]["getOrderDetails"]["user"]["name"],
        "Ada Lovelace"
    );
    assert_valid(&validator, &shop_trace, "shop trace");
    let (fleet_answer, fleet_trace) = run(
        "examples/fleet.knot.json",
        &[
            "--query",
            r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#,
        ],
        fleet.env_vars(),
        "fleet.json",
    );
    assert_eq!(
        fleet_answer["data"]["device"]["camera"]["cameraLocation"]["street"],
        "1 Harbour Street"
    );
    assert_valid(&validator, &fleet_trace, "fleet trace");
    // One span per subgraph call, named by its subgraph and operation, with node runs.
    let spans = fleet_trace["spans"].as_array().unwrap();
    let named: Vec<(String, String)> = spans
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["operation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("device".to_string(), "device".to_string()),
            ("safety".to_string(), "_entities".to_string()),
            ("device".to_string(), "_entities".to_string()),
        ]
    );
    assert_eq!(fleet_trace["nodes"].as_array().map(Vec::len), Some(3));
    // A broken file is refused the same way for both.
    let validator_errors: Vec<String> = validator
        .iter_errors(&serde_json::json!({"plan": {}, "nodes": [], "spans": [{"step": 0}], "errors": [], "duration_ms": 1.0}))
        .map(|e| e.to_string())
        .collect();
    assert!(
        !validator_errors.is_empty(),
        "the old federation span shape must not validate"
    );
    drop(fleet);
    drop(demo);
    drop(rt);
}

#[test]
fn the_fleet_topology_shows_the_subgraphs_types_and_what_its_operation_reaches() {
    let (status, out, stderr) = knot(&args(&[
        "topology",
        "examples/fleet.knot.json",
        "--format",
        "json",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let topo: Value = serde_json::from_str(&out).unwrap();
    let nodes: Vec<&str> = topo["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for id in [
        "type:Query",
        "type:Device",
        "type:Camera",
        "type:Location",
        "type:Maintenance",
        "source:device",
        "source:safety",
        "source:maintenance",
        "operation:DeviceLocation",
    ] {
        assert!(nodes.contains(&id), "{id} missing from {nodes:?}");
    }
    let edge = |from: &str, to: &str, kind: &str| {
        topo["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    assert!(edge("source:device", "type:Device", "feeds"), "{topo}");
    assert!(edge("source:safety", "type:Camera", "feeds"), "{topo}");
    assert!(
        edge("source:maintenance", "type:Maintenance", "feeds"),
        "{topo}"
    );
    assert!(edge("type:Device", "type:Camera", "holds"), "{topo}");
    assert!(edge("type:Camera", "type:Location", "holds"), "{topo}");
    for source in ["device", "safety", "maintenance"] {
        assert!(
            edge(
                "operation:DeviceLocation",
                &format!("source:{source}"),
                "reaches"
            ),
            "DeviceLocation should reach {source}: {topo}"
        );
    }
    // The generated subgraph is Knot's own mechanism, not a source of the user's.
    assert!(!out.contains("bindings"), "{out}");
}
