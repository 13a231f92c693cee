//! `knot serve` over real HTTP on loopback: GraphQL over HTTP, the REST composite endpoint,
//! limits, introspection, header forwarding, safe errors, hot reload, health and metrics.

use knot_demo::{Faults, Service};
use knot_model::Source;
use knot_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const SHOP: &str = r#"{ getOrderDetails(id: "1") { user { name } products { name price } } }"#;

/// This process's resident memory, from /proc (Linux).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // Generous: the 20,000-alias request takes seconds on a loaded machine.
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn post(addr: std::net::SocketAddr, body: Value, accept: &str) -> (u16, String, Value) {
    let r = client()
        .post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn shop_and_trading_through_serve_match_knot_run_over_post_and_get() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    for (name, query, vars) in [
        ("shop", SHOP, json!({})),
        (
            "trading",
            "query($d: String!) { events(date: $d) { id instrument { symbol } order { side } } }",
            json!({"d": "2024-05-01"}),
        ),
    ] {
        let path = example_copy(name, dir.path(), |_| {});
        let gw = start_gateway(&path, &demo).await;
        let direct = engine(example(name), &demo)
            .run(&request(query, vars.clone()))
            .await
            .response;
        let (status, ct, body) = post(
            gw.addr,
            json!({"query": query, "variables": vars}),
            "application/graphql-response+json",
        )
        .await;
        assert_eq!(
            (status, ct.as_str()),
            (200, "application/graphql-response+json")
        );
        assert_eq!(body, direct, "{name} over POST");
        let url = reqwest::Url::parse_with_params(
            &format!("http://{}/graphql", gw.addr),
            &[("query", query), ("variables", &vars.to_string())],
        )
        .unwrap();
        let r = client().get(url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.json::<Value>().await.unwrap(), direct, "{name} over GET");
        gw.shutdown().await;
    }
}

