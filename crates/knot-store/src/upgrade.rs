//! Reading workspace files of any supported format version: older versions are migrated
//! forward one step at a time, newer ones are refused with a clear message.
//!
//! The main design choice: a migration is a pure function from the JSON *value* of version
//! `n` to the value of version `n + 1`, listed in [`STEPS`]. Reading runs the chain up to
//! [`FORMAT_VERSION`], then hands the result to `knot_model::check_bytes`, the one place
//! that understands the current format, so a migrated file gets exactly the same checks as
//! a native one. A file already at the current version is checked from its own bytes, so
//! every problem keeps its line and column. Today there is only version 1, so the chain is
//! empty; the runner is generic so each future step is one entry and one test.

use crate::error::{Result, StoreError};
use knot_model::{check_bytes, Problem, ProblemCode, Workspace, FORMAT_VERSION};
use serde_json::Value;
use std::path::Path;

/// One forward step: a file of version `from` becomes version `from + 1`.
pub struct Step {
    pub from: u64,
    pub apply: fn(Value) -> std::result::Result<Value, String>,
}

/// The forward migrations, oldest first. Version 1 is the first format: nothing to do yet.
pub const STEPS: &[Step] = &[];

/// Files larger than this are refused before being parsed.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Parses a workspace file's bytes (any supported version) into a checked workspace.
/// `path` only names the file in errors.
pub fn read_workspace(path: &Path, bytes: &[u8]) -> Result<Workspace> {
    read_with(path, bytes, STEPS, u64::from(FORMAT_VERSION))
}

/// [`read_workspace`] with an explicit migration chain and target (for tests of the runner).
pub fn read_with(path: &Path, bytes: &[u8], steps: &[Step], target: u64) -> Result<Workspace> {
    let report = check_bytes(bytes);
    if let (Some(ws), true) = (&report.workspace, report.problems.is_empty()) {
        return Ok(ws.clone());
    }
    // Only a file that is older than this build gets a second chance, through migration.
    let older = report.workspace.is_none()
        && report.problems.len() == 1
        && report
            .problems
            .iter()
            .all(|p| p.code == ProblemCode::Version);
    let version = if older { file_version(bytes) } else { None };
    match version {
        Some(v) if v < target => {
            let value = serde_json::from_slice::<Value>(bytes).map_err(|e| invalid(path, e))?;
            let upgraded = upgrade(path, value, v, steps, target)?;
            let text = serde_json::to_vec(&upgraded).map_err(|e| invalid(path, e))?;
            let report = check_bytes(&text);
            match report.workspace {
                Some(ws) if report.problems.is_empty() => Ok(ws),
                _ => Err(StoreError::InvalidFile {
                    path: path.to_path_buf(),
                    problems: report.problems,
                }),
            }
        }
        _ => Err(StoreError::InvalidFile {
            path: path.to_path_buf(),
            problems: report.problems,
        }),
    }
}

/// Applies the steps from `from` up to `target`; each step must exist.
pub fn upgrade(
    path: &Path,
    mut value: Value,
    from: u64,
    steps: &[Step],
    target: u64,
) -> Result<Value> {
    let mut version = from;
    while version < target {
        let step = steps
            .iter()
            .find(|s| s.from == version)
            .ok_or_else(|| StoreError::Migration {
                path: path.to_path_buf(),
                from: version,
                message: format!(
                    "format version {version} is older than any this Knot can read (it reads {}..={target})",
                    steps.iter().map(|s| s.from).min().unwrap_or(target)
                ),
            })?;
        value = (step.apply)(value).map_err(|message| StoreError::Migration {
            path: path.to_path_buf(),
            from: version,
            message,
        })?;
        version += 1;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("version".into(), Value::from(version));
        }
    }
    Ok(value)
}

/// The `version` number of a file, read without trusting anything else in it.
fn file_version(bytes: &[u8]) -> Option<u64> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    value.get("version")?.as_u64()
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidFile {
        path: path.to_path_buf(),
        problems: vec![Problem::new(
            ProblemCode::Syntax,
            knot_model::JsonPath::root(),
            e.to_string(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"{"version": 1, "name": "w",
        "sources": {"api": {"kind": "rest", "baseUrl": "http://127.0.0.1:9", "operations": {"get": {"method": "GET", "path": "/x"}}}},
        "schema": {"types": {"Query": {"fields": {"x": {"type": "String", "binding": {"source": "api", "operation": "get"}}}}}}}"#;

    #[test]
    fn a_version_1_file_passes_through_unchanged() {
        let ws = read_workspace(Path::new("w.knot.json"), V1.as_bytes()).unwrap();
        assert_eq!(ws.name, "w");
        assert_eq!(ws.version, 1);
    }

    #[test]
    fn an_older_file_is_migrated_step_by_step() {
        // Pretend this build writes version 1 and version 0 named the root `query`.
        fn zero_to_one(mut v: Value) -> std::result::Result<Value, String> {
            let obj = v.as_object_mut().ok_or("not an object")?;
            let schema = obj.remove("query").ok_or("no `query`")?;
            obj.insert("schema".into(), schema);
            Ok(v)
        }
        let steps = [Step {
            from: 0,
            apply: zero_to_one,
        }];
        let v0 = V1
            .replace("\"version\": 1", "\"version\": 0")
            .replace("\"schema\"", "\"query\"");
        let ws = read_with(Path::new("old.knot.json"), v0.as_bytes(), &steps, 1).unwrap();
        assert_eq!(ws.version, 1);
        assert!(ws.query_type().is_some());
        // Without the step, the same file is refused with a message naming the file.
        let err = read_with(Path::new("old.knot.json"), v0.as_bytes(), &[], 1).unwrap_err();
        assert_eq!(err.code(), "migration");
        assert!(err.to_string().contains("old.knot.json"), "{err}");
    }

    #[test]
    fn a_newer_file_is_refused_with_the_reason() {
        let v9 = V1.replace("\"version\": 1", "\"version\": 9");
        let err = read_workspace(Path::new("new.knot.json"), v9.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "invalid-file");
        let text = err.to_string();
        assert!(
            text.contains("new.knot.json") && text.contains("newer Knot"),
            "{text}"
        );
    }
}
