//! The founding document's fleet: device and safety subgraphs (real async-graphql
//! servers on loopback) composed into a supergraph, queried through the gateway.

use std::sync::Arc;

use knot_demo::{subgraph_sdl, FederationConfig, FederationDemo, FederationPorts, Subgraph};
use knot_federation::{
    compose, Gateway, GatewayOptions, GatewayRequest, SubgraphErrors, SubgraphSdl, Supergraph,
};
use serde_json::{json, Value};

async fn fleet(errors: SubgraphErrors) -> (FederationDemo, Gateway) {
    let demo = FederationDemo::start(FederationConfig {
        ports: FederationPorts::ephemeral(),
        ..FederationConfig::default()
    })
    .await
    .expect("subgraphs start");
    let subgraphs: Vec<SubgraphSdl> = [Subgraph::Device, Subgraph::Safety]
        .into_iter()
        .map(|s| SubgraphSdl {
            name: s.name().to_owned(),
            url: demo.url(s),
            sdl: subgraph_sdl(s),
        })
        .collect();
    let sdl = compose(&subgraphs).expect("fleet composes");
    let supergraph = Supergraph::parse(&sdl).expect("supergraph parses");
    let gateway = Gateway::new(
        Arc::new(supergraph),
        GatewayOptions {
            subgraph_errors: errors,
            detailed_trace: true,
            ..GatewayOptions::default()
        },
    )
    .expect("gateway");
    (demo, gateway)
}

fn request(query: &str) -> GatewayRequest {
    GatewayRequest {
        query: query.to_owned(),
        ..GatewayRequest::default()
    }
}

const FLEET_QUERY: &str = r#"{ device(id: "1") { name camera { cameraLocation { street } } } }"#;

#[tokio::test]
async fn the_fleet_query_is_stitched_from_three_fetch_steps() {
    let (demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let answer = gateway.execute(&request(FLEET_QUERY)).await.expect("runs");
    assert_eq!(
        answer.body,
        json!({"data": {"device": {"name": "Front door", "camera": {"cameraLocation": {"street": "1 Harbour Street"}}}}})
    );
    // The plan: device root fetch -> safety _entities(Camera) -> device _entities(Location),
    // each waiting for the one before.
    let steps: Vec<(String, Vec<String>)> = answer
        .graph
        .graph
        .node_weights()
        .map(|s| (s.subgraph.clone(), s.path()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("device".to_owned(), vec![]),
            (
                "safety".to_owned(),
                vec!["device".to_owned(), "camera".to_owned()]
            ),
            (
                "device".to_owned(),
                vec![
                    "device".to_owned(),
                    "camera".to_owned(),
                    "cameraLocation".to_owned()
                ]
            ),
        ]
    );
    assert_eq!(answer.graph.dependencies(1), vec![0]);
    assert_eq!(answer.graph.dependencies(2), vec![1]);
    assert_eq!(answer.graph.stages(), vec![vec![0], vec![1], vec![2]]);
    // What the subgraphs really received, in order.
    let received = demo.requests();
    let order: Vec<(Subgraph, usize)> = received
        .iter()
        .map(|r| (r.subgraph, r.representation_count()))
        .collect();
    assert_eq!(
        order,
        vec![
            (Subgraph::Device, 0),
            (Subgraph::Safety, 1),
            (Subgraph::Device, 1)
        ]
    );
    // Spans follow one another in time.
    assert!(answer.spans[0].end_ms <= answer.spans[1].start_ms);
    assert!(answer.spans[1].end_ms <= answer.spans[2].start_ms);
}

#[tokio::test]
async fn entity_fetches_carry_each_representation_once() {
    let (demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let query = "{ devices { id camera { id cameraLocation { id street } } } }";
    let answer = gateway.execute(&request(query)).await.expect("runs");
    let devices = answer.body["data"]["devices"]
        .as_array()
        .expect("a list")
        .clone();
    assert_eq!(devices.len(), 8);
    // Devices 1..4 share two cameras that are both at l1.
    for (i, device) in devices.iter().take(4).enumerate() {
        assert_eq!(
            device["camera"]["cameraLocation"]["street"], "1 Harbour Street",
            "device {i}"
        );
    }
    assert_eq!(
        devices[6]["camera"]["cameraLocation"]["street"],
        "22 Mill Lane"
    );
    assert_eq!(devices[7]["camera"], Value::Null);

    let safety = demo.requests_of(Subgraph::Safety);
    assert_eq!(safety.len(), 1, "one _entities call for all cameras");
    let cameras: Vec<String> = safety[0]
        .representations
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    // 7 devices carry a camera but only 5 distinct cameras exist.
    assert_eq!(cameras, vec!["c1", "c2", "c-broken", "c-dark", "c3"]);

    let device_entities: Vec<_> = demo
        .requests_of(Subgraph::Device)
        .into_iter()
        .filter(|r| r.is_entities())
        .collect();
    assert_eq!(
        device_entities.len(),
        1,
        "one _entities call for all locations"
    );
    let locations: Vec<String> = device_entities[0]
        .representations
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    // c1, c2 -> l1 and c3 -> l2: two locations, each once.
    assert_eq!(locations, vec!["l1", "l2"]);
    let span = answer
        .spans
        .iter()
        .find(|s| s.subgraph == "safety")
        .expect("a safety span");
    assert_eq!((span.objects, span.representations), (7, 5));
}

#[tokio::test]
async fn subgraph_errors_and_nulls_land_at_the_right_path() {
    let (_demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let query = r#"{ broken: device(id: "5") { name camera { cameraLocation { street } } }
                    dark: device(id: "6") { name camera { cameraLocation { street } } } }"#;
    let answer = gateway.execute(&request(query)).await.expect("runs");
    let body = &answer.body;
    assert_eq!(body["data"]["broken"]["name"], "Server room");
    assert_eq!(
        body["data"]["broken"]["camera"]["cameraLocation"],
        Value::Null
    );
    assert_eq!(
        body["data"]["dark"]["camera"]["cameraLocation"],
        Value::Null
    );
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0]["path"],
        json!(["broken", "camera", "cameraLocation"])
    );
    assert_eq!(errors[0]["extensions"]["category"], "DEPENDENCY");
    // The public answer names no subgraph and repeats no internal message.
    let text = body.to_string();
    assert!(
        !text.contains("camera offline") && !text.contains("safety"),
        "{text}"
    );
    // The explorer's detail keeps both.
    let detail = &answer.detailed_errors[0];
    assert_eq!(detail["subgraph"], "safety");
    assert!(
        detail["message"].as_str().unwrap_or("").contains("offline"),
        "{detail}"
    );
}

