//! The in-process demo: the demo services on ephemeral ports and the `shop` example
//! workspace pointing at them.
//!
//! The main design choice: the example is imported once, as a *linked copy* in the data
//! folder (`<data>/examples/shop.knot.json`, with `<data>/proto/products.proto` beside it
//! exactly as in the repository, so its relative `protoFiles` path works unchanged). On every
//! launch the demo's URLs are written into the variables of that workspace's environments,
//! because the ephemeral ports change from one launch to the next.

use crate::errors::store_error;
use knot_app_api::{ApiError, ApiErrorCode, DemoInfo, DemoServiceView};
use knot_demo::{Demo, DemoConfig, DemoPorts, Service};
use knot_model::EnvVariable;
use knot_store::{Store, WorkspaceId};
use serde_json::Value;
use std::path::Path;

const SHOP_JSON: &str = include_str!("../../examples/shop.knot.json");
const PRODUCTS_PROTO: &str = include_str!("../../proto/products.proto");
const DEMO_SETTING: &str = "app.demoWorkspace";

pub struct DemoState {
    /// Kept alive: dropping it stops the services.
    pub demo: Demo,
    pub info: DemoInfo,
    pub workspace_id: WorkspaceId,
}

pub async fn start_demo(store: &Store) -> Result<DemoState, ApiError> {
    let demo = Demo::start(DemoConfig {
        ports: DemoPorts::ephemeral(),
        ..DemoConfig::default()
    })
    .await
    .map_err(|e| ApiError::internal(format!("cannot start the demo services: {e}")))?;
    let info = DemoInfo {
        services: Service::ALL
            .iter()
            .map(|s| DemoServiceView {
                name: s.name().to_string(),
                protocol: protocol(*s).to_string(),
                url: demo.url(*s),
            })
            .collect(),
    };
    let workspace_id = demo_workspace(store).await?;
    apply_urls(store, workspace_id, &demo.env_vars()).await?;
    Ok(DemoState {
        demo,
        info,
        workspace_id,
    })
}

fn protocol(s: Service) -> &'static str {
    match s {
        Service::Products => "grpc",
        Service::Reviews => "graphql",
        _ => "rest",
    }
}

/// The demo workspace's id: imported from the embedded example on first launch.
async fn demo_workspace(store: &Store) -> Result<WorkspaceId, ApiError> {
    if let Ok(Some(id)) = store
        .setting(DEMO_SETTING)
        .await
        .map(|v| v.and_then(|v| v.as_i64()))
    {
        if store.workspace(id).await.is_ok() {
            return Ok(id);
        }
    }
    let file = write_example_files(store.dir())?;
    let id = match store.import_file(&file).await {
        Ok(imported) => imported.id,
        // A workspace called `shop` already exists (made by hand): use it.
        Err(e) if e.code() == "name-taken" => {
            store
                .workspace_by_name("shop")
                .await
                .map_err(store_error)?
                .info
                .id
        }
        Err(e) => return Err(store_error(e)),
    };
    let _ = store.set_setting(DEMO_SETTING, &Value::from(id)).await;
    Ok(id)
}

fn write_example_files(dir: &Path) -> Result<std::path::PathBuf, ApiError> {
    let io = |e: std::io::Error| {
        ApiError::new(
            ApiErrorCode::Store,
            format!("cannot write the demo files: {e}"),
        )
    };
    let examples = dir.join("examples");
    let proto = dir.join("proto");
    std::fs::create_dir_all(&examples).map_err(io)?;
    std::fs::create_dir_all(&proto).map_err(io)?;
    std::fs::write(proto.join("products.proto"), PRODUCTS_PROTO).map_err(io)?;
    let file = examples.join("shop.knot.json");
    if !file.exists() {
        std::fs::write(&file, SHOP_JSON).map_err(io)?;
    }
    Ok(file)
}

/// Sets every variable the demo provides (`ORDERS_URL`, …) that an environment of the
/// workspace declares to the running demo's URL.
async fn apply_urls(
    store: &Store,
    id: WorkspaceId,
    vars: &[(String, String)],
) -> Result<(), ApiError> {
    let mut stored = store.workspace(id).await.map_err(store_error)?;
    let before = stored.workspace.clone();
    let mut changed = false;
    for env in stored.workspace.environments.values_mut() {
        for (name, url) in vars {
            if let Some(var) = env.variables.get_mut(name) {
                if var.file_value() != Some(url.as_str()) && !var.is_secret() {
                    *var = EnvVariable::Plain(url.clone());
                    changed = true;
                }
            }
        }
    }
    if changed {
        store
            .update_workspace(id, &stored.workspace)
            .await
            .map_err(store_error)?;
        // The app's own change: it does not hold back stored secrets (`trust.rs`).
        crate::trust::record_own_edit(store, id, &before, &stored.workspace).await;
    }
    Ok(())
}
