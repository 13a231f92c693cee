//! Aggregated writes (the fourth founding document's aggregation services): one mutation
//! field reaches three services sharing its contract (two REST, one GraphQL), concurrently,
//! after input discipline, each failure mapped to a category and told only by the target's
//! public label; an `Idempotency-Key` reaches every target. Real servers on loopback that
//! record what they were sent and can be told to fail or be slow.

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use knot_tests::{errors, overlap, request};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What one service was sent.
#[derive(Clone, Debug)]
struct Seen {
    body: Value,
    idempotency_key: Option<String>,
}

/// How a service answers its next calls.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Ok,
    Reject,
    Fail,
    Slow,
}

#[derive(Clone)]
struct Service {
    seen: Arc<Mutex<Vec<Seen>>>,
    mode: Arc<Mutex<Mode>>,
}

impl Service {
    fn new() -> Self {
        Service {
            seen: Arc::default(),
            mode: Arc::new(Mutex::new(Mode::Ok)),
        }
    }
    fn set(&self, mode: Mode) {
        *self.mode.lock().expect("lock") = mode;
    }
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
    fn clear(&self) {
        self.seen.lock().expect("lock").clear();
    }

    /// Serves `path` on loopback; `answer` is the body of a successful call.
    async fn start(&self, path: &str, answer: Value) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            path,
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let me = me.clone();
                let answer = answer.clone();
                async move {
                    me.seen.lock().expect("lock").push(Seen {
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        idempotency_key: headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                    });
                    let mode = *me.mode.lock().expect("lock");
                    // Every call takes a moment, so concurrent calls visibly overlap.
                    tokio::time::sleep(Duration::from_millis(60)).await;
                    match mode {
                        Mode::Ok => axum::Json(answer).into_response(),
                        Mode::Reject => {
                            (StatusCode::BAD_REQUEST, "secret-reason: bad course").into_response()
                        }
                        Mode::Fail => (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "stack trace at mailer.rs",
                        )
                            .into_response(),
                        Mode::Slow => {
                            tokio::time::sleep(Duration::from_millis(1500)).await;
                            axum::Json(answer).into_response()
                        }
                    }
                }
            }),
        );
        knot_tests::serve_on_loopback(app).await
    }
}

struct Services {
    registry: Service,
    coord: Service,
    mailer: Service,
    runtime: knot_runtime::Runtime,
}

async fn services() -> Services {
    let (registry, coord, mailer) = (Service::new(), Service::new(), Service::new());
    let registry_url = registry.start("/students", json!({"id": "s-1"})).await;
    let coord_url = coord.start("/enrolments", json!({"ok": true})).await;
    let mailer_url = mailer
        .start("/graphql", json!({"data": {"sendWelcome": true}}))
        .await;
    let targets = json!({
        "records": {"source": "registry", "operation": "createStudent",
                    "args": {"student": {"argument": "input"}}, "required": true},
        "enrolment": {"source": "coord", "operation": "enrol",
                      "args": {"name": {"argument": "input.name"}, "course": {"argument": "input.course"}}},
        "welcome-email": {"source": "mailer", "operation": "sendWelcome",
                          "args": {"email": {"argument": "input.email"}}, "timeoutMs": 400}
    });
    let mut quiet_targets = targets.clone();
    quiet_targets["records"]["required"] = json!(false);
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1, "name": "school",
        "sources": {
            "registry": {"kind": "rest", "baseUrl": registry_url, "operations": {"createStudent": {
                "method": "POST", "path": "/students", "body": "{student}", "inputs": {"student": "JSON!"}
            }}},
            "coord": {"kind": "rest", "baseUrl": coord_url, "operations": {"enrol": {
                "method": "POST", "path": "/enrolments",
                "body": {"studentName": "{name}", "course": "{course}"},
                "inputs": {"name": "String!", "course": "String!"}
            }}},
            "mailer": {"kind": "graphql", "url": format!("{mailer_url}/graphql"), "operations": {"sendWelcome": {
                "operationType": "mutation", "field": "sendWelcome", "inputs": {"email": "String!"}
            }}}
        },
        "schema": {
            "types": {
                "Query": {"fields": {"ping": {"type": "Boolean", "binding": {"source": "registry", "operation": "createStudent", "args": {"student": {"value": {}}}}}}},
                "Mutation": {"fields": {
                    "registerStudent": {
                        "type": "Registration!",
                        "arguments": {"input": {"type": "StudentInput!"}},
                        "aggregate": {"targets": targets, "idempotencyKey": true}
                    },
                    "registerQuietly": {
                        "type": "Boolean!",
                        "arguments": {"input": {"type": "StudentInput!"}},
                        "aggregate": {"targets": quiet_targets}
                    }
                }},
                "Registration": {"fields": {
                    "ok": {"type": "Boolean!"},
                    "status": {"type": "AggregateStatus!"},
                    "targets": {"type": "[TargetOutcome!]!"}
                }},
                "TargetOutcome": {"fields": {
                    "label": {"type": "String!"},
                    "status": {"type": "TargetStatus!"},
                    "category": {"type": "String"},
                    "message": {"type": "String"}
                }}
            },
            "enums": {
                "AggregateStatus": {"values": {"SUCCEEDED": {}, "PARTIAL": {}, "FAILED": {}}},
                "TargetStatus": {"values": {"SUCCEEDED": {}, "FAILED": {}}}
            },
            "inputs": {"StudentInput": {"fields": {
                "name": {"type": "String!"}, "email": {"type": "String!"}, "course": {"type": "String!"}
            }}}
        }
    }))
    .expect("workspace");
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    let runtime =
        knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("runtime");
    Services {
        registry,
        coord,
        mailer,
        runtime,
    }
}

