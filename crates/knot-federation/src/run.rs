//! Runs a [`FetchGraph`]: a fetch starts as soon as the fetches it waits for are
//! done; an entity fetch gathers every object at its path, builds their
//! representations from its `requires` selection, deduplicates them, sends one
//! `_entities` call, checks it got one entity per representation and merges each
//! back into every object that asked for it. Subgraph errors are re-pathed to
//! the objects they belong to and categorised like every other Knot source.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::planner::plan_nodes::FetchRewrite;
use knot_connect::call::Category;
use knot_connect::Connectors;
use knot_execute::tree::{Node, Object, Str, Tree};
use petgraph::graph::NodeIndex;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::local::{LocalSubgraph, LOCAL_SUBGRAPH};
use crate::steps::{FetchGraph, FetchStep};
use crate::supergraph::{Prepared, Supergraph};
use crate::tree::{
    apply_rewrite, ast_to_json, build_representation, deep_merge, deep_merge_from, full_path,
    walk_objects_mut, write_representation, NotWritten, ObjectAt, ObjectPaths, SharedSegment,
};
use crate::FederationError;

/// How subgraph error messages reach the public answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubgraphErrors {
    /// Category and a fixed message only (Knot's rule for every source).
    #[default]
    Mask,
    /// The subgraph's own message and extensions, plus the category.
    Forward,
}

/// Gateway settings. Timeouts, concurrency limits and forwarded headers are each
/// subgraph source's own (its `knot-connect` connector), as for every source.
#[derive(Clone, Debug, Default)]
pub struct GatewayOptions {
    pub subgraph_errors: SubgraphErrors,
    /// Keep request/response bodies in the trace (for the explorer).
    pub detailed_trace: bool,
    /// Size limits of an operation (after fragments are inlined); `None` = unlimited.
    pub limits: Option<Limits>,
    /// A supergraph served as it is: speak cleartext HTTP/2 (h2c) to every subgraph.
    pub subgraph_h2c: bool,
}

/// A supergraph served as it is has no workspace: each of its subgraphs becomes a GraphQL
/// source with this timeout and concurrency limit.
const SUPERGRAPH_TIMEOUT_MS: u64 = 30_000;
const SUPERGRAPH_MAX_CONCURRENCY: u32 = 256;

/// How big an operation may be: the planner's one limits type, for every workspace.
pub use knot_plan::Limits;

/// A federation gateway over one supergraph.
#[derive(Clone, Debug)]
pub struct Gateway {
    supergraph: Arc<Supergraph>,
    /// Every subgraph is a GraphQL source of these connectors: one HTTP client, and per
    /// source one semaphore, one timeout and one header allowlist, shared with every
    /// other call to that source.
    connectors: Arc<Connectors>,
    options: GatewayOptions,
    /// The workspace's own bindings, answered in process (see `local.rs`).
    local: Option<Arc<LocalSubgraph>>,
}

/// One GraphQL request.
#[derive(Clone, Debug, Default)]
pub struct GatewayRequest {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    /// Headers forwarded to every subgraph call.
    pub headers: Vec<(String, String)>,
}

/// One subgraph call as the explorer shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchSpan {
    pub step: usize,
    pub subgraph: String,
    pub label: String,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Objects at the path that asked for an entity.
    pub objects: usize,
    /// Representations actually sent (deduplicated).
    pub representations: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// For a fetch of the workspace's own bindings: the downstream calls they made, each
    /// a span of its own source and operation (times from the start of the run).
    #[serde(skip)]
    pub bound_calls: Vec<knot_execute::Span>,
    /// The call as the connector recorded it (secrets masked, forwarded headers by name).
    #[serde(skip)]
    pub sent: Option<knot_connect::RequestSummary>,
    /// Bytes of the subgraph's answer.
    #[serde(skip)]
    pub bytes: usize,
    /// The answer of an identical subgraph request already in flight (no call of its own).
    pub shared: bool,
}

/// The answer and what it took.
#[derive(Clone, Debug)]
pub struct GatewayResponse {
    /// When the run started (bound calls' instants are measured from here).
    pub started: Instant,
    /// `{"data": ..., "errors": [...]}` as the client gets it.
    pub body: knot_execute::Response,
    pub graph: Arc<FetchGraph>,
    pub spans: Vec<FetchSpan>,
    /// Every error with its detail (subgraph, message), for the explorer and logs.
    pub detailed_errors: Vec<Value>,
}

/// An error gathered during a run, before it is made public.
#[derive(Clone, Debug)]
pub(crate) struct RunError {
    pub category: Category,
    pub message: String,
    pub path: Option<Vec<Value>>,
    pub extensions: Option<Map<String, Value>>,
    pub subgraph: Option<String>,
}

