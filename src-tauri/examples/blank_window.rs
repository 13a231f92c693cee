//! An empty Tauri window (a blank page) built like the app, with the same Tauri, WebKitGTK
//! and profile: `make bench-app` measures its memory the same way as Knot's, so the part that
//! is WebKitGTK's own floor is visible beside what Knot adds.

fn main() {
    let result = tauri::Builder::default()
        // The page: an empty document from a protocol of its own (WebKit starts no web
        // process for about:blank, and the app's own protocol would serve Knot's page).
        .register_uri_scheme_protocol("blank", |_, _| {
            // When `make bench-app` asks: the moment (epoch ms) the page was first asked for.
            if let Some(path) = std::env::var_os("KNOT_BLANK_STAMP") {
                let path = std::path::PathBuf::from(path);
                if !path.exists() {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
                    let _ = std::fs::write(&path, format!("{now:.1}"));
                }
            }
            tauri::http::Response::builder()
                .header("content-type", "text/html")
                .body(b"<!doctype html><title>Blank</title><body></body>".to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = tauri::WebviewUrl::CustomProtocol("blank://localhost/".parse()?);
            tauri::WebviewWindowBuilder::new(app, "blank", url)
                .title("Blank")
                .inner_size(1280.0, 800.0)
                .build()?;
            Ok(())
        })
        .run(tauri::tauri_build_context!());
    if let Err(e) = result {
        eprintln!("blank-window: {e}");
        std::process::exit(1);
    }
}
