//! A workspace linked to a `*.knot.json` file: import, export, link, and the sync that
//! notices when the file changed on disk (a `git pull`) and reloads it.
//!
//! The main design choice: three-way comparison by content hash. At every sync the store
//! records the hash of the file's bytes and the hash of its own row; at the next sync,
//! "file changed" and "store changed" are each one comparison with those records, so the
//! side that changed wins and when both did, the result is a [`Conflict`] carrying both
//! versions while neither is touched. The file's modification time is recorded for display
//! but never trusted to decide: it can stay the same across edits on coarse-clock file
//! systems, and a wrong "unchanged" would overwrite someone's pulled changes. A file that
//! is not canonical (hand-formatted) is reloaded but not rewritten, so syncing never makes
//! a diff in the user's repository by itself.

use crate::error::{db_error, Result, StoreError};
use crate::files::{self, hash_bytes, FileSnapshot};
use crate::workspaces::{Lookup, RowTuple, WorkspaceId, WorkspaceInfo};
use crate::{blocking, db::now_ms, secrets, upgrade, Store};
use knot_model::{to_canonical_json, Workspace};
use sqlx::{Sqlite, Transaction};
use std::path::{Path, PathBuf};

/// The link of a workspace to its file, as recorded at the last sync.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub path: PathBuf,
    pub file_hash: String,
    pub store_hash: String,
}

/// Both versions of a workspace that changed in the store and in its file since the last
/// sync. Nothing was overwritten; [`Store::resolve_conflict`] picks one.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub workspace_id: WorkspaceId,
    pub path: PathBuf,
    /// The store's version.
    pub store: Workspace,
    /// The file's bytes (None when the file was deleted).
    pub file_bytes: Option<Vec<u8>>,
    /// The file's version, when it is a valid workspace file.
    pub file: Option<Workspace>,
    /// Why the file's version cannot be read, when it cannot.
    pub file_problem: Option<String>,
}

impl Conflict {
    pub(crate) fn new(
        id: WorkspaceId,
        link: &Link,
        store: Workspace,
        bytes: Option<Vec<u8>>,
    ) -> Conflict {
        let (file, file_problem) = match &bytes {
            None => (None, Some(format!("{} was deleted", link.path.display()))),
            Some(b) => match upgrade::read_workspace(&link.path, b) {
                Ok(ws) => (Some(ws), None),
                Err(e) => (None, Some(e.to_string())),
            },
        };
        Conflict {
            workspace_id: id,
            path: link.path.clone(),
            store,
            file_bytes: bytes,
            file,
            file_problem,
        }
    }
}

/// Where a linked workspace stands, without changing anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileState {
    NotLinked,
    InSync,
    /// Edited in the store; the next sync writes the file.
    StoreChanged,
    /// Changed on disk; the next sync reloads it.
    FileChanged,
    /// Both changed: a conflict.
    BothChanged,
    FileMissing,
}

/// What a sync did.
#[derive(Clone, Debug)]
pub enum SyncOutcome {
    InSync {
        path: PathBuf,
    },
    /// The store's newer version was written to the file.
    FileWritten {
        path: PathBuf,
    },
    /// The file's newer version was loaded into the store.
    Reloaded {
        path: PathBuf,
    },
    /// The file is gone; nothing was changed (resolve with [`Keep::Store`] to rewrite it,
    /// or unlink).
    FileMissing {
        path: PathBuf,
    },
    Conflict(Box<Conflict>),
}

/// Which side of a conflict wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Store,
    File,
}

/// The result of importing a file.
#[derive(Clone, Debug)]
pub struct Imported {
    pub id: WorkspaceId,
    pub name: String,
    /// True when the file was new to the store; false when it was already linked, in which
    /// case `sync` says what the re-import did.
    pub created: bool,
    pub sync: Option<SyncOutcome>,
}

