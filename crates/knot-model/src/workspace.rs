//! The workspace types: what a `*.knot.json` file holds, field for field.
//!
//! Collections are ordered maps keyed by name, so a file reads naturally, JSON paths name
//! things (`$.sources.orders.operations.getOrder`) and saving keeps the author's order.
//! Field order in each struct is the key order on disk.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The file format version this build writes and reads natively.
pub const FORMAT_VERSION: u32 = 1;

/// One workspace: sources + unified schema + saved operations + environments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workspace {
    /// Optional pointer to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub json_schema: Option<String>,
    /// File format version; this build reads version 1.
    pub version: u32,
    /// Display name of the workspace.
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Downstream services, by name.
    #[serde(default)]
    pub sources: IndexMap<String, Source>,
    /// The unified GraphQL schema composed over the sources.
    pub schema: UnifiedSchema,
    /// Saved operation documents, by name; some are exposed as REST endpoints.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub operations: IndexMap<String, SavedOperation>,
    /// Environments, by name: variables used in URLs, headers and bindings.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub environments: IndexMap<String, Environment>,
    /// The environment used when none is chosen; the first one otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_environment: Option<String>,
    /// How `knot serve` exposes this workspace: limits, introspection, debugging.
    #[serde(default, skip_serializing_if = "GatewaySettings::is_default")]
    pub gateway: GatewaySettings,
}

impl Workspace {
    /// Does the workspace have Federation subgraph sources (composed into a supergraph)?
    pub fn has_subgraphs(&self) -> bool {
        self.sources
            .values()
            .any(|s| matches!(s, Source::Graphql(g) if g.subgraph.is_some()))
    }
}

/// Settings of the gateway (`knot serve`). Every limit has a safe default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewaySettings {
    /// Largest request body accepted, in bytes (default 1 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<usize>,
    /// Deepest selection nesting accepted (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<usize>,
    /// Most aliases in one document (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_aliases: Option<usize>,
    /// Most fields selected in one document, fragments expanded (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fields: Option<usize>,
    /// Time allowed for one request, in milliseconds (default 30000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout_ms: Option<u64>,
    /// Answer introspection queries (default: only when listening on loopback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection: Option<bool>,
    /// A request carrying this header, with `traceToken`'s value, gets the plan and spans
    /// in `extensions.knot`. Off unless both are set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
    /// The value the trace header must carry, from a secret or the environment
    /// (`{{secret.TRACE_TOKEN}}`), never written in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_token: Option<String>,
    /// Host names (optionally with `:port`) requests may address, against DNS rebinding.
    /// Default: when listening on loopback, only loopback names (`localhost`, `127.0.0.1`,
    /// `[::1]`); otherwise any (a reverse proxy in front sets its own Host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
    /// Time in-flight requests get to finish on shutdown, in milliseconds (default 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown_grace_ms: Option<u64>,
    /// Time a client gets to send a request's headers once it has started sending them,
    /// in milliseconds (default 10000); a slower connection is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_read_timeout_ms: Option<u64>,
    /// Time a client gets to send a request's body, in milliseconds (default 10000);
    /// a slower request is answered 408.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_read_timeout_ms: Option<u64>,
    /// Time a connection may stay open with no request in flight, in milliseconds
    /// (default 60000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_ms: Option<u64>,
    /// Most client connections open at once (default 1024); one more is answered 503
    /// with `Retry-After` and closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    /// Most requests in flight at once (default 512); one more is answered 503 with
    /// `Retry-After` at once instead of waiting in a queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<usize>,
    /// Largest answer sent, in bytes (default 32 MiB); a larger one is replaced by an
    /// error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_bytes: Option<usize>,
    /// A client query identical to one in flight (document, operation, variables and the
    /// headers sources forward) waits for it and shares its answer instead of running again
    /// (default false). Mutations and traced requests always run on their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe_requests: Option<bool>,
}

