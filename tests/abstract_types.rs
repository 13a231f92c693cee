//! Interfaces, unions and custom scalars in the orchestrated schema, against the demo
//! services on loopback: a REST search whose hits carry a `kind` discriminator, fields bound
//! under an abstract type (called only for the objects of their type, and batched), a union
//! from a GraphQL source (resolved by `__typename`, asked for with inline fragments),
//! `DateTime` checked as RFC 3339 both ways, lists of lists, and `knot check` naming each
//! mistake by its JSON path.

use axum::http::Uri;
use axum::response::IntoResponse;
use knot_demo::Service;
use knot_tests::{errors, example, request, runtime, spans_of, start_demo};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn a_rest_union_gives_each_hit_its_type_by_the_discriminator() {
    let demo = start_demo().await;
    let rt = runtime(example("shop"), &demo);
    let outcome = rt
        .run(&request(
            r#"{ search(text: "o") {
                __typename
                ... on User { name email }
                ... on Product { name price }
            } }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    let hits = response["data"]["search"].as_array().expect("a list");
    let users: Vec<&Value> = hits.iter().filter(|h| h["__typename"] == "User").collect();
    let products: Vec<&Value> = hits
        .iter()
        .filter(|h| h["__typename"] == "Product")
        .collect();
    assert!(!users.is_empty() && !products.is_empty(), "{response:#}");
    assert_eq!(users.len() + products.len(), hits.len(), "{response:#}");
    // Each object has exactly the fields of its own fragment, in document order.
    for u in &users {
        let keys: Vec<&String> = u.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["__typename", "name", "email"], "{u}");
    }
    for p in &products {
        let keys: Vec<&String> = p.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["__typename", "name", "price"], "{p}");
        assert!(p["price"].is_f64(), "{p}");
    }
    assert!(users.iter().any(|u| u["name"] == "Ada Lovelace"));
    // One call; the discriminator itself is not shown.
    assert_eq!(spans_of(&outcome, "search").len(), 1);
    assert!(!response.to_string().contains("\"kind\""), "{response:#}");
}

#[tokio::test]
async fn an_object_of_no_possible_type_is_a_dependency_error_at_its_path() {
    let demo = start_demo().await;
    let rt = runtime(example("shop"), &demo);
    let outcome = rt
        .run(&request(
            r#"{ search(text: "unknown-kind") { __typename ... on User { name } } }"#,
            json!({}),
        ))
        .await;
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 1, "{:#}", outcome.response);
    assert_eq!(errs[0]["path"], json!(["search", 0]));
    assert_eq!(errs[0]["extensions"]["category"], "DEPENDENCY");
    // `[SearchResult!]!`: the null item makes the whole non-null list null, then `data`.
    assert_eq!(outcome.response["data"], Value::Null);
    // Nothing of the downstream answer leaks.
    let text = outcome.response.to_string();
    assert!(
        !text.contains("store") && !text.contains("Corner"),
        "{text}"
    );
    let trace = outcome.trace.as_ref().expect("trace");
    assert!(
        trace.errors[0]
            .detail
            .contains("possible types of SearchResult"),
        "{:?}",
        trace.errors
    );
}

/// The shop example with an interface of search hits that carry only ids: each kind of
/// hit binds its own lookup.
fn hits_workspace() -> knot_model::Workspace {
    let mut ws = serde_json::to_value(example("shop")).expect("json");
    let schema = &mut ws["schema"];
    schema["types"]["Query"]["fields"]["hits"] = json!({
        "type": "[Hit!]!",
        "arguments": {"text": {"type": "String!"}},
        "binding": {"source": "search", "operation": "search", "args": {"text": {"argument": "text"}}}
    });
    schema["types"]["UserHit"] = json!({
        "implements": ["Hit"],
        "fields": {
            "id": {"type": "ID!"},
            "user": {"type": "User", "binding": {"source": "users", "operation": "getUser", "key": {"parent": "id", "input": "id"}}}
        }
    });
    schema["types"]["ProductHit"] = json!({
        "implements": ["Hit"],
        "fields": {
            "id": {"type": "ID!"},
            "product": {"type": "Product", "binding": {
                "source": "products", "operation": "GetProducts",
                "key": {"parent": "id", "input": "ids"},
                "batch": {"match": {"field": "id"}}, "result": "products"
            }}
        }
    });
    schema["interfaces"] = json!({"Hit": {
        "description": "Something a search found.",
        "fields": {"id": {"type": "ID!"}},
        "discriminator": {"field": "kind", "values": {"UserHit": "user", "ProductHit": "product"}}
    }});
    let bytes = serde_json::to_vec(&ws).expect("json");
    let report = knot_model::check_bytes(&bytes);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.workspace.expect("workspace")
}

