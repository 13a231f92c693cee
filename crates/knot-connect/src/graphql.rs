//! Calls to a downstream GraphQL service: one root field per operation, its arguments sent
//! as variables, and a selection chosen by the planner (only what the query needs).

use crate::call::{http_category, preview, CallError, CallResult, Category, RequestSummary};
use crate::rest::render_headers;
use crate::vars::Vars;
use knot_model::{GraphqlOperation, GraphqlOperationType, GraphqlSource};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

pub struct GraphqlClient {
    http: reqwest::Client,
    source: GraphqlSource,
    inflight: Option<crate::call::Inflight>,
}

/// The document sent downstream for one call.
pub fn document(
    op: &GraphqlOperation,
    inputs: &Map<String, Value>,
    selection: Option<&str>,
) -> String {
    let used: Vec<(&String, &String)> = op
        .inputs
        .iter()
        .filter(|(n, _)| inputs.contains_key(n.as_str()))
        .collect();
    let keyword = match op.operation_type {
        GraphqlOperationType::Query => "query",
        GraphqlOperationType::Mutation => "mutation",
    };
    let var_defs = if used.is_empty() {
        String::new()
    } else {
        format!(
            "({})",
            used.iter()
                .map(|(n, t)| format!("${n}: {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let args = if used.is_empty() {
        String::new()
    } else {
        format!(
            "({})",
            used.iter()
                .map(|(n, _)| format!("{n}: ${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let selection = selection
        .or(op.selection.as_deref())
        .map(|s| format!(" {}", s.trim()))
        .unwrap_or_default();
    format!(
        "{keyword} Knot{var_defs} {{ {}{args}{selection} }}",
        op.field
    )
}

/// The source's URL and headers with variables rendered, and as the trace shows them.
type Endpoint = (String, String, Vec<(String, String)>, Vec<(String, String)>);

impl GraphqlClient {
    fn endpoint(&self, vars: &Vars) -> Result<Endpoint, String> {
        let (url, url_shown) = vars.render(&self.source.url, |_| None)?;
        let (headers, headers_shown) = render_headers(vars, &self.source.headers)?;
        Ok((url, url_shown, headers, headers_shown))
    }

    pub fn new(http: reqwest::Client, source: GraphqlSource) -> Self {
        let inflight = (source.dedupe != Some(false)).then(Default::default);
        GraphqlClient {
            http,
            source,
            inflight,
        }
    }

    pub async fn call(
        &self,
        vars: &Vars,
        op_name: &str,
        inputs: &Map<String, Value>,
        selection: Option<&str>,
        forwarded: &[(String, String)],
        timeout: Duration,
    ) -> CallResult {
        let started = Instant::now();
        let Some(op) = self.source.operations.get(op_name) else {
            return CallResult::failed(
                started,
                RequestSummary::default(),
                CallError::Request(format!("no operation `{op_name}`")),
            );
        };
        let prepared = self.endpoint(vars);
        let (url, url_shown, headers, headers_shown) = match prepared {
            Ok(p) => p,
            Err(e) => {
                return CallResult::failed(
                    started,
                    RequestSummary {
                        method: "POST".into(),
                        ..Default::default()
                    },
                    CallError::Request(e),
                )
            }
        };
        let variables: Map<String, Value> = op
            .inputs
            .keys()
            .filter_map(|n| inputs.get(n).map(|v| (n.clone(), v.clone())))
            .collect();
        let body = json!({ "query": document(op, inputs, selection), "variables": variables });
        let summary = RequestSummary {
            method: "POST".into(),
            target: url_shown,
            headers: headers_shown,
            body: Some(body.clone()),
        };
        let mut req = self
            .http
            .post(&url)
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .json(&body);
        for (k, v) in headers.iter().chain(forwarded.iter()) {
            req = req.header(k, v);
        }
        let req = match req.build() {
            Ok(r) => r,
            Err(e) => {
                return CallResult::failed(started, summary, CallError::Request(e.to_string()))
            }
        };
        let inflight = self.inflight.as_ref().filter(|_| is_read(&body));
        let (status, headers, bytes, shared) =
            match crate::call::exchange(&self.http, req, timeout, inflight).await {
                (Ok(reply), shared) => (reply.status, reply.headers, reply.body, shared),
                (Err(e), shared) => {
                    return CallResult {
                        shared,
                        ..CallResult::failed(started, summary, e)
                    }
                }
            };
        let outcome = interpret(status, &bytes, &op.field);
        CallResult {
            outcome,
            request: summary,
            status: Some(status.to_string()),
            bytes: bytes.len(),
            started,
            ended: Instant::now(),
            response_preview: Some(preview(&bytes)),
            shared,
            raw_headers: headers,
            response_headers: Vec::new(),
        }
    }
}

impl GraphqlClient {
    /// Sends a whole GraphQL request body as it is (a Federation subgraph fetch, whose
    /// operation the planner wrote) and returns the raw answer for the caller to read.
    /// `shown` is what the trace may record of the body.
    /// `dedupe`: the body is a query that may share an identical request in flight.
    pub async fn post(
        &self,
        vars: &Vars,
        body: Vec<u8>,
        shown: Option<Value>,
        forwarded: &[(String, String)],
        timeout: Duration,
        dedupe: bool,
    ) -> Exchange {
        let started = Instant::now();
        let prepared = self.endpoint(vars);
        let (url, url_shown, headers, headers_shown) = match prepared {
            Ok(p) => p,
            Err(e) => {
                return Exchange {
                    outcome: Err(CallError::Request(e)),
                    request: RequestSummary {
                        method: "POST".into(),
                        ..Default::default()
                    },
                    started,
                    ended: Instant::now(),
                    shared: false,
                }
            }
        };
        let request = RequestSummary {
            method: "POST".into(),
            target: url_shown,
            headers: headers_shown,
            body: shown,
        };
        let mut req = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .body(body);
        for (k, v) in headers.iter().chain(forwarded.iter()) {
            req = req.header(k, v);
        }
        let req = match req.build() {
            Ok(r) => r,
            Err(e) => {
                return Exchange {
                    outcome: Err(CallError::Request(e.to_string())),
                    request,
                    started,
                    ended: Instant::now(),
                    shared: false,
                }
            }
        };
        let inflight = self.inflight.as_ref().filter(|_| dedupe);
        let (outcome, shared) = crate::call::exchange(&self.http, req, timeout, inflight).await;
        Exchange {
            outcome: outcome.map(|reply| (reply.status, reply.body)),
            request,
            started,
            ended: Instant::now(),
            shared,
        }
    }
}

/// The raw answer to a whole GraphQL request ([`GraphqlClient::post`]): the status and
/// body, or why there is none.
#[derive(Debug)]
pub struct Exchange {
    pub outcome: Result<(u16, bytes::Bytes), CallError>,
    pub request: RequestSummary,
    /// When the request was sent (after waiting for the source's concurrency limit).
    pub started: Instant,
    pub ended: Instant,
    /// The answer of an identical request already in flight (no call of its own was made).
    pub shared: bool,
}

/// Whether a GraphQL request body holds a query (shared with identical ones in flight),
/// not a mutation or subscription (always sent on its own).
pub(crate) fn is_read(body: &Value) -> bool {
    body.get("query")
        .and_then(Value::as_str)
        .is_some_and(document_is_query)
}

/// Whether a document's first operation is a query (`{ … }` or `query …`). Comments and
/// whitespace before it are skipped.
pub fn document_is_query(document: &str) -> bool {
    let mut rest = document;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}');
        match rest.strip_prefix('#') {
            Some(comment) => rest = comment.split_once('\n').map_or("", |(_, r)| r),
            None => break,
        }
    }
    rest.starts_with('{')
        || (rest.starts_with("query")
            && !rest[5..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// The category of one error a GraphQL server reported, from its `extensions`: Knot's own
/// `category` when a server sets one, else the `code` (a client mistake or a missing
/// object is the dependency refusing the request). One rule for every GraphQL answer, of a
/// bound operation or of a Federation subgraph.
pub fn error_category(error: &Value) -> Category {
    let extensions = error.get("extensions");
    let own = extensions
        .and_then(|e| e.get("category"))
        .and_then(Value::as_str);
    match own {
        Some("TIMEOUT") => return Category::Timeout,
        Some("DEPENDENCY_VALIDATION") | Some("VALIDATION") => {
            return Category::DependencyValidation
        }
        Some(_) => return Category::Dependency,
        None => {}
    }
    let code = extensions
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match code {
        "BAD_USER_INPUT"
        | "GRAPHQL_VALIDATION_FAILED"
        | "GRAPHQL_PARSE_FAILED"
        | "NOT_FOUND"
        | "BAD_REQUEST"
        | "UNAUTHENTICATED"
        | "FORBIDDEN"
        | "INVALID_ARGUMENT" => Category::DependencyValidation,
        _ => Category::Dependency,
    }
}

/// Reads a GraphQL response: the root field's value, or an error. Partial data (a value
/// with errors) is kept as data.
pub fn interpret(status: u16, bytes: &[u8], field: &str) -> Result<Value, CallError> {
    let parsed: Result<Value, _> = serde_json::from_slice(bytes);
    let body = match parsed {
        Ok(Value::Object(map)) => map,
        Ok(_) | Err(_) if !(200..300).contains(&status) => {
            return Err(CallError::Status {
                status: status.to_string(),
                category: http_category(status),
                message: String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
            })
        }
        Ok(_) => {
            return Err(CallError::BadPayload(
                "the answer is not a GraphQL response object".into(),
            ))
        }
        Err(e) => return Err(CallError::BadPayload(format!("response is not JSON: {e}"))),
    };
    let value = body
        .get("data")
        .and_then(|d| d.get(field))
        .cloned()
        .unwrap_or(Value::Null);
    let errors = body
        .get("errors")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty());
    match errors {
        Some(errors) if value.is_null() => {
            let categories: Vec<Category> = errors.iter().map(error_category).collect();
            let category = if (400..500).contains(&status)
                || categories.contains(&Category::DependencyValidation)
            {
                Category::DependencyValidation
            } else if categories.contains(&Category::Timeout) {
                Category::Timeout
            } else {
                Category::Dependency
            };
            let message = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("; ");
            Err(CallError::Status {
                status: status.to_string(),
                category,
                message,
            })
        }
        _ if !(200..300).contains(&status) => Err(CallError::Status {
            status: status.to_string(),
            category: http_category(status),
            message: String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
        }),
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_document_with_only_the_inputs_given() {
        let op = GraphqlOperation {
            description: String::new(),
            operation_type: GraphqlOperationType::Query,
            field: "reviewsForProducts".into(),
            inputs: [
                ("productIds".to_string(), "[ID!]!".to_string()),
                ("first".to_string(), "Int".to_string()),
            ]
            .into_iter()
            .collect(),
            selection: None,
        };
        let inputs: Map<String, Value> = [("productIds".to_string(), json!(["1"]))]
            .into_iter()
            .collect();
        assert_eq!(
            document(&op, &inputs, Some("{ productId reviews { rating } }")),
            "query Knot($productIds: [ID!]!) { reviewsForProducts(productIds: $productIds) { productId reviews { rating } } }"
        );
    }

    #[test]
    fn errors_without_data_become_categorised_failures() {
        let body = br#"{"data": null, "errors": [{"message": "bad id", "extensions": {"code": "BAD_USER_INPUT"}}]}"#;
        let err = interpret(200, body, "review").unwrap_err();
        assert_eq!(err.category(), Category::DependencyValidation);
        let ok = interpret(200, br#"{"data": {"review": {"id": "r"}}}"#, "review").unwrap();
        assert_eq!(ok, json!({"id": "r"}));
        assert_eq!(
            interpret(502, b"<html>", "review").unwrap_err().category(),
            Category::Dependency
        );
    }

    /// One rule for a GraphQL error's category, used for bound GraphQL operations and for
    /// Federation subgraph answers alike (the federation gateway calls `error_category`).
    #[test]
    fn a_not_found_or_other_client_error_is_dependency_validation_everywhere() {
        for code in [
            "NOT_FOUND",
            "BAD_USER_INPUT",
            "FORBIDDEN",
            "UNAUTHENTICATED",
        ] {
            let error = json!({"message": "no such thing", "extensions": {"code": code}});
            assert_eq!(
                error_category(&error),
                Category::DependencyValidation,
                "{code}"
            );
            let body = json!({"data": null, "errors": [error]}).to_string();
            assert_eq!(
                interpret(200, body.as_bytes(), "review")
                    .unwrap_err()
                    .category(),
                Category::DependencyValidation,
                "{code}"
            );
        }
        let internal = json!({"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}});
        assert_eq!(error_category(&internal), Category::Dependency);
        assert_eq!(
            error_category(&json!({"message": "plain"})),
            Category::Dependency
        );
        let own = json!({"message": "slow", "extensions": {"category": "TIMEOUT"}});
        assert_eq!(error_category(&own), Category::Timeout);
    }
}
