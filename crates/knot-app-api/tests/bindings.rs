//! The committed TypeScript bindings in `ui/src/bindings/` match the Rust DTOs.
//! `KNOT_BLESS=1 cargo test -p knot-app-api --test bindings` rewrites them.

use std::path::PathBuf;

#[test]
fn bindings_are_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let files = knot_app_api::bindings::generate().expect("every DTO exports");
    let bless = std::env::var("KNOT_BLESS").is_ok_and(|v| v == "1");
    if bless {
        std::fs::create_dir_all(&dir).expect("create ui/src/bindings");
        // Files of types that no longer exist go away.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".ts") && !files.iter().any(|(n, _)| *n == name) {
                    std::fs::remove_file(entry.path()).expect("remove a stale binding");
                }
            }
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &files {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != *text {
            if bless {
                std::fs::write(&path, text).expect("write a binding");
            } else {
                stale.push(name.clone());
            }
        }
    }
    if !bless {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".ts") && !files.iter().any(|(n, _)| *n == name) {
                    stale.push(format!("{name} (no such type any more)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({}); run `KNOT_BLESS=1 cargo test -p knot-app-api --test bindings` and commit the result",
        stale.join(", ")
    );
}
