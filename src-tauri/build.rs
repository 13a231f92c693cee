//! Build script of the desktop app: compiles tauri.conf.json, the capabilities and the
//! embedded `ui/dist` assets once, here (tauri-build codegen), instead of in a proc macro,
//! so parallel builds of the app never race on the compressed assets.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .codegen(tauri_build::CodegenContext::new());
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri build failed: {e:#}");
        std::process::exit(1);
    }
}
