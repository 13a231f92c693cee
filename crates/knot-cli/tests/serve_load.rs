//! A bounded load test of `knot serve` as its own process, on loopback: 20,000 shop
//! requests at 64 concurrent connections while the demo services fail 5% of calls and let
//! 1% hang past their timeout. Every answer must be the correct data or correct partial
//! data with categorised errors, no request may hang, and the gateway's resident memory at
//! the end must be within 20% of what it was after warm-up.

mod common;

use knot_demo::{Demo, DemoConfig, DemoPorts, Faults, Service};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQUESTS: usize = 20_000;
const CONCURRENCY: usize = 64;
const WARM_UP: usize = 2_000;
const IDS: usize = 50;
const QUERY: &str = "query($id: ID!) { getOrderDetails(id: $id) { orderId: id user { name } products { id name } } }";

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Whether `actual` is `expected` with some parts null, each null part covered by an error.
fn consistent(
    actual: &Value,
    expected: &Value,
    path: &mut Vec<Value>,
    error_paths: &[Value],
) -> Result<(), String> {
    if actual.is_null() && !expected.is_null() {
        return if error_paths.iter().any(|p| p.as_array() == Some(path)) {
            Ok(())
        } else {
            Err(format!("null at {path:?} without an error"))
        };
    }
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            if a.len() != e.len() {
                return Err(format!("keys differ at {path:?}"));
            }
            for (k, ev) in e {
                path.push(Value::String(k.clone()));
                consistent(a.get(k).unwrap_or(&Value::Null), ev, path, error_paths)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => {
            for (i, (av, ev)) in a.iter().zip(e).enumerate() {
                path.push(Value::from(i));
                consistent(av, ev, path, error_paths)?;
                path.pop();
            }
            Ok(())
        }
        _ if actual == expected => Ok(()),
        _ => Err(format!("wrong value at {path:?}: {actual} vs {expected}")),
    }
}

async fn send(client: &reqwest::Client, url: &str, id: usize) -> Result<Value, String> {
    let r = client
        .post(url)
        .json(&json!({"query": QUERY, "variables": {"id": id.to_string()}}))
        .send()
        .await
        .map_err(|e| format!("request {id} failed: {e}"))?;
    if r.status().as_u16() != 200 {
        return Err(format!("status {}", r.status()));
    }
    r.json().await.map_err(|e| e.to_string())
}

#[test]
fn twenty_thousand_requests_with_injected_faults_stay_correct_and_bounded() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let demo = Demo::start(DemoConfig { ports: DemoPorts::ephemeral(), ..Default::default() }).await.unwrap();
        demo.control.set_recording(false);
        // The shop example with short source timeouts, so hanging calls become TIMEOUTs fast.
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut ws = knot_model::check_bytes(&std::fs::read(root.join("examples/shop.knot.json")).unwrap()).workspace.unwrap();
        for source in ws.sources.values_mut() {
            match source {
                knot_model::Source::Rest(s) => s.timeout_ms = Some(300),
                knot_model::Source::Grpc(g) => {
                    g.timeout_ms = Some(300);
                    g.proto_files = vec![root.join("proto/products.proto").display().to_string()];
                }
                knot_model::Source::Graphql(g) => g.timeout_ms = Some(300),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.knot.json");
        std::fs::write(&path, knot_model::to_canonical_json(&ws)).unwrap();

        let gateway = common::spawn_serve(&path, &demo);
        let addr = gateway.addr.clone();
        let url = format!("http://{addr}/graphql");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).pool_max_idle_per_host(CONCURRENCY).build().unwrap();

        // The correct answers, before any fault.
        let mut expected = Vec::new();
        for id in 1..=IDS {
            let body = send(&client, &url, id).await.unwrap();
            assert!(body.get("errors").is_none(), "{body}");
            expected.push(body["data"].clone());
        }
        let expected = Arc::new(expected);
        for s in [Service::Orders, Service::Users, Service::Products] {
            demo.control.set_faults(s, Faults { error_rate: 0.05, timeout_rate: 0.01, hang_ms: 1_500, seed: s as u64 + 1, ..Faults::default() });
        }

        let run = |count: usize| {
            let client = client.clone();
            let url = url.clone();
            let expected = expected.clone();
            async move {
                let started = Instant::now();
                let mut tasks = Vec::new();
                for t in 0..CONCURRENCY {
                    let (client, url, expected) = (client.clone(), url.clone(), expected.clone());
                    tasks.push(tokio::spawn(async move {
                        let (mut ok, mut partial) = (0usize, 0usize);
                        for i in (t..count).step_by(CONCURRENCY) {
                            let id = i % IDS + 1;
                            let body = send(&client, &url, id).await?;
                            let errors = body.get("errors").and_then(Value::as_array).cloned().unwrap_or_default();
                            for e in &errors {
                                let cat = e["extensions"]["category"].as_str().unwrap_or("");
                                if !["DEPENDENCY", "TIMEOUT"].contains(&cat) {
                                    return Err(format!("unexpected category {cat}: {e}"));
                                }
                                let msg = e["message"].as_str().unwrap_or("");
                                if msg.contains("127.0.0.1") || msg.contains("orders") || msg.contains("users") {
                                    return Err(format!("unsafe message: {msg}"));
                                }
                            }
                            let paths: Vec<Value> = errors.iter().map(|e| e["path"].clone()).collect();
                            consistent(&body["data"], &expected[id - 1], &mut Vec::new(), &paths).map_err(|e| format!("id {id}: {e}: {body}"))?;
                            if errors.is_empty() { ok += 1 } else { partial += 1 }
                        }
                        Ok::<_, String>((ok, partial))
                    }));
                }
                let (mut ok, mut partial) = (0, 0);
                for t in tasks {
                    let (o, p) = t.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
                    ok += o;
                    partial += p;
                }
                (ok, partial, started.elapsed())
            }
        };
        let (w_ok, w_partial, _) = run(WARM_UP).await;
        assert_eq!(w_ok + w_partial, WARM_UP);
        let pid = gateway.child.id();
        let rss_warm = rss_kib(pid);
        let (ok, partial, elapsed) = run(REQUESTS).await;
        let rss_end = rss_kib(pid);
        println!(
            "{REQUESTS} requests at {CONCURRENCY} concurrent in {:.1} s ({:.0}/s): {ok} complete, {partial} partial with categorised errors; RSS after warm-up {rss_warm} KiB, at the end {rss_end} KiB",
            elapsed.as_secs_f64(),
            REQUESTS as f64 / elapsed.as_secs_f64()
        );
        assert_eq!(ok + partial, REQUESTS);
        assert!(partial > REQUESTS / 50, "faults were injected: expected many partial answers, got {partial}");
        assert!(rss_warm > 0 && (rss_end as f64) <= rss_warm as f64 * 1.2, "memory grew from {rss_warm} KiB to {rss_end} KiB");
        drop(gateway);
        drop(demo);
    });
}
