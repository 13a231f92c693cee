//! Subgraphs to supergraph. Composition itself is Grafbase's
//! `graphql-composition` (MPL-2.0, used unmodified as a library): it checks the
//! subgraphs against the Federation v2 rules and emits an SDL with `join__`
//! directives. Its output leaves root types without `@join__type`, which the
//! planner needs to know which subgraphs can start a query; this module adds
//! them from the subgraphs' own definitions, then checks the planner accepts
//! the result.

use graphql_tools::parser::query::Value as AstValue;
use graphql_tools::parser::schema::{
    parse_schema, Definition, Directive, Document, TypeDefinition,
};
use graphql_tools::parser::Pos;

use crate::supergraph::Supergraph;

/// One subgraph to compose.
#[derive(Clone, Debug)]
pub struct SubgraphSdl {
    pub name: String,
    pub url: String,
    pub sdl: String,
}

/// Why subgraphs did not compose: every problem, each naming its subgraph or type.
#[derive(Clone, Debug, thiserror::Error)]
#[error("composition failed:\n{}", .problems.join("\n"))]
pub struct CompositionError {
    pub problems: Vec<String>,
}

/// Composes `subgraphs` into a supergraph SDL the gateway can serve.
pub fn compose(subgraphs: &[SubgraphSdl]) -> Result<String, CompositionError> {
    let mut problems = Vec::new();
    let mut ingested = graphql_composition::Subgraphs::default();
    for subgraph in subgraphs {
        if let Err(err) = ingested.ingest_str(&subgraph.sdl, &subgraph.name, Some(&subgraph.url)) {
            problems.push(format!("subgraph `{}`: {err}", subgraph.name));
        }
    }
    if !problems.is_empty() {
        return Err(CompositionError { problems });
    }
    let result = graphql_composition::compose(&mut ingested);
    let fatal: Vec<String> = result
        .diagnostics()
        .iter_errors()
        .map(str::to_owned)
        .collect();
    let graph = match result.into_result() {
        Ok(graph) if fatal.is_empty() => graph,
        Ok(_) => return Err(CompositionError { problems: fatal }),
        Err(diagnostics) => {
            let mut problems: Vec<String> = diagnostics.iter_errors().map(str::to_owned).collect();
            if problems.is_empty() {
                problems.push("composition failed without a message".into());
            }
            return Err(CompositionError { problems });
        }
    };
    let sdl =
        graphql_composition::render_federated_sdl(&graph).map_err(|err| CompositionError {
            problems: vec![format!("cannot render the supergraph: {err}")],
        })?;
    let sdl = add_root_join_types(&sdl, subgraphs)?;
    Supergraph::parse(&sdl).map_err(|err| CompositionError {
        problems: vec![format!("the composed supergraph is not usable: {err}")],
    })?;
    Ok(sdl)
}

/// Root types each subgraph defines (`type Query` or `extend type Query`). A line scan,
/// not a parse: subgraph SDLs carry `extend schema @link(...)`, which the SDL parser
/// used here does not read.
fn root_types_of(sdl: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in sdl.lines() {
        let mut words = line.split_whitespace();
        let mut word = words.next();
        if word == Some("extend") {
            word = words.next();
        }
        if word != Some("type") {
            continue;
        }
        let Some(name) = words.next() else { continue };
        let name = name.trim_end_matches('{');
        if matches!(name, "Query" | "Mutation" | "Subscription") && !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    out
}

fn add_root_join_types(sdl: &str, subgraphs: &[SubgraphSdl]) -> Result<String, CompositionError> {
    let mut document: Document<'static, String> = parse_schema::<String>(sdl)
        .map(|d| d.into_static())
        .map_err(|err| CompositionError {
            problems: vec![format!("the composed SDL does not parse: {err}")],
        })?;
    // join__Graph value per subgraph name.
    let mut graph_ids: Vec<(String, String)> = Vec::new();
    for definition in &document.definitions {
        if let Definition::TypeDefinition(TypeDefinition::Enum(e)) = definition {
            if e.name == "join__Graph" {
                for value in &e.values {
                    for directive in &value.directives {
                        if directive.name != "join__graph" {
                            continue;
                        }
                        for (arg, v) in &directive.arguments {
                            if arg == "name" {
                                if let AstValue::String(name) = v {
                                    graph_ids.push((name.clone(), value.name.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    for definition in &mut document.definitions {
        let Definition::TypeDefinition(TypeDefinition::Object(object)) = definition else {
            continue;
        };
        if !matches!(object.name.as_str(), "Query" | "Mutation" | "Subscription") {
            continue;
        }
        if object.directives.iter().any(|d| d.name == "join__type") {
            continue;
        }
        for subgraph in subgraphs {
            if !root_types_of(&subgraph.sdl).contains(&object.name) {
                continue;
            }
            let Some((_, id)) = graph_ids.iter().find(|(name, _)| *name == subgraph.name) else {
                continue;
            };
            object.directives.push(Directive {
                position: Pos { line: 0, column: 0 },
                name: "join__type".into(),
                arguments: vec![("graph".into(), AstValue::Enum(id.clone()))],
            });
        }
    }
    Ok(document.to_string())
}
