//! One engine: a bound field behaves the same whether its parent type comes from the
//! workspace's own schema or from Federation subgraphs. Each scenario runs both kinds of
//! workspace through `knot_runtime::Runtime` against the demo services on loopback and
//! asserts the answer and the trace.

use knot_runtime::{Outcome, Runtime, Vars};
use knot_tests::*;
use serde_json::{json, Value};

/// The example's JSON, changed by `edit`, loaded as a runtime with `vars`.
async fn runtime(
    name: &str,
    vars: Vec<(String, String)>,
    edit: impl FnOnce(&mut Value),
) -> Runtime {
    let path = repo_root()
        .join("examples")
        .join(format!("{name}.knot.json"));
    let mut json: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("example")).expect("JSON");
    edit(&mut json);
    let ws: knot_model::Workspace = serde_json::from_value(json).expect("a workspace");
    let mut resolved = Vars::from_workspace(&ws, None).expect("vars");
    for (k, v) in vars {
        resolved.set(k, v);
    }
    let base = repo_root().join("examples");
    tokio::task::spawn_blocking(move || Runtime::load(ws, resolved, &base))
        .await
        .expect("load thread")
        .expect("the workspace loads")
}

async fn run(runtime: &Runtime, document: &str, variables: Value) -> Outcome {
    runtime.run(&request(document, variables)).await
}

