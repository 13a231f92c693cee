//! The OpenAPI 3.1 document of a workspace's REST composite endpoints.
//!
//! Each endpoint is described as `knot serve` answers it: path parameters and (for GET)
//! query parameters from the operation's variables, a JSON object of the other variables as
//! the body of a write, the root field's value as the 200 answer (with `errors` beside the
//! data of a partial answer), and one response per status the gateway gives an error with,
//! all of the one error body `{"errors": [{"message", "path", "extensions": {"category"}}]}`.
//! Enums and input objects are named schemas under `components`, from the public schema.

use crate::shape::{self, Kind, Member, Operation, Schema, Shape, ShapeError, Variable};
use knot_model::{HttpMethod, Workspace};
use serde_json::{json, Map, Value};

/// The statuses an endpoint answers errors with, their named response, and what they mean.
const ERRORS: [(&str, &str, &str); 7] = [
    ("400", "BadRequest", "A parameter or the body is invalid, a gateway limit was passed, or the operation refused the input (category VALIDATION)."),
    ("404", "NotFound", "The operation answered nothing (null) and no error."),
    ("421", "MisdirectedRequest", "The gateway does not answer for the Host the request names."),
    ("422", "DependencyRefused", "A service behind the gateway refused the request (category DEPENDENCY_VALIDATION)."),
    ("502", "DependencyFailed", "A service behind the gateway failed (category DEPENDENCY)."),
    ("503", "Overloaded", "The gateway is at its limit of requests in flight; retry after `Retry-After` seconds."),
    ("504", "Timeout", "The answer took too long (category TIMEOUT)."),
];

/// Error statuses only writes (requests with a body) get.
const WRITE_ERRORS: [(&str, &str, &str); 3] = [
    (
        "408",
        "BodyTimeout",
        "The request body did not arrive in time.",
    ),
    (
        "413",
        "BodyTooLarge",
        "The request body is larger than the gateway's limit.",
    ),
    (
        "415",
        "NotJson",
        "The request body was not sent as `application/json`.",
    ),
];

/// The OpenAPI 3.1 document of `ws`'s REST endpoints, typed by `public_sdl`.
pub fn openapi(ws: &Workspace, public_sdl: &str) -> Result<Value, ShapeError> {
    let schema = Schema::parse(public_sdl)?;
    let endpoints = shape::operations(&schema, ws, |op| op.rest.is_some())?;
    let mut paths: Map<String, Value> = Map::new();
    let mut any_write = false;
    for (op, saved) in &endpoints {
        let Some(rest) = &saved.rest else { continue };
        let write = !matches!(rest.method, HttpMethod::Get);
        any_write |= write;
        let item = paths
            .entry(rest.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                rest.method.as_str().to_ascii_lowercase(),
                operation(op, &rest.path, write),
            );
        }
    }
    let mut info = Map::new();
    info.insert("title".into(), json!(ws.name));
    if !ws.description.is_empty() {
        info.insert("description".into(), json!(ws.description));
    }
    info.insert("version".into(), json!("1"));
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    doc.insert("info".into(), Value::Object(info));
    doc.insert("servers".into(), json!([{"url": "/"}]));
    doc.insert("paths".into(), Value::Object(paths));
    doc.insert("components".into(), components(&schema, any_write));
    Ok(Value::Object(doc))
}

/// The document as the bytes `knot export openapi` writes and `/openapi.json` serves.
pub fn openapi_bytes(ws: &Workspace, public_sdl: &str) -> Result<Vec<u8>, ShapeError> {
    let doc = openapi(ws, public_sdl)?;
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| ShapeError(format!("the document does not serialize: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Where each of an endpoint's variables travels: in the path, in the query string (a GET's
/// others), or in the JSON body (a write's others), as `knot serve` reads them: the rule the
/// OpenAPI document and the app's cURL commands both follow.
pub struct Parts<'a> {
    pub path: Vec<&'a Variable>,
    pub query: Vec<&'a Variable>,
    pub body: Vec<&'a Variable>,
}

/// Sorts `op`'s variables by where they travel in a request to `path`.
pub fn classify<'a>(op: &'a Operation, path: &str, write: bool) -> Parts<'a> {
    let in_path: Vec<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let mut parts = Parts {
        path: Vec::new(),
        query: Vec::new(),
        body: Vec::new(),
    };
    for v in &op.variables {
        if in_path.contains(&v.name.as_str()) {
            parts.path.push(v);
        } else if write {
            parts.body.push(v);
        } else {
            parts.query.push(v);
        }
    }
    parts
}

