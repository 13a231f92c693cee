//! The topology of a workspace, for architects: sources (by protocol), the unified schema's
//! types, saved operations (and their REST endpoints), and what connects them: which
//! operation of which source feeds which type, which type holds which, and which saved
//! operation reaches which sources once planned. Rendered as DOT, Mermaid, SVG or JSON.
//!
//! The main design choice: the graph is computed from the same model and the same planner
//! as execution (an endpoint's sources are those of its real plan), so the picture cannot
//! drift from what runs. Rendering is plain text; the SVG layout is a fixed three-column
//! layering (operations, sources, types) that needs no layout engine.

use knot_model::{TypeRef, Workspace};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TopoKind {
    Source,
    Type,
    Operation,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopoNode {
    /// `source:orders`, `type:Order`, `operation:OrderDetails`.
    pub id: String,
    pub kind: TopoKind,
    pub label: String,
    /// Protocol of a source; REST endpoint of an operation (`GET /composite-order-details/{id}`).
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopoEdge {
    pub from: String,
    pub to: String,
    /// `feeds` (source -> type, label = operation and field), `holds` (type -> type, label =
    /// field), `reaches` (saved operation -> source).
    pub kind: String,
    pub label: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Topology {
    pub nodes: Vec<TopoNode>,
    pub edges: Vec<TopoEdge>,
}

/// The topology of `ws`. Saved operations that do not plan are shown without edges.
pub fn topology(ws: &Workspace) -> Topology {
    let mut t = Topology::default();
    for (name, source) in &ws.sources {
        t.nodes.push(TopoNode {
            id: format!("source:{name}"),
            kind: TopoKind::Source,
            label: name.clone(),
            detail: source.kind_name().to_string(),
        });
    }
    let object = |n: &str| ws.schema.types.contains_key(n);
    for type_name in ws.schema.types.keys() {
        t.nodes.push(TopoNode {
            id: format!("type:{type_name}"),
            kind: TopoKind::Type,
            label: type_name.clone(),
            detail: String::new(),
        });
    }
    let mut feeds: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut holds: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (type_name, obj) in &ws.schema.types {
        for (field_name, field) in obj.fields.iter().filter(|(_, f)| !f.private) {
            let Ok(ty) = TypeRef::parse(&field.ty) else {
                continue;
            };
            let target = ty.named().to_string();
            if let Some(b) = &field.binding {
                // The operation feeds the field's type (or the parent, for a scalar field).
                let fed = if object(&target) {
                    target.clone()
                } else {
                    type_name.clone()
                };
                if ws.sources.contains_key(&b.source) {
                    feeds
                        .entry((format!("source:{}", b.source), format!("type:{fed}")))
                        .or_default()
                        .insert(format!("{} ({type_name}.{field_name})", b.operation));
                }
            }
            if object(&target) && type_name != &target {
                holds
                    .entry((format!("type:{type_name}"), format!("type:{target}")))
                    .or_default()
                    .insert(field_name.clone());
            }
        }
    }
    for ((from, to), labels) in feeds {
        t.edges.push(TopoEdge {
            from,
            to,
            kind: "feeds".into(),
            label: labels.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    for ((from, to), labels) in holds {
        t.edges.push(TopoEdge {
            from,
            to,
            kind: "holds".into(),
            label: labels.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    for (name, op) in &ws.operations {
        let detail = op
            .rest
            .as_ref()
            .map(|r| format!("{} {}", r.method.as_str(), r.path))
            .unwrap_or_default();
        let id = format!("operation:{name}");
        t.nodes.push(TopoNode {
            id: id.clone(),
            kind: TopoKind::Operation,
            label: name.clone(),
            detail,
        });
        let vars = placeholder_variables(ws, &op.document, op.operation_name.as_deref());
        if let Ok(plan) = crate::plan(ws, &op.document, op.operation_name.as_deref(), &vars) {
            let sources: BTreeSet<&str> = plan
                .graph
                .node_weights()
                .map(|n| n.source.as_str())
                .collect();
            for s in sources {
                t.edges.push(TopoEdge {
                    from: id.clone(),
                    to: format!("source:{s}"),
                    kind: "reaches".into(),
                    label: String::new(),
                });
            }
        }
    }
    t
}

/// Values of the right type for an operation's variables, so it can be planned offline:
/// built-in scalars, the first value of an enum, input objects with every field filled.
pub fn placeholder_variables(
    ws: &Workspace,
    document: &str,
    operation: Option<&str>,
) -> Map<String, Value> {
    let mut vars = Map::new();
    let Ok(doc) = knot_model::document::parse_query(document) else {
        return vars;
    };
    for (name, op) in doc.operations.iter() {
        if operation.is_some() && name.map(|n| n.as_str()) != operation {
            continue;
        }
        for def in &op.node.variable_definitions {
            let Ok(ty) = TypeRef::parse(&def.node.var_type.node.to_string()) else {
                continue;
            };
            vars.insert(
                def.node.name.node.to_string(),
                placeholder_value(ws, &ty, 0),
            );
        }
    }
    vars
}

fn placeholder_value(ws: &Workspace, ty: &TypeRef, depth: usize) -> Value {
    match ty {
        TypeRef::NonNull(inner) => placeholder_value(ws, inner, depth),
        TypeRef::List(inner) => Value::Array(vec![placeholder_value(ws, inner, depth)]),
        TypeRef::Named(name) => match name.as_str() {
            "Int" => Value::from(1),
            "Float" => Value::from(1.0),
            "Boolean" => Value::Bool(true),
            _ => {
                if let Some(e) = ws.schema.enums.get(name) {
                    return e
                        .values
                        .keys()
                        .next()
                        .map(|v| Value::String(v.clone()))
                        .unwrap_or(Value::Null);
                }
                match ws.schema.inputs.get(name) {
                    // Nested input types, to a bounded depth (a recursive one ends in null).
                    Some(input) if depth < 8 => Value::Object(
                        input
                            .fields
                            .iter()
                            .filter_map(|(field, def)| {
                                let ty = TypeRef::parse(&def.ty).ok()?;
                                Some((field.clone(), placeholder_value(ws, &ty, depth + 1)))
                            })
                            .collect(),
                    ),
                    Some(_) => Value::Null,
                    None => Value::String("placeholder".into()),
                }
            }
        },
    }
}

fn protocol_colour(kind: &str) -> &'static str {
    match kind {
        "rest" => "#cfe8ff",
        "grpc" => "#d7f5d0",
        "graphql" => "#f3d4ff",
        _ => "#eeeeee",
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot_id(id: &str) -> String {
    format!("\"{}\"", esc(id))
}

impl Topology {
    /// Graphviz DOT.
    pub fn to_dot(&self, name: &str) -> String {
        let mut out = format!("digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\", style=filled];\n  edge [fontname=\"Helvetica\", fontsize=10];\n", esc(name));
        for n in &self.nodes {
            let (shape, fill, label) = match n.kind {
                TopoKind::Source => (
                    "cylinder",
                    protocol_colour(&n.detail),
                    format!("{}\\n{}", esc(&n.label), esc(&n.detail)),
                ),
                TopoKind::Type => ("box", "#ffffff", esc(&n.label)),
                TopoKind::Operation if n.detail.is_empty() => ("hexagon", "#fff3b0", esc(&n.label)),
                TopoKind::Operation => (
                    "hexagon",
                    "#fff3b0",
                    format!("{}\\n{}", esc(&n.label), esc(&n.detail)),
                ),
            };
            let _ = writeln!(
                out,
                "  {} [label=\"{label}\", shape={shape}, fillcolor=\"{fill}\"];",
                dot_id(&n.id)
            );
        }
        for e in &self.edges {
            let style = match e.kind.as_str() {
                "holds" => ", style=dashed",
                "reaches" => ", style=dotted",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} -> {} [label=\"{}\"{style}];",
                dot_id(&e.from),
                dot_id(&e.to),
                esc(&e.label)
            );
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        let ids: BTreeMap<&str, String> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
            .collect();
        let q = |s: &str| s.replace('"', "#quot;");
        let mut out = String::from("flowchart LR\n");
        for n in &self.nodes {
            let id = &ids[n.id.as_str()];
            let text = if n.detail.is_empty() {
                q(&n.label)
            } else {
                format!("{}<br/>{}", q(&n.label), q(&n.detail))
            };
            let _ = match n.kind {
                TopoKind::Source => writeln!(out, "  {id}[(\"{text}\")]"),
                TopoKind::Type => writeln!(out, "  {id}[\"{text}\"]"),
                TopoKind::Operation => writeln!(out, "  {id}{{{{\"{text}\"}}}}"),
            };
        }
        for e in &self.edges {
            let (Some(a), Some(b)) = (ids.get(e.from.as_str()), ids.get(e.to.as_str())) else {
                continue;
            };
            let arrow = match e.kind.as_str() {
                "holds" => "-.->",
                "reaches" => "==>",
                _ => "-->",
            };
            if e.label.is_empty() {
                let _ = writeln!(out, "  {a} {arrow} {b}");
            } else {
                let _ = writeln!(out, "  {a} {arrow}|\"{}\"| {b}", q(&e.label));
            }
        }
        out
    }

    /// A standalone SVG picture: saved operations on the left, sources in the middle, types
    /// on the right (so every edge but `holds` runs left to right); curves with arrowheads.
    pub fn to_svg(&self) -> String {
        const W: f64 = 200.0;
        const H: f64 = 44.0;
        const GAP: f64 = 24.0;
        const COL: f64 = 320.0;
        let columns = [TopoKind::Operation, TopoKind::Source, TopoKind::Type];
        let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        let mut rows = 0usize;
        for (c, kind) in columns.iter().enumerate() {
            for (r, n) in self.nodes.iter().filter(|n| &n.kind == kind).enumerate() {
                pos.insert(
                    n.id.as_str(),
                    (40.0 + c as f64 * COL, 40.0 + r as f64 * (H + GAP)),
                );
                rows = rows.max(r + 1);
            }
        }
        let width = 40.0 * 2.0 + 2.0 * COL + W + 80.0;
        let height = 80.0 + rows as f64 * (H + GAP);
        let x = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        );
        for e in &self.edges {
            let (Some(&(ax, ay)), Some(&(bx, by))) =
                (pos.get(e.from.as_str()), pos.get(e.to.as_str()))
            else {
                continue;
            };
            let (x1, y1, x2, y2) = if bx >= ax {
                (ax + W, ay + H / 2.0, bx, by + H / 2.0)
            } else {
                (ax, ay + H / 2.0, bx + W, by + H / 2.0)
            };
            let (x1, y1, x2, y2) = if (bx - ax).abs() < 1.0 {
                (ax + W, ay + H / 2.0, bx + W, by + H / 2.0)
            } else {
                (x1, y1, x2, y2)
            };
            let bend = if (bx - ax).abs() < 1.0 {
                60.0
            } else {
                (x2 - x1) / 2.0
            };
            let dash = match e.kind.as_str() {
                "holds" => " stroke-dasharray=\"5,4\"",
                "reaches" => " stroke-dasharray=\"2,3\"",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<path d=\"M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}\" fill=\"none\" stroke=\"#555\"{dash} marker-end=\"url(#arrow)\"><title>{}</title></path>",
                x1 + bend,
                x2 - bend,
                x(&e.label)
            );
        }
        for n in &self.nodes {
            let Some(&(px, py)) = pos.get(n.id.as_str()) else {
                continue;
            };
            let fill = match n.kind {
                TopoKind::Source => protocol_colour(&n.detail),
                TopoKind::Type => "#ffffff",
                TopoKind::Operation => "#fff3b0",
            };
            let rx = if n.kind == TopoKind::Type { 4 } else { 14 };
            let _ = writeln!(out, "<g><rect x=\"{px}\" y=\"{py}\" width=\"{W}\" height=\"{H}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"#333\"/>");
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>",
                px + 10.0,
                py + 18.0,
                x(&n.label)
            );
            if !n.detail.is_empty() {
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#555\">{}</text>",
                    px + 10.0,
                    py + 34.0,
                    x(&n.detail)
                );
            }
            out.push_str("</g>\n");
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Adds what a Federation supergraph brings to a workspace's topology: the public schema's
/// object types (`public_sdl`) with the fields that hold one another, and for each type the
/// subgraph sources that define it (`feeds`, from the supergraph's `@join__type`s;
/// `supergraph_sdl`). Nodes and edges already present are not repeated.
pub fn add_supergraph(t: &mut Topology, public_sdl: &str, supergraph_sdl: &str) {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(public) = async_graphql_parser::parse_schema(public_sdl) else {
        return;
    };
    let mut objects: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for definition in &public.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let fields = match &ty.kind {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            _ => continue,
        };
        let holds = fields
            .iter()
            .map(|f| {
                let mut named = &f.node.ty.node.base;
                while let async_graphql_parser::types::BaseType::List(inner) = named {
                    named = &inner.base;
                }
                let target = match named {
                    async_graphql_parser::types::BaseType::Named(n) => n.to_string(),
                    async_graphql_parser::types::BaseType::List(_) => String::new(),
                };
                (f.node.name.node.to_string(), target)
            })
            .collect();
        objects.insert(ty.name.node.to_string(), holds);
    }
    let mut ids: BTreeSet<String> = t.nodes.iter().map(|n| n.id.clone()).collect();
    for name in objects.keys() {
        let id = format!("type:{name}");
        if ids.insert(id.clone()) {
            t.nodes.push(TopoNode {
                id,
                kind: TopoKind::Type,
                label: name.clone(),
                detail: String::new(),
            });
        }
    }
    let mut edges: BTreeSet<(String, String, String)> = t
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.kind.clone()))
        .collect();
    let mut holds: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (name, fields) in &objects {
        for (field, target) in fields {
            if objects.contains_key(target) && target != name {
                holds
                    .entry((format!("type:{name}"), format!("type:{target}")))
                    .or_default()
                    .insert(field.clone());
            }
        }
    }
    for ((from, to), labels) in holds {
        if edges.insert((from.clone(), to.clone(), "holds".into())) {
            t.edges.push(TopoEdge {
                from,
                to,
                kind: "holds".into(),
                label: labels.into_iter().collect::<Vec<_>>().join(", "),
            });
        }
    }
    for (source, type_name) in subgraph_types(supergraph_sdl) {
        if !objects.contains_key(&type_name) || !ids.contains(&format!("source:{source}")) {
            continue;
        }
        let (from, to) = (format!("source:{source}"), format!("type:{type_name}"));
        if edges.insert((from.clone(), to.clone(), "feeds".into())) {
            t.edges.push(TopoEdge {
                from,
                to,
                kind: "feeds".into(),
                label: "subgraph".into(),
            });
        }
    }
}

/// `(subgraph name, type)` for every `@join__type(graph: …)` of a supergraph SDL, the graph
/// enum values mapped to names by `enum join__Graph { X @join__graph(name: "x", …) }`.
fn subgraph_types(supergraph_sdl: &str) -> Vec<(String, String)> {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    use async_graphql_value::ConstValue;
    let Ok(doc) = async_graphql_parser::parse_schema(supergraph_sdl) else {
        return Vec::new();
    };
    let mut graphs: BTreeMap<String, String> = BTreeMap::new();
    for definition in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        if ty.node.name.node.as_str() != "join__Graph" {
            continue;
        }
        if let TypeKind::Enum(e) = &ty.node.kind {
            for value in &e.values {
                for directive in &value.node.directives {
                    if directive.node.name.node.as_str() != "join__graph" {
                        continue;
                    }
                    if let Some(ConstValue::String(name)) =
                        directive.node.get_argument("name").map(|v| &v.node)
                    {
                        graphs.insert(value.node.value.node.to_string(), name.clone());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for definition in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        for directive in &ty.node.directives {
            if directive.node.name.node.as_str() != "join__type" {
                continue;
            }
            if let Some(ConstValue::Enum(graph)) =
                directive.node.get_argument("graph").map(|v| &v.node)
            {
                if let Some(name) = graphs.get(graph.as_str()) {
                    out.push((name.clone(), ty.node.name.node.to_string()));
                }
            }
        }
    }
    out
}
