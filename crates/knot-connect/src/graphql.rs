//! Calls to a downstream GraphQL service: one root field per operation, its arguments sent
//! as variables, and a selection chosen by the planner (only what the query needs).

use crate::call::{http_category, preview, CallError, CallResult, Category, RequestSummary};
use crate::rest::{describe_reqwest, render_headers};
use crate::vars::Vars;
use knot_model::{GraphqlOperation, GraphqlOperationType, GraphqlSource};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

pub struct GraphqlClient {
    http: reqwest::Client,
    source: GraphqlSource,
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

impl GraphqlClient {
    pub fn new(http: reqwest::Client, source: GraphqlSource) -> Self {
        GraphqlClient { http, source }
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
        let prepared = (|| {
            let (url, url_shown) = vars.render(&self.source.url, |_| None)?;
            let (headers, headers_shown) = render_headers(vars, &self.source.headers)?;
            Ok::<_, String>((url, url_shown, headers, headers_shown))
        })();
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
        let exchange = async move {
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        };
        let (status, bytes) = match tokio::time::timeout(timeout, exchange).await {
            Err(_) => {
                return CallResult::failed(
                    started,
                    summary,
                    CallError::Timeout {
                        after_ms: timeout.as_millis() as u64,
                    },
                )
            }
            Ok(Err(e)) => {
                return CallResult::failed(
                    started,
                    summary,
                    CallError::Transport(describe_reqwest(&e)),
                )
            }
            Ok(Ok(r)) => r,
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
        }
    }
}

/// Reads a GraphQL response: the root field's value, or an error. Partial data (a value
/// with errors) is kept as data.
fn interpret(status: u16, bytes: &[u8], field: &str) -> Result<Value, CallError> {
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
            let validation = errors.iter().any(|e| {
                matches!(
                    e.pointer("/extensions/code").and_then(Value::as_str),
                    Some(
                        "BAD_USER_INPUT"
                            | "GRAPHQL_VALIDATION_FAILED"
                            | "GRAPHQL_PARSE_FAILED"
                            | "NOT_FOUND"
                    )
                )
            }) || (400..500).contains(&status);
            let message = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("; ");
            Err(CallError::Status {
                status: status.to_string(),
                category: if validation {
                    Category::DependencyValidation
                } else {
                    Category::Dependency
                },
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
}
