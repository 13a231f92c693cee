//! Secret values sealed at rest: XChaCha20-Poly1305 with a random 24-byte nonce per value and
//! the value's workspace, environment and name as associated data (a sealed value moved to
//! another row does not open), under one 256-bit key per store.
//!
//! The main design choice: the key never lives in `secrets.db`. It is kept in the OS keyring
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) under service
//! `knot` and an account named by a random id recorded in the store; where no keyring is
//! reachable (CI, headless servers, `KNOT_KEYRING=off`) it is kept in `secrets.key` beside
//! the store, owner-only, and a warning says so once per process. Which home a store uses is
//! recorded with the store (`secret_key` table) together with a known text sealed under the
//! key, so a missing or wrong key is a clear [`StoreError::SecretKey`] before any value is
//! read, never a silent loss, and a store never switches homes behind the person's back.
//! Values written before sealing existed are sealed on the first unlock, in one transaction.

use crate::error::{db_error, Result, StoreError};
use crate::Store;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::{Path, PathBuf};

/// The key file used where no OS keyring is reachable (inside the data folder).
pub const KEY_FILE: &str = "secrets.key";
/// `KNOT_KEYRING=off` keeps the key of a new store in [`KEY_FILE`] even where a keyring exists.
pub const KEYRING_ENV: &str = "KNOT_KEYRING";
/// The keyring service name of every Knot store's key.
pub const KEYRING_SERVICE: &str = "knot";

/// The format byte in front of each sealed value (nonce and ciphertext follow).
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;
/// Sealed under the key when the store gets it: opening it proves a key is this store's.
const CHECK_TEXT: &[u8] = b"knot secrets key check v1";
const CHECK_AAD: &[u8] = b"knot\0check";

/// Whether a store without a key yet may put it in the OS keyring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyringUse {
    /// The keyring when one is reachable, else the key file.
    Auto,
    /// Always the key file.
    Off,
}

impl KeyringUse {
    /// `Off` when `KNOT_KEYRING` is `off` (or `0`, `false`), else `Auto`.
    pub fn from_env() -> KeyringUse {
        match std::env::var(KEYRING_ENV) {
            Ok(v) if matches!(v.trim(), "off" | "0" | "false") => KeyringUse::Off,
            _ => KeyringUse::Auto,
        }
    }
}

/// Where a store's key is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyHome {
    /// The OS keyring, service [`KEYRING_SERVICE`], this account.
    Keyring { account: String },
    /// A file beside the store (owner-only).
    File { path: PathBuf },
}

impl std::fmt::Display for KeyHome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyHome::Keyring { account } => {
                write!(
                    f,
                    "the OS keyring (service `{KEYRING_SERVICE}`, account `{account}`)"
                )
            }
            KeyHome::File { path } => write!(f, "the key file {}", path.display()),
        }
    }
}

/// A store's unlocked key.
pub(crate) struct SecretKey {
    cipher: XChaCha20Poly1305,
    home: KeyHome,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(in {})", self.home)
    }
}

/// The associated data of one secret value: where it belongs.
pub(crate) fn value_aad(workspace: i64, environment: &str, name: &str) -> Vec<u8> {
    format!("knot\0secret\0{workspace}\0{environment}\0{name}").into_bytes()
}

impl SecretKey {
    fn new(key: &[u8; 32], home: KeyHome) -> SecretKey {
        SecretKey {
            cipher: XChaCha20Poly1305::new(key.into()),
            home,
        }
    }

    pub(crate) fn home(&self) -> &KeyHome {
        &self.home
    }

    /// `FORMAT | nonce | ciphertext+tag`, with a fresh random nonce.
    pub(crate) fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| key_error("sealing a secret value failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plain bytes, or `None` when the value is not one this key sealed for `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let rest = sealed.strip_prefix(&[FORMAT])?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .ok()
    }
}

