//! Unary gRPC calls with dynamic messages: no generated code. Descriptors come from .proto
//! files compiled at run time (protox) or from server reflection, JSON inputs become
//! `DynamicMessage`s (prost-reflect) and answers become JSON again, so any service can be
//! called without rebuilding Knot.

use crate::call::{CallError, CallResult, Category, RequestSummary};
use crate::error::ImportError;
use crate::reflect;
use crate::rest::render_headers;
use crate::vars::Vars;
use knot_model::GrpcSource;
use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor, SerializeOptions,
};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;

/// Compiles .proto files (paths relative to `base_dir`) into a descriptor pool.
pub fn compile_protos(
    files: &[String],
    import_paths: &[String],
    base_dir: &Path,
) -> Result<DescriptorPool, ImportError> {
    let files: Vec<PathBuf> = files.iter().map(|f| base_dir.join(f)).collect();
    let mut includes: Vec<PathBuf> = import_paths.iter().map(|p| base_dir.join(p)).collect();
    for f in &files {
        if !f.exists() {
            return Err(ImportError::Io(format!(
                "proto file {} does not exist",
                f.display()
            )));
        }
        if let Some(parent) = f.parent() {
            if !includes.iter().any(|i| i == parent) {
                includes.push(parent.to_path_buf());
            }
        }
    }
    let compiler = protox::Compiler::new(&includes)
        .and_then(|mut c| {
            c.include_imports(true);
            c.open_files(&files)?;
            Ok(c)
        })
        .map_err(|e| ImportError::Proto(format!("{e}")))?;
    Ok(compiler.descriptor_pool())
}

pub struct GrpcClient {
    source: GrpcSource,
    /// Descriptors from proto files, compiled when the client is built.
    files_pool: Option<DescriptorPool>,
    /// Descriptors from reflection, fetched on first use.
    reflected: tokio::sync::OnceCell<DescriptorPool>,
    channel: tokio::sync::OnceCell<tonic::transport::Channel>,
}

impl GrpcClient {
    pub fn new(source: GrpcSource, base_dir: &Path) -> Result<Self, ImportError> {
        let files_pool = if source.proto_files.is_empty() {
            None
        } else {
            Some(compile_protos(
                &source.proto_files,
                &source.import_paths,
                base_dir,
            )?)
        };
        Ok(GrpcClient {
            source,
            files_pool,
            reflected: Default::default(),
            channel: Default::default(),
        })
    }

    /// The method descriptor of an operation, when the pool is known without the network.
    pub fn method_offline(&self, method: &str) -> Option<MethodDescriptor> {
        self.files_pool
            .as_ref()
            .and_then(|p| find_method(p, method))
    }

    async fn pool(
        &self,
        endpoint: &str,
        metadata: &[(String, String)],
        timeout: Duration,
    ) -> Result<DescriptorPool, CallError> {
        if let Some(p) = &self.files_pool {
            return Ok(p.clone());
        }
        self.reflected
            .get_or_try_init(|| async {
                reflect::fetch_descriptors(endpoint, metadata, timeout, None)
                    .await
                    .map(|(pool, _)| pool)
                    .map_err(|e| CallError::Transport(format!("reflection failed: {e}")))
            })
            .await
            .cloned()
    }

    async fn channel(&self, endpoint: &str) -> Result<tonic::transport::Channel, CallError> {
        self.channel
            .get_or_try_init(|| async {
                let ep = tonic::transport::Endpoint::from_shared(endpoint.to_string())
                    .map_err(|e| {
                        CallError::Request(format!("`{endpoint}` is not an endpoint: {e}"))
                    })?
                    .tcp_nodelay(true)
                    .connect_timeout(Duration::from_secs(5));
                Ok::<_, CallError>(ep.connect_lazy())
            })
            .await
            .cloned()
    }