#[tokio::test]
async fn fields_bound_under_an_interface_run_only_for_their_type_and_batch() {
    let demo = start_demo().await;
    let rt = runtime(hits_workspace(), &demo);
    demo.control.reset();
    let outcome = rt
        .run(&request(
            r#"{ hits(text: "o") {
                id
                __typename
                ... on UserHit { user { name } }
                ... on ProductHit { product { name } }
            } }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    let hits = response["data"]["hits"].as_array().expect("a list");
    let user_ids: Vec<String> = hits
        .iter()
        .filter(|h| h["__typename"] == "UserHit")
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect();
    let product_ids: Vec<String> = hits
        .iter()
        .filter(|h| h["__typename"] == "ProductHit")
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(
        user_ids.len() >= 2 && product_ids.len() >= 2,
        "{response:#}"
    );
    for h in hits {
        match h["__typename"].as_str() {
            Some("UserHit") => {
                assert!(h["user"]["name"].is_string(), "{h}");
                assert!(h.get("product").is_none(), "{h}");
            }
            Some("ProductHit") => {
                assert!(h["product"]["name"].is_string(), "{h}");
                assert!(h.get("user").is_none(), "{h}");
            }
            other => panic!("unexpected type {other:?}"),
        }
    }
    // Users are looked up once per user hit and never with a product's id; products in one
    // batch carrying exactly the product hits' ids.
    let mut user_keys: Vec<String> = demo
        .control
        .requests(Service::Users)
        .iter()
        .flat_map(|r| r.keys.clone())
        .collect();
    user_keys.sort();
    let mut want_users = user_ids.clone();
    want_users.sort();
    assert_eq!(user_keys, want_users);
    let product_calls = demo.control.requests(Service::Products);
    assert_eq!(product_calls.len(), 1, "{product_calls:?}");
    let mut keys = product_calls[0].keys.clone();
    keys.sort();
    let mut want = product_ids.clone();
    want.sort();
    assert_eq!(keys, want);
    // The plan says which parents each fetch takes.
    let plan = outcome.trace.as_ref().expect("trace").plan.clone();
    let plan = serde_json::to_value(plan).expect("plan json");
    let product_node = plan["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["label"] == "ProductHit.product")
        .expect("a ProductHit.product node");
    assert_eq!(
        product_node["only"],
        json!([{"at": 1, "path": ["kind"], "values": ["product"]}])
    );
}

#[tokio::test]
async fn a_graphql_source_union_is_asked_with_fragments_and_resolved_by_typename() {
    let demo = start_demo().await;
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1, "name": "activity",
        "sources": {"reviews": {"kind": "graphql", "url": "{{env.REVIEWS_URL}}/graphql", "operations": {
            "activity": {"field": "activity", "inputs": {"productId": "ID!"}}
        }}},
        "schema": {
            "types": {
                "Query": {"fields": {"activity": {
                    "type": "[Activity!]!", "arguments": {"productId": {"type": "ID!"}},
                    "binding": {"source": "reviews", "operation": "activity", "args": {"productId": {"argument": "productId"}}}
                }}},
                "Review": {"fields": {"id": {"type": "ID!"}, "stars": {"type": "Int", "from": "rating"}}},
                "Question": {"fields": {"id": {"type": "ID!"}, "text": {"type": "String"}, "askedBy": {"type": "String"}}}
            },
            "unions": {"Activity": {"types": ["Review", "Question"]}}
        },
        "environments": {"local": {"variables": {"REVIEWS_URL": "http://127.0.0.1:1"}}}
    }))
    .expect("workspace");
    let rt = runtime(ws, &demo);
    let outcome = rt
        .run(&request(
            r#"{ activity(productId: "2") {
                __typename
                ... on Review { stars }
                ... on Question { text }
            } }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert!(response.get("errors").is_none(), "{response:#}");
    let items = response["data"]["activity"].as_array().expect("a list");
    let last = items.last().expect("items");
    assert_eq!(last["__typename"], "Question");
    assert_eq!(last["text"], "Does product 2 come with a warranty?");
    assert!(last.get("stars").is_none(), "{last}");
    let reviews: Vec<&Value> = items
        .iter()
        .filter(|i| i["__typename"] == "Review")
        .collect();
    assert_eq!(reviews.len(), items.len() - 1, "{response:#}");
    assert!(reviews.iter().all(|r| r["stars"].is_i64()), "{response:#}");
    // The downstream query asks each type's own fields (renamed ones by their real name).
    let plan = serde_json::to_value(&outcome.trace.as_ref().expect("trace").plan).expect("json");
    let selection = plan["nodes"][0]["selection"].as_str().expect("selection");
    assert!(selection.contains("__typename"), "{selection}");
    assert!(
        selection.contains("... on Review { rating }"),
        "{selection}"
    );
    assert!(
        selection.contains("... on Question { text }"),
        "{selection}"
    );
    assert!(!selection.contains("askedBy"), "{selection}");
}