const REGISTER: &str = r#"mutation($s: StudentInput!) {
  registerStudent(input: $s) { ok status targets { label status category message } }
}"#;

fn student() -> Value {
    json!({"s": {"name": "Ada", "email": "ada@example.com", "course": "maths"}})
}

#[tokio::test]
async fn one_write_reaches_every_target_concurrently_with_one_idempotency_key() {
    let s = services().await;
    let outcome = s.runtime.run(&request(REGISTER, student())).await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    assert_eq!(
        response["data"]["registerStudent"],
        json!({"ok": true, "status": "SUCCEEDED", "targets": [
            {"label": "records", "status": "SUCCEEDED", "category": null, "message": null},
            {"label": "enrolment", "status": "SUCCEEDED", "category": null, "message": null},
            {"label": "welcome-email", "status": "SUCCEEDED", "category": null, "message": null}
        ]})
    );
    // Each target got its part of the input.
    let (r, c, m) = (s.registry.seen(), s.coord.seen(), s.mailer.seen());
    assert_eq!((r.len(), c.len(), m.len()), (1, 1, 1));
    assert_eq!(
        r[0].body,
        json!({"name": "Ada", "email": "ada@example.com", "course": "maths"})
    );
    assert_eq!(c[0].body, json!({"studentName": "Ada", "course": "maths"}));
    assert_eq!(m[0].body["variables"], json!({"email": "ada@example.com"}));
    assert!(
        m[0].body["query"]
            .as_str()
            .is_some_and(|q| q.starts_with("mutation")),
        "{:?}",
        m[0].body
    );
    // One fresh UUID, the same for every target.
    let key = r[0].idempotency_key.clone().expect("an Idempotency-Key");
    assert_eq!(key.len(), 36, "{key}");
    assert_eq!(c[0].idempotency_key.as_deref(), Some(key.as_str()));
    assert_eq!(m[0].idempotency_key.as_deref(), Some(key.as_str()));
    // The three calls were in flight together: one stage, no edge between them.
    let trace = outcome.trace.as_ref().expect("trace");
    assert_eq!(trace.spans.len(), 3);
    for (i, a) in trace.spans.iter().enumerate() {
        for b in &trace.spans[i + 1..] {
            assert!(overlap(a, b), "{a:?} / {b:?}");
        }
    }
    assert_eq!(trace.plan["stages"].as_array().map(Vec::len), Some(1));
    assert_eq!(trace.plan["edges"], json!([]));
    // A second request gets a key of its own.
    s.runtime.run(&request(REGISTER, student())).await;
    let second = s.registry.seen()[1].idempotency_key.clone();
    assert!(second.is_some() && second.as_deref() != Some(key.as_str()));
}