fn key_error(message: impl Into<String>) -> StoreError {
    StoreError::SecretKey {
        message: message.into(),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

fn random_key() -> [u8; 32] {
    XChaCha20Poly1305::generate_key(&mut OsRng).into()
}

/// Blocking keyring calls (D-Bus on Linux) run off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| key_error(format!("the keyring call did not finish: {e}")))
}

fn keyring_get(account: &str) -> std::result::Result<String, keyring::Error> {
    keyring::Entry::new(KEYRING_SERVICE, account)?.get_password()
}

/// Stores a new key in the keyring and reads it back (a keyring that forgets is no keyring).
fn keyring_put(account: &str, key: &[u8; 32]) -> std::result::Result<(), String> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(|e| e.to_string())?;
    entry
        .set_password(&to_hex(key))
        .map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(back) if key_from_hex(&back).as_ref() == Some(key) => Ok(()),
        Ok(_) => Err("the keyring returned another value than was stored".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads the key file, or creates it (owner-only, never overwriting one that exists). The key
/// is written to a temporary file first and linked into place, so another process never reads
/// a half-written key.
fn key_file_read_or_create(path: &Path) -> Result<[u8; 32]> {
    if path.exists() {
        return key_file_read(path);
    }
    let key = random_key();
    let tmp = path.with_extension(format!("key.{}.tmp", to_hex(&random_key()[..6])));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&tmp)
        .and_then(|mut file| {
            use std::io::Write;
            file.write_all(to_hex(&key).as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(key),
        // Another process linked its key first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => key_file_read(path),
        Err(e) => Err(key_error(format!(
            "cannot write the secrets key file {}: {e}",
            path.display()
        ))),
    }
}

fn key_file_read(path: &Path) -> Result<[u8; 32]> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        key_error(format!(
            "the key of the stored secret values is kept in {}, which cannot be read ({e}); \
             the values stay stored and can be read again once the file is back",
            path.display()
        ))
    })?;
    key_from_hex(&text).ok_or_else(|| {
        key_error(format!(
            "{} is not a Knot secrets key (64 hex digits expected)",
            path.display()
        ))
    })
}

/// The row of the `secret_key` table.
type KeyRow = (String, String, Vec<u8>);

impl Store {
    /// The store's key, unlocked once per `Store` (its clones share it). The first unlock
    /// of a store without a key makes one (keyring, else key file) and seals the values
    /// stored before sealing existed.
    pub(crate) async fn secret_key(&self) -> Result<std::sync::Arc<SecretKey>> {
        self.key
            .get_or_try_init(|| async { self.unlock().await.map(std::sync::Arc::new) })
            .await
            .cloned()
    }

    /// Where the key of this store's secret values is kept (unlocking it if needed).
    pub async fn secret_key_home(&self) -> Result<KeyHome> {
        Ok(self.secret_key().await?.home().clone())
    }

    async fn key_row(&self) -> Result<Option<KeyRow>> {
        sqlx::query_as("SELECT home, account, check_value FROM secret_key WHERE id = 1")
            .fetch_optional(&self.secrets)
            .await
            .map_err(db_error(
                &self.secrets_path,
                "reading the secrets key record",
            ))
    }

    async fn unlock(&self) -> Result<SecretKey> {
        let key = match self.key_row().await? {
            Some(row) => self.recorded_key(row).await?,
            None => self.new_key().await?,
        };
        self.seal_plain_values(&key).await?;
        Ok(key)
    }

    /// The key from where the store's record says it is, checked against the record.
    async fn recorded_key(&self, (home, account, check): KeyRow) -> Result<SecretKey> {
        let (bytes, home) = if home == "keyring" {
            let acc = account.clone();
            let got = blocking(move || keyring_get(&acc)).await?;
            let home = KeyHome::Keyring { account };
            let text = got.map_err(|e| {
                let why = match e {
                    keyring::Error::NoEntry => "has no such entry".to_string(),
                    other => format!("cannot be reached: {other}"),
                };
                key_error(format!(
                    "the key of the stored secret values is kept in {home}, which {why}; the \
                     values stay stored in {} and can be read again once the keyring (or the \
                     entry) is back",
                    self.secrets_path.display()
                ))
            })?;
            let bytes = key_from_hex(&text)
                .ok_or_else(|| key_error(format!("{home} does not hold a Knot secrets key")))?;
            (bytes, home)
        } else {
            let path = self.dir.join(&account);
            (key_file_read(&path)?, KeyHome::File { path })
        };
        let key = SecretKey::new(&bytes, home);
        if key.open(CHECK_AAD, &check).as_deref() != Some(CHECK_TEXT) {
            return Err(key_error(format!(
                "the key in {} is not the key of the secret values in {} (they stay stored, \
                 unread); restore the right key",
                key.home(),
                self.secrets_path.display()
            )));
        }
        Ok(key)
    }

