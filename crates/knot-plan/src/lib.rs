//! The Knot planner: one GraphQL operation against the unified schema becomes a plan, a
//! petgraph DAG of fetch nodes, plus the projection tree that shapes the answer.
//!
//! The main design choice: a fetch node stands for *one bound field at one path*, not for
//! one parent object. It serves all parent objects at that path at once, so batching
//! happens by construction (DataLoader-style, without per-object scheduling), and only
//! fields the document asks for create nodes. The executor runs this graph as it is: the
//! fan-out graph a user sees is the execution. The planner calls nothing and knows nothing
//! about protocols, tokio, storage or user interfaces.

pub mod build;
pub mod input;
pub mod types;

pub use types::*;

use knot_model::Workspace;
use serde::Serialize;
use serde_json::{Map, Value};

/// A problem with the document or its variables. These are client errors (category
/// VALIDATION): they name the public schema, never a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanError {
    pub message: String,
    /// 1-based (line, column) positions in the document.
    pub locations: Vec<(usize, usize)>,
}

impl PlanError {
    pub fn plain(message: impl Into<String>) -> Self {
        PlanError {
            message: message.into(),
            locations: Vec::new(),
        }
    }
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.locations.first() {
            Some((l, c)) => write!(f, "{l}:{c}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// Limits on the size of a document, checked while it is planned (fragments expanded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_fields: usize,
}

/// How big an operation is (fragments expanded): what [`Limits`] bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Deepest field nesting (a root field is depth 1).
    pub depth: usize,
    pub aliases: usize,
    pub fields: usize,
}

impl Limits {
    /// The message for the first limit `size` breaks, with the measured size: the same
    /// words for every request measured whole (over a supergraph, introspection).
    pub fn exceeded(&self, size: &Size) -> Option<String> {
        if size.depth > self.max_depth {
            Some(format!(
                "the query is nested {} levels deep, more than the limit of {}",
                size.depth, self.max_depth
            ))
        } else if size.aliases > self.max_aliases {
            Some(format!(
                "the query uses {} aliases, more than the limit of {} aliases",
                size.aliases, self.max_aliases
            ))
        } else if size.fields > self.max_fields {
            Some(format!(
                "the query selects {} fields (fragments expanded), more than the limit of {}",
                size.fields, self.max_fields
            ))
        } else {
            None
        }
    }

    // The planner stops at the first field over a limit, before the whole size is known.

    pub(crate) fn depth_message(&self) -> String {
        format!(
            "the query is nested more than {} levels deep, the limit",
            self.max_depth
        )
    }

    pub(crate) fn aliases_message(&self) -> String {
        format!(
            "the query uses more than {} aliases, the limit",
            self.max_aliases
        )
    }

    pub(crate) fn fields_message(&self) -> String {
        format!(
            "the query selects more than {} fields (fragments expanded), the limit",
            self.max_fields
        )
    }
}

impl Default for Limits {
    /// No limit but the planner's own nesting guard.
    fn default() -> Self {
        Limits {
            max_depth: build::MAX_DEPTH,
            max_aliases: usize::MAX,
            max_fields: usize::MAX,
        }
    }
}

/// Parses, validates and plans `document`. Variables are coerced to their declared types
/// and every required `ID`/`String` input is checked for blank values here, before any call.
pub fn plan(
    ws: &Workspace,
    document: &str,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
) -> Result<Plan, Vec<PlanError>> {
    plan_with_limits(ws, document, operation_name, variables, Limits::default())
}

/// [`plan`] with size limits (the gateway's).
pub fn plan_with_limits(
    ws: &Workspace,
    document: &str,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
    limits: Limits,
) -> Result<Plan, Vec<PlanError>> {
    let doc = knot_model::document::parse_query(document).map_err(|e| {
        let locations = e.positions().map(|p| (p.line, p.column)).collect();
        vec![PlanError {
            message: format!("syntax error: {e}"),
            locations,
        }]
    })?;
    build::Builder::new(ws, &doc, limits).build(operation_name, variables)
}

/// The name of the document's only named operation (what history and logs call a run).
pub fn sole_operation_name(document: &str) -> Option<String> {
    let doc = knot_model::document::parse_query(document).ok()?;
    let mut names = doc
        .operations
        .iter()
        .filter_map(|(n, _)| n.map(|n| n.to_string()));
    let first = names.next()?;
    names.next().is_none().then_some(first)
}

pub mod topology;
