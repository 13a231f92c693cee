//! Shared set-up for the end-to-end specifications: real demo servers on ephemeral loopback
//! ports and engines over the example workspaces pointed at them.

use knot_demo::{Demo, DemoConfig, DemoPorts, Faults};
use knot_execute::{Engine, Outcome, Request, Span, Vars};
use knot_model::{check_bytes, Workspace};
use serde_json::{Map, Value};
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Starts every demo service on 127.0.0.1 with ephemeral ports.
pub async fn start_demo() -> Demo {
    Demo::start(DemoConfig {
        ports: DemoPorts::ephemeral(),
        faults: Faults::default(),
        ..DemoConfig::default()
    })
    .await
    .expect("demo services start on loopback")
}

/// An example workspace (`examples/NAME.knot.json`), checked.
pub fn example(name: &str) -> Workspace {
    let bytes = std::fs::read(repo_root().join(format!("examples/{name}.knot.json")))
        .expect("example exists");
    let report = check_bytes(&bytes);
    assert!(report.problems.is_empty(), "{name}: {:?}", report.problems);
    report.workspace.expect("example parses")
}

/// An engine over `ws` whose environment points at the running demo.
pub fn engine(ws: Workspace, demo: &Demo) -> Engine {
    let mut vars = Vars::from_workspace(&ws, None).expect("environment");
    for (k, v) in demo.env_vars() {
        vars.set(k, v);
    }
    Engine::new(ws, vars, &repo_root().join("examples")).expect("engine")
}

/// The runtime hosts use (`knot_runtime::Runtime`) over `ws`, its environment pointing at
/// the running demo.
pub fn runtime(ws: Workspace, demo: &Demo) -> knot_runtime::Runtime {
    let mut vars = Vars::from_workspace(&ws, None).expect("environment");
    for (k, v) in demo.env_vars() {
        vars.set(k, v);
    }
    knot_runtime::Runtime::load(ws, vars, &repo_root().join("examples")).expect("runtime")
}

pub fn request(document: &str, variables: Value) -> Request {
    let variables: Map<String, Value> = match variables {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    Request {
        document: document.to_string(),
        operation_name: None,
        variables,
        headers: Vec::new(),
    }
}

pub fn spans_of<'a>(outcome: &'a Outcome, source: &str) -> Vec<&'a Span> {
    outcome
        .trace
        .as_ref()
        .map(|t| t.spans.iter().filter(|s| s.source == source).collect())
        .unwrap_or_default()
}

/// Whether two calls were in flight at the same time.
pub fn overlap(a: &Span, b: &Span) -> bool {
    a.start_ms < b.end_ms && b.start_ms < a.end_ms
}

