//! The conversions on the shop example: what the UI's schema tree, source list, plan graph
//! and trace explorer receive.

use knot_app_api::*;
use knot_model::Workspace;

fn shop() -> Workspace {
    let bytes = include_bytes!("../../../examples/shop.knot.json");
    let report = knot_model::check_bytes(bytes);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.workspace.expect("the shop example loads")
}

fn view() -> WorkspaceView {
    let ws = shop();
    let meta = WorkspaceMeta {
        id: 7,
        name: ws.name.clone(),
        file: Some("/tmp/shop.knot.json".into()),
        environment: None,
    };
    workspace_view(
        &meta,
        &ws,
        &knot_model::public_sdl(&ws),
        &check_problems(&ws),
    )
}

#[test]
fn the_schema_tree_has_the_mutation_root_second_and_the_enums_and_inputs_of_its_arguments() {
    let v = view();
    let names: Vec<&str> = v.schema.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(&names[..2], ["Query", "Mutation"]);
    let place = v.schema.types[1]
        .fields
        .iter()
        .find(|f| f.name == "placeOrder")
        .expect("Mutation.placeOrder");
    assert_eq!(place.arguments[0].ty, "PlaceOrderInput!");
    let status = v
        .schema
        .enums
        .iter()
        .find(|e| e.name == "OrderStatus")
        .expect("the OrderStatus enum");
    assert_eq!(status.values, ["PLACED", "SHIPPED", "DELIVERED"]);
    let input = v
        .schema
        .inputs
        .iter()
        .find(|i| i.name == "PlaceOrderInput")
        .expect("the PlaceOrderInput input");
    let fields: Vec<(&str, &str, bool)> = input
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.ty.as_str(), f.required))
        .collect();
    assert_eq!(
        fields,
        [("userId", "ID!", true), ("productIds", "[ID!]!", true)]
    );
    // The model's own tree (used when the SDL does not parse) says the same.
    let fallback = schema_tree(&shop());
    assert_eq!(fallback.types[1].name, "Mutation");
    assert_eq!(fallback.enums, v.schema.enums);
    assert_eq!(fallback.inputs, v.schema.inputs);
}

#[test]
fn the_schema_tree_is_public_with_query_first_and_bindings() {
    let v = view();
    assert_eq!(v.schema.types[0].name, "Query");
    let ws = shop();
    // Private fields (join keys) never reach the tree.
    // The union is listed with its members (what `... on T` may name), and no fields.
    let union = v
        .schema
        .types
        .iter()
        .find(|t| t.name == "SearchResult")
        .expect("the SearchResult union is in the tree");
    assert_eq!(union.possible_types, ["User", "Product"]);
    assert!(union.fields.is_empty());
    for t in v.schema.types.iter().filter(|t| t.name != "SearchResult") {
        assert!(t.possible_types.is_empty(), "{}", t.name);
        let def = &ws.schema.types[&t.name];
        for f in &t.fields {
            assert!(
                !def.fields[&f.name].private,
                "{}.{} is private",
                t.name, f.name
            );
        }
        let public = def.fields.values().filter(|f| !f.private).count();
        assert_eq!(t.fields.len(), public, "{}", t.name);
    }
    let hidden: usize = ws
        .schema
        .types
        .values()
        .flat_map(|t| t.fields.values())
        .filter(|f| f.private)
        .count();
    assert!(hidden > 0, "the example has private fields to hide");
    let q = &v.schema.types[0];
    let details = q
        .fields
        .iter()
        .find(|f| f.name == "getOrderDetails")
        .expect("getOrderDetails");
    assert_eq!(details.named_type, "Order");
    assert!(details.is_object && !details.is_list);
    assert_eq!(details.arguments[0].name, "id");
    assert!(details.arguments[0].required);
    let b = details.binding.as_ref().expect("bound");
    assert_eq!(
        (b.source.as_str(), b.operation.as_str(), b.batch),
        ("orders", "getOrder", false)
    );
    // A batched binding says so.
    let batched = v
        .schema
        .types
        .iter()
        .flat_map(|t| &t.fields)
        .filter_map(|f| f.binding.as_ref())
        .any(|b| b.batch);
    assert!(batched);
    assert!(v.sdl.starts_with("type Query"), "{}", v.sdl);
    assert!(v.problems.is_empty());
    assert_eq!(v.environment.as_deref(), Some("local"));
    assert_eq!(v.environments, vec!["local".to_string()]);
}

