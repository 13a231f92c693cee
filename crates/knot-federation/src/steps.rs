//! The federation query plan (a tree of Sequence / Parallel / Flatten / Condition
//! nodes around Fetch nodes) turned into the fan-out graph Knot runs and draws: a
//! petgraph DAG whose nodes are fetches and whose edges say "waits for".
//!
//! Sequence becomes edges from every fetch that ends one step to every fetch
//! that starts the next; Parallel adds no edges; Flatten gives a fetch the
//! response path of the objects it extends; Condition is decided here from the
//! request's variables, so the graph holds exactly the fetches that will run.

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::{FieldSelection, SelectionSet};
use hive_router_query_planner::planner::plan_nodes::{
    FetchNode, FetchRewrite, FlattenNodePath, FlattenNodePathSegment, PlanNode, QueryPlan,
};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::FederationError;

/// One subgraph call of a run.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchStep {
    pub id: usize,
    pub subgraph: String,
    /// The operation sent to the subgraph.
    pub operation: String,
    /// The request variables this operation uses.
    pub variable_usages: Vec<String>,
    /// Empty for a root fetch; otherwise the `_entities` targets it resolves.
    pub entities: Vec<EntityTarget>,
    /// For a root fetch: the response keys of the root fields it answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub root_keys: Vec<String>,
    /// For a root fetch: renames of internal aliases in its answer.
    #[serde(skip)]
    pub root_output_rewrites: Vec<FetchRewrite>,
    /// The operation's selection, for subgraphs answered in process.
    #[serde(skip)]
    pub selection: Option<std::sync::Arc<SelectionSet>>,
}

impl FetchStep {
    /// `_entities` for an entity fetch, else the root fields it answers (`device, fleet`).
    pub fn operation_name(&self) -> String {
        if self.entities.is_empty() {
            self.root_keys.join(", ")
        } else {
            "_entities".to_string()
        }
    }

    /// The type(s) an entity fetch extends (`Camera`), from its `requires` selection;
    /// `Query` for a root fetch.
    fn parent_type(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for target in &self.entities {
            for item in &target.requires.items {
                if let SelectionItem::InlineFragment(fragment) = item {
                    if !names.contains(&fragment.type_condition) {
                        names.push(fragment.type_condition.clone());
                    }
                }
            }
        }
        if self.entities.is_empty() {
            "Query".into()
        } else if names.is_empty() {
            "_Entity".into()
        } else {
            names.join(" | ")
        }
    }

