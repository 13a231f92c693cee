//! The HTTP face of the gateway: GraphQL over HTTP (POST and GET, `application/json` and
//! `application/graphql-response+json`), REST composite endpoints, health, readiness and
//! metrics. Every answer is built here from the engine's outcome; nothing below names a
//! source, a URL or a stack trace unless the operator's trace header asks for the trace.

use crate::{Gateway, Loaded};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use knot_runtime::Request as GqlRequest;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The public router. `operator_routes`: also serve `/ready` and `/metrics` (when no
/// separate admin address is configured).
pub fn router(gw: Arc<Gateway>, operator_routes: bool) -> Router {
    let mut r = Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_document))
        .route("/knot.proto", get(proto_file));
    if operator_routes {
        r = r
            .route("/ready", get(ready))
            .route("/metrics", get(metrics));
    }
    r.fallback(rest_endpoint)
        .layer(axum::middleware::from_fn_with_state(
            gw.clone(),
            in_flight_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(gw.clone(), host_check))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(gw)
}

/// The operators' router, on its own address: health, readiness and metrics.
pub fn admin_router(gw: Arc<Gateway>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn_with_state(gw.clone(), host_check))
        .with_state(gw)
}

/// Sheds load instead of queueing it: past `maxInFlight` requests at once, the next one is
/// answered 503 with `Retry-After` straight away. `/health` is never shed (a balancer
/// asking whether the process lives should not read "overloaded" as "dead").
pub(crate) async fn in_flight_limit(
    State(gw): State<Arc<Gateway>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path() == "/health" {
        return next.run(request).await;
    }
    let max = gw.current().settings.max_in_flight().max(1);
    let Some(_slot) = gw.in_flight.try_enter(max) else {
        gw.metrics.shed("in_flight");
        let r = json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"errors": [{"message": "The gateway is at its limit of requests in flight; retry shortly.", "extensions": {"category": "UNAVAILABLE"}}]}),
            "application/json",
        );
        return ([(header::RETRY_AFTER, "1")], r).into_response();
    };
    next.run(request).await
}

/// Refuses a request addressed to a host the gateway does not answer for (DNS rebinding:
/// a page on another site whose name resolves to 127.0.0.1 must not reach a loopback
/// gateway). A request without a Host (HTTP/1.0) is let through.
pub(crate) async fn host_check(
    State(gw): State<Arc<Gateway>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    let allowed = match &host {
        None => true,
        Some(host) => {
            let loaded = gw.current();
            host_allowed(
                host,
                loaded.settings.allowed_hosts.as_deref(),
                gw.listen_address().ip().is_loopback(),
            )
        }
    };
    if allowed {
        return next.run(request).await;
    }
    json_response(
        StatusCode::MISDIRECTED_REQUEST,
        &json!({"errors": [{"message": "This gateway does not answer for that host.", "extensions": {"category": "VALIDATION"}}]}),
        "application/json",
    )
}

/// Whether `host` (`name` or `name:port`) is one the gateway answers for: one of `allowed`
/// (a name alone allows every port), else, listening on loopback, a loopback name.
fn host_allowed(host: &str, allowed: Option<&[String]>, loopback: bool) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        // [::1]:4000
        Some(rest) => rest
            .split(']')
            .next()
            .map(|n| format!("[{n}]"))
            .unwrap_or_default(),
        None => host
            .rsplit_once(':')
            .map_or(host.clone(), |(n, _)| n.to_string()),
    };
    match allowed {
        Some(list) => list.iter().any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a == host || a == name
        }),
        None if loopback => {
            name == "localhost"
                || name == "[::1]"
                || name
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => true,
    }
}

async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}), "application/json")
}

async fn ready(State(gw): State<Arc<Gateway>>) -> Response {
    let loaded = gw.current();
    let ws = loaded.runtime.workspace();
    let ok = loaded.runtime.is_ready();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(
        status,
        &json!({"status": if ok { "ready" } else { "not ready" }, "workspace": ws.name, "sources": ws.sources.len()}),
        "application/json",
    )
}