impl GatewaySettings {
    pub fn is_default(&self) -> bool {
        *self == GatewaySettings::default()
    }
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes.unwrap_or(1 << 20)
    }
    pub fn max_depth(&self) -> usize {
        self.max_depth.unwrap_or(15)
    }
    pub fn max_aliases(&self) -> usize {
        self.max_aliases.unwrap_or(30)
    }
    pub fn max_fields(&self) -> usize {
        self.max_fields.unwrap_or(500)
    }
    pub fn request_timeout_ms(&self) -> u64 {
        self.request_timeout_ms.unwrap_or(30_000)
    }
    /// Whether introspection is answered: as set, else only when the gateway listens on
    /// loopback (a gateway reachable from other machines does not describe itself unless
    /// told to).
    pub fn introspection(&self, listening_on_loopback: bool) -> bool {
        self.introspection.unwrap_or(listening_on_loopback)
    }
    pub fn header_read_timeout_ms(&self) -> u64 {
        self.header_read_timeout_ms.unwrap_or(10_000)
    }
    pub fn body_read_timeout_ms(&self) -> u64 {
        self.body_read_timeout_ms.unwrap_or(10_000)
    }
    pub fn idle_timeout_ms(&self) -> u64 {
        self.idle_timeout_ms.unwrap_or(60_000)
    }
    pub fn max_connections(&self) -> usize {
        self.max_connections.unwrap_or(1024)
    }
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.unwrap_or(512)
    }
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes.unwrap_or(32 << 20)
    }
    pub fn dedupe_requests(&self) -> bool {
        self.dedupe_requests.unwrap_or(false)
    }
    pub fn shutdown_grace_ms(&self) -> u64 {
        self.shutdown_grace_ms.unwrap_or(10_000)
    }
}

/// A downstream service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    Rest(RestSource),
    Grpc(GrpcSource),
    Graphql(GraphqlSource),
}

/// Connection limits every kind of source has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceLimits {
    pub timeout_ms: Option<u64>,
    pub max_concurrency: Option<u32>,
}

pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
pub const DEFAULT_MAX_CONCURRENCY: u32 = 32;

impl SourceLimits {
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }
    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
            .unwrap_or(DEFAULT_MAX_CONCURRENCY)
            .max(1)
    }
}

/// A REST service reached with HTTP and JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestSource {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Base URL, may use `{{env.NAME}}`.
    pub base_url: String,
    /// Headers sent on every call; values may use `{{env.NAME}}` / `{{secret.NAME}}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// Inbound request headers `knot serve` forwards to this source (e.g. `authorization`);
    /// nothing else passes through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_headers: Vec<String>,
    /// Per-call timeout in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// At most this many calls in flight to this source at once (default 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// Identical reads (GET/HEAD) in flight at the same moment share one call (default
    /// true); `false` sends every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<bool>,
    /// `true`: speak HTTP/2 to this source from the first byte (h2c, "prior knowledge"),
    /// many calls multiplexed on one connection; the source must accept HTTP/2 without an
    /// upgrade. Default false: HTTP/1.1 keep-alive connections, and HTTP/2 over `https://`
    /// whenever the server offers it (ALPN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h2c: Option<bool>,
    #[serde(default)]
    pub operations: IndexMap<String, RestOperation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// One REST endpoint. Templates use `{input}` for operation inputs (URL-encoded in the path)
/// and `{{env.NAME}}` for environment variables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestOperation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub method: HttpMethod,
    /// Path template, e.g. `/orders/{id}`.
    pub path: String,
    /// Query parameters: name -> template. A parameter whose input is null is left out;
    /// a list input repeats the parameter (`id=1&id=2`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// JSON body template: a string that is exactly `"{input}"` becomes the input's JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Typed inputs: name -> GraphQL type (`ID!`, `[ID!]!`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, String>,
}

/// A gRPC service; messages are dynamic, described by .proto files or server reflection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcSource {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `http://host:port` (cleartext HTTP/2) or `https://…`; may use `{{env.NAME}}`.
    pub endpoint: String,
    /// .proto files, relative to the workspace file, compiled at run time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proto_files: Vec<String>,
    /// Import paths for the .proto files (default: each file's folder).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_paths: Vec<String>,
    /// Ask the server for its descriptors (reflection v1, then v1alpha) instead of files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reflection: bool,
    /// Metadata sent on every call.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// Inbound request headers `knot serve` forwards to this source (e.g. `authorization`);
    /// nothing else passes through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_headers: Vec<String>,
    /// Per-call timeout in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// At most this many calls in flight to this source at once (default 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    #[serde(default)]
    pub operations: IndexMap<String, GrpcOperation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcOperation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Fully qualified method: `package.Service/Method`.
    pub method: String,
    /// Typed inputs (fields of the request message), for checking bindings.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, String>,
}

