//! Where the app's file paths come from: a native dialog opened here, in Rust, the command
//! line at launch, or the store's recent files. Never from the page.
//!
//! The main design choice: no command takes a path the page wrote. Script running in the
//! page (a compromised dependency, injected markup) could otherwise read or overwrite any
//! file the user can, through the workspace, proto and export commands. The page asks for a
//! dialog; the person chooses in it; only the chosen path is used. Workspace files must be
//! `*.knot.json`. The `e2e-dialog` cargo feature (tests only, never in release builds)
//! replaces the dialog with the path in [`SEAM_VAR`], so the end-to-end tests can drive
//! opening and saving in the real window.

use knot_app_api::{ApiError, ApiErrorCode};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// With the `e2e-dialog` feature: the path every dialog answers with.
pub const SEAM_VAR: &str = "KNOT_E2E_DIALOG";

/// The suffix of workspace files.
pub const WORKSPACE_SUFFIX: &str = ".knot.json";

/// What a dialog is asked for.
pub enum Ask {
    OpenWorkspace,
    SaveWorkspace {
        file_name: String,
    },
    ProtoFolder,
    SaveExport {
        file_name: String,
        extension: String,
    },
}

/// Opens the native dialog (off the main thread, which draws it) and waits for the person's
/// choice. Closing it is an error with code `cancelled`.
pub async fn choose<R: Runtime>(app: &AppHandle<R>, ask: Ask) -> Result<PathBuf, ApiError> {
    #[cfg(feature = "e2e-dialog")]
    if let Some(path) = std::env::var_os(SEAM_VAR) {
        return Ok(PathBuf::from(path));
    }
    let app = app.clone();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let dialog = app.dialog().file();
        match ask {
            Ask::OpenWorkspace => dialog
                .set_title("Open a Knot workspace")
                .add_filter("Knot workspace", &["json"])
                .blocking_pick_file(),
            Ask::SaveWorkspace { file_name } => dialog
                .set_title("Save the workspace as")
                .add_filter("Knot workspace", &["json"])
                .set_file_name(file_name)
                .blocking_save_file(),
            Ask::ProtoFolder => dialog
                .set_title("Folder of .proto files")
                .blocking_pick_folder(),
            Ask::SaveExport {
                file_name,
                extension,
            } => dialog
                .set_title("Export")
                .add_filter(extension.to_uppercase(), &[extension.as_str()])
                .set_file_name(file_name)
                .blocking_save_file(),
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("the file dialog failed: {e}")))?;
    let picked = picked.ok_or_else(|| ApiError::new(ApiErrorCode::Cancelled, "no file chosen"))?;
    picked
        .into_path()
        .map_err(|e| ApiError::internal(format!("the chosen file has no local path: {e}")))
}

/// A workspace file to open: it must be named `*.knot.json`.
pub fn workspace_file(path: &Path) -> Result<&Path, ApiError> {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > WORKSPACE_SUFFIX.len() && n.ends_with(WORKSPACE_SUFFIX));
    if named {
        Ok(path)
    } else {
        Err(ApiError::invalid_input(format!(
            "`{}` is not a workspace file (a workspace file is named *{WORKSPACE_SUFFIX})",
            path.display()
        )))
    }
}

/// A save dialog's answer with the suffix added when the person typed a bare name.
pub fn with_suffix(path: PathBuf, suffix: &str) -> PathBuf {
    let has = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(suffix));
    if has {
        path
    } else {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    }
}

/// The export kinds the page may ask to save (by the suggested file name's extension).
pub fn export_extension(file_name: &str) -> Result<String, ApiError> {
    match Path::new(file_name).extension().and_then(|e| e.to_str()) {
        Some(ext @ ("svg" | "png")) => Ok(ext.to_string()),
        _ => Err(ApiError::invalid_input(format!(
            "`{file_name}`: only SVG and PNG pictures are exported"
        ))),
    }
}

/// The suggested name of a file, without any folder the page put in it.
pub fn bare_name(file_name: &str) -> String {
    Path::new(file_name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_knot_json_files_are_workspace_files() {
        assert!(workspace_file(Path::new("/tmp/a.knot.json")).is_ok());
        for bad in ["/etc/passwd", "/tmp/a.json", "/tmp/.knot.json"] {
            assert!(workspace_file(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bare_name_gets_the_suffix() {
        assert_eq!(
            with_suffix(PathBuf::from("/tmp/shop"), WORKSPACE_SUFFIX),
            PathBuf::from("/tmp/shop.knot.json")
        );
        assert_eq!(
            with_suffix(PathBuf::from("/tmp/shop.knot.json"), WORKSPACE_SUFFIX),
            PathBuf::from("/tmp/shop.knot.json")
        );
    }

    #[test]
    fn exports_are_pictures_named_without_folders() {
        assert_eq!(
            export_extension("shop-topology.svg").ok().as_deref(),
            Some("svg")
        );
        assert!(export_extension("x.sh").is_err());
        assert_eq!(bare_name("../../etc/x.png"), "x.png");
    }
}
