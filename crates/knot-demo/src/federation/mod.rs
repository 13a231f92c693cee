//! Apollo Federation v2 demo subgraphs (async-graphql with federation on), used
//! to test and benchmark Knot's federation planner against real subgraphs.
//!
//! Two supergraphs, six subgraphs, each its own HTTP server with `POST /graphql`
//! (also `GET`) and `GET /health`:
//!
//! - "Fleet": [`Subgraph::Device`] (7121) and [`Subgraph::Safety`] (7122). The
//!   query `{ device(id: "1") { name camera { cameraLocation { street } } } }`
//!   needs three fetches: device, safety (`_entities` Camera), device
//!   (`_entities` Location).
//! - "Bench", shaped like the public graphql-gateways-benchmark:
//!   [`Subgraph::Accounts`] (7131), [`Subgraph::Inventory`] (7132),
//!   [`Subgraph::Products`] (7133) and [`Subgraph::Reviews`] (7134).
//!
//! Every request a subgraph receives is recorded as a [`SubgraphRequest`]
//! (query text, variables and, for `_entities`, the representations) unless
//! recording is off ([`FederationConfig::record`], [`FederationDemo::set_recording`]).
//! [`subgraph_sdl`] gives the `_service { sdl }` text without a network.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{
    BatchRequest, EmptyMutation, EmptySubscription, ObjectType, Request, SDLExportOptions, Schema,
};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::servers::{bind, Servers};
use crate::{rest, DemoError};

mod accounts;
mod device;
mod inventory;
mod products;
mod reviews;
mod safety;

/// The port of each subgraph (0 = pick a free port).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FederationPorts {
    pub device: u16,
    pub safety: u16,
    pub accounts: u16,
    pub inventory: u16,
    pub products: u16,
    pub reviews: u16,
}

impl FederationPorts {
    /// The well-known ports used by the examples (7121-7122, 7131-7134).
    pub fn fixed() -> Self {
        Self {
            device: 7121,
            safety: 7122,
            accounts: 7131,
            inventory: 7132,
            products: 7133,
            reviews: 7134,
        }
    }

    /// Port 0 everywhere: the OS picks free ports (for tests).
    pub fn ephemeral() -> Self {
        Self {
            device: 0,
            safety: 0,
            accounts: 0,
            inventory: 0,
            products: 0,
            reviews: 0,
        }
    }

    /// The port configured for one subgraph.
    pub fn port(&self, subgraph: Subgraph) -> u16 {
        match subgraph {
            Subgraph::Device => self.device,
            Subgraph::Safety => self.safety,
            Subgraph::Accounts => self.accounts,
            Subgraph::Inventory => self.inventory,
            Subgraph::Products => self.products,
            Subgraph::Reviews => self.reviews,
        }
    }
}

/// One of the six federation subgraphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subgraph {
    /// Fleet: devices, their cameras (id only) and location streets.
    Device,
    /// Fleet: the location of each camera.
    Safety,
    /// Bench: users.
    Accounts,
    /// Bench: stock and shipping estimates of products.
    Inventory,
    /// Bench: the product catalogue.
    Products,
    /// Bench: reviews of products by users.
    Reviews,
}

impl Subgraph {
    /// Every subgraph, in a fixed order.
    pub const ALL: [Subgraph; 6] = [
        Subgraph::Device,
        Subgraph::Safety,
        Subgraph::Accounts,
        Subgraph::Inventory,
        Subgraph::Products,
        Subgraph::Reviews,
    ];

    /// The subgraphs of the "Fleet" supergraph.
    pub const FLEET: [Subgraph; 2] = [Subgraph::Device, Subgraph::Safety];

    /// The subgraphs of the "Bench" supergraph.
    pub const BENCH: [Subgraph; 4] = [
        Subgraph::Accounts,
        Subgraph::Inventory,
        Subgraph::Products,
        Subgraph::Reviews,
    ];

