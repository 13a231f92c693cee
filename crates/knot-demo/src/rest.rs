//! Plumbing shared by the REST (and GraphQL) demo services.
//!
//! JSON answers and `{"error": "..."}` bodies, the translation of a fault
//! [`Verdict`] into an HTTP answer, a forgiving query-string parser that keeps
//! repeated parameters, and the `GET /health` route.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use crate::data::is_blank;
use crate::faults::{Answer, Gate, Verdict};

/// A body that starts like JSON but is cut short: never parses.
pub const MALFORMED_BODY: &str = "{\"malformed\": tru";

/// A JSON answer with the given status.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(err) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("serialisation failed: {err}"),
        ),
    }
}

/// `{"error": message}` with the given status.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// 200 with a body that is not valid JSON.
pub fn malformed() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        MALFORMED_BODY,
    )
        .into_response()
}

/// Why a request is not answered normally (injected fault).
#[derive(Clone, Copy, Debug)]
pub enum Refusal {
    /// 200 with a body that is not JSON.
    Malformed,
    /// 500.
    Fail,
    /// 400.
    Reject,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Malformed => malformed(),
            Refusal::Fail => error(StatusCode::INTERNAL_SERVER_ERROR, "injected failure"),
            Refusal::Reject => error(StatusCode::BAD_REQUEST, "injected rejection"),
        }
    }
}

/// Turns a verdict into either the answer mode or the injected fault.
pub fn check(verdict: Verdict) -> Result<Answer, Refusal> {
    match verdict {
        Verdict::Proceed(answer) if answer.malformed => Err(Refusal::Malformed),
        Verdict::Proceed(answer) => Ok(answer),
        Verdict::Fail => Err(Refusal::Fail),
        Verdict::Reject => Err(Refusal::Reject),
    }
}

/// The path and query of a request, as recorded.
pub fn target(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// Adds `GET /health` (answers "ok", not recorded).
pub fn with_health(router: Router) -> Router {
    router.route("/health", get(|| async { "ok" }))
}

/// Serves `GET /<things>/{id}`: record, faults, then 400 (blank), 404 (unknown) or 200.
pub async fn single<T: Serialize>(
    gate: &Gate,
    uri: &Uri,
    id: String,
    what: &str,
    lookup: impl Fn(&str) -> Option<T>,
) -> Response {
    let keys = [id];
    if let Err(refusal) = check(gate.admit("GET", &target(uri), &keys).await) {
        return refusal.into_response();
    }
    let id = &keys[0];
    if is_blank(id) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("{what} id must not be blank"),
        );
    }
    match lookup(id) {
        Some(value) => json(StatusCode::OK, &value),
        None => error(StatusCode::NOT_FOUND, &format!("{what} {id} not found")),
    }
}

/// Parses `a=1&b=2&a=3` into ordered pairs; never fails (bad escapes are kept as is).
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    let Some(query) = query else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
}

/// All values of one query parameter, in order.
pub fn query_values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .collect()
}

/// Decodes `+` and `%XX` of a form-urlencoded component (lossy UTF-8).
fn decode_component(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_repeats_and_decodes() {
        let pairs = parse_query(Some("id=INS-1&id=INS%2D3&x=a+b&bad=%zz&end=%4"));
        assert_eq!(query_values(&pairs, "id"), ["INS-1", "INS-3"]);
        assert_eq!(query_values(&pairs, "x"), ["a b"]);
        assert_eq!(query_values(&pairs, "bad"), ["%zz"]);
        assert_eq!(query_values(&pairs, "end"), ["%4"]);
        assert!(parse_query(None).is_empty());
    }
}
