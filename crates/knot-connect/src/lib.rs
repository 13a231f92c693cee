//! Knot's connectors: how one call to one downstream operation is made, whatever the
//! protocol, and how sources are imported (OpenAPI, .proto / reflection, introspection).
//!
//! The main design choice: every protocol ends in the same [`CallResult`], a JSON value or
//! a categorised [`CallError`], plus a [`RequestSummary`] that is safe to record (secrets
//! masked). The executor never knows which protocol it talks to, and nothing here knows
//! about plans, GraphQL execution of the unified schema, storage or user interfaces. Each
//! source has its own concurrency limit (a semaphore shared by every run in the process)
//! and its own per-call timeout.

pub mod call;
pub mod error;
pub mod graphql;
pub mod graphql_types;
pub mod grpc;
pub mod inflight;
pub mod introspect;
pub mod openapi;
pub mod openapi_types;
pub mod proto_types;
pub mod reflect;
pub mod rest;
pub mod vars;

pub use call::{CallError, CallResult, Category, RequestSummary};
pub use error::ImportError;
pub use vars::Vars;

use indexmap::IndexMap;
use knot_model::{Source, Workspace};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

enum Client {
    Rest(rest::RestClient),
    Grpc(Box<grpc::GrpcClient>),
    Graphql(graphql::GraphqlClient),
}

struct SourceConnector {
    client: Client,
    permits: Arc<Semaphore>,
    timeout: Duration,
    kind: &'static str,
    forward: Vec<String>,
}

impl SourceConnector {
    /// Only the inbound headers this source allows pass through.
    fn forwarded(&self, inbound: &[(String, String)]) -> Vec<(String, String)> {
        inbound
            .iter()
            .filter(|(k, _)| self.forward.iter().any(|f| f.eq_ignore_ascii_case(k)))
            .cloned()
            .collect()
    }
}

/// Forwarded values may be credentials: the record names them only.
fn note_forwarded(request: &mut RequestSummary, forwarded: &[(String, String)]) {
    for (k, _) in forwarded {
        request.headers.push((k.clone(), "(forwarded)".into()));
    }
}

/// What one call may set beyond its source's defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallOptions<'a> {
    /// Instead of the source's timeout.
    pub timeout: Option<Duration>,
    /// Sent with the call (after the forwarded client headers) and shown in the trace.
    pub headers: &'a [(String, String)],
}

/// Ready-to-call connectors for every source of a workspace, with resolved variables.
pub struct Connectors {
    sources: IndexMap<String, SourceConnector>,
    vars: Vars,
}