    /// Short name, e.g. `"device"`.
    pub fn name(&self) -> &'static str {
        match self {
            Subgraph::Device => "device",
            Subgraph::Safety => "safety",
            Subgraph::Accounts => "accounts",
            Subgraph::Inventory => "inventory",
            Subgraph::Products => "products",
            Subgraph::Reviews => "reviews",
        }
    }

    /// Environment variable carrying the subgraph URL, e.g. `"FEDERATION_DEVICE_URL"`.
    pub fn env_var(&self) -> &'static str {
        match self {
            Subgraph::Device => "FEDERATION_DEVICE_URL",
            Subgraph::Safety => "FEDERATION_SAFETY_URL",
            Subgraph::Accounts => "FEDERATION_ACCOUNTS_URL",
            Subgraph::Inventory => "FEDERATION_INVENTORY_URL",
            Subgraph::Products => "FEDERATION_PRODUCTS_URL",
            Subgraph::Reviews => "FEDERATION_REVIEWS_URL",
        }
    }

    /// Position in [`Subgraph::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Subgraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The federation SDL of one subgraph, exactly what its `_service { sdl }` answers.
pub fn subgraph_sdl(subgraph: Subgraph) -> String {
    let options = SDLExportOptions::new().federation().compose_directive();
    match subgraph {
        Subgraph::Device => device::schema().sdl_with_options(options),
        Subgraph::Safety => safety::schema().sdl_with_options(options),
        Subgraph::Accounts => accounts::schema().sdl_with_options(options),
        Subgraph::Inventory => inventory::schema().sdl_with_options(options),
        Subgraph::Products => products::schema().sdl_with_options(options),
        Subgraph::Reviews => reviews::schema().sdl_with_options(options),
    }
}

/// One GraphQL request received by a subgraph (every request is recorded,
/// `_service` and introspection included; a batch gives one record per request).
#[derive(Clone, Debug, PartialEq)]
pub struct SubgraphRequest {
    /// The subgraph that received it.
    pub subgraph: Subgraph,
    /// The GraphQL document as sent.
    pub query: String,
    /// The operation name, if given.
    pub operation_name: Option<String>,
    /// The variables as JSON (an object, `{}` when none were sent).
    pub variables: serde_json::Value,
    /// For `_entities` calls: the representations (literal or from variables),
    /// in the order sent; `None` for other requests.
    pub representations: Option<Vec<serde_json::Value>>,
    /// The HTTP version it came over (`HTTP/1.1`, `HTTP/2.0`).
    pub http_version: String,
}

impl SubgraphRequest {
    /// Whether this is an `_entities` call.
    pub fn is_entities(&self) -> bool {
        self.representations.is_some()
    }

    /// The number of representations (0 for other requests).
    pub fn representation_count(&self) -> usize {
        self.representations.as_ref().map_or(0, Vec::len)
    }
}

/// Shared request log of every subgraph (a `Mutex<Vec>`, off when not recording).
#[derive(Debug)]
struct Recorder {
    enabled: AtomicBool,
    requests: Mutex<Vec<SubgraphRequest>>,
}

impl Recorder {
    fn new(enabled: bool) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            requests: Mutex::new(Vec::new()),
        }
    }

    fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<SubgraphRequest>> {
        // A poisoned lock only means a panic elsewhere; the data stays usable.
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, entries: Vec<SubgraphRequest>) {
        if !entries.is_empty() {
            self.lock().extend(entries);
        }
    }
}

/// The representations of an `_entities` call, as request data for resolvers
/// that need their position (the safety subgraph's error paths).
#[derive(Debug)]
struct Representations {
    all: Vec<serde_json::Value>,
    /// Positions already claimed by a resolver (each position once).
    claimed: Mutex<Vec<bool>>,
}

impl Representations {
    fn new(all: Vec<serde_json::Value>) -> Self {
        let claimed = Mutex::new(vec![false; all.len()]);
        Self { all, claimed }
    }