impl Gateway {
    /// A gateway over a supergraph served as it is: each subgraph of `join__Graph` becomes
    /// a GraphQL source named after it.
    pub fn new(
        supergraph: Arc<Supergraph>,
        options: GatewayOptions,
    ) -> Result<Self, FederationError> {
        let mut ws: knot_model::Workspace = serde_json::from_value(
            serde_json::json!({"version": 1, "name": "supergraph", "schema": {"types": {}}}),
        )
        .map_err(|e| FederationError::Supergraph {
            message: format!("cannot describe the subgraphs: {e}"),
        })?;
        for (name, url) in supergraph.subgraphs() {
            ws.sources.insert(
                name.clone(),
                knot_model::Source::Graphql(knot_model::GraphqlSource {
                    description: String::new(),
                    url: url.clone(),
                    headers: Default::default(),
                    forward_headers: Vec::new(),
                    timeout_ms: Some(SUPERGRAPH_TIMEOUT_MS),
                    max_concurrency: Some(SUPERGRAPH_MAX_CONCURRENCY),
                    dedupe: None,
                    h2c: options.subgraph_h2c.then_some(true),
                    operations: Default::default(),
                    subgraph: Some(Default::default()),
                }),
            );
        }
        let vars = knot_connect::Vars::from_workspace(&ws, None)
            .map_err(|message| FederationError::Supergraph { message })?;
        let connectors =
            Connectors::new(&ws, vars, std::path::Path::new(".")).map_err(|(source, e)| {
                FederationError::Supergraph {
                    message: format!("subgraph `{source}`: {e}"),
                }
            })?;
        Ok(Self::with_connectors(
            supergraph,
            options,
            Arc::new(connectors),
        ))
    }

    /// A gateway whose subgraphs are sources of `connectors` (a workspace's, shared with
    /// the rest of its runtime).
    pub fn with_connectors(
        supergraph: Arc<Supergraph>,
        options: GatewayOptions,
        connectors: Arc<Connectors>,
    ) -> Self {
        Self {
            supergraph,
            connectors,
            options,
            local: None,
        }
    }

    /// The same gateway answering the generated `bindings` subgraph in process.
    pub(crate) fn with_local(mut self, local: LocalSubgraph) -> Self {
        self.local = Some(Arc::new(local));
        self
    }