#[tokio::test]
async fn composite_endpoint_returns_the_order_details_and_refuses_a_blank_id() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let r = client()
        .get(format!("http://{}/composite-order-details/1", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["orderId"], "1");
    assert_eq!(
        body["user"],
        json!({"id": "1", "name": "Ada Lovelace", "email": "ada@example.com"})
    );
    assert_eq!(body["products"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["orderId", "user", "products"]
    );
    let calls_before = demo.control.request_count(Service::Orders);
    let r = client()
        .get(format!("http://{}/composite-order-details/%20", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["category"], "VALIDATION");
    assert_eq!(
        demo.control.request_count(Service::Orders),
        calls_before,
        "no call for a blank id"
    );
    // Failures map to gateway statuses and name no service.
    demo.control.set_faults(
        Service::Orders,
        Faults {
            fail_ids: vec!["1".into()],
            ..Faults::default()
        },
    );
    let r = client()
        .get(format!("http://{}/composite-order-details/1", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 502);
    let text = r.text().await.unwrap();
    assert!(
        !text.contains("orders") && !text.contains("127.0.0.1"),
        "{text}"
    );
    demo.control.set_faults(
        Service::Orders,
        Faults {
            slow_ids: vec!["1".into()],
            hang_ms: 5_000,
            ..Faults::default()
        },
    );
    let r = client()
        .get(format!("http://{}/composite-order-details/1", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        504,
        "the orders call times out after the source's 2 s timeout"
    );
    assert_eq!(
        client()
            .get(format!("http://{}/nope", gw.addr))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        client()
            .post(format!("http://{}/composite-order-details/1", gw.addr))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        405
    );
}

#[tokio::test]
async fn graphql_over_http_status_codes_and_media_types() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let a = gw.addr;
    let invalid = json!({"query": "{ nope }"});
    let (s, ct, body) = post(a, invalid.clone(), "application/graphql-response+json").await;
    assert_eq!((s, ct.as_str()), (400, "application/graphql-response+json"));
    assert!(
        body.get("data").is_none()
            && body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("no field `nope`")
    );
    let (s, ct, _) = post(a, invalid, "application/json").await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let (s, _, _) = post(a, json!({"query": SHOP}), "text/html").await;
    assert_eq!(s, 406);
    let r = client()
        .post(format!("http://{a}/graphql"))
        .header("content-type", "text/plain")
        .body(SHOP)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let r = client()
        .post(format!("http://{a}/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (s, _, _) = post(a, json!({"variables": {}}), "application/json").await;
    assert_eq!(s, 400);
    let r = client()
        .get(format!("http://{a}/graphql?query=mutation%7Bx%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    // Named operations and variables.
    let (s, _, body) = post(
        a,
        json!({"query": "query A($id: ID!) { getOrderDetails(id: $id) { id } } query B { getOrderDetails(id: \"2\") { id } }", "operationName": "A", "variables": {"id": "3"}}),
        "application/json",
    )
    .await;
    assert_eq!(
        (s, body),
        (200, json!({"data": {"getOrderDetails": {"id": "3"}}}))
    );
}

#[tokio::test]
async fn each_limit_refuses_what_exceeds_it() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Users,
        Faults {
            latency_ms: 400,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.max_body_bytes = Some(300);
        ws.gateway.max_depth = Some(2);
        ws.gateway.max_aliases = Some(2);
        ws.gateway.max_fields = Some(6);
        ws.gateway.request_timeout_ms = Some(200);
    });
    let gw = start_gateway(&path, &demo).await;
    let a = gw.addr;
    let big = format!(
        "{{ getOrderDetails(id: \"1\") {{ id }} }} # {}",
        "x".repeat(400)
    );
    let (s, _, body) = post(a, json!({"query": big}), "application/json").await;
    assert_eq!(s, 413);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("300 bytes"));
    let cases = [
        ("{ getOrderDetails(id: \"1\") { user { name } } }", "levels deep"),
        ("{ a: getOrderDetails(id: \"1\") { id } b: getOrderDetails(id: \"1\") { id } c: getOrderDetails(id: \"1\") { id } }", "aliases"),
        ("{ getOrderDetails(id: \"1\") { id id id id id id id } }", "fields"),
    ];
    for (q, word) in cases {
        let (s, _, body) = post(a, json!({"query": q}), "application/graphql-response+json").await;
        assert_eq!(s, 400, "{q}");
        let msg = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(word) && msg.contains("limit"), "{q}: {msg}");
    }
    assert_eq!(
        demo.control.request_count(Service::Orders),
        0,
        "refused requests call nothing"
    );
    // The whole request gets 200 ms; the users call takes 400 ms.
    let (s, _, body) = post(
        a,
        json!({"query": "{ getOrderDetails(id: \"1\") { id } }"}),
        "application/json",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(body["data"]["getOrderDetails"]["id"], "1");
    let (s, _, body) = post(
        a,
        json!({"query": "{ getOrderDetails(id: \"1\") { user { id } } }"}),
        "application/graphql-response+json",
    )
    .await;
    assert_eq!(s, 400, "depth 3 > 2: {body}");
}

#[tokio::test]
async fn request_timeout_answers_504() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Orders,
        Faults {
            // Far past the gateway's timeout, so a loaded machine cannot blur the two.
            latency_ms: 5_000,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(
        &example_copy("shop", dir.path(), |ws| {
            ws.gateway.request_timeout_ms = Some(200)
        }),
        &demo,
    )
    .await;
    let started = std::time::Instant::now();
    let (s, _, body) = post(gw.addr, json!({"query": SHOP}), "application/json").await;
    assert_eq!(s, 504);
    assert_eq!(body["errors"][0]["extensions"]["category"], "TIMEOUT");
    assert!(
        started.elapsed() < Duration::from_millis(4_000),
        "answered before the slow call ended"
    );
}

#[tokio::test]
async fn introspection_shows_the_public_schema_and_can_be_turned_off() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let q = json!({"query": "{ __type(name: \"Order\") { fields { name } } }"});
    let (s, _, body) = post(gw.addr, q.clone(), "application/json").await;
    assert_eq!(s, 200);
    let names: Vec<&str> = body["data"]["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, vec!["id", "user", "products", "status"]);
    let (_, _, body) = post(
        gw.addr,
        json!({"query": "{ __schema { mutationType { name } types { name kind } } }"}),
        "application/json",
    )
    .await;
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    let has = |name: &str, kind: &str| types.iter().any(|t| t["name"] == name && t["kind"] == kind);
    assert!(has("Product", "OBJECT"), "{body}");
    // The enum, the input type and the mutation root are introspected like the rest.
    assert!(
        has("OrderStatus", "ENUM") && has("PlaceOrderInput", "INPUT_OBJECT"),
        "{body}"
    );
    assert_eq!(body["data"]["__schema"]["mutationType"]["name"], "Mutation");
    // The union and its members, with the search service's spelling nowhere in sight.
    let (_, _, body) = post(
        gw.addr,
        json!({"query": "{ __type(name: \"SearchResult\") { kind possibleTypes { name } } }"}),
        "application/json",
    )
    .await;
    assert_eq!(
        body["data"]["__type"],
        json!({"kind": "UNION", "possibleTypes": [{"name": "User"}, {"name": "Product"}]}),
        "{body}"
    );
    // A union query over HTTP, `__typename` per object.
    let (s, _, body) = post(
        gw.addr,
        json!({"query": "{ search(text: \"Grace\") { __typename ... on User { id name } } }"}),
        "application/json",
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["data"]["search"],
        json!([{"__typename": "User", "id": "2", "name": "Grace Hopper"}]),
        "{body}"
    );
    gw.shutdown().await;
    let path = example_copy("shop", dir.path(), |ws| {
        ws.gateway.introspection = Some(false)
    });
    let gw = start_gateway(&path, &demo).await;
    let (_, _, body) = post(gw.addr, q, "application/json").await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("disabled"),
        "{body}"
    );
}

/// The full introspection query tools such as GraphiQL and Postman send.
const FULL_INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } } fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } } fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue } fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test]
async fn introspection_obeys_the_size_limits_before_any_work() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    // 2,000 aliased `__schema` selections (about 100 KB, under the body limit): refused by
    // the alias limit (30), as a data request would be.
    let many: String = (0..2000)
        .map(|i| format!("a{i}: __schema {{ types {{ fields {{ type {{ name }} }} }} }} "))
        .collect();
    let query = format!("{{ {many} }}");
    assert!(query.len() > 80_000 && query.len() < 1_048_576);
    let (s, _, body) = post(
        gw.addr,
        json!({"query": query}),
        "application/graphql-response+json",
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["category"], "VALIDATION");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("30 aliases")),
        "{body}"
    );
    // The 20,000-alias version (about 840 KB, still under the 1 MiB body limit) is refused
    // the same way, before any work: the process's memory stays where it was.
    let rss_before = rss_bytes();
    let many: String = (0..20_000)
        .map(|i| format!("a{i}:__schema{{types{{fields{{type{{name}}}}}}}} "))
        .collect();
    let query = format!("{{{many}}}");
    assert!(
        query.len() > 800_000 && query.len() < 1_048_576,
        "{}",
        query.len()
    );
    for _ in 0..3 {
        let (s, _, body) = post(
            gw.addr,
            json!({"query": query}),
            "application/graphql-response+json",
        )
        .await;
        assert_eq!(s, 400, "{body}");
        assert!(body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("30 aliases")));
    }
    // The document is parsed before its size is counted: its syntax tree (tens of MB in a
    // debug build, kept by the allocator afterwards) is the growth allowed here. Before the
    // limit applied to introspection, this request grew the gateway by about 1.8 GB.
    let grown = rss_bytes().saturating_sub(rss_before);
    assert!(grown < 256 << 20, "RSS grew by {} MB", grown >> 20);
    // Too deep is refused too; the usual requests still answer.
    let deep = format!(
        "{{ __type(name: \"Order\") {}name{} }}",
        "{ ofType ".repeat(20),
        " }".repeat(20)
    );
    let (_, _, body) = post(gw.addr, json!({"query": deep}), "application/json").await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("levels deep")),
        "{body}"
    );
    for ok in ["{ __schema { types { name } } }", FULL_INTROSPECTION] {
        let (s, _, body) = post(gw.addr, json!({"query": ok}), "application/json").await;
        assert_eq!(s, 200);
        assert!(body["data"]["__schema"]["types"].is_array(), "{body}");
    }
}

