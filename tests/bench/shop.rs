//! Benchmark of the orchestration core on the shop query (run: `make bench`, or
//! `cargo bench -p knot-tests --bench shop`), through `knot_runtime::Runtime`, the API every
//! host uses. Everything runs in this one process against the demo services on loopback;
//! process start is not counted.
//!
//! 1. Overhead: every demo call delayed 20 ms (precisely); the shop query's critical path is
//!    Orders, then max(Users, Products) = 40 ms. Reports median end-to-end / 40 ms, and the
//!    same against the critical path measured from the trace's own spans.
//! 2. Throughput: no delay; runs per second and median latency, 1 client and 32 concurrent.

use knot_demo::{Faults, Service};
use knot_runtime::{Outcome, Runtime};
use knot_tests::{example, request, runtime, start_demo};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUERY: &str = r#"{ getOrderDetails(id: "1") { user { name } products { name price } } }"#;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn check(outcome: &Outcome) {
    assert!(
        outcome.response.get("errors").is_none(),
        "benchmark run failed: {}",
        outcome.response
    );
}

/// Critical path from the trace: the orders call, then the slower of users and products.
fn measured_critical_path(outcome: &Outcome) -> f64 {
    let Some(t) = &outcome.trace else {
        return f64::NAN;
    };
    let dur = |src: &str| {
        t.spans
            .iter()
            .filter(|s| s.source == src)
            .map(|s| s.end_ms - s.start_ms)
            .fold(0.0, f64::max)
    };
    dur("orders") + dur("users").max(dur("products"))
}

async fn overhead(engine: &Runtime, runs: usize) {
    let req = request(QUERY, json!({}));
    for _ in 0..20 {
        check(&engine.run(&req).await);
    }
    let mut e2e = Vec::with_capacity(runs);
    let mut ratio_measured = Vec::with_capacity(runs);
    let mut span_ms: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for _ in 0..runs {
        let t = Instant::now();
        let outcome = engine.run(&req).await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        check(&outcome);
        e2e.push(ms);
        ratio_measured.push(ms / measured_critical_path(&outcome));
        if let Some(t) = &outcome.trace {
            for s in &t.spans {
                span_ms
                    .entry(s.source.clone())
                    .or_default()
                    .push(s.end_ms - s.start_ms);
            }
        }
    }
    e2e.sort_by(f64::total_cmp);
    ratio_measured.sort_by(f64::total_cmp);
    let median = percentile(&e2e, 0.5);
    println!("overhead (every call +20 ms, critical path 40 ms, {runs} sequential runs)");
    println!(
        "  end-to-end   median {median:.3} ms   p90 {:.3} ms   p99 {:.3} ms",
        percentile(&e2e, 0.9),
        percentile(&e2e, 0.99)
    );
    println!(
        "  median / 40 ms                         = {:.4}   (target <= 1.02)",
        median / 40.0
    );
    println!("  median of (end-to-end / measured path) = {:.4}   (path = orders span + slower of users/products span)", percentile(&ratio_measured, 0.5));
    for (source, mut v) in span_ms {
        v.sort_by(f64::total_cmp);
        println!(
            "  {source:<9} call median {:.3} ms (nominal 20 ms)",
            percentile(&v, 0.5)
        );
    }
}

async fn throughput(engine: Arc<Runtime>, clients: usize, per_client: usize) {
    let req = request(QUERY, json!({}));
    for _ in 0..50 {
        check(&engine.run(&req).await);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let engine = engine.clone();
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let t = Instant::now();
                let outcome = engine.run(&req).await;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                check(&outcome);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    println!(
        "  {clients:>2} client(s) x {per_client:>5} runs: {:>8.0} runs/s   median {:.3} ms   p99 {:.3} ms",
        all.len() as f64 / secs,
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
}

fn main() {
    let quick = std::env::var_os("KNOT_BENCH_QUICK").is_some();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let demo = start_demo().await;
        demo.control.set_recording(false);
        let engine = Arc::new(runtime(example("shop"), &demo));
        println!(
            "knot shop benchmark ({} cores)",
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
        for s in Service::ALL {
            demo.control.set_faults(
                s,
                Faults {
                    latency_ms: 20,
                    ..Faults::default()
                },
            );
        }
        overhead(&engine, if quick { 30 } else { 300 }).await;
        for s in Service::ALL {
            demo.control.set_faults(s, Faults::default());
        }
        println!("throughput (no delay; each run = 3 downstream calls: 2 HTTP/1.1 + 1 gRPC)");
        let deadline = Duration::from_secs(120);
        let t = Instant::now();
        throughput(engine.clone(), 1, if quick { 200 } else { 3000 }).await;
        throughput(engine.clone(), 32, if quick { 20 } else { 300 }).await;
        assert!(
            t.elapsed() < deadline,
            "benchmark took longer than {deadline:?}"
        );
        demo.shutdown().await;
    });
}
