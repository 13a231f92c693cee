//! Graceful shutdown of a `knot serve` process: SIGTERM stops new connections, and a
//! request already in flight still gets its full answer before the process exits 0.

mod common;

use knot_demo::{Demo, DemoConfig, DemoPorts, Faults, Service};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn sigterm_finishes_in_flight_requests_then_exits() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let demo = Demo::start(DemoConfig {
            ports: DemoPorts::ephemeral(),
            ..Default::default()
        })
        .await
        .unwrap();
        demo.control.set_faults(
            Service::Users,
            Faults {
                latency_ms: 800,
                ..Faults::default()
            },
        );
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut gateway = common::spawn_serve(&root.join("examples/shop.knot.json"), &demo);
        let addr = gateway.addr.clone();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let url = format!("http://{addr}/graphql");
        let in_flight = {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"query": "{ getOrderDetails(id: \"1\") { user { name } } }"}))
                    .send()
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(250)).await;
        let status = Command::new("kill")
            .args(["-TERM", &gateway.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let response = in_flight
            .await
            .unwrap()
            .expect("the in-flight request is answered");
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["data"]["getOrderDetails"]["user"]["name"],
            "Ada Lovelace"
        );
        let started = Instant::now();
        let exit = loop {
            if let Some(s) = gateway.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "knot serve did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(exit.success(), "{exit:?}");
        assert!(
            client
                .get(format!("http://{addr}/health"))
                .send()
                .await
                .is_err(),
            "still accepting after shutdown"
        );
    });
}
