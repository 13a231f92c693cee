//! Deduplication of identical client requests (`gateway.dedupeRequests`, off by default):
//! a query identical to one already running (same document, operation name, variables and
//! values of every header some source forwards) waits for that run and gets its answer,
//! instead of running again. Only while the first is in flight: nothing is kept after it
//! answers, so this is never a response cache. Mutations and traced requests always run
//! on their own.

use futures::future::{BoxFuture, FutureExt, Shared};
use knot_runtime::Outcome;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A run's result as shared: None when it timed out.
pub(crate) type Shareable = Option<Arc<Outcome>>;
type Running = Shared<BoxFuture<'static, Shareable>>;

#[derive(Default)]
pub(crate) struct Requests {
    running: Mutex<HashMap<Vec<u8>, Running>>,
}

struct Forget<'a> {
    requests: &'a Requests,
    key: Vec<u8>,
    run: Running,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        let mut running = self
            .requests
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if running
            .get(&self.key)
            .is_some_and(|r| Shared::ptr_eq(r, &self.run))
        {
            running.remove(&self.key);
        }
    }
}

impl Requests {
    /// Runs `start()` unless an identical request is running; returns the result and
    /// whether it was shared.
    pub(crate) async fn run(
        &self,
        key: Vec<u8>,
        start: impl FnOnce() -> BoxFuture<'static, Shareable>,
    ) -> (Shareable, bool) {
        let (run, leader) = {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            match running.get(&key) {
                Some(r) => (r.clone(), false),
                None => {
                    let r = start().shared();
                    running.insert(key.clone(), r.clone());
                    (r, true)
                }
            }
        };
        if leader {
            let _forget = Forget {
                requests: self,
                key,
                run: run.clone(),
            };
            (run.await, false)
        } else {
            (run.await, true)
        }
    }
}

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