/// The public errors of a response.
pub fn errors(outcome: &Outcome) -> Vec<Value> {
    outcome
        .response
        .get("errors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Asserts that no public error (message or extensions) names a source, an address or a
/// protocol detail. Paths are public field names and are left out of the search.
pub fn assert_public_errors_are_safe(outcome: &Outcome, forbidden: &[&str]) {
    let shown: Vec<Value> = errors(outcome)
        .iter()
        .map(|e| serde_json::json!([e["message"], e["extensions"]]))
        .collect();
    let text = serde_json::to_string(&shown).unwrap_or_default();
    for word in forbidden
        .iter()
        .chain(["127.0.0.1", "http://", "localhost", "panicked", ".rs:"].iter())
    {
        assert!(
            !text.contains(word),
            "public answer mentions `{word}`: {text}"
        );
    }
}

/// A copy of an example in a temporary folder, with relative .proto paths made absolute,
/// changed by `edit` (for tests that rewrite or reload the file).
pub fn example_copy(
    name: &str,
    dir: &std::path::Path,
    edit: impl FnOnce(&mut Workspace),
) -> PathBuf {
    let mut ws = example(name);
    for source in ws.sources.values_mut() {
        if let knot_model::Source::Grpc(g) = source {
            for f in &mut g.proto_files {
                *f = repo_root().join("examples").join(&*f).display().to_string();
            }
        }
    }
    edit(&mut ws);
    let path = dir.join(format!("{name}.knot.json"));
    std::fs::write(&path, knot_model::to_canonical_json(&ws)).expect("write workspace copy");
    path
}

/// A copy of the fleet example (changed by `edit`) with the subgraph SDL files it names
/// beside it, in `dir`.
pub fn fleet_copy(dir: &std::path::Path, edit: impl FnOnce(&mut Workspace)) -> PathBuf {
    let path = example_copy("fleet", dir, edit);
    std::fs::create_dir_all(dir.join("fleet")).expect("dir");
    for s in [knot_demo::Subgraph::Device, knot_demo::Subgraph::Safety] {
        std::fs::copy(
            repo_root().join(format!("examples/fleet/{}.graphql", s.name())),
            dir.join(format!("fleet/{}.graphql", s.name())),
        )
        .expect("copy SDL");
    }
    path
}

/// The fleet's Federation subgraphs (device, safety, the maintenance log) on ephemeral
/// loopback ports.
pub async fn start_fleet() -> knot_demo::FederationDemo {
    knot_demo::FederationDemo::start(knot_demo::FederationConfig {
        ports: knot_demo::FederationPorts::ephemeral(),
        ..knot_demo::FederationConfig::default()
    })
    .await
    .expect("subgraphs start")
}

/// The trace token the tests' gateways expect (the variable `KNOT_TEST_TRACE_TOKEN`).
pub const TRACE_TOKEN: &str = "t0ken-only-operators-know";

/// Turns on the trace header `x-knot-trace` with its token from the variable
/// `KNOT_TEST_TRACE_TOKEN` (declared without a value in every environment;
/// [`start_gateway`] sets it, as `--var` would).
pub fn with_trace(ws: &mut Workspace) {
    ws.gateway.trace_header = Some("x-knot-trace".into());
    ws.gateway.trace_token = Some("{{env.KNOT_TEST_TRACE_TOKEN}}".into());
    if ws.environments.is_empty() {
        ws.environments
            .insert("local".into(), knot_model::Environment::default());
    }
    for env in ws.environments.values_mut() {
        env.variables.insert(
            "KNOT_TEST_TRACE_TOKEN".into(),
            knot_model::EnvVariable::Detailed(knot_model::EnvVariableDetail {
                value: None,
                secret: false,
                description: String::new(),
            }),
        );
    }
}

/// A gateway over `path`, listening on an ephemeral loopback port, pointed at the demo
/// (and with `KNOT_TEST_TRACE_TOKEN` set to [`TRACE_TOKEN`]).
pub async fn start_gateway(path: &std::path::Path, demo: &Demo) -> knot_serve::Running {
    let mut options = knot_serve::ServeOptions::new(path);
    options.listen = "127.0.0.1:0".parse().expect("address");
    options.vars = demo.env_vars();
    options
        .vars
        .push(("KNOT_TEST_TRACE_TOKEN".into(), TRACE_TOKEN.into()));
    options.reload_interval = std::time::Duration::from_millis(50);
    knot_serve::start(options, std::future::pending())
        .await
        .expect("gateway starts")
}

/// Serves `app` on an ephemeral loopback port for the rest of the test; its base URL.
pub async fn serve_on_loopback(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// Asserts that `report` has a problem at the JSON path `path` whose message contains
/// `words`, listing every problem found when it has not.
pub fn assert_problem(report: &knot_model::CheckReport, path: &str, words: &str) {
    let found: Vec<(String, &str)> = report
        .problems
        .iter()
        .map(|p| (p.path.to_string(), p.message.as_str()))
        .collect();
    assert!(
        found.iter().any(|(p, m)| p == path && m.contains(words)),
        "no problem at {path} containing {words:?}: {found:#?}"
    );
}
