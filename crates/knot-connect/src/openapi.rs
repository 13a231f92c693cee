//! OpenAPI 3.x import: one REST operation per path and method of the document.
//!
//! Design choice: the document is read into a plain `serde_json::Value` (YAML too, with
//! numeric keys like `200:` turned into strings) and walked by hand, never deserialized
//! into typed OpenAPI structs. Real-world documents are loose and vendor-extended; walking
//! values lets the importer take what it needs, ignore the rest, and name the exact place
//! of every problem (`paths./orders/{id}.get.parameters[0]`). `$ref`s are local JSON
//! pointers resolved on demand, with a bound on chains and a guard against schemas that
//! contain themselves, so any document terminates.

use std::collections::HashSet;

use indexmap::IndexMap;
use knot_model::{HttpMethod, RestOperation, RestSource};
use serde_json::{Map, Value};

use crate::error::ImportError;

/// Longest `$ref` chain followed, and deepest nesting of array schemas rendered.
const MAX_DEPTH: usize = 32;

/// Imports the REST operations of an OpenAPI 3.x document (JSON or YAML). `origin` names it
/// in errors (a file path). The base URL is `base_url_override`, else `servers[0].url`.
pub fn import_openapi(
    text: &str,
    origin: &str,
    base_url_override: Option<&str>,
) -> Result<RestSource, ImportError> {
    let doc = parse(text, origin)?;
    let cx = Cx { doc: &doc, origin };
    let root = doc
        .as_object()
        .ok_or_else(|| cx.invalid("", "the document is not an object"))?;
    check_version(&cx, root)?;
    let base_url = match base_url_override {
        Some(url) => url.to_string(),
        None => server_url(&cx, root)?,
    };
    let title = root.get("info").and_then(|i| i.get("title"));
    let description = title
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let paths = match root.get("paths") {
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err(cx.invalid("paths", "must be an object of path templates")),
        None => return Err(cx.invalid("paths", "missing: the document describes no operations")),
    };
    let mut operations = IndexMap::new();
    for (path, item) in paths {
        let here = format!("paths.{path}");
        let (item, item_at) = cx.resolve(item, &here)?;
        let item = item
            .as_object()
            .ok_or_else(|| cx.invalid(&item_at, "a path item must be an object"))?;
        for (key, op) in item {
            let method = match key.as_str() {
                "get" => HttpMethod::Get,
                "post" => HttpMethod::Post,
                "put" => HttpMethod::Put,
                "patch" => HttpMethod::Patch,
                "delete" => HttpMethod::Delete,
                _ => continue, // head, options, trace, and non-operation keys
            };
            let op_at = format!("{item_at}.{key}");
            let op = op
                .as_object()
                .ok_or_else(|| cx.invalid(&op_at, "an operation must be an object"))?;
            let (name, operation) =
                import_operation(&cx, path, method, item, &item_at, op, &op_at)?;
            let name = unique(&name, |n| operations.contains_key(n));
            operations.insert(name, operation);
        }
    }
    Ok(RestSource {
        description,
        base_url,
        headers: IndexMap::new(),
        forward_headers: Vec::new(),
        timeout_ms: None,
        max_concurrency: None,
        dedupe: None,
        h2c: None,
        operations,
    })
}

/// The document and its name, for resolving references and naming errors.
struct Cx<'a> {
    doc: &'a Value,
    origin: &'a str,
}

impl<'a> Cx<'a> {
    fn invalid(&self, at: &str, message: impl Into<String>) -> ImportError {
        let (origin, message) = (self.origin, message.into());
        let what = match at {
            "" => origin.to_string(),
            _ => format!("{origin} at `{at}`"),
        };
        ImportError::Invalid { what, message }
    }