    /// The same gateway refusing operations over `limits`.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.options.limits = Some(limits);
        self
    }

    /// The same gateway with [`GatewayOptions::detailed_trace`] set to `on`.
    pub fn with_detailed_trace(mut self, on: bool) -> Self {
        self.options.detailed_trace = on;
        self
    }

    pub fn supergraph(&self) -> &Arc<Supergraph> {
        &self.supergraph
    }

    /// The fan-out graph `request` would run, without running it.
    pub fn plan(
        &self,
        request: &GatewayRequest,
    ) -> Result<(Arc<Prepared>, Arc<FetchGraph>), FederationError> {
        let (prepared, _, graph) = self.admit(request)?;
        Ok((prepared, graph))
    }

    /// Everything checked before any subgraph call: the operation prepared (parsed,
    /// validated, planned), within the size limits, its variables coerced and no required
    /// ID/String blank; with the fan-out graph for those variables.
    fn admit(&self, request: &GatewayRequest) -> Result<Admitted, FederationError> {
        let prepared = self
            .supergraph
            .prepare(&request.query, request.operation_name.as_deref())?;
        self.check_limits(&prepared)?;
        let variables = coerce_variables(&prepared, &request.variables)?;
        self.check_blank_inputs(&prepared, &variables)?;
        let graph = graph_for(&prepared, &variables)?;
        Ok((prepared, variables, graph))
    }

    /// Runs one request. Request errors (parse, validation, planning) come back
    /// as `Err`; everything that happens downstream is in the response.
    pub async fn execute(
        &self,
        request: &GatewayRequest,
    ) -> Result<GatewayResponse, FederationError> {
        self.execute_observed(request, None).await
    }

    /// [`Gateway::execute`], telling `observer` when each fetch step starts and
    /// finishes (a step with nothing to ask starts and finishes at once): the steps run
    /// through `knot-execute`'s one DAG driver, with its node events.
    pub async fn execute_observed(
        &self,
        request: &GatewayRequest,
        observer: Option<knot_execute::Observer>,
    ) -> Result<GatewayResponse, FederationError> {
        let (prepared, variables, graph) = self.admit(request)?;
        let mut run = Run {
            gateway: self,
            headers: &request.headers,
            variables: &variables,
            data: Node::Object(Default::default()),
            errors: Vec::new(),
            spans: Vec::new(),
            started: Instant::now(),
        };
        knot_execute::drive::drive(
            &graph.graph,
            &mut Driving {
                run: &mut run,
                graph: &graph,
            },
            observer.as_ref(),
        )
        .await;
        let Run {
            data,
            mut errors,
            spans,
            started,
            ..
        } = run;
        // The one projection; errors the subgraphs reported already explain the nulls below
        // their paths.
        let prior = errors
            .iter()
            .map(|e| e.path.clone().unwrap_or_default())
            .collect();
        let mut projection = knot_execute::project::Projection::new(&[], self.supergraph.as_ref())
            .with_variables(&variables)
            .with_prior_errors(prior);
        // The answer is written after its `{"data":`, in a buffer the size of the last answer
        // to this operation (and an eighth more).
        let last = prepared
            .answer_size
            .load(std::sync::atomic::Ordering::Relaxed);
        let mut projected = Vec::with_capacity((last + last / 8).max(16 * 1024));
        projected.extend_from_slice(knot_execute::Response::DATA_PREFIX);
        projection.root_into(&prepared.selections, &data, &prepared.root, &mut projected);
        prepared
            .answer_size
            .store(projected.len(), std::sync::atomic::Ordering::Relaxed);
        let projection_errors = projection.trace_errors.into_iter().map(|e| RunError {
            category: e.category,
            message: e.detail,
            path: Some(e.path),
            extensions: None,
            subgraph: None,
        });
        errors.extend(projection_errors);
        let detailed_errors = errors.iter().map(detailed_error).collect();
        let public: Vec<Value> = errors.iter().map(|e| self.public_error(e)).collect();
        let body = knot_execute::Response::from_prefixed(&public, projected);
        Ok(GatewayResponse {
            started,
            body,
            graph,
            spans,
            detailed_errors,
        })
    }

    /// Knot's input discipline: a required `ID` or `String` argument must not be empty or
    /// whitespace. Checked before any subgraph call.
    fn check_blank_inputs(
        &self,
        prepared: &Prepared,
        variables: &Map<String, Value>,
    ) -> Result<(), FederationError> {
        let root = self
            .supergraph
            .root_type(&prepared.kind)
            .unwrap_or("Query")
            .to_owned();
        let mut problems = Vec::new();
        blank_inputs(
            &self.supergraph,
            &root,
            &prepared.operation.selection_set,
            variables,
            &mut problems,
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(FederationError::Invalid(problems))
        }
    }

    fn check_limits(&self, prepared: &Prepared) -> Result<(), FederationError> {
        let Some(limits) = self.options.limits else {
            return Ok(());
        };
        let mut size = knot_plan::Size::default();
        measure(&prepared.operation.selection_set, 1, &mut size);
        match limits.exceeded(&size) {
            Some(message) => Err(FederationError::validation(message)),
            None => Ok(()),
        }
    }

    fn public_error(&self, error: &RunError) -> Value {
        let mut out = Map::new();
        let mut extensions = Map::new();
        // Masked (the default): every error but the client's own mistakes carries only its
        // category's fixed message, whether a subgraph or the projection (which may quote a
        // downstream value) raised it; the detail stays in the trace.
        match (self.options.subgraph_errors, error.category) {
            (SubgraphErrors::Forward, _) | (_, Category::Validation) => {
                out.insert("message".into(), Value::String(error.message.clone()));
                if let Some(ext) = &error.extensions {
                    extensions.extend(ext.clone());
                }
            }
            (SubgraphErrors::Mask, _) => {
                out.insert(
                    "message".into(),
                    Value::String(error.category.public_message().into()),
                );
            }
        }
        if let Some(path) = &error.path {
            out.insert("path".into(), Value::Array(path.clone()));
        }
        extensions.insert(
            "category".into(),
            Value::String(error.category.as_str().into()),
        );
        out.insert("extensions".into(), Value::Object(extensions));
        Value::Object(out)
    }
}

/// The prepared graph, or one built for these variables when the plan has conditions.
/// A request that passed every check: prepared operation, coerced variables, graph.
type Admitted = (Arc<Prepared>, Map<String, Value>, Arc<FetchGraph>);

fn graph_for(
    prepared: &Prepared,
    variables: &Map<String, Value>,
) -> Result<Arc<FetchGraph>, FederationError> {
    match &prepared.graph {
        Some(graph) => Ok(graph.clone()),
        None => Ok(Arc::new(FetchGraph::build(
            &prepared.plan,
            &prepared.root,
            variables,
        )?)),
    }
}

fn blank_inputs(
    supergraph: &Supergraph,
    parent: &str,
    selection: &SelectionSet,
    variables: &Map<String, Value>,
    problems: &mut Vec<String>,
) {
    use hive_router_query_planner::ast::value::Value as AstValue;
    use hive_router_query_planner::state::supergraph_state::TypeNode;
    for item in &selection.items {
        match item {
            SelectionItem::Field(field) => {
                let definition = supergraph
                    .state()
                    .definitions
                    .get(parent)
                    .and_then(|d| d.fields().get(&field.name));
                let Some(definition) = definition else {
                    continue;
                };
                if let Some(arguments) = &field.arguments {
                    for (name, value) in arguments {
                        let required_text = matches!(
                            definition.argument_types.get(name),
                            Some(TypeNode::NonNull(inner))
                                if matches!(inner.as_ref(), TypeNode::Named(n) if n == "ID" || n == "String")
                        );
                        if !required_text {
                            continue;
                        }
                        let text = match value {
                            AstValue::String(s) => Some(s.as_str()),
                            AstValue::Variable(v) => variables.get(v).and_then(Value::as_str),
                            _ => None,
                        };
                        if text.is_some_and(|t| t.trim().is_empty()) {
                            problems.push(format!(
                                "argument `{name}` of `{parent}.{}` must not be empty or blank",
                                field.name
                            ));
                        }
                    }
                }
                let child = definition.field_type.inner_type().to_owned();
                blank_inputs(supergraph, &child, &field.selections, variables, problems);
            }
            SelectionItem::InlineFragment(fragment) => blank_inputs(
                supergraph,
                &fragment.type_condition,
                &fragment.selections,
                variables,
                problems,
            ),
            SelectionItem::FragmentSpread(_) => {}
        }
    }
}

