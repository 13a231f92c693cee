//! Problems found in a workspace, each pinned to a JSON path (and a line and column when
//! the file text is at hand), with a stable code the UI can match on instead of text.

use serde::Serialize;
use std::fmt;

/// One segment of a JSON path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// A JSON path such as `$.schema.types.Order.fields.user`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonPath(pub Vec<PathSeg>);

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }
    /// This path extended by object keys.
    pub fn keys<I, S>(&self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut v = self.0.clone();
        v.extend(keys.into_iter().map(|k| PathSeg::Key(k.into())));
        JsonPath(v)
    }
    pub fn key(&self, key: impl Into<String>) -> Self {
        self.keys([key])
    }
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(PathSeg::Index(i));
        JsonPath(v)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$")?;
        for seg in &self.0 {
            match seg {
                PathSeg::Index(i) => write!(f, "[{i}]")?,
                PathSeg::Key(k) if crate::typeref::is_graphql_name(k) => write!(f, ".{k}")?,
                PathSeg::Key(k) => write!(f, "[{}]", serde_json::Value::String(k.clone()))?,
            }
        }
        Ok(())
    }
}

impl Serialize for JsonPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// What kind of problem, for machines (the UI, tests). Messages are for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemCode {
    /// Not UTF-8, not JSON, or nested too deep.
    Syntax,
    /// Missing, unreadable or unsupported `version`.
    Version,
    /// A value of the wrong JSON shape or an unknown key.
    Shape,
    /// A name that is empty or not allowed.
    InvalidName,
    UnknownSource,
    UnknownOperation,
    UnknownField,
    UnknownType,
    UnknownArgument,
    UnknownInput,
    UnknownVariable,
    MissingInput,
    TypeMismatch,
    BindingCycle,
    InvalidTemplate,
    InvalidDocument,
    /// A secret's value written into the file.
    SecretInFile,
    /// A .proto file or gRPC method that cannot be used.
    Proto,
    /// Federation subgraphs that do not compose into a supergraph.
    Composition,
}

/// One problem in a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: ProblemCode,
    pub path: JsonPath,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Problem {
    pub fn new(code: ProblemCode, path: JsonPath, message: impl Into<String>) -> Self {
        Problem {
            code,
            path,
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