    /// Claims the first unclaimed position whose representation matches, if any.
    fn claim(&self, matches: impl Fn(&serde_json::Value) -> bool) -> Option<usize> {
        let mut claimed = self
            .claimed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let position = self
            .all
            .iter()
            .enumerate()
            .position(|(i, r)| !claimed[i] && matches(r))?;
        claimed[position] = true;
        Some(position)
    }
}

/// Records the requests of a (possibly batched) HTTP request and, where the
/// subgraph needs them, hands the `_entities` representations to the resolvers.
/// Parses each document once; execution reuses the parse.
fn prepare(
    subgraph: Subgraph,
    recorder: &Recorder,
    batch: &mut BatchRequest,
    version: axum::http::Version,
) {
    let recording = recorder.enabled();
    let needs_representations = subgraph == Subgraph::Safety;
    if !recording && !needs_representations {
        return;
    }
    let mut entries = Vec::new();
    for request in batch.iter_mut() {
        let document = async_graphql::parser::parse_query(&request.query).ok();
        let representations = document
            .as_ref()
            .and_then(|document| entities_representations(document, request));
        if recording {
            entries.push(describe(
                subgraph,
                request,
                representations.clone(),
                version,
            ));
        }
        if needs_representations {
            if let Some(representations) = representations {
                request.data.insert(Representations::new(representations));
            }
        }
        if let Some(document) = document {
            request.set_parsed_query(document);
        }
    }
    recorder.push(entries);
}

/// Builds the record of one request.
fn describe(
    subgraph: Subgraph,
    request: &Request,
    representations: Option<Vec<serde_json::Value>>,
    version: axum::http::Version,
) -> SubgraphRequest {
    let variables = serde_json::to_value(&request.variables)
        .unwrap_or_else(|_| serde_json::Value::Object(serde_json::Map::new()));
    SubgraphRequest {
        subgraph,
        query: request.query.clone(),
        operation_name: request.operation_name.clone(),
        variables,
        representations,
        http_version: format!("{version:?}"),
    }
}

/// The `representations` argument of the root `_entities` field, if any.
fn entities_representations(
    document: &ExecutableDocument,
    request: &Request,
) -> Option<Vec<serde_json::Value>> {
    let operation = pick_operation(document, request.operation_name.as_deref())?;
    let field = find_entities_field(document, &operation.selection_set.node, 0)?;
    let (_, argument) = field
        .arguments
        .iter()
        .find(|(name, _)| name.node == "representations")?;
    let lookup = |name: async_graphql::Name| -> Result<async_graphql::Value, ()> {
        if let Some(value) = request.variables.get(&name) {
            return Ok(value.clone());
        }
        operation
            .variable_definitions
            .iter()
            .find(|def| def.node.name.node == name)
            .and_then(|def| def.node.default_value.as_ref())
            .map(|value| value.node.clone())
            .ok_or(())
    };
    let value = argument.node.clone().into_const_with(lookup).ok()?;
    match serde_json::to_value(&value).ok()? {
        serde_json::Value::Array(items) => Some(items),
        serde_json::Value::Null => Some(Vec::new()),
        // Input coercion turns a single value into a list of one.
        other => Some(vec![other]),
    }
}

fn pick_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| &op.node),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| &op.node),
    }
}