    /// Follows `$ref`s from `value` (found at `at`) to the object they name; returns it with
    /// its own location.
    fn resolve(&self, value: &'a Value, at: &str) -> Result<(&'a Value, String), ImportError> {
        let mut current = value;
        let mut location = at.to_string();
        let mut seen = HashSet::new();
        while let Some(reference) = current.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| self.invalid(&format!("{location}.$ref"), "must be a string"))?;
            let problem = |what: &str| format!("`$ref: {reference}` {what}");
            if !seen.insert(reference.to_string()) || seen.len() > MAX_DEPTH {
                return Err(self.invalid(at, problem("never reaches a definition (circular)")));
            }
            let pointer = reference.strip_prefix('#').ok_or_else(|| {
                let only = "points outside the document; only local references (`#/...`) work";
                self.invalid(&location, problem(only))
            })?;
            current = self
                .doc
                .pointer(&decode_pointer(pointer))
                .ok_or_else(|| self.invalid(&location, problem("names nothing in the document")))?;
            location = pointer_location(pointer);
        }
        Ok((current, location))
    }
}

/// URL-decodes a JSON pointer from a `$ref` (`#/paths/~1orders%7Bid%7D`); `~0`/`~1` stay
/// for serde_json to interpret.
fn decode_pointer(pointer: &str) -> String {
    percent_encoding::percent_decode_str(pointer)
        .decode_utf8_lossy()
        .into_owned()
}

/// `/components/schemas/Pet` -> `components.schemas.Pet`.
fn pointer_location(pointer: &str) -> String {
    decode_pointer(pointer)
        .trim_start_matches('/')
        .split('/')
        .map(|part| part.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

pub(crate) fn parse(text: &str, origin: &str) -> Result<Value, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        what: origin.to_string(),
        message,
    };
    if text.trim_start().starts_with('{') {
        // serde_json's message ends with the line and column.
        return serde_json::from_str(text).map_err(|e| invalid(format!("not valid JSON: {e}")));
    }
    let mut yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| invalid(format!("not valid YAML: {e}")))?;
    yaml.apply_merge()
        .map_err(|e| invalid(format!("YAML merge keys: {e}")))?;
    untag(&mut yaml);
    // Scalar keys (`200:`, `true:`) become strings.
    serde_json::to_value(yaml).map_err(|e| invalid(format!("not a JSON-like YAML document: {e}")))
}

/// Drops YAML tags (`!foo value` -> `value`), which JSON cannot hold.
fn untag(value: &mut serde_yaml_ng::Value) {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Tagged(tagged) => {
            *value = std::mem::take(&mut tagged.value);
            untag(value);
        }
        Y::Sequence(items) => items.iter_mut().for_each(untag),
        Y::Mapping(entries) => entries.values_mut().for_each(untag),
        _ => {}
    }
}

