//! A loaded supergraph: the planner built once from its SDL, the subgraph URLs
//! from `join__Graph`, and a bounded cache of prepared operations (validated,
//! normalized and planned) keyed by document and operation name.

use std::collections::{BTreeMap, HashMap};

use graphql_tools::parser::schema::{Definition, TypeDefinition};
use std::sync::Arc;

use crate::project::ProjectionTypes;
use graphql_tools::validation::rules::default_rules_validation_plan;
use graphql_tools::validation::utils::ValidationError;
use graphql_tools::validation::validate::{validate, ValidationPlan};
use hive_router_query_planner::ast::normalization::normalize_operation;
use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::graph::PlannerOverrideContext;
use hive_router_query_planner::planner::plan_nodes::QueryPlan;
use hive_router_query_planner::planner::{Planner, QueryPlannerOptions};
use hive_router_query_planner::state::supergraph_state::{OperationKind, SupergraphState};
use hive_router_query_planner::utils::cancellation::CancellationToken;
use hive_router_query_planner::utils::parsing::{safe_parse_operation, safe_parse_schema};

use crate::steps::FetchGraph;
use crate::FederationError;
use hive_router_query_planner::planner::plan_nodes::PlanNode;

/// The public schema as a person reads it: the consumer schema without the definitions
/// every GraphQL schema has (introspection types and fields, built-in scalars and
/// directives), so it reads like any workspace's public SDL.
fn user_schema_sdl(document: &graphql_tools::parser::schema::Document<'static, String>) -> String {
    const BUILT_IN_SCALARS: [&str; 5] = ["Boolean", "Float", "Int", "ID", "String"];
    const BUILT_IN_DIRECTIVES: [&str; 5] =
        ["skip", "include", "deprecated", "specifiedBy", "oneOf"];
    let mut document = document.clone();
    document
        .definitions
        .retain_mut(|definition| match definition {
            Definition::TypeDefinition(t) => {
                let name = type_definition_name(t).to_owned();
                if let TypeDefinition::Object(object) = t {
                    object.fields.retain(|f| !f.name.starts_with("__"));
                }
                let built_in = name.starts_with("__")
                    || (matches!(t, TypeDefinition::Scalar(_))
                        && BUILT_IN_SCALARS.contains(&name.as_str()));
                !built_in
            }
            Definition::DirectiveDefinition(d) => !BUILT_IN_DIRECTIVES.contains(&d.name.as_str()),
            _ => true,
        });
    document.to_string()
}

/// How long the planner may think about one operation.
const PLANNING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Document text and operation name.
type CacheKey = (String, Option<String>);

/// A supergraph ready to plan operations.
pub struct Supergraph {
    planner: Planner,
    validation: ValidationPlan,
    sdl: String,
    subgraphs: BTreeMap<String, String>,
    /// What the one projection needs to know about the types.
    types: ProjectionTypes,
    /// The public schema as SDL, rendered once.
    public_sdl: String,
    cache: knot_execute::cache::PlanCache<CacheKey, Prepared>,
}

impl std::fmt::Debug for Supergraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supergraph")
            .field("subgraphs", &self.subgraphs)
            .finish_non_exhaustive()
    }
}

/// One operation, validated against the public (consumer) schema, normalized
/// (fragments inlined, literal `@skip`/`@include` applied) and planned.
#[derive(Debug)]
pub struct Prepared {
    pub operation: OperationDefinition,
    pub plan: QueryPlan,
    pub kind: OperationKind,
    /// The root type and the operation as the projection's selection tree.
    pub root: String,
    pub selections: Vec<knot_plan::Selection>,
    /// The fan-out graph, built once when no `@skip`/`@include` condition of the plan
    /// depends on the request's variables.
    pub graph: Option<Arc<FetchGraph>>,
    /// Bytes of the last answer to this operation: the next one's buffer is sized from it
    /// (written at once, not grown by doubling and copied).
    pub(crate) answer_size: std::sync::atomic::AtomicUsize,
}

impl Supergraph {
    /// Parses a supergraph SDL (Federation v2 `join__` directives) and builds the planner.
    pub fn parse(sdl: &str) -> Result<Supergraph, FederationError> {
        let document = safe_parse_schema(sdl).map_err(|err| FederationError::Supergraph {
            message: format!("the supergraph SDL does not parse: {err}"),
        })?;
        let state = SupergraphState::new(&document);
        if state.subgraph_endpoint_map.is_empty() {
            return Err(FederationError::Supergraph {
                message:
                    "the SDL has no `enum join__Graph` with `@join__graph(name:, url:)` values: \
                          it is not a Federation supergraph"
                        .into(),
            });
        }
        let subgraphs = state
            .subgraph_endpoint_map
            .iter()
            .map(|(name, url)| (name.clone(), url.clone()))
            .collect();
        let planner =
            Planner::new_from_supergraph_state(state, &document, QueryPlannerOptions::default())
                .map_err(|err| FederationError::Supergraph {
                    message: format!("the supergraph cannot be planned over: {err}"),
                })?;
        let mut types = ProjectionTypes::new(&planner.supergraph);
        for definition in &planner.consumer_schema.document.definitions {
            if let Definition::TypeDefinition(t) = definition {
                types
                    .public_types
                    .insert(type_definition_name(t).to_owned());
            }
            if let Definition::TypeDefinition(TypeDefinition::Enum(e)) = definition {
                types.public_enum_values.insert(
                    e.name.clone(),
                    e.values.iter().map(|v| v.name.clone()).collect(),
                );
            }
        }
        let public_sdl = user_schema_sdl(&planner.consumer_schema.document);
        Ok(Supergraph {
            public_sdl,
            types,
            planner,
            validation: default_rules_validation_plan(),
            sdl: sdl.to_owned(),
            subgraphs,
            cache: knot_execute::cache::PlanCache::new(
                knot_execute::cache::DEFAULT_PLAN_CACHE_BYTES,
            ),
        })
    }

