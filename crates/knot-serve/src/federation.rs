//! Federation in the gateway: a supergraph SDL served as is (`knot serve --supergraph`),
//! or the workspace's subgraph sources composed at load. Requests then go to
//! [`knot_federation::Gateway`] instead of the orchestration engine.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use knot_execute::Vars;
use knot_federation::{Gateway, GatewayOptions, SubgraphSdl, Supergraph};
use knot_model::{Source, Workspace};

use crate::ServeError;

/// How long loading waits for a subgraph's `_service { sdl }`.
const SDL_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

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
    let mut subgraphs = Vec::new();
    let mut options = GatewayOptions::default();
    for (name, source) in &ws.sources {
        let Source::Graphql(graphql) = source else {
            continue;
        };
        let Some(settings) = &graphql.subgraph else {
            continue;
        };
        let (url, _) = vars
            .render(&graphql.url, |_| None)
            .map_err(|e| ServeError::Workspace(format!("sources.{name}.url: {e}")))?;
        let sdl = match &settings.sdl_file {
            Some(file) => {
                let at = base.join(file);
                std::fs::read_to_string(&at).map_err(|e| {
                    ServeError::Workspace(format!(
                        "sources.{name}.subgraph.sdlFile: cannot read {}: {e}",
                        at.display()
                    ))
                })?
            }
            None => fetch_sdl_blocking(&url)
                .map_err(|e| ServeError::Workspace(format!("sources.{name}: {e}")))?,
        };
        options.subgraph_timeouts.insert(
            name.clone(),
            Duration::from_millis(graphql.timeout_ms.unwrap_or(knot_model::DEFAULT_TIMEOUT_MS)),
        );
        if !graphql.forward_headers.is_empty() {
            options.forward_headers.insert(
                name.clone(),
                graphql
                    .forward_headers
                    .iter()
                    .map(|h| h.to_ascii_lowercase())
                    .collect(),
            );
        }
        subgraphs.push(SubgraphSdl {
            name: name.clone(),
            url,
            sdl,
        });
    }
    if subgraphs.is_empty() {
        return Ok(None);
    }
    let sdl =
        knot_federation::compose(&subgraphs).map_err(|e| ServeError::Workspace(e.to_string()))?;
    let supergraph = Supergraph::parse(&sdl).map_err(|e| ServeError::Workspace(e.to_string()))?;
    let gateway = Gateway::new(Arc::new(supergraph), options)
        .map_err(|e| ServeError::Workspace(e.to_string()))?;
    Ok(Some(gateway))
}

/// Loading is synchronous (it also runs on the reload thread): the SDL is fetched on a
/// short-lived runtime of its own.
fn fetch_sdl_blocking(url: &str) -> Result<String, String> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime to fetch the SDL: {e}"))?;
        runtime.block_on(knot_federation::fetch_subgraph_sdl(&url, SDL_FETCH_TIMEOUT))
    })
    .join()
    .unwrap_or_else(|_| Err("the SDL fetch thread failed".into()))
}
