//! A saved operation as `knot serve` exposes it: the GraphQL request, the REST endpoint and the
//! gRPC method side by side, each with a command to paste into a shell (`curl`, `grpcurl`).
//! The commands come from `knot_expose::calls`, which follows the OpenAPI document's and the
//! generated `.proto`'s rules, so the app shows what the gateway really answers.

use crate::dto::{ApiError, ApiErrorCode};
use knot_model::Workspace;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// `operation_calls`: how one saved operation is called over GraphQL, REST and gRPC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationCallsView {
    pub name: String,
    pub mutation: bool,
    /// The variables the commands carry.
    #[ts(type = "Record<string, unknown>")]
    pub variables: Map<String, Value>,
    /// Variables whose value is an example (the caller gave none).
    pub examples: Vec<String>,
    /// How to start the gateway so that every command below answers.
    pub serve: String,
    pub graphql: GraphqlCallView,
    pub rest: Option<RestCallView>,
    pub grpc: Option<GrpcCallView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GraphqlCallView {
    pub url: String,
    #[ts(type = "unknown")]
    pub body: Value,
    pub curl: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestCallView {
    pub method: String,
    pub path: String,
    pub url: String,
    #[ts(type = "unknown")]
    pub body: Option<Value>,
    pub curl: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrpcCallView {
    pub service: String,
    pub method: String,
    #[ts(type = "unknown")]
    pub request: Value,
    pub grpcurl: String,
    /// The `rpc` line and its request and response messages from the generated `.proto`.
    pub messages: String,
}

/// The calls of saved operation `name`, with the `variables` given (examples for the others),
/// against a gateway at the default addresses (`knot serve FILE --grpc-port 50051`).
pub fn operation_calls(
    ws: &Workspace,
    public_sdl: &str,
    name: &str,
    variables: &Map<String, Value>,
    file: Option<&str>,
) -> Result<OperationCallsView, ApiError> {
    let at = knot_expose::calls::Addresses::default();
    let calls = knot_expose::calls::calls(ws, public_sdl, name, variables, &at).map_err(|e| {
        let code = if ws.operations.contains_key(name) {
            ApiErrorCode::Workspace
        } else {
            ApiErrorCode::NotFound
        };
        ApiError::new(code, e.to_string())
    })?;
    let file = knot_expose::calls::sh(file.unwrap_or("WORKSPACE.knot.json"));
    let grpc_port = at.grpc.rsplit(':').next().unwrap_or("50051");
    let serve = if calls.grpc.is_some() {
        format!("knot serve {file} --grpc-port {grpc_port}")
    } else {
        format!("knot serve {file}")
    };
    Ok(OperationCallsView {
        name: calls.name,
        mutation: calls.mutation,
        variables: calls.variables,
        examples: calls.examples,
        serve,
        graphql: GraphqlCallView {
            url: calls.graphql.url,
            body: calls.graphql.body,
            curl: calls.graphql.curl,
        },
        rest: calls.rest.map(|r| RestCallView {
            method: r.method,
            path: r.path,
            url: r.url,
            body: r.body,
            curl: r.curl,
        }),
        grpc: calls.grpc.map(|g| GrpcCallView {
            service: g.service,
            method: g.method,
            request: g.request,
            grpcurl: g.grpcurl,
            messages: g.messages,
        }),
    })
}