    /// A new key for a store without one: in the keyring when reachable, else in the key
    /// file. Another process may record a key at the same moment: the first record wins and
    /// the loser's keyring entry is removed.
    async fn new_key(&self) -> Result<SecretKey> {
        let mut made: Option<([u8; 32], KeyHome)> = None;
        if self.keyring == KeyringUse::Auto {
            let key = random_key();
            let account = format!("secrets-key-{}", to_hex(&random_key()[..8]));
            let acc = account.clone();
            match blocking(move || keyring_put(&acc, &key)).await? {
                Ok(()) => made = Some((key, KeyHome::Keyring { account })),
                Err(e) => warn_no_keyring(&self.dir.join(KEY_FILE), &e),
            }
        }
        let (bytes, home) = match made {
            Some(m) => m,
            None => {
                let path = self.dir.join(KEY_FILE);
                (key_file_read_or_create(&path)?, KeyHome::File { path })
            }
        };
        let key = SecretKey::new(&bytes, home);
        let (home_name, account) = match key.home() {
            KeyHome::Keyring { account } => ("keyring", account.clone()),
            KeyHome::File { .. } => ("file", KEY_FILE.to_string()),
        };
        let check = key.seal(CHECK_AAD, CHECK_TEXT)?;
        let inserted = sqlx::query(
            "INSERT INTO secret_key (id, home, account, check_value, created_at) VALUES (1, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(home_name)
        .bind(&account)
        .bind(&check)
        .bind(crate::db::now_ms())
        .execute(&self.secrets)
        .await
        .map_err(db_error(&self.secrets_path, "recording the secrets key"))?
        .rows_affected();
        if inserted == 1 {
            return Ok(key);
        }
        if let KeyHome::Keyring { account } = key.home() {
            let acc = account.clone();
            let _ = blocking(move || {
                keyring::Entry::new(KEYRING_SERVICE, &acc).and_then(|e| e.delete_credential())
            })
            .await;
        }
        match self.key_row().await? {
            Some(row) => self.recorded_key(row).await,
            None => Err(key_error(
                "the secrets key record vanished while it was written",
            )),
        }
    }

    /// Seals the values stored in plain text (stores from before sealing), all in one
    /// transaction, then truncates the WAL so no plain copy stays in it.
    async fn seal_plain_values(&self, key: &SecretKey) -> Result<()> {
        let err = db_error(&self.secrets_path, "sealing stored secret values");
        let mut tx = self
            .secrets
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        let plain: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT workspace_id, environment, name, value FROM secrets WHERE sealed IS NULL",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(&err)?;
        if plain.is_empty() {
            return Ok(());
        }
        for (id, environment, name, value) in &plain {
            let sealed = key.seal(&value_aad(*id, environment, name), value.as_bytes())?;
            sqlx::query(
                "UPDATE secrets SET value = '', sealed = ?
                 WHERE workspace_id = ? AND environment = ? AND name = ? AND sealed IS NULL",
            )
            .bind(&sealed)
            .bind(id)
            .bind(environment)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        // Best effort: another process reading may keep the WAL from being truncated now; it is
        // truncated at a later checkpoint.
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.secrets)
            .await;
        tracing::info!(
            count = plain.len(),
            "sealed the secret values stored before sealing existed"
        );
        Ok(())
    }
}

/// Said once per process: where no keyring is reachable the key is a file beside the store.
fn warn_no_keyring(path: &Path, why: &str) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        tracing::warn!(
            "no OS keyring is reachable ({why}): the key sealing stored secret values is kept in \
             {} (owner-only). It protects a copy of secrets.db made without that file, not \
             against someone who can read your data folder",
            path.display()
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_with_its_key_and_its_place() {
        let key = SecretKey::new(
            &random_key(),
            KeyHome::File {
                path: PathBuf::from("k"),
            },
        );
        let aad = value_aad(1, "local", "TOKEN");
        let a = key.seal(&aad, b"s3cret").unwrap_or_default();
        let b = key.seal(&aad, b"s3cret").unwrap_or_default();
        assert_ne!(a, b, "a fresh nonce per value");
        assert_eq!(key.open(&aad, &a).as_deref(), Some(&b"s3cret"[..]));
        assert_eq!(key.open(&value_aad(1, "local", "OTHER"), &a), None);
        let other = SecretKey::new(
            &random_key(),
            KeyHome::File {
                path: PathBuf::from("k"),
            },
        );
        assert_eq!(other.open(&aad, &a), None);
        let mut tampered = a.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(key.open(&aad, &tampered), None);
        assert_eq!(key.open(&aad, &a[..10]), None);
    }

    #[test]
    fn keys_round_trip_through_hex() {
        let k = random_key();
        assert_eq!(key_from_hex(&to_hex(&k)), Some(k));
        assert_eq!(key_from_hex("zz"), None);
        assert_eq!(key_from_hex(&"é".repeat(32)), None);
    }
}
