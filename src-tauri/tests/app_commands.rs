//! The app's commands without a window: `AppState` over a temp data folder, with the demo
//! services in process (what the Tauri commands forward to, one for one).

use knot_app_api::*;
use knot_app_lib::AppState;
use serde_json::{json, Map};
use std::sync::Arc;
use std::time::Duration;

const DETAILS: &str =
    r#"query OrderDetails { getOrderDetails(id: "1") { user { name } products { name price } } }"#;

fn request(document: &str) -> QueryRequest {
    QueryRequest {
        document: document.into(),
        operation_name: None,
        variables: Map::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_launch_opens_the_demo_workspace_and_runs_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), true).await.expect("init");

    let info = state.app_info();
    let demo = info.demo.expect("demo info");
    assert!(demo
        .services
        .iter()
        .any(|s| s.name == "products" && s.protocol == "grpc"));

    let ws = state.workspace_current().await.expect("current");
    assert_eq!(ws.name, "shop");
    assert_eq!(ws.schema.types[0].name, "Query");
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert!(ws
        .file
        .as_deref()
        .is_some_and(|f| f.ends_with("examples/shop.knot.json")));
    let orders_url = &ws.document["environments"]["local"]["variables"]["ORDERS_URL"];
    let real = demo
        .services
        .iter()
        .find(|s| s.name == "orders")
        .map(|s| s.url.clone());
    assert_eq!(orders_url.as_str(), real.as_deref());

    let plan = state.query_plan(&request(DETAILS)).await.expect("plan");
    assert_eq!(plan.plan.expect("a plan").nodes.len(), 3);
    let bad = state
        .query_plan(&request("{ nope"))
        .await
        .expect("plan answer");
    assert!(bad.plan.is_none() && !bad.errors.is_empty());

    // Progress: each of the three fetch nodes starts and ends, the order's first.
    let events: std::sync::Arc<std::sync::Mutex<Vec<knot_app_api::RunProgress>>> =
        Default::default();
    let sink = {
        let events = events.clone();
        std::sync::Arc::new(move |p: knot_app_api::RunProgress| {
            if let Ok(mut v) = events.lock() {
                v.push(p);
            }
        })
    };
    let run = state
        .query_run("r1", &request(DETAILS), Some(sink))
        .await
        .expect("run");
    {
        let events = events.lock().unwrap();
        assert_eq!(events.len(), 6, "{events:?}");
        assert!(events.iter().all(|e| e.run_id == "r1"));
        let done_0 = events
            .iter()
            .position(|e| e.node == 0 && e.state == knot_app_api::ProgressState::Done)
            .unwrap();
        for node in [1, 2] {
            let started = events
                .iter()
                .position(|e| e.node == node && e.state == knot_app_api::ProgressState::Started)
                .unwrap();
            assert!(
                started > done_0,
                "node {node} started before the order was fetched"
            );
        }
    }
    assert_eq!(run.run_id, "r1");
    assert!(
        run.response["data"]["getOrderDetails"]["user"]["name"].is_string(),
        "{}",
        run.response
    );
    assert!(run.response.get("errors").is_none(), "{}", run.response);
    let trace = run.trace.expect("trace");
    assert_eq!(trace.plan.nodes.len(), 3);
    assert!(trace.spans.iter().any(|s| s.source == "products"));
    let history_id = run.history_id.expect("recorded");

    let history = state.history_list(10).await.expect("history");
    assert_eq!(history[0].id, history_id);
    assert_eq!(history[0].operation.as_deref(), Some("OrderDetails"));
    let full = state.history_get(history_id).await.expect("history run");
    assert_eq!(full.document, DETAILS);
    assert_eq!(full.trace.expect("trace kept").plan.nodes.len(), 3);
    let missing = state.history_get(999_999).await.expect_err("no such run");
    assert_eq!(missing.code, ApiErrorCode::NotFound);
    // The list says what ran (the document, its variables) and how many calls it made.
    assert_eq!(history[0].document, DETAILS);
    assert_eq!(history[0].calls, 3);

    let call = state
        .operation_send(
            "orders",
            "getOrder",
            json!({"id": "1"}).as_object().expect("object"),
            &SendOptionsView::default(),
        )
        .await
        .expect("send");
    assert_eq!(call.status.as_deref(), Some("200"));
    assert!(
        call.request.target.ends_with("/orders/1"),
        "{}",
        call.request.target
    );
    let unknown = state
        .operation_send("nope", "x", &Map::new(), &SendOptionsView::default())
        .await
        .expect_err("unknown source");
    assert_eq!(unknown.code, ApiErrorCode::NotFound);

    // A second launch on the same folder reuses the workspace (new demo ports applied).
    drop(state);
    let again = AppState::init(dir.path(), true).await.expect("init again");
    assert_eq!(again.workspace_list().await.expect("list").len(), 1);
    let run = again
        .query_run("r2", &request(DETAILS), None)
        .await
        .expect("run again");
    assert!(run.response.get("errors").is_none(), "{}", run.response);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_aborts_a_run_in_flight() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = Arc::new(AppState::init(dir.path(), true).await.expect("init"));
    let control = state.demo_control().expect("demo");
    control.set_faults(
        knot_demo::Service::Orders,
        knot_demo::Faults {
            slow_ids: vec!["1".into()],
            hang_ms: 1_900,
            ..Default::default()
        },
    );
    let running = {
        let state = state.clone();
        tokio::spawn(async move { state.query_run("slow", &request(DETAILS), None).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(state.query_cancel("slow"));
    assert!(!state.query_cancel("slow"), "a run is cancelled once");
    let started = std::time::Instant::now();
    let err = running.await.expect("task").expect_err("cancelled");
    assert_eq!(err.code, ApiErrorCode::Cancelled);
    assert!(started.elapsed() < Duration::from_millis(1_000));
    assert!(!state.query_cancel("never-started"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_are_created_edited_and_extended() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), false).await.expect("init");
    assert_eq!(state.app_info().demo, None);
    let none = state.workspace_current().await.expect_err("nothing yet");
    assert_eq!(none.code, ApiErrorCode::NotFound);

    let ws = state.workspace_create("blank").await.expect("create");
    assert_eq!(ws.name, "blank");
    assert_eq!(ws.schema.types[0].name, "Query");
    let dup = state.workspace_create("blank").await.expect_err("taken");
    assert_eq!(dup.code, ApiErrorCode::InvalidInput);
    let blank = state.workspace_create("  ").await.expect_err("blank");
    assert_eq!(blank.code, ApiErrorCode::InvalidInput);

    let ws = state
        .source_add_rest(&RestSourceInput {
            name: "pets".into(),
            base_url: "http://127.0.0.1:9/api".into(),
            operations: vec![RestOperationInput {
                name: "getPet".into(),
                method: "get".into(),
                path: "/pets/{id}".into(),
                inputs: vec![InputView {
                    name: "id".into(),
                    ty: "ID!".into(),
                    required: true,
                }],
            }],
        })
        .await
        .expect("add rest");
    assert_eq!(ws.sources[0].operations[0].summary, "GET /pets/{id}");

    // An edit that parses is saved, with its problems listed.
    let mut doc = ws.document.clone();
    doc["schema"]["types"]["Query"]["fields"]["pet"] = json!({"type": "Pet"});
    let edited = state.workspace_update(&doc).await.expect("update");
    assert!(
        edited.problems.iter().any(|p| p.code == "unknown-type"),
        "{:?}",
        edited.problems
    );
    assert!(edited.document["schema"]["types"]["Query"]["fields"]["pet"].is_object());
    // The deep checks `knot check` prints are listed too: a saved operation that does not plan.
    let mut with_op = edited.document.clone();
    with_op["operations"] = json!({"lost": {"document": "{ nope }"}});
    let checked = state.workspace_update(&with_op).await.expect("update");
    let deep = checked
        .problems
        .iter()
        .find(|p| p.path.contains("operations") && p.message.contains("operation `lost`"))
        .unwrap_or_else(|| panic!("no deep problem: {:?}", checked.problems));
    assert!(deep.line.is_some(), "{deep:?}");
    let current = state.workspace_current().await.expect("current");
    assert!(current.problems.iter().any(|p| p.message == deep.message));
    let edited = state
        .workspace_update(&edited.document)
        .await
        .expect("update");
    assert!(!edited
        .problems
        .iter()
        .any(|p| p.message.contains("operation `lost`")));
    // One that does not parse is not saved.
    let broken = state
        .workspace_update(&json!({"version": 1}))
        .await
        .expect("answer");
    assert!(!broken.problems.is_empty());
    assert_eq!(broken.document, json!({"version": 1}));
    let current = state.workspace_current().await.expect("current");
    assert!(current.document["schema"]["types"]["Query"]["fields"]["pet"].is_object());

    let env = state
        .environment_select("prod")
        .await
        .expect_err("no such environment");
    assert_eq!(env.code, ApiErrorCode::InvalidInput);

    let file = dir.path().join("out").join("blank.knot.json");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let saved = state.workspace_save_as(&file).await.expect("save as");
    assert!(saved.file.is_some());
    assert!(file.exists());
    let recent = state.recent_files().await.expect("recent");
    assert_eq!(recent.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_sources_come_from_a_proto_folder_or_from_reflection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), true).await.expect("init");
    let products = state
        .app_info()
        .demo
        .expect("demo")
        .services
        .into_iter()
        .find(|s| s.name == "products")
        .expect("products service")
        .url;
    let protos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    let ws = state
        .source_import_proto("catalog", &products, &protos)
        .await
        .expect("proto import");
    let catalog = ws
        .sources
        .iter()
        .find(|s| s.name == "catalog")
        .expect("catalog source");
    let ops: Vec<&str> = catalog.operations.iter().map(|o| o.name.as_str()).collect();
    assert!(
        ops.contains(&"GetProduct") && ops.contains(&"GetProducts"),
        "{ops:?}"
    );
    // The new source answers a Send right away.
    let call = state
        .operation_send(
            "catalog",
            "GetProduct",
            &json!({"id": "2"}).as_object().cloned().unwrap_or_default(),
            &SendOptionsView::default(),
        )
        .await
        .expect("send");
    assert_eq!(call.status.as_deref(), Some("OK"), "{call:?}");
    // The answer's metadata, as Send shows it.
    assert!(
        call.response_headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("application/grpc")),
        "{:?}",
        call.response_headers
    );
    assert!(call
        .response
        .unwrap_or_default()
        .contains("Ergonomic Mouse"));
    let missing = state
        .source_import_proto(
            "nope",
            &products,
            std::path::Path::new("/definitely/not/here"),
        )
        .await
        .expect_err("missing folder");
    assert!(
        missing.message.contains("/definitely/not/here"),
        "{}",
        missing.message
    );
    let ws = state
        .source_import_grpc("reflected", &products)
        .await
        .expect("reflection import");
    assert!(ws.sources.iter().any(|s| s.name == "reflected"));
}

