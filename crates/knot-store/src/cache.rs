//! Caches: answers that are slow or need the network to get again, keyed by what produced
//! them: introspection results by endpoint URL, compiled `.proto` descriptor sets by a
//! hash of the files' names and contents.
//!
//! The main design choice: a cache entry is opaque bytes under `(kind, key)`, so each user
//! decides its own encoding and validity (a descriptor-set key changes whenever a file
//! changes, so such an entry never needs invalidating; an introspection entry is a fallback
//! for when the endpoint cannot be reached). Losing the cache loses nothing but time.

use crate::error::{db_error, Result};
use crate::files::hash_bytes;
use crate::{db::now_ms, Store};

/// What a cache entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheKind {
    /// A GraphQL source from introspection, as JSON; key: the endpoint URL.
    Introspection,
    /// A compiled descriptor set (protobuf bytes); key: [`proto_key`].
    ProtoDescriptors,
}

impl CacheKind {
    fn as_str(self) -> &'static str {
        match self {
            CacheKind::Introspection => "introspection",
            CacheKind::ProtoDescriptors => "proto-descriptors",
        }
    }
}

/// The cache key of a set of .proto files: a hash over their names and contents.
pub fn proto_key(files: &[(String, Vec<u8>)]) -> String {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Vec::new();
    for (name, bytes) in sorted {
        all.extend_from_slice(hash_bytes(name.as_bytes()).as_bytes());
        all.extend_from_slice(hash_bytes(bytes).as_bytes());
    }
    hash_bytes(&all)
}

impl Store {
    /// Stores (or replaces) a cache entry.
    pub async fn cache_put(&self, kind: CacheKind, key: &str, value: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO cache (kind, key, value, stored_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, stored_at = excluded.stored_at",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(value)
        .bind(now_ms())
        .execute(&self.db)
        .await
        .map(drop)
        .map_err(db_error(&self.db_path, "writing the cache"))
    }

    /// A cache entry, if present.
    pub async fn cache_get(&self, kind: CacheKind, key: &str) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT value FROM cache WHERE kind = ? AND key = ?")
            .bind(kind.as_str())
            .bind(key)
            .fetch_optional(&self.db)
            .await
            .map_err(db_error(&self.db_path, "reading the cache"))
    }

    /// Empties one kind of cache (or all of them); returns how many entries went.
    pub async fn cache_clear(&self, kind: Option<CacheKind>) -> Result<u64> {
        sqlx::query("DELETE FROM cache WHERE ? IS NULL OR kind = ?")
            .bind(kind.map(CacheKind::as_str))
            .bind(kind.map(CacheKind::as_str))
            .execute(&self.db)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_error(&self.db_path, "clearing the cache"))
    }
}
