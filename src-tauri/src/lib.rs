//! The Knot desktop app: a Tauri 2 window over the core crates.
//!
//! The main design choice: the shell is thin. `commands.rs` forwards each IPC command to
//! [`state::AppState`], which only calls the core (store, engine, importers, demo) and
//! converts with `knot-app-api`; nothing here decides anything the CLI would decide
//! differently. The app context (config, capabilities, embedded `ui/dist`) is generated
//! once by the build script (`tauri_build_context!`), never by `generate_context!`, so
//! parallel builds cannot ship a truncated web bundle.

pub mod commands;
pub mod environments;
pub mod errors;
pub mod exposure;
pub mod firstrun;
pub mod history;
pub mod paths;
pub mod sources;
pub mod state;
pub mod topology;
pub mod trust;

pub use state::AppState;

use std::path::PathBuf;
use tauri::Manager;

/// The data folder: `KNOT_DATA_DIR`, else the platform's app-data folder + `knot` (the
/// same folder the `knot` command uses, so both see one store).
pub fn data_dir() -> Result<PathBuf, String> {
    knot_store::resolve_data_dir(None).map_err(|e| e.to_string())
}

/// The app context tauri-build generated (config, capabilities with the app manifest, embedded
/// `ui/dist`). Its code unwraps constants the build script itself wrote (the version, the
/// window labels), which cannot fail at run time; the lint is for our own code.
#[allow(clippy::unwrap_used, clippy::expect_used)]
fn context() -> tauri::Context {
    tauri::tauri_build_context!()
}

pub fn run() {
    let result = tauri::Builder::default()
        // Dialogs are opened from Rust only (`paths.rs`): no capability grants the page the
        // plugin's own commands.
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = data_dir()?;
            let state = tauri::async_runtime::block_on(AppState::init(&dir, true))
                .map_err(|e| format!("cannot start Knot: {}", e.message))?;
            // A workspace file named on the command line (`knot-app shop.knot.json`): one of
            // the three places a path may come from (`paths.rs`).
            if let Some(file) = std::env::args_os().nth(1) {
                let opened = tauri::async_runtime::block_on(
                    state.workspace_open_file(std::path::Path::new(&file)),
                );
                if let Err(e) = opened {
                    eprintln!(
                        "knot-app: cannot open {}: {}",
                        file.to_string_lossy(),
                        e.message
                    );
                }
            }
            app.manage(state);
            // The window is made here rather than from the config at start (`create: false`)
            // so that the page's own storage (query tabs, pane sizes, theme) lives in the data
            // folder beside the store: one per store, as the workspaces and history are, and a
            // test's throwaway store gets a throwaway page storage too.
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .ok_or("the configuration has no `main` window")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                .data_directory(dir.join("webview"))
                .build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::workspace_current,
            commands::workspace_list,
            commands::workspace_open,
            commands::workspace_open_file,
            commands::workspace_open_recent,
            commands::workspace_create,
            commands::workspace_save_as,
            commands::workspace_update,
            commands::workspace_confirm_sources,
            commands::environment_select,
            commands::environment_list,
            commands::environment_save,
            commands::environment_delete,
            commands::recent_files,
            commands::source_add_rest,
            commands::source_import_openapi,
            commands::source_import_graphql,
            commands::source_import_grpc,
            commands::source_import_proto,
            commands::operation_send,
            commands::query_plan,
            commands::query_run,
            commands::query_cancel,
            commands::history_list,
            commands::history_get,
            commands::history_delete,
            commands::topology_view,
            commands::topology_text,
            commands::operation_calls,
            commands::export_save,
        ])
        .run(context());
    if let Err(e) = result {
        eprintln!("knot-app: {e}");
        std::process::exit(1);
    }
}
