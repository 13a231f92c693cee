//! The plan: a petgraph DAG of fetch nodes plus the projection tree that shapes the answer.

use knot_model::{MatchBy, TypeRef};
use petgraph::graph::{DiGraph, NodeIndex};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a fetch node calls. Every workspace, with or without federation subgraphs, is
/// drawn, run and traced as the same kind of graph; the kind says which call a node is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NodeKind {
    /// A field bound to an operation of a REST, gRPC or GraphQL source.
    #[default]
    Bound,
    /// A root fetch of a Federation subgraph (its `Query`/`Mutation` fields).
    SubgraphRoot,
    /// A Federation `_entities` fetch extending objects already fetched.
    Entity,
}

/// How a fetch node calls its operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FetchMode {
    /// One call per distinct key (or per distinct arguments), all in parallel, bounded by
    /// the source's concurrency limit.
    Single,
    /// One call carrying every distinct key at this path (split by `maxBatchSize`).
    Batch,
}

/// Where an operation input's value comes from, resolved at plan time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum InputSource {
    /// A path in each parent object's raw data.
    Parent(Vec<String>),
    /// A value known before the run (field arguments, literals).
    Value(Value),
    /// An environment variable, read when the call is built.
    Env(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeySpec {
    /// Path of the key in each parent object's raw data.
    pub parent: Vec<String>,
    /// The operation input receiving the key (or the list of keys).
    pub input: String,
}

/// One fetch: an operation called for every parent object at one path at once.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FetchNode {
    pub id: usize,
    pub kind: NodeKind,
    /// `Type.field`, for people.
    pub label: String,
    /// The response path of the field (`getOrderDetails.products`); lists are implied.
    pub path: Vec<String>,
    pub parent_type: String,
    pub field: String,
    pub source: String,
    /// `rest`, `grpc` or `graphql` (a Federation subgraph is a `graphql` source).
    pub source_kind: String,
    pub operation: String,
    pub mode: FetchMode,
    /// Raw keys from the root data object down to this node's parent objects.
    pub parent_locator: Vec<String>,
    /// The key under which results are stored in each parent object's raw data.
    pub storage_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeySpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<(String, InputSource)>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "match")]
    pub match_by: Option<MatchBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<usize>,
    /// Path of the value (for a batch: the result list) inside the response.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_path: Vec<String>,
    /// For a GraphQL source: the selection sent downstream (only what is needed); for a
    /// Federation fetch: the whole operation sent to the subgraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
    /// Fetched only because another fetch needs its value as a key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// Under a field of an interface or union type: which of the objects found along the
    /// locator are parents of this fetch (the objects of the concrete type that has it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<TypeFilter>,
    /// A timeout of this fetch's own (a target of an aggregated write), instead of its
    /// source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Send the request's idempotency key (the client's `Idempotency-Key`, else one fresh
    /// UUID per request) as an `Idempotency-Key` header.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotency_key: bool,
}

/// One target of an aggregated write, as projection reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateSlot {
    /// The public label.
    pub label: String,
    /// Where the target's answer (or failure marker) is stored in the root object.
    pub storage_key: String,
    pub node: usize,
    /// A failure of this target fails the field.
    pub required: bool,
}

/// Of the objects reached after `at` keys of a node's parent locator (the values of an
/// abstract-typed field), only those whose raw value at `path` is one of `values` (their
/// discriminator, or `__typename`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypeFilter {
    pub at: usize,
    pub path: Vec<String>,
    pub values: Vec<String>,
}

impl TypeFilter {
    /// Whether the raw object `obj` passes this filter.
    pub fn admits(&self, obj: &Value) -> bool {
        let v = self
            .path
            .iter()
            .try_fold(obj, |cur, k| cur.as_object()?.get(k));
        let Some(text) = v.and_then(knot_model::scalar_text) else {
            return false;
        };
        self.values.iter().any(|v| *v == text)
    }
}

impl FetchNode {
    /// The first line of a drawn node: its response path, or its label at the root.
    fn title(&self) -> String {
        if self.path.is_empty() {
            self.label.clone()
        } else {
            self.path.join(".")
        }
    }

