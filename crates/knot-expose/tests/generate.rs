//! The OpenAPI document and the .proto of the example workspaces, generated from the
//! examples as they are on disk: deterministic, typed by the public schema, and with gRPC
//! field numbers that survive a change of selection.

use knot_expose::{openapi, proto};
use knot_model::{check_bytes, public_sdl, GrpcMethod, Workspace};
use serde_json::Value;
use std::path::PathBuf;

fn example(name: &str) -> Workspace {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/{name}.knot.json"));
    let report = check_bytes(&std::fs::read(path).unwrap());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.workspace.unwrap()
}

/// The example with every REST endpoint also marked for gRPC.
fn with_grpc(name: &str) -> Workspace {
    let mut ws = example(name);
    for op in ws.operations.values_mut() {
        op.grpc = Some(GrpcMethod::default());
    }
    ws
}

/// Compiles a generated .proto with protox (the well-known types included).
fn compile(p: &proto::Proto) -> prost_reflect::DescriptorPool {
    let dir = tempfile_dir();
    let file = dir.join(&p.file_name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &p.text).unwrap();
    let fds = protox::compile([&p.file_name], [&dir]).unwrap_or_else(|e| panic!("{e}\n{}", p.text));
    prost_reflect::DescriptorPool::from_file_descriptor_set(fds).unwrap()
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "knot-expose-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_shop_endpoint_is_described_with_its_parameter_answer_and_error_statuses() {
    let ws = example("shop");
    let doc = openapi::openapi(&ws, &public_sdl(&ws)).unwrap();
    let get = &doc["paths"]["/composite-order-details/{id}"]["get"];
    assert_eq!(get["operationId"], "OrderDetails");
    assert_eq!(
        get["parameters"],
        serde_json::json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    let answer = &get["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(answer["type"], "object");
    assert_eq!(
        answer["required"],
        serde_json::json!(["orderId", "user", "products"])
    );
    assert_eq!(
        answer["properties"]["orderId"],
        serde_json::json!({"type": "string"})
    );
    assert_eq!(
        answer["properties"]["user"]["type"],
        serde_json::json!(["object", "null"])
    );
    assert_eq!(
        answer["properties"]["products"]["items"]["properties"]["price"],
        serde_json::json!({"type": ["number", "null"], "format": "double"})
    );
    for status in ["400", "404", "502", "503", "504"] {
        assert!(get["responses"][status]["$ref"].is_string(), "{status}");
    }
    // The write: its variable is the JSON body, typed by the input object.
    let post = &doc["paths"]["/place-order"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["properties"]["input"],
        serde_json::json!({"$ref": "#/components/schemas/PlaceOrderInput"})
    );
    assert_eq!(
        doc["components"]["schemas"]["OrderStatus"]["enum"],
        serde_json::json!(["PLACED", "SHIPPED", "DELIVERED"])
    );
    let status =
        &post["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["status"];
    assert_eq!(
        status["anyOf"][0]["$ref"],
        "#/components/schemas/OrderStatus"
    );
    assert!(post["responses"]["415"]["$ref"].is_string());
}

#[test]
fn the_same_workspace_gives_the_same_bytes() {
    for name in ["shop", "trading"] {
        let ws = with_grpc(name);
        let sdl = public_sdl(&ws);
        assert_eq!(
            openapi::openapi_bytes(&ws, &sdl).unwrap(),
            openapi::openapi_bytes(&ws.clone(), &sdl).unwrap()
        );
        let a = proto::proto(&ws, &sdl).unwrap().unwrap().text;
        let b = proto::proto(&ws.clone(), &sdl).unwrap().unwrap().text;
        assert_eq!(a, b);
        let parsed: Value =
            serde_json::from_slice(&openapi::openapi_bytes(&ws, &sdl).unwrap()).unwrap();
        assert_eq!(parsed["openapi"], "3.1.0");
    }
}

#[test]
fn the_exported_proto_of_every_example_compiles_with_protox() {
    for name in ["shop", "trading"] {
        let ws = with_grpc(name);
        let p = proto::proto(&ws, &public_sdl(&ws)).unwrap().unwrap();
        let pool = compile(&p);
        let service = pool
            .get_service_by_name(&format!("{}.{}", p.package, p.service))
            .unwrap_or_else(|| panic!("{}", p.text));
        assert_eq!(service.methods().count(), ws.operations.len(), "{}", p.text);
    }
    let ws = with_grpc("shop");
    let p = proto::proto(&ws, &public_sdl(&ws)).unwrap().unwrap();
    assert_eq!(
        (p.package.as_str(), p.service.as_str()),
        ("knot.shop", "ShopService")
    );
    let pool = compile(&p);
    let response = pool
        .get_message_by_name("knot.shop.OrderDetailsResponse")
        .unwrap();
    let names: Vec<String> = response
        .fields()
        .map(|f| format!("{}={}", f.name(), f.number()))
        .collect();
    assert_eq!(names, ["orderId=1", "user=2", "products=3"]);
    let user = response.get_field_by_name("user").unwrap();
    let user_name = user.kind();
    let user_msg = user_name.as_message().unwrap();
    assert_eq!(
        user_msg
            .get_field_by_name("name")
            .unwrap()
            .kind()
            .as_message()
            .unwrap()
            .full_name(),
        "google.protobuf.StringValue"
    );
    assert!(response.get_field_by_name("products").unwrap().is_list());
    let placed = pool
        .get_message_by_name("knot.shop.PlaceOrderResponse")
        .unwrap();
    let status = placed.get_field_by_name("status").unwrap();
    assert_eq!(
        status.kind().as_enum().unwrap().full_name(),
        "knot.shop.OrderStatus"
    );
    let request = pool
        .get_message_by_name("knot.shop.PlaceOrderRequest")
        .unwrap();
    assert_eq!(
        request
            .get_field_by_name("input")
            .unwrap()
            .kind()
            .as_message()
            .unwrap()
            .full_name(),
        "knot.shop.PlaceOrderInput"
    );
}

#[test]
fn adding_a_field_in_the_middle_of_a_selection_keeps_every_field_number() {
    let mut ws = with_grpc("shop");
    let sdl = public_sdl(&ws);
    assert!(proto::record_numbers(&mut ws, &sdl).unwrap());
    let recorded = ws.operations["OrderDetails"].grpc.clone().unwrap().fields;
    assert_eq!(recorded["request.id"], 1);
    assert_eq!(recorded["response.products.price"], 3);
    assert!(
        !proto::record_numbers(&mut ws, &sdl).unwrap(),
        "nothing new to record"
    );

    // `status` between `orderId` and `user`, `email` dropped, `currency` inside products.
    let op = ws.operations.get_mut("OrderDetails").unwrap();
    op.document = "query OrderDetails($id: ID!) {\n  getOrderDetails(id: $id) {\n    orderId: id\n    status\n    user {\n      id\n      name\n    }\n    products {\n      id\n      currency\n      name\n      price\n    }\n  }\n}\n".into();
    assert!(proto::record_numbers(&mut ws, &sdl).unwrap());
    let after = ws.operations["OrderDetails"].grpc.clone().unwrap().fields;
    for (path, number) in &recorded {
        assert_eq!(after[path], *number, "{path} kept its number");
    }
    assert_eq!(
        after["response.status"], 4,
        "a new field gets the next number"
    );
    assert_eq!(after["response.products.currency"], 4);
    let p = proto::proto(&ws, &sdl).unwrap().unwrap();
    let pool = compile(&p);
    let user = pool
        .get_message_by_name("knot.shop.OrderDetailsResponse.User")
        .unwrap();
    assert!(user.get_field_by_name("email").is_none());
    assert!(
        p.text.contains("reserved 3;") && p.text.contains("reserved \"email\";"),
        "{}",
        p.text
    );

    // Dropping `user` and selecting `email` again later: the old number comes back.
    let op = ws.operations.get_mut("OrderDetails").unwrap();
    op.document = op.document.replace(
        "      name\n    }\n    products",
        "      name\n      email\n    }\n    products",
    );
    proto::record_numbers(&mut ws, &sdl).unwrap();
    assert_eq!(
        ws.operations["OrderDetails"].grpc.as_ref().unwrap().fields["response.user.email"],
        3
    );
}