/// A workspace of Federation subgraph sources (examples/fleet.knot.json) is planned and run
/// by the one runtime, with the same views, progress events and history as any run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_workspace_plans_and_runs_in_the_app() {
    use knot_demo::{FederationConfig, FederationDemo, FederationPorts, Subgraph};
    let demo = FederationDemo::start(FederationConfig {
        ports: FederationPorts::ephemeral(),
        ..FederationConfig::default()
    })
    .await
    .expect("subgraphs start");

    // A copy of the fleet example with its SDL files beside it.
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let copy = dir.path().join("files");
    std::fs::create_dir_all(copy.join("fleet")).expect("mkdir");
    std::fs::copy(
        examples.join("fleet.knot.json"),
        copy.join("fleet.knot.json"),
    )
    .expect("copy workspace");
    for sdl in ["device.graphql", "safety.graphql"] {
        std::fs::copy(
            examples.join("fleet").join(sdl),
            copy.join("fleet").join(sdl),
        )
        .expect("copy sdl");
    }

    let state = AppState::init(&dir.path().join("data"), false)
        .await
        .expect("init");
    let ws = state
        .workspace_open_file(&copy.join("fleet.knot.json"))
        .await
        .expect("open the fleet");
    assert_eq!(ws.name, "Fleet");
    // The editor, Schema screen and explorer show the supergraph's public schema (no
    // federation machinery), with the workspace's own binding.
    assert!(ws.sdl.contains("type Query"), "{}", ws.sdl);
    assert!(ws.sdl.contains("device(id: ID!)"), "{}", ws.sdl);
    assert!(
        ws.sdl.contains("Camera") && ws.sdl.contains("Location"),
        "{}",
        ws.sdl
    );
    assert!(
        !ws.sdl.contains("@join__") && !ws.sdl.contains("_entities"),
        "{}",
        ws.sdl
    );
    let query = &ws.schema.types[0];
    assert_eq!(query.name, "Query");
    let roots: Vec<&str> = query.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(roots, vec!["device", "devices"]);
    let device = ws
        .schema
        .types
        .iter()
        .find(|t| t.name == "Device")
        .expect("Device in the explorer");
    let maintenance = device
        .fields
        .iter()
        .find(|f| f.name == "maintenance")
        .expect("Device.maintenance");
    assert_eq!(
        maintenance.binding.as_ref().map(|b| b.source.as_str()),
        Some("maintenance")
    );
    let camera = device
        .fields
        .iter()
        .find(|f| f.name == "camera")
        .expect("camera");
    assert!(camera.is_object && camera.binding.is_none());
    // The subgraphs' URLs are variables of the `local` environment: point them at the demo.
    let var = |name: &str, value: String| EnvVariableInput {
        name: name.into(),
        value,
        secret: false,
    };
    state
        .environment_save(
            "local",
            &[
                var("FEDERATION_DEVICE_URL", demo.url(Subgraph::Device)),
                var("FEDERATION_SAFETY_URL", demo.url(Subgraph::Safety)),
            ],
        )
        .await
        .expect("environment");

    let fleet = request(r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#);
    let plan = state.query_plan(&fleet).await.expect("plan");
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let plan = plan.plan.expect("a plan");
    assert_eq!(plan.nodes.len(), 3);
    assert_eq!(plan.stages, vec![vec![0], vec![1], vec![2]]);
    assert_eq!(plan.nodes[0].kind, NodeKindView::SubgraphRoot);
    assert_eq!(
        (
            plan.nodes[0].source.as_str(),
            plan.nodes[0].operation.as_str()
        ),
        ("device", "device")
    );
    assert!(plan.nodes[1..]
        .iter()
        .all(|n| n.kind == NodeKindView::Entity
            && n.operation == "_entities"
            && n.mode == FetchModeView::Batch));
    assert!(plan.nodes.iter().all(|n| n.source_kind == "graphql"));
    let bad = state
        .query_plan(&request("{ nope }"))
        .await
        .expect("plan answer");
    assert!(bad.plan.is_none() && !bad.errors.is_empty());

    let events: Arc<std::sync::Mutex<Vec<RunProgress>>> = Default::default();
    let sink = {
        let events = events.clone();
        Arc::new(move |p: RunProgress| {
            if let Ok(mut v) = events.lock() {
                v.push(p);
            }
        })
    };
    let run = state
        .query_run("fleet-1", &fleet, Some(sink))
        .await
        .expect("run");
    assert_eq!(
        run.response,
        json!({"data": {"device": {"name": "Front door", "camera": {"cameraLocation": {"street": "1 Harbour Street"}}}}})
    );
    let trace = run.trace.expect("trace");
    assert_eq!(trace.plan, plan);
    assert_eq!(trace.spans.len(), 3);
    let safety = trace
        .spans
        .iter()
        .find(|s| s.source == "safety")
        .expect("safety span");
    assert_eq!(safety.operation, "_entities");
    assert_eq!(safety.batch_size, 1);
    assert_eq!(safety.request.target, demo.url(Subgraph::Safety));
    assert!(trace
        .spans
        .iter()
        .any(|s| s.source == "device" && s.operation == "device"));
    assert!(
        safety.response.is_some(),
        "the app keeps the detailed trace"
    );
    {
        // Each step starts and ends, each after the one it waits for.
        let events = events.lock().expect("events");
        assert_eq!(events.len(), 6, "{events:?}");
        assert!(events.iter().all(|e| e.run_id == "fleet-1"));
        let at = |node: u32, state: ProgressState| {
            events
                .iter()
                .position(|e| e.node == node && e.state == state)
                .unwrap_or_else(|| panic!("no {state:?} event for node {node}: {events:?}"))
        };
        assert!(at(0, ProgressState::Done) < at(1, ProgressState::Started));
        assert!(at(1, ProgressState::Done) < at(2, ProgressState::Started));
    }

    // The history reopens the run as it was shown.
    let history_id = run.history_id.expect("recorded");
    let reopened = state.history_get(history_id).await.expect("history run");
    assert_eq!(reopened.response, run.response);
    let kept = reopened.trace.expect("trace kept");
    assert_eq!(kept.plan, trace.plan);
    assert_eq!(kept.spans.len(), 3);
    assert_eq!(kept.nodes.len(), 3);
    assert_eq!(
        kept.spans
            .iter()
            .map(|s| (&s.source, s.batch_size, &s.request.target))
            .collect::<Vec<_>>(),
        trace
            .spans
            .iter()
            .map(|s| (&s.source, s.batch_size, &s.request.target))
            .collect::<Vec<_>>()
    );
    // Deleted, the run is gone from the list and cannot be reopened; a second delete says so.
    assert!(state.history_delete(history_id).await.expect("delete"));
    assert!(!state
        .history_delete(history_id)
        .await
        .expect("delete again"));
    let left = state.history_list(10).await.expect("history");
    assert!(left.iter().all(|e| e.id != history_id));
    let gone = state.history_get(history_id).await.expect_err("deleted");
    assert_eq!(gone.code, ApiErrorCode::NotFound);
}

