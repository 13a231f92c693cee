//! gRPC server reflection client: asks a running server for its services and the
//! `.proto` files that describe them, and turns the methods into operations.
//!
//! Design choice: the exchange is written once, against the `grpc.reflection.v1` message
//! types, and run strictly as request → answer over one bidirectional stream. The two
//! protocol versions are identical on the wire, so v1alpha is served by translating each
//! request and answer field for field at the edge of the stream; everything else (the
//! list of services, chasing missing dependencies by file name, building the pool) is
//! shared. Well-known `google/protobuf/*` files are taken from prost-reflect rather than
//! asked for, because many servers do not register them and a NOT_FOUND ends the stream.
//! One deadline covers connecting and the whole conversation, so a silent server can
//! never hang an import.

use std::collections::HashSet;
use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use indexmap::IndexMap;
use knot_model::GrpcOperation;
use prost::Message;
use prost_reflect::{DescriptorPool, Kind};
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::{AsciiMetadataKey, BinaryMetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_reflection::pb::v1 as pb;
use tonic_reflection::pb::v1alpha as pba;

use pb::server_reflection_request::MessageRequest;
use pb::server_reflection_response::MessageResponse;

use crate::error::ImportError;

/// Which version of the reflection protocol answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReflectionVersion {
    /// `grpc.reflection.v1.ServerReflection`.
    V1,
    /// `grpc.reflection.v1alpha.ServerReflection` (older servers).
    V1Alpha,
}

/// Answers as v1 messages, whatever version is spoken on the wire.
type Answers = Pin<Box<dyn Stream<Item = Result<pb::ServerReflectionResponse, Status>> + Send>>;

/// Asks the server at `endpoint` (e.g. "http://127.0.0.1:7103") for every service it offers
/// and the files describing them (with their dependencies, transitively), v1 first; if the
/// server answers UNIMPLEMENTED for v1, v1alpha. Returns a pool containing all the files.
pub async fn fetch_descriptors(
    endpoint: &str,
    metadata: &[(String, String)],
    timeout: Duration,
    prefer: Option<ReflectionVersion>,
) -> Result<(DescriptorPool, ReflectionVersion), ImportError> {
    let network = |message: String| ImportError::Network {
        target: endpoint.to_string(),
        message,
    };
    let target = Endpoint::from_shared(endpoint.to_string()).map_err(|e| ImportError::Invalid {
        what: format!("gRPC endpoint `{endpoint}`"),
        message: error_chain(&e),
    })?;
    let metadata = metadata_map(metadata)?;
    let work = async {
        let channel = target
            .connect_timeout(timeout)
            .connect()
            .await
            .map_err(|e| network(error_chain(&e)))?;
        let versions: &[ReflectionVersion] = match prefer {
            Some(ReflectionVersion::V1) => &[ReflectionVersion::V1],
            Some(ReflectionVersion::V1Alpha) => &[ReflectionVersion::V1Alpha],
            None => &[ReflectionVersion::V1, ReflectionVersion::V1Alpha],
        };
        for &version in versions {
            match exchange(endpoint, channel.clone(), version, &metadata).await {
                Ok(files) => return build_pool(endpoint, files).map(|pool| (pool, version)),
                Err(Failure::Unimplemented) => {}
                Err(Failure::Other(err)) => return Err(err),
            }
        }
        let what = format!("gRPC server reflection (tried {versions:?})");
        Err(ImportError::Unsupported {
            target: endpoint.to_string(),
            what,
        })
    };
    let late = format!(
        "no complete reflection answer within {} ms",
        timeout.as_millis()
    );
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(network(late)))
}

/// Why one reflection conversation failed.
enum Failure {
    /// The server does not offer this version of the reflection service.
    Unimplemented,
    Other(ImportError),
}

