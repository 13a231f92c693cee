//! `knot-grpc-load`: a bounded gRPC load on one unary method, for `scripts/bench-grpc.sh`
//! (ghz and grpcurl do not install here).
//!
//! ```text
//! knot-grpc-load ENDPOINT METHOD REQUEST_JSON [--concurrency 32] [--requests 20000]
//! knot-grpc-load http://127.0.0.1:4101 knot.shop.ShopService/OrderDetails '{"id": "1"}'
//! ```
//! The method and its messages are learnt from the server's reflection only. Each of the
//! `--concurrency` workers has its own connection and sends one call after another until
//! `--requests` calls were sent in all. A call counts as a success only when its status is
//! OK and its answer is byte for byte the answer of a first call made before the load.
//! Prints one line a person can read and one JSON line for scripts.

use prost::Message as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

struct Args {
    endpoint: String,
    method: String,
    request: serde_json::Value,
    concurrency: usize,
    requests: u64,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let usage =
        "usage: knot-grpc-load ENDPOINT METHOD REQUEST_JSON [--concurrency N] [--requests N]";
    let endpoint = it.next().ok_or(usage)?;
    let method = it.next().ok_or(usage)?;
    let request = it.next().ok_or(usage)?;
    let request = serde_json::from_str(&request).map_err(|e| format!("REQUEST_JSON: {e}"))?;
    let mut out = Args {
        endpoint,
        method,
        request,
        concurrency: 32,
        requests: 20_000,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--concurrency" => out.concurrency = value.parse().map_err(|_| "--concurrency N")?,
            "--requests" => out.requests = value.parse().map_err(|_| "--requests N")?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(out)
}

/// Raw bytes both ways: the request is encoded once, answers are compared as bytes.
#[derive(Clone)]
struct Raw;
struct RawEnc;
struct RawDec;

impl Codec for Raw {
    type Encode = bytes::Bytes;
    type Decode = bytes::Bytes;
    type Encoder = RawEnc;
    type Decoder = RawDec;
    fn encoder(&mut self) -> RawEnc {
        RawEnc
    }
    fn decoder(&mut self) -> RawDec {
        RawDec
    }
}

impl Encoder for RawEnc {
    type Item = bytes::Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: bytes::Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use bytes::BufMut as _;
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDec {
    type Item = bytes::Bytes;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<bytes::Bytes>, tonic::Status> {
        use bytes::Buf as _;
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}

async fn call(
    channel: tonic::transport::Channel,
    path: &http::uri::PathAndQuery,
    body: bytes::Bytes,
) -> Result<bytes::Bytes, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    grpc.unary(tonic::Request::new(body), path.clone(), Raw)
        .await
        .map(tonic::Response::into_inner)
}

async fn connect(endpoint: &str) -> Result<tonic::transport::Channel, String> {
    tonic::transport::Endpoint::from_shared(endpoint.to_string())
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("cannot connect to {endpoint}: {e}"))
}

#[tokio::main]
async fn main() {
    if let Err(e) = load().await {
        eprintln!("knot-grpc-load: {e}");
        std::process::exit(2);
    }
}

async fn load() -> Result<(), String> {
    let a = args()?;
    let (pool, _) =
        knot_connect::reflect::fetch_descriptors(&a.endpoint, &[], Duration::from_secs(10), None)
            .await
            .map_err(|e| e.to_string())?;
    let method = knot_connect::grpc::find_method(&pool, &a.method)
        .ok_or(format!("reflection offers no method {}", a.method))?;
    let message = prost_reflect::DynamicMessage::deserialize(method.input(), a.request.clone())
        .map_err(|e| {
            format!(
                "REQUEST_JSON does not fit {}: {e}",
                method.input().full_name()
            )
        })?;
    let body = bytes::Bytes::from(message.encode_to_vec());
    let path =
        http::uri::PathAndQuery::try_from(format!("/{}", a.method)).map_err(|e| e.to_string())?;
    let first = call(connect(&a.endpoint).await?, &path, body.clone())
        .await
        .map_err(|s| format!("the first call failed: {s:?}"))?;
    let sent = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let mut latencies_us: Vec<u64> = Vec::new();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..a.concurrency.max(1) {
        let channel = connect(&a.endpoint).await?;
        let (sent, ok, path, body, first, total) = (
            sent.clone(),
            ok.clone(),
            path.clone(),
            body.clone(),
            first.clone(),
            a.requests,
        );
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while sent.fetch_add(1, Ordering::Relaxed) < total {
                let t = Instant::now();
                let answer = call(channel.clone(), &path, body.clone()).await;
                mine.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                if answer.is_ok_and(|b| b == first) {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
            mine
        }));
    }
    for w in workers {
        latencies_us.extend(w.await.map_err(|e| e.to_string())?);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies_us.len() as f64) * p) as usize;
        latencies_us
            .get(i.min(latencies_us.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let done = latencies_us.len() as f64;
    let rps = done / seconds;
    let ok = ok.load(Ordering::Relaxed);
    println!(
        "{} {:.0} req/s   p50 {:.2} ms   p99 {:.2} ms   OK answers: {ok}/{}   ({} concurrent, {:.1} s)",
        a.method,
        rps,
        pct(0.5),
        pct(0.99),
        latencies_us.len(),
        a.concurrency,
        seconds
    );
    println!(
        "{}",
        serde_json::json!({"method": a.method, "rps": rps, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "ok": ok, "requests": latencies_us.len(), "concurrency": a.concurrency})
    );
    Ok(())
}