fn measure(selection: &SelectionSet, depth: usize, size: &mut knot_plan::Size) {
    for item in &selection.items {
        match item {
            SelectionItem::Field(field) => {
                size.fields += 1;
                size.depth = size.depth.max(depth);
                if field.alias.is_some() {
                    size.aliases += 1;
                }
                measure(&field.selections, depth + 1, size);
            }
            SelectionItem::InlineFragment(fragment) => measure(&fragment.selections, depth, size),
            SelectionItem::FragmentSpread(_) => {}
        }
    }
}

fn detailed_error(error: &RunError) -> Value {
    serde_json::json!({
        "category": error.category.as_str(),
        "message": error.message,
        "path": error.path,
        "subgraph": error.subgraph,
        "extensions": error.extensions,
    })
}

/// Applies defaults and checks required variables are present.
fn coerce_variables(
    prepared: &Prepared,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, FederationError> {
    let mut out = given.clone();
    for definition in prepared.operation.variable_definitions.iter().flatten() {
        let present = out.get(&definition.name).is_some_and(|v| !v.is_null());
        if present {
            continue;
        }
        if let Some(default) = &definition.default_value {
            if !out.contains_key(&definition.name) {
                out.insert(definition.name.clone(), ast_to_json(default, &Map::new()));
                continue;
            }
        }
        if definition.variable_type.is_non_null() {
            return Err(FederationError::validation(format!(
                "variable `${}` of non-null type {} was not provided",
                definition.name, definition.variable_type
            )));
        }
    }
    Ok(out)
}

/// What one entity target sends and where the answers go.
struct TargetCall {
    response_key: String,
    variable: String,
    /// The objects (their list indices) with the index of their representation.
    objects: ObjectPaths,
    /// The representations as JSON, `[…]`, each written once: the request's variable is
    /// this text.
    representations_json: Vec<u8>,
    /// How many representations were sent.
    sent: usize,
    /// The flatten paths the objects were found at.
    walk_paths: Arc<Vec<Vec<SharedSegment>>>,
    output_rewrites: Vec<FetchRewrite>,
}

impl TargetCall {
    /// The whole response path of the `i`th object (for errors; `None` when it is gone).
    fn path_of(&self, data: &Node, object: ObjectAt<'_>) -> Option<Vec<Value>> {
        full_path(data, self.walk_paths.get(object.walk)?, object.indices)
    }
}

/// The distinct representations of one target, told apart by their JSON text: each is
/// written once at the end of one buffer and taken back when the same text is already there.
#[derive(Default)]
struct Representations {
    /// `[` and the distinct representations, comma-separated.
    json: Vec<u8>,
    /// Where each representation's text is in `json`.
    ranges: Vec<(u32, u32)>,
    /// Text hash -> the first representation with it; `chain[i]` the next one with the same
    /// hash (`u32::MAX`: none).
    first: rustc_hash::FxHashMap<u64, u32>,
    chain: Vec<u32>,
}

impl Representations {
    /// The representation of `object` for `target`, its index among the distinct ones;
    /// `None` when the object is not asked for.
    fn add(
        &mut self,
        object: &Node,
        target: &crate::steps::EntityTarget,
        supergraph: &Supergraph,
    ) -> Option<usize> {
        if self.json.is_empty() {
            self.json.push(b'[');
        }
        let mark = self.json.len();
        if !self.ranges.is_empty() {
            self.json.push(b',');
        }
        let start = self.json.len();
        let written = if target.input_rewrites.is_empty() {
            write_representation(object, &target.requires, supergraph, &mut self.json)
        } else {
            Err(NotWritten::RepeatedKey)
        };
        match written {
            Ok(()) => {
                // Every debug build (the tests) checks the text against the tree built and
                // serialised.
                #[cfg(debug_assertions)]
                {
                    let built = build_representation(object, &target.requires, supergraph);
                    let text = std::str::from_utf8(&self.json[start..]).ok();
                    debug_assert_eq!(
                        text.and_then(|t| serde_json::from_str::<Value>(t).ok()),
                        built.map(|b| b.to_value()),
                        "a representation written from the object"
                    );
                }
            }
            Err(NotWritten::NotAsked) => {
                self.json.truncate(mark);
                return None;
            }
            Err(NotWritten::RepeatedKey) => {
                let Some(mut rep) = build_representation(object, &target.requires, supergraph)
                else {
                    self.json.truncate(mark);
                    return None;
                };
                for rewrite in &target.input_rewrites {
                    apply_rewrite(&mut rep, rewrite, supergraph);
                }
                rep.write_json(&mut self.json);
            }
        }
        let end = self.json.len();
        let text = &self.json[start..end];
        let hash = {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(text)
        };
        let mut at = self.first.get(&hash).copied().unwrap_or(u32::MAX);
        while let Some(&(a, b)) = self.ranges.get(at as usize) {
            if self.json.get(a as usize..b as usize) == Some(text) {
                self.json.truncate(mark);
                return Some(at as usize);
            }
            at = self.chain.get(at as usize).copied().unwrap_or(u32::MAX);
        }
        let slot = self.ranges.len() as u32;
        self.ranges.push((start as u32, end as u32));
        self.chain
            .push(self.first.insert(hash, slot).unwrap_or(u32::MAX));
        Some(slot as usize)
    }

    /// `[…]` of every distinct representation.
    fn finish(&mut self) -> Vec<u8> {
        let mut json = std::mem::take(&mut self.json);
        json.push(b']');
        json
    }
}

/// Whether two index paths are equal (short: compared in a loop, not through `memcmp`).
fn same_indices(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Puts each target's representations (parsed from their text) into `variables`: for the
/// trace and the in-process subgraph, which read the request as JSON.
fn representations_into(variables: &mut Map<String, Value>, targets: &[TargetCall]) {
    for target in targets {
        let representations =
            serde_json::from_slice(&target.representations_json).unwrap_or(Value::Null);
        variables.insert(target.variable.clone(), representations);
    }
}

struct Run<'a> {
    gateway: &'a Gateway,
    headers: &'a [(String, String)],
    variables: &'a Map<String, Value>,
    data: Node,
    errors: Vec<RunError>,
    spans: Vec<FetchSpan>,
    started: Instant,
}

/// A run's steps as the one DAG driver sees them.
struct Driving<'r, 'a> {
    run: &'r mut Run<'a>,
    graph: &'r FetchGraph,
}

impl knot_execute::drive::Driven for Driving<'_, '_> {
    type Done = CallResult;
    type Call = futures::future::BoxFuture<'static, (usize, CallResult)>;

    fn start(&mut self, node: usize) -> Option<Self::Call> {
        let call = self.run.start(&self.graph.graph[NodeIndex::new(node)])?;
        Some(Box::pin(async move { (node, call.await) }))
    }

    fn finish(&mut self, node: usize, result: CallResult) -> usize {
        self.run
            .finish(&self.graph.graph[NodeIndex::new(node)], result);
        usize::from(self.run.spans.last().is_some_and(|s| s.category.is_some()))
    }

    fn elapsed_ms(&self) -> f64 {
        self.run.elapsed_ms()
    }
}

/// The subgraph request body as JSON: `body` as it is, except that each target's
/// representations variable is written from the text its representations were told apart
/// by (they are not serialised a second time).
fn request_body(body: &Node, targets: &[TargetCall]) -> Result<Vec<u8>, serde_json::Error> {
    let size: usize = targets.iter().map(|t| t.representations_json.len()).sum();
    let mut out = Vec::with_capacity(size + 1024);
    let Some(fields) = body.as_object() else {
        serde_json::to_writer(&mut out, body)?;
        return Ok(out);
    };
    out.push(b'{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key)?;
        out.push(b':');
        match (key, value.as_object()) {
            ("variables", Some(variables)) => {
                out.push(b'{');
                for (j, (name, value)) in variables.iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut out, name)?;
                    out.push(b':');
                    match targets.iter().find(|t| t.variable == name) {
                        Some(target) => out.extend_from_slice(&target.representations_json),
                        None => serde_json::to_writer(&mut out, value)?,
                    }
                }
                out.push(b'}');
            }
            _ => serde_json::to_writer(&mut out, value)?,
        }
    }
    out.push(b'}');
    Ok(out)
}

