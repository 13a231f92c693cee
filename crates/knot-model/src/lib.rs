//! The Knot workspace model: the types a `*.knot.json` file holds, the one canonical way to
//! read and write it, and every check `knot check` performs.
//!
//! The main design choice: the file *is* the model. Sources, the unified schema, bindings,
//! saved operations and environments are plain serde types whose field order is the key
//! order on disk, collections are ordered maps keyed by name, and nothing here knows about
//! networks, GraphQL execution, storage or user interfaces. Reading never panics: every
//! problem comes back as a [`Problem`] with a code, a JSON path and, when the text is at
//! hand, a line and column.

pub mod document;
pub mod load;
pub mod locate;
pub mod problem;
pub mod sdl;
pub mod template;
pub mod typeref;
pub mod validate;
pub mod workspace;

pub use load::{check_bytes, load_file, to_canonical_json, CheckReport, LoadError};
pub use problem::{JsonPath, PathSeg, Problem, ProblemCode};
pub use sdl::public_sdl;
pub use typeref::TypeRef;
pub use workspace::*;

/// The JSON Schema of the workspace file format, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Workspace);
    let mut value = serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://knot.dev/schema/workspace-v1.json".into(),
        );
        obj.insert("title".into(), "Knot workspace (format version 1)".into());
    }
    value
}
