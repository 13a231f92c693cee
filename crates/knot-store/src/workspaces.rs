//! Workspaces in the store: save (durable when the call returns), read, list, delete.
//!
//! The main design choice: every save is one `BEGIN IMMEDIATE` transaction that writes the
//! canonical JSON row and, when the workspace is linked to a file, rewrites that file
//! atomically *before* committing, but only if the file is still what the store last
//! synced. If someone changed the file meanwhile (a `git pull`), the row is still saved
//! and the file is left alone: the result says [`FileWrite::Conflict`]. Holding the write
//! lock across the file write serialises two processes saving the same workspace, so they
//! cannot interleave their file writes. Secret values found in a saved workspace are moved
//! to the secrets database and stripped from the row.

use crate::error::{db_error, Result, StoreError};
use crate::files::{self, hash_bytes};
use crate::sync::{self, Conflict};
use crate::{blocking, db::now_ms, secrets, Store};
use knot_model::{to_canonical_json, Workspace};
use serde::Serialize;
use sqlx::{Sqlite, Transaction};
use std::path::PathBuf;

pub type WorkspaceId = i64;

/// A workspace's row, without its body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkspaceInfo {
    pub id: WorkspaceId,
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// The linked `*.knot.json` file, if any.
    pub file: Option<PathBuf>,
    /// SHA-256 of the stored canonical JSON.
    pub body_hash: String,
}

/// A workspace read from the store.
#[derive(Clone, Debug)]
pub struct StoredWorkspace {
    pub info: WorkspaceInfo,
    pub workspace: Workspace,
}

/// What a save did to the linked file.
#[derive(Clone, Debug)]
pub enum FileWrite {
    /// The workspace has no linked file.
    NotLinked,
    /// The file already held these bytes.
    Unchanged { path: PathBuf },
    /// The file was rewritten (atomically).
    Written { path: PathBuf },
    /// The file changed (or vanished) on disk since the last sync while the store did
    /// not: nothing was written, and a sync reloads the file.
    ChangedOnDisk { path: PathBuf },
    /// The file changed on disk since the last sync and so did the store: the file was
    /// left alone.
    Conflict(Box<Conflict>),
    /// The file could not be read or written; the store copy is saved and the next sync
    /// retries.
    Failed { path: PathBuf, message: String },
}

/// The result of a save.
#[derive(Clone, Debug)]
pub struct Saved {
    pub id: WorkspaceId,
    /// False when the stored text was already identical.
    pub changed: bool,
    pub file: FileWrite,
}

pub(crate) type RowTuple = (i64, String, String, String, i64, i64, Option<String>);

pub(crate) const SELECT_ROW: &str =
    "SELECT w.id, w.name, w.body, w.body_hash, w.created_at, w.updated_at, f.path
     FROM workspaces w LEFT JOIN workspace_files f ON f.workspace_id = w.id";

impl Store {
    /// Saves a workspace under its name: updates the workspace of that name, or creates
    /// it. Durable when it returns; a linked file is rewritten too (see [`FileWrite`]).
    pub async fn save_workspace(&self, ws: &Workspace) -> Result<Saved> {
        self.save(None, ws).await
    }

    /// Saves a workspace over the one with this id (the name may change).
    pub async fn update_workspace(&self, id: WorkspaceId, ws: &Workspace) -> Result<Saved> {
        self.save(Some(id), ws).await
    }

