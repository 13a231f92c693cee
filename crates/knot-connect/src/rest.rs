//! REST calls with reqwest: operation templates rendered from inputs and the environment,
//! JSON in and out, HTTP status mapped to an error category.

use crate::call::{http_category, preview, CallError, CallResult, RequestSummary};
use crate::vars::Vars;
use indexmap::IndexMap;
use knot_model::{RestOperation, RestSource};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub struct RestClient {
    http: reqwest::Client,
    source: RestSource,
    inflight: Option<crate::call::Inflight>,
}

/// An input placed in the path that would be a `.` or `..` segment, in any spelling (`..`,
/// `%2e%2E`, encoded twice): such a value would move the request to another path of the
/// service, with the source's headers attached. Returns why, naming the input.
fn dot_segment_input(path: &str, inputs: &Map<String, Value>) -> Option<String> {
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        rest = &after[close + 1..];
        let Some(text) = input_text(inputs.get(name)) else {
            continue;
        };
        // Decode until nothing changes (a few rounds at most), then compare.
        let mut decoded = text.clone();
        for _ in 0..3 {
            let next = percent_encoding::percent_decode_str(&decoded)
                .decode_utf8_lossy()
                .into_owned();
            if next == decoded {
                break;
            }
            decoded = next;
        }
        if decoded == "." || decoded == ".." {
            return Some(format!("path input `{name}` may not be `.` or `..`"));
        }
    }
    None
}

/// The text form of an input value inside a template; `None` for null or missing.
pub fn input_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

impl RestClient {
    pub fn new(http: reqwest::Client, source: RestSource) -> Self {
        // Without deduplication (`dedupe: false`) there is no in-flight table at all.
        let inflight = (source.dedupe != Some(false)).then(Default::default);
        RestClient {
            http,
            source,
            inflight,
        }
    }

    pub fn operation(&self, name: &str) -> Option<&RestOperation> {
        self.source.operations.get(name)
    }

    /// Builds the request: (method, url, headers, body) real and as recorded.
    /// `body`: sent in place of the operation's body template (the app's Send body editor),
    /// read as a template the same way.
    fn build(
        &self,
        vars: &Vars,
        op: &RestOperation,
        inputs: &Map<String, Value>,
        body: Option<&Value>,
    ) -> Result<(reqwest::Request, RequestSummary), String> {
        let (base, base_shown) = vars.render(&self.source.base_url, |_| None)?;
        let (path, path_shown) = vars.render(&op.path, |n| {
            input_text(inputs.get(n)).map(|t| utf8_percent_encode(&t, SEGMENT).to_string())
        })?;
        let mut url = url::Url::parse(&format!("{}{}", base.trim_end_matches('/'), path))
            .map_err(|e| format!("`{base}{path}` is not a URL: {e}"))?;
        let mut shown_url = format!("{}{}", base_shown.trim_end_matches('/'), path_shown);
        let mut shown_query: Vec<String> = Vec::new();
        {
            let mut pairs = url.query_pairs_mut();
            for (name, template) in &op.query {
                // `{input}` alone with a list value repeats the parameter.
                if let Some(input) = template
                    .strip_prefix('{')
                    .and_then(|t| t.strip_suffix('}'))
                    .filter(|t| !t.contains('{'))
                {
                    match inputs.get(input) {
                        None | Some(Value::Null) => continue,
                        Some(Value::Array(items)) => {
                            for item in items {
                                if let Some(t) = input_text(Some(item)) {
                                    pairs.append_pair(name, &t);
                                    shown_query.push(format!("{name}={t}"));
                                }
                            }
                            continue;
                        }
                        Some(_) => {}
                    }
                }
                let (real, shown) = vars.render(template, |n| input_text(inputs.get(n)))?;
                pairs.append_pair(name, &real);
                shown_query.push(format!("{name}={shown}"));
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        if !shown_query.is_empty() {
            shown_url.push('?');
            shown_url.push_str(&shown_query.join("&"));
        }
        let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes())
            .map_err(|e| e.to_string())?;
        let mut req = self.http.request(method, url);
        let mut shown_headers = Vec::new();
        for (name, template) in self.source.headers.iter().chain(op.headers.iter()) {
            let (real, shown) = vars.render(template, |n| input_text(inputs.get(n)))?;
            req = req.header(name.as_str(), real);
            shown_headers.push((name.clone(), shown));
        }
        let mut body_shown = None;
        if let Some(template) = body.or(op.body.as_ref()) {
            let (real, shown) = render_body(vars, template, inputs)?;
            req = req.json(&real);
            body_shown = Some(shown);
        }
        let req = req
            .header("accept", "application/json")
            .build()
            .map_err(|e| e.to_string())?;
        Ok((
            req,
            RequestSummary {
                method: op.method.as_str().to_string(),
                target: shown_url,
                headers: shown_headers,
                body: body_shown,
            },
        ))
    }

    /// `body`: sent in place of the operation's body template (see [`RestClient::build`]).
    pub async fn call(
        &self,
        vars: &Vars,
        op_name: &str,
        inputs: &Map<String, Value>,
        forwarded: &[(String, String)],
        timeout: Duration,
        body: Option<&Value>,
    ) -> CallResult {
        let started = Instant::now();
        let Some(op) = self.operation(op_name) else {
            return CallResult::failed(
                started,
                RequestSummary::default(),
                CallError::Request(format!("no operation `{op_name}`")),
            );
        };
        if let Some(refused) = dot_segment_input(&op.path, inputs) {
            return CallResult::failed(
                started,
                RequestSummary {
                    method: op.method.as_str().into(),
                    ..Default::default()
                },
                CallError::Input(refused),
            );
        }
        let (mut req, summary) = match self.build(vars, op, inputs, body) {
            Ok(r) => r,
            Err(e) => {
                return CallResult::failed(
                    started,
                    RequestSummary {
                        method: op.method.as_str().into(),
                        ..Default::default()
                    },
                    CallError::Request(e),
                )
            }
        };
        for (k, v) in forwarded {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(k.as_bytes()),
                reqwest::header::HeaderValue::from_str(v),
            ) {
                req.headers_mut().append(name, value);
            }
        }
        // Reads share an identical call in flight; writes never do.
        let reads = matches!(*req.method(), reqwest::Method::GET | reqwest::Method::HEAD);
        let inflight = self.inflight.as_ref().filter(|_| reads);
        match crate::call::exchange(&self.http, req, timeout, inflight).await {
            (Err(e), shared) => CallResult {
                shared,
                ..CallResult::failed(started, summary, e)
            },
            (Ok(reply), shared) => {
                let outcome = read_answer(reply.status, &reply.body);
                CallResult {
                    outcome,
                    request: summary,
                    status: Some(reply.status.to_string()),
                    bytes: reply.body.len(),
                    started,
                    ended: Instant::now(),
                    response_preview: Some(preview(&reply.body)),
                    shared,
                    raw_headers: reply.headers,
                    response_headers: Vec::new(),
                }
            }
        }
    }
}

