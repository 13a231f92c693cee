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
mod man;
mod serve_cmd;
mod store_cmd;

use anyhow::{anyhow, bail, Context, Result};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use knot_model::{check_bytes, Workspace};
use knot_runtime::{Request, Runtime, Vars};
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
    version = env!("KNOT_VERSION"),
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
    /// Describe the workspace's saved operations for callers outside GraphQL: the OpenAPI
    /// document of its REST endpoints, or the .proto of its gRPC methods.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Import a source and print it as workspace JSON.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page knot(1), or with --out-dir write it and one page per command
    /// (knot-serve(1), …) into that folder.
    Man {
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The OpenAPI 3.1 document of the REST composite endpoints (what `knot serve` serves at
    /// /openapi.json).
    Openapi {
        workspace: PathBuf,
        /// Write it to this file instead of stdout.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The .proto of the gRPC service of the saved operations marked `"grpc": {}` (what
    /// `knot serve` serves at /knot.proto). Field numbers not yet recorded in the workspace
    /// are given and written into the workspace file, so they never change afterwards.
    Proto {
        workspace: PathBuf,
        /// Write it to this file instead of stdout.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
        /// Do not write new field numbers into the workspace file.
        #[arg(long)]
        no_record: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// REST operations from an OpenAPI 3 document (JSON or YAML).
    Openapi {
        file: PathBuf,
        #[arg(long)]
        base_url: Option<String>,
        /// Also the document's types (enums, objects, discriminated unions, request bodies
        /// as input objects): prints `{"source": …, "schema": …}`
        #[arg(long)]
        types: bool,
    },
    /// A GraphQL service's root fields, by introspection.
    Graphql {
        url: String,
        /// Also its types (objects, interfaces, unions, enums, input objects, scalars):
        /// prints `{"source": …, "schema": …}`
        #[arg(long)]
        types: bool,
    },
    /// A gRPC service's methods, by server reflection.
    Grpc {
        endpoint: String,
        /// Also the messages and enums as schema types (answers as object types, request
        /// messages as input objects): prints `{"source": …, "schema": …}`
        #[arg(long)]
        types: bool,
    },
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
            let runtime = runtime(&workspace, None)?;
            println!("{}", runtime.public_sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            workspace,
            query,
            format,
        } => {
            let runtime = runtime(&workspace, None)?;
            let request = request(runtime.workspace(), &query)?;
            match runtime.plan(&request) {
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
            let runtime = Runtime::load(ws, resolved, base_dir(&workspace))?;
            let outcome = rt.block_on(runtime.run(&request));
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
            let runtime = runtime(&workspace, None)?;
            let ws = runtime.workspace();
            let topo = runtime.topology();
            match format {
                TopologyFormat::Dot => print!("{}", topo.to_dot(&ws.name)),
                TopologyFormat::Mermaid => print!("{}", topo.to_mermaid()),
                TopologyFormat::Svg => print!("{}", topo.to_svg()),
                TopologyFormat::Json => println!("{}", serde_json::to_string_pretty(&topo)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve_cmd::run(args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "knot", &mut out);
            write_stdout(&out)
        }
        Command::Man { out_dir } => man::run(Cli::command(), out_dir.as_deref()),
        Command::Workspace { what } => store_cmd::workspace(cli.data_dir.as_deref(), what),
        Command::History(args) => store_cmd::history(cli.data_dir.as_deref(), args),
        Command::Secret { what } => store_cmd::secret(cli.data_dir.as_deref(), what),
        Command::Export { what } => export(what),
        Command::Import { what } => {
            let rt = tokio::runtime::Runtime::new()?;
            let source: Value = match what {
                ImportCommand::Openapi {
                    file,
                    base_url,
                    types,
                } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let origin = file.display().to_string();
                    let s =
                        knot_connect::openapi::import_openapi(&text, &origin, base_url.as_deref())?;
                    let source = serde_json::to_value(knot_model::Source::Rest(s))?;
                    if types {
                        let schema =
                            knot_connect::openapi_types::import_openapi_types(&text, &origin)?;
                        serde_json::json!({"source": source, "schema": schema})
                    } else {
                        source
                    }
                }
                ImportCommand::Graphql { url, types } => {
                    let answer = rt.block_on(knot_connect::introspect::fetch_introspection(
                        &url,
                        &[],
                        std::time::Duration::from_secs(10),
                    ))?;
                    let s = knot_connect::introspect::source_from_introspection(&url, &answer)?;
                    let source = serde_json::to_value(knot_model::Source::Graphql(s))?;
                    if types {
                        let schema =
                            knot_connect::graphql_types::types_from_introspection(&answer)?;
                        serde_json::json!({"source": source, "schema": schema})
                    } else {
                        source
                    }
                }
                ImportCommand::Grpc { endpoint, types } => {
                    let (pool, _) = rt.block_on(knot_connect::reflect::fetch_descriptors(
                        &endpoint,
                        &[],
                        std::time::Duration::from_secs(10),
                        None,
                    ))?;
                    let ops = knot_connect::reflect::operations_from_pool(&pool);
                    let source = serde_json::json!({"kind": "grpc", "endpoint": endpoint, "reflection": true, "operations": ops});
                    if types {
                        let schema = knot_connect::proto_types::types_from_pool(&pool);
                        serde_json::json!({"source": source, "schema": schema})
                    } else {
                        source
                    }
                }
            };
            println!("{}", serde_json::to_string_pretty(&source)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Generated text on stdout; a closed stdout (`knot man | head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow!("cannot write to stdout: {e}"))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn base_dir(workspace: &Path) -> &Path {
    workspace
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The workspace at `path`, ready to plan and run (subgraphs composed, connectors made).
fn export(what: ExportCommand) -> Result<ExitCode> {
    let (bytes, out) = match what {
        ExportCommand::Openapi { workspace, out } => {
            let rt = runtime(&workspace, None)?;
            let bytes = knot_expose::openapi::openapi_bytes(rt.workspace(), rt.public_sdl())?;
            (bytes, out)
        }
        ExportCommand::Proto {
            workspace,
            out,
            no_record,
        } => {
            let rt = runtime(&workspace, None)?;
            let mut ws = rt.workspace().clone();
            if !no_record && knot_expose::proto::record_numbers(&mut ws, rt.public_sdl())? {
                let json = knot_model::to_canonical_json(&ws);
                knot_store::files::write_atomic(&workspace, json.as_bytes())
                    .with_context(|| format!("cannot write {}", workspace.display()))?;
                eprintln!("recorded new gRPC field numbers in {}", workspace.display());
            }
            let Some(proto) = knot_expose::proto::proto(&ws, rt.public_sdl())? else {
                bail!(
                    "{} marks no saved operation for gRPC (add \"grpc\": {{}} to one)",
                    workspace.display()
                );
            };
            (proto.text.into_bytes(), out)
        }
    };
    match out {
        Some(file) => std::fs::write(&file, &bytes)
            .with_context(|| format!("cannot write {}", file.display()))?,
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(&bytes);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn runtime(path: &Path, env: Option<&str>) -> Result<Runtime> {
    let ws = load(path)?;
    let vars = Vars::from_workspace(&ws, env).map_err(|e| anyhow!(e))?;
    Ok(Runtime::load(ws, vars, base_dir(path))?)
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
        problems.extend(knot_runtime::check(
            ws,
            base_dir(path),
            &String::from_utf8_lossy(&bytes),
        ));
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