/// A service of events with timestamps (one malformed), recording its query strings.
async fn events_service() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/events",
        axum::routing::get(move |uri: Uri| {
            let record = record.clone();
            async move {
                record
                    .lock()
                    .expect("lock")
                    .push(uri.query().unwrap_or("").to_owned());
                axum::Json(json!([
                    {"id": "1", "at": "2026-11-30T09:00:00Z", "meta": {"any": ["json", 1]}, "grid": [[1, 2], [3]]},
                    {"id": "2", "at": "last tuesday", "meta": 7, "grid": []}
                ]))
                .into_response()
            }
        }),
    );
    (knot_tests::serve_on_loopback(app).await, seen)
}

fn events_runtime(url: &str) -> knot_runtime::Runtime {
    let ws: knot_model::Workspace = serde_json::from_value(json!({
        "version": 1, "name": "events",
        "sources": {"events": {"kind": "rest", "baseUrl": url, "operations": {"list": {
            "method": "GET", "path": "/events", "query": {"since": "{since}", "rows": "{rows}"},
            "inputs": {"since": "String", "rows": "JSON"}
        }}}},
        "schema": {
            "types": {
                "Query": {"fields": {"events": {
                    "type": "[Event!]!",
                    "arguments": {"since": {"type": "DateTime"}, "rows": {"type": "[[Int!]!]"}},
                    "binding": {"source": "events", "operation": "list", "args": {
                        "since": {"argument": "since"}, "rows": {"argument": "rows"}
                    }}
                }}},
                "Event": {"fields": {
                    "id": {"type": "ID!"}, "at": {"type": "DateTime"}, "meta": {"type": "Meta"},
                    "grid": {"type": "[[Int!]!]!"}
                }}
            },
            "scalars": {"DateTime": {"description": "An RFC 3339 date-time."}, "Meta": {}}
        }
    }))
    .expect("workspace");
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let vars = knot_runtime::Vars::from_workspace(&ws, None).expect("vars");
    knot_runtime::Runtime::load(ws, vars, std::path::Path::new(".")).expect("loads")
}

#[tokio::test]
async fn date_times_are_checked_both_ways_and_other_custom_scalars_pass_through() {
    let (url, seen) = events_service().await;
    let rt = events_runtime(&url);
    // Not RFC 3339: refused before any call.
    let outcome = rt
        .run(&request(
            r#"query($s: DateTime) { events(since: $s) { id } }"#,
            json!({"s": "2026-11-31T00:00:00Z"}),
        ))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"], "VALIDATION",
        "{:#}",
        outcome.response
    );
    assert!(outcome.response["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("RFC 3339")));
    assert!(seen.lock().expect("lock").is_empty(), "a call was made");
    // A valid one goes out as it is; the answer's bad timestamp is an error at its path.
    let outcome = rt
        .run(&request(
            r#"{ events(since: "2026-11-30T00:00:00+01:00", rows: [[1, 2], [3]]) { id at meta grid } }"#,
            json!({}),
        ))
        .await;
    let response = &outcome.response;
    assert_eq!(
        response["data"]["events"],
        json!([
            {"id": "1", "at": "2026-11-30T09:00:00Z", "meta": {"any": ["json", 1]}, "grid": [[1, 2], [3]]},
            {"id": "2", "at": null, "meta": 7, "grid": []}
        ]),
        "{response:#}"
    );
    let errs = errors(&outcome);
    assert_eq!(errs.len(), 1, "{response:#}");
    assert_eq!(errs[0]["path"], json!(["events", 1, "at"]));
    assert_eq!(errs[0]["extensions"]["category"], "DEPENDENCY");
    assert!(!response.to_string().contains("tuesday"));
    let sent = seen.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains("since=2026-11-30T00%3A00%3A00%2B01%3A00"),
        "{sent:?}"
    );
    // A list of lists is coerced item by item: a wrong inner item is refused.
    let outcome = rt
        .run(&request(
            r#"{ events(rows: [[1], ["x"]]) { id } }"#,
            json!({}),
        ))
        .await;
    assert_eq!(
        outcome.response["errors"][0]["extensions"]["category"], "VALIDATION",
        "{:#}",
        outcome.response
    );
    assert_eq!(seen.lock().expect("lock").len(), 1, "a call was made");
}