    pub async fn call(
        &self,
        vars: &Vars,
        op_name: &str,
        inputs: &Map<String, Value>,
        forwarded: &[(String, String)],
        timeout: Duration,
    ) -> CallResult {
        let started = Instant::now();
        let mut summary = RequestSummary {
            method: "grpc".into(),
            ..Default::default()
        };
        let Some(op) = self.source.operations.get(op_name) else {
            return CallResult::failed(
                started,
                summary,
                CallError::Request(format!("no operation `{op_name}`")),
            );
        };
        let prepared = (|| {
            let (endpoint, shown) = vars.render(&self.source.endpoint, |_| None)?;
            let (md, md_shown) = render_headers(vars, &self.source.headers)?;
            Ok::<_, String>((endpoint, shown, md, md_shown))
        })();
        let (endpoint, endpoint_shown, metadata, metadata_shown) = match prepared {
            Ok(p) => p,
            Err(e) => return CallResult::failed(started, summary, CallError::Request(e)),
        };
        summary.target = format!("{}/{}", endpoint_shown.trim_end_matches('/'), op.method);
        summary.headers = metadata_shown;
        summary.body = Some(Value::Object(inputs.clone()));
        let work = async {
            let pool = self.pool(&endpoint, &metadata, timeout).await?;
            let method = find_method(&pool, &op.method).ok_or_else(|| {
                CallError::Request(format!("the service does not offer `{}`", op.method))
            })?;
            let request =
                DynamicMessage::deserialize(method.input(), Value::Object(inputs.clone()))
                    .map_err(|e| {
                        CallError::Request(format!(
                            "input does not fit `{}`: {e}",
                            method.input().full_name()
                        ))
                    })?;
            let channel = self.channel(&endpoint).await?;
            let mut grpc = tonic::client::Grpc::new(channel);
            grpc.ready()
                .await
                .map_err(|e| CallError::Transport(format!("{e}")))?;
            let path = http::uri::PathAndQuery::try_from(format!("/{}", op.method))
                .map_err(|e| CallError::Request(format!("bad method path: {e}")))?;
            let mut req = tonic::Request::new(request);
            for (k, v) in metadata.iter().chain(forwarded.iter()) {
                let key =
                    tonic::metadata::MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes())
                        .map_err(|e| CallError::Request(format!("metadata `{k}`: {e}")))?;
                let val = v
                    .parse()
                    .map_err(|e| CallError::Request(format!("metadata `{k}`: {e}")))?;
                req.metadata_mut().insert(key, val);
            }
            req.set_timeout(timeout);
            let resp = grpc
                .unary(
                    req,
                    path,
                    DynamicCodec::new(method.output(), CodecRole::Client),
                )
                .await
                .map_err(status_error)?;
            let (metadata, message, _) = resp.into_parts();
            let bytes = message.encoded_len();
            let options = SerializeOptions::new()
                .skip_default_fields(false)
                .stringify_64_bit_integers(false);
            let json = message
                .serialize_with_options(serde_json::value::Serializer, &options)
                .map_err(|e| {
                    CallError::BadPayload(format!("cannot render the answer as JSON: {e}"))
                })?;
            Ok::<_, CallError>((json, bytes, metadata.into_headers()))
        };
        match tokio::time::timeout(timeout, work).await {
            Err(_) => CallResult::failed(
                started,
                summary,
                CallError::Timeout {
                    after_ms: timeout.as_millis() as u64,
                },
            ),
            Ok(Err(e)) => {
                let status = match &e {
                    CallError::Status { status, .. } => Some(status.clone()),
                    _ => None,
                };
                let mut r = CallResult::failed(started, summary, e);
                r.status = status;
                r
            }
            Ok(Ok((json, bytes, headers))) => CallResult {
                response_preview: Some(crate::call::preview(json.to_string().as_bytes())),
                shared: false,
                raw_headers: headers,
                response_headers: Vec::new(),
                outcome: Ok(json),
                request: summary,
                status: Some("OK".into()),
                bytes,
                started,
                ended: Instant::now(),
            },
        }
    }
}

/// `package.Service/Method` in a pool.
pub fn find_method(pool: &DescriptorPool, method: &str) -> Option<MethodDescriptor> {
    let (service, name) = method.split_once('/')?;
    pool.get_service_by_name(service)?
        .methods()
        .find(|m| m.name() == name)
}

fn status_error(s: Status) -> CallError {
    use tonic::Code;
    let category = match s.code() {
        Code::InvalidArgument
        | Code::NotFound
        | Code::AlreadyExists
        | Code::PermissionDenied
        | Code::Unauthenticated
        | Code::FailedPrecondition
        | Code::OutOfRange => Category::DependencyValidation,
        Code::DeadlineExceeded => Category::Timeout,
        _ => Category::Dependency,
    };
    if category == Category::Timeout {
        return CallError::Timeout { after_ms: 0 };
    }
    CallError::Status {
        status: format!("{:?}", s.code()).to_uppercase_snake(),
        category,
        message: s.message().to_string(),
    }
}

trait UpperSnake {
    fn to_uppercase_snake(&self) -> String;
}

impl UpperSnake for String {
    /// `InvalidArgument` -> `INVALID_ARGUMENT`, as gRPC names its codes.
    fn to_uppercase_snake(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// Which end of a call a [`DynamicCodec`] serves; it decides how a message that fails to
/// encode or decode is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodecRole {
    /// Knot calling a gRPC service: a bad answer is DATA_LOSS, with the detail (for the trace).
    Client,
    /// Knot serving gRPC: a bad request is INVALID_ARGUMENT, with a fixed public message.
    Server,
}

/// A tonic codec for messages known only at run time (prost-reflect): it encodes any
/// `DynamicMessage` and decodes the message type it was made for.
pub struct DynamicCodec {
    decode: MessageDescriptor,
    role: CodecRole,
}

impl DynamicCodec {
    /// A codec decoding `decode` (a method's output for a client, its input for a server).
    pub fn new(decode: MessageDescriptor, role: CodecRole) -> Self {
        DynamicCodec { decode, role }
    }
}

pub struct DynamicEncoder(CodecRole);
pub struct DynamicDecoder(MessageDescriptor, CodecRole);

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;
    fn encoder(&mut self) -> DynamicEncoder {
        DynamicEncoder(self.role)
    }
    fn decoder(&mut self) -> DynamicDecoder {
        DynamicDecoder(self.decode.clone(), self.role)
    }
}

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;
    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst).map_err(|e| match self.0 {
            CodecRole::Client => Status::internal(format!("encode: {e}")),
            CodecRole::Server => Status::internal("The answer could not be encoded."),
        })
    }
}

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|e| match self.1 {
                CodecRole::Client => Status::data_loss(format!(
                    "the answer is not a valid `{}`: {e}",
                    self.0.full_name()
                )),
                CodecRole::Server => Status::invalid_argument(format!(
                    "The request is not a valid `{}`.",
                    self.0.full_name()
                )),
            })
    }
}
