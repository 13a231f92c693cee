//! Federation in the gateway: a supergraph SDL served as is (`knot serve --supergraph`),
//! or the workspace's subgraph sources composed at load. Requests then go to
//! [`knot_federation::Gateway`] instead of the orchestration engine.

use std::path::Path;
use std::sync::Arc;

use knot_execute::Vars;
use knot_federation::{Gateway, GatewayOptions, Supergraph};
use knot_model::Workspace;

use crate::ServeError;

/// A gateway over a supergraph SDL given directly.
pub(crate) fn from_supergraph_sdl(path: &Path, bytes: &[u8]) -> Result<Gateway, ServeError> {
    let sdl = std::str::from_utf8(bytes)
        .map_err(|e| ServeError::Workspace(format!("{} is not UTF-8 text: {e}", path.display())))?;
    let supergraph = Supergraph::parse(sdl)
        .map_err(|e| ServeError::Workspace(format!("{}: {e}", path.display())))?;
    Gateway::new(Arc::new(supergraph), GatewayOptions::default())
        .map_err(|e| ServeError::Workspace(e.to_string()))
}

/// A gateway over the workspace's subgraph sources, composed now; `None` when the
/// workspace has none.
pub(crate) fn from_workspace(
    ws: &Workspace,
    vars: &Vars,
    base: &Path,
) -> Result<Option<Gateway>, ServeError> {
    knot_federation::workspace_gateway(ws, vars, base)
        .map_err(|e| ServeError::Workspace(e.to_string()))
}

/// The gateway's size limits, for federation requests too.
pub(crate) fn limits(settings: &knot_model::GatewaySettings) -> knot_federation::Limits {
    knot_federation::Limits {
        max_depth: settings.max_depth(),
        max_aliases: settings.max_aliases(),
        max_fields: settings.max_fields(),
    }
}
