//! One saved operation called the three ways `knot serve` answers it: the GraphQL request,
//! the REST endpoint and the gRPC method, each as a command a person can paste into a shell
//! (`curl`, `grpcurl`). The app shows them side by side.
//!
//! The REST request follows the same rule as the OpenAPI document (path parameters, then
//! query parameters for a GET, else a JSON body of the other variables) and the gRPC method
//! the same names as the generated `.proto`, so what is shown is what is served. Variables the
//! caller gives are used as they are; the others get an example of their type (a default
//! when the operation declares one), so every command is complete.

use crate::openapi::classify;
use crate::proto::{self, Proto};
use crate::shape::{Kind, Operation, Schema, Shape, ShapeError};
use knot_model::{HttpMethod, Workspace};
use serde_json::{json, Map, Value};

/// Where the gateway is reached, for the commands.
#[derive(Debug, Clone)]
pub struct Addresses {
    /// `http://127.0.0.1:4000`: GraphQL at `/graphql`, the REST endpoints under it.
    pub http: String,
    /// `127.0.0.1:50051`: the gRPC port (`knot serve --grpc-port`).
    pub grpc: String,
}

impl Default for Addresses {
    fn default() -> Self {
        Addresses {
            http: "http://127.0.0.1:4000".into(),
            grpc: "127.0.0.1:50051".into(),
        }
    }
}

/// The three ways to call one saved operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Calls {
    pub name: String,
    pub mutation: bool,
    /// The variables the commands carry (given ones, then examples).
    pub variables: Map<String, Value>,
    /// Names of the variables whose value is an example, not one the caller gave.
    pub examples: Vec<String>,
    pub graphql: GraphqlCall,
    /// `None` when the operation has no REST endpoint.
    pub rest: Option<RestCall>,
    /// `None` when the operation is not marked for gRPC.
    pub grpc: Option<GrpcCall>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlCall {
    pub url: String,
    /// The POST body (`query`, `operationName`, `variables`).
    pub body: Value,
    pub curl: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestCall {
    pub method: String,
    /// The endpoint as declared (`/composite-order-details/{id}`).
    pub path: String,
    /// With the values filled in and the query string.
    pub url: String,
    pub body: Option<Value>,
    pub curl: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GrpcCall {
    /// `knot.shop.ShopService`.
    pub service: String,
    pub method: String,
    /// The request message in JSON (proto3 JSON names).
    pub request: Value,
    /// `grpcurl -plaintext -d '…' ADDR knot.shop.ShopService/OrderDetails`.
    pub grpcurl: String,
    /// The request and response messages as the `.proto` declares them.
    pub messages: String,
}

/// How saved operation `name` of `ws` is called over GraphQL, REST and gRPC, with `given`
/// variables (the others get examples).
pub fn calls(
    ws: &Workspace,
    public_sdl: &str,
    name: &str,
    given: &Map<String, Value>,
    at: &Addresses,
) -> Result<Calls, ShapeError> {
    let saved = ws
        .operations
        .get(name)
        .ok_or_else(|| ShapeError(format!("no saved operation `{name}`")))?;
    let schema = Schema::parse(public_sdl)?;
    let op = schema.operation(name, saved)?;
    let mut variables = Map::new();
    let mut examples = Vec::new();
    for v in &op.variables {
        match given.get(&v.name) {
            Some(value) => {
                variables.insert(v.name.clone(), value.clone());
            }
            None => {
                let value = v
                    .default
                    .clone()
                    .unwrap_or_else(|| example(&schema, &v.shape, 0));
                variables.insert(v.name.clone(), value);
                examples.push(v.name.clone());
            }
        }
    }
    let http = at.http.trim_end_matches('/');

    let mut body = Map::new();
    body.insert("query".into(), json!(one_line(&saved.document)));
    if let Some(op_name) = &saved.operation_name {
        body.insert("operationName".into(), json!(op_name));
    }
    if !variables.is_empty() {
        body.insert("variables".into(), Value::Object(variables.clone()));
    }
    let body = Value::Object(body);
    let graphql_url = format!("{http}/graphql");
    let graphql = GraphqlCall {
        curl: format!(
            "curl -X POST {} \\\n  -H 'content-type: application/json' \\\n  -d {}",
            sh(&graphql_url),
            sh(&body.to_string())
        ),
        url: graphql_url,
        body,
    };

    let rest = saved
        .rest
        .as_ref()
        .map(|rest| rest_call(&op, &rest.path, &rest.method, &variables, http));

    let grpc = match &saved.grpc {
        None => None,
        Some(_) => {
            let generated = proto::proto(ws, public_sdl)?
                .ok_or_else(|| ShapeError("no gRPC service was generated".into()))?;
            Some(grpc_call(&generated, &op, &variables, &at.grpc)?)
        }
    };

    Ok(Calls {
        name: name.to_string(),
        mutation: op.mutation,
        variables,
        examples,
        graphql,
        rest,
        grpc,
    })
}

fn rest_call(
    op: &Operation,
    path: &str,
    method: &HttpMethod,
    variables: &Map<String, Value>,
    http: &str,
) -> RestCall {
    let write = !matches!(method, HttpMethod::Get);
    let parts = classify(op, path, write);
    let mut url = String::new();
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            url.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(var) => url.push_str(&encode(&text_of(variables.get(var)))),
            None => url.push_str(segment),
        }
    }
    let mut query = Vec::new();
    for v in &parts.query {
        match variables.get(&v.name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    query.push(format!(
                        "{}={}",
                        encode(&v.name),
                        encode(&text_of(Some(item)))
                    ));
                }
            }
            Some(value) => query.push(format!(
                "{}={}",
                encode(&v.name),
                encode(&text_of(Some(value)))
            )),
        }
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let url = format!("{http}{url}");
    let body = write.then(|| {
        let mut body = Map::new();
        for v in &parts.body {
            if let Some(value) = variables.get(&v.name) {
                body.insert(v.name.clone(), value.clone());
            }
        }
        Value::Object(body)
    });
    let method_name = method.as_str().to_string();
    let curl = match &body {
        None if method_name == "GET" => format!("curl {}", sh(&url)),
        None => format!("curl -X {method_name} {}", sh(&url)),
        Some(body) => format!(
            "curl -X {method_name} {} \\\n  -H 'content-type: application/json' \\\n  -d {}",
            sh(&url),
            sh(&body.to_string())
        ),
    };
    RestCall {
        method: method_name,
        path: path.to_string(),
        url,
        body,
        curl,
    }
}

