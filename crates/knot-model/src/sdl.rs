//! The public schema as GraphQL SDL: what clients of the unified API see. Private fields
//! (join keys) are left out; nothing about sources or bindings leaks into it.

use crate::workspace::{FieldDef, Workspace, QUERY_TYPE};
use std::fmt::Write;

/// The public SDL of the unified schema, `Query` first, then the other types in file order.
pub fn public_sdl(ws: &Workspace) -> String {
    let mut out = String::new();
    if ws
        .schema
        .types
        .values()
        .flat_map(|t| t.fields.values())
        .any(|f| f.ty.contains("JSON"))
    {
        out.push_str("\"\"\"Any JSON value.\"\"\"\nscalar JSON\n\n");
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
    for (name, obj) in ordered {
        description(&mut out, &obj.description, "");
        let _ = writeln!(out, "type {name} {{");
        for (field_name, field) in obj.fields.iter().filter(|(_, f)| !f.private) {
            description(&mut out, &field.description, "  ");
            let _ = writeln!(out, "  {field_name}{}: {}", arguments(field), field.ty);
        }
        out.push_str("}\n\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn arguments(field: &FieldDef) -> String {
    if field.arguments.is_empty() {
        return String::new();
    }
    let args: Vec<String> = field
        .arguments
        .iter()
        .map(|(n, a)| match &a.default {
            Some(d) => format!("{n}: {} = {}", a.ty, graphql_value(d)),
            None => format!("{n}: {}", a.ty),
        })
        .collect();
    format!("({})", args.join(", "))
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

fn description(out: &mut String, text: &str, indent: &str) {
    if !text.is_empty() {
        let _ = writeln!(
            out,
            "{indent}\"\"\"{}\"\"\"",
            text.replace("\"\"\"", "\\\"\"\"")
        );
    }
}
