//! Settings (key -> JSON value) and the recent-files list: small per-user state the hosts
//! share, so the desktop app and the CLI agree on, say, the default environment.
//!
//! The main design choice: settings are JSON values under free-form keys rather than a
//! typed settings struct; the store does not know what the UI wants to remember, and a
//! newer app adding a setting must not need a schema migration. The recent-files list is
//! bounded ([`MAX_RECENT`]) on every insert, so it never grows without limit.

use crate::error::{db_error, Result, StoreError};
use crate::{db::now_ms, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Most recent files remembered.
pub const MAX_RECENT: u32 = 20;

impl Store {
    /// Sets a setting.
    pub async fn set_setting(&self, key: &str, value: &Value) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(now_ms())
        .execute(&self.db)
        .await
        .map(drop)
        .map_err(db_error(&self.db_path, "writing a setting"))
    }

    /// A setting, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<Value>> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.db)
            .await
            .map_err(db_error(&self.db_path, "reading a setting"))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::CorruptRow {
                path: self.db_path.clone(),
                table: "settings",
                row: key.to_string(),
                message: e.to_string(),
            })
        })
        .transpose()
    }

    /// Removes a setting.
    pub async fn remove_setting(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(key)
            .execute(&self.db)
            .await
            .map(drop)
            .map_err(db_error(&self.db_path, "removing a setting"))
    }

    /// Puts a file at the top of the recent-files list.
    pub async fn touch_recent_file(&self, path: &Path) -> Result<()> {
        let err = db_error(&self.db_path, "remembering a recent file");
        let mut tx = self.begin_write("remembering a recent file").await?;
        sqlx::query(
            "INSERT INTO recent_files (path, opened_at) VALUES (?, ?)
             ON CONFLICT (path) DO UPDATE SET opened_at = excluded.opened_at",
        )
        .bind(path.to_string_lossy())
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        sqlx::query("DELETE FROM recent_files WHERE path NOT IN (SELECT path FROM recent_files ORDER BY opened_at DESC, path LIMIT ?)")
            .bind(i64::from(MAX_RECENT))
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)
    }

    /// Recent files, most recent first.
    pub async fn recent_files(&self) -> Result<Vec<PathBuf>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT path FROM recent_files ORDER BY opened_at DESC, path")
                .fetch_all(&self.db)
                .await
                .map_err(db_error(&self.db_path, "listing recent files"))?;
        Ok(rows.into_iter().map(PathBuf::from).collect())
    }
}
