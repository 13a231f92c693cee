//! The store commands (`knot workspace …`, `knot history`, `knot secret …`) and the
//! history record of `knot run`: argument parsing and printing over `knot_store`.
//!
//! The main design choice: every command opens the store, does one thing and closes it
//! (checkpointing the WAL), so a `knot` command holds the database for milliseconds and
//! never keeps the desktop app waiting; the output's last line is the useful value (the
//! imported workspace's name), so scripts can take it with `tail -n 1`. The run-history
//! side of `knot run` is in [`run_record`].

mod run_record;

pub use run_record::RunRecorder;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use knot_model::Workspace;
use knot_store::{FileState, HistoryQuery, Keep, Prune, Store, SyncOutcome};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tokio::runtime::Runtime;

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// List the workspaces in the store, with their linked file and its state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Import a workspace file into the store and link it; prints the workspace's name last.
    Import { file: PathBuf },
    /// Write a stored workspace to a file (secret values are never written).
    Export { name: String, file: PathBuf },
    /// Sync linked files with the store: reload files changed on disk, write store edits,
    /// report conflicts (exit 1) unless --keep picks a side.
    Sync {
        /// Only this workspace.
        name: Option<String>,
        #[arg(long, value_enum)]
        keep: Option<Side>,
    },
    /// Add a source to a stored workspace from an OpenAPI document, a folder of .proto
    /// files, or a GraphQL endpoint.
    AddSource(AddSourceArgs),
    /// Remove a workspace from the store (its file stays).
    Remove { name: String },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Side {
    Store,
    File,
}

#[derive(Args)]
pub struct AddSourceArgs {
    workspace: String,
    /// The new source's name.
    source: String,
    /// An OpenAPI 3 document (JSON or YAML).
    #[arg(long, group = "from")]
    openapi: Option<PathBuf>,
    /// Base URL overriding the document's first server.
    #[arg(long, requires = "openapi")]
    base_url: Option<String>,
    /// A folder of .proto files (needs --endpoint).
    #[arg(long, group = "from", requires = "endpoint")]
    protos: Option<PathBuf>,
    /// The gRPC endpoint of a --protos source.
    #[arg(long)]
    endpoint: Option<String>,
    /// A GraphQL endpoint to introspect.
    #[arg(long, group = "from")]
    graphql: Option<String>,
}

#[derive(Args)]
pub struct HistoryArgs {
    /// Only runs of this workspace.
    #[arg(long)]
    workspace: Option<String>,
    /// Only runs whose operation name contains this text.
    #[arg(long)]
    operation: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print one run in full (JSON).
    #[arg(long, value_name = "ID")]
    show: Option<i64>,
    /// Delete runs older than this many days.
    #[arg(long, value_name = "DAYS")]
    prune_older_than: Option<u64>,
    /// Delete all but the newest N runs.
    #[arg(long, value_name = "N")]
    prune_keep: Option<u32>,
}

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Store a secret's value, read from stdin (never from the command line).
    Set {
        workspace: String,
        name: String,
        /// Environment (default: the workspace's default).
        #[arg(long)]
        env: Option<String>,
    },
    /// List the secrets that have a stored value (names only).
    List { workspace: String },
    /// Delete a secret's stored value.
    Remove {
        workspace: String,
        name: String,
        #[arg(long)]
        env: Option<String>,
    },
}

async fn open(data_dir: Option<&Path>) -> Result<Store> {
    Ok(Store::open_default(data_dir).await?)
}