#[test]
fn sources_list_their_operations_with_summaries() {
    let v = view();
    let orders = v
        .sources
        .iter()
        .find(|s| s.name == "orders")
        .expect("orders");
    assert_eq!(orders.kind, SourceKind::Rest);
    assert_eq!(orders.target, "{{env.ORDERS_URL}}");
    assert_eq!(orders.operations[0].summary, "GET /orders/{id}");
    assert_eq!(orders.operations[0].inputs[0].ty, "ID!");
    assert!(orders.operations[0].inputs[0].required);
    let products = v
        .sources
        .iter()
        .find(|s| s.name == "products")
        .expect("products");
    assert_eq!(products.kind, SourceKind::Grpc);
    assert!(products
        .operations
        .iter()
        .any(|o| o.summary.ends_with("ProductService/GetProducts")));
    let json = serde_json::to_value(&v).expect("serialises");
    assert_eq!(json["sources"][0]["kind"], "rest");
    assert!(json["schema"]["types"][0]["fields"][0]
        .get("namedType")
        .is_some());
    assert!(json["schema"]["types"][0]["fields"][0]
        .get("type")
        .is_some());
}

#[test]
fn problems_carry_code_path_and_position() {
    let text = br#"{"version": 1, "name": "x", "schema": {"types": {"Query": {"fields": {"a": {"type": "Nope"}}}}}}"#;
    let report = knot_model::check_bytes(text);
    assert!(!report.problems.is_empty());
    let p = problem_view(&report.problems[0]);
    assert_eq!(p.code, "unknown-type");
    assert!(p.path.starts_with("$.schema"), "{}", p.path);
    assert!(p.line.is_some());
}

#[test]
fn plans_and_plan_errors_convert() {
    let ws = shop();
    let doc = r#"{ getOrderDetails(id: "1") { user { name } products { name price } } }"#;
    let plan = knot_plan::plan(&ws, doc, None, &Default::default()).expect("plans");
    let v = plan_view(&plan);
    assert_eq!(v.nodes.len(), 3);
    assert_eq!(v.edges.len(), 2);
    assert_eq!(v.stages, vec![vec![0], vec![1, 2]]);
    assert!(v
        .nodes
        .iter()
        .any(|n| n.mode == FetchModeView::Batch && n.source_kind == "grpc"));
    // The JSON form (what a trace carries) converts to the same view.
    assert_eq!(plan_view_from_json(&plan.to_json()), v);

    let bad = plan_result(knot_plan::plan(&ws, "{ nope }", None, &Default::default()));
    assert!(bad.plan.is_none());
    assert_eq!(bad.errors[0].line, Some(1));
}

#[tokio::test]
async fn traces_convert_from_a_real_run() {
    let demo = knot_demo::Demo::start(knot_demo::DemoConfig {
        ports: knot_demo::DemoPorts::ephemeral(),
        ..Default::default()
    })
    .await
    .expect("demo starts");
    let ws = shop();
    let mut vars = knot_execute::Vars::from_workspace(&ws, None).expect("vars");
    for (k, v) in demo.env_vars() {
        vars.set(k, v);
    }
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let engine = knot_execute::Engine::new(ws, vars, &base).expect("engine");
    let outcome = engine
        .run(&knot_execute::Request {
            document: r#"{ getOrderDetails(id: "1") { user { name } products { name } } }"#.into(),
            ..Default::default()
        })
        .await;
    let trace = outcome.trace.as_ref().expect("a trace");
    let v = trace_view(trace);
    assert_eq!(v.plan.nodes.len(), 3);
    assert_eq!(v.nodes.len(), 3);
    assert!(v.spans.len() >= 3);
    let span = &v.spans[0];
    assert!(!span.request.target.is_empty());
    assert!(span.end_ms >= span.start_ms);
    assert!(v.duration_ms > 0.0);
    // The JSON form (what the history keeps) gives the same view.
    assert_eq!(trace_view_from_json(&outcome.trace_json()), v);
    demo.shutdown().await;
}

