//! The importers: the first byte picks one (its value modulo 3, so seeds start with the
//! text `0`, `1` or `2`), the rest is the document.
//! - `0`: an OpenAPI 3 document, JSON or YAML (`openapi::import_openapi`);
//! - `1`: a GraphQL introspection answer (`introspect::source_from_introspection`);
//! - `2`: a `.proto` file, compiled the way a gRPC source's files are
//!   (`grpc::compile_protos`, from a scratch folder) and turned into operations
//!   (`reflect::operations_from_pool`).
//!
//! An imported source is then put in a workspace, saved and read back through
//! `check_bytes`, as the CLI and the app do with it.
#![no_main]

use knot_connect::{grpc, introspect, openapi, reflect};
use knot_model::{GrpcSource, Source, Workspace};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A folder of this process for the .proto file under test: in `$TMPDIR` when set, else
/// in memory (`/dev/shm`) where possible.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("knot-fuzz-import-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot make {}: {e}", dir.display());
        }
        dir
    })
}

fn save_and_check(source: Source) {
    let Ok(mut ws) = serde_json::from_value::<Workspace>(serde_json::json!({
        "version": 1, "name": "imported", "schema": {"types": {}}
    })) else {
        panic!("the empty workspace does not read");
    };
    ws.sources.insert("imported".into(), source);
    let text = knot_model::to_canonical_json(&ws);
    let report = knot_model::check_bytes(text.as_bytes());
    assert!(
        report.workspace.is_some(),
        "an imported source does not read back: {:?}",
        report.problems
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 3 {
        0 => {
            if let Ok(source) = openapi::import_openapi(text, "fuzz.yaml", None) {
                save_and_check(Source::Rest(source));
            }
        }
        1 => {
            let Ok(answer) = serde_json::from_str(text) else {
                return;
            };
            if let Ok(source) =
                introspect::source_from_introspection("http://fuzz.test/graphql", &answer)
            {
                save_and_check(Source::Graphql(source));
            }
        }
        _ => {
            let dir = scratch();
            if std::fs::write(dir.join("fuzz.proto"), text).is_err() {
                return;
            }
            let files = vec!["fuzz.proto".to_string()];
            if let Ok(pool) = grpc::compile_protos(&files, &[], dir) {
                let operations = reflect::operations_from_pool(&pool);
                save_and_check(Source::Grpc(GrpcSource {
                    description: String::new(),
                    endpoint: "http://fuzz.test:50051".into(),
                    proto_files: files,
                    import_paths: Vec::new(),
                    reflection: false,
                    headers: Default::default(),
                    forward_headers: Vec::new(),
                    timeout_ms: None,
                    max_concurrency: None,
                    operations,
                }));
            }
        }
    }
});
