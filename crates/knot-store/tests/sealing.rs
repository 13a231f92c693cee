//! Secret values are sealed at rest with a key kept outside `secrets.db`: in a real Secret
//! Service (gnome-keyring under its own D-Bus session, started by the test) or, where no
//! keyring is reachable, in an owner-only `secrets.key` beside the store. Stores from before
//! sealing are sealed on first unlock without losing a value; a missing or wrong key is a
//! clear `secret-key` error and the values stay stored.

mod common;

use knot_store::{KeyHome, KeyringUse, Store, StoreError};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VALUE: &str = "sk_sealed_5b8e1c0d";

fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// secrets.db and its WAL, as bytes.
fn raw_secrets(dir: &Path) -> Vec<u8> {
    let mut raw = std::fs::read(dir.join("secrets.db")).unwrap_or_default();
    raw.extend(std::fs::read(dir.join("secrets.db-wal")).unwrap_or_default());
    raw
}

/// A store with workspace `w` (its secret `API_KEY` in `local` set to VALUE).
async fn store_with_secret(dir: &Path, keyring: KeyringUse) -> (Store, i64) {
    let store = Store::open_with(dir, keyring).await.unwrap();
    let id = store
        .save_workspace(&common::workspace("w"))
        .await
        .unwrap()
        .id;
    store
        .set_secret(id, "local", "API_KEY", VALUE)
        .await
        .unwrap();
    (store, id)
}

/// Turns the store in `dir` back into one from before sealing (schema 1, the value in plain
/// text), as an older Knot left it.
async fn make_unsealed(dir: &Path, id: i64) {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("secrets.db"))
        .connect()
        .await
        .unwrap();
    for sql in [
        "DELETE FROM secrets",
        "DROP TABLE secret_key",
        "ALTER TABLE secrets DROP COLUMN sealed",
        "DELETE FROM schema_migrations WHERE version = 2",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO secrets (workspace_id, environment, name, value, updated_at) VALUES (?, 'local', 'API_KEY', ?, 0)",
    )
    .bind(id)
    .bind(VALUE)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let _ = std::fs::remove_file(dir.join("secrets.key"));
}

/// What every home must do: sealed bytes, the value read back by a new process, an old
/// store sealed on first unlock, a missing or wrong key a clear error that deletes nothing.
/// `take_key` removes the key from its home and returns a way to put it back; `wrong_key`
/// puts another key there.
async fn sealed_everywhere<T, R, W>(
    keyring: KeyringUse,
    expect_keyring: bool,
    take_key: T,
    wrong_key: W,
) where
    T: Fn(&KeyHome, &Path) -> R,
    R: FnOnce(),
    W: Fn(&KeyHome, &Path),
{
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let (store, id) = store_with_secret(dir, keyring).await;
    let home = store.secret_key_home().await.unwrap();
    assert_eq!(
        matches!(home, KeyHome::Keyring { .. }),
        expect_keyring,
        "the key's home: {home}"
    );
    assert_eq!(dir.join("secrets.key").exists(), !expect_keyring);
    assert!(
        !contains_bytes(&raw_secrets(dir), VALUE.as_bytes()),
        "secrets.db holds the value in plain text"
    );
    assert!(
        contains_bytes(&raw_secrets(dir), b"API_KEY"),
        "positive control: the search finds what is stored in plain text"
    );
    store.close().await;

    // Another process (a new store) reads it back.
    let store = Store::open_with(dir, keyring).await.unwrap();
    assert_eq!(store.secrets(id, None).await.unwrap()[0].value, VALUE);
    store.close().await;

    // A store from before sealing: the plain value is sealed on the first unlock, kept.
    make_unsealed(dir, id).await;
    assert!(contains_bytes(&raw_secrets(dir), VALUE.as_bytes()));
    let store = Store::open_with(dir, keyring).await.unwrap();
    assert_eq!(store.secret_names(id).await.unwrap().len(), 1);
    assert_eq!(
        store.secrets(id, Some("local")).await.unwrap()[0].value,
        VALUE,
        "the value stored before sealing is kept"
    );
    let home = store.secret_key_home().await.unwrap();
    store.close().await;
    assert!(
        !contains_bytes(&raw_secrets(dir), VALUE.as_bytes()),
        "the old plain value is gone from secrets.db and its WAL"
    );

    // The key is gone: a clear error, and the value is still stored.
    let put_back = take_key(&home, dir);
    let store = Store::open_with(dir, keyring).await.unwrap();
    match store.secrets(id, None).await {
        Err(e @ StoreError::SecretKey { .. }) => {
            assert_eq!(e.code(), "secret-key");
            let text = e.to_string();
            assert!(
                text.contains("stay stored"),
                "the error says nothing is lost: {text}"
            );
        }
        other => panic!("a missing key must be an error, got {other:?}"),
    }
    assert!(
        store
            .set_secret(id, "local", "API_KEY", "other")
            .await
            .is_err(),
        "nothing is written without the key"
    );
    assert_eq!(store.secret_names(id).await.unwrap().len(), 1);
    store.close().await;
    put_back();
    let store = Store::open_with(dir, keyring).await.unwrap();
    assert_eq!(
        store.secrets(id, None).await.unwrap()[0].value,
        VALUE,
        "with the key back, the value reads again"
    );
    store.close().await;

    // Another key in its place: a clear error, not garbage or an empty list.
    wrong_key(&home, dir);
    let store = Store::open_with(dir, keyring).await.unwrap();
    match store.secrets(id, None).await {
        Err(e @ StoreError::SecretKey { .. }) => {
            assert!(e.to_string().contains("not the key"), "{e}")
        }
        other => panic!("a wrong key must be an error, got {other:?}"),
    }
    assert_eq!(store.secret_names(id).await.unwrap().len(), 1);
    store.close().await;
}

