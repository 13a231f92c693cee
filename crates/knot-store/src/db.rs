//! Opening a SQLite database so that two processes (the desktop app and a `knot` command)
//! can share it safely: WAL journal (readers never block the writer), `synchronous=FULL`
//! (a commit is on disk when it returns), foreign keys on, and a busy timeout so a writer
//! waits for the other process's short transaction instead of failing.
//!
//! The main design choice: migrations are our own, not `sqlx::migrate!`. They are SQL files
//! embedded with `include_str!`, numbered, and applied inside one `BEGIN IMMEDIATE`
//! transaction that first re-reads the `schema_migrations` table, so two processes opening
//! a fresh store at the same moment apply each step exactly once. A database whose schema
//! is newer than this build is refused rather than guessed at.

use crate::error::{db_error, Result, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a statement waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One schema step: its number (1, 2, …) and its SQL.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const MAIN_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/main/0001_init.sql"),
}];

pub(crate) const SECRET_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/secrets/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "sealed",
        sql: include_str!("../migrations/secrets/0002_sealed.sql"),
    },
];

/// Opens (creating if needed) one database file and brings its schema up to date.
pub(crate) async fn open(
    path: &Path,
    migrations: &[Migration],
    secure: bool,
) -> Result<SqlitePool> {
    let open_err = |message: String| StoreError::Open {
        path: path.to_path_buf(),
        message,
    };
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .synchronous(SqliteSynchronous::Full)
        // Statement text only (values are always bound, never in the SQL): at trace level,
        // so `KNOT_LOG=debug` stays readable; a statement slower than a second (usually
        // waiting for the other process's lock) is worth an info line.
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Info, Duration::from_secs(1));
    if secure {
        // Deleted secret values are overwritten with zeros, not left in free pages.
        options = options.pragma("secure_delete", "ON");
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(0)
        .acquire_timeout(BUSY_TIMEOUT + Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| open_err(e.to_string()))?;
    ensure_wal(&pool, path).await?;
    migrate(&pool, path, migrations).await?;
    Ok(pool)
}

/// Switches the file to WAL once (the mode is stored in the file). The switch needs an
/// exclusive lock that SQLite's busy timeout does not wait for, so it is retried here for
/// a bounded time when another process holds the database.
async fn ensure_wal(pool: &SqlitePool, path: &Path) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        let mode: std::result::Result<String, sqlx::Error> = async {
            let row = sqlx::query("PRAGMA journal_mode").fetch_one(pool).await?;
            let mode: String = row.try_get(0)?;
            if mode.eq_ignore_ascii_case("wal") {
                return Ok(mode);
            }
            let row = sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_one(pool)
                .await?;
            row.try_get(0)
        }
        .await;
        match mode {
            Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(m) if Instant::now() >= deadline => {
                return Err(StoreError::Open {
                    path: path.to_path_buf(),
                    message: format!("cannot switch the journal to WAL (still `{m}`)"),
                })
            }
            Err(e) if Instant::now() >= deadline || !is_busy(&e) => {
                return Err(db_error(path, "setting the WAL journal")(e))
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            let m = d.message().to_ascii_lowercase();
            m.contains("locked") || m.contains("busy")
        }
        _ => false,
    }
}

async fn migrate(pool: &SqlitePool, path: &Path, migrations: &[Migration]) -> Result<()> {
    let known = migrations.last().map(|m| m.version).unwrap_or(0);
    let err = |what| db_error(path, what);
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(err("starting the schema migration"))?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(err("creating the migration table"))?;
    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(&mut *tx)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(err("reading the schema version"))?;
    if current > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            known,
        });
    }
    for m in migrations.iter().filter(|m| m.version > current) {
        sqlx::raw_sql(m.sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::Database {
                path: path.to_path_buf(),
                what: "applying a schema migration",
                message: format!("migration {} ({}): {e}", m.version, m.name),
            })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(m.version)
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(err("recording a schema migration"))?;
    }
    tx.commit()
        .await
        .map_err(err("committing the schema migration"))
}

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Creates the secrets file with owner-only permissions before SQLite opens it, so the
/// value table is never readable by other users, not even for a moment.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
