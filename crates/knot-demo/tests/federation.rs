//! End-to-end tests of the Apollo Federation v2 demo subgraphs: real servers on
//! 127.0.0.1 with ephemeral ports, driven by reqwest, plus the SDL each one
//! hands out and the requests each one records.

use knot_demo::{
    subgraph_sdl, FederationConfig, FederationDemo, FederationPorts, Subgraph, SubgraphRequest,
};
use serde_json::{json, Value};

async fn start_with(record: bool) -> FederationDemo {
    let config = FederationConfig {
        ports: FederationPorts::ephemeral(),
        record,
        ..FederationConfig::default()
    };
    match FederationDemo::start(config).await {
        Ok(demo) => demo,
        Err(err) => panic!("federation demo did not start: {err}"),
    }
}

async fn start() -> FederationDemo {
    start_with(true).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// POSTs a GraphQL request and returns the JSON answer (status must be 200).
async fn post(demo: &FederationDemo, subgraph: Subgraph, body: Value) -> Value {
    let response = client()
        .post(demo.url(subgraph))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{subgraph}");
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

async fn query(demo: &FederationDemo, subgraph: Subgraph, query: &str, variables: Value) -> Value {
    post(
        demo,
        subgraph,
        json!({ "query": query, "variables": variables }),
    )
    .await
}

/// An `_entities` query over `$representations` with `selection` (fragments) per entity.
fn entities(selection: &str) -> String {
    format!(
        "query($representations: [_Any!]!) {{ _entities(representations: $representations) {{ __typename {selection} }} }}"
    )
}

const CAMERAS: &str = "... on Camera { id cameraLocation { id } }";

fn entities_of(requests: &[SubgraphRequest], subgraph: Subgraph) -> Vec<&SubgraphRequest> {
    requests
        .iter()
        .filter(|r| r.subgraph == subgraph && r.is_entities())
        .collect()
}

#[tokio::test]
async fn every_subgraph_serves_its_federation_sdl_and_health() {
    let demo = start().await;
    for subgraph in Subgraph::ALL {
        let answer = query(&demo, subgraph, "{ _service { sdl } }", json!({})).await;
        let sdl = answer["data"]["_service"]["sdl"].as_str().unwrap();
        assert!(sdl.contains("@key"), "{subgraph}: {sdl}");
        assert!(
            sdl.contains("extend schema @link(")
                && sdl.contains("https://specs.apollo.dev/federation/v2"),
            "{subgraph}: {sdl}"
        );
        assert_eq!(sdl, subgraph_sdl(subgraph), "{subgraph}");

        let health = client()
            .get(demo.url(subgraph).replace("/graphql", "/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
        assert!(demo
            .url(subgraph)
            .starts_with(&format!("http://127.0.0.1:{}", demo.addr(subgraph).port())));
    }
    demo.shutdown().await;
}

#[test]
fn sdls_carry_the_federation_directives() {
    let device = subgraph_sdl(Subgraph::Device);
    for needle in [
        r#"type Device @key(fields: "id")"#,
        r#"type Camera @key(fields: "id")"#,
        r#"type Location @key(fields: "id")"#,
        "device(id: ID!): Device",
        "devices: [Device!]!",
        "camera: Camera",
        "street: String!",
    ] {
        assert!(device.contains(needle), "{needle}\n{device}");
    }

    let safety = subgraph_sdl(Subgraph::Safety);
    for needle in [
        r#"type Camera @key(fields: "id")"#,
        r#"type Location @key(fields: "id", resolvable: false)"#,
        "cameraLocation: Location",
    ] {
        assert!(safety.contains(needle), "{needle}\n{safety}");
    }

    let accounts = subgraph_sdl(Subgraph::Accounts);
    for needle in [
        r#"type User @key(fields: "id")"#,
        "username: String @shareable",
        "birthday: Int",
        "me: User",
        "user(id: ID!): User",
        "users: [User]",
    ] {
        assert!(accounts.contains(needle), "{needle}\n{accounts}");
    }

    let products = subgraph_sdl(Subgraph::Products);
    for needle in [
        r#"type Product @key(fields: "upc")"#,
        "topProducts(first: Int = 5): [Product]",
        "price: Int",
        "weight: Int",
    ] {
        assert!(products.contains(needle), "{needle}\n{products}");
    }

    let inventory = subgraph_sdl(Subgraph::Inventory);
    for needle in [
        r#"type Product @key(fields: "upc")"#,
        "weight: Int @external",
        "price: Int @external",
        "inStock: Boolean",
        r#"shippingEstimate: Int @requires(fields: "price weight")"#,
    ] {
        assert!(inventory.contains(needle), "{needle}\n{inventory}");
    }

    let reviews = subgraph_sdl(Subgraph::Reviews);
    for needle in [
        r#"type Review @key(fields: "id")"#,
        r#"type User @key(fields: "id")"#,
        r#"type Product @key(fields: "upc")"#,
        r#"author: User @provides(fields: "username")"#,
        "username: String @external",
        "reviews: [Review]",
        "product: Product",
    ] {
        assert!(reviews.contains(needle), "{needle}\n{reviews}");
    }
}

#[tokio::test]
async fn safety_resolves_two_cameras_and_records_the_representations() {
    let demo = start().await;
    let representations = json!([
        { "__typename": "Camera", "id": "c1" },
        { "__typename": "Camera", "id": "c3" },
    ]);
    let answer = query(
        &demo,
        Subgraph::Safety,
        &entities(CAMERAS),
        json!({ "representations": representations }),
    )
    .await;
    assert_eq!(
        answer,
        json!({ "data": { "_entities": [
            { "__typename": "Camera", "id": "c1", "cameraLocation": { "id": "l1" } },
            { "__typename": "Camera", "id": "c3", "cameraLocation": { "id": "l2" } },
        ] } })
    );

    let requests = demo.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.subgraph, Subgraph::Safety);
    assert_eq!(request.query, entities(CAMERAS));
    assert_eq!(request.representation_count(), 2);
    assert_eq!(
        request.representations.as_deref(),
        representations.as_array().map(Vec::as_slice)
    );
    assert_eq!(
        request.variables,
        json!({ "representations": representations })
    );

    // Literal representations are recorded too.
    demo.clear_requests();
    assert!(demo.requests().is_empty());
    let answer = query(
        &demo,
        Subgraph::Safety,
        r#"{ _entities(representations: [{__typename: "Camera", id: "c2"}]) { ... on Camera { cameraLocation { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        answer["data"]["_entities"],
        json!([{ "cameraLocation": { "id": "l1" } }])
    );
    assert_eq!(demo.requests()[0].representation_count(), 1);
    demo.shutdown().await;
}

#[tokio::test]
async fn broken_and_dark_cameras() {
    let demo = start().await;
    let answer = query(
        &demo,
        Subgraph::Safety,
        &entities(CAMERAS),
        json!({ "representations": [
            { "__typename": "Camera", "id": "c-broken" },
            { "__typename": "Camera", "id": "c-dark" },
            { "__typename": "Camera", "id": "nope" },
            { "__typename": "Camera", "id": "c-broken" },
        ] }),
    )
    .await;
    let broken = json!({ "__typename": "Camera", "id": "c-broken", "cameraLocation": null });
    assert_eq!(
        answer["data"]["_entities"],
        json!([
            broken,
            { "__typename": "Camera", "id": "c-dark", "cameraLocation": null },
            null,
            broken,
        ])
    );
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{answer}");
    let mut paths: Vec<&Value> = errors.iter().map(|e| &e["path"]).collect();
    paths.sort_by_key(|p| p[1].as_u64());
    assert_eq!(
        paths,
        [
            &json!(["_entities", 0, "cameraLocation"]),
            &json!(["_entities", 3, "cameraLocation"])
        ]
    );
    assert!(errors.iter().all(|e| e["message"] == "camera offline"));

    // Aliases name the path, as in any GraphQL error.
    let answer = query(
        &demo,
        Subgraph::Safety,
        r#"{ _entities(representations: [{__typename: "Camera", id: "c-broken"}]) { ... on Camera { where: cameraLocation { id } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["_entities"], json!([{ "where": null }]));
    assert_eq!(
        answer["errors"][0]["path"],
        json!(["_entities", 0, "where"])
    );
    demo.shutdown().await;
}

/// The three fetches of `{ device(id: "1") { name camera { cameraLocation { street } } } }`,
/// done by hand the way a federation router does them.
#[tokio::test]
async fn fleet_takes_three_fetches() {
    let demo = start().await;
    let step1 = query(
        &demo,
        Subgraph::Device,
        r#"{ device(id: "1") { name camera { __typename id } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        step1,
        json!({ "data": { "device": { "name": "Front door", "camera": { "__typename": "Camera", "id": "c1" } } } })
    );
    let step2 = query(
        &demo,
        Subgraph::Safety,
        "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Camera { cameraLocation { __typename id } } } }",
        json!({ "representations": [step1["data"]["device"]["camera"]] }),
    )
    .await;
    let location = &step2["data"]["_entities"][0]["cameraLocation"];
    assert_eq!(location, &json!({ "__typename": "Location", "id": "l1" }));
    let step3 = query(
        &demo,
        Subgraph::Device,
        "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Location { street } } }",
        json!({ "representations": [location] }),
    )
    .await;
    assert_eq!(
        step3["data"]["_entities"],
        json!([{ "street": "1 Harbour Street" }])
    );

    let requests = demo.requests();
    let order: Vec<(Subgraph, bool)> = requests
        .iter()
        .map(|r| (r.subgraph, r.is_entities()))
        .collect();
    assert_eq!(
        order,
        [
            (Subgraph::Device, false),
            (Subgraph::Safety, true),
            (Subgraph::Device, true)
        ]
    );
    assert_eq!(
        demo.requests_of(Subgraph::Device)[1].representations,
        Some(vec![json!({ "__typename": "Location", "id": "l1" })])
    );
    demo.shutdown().await;
}

#[tokio::test]
async fn devices_share_cameras_and_locations() {
    let demo = start().await;
    let answer = query(
        &demo,
        Subgraph::Device,
        "{ devices { id camera { id } } }",
        json!({}),
    )
    .await;
    let devices = answer["data"]["devices"].as_array().unwrap();
    assert!(devices.len() >= 6);
    let camera = |id: &str| {
        devices
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["camera"]["id"].clone())
            .unwrap()
    };
    assert_eq!(camera("1"), "c1");
    assert_eq!(camera("2"), "c1");
    assert_eq!(camera("3"), "c2");
    assert_eq!(camera("5"), "c-broken");
    assert_eq!(camera("6"), "c-dark");

    // Deduplicated cameras (c1, c2, c3) map onto two locations (l1 twice).
    let answer = query(
        &demo,
        Subgraph::Safety,
        &entities(CAMERAS),
        json!({ "representations": [
            { "__typename": "Camera", "id": "c1" },
            { "__typename": "Camera", "id": "c2" },
            { "__typename": "Camera", "id": "c3" },
        ] }),
    )
    .await;
    let locations: Vec<&Value> = answer["data"]["_entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["cameraLocation"]["id"])
        .collect();
    assert_eq!(locations, [&json!("l1"), &json!("l1"), &json!("l2")]);
    let requests = demo.requests();
    let calls = entities_of(&requests, Subgraph::Safety);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].representation_count(), 3);

    // Unknown device: null; unknown location entity: null.
    let answer = query(
        &demo,
        Subgraph::Device,
        r#"{ device(id: "99") { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["device"], Value::Null);
    let answer = query(
        &demo,
        Subgraph::Device,
        &entities("... on Location { id street }"),
        json!({ "representations": [
            { "__typename": "Location", "id": "l2" },
            { "__typename": "Location", "id": "l9" },
        ] }),
    )
    .await;
    assert_eq!(
        answer["data"]["_entities"],
        json!([{ "__typename": "Location", "id": "l2", "street": "22 Mill Lane" }, null])
    );
    demo.shutdown().await;
}

#[tokio::test]
async fn bench_subgraphs_answer_like_the_benchmark() {
    let demo = start().await;

    let answer = query(
        &demo,
        Subgraph::Accounts,
        r#"{ me { id name username } user(id: "2") { username birthday } users { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        answer["data"]["me"],
        json!({ "id": "1", "name": "Ada Lovelace", "username": "ada" })
    );
    assert_eq!(answer["data"]["user"]["username"], "alan");
    assert!(answer["data"]["user"]["birthday"].is_i64());
    assert_eq!(answer["data"]["users"].as_array().unwrap().len(), 10);

    let answer = query(
        &demo,
        Subgraph::Products,
        "{ a: topProducts { upc } b: topProducts(first: 10) { upc name price weight } }",
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["a"].as_array().unwrap().len(), 5);
    let all = answer["data"]["b"].as_array().unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(
        all[0],
        json!({ "upc": "1", "name": "Table", "price": 899, "weight": 100 })
    );
    assert_eq!(all[1]["price"], 1299);

    // @requires: price and weight come in the representation.
    let answer = query(
        &demo,
        Subgraph::Inventory,
        &entities("... on Product { upc inStock shippingEstimate }"),
        json!({ "representations": [
            { "__typename": "Product", "upc": "1", "price": 899, "weight": 100 },
            { "__typename": "Product", "upc": "2", "price": 1299, "weight": 1000 },
            { "__typename": "Product", "upc": "3", "price": 54, "weight": 50 },
        ] }),
    )
    .await;
    let products = answer["data"]["_entities"].as_array().unwrap();
    let estimates: Vec<&Value> = products.iter().map(|p| &p["shippingEstimate"]).collect();
    assert_eq!(estimates, [&json!(50), &json!(0), &json!(25)]);
    assert_eq!(products[2]["inStock"], false);
    assert_eq!(products[0]["inStock"], true);

    let answer = query(
        &demo,
        Subgraph::Reviews,
        &entities("... on User { id reviews { id } } ... on Product { upc reviews { id author { username } } }"),
        json!({ "representations": [
            { "__typename": "User", "id": "2" },
            { "__typename": "Product", "upc": "1" },
        ] }),
    )
    .await;
    let user = &answer["data"]["_entities"][0];
    assert_eq!(
        user["reviews"],
        json!([{ "id": "4" }, { "id": "5" }, { "id": "6" }])
    );
    let product = &answer["data"]["_entities"][1];
    let reviews = product["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 3);
    assert_eq!(
        reviews[0],
        json!({ "id": "1", "author": { "username": "ada" } })
    );

    let answer = query(
        &demo,
        Subgraph::Reviews,
        r#"{ _entities(representations: [{__typename: "Review", id: "30"}]) { ... on Review { body author { id } product { upc } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(answer["data"]["_entities"][0]["author"]["id"], "10");
    assert_eq!(answer["data"]["_entities"][0]["product"]["upc"], "10");
    assert!(answer["data"]["_entities"][0]["body"]
        .as_str()
        .unwrap()
        .contains("Wardrobe"));

    let requests = demo.requests();
    assert_eq!(requests.len(), 5);
    assert_eq!(entities_of(&requests, Subgraph::Reviews).len(), 2);
    demo.shutdown().await;
}

#[tokio::test]
async fn recording_can_be_off_and_batches_are_recorded_one_by_one() {
    let demo = start_with(false).await;
    let answer = query(&demo, Subgraph::Accounts, "{ me { id } }", json!({})).await;
    assert_eq!(answer["data"]["me"]["id"], "1");
    assert!(demo.requests().is_empty());

    demo.set_recording(true);
    let answer = post(
        &demo,
        Subgraph::Products,
        json!([
            { "query": "{ topProducts(first: 1) { upc } }" },
            { "query": "query Q($n: Int) { topProducts(first: $n) { upc } }", "variables": { "n": 2 }, "operationName": "Q" },
        ]),
    )
    .await;
    assert_eq!(
        answer[1]["data"]["topProducts"].as_array().unwrap().len(),
        2
    );
    let requests = demo.requests_of(Subgraph::Products);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].variables, json!({ "n": 2 }));
    assert_eq!(requests[1].operation_name.as_deref(), Some("Q"));
    assert!(!requests[1].is_entities());
    demo.shutdown().await;
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_servers() {
    let demo = start().await;
    let url = demo.url(Subgraph::Device);
    demo.shutdown().await;
    assert!(client().post(&url).body("{}").send().await.is_err());

    let demo = start().await;
    let url = demo.url(Subgraph::Reviews);
    drop(demo);
    let mut stopped = false;
    for _ in 0..50 {
        if client().post(&url).body("{}").send().await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(stopped);
}

#[test]
fn ports_and_names() {
    let fixed = FederationPorts::fixed();
    let ports: Vec<u16> = Subgraph::ALL.iter().map(|s| fixed.port(*s)).collect();
    assert_eq!(ports, [7121, 7122, 7131, 7132, 7133, 7134]);
    assert!(Subgraph::ALL
        .iter()
        .all(|s| FederationPorts::ephemeral().port(*s) == 0));
    let names: Vec<&str> = Subgraph::ALL.iter().map(Subgraph::name).collect();
    assert_eq!(
        names,
        [
            "device",
            "safety",
            "accounts",
            "inventory",
            "products",
            "reviews"
        ]
    );
}
