//! Environments edited from the app (a secret's value kept out of the document, the linked
//! file and the history, yet used by the run) and the topology view with its overlay.

use knot_app_api::*;
use knot_app_lib::AppState;
use serde_json::{json, Map};

const SECRET: &str = "s3cr3t-Value-4242";
const DETAILS: &str =
    r#"query OrderDetails { getOrderDetails(id: "1") { user { name } products { name price } } }"#;

fn request(document: &str) -> QueryRequest {
    QueryRequest {
        document: document.into(),
        operation_name: None,
        variables: Map::new(),
    }
}

fn var(name: &str, value: &str, secret: bool) -> EnvVariableInput {
    EnvVariableInput {
        name: name.into(),
        value: value.into(),
        secret,
    }
}

/// Serves `app` on a loopback port of its own; its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// An HTTP server answering `GET /whoami` with the request's `authorization` header.
async fn echo_server() -> String {
    use axum::{http::HeaderMap, routing::get, Json, Router};
    let app = Router::new().route(
        "/whoami",
        get(|headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            Json(json!({ "auth": auth }))
        }),
    );
    serve(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_stays_out_of_the_document_the_file_and_history_but_reaches_the_call() {
    let url = echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), false).await.expect("init");
    state.workspace_create("secrets").await.expect("create");
    let file = dir.path().join("secrets.knot.json");
    state.workspace_save_as(&file).await.expect("save as");
    let ws = state
        .source_add_rest(&RestSourceInput {
            name: "echo".into(),
            base_url: "{{env.ECHO_URL}}".into(),
            operations: vec![RestOperationInput {
                name: "whoami".into(),
                method: "GET".into(),
                path: "/whoami".into(),
                inputs: Vec::new(),
            }],
        })
        .await
        .expect("add source");
    let mut doc = ws.document.clone();
    doc["sources"]["echo"]["headers"] = json!({"authorization": "Bearer {{secret.TOKEN}}"});
    doc["schema"]["types"]["Query"]["fields"]["whoami"] =
        json!({"type": "Who", "binding": {"source": "echo", "operation": "whoami"}});
    doc["schema"]["types"]["Who"] = json!({"fields": {"auth": {"type": "String"}}});
    let ws = state.workspace_update(&doc).await.expect("update");
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);

    // A secret is declared in the document without a value.
    let ws = state
        .environment_save(
            "local",
            &[var("ECHO_URL", &url, false), var("TOKEN", SECRET, true)],
        )
        .await
        .expect("save environment");
    assert_eq!(ws.environments, vec!["local".to_string()]);
    let vars = &ws.document["environments"]["local"]["variables"];
    assert_eq!(vars["TOKEN"], json!({"secret": true}));
    assert_eq!(vars["ECHO_URL"], json!(url));
    assert!(!ws.document.to_string().contains(SECRET));
    let bytes = std::fs::read(&file).expect("read the linked file");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("TOKEN") && text.contains(&url), "{text}");
    assert!(!text.contains(SECRET), "the secret reached the file");

    let listed = state.environment_list().await.expect("list");
    let token = listed[0]
        .variables
        .iter()
        .find(|v| v.name == "TOKEN")
        .expect("TOKEN listed");
    assert!(token.secret && token.stored && token.value.is_empty());

    // The run uses the stored value; the history keeps the reference only.
    let run = state
        .query_run("s1", &request("{ whoami { auth } }"), None)
        .await
        .expect("run");
    let expected = format!("Bearer {SECRET}");
    assert_eq!(
        run.response["data"]["whoami"]["auth"].as_str(),
        Some(expected.as_str()),
        "{}",
        run.response
    );
    let recorded = state
        .history_get(run.history_id.expect("recorded"))
        .await
        .expect("history run");
    let recorded = serde_json::to_string(&recorded).expect("json");
    assert!(!recorded.contains(SECRET), "the secret reached the history");
    assert!(recorded.contains("{{secret.TOKEN}}"), "{recorded}");

    // An empty value keeps the stored one; removing the variable forgets it.
    state
        .environment_save(
            "local",
            &[var("ECHO_URL", &url, false), var("TOKEN", "", true)],
        )
        .await
        .expect("save again");
    let again = state
        .query_run("s2", &request("{ whoami { auth } }"), None)
        .await
        .expect("run again");
    assert_eq!(
        again.response["data"]["whoami"]["auth"].as_str(),
        Some(expected.as_str())
    );
    state
        .environment_save("local", &[var("ECHO_URL", &url, false)])
        .await
        .expect("drop the secret");
    let id = state.workspace_current().await.expect("current").id;
    assert!(state
        .store()
        .secret_names(id)
        .await
        .expect("names")
        .is_empty());

    // Bad input and deletion.
    let dup = state
        .environment_save("local", &[var("A", "1", false), var("A", "2", false)])
        .await
        .expect_err("duplicate variable");
    assert_eq!(dup.code, ApiErrorCode::InvalidInput);
    state
        .environment_save("staging", &[var("TOKEN", "other", true)])
        .await
        .expect("second environment");
    let ws = state.environment_select("staging").await.expect("select");
    assert_eq!(ws.environment.as_deref(), Some("staging"));
    let ws = state.environment_delete("staging").await.expect("delete");
    assert_eq!(ws.environments, vec!["local".to_string()]);
    // The deleted choice falls back to the default (the first environment).
    assert_eq!(ws.environment.as_deref(), Some("local"));
    assert!(state
        .store()
        .secret_names(id)
        .await
        .expect("names")
        .is_empty());
    let missing = state.environment_delete("staging").await.expect_err("gone");
    assert_eq!(missing.code, ApiErrorCode::NotFound);
    let text = std::fs::read_to_string(&file).expect("read the linked file");
    assert!(!text.contains("other") && !text.contains(SECRET));
}

