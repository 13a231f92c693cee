//! The request and response types of the desktop app's commands, exactly as
//! `src-tauri/API.md` lists them: plain serde structs (camelCase JSON) deriving `ts_rs::TS`.
//!
//! The main design choice: these types are the *only* description of the IPC contract. The
//! TypeScript the UI imports is generated from them (see [`crate::bindings`]), so a field
//! renamed here breaks the UI's type check instead of failing at run time. JSON values whose
//! shape the UI does not interpret (documents, responses, variables) are `serde_json::Value`
//! typed as `unknown`; integer ids are exported as `number` (they stay far below 2^53).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// Why a command failed; the UI matches on `code`, shows `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ApiError {
    pub code: ApiErrorCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ApiErrorCode {
    InvalidInput,
    NotFound,
    Workspace,
    Store,
    Source,
    Cancelled,
    Internal,
}

impl ApiError {
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
    pub fn invalid_input(message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorCode::InvalidInput, message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorCode::NotFound, message)
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ApiErrorCode::Internal, message)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub demo: Option<DemoInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    pub services: Vec<DemoServiceView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoServiceView {
    pub name: String,
    pub protocol: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSummary {
    pub id: i64,
    pub name: String,
    pub file: Option<String>,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceView {
    pub id: i64,
    pub name: String,
    pub file: Option<String>,
    pub environment: Option<String>,
    pub environments: Vec<String>,
    #[ts(type = "unknown")]
    pub document: Value,
    pub problems: Vec<ProblemView>,
    pub sdl: String,
    pub schema: SchemaTree,
    pub sources: Vec<SourceView>,
    pub operations: Vec<SavedOperationView>,
    /// Sources of a linked workspace whose URL changed (in its file, e.g. after a `git pull`)
    /// since the person last confirmed them: stored secrets are withheld from runs until they
    /// confirm (`workspace_confirm_sources`). Empty otherwise.
    pub unconfirmed_sources: Vec<UnconfirmedSourceView>,
    /// Where the key sealing the stored secret values is kept, once the workspace has stored
    /// secrets (`None` before, or when the key cannot be had: runs then say why).
    pub secrets_key: Option<SecretsKeyView>,
}

/// Where the local store keeps the key of its sealed secret values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SecretsKeyView {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// No OS keyring was reachable: an owner-only key file (`secrets.key`) beside the store.
    /// Its path is not given: the page is never told where the data folder is.
    File,
}

/// A source whose URL is not the one the person last confirmed: both URLs, so the person can
/// judge the change before trusting it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnconfirmedSourceView {
    pub name: String,
    /// The URL last confirmed (environment variables filled in); `None` for a source that is
    /// new in the file.
    pub confirmed_url: Option<String>,
    /// The URL the file now gives it.
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProblemView {
    pub code: String,
    pub path: String,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// The public schema as a tree: public object types reachable from the roots (`Query` first,
/// then `Mutation` when there is one), private fields left out; and the enums and input
/// objects the explorer needs to draw arguments as pickers and nested forms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SchemaTree {
    pub types: Vec<TypeView>,
    pub enums: Vec<EnumView>,
    pub inputs: Vec<InputTypeView>,
}

/// A public enum: its public values in declaration order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnumView {
    pub name: String,
    pub description: String,
    pub values: Vec<String>,
}