pub fn workspace(data_dir: Option<&Path>, command: WorkspaceCommand) -> Result<ExitCode> {
    Runtime::new()?.block_on(async move {
        let store = open(data_dir).await?;
        let code = match command {
            WorkspaceCommand::List { json } => list(&store, json).await?,
            WorkspaceCommand::Import { file } => {
                let imported = store
                    .import_file(&file)
                    .await
                    .with_context(|| format!("cannot import {}", file.display()))?;
                match &imported.sync {
                    None => println!("imported {} (linked)", file.display()),
                    Some(outcome) => report_sync(&imported.name, outcome),
                }
                if let Some(SyncOutcome::Conflict(_)) = imported.sync {
                    return Ok(ExitCode::from(1));
                }
                println!("{}", imported.name);
                ExitCode::SUCCESS
            }
            WorkspaceCommand::Export { name, file } => {
                let id = store.workspace_by_name(&name).await?.info.id;
                let path = store
                    .export_file(id, &file)
                    .await
                    .with_context(|| format!("cannot export `{name}` to {}", file.display()))?;
                println!("exported `{name}` to {}", path.display());
                ExitCode::SUCCESS
            }
            WorkspaceCommand::Sync { name, keep } => sync(&store, name, keep).await?,
            WorkspaceCommand::AddSource(args) => add_source(&store, args).await?,
            WorkspaceCommand::Remove { name } => {
                let id = store.workspace_by_name(&name).await?.info.id;
                store.delete_workspace(id).await?;
                println!("removed `{name}` from the store");
                ExitCode::SUCCESS
            }
        };
        store.close().await;
        Ok(code)
    })
}