/// The OpenAPI 3.1 document of the REST endpoints of the workspace being served now.
async fn openapi_document(State(gw): State<Arc<Gateway>>) -> Response {
    let started = Instant::now();
    let loaded = gw.current();
    let r = match &loaded.openapi {
        Some(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            bytes.to_vec(),
        )
            .into_response(),
        None => described_nothing(),
    };
    gw.metrics.request(
        "GET /openapi.json",
        r.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    r
}

/// The `.proto` of the gRPC methods of the workspace being served now.
async fn proto_file(State(gw): State<Arc<Gateway>>) -> Response {
    let started = Instant::now();
    let loaded = gw.current();
    let r = match &loaded.proto {
        Some(proto) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            proto.text.clone(),
        )
            .into_response(),
        None => described_nothing(),
    };
    gw.metrics.request(
        "GET /knot.proto",
        r.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    r
}

fn described_nothing() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"errors": [{"message": "Not served: introspection is off on this gateway, or the workspace has nothing to describe."}]}),
        "application/json",
    )
}

async fn metrics(State(gw): State<Arc<Gateway>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        gw.metrics.render(),
    )
        .into_response()
}

fn json_response(status: StatusCode, body: &Value, content_type: &'static str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
}

/// An answer to a GraphQL or REST request: capped at `maxResponseBytes` (a larger one is
/// replaced by an error, never sent in part) and, when client headers are forwarded
/// downstream, marked for no shared cache.
fn answer(
    loaded: &Loaded,
    status: StatusCode,
    body: &Value,
    content_type: &'static str,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    answer_bytes(loaded, status, bytes.into(), content_type)
}

/// [`answer`] of a response already written as JSON.
fn answer_bytes(
    loaded: &Loaded,
    status: StatusCode,
    bytes: bytes::Bytes,
    content_type: &'static str,
) -> Response {
    let mut bytes = bytes;
    let mut status = status;
    let limit = loaded.settings.max_response_bytes();
    if bytes.len() > limit {
        tracing::warn!(
            bytes = bytes.len(),
            limit,
            "answer larger than maxResponseBytes replaced by an error"
        );
        let msg = format!("The answer is larger than this gateway's limit of {limit} bytes; ask for fewer fields or items.");
        bytes = serde_json::to_vec(
            &json!({"errors": [{"message": msg, "extensions": {"category": "VALIDATION"}}]}),
        )
        .unwrap_or_else(|_| b"{}".to_vec())
        .into();
        if content_type == GRAPHQL_RESPONSE || status != StatusCode::OK {
            status = StatusCode::BAD_REQUEST;
        }
    }
    let mut r = (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if !loaded.forwarded.is_empty() {
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-store"),
        );
    }
    r
}

fn request_error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &json!({"errors": [{"message": message, "extensions": {"category": "VALIDATION"}}]}),
        "application/json",
    )
}

/// Which media type the client accepts for a GraphQL answer.
fn negotiate(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some("application/json");
    };
    let types: Vec<&str> = accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    if types.contains(&GRAPHQL_RESPONSE) {
        Some(GRAPHQL_RESPONSE)
    } else if types
        .iter()
        .any(|t| *t == "application/json" || *t == "*/*" || *t == "application/*")
    {
        Some("application/json")
    } else {
        None
    }
}

pub(crate) fn inbound_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

pub(crate) struct Ran {
    response: RanResponse,
    pub(crate) timed_out: bool,
    calls: usize,
}

enum RanResponse {
    Own(knot_runtime::Response),
    /// The answer of a run other client requests share too (`gateway.dedupeRequests`).
    Shared(Arc<crate::dedupe::SharedRun>),
}

impl Ran {
    fn own(response: impl Into<knot_runtime::Response>, timed_out: bool, calls: usize) -> Ran {
        Ran {
            response: RanResponse::Own(response.into()),
            timed_out,
            calls,
        }
    }

    pub(crate) fn response(&self) -> &knot_runtime::Response {
        match &self.response {
            RanResponse::Own(r) => r,
            RanResponse::Shared(run) => &run.outcome.response,
        }
    }

    /// The response as JSON: the text the projection wrote (a shared run's is the same
    /// bytes for all who share it).
    fn body(&self) -> bytes::Bytes {
        self.response().json()
    }
}

