//! In-flight deduplication over real HTTP on loopback: identical reads in flight at the same
//! moment share one downstream call; writes, different requests and requests made after an
//! answer arrived each make their own. And the connections those calls travel on: HTTP/1.1
//! keep-alive by default, cleartext HTTP/2 (h2c) for a source that asks for it.

use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use knot_connect::{Connectors, Vars};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Seen = Arc<Mutex<Vec<(Method, String, HeaderMap)>>>;

/// A service that answers every request after 300 ms and records it.
async fn slow_service() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .fallback(
            |State(seen): State<Seen>, method: Method, uri: Uri, headers: HeaderMap| async move {
                seen.lock()
                    .expect("lock")
                    .push((method, uri.path().to_string(), headers));
                tokio::time::sleep(Duration::from_millis(300)).await;
                axum::Json(json!({"path": uri.path()}))
            },
        )
        .with_state(seen.clone());
    (knot_tests::serve_on_loopback(app).await, seen)
}

fn connectors(base_url: &str) -> Connectors {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "dedupe",
        "sources": {
            "books": {
                "kind": "rest",
                "baseUrl": base_url,
                "forwardHeaders": ["authorization"],
                "operations": {
                    "getBook": {"method": "GET", "path": "/books/{id}", "inputs": {"id": "ID!"}},
                    "touchBook": {"method": "POST", "path": "/books/{id}/touch", "inputs": {"id": "ID!"}}
                }
            },
            "catalog": {
                "kind": "graphql",
                "url": format!("{base_url}/graphql"),
                "operations": {
                    "book": {"field": "book", "inputs": {"id": "ID!"}},
                    "renameBook": {"field": "renameBook", "operationType": "mutation", "inputs": {"id": "ID!"}}
                }
            }
        },
        "schema": {"types": {}}
    }))
    .expect("workspace");
    let vars = Vars::from_workspace(&ws, None).expect("vars");
    Connectors::new(&ws, vars, std::path::Path::new(".")).expect("connectors")
}

