//! REST composite endpoints: a saved operation exposed as `GET /composite-order-details/{id}`.
//! Path and query parameters become the operation's variables, typed by its variable
//! definitions; the answer is the stitched JSON of the operation's root field.

use async_graphql_parser::types::DocumentOperations;
use knot_model::{HttpMethod, TypeRef, Workspace};
use serde_json::{Map, Value};

/// One endpoint: method, path template split in segments, and the operation it runs.
#[derive(Clone, Debug)]
pub struct RestRoute {
    pub method: HttpMethod,
    pub template: String,
    segments: Vec<Segment>,
    pub operation: String,
    pub document: String,
    pub operation_name: Option<String>,
    /// Variable name -> declared type.
    variables: Vec<(String, TypeRef)>,
    /// The root field response keys of the operation (one: unwrap it).
    pub root_keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// The endpoints a workspace declares.
pub fn routes(ws: &Workspace) -> Result<Vec<RestRoute>, String> {
    let mut out = Vec::new();
    for (name, op) in &ws.operations {
        let Some(rest) = &op.rest else { continue };
        let doc = knot_model::document::parse_query(&op.document)
            .map_err(|e| format!("operation `{name}`: {e}"))?;
        let chosen = match (&doc.operations, &op.operation_name) {
            (DocumentOperations::Single(o), _) => Some(o),
            (DocumentOperations::Multiple(m), Some(n)) => m.get(n.as_str()),
            (DocumentOperations::Multiple(m), None) => m.values().next(),
        };
        let Some(chosen) = chosen else {
            return Err(format!("operation `{name}`: no operation to run"));
        };
        let mut variables = Vec::new();
        for def in &chosen.node.variable_definitions {
            let ty = TypeRef::parse(&def.node.var_type.node.to_string())
                .map_err(|e| format!("operation `{name}`: {e}"))?;
            variables.push((def.node.name.node.to_string(), ty));
        }
        let root_keys = chosen
            .node
            .selection_set
            .node
            .items
            .iter()
            .filter_map(|i| match &i.node {
                async_graphql_parser::types::Selection::Field(f) => {
                    Some(f.node.response_key().node.to_string())
                }
                _ => None,
            })
            .collect();
        let segments = rest
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(p) => Segment::Param(p.to_string()),
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        out.push(RestRoute {
            method: rest.method,
            template: rest.path.clone(),
            segments,
            operation: name.clone(),
            document: op.document.clone(),
            operation_name: op.operation_name.clone(),
            variables,
            root_keys,
        });
    }
    Ok(out)
}

impl RestRoute {
    /// The path parameters when `path` matches this route's template.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (seg, part) in self.segments.iter().zip(parts) {
            let decoded = percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .ok()?
                .into_owned();
            match seg {
                Segment::Literal(l) if *l == decoded => {}
                Segment::Literal(_) => return None,
                Segment::Param(p) => params.push((p.clone(), decoded)),
            }
        }
        Some(params)
    }

    /// Variables from path and query parameters, converted to their declared types.
    /// Whether the endpoint's operation declares the variable `name`.
    pub fn takes(&self, name: &str) -> bool {
        self.variables.iter().any(|(v, _)| v == name)
    }

    pub fn variables(
        &self,
        path: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Map<String, Value>, String> {
        let mut vars = Map::new();
        for (name, ty) in &self.variables {
            let from_path: Vec<&String> = path
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect();
            let from_query: Vec<&String> = query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect();
            let values = if from_path.is_empty() {
                from_query
            } else {
                from_path
            };
            if values.is_empty() {
                continue;
            }
            let value = if ty.is_list() {
                let item = ty
                    .list_item()
                    .cloned()
                    .unwrap_or_else(|| TypeRef::Named("String".into()));
                Value::Array(
                    values
                        .iter()
                        .map(|v| convert(v, &item, name))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                convert(values[0], ty, name)?
            };
            vars.insert(name.clone(), value);
        }
        Ok(vars)
    }
}

fn convert(text: &str, ty: &TypeRef, name: &str) -> Result<Value, String> {
    match ty.named() {
        "Int" => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("parameter `{name}` must be an integer")),
        "Float" => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("parameter `{name}` must be a number")),
        "Boolean" => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("parameter `{name}` must be true or false")),
        },
        "JSON" => {
            serde_json::from_str(text).map_err(|_| format!("parameter `{name}` must be JSON"))
        }
        _ => Ok(Value::String(text.to_string())),
    }
}