const OTHER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn take_key_file(home: &KeyHome, _: &Path) -> impl FnOnce() {
    let KeyHome::File { path } = home.clone() else {
        panic!("{home}")
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "secrets.key is owner-only: {mode:o}");
    }
    let saved = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    move || std::fs::write(&path, saved).unwrap()
}

fn wrong_key_file(home: &KeyHome, _: &Path) {
    let KeyHome::File { path } = home else {
        panic!("{home}")
    };
    std::fs::write(path, OTHER_KEY).unwrap();
}

#[tokio::test]
async fn without_a_keyring_the_key_is_an_owner_only_file_beside_the_store() {
    sealed_everywhere(KeyringUse::Off, false, take_key_file, wrong_key_file).await;
}

/// Runs `inner` (an ignored test of this file) in a child process with `env`, and fails
/// with its output when it fails.
fn run_inner(inner: &str, env: &[(&str, &std::ffi::OsStr)], wrap: Option<&str>) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match wrap {
        Some(script) => {
            let mut c = Command::new("dbus-run-session");
            c.args(["--", "sh", "-c", script]);
            c
        }
        None => Command::new(&exe),
    };
    if wrap.is_none() {
        cmd.args([
            "--exact",
            inner,
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ]);
    }
    // Removed first: `env` may set them.
    let mut child = cmd
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("KNOT_KEYRING")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .env("TEST_BIN", &exe)
        .env("TEST_NAME", inner)
        .env(SESSION_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{inner} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(status.success(), "{inner}:\n{text}");
    assert!(text.contains("1 passed"), "{inner} did not run:\n{text}");
}

/// Where no keyring answers (no D-Bus session, as in CI), a store left to choose
/// (`KeyringUse::Auto`) keeps its key in the file, and everything else holds.
#[test]
fn with_no_keyring_reachable_a_new_store_falls_back_to_the_key_file() {
    run_inner(
        "with_no_keyring_reachable",
        &[
            (
                "DBUS_SESSION_BUS_ADDRESS",
                std::ffi::OsStr::new("unix:path=/nonexistent/knot-test-bus"),
            ),
            ("DISPLAY", std::ffi::OsStr::new("")),
        ],
        None,
    );
}

#[tokio::test]
#[ignore = "run by with_no_keyring_reachable_a_new_store_falls_back_to_the_key_file"]
async fn with_no_keyring_reachable() {
    assert_eq!(std::env::var(SESSION_ENV).as_deref(), Ok("1"));
    sealed_everywhere(KeyringUse::Auto, false, take_key_file, wrong_key_file).await;
}

const SESSION_ENV: &str = "KNOT_TEST_IN_KEYRING_SESSION";

