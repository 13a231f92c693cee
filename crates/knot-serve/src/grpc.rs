//! Saved operations served as gRPC methods (`--grpc-port`): one generated service (the
//! `.proto` of `knot-expose`), compiled at load, answered by running the operation exactly
//! as its REST endpoint does, with server reflection v1 and v1alpha when introspection is on.
//!
//! The main design choice: the gRPC listener is one more axum router on the gateway's own
//! accept loop (same connection limits, timers, host check and in-flight bound), and methods
//! are looked up per request in the current [`Loaded`], so a reload changes the methods (and
//! what reflection says) without a restart. Messages are `prost_reflect` dynamic messages
//! converted to and from the GraphQL JSON along their descriptors: enum values gain and lose
//! their proto prefix, nulls become absent fields, wrappers carry nullable scalars.
//!
//! Errors map by category: VALIDATION -> INVALID_ARGUMENT, DEPENDENCY_VALIDATION ->
//! FAILED_PRECONDITION, DEPENDENCY -> UNAVAILABLE, TIMEOUT -> DEADLINE_EXCEEDED, a null answer
//! with no error NOT_FOUND, each with the same safe message a REST caller gets; an answer
//! with data and errors is OK with the errors as JSON in the trailing metadata `knot-errors`.

use crate::http::{inbound_headers, run, worst_category};
use crate::{Gateway, Loaded};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use futures::future::BoxFuture;
use knot_connect::grpc::{CodecRole, DynamicCodec};
use knot_model::Workspace;
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor, ReflectMessage};
use serde::Serialize as _;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tonic::{Code, Status};
use tower::util::BoxCloneSyncService;
use tower::ServiceExt as _;

const REFLECTION_V1: &str = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const REFLECTION_V1ALPHA: &str = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
/// The trailing metadata of a partial answer.
pub const ERRORS_TRAILER: &str = "knot-errors";

type Reflection = BoxCloneSyncService<
    axum::http::Request<Body>,
    axum::http::Response<tonic::body::Body>,
    Infallible,
>;

/// The gRPC face of one loaded workspace.
pub struct Methods {
    pub proto: Arc<knot_expose::proto::Proto>,
    by_path: HashMap<String, Arc<Method>>,
    reflection: Option<(Reflection, Reflection)>,
}

struct Method {
    path: String,
    operation: String,
    document: String,
    operation_name: Option<String>,
    input: MessageDescriptor,
    output: MessageDescriptor,
    unwrap: Option<String>,
}

impl Methods {
    /// Compiles the service's `.proto` and indexes its methods; `reflect`: also answer
    /// server reflection (v1 and v1alpha) about it.
    pub fn new(
        proto: Arc<knot_expose::proto::Proto>,
        ws: &Workspace,
        reflect: bool,
    ) -> Result<Methods, String> {
        let bytes = proto.descriptor_set().map_err(|e| e.to_string())?;
        let pool = DescriptorPool::decode(bytes.as_slice()).map_err(|e| e.to_string())?;
        let mut by_path = HashMap::new();
        for m in &proto.methods {
            let Some(saved) = ws.operations.get(&m.name) else {
                continue;
            };
            let find = |name: &str| {
                pool.get_message_by_name(name)
                    .ok_or_else(|| format!("the compiled service has no message `{name}`"))
            };
            let path = format!("/{}.{}/{}", proto.package, proto.service, m.name);
            by_path.insert(
                path.clone(),
                Arc::new(Method {
                    path,
                    operation: m.name.clone(),
                    document: saved.document.clone(),
                    operation_name: saved.operation_name.clone(),
                    input: find(&m.input)?,
                    output: find(&m.output)?,
                    unwrap: m.unwrap.clone(),
                }),
            );
        }
        let reflection = if reflect {
            let v1 = tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&bytes)
                .build_v1()
                .map_err(|e| e.to_string())?;
            let v1alpha = tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&bytes)
                .build_v1alpha()
                .map_err(|e| e.to_string())?;
            Some((
                BoxCloneSyncService::new(v1),
                BoxCloneSyncService::new(v1alpha),
            ))
        } else {
            None
        };
        Ok(Methods {
            proto,
            by_path,
            reflection,
        })
    }
}

/// The router of the gRPC listener: every path is looked up in the current workspace.
pub fn router(gw: Arc<Gateway>) -> Router {
    Router::new()
        .fallback(dispatch)
        .layer(axum::middleware::from_fn_with_state(
            gw.clone(),
            crate::http::in_flight_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            gw.clone(),
            crate::http::host_check,
        ))
        .with_state(gw)
}

