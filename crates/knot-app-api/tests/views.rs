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
    workspace_view(&meta, &ws, &check_problems(&ws))
}

#[test]
fn the_schema_tree_is_public_with_query_first_and_bindings() {
    let v = view();
    assert_eq!(v.schema.types[0].name, "Query");
    let ws = shop();
    // Private fields (join keys) never reach the tree.
    for t in &v.schema.types {
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

/// The fleet (device and safety subgraphs on loopback) through the gateway: the plan and
/// the trace are the same views as the engine's, and the trace JSON reads back the same.
#[tokio::test]
async fn federation_plans_and_traces_are_ordinary_views() {
    use knot_demo::{subgraph_sdl, FederationConfig, FederationDemo, FederationPorts, Subgraph};
    use knot_federation::{compose, Gateway, GatewayOptions, GatewayRequest, SubgraphSdl};
    let demo = FederationDemo::start(FederationConfig {
        ports: FederationPorts::ephemeral(),
        ..FederationConfig::default()
    })
    .await
    .expect("subgraphs start");
    let subgraphs: Vec<SubgraphSdl> = [Subgraph::Device, Subgraph::Safety]
        .into_iter()
        .map(|s| SubgraphSdl {
            name: s.name().to_owned(),
            url: demo.url(s),
            sdl: subgraph_sdl(s),
        })
        .collect();
    let supergraph = knot_federation::Supergraph::parse(&compose(&subgraphs).expect("composes"))
        .expect("parses");
    let gateway = Gateway::new(std::sync::Arc::new(supergraph), GatewayOptions::default())
        .expect("gateway")
        .with_detailed_trace(true);
    let request = GatewayRequest {
        query: r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#.into(),
        ..GatewayRequest::default()
    };

    let (_, graph) = gateway.plan(&request).expect("plans");
    let plan = federation_plan_view(&graph);
    assert_eq!(plan.stages, vec![vec![0], vec![1], vec![2]]);
    assert!(plan.nodes.iter().all(|n| n.source_kind == "federation"));
    assert_eq!(plan.nodes[0].operation, "device");
    assert_eq!(plan.nodes[0].mode, FetchModeView::Single);
    assert_eq!(plan.nodes[1].source, "safety");
    assert_eq!(plan.nodes[1].operation, "_entities");
    assert_eq!(plan.nodes[1].mode, FetchModeView::Batch);
    assert_eq!(plan.nodes[1].path, vec!["device", "camera"]);
    assert_eq!(plan.edges.len(), 2);
    assert!(plan.edges.iter().all(|e| e.kind == EdgeKind::Requires));

    let answer = gateway.execute(&request).await.expect("runs");
    let trace = federation_trace_view(&answer, 12.5);
    assert_eq!(trace.duration_ms, 12.5);
    assert_eq!(trace.plan, plan);
    assert_eq!(trace.spans.len(), 3);
    assert_eq!(trace.nodes.len(), 3);
    let safety = trace
        .spans
        .iter()
        .find(|s| s.source == "safety")
        .expect("safety span");
    assert_eq!(safety.batch_size, 1);
    assert_eq!(safety.status.as_deref(), Some("200"));
    assert_eq!(safety.request.method, "POST");
    assert!(safety.request.body.is_some());
    assert!(safety
        .response
        .as_deref()
        .is_some_and(|r| r.contains("_entities")));
    assert!(trace.errors.is_empty());
    // With the supergraph's URLs the target is the subgraph's URL; the JSON reads back the same.
    let json = federation_trace_json(&answer, 12.5, gateway.supergraph().subgraphs());
    let reread = trace_view_from_json(&json);
    assert_eq!(
        reread
            .spans
            .iter()
            .find(|s| s.source == "safety")
            .map(|s| s.request.target.clone()),
        Some(demo.url(Subgraph::Safety))
    );
    assert_eq!(reread.plan, trace.plan);
}