#[tokio::test]
async fn the_clients_idempotency_key_is_passed_to_every_target() {
    let s = services().await;
    let mut req = request(REGISTER, student());
    req.headers
        .push(("Idempotency-Key".into(), "client-key-42".into()));
    let outcome = s.runtime.run(&req).await;
    assert!(outcome.response.get("errors").is_none());
    for seen in [s.registry.seen(), s.coord.seen(), s.mailer.seen()] {
        assert_eq!(seen[0].idempotency_key.as_deref(), Some("client-key-42"));
    }
}

#[tokio::test]
async fn a_blank_input_makes_no_call() {
    let s = services().await;
    let outcome = s
        .runtime
        .run(&request(
            REGISTER,
            json!({"s": {"name": "  ", "email": "ada@example.com", "course": "maths"}}),
        ))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"], "VALIDATION",
        "{:#}",
        outcome.response
    );
    assert!(
        s.registry.seen().is_empty() && s.coord.seen().is_empty() && s.mailer.seen().is_empty()
    );
}

#[tokio::test]
async fn failures_are_told_by_label_and_category_and_never_cancel_the_others() {
    let s = services().await;
    s.coord.set(Mode::Reject);
    s.mailer.set(Mode::Slow);
    let outcome = s.runtime.run(&request(REGISTER, student())).await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    assert_eq!(
        response["data"]["registerStudent"],
        json!({"ok": false, "status": "PARTIAL", "targets": [
            {"label": "records", "status": "SUCCEEDED", "category": null, "message": null},
            {"label": "enrolment", "status": "FAILED", "category": "DEPENDENCY_VALIDATION",
             "message": knot_connect::Category::DependencyValidation.public_message()},
            {"label": "welcome-email", "status": "FAILED", "category": "TIMEOUT",
             "message": knot_connect::Category::Timeout.public_message()}
        ]}),
        "{response:#}"
    );
    // Every target was called; nothing internal reaches the client.
    assert_eq!(s.registry.seen().len(), 1);
    assert_eq!(s.coord.seen().len(), 1);
    assert_eq!(s.mailer.seen().len(), 1);
    let text = response.to_string();
    for word in [
        "coord",
        "mailer",
        "registry",
        "127.0.0.1",
        "secret-reason",
        "http",
    ] {
        assert!(!text.contains(word), "the answer mentions {word}: {text}");
    }
    // The explorer's trace says which target failed and why.
    let trace = outcome.trace.as_ref().expect("trace");
    let details: Vec<&str> = trace.errors.iter().map(|e| e.detail.as_str()).collect();
    assert!(
        details.iter().any(|d| d.contains("target `enrolment`")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("target `welcome-email`")),
        "{details:?}"
    );
    // The timed-out target's own timeout (400 ms), not its source's default, cut it short.
    let mail_span = trace
        .spans
        .iter()
        .find(|sp| sp.source == "mailer")
        .expect("a mailer span");
    assert!(
        mail_span.end_ms - mail_span.start_ms < 1400.0,
        "{mail_span:?}"
    );
}

#[tokio::test]
async fn a_required_target_that_fails_fails_the_field_at_its_path() {
    let s = services().await;
    s.registry.set(Mode::Fail);
    let outcome = s.runtime.run(&request(REGISTER, student())).await;
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 1, "{:#}", outcome.response);
    assert_eq!(errs[0]["path"], json!(["registerStudent"]));
    assert_eq!(errs[0]["extensions"]["category"], "DEPENDENCY");
    assert_eq!(outcome.response["data"], Value::Null);
    assert!(!outcome.response.to_string().contains("mailer.rs"));
    // The others still ran.
    assert_eq!(s.coord.seen().len(), 1);
    assert_eq!(s.mailer.seen().len(), 1);
}