/// A public input object: its fields, typed like arguments (required = non-null without a
/// default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InputTypeView {
    pub name: String,
    pub description: String,
    pub fields: Vec<ArgumentView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TypeView {
    pub name: String,
    pub description: String,
    pub fields: Vec<FieldView>,
    /// For an interface or a union: the object types a value can be (what a fragment
    /// `... on T` may name); empty for an object type.
    #[serde(default)]
    pub possible_types: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub ty: String,
    pub named_type: String,
    pub is_object: bool,
    pub is_list: bool,
    pub description: String,
    pub arguments: Vec<ArgumentView>,
    pub binding: Option<BindingView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ArgumentView {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub ty: String,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BindingView {
    pub source: String,
    pub operation: String,
    pub batch: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Rest,
    Grpc,
    Graphql,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    pub name: String,
    pub kind: SourceKind,
    pub target: String,
    pub operations: Vec<OperationView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    pub name: String,
    /// `GET /orders/{id}`, `pkg.Service/Method`, `query product`.
    pub summary: String,
    pub inputs: Vec<InputView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InputView {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub ty: String,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedOperationView {
    pub name: String,
    pub document: String,
    pub rest_path: Option<String>,
    /// `GET`, `POST`, … with `rest_path`.
    pub rest_method: Option<String>,
    /// Served as a method of the workspace's gRPC service.
    pub grpc: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestSourceInput {
    pub name: String,
    pub base_url: String,
    pub operations: Vec<RestOperationInput>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestOperationInput {
    pub name: String,
    pub method: String,
    pub path: String,
    pub inputs: Vec<InputView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryRequest {
    pub document: String,
    pub operation_name: Option<String>,
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub variables: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanResult {
    pub plan: Option<PlanView>,
    pub errors: Vec<QueryErrorView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryErrorView {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub nodes: Vec<PlanNodeView>,
    pub edges: Vec<PlanEdgeView>,
    pub stages: Vec<Vec<u32>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FetchModeView {
    Single,
    Batch,
}

/// What a fetch node calls (`knot_plan::NodeKind`): a bound operation of a REST, gRPC or
/// GraphQL source, a Federation subgraph's root fields, or a Federation `_entities` fetch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NodeKindView {
    #[default]
    Bound,
    SubgraphRoot,
    Entity,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanNodeView {
    pub id: u32,
    pub kind: NodeKindView,
    pub label: String,
    pub path: Vec<String>,
    pub source: String,
    pub source_kind: String,
    pub operation: String,
    pub mode: FetchModeView,
    pub hidden: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    Parent,
    Requires,
    /// A mutation field waits for the one before it (mutation fields run serially).
    Sequence,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanEdgeView {
    pub from: u32,
    pub to: u32,
    pub kind: EdgeKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub run_id: String,
    #[ts(type = "unknown")]
    pub response: Value,
    pub trace: Option<TraceView>,
    pub history_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TraceView {
    pub duration_ms: f64,
    pub plan: PlanView,
    pub nodes: Vec<NodeRunView>,
    pub spans: Vec<SpanView>,
    pub errors: Vec<TraceErrorView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NodeRunView {
    pub node: u32,
    pub start_ms: f64,
    pub end_ms: f64,
    pub parents: u32,
    pub keys: u32,
    pub calls: u32,
    pub failed_calls: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpanView {
    pub id: u32,
    pub node: u32,
    pub source: String,
    pub operation: String,
    pub start_ms: f64,
    pub end_ms: f64,
    pub batch_size: u32,
    pub status: Option<String>,
    pub category: Option<String>,
    pub error: Option<String>,
    pub request: RequestView,
    pub bytes: u32,
    pub attempt: u32,
    pub response: Option<String>,
    /// The answer of an identical request already in flight (no call of its own was sent).
    #[serde(default)]
    pub shared: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    #[ts(type = "unknown | null")]
    pub body: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TraceErrorView {
    #[ts(type = "(string | number)[]")]
    pub path: Vec<Value>,
    pub category: String,
    pub detail: String,
    pub node: Option<u32>,
    pub span: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallView {
    pub status: Option<String>,
    pub duration_ms: f64,
    /// Bytes of the response body as received (the preview may be cut shorter).
    pub bytes: u32,
    pub request: RequestView,
    pub response: Option<String>,
    pub error: Option<String>,
    pub category: Option<String>,
    /// The answer's headers (gRPC: its metadata), secret values redacted; only Send keeps
    /// them (empty for the calls of a run).
    pub response_headers: Vec<(String, String)>,
}

/// Credentials Send adds to a call; each value may use `{{env.X}}` and `{{secret.X}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthView {
    #[default]
    None,
    Bearer {
        token: String,
    },
    Basic {
        username: String,
        password: String,
    },
    ApiKey {
        header: String,
        value: String,
    },
}

/// What Send adds to an operation's inputs, like an API client's request builder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SendOptionsView {
    /// Extra headers, in order; values may use `{{env.X}}` and `{{secret.X}}`.
    pub headers: Vec<(String, String)>,
    pub auth: AuthView,
    /// REST only: JSON text sent in place of the operation's body template (`{input}` and
    /// `{{env.X}}` work in it as in the template). None or blank: the operation's body.
    pub body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntryView {
    pub id: i64,
    pub workspace: String,
    pub operation: Option<String>,
    pub started_at: i64,
    pub duration_ms: f64,
    pub error_count: u32,
    /// Downstream calls the run made (0 when no plan ran).
    pub calls: u32,
    /// What ran (the History list names its first field and arguments from these).
    pub document: String,
    #[ts(type = "unknown")]
    pub variables: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRunView {
    pub entry: HistoryEntryView,
    pub document: String,
    #[ts(type = "unknown")]
    pub variables: Value,
    #[ts(type = "unknown")]
    pub response: Value,
    pub trace: Option<TraceView>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ProgressState {
    Started,
    Done,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunProgress {
    pub run_id: String,
    pub node: u32,
    pub state: ProgressState,
    pub at_ms: f64,
}
