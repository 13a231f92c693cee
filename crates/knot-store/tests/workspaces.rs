//! Workspaces in the store and as files: byte-identical round trips, durable saves, the
//! linked file rewritten atomically, names kept unique, damaged rows reported.

mod common;

use common::{root, workspace};
use knot_store::{FileWrite, Store, StoreError};

#[tokio::test]
async fn each_example_loads_and_saves_to_identical_bytes() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    for example in ["shop", "trading"] {
        let original = std::fs::read(root().join(format!("examples/{example}.knot.json"))).unwrap();
        let path = files.path().join(format!("{example}.knot.json"));
        std::fs::write(&path, &original).unwrap();
        let imported = store.import_file(&path).await.unwrap();
        assert!(imported.created);
        // Saving the unchanged workspace leaves the linked file byte for byte as it was.
        let stored = store.workspace(imported.id).await.unwrap();
        let saved = store.save_workspace(&stored.workspace).await.unwrap();
        assert!(!saved.changed, "{example}: nothing changed");
        assert!(
            matches!(saved.file, FileWrite::Unchanged { .. }),
            "{example}: {:?}",
            saved.file
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            original,
            "{example}: linked file"
        );
        // Exporting writes the same bytes as well.
        let copy = files.path().join(format!("{example}.copy.knot.json"));
        store.export_file(imported.id, &copy).await.unwrap();
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            original,
            "{example}: exported copy"
        );
    }
}

#[tokio::test]
async fn a_workspace_built_through_the_api_survives_export_and_import() {
    let (a, b, files) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let first = Store::open(a.path()).await.unwrap();
    let mut ws = workspace("built");
    let saved = first.save_workspace(&ws).await.unwrap();
    ws.description = "edited after the first save".into();
    first.update_workspace(saved.id, &ws).await.unwrap();
    let path = files.path().join("built.knot.json");
    first.export_file(saved.id, &path).await.unwrap();

    let second = Store::open(b.path()).await.unwrap();
    let imported = second.import_file(&path).await.unwrap();
    let back = second.workspace(imported.id).await.unwrap();
    assert_eq!(back.workspace, ws);
    assert_eq!(
        back.info.file.as_deref(),
        Some(std::fs::canonicalize(&path).unwrap().as_path())
    );
}

#[tokio::test]
async fn a_save_is_durable_when_it_returns_and_rewrites_the_linked_file() {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::open(data.path()).await.unwrap();
    let path = files.path().join("w.knot.json");
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    store.link_file(id, &path).await.unwrap();

    let mut ws = workspace("w");
    ws.description = "second version".into();
    let saved = store.save_workspace(&ws).await.unwrap();
    assert!(saved.changed);
    assert!(
        matches!(saved.file, FileWrite::Written { .. }),
        "{:?}",
        saved.file
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        knot_model::to_canonical_json(&ws)
    );
    // Another process opening the same folder sees the save at once.
    drop(store);
    let reopened = Store::open(data.path()).await.unwrap();
    assert_eq!(reopened.workspace_by_name("w").await.unwrap().workspace, ws);
    // No temporary files are left next to the workspace file.
    let names: Vec<_> = std::fs::read_dir(files.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[tokio::test]
async fn names_are_unique_and_renames_keep_the_id() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let a = store.save_workspace(&workspace("a")).await.unwrap().id;
    let b = store.save_workspace(&workspace("b")).await.unwrap().id;
    let err = store
        .update_workspace(b, &workspace("a"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "name-taken");
    assert!(err.to_string().contains("`a`"), "{err}");
    store.update_workspace(b, &workspace("c")).await.unwrap();
    let names: Vec<_> = store
        .list_workspaces()
        .await
        .unwrap()
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    assert_eq!(names, vec![(a, "a".to_string()), (b, "c".to_string())]);
    let err = store.workspace_by_name("zzz").await.unwrap_err();
    assert_eq!(err.code(), "unknown-workspace");
    assert!(err.to_string().contains("known: a, c"), "{err}");
}

#[tokio::test]
async fn a_damaged_row_is_an_error_naming_it_not_a_panic() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    store.close().await;
    // Someone edits the database by hand.
    {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.path().join("knot.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE workspaces SET body = '{\"version\": 1, \"name\": ' WHERE id = ?")
            .bind(id)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::open(data.path()).await.unwrap();
    let err = store.workspace(id).await.unwrap_err();
    assert!(matches!(err, StoreError::CorruptRow { .. }), "{err:?}");
    assert!(
        err.to_string().contains("workspaces row") && err.to_string().contains("`w`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_store_from_a_newer_knot_is_refused() {
    let data = tempfile::tempdir().unwrap();
    Store::open(data.path()).await.unwrap().close().await;
    {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.path().join("knot.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let err = Store::open(data.path()).await.unwrap_err();
    assert_eq!(err.code(), "store-newer-schema");
    assert!(err.to_string().contains("knot.db"), "{err}");
}

#[tokio::test]
async fn the_database_uses_a_wal_journal_and_keeps_secrets_owner_only() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    store.save_workspace(&workspace("w")).await.unwrap();
    assert!(data.path().join("knot.db-wal").exists(), "WAL journal");
    assert!(store.integrity_check().await.unwrap().is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.secrets_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "secrets.db is owner-only: {mode:o}");
    }
}