fn check_version(cx: &Cx, root: &Map<String, Value>) -> Result<(), ImportError> {
    if let Some(v) = root.get("swagger").map(scalar_text) {
        let message = format!("this is a Swagger {v} document; only OpenAPI 3.x is imported");
        return Err(cx.invalid("swagger", message + " (convert it to OpenAPI 3 first)"));
    }
    match root.get("openapi").map(scalar_text) {
        Some(v) if v.starts_with("3.") => Ok(()),
        Some(v) => Err(cx.invalid(
            "openapi",
            format!("version `{v}` is not supported; use 3.x"),
        )),
        None => Err(cx.invalid("openapi", "missing: not an OpenAPI 3.x document")),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `servers[0].url`, with its `{variables}` replaced by their defaults.
fn server_url(cx: &Cx, root: &Map<String, Value>) -> Result<String, ImportError> {
    let server = root
        .get("servers")
        .and_then(|s| s.get(0))
        .ok_or_else(|| cx.invalid("servers", "no server is listed; give a base URL"))?;
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| cx.invalid("servers[0].url", "missing or empty; give a base URL"))?
        .to_string();
    if let Some(Value::Object(vars)) = server.get("variables") {
        for (name, var) in vars {
            if let Some(default) = var.get("default") {
                url = url.replace(&format!("{{{name}}}"), &scalar_text(default));
            }
        }
    }
    Ok(url)
}

/// One operation: its name and the REST operation.
fn import_operation(
    cx: &Cx,
    path: &str,
    method: HttpMethod,
    item: &Map<String, Value>,
    item_at: &str,
    op: &Map<String, Value>,
    op_at: &str,
) -> Result<(String, RestOperation), ImportError> {
    let name = match op.get("operationId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => graphql_name(id),
        _ => default_name(method, path),
    };
    let description = ["summary", "description"]
        .iter()
        .find_map(|k| {
            op.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut out = RestOperation {
        description,
        method,
        path: path.to_string(),
        query: IndexMap::new(),
        headers: IndexMap::new(),
        body: None,
        inputs: IndexMap::new(),
    };

    // Path-level parameters first, then the operation's: same (name, in) replaces.
    let mut params: IndexMap<(String, String), (&Value, String)> = IndexMap::new();
    for (list, at) in [
        (item.get("parameters"), format!("{item_at}.parameters")),
        (op.get("parameters"), format!("{op_at}.parameters")),
    ] {
        let Some(list) = list else { continue };
        let list = list
            .as_array()
            .ok_or_else(|| cx.invalid(&at, "must be a list"))?;
        for (i, param) in list.iter().enumerate() {
            let here = format!("{at}[{i}]");
            let (param, _) = cx.resolve(param, &here)?;
            let field = |k: &str| param.get(k).and_then(Value::as_str);
            let name =
                field("name").ok_or_else(|| cx.invalid(&here, "a parameter needs a `name`"))?;
            let place = field("in").ok_or_else(|| cx.invalid(&here, "a parameter needs `in`"))?;
            params.insert((name.to_string(), place.to_string()), (param, here));
        }
    }
    for ((name, place), (param, here)) in &params {
        let required = place == "path" || flag(param, "required");
        let base = match (place.as_str(), param.get("schema")) {
            ("path", _) if name == "id" || name.ends_with("Id") => "ID".to_string(),
            (_, Some(schema)) => {
                schema_type(cx, schema, &format!("{here}.schema"), &mut Vec::new())?
            }
            (_, None) => "JSON".to_string(),
        };
        let ty = non_null(base, required);
        let input = unique(&graphql_name(name), |n| out.inputs.contains_key(n));
        let template = format!("{{{input}}}");
        match place.as_str() {
            "path" => {
                let written = format!("{{{name}}}");
                if !out.path.contains(&written) {
                    return Err(cx.invalid(
                        here,
                        format!("path parameter `{name}` does not appear in `{path}`"),
                    ));
                }
                out.path = out.path.replace(&written, &template);
            }
            "query" => {
                out.query.insert(name.clone(), template);
            }
            "header" => {
                // OpenAPI: these three are described elsewhere and must be ignored.
                if ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
                {
                    continue;
                }
                out.headers.insert(name.clone(), template);
            }
            "cookie" => continue, // REST operations send no cookies
            other => {
                return Err(cx.invalid(
                    &format!("{here}.in"),
                    format!("unknown parameter location `{other}`"),
                ))
            }
        }
        out.inputs.insert(input, ty);
    }

    if let Some(body) = op.get("requestBody") {
        import_body(cx, body, &format!("{op_at}.requestBody"), &mut out)?;
    }
    Ok((name, out))
}

/// A JSON request body: one input per top-level property, else the whole body as `body`.
fn import_body(
    cx: &Cx,
    body: &Value,
    at: &str,
    out: &mut RestOperation,
) -> Result<(), ImportError> {
    let (body, at) = cx.resolve(body, at)?;
    let required = flag(body, "required");
    let Some(Value::Object(content)) = body.get("content") else {
        return Err(cx.invalid(&at, "a request body needs `content`"));
    };
    let json = content.iter().find(|(media, _)| {
        let media = media.to_ascii_lowercase();
        let media = media.split(';').next().unwrap_or_default().trim();
        media == "application/json" || media.ends_with("+json")
    });
    let Some((media, media_type)) = json else {
        tracing::warn!(
            origin = cx.origin,
            at = at.as_str(),
            "request body is not JSON; not imported"
        );
        return Ok(());
    };
    let schema_at = format!("{at}.content.{media}.schema");
    let (schema, schema_at) = match media_type.get("schema") {
        Some(schema) => cx.resolve(schema, &schema_at)?,
        None => (&Value::Null, schema_at),
    };
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty());
    let Some(properties) = properties else {
        let input = unique("body", |n| out.inputs.contains_key(n));
        out.body = Some(Value::String(format!("{{{input}}}")));
        out.inputs.insert(input, non_null("JSON".into(), required));
        return Ok(());
    };
    let required_props: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut template = Map::new();
    for (prop, prop_schema) in properties {
        let prop_at = format!("{schema_at}.properties.{prop}");
        let (resolved, _) = cx.resolve(prop_schema, &prop_at)?;
        if flag(resolved, "readOnly") {
            continue; // set by the server, never sent
        }
        let base = schema_type(cx, prop_schema, &prop_at, &mut Vec::new())?;
        let ty = non_null(base, required_props.contains(&prop.as_str()));
        let input = unique(&graphql_name(prop), |n| out.inputs.contains_key(n));
        template.insert(prop.clone(), Value::String(format!("{{{input}}}")));
        out.inputs.insert(input, ty);
    }
    out.body = Some(Value::Object(template));
    Ok(())
}

/// The GraphQL type of a schema (without `!`): scalars map to scalars, arrays to lists,
/// everything else to `JSON`. `expanding` holds the `$ref`s being rendered, so a schema that
/// contains itself renders its inner occurrence as `JSON`.
fn schema_type(
    cx: &Cx,
    schema: &Value,
    at: &str,
    expanding: &mut Vec<String>,
) -> Result<String, ImportError> {
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(r) = &reference {
        if expanding.contains(r) || expanding.len() >= MAX_DEPTH {
            return Ok("JSON".to_string());
        }
    }
    let (schema, at) = cx.resolve(schema, at)?;
    let ty = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // OpenAPI 3.1: `type: [string, "null"]`.
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    };
    let rendered = match ty {
        Some("string") => "String".to_string(),
        Some("integer") => "Int".to_string(),
        Some("number") => "Float".to_string(),
        Some("boolean") => "Boolean".to_string(),
        Some("array") => {
            let Some(items) = schema.get("items") else {
                return Ok("[JSON!]".to_string());
            };
            let outer = expanding.len();
            expanding.extend(reference);
            let item = schema_type(cx, items, &format!("{at}.items"), expanding);
            expanding.truncate(outer);
            format!("[{}!]", item?)
        }
        _ => "JSON".to_string(),
    };
    Ok(rendered)
}

/// A valid GraphQL name: other characters become `_`, a leading digit gets a `_` before it.
fn graphql_name(raw: &str) -> String {
    let keep = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut name: String = raw.chars().map(|c| if keep(c) { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// `GET /orders/{id}/items` -> `getOrdersByIdItems`.
fn default_name(method: HttpMethod, path: &str) -> String {
    let mut name = method.as_str().to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let (prefix, word) = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => ("By", param),
            None => ("", segment),
        };
        name.push_str(prefix);
        for part in word
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                name.push(first.to_ascii_uppercase());
                name.push_str(chars.as_str());
            }
        }
    }
    graphql_name(&name)
}

/// A boolean member of an object, `false` when absent.
fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn non_null(base: String, required: bool) -> String {
    if required {
        base + "!"
    } else {
        base
    }
}

/// `base`, else `base_2`, `base_3`, … whichever is not taken.
fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}
