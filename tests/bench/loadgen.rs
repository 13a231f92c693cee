//! `knot-loadgen`: a fixed-duration HTTP load with a fixed number of connections that checks
//! every answer, for benchmarks that compare gateways (federation/bench-peers/compare.sh).
//!
//! ```text
//! knot-loadgen URL BODY_FILE [--connections 50] [--seconds 10 | --requests N]
//!              [--expect-bytes N] [--vary-variable NAME]
//! knot-loadgen URL [--ids FIRST-LAST] [--connections 50] [--seconds 10 | --requests N]
//! ```
//! Each connection is its own keep-alive HTTP/1.1 client sending `POST URL` with the JSON
//! body, one request after another, until the time is up (or N requests were sent in all).
//! An answer counts as a success only when its status is 200 and its size is the expected
//! one (`--expect-bytes`, else the size of a first request made before the load); anything
//! else, or a transport error, is a failure. With `--vary-variable NAME` every request
//! carries a distinct value of variable NAME (`{"NAME": <n>}`), so no two requests are
//! identical and nothing can be shared.
//!
//! Without a body file the requests are `GET URL`; with `--ids FIRST-LAST` the URL's `{id}`
//! is replaced by the ids in turn, and an answer counts only when it is byte for byte the
//! answer that id got before the load (each id is asked once first, and must get 200).
//! Prints one line a person can read and one JSON line for scripts.

use std::time::{Duration, Instant};