/// A GraphQL service over HTTP; each operation is one of its root fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphqlSource {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The endpoint, e.g. `http://127.0.0.1:7104/graphql`; may use `{{env.NAME}}`.
    pub url: String,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// Inbound request headers `knot serve` forwards to this source (e.g. `authorization`);
    /// nothing else passes through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_headers: Vec<String>,
    /// Per-call timeout in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// At most this many calls in flight to this source at once (default 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// Identical queries in flight at the same moment share one call (default true);
    /// `false` sends every one. Mutations are never shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<bool>,
    /// `true`: speak HTTP/2 to this source from the first byte (h2c, "prior knowledge"),
    /// many calls multiplexed on one connection; the source must accept HTTP/2 without an
    /// upgrade. Default false: HTTP/1.1 keep-alive connections, and HTTP/2 over `https://`
    /// whenever the server offers it (ALPN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h2c: Option<bool>,
    #[serde(default)]
    pub operations: IndexMap<String, GraphqlOperation>,
    /// Set when the source is an Apollo Federation v2 subgraph: the gateway composes every
    /// subgraph of the workspace into one supergraph and plans queries across them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgraph: Option<SubgraphSettings>,
}

/// How the gateway gets a subgraph's schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubgraphSettings {
    /// The subgraph SDL in a file (relative to the workspace file); when absent the
    /// gateway asks the subgraph for it (`{ _service { sdl } }`) at load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdl_file: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphqlOperation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `query` (default) or `mutation`.
    #[serde(default, skip_serializing_if = "is_query")]
    pub operation_type: GraphqlOperationType,
    /// The downstream root field.
    pub field: String,
    /// Its arguments: name -> GraphQL type.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, String>,
    /// Selection used when the unified schema maps the result to a scalar (e.g. `JSON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GraphqlOperationType {
    #[default]
    Query,
    Mutation,
}

fn is_query(t: &GraphqlOperationType) -> bool {
    *t == GraphqlOperationType::Query
}

/// The unified schema: object types by name (`Query` is the root) and enum types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnifiedSchema {
    pub types: IndexMap<String, ObjectType>,
    /// Enum types by name: usable as field types and argument types.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub enums: IndexMap<String, EnumType>,
    /// Input object types by name: usable as argument types (nested, in lists), sent to a
    /// downstream operation as one JSON value (e.g. a request body).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, InputObjectType>,
    /// Interfaces by name: object types list them in `implements`; a field of an interface
    /// type holds objects of any implementing type.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub interfaces: IndexMap<String, InterfaceType>,
    /// Unions by name: a field of a union type holds objects of any member type.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub unions: IndexMap<String, UnionType>,
    /// Custom scalars by name: values pass through as JSON, except `DateTime`, which must be
    /// an RFC 3339 date-time both as an input and in a downstream answer.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub scalars: IndexMap<String, ScalarType>,
}

/// An interface of the unified schema: the fields every implementing object type has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterfaceType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub fields: IndexMap<String, InterfaceFieldDef>,
    /// How a value of this interface tells its concrete type (default: its `__typename`,
    /// as GraphQL sources send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<Discriminator>,
}

/// A field of an interface: its type and arguments (each implementing type says where the
/// value comes from).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterfaceFieldDef {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub arguments: IndexMap<String, ArgumentDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
}

/// A union of object types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnionType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The member object types.
    pub types: Vec<String>,
    /// How a value of this union tells its concrete type (default: its `__typename`, as
    /// GraphQL sources send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<Discriminator>,
}

/// How a downstream object of an abstract type names its concrete type: the value of one of
/// its fields (e.g. `"kind": "product"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Discriminator {
    /// Dot path of the field in the downstream object.
    pub field: String,
    /// Concrete type -> the field's value for it. A type left out is named by its own name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub values: IndexMap<String, String>,
}

impl Discriminator {
    /// The downstream value that names the concrete type `type_name`.
    pub fn value_for<'a>(&'a self, type_name: &'a str) -> &'a str {
        self.values
            .get(type_name)
            .map(String::as_str)
            .unwrap_or(type_name)
    }
}

/// A custom scalar.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalarType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A downstream scalar as the text a discriminator or a type filter compares: strings as
/// they are, numbers and booleans as written; `None` for anything else.
pub fn scalar_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// The custom scalar validated as an RFC 3339 date-time when it is declared.
pub const DATE_TIME: &str = "DateTime";

impl UnifiedSchema {
    /// Whether `name` is an interface or a union.
    pub fn is_abstract(&self, name: &str) -> bool {
        self.interfaces.contains_key(name) || self.unions.contains_key(name)
    }

