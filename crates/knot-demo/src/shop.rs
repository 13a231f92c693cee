//! The shop example: orders and users over REST, products over gRPC.
//!
//! `GET /orders/{id}` and `GET /users/{id}` answer JSON; the products service is
//! a tonic `ProductService` (`GetProduct`, `GetProducts`) served over HTTP/2
//! cleartext together with gRPC server reflection (v1 and v1alpha). A
//! "malformed" gRPC answer is produced by tagging the response and letting an
//! outer middleware swap its body for a frame that is not a valid message.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body::Frame;

use crate::data::{self, MAX_ID};
use crate::faults::{Answer, Gate, Verdict};
use crate::pb::product_service_server::{ProductService, ProductServiceServer};
use crate::pb::{GetProductRequest, GetProductsRequest, GetProductsResponse, Product};
use crate::rest;
use crate::DemoError;

/// Encoded `FileDescriptorSet` of `proto/products.proto` (served by reflection).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/products_descriptor.bin"));

/// Full gRPC path of `GetProduct`.
pub const GET_PRODUCT_PATH: &str = "/knot.demo.products.v1.ProductService/GetProduct";
/// Full gRPC path of `GetProducts`.
pub const GET_PRODUCTS_PATH: &str = "/knot.demo.products.v1.ProductService/GetProducts";

/// The orders REST service: `GET /orders/{id}`, and `POST /orders` placing an order.
pub(crate) fn orders_router(gate: Gate) -> Router {
    let placed = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(1));
    rest::with_health(
        Router::new()
            .route("/orders/{id}", get(get_order))
            .route(
                "/orders",
                axum::routing::post(move |State(gate): State<Gate>, uri: Uri, body: Bytes| {
                    let placed = placed.clone();
                    async move { place_order(&gate, &uri, &body, &placed).await }
                }),
            )
            .with_state(gate),
    )
}

/// `POST /orders` with `{"userId": "1", "productIds": ["2", "3"]}`: 201 and the new order,
/// or 400 naming what is missing or blank.
async fn place_order(
    gate: &Gate,
    uri: &Uri,
    body: &[u8],
    placed: &std::sync::atomic::AtomicU32,
) -> Response {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let user_id = request["userId"].as_str().unwrap_or_default().to_owned();
    let keys = [user_id.clone()];
    if let Err(refusal) = rest::check(gate.admit("POST", &rest::target(uri), &keys).await) {
        return refusal.into_response();
    }
    if data::is_blank(&user_id) {
        return rest::error(
            axum::http::StatusCode::BAD_REQUEST,
            "userId must not be blank",
        );
    }
    let product_ids: Vec<String> = request["productIds"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if product_ids.is_empty() {
        return rest::error(
            axum::http::StatusCode::BAD_REQUEST,
            "productIds must list at least one product",
        );
    }
    let n = placed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    rest::json(
        axum::http::StatusCode::CREATED,
        &data::placed_order(n, user_id, product_ids),
    )
}

async fn get_order(State(gate): State<Gate>, uri: Uri, Path(id): Path<String>) -> Response {
    rest::single(&gate, &uri, id, "order", |id| {
        data::parse_id(id, MAX_ID).map(data::order)
    })
    .await
}

/// The users REST service.
pub(crate) fn users_router(gate: Gate) -> Router {
    rest::with_health(
        Router::new()
            .route("/users/{id}", get(get_user))
            .with_state(gate),
    )
}

async fn get_user(State(gate): State<Gate>, uri: Uri, Path(id): Path<String>) -> Response {
    rest::single(&gate, &uri, id, "user", |id| {
        data::parse_id(id, MAX_ID).map(data::user)
    })
    .await
}

/// The products gRPC service with reflection, as an axum router (HTTP/2 cleartext).
pub(crate) fn products_router(gate: Gate) -> Result<Router, DemoError> {
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|err| DemoError::Reflection(err.to_string()))?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .map_err(|err| DemoError::Reflection(err.to_string()))?;
    let routes = tonic::service::Routes::new(ProductServiceServer::new(Products { gate }))
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);
    Ok(routes
        .into_axum_router()
        .layer(axum::middleware::map_response(garble)))
}

struct Products {
    gate: Gate,
}

#[tonic::async_trait]
impl ProductService for Products {
    async fn get_product(
        &self,
        request: tonic::Request<GetProductRequest>,
    ) -> Result<tonic::Response<Product>, tonic::Status> {
        let keys = [request.into_inner().id];
        let answer = grpc_check(self.gate.admit("GetProduct", GET_PRODUCT_PATH, &keys).await)?;
        if answer.malformed {
            return Ok(malformed_reply(Product::default()));
        }
        let id = &keys[0];
        if data::is_blank(id) {
            return Err(tonic::Status::invalid_argument(
                "product id must not be blank",
            ));
        }
        match data::parse_id(id, MAX_ID) {
            Some(n) => Ok(tonic::Response::new(data::product(n))),
            None => Err(tonic::Status::not_found(format!("product {id} not found"))),
        }
    }