#[tokio::test]
async fn forwarding_mode_passes_the_subgraph_message() {
    let (_demo, gateway) = fleet(SubgraphErrors::Forward).await;
    let query = r#"{ device(id: "5") { camera { cameraLocation { street } } } }"#;
    let answer = gateway.execute(&request(query)).await.expect("runs");
    assert!(answer.body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("offline"));
}

#[tokio::test]
async fn aliases_fragments_typename_and_skip_shape_the_answer() {
    let (_demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let query = r#"query Q($withStreet: Boolean!) {
        d: device(id: "3") { __typename ...Dev cam: camera { where: cameraLocation { street @include(if: $withStreet) id } } }
    }
    fragment Dev on Device { label: name }"#;
    let mut req = request(query);
    req.variables
        .insert("withStreet".into(), Value::Bool(false));
    let answer = gateway.execute(&req).await.expect("runs");
    assert_eq!(
        answer.body,
        json!({"data": {"d": {"__typename": "Device", "label": "Loading bay", "cam": {"where": {"id": "l1"}}}}})
    );
    // Without the street no third fetch is needed.
    assert_eq!(answer.graph.graph.node_count(), 2);
    req.variables.insert("withStreet".into(), Value::Bool(true));
    let answer = gateway.execute(&req).await.expect("runs");
    assert_eq!(
        answer.body["data"]["d"]["cam"]["where"]["street"],
        "1 Harbour Street"
    );
}

#[tokio::test]
async fn invalid_queries_are_refused_before_any_call() {
    let (demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let err = gateway
        .execute(&request("{ device(id: \"1\") { colour } }"))
        .await
        .expect_err("unknown field");
    assert!(err.to_string().contains("colour"), "{err}");
    let err = gateway
        .execute(&request("{ device(id: \"1\") { name }"))
        .await
        .expect_err("does not parse");
    assert!(err.to_string().contains("parse"), "{err}");
    // Knot's input discipline: a required ID must not be blank, literal or variable.
    let err = gateway
        .execute(&request("{ device(id: \"  \") { name } }"))
        .await
        .expect_err("blank id");
    assert!(err.to_string().contains("`id`"), "{err}");
    let mut blank = request("query($id: ID!) { device(id: $id) { name } }");
    blank
        .variables
        .insert("id".into(), Value::String(String::new()));
    assert!(gateway.execute(&blank).await.is_err());
    assert!(demo.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_subgraph_is_a_dependency_error_at_its_objects() {
    let (demo, gateway) = fleet(SubgraphErrors::Mask).await;
    let safety_url = demo.url(Subgraph::Safety);
    drop(demo);
    // Give the listeners a moment to close.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let answer = gateway.execute(&request(FLEET_QUERY)).await.expect("runs");
    // The root subgraph is down too: the nullable root field is null, with the error there.
    assert_eq!(answer.body["data"], json!({"device": null}));
    assert_eq!(answer.body["errors"][0]["path"], json!(["device"]));
    assert_eq!(
        answer.body["errors"][0]["extensions"]["category"],
        "DEPENDENCY"
    );
    assert!(!answer.body.to_string().contains(&safety_url));
}

#[test]
fn composition_errors_name_the_problem() {
    let broken = vec![
        SubgraphSdl {
            name: "a".into(),
            url: "http://127.0.0.1:1/graphql".into(),
            sdl: "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\"])\ntype Query { x: Int }".into(),
        },
        SubgraphSdl {
            name: "b".into(),
            url: "http://127.0.0.1:2/graphql".into(),
            sdl: "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\"])\ntype Query { x: String }".into(),
        },
    ];
    let err = compose(&broken).expect_err("Query.x has two types and is not shareable");
    let text = err.to_string();
    assert!(text.contains("x"), "{text}");
}
