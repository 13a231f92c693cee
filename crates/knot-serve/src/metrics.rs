//! Prometheus metrics in the text exposition format, kept in a few labelled maps. Small and
//! dependency-free: counters for requests and downstream calls, one latency histogram.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    calls: Mutex<BTreeMap<String, u64>>,
    shared: Mutex<BTreeMap<String, u64>>,
    call_errors: Mutex<BTreeMap<(String, String), u64>>,
    reloads: Mutex<BTreeMap<&'static str, u64>>,
    shed: Mutex<BTreeMap<&'static str, u64>>,
    shared_requests: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        *lock(&self.requests)
            .entry((route.to_string(), status))
            .or_default() += 1;
        let mut lat = lock(&self.latency);
        let h = lat.entry(route.to_string()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
    }

    /// One downstream call of `source`; `shared`: it joined an identical call in flight
    /// (counted apart: no request was sent for it).
    pub fn downstream(&self, source: &str, category: Option<&str>, shared: bool) {
        if shared {
            *lock(&self.shared).entry(source.to_string()).or_default() += 1;
            return;
        }
        *lock(&self.calls).entry(source.to_string()).or_default() += 1;
        if let Some(c) = category {
            *lock(&self.call_errors)
                .entry((source.to_string(), c.to_string()))
                .or_default() += 1;
        }
    }

    pub fn reload(&self, outcome: &'static str) {
        *lock(&self.reloads).entry(outcome).or_default() += 1;
    }

    /// A client request answered by an identical one in flight (`gateway.dedupeRequests`).
    pub fn request_shared(&self) {
        self.shared_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// A connection or request refused with 503 because a limit was reached.
    pub fn shed(&self, limit: &'static str) {
        *lock(&self.shed).entry(limit).or_default() += 1;
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP knot_requests_total Requests answered, by route and HTTP status.\n# TYPE knot_requests_total counter\n");
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "knot_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP knot_request_duration_seconds Request latency, by route.\n# TYPE knot_request_duration_seconds histogram\n");
        for (route, h) in lock(&self.latency).iter() {
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "knot_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "knot_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "knot_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "knot_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP knot_downstream_calls_total Downstream calls, by source.\n# TYPE knot_downstream_calls_total counter\n");
        for (source, n) in lock(&self.calls).iter() {
            let _ = writeln!(
                out,
                "knot_downstream_calls_total{{source=\"{}\"}} {n}",
                escape(source)
            );
        }
        out.push_str("# HELP knot_downstream_shared_total Downstream answers shared with an identical request in flight (no call sent), by source.\n# TYPE knot_downstream_shared_total counter\n");
        for (source, n) in lock(&self.shared).iter() {
            let _ = writeln!(
                out,
                "knot_downstream_shared_total{{source=\"{}\"}} {n}",
                escape(source)
            );
        }
        out.push_str("# HELP knot_downstream_errors_total Failed downstream calls, by source and category.\n# TYPE knot_downstream_errors_total counter\n");
        for ((source, cat), n) in lock(&self.call_errors).iter() {
            let _ = writeln!(
                out,
                "knot_downstream_errors_total{{source=\"{}\",category=\"{cat}\"}} {n}",
                escape(source)
            );
        }
        out.push_str("# HELP knot_reloads_total Workspace reloads, by outcome.\n# TYPE knot_reloads_total counter\n");
        for (outcome, n) in lock(&self.reloads).iter() {
            let _ = writeln!(out, "knot_reloads_total{{outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP knot_requests_shared_total Client requests answered by an identical one in flight.\n# TYPE knot_requests_shared_total counter\nknot_requests_shared_total {}",
            self.shared_requests.load(std::sync::atomic::Ordering::Relaxed)
        );
        out.push_str("# HELP knot_shed_total Connections and requests refused with 503 at a limit, by limit.\n# TYPE knot_shed_total counter\n");
        for (limit, n) in lock(&self.shed).iter() {
            let _ = writeln!(out, "knot_shed_total{{limit=\"{limit}\"}} {n}");
        }
        out
    }
}
