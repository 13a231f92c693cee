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
pub mod tls;
pub mod vars;

pub use call::{CallError, CallResult, Category, RequestSummary};
pub use error::ImportError;
pub use tls::http_client_builder;
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

/// An error's detail with texts derived from a secret masked.
fn mask_error(e: &CallError, rendered: &Rendered) -> CallError {
    match e {
        CallError::Status {
            status,
            category,
            message,
        } => CallError::Status {
            status: status.clone(),
            category: *category,
            message: rendered.mask(message),
        },
        CallError::BadPayload(m) => CallError::BadPayload(rendered.mask(m)),
        other => other.clone(),
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
    /// What the trace shows of `headers` (secret values masked); `headers` themselves when
    /// None.
    pub shown_headers: Option<&'a [(String, String)]>,
    /// A REST body sent in place of the operation's body template (a template itself).
    pub body: Option<&'a Value>,
    /// Keep the answer's headers in [`CallResult::response_headers`] (secrets redacted).
    pub response_headers: bool,
}

/// Credentials the app's Send adds to one call. Each value is a template: `{{env.X}}` and
/// `{{secret.X}}` are filled in when sending and masked in what is recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// `Authorization: Basic base64(<username>:<password>)`.
    Basic { username: String, password: String },
    /// A header of the service's own (`X-Api-Key: <value>`).
    ApiKey { header: String, value: String },
}

/// What the app's Send adds to one raw call, like an API client's request builder: headers
/// (templates), credentials, and for REST a body of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendExtras {
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub body: Option<Value>,
}

impl SendExtras {
    /// The headers to send and as shown, templates rendered, and the texts derived from a
    /// secret that an answer must not show (encoded Basic credentials) with what to show
    /// instead; an error names the header.
    fn render(&self, vars: &Vars) -> Result<Rendered, String> {
        let mut real = Vec::new();
        let mut shown = Vec::new();
        let mut derived = Vec::new();
        let mut add = |name: &str, template: &str| -> Result<(), String> {
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("a header with the value `{template}` has no name"));
            }
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("`{name}` is not a valid header name"));
            }
            let (r, s) = vars
                .render(template, |_| None)
                .map_err(|e| format!("header `{name}`: {e}"))?;
            if http::HeaderValue::from_str(&r).is_err() {
                return Err(format!(
                    "header `{name}`: the value holds characters a header cannot carry"
                ));
            }
            real.push((name.to_string(), r));
            shown.push((name.to_string(), s));
            Ok(())
        };
        for (name, value) in &self.headers {
            add(name, value)?;
        }
        match &self.auth {
            Auth::None => {}
            Auth::Bearer { token } => add("authorization", &format!("Bearer {token}"))?,
            Auth::ApiKey { header, value } => add(header, value)?,
            Auth::Basic { username, password } => {
                use base64::Engine;
                let render = |what: &str, t: &str| {
                    vars.render(t, |_| None)
                        .map_err(|e| format!("basic auth {what}: {e}"))
                };
                let (user, user_shown) = render("username", username)?;
                let (pass, pass_shown) = render("password", password)?;
                if user.contains(':') {
                    return Err("basic auth username: a username cannot hold `:`".into());
                }
                let b64 = base64::engine::general_purpose::STANDARD;
                real.push((
                    "authorization".into(),
                    format!("Basic {}", b64.encode(format!("{user}:{pass}"))),
                ));
                // The encoded credentials are shown only when no part of them is secret.
                let encoded = b64.encode(format!("{user}:{pass}"));
                let shown_value = if user == user_shown && pass == pass_shown {
                    format!("Basic {encoded}")
                } else {
                    let masked = format!("base64({user_shown}:{pass_shown})");
                    derived.push((encoded, masked.clone()));
                    format!("Basic {masked}")
                };
                shown.push(("authorization".into(), shown_value));
            }
        }
        Ok(Rendered {
            real,
            shown,
            derived,
        })
    }
}

/// [`SendExtras`] rendered for one call.
struct Rendered {
    real: rest::Headers,
    shown: rest::Headers,
    /// (text derived from a secret, what to show instead).
    derived: Vec<(String, String)>,
}

