//! Workspace -> [`WorkspaceView`]: what the UI's sidebar, schema tree and source list show.
//!
//! The main design choice: the view is derived, never stored. Every command that changes a
//! workspace answers with a fresh view computed from the model alone (the public SDL, the
//! schema tree, the check problems), so the UI never has to patch its copy and can never
//! show private fields: the tree is built by walking the *public* schema from `Query`
//! (private fields are not followed), which also puts `Query` first.

use crate::dto::*;
use indexmap::IndexMap;
use knot_model::{public_sdl, Problem, SavedOperation, Source, TypeRef, Workspace, QUERY_TYPE};
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

/// The full view of a workspace. `problems` are the check problems of its current text.
pub fn workspace_view(meta: &WorkspaceMeta, ws: &Workspace, problems: &[Problem]) -> WorkspaceView {
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
        sdl: public_sdl(ws),
        schema: schema_tree(ws),
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
/// order the workspace declares them.
pub fn schema_tree(ws: &Workspace) -> SchemaTree {
    let types = &ws.schema.types;
    let mut reachable: HashSet<&str> = HashSet::new();
    let mut queue: Vec<&str> = Vec::new();
    if types.contains_key(QUERY_TYPE) {
        reachable.insert(QUERY_TYPE);
        queue.push(QUERY_TYPE);
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
    let ordered = types
        .iter()
        .filter(|(n, _)| n.as_str() == QUERY_TYPE)
        .chain(types.iter().filter(|(n, _)| n.as_str() != QUERY_TYPE))
        .filter(|(n, _)| reachable.contains(n.as_str()));
    SchemaTree {
        types: ordered
            .map(|(name, obj)| TypeView {
                name: name.clone(),
                description: obj.description.clone(),
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
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