async fn dispatch(State(gw): State<Arc<Gateway>>, request: Request) -> Response {
    let loaded = gw.current();
    let path = request.uri().path().to_string();
    let Some(methods) = &loaded.grpc else {
        return status(Status::unimplemented(
            "This gateway serves no gRPC methods.",
        ));
    };
    let reflection = match (&methods.reflection, path.as_str()) {
        (Some((v1, _)), REFLECTION_V1) => Some(v1.clone()),
        (Some((_, v1alpha)), REFLECTION_V1ALPHA) => Some(v1alpha.clone()),
        _ => None,
    };
    if let Some(service) = reflection {
        return match service.oneshot(request).await {
            Ok(r) => r.map(Body::new),
            Err(never) => match never {},
        };
    }
    let Some(method) = methods.by_path.get(&path).cloned() else {
        return status(Status::unimplemented(format!(
            "No method {path} on this gateway."
        )));
    };
    let started = Instant::now();
    let headers = request.headers().clone();
    let limit = loaded.settings.max_body_bytes();
    let mut grpc =
        tonic::server::Grpc::new(DynamicCodec::new(method.input.clone(), CodecRole::Server))
            .max_decoding_message_size(limit)
            .max_encoding_message_size(loaded.settings.max_response_bytes());
    let call = Call {
        gw: gw.clone(),
        loaded: loaded.clone(),
        method: method.clone(),
        headers,
        started,
    };
    let (mut parts, body) = grpc.unary(call, request).await.into_parts();
    match parts.extensions.remove::<PartialErrors>() {
        Some(PartialErrors(errors)) => Response::from_parts(
            parts,
            Body::new(WithTrailer {
                inner: body,
                value: Some(errors),
            }),
        ),
        None => Response::from_parts(parts, Body::new(body)),
    }
}

fn status(s: Status) -> Response {
    s.into_http::<Body>()
}

/// The errors of a partial answer, handed from the call to the response's trailers.
#[derive(Clone)]
struct PartialErrors(axum::http::HeaderValue);

#[derive(Clone)]
struct Call {
    gw: Arc<Gateway>,
    loaded: Arc<Loaded>,
    method: Arc<Method>,
    headers: axum::http::HeaderMap,
    started: Instant,
}

impl tonic::server::UnaryService<DynamicMessage> for Call {
    type Response = DynamicMessage;
    type Future = BoxFuture<'static, Result<tonic::Response<DynamicMessage>, Status>>;

    fn call(&mut self, request: tonic::Request<DynamicMessage>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let result = this.answer(request.into_inner()).await;
            let code = match &result {
                Ok(_) => Code::Ok,
                Err(s) => s.code(),
            };
            this.gw.metrics.request(
                &format!("gRPC {}", this.method.path),
                u16::try_from(code as i32).unwrap_or(u16::MAX),
                this.started.elapsed().as_secs_f64(),
            );
            tracing::info!(
                target: "knot::request",
                route = this.method.path.as_str(),
                operation = this.method.operation.as_str(),
                grpc_status = code as i32,
                duration_ms = this.started.elapsed().as_secs_f64() * 1000.0,
            );
            result
        })
    }
}

impl Call {
    async fn answer(
        &self,
        message: DynamicMessage,
    ) -> Result<tonic::Response<DynamicMessage>, Status> {
        let req = knot_runtime::Request {
            document: self.method.document.clone(),
            operation_name: self.method.operation_name.clone(),
            variables: variables(&message),
            headers: inbound_headers(&self.headers),
        };
        let ran = run(&self.gw, &self.loaded, req, &self.headers).await;
        let errors = ran
            .response()
            .get("errors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if ran.timed_out {
            return Err(Status::deadline_exceeded(first_message(&errors)));
        }
        let data = ran.response().get("data");
        let value = match (&self.method.unwrap, data) {
            (Some(key), Some(d)) => d.get(key).cloned().unwrap_or(Value::Null),
            (None, Some(d)) => d.clone(),
            (_, None) => Value::Null,
        };
        if value.is_null() {
            let all = Value::Array(errors.clone());
            let code = match worst_category(Some(&all)) {
                Some("TIMEOUT") => Code::DeadlineExceeded,
                Some("DEPENDENCY") => Code::Unavailable,
                Some("DEPENDENCY_VALIDATION") => Code::FailedPrecondition,
                Some(_) => Code::InvalidArgument,
                None => return Err(Status::not_found("The operation answered nothing.")),
            };
            return Err(Status::new(code, first_message(&errors)));
        }
        let json = message_json(&value, &self.method.output);
        let out = DynamicMessage::deserialize(self.method.output.clone(), json).map_err(|e| {
            tracing::error!(error = %e, method = self.method.path.as_str(), "answer does not fit the response message");
            Status::internal("The answer does not fit the method's response message.")
        })?;
        let mut response = tonic::Response::new(out);
        if !errors.is_empty() {
            let text = serde_json::to_string(&errors).unwrap_or_else(|_| "[]".into());
            if let Ok(v) = axum::http::HeaderValue::from_str(&text) {
                response.extensions_mut().insert(PartialErrors(v));
            }
        }
        Ok(response)
    }
}