fn grpc_call(
    generated: &Proto,
    op: &Operation,
    variables: &Map<String, Value>,
    addr: &str,
) -> Result<GrpcCall, ShapeError> {
    let method = generated
        .methods
        .iter()
        .find(|m| m.name == op.name)
        .ok_or_else(|| {
            ShapeError(format!(
                "operation `{}` is not a method of the generated service",
                op.name
            ))
        })?;
    let service = format!("{}.{}", generated.package, generated.service);
    // proto3 JSON: a field's JSON name is the lowerCamelCase of its (snake_case) name.
    let mut request = Map::new();
    for v in &op.variables {
        if let Some(value) = variables.get(&v.name) {
            if !value.is_null() {
                request.insert(camel(&proto::snake(&v.name)), value.clone());
            }
        }
    }
    let request = Value::Object(request);
    let target = format!("{service}/{}", method.name);
    let grpcurl = format!(
        "grpcurl -plaintext \\\n  -d {} \\\n  {} {}",
        sh(&request.to_string()),
        sh(addr),
        target
    );
    Ok(GrpcCall {
        service,
        method: method.name.clone(),
        request,
        grpcurl,
        messages: generated.messages_of(&method.input, &method.output),
    })
}

/// An example value of a type: the first value of an enum, one element in a list, an input
/// object's required fields.
fn example(schema: &Schema, shape: &Shape, depth: usize) -> Value {
    match &shape.kind {
        Kind::Scalar(name) => match name.as_str() {
            "ID" => json!("1"),
            "Int" => json!(1),
            "Float" => json!(1.5),
            "Boolean" => json!(true),
            "DateTime" => json!("2026-01-01T00:00:00Z"),
            "String" => json!("text"),
            _ => json!("value"),
        },
        Kind::Enum(name) => schema
            .enums()
            .find(|(n, _, _)| n == name)
            .and_then(|(_, values, _)| values.first())
            .map(|(v, _)| json!(v))
            .unwrap_or(Value::Null),
        Kind::List(inner) if depth < 4 => json!([example(schema, inner, depth + 1)]),
        Kind::List(_) => json!([]),
        Kind::Input(name) if depth < 4 => {
            let mut out = Map::new();
            if let Some((_, fields, _)) = schema.inputs().find(|(n, _, _)| n == name) {
                for f in fields.iter().filter(|f| f.required) {
                    out.insert(f.name.clone(), example(schema, &f.shape, depth + 1));
                }
            }
            Value::Object(out)
        }
        Kind::Input(_) | Kind::Object { .. } => json!({}),
    }
}