impl std::fmt::Debug for Connectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connectors")
            .field("sources", &self.sources.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Connectors {
    /// Prepares every source. Compiles .proto files now (so a broken proto is reported
    /// before any run); gRPC reflection and connections happen on first use.
    /// `base_dir` is the folder relative paths in the workspace are resolved from.
    pub fn new(ws: &Workspace, vars: Vars, base_dir: &Path) -> Result<Self, (String, ImportError)> {
        // Redirects are not followed: a 3xx is the answer (a DEPENDENCY error), so a
        // source's secret and forwarded headers never travel to another address.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_max_idle_per_host(256)
            .user_agent(concat!("knot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                (
                    String::new(),
                    ImportError::Network {
                        target: "HTTP client".into(),
                        message: e.to_string(),
                    },
                )
            })?;
        let mut sources = IndexMap::new();
        for (name, source) in &ws.sources {
            let limits = source.limits();
            let client = match source {
                Source::Rest(s) => Client::Rest(rest::RestClient::new(http.clone(), s.clone())),
                Source::Graphql(s) => {
                    Client::Graphql(graphql::GraphqlClient::new(http.clone(), s.clone()))
                }
                Source::Grpc(s) => Client::Grpc(Box::new(
                    grpc::GrpcClient::new(s.clone(), base_dir).map_err(|e| (name.clone(), e))?,
                )),
            };
            sources.insert(
                name.clone(),
                SourceConnector {
                    client,
                    permits: Arc::new(Semaphore::new(limits.max_concurrency() as usize)),
                    timeout: Duration::from_millis(limits.timeout_ms()),
                    kind: source.kind_name(),
                    forward: source.forward_headers(),
                },
            );
        }
        Ok(Connectors { sources, vars })
    }

    pub fn vars(&self) -> &Vars {
        &self.vars
    }

    /// `rest`, `grpc` or `graphql`.
    pub fn kind(&self, source: &str) -> Option<&'static str> {
        self.sources.get(source).map(|s| s.kind)
    }

    /// Sends a whole GraphQL request body to a GraphQL source (a Federation subgraph fetch)
    /// through the same concurrency limit, timeout and header allowlist as every call to
    /// that source; the caller reads the raw answer. `shown` is what the trace may record
    /// of the body.
    /// `dedupe`: the body is a query, which may share an identical request in flight.
    pub async fn post_graphql(
        &self,
        source: &str,
        body: Vec<u8>,
        shown: Option<Value>,
        inbound_headers: &[(String, String)],
        dedupe: bool,
    ) -> graphql::Exchange {
        let refuse = |message: String| graphql::Exchange {
            outcome: Err(CallError::Request(message)),
            request: RequestSummary::default(),
            started: Instant::now(),
            ended: Instant::now(),
            shared: false,
        };
        let Some(s) = self.sources.get(source) else {
            return refuse(format!("no source `{source}`"));
        };
        let Client::Graphql(client) = &s.client else {
            return refuse(format!("source `{source}` is not a GraphQL source"));
        };
        let fwd = s.forwarded(inbound_headers);
        let _permit = s.permits.acquire().await;
        let mut exchange = client
            .post(&self.vars, body, shown, &fwd, s.timeout, dedupe)
            .await;
        note_forwarded(&mut exchange.request, &fwd);
        exchange
    }

    /// Calls one operation. Waits for a free slot of the source's concurrency limit first;
    /// the result's `started` is when the call was actually sent.
    pub async fn call(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        selection: Option<&str>,
        inbound_headers: &[(String, String)],
    ) -> CallResult {
        self.call_with(
            source,
            operation,
            inputs,
            selection,
            inbound_headers,
            CallOptions::default(),
        )
        .await
    }

    /// [`call`](Self::call) with a timeout of its own and headers of the gateway's own (an
    /// `Idempotency-Key`), sent beside the forwarded ones and shown in the trace.
    pub async fn call_with(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        selection: Option<&str>,
        inbound_headers: &[(String, String)],
        options: CallOptions<'_>,
    ) -> CallResult {
        let Some(s) = self.sources.get(source) else {
            return CallResult::failed(
                Instant::now(),
                RequestSummary::default(),
                CallError::Request(format!("no source `{source}`")),
            );
        };
        let fwd = s.forwarded(inbound_headers);
        let mut sent = fwd.clone();
        sent.extend(options.headers.iter().cloned());
        let timeout = options.timeout.unwrap_or(s.timeout);
        // The semaphore is never closed, so acquiring only waits.
        let _permit = s.permits.acquire().await;
        let mut result = match &s.client {
            Client::Rest(c) => c.call(&self.vars, operation, inputs, &sent, timeout).await,
            Client::Graphql(c) => {
                c.call(&self.vars, operation, inputs, selection, &sent, timeout)
                    .await
            }
            Client::Grpc(c) => c.call(&self.vars, operation, inputs, &sent, timeout).await,
        };
        note_forwarded(&mut result.request, &fwd);
        result
            .request
            .headers
            .extend(options.headers.iter().cloned());
        if let Some(raw) = result.response_preview.take() {
            result.response_preview = Some(call::finish_preview(&raw, result.bytes, &self.vars));
        }
        result
    }
}