/// Runs a request on the loaded workspace with its limits and timeout; records metrics.
pub(crate) async fn run(
    gw: &Gateway,
    loaded: &Loaded,
    req: GqlRequest,
    headers: &HeaderMap,
) -> Ran {
    let settings = &loaded.settings;
    let req_view = RequestView::of(&req, settings.dedupe_requests());
    // Introspection is answered from the public schema, never mixed with data fetching.
    // (A cheap text test first: most requests never mention it.)
    let parsed = if mentions_introspection(&req.document) {
        knot_model::document::parse_query(&req.document).ok()
    } else {
        None
    };
    if let Some(doc) = parsed {
        let (introspection, data) =
            crate::introspection::root_kinds(&doc, req.operation_name.as_deref());
        if introspection {
            // The same size limits and timeout as every data request, checked before any work.
            let limit = crate::limits(settings).exceeded(&crate::introspection::size(
                &doc,
                req.operation_name.as_deref(),
            ));
            let response = match (&loaded.introspection, data, limit) {
                (None, _, _) => {
                    json!({"errors": [{"message": "Introspection is disabled on this gateway.", "extensions": {"category": "VALIDATION"}}]})
                }
                (Some(_), true, _) => {
                    json!({"errors": [{"message": "Ask for introspection (`__schema`, `__type`) in a request of its own.", "extensions": {"category": "VALIDATION"}}]})
                }
                (Some(_), false, Some(message)) => {
                    json!({"errors": [{"message": message, "extensions": {"category": "VALIDATION"}}]})
                }
                (Some(schema), false, None) => {
                    let mut r = async_graphql::Request::new(req.document.clone());
                    if let Some(n) = &req.operation_name {
                        r = r.operation_name(n.clone());
                    }
                    r = r.variables(async_graphql::Variables::from_json(Value::Object(
                        req.variables.clone(),
                    )));
                    let timeout = Duration::from_millis(settings.request_timeout_ms());
                    match tokio::time::timeout(timeout, schema.execute(r)).await {
                        Ok(answer) => serde_json::to_value(answer).unwrap_or(Value::Null),
                        Err(_) => {
                            return Ran::own(
                                json!({"errors": [{"message": "The request took too long.", "extensions": {"category": "TIMEOUT"}}]}),
                                true,
                                0,
                            )
                        }
                    }
                }
            };
            return Ran::own(response, false, 0);
        }
    }
    let timeout = Duration::from_millis(settings.request_timeout_ms());
    let wants_trace = loaded.trace_allowed(headers);
    let runtime = loaded.runtime.clone();
    let run_it = move || -> futures::future::BoxFuture<'static, crate::dedupe::Shareable> {
        Box::pin(async move {
            tokio::time::timeout(timeout, runtime.run(&req))
                .await
                .ok()
                .map(|outcome| Arc::new(crate::dedupe::SharedRun::new(outcome)))
        })
    };
    // Identical client queries in flight share one run when the gateway is told to.
    let (outcome, shared) = if settings.dedupe_requests() && !wants_trace && !is_mutation(&req_view)
    {
        let key = crate::dedupe::key(
            &req_view.document,
            req_view.operation_name.as_deref(),
            &req_view.variables,
            &req_view.headers,
            &loaded.forwarded,
        );
        gw.requests.run(key, run_it).await
    } else {
        (run_it().await, false)
    };
    let Some(outcome) = outcome else {
        return Ran::own(
            json!({"errors": [{"message": "The request took too long.", "extensions": {"category": "TIMEOUT"}}]}),
            true,
            0,
        );
    };
    let mut calls = 0;
    if shared {
        gw.metrics.request_shared();
    } else if let Some(trace) = &outcome.outcome.trace {
        calls = trace.spans.len();
        for s in &trace.spans {
            gw.metrics
                .downstream(&s.source, s.category.map(|c| c.as_str()), s.shared);
        }
    }
    // A run of its own is the request's to change (its trace added); a shared one is answered
    // as it is (traced requests never share).
    match Arc::try_unwrap(outcome) {
        Ok(own) => {
            let response = match wants_trace.then(|| own.outcome.trace_json()) {
                None => own.outcome.response,
                Some(trace) => {
                    let mut response = own.outcome.response.into_value();
                    if let Value::Object(m) = &mut response {
                        m.insert("extensions".into(), json!({ "knot": trace }));
                    }
                    response.into()
                }
            };
            Ran::own(response, false, calls)
        }
        Err(shared) => Ran {
            response: RanResponse::Shared(shared),
            timed_out: false,
            calls,
        },
    }
}

/// What deduplication needs of a request once the request itself has moved into its run
/// (empty when deduplication is off: nothing is copied then).
struct RequestView {
    document: String,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    headers: Vec<(String, String)>,
}

