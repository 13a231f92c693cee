//! The public schema as GraphQL SDL: what clients of the unified API see. Private fields
//! (join keys) are left out; nothing about sources or bindings leaks into it.

use crate::workspace::{FieldDef, Workspace, QUERY_TYPE};
use std::fmt::Write;

/// The public SDL of the unified schema, `Query` first, then the other types in file order.
pub fn public_sdl(ws: &Workspace) -> String {
    let mut out = String::new();
    // Declared when a field or an argument uses it (introspection needs every type named).
    if ws
        .schema
        .types
        .values()
        .flat_map(|t| t.fields.values())
        .any(|f| f.ty.contains("JSON") || f.arguments.values().any(|a| a.ty.contains("JSON")))
        || ws
            .schema
            .inputs
            .values()
            .flat_map(|i| i.fields.values())
            .any(|f| f.ty.contains("JSON"))
    {
        out.push_str("\"Any JSON value.\"\nscalar JSON\n\n");
    }
    let ordered = ws
        .schema
        .types
        .iter()
        .filter(|(n, _)| n.as_str() == QUERY_TYPE)
        .chain(
            ws.schema
                .types
                .iter()
                .filter(|(n, _)| n.as_str() != QUERY_TYPE),
        );
    for (name, def) in &ws.schema.scalars {
        description(&mut out, &def.description, "");
        let _ = writeln!(out, "scalar {name}\n");
    }
    for (name, obj) in ordered {
        description(&mut out, &obj.description, "");
        let implements = if obj.implements.is_empty() {
            String::new()
        } else {
            format!(" implements {}", obj.implements.join(" & "))
        };
        let _ = writeln!(out, "type {name}{implements} {{");
        for (field_name, field) in obj.fields.iter().filter(|(_, f)| !f.private) {
            description(&mut out, &field.description, "  ");
            let _ = writeln!(
                out,
                "  {field_name}{}: {}{}",
                arguments(ws, field),
                field.ty,
                deprecated(field.deprecated.as_deref())
            );
        }
        out.push_str("}\n\n");
    }
    for (name, def) in &ws.schema.interfaces {
        description(&mut out, &def.description, "");
        let _ = writeln!(out, "interface {name} {{");
        for (field_name, field) in &def.fields {
            description(&mut out, &field.description, "  ");
            let args = arguments_of(ws, &field.arguments);
            let _ = writeln!(
                out,
                "  {field_name}{args}: {}{}",
                field.ty,
                deprecated(field.deprecated.as_deref())
            );
        }
        out.push_str("}\n\n");
    }
    for (name, def) in &ws.schema.unions {
        description(&mut out, &def.description, "");
        let _ = writeln!(out, "union {name} = {}\n", def.types.join(" | "));
    }
    for (name, def) in &ws.schema.inputs {
        description(&mut out, &def.description, "");
        let _ = writeln!(out, "input {name} {{");
        for (field_name, field) in &def.fields {
            description(&mut out, &field.description, "  ");
            let _ = writeln!(
                out,
                "  {field_name}: {}{}",
                field.ty,
                default_value(ws, &field.ty, field.default.as_ref())
            );
        }
        out.push_str("}\n\n");
    }
    for (name, def) in &ws.schema.enums {
        description(&mut out, &def.description, "");
        let _ = writeln!(out, "enum {name} {{");
        for (value, value_def) in &def.values {
            description(&mut out, &value_def.description, "  ");
            let _ = writeln!(
                out,
                "  {value}{}",
                deprecated(value_def.deprecated.as_deref())
            );
        }
        out.push_str("}\n\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn arguments(ws: &Workspace, field: &FieldDef) -> String {
    arguments_of(ws, &field.arguments)
}

fn arguments_of(
    ws: &Workspace,
    arguments: &indexmap::IndexMap<String, crate::workspace::ArgumentDef>,
) -> String {
    if arguments.is_empty() {
        return String::new();
    }
    let args: Vec<String> = arguments
        .iter()
        .map(|(n, a)| {
            format!(
                "{n}: {}{}",
                a.ty,
                default_value(ws, &a.ty, a.default.as_ref())
            )
        })
        .collect();
    format!("({})", args.join(", "))
}

/// ` = default` for an argument or input field of type `ty`, or nothing. An enum default is
/// a bare name (`side: Side = BUY`).
fn default_value(ws: &Workspace, ty: &str, default: Option<&serde_json::Value>) -> String {
    let is_enum = crate::TypeRef::parse(ty).is_ok_and(|t| ws.schema.enums.contains_key(t.named()));
    match default {
        None => String::new(),
        Some(serde_json::Value::String(v)) if is_enum => format!(" = {v}"),
        Some(d) => format!(" = {}", graphql_value(d)),
    }
}

/// ` @deprecated(reason: "...")`, or nothing.
fn deprecated(reason: Option<&str>) -> String {
    match reason {
        None => String::new(),
        Some(reason) => format!(" @deprecated(reason: \"{}\")", escape(reason)),
    }
}

fn graphql_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(graphql_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        serde_json::Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}: {}", graphql_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A description as an ordinary string with escapes, so any text (quotes at either end,
/// backslashes, several lines, indentation) reads back exactly.
fn description(out: &mut String, text: &str, indent: &str) {
    if text.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}\"{}\"", escape(text));
}

/// `text` as the inside of a GraphQL string.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(escaped, "\\u{:04X}", c as u32);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(json: serde_json::Value) -> Workspace {
        serde_json::from_value(json).expect("a workspace")
    }

    #[test]
    fn descriptions_and_argument_scalars_read_back_exactly() {
        let ws = ws(serde_json::json!({
            "version": 1,
            "name": "x",
            "schema": {"types": {"Query": {"description": "Price in \"USD\"", "fields": {
                "search": {
                    "type": "[String]",
                    "description": "Two lines\n  indented, a back\\slash and \"\"\" quotes",
                    "arguments": {"filter": {"type": "JSON"}}
                }
            }}}}
        }));
        let sdl = public_sdl(&ws);
        assert!(sdl.contains("scalar JSON"), "{sdl}");
        let doc = async_graphql_parser::parse_schema(&sdl).expect("the SDL parses");
        let mut descriptions = Vec::new();
        for d in &doc.definitions {
            if let async_graphql_parser::types::TypeSystemDefinition::Type(t) = d {
                if let Some(desc) = &t.node.description {
                    descriptions.push(desc.node.clone());
                }
                if let async_graphql_parser::types::TypeKind::Object(o) = &t.node.kind {
                    for f in &o.fields {
                        if let Some(desc) = &f.node.description {
                            descriptions.push(desc.node.clone());
                        }
                    }
                }
            }
        }
        assert!(
            descriptions.contains(&"Price in \"USD\"".to_string()),
            "{descriptions:?}"
        );
        assert!(
            descriptions
                .contains(&"Two lines\n  indented, a back\\slash and \"\"\" quotes".to_string()),
            "{descriptions:?}"
        );
    }
}
