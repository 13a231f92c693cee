//! Connections: the accept loop and what each connection may hold.
//!
//! `axum::serve` installs no timer, so a client that connects and sends nothing, or sends
//! its headers a byte at a time, holds a connection (and a task) forever. This loop serves
//! every connection with hyper directly and watches it:
//! - **idle**: no request in flight and no byte received for `idleTimeoutMs` → closed;
//! - **headers**: once the first byte of a request has arrived, the request's headers must
//!   be complete within `headerReadTimeoutMs` (slowloris) → closed;
//! - **count**: past `maxConnections` open connections, a new one is answered
//!   `503 Service Unavailable` with `Retry-After` and closed, instead of queueing.
//!
//! Body-read deadlines, the in-flight limit and the request timeout are enforced per
//! request by the HTTP layer (`http.rs`), where a proper answer can be given.
//! The limits are read from the workspace loaded when the connection opens, so a reload
//! changes them for new connections.

use crate::Gateway;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The deadlines of one connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnLimits {
    pub header_read: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl ConnLimits {
    pub(crate) fn of(gw: &Gateway) -> Self {
        let s = &gw.current().settings;
        ConnLimits {
            header_read: Duration::from_millis(s.header_read_timeout_ms().max(1)),
            idle: Duration::from_millis(s.idle_timeout_ms().max(1)),
            max_connections: s.max_connections().max(1),
        }
    }
}

const NONE: u64 = u64::MAX;

/// What a connection is doing, shared between its socket, its requests and its watcher.
struct Activity {
    base: Instant,
    in_flight: AtomicUsize,
    /// When the connection last became idle (opened, or its last request finished), in ms
    /// since `base`.
    idle_since: AtomicU64,
    /// When the first byte of the next request arrived while idle; NONE when none has.
    reading_since: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            base: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            reading_since: AtomicU64::new(NONE),
        }
    }

    fn now_ms(&self) -> u64 {
        self.base.elapsed().as_millis() as u64
    }

    fn received(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.reading_since.load(Ordering::Acquire) == NONE
        {
            let _ = self.reading_since.compare_exchange(
                NONE,
                self.now_ms(),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.reading_since.store(NONE, Ordering::Release);
    }

    fn request_finished(&self) {
        self.idle_since.store(self.now_ms(), Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// When the connection must be closed if nothing changes, and why; `None` while a
    /// request is in flight (the request's own deadlines apply then).
    fn deadline(&self, limits: &ConnLimits) -> Option<(u64, &'static str)> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        match self.reading_since.load(Ordering::Acquire) {
            NONE => Some((
                self.idle_since.load(Ordering::Acquire) + limits.idle.as_millis() as u64,
                "idle",
            )),
            since => Some((
                since + limits.header_read.as_millis() as u64,
                "headers too slow",
            )),
        }
    }
}

/// A socket that tells its [`Activity`] when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.received();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Open connections, so shutdown can wait for them.
#[derive(Default)]
pub(crate) struct Open {
    count: AtomicUsize,
    changed: tokio::sync::Notify,
}

impl Open {
    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
    /// Waits until every connection has closed.
    pub(crate) async fn drained(&self) {
        loop {
            let notified = self.changed.notified();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

struct OpenGuard(Arc<Open>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_waiters();
    }
}

/// Accepts connections until `stop` turns true, then stops accepting and tells every open
/// connection to finish its requests and close. Returns when the listener is closed; the
/// caller waits on `open.drained()` for the connections (bounded by its grace period).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    app: Router,
    gw: Arc<Gateway>,
    open: Arc<Open>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (stream, _peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let limits = ConnLimits::of(&gw);
        if open.count.fetch_add(1, Ordering::AcqRel) >= limits.max_connections {
            let guard = OpenGuard(open.clone());
            gw.metrics.shed("connections");
            tokio::spawn(async move {
                refuse(stream).await;
                drop(guard);
            });
            continue;
        }
        let guard = OpenGuard(open.clone());
        let app = app.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            serve_connection(stream, app, limits, stop).await;
            drop(guard);
        });
    }
}

/// The answer to a connection past the limit: the request's head is read (briefly, so an
/// HTTP client gets its answer to what it sent, not an unsolicited one), then a complete
/// 503 is written, then a short drain so the client reads it instead of a reset.
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = r#"{"errors":[{"message":"The gateway is at its connection limit; retry shortly.","extensions":{"category":"UNAVAILABLE"}}]}"#;
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        BODY.len()
    );
    let mut sink = [0u8; 4096];
    let mut seen: Vec<u8> = Vec::new();
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while seen.len() < 16 * 1024 && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&sink[..n]),
            }
        }
    })
    .await;
    let work = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(BODY.as_bytes()).await?;
        stream.shutdown().await?;
        let mut drained = 0;
        while drained < 64 * 1024 {
            let n = stream.read(&mut sink).await?;
            if n == 0 {
                break;
            }
            drained += n;
        }
        io::Result::Ok(())
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), work).await;
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let app = app.clone();
        let activity = requests.clone();
        activity.request_started();
        let finished = Finished(activity);
        async move {
            let response = tower::ServiceExt::oneshot(app, req).await;
            drop(finished);
            response
        }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        let wake = match deadline {
            Some((at, _)) => activity.base + Duration::from_millis(at),
            // A request is in flight: look again after the shorter period.
            None => Instant::now() + limits.header_read.min(limits.idle),
        };
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                if let Some((at, why)) = activity.deadline(&limits) {
                    if activity.now_ms() >= at {
                        tracing::debug!(reason = why, "closing connection");
                        return;
                    }
                }
            }
            _ = stop.wait_for(|s| *s), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Marks the end of a request when its handler is done (or dropped).
struct Finished(Arc<Activity>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// Requests in flight across every connection.
#[derive(Default)]
pub struct InFlight(Arc<AtomicUsize>);

/// One request's place among those in flight; given back when dropped.
pub struct Slot(Arc<AtomicUsize>);

impl InFlight {
    /// A place for one more request, unless `max` are already in flight.
    pub fn try_enter(&self, max: usize) -> Option<Slot> {
        let mut now = self.0.load(Ordering::Acquire);
        loop {
            if now >= max {
                return None;
            }
            match self
                .0
                .compare_exchange_weak(now, now + 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Some(Slot(self.0.clone())),
                Err(actual) => now = actual,
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