impl RequestView {
    fn of(req: &GqlRequest, needed: bool) -> RequestView {
        if !needed {
            return RequestView {
                document: String::new(),
                operation_name: None,
                variables: Map::new(),
                headers: Vec::new(),
            };
        }
        RequestView {
            document: req.document.clone(),
            operation_name: req.operation_name.clone(),
            variables: req.variables.clone(),
            headers: req.headers.clone(),
        }
    }
}

fn log(
    route: &str,
    operation: Option<&str>,
    status: StatusCode,
    started: Instant,
    ran: Option<&Ran>,
) {
    let errors = ran.map(|r| r.response().error_count()).unwrap_or(0);
    tracing::info!(
        target: "knot::request",
        route,
        operation = operation.unwrap_or(""),
        status = status.as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        downstream_calls = ran.map(|r| r.calls).unwrap_or(0),
        errors,
    );
}

async fn graphql(State(gw): State<Arc<Gateway>>, request: Request) -> Response {
    let started = Instant::now();
    let loaded = gw.current();
    let (parts, body) = request.into_parts();
    let finish = |status: StatusCode, resp: Response, op: Option<&str>, ran: Option<&Ran>| {
        gw.metrics
            .request("graphql", status.as_u16(), started.elapsed().as_secs_f64());
        log("/graphql", op, status, started, ran);
        resp
    };
    let Some(media) = negotiate(&parts.headers) else {
        let r = request_error(
            StatusCode::NOT_ACCEPTABLE,
            "Accept application/graphql-response+json or application/json.",
        );
        return finish(StatusCode::NOT_ACCEPTABLE, r, None, None);
    };
    let parsed = if parts.method == Method::POST {
        let ct = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.split(';').next().map(str::trim) != Some("application/json") {
            let r = request_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the request as application/json.",
            );
            return finish(StatusCode::UNSUPPORTED_MEDIA_TYPE, r, None, None);
        }
        let bytes = match read_body(body, &loaded.settings).await {
            Ok(bytes) => bytes,
            Err((status, msg)) => {
                let r = request_error(status, &msg);
                let r = if status == StatusCode::REQUEST_TIMEOUT {
                    ([(header::CONNECTION, "close")], r).into_response()
                } else {
                    r
                };
                return finish(status, r, None, None);
            }
        };
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => params_from_json(&m),
            Ok(_) => Err("The body must be a JSON object with a `query`.".to_string()),
            Err(e) => Err(format!("The body is not JSON: {e}")),
        }
    } else {
        let pairs: Vec<(String, String)> = parts.uri.query().map(url_pairs).unwrap_or_default();
        params_from_query(&pairs)
    };
    let mut req = match parsed {
        Ok(r) => r,
        Err(msg) => {
            return finish(
                StatusCode::BAD_REQUEST,
                request_error(StatusCode::BAD_REQUEST, &msg),
                None,
                None,
            )
        }
    };
    if parts.method == Method::GET && is_mutation(&req) {
        let r = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Mutations are sent with POST.",
        );
        let r = ([(header::ALLOW, "POST")], r).into_response();
        return finish(StatusCode::METHOD_NOT_ALLOWED, r, None, None);
    }
    req.headers = inbound_headers(&parts.headers);
    let op = req.operation_name.clone();
    let ran = run(&gw, &loaded, req, &parts.headers).await;
    let status = if ran.timed_out {
        StatusCode::GATEWAY_TIMEOUT
    } else if !ran.response().has_data() && media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let r = answer_bytes(&loaded, status, ran.body(), media);
    let status = r.status();
    finish(status, r, op.as_deref(), Some(&ran))
}

fn params_from_json(m: &Map<String, Value>) -> Result<GqlRequest, String> {
    let document = match m.get("query") {
        Some(Value::String(q)) => q.clone(),
        _ => return Err("The body needs a `query` string.".into()),
    };
    let operation_name = match m.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`operationName` must be a string.".into()),
    };
    let variables = match m.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(v)) => v.clone(),
        Some(_) => return Err("`variables` must be an object.".into()),
    };
    Ok(GqlRequest {
        document,
        operation_name,
        variables,
        headers: Vec::new(),
    })
}

