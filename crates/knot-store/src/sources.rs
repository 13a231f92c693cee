//! Adding sources to a stored workspace from what already describes a service: an OpenAPI
//! 3 document, a folder of `.proto` files, or a GraphQL endpoint's introspection.
//!
//! The main design choice: the importers themselves live in `knot-connect`; this module
//! only turns their result into a new entry of `sources` and saves the workspace through
//! the one save path (so a linked file is rewritten and conflicts are reported the same
//! way). Expensive results are cached: a compiled descriptor set under the hash of the
//! .proto files, an introspected source under its URL, which is also the fallback when the
//! endpoint cannot be reached. Proto paths are written relative to the workspace's file,
//! so the file stays portable across machines.

use crate::cache::{proto_key, CacheKind};
use crate::error::{Result, StoreError};
use crate::workspaces::{Saved, WorkspaceId};
use crate::{blocking, Store};
use knot_connect::ImportError;
use knot_model::{GraphqlSource, RestSource, Source};
use prost_reflect::DescriptorPool;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Most .proto files taken from one folder, and the deepest subfolder searched.
const MAX_PROTO_FILES: usize = 500;
const MAX_PROTO_DEPTH: usize = 8;

impl Store {
    /// Adds the REST operations of an OpenAPI 3 document (JSON or YAML) as source `name`.
    /// `origin` names the document in errors.
    pub async fn add_openapi_source(
        &self,
        id: WorkspaceId,
        name: &str,
        text: &str,
        origin: &str,
        base_url: Option<&str>,
    ) -> Result<Saved> {
        let rest: RestSource = knot_connect::openapi::import_openapi(text, origin, base_url)
            .map_err(|e| import_error(origin, e))?;
        self.add_source(id, name, Source::Rest(rest)).await
    }

    /// Adds a gRPC source calling `endpoint`, described by every `.proto` file under
    /// `folder` (compiled now, to list the methods and to catch errors early).
    pub async fn add_proto_source(
        &self,
        id: WorkspaceId,
        name: &str,
        endpoint: &str,
        folder: &Path,
    ) -> Result<Saved> {
        let stored = self.workspace(id).await?;
        let folder = std::fs::canonicalize(folder).map_err(|e| StoreError::io(folder, e))?;
        // Paths are relative to the linked file's folder (the engine's base folder); a
        // workspace with no file gets absolute paths, right until it is linked somewhere.
        let base = stored
            .info
            .file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let show = |p: &Path| match &base {
            Some(b) => relative(b, p),
            None => p.to_string_lossy().into_owned(),
        };
        let base = base.clone().unwrap_or_else(|| folder.clone());
        let f = folder.clone();
        let found = blocking(move || find_protos(&f)).await?;
        if found.is_empty() {
            return Err(StoreError::Import {
                origin: folder.display().to_string(),
                message: "the folder holds no .proto files".into(),
            });
        }
        let mut contents = Vec::new();
        for file in &found {
            let bytes = std::fs::read(file).map_err(|e| StoreError::io(file, e))?;
            contents.push((show(file), bytes));
        }
        let key = proto_key(&contents);
        let files: Vec<String> = contents.iter().map(|(n, _)| n.clone()).collect();
        let import_paths = vec![show(&folder)];
        let pool = match self.cache_get(CacheKind::ProtoDescriptors, &key).await? {
            Some(bytes) => DescriptorPool::decode(bytes.as_slice()).ok(),
            None => None,
        };
        let pool = match pool {
            Some(p) => p,
            None => {
                let (files, imports, base) = (files.clone(), import_paths.clone(), base.clone());
                let origin = folder.display().to_string();
                let pool = blocking(move || {
                    knot_connect::grpc::compile_protos(&files, &imports, &base).map_err(|e| {
                        // The compiler's message may not say which file; find the first
                        // file that fails alone and name it.
                        let alone = |f: &String| {
                            knot_connect::grpc::compile_protos(
                                std::slice::from_ref(f),
                                &imports,
                                &base,
                            )
                            .is_err()
                        };
                        match files.iter().find(|f| alone(f)) {
                            Some(f) => import_error(&format!("{origin} ({f})"), e),
                            None => import_error(&origin, e),
                        }
                    })
                })
                .await?;
                self.cache_put(CacheKind::ProtoDescriptors, &key, &pool.encode_to_vec())
                    .await?;
                pool
            }
        };
        let operations = knot_connect::reflect::operations_from_pool(&pool);
        // Built from JSON so fields the model adds later take their defaults.
        let source: Source = serde_json::from_value(serde_json::json!({
            "kind": "grpc",
            "endpoint": endpoint,
            "protoFiles": files,
            "importPaths": import_paths,
            "operations": operations,
        }))
        .map_err(|e| StoreError::Import {
            origin: folder.display().to_string(),
            message: e.to_string(),
        })?;
        self.add_source(id, name, source).await
    }