/// A finished subgraph call.
struct CallResult {
    targets: Vec<TargetCall>,
    start_ms: f64,
    outcome: Result<(u16, Node), (Category, String, Option<u16>)>,
    request: Option<Value>,
    /// For the workspace's own bindings: the downstream calls they made.
    bound_calls: Vec<knot_execute::Span>,
    /// What the connector recorded of the call, and the answer's size.
    sent: Option<knot_connect::RequestSummary>,
    bytes: usize,
    /// The answer of an identical request already in flight.
    shared: bool,
}

impl Run<'_> {
    fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Builds the call of `step` from the data so far; `None` when there is
    /// nothing to ask (no object at the path).
    fn start(
        &mut self,
        step: &FetchStep,
    ) -> Option<std::pin::Pin<Box<dyn std::future::Future<Output = CallResult> + Send + 'static>>>
    {
        let mut variables = Object::new();
        for name in &step.variable_usages {
            if let Some(value) = self.variables.get(name) {
                variables.insert(Str::new(name), Node::from(value));
            }
        }
        let mut targets = Vec::with_capacity(step.entities.len());
        for target in &step.entities {
            let supergraph = self.gateway.supergraph();
            let mut reps = Representations::default();
            let mut objects = ObjectPaths::default();
            let walk_paths = target.walk_paths.clone();
            for (walk, path) in walk_paths.iter().enumerate() {
                walk_objects_mut(
                    &mut self.data,
                    path,
                    &mut Vec::new(),
                    supergraph,
                    &mut |at, object| {
                        if let Some(slot) = reps.add(object, target, supergraph) {
                            objects.push(at, walk, slot);
                        }
                    },
                );
            }
            if !reps.ranges.is_empty() {
                targets.push(TargetCall {
                    response_key: target.response_key.clone(),
                    variable: target.representations_variable.clone(),
                    objects,
                    representations_json: reps.finish(),
                    sent: reps.ranges.len(),
                    walk_paths,
                    output_rewrites: target.output_rewrites.clone(),
                });
            }
        }
        if !step.entities.is_empty() && targets.is_empty() {
            return None;
        }
        // The representations are written into the request from their text (`request_body`);
        // the variables hold their place.
        for target in &targets {
            variables.insert(Str::new(&target.variable), Node::Null);
        }
        let mut body = Object::with_capacity(2);
        body.insert(Str::new("query"), Node::String(Str::new(&step.operation)));
        if !variables.is_empty() {
            body.insert(Str::new("variables"), Node::Object(variables));
        }
        let mut body = Node::Object(body);
        let request = self.gateway.options.detailed_trace.then(|| {
            let mut request = body.to_value();
            if let Some(Value::Object(vars)) = request.get_mut("variables") {
                representations_into(vars, &targets);
            }
            request
        });
        if let (Some(local), Some(selection), true) = (
            &self.gateway.local,
            &step.selection,
            step.subgraph == LOCAL_SUBGRAPH,
        ) {
            let local = local.clone();
            let selection = selection.clone();
            let start_ms = self.elapsed_ms();
            let variables = match body.as_object_mut().and_then(|b| b.remove("variables")) {
                Some(vars) => match vars.into_value() {
                    Value::Object(mut vars) => {
                        representations_into(&mut vars, &targets);
                        vars
                    }
                    _ => Map::new(),
                },
                None => Map::new(),
            };
            let headers = self.headers.to_vec();
            let run_started = self.started;
            return Some(Box::pin(async move {
                let (answer, bound_calls) = local
                    .resolve(&selection, &variables, &headers, run_started)
                    .await;
                CallResult {
                    targets,
                    start_ms,
                    outcome: Ok((200, Node::from(answer))),
                    request: None,
                    bound_calls,
                    sent: None,
                    bytes: 0,
                    shared: false,
                }
            }));
        }
        let payload = match request_body(&body, &targets) {
            Ok(bytes) => bytes,
            Err(err) => {
                let start_ms = self.elapsed_ms();
                return Some(Box::pin(async move {
                    CallResult {
                        targets,
                        start_ms,
                        outcome: Err((
                            Category::Dependency,
                            format!("cannot encode the request: {err}"),
                            None,
                        )),
                        request,
                        bound_calls: Vec::new(),
                        sent: None,
                        bytes: 0,
                        shared: false,
                    }
                }));
            }
        };
        let run_started = self.started;
        let connectors = self.gateway.connectors.clone();
        let subgraph = step.subgraph.clone();
        let headers = self.headers.to_vec();
        // Queries share an identical subgraph request in flight; mutations never do.
        let dedupe = knot_connect::graphql::document_is_query(&step.operation);
        Some(Box::pin(async move {
            // The subgraph's source waits for a slot of its concurrency limit; the span
            // starts when the call is sent.
            let exchange = connectors
                .post_graphql(&subgraph, payload, None, &headers, dedupe)
                .await;
            let start_ms = exchange
                .started
                .saturating_duration_since(run_started)
                .as_secs_f64()
                * 1000.0;
            let bytes = exchange.outcome.as_ref().map_or(0, |(_, b)| b.len());
            CallResult {
                targets,
                start_ms,
                outcome: read_answer(exchange.outcome),
                request,
                bound_calls: Vec::new(),
                sent: Some(exchange.request),
                bytes,
                shared: exchange.shared,
            }
        }))
    }

    fn finish(&mut self, step: &FetchStep, result: CallResult) {
        let end_ms = self.elapsed_ms();
        let objects = result.targets.iter().map(|t| t.objects.len()).sum();
        let representations = result.targets.iter().map(|t| t.sent).sum();
        let mut span = FetchSpan {
            step: step.id,
            subgraph: step.subgraph.clone(),
            label: step.label(),
            start_ms: result.start_ms,
            end_ms,
            objects,
            representations,
            status: None,
            category: None,
            error: None,
            request: result.request,
            response: None,
            bound_calls: result.bound_calls,
            sent: result.sent,
            bytes: result.bytes,
            shared: result.shared,
        };
        match result.outcome {
            Err((category, message, status)) => {
                span.status = status;
                span.category = Some(category);
                span.error = Some(message.clone());
                self.fail_step(step, &result.targets, category, &message);
            }
            Ok((status, mut response)) => {
                span.status = Some(status);
                if self.gateway.options.detailed_trace {
                    span.response = Some(response.to_value());
                }
                // Errors are few and small: read as JSON. Data stays a tree.
                let errors = match response.get_mut("errors").map(Node::take) {
                    Some(Node::Array(errors)) => errors.into_iter().map(Node::into_value).collect(),
                    _ => Vec::new(),
                };
                let data = response
                    .get_mut("data")
                    .map(Node::take)
                    .unwrap_or(Node::Null);
                if !errors.is_empty() {
                    span.category = Some(Category::Dependency);
                    span.error = errors
                        .first()
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                self.merge_answer(step, &result.targets, data, errors, &mut span);
            }
        }
        self.spans.push(span);
    }

    /// The whole call failed: one error per target path (or at the root).
    fn fail_step(
        &mut self,
        step: &FetchStep,
        targets: &[TargetCall],
        category: Category,
        message: &str,
    ) {
        if targets.is_empty() {
            let paths: Vec<Option<Vec<Value>>> = if step.root_keys.is_empty() {
                vec![None]
            } else {
                step.root_keys
                    .iter()
                    .map(|k| Some(vec![Value::String(k.clone())]))
                    .collect()
            };
            for path in paths {
                self.errors.push(RunError {
                    category,
                    message: message.to_owned(),
                    path,
                    extensions: None,
                    subgraph: Some(step.subgraph.clone()),
                });
            }
            return;
        }
        for target in targets {
            for object in target.objects.iter() {
                let path = target.path_of(&self.data, object);
                self.errors.push(RunError {
                    category,
                    message: message.to_owned(),
                    path,
                    extensions: None,
                    subgraph: Some(step.subgraph.clone()),
                });
            }
        }
    }

    fn merge_answer(
        &mut self,
        step: &FetchStep,
        targets: &[TargetCall],
        data: Node,
        errors: Vec<Value>,
        span: &mut FetchSpan,
    ) {
        if targets.is_empty() {
            let mut data = data;
            for rewrite in &step.root_output_rewrites {
                apply_rewrite(&mut data, rewrite, self.gateway.supergraph());
            }
            if data.is_object() {
                deep_merge(&mut self.data, data);
            }
            for error in errors {
                let path = error.get("path").and_then(Value::as_array).cloned();
                self.push_subgraph_error(step, &error, path);
            }
            return;
        }
        let mut data = data;
        for target in targets {
            let entities = match data.get_mut(&target.response_key).map(Node::take) {
                Some(Node::Array(list)) => Some(list),
                _ => None,
            };
            match entities {
                Some(mut list) if list.len() == target.sent => {
                    for entity in list.iter_mut() {
                        for rewrite in &target.output_rewrites {
                            apply_rewrite(entity, rewrite, self.gateway.supergraph());
                        }
                    }
                    // Each entity is cloned for all but the last object that asked for
                    // it, and moved into that one.
                    let mut uses = vec![0usize; list.len()];
                    for object in target.objects.iter() {
                        if let Some(n) = uses.get_mut(object.slot) {
                            *n += 1;
                        }
                    }
                    // Walk the same paths again, in the same order: the objects recorded
                    // when the call started come up in that order (merges only add data).
                    let mut cursor = 0usize;
                    let objects = &target.objects;
                    for (walk, path) in target.walk_paths.iter().enumerate() {
                        let supergraph = self.gateway.supergraph();
                        walk_objects_mut(
                            &mut self.data,
                            path,
                            &mut Vec::new(),
                            supergraph,
                            &mut |at, object| {
                                let Some(recorded) = objects.get(cursor) else {
                                    return;
                                };
                                if recorded.walk != walk || !same_indices(recorded.indices, at) {
                                    return;
                                }
                                cursor += 1;
                                let slot = recorded.slot;
                                // The entity of the next object is loaded meanwhile.
                                if let Some(next) =
                                    objects.get(cursor).and_then(|next| list.get(next.slot))
                                {
                                    next.prefetch_all();
                                }
                                let (Some(entity), Some(left)) =
                                    (list.get_mut(slot), uses.get_mut(slot))
                                else {
                                    return;
                                };
                                *left -= 1;
                                if entity.is_null() {
                                    return;
                                }
                                if *left == 0 {
                                    deep_merge(object, entity.take());
                                } else {
                                    deep_merge_from(object, entity);
                                }
                            },
                        );
                    }
                }
                Some(list) => {
                    let message = format!(
                        "`{}` returned {} entities for {} representations",
                        target.response_key,
                        list.len(),
                        target.sent
                    );
                    span.category = Some(Category::Dependency);
                    span.error = Some(message.clone());
                    self.fail_target(step, target, Category::Dependency, &message);
                }
                None if errors.is_empty() => {
                    let message = format!("the answer has no `{}` list", target.response_key);
                    span.category = Some(Category::Dependency);
                    span.error = Some(message.clone());
                    self.fail_target(step, target, Category::Dependency, &message);
                }
                None => {}
            }
        }
        for error in errors {
            let path = error.get("path").and_then(Value::as_array);
            // `_entities.3.rest` -> every object that sent representation 3, then `rest`.
            let mapped = path.and_then(|path| {
                let key = path.first()?.as_str()?;
                let target = targets.iter().find(|t| t.response_key == key)?;
                let at = path.get(1)?.as_u64()? as usize;
                let rest = path.get(2..).unwrap_or(&[]).to_vec();
                Some(
                    target
                        .objects
                        .iter()
                        .filter(|object| object.slot == at)
                        .filter_map(|object| {
                            let mut full = target.path_of(&self.data, object)?;
                            full.extend(rest.iter().cloned());
                            Some(full)
                        })
                        .collect::<Vec<_>>(),
                )
            });
            match mapped {
                Some(paths) if !paths.is_empty() => {
                    for path in paths {
                        self.push_subgraph_error(step, &error, Some(path));
                    }
                }
                _ => {
                    // No usable path: the error belongs to every object of the call.
                    let first = targets.iter().find_map(|t| {
                        t.objects
                            .get(0)
                            .and_then(|object| t.path_of(&self.data, object))
                    });
                    self.push_subgraph_error(step, &error, first);
                }
            }
        }
    }

    fn fail_target(
        &mut self,
        step: &FetchStep,
        target: &TargetCall,
        category: Category,
        message: &str,
    ) {
        for object in target.objects.iter() {
            let path = target.path_of(&self.data, object);
            self.errors.push(RunError {
                category,
                message: message.to_owned(),
                path,
                extensions: None,
                subgraph: Some(step.subgraph.clone()),
            });
        }
    }

    fn push_subgraph_error(&mut self, step: &FetchStep, error: &Value, path: Option<Vec<Value>>) {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the subgraph returned an error without a message")
            .to_owned();
        let extensions = error.get("extensions").and_then(Value::as_object).cloned();
        let category = knot_connect::graphql::error_category(error);
        self.errors.push(RunError {
            category,
            message,
            path,
            extensions,
            subgraph: Some(step.subgraph.clone()),
        });
    }
}

