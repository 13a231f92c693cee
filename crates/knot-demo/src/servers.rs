//! Binding listeners and running axum servers until a shared stop signal, for every
//! group of demo services (the shop/trading services and the federation subgraphs).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::DemoError;

/// How long [`Servers::shutdown`] waits for in-flight requests before aborting.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Binds `host:port` for the service `name`; returns the listener and its bound address.
pub(crate) async fn bind(
    host: IpAddr,
    port: u16,
    name: &'static str,
) -> Result<(TcpListener, SocketAddr), DemoError> {
    let addr = SocketAddr::new(host, port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| DemoError::Bind {
            service: name,
            addr,
            source,
        })?;
    let bound = listener
        .local_addr()
        .map_err(|source| DemoError::LocalAddr {
            service: name,
            source,
        })?;
    Ok((listener, bound))
}

/// Servers that stop together: on [`Servers::shutdown`], or when dropped.
pub(crate) struct Servers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Servers {
    pub(crate) fn new() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: Vec::new(),
        }
    }

    /// The stop signal, for handlers that must notice it too (e.g. hanging requests).
    pub(crate) fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Serves `router` on `listener` in the background until the stop signal.
    pub(crate) fn serve(&mut self, name: &'static str, listener: TcpListener, router: Router) {
        let mut stop = self.stop.subscribe();
        self.tasks.push(tokio::spawn(async move {
            let signal = async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            // No Nagle delay: an HTTP/2 answer is written as several frames, and a frame
            // held back until the client's delayed ACK cost tens of milliseconds per call.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            if let Err(err) = axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::error!(service = name, %err, "demo server failed");
            }
        }));
    }

    /// Stops accepting; in-flight requests get a few seconds, then are aborted.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        for mut task in std::mem::take(&mut self.tasks) {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        // Tells every server to stop accepting; they finish in the background.
        let _ = self.stop.send(true);
    }
}