    /// Adds a GraphQL source by introspecting `url`. When the endpoint cannot be reached,
    /// the last introspection of the same URL is used if there is one.
    pub async fn add_graphql_source(
        &self,
        id: WorkspaceId,
        name: &str,
        url: &str,
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<Saved> {
        let source = match knot_connect::introspect::introspect(url, headers, timeout).await {
            Ok(s) => {
                if let Ok(bytes) = serde_json::to_vec(&s) {
                    self.cache_put(CacheKind::Introspection, url, &bytes)
                        .await?;
                }
                s
            }
            Err(e @ ImportError::Network { .. }) => {
                let cached = self.cache_get(CacheKind::Introspection, url).await?;
                match cached.and_then(|b| serde_json::from_slice::<GraphqlSource>(&b).ok()) {
                    Some(s) => {
                        tracing::warn!(url, "introspection failed; using the cached schema");
                        s
                    }
                    None => return Err(import_error(url, e)),
                }
            }
            Err(e) => return Err(import_error(url, e)),
        };
        self.add_source(id, name, Source::Graphql(source)).await
    }

    /// Adds a gRPC source calling `endpoint`, its methods listed by server reflection (the
    /// source keeps `reflection: true`, so calls fetch descriptors the same way).
    pub async fn add_reflected_source(
        &self,
        id: WorkspaceId,
        name: &str,
        endpoint: &str,
        timeout: Duration,
    ) -> Result<Saved> {
        let (pool, _) = knot_connect::reflect::fetch_descriptors(endpoint, &[], timeout, None)
            .await
            .map_err(|e| import_error(endpoint, e))?;
        let source = knot_model::GrpcSource {
            description: String::new(),
            endpoint: endpoint.to_string(),
            proto_files: Vec::new(),
            import_paths: Vec::new(),
            reflection: true,
            headers: Default::default(),
            forward_headers: Vec::new(),
            timeout_ms: None,
            max_concurrency: None,
            operations: knot_connect::reflect::operations_from_pool(&pool),
        };
        self.add_source(id, name, Source::Grpc(source)).await
    }

    /// Adds one source under a new name and saves.
    pub async fn add_source(&self, id: WorkspaceId, name: &str, source: Source) -> Result<Saved> {
        let mut stored = self.workspace(id).await?;
        if stored.workspace.sources.contains_key(name) {
            return Err(StoreError::SourceTaken {
                workspace: stored.info.name,
                source_name: name.to_string(),
            });
        }
        stored.workspace.sources.insert(name.to_string(), source);
        self.update_workspace(id, &stored.workspace).await
    }
}

fn import_error(origin: &str, e: ImportError) -> StoreError {
    StoreError::Import {
        origin: origin.to_string(),
        message: e.to_string(),
    }
}

/// Every `.proto` file under `folder`, sorted, bounded in count and depth.
fn find_protos(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![(folder.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| StoreError::io(&dir, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < MAX_PROTO_DEPTH {
                pending.push((path, depth + 1));
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "proto") {
                out.push(path);
                if out.len() > MAX_PROTO_FILES {
                    return Err(StoreError::Import {
                        origin: folder.display().to_string(),
                        message: format!("more than {MAX_PROTO_FILES} .proto files"),
                    });
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `to` relative to the folder `from` (both absolute), with `/` separators; `to` itself
/// when they share no root (another drive).
pub fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), a.len() - common).collect();
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/b/c.proto")),
            "c.proto"
        );
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/p/c.proto")),
            "../p/c.proto"
        );
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
    }
}