#[tokio::test]
async fn only_allowlisted_headers_reach_a_source() {
    use axum::{http::HeaderMap, routing::get, Json, Router};
    // A real REST service that answers with the headers it received.
    let app = Router::new().route(
        "/whoami",
        get(|headers: HeaderMap| async move {
            let names: Vec<String> = headers.keys().map(|k| k.as_str().to_string()).collect();
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            Json(json!({"headers": names, "authorization": auth}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let ws = format!(
        r#"{{"version": 1, "name": "echo",
        "sources": {{"echo": {{"kind": "rest", "baseUrl": "http://{addr}", "forwardHeaders": ["Authorization"],
          "operations": {{"whoami": {{"method": "GET", "path": "/whoami"}}}}}}}},
        "schema": {{"types": {{"Query": {{"fields": {{"me": {{"type": "Me", "binding": {{"source": "echo", "operation": "whoami"}}}}}}}},
          "Me": {{"fields": {{"headers": {{"type": "[String]"}}, "authorization": {{"type": "String"}}}}}}}}}},
        "environments": {{"local": {{"variables": {{"KNOT_TEST_TRACE_TOKEN": {{}}}}}}}},
        "gateway": {{"traceHeader": "x-knot-trace", "traceToken": "{{{{env.KNOT_TEST_TRACE_TOKEN}}}}"}}}}"#
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.knot.json");
    std::fs::write(&path, ws).unwrap();
    let demo = start_demo().await;
    let gw = start_gateway(&path, &demo).await;
    let r = client()
        .post(format!("http://{}/graphql", gw.addr))
        .header("content-type", "application/json")
        .header("authorization", "Bearer t0ken")
        .header("x-internal-secret", "nope")
        .header("x-knot-trace", TRACE_TOKEN)
        .json(&json!({"query": "{ me { headers authorization } }"}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["me"]["authorization"], "Bearer t0ken");
    let seen: Vec<&str> = body["data"]["me"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !seen.contains(&"x-internal-secret") && !seen.contains(&"x-knot-trace"),
        "{seen:?}"
    );
    // The recorded request names the forwarded header but never its value.
    let request = body["extensions"]["knot"]["spans"][0]["request"].to_string();
    assert!(
        request.contains("(forwarded)") && !request.contains("t0ken"),
        "{request}"
    );
}

#[tokio::test]
async fn public_errors_are_safe_and_the_trace_header_reveals_the_plan() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Products,
        Faults {
            fail_ids: vec!["1".into()],
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = example_copy("shop", dir.path(), with_trace);
    let gw = start_gateway(&path, &demo).await;
    let send = |token: Option<&str>| {
        let mut r = client()
            .post(format!("http://{}/graphql", gw.addr))
            .json(&json!({"query": SHOP}));
        if let Some(token) = token {
            r = r.header("x-knot-trace", token);
        }
        r.send()
    };
    let body: Value = send(None).await.unwrap().json().await.unwrap();
    assert_eq!(
        body["data"]["getOrderDetails"]["user"]["name"],
        "Ada Lovelace"
    );
    assert!(body.get("extensions").is_none());
    let shown: Vec<Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["message"], e["extensions"]]))
        .collect();
    let text = serde_json::to_string(&shown).unwrap();
    for word in ["products", "GetProducts", "127.0.0.1", "INTERNAL", "grpc"] {
        assert!(!text.contains(word), "`{word}` in {text}");
    }
    // The header's name alone, or a wrong token, gives nothing.
    for wrong in [
        "1",
        "on",
        "t0ken-only-operators-kno",
        "t0ken-only-operators-knowX",
    ] {
        let body: Value = send(Some(wrong)).await.unwrap().json().await.unwrap();
        assert!(body.get("extensions").is_none(), "{wrong}: {body}");
    }
    let body: Value = send(Some(TRACE_TOKEN)).await.unwrap().json().await.unwrap();
    let spans = body["extensions"]["knot"]["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 3);
    assert_eq!(
        body["extensions"]["knot"]["plan"]["stages"],
        json!([[0], [1, 2]])
    );
    // Without the setting, the header does nothing.
    let gw2 = start_gateway(&example_copy("trading", dir.path(), |_| {}), &demo).await;
    let r = client()
        .post(format!("http://{}/graphql", gw2.addr))
        .header("x-knot-trace", TRACE_TOKEN)
        .json(&json!({"query": "{ events(date: \"2024-05-01\") { id } }"}))
        .send()
        .await
        .unwrap();
    assert!(r.json::<Value>().await.unwrap().get("extensions").is_none());
}

#[tokio::test]
async fn a_broken_reload_keeps_serving_and_a_good_one_takes_effect_without_dropping_requests() {
    let demo = start_demo().await;
    demo.control.set_faults(
        Service::Users,
        Faults {
            latency_ms: 700,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = example_copy("shop", dir.path(), |_| {});
    let gw = start_gateway(&path, &demo).await;
    let addr = gw.addr;
    // A request in flight across both file changes.
    let in_flight =
        tokio::spawn(async move { post(addr, json!({"query": SHOP}), "application/json").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    std::fs::write(&path, "{ \"version\": 1, \"name\": ").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, _, body) = post(
        addr,
        json!({"query": "{ getOrderDetails(id: \"2\") { id } }"}),
        "application/json",
    )
    .await;
    assert_eq!(
        (s, &body["data"]["getOrderDetails"]["id"]),
        (200, &json!("2")),
        "still serving the old workspace"
    );
    // A good file renames the root field.
    example_copy("shop", dir.path(), |ws| {
        let q = ws.schema.types.get_mut("Query").unwrap();
        let f = q.fields.shift_remove("getOrderDetails").unwrap();
        q.fields.insert("order".into(), f);
        if let Some(Source::Rest(users)) = ws.sources.get_mut("users") {
            users.timeout_ms = Some(3000);
        }
    });
    let mut switched = false;
    for _ in 0..40 {
        let (_, _, body) = post(
            addr,
            json!({"query": "{ order(id: \"2\") { id } }"}),
            "application/json",
        )
        .await;
        if body["data"]["order"]["id"] == "2" {
            switched = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(switched, "the good file did not take effect");
    let (s, _, body) = in_flight.await.unwrap();
    assert_eq!(s, 200);
    assert_eq!(
        body["data"]["getOrderDetails"]["user"]["name"], "Ada Lovelace",
        "the in-flight request finished on the old workspace"
    );
    let metrics = client()
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("knot_reloads_total{outcome=\"rejected\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("knot_reloads_total{outcome=\"applied\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn health_ready_and_metrics() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let a = gw.addr;
    assert_eq!(
        client()
            .get(format!("http://{a}/health"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let ready: Value = client()
        .get(format!("http://{a}/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    post(a, json!({"query": SHOP}), "application/json").await;
    let m = client()
        .get(format!("http://{a}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "knot_requests_total{route=\"graphql\",status=\"200\"} 1",
        "knot_downstream_calls_total{source=\"products\"} 1",
        "knot_request_duration_seconds_count{route=\"graphql\"} 1",
    ] {
        assert!(m.contains(line), "missing `{line}` in\n{m}");
    }
    // Graceful shutdown: the port stops accepting.
    gw.shutdown().await;
    assert!(client()
        .get(format!("http://{a}/health"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_loopback_gateway_refuses_requests_for_other_hosts() {
    let demo = start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let send = |host: &'static str| {
        client()
            .post(format!("http://{}/graphql", gw.addr))
            .header("host", host)
            .json(&json!({"query": "{ __typename }"}))
            .send()
    };
    // DNS rebinding: a page of another site whose name resolves to 127.0.0.1.
    let r = send("attacker.example:4000").await.unwrap();
    assert_eq!(r.status().as_u16(), 421);
    for ok in ["localhost", "127.0.0.1:4000"] {
        let r = send(ok).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{ok}");
    }
    // A workspace can name the hosts it answers for.
    let path = example_copy("trading", dir.path(), |ws| {
        ws.gateway.allowed_hosts = Some(vec!["api.example.com".into()])
    });
    let gw2 = start_gateway(&path, &demo).await;
    let r = client()
        .get(format!("http://{}/health", gw2.addr))
        .header("host", "api.example.com:443")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client()
        .get(format!("http://{}/health", gw2.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 421);
}
