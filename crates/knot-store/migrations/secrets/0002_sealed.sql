-- Knot secrets, schema 2: values sealed at rest (XChaCha20-Poly1305) with a key kept outside
-- this file: in the OS keyring, or, where none is reachable, in secrets.key beside it
-- (owner-only). Values stored before schema 2 are sealed on the first unlock (`value` then
-- holds '' and `sealed` the version byte, nonce and ciphertext).
ALTER TABLE secrets ADD COLUMN sealed BLOB;

-- Where this store's key is kept, and a known text sealed under it, so a wrong key is an
-- error before any value is read.
CREATE TABLE secret_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    home        TEXT    NOT NULL CHECK (home IN ('keyring', 'file')),
    account     TEXT    NOT NULL,
    check_value BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