impl Rendered {
    /// `text` with every text derived from a secret masked.
    fn mask(&self, text: &str) -> String {
        self.derived
            .iter()
            .fold(text.to_string(), |t, (real, shown)| t.replace(real, shown))
    }
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

/// The HTTP client of the sources: `h2c` speaks HTTP/2 from the first byte. Redirects are
/// not followed: a 3xx is the answer (a DEPENDENCY error), so a source's secret and forwarded
/// headers never travel to another address.
fn http_client(h2c: bool) -> Result<reqwest::Client, reqwest::Error> {
    let builder = http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_max_idle_per_host(256)
        .user_agent(concat!("knot/", env!("CARGO_PKG_VERSION")));
    if h2c {
        builder.http2_prior_knowledge().build()
    } else {
        builder.build()
    }
}

fn http_client_error(e: &reqwest::Error) -> (String, ImportError) {
    (
        String::new(),
        ImportError::Network {
            target: "HTTP client".into(),
            message: e.to_string(),
        },
    )
}

impl Connectors {
    /// Prepares every source. Compiles .proto files now (so a broken proto is reported
    /// before any run); gRPC reflection and connections happen on first use.
    /// `base_dir` is the folder relative paths in the workspace are resolved from.
    pub fn new(ws: &Workspace, vars: Vars, base_dir: &Path) -> Result<Self, (String, ImportError)> {
        let http = http_client(false).map_err(|e| http_client_error(&e))?;
        // Sources that speak HTTP/2 from the first byte (`h2c`) share a client of their own.
        let mut h2c_http: Option<reqwest::Client> = None;
        let mut sources = IndexMap::new();
        for (name, source) in &ws.sources {
            let limits = source.limits();
            let http = if source.h2c() {
                match &h2c_http {
                    Some(client) => client.clone(),
                    None => {
                        let client = http_client(true).map_err(|e| http_client_error(&e))?;
                        h2c_http = Some(client.clone());
                        client
                    }
                }
            } else {
                http.clone()
            };
            let client = match source {
                Source::Rest(s) => Client::Rest(rest::RestClient::new(http, s.clone())),
                Source::Graphql(s) => Client::Graphql(graphql::GraphqlClient::new(http, s.clone())),
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
            Client::Rest(c) => {
                c.call(&self.vars, operation, inputs, &sent, timeout, options.body)
                    .await
            }
            Client::Graphql(c) => {
                c.call(&self.vars, operation, inputs, selection, &sent, timeout)
                    .await
            }
            Client::Grpc(c) => c.call(&self.vars, operation, inputs, &sent, timeout).await,
        };
        note_forwarded(&mut result.request, &fwd);
        result.request.headers.extend(
            options
                .shown_headers
                .unwrap_or(options.headers)
                .iter()
                .cloned(),
        );
        if let Some(raw) = result.response_preview.take() {
            result.response_preview = Some(call::finish_preview(&raw, result.bytes, &self.vars));
        }
        if options.response_headers {
            result.response_headers = call::shown_headers(&result.raw_headers, &self.vars);
        }
        result
    }

    /// One raw call as the app's Send makes it: the operation with `inputs`, plus the
    /// headers, credentials and (REST) body of `extras`, and the answer's headers kept.
    /// A header that cannot be sent (no name, an unknown variable) makes no call; the
    /// error names it.
    pub async fn send(
        &self,
        source: &str,
        operation: &str,
        inputs: &Map<String, Value>,
        extras: &SendExtras,
    ) -> CallResult {
        let rendered = match extras.render(&self.vars) {
            Ok(r) => r,
            Err(e) => {
                return CallResult::failed(
                    Instant::now(),
                    RequestSummary::default(),
                    CallError::Input(e),
                )
            }
        };
        if extras.body.is_some() && self.kind(source) != Some("rest") {
            return CallResult::failed(
                Instant::now(),
                RequestSummary::default(),
                CallError::Input(format!(
                    "source `{source}` is not REST: its body is the operation's inputs"
                )),
            );
        }
        let mut result = self
            .call_with(
                source,
                operation,
                inputs,
                None,
                &[],
                CallOptions {
                    timeout: None,
                    headers: &rendered.real,
                    shown_headers: Some(&rendered.shown),
                    body: extras.body.as_ref(),
                    response_headers: true,
                },
            )
            .await;
        // A service may echo credentials back; the secret values themselves are already
        // redacted, their encoded forms are masked here.
        if !rendered.derived.is_empty() {
            if let Some(preview) = &mut result.response_preview {
                *preview = rendered.mask(preview);
            }
            for (_, value) in &mut result.response_headers {
                *value = rendered.mask(value);
            }
            if let Err(e) = &mut result.outcome {
                *e = mask_error(e, &rendered);
            }
        }
        result
    }
}
