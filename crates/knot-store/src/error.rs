//! Every way the store can fail, as one enum whose variants carry a stable code
//! ([`StoreError::code`]) and a message that names the file, folder, table row or workspace
//! that is wrong. Hosts match on the code, never on the text; the text is for people.
//!
//! Database errors are converted at the edge (`db_error`) into plain strings that name the
//! database file, so no `sqlx` type leaks into the API and every message says *which* store
//! failed (the desktop app and a `knot` command may use different data folders).

use knot_model::Problem;
use std::path::{Path, PathBuf};

/// A store failure. `code()` is stable; the display text names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data folder or database file cannot be created or opened.
    #[error("cannot open the Knot store at {path}: {message}")]
    Open { path: PathBuf, message: String },

    /// The database was written by a newer Knot whose schema this build does not know.
    #[error("the Knot store at {path} has schema version {found}, written by a newer Knot (this Knot knows up to {known}): upgrade Knot or use another --data-dir")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    /// A query failed (disk full, locked for longer than the busy timeout, damaged file).
    #[error("the Knot store at {path} failed ({what}): {message}")]
    Database {
        path: PathBuf,
        what: &'static str,
        message: String,
    },

    /// A stored row cannot be read back (hand-edited or damaged database).
    #[error("the Knot store at {path}: {table} row {row} is damaged: {message}")]
    CorruptRow {
        path: PathBuf,
        table: &'static str,
        row: String,
        message: String,
    },

    /// A file or folder cannot be read or written.
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },

    /// A workspace file is not valid (syntax, version, shape or semantic problems).
    #[error("{} is not a valid workspace file ({} problem(s)):\n{}", path.display(), problems.len(), problems.iter().map(|p| format!("  {}: {p}", path.display())).collect::<Vec<_>>().join("\n"))]
    InvalidFile {
        path: PathBuf,
        problems: Vec<Problem>,
    },

    /// A workspace file is larger than the store accepts.
    #[error("{path} is {size} bytes; workspace files larger than {limit} bytes are refused")]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    /// No workspace with this name or id.
    #[error("no workspace `{name}` in the store{}", if known.is_empty() { String::new() } else { format!(" (known: {})", known.join(", ")) })]
    UnknownWorkspace { name: String, known: Vec<String> },

    /// Another workspace already has this name.
    #[error(
        "a workspace named `{name}` is already in the store (from {origin}); rename one of them"
    )]
    NameTaken { name: String, origin: String },

    /// Another workspace is already linked to this file.
    #[error("{path} is already linked to workspace `{name}`")]
    FileTaken { path: PathBuf, name: String },

    /// The workspace has no linked file, so there is nothing to sync.
    #[error("workspace `{name}` is not linked to a file")]
    NotLinked { name: String },

    /// A source with this name already exists in the workspace.
    #[error("workspace `{workspace}` already has a source named `{source_name}`")]
    SourceTaken {
        workspace: String,
        source_name: String,
    },

    /// A secret's environment or variable is not declared secret in the workspace.
    #[error("workspace `{workspace}`: {message}")]
    NotASecret { workspace: String, message: String },

    /// The key of the stored secret values cannot be had, or is not theirs. The values stay
    /// stored, unread, until the key is back.
    #[error("{message}")]
    SecretKey { message: String },

    /// Importing a source failed (OpenAPI document, .proto files, introspection).
    #[error("cannot import {origin}: {message}")]
    Import { origin: String, message: String },

    /// A workspace file could not be migrated from an older format version.
    #[error("{path}: cannot migrate from format version {from}: {message}")]
    Migration {
        path: PathBuf,
        from: u64,
        message: String,
    },
}

impl StoreError {
    /// A stable code for hosts (the desktop app matches on it, never on the text).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store-open",
            StoreError::NewerSchema { .. } => "store-newer-schema",
            StoreError::Database { .. } => "store-database",
            StoreError::CorruptRow { .. } => "store-corrupt-row",
            StoreError::Io { .. } => "io",
            StoreError::InvalidFile { .. } => "invalid-file",
            StoreError::FileTooLarge { .. } => "file-too-large",
            StoreError::UnknownWorkspace { .. } => "unknown-workspace",
            StoreError::NameTaken { .. } => "name-taken",
            StoreError::FileTaken { .. } => "file-taken",
            StoreError::NotLinked { .. } => "not-linked",
            StoreError::SourceTaken { .. } => "source-taken",
            StoreError::NotASecret { .. } => "not-a-secret",
            StoreError::SecretKey { .. } => "secret-key",
            StoreError::Import { .. } => "import",
            StoreError::Migration { .. } => "migration",
        }
    }

    pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// Converts a database error at the edge, naming the database file and the operation.
pub(crate) fn db_error<'a>(
    path: &'a Path,
    what: &'static str,
) -> impl Fn(sqlx::Error) -> StoreError + 'a {
    move |e| StoreError::Database {
        path: path.to_path_buf(),
        what,
        message: e.to_string(),
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