    /// Whether `name` is a type whose fields are selected: an object type, an interface or
    /// a union.
    pub fn is_composite(&self, name: &str) -> bool {
        self.types.contains_key(name) || self.is_abstract(name)
    }

    /// The object types a value of type `name` can be: itself for an object type, the
    /// members of a union, the implementing types of an interface (file order).
    pub fn possible_types<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        if let Some(u) = self.unions.get(name) {
            return u
                .types
                .iter()
                .map(String::as_str)
                .filter(|t| self.types.contains_key(*t))
                .collect();
        }
        if self.interfaces.contains_key(name) {
            return self
                .types
                .iter()
                .filter(|(_, t)| t.implements.iter().any(|i| i == name))
                .map(|(n, _)| n.as_str())
                .collect();
        }
        if self.types.contains_key(name) {
            return vec![name];
        }
        Vec::new()
    }

    /// Whether an object of type `concrete` matches the type condition `condition`.
    pub fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete
            || self
                .types
                .get(concrete)
                .is_some_and(|t| t.implements.iter().any(|i| i == condition))
            || self
                .unions
                .get(condition)
                .is_some_and(|u| u.types.iter().any(|m| m == concrete))
    }

    /// The discriminator of an abstract type, if it has one (else `__typename` decides).
    pub fn discriminator(&self, name: &str) -> Option<&Discriminator> {
        self.unions
            .get(name)
            .and_then(|u| u.discriminator.as_ref())
            .or_else(|| {
                self.interfaces
                    .get(name)
                    .and_then(|i| i.discriminator.as_ref())
            })
    }

    /// The concrete type of a downstream object of the abstract type `name`: by its
    /// discriminator, else by `__typename`; `None` when neither names a possible type.
    pub fn concrete_type<'a>(&'a self, name: &'a str, raw: &Value) -> Option<&'a str> {
        let possible = self.possible_types(name);
        match self.discriminator(name) {
            Some(d) => {
                let v = d
                    .field
                    .split('.')
                    .try_fold(raw, |cur, k| cur.as_object()?.get(k))?;
                let text = scalar_text(v)?;
                possible.into_iter().find(|t| d.value_for(t) == text)
            }
            None => {
                let t = raw.get("__typename")?.as_str()?;
                possible.into_iter().find(|p| *p == t)
            }
        }
    }

    /// Whether `name` is a declared custom scalar.
    pub fn is_custom_scalar(&self, name: &str) -> bool {
        self.scalars.contains_key(name)
    }
}

/// An input object of the unified schema (GraphQL `input`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InputObjectType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub fields: IndexMap<String, InputFieldDef>,
}

/// A field of an input object: its type (scalars, enums, other input objects, lists of
/// them), an optional default, and the same blank-value discipline as arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InputFieldDef {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// By default a required `ID`/`String` field must not be empty or whitespace; set this
    /// to accept blank values.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_blank: bool,
}

/// An enum of the unified schema. Its values are GraphQL names (`BUY`); each may carry the
/// spelling the downstream services use (`from`: `"buy"`), mapped both ways: downstream
/// values become the enum's names in answers, and enum arguments are sent in the
/// downstream spelling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnumType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub values: IndexMap<String, EnumValueDef>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnumValueDef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Deprecated, with this reason (`@deprecated(reason: ...)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// The downstream spelling of this value, when it is not the value's own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl EnumType {
    /// The enum value a downstream value stands for: its `from` spelling, or its own name
    /// when it has no `from`. Numbers are compared as their text.
    pub fn value_of(&self, raw: &Value) -> Option<&str> {
        let text: std::borrow::Cow<'_, str> = match raw {
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            _ => return None,
        };
        self.values.iter().find_map(|(name, def)| {
            let spelling = def.from.as_deref().unwrap_or(name);
            (spelling == text).then_some(name.as_str())
        })
    }

    /// The downstream spelling of the value `name`, if it is one of this enum's values.
    pub fn spelling_of(&self, name: &str) -> Option<&str> {
        self.values
            .get_key_value(name)
            .map(|(key, def)| def.from.as_deref().unwrap_or(key))
    }
}

pub const QUERY_TYPE: &str = "Query";
/// The root type of mutations: its fields are bound to operations that change data.
pub const MUTATION_TYPE: &str = "Mutation";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The interfaces this type implements (it has each one's fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
    pub fields: IndexMap<String, FieldDef>,
}