fn spans(outcome: &Outcome, source: &str) -> Vec<knot_runtime::Span> {
    outcome
        .trace
        .as_ref()
        .expect("a trace")
        .spans
        .iter()
        .filter(|s| s.source == source)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_batch_binding_on_a_federated_type_makes_one_call_per_distinct_input_set() {
    let demo = start_fleet().await;
    // The maintenance lookup also takes each device's name: parents with different names
    // cannot share a call (before, every call carried the first device's name).
    let runtime = runtime("fleet", demo.env_vars(), |ws| {
        let op = &mut ws["sources"]["maintenance"]["operations"]["byDevices"];
        op["query"]["site"] = json!("{site}");
        op["inputs"]["site"] = json!("String");
        let device = &mut ws["schema"]["types"]["Device"]["fields"];
        device["name"] = json!({"type": "String!"});
        device["maintenance"]["binding"]["args"] = json!({"site": {"parent": "name"}});
    })
    .await;
    let outcome = run(
        &runtime,
        "{ devices { id maintenance { technician } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        outcome.response["data"]["devices"][0]["maintenance"]["technician"], "Rosa",
        "{}",
        outcome.response
    );
    let calls = spans(&outcome, "maintenance");
    assert_eq!(calls.len(), 8, "one call per distinct name: {calls:#?}");
    assert!(calls
        .iter()
        .all(|c| c.batch_size == 1 && c.operation == "byDevices"));
    // Each call carries its own device's name.
    for name in ["Front door", "Loading bay", "Roof"] {
        assert!(
            calls
                .iter()
                .any(|c| c.request.target.ends_with(&format!("site={name}"))),
            "no call for {name}: {:?}",
            calls.iter().map(|c| &c.request.target).collect::<Vec<_>>()
        );
    }
    // All calls run in the same node, which waits only for the devices.
    let node = calls[0].node;
    assert!(calls.iter().all(|c| c.node == node));
}

#[tokio::test]
async fn a_missing_environment_variable_is_the_same_error_in_both_kinds_of_workspace() {
    let shop_demo = start_demo().await;
    let fleet = start_fleet().await;
    let shop = runtime("shop", shop_demo.env_vars(), |ws| {
        let op = &mut ws["sources"]["users"]["operations"]["getUser"];
        op["query"] = json!({"token": "{token}"});
        op["inputs"]["token"] = json!("String");
        ws["schema"]["types"]["Order"]["fields"]["user"]["binding"]["args"] =
            json!({"token": {"env": "KNOT_TEST_MISSING_TOKEN"}});
    })
    .await;
    let federated = runtime("fleet", fleet.env_vars(), |ws| {
        let op = &mut ws["sources"]["maintenance"]["operations"]["byDevices"];
        op["query"]["token"] = json!("{token}");
        op["inputs"]["token"] = json!("String");
        ws["schema"]["types"]["Device"]["fields"]["maintenance"]["binding"]["args"] =
            json!({"token": {"env": "KNOT_TEST_MISSING_TOKEN"}});
    })
    .await;
    let shop_outcome = run(
        &shop,
        r#"{ getOrderDetails(id: "1") { id user { name } } }"#,
        json!({}),
    )
    .await;
    let fleet_outcome = run(
        &federated,
        r#"{ device(id: "1") { name maintenance { technician } } }"#,
        json!({}),
    )
    .await;
    for (outcome, path, source) in [
        (&shop_outcome, json!(["getOrderDetails", "user"]), "users"),
        (
            &fleet_outcome,
            json!(["device", "maintenance"]),
            "maintenance",
        ),
    ] {
        let errors = errors(outcome);
        assert_eq!(errors.len(), 1, "{}", outcome.response);
        assert_eq!(errors[0]["path"], path, "{}", outcome.response);
        assert_eq!(errors[0]["path"], path);
        assert_eq!(errors[0]["extensions"]["category"], "DEPENDENCY");
        assert_eq!(errors[0]["message"], "A dependency failed.");
        // No call was made; the explorer sees why.
        assert!(spans(outcome, source).is_empty());
        let detail: Vec<&str> = outcome
            .trace
            .as_ref()
            .expect("trace")
            .errors
            .iter()
            .map(|e| e.detail.as_str())
            .collect();
        assert!(
            detail
                .iter()
                .any(|d| d.contains("environment variable `KNOT_TEST_MISSING_TOKEN` is not set")),
            "{detail:?}"
        );
    }
    assert_eq!(shop_outcome.response["data"]["getOrderDetails"]["id"], "1");
    assert_eq!(
        fleet_outcome.response["data"]["device"]["name"],
        "Front door"
    );
}

#[tokio::test]
async fn keys_compare_as_text_for_a_binding_run_over_federation_parents() {
    let fleet = start_fleet().await;
    let runtime = runtime("fleet", fleet.env_vars(), |_| {}).await;
    // The node of `Device.maintenance` as the federation front end runs it: over a list of
    // parents (representations), one carrying the id as a number and one as text.
    let plan = runtime
        .plan(&request(
            "{ devices { maintenance { technician } } }",
            json!({}),
        ))
        .expect("plans");
    let node = plan
        .graph
        .node_weights()
        .find(|n| n.source == "maintenance")
        .expect("the maintenance node")
        .clone();
    let connectors = knot_connect::Connectors::new(
        runtime.workspace(),
        {
            let mut v = Vars::from_workspace(runtime.workspace(), None).expect("vars");
            for (k, val) in fleet.env_vars() {
                v.set(k, val);
            }
            v
        },
        &repo_root().join("examples"),
    )
    .expect("connectors");
    let mut node = node;
    node.key = Some(knot_plan::KeySpec {
        parent: vec!["id".into()],
        input: "ids".into(),
    });
    node.inputs.clear();
    let ran = knot_execute::run::run_node_over(
        &node,
        vec![json!({"id": 1}), json!({"id": "1"}), json!({"id": "3"})],
        &connectors,
        &[],
        std::time::Instant::now(),
    )
    .await;
    assert_eq!(ran.spans.len(), 1);
    assert_eq!(ran.spans[0].batch_size, 2, "`1` and `\"1\"` are one key");
    let technicians: Vec<Value> = ran
        .values
        .iter()
        .map(|v| v.as_ref().expect("a value")["technician"].clone())
        .collect();
    assert_eq!(technicians, [json!("Rosa"), json!("Rosa"), json!("Malik")]);
}

#[tokio::test]
async fn a_subgraph_call_is_traced_with_its_secrets_masked() {
    let fleet = start_fleet().await;
    let vars: Vec<(String, String)> = fleet.env_vars();
    let device_url = vars
        .iter()
        .find(|(k, _)| k == "FEDERATION_DEVICE_URL")
        .map(|(_, v)| v.clone())
        .expect("device url");
    // The device subgraph's URL carries a secret (a key in the query string) and a header.
    let runtime = {
        let path = repo_root().join("examples/fleet.knot.json");
        let mut json: Value =
            serde_json::from_slice(&std::fs::read(&path).expect("example")).expect("JSON");
        json["sources"]["device"]["url"] =
            json!(format!("{device_url}?key={{{{secret.DEVICE_KEY}}}}"));
        json["sources"]["device"]["headers"] = json!({"x-api-key": "{{secret.DEVICE_KEY}}"});
        let ws: knot_model::Workspace = serde_json::from_value(json).expect("a workspace");
        let mut resolved = Vars::from_workspace(&ws, None).expect("vars");
        for (k, v) in vars {
            resolved.set(k, v);
        }
        resolved.set_secret("DEVICE_KEY", "s3cr3t-value");
        let base = repo_root().join("examples");
        tokio::task::spawn_blocking(move || Runtime::load(ws, resolved, &base))
            .await
            .expect("load thread")
            .expect("loads")
    };
    let outcome = run(&runtime, r#"{ device(id: "1") { name } }"#, json!({})).await;
    assert_eq!(
        outcome.response["data"]["device"]["name"], "Front door",
        "{}",
        outcome.response
    );
    let trace = serde_json::to_string(&outcome.trace_json()).expect("JSON");
    assert!(
        !trace.contains("s3cr3t-value"),
        "the secret leaked into the trace: {trace}"
    );
    let device = spans(&outcome, "device");
    assert_eq!(device.len(), 1);
    assert!(
        device[0].request.target.contains("{{secret.DEVICE_KEY}}"),
        "{:?}",
        device[0].request
    );
    assert!(device[0].bytes > 0);
}

/// A maintenance log on loopback that answers every device after 30 ms and records how many
/// of its requests were in flight at once.
async fn counting_maintenance_log() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now2, most2) = (now.clone(), most.clone());
    let app = axum::Router::new().route(
        "/maintenance",
        axum::routing::get(move |uri: axum::http::Uri| {
            let (now, most) = (now2.clone(), most2.clone());
            async move {
                let inside = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(inside, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                let records: Vec<Value> = uri
                    .query()
                    .unwrap_or("")
                    .split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .filter(|(name, _)| *name == "device")
                    .map(|(_, id)| json!({"deviceId": id, "technician": "Rosa"}))
                    .collect();
                axum::Json(Value::Array(records))
            }
        }),
    );
    (knot_tests::serve_on_loopback(app).await, most)
}

/// One source, one semaphore: the maintenance source's `maxConcurrency` bounds its calls in
/// flight across every run of a federation workspace's runtime (the app once held a second
/// semaphore for the same source in its federation gateway).
#[tokio::test]
async fn a_sources_concurrency_limit_holds_across_concurrent_runs_of_a_federation_workspace() {
    let demo = start_fleet().await;
    let (log_url, most) = counting_maintenance_log().await;
    let mut vars = demo.env_vars();
    for (name, value) in vars.iter_mut() {
        if name == knot_demo::MAINTENANCE_ENV_VAR {
            *value = log_url.clone();
        }
    }
    let runtime = runtime("fleet", vars, |ws| {
        ws["sources"]["maintenance"]["maxConcurrency"] = json!(2);
        // One call per device name (8 devices), so each run has 8 calls to make.
        let op = &mut ws["sources"]["maintenance"]["operations"]["byDevices"];
        op["query"]["site"] = json!("{site}");
        op["inputs"]["site"] = json!("String");
        let device = &mut ws["schema"]["types"]["Device"]["fields"];
        device["name"] = json!({"type": "String!"});
        device["maintenance"]["binding"]["args"] = json!({"site": {"parent": "name"}});
    })
    .await;
    let document = "{ devices { id maintenance { technician } } }";
    let (a, b, c) = tokio::join!(
        run(&runtime, document, json!({})),
        run(&runtime, document, json!({})),
        run(&runtime, document, json!({})),
    );
    for outcome in [&a, &b, &c] {
        assert_eq!(
            outcome.response["data"]["devices"][0]["maintenance"]["technician"], "Rosa",
            "{}",
            outcome.response
        );
        assert_eq!(spans(outcome, "maintenance").len(), 8);
    }
    let most = most.load(std::sync::atomic::Ordering::SeqCst);
    assert!(most <= 2, "{most} maintenance calls were in flight at once");
    assert_eq!(
        most, 2,
        "24 calls of 30 ms never overlapped: the limit is not 2"
    );
}

/// A binding's result on a federated type is shaped by the one projection, `from` renames,
/// aliases and `__typename` included (before, a separate in-process shaping did it for
/// federation workspaces only).
#[tokio::test]
async fn a_bound_result_on_a_federated_type_is_shaped_by_the_one_projection() {
    let demo = start_fleet().await;
    let runtime = runtime("fleet", demo.env_vars(), |ws| {
        ws["schema"]["types"]["Maintenance"]["fields"]["servicedBy"] =
            json!({"type": "String", "from": "technician"});
        ws["schema"]["types"]["Maintenance"]["fields"]["since"] =
            json!({"type": "String!", "from": "nextService"});
    })
    .await;
    let outcome = run(
        &runtime,
        r#"{ device(id: "1") { maintenance { who: servicedBy servicedBy technician __typename } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        outcome.response,
        json!({"data": {"device": {"maintenance": {
            "who": "Rosa", "servicedBy": "Rosa", "technician": "Rosa", "__typename": "Maintenance"
        }}}}),
        "{:#}",
        outcome.response
    );
    // A non-null renamed field whose raw value is missing: one error at its path, and the
    // null stops at the nullable `maintenance`.
    let outcome = run(
        &runtime,
        r#"{ device(id: "1") { id maintenance { since } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        outcome.response["data"],
        json!({"device": {"id": "1", "maintenance": null}}),
        "{:#}",
        outcome.response
    );
    let errors = outcome.response["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(errors.len(), 1, "{:#}", outcome.response);
    assert_eq!(errors[0]["path"], json!(["device", "maintenance", "since"]));
    assert_eq!(errors[0]["extensions"]["category"], "DEPENDENCY");
}
