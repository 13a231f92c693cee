//! The `knot` binary as a user runs it: `check` on every broken fixture, `schema`, `plan`
//! in its three formats, and `run` against demo services on loopback.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A store folder of this test process's own, so runs never touch the user's app data.
fn data_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

fn knot(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_knot"))
        .args(args)
        .env("KNOT_DATA_DIR", data_dir())
        .current_dir(root())
        .output()
        .expect("knot runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Each broken file, the problem code `knot check --json` must report and a fragment of the
/// JSON path it must point at.
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "bad-template",
        "invalid-template",
        "$.sources.orders.operations.getOrder.path",
    ),
    (
        "batch-input-not-list",
        "type-mismatch",
        "$.schema.types.Order.fields.products.binding.key",
    ),
    (
        "binding-cycle",
        "binding-cycle",
        "$.schema.types.Order.fields",
    ),
    ("deep-nesting", "syntax", "$"),
    ("empty", "syntax", "$"),
    ("huge-number", "syntax", "$"),
    (
        "missing-operation",
        "unknown-operation",
        "$.schema.types.Order.fields.user.binding.operation",
    ),
    (
        "missing-parent-field",
        "unknown-field",
        "$.schema.types.Order.fields.user.binding.key.parent",
    ),
    ("missing-proto", "proto", "$.sources.products.protoFiles"),
    ("grpc-name-clash", "proto", "$.operations.PlaceOrder.grpc"),
    (
        "forwarded-hop-by-hop",
        "shape",
        "$.sources.users.forwardHeaders[1]",
    ),
    ("newer-version", "version", "$.version"),
    ("not-utf8", "syntax", "$"),
    (
        "saved-operation-invalid",
        "invalid-document",
        "$.operations.OrderDetails.document",
    ),
    (
        "secret-in-file",
        "secret-in-file",
        "$.environments.local.variables.API_KEY",
    ),
    ("syntax-error", "syntax", "$"),
    ("truncated", "syntax", "$"),
    (
        "type-mismatch",
        "type-mismatch",
        "$.schema.types.Order.fields.products",
    ),
    (
        "unknown-grpc-method",
        "proto",
        "$.sources.products.operations.GetProduct.method",
    ),
    (
        "unknown-source",
        "unknown-source",
        "$.schema.types.Order.fields.user.binding.source",
    ),
    (
        "unknown-type",
        "unknown-type",
        "$.schema.types.Order.fields.user.type",
    ),
    ("wrong-shape", "shape", "$.sources.orders.timeoutMs"),
];

#[test]
fn every_broken_workspace_gets_a_clear_located_error_and_exit_1() {
    let dir = root().join("tests/fixtures/broken");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".knot.json")
                .map(str::to_string)
        })
        .collect();
    files.sort();
    let mut expected: Vec<String> = BROKEN.iter().map(|(f, _, _)| f.to_string()).collect();
    expected.sort();
    assert_eq!(
        files, expected,
        "every fixture has an expectation and the other way round"
    );
    for (file, code, path) in BROKEN {
        let rel = format!("tests/fixtures/broken/{file}.knot.json");
        let (status, stdout, stderr) = knot(&["check", &rel, "--json"]);
        assert_eq!(status, 1, "{file}: {stdout}{stderr}");
        assert!(!stderr.contains("panicked"), "{file} panicked: {stderr}");
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{file}: {e}: {stdout}"));
        let problems = report["problems"].as_array().unwrap();
        let hit = problems.iter().find(|p| {
            p["code"] == *code && p["path"].as_str().is_some_and(|s| s.starts_with(path))
        });
        let hit = hit.unwrap_or_else(|| panic!("{file}: no `{code}` problem at {path}: {stdout}"));
        assert!(
            hit["line"].as_u64().is_some_and(|l| l >= 1),
            "{file}: no line: {hit}"
        );
        assert!(hit["message"].as_str().is_some_and(|m| m.len() > 10));
        // The human form names the file, line, column and path.
        let (status, text, _) = knot(&["check", &rel]);
        assert_eq!(status, 1);
        assert!(
            text.contains(&format!("{rel}:{}:", hit["line"])),
            "{file}: {text}"
        );
    }
}

#[test]
fn the_binding_cycle_is_named() {
    let (_, stdout, _) = knot(&["check", "tests/fixtures/broken/binding-cycle.knot.json"]);
    assert!(
        stdout.contains("binding cycle: Order.user -> Order.account -> Order.user"),
        "{stdout}"
    );
}

#[test]
fn examples_check_clean() {
    for ex in ["shop", "trading"] {
        let (status, stdout, stderr) = knot(&["check", &format!("examples/{ex}.knot.json")]);
        assert_eq!(status, 0, "{stdout}{stderr}");
        assert!(stdout.ends_with(": ok\n"));
    }
}

#[test]
fn schema_prints_the_public_sdl_without_private_keys() {
    let (status, stdout, _) = knot(&["schema", "examples/trading.knot.json"]);
    assert_eq!(status, 0);
    assert!(stdout.contains("type Event {") && stdout.contains("instrument: Instrument"));
    assert!(!stdout.contains("instrumentIdentifier") && !stdout.contains("orderIdentifier"));
}