/// Reads a REST answer: a 2xx body is JSON (an empty one is null), any other status an
/// error carrying the start of the body.
pub fn read_answer(status: u16, body: &[u8]) -> Result<Value, CallError> {
    if (200..300).contains(&status) {
        if body.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Null)
        } else {
            serde_json::from_slice::<Value>(body)
                .map_err(|e| CallError::BadPayload(format!("response is not JSON: {e}")))
        }
    } else {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        Err(CallError::Status {
            status: status.to_string(),
            category: http_category(status),
            message: text,
        })
    }
}

/// Renders a JSON body template: a string that is exactly `{input}` becomes the input's
/// JSON value; other strings are text templates.
fn render_body(
    vars: &Vars,
    template: &Value,
    inputs: &Map<String, Value>,
) -> Result<(Value, Value), String> {
    Ok(match template {
        Value::String(s) => {
            if let Some(name) = s
                .strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .filter(|t| knot_model::typeref::is_graphql_name(t))
            {
                let v = inputs.get(name).cloned().unwrap_or(Value::Null);
                (v.clone(), v)
            } else {
                let (real, shown) = vars.render(s, |n| input_text(inputs.get(n)))?;
                (Value::String(real), Value::String(shown))
            }
        }
        Value::Array(items) => {
            let mut real = Vec::new();
            let mut shown = Vec::new();
            for item in items {
                let (r, s) = render_body(vars, item, inputs)?;
                real.push(r);
                shown.push(s);
            }
            (Value::Array(real), Value::Array(shown))
        }
        Value::Object(map) => {
            let mut real = Map::new();
            let mut shown = Map::new();
            for (k, item) in map {
                let (r, s) = render_body(vars, item, inputs)?;
                real.insert(k.clone(), r);
                shown.insert(k.clone(), s);
            }
            (Value::Object(real), Value::Object(shown))
        }
        other => (other.clone(), other.clone()),
    })
}

pub(crate) fn describe_reqwest(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl CallResult {
    pub fn failed(started: Instant, request: RequestSummary, error: CallError) -> Self {
        CallResult {
            outcome: Err(error),
            request,
            status: None,
            bytes: 0,
            started,
            ended: Instant::now(),
            response_preview: None,
            shared: false,
            raw_headers: http::HeaderMap::new(),
            response_headers: Vec::new(),
        }
    }
}

/// Header name/value pairs.
pub(crate) type Headers = Vec<(String, String)>;

/// Headers of a source rendered for a call (used by GraphQL and gRPC too).
pub(crate) fn render_headers(
    vars: &Vars,
    headers: &IndexMap<String, String>,
) -> Result<(Headers, Headers), String> {
    let mut real = Vec::new();
    let mut shown = Vec::new();
    for (name, template) in headers {
        let (r, s) = vars.render(template, |_| None)?;
        real.push((name.clone(), r));
        shown.push((name.clone(), s));
    }
    Ok((real, shown))
}