    async fn get_products(
        &self,
        request: tonic::Request<GetProductsRequest>,
    ) -> Result<tonic::Response<GetProductsResponse>, tonic::Status> {
        let ids = request.into_inner().ids;
        let answer = grpc_check(
            self.gate
                .admit("GetProducts", GET_PRODUCTS_PATH, &ids)
                .await,
        )?;
        if answer.malformed {
            return Ok(malformed_reply(GetProductsResponse::default()));
        }
        let mut products: Vec<Product> = ids
            .iter()
            .filter_map(|id| data::parse_id(id, MAX_ID).map(data::product))
            .collect();
        answer.trim_batch(&mut products);
        Ok(tonic::Response::new(GetProductsResponse { products }))
    }
}

/// Maps an injected fault to a gRPC status.
fn grpc_check(verdict: Verdict) -> Result<Answer, tonic::Status> {
    match verdict {
        Verdict::Proceed(answer) => Ok(answer),
        Verdict::Fail => Err(tonic::Status::internal("injected failure")),
        Verdict::Reject => Err(tonic::Status::invalid_argument("injected rejection")),
    }
}

/// Marker in the response extensions: the body must be replaced by garbage.
#[derive(Clone, Copy, Debug)]
struct MalformedReply;

fn malformed_reply<T>(message: T) -> tonic::Response<T> {
    let mut response = tonic::Response::new(message);
    response.extensions_mut().insert(MalformedReply);
    response
}

/// Replaces the body of tagged responses with a frame that does not decode.
async fn garble(response: Response) -> Response {
    if response.extensions().get::<MalformedReply>().is_none() {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    parts.headers.remove("grpc-status");
    parts.headers.remove("grpc-message");
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::new(GarbageBody { step: 0 }))
}

/// A gRPC length-prefixed frame (uncompressed, 3 bytes) whose payload starts a
/// length-delimited field 1 with an unterminated varint length: never decodes.
const GARBAGE_FRAME: &[u8] = &[0, 0, 0, 0, 3, 0x0A, 0xFF, 0xFF];

/// One garbage data frame followed by `grpc-status: 0` trailers.
struct GarbageBody {
    step: u8,
}

impl http_body::Body for GarbageBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.step {
            0 => Frame::data(Bytes::from_static(GARBAGE_FRAME)),
            1 => {
                let mut trailers = HeaderMap::new();
                trailers.insert("grpc-status", HeaderValue::from_static("0"));
                Frame::trailers(trailers)
            }
            _ => return Poll::Ready(None),
        };
        self.step += 1;
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.step >= 2
    }
}

/// The search REST service: `GET /search?text=...` finds users and products whose name
/// contains the text (case-insensitive, ids 1-10 of each), users first, each hit carrying a
/// `kind` discriminator (`"user"` or `"product"`) beside its data. Blank text is a 400. The
/// text `unknown-kind` answers one hit of a kind no schema knows (`"store"`), for tests of
/// what a gateway does with it.
pub(crate) fn search_router(gate: Gate) -> Router {
    rest::with_health(Router::new().route("/search", get(search)).with_state(gate))
}

async fn search(State(gate): State<Gate>, uri: Uri) -> Response {
    let pairs = rest::parse_query(uri.query());
    let text = rest::query_values(&pairs, "text")
        .first()
        .map(|t| (*t).to_owned())
        .unwrap_or_default();
    let keys = [text.clone()];
    if let Err(refusal) = rest::check(gate.admit("GET", &rest::target(&uri), &keys).await) {
        return refusal.into_response();
    }
    if data::is_blank(&text) {
        return rest::error(
            axum::http::StatusCode::BAD_REQUEST,
            "text must not be blank",
        );
    }
    if text == "unknown-kind" {
        return rest::json(
            axum::http::StatusCode::OK,
            &serde_json::json!([{ "kind": "store", "id": "1", "name": "Corner shop" }]),
        );
    }
    let needle = text.to_lowercase();
    let mut hits = Vec::new();
    for n in 1..=10 {
        let user = data::user(n);
        if user.name.to_lowercase().contains(&needle) {
            hits.push(serde_json::json!({
                "kind": "user", "id": user.id, "name": user.name, "email": user.email,
            }));
        }
    }
    for n in 1..=10 {
        let product = data::product(n);
        if product.name.to_lowercase().contains(&needle) {
            hits.push(serde_json::json!({
                "kind": "product", "id": product.id, "name": product.name,
                "price": product.price, "currency": product.currency, "stock": product.stock,
            }));
        }
    }
    rest::json(axum::http::StatusCode::OK, &hits)
}