#[tokio::test]
async fn documents_are_checked_against_abstract_types() {
    let demo = start_demo().await;
    let rt = runtime(hits_workspace(), &demo);
    for (document, expected) in [
        (
            r#"{ search(text: "a") { name } }"#,
            "`SearchResult` is a union",
        ),
        (
            r#"{ hits(text: "a") { user { name } } }"#,
            "`Hit` has no field `user`",
        ),
        (
            r#"{ search(text: "a") { ... on UserHit { id } } }"#,
            "a fragment on `UserHit` cannot apply to `SearchResult`",
        ),
        (
            r#"{ search(text: "a") { ... on Nothing { id } } }"#,
            "unknown type `Nothing`",
        ),
        (r#"{ hits(text: "a") }"#, "select its fields"),
    ] {
        let outcome = rt.run(&request(document, json!({}))).await;
        let errs = errors(&outcome);
        assert!(
            errs.iter()
                .any(|e| e["message"].as_str().is_some_and(|m| m.contains(expected))),
            "{document}: {errs:?}"
        );
        // Each mistake once, even though it is found once per possible type.
        let messages: Vec<&str> = errs.iter().filter_map(|e| e["message"].as_str()).collect();
        let mut unique = messages.clone();
        unique.dedup();
        assert_eq!(messages, unique, "{document}");
    }
    assert_eq!(demo.control.request_count(Service::Search), 0);
}

#[test]
fn the_public_schema_shows_interfaces_unions_and_scalars() {
    let mut ws = hits_workspace();
    ws.schema.scalars.insert(
        "DateTime".into(),
        knot_model::ScalarType {
            description: "An RFC 3339 date-time.".into(),
        },
    );
    let sdl = knot_model::public_sdl(&ws);
    for expected in [
        "\"An RFC 3339 date-time.\"\nscalar DateTime",
        "union SearchResult = User | Product",
        "\"Something a search found.\"\ninterface Hit {\n  id: ID!\n}",
        "type UserHit implements Hit {",
        "hits(text: String!): [Hit!]!",
    ] {
        assert!(sdl.contains(expected), "missing {expected:?} in\n{sdl}");
    }
    async_graphql_parser::parse_schema(&sdl).expect("the SDL parses");
    // The discriminator is how the gateway reads downstream data, not part of the API.
    assert!(!sdl.contains("kind"), "{sdl}");
}

/// Every new kind of mistake is reported at its JSON path, with line and column.
#[test]
fn knot_check_reports_abstract_type_mistakes_at_their_path() {
    let text = serde_json::to_string_pretty(&json!({
        "version": 1, "name": "bad", "sources": {},
        "schema": {
            "types": {
                "Query": {"fields": {"x": {"type": "Thing"}, "y": {"type": "Named"}}},
                "A": {"implements": ["Named", "Missing"], "fields": {"id": {"type": "ID"}}},
                "B": {"implements": ["Named"], "fields": {"name": {"type": "Int"}}}
            },
            "interfaces": {"Named": {"fields": {"name": {"type": "String"}}}},
            "unions": {
                "Thing": {"types": ["A", "Query", "Nope", "A"],
                          "discriminator": {"field": "", "values": {"C": "c", "Query": "a"}}},
                "A": {"types": ["B"]}
            },
            "scalars": {"Int": {}, "Named": {}}
        }
    }))
    .expect("json");
    let report = knot_model::check_bytes(text.as_bytes());
    let has = |path: &str, words: &str| knot_tests::assert_problem(&report, path, words);
    has(
        "$.schema.types.A.implements[1]",
        "`Missing` is not an interface",
    );
    has(
        "$.schema.types.A.implements[0]",
        "has no public field `name`",
    );
    has(
        "$.schema.types.B.fields.name.type",
        "interface `Named` declares it `String`",
    );
    has("$.schema.unions.Thing.types[2]", "`Nope` is not one");
    has("$.schema.unions.Thing.types[3]", "listed twice");
    has("$.schema.unions.Thing.discriminator.field", "dot path");
    has(
        "$.schema.unions.Thing.discriminator.values.C",
        "not a possible type",
    );
    has("$.schema.unions.A", "already the name of another type");
    has("$.schema.scalars.Int", "built-in scalar");
    has("$.schema.scalars.Named", "already the name of another type");
    // Every problem has a line and a column in the file.
    assert!(
        report.problems.iter().all(|p| p.line.is_some()),
        "{:?}",
        report.problems
    );
}

/// Types imported from a live gRPC service (server reflection) and an operation imported the
/// same way make a workspace that runs against it: no type written by hand.
#[tokio::test]
async fn types_imported_by_reflection_run_against_the_service() {
    let demo = start_demo().await;
    let endpoint = demo.url(Service::Products);
    let (pool, _) = knot_connect::reflect::fetch_descriptors(
        &endpoint,
        &[],
        std::time::Duration::from_secs(5),
        None,
    )
    .await
    .expect("reflection");
    let ops = knot_connect::reflect::operations_from_pool(&pool);
    let mut schema =
        serde_json::to_value(knot_connect::proto_types::types_from_pool(&pool)).expect("json");
    assert!(schema["types"]["Product"].is_object(), "{schema:#}");
    schema["types"]["Query"] = json!({"fields": {"products": {
        "type": "GetProductsResponse", "arguments": {"ids": {"type": "[ID!]!"}},
        "binding": {"source": "products", "operation": "GetProducts", "args": {"ids": {"argument": "ids"}}}
    }}});
    let ws = json!({
        "version": 1, "name": "imported",
        "sources": {"products": {"kind": "grpc", "endpoint": endpoint, "reflection": true, "operations": ops}},
        "schema": schema
    });
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let rt = runtime(report.workspace.expect("workspace"), &demo);
    let outcome = rt
        .run(&request(
            r#"{ products(ids: ["1", "2"]) { products { id name price stock } } }"#,
            json!({}),
        ))
        .await;
    assert!(
        outcome.response.get("errors").is_none(),
        "{:#}",
        outcome.response
    );
    let products = &outcome.response["data"]["products"]["products"];
    assert_eq!(products[0]["id"], "1");
    assert!(
        products[1]["price"].is_f64() && products[1]["stock"].is_i64(),
        "{products}"
    );
}

/// A GraphQL service's types imported by introspection (its union included) and its
/// operation make a workspace that runs against it, the union resolved by `__typename`.
#[tokio::test]
async fn types_imported_by_introspection_run_against_the_service() {
    let demo = start_demo().await;
    let url = format!("{}/graphql", demo.url(Service::Reviews));
    let answer =
        knot_connect::introspect::fetch_introspection(&url, &[], std::time::Duration::from_secs(5))
            .await
            .expect("introspection");
    let source =
        knot_connect::introspect::source_from_introspection(&url, &answer).expect("source");
    let types = knot_connect::graphql_types::types_from_introspection(&answer).expect("types");
    assert_eq!(types.unions["Activity"].types, ["Review", "Question"]);
    let mut schema = serde_json::to_value(&types).expect("json");
    schema["types"]["Query"] = json!({"fields": {"activity": {
        "type": "[Activity!]!", "arguments": {"productId": {"type": "ID!"}},
        "binding": {"source": "reviews", "operation": "activity", "args": {"productId": {"argument": "productId"}}}
    }}});
    let mut source = serde_json::to_value(&source).expect("json");
    source["kind"] = "graphql".into();
    let ws =
        json!({"version": 1, "name": "imported", "sources": {"reviews": source}, "schema": schema});
    let report = knot_model::check_bytes(&serde_json::to_vec(&ws).expect("json"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let rt = runtime(report.workspace.expect("workspace"), &demo);
    let outcome = rt
        .run(&request(
            r#"{ activity(productId: "3") { __typename ... on Review { rating author } ... on Question { askedBy } } }"#,
            json!({}),
        ))
        .await;
    assert!(
        outcome.response.get("errors").is_none(),
        "{:#}",
        outcome.response
    );
    let items = outcome.response["data"]["activity"]
        .as_array()
        .expect("list");
    assert_eq!(items.last().expect("one")["askedBy"], "Edsger Dijkstra");
    assert!(items[0]["rating"].is_i64(), "{items:?}");
}
