//! Deduplication of identical client requests (`gateway.dedupeRequests`, off by default):
//! a query identical to one already running (same document, operation name, variables and
//! values of every header some source forwards) waits for that run and gets its answer,
//! instead of running again. Only while the first is in flight: nothing is kept after it
//! answers, so this is never a response cache. Mutations and traced requests always run
//! on their own.

use knot_runtime::{Inflight, Outcome};
use std::sync::Arc;

/// A run's result as shared: None when it timed out.
pub(crate) type Shareable = Option<Arc<SharedRun>>;

/// A run's outcome, shared by every client request that waited for it: they all get the
/// same bytes of its answer (the text the projection wrote), not a copy each.
pub(crate) struct SharedRun {
    pub(crate) outcome: Outcome,
}

impl SharedRun {
    pub(crate) fn new(outcome: Outcome) -> SharedRun {
        SharedRun { outcome }
    }
}

/// Client requests in flight (the same mechanism as downstream deduplication).
pub(crate) type Requests = Inflight<Shareable>;

/// The identity of a request for deduplication.
pub(crate) fn key(
    document: &str,
    operation_name: Option<&str>,
    variables: &serde_json::Map<String, serde_json::Value>,
    headers: &[(String, String)],
    forwarded: &[String],
) -> Vec<u8> {
    let mut k = Vec::with_capacity(document.len() + 64);
    k.extend_from_slice(document.as_bytes());
    k.push(0);
    k.extend_from_slice(operation_name.unwrap_or("").as_bytes());
    k.push(0);
    k.extend_from_slice(
        serde_json::to_string(variables)
            .unwrap_or_default()
            .as_bytes(),
    );
    for name in forwarded {
        for (n, v) in headers {
            if n.eq_ignore_ascii_case(name) {
                k.push(0);
                k.extend_from_slice(name.as_bytes());
                k.push(b':');
                k.extend_from_slice(v.as_bytes());
            }
        }
    }
    k
}