impl Store {
    /// Imports a workspace file and links the new workspace to it. A file that is already
    /// linked is synced instead. Nothing is written when the file is invalid.
    pub async fn import_file(&self, path: &Path) -> Result<Imported> {
        let abs = files::absolute(path)?;
        let (snapshot, ws) = read_file(&abs).await?;
        let mut tx = self.begin_write("importing a workspace file").await?;
        let linked: Option<i64> =
            sqlx::query_scalar("SELECT workspace_id FROM workspace_files WHERE path = ?")
                .bind(abs.to_string_lossy())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error(&self.db_path, "importing a workspace file"))?;
        if let Some(id) = linked {
            drop(tx);
            let sync = self.sync_workspace(id).await?;
            let name = self.workspace(id).await?.info.name;
            return Ok(Imported {
                id,
                name,
                created: false,
                sync: Some(sync),
            });
        }
        if let Some(other) = self.row_in(&mut tx, Lookup::Name(&ws.name)).await? {
            return Err(StoreError::NameTaken {
                name: ws.name.clone(),
                origin: other.6.unwrap_or_else(|| "the store".into()),
            });
        }
        let (clean, _) = secrets::split(&ws);
        let body = to_canonical_json(&clean);
        let hash = hash_bytes(body.as_bytes());
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (name, body, body_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&clean.name).bind(&body).bind(&hash).bind(now).bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error(&self.db_path, "importing a workspace file"))?;
        record_sync(
            self,
            &mut tx,
            id,
            &abs,
            &snapshot.hash,
            &hash,
            snapshot.mtime_ms,
        )
        .await?;
        tx.commit()
            .await
            .map_err(db_error(&self.db_path, "importing a workspace file"))?;
        Ok(Imported {
            id,
            name: clean.name,
            created: true,
            sync: None,
        })
    }

    /// Writes the workspace to a file (atomically) without linking it. Exporting onto the
    /// workspace's own linked file overwrites it and counts as a sync; a file linked to
    /// another workspace is refused.
    pub async fn export_file(&self, id: WorkspaceId, path: &Path) -> Result<PathBuf> {
        self.write_file(id, path, false).await
    }

    /// Writes the workspace to a file and links it there ("save as"), replacing any link.
    pub async fn link_file(&self, id: WorkspaceId, path: &Path) -> Result<PathBuf> {
        self.write_file(id, path, true).await
    }

    /// Forgets the link (the file stays).
    pub async fn unlink_file(&self, id: WorkspaceId) -> Result<()> {
        sqlx::query("DELETE FROM workspace_files WHERE workspace_id = ?")
            .bind(id)
            .execute(&self.db)
            .await
            .map(drop)
            .map_err(db_error(&self.db_path, "unlinking a file"))
    }

    async fn write_file(&self, id: WorkspaceId, path: &Path, link: bool) -> Result<PathBuf> {
        let abs = files::absolute(path)?;
        let mut tx = self.begin_write("writing a workspace file").await?;
        let row = self.existing(&mut tx, id).await?;
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT workspace_id FROM workspace_files WHERE path = ?")
                .bind(abs.to_string_lossy())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error(&self.db_path, "writing a workspace file"))?;
        if let Some(other) = owner.filter(|o| *o != id) {
            let name = self
                .existing(&mut tx, other)
                .await
                .map(|r| r.1)
                .unwrap_or_default();
            return Err(StoreError::FileTaken { path: abs, name });
        }
        // The stored body is canonical; decoding and re-encoding proves the row is sound.
        let ws = self.decode(row)?.workspace;
        let body = to_canonical_json(&ws);
        let hash = hash_bytes(body.as_bytes());
        let (p, bytes) = (abs.clone(), body.into_bytes());
        let mtime = blocking(move || files::write_atomic(&p, &bytes)).await?;
        if link || owner == Some(id) {
            if link {
                sqlx::query("DELETE FROM workspace_files WHERE workspace_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error(&self.db_path, "linking a file"))?;
            }
            record_sync(self, &mut tx, id, &abs, &hash, &hash, mtime).await?;
        }
        tx.commit()
            .await
            .map_err(db_error(&self.db_path, "writing a workspace file"))?;
        Ok(abs)
    }

    /// Compares the store and the linked file with the last sync, changing nothing.
    pub async fn file_state(&self, id: WorkspaceId) -> Result<FileState> {
        let mut tx = self.begin_read().await?;
        let row = self.existing(&mut tx, id).await?;
        let Some(link) = load_link(self, &mut tx, id).await? else {
            return Ok(FileState::NotLinked);
        };
        drop(tx);
        let p = link.path.clone();
        let Some(snapshot) = blocking(move || files::read_snapshot(&p)).await? else {
            return Ok(FileState::FileMissing);
        };
        let file_changed = snapshot.hash != link.file_hash && snapshot.hash != row.3;
        let store_changed = row.3 != link.store_hash && snapshot.hash != row.3;
        Ok(match (file_changed, store_changed) {
            (false, false) => FileState::InSync,
            (false, true) => FileState::StoreChanged,
            (true, false) => FileState::FileChanged,
            (true, true) => FileState::BothChanged,
        })
    }

    /// Brings a linked workspace and its file together (see the module documentation).
    /// An invalid file is an error naming it; the store is left as it was.
    pub async fn sync_workspace(&self, id: WorkspaceId) -> Result<SyncOutcome> {
        let mut tx = self.begin_write("syncing a workspace file").await?;
        let row = self.existing(&mut tx, id).await?;
        let link = load_link(self, &mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotLinked {
                name: row.1.clone(),
            })?;
        let path = link.path.clone();
        let p = path.clone();
        let Some(snapshot) = blocking(move || files::read_snapshot(&p)).await? else {
            return Ok(SyncOutcome::FileMissing { path });
        };
        let store_hash = row.3.clone();
        let file_changed = snapshot.hash != link.file_hash;
        let store_changed = store_hash != link.store_hash;
        let outcome = if snapshot.hash == store_hash || (!file_changed && !store_changed) {
            record_sync(
                self,
                &mut tx,
                id,
                &path,
                &snapshot.hash,
                &store_hash,
                snapshot.mtime_ms,
            )
            .await?;
            SyncOutcome::InSync { path }
        } else if !file_changed {
            self.keep_store(&mut tx, id, row, &path).await?;
            SyncOutcome::FileWritten { path }
        } else if !store_changed {
            self.keep_file(&mut tx, id, &path, snapshot).await?;
            SyncOutcome::Reloaded { path }
        } else {
            let store = self.decode(row)?.workspace;
            return Ok(SyncOutcome::Conflict(Box::new(Conflict::new(
                id,
                &link,
                store,
                Some(snapshot.bytes),
            ))));
        };
        tx.commit()
            .await
            .map_err(db_error(&self.db_path, "syncing a workspace file"))?;
        Ok(outcome)
    }

    /// Syncs every linked workspace; one failing does not stop the others.
    pub async fn sync_all(&self) -> Result<Vec<(WorkspaceInfo, Result<SyncOutcome>)>> {
        let mut out = Vec::new();
        for info in self
            .list_workspaces()
            .await?
            .into_iter()
            .filter(|w| w.file.is_some())
        {
            let outcome = self.sync_workspace(info.id).await;
            out.push((info, outcome));
        }
        Ok(out)
    }

    /// Ends a conflict: the chosen side overwrites the other.
    pub async fn resolve_conflict(&self, id: WorkspaceId, keep: Keep) -> Result<SyncOutcome> {
        let mut tx = self.begin_write("resolving a conflict").await?;
        let row = self.existing(&mut tx, id).await?;
        let link = load_link(self, &mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotLinked {
                name: row.1.clone(),
            })?;
        let path = link.path;
        let outcome = match keep {
            Keep::Store => {
                self.keep_store(&mut tx, id, row, &path).await?;
                SyncOutcome::FileWritten { path }
            }
            Keep::File => {
                let p = path.clone();
                let snapshot = blocking(move || files::read_snapshot(&p))
                    .await?
                    .ok_or_else(|| StoreError::io(&path, "the file does not exist"))?;
                self.keep_file(&mut tx, id, &path, snapshot).await?;
                SyncOutcome::Reloaded { path }
            }
        };
        tx.commit()
            .await
            .map_err(db_error(&self.db_path, "resolving a conflict"))?;
        Ok(outcome)
    }

    /// Writes the stored version over the file.
    async fn keep_store(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        id: WorkspaceId,
        row: RowTuple,
        path: &Path,
    ) -> Result<()> {
        let ws = self.decode(row)?.workspace;
        let body = to_canonical_json(&ws);
        let hash = hash_bytes(body.as_bytes());
        let (p, bytes) = (path.to_path_buf(), body.into_bytes());
        let mtime = blocking(move || files::write_atomic(&p, &bytes)).await?;
        record_sync(self, tx, id, path, &hash, &hash, mtime).await
    }

    /// Loads the file's version into the store (the file itself is not rewritten).
    async fn keep_file(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        id: WorkspaceId,
        path: &Path,
        snapshot: FileSnapshot,
    ) -> Result<()> {
        let ws = upgrade::read_workspace(path, &snapshot.bytes)?;
        // A valid file cannot hold a secret's value (`secret-in-file`), so nothing is lost.
        let (clean, _) = secrets::split(&ws);
        if let Some(other) = self.row_in(tx, Lookup::Name(&clean.name)).await? {
            if other.0 != id {
                return Err(StoreError::NameTaken {
                    name: clean.name,
                    origin: other.6.unwrap_or_else(|| "the store".into()),
                });
            }
        }
        let body = to_canonical_json(&clean);
        let hash = hash_bytes(body.as_bytes());
        sqlx::query(
            "UPDATE workspaces SET name = ?, body = ?, body_hash = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&clean.name)
        .bind(&body)
        .bind(&hash)
        .bind(now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_error(&self.db_path, "reloading a workspace file"))?;
        record_sync(self, tx, id, path, &snapshot.hash, &hash, snapshot.mtime_ms).await
    }

    async fn existing(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        id: WorkspaceId,
    ) -> Result<RowTuple> {
        self.row_in(tx, Lookup::Id(id))
            .await?
            .ok_or_else(|| StoreError::UnknownWorkspace {
                name: format!("#{id}"),
                known: Vec::new(),
            })
    }

    async fn begin_read(&self) -> Result<Transaction<'static, Sqlite>> {
        self.db
            .begin()
            .await
            .map_err(db_error(&self.db_path, "reading a workspace"))
    }
}

