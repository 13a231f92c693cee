//! `knot serve`: a workspace file as a production gateway. GraphQL over HTTP at `/graphql`,
//! the workspace's REST composite endpoints (described at `/openapi.json`), `/knot.proto`,
//! `/health`, `/ready` and `/metrics`.
//!
//! The main design choice: everything a request needs (the runtime, the gateway settings,
//! the introspection schema, the REST routes) is one immutable [`Loaded`] value behind an
//! `Arc`, swapped whole when the file changes. A request clones the `Arc` once and finishes
//! on the workspace it started with; a broken file never replaces a good one. Routing of
//! REST endpoints is done by the gateway itself (not by the HTTP router) so endpoints can
//! change on reload without restarting the listener.

mod conn;
mod dedupe;
pub mod grpc;
mod http;
pub mod introspection;
pub mod metrics;
mod rest;

use knot_model::{check_bytes, GatewaySettings, Workspace};
use knot_runtime::{Limits, Runtime, Vars};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use rest::RestRoute;

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub workspace: PathBuf,
    /// Default 127.0.0.1:4000.
    pub listen: SocketAddr,
    pub env: Option<String>,
    /// Extra variables (`--var NAME=VALUE`), over the environment's.
    pub vars: Vec<(String, String)>,
    /// How often the file is checked for changes.
    pub reload_interval: Duration,
    /// `workspace` is a Federation supergraph SDL file, served as is.
    pub supergraph: bool,
    /// For a supergraph (which has no gateway settings of its own): the request header
    /// that asks for the plan and spans in `extensions.knot`, and the value it must carry.
    pub trace_header: Option<String>,
    pub trace_token: Option<String>,
    /// Serve `/metrics` and `/ready` on this address only (with `/health`), not on
    /// `listen`: operators' endpoints off the public port.
    pub admin_listen: Option<SocketAddr>,
    /// Turn on deduplication of identical client requests (`gateway.dedupeRequests`) whatever
    /// the workspace says; the only way to turn it on for a supergraph file.
    pub dedupe_requests: bool,
    /// For a supergraph: speak cleartext HTTP/2 (h2c) to every subgraph.
    pub subgraph_h2c: bool,
    /// Serve the saved operations marked for gRPC on this address (HTTP/2 cleartext).
    pub grpc_listen: Option<SocketAddr>,
}