fn params_from_query(pairs: &[(String, String)]) -> Result<GqlRequest, String> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let document = get("query").ok_or("The request needs a `query` parameter.")?;
    let operation_name = get("operationName").filter(|s| !s.is_empty());
    let variables = match get("variables").filter(|s| !s.is_empty()) {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(v)) => v,
            Ok(Value::Null) => Map::new(),
            _ => return Err("`variables` must be a JSON object.".into()),
        },
    };
    Ok(GqlRequest {
        document,
        operation_name,
        variables,
        headers: Vec::new(),
    })
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn is_mutation(req: &impl AsDocument) -> bool {
    let (document, operation_name) = req.document_and_name();
    // A mutation or subscription is written with its keyword: a document without either word
    // is only queries, known without parsing it (the parse cost a third of the CPU of
    // deduplicated requests).
    if !document.contains("mutation") && !document.contains("subscription") {
        return false;
    }
    let Ok(doc) = knot_model::document::parse_query(document) else {
        return false;
    };
    doc.operations.iter().any(|(name, op)| {
        (operation_name.is_none() || name.map(|n| n.as_str()) == operation_name)
            && op.node.ty != async_graphql_parser::types::OperationType::Query
    })
}

/// A request's document and operation name.
trait AsDocument {
    fn document_and_name(&self) -> (&str, Option<&str>);
}

impl AsDocument for GqlRequest {
    fn document_and_name(&self) -> (&str, Option<&str>) {
        (&self.document, self.operation_name.as_deref())
    }
}

impl AsDocument for RequestView {
    fn document_and_name(&self) -> (&str, Option<&str>) {
        (&self.document, self.operation_name.as_deref())
    }
}

/// REST composite endpoints: the stitched JSON of a saved operation.
/// A request body read within the gateway's size and time limits, or the status (413, 408)
/// and message to refuse it with.
async fn read_body(
    body: Body,
    settings: &knot_model::GatewaySettings,
) -> Result<axum::body::Bytes, (StatusCode, String)> {
    let limit = settings.max_body_bytes();
    let deadline = Duration::from_millis(settings.body_read_timeout_ms());
    match tokio::time::timeout(deadline, to_bytes(body, limit)).await {
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            "The request body did not arrive in time.".into(),
        )),
        Ok(Err(_)) => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than the limit of {limit} bytes."),
        )),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

