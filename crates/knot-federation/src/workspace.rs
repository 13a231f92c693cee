//! A workspace's subgraph sources as a federation gateway: their SDLs (from
//! `subgraph.sdlFile` or asked of the subgraph with `{ _service { sdl } }`),
//! their URLs rendered for the chosen environment, composed into one supergraph,
//! with each source's timeout and forwarded headers.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use knot_connect::{Connectors, Vars};
use knot_model::{Source, Workspace};

use crate::{compose, Gateway, GatewayOptions, SubgraphSdl, Supergraph};

/// How long loading waits for a subgraph's `_service { sdl }`.
const SDL_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A problem with one subgraph source, or with their composition.
#[derive(Clone, Debug, thiserror::Error)]
pub enum WorkspaceFederationError {
    /// `sources.NAME...`: the SDL or URL of one source.
    #[error("sources.{source_name}: {message}")]
    Source {
        source_name: String,
        message: String,
    },
    #[error(transparent)]
    Composition(#[from] crate::CompositionError),
    #[error("{0}")]
    Gateway(String),
}

/// The subgraph sources of `ws` with their SDLs. `fetch` allows asking a subgraph
/// for its SDL over the network when no `sdlFile` is given (otherwise such a
/// subgraph is an error).
pub fn workspace_subgraphs(
    ws: &Workspace,
    vars: &Vars,
    base: &Path,
    fetch: bool,
) -> Result<(Vec<SubgraphSdl>, GatewayOptions), WorkspaceFederationError> {
    let mut subgraphs = Vec::new();
    let options = GatewayOptions::default();
    for (name, source) in &ws.sources {
        let Source::Graphql(graphql) = source else {
            continue;
        };
        let Some(settings) = &graphql.subgraph else {
            continue;
        };
        let problem = |message: String| WorkspaceFederationError::Source {
            source_name: name.clone(),
            message,
        };
        let (url, _) = vars
            .render(&graphql.url, |_| None)
            .map_err(|e| problem(format!("url: {e}")))?;
        let sdl = match &settings.sdl_file {
            Some(file) => {
                let at = base.join(file);
                std::fs::read_to_string(&at).map_err(|e| {
                    problem(format!(
                        "subgraph.sdlFile: cannot read {}: {e}",
                        at.display()
                    ))
                })?
            }
            None if fetch => fetch_sdl_blocking(&url).map_err(problem)?,
            None => return Err(problem(
                "subgraph: no sdlFile, and the SDL is only fetched from the subgraph when serving"
                    .into(),
            )),
        };
        subgraphs.push(SubgraphSdl {
            name: name.clone(),
            url,
            sdl,
        });
    }
    Ok((subgraphs, options))
}

/// The supergraph SDL of the workspace: its subgraphs, plus the generated `bindings`
/// subgraph when the unified schema binds fields on federated types. `None` when the
/// workspace has no subgraphs.
pub fn workspace_supergraph(
    ws: &Workspace,
    vars: &Vars,
    base: &Path,
    fetch: bool,
) -> Result<Option<(String, GatewayOptions, bool)>, WorkspaceFederationError> {
    let (mut subgraphs, options) = workspace_subgraphs(ws, vars, base, fetch)?;
    if subgraphs.is_empty() {
        return Ok(None);
    }
    let sdl = compose(&subgraphs)?;
    let has_bindings = ws
        .schema
        .types
        .values()
        .any(|t| t.fields.values().any(|f| f.binding.is_some()));
    if !has_bindings {
        return Ok(Some((sdl, options, false)));
    }
    if subgraphs.iter().any(|s| s.name == crate::LOCAL_SUBGRAPH) {
        return Err(WorkspaceFederationError::Source {
            source_name: crate::LOCAL_SUBGRAPH.into(),
            message:
                "this name is taken by the subgraph Knot generates for the workspace's bindings"
                    .into(),
        });
    }
    let supergraph =
        Supergraph::parse(&sdl).map_err(|e| WorkspaceFederationError::Gateway(e.to_string()))?;
    let local = crate::local::local_subgraph_sdl(ws, &supergraph.entity_keys())
        .map_err(WorkspaceFederationError::Gateway)?;
    let Some(local) = local else {
        return Ok(Some((sdl, options, false)));
    };
    subgraphs.push(SubgraphSdl {
        name: crate::LOCAL_SUBGRAPH.into(),
        url: crate::LOCAL_URL.into(),
        sdl: local,
    });
    let sdl = compose(&subgraphs)?;
    Ok(Some((sdl, options, true)))
}

/// The gateway over the workspace's subgraphs; `None` when it has none. Subgraph calls
/// and the bindings' calls go through `connectors` (the workspace's, made once by the
/// runtime), so each source has one semaphore, one timeout and one header allowlist.
pub fn workspace_gateway(
    ws: &Workspace,
    vars: &Vars,
    base: &Path,
    connectors: Arc<Connectors>,
) -> Result<Option<Gateway>, WorkspaceFederationError> {
    let Some((sdl, options, local)) = workspace_supergraph(ws, vars, base, true)? else {
        return Ok(None);
    };
    let mut supergraph =
        Supergraph::parse(&sdl).map_err(|e| WorkspaceFederationError::Gateway(e.to_string()))?;
    if local {
        supergraph = supergraph.with_workspace_renames(ws);
    }
    let mut gateway = Gateway::with_connectors(Arc::new(supergraph), options, connectors.clone());
    if local {
        gateway = gateway.with_local(crate::local::LocalSubgraph::new(ws, connectors));
    }
    Ok(Some(gateway))
}

/// Loading is synchronous (it also runs on reload threads): the SDL is fetched on a
/// short-lived runtime of its own, on a thread of its own.
fn fetch_sdl_blocking(url: &str) -> Result<String, String> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime to fetch the SDL: {e}"))?;
        runtime.block_on(crate::fetch_subgraph_sdl(&url, SDL_FETCH_TIMEOUT))
    })
    .join()
    .unwrap_or_else(|_| Err("the SDL fetch thread failed".into()))
}
