//! End-to-end tests of the gRPC products service and its reflection service,
//! driven by the generated tonic clients.

mod common;

use common::{grpc, start};
use knot_demo::pb::{GetProductRequest, GetProductsRequest};
use knot_demo::{Faults, RecordedRequest, Service};

#[tokio::test]
async fn products_grpc() {
    let demo = start().await;
    let mut client = grpc(&demo).await;
    let product = client
        .get_product(GetProductRequest { id: "1".into() })
        .await
        .expect("product 1")
        .into_inner();
    assert_eq!(product.name, "Mechanical Keyboard");
    assert_eq!(product.currency, "EUR");
    assert_eq!(product.stock, 7);
    assert!((product.price - 46.99).abs() < 1e-9);
    let missing = client
        .get_product(GetProductRequest { id: "1001".into() })
        .await;
    assert_eq!(
        missing.map(|_| ()).unwrap_err().code(),
        tonic::Code::NotFound
    );
    let blank = client
        .get_product(GetProductRequest { id: " ".into() })
        .await;
    assert_eq!(
        blank.map(|_| ()).unwrap_err().code(),
        tonic::Code::InvalidArgument
    );

    let asked = ["3", "x", "1", "3"].map(String::from).to_vec();
    let products = client
        .get_products(GetProductsRequest { ids: asked.clone() })
        .await
        .expect("batch")
        .into_inner()
        .products;
    let got: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(got, ["3", "1", "3"]);
    let recorded = demo.control.requests(Service::Products);
    assert_eq!(recorded[0].method, "GetProduct");
    assert_eq!(
        recorded[3],
        RecordedRequest {
            method: "GetProducts".into(),
            target: "/knot.demo.products.v1.ProductService/GetProducts".into(),
            keys: asked
        }
    );

    demo.control.set_faults(
        Service::Products,
        Faults {
            wrong_batch_count: true,
            fail_ids: vec!["13".into()],
            reject_ids: vec!["14".into()],
            ..Faults::default()
        },
    );
    let short = client
        .get_products(GetProductsRequest {
            ids: vec!["1".into(), "2".into()],
        })
        .await
        .expect("batch")
        .into_inner();
    assert_eq!(short.products.len(), 1);
    let failed = client
        .get_products(GetProductsRequest {
            ids: vec!["1".into(), "13".into()],
        })
        .await;
    assert_eq!(
        failed.map(|_| ()).unwrap_err().code(),
        tonic::Code::Internal
    );
    let rejected = client
        .get_product(GetProductRequest { id: "14".into() })
        .await;
    assert_eq!(
        rejected.map(|_| ()).unwrap_err().code(),
        tonic::Code::InvalidArgument
    );

    demo.control.set_faults(
        Service::Products,
        Faults {
            malformed: true,
            ..Faults::default()
        },
    );
    let garbled = client
        .get_product(GetProductRequest { id: "1".into() })
        .await;
    let status = garbled
        .map(|_| ())
        .expect_err("malformed answer must not decode");
    assert_eq!(status.code(), tonic::Code::Internal, "{status:?}");
    eprintln!("malformed gRPC answer: {status:?}");
    demo.control.reset();
    assert_eq!(demo.control.request_count(Service::Products), 0);
    assert!(client
        .get_product(GetProductRequest { id: "2".into() })
        .await
        .is_ok());
}

#[tokio::test]
async fn reflection_v1_lists_the_product_service() {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;

    let demo = start().await;
    let channel = tonic::transport::Endpoint::from_shared(demo.url(Service::Products))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = stream
        .message()
        .await
        .expect("message")
        .expect("one response");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names
            .iter()
            .any(|n| n == "knot.demo.products.v1.ProductService"),
        "{names:?}"
    );
}
