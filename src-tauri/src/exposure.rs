//! The saved operations' side-by-side view: one operation as its GraphQL request, its REST
//! endpoint and its gRPC method, with copyable `curl` and `grpcurl` commands.
//!
//! Nothing is computed here: the open workspace and its runtime's public schema (the model's
//! own when the runtime could not be built) go to `knot_app_api::operation_calls`, which
//! follows the same rules as `knot export openapi` and `knot export proto`.

use crate::errors::store_error;
use crate::state::AppState;
use knot_app_api::{ApiError, OperationCallsView};
use serde_json::{Map, Value};

impl AppState {
    pub async fn operation_calls(
        &self,
        name: &str,
        variables: &Map<String, Value>,
    ) -> Result<OperationCallsView, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let sdl = match self.runtime().await {
            Ok(runtime) => runtime.public_sdl().to_string(),
            Err(_) => knot_model::public_sdl(&stored.workspace),
        };
        let file = stored.info.file.as_ref().map(|f| f.display().to_string());
        knot_app_api::operation_calls(&stored.workspace, &sdl, name, variables, file.as_deref())
    }
}
