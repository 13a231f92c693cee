//! `knot serve` against hostile and careless clients, over real TCP on loopback: idle and
//! slow connections are dropped at their deadlines, load past the limits is shed with 503
//! instead of queued, slow bodies get 408, oversized answers are refused, writes need JSON,
//! answers that depend on forwarded headers are not cacheable, operators' endpoints can
//! live on their own address, and introspection is off by default beyond loopback.

use knot_demo::{Faults, Service};
use knot_tests::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHOP: &str = r#"{ getOrderDetails(id: "1") { user { name } products { name price } } }"#;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn shop_query(addr: std::net::SocketAddr) -> (u16, Value) {
    let r = client()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": SHOP }))
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Waits until the server closes `stream` (EOF or reset); returns when, or None if it
/// stays open until `limit`.
async fn closed_within(mut stream: TcpStream, limit: Duration) -> Option<Instant> {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(Instant::now()),
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_a_slowloris_client_are_dropped_at_their_deadlines_while_requests_keep_answering(
) {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.idle_timeout_ms = Some(600);
        ws.gateway.header_read_timeout_ms = Some(600);
    });
    let gw = start_gateway(&path, &demo).await;
    let mut idle = Vec::new();
    for _ in 0..500 {
        let stream = TcpStream::connect(gw.addr).await.expect("connect");
        // Watched from now on, so the close is timed when it happens, not when the test
        // gets round to looking (a loaded machine once made that seconds later).
        let opened = Instant::now();
        idle.push((
            opened,
            tokio::spawn(closed_within(stream, Duration::from_secs(6))),
        ));
    }
    // Slowloris: a header line every 100 ms, never the blank line that ends the headers.
    let addr = gw.addr;
    let slow = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let started = Instant::now();
        if s.write_all(b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n")
            .await
            .is_err()
        {
            return started.elapsed();
        }
        for i in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let line = format!("x-slow-{i}: still sending\r\n");
            if s.write_all(line.as_bytes()).await.is_err() {
                return started.elapsed();
            }
            // A closed peer shows on read before writes fail.
            let mut b = [0u8; 64];
            if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(1), s.read(&mut b)).await
            {
                return started.elapsed();
            }
        }
        started.elapsed()
    });
    // Meanwhile, ordinary requests are answered.
    let mut answered = 0;
    for _ in 0..10 {
        let (status, body) = shop_query(gw.addr).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["getOrderDetails"]["user"]["name"],
            "Ada Lovelace"
        );
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, 10);
    // Each idle connection is closed after its deadline (never before), within a bound
    // that leaves room for a loaded machine.
    let closes = futures::future::join_all(
        idle.into_iter()
            .map(|(opened, watch)| async move { (opened, watch.await.expect("watcher")) }),
    )
    .await;
    let mut latest = Duration::ZERO;
    for (i, (opened, closed)) in closes.iter().enumerate() {
        let at = closed.unwrap_or_else(|| panic!("idle connection {i} still open after 6 s"));
        let after = at.duration_since(*opened);
        assert!(
            after >= Duration::from_millis(550),
            "connection {i} closed early: {after:?}"
        );
        latest = latest.max(after);
    }
    assert!(
        latest < Duration::from_secs(4),
        "an idle connection lived {latest:?} past its opening (deadline 600 ms)"
    );
    let slow_for = slow.await.expect("slowloris task");
    assert!(
        slow_for >= Duration::from_millis(550) && slow_for < Duration::from_secs(4),
        "the slowloris connection lived {slow_for:?}"
    );
    // And the gateway still answers afterwards.
    let (status, _) = shop_query(gw.addr).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn past_the_connection_limit_a_new_connection_is_answered_503_and_closed() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.max_connections = Some(10);
    });
    let gw = start_gateway(&path, &demo).await;
    let mut held = Vec::new();
    for _ in 0..10 {
        held.push(TcpStream::connect(gw.addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = client()
        .get(format!("http://{}/health", gw.addr))
        .send()
        .await
        .expect("an answer, not a reset");
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = shop_query(gw.addr).await;
    assert_eq!(status, 200);
    let metrics = client()
        .get(format!("http://{}/metrics", gw.addr))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("knot_shed_total{limit=\"connections\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn past_the_in_flight_limit_a_request_is_shed_at_once_not_queued() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Users,
        Faults {
            // Long enough that the two slow requests are surely in flight (even on a loaded
            // machine) when the third arrives, and that "at once" is far from "queued"; under
            // the users source's 2 s timeout.
            latency_ms: 1_800,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.max_in_flight = Some(2);
    });
    let gw = start_gateway(&path, &demo).await;
    let a = gw.addr;
    let slow = [tokio::spawn(shop_query(a)), tokio::spawn(shop_query(a))];
    tokio::time::sleep(Duration::from_millis(600)).await;
    let started = Instant::now();
    let r = client()
        .post(format!("http://{a}/graphql"))
        .json(&json!({ "query": SHOP }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 503);
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "shed only after {:?}",
        started.elapsed()
    );
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["category"], "UNAVAILABLE");
    // Liveness is never shed.
    let h = client()
        .get(format!("http://{a}/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(h.status().as_u16(), 200);
    for s in slow {
        let (status, body) = s.await.expect("task");
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = shop_query(a).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.body_read_timeout_ms = Some(400);
    });
    let gw = start_gateway(&path, &demo).await;
    let mut s = TcpStream::connect(gw.addr).await.expect("connect");
    s.write_all(
        b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"query\":",
    )
    .await
    .expect("write");
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the connection was held past 5 s");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() >= Duration::from_millis(350));
    assert_eq!(demo.control.request_count(Service::Orders), 0);
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused_whole() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.max_response_bytes = Some(1_000);
    });
    let gw = start_gateway(&path, &demo).await;
    let (status, body) = shop_query(gw.addr).await;
    assert_eq!(status, 200, "a small answer is untouched: {body}");
    assert!(body["data"]["getOrderDetails"].is_object());
    for (accept, expected) in [
        ("application/json", 200),
        ("application/graphql-response+json", 400),
    ] {
        let r = client()
            .post(format!("http://{}/graphql", gw.addr))
            .header("accept", accept)
            .json(&json!({ "query": "{ __schema { types { name fields { name } } } }" }))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), expected, "{accept}");
        let body: Value = r.json().await.expect("json");
        assert!(body.get("data").is_none(), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("1000 bytes")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_rest_composite_write_needs_a_json_content_type() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |ws| {
        for op in ws.operations.values_mut() {
            if let Some(rest) = &mut op.rest {
                rest.method = knot_model::HttpMethod::Post;
            }
        }
    });
    let gw = start_gateway(&path, &demo).await;
    let url = format!("http://{}/composite-order-details/1", gw.addr);
    // What a cross-site HTML form can send: refused before any call.
    for ct in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        let r = client()
            .post(&url)
            .header("content-type", ct)
            .body("a=b")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 415, "{ct}");
    }
    let r = client().post(&url).send().await.expect("send");
    assert_eq!(r.status().as_u16(), 415, "no content type");
    assert_eq!(demo.control.request_count(Service::Orders), 0);
    let r = client()
        .post(&url)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["user"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn answers_depending_on_forwarded_headers_are_marked_private_no_store() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let r = client()
        .get(format!("http://{}/composite-order-details/1", plain.addr))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("cache-control").is_none());
    let dir2 = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir2.path(), |ws| {
        if let Some(knot_model::Source::Rest(s)) = ws
            .sources
            .values_mut()
            .find(|s| matches!(s, knot_model::Source::Rest(_)))
        {
            s.forward_headers = vec!["x-tenant".into()];
        }
    });
    let forwarding = start_gateway(&path, &demo).await;
    for url in [
        format!("http://{}/composite-order-details/1", forwarding.addr),
        format!("http://{}/graphql?query={{__typename}}", forwarding.addr),
    ] {
        let r = client()
            .get(&url)
            .header("x-tenant", "acme")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 200, "{url}");
        assert_eq!(
            r.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("private, no-store"),
            "{url}"
        );
    }
}

