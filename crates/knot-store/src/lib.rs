//! The Knot local store: workspaces while they are edited, their link to a `*.knot.json`
//! file, run history, caches, recent files, settings and secrets, in SQLite (sqlx).
//!
//! The main design choice: a workspace is stored as *one row holding its canonical JSON
//! text* (`knot_model::to_canonical_json`, the same bytes a file gets), plus its name, id
//! and timestamps; no normalised rows per source or field. The JSON text is the single
//! truth, so storing, exporting and hashing cannot disagree, a load-then-save round trip is
//! byte-identical, and the schema does not change whenever the file format grows a field
//! (SQLite's JSON functions can still look inside when a query needs to). Files are synced
//! by comparing content hashes recorded at the last sync on both sides: whichever side
//! changed wins, and when both changed the store reports a [`Conflict`] and overwrites
//! nothing. Secret values live in a separate database file (`secrets.db`, owner-only), so
//! `knot.db`, its WAL, an exported file and the history never hold one; there they are sealed
//! with a key kept in the OS keyring, or in `secrets.key` where none exists (`sealing`).
//!
//! The store never knows terminals, user interfaces, Tauri or how a query executes: hosts
//! give it plain values (a [`knot_model::Workspace`], a [`NewRun`] of JSON values).

pub mod cache;
pub mod db;
pub mod error;
pub mod files;
pub mod history;
pub mod prefs;
pub mod sealing;
pub mod secrets;
pub mod sources;
pub mod sync;
pub mod upgrade;
pub mod workspaces;

pub use cache::CacheKind;
pub use error::{Result, StoreError};
pub use history::{HistoryQuery, NewRun, Prune, RunId, RunRecord, RunSummary};
pub use sealing::{KeyHome, KeyringUse};
pub use secrets::{Redactor, SecretRef};
pub use sync::{Conflict, FileState, Imported, Keep, SyncOutcome};
pub use workspaces::{FileWrite, Saved, StoredWorkspace, WorkspaceId, WorkspaceInfo};

use sqlx::sqlite::SqlitePool;
use std::path::{Path, PathBuf};

/// The environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "KNOT_DATA_DIR";
/// The database file inside the data folder.
pub const DB_FILE: &str = "knot.db";
/// The secrets database file inside the data folder.
pub const SECRETS_FILE: &str = "secrets.db";

/// An open store. Cheap to clone (the connection pools are shared); safe to use from
/// several tasks, and from several processes on the same data folder.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
    db_path: PathBuf,
    secrets_path: PathBuf,
    db: SqlitePool,
    secrets: SqlitePool,
    /// Whether a new key may go to the OS keyring (`sealing.rs`).
    keyring: KeyringUse,
    /// The key of the secret values once unlocked (shared by clones).
    key: std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<sealing::SecretKey>>>,
}

/// The data folder: `explicit` (the `--data-dir` flag), else `$KNOT_DATA_DIR`, else the
/// platform's app-data folder + `knot` (`~/.local/share/knot` on Linux,
/// `~/Library/Application Support/knot` on macOS, `%APPDATA%\knot` on Windows).
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("knot"))
        .ok_or_else(|| StoreError::Open {
            path: PathBuf::from("<app data folder>"),
            message: format!(
                "this platform has no app-data folder; set {DATA_DIR_ENV} or pass --data-dir"
            ),
        })
}

impl Store {
    /// Opens the store in `dir` (created if missing), running migrations. The key of the
    /// secret values is unlocked when a secret is first read or written; a store without
    /// one yet puts it in the OS keyring unless `KNOT_KEYRING=off` ([`KeyringUse::from_env`]).
    pub async fn open(dir: &Path) -> Result<Store> {
        Store::open_with(dir, KeyringUse::from_env()).await
    }

    /// [`Store::open`], saying whether a new secrets key may go to the OS keyring.
    pub async fn open_with(dir: &Path, keyring: KeyringUse) -> Result<Store> {
        create_dir(dir)?;
        let db_path = dir.join(DB_FILE);
        let secrets_path = dir.join(SECRETS_FILE);
        let db = db::open(&db_path, db::MAIN_MIGRATIONS, false).await?;
        db::create_private_file(&secrets_path)?;
        let secrets = db::open(&secrets_path, db::SECRET_MIGRATIONS, true).await?;
        Ok(Store {
            dir: dir.to_path_buf(),
            db_path,
            secrets_path,
            db,
            secrets,
            keyring,
            key: Default::default(),
        })
    }

    /// Opens the store in the folder [`resolve_data_dir`] picks.
    pub async fn open_default(explicit: Option<&Path>) -> Result<Store> {
        Store::open(&resolve_data_dir(explicit)?).await
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The main database file (`knot.db`).
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The secrets database file (`secrets.db`).
    pub fn secrets_path(&self) -> &Path {
        &self.secrets_path
    }

    /// Closes the connections (checkpointing the WAL). Dropping the store also closes them,
    /// without waiting.
    pub async fn close(self) {
        self.db.close().await;
        self.secrets.close().await;
    }

    /// `PRAGMA integrity_check` on both databases: the problems SQLite lists (empty when
    /// both are sound).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for (pool, path) in [
            (&self.db, &self.db_path),
            (&self.secrets, &self.secrets_path),
        ] {
            let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                .fetch_all(pool)
                .await
                .map_err(error::db_error(path, "checking integrity"))?;
            problems.extend(
                rows.into_iter()
                    .map(|(r,)| r)
                    .filter(|r| r != "ok")
                    .map(|r| format!("{}: {r}", path.display())),
            );
        }
        Ok(problems)
    }
}

/// Creates the data folder (owner-only on Unix: it holds history and secrets).
fn create_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| StoreError::Open {
        path: dir.to_path_buf(),
        message: format!("cannot create the data folder: {e}"),
    })
}

/// Runs blocking file work off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Io {
            path: PathBuf::from("<file task>"),
            message: e.to_string(),
        })?
}
