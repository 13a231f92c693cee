//! End-to-end tests of the REST and GraphQL demo services and of the demo's
//! lifecycle: real servers on 127.0.0.1 with ephemeral ports, driven by reqwest.

mod common;

use std::time::{Duration, Instant};

use common::{client, get, get_json, graphql, grpc, ids, post_json, start, start_with};
use knot_demo::pb::GetProductRequest;
use knot_demo::{Demo, DemoConfig, DemoError, DemoPorts, Faults, RecordedRequest, Service};
use serde_json::{json, Value};

#[tokio::test]
async fn orders_and_users() {
    let demo = start().await;
    let (status, order) = get_json(&demo, Service::Orders, "/orders/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        order,
        json!({"id": "1", "userId": "1", "productIds": ["1", "2", "3"], "status": "shipped"})
    );
    let (_, order) = get_json(&demo, Service::Orders, "/orders/2").await;
    assert_eq!(
        order,
        json!({"id": "2", "userId": "2", "productIds": ["2", "3", "4"], "status": "delivered"})
    );
    assert_eq!(get(&demo, Service::Orders, "/orders/%20").await.0, 400);
    let (status, body) = get_json(&demo, Service::Orders, "/orders/1001").await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("not found"));
    assert_eq!(get(&demo, Service::Orders, "/orders/abc").await.0, 404);

    let (status, user) = get_json(&demo, Service::Users, "/users/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        user,
        json!({"id": "1", "name": "Ada Lovelace", "email": "ada@example.com"})
    );
    let (_, user) = get_json(&demo, Service::Users, "/users/12").await;
    assert_eq!(user["name"], "Grace Hopper #12");
    assert_eq!(user["email"], "grace12@example.com");
    assert_eq!(get(&demo, Service::Users, "/users/0").await.0, 404);
    assert_eq!(get(&demo, Service::Users, "/users/%20%20").await.0, 400);
    for service in Service::ALL.into_iter().filter(|s| *s != Service::Products) {
        assert_eq!(get(&demo, service, "/health").await, (200, "ok".to_owned()));
    }

    let recorded = demo.control.requests(Service::Orders);
    assert_eq!(recorded.len(), 5, "health is not recorded: {recorded:?}");
    assert_eq!(
        recorded[0],
        RecordedRequest {
            method: "GET".into(),
            target: "/orders/1".into(),
            keys: vec!["1".into()]
        }
    );
    assert_eq!(recorded[2].keys, [" "]);
    demo.shutdown().await;
}

#[tokio::test]
async fn events() {
    let demo = start().await;
    let (status, events) = get_json(&demo, Service::Events, "/events?date=2024-05-01").await;
    assert_eq!(status, 200);
    let events = events.as_array().expect("array");
    assert_eq!(events.len(), 60);
    assert_eq!(
        events[4],
        json!({"id": "ev-2024-05-01-4", "date": "2024-05-01", "kind": "AMEND",
               "instrumentIdentifier": "INS-5", "orderIdentifier": "ORD-5"})
    );
    let (_, limited) = get_json(&demo, Service::Events, "/events?limit=5&date=2024-05-02").await;
    assert_eq!(limited.as_array().map(Vec::len), Some(5));
    let (_, capped) = get_json(&demo, Service::Events, "/events?date=2024-05-02&limit=5000").await;
    assert_eq!(capped.as_array().map(Vec::len), Some(1000));
    for bad in [
        "/events",
        "/events?date=",
        "/events?date=%20",
        "/events?date=2024-5-1",
        "/events?date=2024-05-01&limit=x",
    ] {
        assert_eq!(get(&demo, Service::Events, bad).await.0, 400, "{bad}");
    }
    let recorded = demo.control.requests(Service::Events);
    assert_eq!(recorded[0].keys, ["2024-05-01"]);
    assert_eq!(recorded[1].target, "/events?limit=5&date=2024-05-02");
    assert!(recorded[3].keys.is_empty());
}

#[tokio::test]
async fn instruments_batch_and_single() {
    let demo = start().await;
    let (status, found) = get_json(
        &demo,
        Service::Instruments,
        "/instruments?id=INS-3&id=INS-999&id=INS-1",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&found, "identifier"), ["INS-3", "INS-1"]);
    assert_eq!(found[1]["symbol"], "AAPL");
    assert_eq!(
        get(&demo, Service::Instruments, "/instruments").await.0,
        400
    );
    assert_eq!(
        get(&demo, Service::Instruments, "/instruments?x=1").await.0,
        400
    );
    let (status, one) = get_json(&demo, Service::Instruments, "/instruments/INS-2").await;
    assert_eq!(status, 200);
    assert_eq!(one["symbol"], "MSFT");
    assert_eq!(
        get(&demo, Service::Instruments, "/instruments/INS-101")
            .await
            .0,
        404
    );
    assert_eq!(
        get(&demo, Service::Instruments, "/instruments/%20").await.0,
        400
    );
    assert_eq!(
        demo.control.requests(Service::Instruments)[0].keys,
        ["INS-3", "INS-999", "INS-1"]
    );

    demo.control.set_faults(
        Service::Instruments,
        Faults {
            wrong_batch_count: true,
            ..Faults::default()
        },
    );
    let (_, short) = get_json(
        &demo,
        Service::Instruments,
        "/instruments?id=INS-1&id=INS-2",
    )
    .await;
    assert_eq!(ids(&short, "identifier"), ["INS-1"]);
}

