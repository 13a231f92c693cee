//! What one downstream call gives back to the executor: the value or a categorised error,
//! and a record for the explorer (request summary with secrets masked, status, bytes).

use serde::Serialize;
use serde_json::Value;
use std::time::Instant;

/// The public error categories (GraphQL `extensions.category`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    /// The client's input was refused before any call.
    Validation,
    /// A dependency refused the request (HTTP 4xx, gRPC INVALID_ARGUMENT, NOT_FOUND, …).
    DependencyValidation,
    /// A dependency failed (5xx, connection error, malformed or mismatched answer).
    Dependency,
    /// A dependency did not answer in time.
    Timeout,
}

impl Category {
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::Validation => "VALIDATION",
            Category::DependencyValidation => "DEPENDENCY_VALIDATION",
            Category::Dependency => "DEPENDENCY",
            Category::Timeout => "TIMEOUT",
        }
    }

    /// The message a public answer carries: it names no service, URL or detail.
    pub fn public_message(&self) -> &'static str {
        match self {
            Category::Validation => "The request is invalid.",
            Category::DependencyValidation => "A dependency rejected the request.",
            Category::Dependency => "A dependency failed.",
            Category::Timeout => "A dependency did not answer in time.",
        }
    }
}

/// Why a call failed, with the detail the explorer shows (never the public answer).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no answer within {after_ms} ms")]
    Timeout { after_ms: u64 },
    #[error("status {status}: {message}")]
    Status {
        status: String,
        category: Category,
        message: String,
    },
    #[error("transport error: {0}")]
    Transport(String),
    #[error("malformed answer: {0}")]
    BadPayload(String),
    #[error("cannot build the request: {0}")]
    Request(String),
    /// A client's input that cannot be sent (e.g. a path segment of `..`): no call is made.
    #[error("refused input: {0}")]
    Input(String),
}

impl CallError {
    pub fn category(&self) -> Category {
        match self {
            CallError::Timeout { .. } => Category::Timeout,
            CallError::Input(_) => Category::Validation,
            CallError::Status { category, .. } => *category,
            CallError::Transport(_) | CallError::BadPayload(_) | CallError::Request(_) => {
                Category::Dependency
            }
        }
    }
}

/// HTTP status to category: 4xx is the dependency refusing, anything else not 2xx a failure.
pub fn http_category(status: u16) -> Category {
    match status {
        408 | 504 => Category::Timeout,
        400..=499 => Category::DependencyValidation,
        _ => Category::Dependency,
    }
}

/// The request as the explorer shows it. Secret values appear as `{{secret.NAME}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSummary {
    /// `GET`, `POST`, … or `grpc` / `graphql`.
    pub method: String,
    /// URL, or `endpoint/package.Service/Method`.
    pub target: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One finished call.
#[derive(Clone, Debug)]
pub struct CallResult {
    pub outcome: Result<Value, CallError>,
    pub request: RequestSummary,
    /// Status as the protocol names it: `200`, `OK`, `INTERNAL`; none when no answer came.
    pub status: Option<String>,
    /// Bytes of the response body.
    pub bytes: usize,
    /// When the call was sent (after waiting for the source's concurrency limit).
    pub started: Instant,
    pub ended: Instant,
    /// A copy of the raw response for the explorer, cut to a bounded size.
    pub response_preview: Option<String>,
}

pub const PREVIEW_LIMIT: usize = 64 * 1024;

/// Cuts a response body for the explorer at a char boundary.
pub fn preview(bytes: &[u8]) -> String {
    let cut = bytes.len().min(PREVIEW_LIMIT);
    let mut s = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if bytes.len() > PREVIEW_LIMIT {
        s.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    s
}

/// The largest downstream answer Knot reads (16 MiB); a larger one is a DEPENDENCY error,
/// and reading stops there, so a hostile or broken service cannot fill the memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Sends a request and reads its answer, within `timeout` and up to [`MAX_RESPONSE_BYTES`]:
/// the one HTTP exchange of every REST and GraphQL call (subgraph fetches included).
pub(crate) async fn exchange(
    send: impl std::future::Future<Output = reqwest::Result<reqwest::Response>>,
    timeout: std::time::Duration,
) -> Result<(u16, bytes::Bytes), CallError> {
    let timed_out = || CallError::Timeout {
        after_ms: timeout.as_millis() as u64,
    };
    let exchange = async move {
        let resp = send.await?;
        let status = resp.status().as_u16();
        Ok::<_, reqwest::Error>((status, read_capped(resp).await?))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => Err(timed_out()),
        Ok(Err(e)) if e.is_timeout() => Err(timed_out()),
        Ok(Err(e)) => Err(CallError::Transport(crate::rest::describe_reqwest(&e))),
        Ok(Ok((_, Err(too_large)))) => Err(CallError::BadPayload(too_large)),
        Ok(Ok((status, Ok(body)))) => Ok((status, body)),
    }
}

/// Reads a response body up to [`MAX_RESPONSE_BYTES`]: the inner `Err` says it was larger.
async fn read_capped(
    mut resp: reqwest::Response,
) -> Result<Result<bytes::Bytes, String>, reqwest::Error> {
    let too_large = || format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes");
    let announced = resp.content_length().unwrap_or(0);
    if announced > MAX_RESPONSE_BYTES as u64 {
        return Ok(Err(too_large()));
    }
    let mut body = Vec::with_capacity(announced as usize);
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Ok(Err(too_large()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Ok(bytes::Bytes::from(body)))
}
