//! Workspace -> [`WorkspaceView`]: what the UI's sidebar, schema tree and source list show.
//!
//! The main design choice: the view is derived, never stored. Every command that changes a
//! workspace answers with a fresh view computed from the workspace and its one public
//! schema (the runtime's public SDL: the workspace's own unified schema, or the composed
//! supergraph's with the fields the workspace binds), so the UI never has to patch its copy
//! and can never show private fields: the tree is read from the *public* SDL and walked
//! from `Query`, which also puts `Query` first. The same function serves every workspace.

use crate::dto::*;
use indexmap::IndexMap;
use knot_model::{Problem, SavedOperation, Source, TypeRef, Workspace, MUTATION_TYPE, QUERY_TYPE};
use std::collections::HashSet;

/// What the store knows about a workspace besides its body.
#[derive(Clone, Debug, Default)]
pub struct WorkspaceMeta {
    pub id: i64,
    pub name: String,
    pub file: Option<String>,
    /// The selected environment (None: the workspace's default).
    pub environment: Option<String>,
}

/// The full view of a workspace. `public_sdl` is its one public schema
/// (`knot_runtime::Runtime::public_sdl`, or `knot_model::public_sdl` when no runtime could be
/// built); the editor, the Schema screen and the explorer's tree all come from it.
/// `problems` are the check problems of its current text.
pub fn workspace_view(
    meta: &WorkspaceMeta,
    ws: &Workspace,
    public_sdl: &str,
    problems: &[Problem],
) -> WorkspaceView {
    let environment = ws
        .environment(meta.environment.as_deref())
        .ok()
        .flatten()
        .map(|(name, _)| name.to_string());
    WorkspaceView {
        id: meta.id,
        name: meta.name.clone(),
        file: meta.file.clone(),
        environment,
        environments: ws.environments.keys().cloned().collect(),
        document: serde_json::to_value(ws).unwrap_or(serde_json::Value::Null),
        problems: problems.iter().map(problem_view).collect(),
        sdl: public_sdl.to_string(),
        schema: schema_tree_from_sdl(public_sdl, ws).unwrap_or_else(|| schema_tree(ws)),
        sources: ws
            .sources
            .iter()
            .map(|(name, s)| source_view(name, s))
            .collect(),
        operations: ws
            .operations
            .iter()
            .map(|(name, op)| saved_operation_view(name, op))
            .collect(),
        unconfirmed_sources: Vec::new(),
        secrets_key: None,
    }
}

/// The check problems of a workspace as it would be saved (with lines and columns).
pub fn check_problems(ws: &Workspace) -> Vec<Problem> {
    knot_model::check_bytes(knot_model::to_canonical_json(ws).as_bytes()).problems
}

pub fn problem_view(p: &Problem) -> ProblemView {
    let code = match serde_json::to_value(p.code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{:?}", p.code),
    };
    ProblemView {
        code,
        path: p.path.to_string(),
        message: p.message.clone(),
        line: p.line.map(to_u32),
        column: p.column.map(to_u32),
    }
}