#[tokio::test]
async fn trading_orders_batch_and_single() {
    let demo = start().await;
    let (status, body) = post_json(
        &demo,
        Service::TradingOrders,
        "/orders/batch",
        r#"{"ids":["ORD-2","nope","ORD-1"]}"#,
    )
    .await;
    assert_eq!(status, 200);
    let found: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ids(&found, "identifier"), ["ORD-2", "ORD-1"]);
    assert!(found[0]["quantity"].is_u64() && found[0]["price"].is_f64());
    assert_eq!(
        post_json(&demo, Service::TradingOrders, "/orders/batch", "not json")
            .await
            .0,
        400
    );
    assert_eq!(
        post_json(&demo, Service::TradingOrders, "/orders/batch", "{}")
            .await
            .0,
        400
    );
    let (status, one) = get_json(&demo, Service::TradingOrders, "/orders/ORD-7").await;
    assert_eq!(status, 200);
    assert_eq!(one["identifier"], "ORD-7");
    assert_eq!(
        get(&demo, Service::TradingOrders, "/orders/ORD-1001")
            .await
            .0,
        404
    );
    let recorded = demo.control.requests(Service::TradingOrders);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].keys, ["ORD-2", "nope", "ORD-1"]);
    assert!(recorded[1].keys.is_empty());

    demo.control.set_all_faults(Faults {
        wrong_batch_count: true,
        fail_ids: vec!["ORD-5".into()],
        ..Faults::default()
    });
    let (_, body) = post_json(
        &demo,
        Service::TradingOrders,
        "/orders/batch",
        r#"{"ids":["ORD-1","ORD-2"]}"#,
    )
    .await;
    let short: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ids(&short, "identifier"), ["ORD-1"]);
    let (status, _) = post_json(
        &demo,
        Service::TradingOrders,
        "/orders/batch",
        r#"{"ids":["ORD-1","ORD-5"]}"#,
    )
    .await;
    assert_eq!(status, 500);
}

#[tokio::test]
async fn reviews_graphql() {
    let demo = start().await;
    let query = "query($ids: [ID!]!) { reviewsForProducts(productIds: $ids) { productId reviews { id rating } } }";
    let (status, body) = graphql(&demo, query, json!({ "ids": ["2", "zz", "1"] })).await;
    assert_eq!(status, 200);
    let value: Value = serde_json::from_str(&body).expect("json");
    let batch = &value["data"]["reviewsForProducts"];
    assert_eq!(ids(batch, "productId"), ["2", "zz", "1"]);
    assert_eq!(batch[0]["reviews"].as_array().map(Vec::len), Some(3));
    assert_eq!(batch[0]["reviews"][0], json!({"id": "r-2-1", "rating": 4}));
    assert_eq!(batch[1]["reviews"], json!([]));

    let (_, body) = graphql(
        &demo,
        r#"{ review(id: "r-1-2") { productId author } reviews(productId: "3") { id } }"#,
        json!({}),
    )
    .await;
    let value: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(value["data"]["review"]["productId"], "1");
    assert_eq!(value["data"]["reviews"], json!([{"id": "r-3-1"}]));

    let (status, body) = graphql(&demo, "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"Query\""), "{body}");

    let recorded = demo.control.requests(Service::Reviews);
    assert_eq!(
        recorded.len(),
        2,
        "introspection is not recorded: {recorded:?}"
    );
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].target, "reviewsForProducts");
    assert_eq!(recorded[0].keys, ["2", "zz", "1"]);
    assert_eq!(recorded[1].target, "review,reviews");
    assert_eq!(recorded[1].keys, ["r-1-2", "3"]);

    demo.control.set_faults(
        Service::Reviews,
        Faults {
            wrong_batch_count: true,
            ..Faults::default()
        },
    );
    let (_, body) = graphql(&demo, query, json!({ "ids": ["1", "2"] })).await;
    let value: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        ids(&value["data"]["reviewsForProducts"], "productId"),
        ["1"]
    );

    demo.control.set_faults(
        Service::Reviews,
        Faults {
            fail_ids: vec!["5".into()],
            ..Faults::default()
        },
    );
    assert_eq!(
        graphql(&demo, query, json!({ "ids": ["4", "5"] })).await.0,
        500
    );

    demo.control.set_faults(
        Service::Reviews,
        Faults {
            malformed: true,
            ..Faults::default()
        },
    );
    let (status, body) = graphql(&demo, query, json!({ "ids": ["4"] })).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err());
}