async fn rest_endpoint(State(gw): State<Arc<Gateway>>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let loaded = gw.current();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let mut method_mismatch = false;
    let found = loaded.routes.iter().find_map(|r| {
        let params = r.matches(&path)?;
        if r.method.as_str() != parts.method.as_str() {
            method_mismatch = true;
            return None;
        }
        Some((r, params))
    });
    let Some((route, params)) = found else {
        let (status, msg) = if method_mismatch {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                "This endpoint does not accept that method.",
            )
        } else {
            (StatusCode::NOT_FOUND, "No such endpoint.")
        };
        gw.metrics.request(
            "unmatched",
            status.as_u16(),
            started.elapsed().as_secs_f64(),
        );
        return json_response(
            status,
            &json!({"errors": [{"message": msg}]}),
            "application/json",
        );
    };
    let route_label = format!("{} {}", route.method.as_str(), route.template);
    let finish = |status: StatusCode, body: &Value, ran: Option<&Ran>| {
        let r = answer(&loaded, status, body, "application/json");
        let status = r.status();
        gw.metrics.request(
            &route_label,
            status.as_u16(),
            started.elapsed().as_secs_f64(),
        );
        log(&route_label, Some(&route.operation), status, started, ran);
        r
    };
    // A write must say it sends JSON: an HTML form on another site can send only
    // urlencoded, multipart or text/plain bodies, so it cannot trigger one.
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let ct = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct
            .split(';')
            .next()
            .map(|t| t.trim().to_ascii_lowercase())
            .as_deref()
            != Some("application/json")
        {
            return finish(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &json!({"errors": [{"message": "Send this request with Content-Type: application/json.", "extensions": {"category": "VALIDATION"}}]}),
                None,
            );
        }
    }
    let query = parts.uri.query().map(url_pairs).unwrap_or_default();
    let mut variables = match route.variables(&params, &query) {
        Ok(v) => v,
        Err(msg) => {
            return finish(
                StatusCode::BAD_REQUEST,
                &json!({"errors": [{"message": msg, "extensions": {"category": "VALIDATION"}}]}),
                None,
            )
        }
    };
    // A write's JSON body is an object of variables (path and query parameters win: they
    // name the resource). Read within the same size and time limits as GraphQL requests.
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let refuse = |status: StatusCode, msg: &str| {
            finish(
                status,
                &json!({"errors": [{"message": msg, "extensions": {"category": "VALIDATION"}}]}),
                None,
            )
        };
        let bytes = match read_body(body, &loaded.settings).await {
            Ok(bytes) => bytes,
            Err((status, msg)) => return refuse(status, &msg),
        };
        if !bytes.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(given)) => {
                    for (name, value) in given {
                        if route.takes(&name) {
                            variables.entry(name).or_insert(value);
                        } else {
                            return refuse(
                                StatusCode::BAD_REQUEST,
                                &format!("This endpoint takes no `{name}`."),
                            );
                        }
                    }
                }
                Ok(_) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "The body must be a JSON object of the endpoint's variables.",
                    )
                }
                Err(e) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        &format!("The body is not JSON: {e}"),
                    )
                }
            }
        }
    }
    let req = GqlRequest {
        document: route.document.clone(),
        operation_name: route.operation_name.clone(),
        variables,
        headers: inbound_headers(&parts.headers),
    };
    let ran = run(&gw, &loaded, req, &parts.headers).await;
    if ran.timed_out {
        return finish(StatusCode::GATEWAY_TIMEOUT, ran.response(), Some(&ran));
    }
    let errors = ran.response().get("errors").cloned();
    let Some(data) = ran.response().get("data") else {
        return finish(
            StatusCode::BAD_REQUEST,
            &json!({"errors": errors}),
            Some(&ran),
        );
    };
    let mut body = if route.root_keys.len() == 1 {
        data.get(&route.root_keys[0])
            .cloned()
            .unwrap_or(Value::Null)
    } else {
        data.clone()
    };
    let status = if body.is_null() {
        match worst_category(errors.as_ref()) {
            Some("TIMEOUT") => StatusCode::GATEWAY_TIMEOUT,
            Some("DEPENDENCY") => StatusCode::BAD_GATEWAY,
            Some("DEPENDENCY_VALIDATION") => StatusCode::UNPROCESSABLE_ENTITY,
            Some(_) => StatusCode::BAD_REQUEST,
            None => StatusCode::NOT_FOUND,
        }
    } else {
        StatusCode::OK
    };
    if body.is_null() {
        body = json!({"errors": errors.unwrap_or(Value::Array(Vec::new()))});
    } else if let (Some(errs), Value::Object(m)) = (errors, &mut body) {
        m.insert("errors".into(), errs);
    }
    if let Some(ext) = ran.response().get("extensions") {
        if let Value::Object(m) = &mut body {
            m.insert("extensions".into(), ext.clone());
        }
    }
    finish(status, &body, Some(&ran))
}

/// The most severe category among public errors: timeout, then failure, then refusal.
pub(crate) fn worst_category(errors: Option<&Value>) -> Option<&'static str> {
    let cats: Vec<&str> = errors
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.pointer("/extensions/category").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    [
        "TIMEOUT",
        "DEPENDENCY",
        "DEPENDENCY_VALIDATION",
        "VALIDATION",
    ]
    .into_iter()
    .find(|c| cats.contains(c))
}

/// Whether the text may select `__schema` or `__type` (but not just `__typename`).
fn mentions_introspection(document: &str) -> bool {
    document.contains("__schema")
        || document
            .match_indices("__type")
            .any(|(i, _)| !document[i + 6..].starts_with("name"))
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn loopback_gateways_answer_only_for_loopback_names_unless_told() {
        for ok in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LOCALHOST",
            "[::1]:4000",
            "127.0.0.2",
        ] {
            assert!(host_allowed(ok, None, true), "{ok}");
        }
        for bad in [
            "evil.example:4000",
            "attacker.test",
            "127.0.0.1.evil.test",
            "10.0.0.1:4000",
        ] {
            assert!(!host_allowed(bad, None, true), "{bad}");
        }
        assert!(host_allowed("api.example.com", None, false));
        let list = vec![
            "api.example.com".to_string(),
            "gw.internal:8443".to_string(),
        ];
        assert!(host_allowed("api.example.com:443", Some(&list), false));
        assert!(host_allowed("gw.internal:8443", Some(&list), true));
        assert!(!host_allowed("gw.internal:9000", Some(&list), true));
        assert!(!host_allowed("localhost:4000", Some(&list), true));
    }
}