/// A field of the unified schema: a plain property of its parent's data, or bound to an
/// operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldDef {
    /// GraphQL type, e.g. `ID!`, `User`, `[Product!]`.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub arguments: IndexMap<String, ArgumentDef>,
    /// A private field is data the gateway uses (typically a join key) but never shows:
    /// it is absent from the public schema and cannot be queried.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    /// For a plain field: the dot path of its value in the parent's data (default: its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// For a bound field: the operation that produces its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
    /// Deprecated, with this reason (`@deprecated(reason: ...)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// For an aggregated `Mutation` field: the operations (any mix of sources) that all
    /// receive its input, concurrently, instead of one `binding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregate>,
}

/// An aggregated write: one mutation field reaching several operations that share its
/// input. The field's type is `Boolean` (true when every target succeeded) or an object type
/// whose plain fields read the outcome: `ok` (Boolean), `status` (`SUCCEEDED`, `PARTIAL`,
/// `FAILED`) and `targets` (a list of `{label, status, category, message}`, one per target
/// in file order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Aggregate {
    /// Public label -> target. The label is all a client ever sees of a target (never the
    /// source's name or address; the trace maps labels to sources).
    pub targets: IndexMap<String, AggregateTarget>,
    /// Send each target an `Idempotency-Key` header: the client's own when its request has
    /// one, else one fresh UUID per client request (the same for every target).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotency_key: bool,
}

/// One target of an aggregated write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AggregateTarget {
    pub source: String,
    pub operation: String,
    /// Operation input -> its value: `{"argument": "input"}` for the whole argument, or a
    /// dot path into it (`{"argument": "input.email"}`) for a part.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, ArgValue>,
    /// This target's own timeout (default: its source's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// When this target fails, the whole field fails (null, with the error at its path).
    /// By default a failure is only reported in the outcome.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

impl AggregateTarget {
    /// This target as a plain binding (no key, no batch), for checks shared with bindings.
    pub fn as_binding(&self) -> Binding {
        Binding {
            source: self.source.clone(),
            operation: self.operation.clone(),
            key: None,
            batch: None,
            args: self.args.clone(),
            result: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArgumentDef {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// By default a required `ID`/`String` argument must not be empty or whitespace; set
    /// this to accept blank values.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_blank: bool,
}

/// Where a field's value comes from: one operation of one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Binding {
    pub source: String,
    pub operation: String,
    /// The key taken from each parent object. A list-valued key makes the field a list:
    /// one value per key element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyBinding>,
    /// Present for a batch binding: all keys at this path go in one call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchOptions>,
    /// Other operation inputs: input name -> where its value comes from.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, ArgValue>,
    /// Dot path of the value inside the operation's response (default: the whole response).
    /// For a batch binding, the path of the list of results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyBinding {
    /// The parent field (plain, private or bound) holding the key or list of keys.
    pub parent: String,
    /// The operation input that receives the key (the list of keys for a batch binding).
    pub input: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchOptions {
    /// How results are matched back to keys.
    #[serde(rename = "match")]
    pub match_by: MatchBy,
    /// Split larger key sets into several calls of at most this many keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<usize>,
}

/// DataLoader matching: by a field of each result, or by position (counts must agree).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MatchBy {
    /// Each result's field (dot path) equals its key.
    Field(String),
    /// The i-th result belongs to the i-th key.
    Order,
}

/// The value of one operation input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ArgValue {
    /// A field of the parent object (plain, private or bound).
    Parent(String),
    /// An argument of the bound field.
    Argument(String),
    /// An environment variable.
    Env(String),
    /// A literal JSON value.
    Value(Value),
}

/// A saved GraphQL document against the unified schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedOperation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub document: String,
    /// Which operation of the document to run when it holds several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// Expose this operation as a REST endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<RestEndpoint>,
    /// Expose this operation as a method of the workspace's gRPC service (`"grpc": {}`
    /// marks it; `knot export proto` records its field numbers here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcMethod>,
}

/// A saved operation served as a gRPC method: the field numbers given so far to its request
/// and response messages. A number, once given, is never given to another field of the same
/// message, even after its field left the selection (it is then `reserved`), so deployed
/// clients keep decoding what they knew.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcMethod {
    /// Field path -> number. `request.VAR` for the request's fields (the operation's
    /// variables), `response.KEY` for the response's, `response.KEY.KEY` for the fields of
    /// the message of a nested selection (keys are response keys: aliases when given).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<String, u32>,
}