/// Workspace files are `*.knot.json` whatever a dialog answered, and the recent-files list
/// opens only what is on it: a path the page names is refused and nothing is written.
#[tokio::test]
async fn workspace_files_are_knot_json_and_recent_files_only_those_on_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), false).await.expect("init");
    state.workspace_create("paths").await.expect("create");

    let plain = dir.path().join("notes.json");
    std::fs::write(&plain, "{}").expect("write");
    let err = state
        .workspace_open_file(&plain)
        .await
        .expect_err("a .json file is not a workspace file");
    assert_eq!(err.code, ApiErrorCode::InvalidInput);
    let elsewhere = dir.path().join("out.json");
    let err = state
        .workspace_save_as(&elsewhere)
        .await
        .expect_err("saving to a .json file");
    assert_eq!(err.code, ApiErrorCode::InvalidInput);
    assert!(!elsewhere.exists());

    let named = dir.path().join("named.knot.json");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/trading.knot.json"),
        &named,
    )
    .expect("copy");
    let err = state
        .workspace_open_recent(&named.display().to_string())
        .await
        .expect_err("not on the recent list");
    assert_eq!(err.code, ApiErrorCode::InvalidInput);
    assert_eq!(
        state.workspace_current().await.expect("current").name,
        "paths"
    );

    // Opened through the dialog (here, directly), a file is on the list and opens from it.
    let shop = dir.path().join("shop.knot.json");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::copy(examples.join("shop.knot.json"), &shop).expect("copy");
    let trading = state.workspace_open_file(&named).await.expect("open");
    state.workspace_open_file(&shop).await.expect("open");
    let back = state
        .workspace_open_recent(&named.display().to_string())
        .await
        .expect("a recent file opens");
    assert_eq!(back.name, trading.name);
}