fn operation(op: &Operation, path: &str, write: bool) -> Value {
    let parts = classify(op, path, write);
    let mut parameters = Vec::new();
    let body_vars = parts.body;
    for v in parts.path {
        parameters.push(json!({
            "name": v.name,
            "in": "path",
            "required": true,
            "schema": value_schema(&Shape { nullable: false, kind: v.shape.kind.clone() }),
        }));
    }
    for v in parts.query {
        let mut schema = value_schema(&v.shape);
        if let (Some(d), Value::Object(m)) = (&v.default, &mut schema) {
            m.insert("default".into(), d.clone());
        }
        let mut p = Map::new();
        p.insert("name".into(), json!(v.name));
        p.insert("in".into(), json!("query"));
        p.insert("required".into(), json!(v.required));
        if matches!(v.shape.kind, Kind::List(_)) {
            p.insert("style".into(), json!("form"));
            p.insert("explode".into(), json!(true));
        }
        p.insert("schema".into(), schema);
        parameters.push(Value::Object(p));
    }
    let mut out = Map::new();
    out.insert("operationId".into(), json!(op.name));
    if !op.description.is_empty() {
        out.insert("description".into(), json!(op.description));
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }
    if write {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for v in &body_vars {
            let mut schema = value_schema(&v.shape);
            if let (Some(d), Value::Object(m)) = (&v.default, &mut schema) {
                m.insert("default".into(), d.clone());
            }
            properties.insert(v.name.clone(), schema);
            if v.required {
                required.push(json!(v.name));
            }
        }
        let any_required = !required.is_empty();
        let mut body = Map::new();
        body.insert("type".into(), json!("object"));
        body.insert("properties".into(), Value::Object(properties));
        if any_required {
            body.insert("required".into(), Value::Array(required));
        }
        body.insert("additionalProperties".into(), json!(false));
        out.insert(
            "requestBody".into(),
            json!({
                "description": "The operation's variables that are not in the path.",
                "required": any_required,
                "content": {"application/json": {"schema": Value::Object(body)}},
            }),
        );
    }
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({
            "description": "The answer of the operation's root field; a partial answer also carries `errors`.",
            "content": {"application/json": {"schema": answer_schema(&op.root)}},
        }),
    );
    let mut statuses: Vec<(&str, &str)> = ERRORS.iter().map(|(s, n, _)| (*s, *n)).collect();
    if write {
        statuses.extend(WRITE_ERRORS.iter().map(|(s, n, _)| (*s, *n)));
    }
    statuses.sort();
    for (status, name) in statuses {
        responses.insert(
            status.into(),
            json!({"$ref": format!("#/components/responses/{name}")}),
        );
    }
    out.insert("responses".into(), Value::Object(responses));
    Value::Object(out)
}

/// The 200 body: the root field's value when there is one root field (never null: a null
/// answer is an error status), else the object of every root field.
fn answer_schema(root: &[Member]) -> Value {
    let mut schema = match root {
        [one] => value_schema(&Shape {
            nullable: false,
            kind: one.shape.kind.clone(),
        }),
        many => object_schema(many),
    };
    let is_object =
        matches!(root, [one] if matches!(one.shape.kind, Kind::Object { .. })) || root.len() != 1;
    if let (true, Value::Object(m)) = (is_object, &mut schema) {
        if let Some(Value::Object(props)) = m.get_mut("properties") {
            props.insert(
                "errors".into(),
                json!({"$ref": "#/components/schemas/Errors"}),
            );
            props.insert(
                "extensions".into(),
                json!({"type": "object", "description": "The plan and trace, for the operator's trace header only."}),
            );
        }
    }
    schema
}

