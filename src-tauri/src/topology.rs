//! The topology screen's commands: the open workspace's topology graph, with call
//! statistics per source from its run history, and the core's text renderings.
//!
//! The main design choice: nothing is computed here. The graph is the open workspace's
//! `Runtime::topology` (what `knot topology` prints, for every kind of workspace: a
//! federation workspace shows its subgraphs' types too), the text is that graph's
//! own `to_dot` / `to_mermaid` / `to_svg`, and the statistics are
//! `knot_app_api::source_overlays` over the traces the store returns, so the app, the CLI
//! and the tests cannot disagree.

use crate::errors::store_error;
use crate::state::AppState;
use knot_app_api::{source_overlays, ApiError, TopologyFormat, TopologyView};

/// How many of the latest runs the overlays look at.
pub const OVERLAY_RUNS: u32 = 500;

impl AppState {
    pub async fn topology_view(&self, with_overlay: bool) -> Result<TopologyView, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let topo = match self.runtime().await {
            Ok(runtime) => runtime.topology(),
            // A workspace that cannot load still shows what its file declares.
            Err(_) => knot_plan::topology::topology(&stored.workspace),
        };
        let (overlays, runs) = if with_overlay {
            let traces = self
                .store()
                .recent_traces(&stored.info.name, OVERLAY_RUNS)
                .await
                .map_err(store_error)?;
            let runs = u32::try_from(traces.len()).unwrap_or(u32::MAX);
            (source_overlays(traces.iter()), runs)
        } else {
            (Vec::new(), 0)
        };
        Ok(knot_app_api::topology_view(&topo, overlays, runs))
    }

    pub async fn topology_text(&self, format: TopologyFormat) -> Result<String, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let ws = &stored.workspace;
        let topo = match self.runtime().await {
            Ok(runtime) => runtime.topology(),
            Err(_) => knot_plan::topology::topology(ws),
        };
        Ok(match format {
            TopologyFormat::Dot => topo.to_dot(&ws.name),
            TopologyFormat::Mermaid => topo.to_mermaid(),
            TopologyFormat::Svg => topo.to_svg(),
        })
    }
}