/// Reads and checks a workspace file (any supported version) off the executor.
async fn read_file(path: &Path) -> Result<(FileSnapshot, Workspace)> {
    let p = path.to_path_buf();
    blocking(move || {
        let snapshot =
            files::read_snapshot(&p)?.ok_or_else(|| StoreError::io(&p, "no such file"))?;
        let ws = upgrade::read_workspace(&p, &snapshot.bytes)?;
        Ok((snapshot, ws))
    })
    .await
}

pub(crate) async fn load_link(
    store: &Store,
    tx: &mut Transaction<'static, Sqlite>,
    id: WorkspaceId,
) -> Result<Option<Link>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT path, file_hash, store_hash FROM workspace_files WHERE workspace_id = ?",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error(&store.db_path, "reading a file link"))?;
    Ok(row.map(|(path, file_hash, store_hash)| Link {
        path: PathBuf::from(path),
        file_hash,
        store_hash,
    }))
}

pub(crate) async fn record_sync(
    store: &Store,
    tx: &mut Transaction<'static, Sqlite>,
    id: WorkspaceId,
    path: &Path,
    file_hash: &str,
    store_hash: &str,
    mtime_ms: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO workspace_files (workspace_id, path, file_hash, store_hash, file_mtime_ms, synced_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id) DO UPDATE SET path = excluded.path, file_hash = excluded.file_hash,
           store_hash = excluded.store_hash, file_mtime_ms = excluded.file_mtime_ms, synced_at = excluded.synced_at",
    )
    .bind(id)
    .bind(path.to_string_lossy())
    .bind(file_hash)
    .bind(store_hash)
    .bind(mtime_ms)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map(drop)
    .map_err(db_error(&store.db_path, "recording a sync"))
}
