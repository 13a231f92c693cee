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
    /// The answer of an identical request already in flight (no call of its own was made).
    pub shared: bool,
    /// The answer's headers (gRPC: its metadata) as received, not redacted: never shown as
    /// they are. Read into [`CallResult::response_headers`] when the call asked for them.
    pub raw_headers: http::HeaderMap,
    /// The answer's headers, secret values redacted: filled only for a call made with
    /// [`crate::CallOptions::response_headers`] (the app's Send), empty otherwise.
    pub response_headers: Vec<(String, String)>,
}

pub const PREVIEW_LIMIT: usize = 64 * 1024;

/// How much is kept past [`PREVIEW_LIMIT`] until secrets are redacted: a secret value that
/// straddles the cut is then replaced whole before the text is cut, never left in half.
/// (A secret value longer than this could still straddle it.)
const PREVIEW_SLACK: usize = 4096;

/// Headers as text pairs in the order received, values not valid text shown lossily, secret
/// values replaced by `{{secret.NAME}}`.
pub fn shown_headers(headers: &http::HeaderMap, vars: &crate::Vars) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let text = String::from_utf8_lossy(value.as_bytes());
            (name.as_str().to_owned(), vars.redact(&text))
        })
        .collect()
}

/// The start of a response body for the explorer: the limit plus slack, at a char boundary.
/// [`finish_preview`] redacts it and cuts it to the limit.
pub fn preview(bytes: &[u8]) -> String {
    let cut = bytes.len().min(PREVIEW_LIMIT + PREVIEW_SLACK);
    String::from_utf8_lossy(&bytes[..cut]).into_owned()
}

/// A preview as shown: secret values replaced by `{{secret.NAME}}` first, then cut to
/// [`PREVIEW_LIMIT`] at a char boundary, with the full size noted when it was cut.
pub fn finish_preview(raw: &str, total_bytes: usize, vars: &crate::Vars) -> String {
    let total_bytes = total_bytes.max(raw.len());
    let mut s = vars.redact(raw);
    if s.len() > PREVIEW_LIMIT {
        let mut end = PREVIEW_LIMIT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    if total_bytes > PREVIEW_LIMIT {
        s.push_str(&format!("… ({total_bytes} bytes in all)"));
    }
    s
}

/// The largest downstream answer Knot reads (16 MiB); a larger one is a DEPENDENCY error,
/// and reading stops there, so a hostile or broken service cannot fill the memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A downstream HTTP answer as received.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: bytes::Bytes,
}

/// A downstream answer, or why there is none.
pub type Answer = Result<Reply, CallError>;

/// In-flight deduplication of downstream reads: identical requests to one source in flight
/// at the same moment share one call (like Hive Router's and Apollo Router's subgraph
/// deduplication). A request is identical when its method, URL, headers (rendered secrets and
/// forwarded headers included) and body are byte for byte the same. Only reads take part
/// (REST GET/HEAD, GraphQL queries).
pub type Inflight = crate::inflight::Inflight<Answer>;

/// Method, URL, headers and body of a request, as the key of identical requests; None when
/// the body is a stream (never shared).
fn request_key(req: &reqwest::Request) -> Option<Vec<u8>> {
    let body: &[u8] = match req.body() {
        None => &[],
        Some(b) => b.as_bytes()?,
    };
    let mut key = Vec::with_capacity(body.len() + 256);
    key.extend_from_slice(req.method().as_str().as_bytes());
    key.push(0);
    key.extend_from_slice(req.url().as_str().as_bytes());
    key.push(0);
    for (name, value) in req.headers() {
        key.extend_from_slice(name.as_str().as_bytes());
        key.push(b':');
        key.extend_from_slice(value.as_bytes());
        key.push(0);
    }
    key.extend_from_slice(body);
    Some(key)
}

/// Sends a request and reads its answer, within `timeout` and up to [`MAX_RESPONSE_BYTES`]:
/// the one HTTP exchange of every REST and GraphQL call (subgraph fetches included). With
/// `inflight`, an identical request already in flight is joined instead of sent again; the
/// flag says the answer was shared that way.
pub(crate) async fn exchange(
    http: &reqwest::Client,
    req: reqwest::Request,
    timeout: std::time::Duration,
    inflight: Option<&Inflight>,
) -> (Answer, bool) {
    use futures::FutureExt;
    let key = inflight.and_then(|_| request_key(&req));
    match (inflight, key) {
        (Some(inflight), Some(key)) => {
            inflight
                .run(key, || send(http.clone(), req, timeout).boxed())
                .await
        }
        _ => (send(http.clone(), req, timeout).await, false),
    }
}

async fn send(
    http: reqwest::Client,
    req: reqwest::Request,
    timeout: std::time::Duration,
) -> Answer {
    let timed_out = || CallError::Timeout {
        after_ms: timeout.as_millis() as u64,
    };
    let exchange = async move {
        let mut resp = http.execute(req).await?;
        let status = resp.status().as_u16();
        // Moved out, not copied: the body is read from the response alone.
        let headers = std::mem::take(resp.headers_mut());
        Ok::<_, reqwest::Error>((status, headers, read_capped(resp).await?))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => Err(timed_out()),
        Ok(Err(e)) if e.is_timeout() => Err(timed_out()),
        Ok(Err(e)) => Err(CallError::Transport(crate::rest::describe_reqwest(&e))),
        Ok(Ok((_, _, Err(too_large)))) => Err(CallError::BadPayload(too_large)),
        Ok(Ok((status, headers, Ok(body)))) => Ok(Reply {
            status,
            headers,
            body,
        }),
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

#[cfg(test)]
mod preview_tests {
    use super::*;

    #[test]
    fn a_secret_straddling_the_preview_cut_is_redacted_whole_before_the_cut() {
        let secret = "sk-live-0123456789abcdefSECRET";
        let mut vars = crate::Vars::default();
        vars.set_secret("API_KEY", secret);
        for offset in [20usize, 10, 1] {
            let mut body = "a".repeat(PREVIEW_LIMIT - offset).into_bytes();
            body.extend_from_slice(secret.as_bytes());
            body.extend_from_slice(&b"b".repeat(1000));
            let shown = finish_preview(&preview(&body), body.len(), &vars);
            for len in 4..=secret.len() {
                assert!(
                    !shown.contains(&secret[..len]),
                    "a prefix of the secret ({len} bytes) is shown at offset {offset}"
                );
            }
            assert!(shown.len() <= PREVIEW_LIMIT + 40, "{}", shown.len());
            assert!(shown.ends_with(&format!("… ({} bytes in all)", body.len())));
        }
        // A short body is shown whole, redacted.
        let body = format!("{{\"token\":\"{secret}\"}}");
        let shown = finish_preview(&preview(body.as_bytes()), body.len(), &vars);
        assert_eq!(shown, "{\"token\":\"{{secret.API_KEY}}\"}");
    }
}