/// One reflection conversation: list the services, fetch the file of each, then every
/// dependency still missing. Returns the files in the order received.
async fn exchange(
    endpoint: &str,
    channel: Channel,
    version: ReflectionVersion,
    metadata: &MetadataMap,
) -> Result<Vec<FileDescriptorProto>, Failure> {
    let (tx, rx) = mpsc::channel(4);
    // Queue the first question before opening, so the server has something to answer
    // whether or not it waits for a request before sending headers.
    let list = MessageRequest::ListServices(String::new());
    send(endpoint, &tx, list).await?;
    let mut answers = open(channel, version, metadata, rx)
        .await
        .map_err(|s| status_failure(endpoint, "list_services", s))?;
    let services = match next_answer(endpoint, "list_services", &mut answers).await? {
        MessageResponse::ListServicesResponse(list) => list.service,
        other => return Err(refused(endpoint, "list_services", other)),
    };
    let mut files: IndexMap<String, FileDescriptorProto> = IndexMap::new();
    // The reflection service itself is never an operation, and servers often register
    // no descriptor for it (asking would end the stream with NOT_FOUND).
    let services = services.into_iter().map(|s| s.name);
    for service in services.filter(|s| !s.starts_with("grpc.reflection.")) {
        let asked = format!("service `{service}`");
        send(
            endpoint,
            &tx,
            MessageRequest::FileContainingSymbol(service.clone()),
        )
        .await?;
        match next_answer(endpoint, &asked, &mut answers).await? {
            MessageResponse::FileDescriptorResponse(found) => {
                add_files(endpoint, &mut files, found.file_descriptor_proto)?;
            }
            // Other infrastructure services (health) may have no file registered: they
            // are not operations anyway.
            MessageResponse::ErrorResponse(_) if service.starts_with("grpc.") => {}
            other => return Err(refused(endpoint, &asked, other)),
        }
    }

    // Chase dependencies the server did not volunteer.
    let mut asked: HashSet<String> = HashSet::new();
    while let Some(missing) = first_missing(&files, &asked) {
        asked.insert(missing.clone());
        // Well-known types are standard and often not registered on servers (asking
        // would end the stream with NOT_FOUND): prost-reflect ships them.
        if let Some(file) = DescriptorPool::global().get_file_by_name(&missing) {
            files.insert(missing.clone(), file.file_descriptor_proto().clone());
            continue;
        }
        let asked_for = format!("file `{missing}`");
        send(
            endpoint,
            &tx,
            MessageRequest::FileByFilename(missing.clone()),
        )
        .await?;
        match next_answer(endpoint, &asked_for, &mut answers).await? {
            MessageResponse::FileDescriptorResponse(found) => {
                add_files(endpoint, &mut files, found.file_descriptor_proto)?;
            }
            other => return Err(refused(endpoint, &asked_for, other)),
        }
        if !files.contains_key(&missing) {
            return Err(Failure::Other(ImportError::Invalid {
                what: format!("reflection answer of {endpoint} for {asked_for}"),
                message: "the answer does not contain the file asked for".to_string(),
            }));
        }
    }
    Ok(files.into_values().collect())
}

async fn send(
    endpoint: &str,
    tx: &mpsc::Sender<pb::ServerReflectionRequest>,
    request: MessageRequest,
) -> Result<(), Failure> {
    let request = pb::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    tx.send(request)
        .await
        .map_err(|_| Failure::Other(closed(endpoint)))
}

/// Opens the bidirectional stream for one protocol version; answers come back as v1.
async fn open(
    channel: Channel,
    version: ReflectionVersion,
    metadata: &MetadataMap,
    rx: mpsc::Receiver<pb::ServerReflectionRequest>,
) -> Result<Answers, Status> {
    let questions = ReceiverStream::new(rx);
    match version {
        ReflectionVersion::V1 => {
            let mut request = tonic::Request::new(questions);
            *request.metadata_mut() = metadata.clone();
            let mut client = pb::server_reflection_client::ServerReflectionClient::new(channel);
            let answers = client.server_reflection_info(request).await?.into_inner();
            Ok(Box::pin(answers))
        }
        ReflectionVersion::V1Alpha => {
            let mut request = tonic::Request::new(questions.map(to_alpha));
            *request.metadata_mut() = metadata.clone();
            let mut client = pba::server_reflection_client::ServerReflectionClient::new(channel);
            let answers = client.server_reflection_info(request).await?.into_inner();
            Ok(Box::pin(answers.map(|answer| answer.map(from_alpha))))
        }
    }
}