#[test]
fn plan_prints_json_dot_and_mermaid_without_calling_anything() {
    // The environment points nowhere reachable: planning must not need the network.
    let args = [
        "plan",
        "examples/shop.knot.json",
        "--query",
        "{ getOrderDetails(id: \"1\") { user { name } products { name } } }",
    ];
    let (status, stdout, stderr) = knot(&args);
    assert_eq!(status, 0, "{stderr}");
    let plan: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(plan["stages"], serde_json::json!([[0], [1, 2]]));
    assert_eq!(plan["nodes"][2]["mode"], "batch");
    let (_, dot, _) = knot(&[&args[..], &["--format", "dot"]].concat());
    assert!(
        dot.starts_with("digraph plan {") && dot.contains("n0 -> n1;") && dot.contains("n0 -> n2;"),
        "{dot}"
    );
    let (_, mermaid, _) = knot(&[&args[..], &["--format", "mermaid"]].concat());
    assert!(
        mermaid.starts_with("flowchart LR") && mermaid.contains("n0 --> n2"),
        "{mermaid}"
    );
    let (status, _, stderr) = knot(&["plan", "examples/shop.knot.json", "--query", "{ nope }"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("`Query` has no field `nope`"), "{stderr}");
}

#[test]
fn run_prints_the_response_and_writes_the_trace() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt
        .block_on(knot_demo::Demo::start(knot_demo::DemoConfig {
            ports: knot_demo::DemoPorts::ephemeral(),
            ..Default::default()
        }))
        .unwrap();
    let trace = tempfile::NamedTempFile::new().unwrap();
    let mut args: Vec<String> = vec![
        "run".into(),
        "examples/shop.knot.json".into(),
        "--operation".into(),
        "OrderDetails".into(),
        "--variables".into(),
        r#"{"id": "1"}"#.into(),
        "--trace".into(),
        trace.path().display().to_string(),
    ];
    for (k, v) in demo.env_vars() {
        args.push("--var".into());
        args.push(format!("{k}={v}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, stdout, stderr) = knot(&refs);
    assert_eq!(status, 0, "{stderr}");
    let response: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(response["data"]["getOrderDetails"]["orderId"], "1");
    assert_eq!(
        response["data"]["getOrderDetails"]["user"]["name"],
        "Ada Lovelace"
    );
    assert_eq!(
        response["data"]["getOrderDetails"]["products"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let trace: Value = serde_json::from_slice(&std::fs::read(trace.path()).unwrap()).unwrap();
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 3);
    for key in [
        "node",
        "source",
        "operation",
        "start_ms",
        "end_ms",
        "batch_size",
        "status",
        "category",
    ] {
        assert!(
            spans.iter().all(|s| s.get(key).is_some()),
            "span field `{key}` missing"
        );
    }
    // Usage errors exit non-zero with a message.
    let (status, _, stderr) = knot(&["run", "examples/shop.knot.json"]);
    assert_ne!(status, 0);
    assert!(stderr.contains("--query"), "{stderr}");
    let (status, _, stderr) = knot(&[
        "run",
        "tests/fixtures/broken/unknown-source.knot.json",
        "--query",
        "{ x }",
    ]);
    assert_ne!(status, 0);
    assert!(stderr.contains("unknown source"), "{stderr}");
    drop(demo);
}

fn pipe(cmd: &str, args: &[&str], input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd} is installed by `make test` (scripts/setup.sh): {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn topology_dot_is_valid_graphviz_with_the_expected_nodes_and_edges() {
    let (status, dot, stderr) = knot(&["topology", "examples/shop.knot.json", "--format", "dot"]);
    assert_eq!(status, 0, "{stderr}");
    // Graphviz itself accepts it.
    let (ok, out) = pipe("dot", &["-Tsvg"], &dot);
    assert!(ok, "dot rejected the output: {out}\n{dot}");
    for node in [
        "\"source:orders\"",
        "\"source:users\"",
        "\"source:products\"",
        "\"type:Order\"",
        "\"type:User\"",
        "\"type:Product\"",
        "\"operation:OrderDetails\"",
    ] {
        assert!(
            dot.contains(&format!("{node} [")),
            "missing node {node}:\n{dot}"
        );
    }
    for edge in [
        "\"source:orders\" -> \"type:Order\" [label=\"getOrder (Query.getOrderDetails), placeOrder (Mutation.placeOrder)\"]",
        "\"source:users\" -> \"type:User\" [label=\"getUser (Order.user)\"]",
        "\"source:products\" -> \"type:Product\" [label=\"GetProducts (Order.products)\"]",
        "\"operation:OrderDetails\" -> \"source:products\"",
        "\"type:Order\" -> \"type:User\"",
    ] {
        assert!(dot.contains(edge), "missing edge {edge}:\n{dot}");
    }
    // The composite endpoint is named on its operation; private keys are nowhere.
    assert!(dot.contains("GET /composite-order-details/{id}") && !dot.contains("userId"));
}

#[test]
fn topology_svg_mermaid_and_json_describe_the_same_graph() {
    let (status, svg, _) = knot(&["topology", "examples/trading.knot.json", "--format", "svg"]);
    assert_eq!(status, 0);
    let (ok, out) = pipe("python3", &["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.read()); print('ok')"], &svg);
    assert!(ok, "the SVG is not well-formed XML: {out}");
    for label in [
        "DayEvents",
        "GET /day-events/{date}",
        "instruments",
        "trading-orders",
        "TradeOrder",
    ] {
        assert!(svg.contains(label), "SVG lacks {label}");
    }
    let (_, mermaid, _) = knot(&[
        "topology",
        "examples/trading.knot.json",
        "--format",
        "mermaid",
    ]);
    assert!(
        mermaid.starts_with("flowchart LR")
            && mermaid.contains("instruments")
            && mermaid.contains("==>"),
        "{mermaid}"
    );
    let (_, json, _) = knot(&["topology", "examples/trading.knot.json", "--format", "json"]);
    let topo: Value = serde_json::from_str(&json).unwrap();
    let reaches: Vec<&str> = topo["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "reaches")
        .filter_map(|e| e["to"].as_str())
        .collect();
    assert_eq!(
        reaches,
        vec![
            "source:events",
            "source:instruments",
            "source:trading-orders"
        ]
    );
}

#[test]
fn import_openapi_with_types_prints_the_source_and_its_schema_types() {
    let file = root().join("crates/knot-connect/tests/fixtures/typesystem/store.yaml");
    let (code, out, err) = knot(&["import", "openapi", &file.display().to_string(), "--types"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["source"]["kind"], "rest");
    assert_eq!(v["source"]["operations"]["placeOrder"]["method"], "POST");
    assert_eq!(
        v["schema"]["enums"]["OrderStatus"]["values"]["SHIPPED"]["from"],
        "shipped"
    );
    assert_eq!(
        v["schema"]["unions"]["SearchResult"]["types"],
        serde_json::json!(["User", "Product"])
    );
    assert!(v["schema"]["inputs"]["NewOrderInput"].is_object(), "{out}");
    // Without --types: the source alone, as before.
    let (code, out, _) = knot(&["import", "openapi", &file.display().to_string()]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["kind"], "rest");
}

/// `knot export`: the OpenAPI document and the .proto, the same bytes every time; new gRPC
/// field numbers are written into the workspace once, and the file is left alone after.
#[test]
fn export_writes_the_openapi_document_and_the_proto_and_records_field_numbers_once() {
    let (status, first, stderr) = knot(&["export", "openapi", "examples/shop.knot.json"]);
    assert_eq!(status, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/composite-order-details/{id}"]["get"].is_object());
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("shop.openapi.json");
    let out_arg = out.display().to_string();
    let (status, _, _) = knot(&[
        "export",
        "openapi",
        "examples/shop.knot.json",
        "-o",
        &out_arg,
    ]);
    assert_eq!(status, 0);
    assert_eq!(std::fs::read_to_string(&out).expect("written"), first);

    // A copy whose operations are marked for gRPC but have no numbers yet.
    let text = std::fs::read_to_string(root().join("examples/shop.knot.json")).expect("shop");
    let mut ws: Value = serde_json::from_str(&text).expect("JSON");
    for op in ws["operations"]
        .as_object_mut()
        .expect("operations")
        .values_mut()
    {
        op["grpc"] = serde_json::json!({});
    }
    ws["sources"]["products"]["protoFiles"] =
        serde_json::json!([root().join("proto/products.proto").display().to_string()]);
    let copy = dir.path().join("shop.knot.json");
    std::fs::write(
        &copy,
        serde_json::to_string_pretty(&ws).expect("JSON") + "\n",
    )
    .expect("write");
    let copy_arg = copy.display().to_string();
    let (status, proto, stderr) = knot(&["export", "proto", &copy_arg]);
    assert_eq!(status, 0, "{stderr}");
    assert!(proto.contains("service ShopService {"), "{proto}");
    assert!(proto.contains("rpc OrderDetails(OrderDetailsRequest) returns (OrderDetailsResponse);"));
    assert!(
        stderr.contains("recorded new gRPC field numbers"),
        "{stderr}"
    );
    let recorded = std::fs::read_to_string(&copy).expect("copy");
    assert!(
        recorded.contains("\"response.user.email\": 3"),
        "{recorded}"
    );
    let (status, again, stderr) = knot(&["export", "proto", &copy_arg]);
    assert_eq!(status, 0);
    assert_eq!(again, proto, "the same bytes");
    assert!(stderr.is_empty(), "nothing new to record: {stderr}");
    assert_eq!(std::fs::read_to_string(&copy).expect("copy"), recorded);
    let (status, _, stderr) = knot(&["check", &copy_arg]);
    assert_eq!(status, 0, "{stderr}");
}
