//! Reading workspace files: bytes -> JSON -> version gate -> typed workspace -> semantic
//! checks, each step reporting problems with a JSON path and, from the text, a line and
//! column. Writing: the one canonical form (2-space indent, final newline) so load-then-save
//! gives identical bytes.

use crate::locate;
use crate::problem::{JsonPath, PathSeg, Problem, ProblemCode as Code};
use crate::validate::validate;
use crate::workspace::{Workspace, FORMAT_VERSION};
use serde_json::Value;
use std::path::Path;

/// The outcome of checking a file: the workspace when it could be read, and every problem.
#[derive(Debug)]
pub struct CheckReport {
    pub workspace: Option<Workspace>,
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Parses and fully checks a workspace file's bytes. Never panics.
pub fn check_bytes(bytes: &[u8]) -> CheckReport {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = locate::offset_to_line_col(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                e.valid_up_to(),
            );
            let mut p = Problem::new(
                Code::Syntax,
                JsonPath::root(),
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            );
            p.line = Some(line);
            p.column = Some(column);
            return CheckReport {
                workspace: None,
                problems: vec![p],
            };
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let mut p = Problem::new(
                Code::Syntax,
                JsonPath::root(),
                format!("not valid JSON: {}", strip_position(&e.to_string())),
            );
            if e.line() > 0 {
                p.line = Some(e.line());
                p.column = Some(e.column().max(1));
            }
            return CheckReport {
                workspace: None,
                problems: vec![p],
            };
        }
    };
    let value = match gate_version(value) {
        Ok(v) => v,
        Err(p) => {
            return with_positions(
                text,
                CheckReport {
                    workspace: None,
                    problems: vec![p],
                },
            )
        }
    };
    let ws: Workspace = match serde_path_to_error::deserialize(&value) {
        Ok(ws) => ws,
        Err(e) => {
            let path = convert_path(e.path());
            let p = deeper_source_problem(&value, &path)
                .unwrap_or_else(|| Problem::new(Code::Shape, path, e.inner().to_string()));
            return with_positions(
                text,
                CheckReport {
                    workspace: None,
                    problems: vec![p],
                },
            );
        }
    };
    let problems = validate(&ws);
    with_positions(
        text,
        CheckReport {
            workspace: Some(ws),
            problems,
        },
    )
}

/// Reads and checks a file. The error lists every problem.
pub fn load_file(path: &Path) -> Result<Workspace, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let report = check_bytes(&bytes);
    match report.workspace {
        Some(ws) if report.problems.is_empty() => Ok(ws),
        _ => Err(LoadError::Invalid {
            path: path.display().to_string(),
            problems: report.problems,
        }),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("{path} has {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// The canonical text of a workspace: stable key order, 2-space indent, final newline.
pub fn to_canonical_json(ws: &Workspace) -> String {
    // Serializing plain data types to a String cannot fail; keep a readable fallback anyway.
    let mut text =
        serde_json::to_string_pretty(ws).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Sources are internally tagged (`"kind"`), which hides where inside a source a shape
/// error is; deserialise the one source again as its own kind to find the exact path.
fn deeper_source_problem(value: &Value, path: &JsonPath) -> Option<Problem> {
    use crate::workspace::{GraphqlSource, GrpcSource, RestSource};
    let [PathSeg::Key(first), PathSeg::Key(name)] = path.0.as_slice() else {
        return None;
    };
    if first != "sources" {
        return None;
    }
    let mut source = value.get("sources")?.get(name)?.as_object()?.clone();
    let kind = source.remove("kind")?;
    let source = Value::Object(source);
    fn inner<T: serde::de::DeserializeOwned>(v: &Value) -> Option<(JsonPath, String)> {
        match serde_path_to_error::deserialize::<_, T>(v) {
            Ok(_) => None,
            Err(e) => Some((convert_path(e.path()), e.inner().to_string())),
        }
    }
    let (sub, message) = match kind.as_str()? {
        "rest" => inner::<RestSource>(&source)?,
        "grpc" => inner::<GrpcSource>(&source)?,
        "graphql" => inner::<GraphqlSource>(&source)?,
        _ => return None,
    };
    let mut full = path.clone();
    full.0.extend(sub.0);
    Some(Problem::new(Code::Shape, full, message))
}

fn gate_version(mut value: Value) -> Result<Value, Problem> {
    let Some(obj) = value.as_object_mut() else {
        return Err(Problem::new(
            Code::Shape,
            JsonPath::root(),
            "a workspace file holds one JSON object",
        ));
    };
    let path = JsonPath::root().key("version");
    match obj.get("version") {
        None => Err(Problem::new(Code::Version, JsonPath::root(), "missing `version` (this Knot writes version 1)")),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v == u64::from(FORMAT_VERSION) => Ok(value),
            Some(v) if v > u64::from(FORMAT_VERSION) => Err(Problem::new(
                Code::Version,
                path,
                format!("this file is format version {v}, written by a newer Knot; this Knot reads versions up to {FORMAT_VERSION}: upgrade Knot to open it"),
            )),
            _ => Err(Problem::new(Code::Version, path, format!("`version` must be a whole number from 1 to {FORMAT_VERSION}, found {n}"))),
        },
        Some(other) => Err(Problem::new(Code::Version, path, format!("`version` must be a number, found {}", kind(other)))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn convert_path(path: &serde_path_to_error::Path) -> JsonPath {
    use serde_path_to_error::Segment;
    JsonPath(
        path.iter()
            .filter_map(|s| match s {
                Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                Segment::Seq { index } => Some(PathSeg::Index(*index)),
                _ => None,
            })
            .collect(),
    )
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn with_positions(text: &str, mut report: CheckReport) -> CheckReport {
    for p in &mut report.problems {
        if p.line.is_none() {
            if let Some((l, c)) = locate::line_col(text, &p.path.0) {
                p.line = Some(l);
                p.column = Some(c);
            }
        }
    }
    report
}