/// A GraphQL document on one line, for a command: comments dropped and every run of
/// whitespace (and commas, which GraphQL ignores too) outside string literals made one space.
pub fn one_line(document: &str) -> String {
    let mut out = String::with_capacity(document.len());
    let mut chars = document.chars().peekable();
    let mut gap = false;
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for n in chars.by_ref() {
                    if n == '\n' || n == '\r' {
                        break;
                    }
                }
                gap = true;
            }
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => gap = true,
            '"' => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push('"');
                let block = chars.peek() == Some(&'"') && {
                    let mut ahead = chars.clone();
                    ahead.next();
                    ahead.next() == Some('"')
                };
                if block {
                    out.push_str("\"\"");
                    chars.next();
                    chars.next();
                    // Up to the closing """ (\""" is an escaped one).
                    let mut quotes = 0;
                    while let Some(n) = chars.next() {
                        out.push(n);
                        if n == '\\' && chars.peek() == Some(&'"') {
                            quotes = 0;
                            continue;
                        }
                        quotes = if n == '"' { quotes + 1 } else { 0 };
                        if quotes == 3 {
                            break;
                        }
                    }
                } else {
                    while let Some(n) = chars.next() {
                        out.push(n);
                        if n == '\\' {
                            if let Some(e) = chars.next() {
                                out.push(e);
                            }
                        } else if n == '"' {
                            break;
                        }
                    }
                }
            }
            c => {
                let punct = |c: char| "{}()[]:=!$@|&.".contains(c);
                if gap && !out.is_empty() {
                    let last = out.chars().last().unwrap_or(' ');
                    // Keep a space where the document had one between two words, and around
                    // braces, for reading; drop it after `(`/`[` and before `)`/`]`/`:`.
                    if !(matches!(last, '(' | '[') || matches!(c, ')' | ']' | ':'))
                        || !(punct(last) || punct(c))
                    {
                        out.push(' ');
                    }
                }
                gap = false;
                out.push(c);
            }
        }
    }
    out
}

/// A value as it goes into a path or query parameter.
fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A shell word: single-quoted unless it needs no quotes.
pub fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(
            sh("http://127.0.0.1:4000/graphql"),
            "http://127.0.0.1:4000/graphql"
        );
        assert_eq!(sh(r#"{"id":"1"}"#), r#"'{"id":"1"}'"#);
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh(""), "''");
    }

    #[test]
    fn parameters_are_percent_encoded() {
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("x-1_2.3~"), "x-1_2.3~");
    }

    #[test]
    fn documents_go_on_one_line_with_their_strings_intact() {
        assert_eq!(
            one_line("query Q($id: ID!) {\n  # the order\n  order(id: $id, note: \"a  #b\\\"  c\") {\n    id\n  }\n}\n"),
            r#"query Q($id: ID!) { order(id: $id note: "a  #b\"  c") { id } }"#
        );
        assert_eq!(
            one_line("{ f(text: \"\"\"two\n  lines \\\"\"\" here\"\"\") }"),
            "{ f(text: \"\"\"two\n  lines \\\"\"\" here\"\"\") }"
        );
        assert_eq!(one_line("{a,b}"), "{a b}");
    }

    #[test]
    fn json_names_are_lower_camel_case() {
        assert_eq!(camel("product_ids"), "productIds");
        assert_eq!(camel("id"), "id");
    }
}
