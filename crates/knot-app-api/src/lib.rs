//! The desktop app's IPC contract: the DTOs of `src-tauri/API.md` ([`dto`]), their
//! TypeScript bindings ([`bindings`]) and the conversions from the core types
//! ([`workspace_view`], [`run_view`], [`topology`]).
//!
//! The main design choice: this crate sits between the core and the Tauri shell and knows
//! neither Tauri nor storage. The shell's commands only fetch core values and call these
//! conversions, so the whole contract (shapes, naming, what is hidden from the UI) can be
//! unit-tested without a window, and the UI's TypeScript is generated from the same types.

pub mod bindings;
pub mod dto;
pub mod environments;
pub mod exposure;
pub mod run_view;
pub mod topology;
pub mod workspace_view;

pub use dto::*;
pub use environments::{EnvVariableInput, EnvVariableView, EnvironmentView};
pub use exposure::{
    operation_calls, GraphqlCallView, GrpcCallView, OperationCallsView, RestCallView,
};
pub use run_view::{
    call_view, plan_result, plan_view, plan_view_from_json, query_error_view, request_view,
    trace_view, trace_view_from_json,
};
pub use topology::{
    source_overlays, topology_view, SourceOverlay, TopologyEdgeKind, TopologyEdgeView,
    TopologyFormat, TopologyNodeKind, TopologyNodeView, TopologyView,
};
pub use workspace_view::{
    check_problems, problem_view, schema_tree, schema_tree_from_sdl, source_view, workspace_view,
    WorkspaceMeta,
};