impl ServeOptions {
    pub fn new(workspace: impl Into<PathBuf>) -> Self {
        ServeOptions {
            workspace: workspace.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            env: None,
            vars: Vec::new(),
            reload_interval: Duration::from_millis(500),
            supergraph: false,
            trace_header: None,
            trace_token: None,
            admin_listen: None,
            dedupe_requests: false,
            subgraph_h2c: false,
            grpc_listen: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Workspace(String),
    #[error("cannot listen on {addr}: {message}")]
    Listen { addr: SocketAddr, message: String },
}

/// One loaded workspace, ready to answer requests.
pub struct Loaded {
    /// Plans and runs every request, whatever the workspace holds (subgraphs or not).
    pub runtime: Runtime,
    pub settings: GatewaySettings,
    pub introspection: Option<async_graphql::dynamic::Schema>,
    pub routes: Vec<RestRoute>,
    /// The value the trace header must carry (rendered from its secret); no trace without it.
    pub trace_token: Option<String>,
    /// The client headers some source forwards (lower-cased): part of a request's identity
    /// for deduplication; when any, answers are marked `private, no-store`.
    pub forwarded: Vec<String>,
    /// The OpenAPI document of the REST endpoints (`/openapi.json`) and the `.proto` of the
    /// gRPC methods (`/knot.proto`), generated at load; `None` when introspection is off
    /// (they describe the schema as much as introspection does) or there is nothing to serve.
    pub openapi: Option<Arc<[u8]>>,
    pub proto: Option<Arc<knot_expose::proto::Proto>>,
    /// The gRPC methods of the saved operations marked for gRPC (served on `--grpc-port`
    /// whatever the introspection setting; reflection only when it is on).
    pub grpc: Option<Arc<grpc::Methods>>,
}

impl Loaded {
    /// Whether the request asks for the trace with the right token (compared in constant
    /// time, so the token cannot be guessed byte by byte).
    pub fn trace_allowed(&self, headers: &axum::http::HeaderMap) -> bool {
        let (Some(name), Some(token)) = (&self.settings.trace_header, &self.trace_token) else {
            return false;
        };
        let Some(given) = headers.get(name.as_str()) else {
            return false;
        };
        let (a, b) = (given.as_bytes(), token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// What the reload loop last saw of the file: its stamp (modified time and length, checked
/// without reading) and the fingerprint of the bytes last loaded or rejected.
#[derive(Clone, Copy, Default, PartialEq)]
struct Seen {
    stamp: Option<(std::time::SystemTime, u64)>,
    fingerprint: u64,
}

fn stamp(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn fingerprint(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Reads, checks and prepares a workspace file. Every problem is in the error text.
/// `loopback`: whether the gateway listens on loopback only (introspection's default).
pub fn load(
    path: &Path,
    env: Option<&str>,
    extra_vars: &[(String, String)],
    loopback: bool,
) -> Result<Loaded, ServeError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ServeError::Workspace(format!("cannot read {}: {e}", path.display())))?;
    load_bytes(path, &bytes, env, extra_vars, loopback)
}

fn load_source(options: &ServeOptions, bytes: &[u8]) -> Result<Loaded, ServeError> {
    let mut loaded = load_source_as_written(options, bytes)?;
    if options.dedupe_requests {
        loaded.settings.dedupe_requests = Some(true);
    }
    Ok(loaded)
}

fn load_source_as_written(options: &ServeOptions, bytes: &[u8]) -> Result<Loaded, ServeError> {
    if options.supergraph {
        load_supergraph(
            &options.workspace,
            bytes,
            options.trace_header.clone(),
            options.trace_token.clone(),
            options.subgraph_h2c,
        )
    } else {
        load_bytes(
            &options.workspace,
            bytes,
            options.env.as_deref(),
            &options.vars,
            options.listen.ip().is_loopback(),
        )
    }
}

/// Introspection of the public schema. The schema library used for it is stricter than
/// GraphQL about some field types across interfaces; when it refuses a schema (some
/// supergraphs), the gateway serves without introspection rather than not at all.
fn introspection_schema(runtime: &Runtime) -> Option<async_graphql::dynamic::Schema> {
    match introspection::schema_from_sdl(runtime.public_sdl()) {
        Ok(schema) => Some(schema),
        Err(e) => {
            tracing::warn!(error = %e, "introspection is off for this schema");
            None
        }
    }
}

/// The gateway's size limits for every request.
pub(crate) fn limits(settings: &GatewaySettings) -> Limits {
    Limits {
        max_depth: settings.max_depth(),
        max_aliases: settings.max_aliases(),
        max_fields: settings.max_fields(),
    }
}

/// A supergraph SDL alone: no orchestrated schema, no REST endpoints.
fn load_supergraph(
    path: &Path,
    bytes: &[u8],
    trace_header: Option<String>,
    trace_token: Option<String>,
    subgraph_h2c: bool,
) -> Result<Loaded, ServeError> {
    let sdl = std::str::from_utf8(bytes)
        .map_err(|e| ServeError::Workspace(format!("{} is not UTF-8 text: {e}", path.display())))?;
    let settings = GatewaySettings {
        trace_header,
        ..GatewaySettings::default()
    };
    let runtime = Runtime::from_supergraph_sdl_with(sdl, subgraph_h2c)
        .map_err(|e| ServeError::Workspace(format!("{}: {e}", path.display())))?
        .with_limits(limits(&settings));
    Ok(Loaded {
        introspection: introspection_schema(&runtime),
        runtime,
        settings,
        routes: Vec::new(),
        trace_token: trace_token.filter(|t| !t.is_empty()),
        forwarded: Vec::new(),
        openapi: None,
        proto: None,
        grpc: None,
    })
}

fn load_bytes(
    path: &Path,
    bytes: &[u8],
    env: Option<&str>,
    extra_vars: &[(String, String)],
    loopback: bool,
) -> Result<Loaded, ServeError> {
    let report = check_bytes(bytes);
    let ws: Workspace = match report.workspace {
        Some(ws) if report.problems.is_empty() => ws,
        _ => {
            let list: Vec<String> = report
                .problems
                .iter()
                .map(|p| format!("  {}:{p}", path.display()))
                .collect();
            return Err(ServeError::Workspace(format!(
                "{} is not a valid workspace:\n{}",
                path.display(),
                list.join("\n")
            )));
        }
    };
    let mut vars = Vars::from_workspace(&ws, env).map_err(ServeError::Workspace)?;
    for (k, v) in extra_vars {
        vars.set(k.clone(), v.clone());
    }
    let settings = ws.gateway.clone();
    let routes = rest::routes(&ws).map_err(ServeError::Workspace)?;
    // The trace token's value, from its secret or variable; unset means no trace at all.
    let trace_token = match &settings.trace_token {
        Some(template) => {
            match vars.render(template, |_| None) {
                Ok((value, _)) if !value.is_empty() => Some(value),
                _ => {
                    tracing::warn!("gateway.traceToken is not set in this environment: no trace will be returned");
                    None
                }
            }
        }
        None => None,
    };
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let runtime = Runtime::load(ws, vars, base)
        .map_err(|e| ServeError::Workspace(e.to_string()))?
        .with_limits(limits(&settings));
    let forwarded = forwarded_names(runtime.workspace());
    let described = settings.introspection(loopback);
    let introspection = if described {
        introspection_schema(&runtime)
    } else {
        None
    };
    let (openapi, proto) = descriptions(&runtime);
    let grpc = proto.as_ref().and_then(|p| {
        grpc::Methods::new(p.clone(), runtime.workspace(), described)
            .map(Arc::new)
            .map_err(|e| tracing::warn!(error = %e, "no gRPC service for this workspace"))
            .ok()
    });
    let (openapi, proto) = if described {
        (openapi, proto)
    } else {
        (None, None)
    };
    Ok(Loaded {
        runtime,
        settings,
        introspection,
        routes,
        trace_token,
        forwarded,
        openapi,
        proto,
        grpc,
    })
}

type Descriptions = (Option<Arc<[u8]>>, Option<Arc<knot_expose::proto::Proto>>);

/// The OpenAPI document and the `.proto` of a loaded workspace. One that cannot be made
/// (`knot check` names why) is left out with a warning rather than refusing the workspace.
fn descriptions(runtime: &Runtime) -> Descriptions {
    let ws = runtime.workspace();
    let sdl = runtime.public_sdl();
    let openapi = match knot_expose::openapi::openapi_bytes(ws, sdl) {
        Ok(bytes) => Some(Arc::from(bytes)),
        Err(e) => {
            tracing::warn!(error = %e, "no /openapi.json for this workspace");
            None
        }
    };
    let proto = match knot_expose::proto::proto(ws, sdl) {
        Ok(p) => p.map(Arc::new),
        Err(e) => {
            tracing::warn!(error = %e, "no gRPC service for this workspace");
            None
        }
    };
    (openapi, proto)
}

/// The client headers any source forwards downstream (answers then depend on who asks and
/// must not be stored by shared caches), sorted and without repeats.
fn forwarded_names(ws: &Workspace) -> Vec<String> {
    let mut names: Vec<String> = ws
        .sources
        .values()
        .flat_map(|s| s.forward_headers())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Shared state of a running gateway.
pub struct Gateway {
    current: RwLock<Arc<Loaded>>,
    seen: std::sync::Mutex<Seen>,
    pub metrics: metrics::Metrics,
    in_flight: conn::InFlight,
    requests: dedupe::Requests,
    options: ServeOptions,
}

impl Gateway {
    /// The address the gateway was asked to listen on.
    pub fn listen_address(&self) -> SocketAddr {
        self.options.listen
    }

    /// The workspace requests start on now.
    pub fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Checks the file; swaps in a changed, valid workspace. Returns whether it swapped.
    /// An unchanged stamp costs one `stat`; a changed file whose bytes were already loaded
    /// or rejected is not loaded again, so a broken version is reported once.
    pub fn reload_if_changed(&self) -> bool {
        let path = &self.options.workspace;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let now = stamp(path);
        if now.is_some() && now == seen.stamp {
            return false;
        }
        let Ok(bytes) = std::fs::read(path) else {
            tracing::warn!(file = %path.display(), "workspace file unreadable; still serving the loaded one");
            return false;
        };
        let fp = fingerprint(&bytes);
        let changed = fp != seen.fingerprint;
        *seen = Seen {
            stamp: now,
            fingerprint: fp,
        };
        drop(seen);
        if !changed {
            return false;
        }
        match load_source(&self.options, &bytes) {
            Ok(loaded) => {
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(loaded);
                self.metrics.reload("applied");
                tracing::info!(file = %path.display(), "workspace reloaded");
                true
            }
            Err(e) => {
                self.metrics.reload("rejected");
                tracing::error!(file = %path.display(), error = %e, "workspace change rejected; still serving the previous version");
                false
            }
        }
    }
}

/// A gateway bound to its address and serving in the background.
pub struct Running {
    pub addr: SocketAddr,
    /// Where `/metrics` and `/ready` are served when an admin address was asked for.
    pub admin_addr: Option<SocketAddr>,
    /// Where the gRPC methods are served, when asked for.
    pub grpc_addr: Option<SocketAddr>,
    pub gateway: Arc<Gateway>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish within the grace period, and waits.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops (after a signal passed to [`start`]).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Loads the workspace, binds the listener and starts serving. `stop` ends the server
/// gracefully when it resolves (SIGTERM / Ctrl+C in the CLI); so does [`Running::shutdown`].
pub async fn start(
    options: ServeOptions,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, ServeError> {
    let before = stamp(&options.workspace);
    let bytes = std::fs::read(&options.workspace).map_err(|e| {
        ServeError::Workspace(format!("cannot read {}: {e}", options.workspace.display()))
    })?;
    let loaded = load_source(&options, &bytes)?;
    let seen = Seen {
        stamp: before,
        fingerprint: fingerprint(&bytes),
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| ServeError::Listen {
            addr: options.listen,
            message: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| ServeError::Listen {
        addr: options.listen,
        message: e.to_string(),
    })?;
    let gateway = Arc::new(Gateway {
        current: RwLock::new(Arc::new(loaded)),
        seen: std::sync::Mutex::new(seen),
        metrics: Default::default(),
        in_flight: Default::default(),
        requests: Default::default(),
        options: options.clone(),
    });

    // Hot reload: poll the file; the watcher ends with the server.
    let watcher = {
        let gw = gateway.clone();
        let every = options.reload_interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let gw = gw.clone();
                // Loading compiles protos and reads files: keep it off the request threads.
                let _ = tokio::task::spawn_blocking(move || gw.reload_if_changed()).await;
            }
        })
    };

    let admin = match options.admin_listen {
        Some(at) => {
            let l = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| ServeError::Listen {
                    addr: at,
                    message: e.to_string(),
                })?;
            Some(l)
        }
        None => None,
    };
    let admin_addr = admin.as_ref().and_then(|l| l.local_addr().ok());
    let grpc_listener = match options.grpc_listen {
        Some(at) => {
            Some(
                tokio::net::TcpListener::bind(at)
                    .await
                    .map_err(|e| ServeError::Listen {
                        addr: at,
                        message: e.to_string(),
                    })?,
            )
        }
        None => None,
    };
    let grpc_addr = grpc_listener.as_ref().and_then(|l| l.local_addr().ok());

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = http::router(gateway.clone(), admin.is_none());
    let gw = gateway.clone();
    let task = tokio::spawn(async move {
        let open = Arc::new(conn::Open::default());
        let main = tokio::spawn(conn::accept_loop(
            listener,
            app,
            gw.clone(),
            open.clone(),
            stop_rx.clone(),
        ));
        let admin_loop = admin.map(|l| {
            tokio::spawn(conn::accept_loop(
                l,
                http::admin_router(gw.clone()),
                gw.clone(),
                open.clone(),
                stop_rx.clone(),
            ))
        });
        let grpc_loop = grpc_listener.map(|l| {
            tokio::spawn(conn::accept_loop(
                l,
                grpc::router(gw.clone()),
                gw.clone(),
                open.clone(),
                stop_rx.clone(),
            ))
        });
        tokio::select! {
            _ = stop => {}
            _ = rx => {}
        }
        tracing::info!("shutting down: no new connections; finishing in-flight requests");
        let _ = stop_tx.send(true);
        let _ = main.await;
        if let Some(a) = admin_loop {
            let _ = a.await;
        }
        if let Some(g) = grpc_loop {
            let _ = g.await;
        }
        let grace = Duration::from_millis(gw.current().settings.shutdown_grace_ms());
        if tokio::time::timeout(grace, open.drained()).await.is_err() {
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                open = open.count(),
                "grace period over; dropping requests still in flight"
            );
        }
        watcher.abort();
    });
    Ok(Running {
        addr,
        admin_addr,
        grpc_addr,
        gateway,
        shutdown: Some(tx),
        task,
    })
}