#[tokio::test]
async fn operators_endpoints_can_live_on_their_own_address() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |_| {});
    let mut options = knot_serve::ServeOptions::new(&path);
    options.listen = "127.0.0.1:0".parse().expect("address");
    options.admin_listen = Some("127.0.0.1:0".parse().expect("address"));
    options.vars = demo.env_vars();
    let gw = knot_serve::start(options, std::future::pending())
        .await
        .expect("gateway starts");
    let admin = gw.admin_addr.expect("admin address bound");
    let status = |url: String| async move {
        client()
            .get(url)
            .send()
            .await
            .expect("send")
            .status()
            .as_u16()
    };
    assert_eq!(status(format!("http://{}/metrics", gw.addr)).await, 404);
    assert_eq!(status(format!("http://{}/ready", gw.addr)).await, 404);
    assert_eq!(status(format!("http://{}/health", gw.addr)).await, 200);
    assert_eq!(status(format!("http://{admin}/metrics")).await, 200);
    assert_eq!(status(format!("http://{admin}/ready")).await, 200);
    assert_eq!(status(format!("http://{admin}/health")).await, 200);
    // The public API is not on the admin address.
    assert_eq!(
        status(format!("http://{admin}/composite-order-details/1")).await,
        404
    );
    let (s, _) = shop_query(gw.addr).await;
    assert_eq!(s, 200);
    gw.shutdown().await;
}