fn find_entities_field<'a>(
    document: &'a ExecutableDocument,
    selection_set: &'a SelectionSet,
    depth: usize,
) -> Option<&'a async_graphql::parser::types::Field> {
    if depth > 16 {
        return None;
    }
    selection_set
        .items
        .iter()
        .find_map(|item| match &item.node {
            Selection::Field(field) if field.node.name.node == "_entities" => Some(&field.node),
            Selection::Field(_) => None,
            Selection::InlineFragment(fragment) => {
                find_entities_field(document, &fragment.node.selection_set.node, depth + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .and_then(|fragment| {
                    find_entities_field(document, &fragment.node.selection_set.node, depth + 1)
                }),
        })
}

/// Schema type of every subgraph.
type SubgraphSchema<Q> = Schema<Q, EmptyMutation, EmptySubscription>;

/// Builds a subgraph schema with federation enabled.
fn build_schema<Q: ObjectType + 'static>(query: Q) -> SubgraphSchema<Q> {
    Schema::build(query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

struct SubgraphState<Q: ObjectType + 'static> {
    subgraph: Subgraph,
    schema: SubgraphSchema<Q>,
    recorder: Arc<Recorder>,
}

impl<Q: ObjectType + 'static> Clone for SubgraphState<Q> {
    fn clone(&self) -> Self {
        Self {
            subgraph: self.subgraph,
            schema: self.schema.clone(),
            recorder: Arc::clone(&self.recorder),
        }
    }
}

/// One subgraph's HTTP service: `GET`/`POST /graphql` and `GET /health`.
fn subgraph_router<Q: ObjectType + 'static>(
    subgraph: Subgraph,
    schema: SubgraphSchema<Q>,
    recorder: Arc<Recorder>,
) -> Router {
    let state = SubgraphState {
        subgraph,
        schema,
        recorder,
    };
    rest::with_health(
        Router::new()
            .route("/graphql", get(graphql::<Q>).post(graphql::<Q>))
            .with_state(state),
    )
}

async fn graphql<Q: ObjectType + 'static>(
    State(state): State<SubgraphState<Q>>,
    version: axum::http::Version,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let mut batch = request.into_inner();
    prepare(state.subgraph, &state.recorder, &mut batch, version);
    GraphQLResponse::from(state.schema.execute_batch(batch).await)
}

fn router_for(subgraph: Subgraph, recorder: Arc<Recorder>) -> Router {
    match subgraph {
        Subgraph::Device => subgraph_router(subgraph, device::schema(), recorder)
            .merge(device::maintenance_router()),
        Subgraph::Safety => subgraph_router(subgraph, safety::schema(), recorder),
        Subgraph::Accounts => subgraph_router(subgraph, accounts::schema(), recorder),
        Subgraph::Inventory => subgraph_router(subgraph, inventory::schema(), recorder),
        Subgraph::Products => subgraph_router(subgraph, products::schema(), recorder),
        Subgraph::Reviews => subgraph_router(subgraph, reviews::schema(), recorder),
    }
}

/// Environment variable carrying the maintenance log's base URL.
pub const MAINTENANCE_ENV_VAR: &str = "FEDERATION_MAINTENANCE_URL";

/// How to start the federation subgraphs.
#[derive(Clone, Debug)]
pub struct FederationConfig {
    /// Address every listener binds to (default 127.0.0.1).
    pub host: IpAddr,
    /// Port of each subgraph.
    pub ports: FederationPorts,
    /// Record every request (default on; turn off for benchmarks).
    pub record: bool,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: FederationPorts::fixed(),
            record: true,
        }
    }
}

/// The running federation subgraphs.
pub struct FederationDemo {
    recorder: Arc<Recorder>,
    addrs: [SocketAddr; 6],
    servers: Servers,
}

impl std::fmt::Debug for FederationDemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FederationDemo")
            .field("addrs", &self.addrs)
            .finish_non_exhaustive()
    }
}

impl FederationDemo {
    /// Binds every listener, then serves all six subgraphs in the background.
    pub async fn start(config: FederationConfig) -> Result<FederationDemo, DemoError> {
        let recorder = Arc::new(Recorder::new(config.record));
        let mut servers = Servers::new();
        let mut addrs = [SocketAddr::new(config.host, 0); 6];
        for subgraph in Subgraph::ALL {
            let (listener, addr) =
                bind(config.host, config.ports.port(subgraph), subgraph.name()).await?;
            addrs[subgraph.index()] = addr;
            servers.serve(
                subgraph.name(),
                listener,
                router_for(subgraph, Arc::clone(&recorder)),
            );
        }
        Ok(FederationDemo {
            recorder,
            addrs,
            servers,
        })
    }