fn first_message(errors: &[Value]) -> String {
    errors
        .first()
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("The request failed.")
        .to_string()
}

/// Whether a message type stands for one JSON value in protobuf's JSON mapping (wrappers,
/// `google.protobuf.Value`), so it is passed through as is.
fn is_well_known(m: &MessageDescriptor) -> bool {
    m.full_name().starts_with("google.protobuf.")
}

/// A GraphQL answer object as the protobuf JSON of `desc`: enum values with their prefix,
/// nulls left out (absent), null list items dropped.
fn message_json(value: &Value, desc: &MessageDescriptor) -> Value {
    let mut out = Map::new();
    if let Value::Object(m) = value {
        for (key, v) in m {
            let Some(field) = desc.get_field_by_name(key) else {
                continue;
            };
            let kind = field.kind();
            let converted = match v {
                Value::Null => None,
                Value::Array(items) if field.is_list() => Some(Value::Array(
                    items
                        .iter()
                        .filter(|i| !i.is_null())
                        .map(|i| leaf_json(i, &kind))
                        .collect(),
                )),
                v => Some(leaf_json(v, &kind)),
            };
            if let Some(c) = converted {
                out.insert(key.clone(), c);
            }
        }
    }
    Value::Object(out)
}

fn leaf_json(v: &Value, kind: &Kind) -> Value {
    match (kind, v) {
        (Kind::Enum(e), Value::String(s)) => {
            Value::String(knot_expose::proto::enum_value_name(e.name(), s))
        }
        (Kind::Message(m), v) if is_well_known(m) => v.clone(),
        (Kind::Message(m), v) => message_json(v, m),
        (_, v) => v.clone(),
    }
}

/// A request message as the operation's variables: every field without presence (a
/// blank string stays blank, so the planner refuses it as it refuses a blank REST
/// parameter), message fields only when set, enum values without their prefix.
fn variables(msg: &DynamicMessage) -> Map<String, Value> {
    let mut out = Map::new();
    for field in msg.descriptor().fields() {
        if field.supports_presence() && !msg.has_field(&field) {
            continue;
        }
        let value = msg.get_field(&field);
        out.insert(
            field.name().to_string(),
            graphql_value(&value, &field.kind()),
        );
    }
    out
}

fn graphql_value(v: &prost_reflect::Value, kind: &Kind) -> Value {
    use prost_reflect::Value as P;
    match v {
        P::Bool(b) => Value::Bool(*b),
        P::I32(n) => Value::from(*n),
        P::I64(n) => Value::from(*n),
        P::U32(n) => Value::from(*n),
        P::U64(n) => Value::from(*n),
        P::F32(n) => serde_json::Number::from_f64(f64::from(*n)).map_or(Value::Null, Value::Number),
        P::F64(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        P::String(s) => Value::String(s.clone()),
        P::Bytes(_) | P::Map(_) => Value::Null,
        P::EnumNumber(n) => match kind {
            Kind::Enum(e) if *n != 0 => e
                .get_value(*n)
                .map(|value| {
                    let prefix = knot_expose::proto::enum_value_name(e.name(), "");
                    let name = value.name();
                    Value::String(name.strip_prefix(&prefix).unwrap_or(name).to_string())
                })
                .unwrap_or(Value::Null),
            _ => Value::Null,
        },
        P::List(items) => Value::Array(items.iter().map(|i| graphql_value(i, kind)).collect()),
        P::Message(m) => {
            let desc = m.descriptor();
            if desc.full_name() == "google.protobuf.Value"
                || desc.full_name() == "google.protobuf.Struct"
                || desc.full_name() == "google.protobuf.ListValue"
            {
                return m
                    .serialize(serde_json::value::Serializer)
                    .unwrap_or(Value::Null);
            }
            if is_well_known(&desc) {
                // A wrapper: its one `value` field.
                return desc
                    .get_field_by_name("value")
                    .map(|f| graphql_value(&m.get_field(&f), &f.kind()))
                    .unwrap_or(Value::Null);
            }
            Value::Object(variables(m))
        }
    }
}

/// A response body with `knot-errors` added to its trailers (the gRPC status trailers).
struct WithTrailer {
    inner: tonic::body::Body,
    value: Option<axum::http::HeaderValue>,
}

impl http_body::Body for WithTrailer {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match polled {
            Poll::Ready(Some(Ok(frame))) => match frame.into_trailers() {
                Ok(mut trailers) => {
                    if let Some(v) = self.value.take() {
                        trailers.insert(ERRORS_TRAILER, v);
                    }
                    Poll::Ready(Some(Ok(http_body::Frame::trailers(trailers))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