    /// How the node calls, in words: `batch`, `per key`, `root fetch`, `_entities batch`.
    fn how(&self) -> &'static str {
        match (self.kind, self.mode) {
            (NodeKind::SubgraphRoot, _) => "root fetch",
            (NodeKind::Entity, _) => "_entities batch",
            (NodeKind::Bound, FetchMode::Batch) => "batch",
            (NodeKind::Bound, FetchMode::Single) => "per key",
        }
    }
}

/// Why one fetch waits for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dependency {
    /// The fetch runs over the objects the other one produced.
    Parent,
    /// The fetch reads a value (a key) the other one produced on the same objects.
    Requires,
    /// A top-level mutation field starts after the one before it in the document has
    /// finished, nested fetches included (GraphQL runs mutation fields serially).
    Sequence,
}

/// How a response field gets its value during projection.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectionKind {
    Typename,
    /// A plain property: its raw path in the parent object.
    Plain(Vec<String>),
    /// A bound field: the storage key its fetch node writes in the parent object.
    Bound {
        storage_key: String,
        node: usize,
    },
    /// A value the gateway answered itself (introspection): copied from this key as it is.
    Verbatim(String),
    /// An aggregated write: the outcome of every target, assembled when projecting.
    Aggregate(Vec<AggregateSlot>),
}

/// The projection tree: exactly the fields asked, in order, with their types. One tree for
/// every kind of plan: the orchestration planner builds it from the workspace, the
/// federation front end from the query planner's normalized operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub response_key: String,
    pub field: String,
    pub ty: TypeRef,
    pub kind: SelectionKind,
    pub children: Vec<Selection>,
    /// Type conditions of the fragments around this selection: it applies only to objects
    /// whose concrete type matches every one (empty: always).
    pub on: Vec<String>,
    /// `@skip(if: $v)` variables still to decide when projecting (the orchestration planner
    /// decides `@skip`/`@include` itself, so its selections leave both empty).
    pub skip_if: Vec<String>,
    /// `@include(if: $v)` variables still to decide when projecting.
    pub include_if: Vec<String>,
}

impl Selection {
    /// A selection without conditions.
    pub fn new(
        response_key: impl Into<String>,
        field: impl Into<String>,
        ty: TypeRef,
        kind: SelectionKind,
        children: Vec<Selection>,
    ) -> Selection {
        Selection {
            response_key: response_key.into(),
            field: field.into(),
            ty,
            kind,
            children,
            on: Vec::new(),
            skip_if: Vec::new(),
            include_if: Vec::new(),
        }
    }
}

/// The JSON form of a plan, the same for every kind of workspace: what `knot plan`
/// prints, what a trace carries and what the app draws.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanDoc {
    pub operation_name: Option<String>,
    pub nodes: Vec<FetchNode>,
    pub edges: Vec<PlanEdge>,
    /// Node ids by stage: the nodes of one stage can run at the same time.
    pub stages: Vec<Vec<usize>>,
}

/// "`to` waits for `from`".
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanEdge {
    pub from: usize,
    pub to: usize,
    pub kind: Dependency,
}

/// Marks every property of an object schema as required: for types whose optional fields
/// are written as null rather than left out.
pub fn require_every_property(object: &mut Map<String, Value>) {
    let names: Vec<Value> = object
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().map(Value::String).collect())
        .unwrap_or_default();
    object.insert("required".into(), Value::Array(names));
}

/// The JSON Schema of [`PlanDoc`] (committed as `schema/knot-plan.schema.json`).
pub fn plan_json_schema() -> Value {
    let schema = schemars::schema_for!(PlanDoc);
    let mut value = serde_json::to_value(&schema).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut value {
        require_every_property(object);
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), "https://knot.dev/schema/plan.json".into());
        obj.insert("title".into(), "Knot plan (fan-out graph)".into());
    }
    value
}

/// A plan: the DAG the executor runs, and the shape of the answer.
#[derive(Clone, Debug)]
pub struct Plan {
    pub operation_name: Option<String>,
    /// The root type the operation selects on (`Query` or `Mutation`).
    pub root_type: String,
    pub graph: DiGraph<FetchNode, Dependency>,
    pub selections: Vec<Selection>,
    /// The coerced variables.
    pub variables: Map<String, Value>,
}

impl Plan {
    pub fn node(&self, id: usize) -> &FetchNode {
        &self.graph[NodeIndex::new(id)]
    }