fn id(value: &str) -> Map<String, Value> {
    let mut inputs = Map::new();
    inputs.insert("id".into(), Value::String(value.into()));
    inputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_reads_in_flight_share_one_call_and_nothing_is_reused_after_the_answer() {
    let (url, seen) = slow_service().await;
    let c = connectors(&url);
    let one = id("7");
    let calls = (0..5).map(|_| c.call("books", "getBook", &one, None, &[]));
    let results = futures::future::join_all(calls).await;
    assert_eq!(
        seen.lock().expect("lock").len(),
        1,
        "five identical reads, one call"
    );
    let shared = results.iter().filter(|r| r.shared).count();
    assert_eq!(shared, 4, "the four that joined say so");
    for r in &results {
        assert_eq!(r.outcome.as_ref().expect("answer")["path"], "/books/7");
    }
    // Answered: the next identical read makes its own call (no response cache).
    let again = c.call("books", "getBook", &one, None, &[]).await;
    assert!(!again.shared);
    assert_eq!(seen.lock().expect("lock").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_and_different_requests_are_never_shared() {
    let (url, seen) = slow_service().await;
    let c = connectors(&url);
    // Writes: each is sent.
    let seven = id("7");
    let writes = (0..3).map(|_| c.call("books", "touchBook", &seven, None, &[]));
    let results = futures::future::join_all(writes).await;
    assert!(results.iter().all(|r| !r.shared));
    assert_eq!(seen.lock().expect("lock").len(), 3);
    // Different ids, or different forwarded credentials: different requests.
    let alice = [("authorization".to_string(), "Bearer alice".to_string())];
    let bob = [("authorization".to_string(), "Bearer bob".to_string())];
    let (eight, a, b) = (id("8"), &alice[..], &bob[..]);
    let reads = futures::future::join_all([
        c.call("books", "getBook", &seven, None, a),
        c.call("books", "getBook", &eight, None, a),
        c.call("books", "getBook", &seven, None, b),
    ])
    .await;
    assert!(reads.iter().all(|r| !r.shared));
    assert_eq!(seen.lock().expect("lock").len(), 6);
    // GraphQL: identical queries share a call, mutations never do.
    let queries = futures::future::join_all(
        (0..3).map(|_| c.call("catalog", "book", &seven, Some("{ title }"), &[])),
    )
    .await;
    assert_eq!(queries.iter().filter(|r| r.shared).count(), 2);
    assert_eq!(seen.lock().expect("lock").len(), 7);
    let mutations = futures::future::join_all(
        (0..3).map(|_| c.call("catalog", "renameBook", &seven, Some("{ title }"), &[])),
    )
    .await;
    assert!(mutations.iter().all(|r| !r.shared));
    assert_eq!(seen.lock().expect("lock").len(), 10);
}

#[test]
fn only_query_documents_are_reads() {
    use knot_connect::graphql::document_is_query;
    for read in [
        "{ a }",
        "query { a }",
        "query Q($id: ID!) { a(id: $id) }",
        "  # note\n query { a }",
    ] {
        assert!(document_is_query(read), "{read}");
    }
    for write in [
        "mutation { a }",
        "mutation M { a }",
        "subscription { a }",
        "queryX { a }",
        "# query\nmutation { a }",
    ] {
        assert!(!document_is_query(write), "{write}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_can_turn_deduplication_off() {
    let (url, seen) = slow_service().await;
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "dedupe-off",
        "sources": {"books": {
            "kind": "rest",
            "baseUrl": url,
            "dedupe": false,
            "operations": {"getBook": {"method": "GET", "path": "/books/{id}", "inputs": {"id": "ID!"}}}
        }},
        "schema": {"types": {}}
    }))
    .expect("workspace");
    let vars = Vars::from_workspace(&ws, None).expect("vars");
    let c = Connectors::new(&ws, vars, std::path::Path::new(".")).expect("connectors");
    let seven = id("7");
    let results =
        futures::future::join_all((0..3).map(|_| c.call("books", "getBook", &seven, None, &[])))
            .await;
    assert!(results.iter().all(|r| !r.shared));
    assert_eq!(seen.lock().expect("lock").len(), 3);
}

/// `gateway.dedupeRequests`: identical client queries in flight share one run (here the
/// sources' own deduplication is off, so any sharing is the gateway's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_client_queries_share_one_run_when_the_gateway_is_told_to() {
    use knot_demo::{Faults, Service};
    let demo = knot_tests::start_demo().await;
    demo.control.set_faults(
        Service::Orders,
        Faults {
            latency_ms: 300,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = knot_tests::example_copy("shop", dir.path(), |ws| {
        ws.gateway.dedupe_requests = Some(true);
        for s in ws.sources.values_mut() {
            if let knot_model::Source::Rest(r) = s {
                r.dedupe = Some(false);
            }
        }
    });
    let gw = knot_tests::start_gateway(&path, &demo).await;
    let client = reqwest::Client::new();
    let ask = |id: &'static str| {
        let c = client.clone();
        let url = format!("http://{}/graphql", gw.addr);
        async move {
            let r = c
                .post(url)
                .json(&json!({"query": "query($id: ID!) { getOrderDetails(id: $id) { user { name } } }", "variables": {"id": id}}))
                .send()
                .await
                .expect("send");
            r.json::<Value>().await.expect("json")
        }
    };
    let answers =
        futures::future::join_all([ask("1"), ask("1"), ask("1"), ask("1"), ask("2")]).await;
    for a in &answers[..4] {
        assert_eq!(
            a["data"]["getOrderDetails"]["user"]["name"], "Ada Lovelace",
            "{a}"
        );
    }
    assert!(answers[4]["data"]["getOrderDetails"].is_object());
    // Four identical requests made one run (one order call), the other id its own.
    assert_eq!(demo.control.request_count(Service::Orders), 2);
    let metrics = client
        .get(format!("http://{}/metrics", gw.addr))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("knot_requests_shared_total 3"),
        "{metrics}"
    );
    // Once answered, the same query runs again.
    let again = ask("1").await;
    assert!(again["data"]["getOrderDetails"].is_object());
    assert_eq!(demo.control.request_count(Service::Orders), 3);
}

type Versions = Arc<Mutex<Vec<(axum::http::Version, std::net::SocketAddr)>>>;

/// A service that records the HTTP version and the client's address (one per connection)
/// of every request, answering after 100 ms so that concurrent calls overlap.
async fn version_service() -> (String, Versions) {
    use axum::extract::ConnectInfo;
    let seen: Versions = Arc::default();
    let app = axum::Router::new()
        .fallback(
            |State(seen): State<Versions>,
             ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
             version: axum::http::Version| async move {
                seen.lock().expect("lock").push((version, peer));
                tokio::time::sleep(Duration::from_millis(100)).await;
                axum::Json(json!({"ok": true}))
            },
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, service).await;
    });
    (format!("http://{addr}"), seen)
}

fn rest_connectors(base_url: &str, h2c: bool) -> Connectors {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1,
        "name": "h2c",
        "sources": {
            "books": {
                "kind": "rest",
                "baseUrl": base_url,
                "h2c": h2c,
                "operations": {
                    "getBook": {"method": "GET", "path": "/books/{id}", "inputs": {"id": "ID!"}}
                }
            }
        },
        "schema": {"types": {}}
    }))
    .expect("workspace");
    let vars = Vars::from_workspace(&ws, None).expect("vars");
    Connectors::new(&ws, vars, std::path::Path::new(".")).expect("connectors")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h2c_source_gets_concurrent_calls_multiplexed_on_one_http2_connection() {
    for h2c in [false, true] {
        let (url, seen) = version_service().await;
        let c = rest_connectors(&url, h2c);
        // Different ids: five calls in flight at once, none shared.
        let inputs: Vec<_> = (0..5).map(|i| id(&i.to_string())).collect();
        let results = futures::future::join_all(
            inputs
                .iter()
                .map(|one| c.call("books", "getBook", one, None, &[])),
        )
        .await;
        for r in &results {
            assert_eq!(r.outcome.as_ref().expect("answer")["ok"], true, "h2c {h2c}");
            assert!(!r.shared);
        }
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 5, "h2c {h2c}");
        let connections: std::collections::HashSet<_> =
            seen.iter().map(|(_, peer)| *peer).collect();
        if h2c {
            assert!(
                seen.iter().all(|(v, _)| *v == axum::http::Version::HTTP_2),
                "{seen:?}"
            );
            assert_eq!(
                connections.len(),
                1,
                "one connection carries the five calls: {seen:?}"
            );
        } else {
            assert!(
                seen.iter().all(|(v, _)| *v == axum::http::Version::HTTP_11),
                "{seen:?}"
            );
            assert_eq!(
                connections.len(),
                5,
                "HTTP/1.1: a connection per call in flight"
            );
        }
    }
}