    /// The bound address of a subgraph.
    pub fn addr(&self, subgraph: Subgraph) -> SocketAddr {
        self.addrs[subgraph.index()]
    }

    /// `http://host:port/graphql` of a subgraph.
    pub fn url(&self, subgraph: Subgraph) -> String {
        format!("http://{}/graphql", self.addr(subgraph))
    }

    /// `(Subgraph::env_var(), url)` for every subgraph.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = Subgraph::ALL
            .iter()
            .map(|subgraph| (subgraph.env_var().to_owned(), self.url(*subgraph)))
            .collect();
        vars.push((MAINTENANCE_ENV_VAR.to_owned(), self.maintenance_url()));
        vars
    }

    /// Base URL of the maintenance log, a plain REST endpoint (`GET /maintenance?device=…`)
    /// served beside the device subgraph.
    pub fn maintenance_url(&self) -> String {
        format!("http://{}", self.addr(Subgraph::Device))
    }

    /// Every request received (all subgraphs) since start or the last
    /// [`clear_requests`](Self::clear_requests), in arrival order.
    pub fn requests(&self) -> Vec<SubgraphRequest> {
        self.recorder.lock().clone()
    }

    /// The recorded requests of one subgraph, in arrival order.
    pub fn requests_of(&self, subgraph: Subgraph) -> Vec<SubgraphRequest> {
        self.recorder
            .lock()
            .iter()
            .filter(|request| request.subgraph == subgraph)
            .cloned()
            .collect()
    }

    /// Forgets every recorded request.
    pub fn clear_requests(&self) {
        self.recorder.lock().clear();
    }

    /// Turns request recording on or off at run time.
    pub fn set_recording(&self, on: bool) {
        self.recorder.enabled.store(on, Ordering::Relaxed);
    }

    /// Stops all servers gracefully (in-flight requests get a few seconds).
    pub async fn shutdown(mut self) {
        self.servers.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_of(query: &str, variables: serde_json::Value) -> SubgraphRequest {
        let recorder = Recorder::new(true);
        let request = Request::new(query).variables(async_graphql::Variables::from_json(variables));
        let mut batch = BatchRequest::Single(request);
        prepare(
            Subgraph::Safety,
            &recorder,
            &mut batch,
            axum::http::Version::HTTP_11,
        );
        let mut requests = recorder.lock().clone();
        assert_eq!(requests.len(), 1);
        requests.remove(0)
    }

    #[test]
    fn representations_come_from_literals_and_variables() {
        let r = record_of(
            r#"{ _entities(representations: [{__typename: "Camera", id: "c1"}]) { __typename } }"#,
            serde_json::json!({}),
        );
        assert_eq!(
            r.representations,
            Some(vec![
                serde_json::json!({"__typename": "Camera", "id": "c1"})
            ])
        );
        let r = record_of(
            "query($r: [_Any!]!) { ... on Query { _entities(representations: $r) { __typename } } }",
            serde_json::json!({"r": [{"__typename": "Camera", "id": "c1"}, {"__typename": "Camera", "id": "c2"}]}),
        );
        assert_eq!(r.representation_count(), 2);
        assert!(r.is_entities());
        let r = record_of("{ _service { sdl } }", serde_json::json!({}));
        assert!(!r.is_entities());
        assert_eq!(r.variables, serde_json::json!({}));
        let r = record_of("{ nope", serde_json::json!({}));
        assert_eq!(r.representations, None);
    }

    #[test]
    fn every_sdl_is_federation_v2() {
        for subgraph in Subgraph::ALL {
            let sdl = subgraph_sdl(subgraph);
            assert!(sdl.contains("@link("), "{subgraph}: {sdl}");
            assert!(
                sdl.contains("https://specs.apollo.dev/federation/v2"),
                "{sdl}"
            );
            assert!(sdl.contains("@key(fields:"), "{subgraph}: {sdl}");
        }
    }
}