#[tokio::test]
async fn faults_on_rest() {
    let demo = start().await;
    demo.control.set_faults(
        Service::Orders,
        Faults {
            fail_ids: vec!["2".into()],
            reject_ids: vec!["3".into()],
            ..Faults::default()
        },
    );
    assert_eq!(get(&demo, Service::Orders, "/orders/1").await.0, 200);
    assert_eq!(get(&demo, Service::Orders, "/orders/2").await.0, 500);
    assert_eq!(get(&demo, Service::Orders, "/orders/3").await.0, 400);
    assert_eq!(
        demo.control.request_count(Service::Orders),
        3,
        "failures are recorded too"
    );
    assert_eq!(
        get(&demo, Service::Users, "/users/2").await.0,
        200,
        "faults are per service"
    );

    demo.control.set_faults(
        Service::Users,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    assert_eq!(get(&demo, Service::Users, "/users/1").await.0, 500);
    demo.control.set_faults(
        Service::Users,
        Faults {
            malformed: true,
            ..Faults::default()
        },
    );
    let (status, body) = get(&demo, Service::Users, "/users/1").await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err());

    demo.control.set_faults(
        Service::Users,
        Faults {
            timeout_rate: 1.0,
            hang_ms: 60,
            ..Faults::default()
        },
    );
    let started = Instant::now();
    assert_eq!(get(&demo, Service::Users, "/users/1").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(60));
    demo.control.set_faults(
        Service::Users,
        Faults {
            slow_ids: vec!["4".into()],
            hang_ms: 60,
            ..Faults::default()
        },
    );
    let started = Instant::now();
    assert_eq!(get(&demo, Service::Users, "/users/4").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(60));

    demo.control.reset();
    assert_eq!(demo.control.request_count(Service::Orders), 0);
    assert_eq!(get(&demo, Service::Orders, "/orders/2").await.0, 200);
    demo.control.set_recording(false);
    assert_eq!(get(&demo, Service::Orders, "/orders/2").await.0, 200);
    assert_eq!(demo.control.request_count(Service::Orders), 1);
}

#[tokio::test]
async fn latency_is_at_least_nominal() {
    let demo = start_with(Faults {
        latency_ms: 80,
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(get(&demo, Service::Orders, "/orders/1").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(80));
    let mut client = grpc(&demo).await;
    let started = Instant::now();
    assert!(client
        .get_product(GetProductRequest { id: "1".into() })
        .await
        .is_ok());
    assert!(started.elapsed() >= Duration::from_millis(80));
    assert_eq!(demo.control.faults(Service::Events).latency_ms, 80);
}

#[tokio::test]
async fn bind_error_names_service_and_address() {
    let demo = start().await;
    let taken = demo.addr(Service::Users);
    let config = DemoConfig {
        ports: DemoPorts {
            users: taken.port(),
            ..DemoPorts::ephemeral()
        },
        ..DemoConfig::default()
    };
    match Demo::start(config).await {
        Err(err @ DemoError::Bind { .. }) => {
            let text = err.to_string();
            assert!(
                text.contains("users") && text.contains(&taken.to_string()),
                "{text}"
            );
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
    let urls = demo.env_vars();
    assert_eq!(urls.len(), 8);
    assert_eq!(
        urls[6],
        (
            "TRADING_ORDERS_URL".to_owned(),
            demo.url(Service::TradingOrders)
        )
    );
    assert!(demo.url(Service::Products).starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_servers() {
    let demo = start().await;
    let url = demo.url(Service::Orders);
    assert_eq!(get(&demo, Service::Orders, "/orders/1").await.0, 200);
    demo.shutdown().await;
    assert!(client().get(format!("{url}/health")).send().await.is_err());

    let demo = start().await;
    let addr = demo.addr(Service::Events);
    drop(demo);
    let deadline = Instant::now() + Duration::from_secs(2);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "server still accepting after drop"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn graphql_over_get() {
    let demo = start().await;
    let (status, body) = get(
        &demo,
        Service::Reviews,
        "/graphql?query=%7Breview(id%3A%22r-1-1%22)%7Bid%20rating%7D%7D",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(value["data"]["review"], json!({"id": "r-1-1", "rating": 3}));
    let recorded = demo.control.requests(Service::Reviews);
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].keys, ["r-1-1"]);
}

#[tokio::test]
async fn error_rate_is_deterministic_per_seed() {
    let faults = Faults {
        error_rate: 0.5,
        seed: 3,
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let demo = start_with(faults.clone()).await;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(get(&demo, Service::Users, "/users/1").await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}