    /// The SDL this supergraph was built from.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }

    /// Subgraph name -> URL, from `join__Graph`.
    pub fn subgraphs(&self) -> &BTreeMap<String, String> {
        &self.subgraphs
    }

    /// The public schema (federation internals and `@inaccessible` removed) as SDL.
    pub fn public_sdl(&self) -> &str {
        &self.public_sdl
    }

    pub(crate) fn state(&self) -> &SupergraphState {
        &self.planner.supergraph
    }

    /// Validates, normalizes and plans `query` (cached by text and operation name).
    pub fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<Prepared>, FederationError> {
        let key = (query.to_owned(), operation_name.map(str::to_owned));
        if let Some(found) = self.cache.get(&key) {
            return Ok(found);
        }
        let prepared = Arc::new(self.prepare_uncached(query, operation_name)?);
        self.cache.insert(key, prepared.clone());
        Ok(prepared)
    }

    /// [`Supergraph::prepare`] without the cache: parse, validate, normalize and plan every
    /// time (what a new document costs; the plan benchmark measures both).
    pub fn prepare_uncached(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Prepared, FederationError> {
        without_unheard_traces(|| self.prepare_now(query, operation_name))
    }

    fn prepare_now(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Prepared, FederationError> {
        let document = safe_parse_operation(query).map_err(|err| {
            FederationError::validation(format!("the query does not parse: {err}"))
        })?;
        if let Some(name) = unknown_meta_field(&document) {
            return Err(FederationError::validation(format!(
                "`{name}` is not a field: names starting with `__` are GraphQL's own (`__typename`, and `__schema`/`__type` at the root)"
            )));
        }
        let errors = validate(
            &self.planner.consumer_schema.document,
            &document,
            &self.validation,
        );
        if !errors.is_empty() {
            return Err(FederationError::Invalid(
                errors.iter().map(validation_message).collect(),
            ));
        }
        let normalized = normalize_operation(&self.planner.supergraph, &document, operation_name)
            .map_err(|err| FederationError::validation(err.to_string()))?;
        let operation = normalized.operation;
        let kind = operation
            .operation_kind
            .clone()
            .unwrap_or(OperationKind::Query);
        if matches!(kind, OperationKind::Subscription) {
            return Err(FederationError::validation(
                "subscriptions are not supported by this gateway".into(),
            ));
        }
        let token = CancellationToken::with_timeout(PLANNING_TIMEOUT);
        let plan = self
            .planner
            .plan_from_normalized_operation(&operation, PlannerOverrideContext::default(), &token)
            .map_err(|err| FederationError::Plan {
                message: err.to_string(),
            })?;
        let root = self.root_type(&kind).unwrap_or("Query").to_owned();
        let graph = if has_conditions(plan.node.as_ref()) {
            None
        } else {
            Some(Arc::new(FetchGraph::build(
                &plan,
                &root,
                &serde_json::Map::new(),
            )?))
        };
        let selections = self.types.selections(&root, &operation.selection_set);
        Ok(Prepared {
            operation,
            plan,
            kind,
            root,
            selections,
            graph,
            answer_size: Default::default(),
        })
    }

    /// The `from` paths of a workspace's own types (see `ProjectionTypes::set_renames`);
    /// before any operation is prepared.
    pub(crate) fn with_workspace_renames(mut self, ws: &knot_model::Workspace) -> Self {
        self.types.set_renames(ws);
        self
    }

    pub(crate) fn projection_types(&self) -> &ProjectionTypes {
        &self.types
    }

    /// The key of every entity type (the first resolvable `@join__type` key).
    pub fn entity_keys(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for (name, definition) in &self.state().definitions {
            let key = definition
                .join_types()
                .iter()
                .find(|jt| jt.resolvable && jt.key.is_some())
                .and_then(|jt| jt.key.clone());
            if let Some(key) = key {
                out.insert(name.clone(), key);
            }
        }
        out
    }

    /// The root type name of an operation kind.
    pub(crate) fn root_type(&self, kind: &OperationKind) -> Option<&str> {
        let state = self.state();
        match kind {
            OperationKind::Query => Some(state.query_type.as_str()),
            OperationKind::Mutation => state.mutation_type.as_deref(),
            OperationKind::Subscription => state.subscription_type.as_deref(),
        }
    }

    /// Does an object of type `concrete` match the type condition `condition`?
    pub(crate) fn type_matches(&self, concrete: &str, condition: &str) -> bool {
        self.types.matches(concrete, condition)
    }
}

/// Runs `f` (planning) so that the planner's trace spans cost nothing when nobody can hear
/// them. The planner opens a `trace` span per path and edge it considers, with the path
/// printed as a field. `tracing` (built with its `log` feature in this workspace) hands the
/// fields of a disabled span to the `log` crate while no tracing dispatcher was ever set, and
/// so formats every one of them, even when no `log` logger listens: a third of the plan time
/// of the benchmark query went there. When no dispatcher was set and `log` is off, `f` runs
/// under the no-op dispatcher, so nothing is formatted (and nothing was going to be heard).
/// From then on `tracing` counts a dispatcher as set, for the whole process, and no longer
/// hands disabled spans to `log`. A process with a subscriber (the CLI sets one) or a `log`
/// logger is left as it is.
fn without_unheard_traces<T>(f: impl FnOnce() -> T) -> T {
    if tracing::dispatcher::has_been_set() || log::max_level() != log::LevelFilter::Off {
        return f();
    }
    tracing::dispatcher::with_default(&tracing::Dispatch::none(), f)
}

fn validation_message(error: &ValidationError) -> String {
    match error.locations.first() {
        Some(pos) => format!(
            "{} (line {}, column {})",
            error.message, pos.line, pos.column
        ),
        None => error.message.clone(),
    }
}

fn type_definition_name<'a>(definition: &'a TypeDefinition<'static, String>) -> &'a str {
    match definition {
        TypeDefinition::Scalar(t) => &t.name,
        TypeDefinition::Object(t) => &t.name,
        TypeDefinition::Interface(t) => &t.name,
        TypeDefinition::Union(t) => &t.name,
        TypeDefinition::Enum(t) => &t.name,
        TypeDefinition::InputObject(t) => &t.name,
    }
}

/// Does the plan hold a Condition node (decided per request from its variables)?
fn has_conditions(node: Option<&PlanNode>) -> bool {
    match node {
        None => false,
        Some(PlanNode::Condition(_)) => true,
        Some(PlanNode::Sequence(s)) => s.nodes.iter().any(|n| has_conditions(Some(n))),
        Some(PlanNode::Parallel(p)) => p.nodes.iter().any(|n| has_conditions(Some(n))),
        Some(PlanNode::Flatten(f)) => has_conditions(Some(&f.node)),
        Some(_) => false,
    }
}

/// The first `__`-named field that is none of GraphQL's own: `__typename` anywhere, `__schema`
/// and `__type` at an operation's root (whose selections are introspection's and are not
/// walked). The validation rules let other `__` names through, and the query planner's
/// normalization panics on some of them (found by fuzzing), so they are refused first.
fn unknown_meta_field(
    document: &graphql_tools::parser::query::Document<'static, String>,
) -> Option<String> {
    use graphql_tools::parser::query::{Definition, OperationDefinition, Selection, SelectionSet};
    fn walk(set: &SelectionSet<'static, String>, root: bool, depth: usize) -> Option<String> {
        if depth > 256 {
            return None;
        }
        for item in &set.items {
            match item {
                Selection::Field(f) => {
                    let name = f.name.as_str();
                    if root && (name == "__schema" || name == "__type") {
                        continue;
                    }
                    if name.starts_with("__") && name != "__typename" {
                        return Some(name.to_owned());
                    }
                    if let Some(found) = walk(&f.selection_set, false, depth + 1) {
                        return Some(found);
                    }
                }
                Selection::InlineFragment(frag) => {
                    if let Some(found) = walk(&frag.selection_set, root, depth + 1) {
                        return Some(found);
                    }
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        None
    }
    for definition in &document.definitions {
        let found = match definition {
            Definition::Operation(op) => match op {
                OperationDefinition::SelectionSet(set) => walk(set, true, 0),
                OperationDefinition::Query(q) => walk(&q.selection_set, true, 0),
                OperationDefinition::Mutation(m) => walk(&m.selection_set, false, 0),
                OperationDefinition::Subscription(s) => walk(&s.selection_set, false, 0),
            },
            Definition::Fragment(f) => walk(&f.selection_set, false, 0),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata};

    /// Counts the spans opened while it is the thread's dispatcher.
    struct CountSpans(Arc<AtomicUsize>);

    impl tracing::Subscriber for CountSpans {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(self.0.fetch_add(1, Ordering::Relaxed) as u64 + 1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn a_tracing_subscriber_still_hears_the_planner() {
        let supergraph = crate::fleet_supergraph();
        let spans = Arc::new(AtomicUsize::new(0));
        let dispatch = tracing::Dispatch::new(CountSpans(spans.clone()));
        tracing::dispatcher::with_default(&dispatch, || {
            supergraph
                .prepare_uncached(r#"{ device(id: "1") { id name } }"#, None)
                .expect("plans")
        });
        assert!(
            spans.load(Ordering::Relaxed) > 0,
            "no planner span was heard"
        );
    }
}
