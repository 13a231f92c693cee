//! The trading example: events, instruments and trading orders over REST.
//!
//! `GET /events?date=YYYY-MM-DD[&limit=N]` lists the events of a day; the
//! instruments service answers batches through a repeated `id` query parameter
//! (`GET /instruments?id=INS-1&id=INS-3`) and single lookups; the trading-orders
//! service answers batches through `POST /orders/batch {"ids": [...]}` and single
//! lookups. Batches keep the order asked and omit unknown ids.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::data::{self, MAX_ID, MAX_INSTRUMENT};
use crate::faults::Gate;
use crate::rest;

/// Number of events a day has when no `limit` is given.
pub const DEFAULT_EVENT_COUNT: u32 = 60;
/// Largest accepted `limit`.
pub const MAX_EVENT_COUNT: u32 = 1000;

/// The events REST service.
pub(crate) fn events_router(gate: Gate) -> Router {
    rest::with_health(
        Router::new()
            .route("/events", get(list_events))
            .with_state(gate),
    )
}

async fn list_events(State(gate): State<Gate>, uri: Uri, RawQuery(query): RawQuery) -> Response {
    let pairs = rest::parse_query(query.as_deref());
    let date = rest::query_values(&pairs, "date")
        .first()
        .map(|d| (*d).to_owned());
    let limit = rest::query_values(&pairs, "limit")
        .first()
        .map(|l| (*l).to_owned());
    let keys: Vec<String> = date.iter().cloned().collect();
    if let Err(refusal) = rest::check(gate.admit("GET", &rest::target(&uri), &keys).await) {
        return refusal.into_response();
    }
    let Some(date) = date.filter(|d| !data::is_blank(d)) else {
        return rest::error(
            StatusCode::BAD_REQUEST,
            "query parameter `date` is required",
        );
    };
    if !data::is_valid_date(&date) {
        return rest::error(
            StatusCode::BAD_REQUEST,
            &format!("date `{date}` is not of the form YYYY-MM-DD"),
        );
    }
    let count = match limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_EVENT_COUNT,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) => n.clamp(1, u64::from(MAX_EVENT_COUNT)) as u32,
            Err(_) => {
                return rest::error(
                    StatusCode::BAD_REQUEST,
                    &format!("limit `{raw}` is not a non-negative integer"),
                )
            }
        },
    };
    let events: Vec<data::Event> = (0..count).map(|i| data::event(&date, i)).collect();
    rest::json(StatusCode::OK, &events)
}

/// The instruments REST service.
pub(crate) fn instruments_router(gate: Gate) -> Router {
    rest::with_health(
        Router::new()
            .route("/instruments", get(batch_instruments))
            .route("/instruments/{identifier}", get(get_instrument))
            .with_state(gate),
    )
}

fn lookup_instrument(identifier: &str) -> Option<data::Instrument> {
    data::parse_prefixed(identifier, "INS-", MAX_INSTRUMENT).map(data::instrument)
}

async fn batch_instruments(
    State(gate): State<Gate>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = rest::parse_query(query.as_deref());
    let ids: Vec<String> = rest::query_values(&pairs, "id")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let answer = match rest::check(gate.admit("GET", &rest::target(&uri), &ids).await) {
        Ok(answer) => answer,
        Err(refusal) => return refusal.into_response(),
    };
    if ids.is_empty() {
        return rest::error(
            StatusCode::BAD_REQUEST,
            "at least one `id` query parameter is required",
        );
    }
    let mut found: Vec<data::Instrument> =
        ids.iter().filter_map(|id| lookup_instrument(id)).collect();
    answer.trim_batch(&mut found);
    rest::json(StatusCode::OK, &found)
}

async fn get_instrument(
    State(gate): State<Gate>,
    uri: Uri,
    Path(identifier): Path<String>,
) -> Response {
    rest::single(&gate, &uri, identifier, "instrument", lookup_instrument).await
}

/// The trading-orders REST service.
pub(crate) fn trading_orders_router(gate: Gate) -> Router {
    rest::with_health(
        Router::new()
            .route("/orders/batch", post(batch_orders))
            .route("/orders/{identifier}", get(get_trading_order))
            .with_state(gate),
    )
}

fn lookup_trading_order(identifier: &str) -> Option<data::TradingOrder> {
    data::parse_prefixed(identifier, "ORD-", MAX_ID).map(data::trading_order)
}

#[derive(Deserialize)]
struct BatchBody {
    ids: Vec<String>,
}

async fn batch_orders(State(gate): State<Gate>, uri: Uri, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<BatchBody>(&body);
    let keys = parsed.as_ref().map(|b| b.ids.clone()).unwrap_or_default();
    let answer = match rest::check(gate.admit("POST", &rest::target(&uri), &keys).await) {
        Ok(answer) => answer,
        Err(refusal) => return refusal.into_response(),
    };
    let batch = match parsed {
        Ok(batch) => batch,
        Err(err) => {
            return rest::error(
                StatusCode::BAD_REQUEST,
                &format!("body must be JSON of the form {{\"ids\": [\"ORD-1\", ...]}}: {err}"),
            )
        }
    };
    let mut found: Vec<data::TradingOrder> = batch
        .ids
        .iter()
        .filter_map(|id| lookup_trading_order(id))
        .collect();
    answer.trim_batch(&mut found);
    rest::json(StatusCode::OK, &found)
}

async fn get_trading_order(
    State(gate): State<Gate>,
    uri: Uri,
    Path(identifier): Path<String>,
) -> Response {
    rest::single(
        &gate,
        &uri,
        identifier,
        "trading order",
        lookup_trading_order,
    )
    .await
}
