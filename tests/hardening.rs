//! Hostile downstreams and hostile inputs, on loopback: what a source's connector refuses
//! to do whatever the service answers or the client sends.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use knot_connect::{Category, Connectors, Vars};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

/// A server on an ephemeral loopback port that records every request's path and headers
/// and answers with `answer`.
type Seen = Arc<Mutex<Vec<(String, HeaderMap)>>>;

async fn recording_server(
    answer: impl Fn(&str) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .fallback(
            move |State(seen): State<Seen>, uri: Uri, headers: HeaderMap| async move {
                let path = uri.path().to_string();
                seen.lock().expect("lock").push((path.clone(), headers));
                answer(&path)
            },
        )
        .with_state(seen.clone());
    (knot_tests::serve_on_loopback(app).await, seen)
}

fn connectors(base_url: &str) -> Connectors {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "hostile",
        "sources": {"authors": {
            "kind": "rest",
            "baseUrl": base_url,
            "headers": {"x-api-key": "{{secret.API_KEY}}"},
            "operations": {"getAuthor": {"method": "GET", "path": "/authors/{id}", "inputs": {"id": "ID!"}}}
        }},
        "schema": {"types": {}}
    }))
    .expect("workspace");
    let mut vars = Vars::from_workspace(&ws, None).expect("vars");
    vars.set_secret("API_KEY", "k3y-for-authors-only");
    Connectors::new(&ws, vars, std::path::Path::new(".")).expect("connectors")
}

fn id(value: &str) -> Map<String, Value> {
    let mut inputs = Map::new();
    inputs.insert("id".into(), Value::String(value.into()));
    inputs
}

#[tokio::test]
async fn a_redirecting_downstream_gets_no_second_request_and_no_secret_travels() {
    let (elsewhere, stolen) = recording_server(|_| (StatusCode::OK, "{}").into_response()).await;
    // The service answers every call with a redirect to another address.
    let target = format!("{elsewhere}/steal");
    let (service, seen) = recording_server(move |_| {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [(axum::http::header::LOCATION, target.clone())],
        )
            .into_response()
    })
    .await;
    let c = connectors(&service);
    let result = c.call("authors", "getAuthor", &id("7"), None, &[]).await;
    let error = result.outcome.expect_err("a redirect is not an answer");
    assert_eq!(error.category(), Category::Dependency, "{error}");
    assert_eq!(result.status.as_deref(), Some("307"));
    assert_eq!(seen.lock().expect("lock").len(), 1);
    // The service's own request carried the key; nothing reached the other address.
    let first = &seen.lock().expect("lock")[0];
    assert_eq!(first.1["x-api-key"], "k3y-for-authors-only");
    assert!(stolen.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn dot_segment_path_inputs_make_no_downstream_call_in_any_spelling() {
    let (service, seen) = recording_server(|path| {
        (StatusCode::OK, axum::Json(json!({"path": path}))).into_response()
    })
    .await;
    let c = connectors(&service);
    for hostile in [".", "..", "%2e%2e", "%2E%2e", ".%2E", "%252e%252e"] {
        let result = c
            .call("authors", "getAuthor", &id(hostile), None, &[])
            .await;
        let error = result.outcome.expect_err(hostile);
        assert_eq!(error.category(), Category::Validation, "{hostile}: {error}");
        assert!(error.to_string().contains("`id`"), "{error}");
    }
    assert!(
        seen.lock().expect("lock").is_empty(),
        "a hostile id reached the service"
    );
    // Dots inside a value are just characters.
    let ok = c.call("authors", "getAuthor", &id("a..b"), None, &[]).await;
    assert_eq!(ok.outcome.expect("answer")["path"], "/authors/a..b");
}

#[tokio::test]
async fn an_oversized_downstream_answer_is_a_dependency_error_and_is_not_read_whole() {
    // Announced: a 17 MiB body with its length.
    let (announced, _) = recording_server(|_| {
        let body = format!("\"{}\"", "x".repeat(17 * 1024 * 1024));
        (StatusCode::OK, body).into_response()
    })
    .await;
    // Streamed: 1 MiB chunks with no length, 64 of them (more than the cap).
    let (streamed, _) = recording_server(|_| {
        let chunks = futures::stream::iter(
            (0..64).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1024 * 1024]))),
        );
        axum::body::Body::from_stream(chunks).into_response()
    })
    .await;
    for service in [announced, streamed] {
        let c = connectors(&service);
        let result = c.call("authors", "getAuthor", &id("7"), None, &[]).await;
        let error = result.outcome.expect_err("too large");
        assert_eq!(error.category(), Category::Dependency, "{error}");
        assert!(
            error.to_string().contains("larger than 16777216 bytes"),
            "{error}"
        );
    }
}

/// A downstream answer is data, whatever keys it holds: an object shaped like Knot's own
/// failure marker (the marker's key was once the fixed `$knotError`) is projected like any
/// other object, with no error and nothing else in its place.
#[tokio::test]
async fn a_downstream_object_shaped_like_a_failure_marker_is_plain_data() {
    let (base_url, _seen) = recording_server(|_| {
        axum::Json(json!({"$knotError": 0, "id": "1", "name": "Ada"})).into_response()
    })
    .await;
    let (marker_url, _) =
        recording_server(|_| axum::Json(json!({"$knotError": 0})).into_response()).await;
    for (url, expected) in [
        (base_url, json!({"author": {"id": "1", "name": "Ada"}})),
        (marker_url, json!({"author": {"id": null, "name": null}})),
    ] {
        let ws: knot_model::Workspace = serde_json::from_value(json!({
            "version": 1,
            "name": "spoof",
            "sources": {"authors": {
                "kind": "rest",
                "baseUrl": url,
                "operations": {"getAuthor": {"method": "GET", "path": "/authors/{id}", "inputs": {"id": "ID!"}}}
            }},
            "schema": {"types": {
                "Query": {"fields": {"author": {
                    "type": "Author",
                    "arguments": {"id": {"type": "ID!"}},
                    "binding": {"source": "authors", "operation": "getAuthor", "args": {"id": {"argument": "id"}}}
                }}},
                "Author": {"fields": {"id": {"type": "ID"}, "name": {"type": "String"}}}
            }}
        }))
        .expect("workspace");
        let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
        let runtime = knot_runtime::Runtime::load(ws, vars, std::path::Path::new("."))
            .expect("the workspace loads");
        let outcome = runtime
            .run(&knot_tests::request(
                r#"{ author(id: "1") { id name } }"#,
                json!({}),
            ))
            .await;
        assert_eq!(
            outcome.response,
            json!({ "data": expected }),
            "{:#}",
            outcome.response
        );
    }
}
