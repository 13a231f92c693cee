//! `GET /composite-order-details/{id}` written by hand: what a team would write without Knot.
//! The order (REST), then its user (REST) and its products (one gRPC batch call) at the same
//! time, stitched into `{orderId, user {id, name, email}, products [{id, name, price}]}`, the
//! answer of the shop example's REST composite endpoint. It keeps the essentials Knot gives
//! (a blank id is 400 without a call, a failed dependency is 502, timeouts) and nothing more.
//!
//! `handwritten-composite LISTEN ORDERS_URL USERS_URL PRODUCTS_URL`

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::time::Duration;

mod products {
    tonic::include_proto!("knot.demo.products.v1");
}
use products::product_service_client::ProductServiceClient;

#[derive(Clone)]
struct Deps {
    http: reqwest::Client,
    orders: String,
    users: String,
    products: ProductServiceClient<tonic::transport::Channel>,
}

fn failed(status: StatusCode, category: &str) -> Response {
    (status, axum::Json(json!({"errors": [{"message": "A dependency failed.", "extensions": {"category": category}}]}))).into_response()
}

async fn get_json(http: &reqwest::Client, url: String) -> Result<Value, StatusCode> {
    let r = http
        .get(url)
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    if !r.status().is_success() {
        return Err(if r.status().is_client_error() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_GATEWAY
        });
    }
    r.json().await.map_err(|_| StatusCode::BAD_GATEWAY)
}

async fn order_details(State(d): State<Deps>, Path(id): Path<String>) -> Response {
    if id.trim().is_empty() {
        return failed(StatusCode::BAD_REQUEST, "VALIDATION");
    }
    let order = match get_json(&d.http, format!("{}/orders/{id}", d.orders)).await {
        Ok(o) => o,
        Err(s) => return failed(s, "DEPENDENCY"),
    };
    let user_id = order["userId"].as_str().unwrap_or_default().to_string();
    let ids: Vec<String> = order["productIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut grpc = d.products.clone();
    let request = products::GetProductsRequest { ids: ids.clone() };
    let (user, found) = tokio::join!(
        get_json(&d.http, format!("{}/users/{user_id}", d.users)),
        grpc.get_products(request)
    );
    let user = match user {
        Ok(u) => json!({"id": u["id"], "name": u["name"], "email": u["email"]}),
        Err(s) => return failed(s, "DEPENDENCY"),
    };
    let found = match found {
        Ok(r) => r.into_inner().products,
        Err(_) => return failed(StatusCode::BAD_GATEWAY, "DEPENDENCY"),
    };
    // One product per id asked, matched by id (the service may answer in any order).
    let products: Vec<Value> = ids
        .iter()
        .map(|id| match found.iter().find(|p| &p.id == id) {
            Some(p) => json!({"id": p.id, "name": p.name, "price": p.price}),
            None => Value::Null,
        })
        .collect();
    axum::Json(json!({"orderId": order["id"], "user": user, "products": products})).into_response()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, listen, orders, users, products] = args.as_slice() else {
        return Err("usage: handwritten-composite LISTEN ORDERS_URL USERS_URL PRODUCTS_URL".into());
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .pool_max_idle_per_host(256)
        .build()?;
    let channel = tonic::transport::Endpoint::from_shared(products.clone())?
        .timeout(Duration::from_secs(2))
        .connect_lazy();
    let deps = Deps {
        http,
        orders: orders.trim_end_matches('/').to_string(),
        users: users.trim_end_matches('/').to_string(),
        products: ProductServiceClient::new(channel),
    };
    let app = axum::Router::new()
        .route(
            "/composite-order-details/{id}",
            axum::routing::get(order_details),
        )
        .with_state(deps);
    let listener = tokio::net::TcpListener::bind(listen.as_str()).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