    /// The nodes each node waits for.
    pub fn dependencies(&self, id: usize) -> Vec<usize> {
        self.graph
            .neighbors_directed(NodeIndex::new(id), petgraph::Direction::Incoming)
            .map(|n| n.index())
            .collect()
    }

    /// The plan as its JSON document (`schema/knot-plan.schema.json`).
    pub fn to_doc(&self) -> PlanDoc {
        PlanDoc {
            operation_name: self.operation_name.clone(),
            nodes: self.graph.node_weights().cloned().collect(),
            edges: self
                .graph
                .edge_indices()
                .filter_map(|e| {
                    let (a, b) = self.graph.edge_endpoints(e)?;
                    Some(PlanEdge {
                        from: a.index(),
                        to: b.index(),
                        kind: self.graph[e],
                    })
                })
                .collect(),
            stages: self.stages(),
        }
    }

    /// The plan as JSON: `{operationName, nodes: [...], edges: [{from, to, kind}], stages: [[ids]]}`.
    /// `stages` groups nodes that can run at the same time (by longest path from a root).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_doc()).unwrap_or(Value::Null)
    }

    /// Nodes grouped by depth: stage k holds nodes whose longest dependency chain has k
    /// links. Nodes of one stage never depend on each other.
    pub fn stages(&self) -> Vec<Vec<usize>> {
        let order = petgraph::algo::toposort(&self.graph, None).unwrap_or_default();
        let mut depth = vec![0usize; self.graph.node_count()];
        for n in &order {
            let d = self
                .graph
                .neighbors_directed(*n, petgraph::Direction::Incoming)
                .map(|p| depth[p.index()] + 1)
                .max()
                .unwrap_or(0);
            depth[n.index()] = d;
        }
        let max = depth.iter().copied().max().map(|m| m + 1).unwrap_or(0);
        let mut stages = vec![Vec::new(); max];
        for (i, d) in depth.iter().enumerate() {
            stages[*d].push(i);
        }
        stages
    }

    /// Graphviz DOT: one box per fetch, grouped by stage, coloured by source.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph plan {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
        let sources: Vec<&str> = {
            let mut s: Vec<&str> = self
                .graph
                .node_weights()
                .map(|n| n.source.as_str())
                .collect();
            s.dedup();
            s
        };
        const PALETTE: [&str; 8] = [
            "#cfe8ff", "#d7f5d0", "#ffe3c2", "#f3d4ff", "#fff3b0", "#ffd0d0", "#d0fff7", "#e0e0e0",
        ];
        for n in self.graph.node_weights() {
            let colour = sources
                .iter()
                .position(|s| *s == n.source)
                .map(|i| PALETTE[i % PALETTE.len()])
                .unwrap_or("#ffffff");
            out.push_str(&format!(
                "  n{} [label=\"{}\\n{} {}.{}\\n{}\", fillcolor=\"{}\"{}];\n",
                n.id,
                dot_escape(&n.title()),
                n.source_kind,
                dot_escape(&n.source),
                dot_escape(&n.operation),
                n.how(),
                colour,
                if n.hidden {
                    ", style=\"rounded,dashed\""
                } else {
                    ""
                }
            ));
        }
        for e in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(e) {
                let style = match self.graph[e] {
                    Dependency::Parent => "",
                    Dependency::Requires => " [style=dashed, label=\"key\"]",
                    Dependency::Sequence => " [style=bold, label=\"then\"]",
                };
                out.push_str(&format!("  n{} -> n{}{};\n", a.index(), b.index(), style));
            }
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart text of the same graph.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for n in self.graph.node_weights() {
            out.push_str(&format!(
                "  n{}[\"{}<br/>{} {}.{}<br/>{}\"]\n",
                n.id,
                mermaid_escape(&n.title()),
                n.source_kind,
                mermaid_escape(&n.source),
                mermaid_escape(&n.operation),
                n.how()
            ));
        }
        for e in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(e) {
                let arrow = match self.graph[e] {
                    Dependency::Parent => "-->",
                    Dependency::Requires => "-.->|key|",
                    Dependency::Sequence => "==>|then|",
                };
                out.push_str(&format!("  n{} {} n{}\n", a.index(), arrow, b.index()));
            }
        }
        out
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}