/// `GET /composite-order-details/{id}`: path and query parameters become variables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestEndpoint {
    #[serde(default = "default_get")]
    pub method: HttpMethod,
    pub path: String,
}

fn default_get() -> HttpMethod {
    HttpMethod::Get
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Environment {
    #[serde(default)]
    pub variables: IndexMap<String, EnvVariable>,
}

/// A variable: a plain value, or a detailed entry. A secret's value never lives in the
/// file: it comes from the local store or the process environment (`KNOT_SECRET_<NAME>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvVariable {
    Plain(String),
    Detailed(EnvVariableDetail),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVariableDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl EnvVariable {
    pub fn is_secret(&self) -> bool {
        matches!(self, EnvVariable::Detailed(d) if d.secret)
    }
    /// The value written in the file, if any (never for a secret).
    pub fn file_value(&self) -> Option<&str> {
        match self {
            EnvVariable::Plain(v) => Some(v),
            EnvVariable::Detailed(d) if !d.secret => d.value.as_deref(),
            EnvVariable::Detailed(_) => None,
        }
    }
}

impl Source {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Source::Rest(_) => "rest",
            Source::Grpc(_) => "grpc",
            Source::Graphql(_) => "graphql",
        }
    }
    /// Inbound headers forwarded to this source, lower-cased.
    pub fn forward_headers(&self) -> Vec<String> {
        let list = match self {
            Source::Rest(s) => &s.forward_headers,
            Source::Grpc(s) => &s.forward_headers,
            Source::Graphql(s) => &s.forward_headers,
        };
        list.iter().map(|h| h.to_ascii_lowercase()).collect()
    }

    /// Whether calls speak cleartext HTTP/2 from the first byte (`h2c`); gRPC always
    /// speaks HTTP/2 and is not affected.
    pub fn h2c(&self) -> bool {
        match self {
            Source::Rest(s) => s.h2c.unwrap_or(false),
            Source::Graphql(s) => s.h2c.unwrap_or(false),
            Source::Grpc(_) => false,
        }
    }

    pub fn limits(&self) -> SourceLimits {
        let (timeout_ms, max_concurrency) = match self {
            Source::Rest(s) => (s.timeout_ms, s.max_concurrency),
            Source::Grpc(s) => (s.timeout_ms, s.max_concurrency),
            Source::Graphql(s) => (s.timeout_ms, s.max_concurrency),
        };
        SourceLimits {
            timeout_ms,
            max_concurrency,
        }
    }
    /// Names of the operations this source offers, in file order.
    pub fn operation_names(&self) -> Vec<&str> {
        match self {
            Source::Rest(s) => s.operations.keys().map(String::as_str).collect(),
            Source::Grpc(s) => s.operations.keys().map(String::as_str).collect(),
            Source::Graphql(s) => s.operations.keys().map(String::as_str).collect(),
        }
    }
    pub fn has_operation(&self, name: &str) -> bool {
        match self {
            Source::Rest(s) => s.operations.contains_key(name),
            Source::Grpc(s) => s.operations.contains_key(name),
            Source::Graphql(s) => s.operations.contains_key(name),
        }
    }
    /// Declared inputs of an operation (empty when the source declares none, e.g. gRPC
    /// methods described only by their proto).
    pub fn operation_inputs(&self, name: &str) -> Option<&IndexMap<String, String>> {
        match self {
            Source::Rest(s) => s.operations.get(name).map(|o| &o.inputs),
            Source::Grpc(s) => s.operations.get(name).map(|o| &o.inputs),
            Source::Graphql(s) => s.operations.get(name).map(|o| &o.inputs),
        }
    }
}

impl Workspace {
    /// The root query type, if declared.
    pub fn query_type(&self) -> Option<&ObjectType> {
        self.schema.types.get(QUERY_TYPE)
    }

    /// The environment to use: the one named, else `defaultEnvironment`, else the first.
    pub fn environment(&self, name: Option<&str>) -> Result<Option<(&str, &Environment)>, String> {
        match name.or(self.default_environment.as_deref()) {
            Some(n) => match self.environments.get_key_value(n) {
                Some((k, v)) => Ok(Some((k.as_str(), v))),
                None => Err(format!(
                    "environment `{n}` is not defined (defined: {})",
                    if self.environments.is_empty() {
                        "none".to_string()
                    } else {
                        self.environments
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )),
            },
            None => Ok(self.environments.get_index(0).map(|(k, v)| (k.as_str(), v))),
        }
    }
}
