//! `knot`: the command-line face of Knot, a thin adapter over the core crates. It parses
//! arguments, loads files, and prints; every decision lives in the libraries.

/// Printing that never panics: a closed stdout (`knot run … | head`) is not an error, so
/// the rest of the command (writing the trace, recording history) still happens.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod demo;
mod serve_cmd;
mod store_cmd;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use knot_execute::{Engine, Request, Vars};
use knot_model::{check_bytes, public_sdl, Workspace};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc: the gateway allocates many small short-lived buffers per request; glibc's
/// allocator spent a tenth of the gateway's time in malloc/free under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "knot",
    version,
    about = "Knot: compose many services into one GraphQL API, plan and run queries over them."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The local store's folder (default: $KNOT_DATA_DIR, else the platform's app-data
    /// folder + `knot`).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a workspace file and explain every problem with its JSON path and position.
    Check {
        workspace: PathBuf,
        /// Print problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the public schema (SDL) of a workspace: private join keys are left out.
    Schema { workspace: PathBuf },
    /// Print the plan (the fan-out graph) of a query without calling anything.
    Plan {
        workspace: PathBuf,
        #[command(flatten)]
        query: QueryArgs,
        #[arg(long, value_enum, default_value_t = PlanFormat::Json)]
        format: PlanFormat,
    },
    /// Run a query and print the GraphQL response on stdout.
    Run {
        workspace: PathBuf,
        #[command(flatten)]
        query: QueryArgs,
        /// Environment to use (default: the workspace's default).
        #[arg(long = "env")]
        env: Option<String>,
        /// Set an environment variable: NAME=VALUE (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Write the trace (plan and one span per downstream call) to this file.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Do not record this run in the local history.
        #[arg(long)]
        no_history: bool,
    },
    /// Workspaces in the local store: list, import, export, sync, add sources.
    Workspace {
        #[command(subcommand)]
        what: store_cmd::WorkspaceCommand,
    },
    /// Runs recorded in the local store, newest first.
    History(store_cmd::HistoryArgs),
    /// Secret values kept in the local store (never in workspace files).
    Secret {
        #[command(subcommand)]
        what: store_cmd::SecretCommand,
    },
    /// Print the workspace's topology: sources, types, saved operations and their edges.
    Topology {
        workspace: PathBuf,
        #[arg(long, value_enum, default_value_t = TopologyFormat::Dot)]
        format: TopologyFormat,
    },
    /// Start the demo services on 127.0.0.1 (REST, gRPC, GraphQL) until Ctrl+C.
    Demo(demo::DemoArgs),
    /// Serve a workspace as a gateway: GraphQL at /graphql and its REST endpoints.
    Serve(serve_cmd::ServeArgs),
    /// Import a source and print it as workspace JSON.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// REST operations from an OpenAPI 3 document (JSON or YAML).
    Openapi {
        file: PathBuf,
        #[arg(long)]
        base_url: Option<String>,
    },
    /// A GraphQL service's root fields, by introspection.
    Graphql { url: String },
    /// A gRPC service's methods, by server reflection.
    Grpc { endpoint: String },
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The GraphQL document.
    #[arg(long, conflicts_with_all = ["query_file", "operation"])]
    query: Option<String>,
    /// A file holding the GraphQL document.
    #[arg(long, conflicts_with = "operation")]
    query_file: Option<PathBuf>,
    /// A saved operation of the workspace, by name.
    #[arg(long)]
    operation: Option<String>,
    /// Which operation of the document to run, when it holds several.
    #[arg(long)]
    operation_name: Option<String>,
    /// Variables as a JSON object.
    #[arg(long)]
    variables: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TopologyFormat {
    Dot,
    Mermaid,
    Svg,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    Json,
    Dot,
    Mermaid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The gateway logs one JSON line per request; other commands only warnings, as text.
    let serving = matches!(cli.command, Command::Serve(_));
    let default_filter = if serving {
        "warn,knot::request=info,knot_serve=info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KNOT_LOG")
        .unwrap_or_else(|_| default_filter.into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if serving {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { workspace, json } => check(&workspace, json),
        Command::Schema { workspace } => {
            let ws = load(&workspace)?;
            println!("{}", public_sdl(&ws));
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            workspace,
            query,
            format,
        } => {
            let ws = load(&workspace)?;
            let request = request(&ws, &query)?;
            if ws.has_subgraphs() {
                return federation_plan(&ws, &workspace, &request, format);
            }
            match knot_plan::plan(
                &ws,
                &request.document,
                request.operation_name.as_deref(),
                &request.variables,
            ) {
                Ok(plan) => {
                    match format {
                        PlanFormat::Json => {
                            println!("{}", serde_json::to_string_pretty(&plan.to_json())?)
                        }
                        PlanFormat::Dot => print!("{}", plan.to_dot()),
                        PlanFormat::Mermaid => print!("{}", plan.to_mermaid()),
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("error: {e}");
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Run {
            workspace,
            query,
            env,
            vars,
            trace,
            no_history,
        } => {
            let ws = load(&workspace)?;
            let request = request(&ws, &query)?;
            let mut resolved = Vars::from_workspace(&ws, env.as_deref()).map_err(|e| anyhow!(e))?;
            for v in vars {
                let (k, val) = v
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--var expects NAME=VALUE, got `{v}`"))?;
                resolved.set(k, val);
            }
            let rt = tokio::runtime::Runtime::new()?;
            let history = store_cmd::RunRecorder::open(
                &rt,
                cli.data_dir.as_deref(),
                &workspace,
                &ws,
                env.as_deref(),
                &mut resolved,
                !no_history,
            );
            if ws.has_subgraphs() {
                return federation_run(
                    &rt,
                    &ws,
                    resolved,
                    &workspace,
                    &request,
                    trace.as_deref(),
                    history,
                );
            }
            let engine = Engine::new(ws, resolved, base_dir(&workspace))?;
            let outcome = rt.block_on(engine.run(&request));
            println!("{}", serde_json::to_string_pretty(&outcome.response)?);
            history.record(&rt, &request, &outcome);
            if let Some(path) = trace {
                std::fs::write(&path, serde_json::to_string_pretty(&outcome.trace_json())?)
                    .with_context(|| format!("cannot write the trace to {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => demo::run(args),
        Command::Topology { workspace, format } => {
            let ws = load(&workspace)?;
            let topo = knot_plan::topology::topology(&ws);
            match format {
                TopologyFormat::Dot => print!("{}", topo.to_dot(&ws.name)),
                TopologyFormat::Mermaid => print!("{}", topo.to_mermaid()),
                TopologyFormat::Svg => print!("{}", topo.to_svg()),
                TopologyFormat::Json => println!("{}", serde_json::to_string_pretty(&topo)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve_cmd::run(args),
        Command::Workspace { what } => store_cmd::workspace(cli.data_dir.as_deref(), what),
        Command::History(args) => store_cmd::history(cli.data_dir.as_deref(), args),
        Command::Secret { what } => store_cmd::secret(cli.data_dir.as_deref(), what),
        Command::Import { what } => {
            let rt = tokio::runtime::Runtime::new()?;
            let source: Value = match what {
                ImportCommand::Openapi { file, base_url } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let s = knot_connect::openapi::import_openapi(
                        &text,
                        &file.display().to_string(),
                        base_url.as_deref(),
                    )?;
                    serde_json::to_value(knot_model::Source::Rest(s))?
                }
                ImportCommand::Graphql { url } => {
                    let s = rt.block_on(knot_connect::introspect::introspect(
                        &url,
                        &[],
                        std::time::Duration::from_secs(10),
                    ))?;
                    serde_json::to_value(knot_model::Source::Graphql(s))?
                }
                ImportCommand::Grpc { endpoint } => {
                    let (pool, _) = rt.block_on(knot_connect::reflect::fetch_descriptors(
                        &endpoint,
                        &[],
                        std::time::Duration::from_secs(10),
                        None,
                    ))?;
                    let ops = knot_connect::reflect::operations_from_pool(&pool);
                    serde_json::json!({"kind": "grpc", "endpoint": endpoint, "reflection": true, "operations": ops})
                }
            };
            println!("{}", serde_json::to_string_pretty(&source)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn base_dir(workspace: &Path) -> &Path {
    workspace
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn load(path: &Path) -> Result<Workspace> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report = check_bytes(&bytes);
    match report.workspace {
        Some(ws) if report.problems.is_empty() => Ok(ws),
        _ => {
            let lines: Vec<String> = report
                .problems
                .iter()
                .map(|p| format!("  {}: {p}", path.display()))
                .collect();
            bail!(
                "{} is not a valid workspace ({} problem(s)):\n{}\n(run `knot check` for details)",
                path.display(),
                lines.len(),
                lines.join("\n")
            )
        }
    }
}

fn check(path: &Path, json: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report = check_bytes(&bytes);
    let mut problems = report.problems;
    // Saved operations are checked against the schema by the planner, and gRPC methods
    // against their .proto files, when the workspace itself is sound.
    if let (Some(ws), true) = (&report.workspace, problems.is_empty()) {
        problems.extend(deep_checks(ws, base_dir(path), &bytes));
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "file": path.display().to_string(), "problems": problems })
            )?
        );
    } else if problems.is_empty() {
        println!("{}: ok", path.display());
    } else {
        for p in &problems {
            println!("{}:{p}", path.display());
        }
        println!("{} problem(s)", problems.len());
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn deep_checks(ws: &Workspace, base: &Path, bytes: &[u8]) -> Vec<knot_model::Problem> {
    use knot_model::{JsonPath, Problem, ProblemCode};
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    out.extend(composition_checks(ws, base));
    if ws.has_subgraphs() {
        out.extend(federated_operation_checks(ws, base));
    }
    for (name, op) in ws.operations.iter().filter(|_| !ws.has_subgraphs()) {
        // Variables are not known here: plan with placeholder values of the right type.
        let vars =
            knot_plan::topology::placeholder_variables(&op.document, op.operation_name.as_deref());
        if let Err(errors) = knot_plan::plan(ws, &op.document, op.operation_name.as_deref(), &vars)
        {
            for e in errors {
                out.push(Problem::new(
                    ProblemCode::InvalidDocument,
                    JsonPath::root().keys(["operations", name.as_str(), "document"]),
                    format!("operation `{name}`: {e}"),
                ));
            }
        }
    }
    for (name, source) in &ws.sources {
        if let knot_model::Source::Grpc(g) = source {
            if g.proto_files.is_empty() {
                continue;
            }
            let path = JsonPath::root().keys(["sources", name.as_str()]);
            match knot_connect::grpc::compile_protos(&g.proto_files, &g.import_paths, base) {
                Err(e) => out.push(Problem::new(
                    ProblemCode::Proto,
                    path.key("protoFiles"),
                    e.to_string(),
                )),
                Ok(pool) => {
                    for (op_name, op) in &g.operations {
                        if knot_connect::grpc::find_method(&pool, &op.method).is_none() {
                            out.push(Problem::new(
                                ProblemCode::Proto,
                                path.keys(["operations", op_name.as_str(), "method"]),
                                format!("the .proto files define no method `{}`", op.method),
                            ));
                        }
                    }
                }
            }
        }
    }
    for p in &mut out {
        if let Some((l, c)) = knot_model::locate::line_col(&text, &p.path.0) {
            p.line = Some(l);
            p.column = Some(c);
        }
    }
    out
}

fn request(ws: &Workspace, q: &QueryArgs) -> Result<Request> {
    let variables = match &q.variables {
        None => Map::new(),
        Some(text) => {
            match serde_json::from_str::<Value>(text).context("--variables is not JSON")? {
                Value::Object(m) => m,
                _ => bail!("--variables must be a JSON object"),
            }
        }
    };
    let (document, operation_name) = if let Some(doc) = &q.query {
        (doc.clone(), q.operation_name.clone())
    } else if let Some(file) = &q.query_file {
        (
            std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?,
            q.operation_name.clone(),
        )
    } else if let Some(name) = &q.operation {
        let saved = ws.operations.get(name).ok_or_else(|| {
            anyhow!(
                "no saved operation `{name}` (saved: {})",
                ws.operations.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
        (
            saved.document.clone(),
            q.operation_name
                .clone()
                .or_else(|| saved.operation_name.clone()),
        )
    } else {
        bail!("give the query with --query, --query-file or --operation");
    };
    Ok(Request {
        document,
        operation_name,
        variables,
        headers: Vec::new(),
    })
}

/// Subgraph sources that give their SDL in a file are composed, as `knot serve` would;
/// each composition problem is reported at `sources`. (Subgraphs whose SDL is only
/// fetched from the network are checked when served.)
fn composition_checks(ws: &Workspace, base: &Path) -> Vec<knot_model::Problem> {
    use knot_model::{JsonPath, Problem, ProblemCode};
    if !ws.has_subgraphs() {
        return Vec::new();
    }
    let offline = ws.sources.values().all(|s| match s {
        knot_model::Source::Graphql(g) => {
            g.subgraph.as_ref().is_none_or(|sg| sg.sdl_file.is_some())
        }
        _ => true,
    });
    if !offline {
        return Vec::new();
    }
    let vars = match Vars::from_workspace(ws, None) {
        Ok(v) => v,
        Err(_) => return Vec::new(),
    };
    match knot_federation::workspace_supergraph(ws, &vars, base, false) {
        Err(knot_federation::WorkspaceFederationError::Source {
            source_name,
            message,
        }) => vec![Problem::new(
            ProblemCode::Composition,
            JsonPath::root().keys(["sources", source_name.as_str()]),
            message,
        )],
        Err(knot_federation::WorkspaceFederationError::Composition(e)) => e
            .problems
            .into_iter()
            .map(|p| Problem::new(ProblemCode::Composition, JsonPath::root().key("sources"), p))
            .collect(),
        Err(e) => vec![Problem::new(
            ProblemCode::Composition,
            JsonPath::root().key("schema"),
            e.to_string(),
        )],
        Ok(_) => Vec::new(),
    }
}

fn federation_gateway(
    ws: &Workspace,
    vars: &Vars,
    path: &Path,
) -> Result<knot_federation::Gateway> {
    knot_federation::workspace_gateway(ws, vars, base_dir(path))?
        .ok_or_else(|| anyhow!("{} has no subgraph sources", path.display()))
}

/// `knot plan` on a workspace of subgraphs: the federation plan as a fan-out graph.
fn federation_plan(
    ws: &Workspace,
    path: &Path,
    request: &Request,
    format: PlanFormat,
) -> Result<ExitCode> {
    let vars = Vars::from_workspace(ws, None).map_err(|e| anyhow!(e))?;
    let gateway = federation_gateway(ws, &vars, path)?;
    let fed_request = gateway_request(request);
    match gateway.plan(&fed_request) {
        Ok((_, graph)) => {
            match format {
                PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&graph.to_json())?),
                PlanFormat::Dot => print!("{}", graph.to_dot()),
                PlanFormat::Mermaid => print!("{}", graph.to_mermaid()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            for m in e.messages() {
                eprintln!("error: {m}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// `knot run` on a workspace of subgraphs.
fn federation_run(
    rt: &tokio::runtime::Runtime,
    ws: &Workspace,
    vars: Vars,
    path: &Path,
    request: &Request,
    trace: Option<&Path>,
    history: store_cmd::RunRecorder,
) -> Result<ExitCode> {
    let gateway = federation_gateway(ws, &vars, path)?;
    let started = std::time::Instant::now();
    let fed_request = gateway_request(request);
    match rt.block_on(gateway.execute(&fed_request)) {
        Ok(answer) => {
            println!("{}", serde_json::to_string_pretty(&answer.body)?);
            let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            history.record_json(
                rt,
                request,
                answer.body.clone(),
                knot_app_api::federation_trace_json(
                    &answer,
                    duration_ms,
                    gateway.supergraph().subgraphs(),
                ),
                duration_ms,
            );
            if let Some(file) = trace {
                let json = serde_json::json!({
                    "plan": answer.graph.to_json(),
                    "spans": answer.spans,
                    "errors": answer.detailed_errors,
                });
                std::fs::write(file, serde_json::to_string_pretty(&json)?)
                    .with_context(|| format!("cannot write the trace to {}", file.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let errors: Vec<Value> = e
                .messages()
                .into_iter()
                .map(
                    |m| serde_json::json!({"message": m, "extensions": {"category": "VALIDATION"}}),
                )
                .collect();
            let response = serde_json::json!({ "errors": errors });
            println!("{}", serde_json::to_string_pretty(&response)?);
            history.record_json(rt, request, response, Value::Null, 0.0);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Saved operations of a workspace with subgraphs are planned over its supergraph (when
/// it composes offline, from `sdlFile`s).
fn federated_operation_checks(ws: &Workspace, base: &Path) -> Vec<knot_model::Problem> {
    use knot_model::{JsonPath, Problem, ProblemCode};
    let Ok(vars) = Vars::from_workspace(ws, None) else {
        return Vec::new();
    };
    let Ok(Some((sdl, _, _))) = knot_federation::workspace_supergraph(ws, &vars, base, false)
    else {
        return Vec::new();
    };
    let Ok(supergraph) = knot_federation::Supergraph::parse(&sdl) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, op) in &ws.operations {
        if let Err(e) = supergraph.prepare(&op.document, op.operation_name.as_deref()) {
            for message in e.messages() {
                out.push(Problem::new(
                    ProblemCode::InvalidDocument,
                    JsonPath::root().keys(["operations", name.as_str(), "document"]),
                    format!("operation `{name}`: {message}"),
                ));
            }
        }
    }
    out
}

/// The CLI's request for the federation gateway (no inbound headers).
fn gateway_request(request: &Request) -> knot_federation::GatewayRequest {
    knot_federation::GatewayRequest {
        query: request.document.clone(),
        operation_name: request.operation_name.clone(),
        variables: request.variables.clone(),
        headers: Vec::new(),
    }
}