/// Runs [`in_a_real_secret_service`] in a D-Bus session of its own with gnome-keyring's
/// Secret Service unlocked (a throwaway login keyring in a temporary HOME), as a desktop
/// session has it.
#[cfg(target_os = "linux")]
#[test]
fn secrets_are_sealed_with_a_key_in_a_real_secret_service() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "{tool} is missing: install the Debian packages dbus and gnome-keyring (scripts/setup.sh)"
        );
    }
    let home = tempfile::tempdir().unwrap();
    let script = r#"
        set -e
        mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
        printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        exec "$TEST_BIN" --exact "$TEST_NAME" --ignored --nocapture --test-threads 1
    "#;
    let (h, d, r) = (
        home.path().join("home"),
        home.path().join("home/.local/share"),
        home.path().join("run"),
    );
    run_inner(
        "in_a_real_secret_service",
        &[
            ("HOME", h.as_os_str()),
            ("XDG_DATA_HOME", d.as_os_str()),
            ("XDG_RUNTIME_DIR", r.as_os_str()),
        ],
        Some(script),
    );
}

/// The keyring scenario itself; run only inside the session above.
#[tokio::test]
#[ignore = "run by secrets_are_sealed_with_a_key_in_a_real_secret_service in its own D-Bus session"]
async fn in_a_real_secret_service() {
    assert_eq!(
        std::env::var(SESSION_ENV).as_deref(),
        Ok("1"),
        "run through secrets_are_sealed_with_a_key_in_a_real_secret_service"
    );
    let entry = |home: &KeyHome| {
        let KeyHome::Keyring { account } = home else {
            panic!("{home}")
        };
        keyring::Entry::new(knot_store::sealing::KEYRING_SERVICE, account).unwrap()
    };
    sealed_everywhere(
        KeyringUse::Auto,
        true,
        |home, _| {
            let e = entry(home);
            let saved = e.get_password().unwrap();
            e.delete_credential().unwrap();
            move || e.set_password(&saved).unwrap()
        },
        |home, _| entry(home).set_password(OTHER_KEY).unwrap(),
    )
    .await;
}

/// Two processes (two stores on one folder) unlocking a new store at the same moment agree on
/// one key: both values they write read back through a third.
#[tokio::test]
async fn two_stores_unlocking_at_once_agree_on_one_key() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let mut ws = common::small_json("w");
    ws["environments"]["local"]["variables"]["OTHER_KEY"] = serde_json::json!({"secret": true});
    let first = Store::open_with(dir, KeyringUse::Off).await.unwrap();
    let id = first
        .save_workspace(&common::from_json(ws))
        .await
        .unwrap()
        .id;
    let second = Store::open_with(dir, KeyringUse::Off).await.unwrap();
    let (a, b) = tokio::join!(
        first.set_secret(id, "local", "API_KEY", "value-a"),
        second.set_secret(id, "local", "OTHER_KEY", "value-b"),
    );
    a.unwrap();
    b.unwrap();
    first.close().await;
    second.close().await;
    let third = Store::open_with(dir, KeyringUse::Off).await.unwrap();
    let values: Vec<String> = third
        .secrets(id, None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.value)
        .collect();
    assert_eq!(values, vec!["value-a", "value-b"]);
}

/// A workspace saved with a secret's value inline while the key is missing is refused before
/// anything is written: the value is neither stripped nor lost.
#[tokio::test]
async fn an_inline_secret_is_not_stripped_while_the_key_is_missing() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let (store, id) = store_with_secret(dir, KeyringUse::Off).await;
    let before = store.workspace(id).await.unwrap().workspace;
    store.close().await;
    let key = dir.join("secrets.key");
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();

    let store = Store::open_with(dir, KeyringUse::Off).await.unwrap();
    let mut v = common::small_json("w");
    v["description"] = serde_json::json!("edited");
    v["environments"]["local"]["variables"]["API_KEY"] =
        serde_json::json!({"secret": true, "value": "inline-new"});
    match store.save_workspace(&common::from_json(v)).await {
        Err(e @ StoreError::SecretKey { .. }) => assert_eq!(e.code(), "secret-key"),
        other => panic!("saving an inline secret without the key must fail, got {other:?}"),
    }
    assert_eq!(
        store.workspace(id).await.unwrap().workspace,
        before,
        "nothing was written"
    );
    store.close().await;
    std::fs::write(&key, saved).unwrap();
    let store = Store::open_with(dir, KeyringUse::Off).await.unwrap();
    assert_eq!(store.secrets(id, None).await.unwrap()[0].value, VALUE);
}