    async fn save(&self, id: Option<WorkspaceId>, ws: &Workspace) -> Result<Saved> {
        let (clean, secret_values) = secrets::split(ws);
        if !secret_values.is_empty() {
            // The key first: values stripped from the workspace must have somewhere to go
            // before the stripped workspace is written.
            self.secret_key().await?;
        }
        let body = to_canonical_json(&clean);
        let hash = hash_bytes(body.as_bytes());
        let mut tx = self.begin_write("saving a workspace").await?;
        let existing = match id {
            Some(id) => Some(self.row_in(&mut tx, Lookup::Id(id)).await?.ok_or_else(|| {
                StoreError::UnknownWorkspace {
                    name: format!("#{id}"),
                    known: Vec::new(),
                }
            })?),
            None => self.row_in(&mut tx, Lookup::Name(&clean.name)).await?,
        };
        if let Some(other) = self.row_in(&mut tx, Lookup::Name(&clean.name)).await? {
            if existing.as_ref().map(|e| e.0) != Some(other.0) {
                return Err(StoreError::NameTaken {
                    name: clean.name.clone(),
                    origin: other.6.unwrap_or_else(|| "the store".into()),
                });
            }
        }
        let err = db_error(&self.db_path, "saving a workspace");
        let now = now_ms();
        let (id, changed) = match existing {
            Some(row) if row.3 == hash && row.1 == clean.name => (row.0, false),
            Some(row) => {
                sqlx::query("UPDATE workspaces SET name = ?, body = ?, body_hash = ?, updated_at = ? WHERE id = ?")
                    .bind(&clean.name).bind(&body).bind(&hash).bind(now).bind(row.0)
                    .execute(&mut *tx).await.map_err(&err)?;
                (row.0, true)
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO workspaces (name, body, body_hash, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&clean.name)
                .bind(&body)
                .bind(&hash)
                .bind(now)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(&err)?;
                (id, true)
            }
        };
        let file = self.write_linked(&mut tx, id, &clean, &body, &hash).await?;
        tx.commit().await.map_err(&err)?;
        if !secret_values.is_empty() {
            self.put_secrets(id, &secret_values).await?;
        }
        Ok(Saved { id, changed, file })
    }

    /// Rewrites the linked file if it is still what the last sync recorded.
    pub(crate) async fn write_linked(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        id: WorkspaceId,
        ws: &Workspace,
        body: &str,
        hash: &str,
    ) -> Result<FileWrite> {
        let Some(link) = sync::load_link(self, tx, id).await? else {
            return Ok(FileWrite::NotLinked);
        };
        let path = link.path.clone();
        let p = path.clone();
        let snapshot = match blocking(move || files::read_snapshot(&p)).await {
            Ok(s) => s,
            Err(e) => {
                return Ok(FileWrite::Failed {
                    path,
                    message: e.to_string(),
                })
            }
        };
        // Whether the store now differs from what the file was last synced with.
        let store_changed = hash != link.store_hash;
        match snapshot {
            Some(s) if s.hash == hash => {
                sync::record_sync(self, tx, id, &path, hash, hash, s.mtime_ms).await?;
                Ok(FileWrite::Unchanged { path })
            }
            // Nothing new to write: a hand-formatted file is not reformatted by a no-op save.
            Some(s) if s.hash == link.file_hash && !store_changed => {
                Ok(FileWrite::Unchanged { path })
            }
            Some(s) if s.hash == link.file_hash => {
                let (p, bytes) = (path.clone(), body.as_bytes().to_vec());
                match blocking(move || files::write_atomic(&p, &bytes)).await {
                    Ok(mtime) => {
                        sync::record_sync(self, tx, id, &path, hash, hash, mtime).await?;
                        Ok(FileWrite::Written { path })
                    }
                    Err(e) => Ok(FileWrite::Failed {
                        path,
                        message: e.to_string(),
                    }),
                }
            }
            _ if !store_changed => Ok(FileWrite::ChangedOnDisk { path }),
            other => Ok(FileWrite::Conflict(Box::new(Conflict::new(
                id,
                &link,
                ws.clone(),
                other.map(|s| s.bytes),
            )))),
        }
    }

    /// The workspace with this id.
    pub async fn workspace(&self, id: WorkspaceId) -> Result<StoredWorkspace> {
        let mut conn = self
            .db
            .acquire()
            .await
            .map_err(db_error(&self.db_path, "reading a workspace"))?;
        let row = self.row_on(&mut conn, Lookup::Id(id)).await?;
        match row {
            Some(row) => self.decode(row),
            None => Err(StoreError::UnknownWorkspace {
                name: format!("#{id}"),
                known: Vec::new(),
            }),
        }
    }

