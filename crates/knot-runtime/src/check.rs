//! Every check that needs more than the model: the subgraphs compose, saved operations plan
//! against the public schema, gRPC methods exist in their compiled `.proto` files. `knot
//! check` prints these and the app shows the same list.

use knot_connect::Vars;
use knot_federation::WorkspaceFederationError;
use knot_model::{JsonPath, Problem, ProblemCode, Source, Workspace};
use std::path::Path;

/// The deep problems of `ws` (read from `text`, to give each one its line and column).
/// `base` resolves relative paths. Subgraphs whose SDL is only fetched from the network
/// are not composed here (they are checked when served), so this never calls anything.
pub fn check(ws: &Workspace, base: &Path, text: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let supergraph = offline_supergraph(ws, base, &mut out);
    for (name, op) in &ws.operations {
        let at = JsonPath::root().keys(["operations", name.as_str(), "document"]);
        let messages: Vec<String> = match &supergraph {
            Some(Some(supergraph)) => {
                match supergraph.prepare(&op.document, op.operation_name.as_deref()) {
                    Ok(_) => Vec::new(),
                    Err(e) => e.messages(),
                }
            }
            // Subgraphs that could not be composed here: nothing to plan against.
            Some(None) => Vec::new(),
            None => {
                // Variables are not known here: plan with placeholder values of the right type.
                let vars = knot_plan::topology::placeholder_variables(
                    ws,
                    &op.document,
                    op.operation_name.as_deref(),
                );
                match knot_plan::plan(ws, &op.document, op.operation_name.as_deref(), &vars) {
                    Ok(_) => Vec::new(),
                    Err(errors) => errors.iter().map(ToString::to_string).collect(),
                }
            }
        };
        for m in messages {
            out.push(Problem::new(
                ProblemCode::InvalidDocument,
                at.clone(),
                format!("operation `{name}`: {m}"),
            ));
        }
    }
    out.extend(grpc_checks(ws, base));
    let public_sdl = match &supergraph {
        None => Some(knot_model::public_sdl(ws)),
        Some(Some(sg)) => Some(sg.public_sdl().to_string()),
        Some(None) => None,
    };
    if let Some(sdl) = public_sdl {
        // An operation already reported (its document does not plan) is not reported again.
        let operation = |p: &Problem| p.path.0.get(..2).map(<[_]>::to_vec);
        let fresh: Vec<Problem> = exposure_checks(ws, &sdl)
            .into_iter()
            .filter(|p| !out.iter().any(|o| operation(o) == operation(p)))
            .collect();
        out.extend(fresh);
    }
    for p in &mut out {
        if let Some((l, c)) = knot_model::locate::line_col(text, &p.path.0) {
            p.line = Some(l);
            p.column = Some(c);
        }
    }
    out
}

/// `None`: the workspace has no subgraphs. `Some(None)`: it has, but they are not composed
/// here (SDL only over the network, or composition failed: then the problems are in `out`).
fn offline_supergraph(
    ws: &Workspace,
    base: &Path,
    out: &mut Vec<Problem>,
) -> Option<Option<knot_federation::Supergraph>> {
    if !ws.has_subgraphs() {
        return None;
    }
    let offline = ws.sources.values().all(|s| match s {
        Source::Graphql(g) => g.subgraph.as_ref().is_none_or(|sg| sg.sdl_file.is_some()),
        _ => true,
    });
    let Ok(vars) = Vars::from_workspace(ws, None) else {
        return Some(None);
    };
    if !offline {
        return Some(None);
    }
    match knot_federation::workspace_supergraph(ws, &vars, base, false) {
        Err(WorkspaceFederationError::Source {
            source_name,
            message,
        }) => out.push(Problem::new(
            ProblemCode::Composition,
            JsonPath::root().keys(["sources", source_name.as_str()]),
            message,
        )),
        Err(WorkspaceFederationError::Composition(e)) => {
            out.extend(e.problems.into_iter().map(|p| {
                Problem::new(ProblemCode::Composition, JsonPath::root().key("sources"), p)
            }))
        }
        Err(e) => out.push(Problem::new(
            ProblemCode::Composition,
            JsonPath::root().key("schema"),
            e.to_string(),
        )),
        Ok(Some((sdl, _, _))) => {
            return Some(knot_federation::Supergraph::parse(&sdl).ok());
        }
        Ok(None) => {}
    }
    Some(None)
}

fn grpc_checks(ws: &Workspace, base: &Path) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, source) in &ws.sources {
        let Source::Grpc(g) = source else { continue };
        if g.proto_files.is_empty() {
            continue;
        }
        let path = JsonPath::root().keys(["sources", name.as_str()]);
        match knot_connect::grpc::compile_protos(&g.proto_files, &g.import_paths, base) {
            Err(e) => out.push(Problem::new(
                ProblemCode::Proto,
                path.key("protoFiles"),
                e.to_string(),
            )),
            Ok(pool) => {
                for (op_name, op) in &g.operations {
                    if knot_connect::grpc::find_method(&pool, &op.method).is_none() {
                        out.push(Problem::new(
                            ProblemCode::Proto,
                            path.keys(["operations", op_name.as_str(), "method"]),
                            format!("the .proto files define no method `{}`", op.method),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Saved operations that cannot be served as described: a REST endpoint the OpenAPI
/// document cannot describe, a gRPC method that cannot be generated (a name taken twice, a
/// type with no protobuf form). Each is named at its operation: the gRPC methods are added
/// one by one, and the first that fails is the one at fault.
fn exposure_checks(ws: &Workspace, sdl: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let Ok(schema) = knot_expose::Schema::parse(sdl) else {
        return out;
    };
    for (name, op) in &ws.operations {
        if op.rest.is_none() && op.grpc.is_none() {
            continue;
        }
        if let Err(e) = schema.operation(name, op) {
            out.push(Problem::new(
                ProblemCode::InvalidDocument,
                JsonPath::root().keys(["operations", name.as_str(), "document"]),
                e.to_string(),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    let mut growing = ws.clone();
    for op in growing.operations.values_mut() {
        op.grpc = None;
    }
    for (name, op) in &ws.operations {
        let Some(grpc) = &op.grpc else { continue };
        if let Some(slot) = growing.operations.get_mut(name) {
            slot.grpc = Some(grpc.clone());
        }
        if let Err(e) = knot_expose::proto::proto(&growing, sdl) {
            out.push(Problem::new(
                ProblemCode::Proto,
                JsonPath::root().keys(["operations", name.as_str(), "grpc"]),
                format!("operation `{name}` cannot be a gRPC method: {e}"),
            ));
            if let Some(slot) = growing.operations.get_mut(name) {
                slot.grpc = None;
            }
        }
    }
    out
}