async fn list(store: &Store, json: bool) -> Result<ExitCode> {
    let mut rows = Vec::new();
    for w in store.list_workspaces().await? {
        let state = match store.file_state(w.id).await {
            Ok(s) => state_label(&s).to_string(),
            Err(e) => format!("error: {e}"),
        };
        rows.push((w, state));
    }
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|(w, state)| serde_json::json!({"id": w.id, "name": w.name, "file": w.file, "state": state, "updatedAt": w.updated_at}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else if rows.is_empty() {
        println!("no workspaces in {}", store.dir().display());
    } else {
        for (w, state) in &rows {
            let file = w
                .file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| "-".into());
            println!(
                "{:<24} {:<14} {}  {}",
                w.name,
                state,
                utc(w.updated_at),
                file
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn state_label(state: &FileState) -> &'static str {
    match state {
        FileState::NotLinked => "not-linked",
        FileState::InSync => "in-sync",
        FileState::StoreChanged => "store-changed",
        FileState::FileChanged => "file-changed",
        FileState::BothChanged => "conflict",
        FileState::FileMissing => "file-missing",
    }
}

async fn sync(store: &Store, name: Option<String>, keep: Option<Side>) -> Result<ExitCode> {
    let targets = match name {
        Some(n) => vec![store.workspace_by_name(&n).await?.info],
        None => store
            .list_workspaces()
            .await?
            .into_iter()
            .filter(|w| w.file.is_some())
            .collect(),
    };
    let mut code = ExitCode::SUCCESS;
    for info in targets {
        let outcome = match (store.sync_workspace(info.id).await, keep) {
            (Ok(SyncOutcome::Conflict(_)), Some(side)) => {
                let keep = match side {
                    Side::Store => Keep::Store,
                    Side::File => Keep::File,
                };
                store.resolve_conflict(info.id, keep).await
            }
            (other, _) => other,
        };
        match outcome {
            Ok(o) => {
                if matches!(o, SyncOutcome::Conflict(_)) {
                    code = ExitCode::from(1);
                }
                report_sync(&info.name, &o);
            }
            Err(e) => {
                eprintln!("error: {}: {e}", info.name);
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}

fn report_sync(name: &str, outcome: &SyncOutcome) {
    match outcome {
        SyncOutcome::InSync { path } => println!("{name}: in sync with {}", path.display()),
        SyncOutcome::FileWritten { path } => println!("{name}: wrote the store's version to {}", path.display()),
        SyncOutcome::Reloaded { path } => println!("{name}: reloaded {} (changed on disk)", path.display()),
        SyncOutcome::FileMissing { path } => {
            println!("{name}: {} is missing (`knot workspace sync {name} --keep store` rewrites it)", path.display())
        }
        SyncOutcome::Conflict(c) => eprintln!(
            "conflict: `{name}` changed both in the store and in {}{}; nothing was overwritten. Keep one with `knot workspace sync {name} --keep store|file`",
            c.path.display(),
            c.file_problem.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
        ),
    }
}

async fn add_source(store: &Store, a: AddSourceArgs) -> Result<ExitCode> {
    let id = store.workspace_by_name(&a.workspace).await?.info.id;
    let saved = if let Some(file) = &a.openapi {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let origin = file.display().to_string();
        store
            .add_openapi_source(id, &a.source, &text, &origin, a.base_url.as_deref())
            .await?
    } else if let Some(folder) = &a.protos {
        let endpoint = a
            .endpoint
            .as_deref()
            .ok_or_else(|| anyhow!("--protos needs --endpoint"))?;
        store
            .add_proto_source(id, &a.source, endpoint, folder)
            .await?
    } else if let Some(url) = &a.graphql {
        store
            .add_graphql_source(id, &a.source, url, &[], Duration::from_secs(10))
            .await?
    } else {
        bail!(
            "give the source with --openapi FILE, --protos FOLDER --endpoint URL, or --graphql URL"
        );
    };
    println!("added source `{}` to `{}`", a.source, a.workspace);
    if let knot_store::FileWrite::Conflict(c) = &saved.file {
        eprintln!(
            "warning: {} changed on disk; it was not rewritten (run `knot workspace sync`)",
            c.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn history(data_dir: Option<&Path>, args: HistoryArgs) -> Result<ExitCode> {
    Runtime::new()?.block_on(async move {
        let store = open(data_dir).await?;
        if let Some(days) = args.prune_older_than {
            let n = store
                .prune_history(Prune::OlderThan(Duration::from_secs(
                    days.saturating_mul(86_400),
                )))
                .await?;
            println!("deleted {n} run(s) older than {days} day(s)");
        }
        if let Some(keep) = args.prune_keep {
            let n = store.prune_history(Prune::KeepNewest(keep)).await?;
            println!("deleted {n} run(s), kept the newest {keep}");
        }
        if let Some(id) = args.show {
            let run = store
                .run(id)
                .await?
                .ok_or_else(|| anyhow!("no run {id} in the history"))?;
            println!("{}", serde_json::to_string_pretty(&run)?);
            return Ok(ExitCode::SUCCESS);
        }
        let q = HistoryQuery {
            workspace: args.workspace,
            operation: args.operation,
            limit: args.limit,
        };
        let runs = store.history(&q).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&runs)?);
        } else if runs.is_empty() {
            println!("no runs");
        } else {
            for r in &runs {
                println!(
                    "{:>6}  {}  {:>9.1} ms  {:<16} {:<24} {:<10} {} error(s)",
                    r.id,
                    utc(r.started_at),
                    r.duration_ms,
                    r.workspace,
                    r.operation.as_deref().unwrap_or("-"),
                    r.environment.as_deref().unwrap_or("-"),
                    r.errors
                );
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn secret(data_dir: Option<&Path>, command: SecretCommand) -> Result<ExitCode> {
    Runtime::new()?.block_on(async move {
        let store = open(data_dir).await?;
        match command {
            SecretCommand::Set {
                workspace,
                name,
                env,
            } => {
                let stored = store.workspace_by_name(&workspace).await?;
                let env = environment(&stored.workspace, env.as_deref())?;
                let mut value = String::new();
                std::io::stdin()
                    .take(1 << 20)
                    .read_to_string(&mut value)
                    .context("cannot read the secret from stdin")?;
                let value = value
                    .strip_suffix('\n')
                    .map(|v| v.strip_suffix('\r').unwrap_or(v))
                    .unwrap_or(&value);
                store.set_secret(stored.info.id, &env, &name, value).await?;
                println!("stored secret `{name}` of `{workspace}` ({env})");
            }
            SecretCommand::List { workspace } => {
                let id = store.workspace_by_name(&workspace).await?.info.id;
                for (env, name) in store.secret_names(id).await? {
                    println!("{env}\t{name}");
                }
            }
            SecretCommand::Remove {
                workspace,
                name,
                env,
            } => {
                let stored = store.workspace_by_name(&workspace).await?;
                let env = environment(&stored.workspace, env.as_deref())?;
                store.delete_secret(stored.info.id, &env, &name).await?;
                println!("removed secret `{name}` of `{workspace}` ({env})");
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn environment(ws: &Workspace, name: Option<&str>) -> Result<String> {
    match ws.environment(name).map_err(|e| anyhow!(e))? {
        Some((n, _)) => Ok(n.to_string()),
        None => bail!("workspace `{}` has no environments", ws.name),
    }
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS` UTC.
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00");
        assert_eq!(super::utc(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(super::utc(1_763_704_385_123), "2025-11-21 05:53:05");
    }
}