    /// The workspace with this name; the error lists the known names.
    pub async fn workspace_by_name(&self, name: &str) -> Result<StoredWorkspace> {
        let mut conn = self
            .db
            .acquire()
            .await
            .map_err(db_error(&self.db_path, "reading a workspace"))?;
        match self.row_on(&mut conn, Lookup::Name(name)).await? {
            Some(row) => self.decode(row),
            None => Err(StoreError::UnknownWorkspace {
                name: name.to_string(),
                known: self
                    .list_workspaces()
                    .await?
                    .into_iter()
                    .map(|w| w.name)
                    .collect(),
            }),
        }
    }

    /// Every workspace, by name.
    pub async fn list_workspaces(&self) -> Result<Vec<WorkspaceInfo>> {
        let sql = "SELECT w.id, w.name, w.created_at, w.updated_at, w.body_hash, f.path
                   FROM workspaces w LEFT JOIN workspace_files f ON f.workspace_id = w.id
                   ORDER BY w.name";
        let rows: Vec<(i64, String, i64, i64, String, Option<String>)> = sqlx::query_as(sql)
            .fetch_all(&self.db)
            .await
            .map_err(db_error(&self.db_path, "listing workspaces"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, created_at, updated_at, body_hash, file)| WorkspaceInfo {
                    id,
                    name,
                    created_at,
                    updated_at,
                    file: file.map(PathBuf::from),
                    body_hash,
                },
            )
            .collect())
    }

    /// Deletes a workspace, its file link and its secrets (never the file itself). Its
    /// history rows stay, detached.
    pub async fn delete_workspace(&self, id: WorkspaceId) -> Result<()> {
        sqlx::query("DELETE FROM workspaces WHERE id = ?")
            .bind(id)
            .execute(&self.db)
            .await
            .map_err(db_error(&self.db_path, "deleting a workspace"))?;
        self.delete_all_secrets(id).await
    }

    pub(crate) async fn begin_write(
        &self,
        what: &'static str,
    ) -> Result<Transaction<'static, Sqlite>> {
        self.db
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error(&self.db_path, what))
    }

    pub(crate) async fn row_in(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        lookup: Lookup<'_>,
    ) -> Result<Option<RowTuple>> {
        self.row_on(tx, lookup).await
    }

    async fn row_on(
        &self,
        conn: &mut sqlx::SqliteConnection,
        lookup: Lookup<'_>,
    ) -> Result<Option<RowTuple>> {
        let err = db_error(&self.db_path, "reading a workspace");
        match lookup {
            Lookup::Id(id) => sqlx::query_as(&format!("{SELECT_ROW} WHERE w.id = ?"))
                .bind(id)
                .fetch_optional(conn)
                .await
                .map_err(err),
            Lookup::Name(name) => sqlx::query_as(&format!("{SELECT_ROW} WHERE w.name = ?"))
                .bind(name)
                .fetch_optional(conn)
                .await
                .map_err(err),
        }
    }

    /// Parses a stored row. The text was written by this store, but the database is a file
    /// anyone can edit: a damaged row is an error naming it, never a panic.
    pub(crate) fn decode(&self, row: RowTuple) -> Result<StoredWorkspace> {
        let (id, name, body, body_hash, created_at, updated_at, file) = row;
        let workspace: Workspace =
            serde_json::from_str(&body).map_err(|e| StoreError::CorruptRow {
                path: self.db_path.clone(),
                table: "workspaces",
                row: format!("{id} (`{name}`)"),
                message: e.to_string(),
            })?;
        Ok(StoredWorkspace {
            info: WorkspaceInfo {
                id,
                name,
                created_at,
                updated_at,
                file: file.map(PathBuf::from),
                body_hash,
            },
            workspace,
        })
    }
}

/// How to find a workspace row.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lookup<'a> {
    Id(WorkspaceId),
    Name(&'a str),
}
