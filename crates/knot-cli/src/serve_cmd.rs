//! `knot serve`: the gateway in the foreground until SIGTERM or Ctrl+C, with one JSON log
//! line per request on stderr.

use anyhow::{anyhow, Result};
use clap::Args;
use knot_serve::{start, ServeOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// The workspace file; changes to it are picked up while serving.
    #[arg(required_unless_present = "supergraph")]
    workspace: Option<PathBuf>,
    /// Serve a Federation v2 supergraph SDL file instead of a workspace (changes to it
    /// are picked up the same way).
    #[arg(long, value_name = "FILE", conflicts_with = "workspace")]
    supergraph: Option<PathBuf>,
    /// With --supergraph: answer requests carrying this header, with the value of the
    /// environment variable KNOT_TRACE_TOKEN, with the plan and the subgraph calls in
    /// `extensions.knot` (workspaces set `gateway.traceHeader` and `gateway.traceToken`).
    #[arg(long, value_name = "HEADER", requires = "supergraph")]
    trace_header: Option<String>,
    /// With --supergraph: speak HTTP/2 to every subgraph from the first byte (h2c, many
    /// calls on one connection); the subgraphs must accept it (workspaces set `"h2c": true`
    /// per source).
    #[arg(long, requires = "supergraph")]
    subgraph_h2c: bool,
    /// Address to listen on. Anything but loopback only when asked.
    #[arg(long, env = "KNOT_LISTEN", default_value = "127.0.0.1:4000")]
    listen: SocketAddr,
    /// Serve /metrics and /ready (and /health) on this address instead of --listen, so
    /// operators' endpoints stay off the public port.
    #[arg(long, env = "KNOT_ADMIN_LISTEN", value_name = "ADDR")]
    admin_listen: Option<SocketAddr>,
    /// Serve the saved operations marked `"grpc": {}` as gRPC methods (HTTP/2 cleartext,
    /// with server reflection when introspection is on) on this port of the --listen address.
    #[arg(long, env = "KNOT_GRPC_PORT", value_name = "PORT")]
    grpc_port: Option<u16>,
    /// Let a client query identical to one in flight share its answer instead of running
    /// again (as `gateway.dedupeRequests: true`; off by default).
    #[arg(long)]
    dedupe_requests: bool,
    /// Environment to use (default: the workspace's default).
    #[arg(long = "env")]
    env: Option<String>,
    /// Set an environment variable: NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// How often to check the workspace file for changes, in milliseconds.
    #[arg(long, default_value_t = 500)]
    reload_ms: u64,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let mut vars = Vec::new();
    for v in &args.vars {
        let (k, val) = v
            .split_once('=')
            .ok_or_else(|| anyhow!("--var expects NAME=VALUE, got `{v}`"))?;
        vars.push((k.to_string(), val.to_string()));
    }
    let (file, supergraph) = match (args.workspace, args.supergraph) {
        (_, Some(sdl)) => (sdl, true),
        (Some(ws), None) => (ws, false),
        (None, None) => return Err(anyhow!("give a workspace file or --supergraph FILE")),
    };
    let trace_token = std::env::var("KNOT_TRACE_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    if args.trace_header.is_some() && trace_token.is_none() {
        return Err(anyhow!(
            "--trace-header needs the token its requests must carry in KNOT_TRACE_TOKEN"
        ));
    }
    let options = ServeOptions {
        workspace: file,
        supergraph,
        trace_header: args.trace_header,
        trace_token,
        listen: args.listen,
        admin_listen: args.admin_listen,
        dedupe_requests: args.dedupe_requests,
        subgraph_h2c: args.subgraph_h2c,
        grpc_listen: args
            .grpc_port
            .map(|port| SocketAddr::new(args.listen.ip(), port)),
        env: args.env,
        vars,
        reload_interval: Duration::from_millis(args.reload_ms.max(50)),
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let running = start(options, async {
            shutdown_signal().await;
            // Tell systemd the service is stopping (draining in-flight requests).
            notify_systemd("STOPPING=1\n");
        })
        .await?;
        match running.admin_addr {
            Some(admin) => eprintln!(
                "knot serve: listening on http://{} (GraphQL at /graphql; /health); /ready and /metrics on http://{admin}",
                running.addr
            ),
            None => eprintln!(
                "knot serve: listening on http://{} (GraphQL at /graphql; /health, /ready, /metrics)",
                running.addr
            ),
        }
        if let Some(grpc) = running.grpc_addr {
            eprintln!("knot serve: gRPC methods on {grpc} (HTTP/2 cleartext)");
        }
        // Under systemd (Type=notify) the unit becomes active only now: the workspace is
        // loaded and the listener bound, so /ready answers 200.
        notify_systemd(&format!("READY=1\nMAINPID={}\n", std::process::id()));
        running.wait().await;
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// sd_notify(3) without libsystemd: one datagram to the socket systemd names in
/// `NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace). Nothing happens outside
/// systemd, and a failure to notify is logged, never fatal.
fn notify_systemd(message: &str) {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send_notify(&socket, message) {
        tracing::warn!("cannot notify systemd through {socket:?}: {e}");
    }
}

#[cfg(target_os = "linux")]
fn send_notify(socket: &std::ffi::OsStr, message: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let bytes = socket.as_bytes();
    let addr = match bytes.split_first() {
        Some((b'@', name)) => SocketAddr::from_abstract_name(name)?,
        Some((b'/', _)) => SocketAddr::from_pathname(std::path::Path::new(socket))?,
        _ => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "NOTIFY_SOCKET is neither an absolute path nor an abstract name (@…)",
            ))
        }
    };
    let sender = UnixDatagram::unbound()?;
    sender.send_to_addr(message.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn send_notify(_socket: &std::ffi::OsStr, _message: &str) -> std::io::Result<()> {
    Ok(())
}