/// The metadata sent with the reflection stream, checked once up front.
fn metadata_map(metadata: &[(String, String)]) -> Result<MetadataMap, ImportError> {
    let mut map = MetadataMap::new();
    for (name, value) in metadata {
        let bad = |what: &str| ImportError::Invalid {
            what: format!("gRPC metadata `{name}`"),
            message: format!("not a valid metadata {what}"),
        };
        if name.to_ascii_lowercase().ends_with("-bin") {
            let key = BinaryMetadataKey::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
            map.append_bin(key, MetadataValue::from_bytes(value.as_bytes()));
        } else {
            let key = AsciiMetadataKey::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
            let value = MetadataValue::try_from(value.as_str()).map_err(|_| bad("value"))?;
            map.append(key, value);
        }
    }
    Ok(map)
}

async fn next_answer(
    endpoint: &str,
    asked: &str,
    answers: &mut Answers,
) -> Result<MessageResponse, Failure> {
    match answers.next().await {
        Some(Ok(answer)) => answer.message_response.ok_or_else(|| {
            Failure::Other(ImportError::Invalid {
                what: format!("reflection answer of {endpoint}"),
                message: "the answer is empty".to_string(),
            })
        }),
        Some(Err(status)) => Err(status_failure(endpoint, asked, status)),
        None => Err(Failure::Other(closed(endpoint))),
    }
}

fn status_failure(endpoint: &str, asked: &str, status: Status) -> Failure {
    match status.code() {
        Code::Unimplemented => Failure::Unimplemented,
        Code::NotFound | Code::InvalidArgument => Failure::Other(ImportError::Invalid {
            what: format!("reflection answer of {endpoint} for {asked}"),
            message: format!("gRPC status {:?}: {}", status.code(), status.message()),
        }),
        code => Failure::Other(ImportError::Network {
            target: endpoint.to_string(),
            message: format!("gRPC status {code:?}: {}", status_text(&status)),
        }),
    }
}

fn status_text(status: &Status) -> String {
    match std::error::Error::source(status) {
        Some(source) if status.message().is_empty() => error_chain(source),
        Some(source) => format!("{} ({})", status.message(), error_chain(source)),
        None => status.message().to_string(),
    }
}

fn closed(endpoint: &str) -> ImportError {
    ImportError::Network {
        target: endpoint.to_string(),
        message: "the reflection stream closed before the exchange was complete".to_string(),
    }
}

/// An error answer, or an answer of the wrong kind.
fn refused(endpoint: &str, asked: &str, got: MessageResponse) -> Failure {
    let message = match got {
        MessageResponse::ErrorResponse(e) => format!("error {}: {}", e.error_code, e.error_message),
        MessageResponse::FileDescriptorResponse(_) => "unexpected file descriptors".to_string(),
        MessageResponse::AllExtensionNumbersResponse(_) => "unexpected extension numbers".into(),
        MessageResponse::ListServicesResponse(_) => "unexpected list of services".to_string(),
    };
    let what = format!("reflection answer of {endpoint} for {asked}");
    Failure::Other(ImportError::Invalid { what, message })
}

fn add_files(
    endpoint: &str,
    files: &mut IndexMap<String, FileDescriptorProto>,
    encoded: Vec<Vec<u8>>,
) -> Result<(), Failure> {
    for (i, bytes) in encoded.into_iter().enumerate() {
        let file = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
            Failure::Other(ImportError::Invalid {
                what: format!("reflection answer of {endpoint} at `file_descriptor_proto[{i}]`"),
                message: e.to_string(),
            })
        })?;
        files.entry(file.name().to_string()).or_insert(file);
    }
    Ok(())
}

fn first_missing(
    files: &IndexMap<String, FileDescriptorProto>,
    asked: &HashSet<String>,
) -> Option<String> {
    files
        .values()
        .flat_map(|f| f.dependency.iter())
        .find(|d| !files.contains_key(*d) && !asked.contains(*d))
        .cloned()
}

fn build_pool(
    endpoint: &str,
    files: Vec<FileDescriptorProto>,
) -> Result<DescriptorPool, ImportError> {
    DescriptorPool::from_file_descriptor_set(FileDescriptorSet { file: files })
        .map_err(|e| ImportError::Proto(format!("descriptors from {endpoint}: {e}")))
}