/// A subgraph's raw answer read as a GraphQL response (parsed with sonic-rs).
fn read_answer(
    outcome: Result<(u16, bytes::Bytes), knot_connect::CallError>,
) -> Result<(u16, Node), (Category, String, Option<u16>)> {
    let (status, bytes) = outcome.map_err(|e| (e.category(), e.to_string(), None))?;
    match sonic_rs::from_slice::<Node>(&bytes) {
        Ok(value) if value.get("data").is_some() || value.get("errors").is_some() => {
            Ok((status, value))
        }
        Ok(_) | Err(_) if !(200..300).contains(&status) => Err((
            knot_connect::call::http_category(status),
            format!("status {status}"),
            Some(status),
        )),
        Ok(_) => Err((
            Category::Dependency,
            "the answer is not a GraphQL response (no `data` or `errors`)".into(),
            Some(status),
        )),
        Err(err) => Err((
            Category::Dependency,
            format!("malformed answer: {err}"),
            Some(status),
        )),
    }
}

/// Asks a subgraph for its SDL (`{ _service { sdl } }`).
pub async fn fetch_subgraph_sdl(url: &str, timeout: Duration) -> Result<String, String> {
    let client = knot_connect::http_client_builder()
        .build()
        .map_err(|err| format!("cannot make an HTTP client: {err}"))?;
    let response = client
        .post(url)
        .timeout(timeout)
        .header("accept", "application/json")
        .json(&serde_json::json!({"query": "{ _service { sdl } }"}))
        .send()
        .await
        .map_err(|err| format!("cannot reach {url}: {err}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|err| format!("{url} answered status {status} without JSON: {err}"))?;
    body.pointer("/data/_service/sdl")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            format!(
                "{url} has no `_service {{ sdl }}` (status {status}): is it a Federation subgraph?"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet_gateway(mode: SubgraphErrors) -> Gateway {
        let supergraph = crate::fleet_supergraph();
        let options = GatewayOptions {
            subgraph_errors: mode,
            ..GatewayOptions::default()
        };
        Gateway::new(Arc::new(supergraph), options).expect("gateway")
    }

    #[test]
    fn a_projection_error_quoting_a_downstream_value_is_masked_in_public() {
        let error = RunError {
            category: Category::Dependency,
            message: "Device.kind: `internal-secret-7` is not a value of enum Kind".into(),
            path: Some(vec![Value::from("device"), Value::from("kind")]),
            extensions: None,
            subgraph: None,
        };
        let public = fleet_gateway(SubgraphErrors::Mask).public_error(&error);
        assert_eq!(public["message"], "A dependency failed.");
        assert_eq!(public["extensions"]["category"], "DEPENDENCY");
        assert!(!public.to_string().contains("internal-secret-7"));
        // Forwarding is the operator's explicit choice.
        let forwarded = fleet_gateway(SubgraphErrors::Forward).public_error(&error);
        assert!(forwarded["message"]
            .as_str()
            .is_some_and(|m| m.contains("internal-secret-7")));
    }
}