/// The fleet example (device and safety subgraphs on loopback) through `knot_runtime`: the
/// plan and the trace are the same views as any workspace's, the trace JSON reads back the
/// same, and the view's SDL is the supergraph's public schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_plans_and_traces_are_ordinary_views() {
    use knot_demo::{FederationConfig, FederationDemo, FederationPorts, Subgraph};
    let demo = FederationDemo::start(FederationConfig {
        ports: FederationPorts::ephemeral(),
        ..FederationConfig::default()
    })
    .await
    .expect("subgraphs start");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let report = knot_model::check_bytes(
        &std::fs::read(examples.join("fleet.knot.json")).expect("the fleet example"),
    );
    let ws = report.workspace.expect("the fleet example loads");
    let mut vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    vars.set("FEDERATION_DEVICE_URL", demo.url(Subgraph::Device));
    vars.set("FEDERATION_SAFETY_URL", demo.url(Subgraph::Safety));
    let runtime = tokio::task::spawn_blocking(move || {
        knot_runtime::Runtime::load(ws, vars, &examples).map(|r| r.with_detailed_trace(true))
    })
    .await
    .expect("joins")
    .expect("composes");
    let request = knot_runtime::Request {
        document: r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#.into(),
        operation_name: None,
        variables: Default::default(),
        headers: Vec::new(),
    };

    let plan = plan_view(&runtime.plan(&request).expect("plans"));
    assert_eq!(plan.stages, vec![vec![0], vec![1], vec![2]]);
    assert_eq!(plan.nodes[0].kind, NodeKindView::SubgraphRoot);
    assert_eq!(plan.nodes[0].source, "device");
    assert_eq!(plan.nodes[0].operation, "device");
    assert_eq!(plan.nodes[0].mode, FetchModeView::Single);
    assert_eq!(plan.nodes[1].kind, NodeKindView::Entity);
    assert_eq!(plan.nodes[1].source, "safety");
    assert_eq!(plan.nodes[1].operation, "_entities");
    assert_eq!(plan.nodes[1].mode, FetchModeView::Batch);
    assert_eq!(plan.nodes[1].path, vec!["device", "camera"]);
    assert_eq!(plan.nodes[2].kind, NodeKindView::Entity);
    assert_eq!(plan.edges.len(), 2);

    let outcome = runtime.run(&request).await;
    let trace = trace_view(outcome.trace.as_ref().expect("a trace"));
    assert_eq!(trace.plan, plan);
    assert_eq!(trace.spans.len(), 3);
    assert_eq!(trace.nodes.len(), 3);
    let safety = trace
        .spans
        .iter()
        .find(|s| s.source == "safety")
        .expect("safety span");
    assert_eq!(safety.operation, "_entities");
    assert_eq!(safety.batch_size, 1);
    assert_eq!(safety.status.as_deref(), Some("200"));
    assert_eq!(safety.request.method, "POST");
    assert_eq!(safety.request.target, demo.url(Subgraph::Safety));
    assert!(safety.request.body.is_some());
    assert!(safety
        .response
        .as_deref()
        .is_some_and(|r| r.contains("_entities")));
    let device = trace
        .spans
        .iter()
        .find(|s| s.source == "device" && s.node == 0)
        .expect("device root span");
    assert_eq!(device.operation, "device");
    assert!(trace.errors.is_empty());
    // The JSON form (what the history keeps) reads back the same.
    let reread = trace_view_from_json(&outcome.trace_json());
    assert_eq!(reread, trace);

    // The view: the supergraph's public schema (no federation machinery), the workspace's
    // binding shown on the field it binds.
    let meta = WorkspaceMeta {
        id: 1,
        name: "Fleet".into(),
        file: None,
        environment: None,
    };
    let view = workspace_view(&meta, runtime.workspace(), runtime.public_sdl(), &[]);
    assert!(view.sdl.contains("type Query"), "{}", view.sdl);
    assert!(view.sdl.contains("device(id: ID!)"), "{}", view.sdl);
    assert!(view.sdl.contains("Camera") && view.sdl.contains("Location"));
    assert!(!view.sdl.contains("@join__") && !view.sdl.contains("_entities"));
    assert_eq!(view.schema.types[0].name, "Query");
    let maintenance = view
        .schema
        .types
        .iter()
        .find(|t| t.name == "Device")
        .and_then(|t| t.fields.iter().find(|f| f.name == "maintenance"))
        .expect("Device.maintenance");
    assert_eq!(
        maintenance.binding.as_ref().map(|b| b.source.as_str()),
        Some("maintenance")
    );
}