/// A linked file whose source URL changes on disk (as after a `git pull`): the stored secret
/// is withheld, a run fails naming the source and nothing is called, until the person
/// confirms the new URL. A URL the person changes in the app needs no confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_secrets_wait_for_confirmation_when_a_linked_files_source_url_changes_on_disk() {
    let (first, mine, pulled) = (
        echo_server().await,
        echo_server().await,
        echo_server().await,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), false).await.expect("init");
    state.workspace_create("pulled").await.expect("create");
    let file = dir.path().join("pulled.knot.json");
    state.workspace_save_as(&file).await.expect("save as");
    let ws = state
        .source_add_rest(&RestSourceInput {
            name: "echo".into(),
            base_url: "{{env.ECHO_URL}}".into(),
            operations: vec![RestOperationInput {
                name: "whoami".into(),
                method: "GET".into(),
                path: "/whoami".into(),
                inputs: Vec::new(),
            }],
        })
        .await
        .expect("add source");
    let mut doc = ws.document.clone();
    doc["sources"]["echo"]["headers"] = json!({"authorization": "Bearer {{secret.TOKEN}}"});
    doc["schema"]["types"]["Query"]["fields"]["whoami"] =
        json!({"type": "Who", "binding": {"source": "echo", "operation": "whoami"}});
    doc["schema"]["types"]["Who"] = json!({"fields": {"auth": {"type": "String"}}});
    state.workspace_update(&doc).await.expect("update");
    let expected = format!("Bearer {SECRET}");
    let auth = |run: &RunResult| {
        run.response["data"]["whoami"]["auth"]
            .as_str()
            .map(str::to_string)
    };

    let ws = state
        .environment_save(
            "local",
            &[var("ECHO_URL", &first, false), var("TOKEN", SECRET, true)],
        )
        .await
        .expect("save environment");
    assert!(ws.unconfirmed_sources.is_empty());
    let run = state
        .query_run("r1", &request("{ whoami { auth } }"), None)
        .await
        .expect("run");
    assert_eq!(auth(&run), Some(expected.clone()));

    // The person points the source elsewhere in the app: their own change, no question.
    let ws = state
        .environment_save(
            "local",
            &[var("ECHO_URL", &mine, false), var("TOKEN", "", true)],
        )
        .await
        .expect("edit the URL");
    assert!(
        ws.unconfirmed_sources.is_empty(),
        "{:?}",
        ws.unconfirmed_sources
    );
    let run = state
        .query_run("r2", &request("{ whoami { auth } }"), None)
        .await
        .expect("run after an own edit");
    assert_eq!(auth(&run), Some(expected.clone()));

    // The file changes on disk: the source now points at another server.
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains(&mine));
    std::fs::write(&file, text.replace(&mine, &pulled)).expect("write");
    let ws = state.workspace_open_file(&file).await.expect("reopen");
    // The person is shown the URL they confirmed and the new one.
    let changed = vec![UnconfirmedSourceView {
        name: "echo".into(),
        confirmed_url: Some(mine.clone()),
        url: pulled.clone(),
    }];
    assert_eq!(ws.unconfirmed_sources, changed);
    let err = state
        .query_run("r3", &request("{ whoami { auth } }"), None)
        .await
        .expect_err("secrets withheld");
    assert_eq!(err.code, ApiErrorCode::Workspace);
    assert!(err.message.contains("`echo`"), "{}", err.message);
    let err = state
        .operation_send("echo", "whoami", &Map::new(), &SendOptionsView::default())
        .await
        .expect_err("a raw call too");
    assert!(err.message.contains("`echo`"), "{}", err.message);
    // Still withheld after a restart of the app.
    drop(state);
    let state = AppState::init(dir.path(), false).await.expect("restart");
    assert_eq!(
        state
            .workspace_current()
            .await
            .expect("current")
            .unconfirmed_sources,
        changed
    );

    // Confirmed: the secret goes to the new URL.
    let ws = state.workspace_confirm_sources().await.expect("confirm");
    assert!(ws.unconfirmed_sources.is_empty());
    let run = state
        .query_run("r4", &request("{ whoami { auth } }"), None)
        .await
        .expect("run after confirming");
    assert_eq!(auth(&run), Some(expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_view_shows_the_shop_graph_with_call_statistics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), true).await.expect("init");

    let plain = state.topology_view(false).await.expect("topology");
    assert!(plain.overlays.is_empty() && plain.runs == 0);
    let node = |id: &str| plain.nodes.iter().find(|n| n.id == id).cloned();
    let orders = node("source:orders").expect("orders");
    assert_eq!(
        (orders.kind, orders.detail.as_str()),
        (TopologyNodeKind::Source, "rest")
    );
    assert_eq!(node("source:products").expect("products").detail, "grpc");
    assert_eq!(
        node("type:Order").expect("Order").kind,
        TopologyNodeKind::Type
    );
    let op = node("operation:OrderDetails").expect("saved operation");
    assert_eq!(op.detail, "GET /composite-order-details/{id}");
    let has = |from: &str, to: &str, kind: TopologyEdgeKind| {
        plain
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.kind == kind)
    };
    assert!(has("source:orders", "type:Order", TopologyEdgeKind::Feeds));
    assert!(has("type:Order", "type:User", TopologyEdgeKind::Holds));
    assert!(has(
        "operation:OrderDetails",
        "source:products",
        TopologyEdgeKind::Reaches
    ));

    for i in 0..2 {
        let run = state
            .query_run(&format!("t{i}"), &request(DETAILS), None)
            .await
            .expect("run");
        assert!(run.response.get("errors").is_none(), "{}", run.response);
    }
    let view = state.topology_view(true).await.expect("with overlay");
    assert_eq!(view.runs, 2);
    let sources: Vec<&str> = view.overlays.iter().map(|o| o.source.as_str()).collect();
    assert_eq!(sources, ["orders", "products", "users"]);
    for o in &view.overlays {
        assert_eq!(o.calls, 2, "{o:?}");
        assert_eq!(o.error_rate, 0.0);
        assert!(o.median_ms > 0.0, "{o:?}");
    }

    // The text is the core's, the same `knot topology` prints for the linked file.
    let file = state
        .workspace_current()
        .await
        .expect("ws")
        .file
        .expect("linked");
    let bytes = std::fs::read(&file).expect("read the file");
    let ws = knot_model::check_bytes(&bytes).workspace.expect("parses");
    let topo = knot_plan::topology::topology(&ws);
    let text = |f| {
        let state = &state;
        async move { state.topology_text(f).await.expect("text") }
    };
    assert_eq!(text(TopologyFormat::Dot).await, topo.to_dot(&ws.name));
    assert_eq!(text(TopologyFormat::Mermaid).await, topo.to_mermaid());
    let svg = text(TopologyFormat::Svg).await;
    assert!(svg.starts_with("<svg") && svg == topo.to_svg());
}

