-- Knot store, schema 1. Times are Unix milliseconds.

-- A workspace is its canonical JSON text (knot_model::to_canonical_json, secret values
-- stripped); `name` is copied out for lookups and uniqueness.
CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    body        TEXT    NOT NULL,
    body_hash   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The *.knot.json file a workspace is linked to, and what both sides looked like at the
-- last sync: `file_hash` of the file's bytes, `store_hash` of the stored body.
CREATE TABLE workspace_files (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    path          TEXT    NOT NULL UNIQUE,
    file_hash     TEXT    NOT NULL,
    store_hash    TEXT    NOT NULL,
    file_mtime_ms INTEGER,
    synced_at     INTEGER NOT NULL
);

-- Run history. Secret values are replaced by {{secret.NAME}} before a row is written.
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER REFERENCES workspaces(id) ON DELETE SET NULL,
    workspace     TEXT    NOT NULL,
    operation     TEXT,
    document      TEXT    NOT NULL,
    variables     TEXT    NOT NULL,
    environment   TEXT,
    response      TEXT    NOT NULL,
    trace         TEXT,
    started_at    INTEGER NOT NULL,
    duration_ms   REAL    NOT NULL
);
CREATE INDEX runs_by_time ON runs (started_at DESC, id DESC);
CREATE INDEX runs_by_workspace ON runs (workspace, started_at DESC);
CREATE INDEX runs_by_operation ON runs (operation);

-- Caches: introspection answers by URL, compiled descriptor sets by content hash.
CREATE TABLE cache (
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      BLOB    NOT NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TABLE recent_files (
    path       TEXT    PRIMARY KEY,
    opened_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
