//! GraphQL import by introspection: ask a running service for its schema and offer each
//! root field as an operation.
//!
//! Design choice: only the root fields and the types of their arguments are taken; the
//! rest of the schema is not modelled. An argument keeps its exact shape (`!` and list
//! wrappers) but any named type beyond the five built-in scalars — custom scalars, enums,
//! input objects — is widened to `JSON`, the one open type operation inputs may use, so
//! the imported source never depends on type definitions Knot does not hold. The answer is
//! read as a plain JSON value, so a malformed or partial answer becomes an error naming
//! the JSON location, never a panic.

use std::time::Duration;

use indexmap::IndexMap;
use knot_model::{GraphqlOperation, GraphqlOperationType, GraphqlSource};
use serde_json::Value;

use crate::error::ImportError;

/// The standard full introspection query (types, fields, arguments, `ofType` seven levels
/// deep), limited to fields every spec-conforming server supports.
pub const INTROSPECTION_QUERY: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      locations
      args { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
              }
            }
          }
        }
      }
    }
  }
}
"#;

/// Scalars operation inputs may name as they are.
const BUILT_IN_SCALARS: [&str; 5] = ["ID", "String", "Int", "Float", "Boolean"];

/// Bound on type-reference nesting, beyond what any real schema uses.
const MAX_TYPE_DEPTH: usize = 32;

/// Converts an introspection answer (`{"data":{"__schema":…}}` or the `__schema` object
/// itself) into a source: one operation per Query root field, and per Mutation root field
/// (named `mutation_<field>` only when a query field has the same name).
pub fn source_from_introspection(url: &str, answer: &Value) -> Result<GraphqlSource, ImportError> {
    let invalid = |at: &str, message: String| ImportError::Invalid {
        what: format!("introspection answer of {url} at `{at}`"),
        message,
    };
    let (schema, base) = if let Some(schema) = answer.get("data").and_then(|d| d.get("__schema")) {
        (schema, "data.__schema")
    } else if let Some(schema) = answer.get("__schema") {
        (schema, "__schema")
    } else if answer.get("queryType").is_some() && answer.get("types").is_some() {
        (answer, "")
    } else {
        return Err(ImportError::Invalid {
            what: format!("introspection answer of {url}"),
            message: match graphql_errors(answer) {
                Some(errors) => format!("no schema; the service answered: {errors}"),
                None => "no `data.__schema` in the answer".to_string(),
            },
        });
    };
    let at = |rest: &str| {
        if base.is_empty() {
            rest.to_string()
        } else {
            format!("{base}.{rest}")
        }
    };
    if !schema.is_object() {
        return Err(invalid(base, "must be an object".to_string()));
    }
    let types = schema
        .get("types")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(&at("types"), "missing or not a list".to_string()))?;
    let root_name = |key: &str| -> Result<Option<&str>, ImportError> {
        match schema.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(root) => match root.get("name").and_then(Value::as_str) {
                Some(name) => Ok(Some(name)),
                None => Err(invalid(
                    &at(&format!("{key}.name")),
                    "missing or not a string".to_string(),
                )),
            },
        }
    };
    let query =
        root_name("queryType")?.ok_or_else(|| invalid(&at("queryType"), "missing".to_string()))?;
    let mutation = root_name("mutationType")?;

    let find_root = |name: &str| -> Result<(&Vec<Value>, String), ImportError> {
        let (index, ty) = types
            .iter()
            .enumerate()
            .find(|(_, t)| t.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| {
                invalid(
                    &at("types"),
                    format!("the root type `{name}` is not listed"),
                )
            })?;
        let here = at(&format!("types[{index}]"));
        let fields = ty.get("fields").and_then(Value::as_array).ok_or_else(|| {
            invalid(
                &format!("{here}.fields"),
                "missing or not a list".to_string(),
            )
        })?;
        Ok((fields, format!("{here}.fields")))
    };

    let mut operations = IndexMap::new();
    let (fields, fields_at) = find_root(query)?;
    for (i, field) in fields.iter().enumerate() {
        if let Some((name, op)) = operation(
            field,
            &format!("{fields_at}[{i}]"),
            GraphqlOperationType::Query,
            &invalid,
        )? {
            operations.insert(name, op);
        }
    }
    if let Some(mutation) = mutation {
        let (fields, fields_at) = find_root(mutation)?;
        for (i, field) in fields.iter().enumerate() {
            if let Some((name, op)) = operation(
                field,
                &format!("{fields_at}[{i}]"),
                GraphqlOperationType::Mutation,
                &invalid,
            )? {
                let name = if operations.contains_key(&name) {
                    format!("mutation_{name}")
                } else {
                    name
                };
                operations.insert(name, op);
            }
        }
    }
    Ok(GraphqlSource {
        description: String::new(),
        url: url.to_string(),
        headers: IndexMap::new(),
        forward_headers: Vec::new(),
        timeout_ms: None,
        max_concurrency: None,
        dedupe: None,
        h2c: None,
        operations,
        subgraph: None,
    })
}