/// What the inspect server received: every request's headers and body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(Vec<(String, String)>, String)>>>;

/// An HTTP server answering `POST /inspect` with the headers and body it received, and
/// headers of its own (`x-echo`, and the authorization it got back as `x-auth-echo`).
async fn inspect_server(received: Received) -> String {
    use axum::{
        http::{HeaderMap, HeaderValue},
        routing::post,
        Router,
    };
    let app = Router::new().route(
        "/inspect",
        post(move |headers: HeaderMap, body: String| {
            let received = received.clone();
            async move {
                let pairs: Vec<(String, String)> = headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            v.to_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                received
                    .lock()
                    .expect("lock")
                    .push((pairs.clone(), body.clone()));
                let mut out = HeaderMap::new();
                out.insert("x-echo", HeaderValue::from_static("yes"));
                if let Some(auth) = headers.get("authorization") {
                    out.insert("x-auth-echo", auth.clone());
                }
                let seen: serde_json::Map<String, serde_json::Value> =
                    pairs.into_iter().map(|(k, v)| (k, json!(v))).collect();
                (out, axum::Json(json!({ "headers": seen, "body": body })))
            }
        }),
    );
    serve(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_adds_headers_auth_and_a_body_of_its_own_and_shows_the_answers_headers() {
    let received: Received = Default::default();
    let url = inspect_server(received.clone()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::init(dir.path(), false).await.expect("init");
    state.workspace_create("send").await.expect("create");
    let ws = state
        .source_add_rest(&RestSourceInput {
            name: "echo".into(),
            base_url: "{{env.ECHO_URL}}".into(),
            operations: vec![RestOperationInput {
                name: "inspect".into(),
                method: "POST".into(),
                path: "/inspect".into(),
                inputs: vec![InputView {
                    name: "id".into(),
                    ty: "ID!".into(),
                    required: true,
                }],
            }],
        })
        .await
        .expect("add source");
    let mut doc = ws.document.clone();
    doc["sources"]["echo"]["operations"]["inspect"]["body"] = json!({"id": "{id}"});
    state.workspace_update(&doc).await.expect("update");
    state
        .environment_save(
            "local",
            &[
                var("ECHO_URL", &url, false),
                var("USER", "alice", false),
                var("TOKEN", SECRET, true),
            ],
        )
        .await
        .expect("save environment");
    let inputs = json!({"id": "7"}).as_object().cloned().unwrap_or_default();

    // Headers of its own (a blank row ignored), a bearer token from a secret, and a body
    // edited in place of the operation's.
    let options = SendOptionsView {
        headers: vec![
            ("x-trace".into(), "t-{{env.USER}}".into()),
            (String::new(), String::new()),
        ],
        auth: AuthView::Bearer {
            token: "{{secret.TOKEN}}".into(),
        },
        body: Some(r#"{"id": "{id}", "note": "edited by {{env.USER}}"}"#.into()),
    };
    let call = state
        .operation_send("echo", "inspect", &inputs, &options)
        .await
        .expect("send");
    assert_eq!(call.status.as_deref(), Some("200"), "{call:?}");
    {
        let got = received.lock().expect("lock");
        let (headers, body) = got.last().expect("one request");
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("x-trace").as_deref(), Some("t-alice"));
        assert_eq!(
            header("authorization"),
            Some(format!("Bearer {SECRET}")),
            "the secret reaches the service"
        );
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON body");
        assert_eq!(body, json!({"id": "7", "note": "edited by alice"}));
    }
    // What the app shows: the secret masked in the request, the answer and its headers.
    let shown = |name: &str| {
        call.request
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(shown("x-trace").as_deref(), Some("t-alice"));
    assert_eq!(
        shown("authorization").as_deref(),
        Some("Bearer {{secret.TOKEN}}")
    );
    assert_eq!(
        call.request.body,
        Some(json!({"id": "7", "note": "edited by alice"}))
    );
    let answer_header = |name: &str| {
        call.response_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(answer_header("x-echo").as_deref(), Some("yes"));
    assert_eq!(
        answer_header("x-auth-echo").as_deref(),
        Some("Bearer {{secret.TOKEN}}"),
        "{:?}",
        call.response_headers
    );
    assert!(answer_header("content-type").is_some_and(|t| t.contains("json")));
    let everything = serde_json::to_string(&call).expect("json");
    assert!(!everything.contains(SECRET), "the secret reached the view");

    // Basic auth: a username from the environment, the password a secret; an API key.
    let basic = SendOptionsView {
        auth: AuthView::Basic {
            username: "{{env.USER}}".into(),
            password: "{{secret.TOKEN}}".into(),
        },
        ..Default::default()
    };
    let call = state
        .operation_send("echo", "inspect", &inputs, &basic)
        .await
        .expect("send basic");
    assert_eq!(call.status.as_deref(), Some("200"));
    {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("alice:{SECRET}"));
        let got = received.lock().expect("lock");
        let (headers, body) = got.last().expect("request");
        assert!(
            headers.contains(&("authorization".into(), format!("Basic {encoded}"))),
            "{headers:?}"
        );
        // No body edited: the operation's own template.
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(body).expect("JSON"),
            json!({"id": "7"})
        );
        let everything = serde_json::to_string(&call).expect("json");
        assert!(!everything.contains(&encoded), "encoded secret shown");
    }
    assert!(call.request.headers.contains(&(
        "authorization".into(),
        "Basic base64(alice:{{secret.TOKEN}})".into()
    )));
    let key = SendOptionsView {
        auth: AuthView::ApiKey {
            header: "x-api-key".into(),
            value: "k-{{env.USER}}".into(),
        },
        ..Default::default()
    };
    state
        .operation_send("echo", "inspect", &inputs, &key)
        .await
        .expect("send api key");
    assert!(received
        .lock()
        .expect("lock")
        .last()
        .expect("request")
        .0
        .contains(&("x-api-key".into(), "k-alice".into())));

    // Bad input is refused before any call, naming where it is wrong.
    let before = received.lock().expect("lock").len();
    let err = state
        .operation_send(
            "echo",
            "inspect",
            &inputs,
            &SendOptionsView {
                body: Some("{\"id\": \n  nope}".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("a body that is not JSON");
    assert_eq!(err.code, ApiErrorCode::InvalidInput);
    assert!(err.message.contains("line 2"), "{}", err.message);
    for (headers, words) in [
        (vec![("x-a".to_string(), "{{env.NOPE}}".to_string())], "x-a"),
        (vec![("bad name".into(), "v".into())], "`bad name`"),
        (vec![(String::new(), "orphan".into())], "no name"),
    ] {
        let call = state
            .operation_send(
                "echo",
                "inspect",
                &inputs,
                &SendOptionsView {
                    headers,
                    ..Default::default()
                },
            )
            .await
            .expect("refused calls still answer");
        let error = call.error.unwrap_or_default();
        assert!(error.contains(words), "{error}");
        assert_eq!(call.category.as_deref(), Some("VALIDATION"));
    }
    assert_eq!(received.lock().expect("lock").len(), before, "nothing sent");
}
