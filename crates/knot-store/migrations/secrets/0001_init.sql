-- Knot secrets, schema 1: a separate database file (secrets.db, mode 0600) so that
-- knot.db, its WAL and anything copied from it never hold a secret's value.
CREATE TABLE secrets (
    workspace_id  INTEGER NOT NULL,
    environment   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, environment, name)
) WITHOUT ROWID;