fn object_schema(members: &[Member]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for m in members {
        properties.insert(m.key.clone(), value_schema(&m.shape));
        if !m.conditional {
            required.push(json!(m.key));
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    Value::Object(out)
}

/// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a value.
pub fn value_schema(shape: &Shape) -> Value {
    let schema = match &shape.kind {
        Kind::Scalar(name) => match name.as_str() {
            "ID" | "String" => json!({"type": "string"}),
            "Int" => json!({"type": "integer", "format": "int32"}),
            "Float" => json!({"type": "number", "format": "double"}),
            "Boolean" => json!({"type": "boolean"}),
            "JSON" => return json!({"description": "Any JSON value."}),
            other => return json!({"description": format!("The custom scalar `{other}`.")}),
        },
        Kind::Enum(name) | Kind::Input(name) => {
            json!({"$ref": format!("#/components/schemas/{name}")})
        }
        Kind::List(item) => json!({"type": "array", "items": value_schema(item)}),
        Kind::Object { fields, .. } => object_schema(fields),
    };
    if !shape.nullable {
        return schema;
    }
    match schema {
        Value::Object(m) if m.get("type").is_some_and(Value::is_string) => Value::Object(
            m.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "type" => (k, json!([v, "null"])),
                    _ => (k, v),
                })
                .collect(),
        ),
        other => json!({"anyOf": [other, {"type": "null"}]}),
    }
}

fn components(schema: &Schema, any_write: bool) -> Value {
    let mut schemas = Map::new();
    for (name, values, description) in schema.enums() {
        let mut m = Map::new();
        if !description.is_empty() {
            m.insert("description".into(), json!(description));
        }
        m.insert("type".into(), json!("string"));
        m.insert(
            "enum".into(),
            Value::Array(values.iter().map(|(v, _)| json!(v)).collect()),
        );
        schemas.insert(name.to_string(), Value::Object(m));
    }
    for (name, fields, description) in schema.inputs() {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in fields {
            let mut s = value_schema(&f.shape);
            if let (false, Value::Object(m)) = (f.description.is_empty(), &mut s) {
                m.insert("description".into(), json!(f.description));
            }
            properties.insert(f.name.clone(), s);
            if f.required {
                required.push(json!(f.name));
            }
        }
        let mut m = Map::new();
        if !description.is_empty() {
            m.insert("description".into(), json!(description));
        }
        m.insert("type".into(), json!("object"));
        m.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            m.insert("required".into(), Value::Array(required));
        }
        m.insert("additionalProperties".into(), json!(false));
        schemas.insert(name.to_string(), Value::Object(m));
    }
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "description": "A public error: a safe message, where in the answer it is, and its category. It never names a service or an address.",
            "properties": {
                "message": {"type": "string"},
                "path": {"type": "array", "items": {"type": ["string", "integer"]}},
                "extensions": {
                    "type": "object",
                    "properties": {
                        "category": {
                            "type": "string",
                            "enum": ["VALIDATION", "DEPENDENCY_VALIDATION", "DEPENDENCY", "TIMEOUT", "UNAVAILABLE"],
                        },
                    },
                },
            },
            "required": ["message"],
        }),
    );
    schemas.insert(
        "Errors".into(),
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Error"}}),
    );
    schemas.insert(
        "ErrorAnswer".into(),
        json!({
            "type": "object",
            "properties": {"errors": {"$ref": "#/components/schemas/Errors"}},
            "required": ["errors"],
        }),
    );
    let mut responses = Map::new();
    let writes: &[(&str, &str, &str)] = if any_write { &WRITE_ERRORS } else { &[] };
    for (status, name, description) in ERRORS.iter().chain(writes) {
        let mut r = json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}},
        });
        if *status == "503" {
            r["headers"] = json!({"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}});
        }
        responses.insert((*name).to_string(), r);
    }
    json!({"schemas": schemas, "responses": responses})
}