#[tokio::test]
async fn a_boolean_write_is_true_only_when_every_target_succeeded() {
    let s = services().await;
    let doc = "mutation($s: StudentInput!) { registerQuietly(input: $s) }";
    let outcome = s.runtime.run(&request(doc, student())).await;
    assert_eq!(outcome.response["data"]["registerQuietly"], json!(true));
    s.registry.set(Mode::Fail);
    s.coord.clear();
    let outcome = s.runtime.run(&request(doc, student())).await;
    assert_eq!(
        outcome.response["data"]["registerQuietly"],
        json!(false),
        "{:#}",
        outcome.response
    );
    assert!(outcome.response.get("errors").is_none());
    assert_eq!(s.coord.seen().len(), 1);
}

#[tokio::test]
async fn two_aggregated_writes_in_one_document_run_one_after_another() {
    let s = services().await;
    let doc = r#"mutation($s: StudentInput!) {
      a: registerQuietly(input: $s)
      b: registerStudent(input: $s) { ok }
    }"#;
    let outcome = s.runtime.run(&request(doc, student())).await;
    assert_eq!(
        outcome.response["data"],
        json!({"a": true, "b": {"ok": true}}),
        "{:#}",
        outcome.response
    );
    let trace = outcome.trace.as_ref().expect("trace");
    // a's three targets in one stage, b's in the next; every b call starts after every a
    // call ended.
    let stages = trace.plan["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 2, "{stages:?}");
    let a_nodes: Vec<usize> = serde_json::from_value(stages[0].clone()).expect("ids");
    let (first, second): (Vec<_>, Vec<_>) = trace
        .spans
        .iter()
        .partition(|sp| a_nodes.contains(&sp.node));
    assert_eq!((first.len(), second.len()), (3, 3));
    let a_end = first.iter().map(|sp| sp.end_ms).fold(0.0, f64::max);
    assert!(
        second.iter().all(|sp| sp.start_ms >= a_end),
        "{:?}",
        trace.spans
    );
}

#[test]
fn knot_check_reports_aggregate_mistakes_at_their_path() {
    let text = serde_json::to_string_pretty(&json!({
        "version": 1, "name": "bad",
        "sources": {"r": {"kind": "rest", "baseUrl": "http://127.0.0.1:1", "operations": {
            "w": {"method": "POST", "path": "/w", "body": "{x}", "inputs": {"x": "JSON!"}}
        }}},
        "schema": {
            "types": {
                "Query": {"fields": {"q": {"type": "Boolean", "aggregate": {"targets": {"t": {"source": "r", "operation": "w", "args": {"x": {"argument": "i"}}}}},
                    "arguments": {"i": {"type": "I"}}}}},
                "Mutation": {"fields": {"m": {"type": "[Boolean]", "arguments": {"i": {"type": "I"}},
                    "aggregate": {"targets": {
                        "ghost": {"source": "nope", "operation": "w"},
                        " ": {"source": "r", "operation": "w", "args": {"x": {"argument": "i.missing"}}, "timeoutMs": 0}
                    }}}}}
            },
            "inputs": {"I": {"fields": {"a": {"type": "String"}}}}
        }
    }))
    .expect("json");
    let report = knot_model::check_bytes(text.as_bytes());
    let has = |path: &str, words: &str| knot_tests::assert_problem(&report, path, words);
    has(
        "$.schema.types.Query.fields.q.aggregate",
        "a field of `Mutation`",
    );
    has(
        "$.schema.types.Mutation.fields.m.aggregate.targets.ghost.source",
        "unknown source `nope`",
    );
    has(
        "$.schema.types.Mutation.fields.m.aggregate.targets[\" \"]",
        "label",
    );
    has(
        "$.schema.types.Mutation.fields.m.aggregate.targets[\" \"].timeoutMs",
        "at least 1",
    );
    has(
        "$.schema.types.Mutation.fields.m.aggregate.targets[\" \"].args.x.argument",
        "has no field `missing`",
    );
    has("$.schema.types.Mutation.fields.m.type", "not a list");
    assert!(
        report.problems.iter().all(|p| p.line.is_some()),
        "{:?}",
        report.problems
    );
}