fn to_alpha(request: pb::ServerReflectionRequest) -> pba::ServerReflectionRequest {
    use pba::server_reflection_request::MessageRequest as A;
    pba::ServerReflectionRequest {
        host: request.host,
        message_request: request.message_request.map(|m| match m {
            MessageRequest::FileByFilename(s) => A::FileByFilename(s),
            MessageRequest::FileContainingSymbol(s) => A::FileContainingSymbol(s),
            MessageRequest::FileContainingExtension(e) => {
                A::FileContainingExtension(pba::ExtensionRequest {
                    containing_type: e.containing_type,
                    extension_number: e.extension_number,
                })
            }
            MessageRequest::AllExtensionNumbersOfType(s) => A::AllExtensionNumbersOfType(s),
            MessageRequest::ListServices(s) => A::ListServices(s),
        }),
    }
}

fn from_alpha(answer: pba::ServerReflectionResponse) -> pb::ServerReflectionResponse {
    use pba::server_reflection_response::MessageResponse as A;
    pb::ServerReflectionResponse {
        valid_host: answer.valid_host,
        original_request: None,
        message_response: answer.message_response.map(|m| match m {
            A::FileDescriptorResponse(f) => {
                MessageResponse::FileDescriptorResponse(pb::FileDescriptorResponse {
                    file_descriptor_proto: f.file_descriptor_proto,
                })
            }
            A::AllExtensionNumbersResponse(n) => {
                MessageResponse::AllExtensionNumbersResponse(pb::ExtensionNumberResponse {
                    base_type_name: n.base_type_name,
                    extension_number: n.extension_number,
                })
            }
            A::ListServicesResponse(l) => {
                MessageResponse::ListServicesResponse(pb::ListServiceResponse {
                    service: l
                        .service
                        .into_iter()
                        .map(|s| pb::ServiceResponse { name: s.name })
                        .collect(),
                })
            }
            A::ErrorResponse(e) => MessageResponse::ErrorResponse(pb::ErrorResponse {
                error_code: e.error_code,
                error_message: e.error_message,
            }),
        }),
    }
}

/// An error and its causes, `outer: inner: innermost`.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// The operations of every unary method of every service in the pool, keyed by method
/// name (`Service.Method` when two services share a method name). Streaming methods and
/// the `google.*` / `grpc.reflection.*` services are skipped.
pub fn operations_from_pool(pool: &DescriptorPool) -> IndexMap<String, GrpcOperation> {
    let methods: Vec<_> = pool
        .services()
        .filter(|s| {
            !s.full_name().starts_with("google.") && !s.full_name().starts_with("grpc.reflection.")
        })
        .flat_map(|s| s.methods().collect::<Vec<_>>())
        .filter(|m| !m.is_client_streaming() && !m.is_server_streaming())
        .collect();
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for m in &methods {
        *counts.entry(m.name()).or_default() += 1;
    }
    let mut operations = IndexMap::new();
    for method in &methods {
        let service = method.parent_service();
        let mut key = if counts.get(method.name()).copied().unwrap_or(0) > 1 {
            format!("{}.{}", service.name(), method.name())
        } else {
            method.name().to_string()
        };
        if operations.contains_key(&key) {
            // Same service name in two packages.
            key = format!("{}.{}", service.full_name(), method.name());
        }
        let input = method.input();
        let inputs = input
            .fields()
            .map(|f| (f.name().to_string(), field_type(&f)))
            .collect();
        operations.insert(
            key,
            GrpcOperation {
                description: format!(
                    "rpc {}({}) returns ({})",
                    method.name(),
                    input.name(),
                    method.output().name()
                ),
                method: format!("{}/{}", service.full_name(), method.name()),
                inputs,
            },
        );
    }
    operations
}

/// GraphQL type text of a request field, as its proto3 JSON form reads. Never non-null:
/// proto3 fields may always be left out.
fn field_type(field: &prost_reflect::FieldDescriptor) -> String {
    if field.is_map() {
        return "JSON".to_string();
    }
    let scalar = match field.kind() {
        Kind::String | Kind::Bytes | Kind::Enum(_) => "String",
        Kind::Bool => "Boolean",
        Kind::Int32 | Kind::Uint32 | Kind::Sint32 | Kind::Fixed32 | Kind::Sfixed32 => "Int",
        Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64 => "String",
        Kind::Float | Kind::Double => "Float",
        Kind::Message(_) => "JSON",
    };
    if field.is_list() {
        format!("[{scalar}!]")
    } else {
        scalar.to_string()
    }
}
