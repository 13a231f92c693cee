//! The trading example (second founding document): a day's events, each with its
//! instrument and order, fetched with one batch call per service whatever the event count.

use knot_demo::Service;
use knot_model::public_sdl;
use knot_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const DAY: &str = r#"query($date: String!) { events(date: $date) { id instrument { symbol } order { side quantity } } }"#;

#[tokio::test]
async fn sixty_events_make_one_call_per_service_with_deduplicated_keys() {
    let demo = start_demo().await;
    let engine = engine(example("trading"), &demo);
    let outcome = engine
        .run(&request(DAY, json!({"date": "2024-05-01"})))
        .await;
    assert!(
        outcome.response.get("errors").is_none(),
        "{}",
        outcome.response
    );
    let events = outcome.response["data"]["events"].as_array().unwrap();
    assert!(
        events.len() >= 50,
        "need at least 50 events, got {}",
        events.len()
    );
    // Every event got its own instrument and order back, matched by key.
    assert_eq!(events[0]["instrument"]["symbol"], "AAPL"); // INS-1
    assert_eq!(events[9]["instrument"]["symbol"], "MSFT"); // event 9 -> INS-2
                                                           // The orders service spells sides `buy`/`sell`; the schema's enum answers BUY/SELL.
    let sides: std::collections::BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["order"]["side"].as_str())
        .collect();
    assert_eq!(
        sides,
        ["BUY", "SELL"].into_iter().collect(),
        "{}",
        outcome.response
    );

    assert_eq!(spans_of(&outcome, "events").len(), 1);
    let instruments = spans_of(&outcome, "instruments");
    let orders = spans_of(&outcome, "trading-orders");
    assert_eq!((instruments.len(), orders.len()), (1, 1));
    assert_eq!(instruments[0].batch_size, 8);
    assert_eq!(orders[0].batch_size, 20);
    let events_end = spans_of(&outcome, "events")[0].end_ms;
    assert!(instruments[0].start_ms >= events_end && orders[0].start_ms >= events_end);
    // Both batch nodes sit in the same stage of the plan: neither waits for the other.
    assert_eq!(
        outcome.trace.as_ref().unwrap().plan["stages"],
        json!([[0], [1, 2]])
    );
    // What the services received: each key once.
    for (service, n) in [(Service::Instruments, 8), (Service::TradingOrders, 20)] {
        let reqs = demo.control.requests(service);
        assert_eq!(reqs.len(), 1, "{service}");
        let unique: BTreeSet<&String> = reqs[0].keys.iter().collect();
        assert_eq!(reqs[0].keys.len(), n, "{service} keys: {:?}", reqs[0].keys);
        assert_eq!(
            unique.len(),
            n,
            "{service} keys repeated: {:?}",
            reqs[0].keys
        );
    }
}

#[tokio::test]
async fn max_batch_size_splits_keys_into_several_calls() {
    let demo = start_demo().await;
    let mut ws = example("trading");
    let b = ws
        .schema
        .types
        .get_mut("Event")
        .unwrap()
        .fields
        .get_mut("instrument")
        .unwrap()
        .binding
        .as_mut()
        .unwrap();
    b.batch.as_mut().unwrap().max_batch_size = Some(5);
    let engine = engine(ws, &demo);
    let outcome = engine
        .run(&request(DAY, json!({"date": "2024-05-01"})))
        .await;
    assert!(
        outcome.response.get("errors").is_none(),
        "{}",
        outcome.response
    );
    let sizes: Vec<usize> = spans_of(&outcome, "instruments")
        .iter()
        .map(|s| s.batch_size)
        .collect();
    assert_eq!(sizes, vec![5, 3]);
    let all: Vec<String> = demo
        .control
        .requests(Service::Instruments)
        .into_iter()
        .flat_map(|r| r.keys)
        .collect();
    assert_eq!(all.len(), 8);
}

#[tokio::test]
async fn join_keys_stay_private() {
    let ws = example("trading");
    let sdl = public_sdl(&ws);
    assert!(
        !sdl.contains("instrumentIdentifier") && !sdl.contains("orderIdentifier"),
        "{sdl}"
    );
    let demo = start_demo().await;
    let engine = engine(ws, &demo);
    let outcome = engine
        .run(&request(
            r#"{ events(date: "2024-05-01") { instrumentIdentifier } }"#,
            json!({}),
        ))
        .await;
    let errs = errors(&outcome);
    assert_eq!(errs[0]["extensions"]["category"], "VALIDATION");
    assert_eq!(demo.control.request_count(Service::Events), 0);
}

#[tokio::test]
async fn only_requested_branches_are_fetched() {
    let demo = start_demo().await;
    let engine = engine(example("trading"), &demo);
    let outcome = engine
        .run(&request(
            r#"{ events(date: "2024-05-01") { id order { status } } }"#,
            json!({}),
        ))
        .await;
    assert!(outcome.response["data"]["events"]
        .as_array()
        .is_some_and(|e| e.len() == 60));
    assert_eq!(demo.control.request_count(Service::Instruments), 0);
    assert_eq!(demo.control.request_count(Service::TradingOrders), 1);
    let first: &Value = &outcome.response["data"]["events"][0];
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["id", "order"]
    );
}

#[tokio::test]
async fn blank_date_is_refused_before_any_call() {
    let demo = start_demo().await;
    let engine = engine(example("trading"), &demo);
    let outcome = engine.run(&request(DAY, json!({"date": " "}))).await;
    assert_eq!(errors(&outcome)[0]["extensions"]["category"], "VALIDATION");
    assert_eq!(demo.control.request_count(Service::Events), 0);
}

#[tokio::test]
async fn a_renamed_match_field_still_matches_what_the_service_sends() {
    let demo = start_demo().await;
    let mut ws = example("trading");
    // Instrument.identifier becomes iid, reading the raw `identifier`; the batch matches by it.
    let instrument = ws.schema.types.get_mut("Instrument").unwrap();
    let mut f = instrument.fields.shift_remove("identifier").unwrap();
    f.from = Some("identifier".into());
    instrument.fields.insert("iid".into(), f);
    let b = ws
        .schema
        .types
        .get_mut("Event")
        .unwrap()
        .fields
        .get_mut("instrument")
        .unwrap()
        .binding
        .as_mut()
        .unwrap();
    b.batch.as_mut().unwrap().match_by = knot_model::MatchBy::Field("iid".into());
    assert!(knot_model::validate::validate(&ws).is_empty());
    let engine = engine(ws, &demo);
    let outcome = engine
        .run(&request(
            r#"{ events(date: "2024-05-01") { instrument { iid symbol } } }"#,
            json!({}),
        ))
        .await;
    assert!(
        outcome.response.get("errors").is_none(),
        "{}",
        outcome.response
    );
    assert_eq!(
        outcome.response["data"]["events"][0]["instrument"],
        json!({"iid": "INS-1", "symbol": "AAPL"})
    );
}