#[test]
fn introspection_is_off_by_default_beyond_loopback_and_on_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_copy("shop", dir.path(), |_| {});
    let vars = [
        ("ORDERS_URL".to_string(), "http://127.0.0.1:1".to_string()),
        ("USERS_URL".to_string(), "http://127.0.0.1:1".to_string()),
    ];
    let on_loopback = knot_serve::load(&path, None, &vars, true).expect("loads");
    assert!(on_loopback.introspection.is_some());
    let beyond = knot_serve::load(&path, None, &vars, false).expect("loads");
    assert!(beyond.introspection.is_none());
    let asked = example_copy("shop", dir.path(), |ws| {
        ws.gateway.introspection = Some(true)
    });
    let beyond_asked = knot_serve::load(&asked, None, &vars, false).expect("loads");
    assert!(beyond_asked.introspection.is_some());
}

/// A document nested thousands of levels deep (about 40 KB) is a syntax error answered like
/// any other, on every path that parses it (introspection, GET, POST), and the gateway keeps
/// serving: the parser's recursion never gets to overflow the stack.
#[tokio::test]
async fn a_document_nested_too_deep_is_refused_without_taking_the_gateway_down() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let depth = 20_000;
    let deep_arg = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let documents = [
        format!("{{ __type(name: {deep_arg}) {{ name }} }}"),
        format!("{{ getOrderDetails(id: {deep_arg}) {{ id }} }}"),
    ];
    for document in &documents {
        let r = client()
            .post(format!("http://{}/graphql", gw.addr))
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": document }))
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status().as_u16(), 400);
        let body: Value = r.json().await.expect("json");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("nested more than")),
            "{body}"
        );
    }
    // Over GET (the mutation check parses it too), 1,000 levels to keep the URL short.
    let shallower = format!(
        "{{ getOrderDetails(id: {}1{}) {{ id }} }}",
        "[".repeat(1000),
        "]".repeat(1000)
    );
    let r = client()
        .get(format!("http://{}/graphql", gw.addr))
        .query(&[("query", shallower.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string().chars().take(200).collect::<String>())
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    assert!(body["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("nested more than")));
    let (status, body) = shop_query(gw.addr).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(demo.control.request_count(Service::Orders), 1);
}