    /// The response keys an entity fetch writes into its objects (aliases included).
    fn output_keys<'g>(&'g self) -> Vec<&'g str> {
        let mut out = Vec::new();
        let Some(selection) = &self.selection else {
            return out;
        };
        let key = |field: &'g FieldSelection| field.alias.as_deref().unwrap_or(&field.name);
        for item in &selection.items {
            let SelectionItem::Field(entities) = item else {
                continue;
            };
            for item in &entities.selections.items {
                match item {
                    SelectionItem::Field(field) => out.push(key(field)),
                    SelectionItem::InlineFragment(fragment) => {
                        for field in &fragment.selections.items {
                            if let SelectionItem::Field(field) = field {
                                out.push(key(field));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The `(type, field)` pairs an entity fetch asks for (`Device.maintenance`), from the
    /// operation it sends; empty for a root fetch.
    pub fn entity_fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Some(selection) = &self.selection else {
            return out;
        };
        for item in &selection.items {
            let SelectionItem::Field(entities) = item else {
                continue;
            };
            for fragment in &entities.selections.items {
                let SelectionItem::InlineFragment(fragment) = fragment else {
                    continue;
                };
                for field in &fragment.selections.items {
                    if let SelectionItem::Field(field) = field {
                        if field.name != "__typename" {
                            out.push((fragment.type_condition.clone(), field.name.clone()));
                        }
                    }
                }
            }
        }
        out
    }

    /// This step as a node of Knot's plan.
    pub fn to_node(&self) -> knot_plan::FetchNode {
        let entity = !self.entities.is_empty();
        let path = self.path();
        knot_plan::FetchNode {
            id: self.id,
            kind: if entity {
                knot_plan::NodeKind::Entity
            } else {
                knot_plan::NodeKind::SubgraphRoot
            },
            label: self.label(),
            parent_type: self.parent_type(),
            field: self.operation_name(),
            source: self.subgraph.clone(),
            source_kind: "graphql".into(),
            operation: self.operation_name(),
            mode: if entity {
                knot_plan::FetchMode::Batch
            } else {
                knot_plan::FetchMode::Single
            },
            parent_locator: path.clone(),
            path,
            storage_key: String::new(),
            key: None,
            inputs: Vec::new(),
            match_by: entity.then_some(knot_model::MatchBy::Order),
            max_batch_size: None,
            result_path: Vec::new(),
            selection: Some(self.operation.clone()),
            hidden: false,
            only: Vec::new(),
            timeout_ms: None,
            idempotency_key: false,
        }
    }

    /// `device`, or `safety _entities @ device.camera` for people.
    pub fn label(&self) -> String {
        match self.entities.first() {
            None => format!("{} (root)", self.subgraph),
            Some(target) => format!("{} _entities @ {}", self.subgraph, target.path_display),
        }
    }

    /// The response path of the objects this fetch writes into (`device.camera`;
    /// empty for a root fetch).
    pub fn path(&self) -> Vec<String> {
        match self.entities.first() {
            None => Vec::new(),
            Some(target) => target
                .paths
                .first()
                .into_iter()
                .flatten()
                .filter_map(|segment| segment.to_field().cloned())
                .collect(),
        }
    }
}

/// The objects at one response path that an `_entities` call extends.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityTarget {
    /// Response key of the `_entities` field (an alias in batched fetches).
    pub response_key: String,
    pub representations_variable: String,
    /// The flatten paths of the objects; a batched fetch gathers several.
    #[serde(skip)]
    pub paths: Vec<Vec<FlattenNodePathSegment>>,
    /// The same paths prepared for walking the response tree (built with the graph).
    #[serde(skip)]
    pub(crate) walk_paths: std::sync::Arc<Vec<Vec<crate::tree::SharedSegment>>>,
    pub path_display: String,
    #[serde(skip)]
    pub requires: SelectionSet,
    #[serde(skip)]
    pub input_rewrites: Vec<FetchRewrite>,
    #[serde(skip)]
    pub output_rewrites: Vec<FetchRewrite>,
}

/// The fan-out graph of one request.
#[derive(Clone, Debug, Default)]
pub struct FetchGraph {
    pub graph: DiGraph<FetchStep, ()>,
    /// The graph lowered into Knot's plan JSON, made once by whoever traces it (a graph
    /// without conditions is cached per operation, so repeated requests reuse it).
    pub plan_json: std::sync::OnceLock<std::sync::Arc<Value>>,
    /// The root type the operation selects on (`Query`, `Mutation`).
    pub root_type: String,
}

impl FetchGraph {
    /// The graph as Knot's one plan type: the nodes, edges, stages and renderings every
    /// workspace shows (`kind` tells a subgraph root fetch from an `_entities` fetch).
    /// Node ids and edges are this graph's, so the executor's steps are the plan's nodes.
    pub fn to_plan(&self, operation_name: Option<String>) -> knot_plan::Plan {
        let mut graph = DiGraph::new();
        for step in self.graph.node_weights() {
            graph.add_node(step.to_node());
        }
        for edge in self.graph.edge_indices() {
            if let Some((from, to)) = self.graph.edge_endpoints(edge) {
                graph.add_edge(from, to, knot_plan::Dependency::Parent);
            }
        }
        knot_plan::Plan {
            root_type: self.root_type.clone(),
            operation_name,
            graph,
            selections: Vec::new(),
            variables: Map::new(),
        }
    }

    /// Builds the graph of `plan`, deciding its conditions from `variables`.
    pub fn build(
        plan: &QueryPlan,
        root_type: &str,
        variables: &Map<String, Value>,
    ) -> Result<Self, FederationError> {
        let mut out = FetchGraph {
            root_type: root_type.to_owned(),
            ..FetchGraph::default()
        };
        if let Some(node) = &plan.node {
            out.add(node, None, &[], variables)?;
        }
        out.keep_data_dependencies();
        Ok(out)
    }

    /// The planner's Sequence says "after everything before", which makes a fetch wait for
    /// siblings whose data it never reads (in the fleet, the camera location's `_entities`
    /// call waited for the maintenance call beside the camera call). Each fetch keeps, among
    /// everything it waited for, only the fetches that can write what it reads: a root
    /// fetch (it makes the objects; and root fetches keep their order, as mutations need),
    /// a fetch into its own objects or deeper (a `@requires` may read nested fields), or a
    /// fetch one level up that writes the field its path goes through. Fetches whose answers
    /// are renamed on the way in are kept as dependencies (their written keys are not plain).
    /// Then edges implied by others are removed, so the graph draws what really waits.
    fn keep_data_dependencies(&mut self) {
        let n = self.graph.node_count();
        // Node indices are topological (a fetch is added after what it follows), so the
        // rows of earlier fetches are complete when a later one reads them.
        let mut before: Vec<Vec<bool>> = Vec::with_capacity(n);
        for b in 0..n {
            let mut row = vec![false; n];
            for p in self
                .graph
                .neighbors_directed(NodeIndex::new(b), petgraph::Direction::Incoming)
            {
                row[p.index()] = true;
                for (r, &x) in row.iter_mut().zip(&before[p.index()]) {
                    *r |= x;
                }
            }
            before.push(row);
        }
        let facts: Vec<DataFacts<'_>> = self.graph.node_weights().map(DataFacts::new).collect();
        let needs: Vec<Vec<usize>> = before
            .iter()
            .enumerate()
            .map(|(b, row)| {
                row.iter()
                    .enumerate()
                    .filter(|&(a, &earlier)| earlier && writes_what_is_read(&facts[a], &facts[b]))
                    .map(|(a, _)| a)
                    .collect()
            })
            .collect();
        // What each fetch waits for, directly or not, under the kept dependencies.
        let mut waits: Vec<Vec<bool>> = Vec::with_capacity(n);
        for deps in &needs {
            let mut row = vec![false; n];
            for &a in deps {
                row[a] = true;
                for (r, &x) in row.iter_mut().zip(&waits[a]) {
                    *r |= x;
                }
            }
            waits.push(row);
        }
        self.graph.clear_edges();
        for (b, deps) in needs.iter().enumerate() {
            for &a in deps {
                // Implied when another kept dependency of b already waits for a.
                if !deps.iter().any(|&c| c != a && waits[c][a]) {
                    self.graph
                        .add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
                }
            }
        }
    }

    /// The steps each step waits for.
    pub fn dependencies(&self, id: usize) -> Vec<usize> {
        let mut deps: Vec<usize> = self
            .graph
            .neighbors_directed(NodeIndex::new(id), petgraph::Direction::Incoming)
            .map(|n| n.index())
            .collect();
        deps.sort_unstable();
        deps
    }

    /// Steps grouped by their longest distance from a root: each group can run at once.
    pub fn stages(&self) -> Vec<Vec<usize>> {
        let mut depth = vec![0usize; self.graph.node_count()];
        // Nodes are added after their dependencies, so index order is topological.
        for index in self.graph.node_indices() {
            let d = self
                .graph
                .neighbors_directed(index, petgraph::Direction::Incoming)
                .map(|p| depth[p.index()] + 1)
                .max()
                .unwrap_or(0);
            depth[index.index()] = d;
        }
        let mut stages: Vec<Vec<usize>> = Vec::new();
        for (id, d) in depth.into_iter().enumerate() {
            if stages.len() <= d {
                stages.resize_with(d + 1, Vec::new);
            }
            stages[d].push(id);
        }
        stages
    }

    /// Adds `node` after `before`; returns the steps that finish it.
    fn add(
        &mut self,
        node: &PlanNode,
        path: Option<&FlattenNodePath>,
        before: &[NodeIndex],
        variables: &Map<String, Value>,
    ) -> Result<Vec<NodeIndex>, FederationError> {
        match node {
            PlanNode::Fetch(fetch) => Ok(vec![self.add_fetch(fetch, path, before)]),
            PlanNode::BatchFetch(batch) => {
                let entities = batch
                    .entity_batch
                    .aliases
                    .iter()
                    .map(|alias| EntityTarget {
                        response_key: alias.alias.clone(),
                        representations_variable: alias.representations_variable_name.clone(),
                        walk_paths: walk_paths(alias.merge_paths.iter().map(|p| p.as_slice())),
                        paths: alias
                            .merge_paths
                            .iter()
                            .map(|path| path.as_slice().to_vec())
                            .collect(),
                        path_display: alias
                            .merge_paths
                            .iter()
                            .map(|path| path.to_string())
                            .collect::<Vec<_>>()
                            .join(" + "),
                        requires: alias.requires.clone(),
                        input_rewrites: alias.input_rewrites.clone().unwrap_or_default(),
                        output_rewrites: alias.output_rewrites.clone().unwrap_or_default(),
                    })
                    .collect();
                let step = FetchStep {
                    id: self.graph.node_count(),
                    subgraph: batch.service_name.clone(),
                    operation: batch.operation.document_str.clone(),
                    variable_usages: batch.variable_usages.iter().flatten().cloned().collect(),
                    entities,
                    root_keys: Vec::new(),
                    root_output_rewrites: Vec::new(),
                    selection: Some(std::sync::Arc::new(
                        batch.operation.document.operation.selection_set.clone(),
                    )),
                };
                Ok(vec![self.push(step, before)])
            }
            PlanNode::Flatten(flatten) => {
                self.add(&flatten.node, Some(&flatten.path), before, variables)
            }
            PlanNode::Sequence(sequence) => {
                let mut current = before.to_vec();
                for child in &sequence.nodes {
                    current = self.add(child, path, &current, variables)?;
                }
                Ok(current)
            }
            PlanNode::Parallel(parallel) => {
                let mut ends = Vec::new();
                for child in &parallel.nodes {
                    for end in self.add(child, path, before, variables)? {
                        if !ends.contains(&end) {
                            ends.push(end);
                        }
                    }
                }
                Ok(ends)
            }
            PlanNode::Condition(condition) => {
                let on = matches!(variables.get(&condition.condition), Some(Value::Bool(true)));
                let branch = if on {
                    condition.if_clause.as_deref()
                } else {
                    condition.else_clause.as_deref()
                };
                match branch {
                    Some(branch) => self.add(branch, path, before, variables),
                    None => Ok(before.to_vec()),
                }
            }
            PlanNode::Subscription(_) => Err(FederationError::validation(
                "subscriptions are not supported by this gateway".into(),
            )),
            PlanNode::Defer(_) => Err(FederationError::validation(
                "@defer is not supported by this gateway".into(),
            )),
        }
    }

    fn add_fetch(
        &mut self,
        fetch: &FetchNode,
        path: Option<&FlattenNodePath>,
        before: &[NodeIndex],
    ) -> NodeIndex {
        let entities = match (&fetch.requires, path) {
            (Some(requires), path) => vec![EntityTarget {
                response_key: "_entities".into(),
                representations_variable: "representations".into(),
                paths: vec![path.map(|p| p.as_slice().to_vec()).unwrap_or_default()],
                walk_paths: walk_paths(std::iter::once(path.map(|p| p.as_slice()).unwrap_or(&[]))),
                path_display: path.map(|p| p.to_string()).unwrap_or_default(),
                requires: requires.clone(),
                input_rewrites: fetch.input_rewrites.clone().unwrap_or_default(),
                output_rewrites: fetch.output_rewrites.clone().unwrap_or_default(),
            }],
            (None, _) => Vec::new(),
        };
        let step = FetchStep {
            id: self.graph.node_count(),
            subgraph: fetch.service_name.clone(),
            operation: fetch.operation.document_str.clone(),
            variable_usages: fetch.variable_usages.iter().flatten().cloned().collect(),
            root_keys: if entities.is_empty() {
                fetch
                    .operation
                    .document
                    .operation
                    .selection_set
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        SelectionItem::Field(field) => {
                            Some(field.alias.clone().unwrap_or_else(|| field.name.clone()))
                        }
                        _ => None,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            selection: Some(std::sync::Arc::new(
                fetch.operation.document.operation.selection_set.clone(),
            )),
            root_output_rewrites: if entities.is_empty() {
                fetch.output_rewrites.clone().unwrap_or_default()
            } else {
                Vec::new()
            },
            entities,
        };
        self.push(step, before)
    }

    fn push(&mut self, step: FetchStep, before: &[NodeIndex]) -> NodeIndex {
        let index = self.graph.add_node(step);
        for dep in before {
            self.graph.add_edge(*dep, index, ());
        }
        index
    }
}

/// What [`writes_what_is_read`] asks of a fetch, gathered once per fetch (not per pair).
struct DataFacts<'g> {
    /// A root fetch: it makes the objects.
    root: bool,
    /// Its answers are renamed on the way in (its written keys are not plain).
    renamed: bool,
    /// The response keys it writes into its objects.
    written: Vec<&'g str>,
    /// The fields of each flatten path of its objects.
    paths: Vec<Vec<&'g str>>,
}

impl<'g> DataFacts<'g> {
    fn new(step: &'g FetchStep) -> Self {
        let root = step.entities.is_empty();
        DataFacts {
            root,
            renamed: step.entities.iter().any(|t| !t.output_rewrites.is_empty()),
            // A root fetch is decided without its keys and paths.
            written: if root { Vec::new() } else { step.output_keys() },
            paths: step
                .entities
                .iter()
                .flat_map(|t| t.paths.iter())
                .map(|p| {
                    p.iter()
                        .filter_map(|s| s.to_field().map(String::as_str))
                        .collect()
                })
                .collect(),
        }
    }
}

/// Whether fetch `a` may write data that fetch `b` (which the plan puts after it) reads.
fn writes_what_is_read(a: &DataFacts<'_>, b: &DataFacts<'_>) -> bool {
    if a.root || b.root || a.renamed {
        return true;
    }
    a.paths.iter().any(|pa| {
        b.paths.iter().any(|pb| {
            if pb.len() > pa.len() && pb.starts_with(pa) {
                a.written.contains(&pb[pa.len()])
            } else {
                pa.starts_with(pb)
            }
        })
    })
}

fn walk_paths<'p>(
    paths: impl Iterator<Item = &'p [FlattenNodePathSegment]>,
) -> std::sync::Arc<Vec<Vec<crate::tree::SharedSegment>>> {
    std::sync::Arc::new(paths.map(crate::tree::shared_path).collect())
}