/// One root field as an operation; `None` for meta fields (`__typename`).
fn operation(
    field: &Value,
    at: &str,
    operation_type: GraphqlOperationType,
    invalid: &dyn Fn(&str, String) -> ImportError,
) -> Result<Option<(String, GraphqlOperation)>, ImportError> {
    let name = field
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&format!("{at}.name"), "missing or not a string".to_string()))?;
    if name.starts_with("__") {
        return Ok(None);
    }
    let mut inputs = IndexMap::new();
    match field.get("args") {
        None | Some(Value::Null) => {}
        Some(Value::Array(args)) => {
            for (i, arg) in args.iter().enumerate() {
                let arg_at = format!("{at}.args[{i}]");
                let arg_name = arg.get("name").and_then(Value::as_str).ok_or_else(|| {
                    invalid(
                        &format!("{arg_at}.name"),
                        "missing or not a string".to_string(),
                    )
                })?;
                let ty = arg
                    .get("type")
                    .ok_or_else(|| invalid(&format!("{arg_at}.type"), "missing".to_string()))?;
                inputs.insert(
                    arg_name.to_string(),
                    type_text(ty, &format!("{arg_at}.type"), 0, invalid)?,
                );
            }
        }
        Some(_) => return Err(invalid(&format!("{at}.args"), "not a list".to_string())),
    }
    let description = field
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Some((
        name.to_string(),
        GraphqlOperation {
            description,
            operation_type,
            field: name.to_string(),
            inputs,
            selection: None,
        },
    )))
}

/// Renders a `__Type` reference as GraphQL type text, widening non-built-in named types to
/// `JSON`.
fn type_text(
    ty: &Value,
    at: &str,
    depth: usize,
    invalid: &dyn Fn(&str, String) -> ImportError,
) -> Result<String, ImportError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(invalid(at, "type wrappers nested too deeply".to_string()));
    }
    let kind = ty
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&format!("{at}.kind"), "missing or not a string".to_string()))?;
    let inner = |ty: &Value| -> Result<String, ImportError> {
        let of = ty.get("ofType").filter(|v| v.is_object()).ok_or_else(|| {
            invalid(
                &format!("{at}.ofType"),
                format!("a {kind} type must wrap a type (is the query deep enough?)"),
            )
        })?;
        type_text(of, &format!("{at}.ofType"), depth + 1, invalid)
    };
    match kind {
        "NON_NULL" => {
            let inner = inner(ty)?;
            if inner.ends_with('!') {
                let message = "NON_NULL wraps NON_NULL".to_string();
                return Err(invalid(&format!("{at}.ofType"), message));
            }
            Ok(format!("{inner}!"))
        }
        "LIST" => Ok(format!("[{}]", inner(ty)?)),
        "SCALAR" | "ENUM" | "INPUT_OBJECT" | "OBJECT" | "INTERFACE" | "UNION" => {
            let name = ty.get("name").and_then(Value::as_str).ok_or_else(|| {
                invalid(
                    &format!("{at}.name"),
                    "a named type needs a name".to_string(),
                )
            })?;
            Ok(if kind == "SCALAR" && BUILT_IN_SCALARS.contains(&name) {
                name
            } else {
                "JSON"
            }
            .to_string())
        }
        other => Err(invalid(
            &format!("{at}.kind"),
            format!("unknown type kind `{other}`"),
        )),
    }
}

/// The messages of a GraphQL `errors` list, joined, if there are any.
fn graphql_errors(answer: &Value) -> Option<String> {
    let errors = answer.get("errors")?.as_array().filter(|e| !e.is_empty())?;
    Some(
        errors
            .iter()
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| e.to_string())
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// POSTs [`INTROSPECTION_QUERY`] to `url` with the headers, within the timeout, and
/// converts the answer.
pub async fn introspect(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<GraphqlSource, ImportError> {
    let answer = fetch_introspection(url, headers, timeout).await?;
    source_from_introspection(url, &answer)
}

/// POSTs [`INTROSPECTION_QUERY`] to `url` with the headers, within the timeout; the answer
/// (checked: JSON, HTTP success, no GraphQL errors) for [`source_from_introspection`] and
/// `graphql_types::types_from_introspection`.
pub async fn fetch_introspection(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<Value, ImportError> {
    let network = |message: String| ImportError::Network {
        target: url.to_string(),
        message,
    };
    let mut header_map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        let bad = |what: &str| ImportError::Invalid {
            what: format!("header `{name}` for {url}"),
            message: format!("not a valid HTTP header {what}"),
        };
        let name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
        let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| bad("value"))?;
        header_map.append(name, value);
    }
    let client = crate::http_client_builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| network(error_chain(&e)))?;
    let response = client
        .post(url)
        .headers(header_map)
        .header(reqwest::header::ACCEPT, "application/graphql-response+json, application/json")
        .json(&serde_json::json!({ "query": INTROSPECTION_QUERY, "operationName": "IntrospectionQuery" }))
        .send()
        .await
        .map_err(|e| {
            if e.is_builder() {
                ImportError::Invalid { what: format!("GraphQL URL `{url}`"), message: error_chain(&e) }
            } else if e.is_timeout() {
                network(format!("no answer within {} ms", timeout.as_millis()))
            } else {
                network(error_chain(&e))
            }
        })?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| {
        if e.is_timeout() {
            network(format!(
                "no complete answer within {} ms",
                timeout.as_millis()
            ))
        } else {
            network(error_chain(&e))
        }
    })?;
    let answer: Result<Value, _> = serde_json::from_slice(&body);
    if !status.is_success() {
        let detail = match answer.as_ref().ok().and_then(graphql_errors) {
            Some(errors) => errors,
            None => snippet(&body),
        };
        return Err(network(format!("HTTP {status}: {detail}")));
    }
    let answer = answer.map_err(|e| ImportError::Invalid {
        what: format!("introspection answer of {url}"),
        message: format!("not JSON ({e}): {}", snippet(&body)),
    })?;
    if let Some(errors) = graphql_errors(&answer) {
        return Err(ImportError::Invalid {
            what: format!("introspection of {url}"),
            message: format!(
                "the service answered with errors (is introspection disabled?): {errors}"
            ),
        });
    }
    Ok(answer)
}

/// The start of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "(empty body)".to_string(),
        None => text.to_string(),
    }
}

/// An error and its causes, `outer: inner: innermost`.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}
