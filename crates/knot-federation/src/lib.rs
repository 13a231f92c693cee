//! Knot's Apollo Federation v2 gateway core.
//!
//! The main design choice: Knot does not write its own federation query planner.
//! It plans with Hive Router's planner (`hive-router-query-planner`, MIT), which
//! passes the whole Federation Gateway Audit, and turns the plan it returns into
//! the same kind of fan-out graph as every other Knot plan ([`FetchGraph`]: a
//! petgraph DAG of fetches with "waits for" edges). The executor here runs that
//! graph itself: root fetches, batched and deduplicated `_entities` fetches,
//! stitching into one tree, and the final projection to the query's exact shape
//! with GraphQL null propagation. Errors are categorised like every Knot source
//! and, by default, public answers carry only the category and a fixed message.

mod compose;
mod local;
mod project;
mod run;
mod steps;
mod supergraph;
mod tree;
mod workspace;

pub use compose::{compose, CompositionError, SubgraphSdl};
pub use local::{LOCAL_SUBGRAPH, LOCAL_URL};
pub use run::{
    fetch_subgraph_sdl, FetchSpan, Gateway, GatewayOptions, GatewayRequest, GatewayResponse,
    Limits, SubgraphErrors,
};
pub use steps::{EntityTarget, FetchGraph, FetchStep};
pub use supergraph::{Prepared, Supergraph};
pub use workspace::{
    workspace_gateway, workspace_subgraphs, workspace_supergraph, WorkspaceFederationError,
};

/// What can go wrong before any subgraph is called.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FederationError {
    /// The supergraph SDL is unusable.
    #[error("{message}")]
    Supergraph { message: String },
    /// The request is invalid (parse, validation, variables).
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    /// The planner could not plan the operation.
    #[error("the operation cannot be planned: {message}")]
    Plan { message: String },
}

impl FederationError {
    pub(crate) fn validation(message: String) -> Self {
        FederationError::Invalid(vec![message])
    }

    /// The messages a GraphQL `errors` list carries for this error.
    pub fn messages(&self) -> Vec<String> {
        match self {
            FederationError::Invalid(messages) => messages.clone(),
            other => vec![other.to_string()],
        }
    }
}

/// The demo fleet's device and safety subgraphs composed (for unit tests).
#[cfg(test)]
pub(crate) fn fleet_supergraph() -> Supergraph {
    let subgraphs: Vec<SubgraphSdl> = [knot_demo::Subgraph::Device, knot_demo::Subgraph::Safety]
        .into_iter()
        .map(|s| SubgraphSdl {
            name: s.name().to_owned(),
            url: format!("http://127.0.0.1:9/{}", s.name()),
            sdl: knot_demo::subgraph_sdl(s),
        })
        .collect();
    Supergraph::parse(&compose(&subgraphs).expect("composes")).expect("parses")
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_gateway_can_be_shared_between_tasks() {
        assert_send_sync::<crate::Gateway>();
        assert_send_sync::<crate::Supergraph>();
    }
}