struct Args {
    url: String,
    /// `None`: GET requests.
    body: Option<Vec<u8>>,
    connections: usize,
    seconds: u64,
    /// Stop after this many requests in all instead of after `seconds`.
    requests: Option<u64>,
    expect_bytes: Option<usize>,
    vary: Option<String>,
    /// With GET: the URL's `{id}` takes these values in turn.
    ids: Option<(u64, u64)>,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let url = it
        .next()
        .ok_or("usage: knot-loadgen URL [BODY_FILE] [options]")?;
    let mut rest: Vec<String> = it.collect();
    let body = match rest.first() {
        Some(first) if !first.starts_with("--") => {
            let file = rest.remove(0);
            Some(std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?)
        }
        _ => None,
    };
    let mut a = Args {
        url,
        body,
        connections: 50,
        seconds: 10,
        requests: None,
        expect_bytes: None,
        vary: None,
        ids: None,
    };
    let mut it = rest.into_iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--connections" => a.connections = number()?.max(1) as usize,
            "--seconds" => a.seconds = number()?.max(1),
            "--expect-bytes" => a.expect_bytes = Some(number()? as usize),
            "--requests" => a.requests = Some(number()?.max(1)),
            "--vary-variable" => a.vary = Some(value),
            "--ids" => {
                let range = value
                    .split_once('-')
                    .and_then(|(f, l)| Some((f.parse().ok()?, l.parse().ok()?)))
                    .filter(|(f, l): &(u64, u64)| f <= l)
                    .ok_or(format!("--ids expects FIRST-LAST, got {value}"))?;
                a.ids = Some(range);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if a.ids.is_some() && (a.body.is_some() || !a.url.contains("{id}")) {
        return Err("--ids needs a GET URL holding {id} (and no body file)".into());
    }
    Ok(a)
}

/// GET mode: the URL of request `n`, and which of the expected answers it must get.
fn get_url(template: &str, ids: Option<(u64, u64)>, n: u64) -> (String, usize) {
    match ids {
        Some((first, last)) => {
            let k = n % (last - first + 1);
            (
                template.replace("{id}", &(first + k).to_string()),
                k as usize,
            )
        }
        None => (template.to_string(), 0),
    }
}

async fn get(client: &reqwest::Client, url: &str) -> Result<(u16, bytes::Bytes), reqwest::Error> {
    let r = client.get(url).send().await?;
    let status = r.status().as_u16();
    Ok((status, r.bytes().await?))
}

/// The body for request `n`: as given, or with `variables.NAME = n`.
fn body_for(base: &serde_json::Value, raw: &[u8], vary: Option<&str>, n: u64) -> Vec<u8> {
    match (vary, base) {
        (Some(name), serde_json::Value::Object(m)) => {
            let mut m = m.clone();
            let vars = m
                .entry("variables")
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let serde_json::Value::Object(v) = vars {
                v.insert(name.to_string(), serde_json::Value::from(n));
            }
            serde_json::to_vec(&m).unwrap_or_else(|_| raw.to_vec())
        }
        _ => raw.to_vec(),
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    ok: u64,
    wrong_status: u64,
    wrong_size: u64,
    transport: u64,
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
) -> Result<(u16, usize), reqwest::Error> {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.bytes().await?.len()))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i.min(sorted.len() - 1)]) / 1000.0
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("knot-loadgen: {e}");
            std::process::exit(2);
        }
    };
    let raw = a.body.clone().unwrap_or_default();
    let base: serde_json::Value = serde_json::from_slice(&raw).unwrap_or_default();
    let client = |_: usize| {
        reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(30))
            .build()
    };
    let first = match client(0) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("knot-loadgen: {e}");
            std::process::exit(2);
        }
    };
    // GET mode: every id's answer before the load, the reference for the answers under load.
    let mut answers: Vec<bytes::Bytes> = Vec::new();
    if a.body.is_none() {
        let count = a.ids.map_or(1, |(f, l)| l - f + 1);
        for k in 0..count {
            let (url, _) = get_url(&a.url, a.ids, k);
            match get(&first, &url).await {
                Ok((200, body)) => answers.push(body),
                Ok((status, _)) => {
                    eprintln!("knot-loadgen: GET {url} before the load was answered {status}");
                    std::process::exit(1);
                }
                Err(e) => {
                    eprintln!("knot-loadgen: GET {url} before the load failed: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    let answers = std::sync::Arc::new(answers);
    let expect = match a.expect_bytes {
        Some(n) => n,
        None if a.body.is_none() => answers.first().map_or(0, |b| b.len()),
        None => match send(&first, &a.url, body_for(&base, &raw, a.vary.as_deref(), 0)).await {
            Ok((200, n)) => n,
            Ok((status, _)) => {
                eprintln!("knot-loadgen: the first request was answered {status}");
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("knot-loadgen: the first request failed: {e}");
                std::process::exit(1);
            }
        },
    };
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let limit = a.requests.unwrap_or(u64::MAX);
    let counted = a.requests.is_some();
    let started = Instant::now();
    let until = started + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for i in 0..a.connections {
        let Ok(c) = client(i) else {
            eprintln!("knot-loadgen: cannot build a client");
            std::process::exit(2);
        };
        let (url, raw, base, vary, counter, answers, is_get, ids) = (
            a.url.clone(),
            raw.clone(),
            base.clone(),
            a.vary.clone(),
            counter.clone(),
            answers.clone(),
            a.body.is_none(),
            a.ids,
        );
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            while counted || Instant::now() < until {
                // POST mode numbers its requests from 1 (0 was the first request above).
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= limit {
                    break;
                }
                let sent = Instant::now();
                if is_get {
                    let (target, k) = get_url(&url, ids, n);
                    match get(&c, &target).await {
                        Ok((200, body)) if answers.get(k) == Some(&body) => t.ok += 1,
                        Ok((200, _)) => t.wrong_size += 1,
                        Ok(_) => t.wrong_status += 1,
                        Err(_) => t.transport += 1,
                    }
                } else {
                    let body = body_for(&base, &raw, vary.as_deref(), n + 1);
                    match send(&c, &url, body).await {
                        Ok((200, size)) if size == expect => t.ok += 1,
                        Ok((200, _)) => t.wrong_size += 1,
                        Ok(_) => t.wrong_status += 1,
                        Err(_) => t.transport += 1,
                    }
                }
                t.latencies_us
                    .push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            }
            t
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        if let Ok(t) = task.await {
            all.latencies_us.extend(t.latencies_us);
            all.ok += t.ok;
            all.wrong_status += t.wrong_status;
            all.wrong_size += t.wrong_size;
            all.transport += t.transport;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let total = all.latencies_us.len() as f64;
    let failures = all.wrong_status + all.wrong_size + all.transport;
    let rps = total / elapsed;
    let (p50, p99) = (
        percentile(&all.latencies_us, 0.50),
        percentile(&all.latencies_us, 0.99),
    );
    println!(
        "{rps:.0} req/s  p50 {p50:.2} ms  p99 {p99:.2} ms  ok {}  failures {failures} (status {}, size/body {}, transport {})  answer {expect} bytes  {} connections  {elapsed:.1} s",
        all.ok, all.wrong_status, all.wrong_size, all.transport, a.connections
    );
    println!(
        "{}",
        serde_json::json!({
            "rps": rps, "p50_ms": p50, "p99_ms": p99, "ok": all.ok, "failures": failures,
            "answer_bytes": expect, "connections": a.connections, "seconds": elapsed
        })
    );
}
