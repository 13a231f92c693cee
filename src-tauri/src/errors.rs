//! Core errors -> [`ApiError`]: one stable code per kind of failure, the core's message as
//! the text.
//!
//! The main design choice: the mapping looks at the store's own stable error code
//! (`StoreError::code`), never at message text, so rewording a core message cannot change
//! what the UI does.

use knot_app_api::{ApiError, ApiErrorCode};
use knot_runtime::RuntimeError;
use knot_store::StoreError;

pub fn store_error(e: StoreError) -> ApiError {
    let code = match e.code() {
        "unknown-workspace" => ApiErrorCode::NotFound,
        "invalid-file" | "file-too-large" | "name-taken" | "file-taken" | "not-linked"
        | "source-taken" | "not-a-secret" => ApiErrorCode::InvalidInput,
        "import" => ApiErrorCode::Source,
        "migration" => ApiErrorCode::Workspace,
        _ => ApiErrorCode::Store,
    };
    ApiError::new(code, e.to_string())
}

/// Why the open workspace cannot run: one unusable source, or the workspace itself
/// (subgraphs that do not compose, a bad supergraph).
pub fn runtime_error(e: &RuntimeError) -> ApiError {
    let code = match e {
        RuntimeError::Source { .. } => ApiErrorCode::Source,
        RuntimeError::Composition(_) | RuntimeError::Invalid(_) => ApiErrorCode::Workspace,
    };
    ApiError::new(code, e.to_string())
}