/// Public types reachable from `Query` through public fields, `Query` first, then in the
/// order the workspace declares them, read from the model (the fallback of
/// [`schema_tree_from_sdl`] when the SDL does not parse).
pub fn schema_tree(ws: &Workspace) -> SchemaTree {
    let types = &ws.schema.types;
    let mut reachable: HashSet<&str> = HashSet::new();
    let mut queue: Vec<&str> = Vec::new();
    for root in [QUERY_TYPE, MUTATION_TYPE] {
        if types.contains_key(root) {
            reachable.insert(root);
            queue.push(root);
        }
    }
    while let Some(name) = queue.pop() {
        let Some(obj) = types.get(name) else { continue };
        for field in obj.fields.values().filter(|f| !f.private) {
            let Ok(ty) = TypeRef::parse(&field.ty) else {
                continue;
            };
            if let Some((key, _)) = types.get_key_value(ty.named()) {
                if reachable.insert(key.as_str()) {
                    queue.push(key.as_str());
                }
            }
        }
    }
    let is_root = |n: &str| n == QUERY_TYPE || n == MUTATION_TYPE;
    let ordered = types
        .iter()
        .filter(|(n, _)| n.as_str() == QUERY_TYPE)
        .chain(types.iter().filter(|(n, _)| n.as_str() == MUTATION_TYPE))
        .chain(types.iter().filter(|(n, _)| !is_root(n)))
        .filter(|(n, _)| reachable.contains(n.as_str()));
    SchemaTree {
        enums: ws
            .schema
            .enums
            .iter()
            .map(|(name, e)| EnumView {
                name: name.clone(),
                description: e.description.clone(),
                values: e.values.keys().cloned().collect(),
            })
            .collect(),
        inputs: ws
            .schema
            .inputs
            .iter()
            .map(|(name, i)| InputTypeView {
                name: name.clone(),
                description: i.description.clone(),
                fields: i
                    .fields
                    .iter()
                    .map(|(fname, f)| ArgumentView {
                        name: fname.clone(),
                        ty: f.ty.clone(),
                        required: f.ty.trim_end().ends_with('!') && f.default.is_none(),
                    })
                    .collect(),
            })
            .collect(),
        types: ordered
            .map(|(name, obj)| TypeView {
                name: name.clone(),
                description: obj.description.clone(),
                possible_types: Vec::new(),
                fields: obj
                    .fields
                    .iter()
                    .filter(|(_, f)| !f.private)
                    .map(|(fname, f)| {
                        let parsed = TypeRef::parse(&f.ty).ok();
                        let named = parsed
                            .as_ref()
                            .map(|t| t.named().to_string())
                            .unwrap_or_else(|| f.ty.clone());
                        FieldView {
                            name: fname.clone(),
                            ty: f.ty.clone(),
                            is_object: types.contains_key(&named),
                            is_list: parsed.as_ref().is_some_and(TypeRef::is_list),
                            named_type: named,
                            description: f.description.clone(),
                            arguments: f
                                .arguments
                                .iter()
                                .map(|(aname, a)| ArgumentView {
                                    name: aname.clone(),
                                    ty: a.ty.clone(),
                                    required: a.ty.trim_end().ends_with('!') && a.default.is_none(),
                                })
                                .collect(),
                            binding: f.binding.as_ref().map(|b| BindingView {
                                source: b.source.clone(),
                                operation: b.operation.clone(),
                                batch: b.batch.is_some(),
                            }),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The explorer's schema tree read from a public SDL (`Runtime::public_sdl`, the one public
/// schema of every workspace): types reachable from `Query`, `Query` first then in SDL
/// order, with the workspace's own bindings shown on the fields it binds. Interfaces and
/// unions are listed as types; a union has no fields of its own. `None` when the SDL does
/// not parse (a workspace saved with broken type names).
pub fn schema_tree_from_sdl(public_sdl: &str, ws: &Workspace) -> Option<SchemaTree> {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    use std::collections::HashMap;
    let document = async_graphql_parser::parse_schema(public_sdl).ok()?;
    let mut types: Vec<(
        String,
        String,
        Vec<&async_graphql_parser::types::FieldDefinition>,
        Vec<String>,
    )> = Vec::new();
    let mut implementers: HashMap<String, Vec<String>> = HashMap::new();
    let mut enums: Vec<EnumView> = Vec::new();
    let mut inputs: Vec<InputTypeView> = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let t = &t.node;
        let name = t.name.node.to_string();
        if name.starts_with("__") {
            continue;
        }
        let description = t
            .description
            .as_ref()
            .map(|d| d.node.clone())
            .unwrap_or_default();
        match &t.kind {
            TypeKind::Object(o) => {
                for i in &o.implements {
                    implementers
                        .entry(i.node.to_string())
                        .or_default()
                        .push(name.clone());
                }
                types.push((
                    name,
                    description,
                    o.fields.iter().map(|f| &f.node).collect(),
                    Vec::new(),
                ))
            }
            TypeKind::Interface(i) => types.push((
                name,
                description,
                i.fields.iter().map(|f| &f.node).collect(),
                Vec::new(),
            )),
            TypeKind::Union(u) => types.push((
                name,
                description,
                Vec::new(),
                u.members.iter().map(|m| m.node.to_string()).collect(),
            )),
            TypeKind::Enum(e) => enums.push(EnumView {
                name,
                description,
                values: e
                    .values
                    .iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect(),
            }),
            TypeKind::InputObject(i) => inputs.push(InputTypeView {
                name,
                description,
                fields: i
                    .fields
                    .iter()
                    .map(|f| ArgumentView {
                        name: f.node.name.node.to_string(),
                        ty: f.node.ty.node.to_string(),
                        required: !f.node.ty.node.nullable && f.node.default_value.is_none(),
                    })
                    .collect(),
            }),
            _ => {}
        }
    }
    for (name, _, _, possible) in &mut types {
        if let Some(objects) = implementers.remove(name.as_str()) {
            *possible = objects;
        }
    }
    let composite: HashSet<String> = types.iter().map(|(n, ..)| n.clone()).collect();
    let by_name: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, (n, ..))| (n.as_str(), i))
        .collect();
    // Reachable from the roots, in declaration order with Query first, then Mutation.
    let mut reachable: HashSet<String> = HashSet::new();
    let mut queue = vec![QUERY_TYPE.to_owned(), MUTATION_TYPE.to_owned()];
    reachable.insert(QUERY_TYPE.to_owned());
    reachable.insert(MUTATION_TYPE.to_owned());
    while let Some(name) = queue.pop() {
        let Some(index) = by_name.get(name.as_str()) else {
            continue;
        };
        let (_, _, fields, possible) = &types[*index];
        let named = fields
            .iter()
            .map(|f| base_name(&f.ty.node))
            .chain(possible.iter().cloned());
        for named in named {
            if composite.contains(&named) && reachable.insert(named.clone()) {
                queue.push(named);
            }
        }
    }
    let ordered = types
        .iter()
        .filter(|(n, ..)| n == QUERY_TYPE)
        .chain(types.iter().filter(|(n, ..)| n == MUTATION_TYPE))
        .chain(
            types
                .iter()
                .filter(|(n, ..)| n != QUERY_TYPE && n != MUTATION_TYPE),
        )
        .filter(|(n, ..)| reachable.contains(n));
    Some(SchemaTree {
        enums,
        inputs,
        types: ordered
            .map(|(name, description, fields, possible)| TypeView {
                name: name.clone(),
                description: description.clone(),
                possible_types: possible.clone(),
                fields: fields
                    .iter()
                    .filter(|f| !f.name.node.starts_with("__"))
                    .map(|f| {
                        let ty = f.ty.node.to_string();
                        let named = base_name(&f.ty.node);
                        let binding = ws
                            .schema
                            .types
                            .get(name)
                            .and_then(|t| t.fields.get(f.name.node.as_str()))
                            .and_then(|d| d.binding.as_ref())
                            .map(|b| BindingView {
                                source: b.source.clone(),
                                operation: b.operation.clone(),
                                batch: b.batch.is_some(),
                            });
                        FieldView {
                            name: f.name.node.to_string(),
                            is_object: composite.contains(&named),
                            is_list: matches!(
                                f.ty.node.base,
                                async_graphql_parser::types::BaseType::List(_)
                            ),
                            named_type: named,
                            ty,
                            description: f
                                .description
                                .as_ref()
                                .map(|d| d.node.clone())
                                .unwrap_or_default(),
                            arguments: f
                                .arguments
                                .iter()
                                .map(|a| ArgumentView {
                                    name: a.node.name.node.to_string(),
                                    ty: a.node.ty.node.to_string(),
                                    required: !a.node.ty.node.nullable
                                        && a.node.default_value.is_none(),
                                })
                                .collect(),
                            binding,
                        }
                    })
                    .collect(),
            })
            .collect(),
    })
}

fn base_name(ty: &async_graphql_parser::types::Type) -> String {
    match &ty.base {
        async_graphql_parser::types::BaseType::Named(n) => n.to_string(),
        async_graphql_parser::types::BaseType::List(inner) => base_name(inner),
    }
}

pub fn source_kind(source: &Source) -> SourceKind {
    match source {
        Source::Rest(_) => SourceKind::Rest,
        Source::Grpc(_) => SourceKind::Grpc,
        Source::Graphql(_) => SourceKind::Graphql,
    }
}

pub fn source_view(name: &str, source: &Source) -> SourceView {
    let (target, operations): (String, Vec<OperationView>) = match source {
        Source::Rest(s) => (
            s.base_url.clone(),
            s.operations
                .iter()
                .map(|(n, o)| {
                    operation_view(n, format!("{} {}", o.method.as_str(), o.path), &o.inputs)
                })
                .collect(),
        ),
        Source::Grpc(s) => (
            s.endpoint.clone(),
            s.operations
                .iter()
                .map(|(n, o)| operation_view(n, o.method.clone(), &o.inputs))
                .collect(),
        ),
        Source::Graphql(s) => (
            s.url.clone(),
            s.operations
                .iter()
                .map(|(n, o)| {
                    let kind = match o.operation_type {
                        knot_model::GraphqlOperationType::Query => "query",
                        knot_model::GraphqlOperationType::Mutation => "mutation",
                    };
                    operation_view(n, format!("{kind} {}", o.field), &o.inputs)
                })
                .collect(),
        ),
    };
    SourceView {
        name: name.to_string(),
        kind: source_kind(source),
        target,
        operations,
    }
}

fn operation_view(name: &str, summary: String, inputs: &IndexMap<String, String>) -> OperationView {
    OperationView {
        name: name.to_string(),
        summary,
        inputs: inputs
            .iter()
            .map(|(n, ty)| InputView {
                name: n.clone(),
                ty: ty.clone(),
                required: ty.trim_end().ends_with('!'),
            })
            .collect(),
    }
}

pub fn saved_operation_view(name: &str, op: &SavedOperation) -> SavedOperationView {
    SavedOperationView {
        name: name.to_string(),
        document: op.document.clone(),
        rest_path: op.rest.as_ref().map(|r| r.path.clone()),
        rest_method: op.rest.as_ref().map(|r| r.method.as_str().to_string()),
        grpc: op.grpc.is_some(),
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
